//! Tera set-up and the layout every page shares (navigation by role, language switch, CSRF token).

use std::collections::BTreeMap;

use axum::response::Html;
use fluent_templates::FluentLoader;
use serde::Serialize;

use super::session::SessionInfo;
use super::AppState;
use crate::domain::money;
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{self, Lang, LOCALES};

/// The page templates, compiled into the binary so that it runs from any folder (`debug-embed`
/// makes debug builds and tests read the same embedded copies as a release build).
#[derive(rust_embed::Embed)]
#[folder = "templates/"]
#[include = "*.html"]
#[include = "**/*.html"]
#[exclude = "emails/*"]
pub struct PageTemplates;

/// Loads the templates and registers `t(key=…, lang=…)` (Fluent) and the `yuan` filter.
///
/// # Errors
/// A template that does not parse (a bug caught at start, not at the first request).
pub fn templates(tz: chrono_tz::Tz) -> Result<tera::Tera, AppError> {
    let mut sources = Vec::new();
    for name in PageTemplates::iter() {
        let file = PageTemplates::get(&name)
            .ok_or_else(|| AppError::Config(format!("template {name} is not embedded")))?;
        let text = String::from_utf8(file.data.into_owned())
            .map_err(|_| AppError::Config(format!("template {name} is not UTF-8")))?;
        sources.push((name.into_owned(), text));
    }
    let mut tera = tera::Tera::default();
    // Autoescaping is set before the templates are added: Tera decides it per template name.
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_templates(sources)
        .map_err(|e| AppError::Config(format!("templates: {e:?}")))?;
    tera.register_function("t", FluentLoader::new(&*LOCALES));
    tera.register_filter(
        "yuan",
        |value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            let fen = value
                .as_i64()
                .ok_or_else(|| tera::Error::msg("yuan expects integer fen"))?;
            Ok(tera::Value::String(money::format_yuan(fen)))
        },
    );
    // UTC times (RFC 3339, as serialized) shown in the street's zone.
    for (name, format) in [
        ("local_minute", "%Y-%m-%d %H:%M"),
        ("local_day", "%Y-%m-%d"),
        ("local_input", "%Y-%m-%dT%H:%M"),
    ] {
        tera.register_filter(
            name,
            move |value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
                let text = value
                    .as_str()
                    .ok_or_else(|| tera::Error::msg("expected a time"))?;
                let at = chrono::DateTime::parse_from_rfc3339(text)
                    .map_err(|e| tera::Error::msg(e.to_string()))?;
                Ok(tera::Value::String(
                    at.with_timezone(&tz).format(format).to_string(),
                ))
            },
        );
    }
    Ok(tera)
}

/// Renders a page.
///
/// # Errors
/// A template error (logged as a 500).
pub fn render(
    state: &AppState,
    template: &str,
    context: &impl Serialize,
) -> Result<Html<String>, AppError> {
    let context = tera::Context::from_serialize(context)
        .map_err(|e| AppError::Internal(format!("page context for {template}: {e}")))?;
    state
        .tera
        .render(template, &context)
        .map(Html)
        .map_err(|e| AppError::Internal(format!("template {template}: {e:?}")))
}

#[derive(Clone, Debug, Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub active: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
}

/// What the layout (`base.html`) needs on every page.
#[derive(Clone, Debug, Serialize)]
pub struct Layout {
    pub lang: &'static str,
    pub user: Option<UserView>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub path: String,
    /// A one-line notice after a successful post ("saved").
    pub notice: Option<String>,
    /// Unread notifications of the signed-in user, for the navigation.
    pub unread: u64,
}

