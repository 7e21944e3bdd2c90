//! Languages: Chinese first, English second, through Fluent (`locales/<lang>/main.ftl`).

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use crate::domain::term::Term;
use crate::error::Message;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Without this, Fluent wraps every argument in invisible Unicode isolation marks, which
        // end up inside HTML attributes and JSON.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The language of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `zh`, `zh-CN`, `en`, `en-US`… (anything else is not a language we speak).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first language of an `Accept-Language` header that we speak (Chinese if none).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut tags: Vec<(f32, &str)> = header
            .split(',')
            .map(|part| {
                let mut bits = part.split(';');
                let tag = bits.next().unwrap_or_default().trim();
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q, tag)
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0));
        tags.into_iter()
            .find_map(|(_, tag)| Lang::parse(tag))
            .unwrap_or_default()
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Zh => fluent_templates::langid!("zh-CN"),
            Lang::En => fluent_templates::langid!("en"),
        }
    }
}

/// Translates a key without arguments.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES.lookup(&lang.id(), key)
}

/// The label of a term (a grade, a status, a source…) from the locale files, the only place
/// labels are written: `source-hotline_12351` → `12351 热线`. Rust that writes outside a request
/// (the ledger export, mails, the CLI) asks for `Lang::Zh`.
pub fn label<T: Term>(lang: Lang, term: T) -> String {
    t(lang, &format!("{}-{}", T::LABEL_KEY, term.name()))
}

/// Translates a message (a key with arguments, or text written in both languages).
pub fn message(lang: Lang, message: &Message) -> String {
    match message {
        Message::Key(key, args) => {
            if args.is_empty() {
                return t(lang, key);
            }
            let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
                .iter()
                .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.as_str())))
                .collect();
            LOCALES.lookup_with_args(&lang.id(), key, &args)
        }
        Message::Text { zh, en } => match lang {
            Lang::Zh => zh.clone(),
            Lang::En => en.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_highest_quality_language_we_speak() {
        assert_eq!(
            Lang::from_accept_language("fr, en-US;q=0.8, zh;q=0.5"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::Zh);
    }

    #[test]
    fn messages_are_translated_with_their_arguments() {
        let m = Message::with("err-length-max", &[("max", "10".to_owned())]);
        assert!(message(Lang::Zh, &m).contains("10"));
        assert!(message(Lang::En, &m).contains("10"));
        assert_ne!(message(Lang::Zh, &m), message(Lang::En, &m));
    }

    /// Every value of a term has its label in both languages.
    fn labelled<T: Term + std::fmt::Debug>(all: &[T]) {
        for &term in all {
            for lang in [Lang::Zh, Lang::En] {
                let key = format!("{}-{}", T::LABEL_KEY, term.name());
                assert!(
                    LOCALES.try_lookup(&lang.id(), &key).is_some(),
                    "no {key} in {}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn every_term_has_a_label_in_both_languages() {
        use crate::domain::case_terms::{
            DisputeType, Grade, PartyKind, PartyRole, RiskFlag, Source, TeamRole,
        };
        use crate::domain::subsidy::ItemKind;
        use crate::domain::workflow::{Action, Outcome, Status};
        labelled(&Grade::ALL);
        labelled(&DisputeType::ALL);
        labelled(&Source::ALL);
        labelled(&RiskFlag::ALL);
        labelled(&PartyRole::ALL);
        labelled(&PartyKind::ALL);
        labelled(&TeamRole::ALL);
        labelled(&Status::ALL);
        labelled(&Outcome::ALL);
        labelled(&Action::ALL);
        labelled(&ItemKind::ALL);
    }

    /// Moved from `domain::case_terms` with the labels (issue 12 item 5). The locale files' spelling
    /// won over the code's: `12351 热线` (was `12351热线`) and full-width brackets in the
    /// referrals (`诉源（法院移送）`, was `诉源(法院移送)`).
    #[test]
    fn the_chinese_labels_are_those_of_design_section_2() {
        use crate::domain::case_terms::{DisputeType, Grade, PartyRole, Source, TeamRole};
        assert_eq!(
            DisputeType::ALL.map(|d| label(Lang::Zh, d)),
            [
                "欠薪",
                "工伤",
                "社保",
                "解除/终止合同",
                "经济补偿",
                "加班",
                "平台用工",
                "其他"
            ]
        );
        assert_eq!(
            Source::ALL.map(|s| label(Lang::Zh, s)),
            [
                "来访",
                "12351 热线",
                "网上",
                "诉源（法院移送）",
                "警源（公安移送）",
                "访源（信访移送）",
                "劳动监察",
                "其他"
            ]
        );
        assert_eq!(
            Grade::ALL.map(|g| label(Lang::Zh, g)),
            ["简易", "一般", "疑难复杂", "重大疑难"]
        );
        assert_eq!(
            PartyRole::ALL.map(|r| label(Lang::Zh, r)),
            ["申请人", "被申请人", "第三人"]
        );
        assert_eq!(
            TeamRole::ALL.map(|r| label(Lang::Zh, r)),
            ["主办", "协办", "学徒"]
        );
    }

    /// The message ids of every `.ftl` file of one language, with the file each came from.
    fn ids_of(lang: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("the locale folder") {
            let path = entry.expect("a locale file").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            for line in text.lines() {
                let Some((id, _)) = line.split_once(" =") else {
                    continue;
                };
                if !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
                {
                    ids.push((id.to_owned(), path.display().to_string()));
                }
            }
        }
        ids
    }

    #[test]
    fn every_message_is_defined_once_and_in_both_languages() {
        // A message defined twice makes the loader panic at start, in every language.
        for lang in ["zh-CN", "en"] {
            let mut seen = std::collections::HashMap::new();
            for (id, file) in ids_of(lang) {
                if let Some(first) = seen.insert(id.clone(), file.clone()) {
                    panic!("{id} is defined twice: in {first} and {file}");
                }
            }
        }
        let zh: std::collections::BTreeSet<String> =
            ids_of("zh-CN").into_iter().map(|(id, _)| id).collect();
        let en: std::collections::BTreeSet<String> =
            ids_of("en").into_iter().map(|(id, _)| id).collect();
        let only_zh: Vec<&String> = zh.difference(&en).collect();
        let only_en: Vec<&String> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "missing in English: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in Chinese: {only_en:?}");
    }

    #[test]
    fn every_literal_key_a_template_asks_for_exists() {
        let zh: std::collections::BTreeSet<String> =
            ids_of("zh-CN").into_iter().map(|(id, _)| id).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut stack = vec![root];
        let mut missing = Vec::new();
        let mut checked = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("templates") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().and_then(|e| e.to_str()) != Some("html") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("readable");
                for part in text.split("t(key=\"").skip(1) {
                    let Some(end) = part.find('"') else { continue };
                    let key = &part[..end];
                    // `"prefix-" ~ value` builds the key at run time; only whole keys are checked.
                    if part[end + 1..].trim_start().starts_with('~') {
                        continue;
                    }
                    checked += 1;
                    if !zh.contains(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            checked > 200,
            "only {checked} keys found: is the scan still right?"
        );
        assert!(missing.is_empty(), "keys with no message: {missing:#?}");
    }
}
