//! The map of `src/lib.rs` kept true: each layer imports only what it may (web → services →
//! domain / entity / mail), read from the source tree. A new import across the line fails here,
//! naming the file, the line and the rule.

use std::path::{Path, PathBuf};

/// A rule: under `dir`, none of `forbidden` may be named (outside comments).
struct Rule {
    dir: &'static str,
    forbidden: &'static [Forbidden],
    why: &'static str,
}

/// A path that may not be named, with the names of it that stay allowed.
struct Forbidden {
    path: &'static str,
    /// `path` followed by one of these is fine (`sea_orm::DatabaseConnection` is a handle, not
    /// a query).
    except_followed_by: &'static [&'static str],
}

const fn no(path: &'static str) -> Forbidden {
    Forbidden {
        path,
        except_followed_by: &[],
    }
}

const RULES: &[Rule] = &[
    Rule {
        dir: "src/domain",
        forbidden: &[
            no("sea_orm"),
            no("axum"),
            no("tokio"),
            no("entity::"),
            no("http::"),
            no("crate::services"),
            no("crate::web"),
            no("crate::mail"),
            no("crate::demo"),
        ],
        why: "the domain is pure rules: no database, HTTP, runtime or rows",
    },
    Rule {
        dir: "src/services",
        forbidden: &[
            no("axum"),
            no("http::"),
            no("crate::web"),
            no("crate::cli"),
            no("crate::demo"),
        ],
        why: "services know no HTTP: web maps their errors and shapes their answers",
    },
    Rule {
        dir: "src/error.rs",
        forbidden: &[no("axum"), no("http::"), no("crate::web")],
        why: "the services' error is free of HTTP; web/errors.rs gives it a status",
    },
    Rule {
        dir: "src/mail",
        forbidden: &[
            no("crate::services"),
            no("crate::web"),
            no("crate::demo"),
            no("axum"),
        ],
        why: "mail is below the services: queue, worker, transport, messages",
    },
    Rule {
        dir: "src/web",
        forbidden: &[
            no("entity::"),
            no("crate::mail"),
            Forbidden {
                path: "sea_orm",
                except_followed_by: &["::DatabaseConnection"],
            },
        ],
        why: "handlers call services; the services read and write the tables",
    },
];

/// Files that still break a rule, each with the reason it is allowed for now. Remove a line when
/// its file is fixed; never add one without a reason.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.to_owned());
        }
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for entry in entries {
        rust_files(&entry, out);
    }
}

/// The line without its comment (`//`, `///`, `//!`); a `//` inside a string only shortens it.
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |at| &line[..at])
}

/// Where `code` names `forbidden` as a path of its own (not the tail of a longer name such as
/// `identity::` or `axum_extra`, nor `foo::http::` inside another crate's path for `http::`).
fn names(code: &str, forbidden: &Forbidden) -> bool {
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(found) = code[from..].find(forbidden.path) {
        let at = from + found;
        let end = at + forbidden.path.len();
        from = end;
        let before_ok = at == 0 || {
            let b = bytes[at - 1];
            !(b.is_ascii_alphanumeric() || b == b'_' || b == b':')
        };
        let last = forbidden.path.as_bytes()[forbidden.path.len() - 1];
        let after_ok = last == b':'
            || bytes
                .get(end)
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        let excepted = forbidden
            .except_followed_by
            .iter()
            .any(|tail| code[end..].starts_with(tail));
        if before_ok && after_ok && !excepted {
            return true;
        }
    }
    false
}

fn violations() -> Vec<String> {
    let root = root();
    let mut found = Vec::new();
    for rule in RULES {
        let mut files = Vec::new();
        rust_files(&root.join(rule.dir), &mut files);
        assert!(!files.is_empty(), "no Rust files under {}", rule.dir);
        for file in files {
            let relative = file
                .strip_prefix(&root)
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&file).expect("readable source");
            for (n, line) in text.lines().enumerate() {
                let code = code_of(line);
                for forbidden in rule.forbidden {
                    if !names(code, forbidden) {
                        continue;
                    }
                    let allowed = EXCEPTIONS
                        .iter()
                        .any(|(f, p, _)| *f == relative && *p == forbidden.path);
                    if !allowed {
                        found.push(format!(
                            "{relative}:{}: names `{}` ({})\n    {}",
                            n + 1,
                            forbidden.path,
                            rule.why,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_layer_imports_only_the_layers_below_it() {
    let found = violations();
    assert!(
        found.is_empty(),
        "imports across the layers of src/lib.rs:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_listed_exception_is_still_needed() {
    let root = root();
    for (file, path, why) in EXCEPTIONS {
        let text = std::fs::read_to_string(root.join(file))
            .unwrap_or_else(|e| panic!("{file} is listed as an exception but: {e}"));
        let forbidden = no(path);
        assert!(
            text.lines().any(|l| names(code_of(l), &forbidden)),
            "{file} no longer names `{path}` ({why}): remove it from EXCEPTIONS"
        );
    }
}

#[test]
fn the_check_sees_an_import_across_a_layer_and_ignores_look_alikes() {
    let entity = no("entity::");
    assert!(names("use entity::cases;", &entity));
    assert!(names("    case: &entity::cases::Model,", &entity));
    assert!(!names("let identity::x = 1;", &entity));
    assert!(!names(code_of("/// reads `entity::cases` rows"), &entity));
    let axum = no("axum");
    assert!(names("use axum::http::StatusCode;", &axum));
    assert!(!names("use axum_extra::Foo;", &axum));
    let http = no("http::");
    assert!(names("use http::StatusCode;", &http));
    assert!(!names("use axum::http::StatusCode;", &http));
    assert!(!names(r#"let u = "http://example.org";"#, &http));
    let sea_orm = Forbidden {
        path: "sea_orm",
        except_followed_by: &["::DatabaseConnection"],
    };
    assert!(!names("use sea_orm::DatabaseConnection;", &sea_orm));
    assert!(names("use sea_orm::EntityTrait;", &sea_orm));
    assert!(names(
        "use sea_orm::{DatabaseConnection, EntityTrait};",
        &sea_orm
    ));
    let web = no("crate::web");
    assert!(names("use crate::web::AppState;", &web));
    assert!(!names("use crate::webhooks;", &web));
}