/// The navigation of each role: only what that role may use.
fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/", "nav-home")];
    match role {
        Role::Admin => {
            items.extend([
                ("/stats", "nav-stats"),
                ("/units", "nav-units"),
                ("/mediators", "nav-mediators"),
                ("/users", "nav-users"),
                ("/calendar", "nav-calendar"),
                ("/settings", "nav-settings"),
                ("/warnings", "nav-warnings"),
                ("/settings/monthly_report", "report-link"),
                ("/admin/outbox", "notify-nav-outbox"),
                ("/subsidy/rates", "nav-subsidy-rates"),
            ]);
        }
        Role::Coordinator => {
            items.extend([
                ("/stats", "nav-stats"),
                ("/queue", "nav-queue"),
                ("/warnings", "nav-warnings"),
                ("/cases", "nav-cases"),
                ("/cases/new", "nav-intake"),
                ("/follow-ups", "nav-follow-ups"),
                ("/units", "nav-units"),
                ("/mediators", "nav-mediators"),
                ("/mentorships", "nav-mentorships"),
                ("/reports/joint", "nav-joint"),
            ]);
        }
        Role::Mediator => {
            items.extend([
                ("/stats", "nav-stats"),
                ("/cases", "nav-my-cases"),
                ("/cases/new", "nav-intake"),
                ("/follow-ups", "nav-follow-ups"),
                ("/units", "nav-units"),
                ("/mediators", "nav-mediators"),
                ("/mentorships", "nav-mentorships"),
            ]);
        }
        Role::Viewer => {
            items.extend([
                ("/stats", "nav-stats"),
                ("/warnings", "nav-warnings"),
                ("/cases", "nav-cases"),
                ("/units", "nav-units"),
                ("/mediators", "nav-mediators"),
                ("/mentorships", "nav-mentorships"),
                ("/reports/joint", "nav-joint"),
            ]);
        }
        Role::Finance => {
            items.extend([
                ("/stats", "nav-stats"),
                ("/subsidy", "nav-subsidy"),
                ("/subsidy/rates", "nav-subsidy-rates"),
                ("/cases", "nav-cases"),
                ("/units", "nav-units"),
                ("/mediators", "nav-mediators"),
            ]);
        }
    }
    items
}

impl Layout {
    pub fn new(session: &SessionInfo, lang: Lang, path: &str) -> Layout {
        let items = nav_for(session.user.role);
        // The longest matching link is the current one (`/cases/new` over `/cases`).
        let current = items
            .iter()
            .map(|(href, _)| *href)
            .filter(|href| {
                if *href == "/" {
                    path == "/"
                } else {
                    path.starts_with(href)
                }
            })
            .max_by_key(|href| href.len());
        let nav = items
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                key,
                active: Some(href) == current,
            })
            .collect();
        Layout {
            lang: lang.code(),
            user: Some(UserView {
                id: session.user.id,
                username: session.user.username.clone(),
                display_name: session.user.display_name.clone(),
                role: session.user.role.as_str(),
            }),
            csrf: session.csrf.clone(),
            nav,
            path: path.to_owned(),
            notice: None,
            unread: super::pages::inbox::unread_now(),
        }
    }

    /// The layout of a page shown before sign-in (the sign-in page, error pages).
    pub fn anonymous(lang: Lang, path: &str) -> Layout {
        Layout {
            lang: lang.code(),
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
            path: path.to_owned(),
            notice: None,
            unread: 0,
        }
    }

    pub fn with_notice(mut self, lang: Lang, key: &str) -> Layout {
        self.notice = Some(i18n::t(lang, key));
        self
    }
}

/// Field errors in the page's language, for the inline messages under each field.
pub fn field_errors(lang: Lang, errors: &FieldErrors) -> BTreeMap<String, String> {
    errors
        .iter()
        .map(|(k, m)| (k.clone(), i18n::message(lang, m)))
        .collect()
}

/// An option of a `<select>` or a checkbox group.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// Choices from enum names, labelled through Fluent keys `<prefix>-<name>`.
pub fn choices(
    lang: Lang,
    prefix: &str,
    names: impl IntoIterator<Item = &'static str>,
) -> Vec<Choice> {
    names
        .into_iter()
        .map(|name| Choice {
            value: name.to_owned(),
            label: i18n::t(lang, &format!("{prefix}-{name}")),
        })
        .collect()
}
