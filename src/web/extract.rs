//! Reading requests: JSON and query strings whose errors name the field, lenient values that forms
//! and JSON both send, the request's language, and field checks from `validator`.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{AppError, FieldErrors, Message};
use crate::i18n::Lang;
use crate::web::strict_json::Strict;

/// Largest JSON or form body accepted (bigger is 413 from the body limit layer).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Largest file a case may have attached.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// JSON body. Malformed JSON is 400; a value of the wrong type is 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Err(AppError::BadRequest(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = read_body(req, state).await?;
        // Unknown fields are ignored (DESIGN §3), so only the fields the handler reads are
        // checked for control characters; where they are is noted while reading.
        let mut ignored = Vec::new();
        let mut note = |path: serde_ignored::Path| ignored.push(ignored_path(&path));
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let read = serde_path_to_error::deserialize::<_, T>(serde_ignored::Deserializer::new(
            Strict(&mut de),
            &mut note,
        ));
        match read {
            Ok(value) => {
                if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    refuse_control_characters(
                        json_strings(&json, String::new())
                            .into_iter()
                            .filter(|(path, _)| !ignored.iter().any(|i| is_within(path, i))),
                    )?;
                }
                Ok(ApiJson(value))
            }
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                if inner.is_data() && path != "." && !path.is_empty() {
                    Err(AppError::field(&path, Message::key("err-wrong-type")))
                } else {
                    Err(AppError::BadRequest(format!("malformed JSON: {inner}")))
                }
            }
        }
    }
}

/// Whether text holds a character nobody types: NUL and the other control characters, except
/// line breaks and tabs (which a multi-line field may carry).
fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// 422 naming the first field whose text holds a control character.
fn refuse_control_characters(
    fields: impl IntoIterator<Item = (String, String)>,
) -> Result<(), AppError> {
    for (field, text) in fields {
        if has_control_character(&text) {
            // Paths are written `.parties[0].name`; the field is named without the first dot.
            let field = match field.strip_prefix('.').unwrap_or(&field) {
                "" => "body".to_owned(),
                name => name.to_owned(),
            };
            return Err(AppError::field(
                &field,
                Message::key("err-control-character"),
            ));
        }
    }
    Ok(())
}

/// The path of an ignored field, written as [`json_strings`] writes paths (`.parties[0].extra`).
fn ignored_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        Path::Map { parent, key } => format!("{}.{key}", ignored_path(parent)),
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}

/// Whether `path` is `within` or inside it.
fn is_within(path: &str, within: &str) -> bool {
    path.strip_prefix(within)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// Every string value in a JSON value with its path (`.parties[0].name`: each key after a dot, so
/// that an empty key is a path too); keys are names, not text anybody reads, and are not included.
fn json_strings(value: &serde_json::Value, path: String) -> Vec<(String, String)> {
    match value {
        serde_json::Value::String(s) => vec![(path, s.clone())],
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| json_strings(v, format!("{path}[{i}]")))
            .collect(),
        serde_json::Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| json_strings(v, format!("{path}.{k}")))
            .collect(),
        _ => Vec::new(),
    }
}

/// The whole body, or 413 when it is over the limit.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<axum::body::Bytes, AppError> {
    axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest("the body could not be read".into())
            }
        })
}

/// Query string; a value of the wrong type is 400 with the reason.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(ApiQuery)
            .map_err(|e| AppError::BadRequest(format!("query string: {e}")))
    }
}

/// Form body of a page (repeated keys such as checkboxes become lists).
pub struct PageForm<T>(pub T);

impl<S, T> FromRequest<S> for PageForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if let Ok(pairs) = serde_html_form::from_bytes::<Vec<(String, String)>>(&bytes) {
            refuse_control_characters(pairs)?;
        }
        serde_html_form::from_bytes(&bytes)
            .map(PageForm)
            .map_err(|e| AppError::BadRequest(format!("form: {e}")))
    }
}

/// The client's IP address, for limits per address: the TCP peer, or, behind a reverse proxy
/// trusted with `TRUST_PROXY`, the last address of `X-Forwarded-For` (the one the proxy itself
/// saw; earlier entries are whatever the client wrote).
pub struct ClientAddress(pub String);

impl FromRequestParts<crate::web::AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::web::AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientAddress(ip.to_string()));
            }
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddress(peer.unwrap_or_else(|| "unknown".to_owned())))
    }
}

/// The `version` a request carries, when readable; an unreadable one is reported where the body's
/// fields are checked.
pub fn loose_version(value: &Option<Loose>) -> Option<i32> {
    value
        .as_ref()
        .and_then(|v| v.int().ok().flatten())
        .and_then(|v| i32::try_from(v).ok())
}

/// A value as forms and JSON send it: a JSON number or boolean, or text typed into a field.
#[derive(Clone, Debug, Deserialize, serde::Serialize, ToSchema, PartialEq)]
#[serde(untagged)]
pub enum Loose {
    Int(i64),
    Bool(bool),
    Float(f64),
    Text(String),
}

/// A value that cannot be read as the kind the field needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreadable;

impl Loose {
    /// A whole number; `Ok(None)` for an empty field. A JSON number with nothing after the point
    /// (`3.0`) is a whole number too, as JSON Schema's `integer` says.
    pub fn int(&self) -> Result<Option<i64>, Unreadable> {
        // 2^63, exactly representable: the first float beyond i64.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        match self {
            Loose::Int(n) => Ok(Some(*n)),
            Loose::Text(t) if t.trim().is_empty() => Ok(None),
            Loose::Text(t) => t.trim().parse::<i64>().map(Some).map_err(|_| Unreadable),
            // Beyond ±2^63 a float no longer tells neighbouring integers apart.
            Loose::Float(f) if f.fract() == 0.0 && *f > -LIMIT && *f < LIMIT => Ok(Some(*f as i64)),
            Loose::Bool(_) | Loose::Float(_) => Err(Unreadable),
        }
    }

    /// A yes/no: JSON booleans, and what checkboxes and selects send.
    pub fn bool(&self) -> Result<bool, Unreadable> {
        match self {
            Loose::Bool(b) => Ok(*b),
            Loose::Text(t) => match t.trim() {
                "on" | "true" | "1" | "yes" => Ok(true),
                "" | "off" | "false" | "0" | "no" => Ok(false),
                _ => Err(Unreadable),
            },
            Loose::Int(1) => Ok(true),
            Loose::Int(0) => Ok(false),
            _ => Err(Unreadable),
        }
    }
}

/// Collects field errors while a request body is turned into a service input.
#[derive(Default)]
pub struct Checker {
    pub errors: FieldErrors,
}

impl Checker {
    /// Starts from the `validator` checks of the body (lengths, e-mail, ranges).
    pub fn validated(body: &impl Validate) -> Checker {
        let mut checker = Checker::default();
        if let Err(errors) = body.validate() {
            checker.add_validation_errors(&errors);
        }
        checker
    }

    fn add_validation_errors(&mut self, errors: &ValidationErrors) {
        for (field, kind) in errors.errors() {
            if let ValidationErrorsKind::Field(list) = kind {
                if let Some(first) = list.first() {
                    let message = match first.code.as_ref() {
                        "length" => match (first.params.get("min"), first.params.get("max")) {
                            (Some(min), _) if min.as_u64() == Some(1) => {
                                Message::key("err-required")
                            }
                            (_, Some(max)) => {
                                Message::with("err-length-max", &[("max", max.to_string())])
                            }
                            _ => Message::key("err-invalid-value"),
                        },
                        "email" => Message::key("err-email"),
                        "range" => match (first.params.get("min"), first.params.get("max")) {
                            (Some(min), Some(max)) => Message::with(
                                "err-range",
                                &[("min", min.to_string()), ("max", max.to_string())],
                            ),
                            _ => Message::key("err-invalid-value"),
                        },
                        "required" => Message::key("err-required"),
                        _ => Message::key("err-invalid-value"),
                    };
                    self.errors.insert(field.to_string(), message);
                }
            }
        }
    }

    pub fn add(&mut self, field: &str, message: Message) {
        self.errors.entry(field.to_owned()).or_insert(message);
    }

    /// A required text field, trimmed.
    pub fn text(&mut self, field: &str, value: &Option<String>) -> String {
        match value.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => v.to_owned(),
            _ => {
                self.add(field, Message::key("err-required"));
                String::new()
            }
        }
    }

    /// A required choice among names (`parse` turns a name into its enum).
    pub fn choice<T>(
        &mut self,
        field: &str,
        value: &Option<String>,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        match value.as_deref().map(str::trim) {
            None | Some("") => {
                self.add(field, Message::key("err-required"));
                None
            }
            Some(v) => {
                let parsed = parse(v);
                if parsed.is_none() {
                    self.add(field, Message::key("err-unknown-choice"));
                }
                parsed
            }
        }
    }

    /// An optional choice: empty means none.
    pub fn optional_choice<T>(
        &mut self,
        field: &str,
        value: &Option<String>,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        match value.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(_) => self.choice(field, value, parse),
        }
    }

    /// An optional whole number.
    pub fn optional_int(&mut self, field: &str, value: &Option<Loose>) -> Option<i64> {
        match value.as_ref().map(Loose::int) {
            None => None,
            Some(Ok(n)) => n,
            Some(Err(Unreadable)) => {
                self.add(field, Message::key("err-whole-number"));
                None
            }
        }
    }

    /// A whole number within a range; `default` when the field is absent or empty.
    pub fn int_in(
        &mut self,
        field: &str,
        value: &Option<Loose>,
        min: i64,
        max: i64,
        default: Option<i64>,
    ) -> i64 {
        match self.optional_int(field, value).or(default) {
            Some(n) if (min..=max).contains(&n) => n,
            Some(_) => {
                self.add(
                    field,
                    Message::with(
                        "err-range",
                        &[("min", min.to_string()), ("max", max.to_string())],
                    ),
                );
                min
            }
            None => {
                if !self.errors.contains_key(field) {
                    self.add(field, Message::key("err-required"));
                }
                min
            }
        }
    }

    /// A yes/no; absent means no (an unchecked checkbox sends nothing).
    pub fn flag(&mut self, field: &str, value: &Option<Loose>) -> bool {
        match value.as_ref().map(Loose::bool) {
            None => false,
            Some(Ok(b)) => b,
            Some(Err(Unreadable)) => {
                self.add(field, Message::key("err-yes-no"));
                false
            }
        }
    }

    /// An optional date `YYYY-MM-DD`.
    pub fn optional_date(
        &mut self,
        field: &str,
        value: &Option<String>,
    ) -> Option<chrono::NaiveDate> {
        match value.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    self.add(field, Message::key("err-date"));
                    None
                }
            },
        }
    }

    /// Ends the checks: the value if nothing was wrong, else 422 with every field named.
    ///
    /// # Errors
    /// 422 with the collected field errors.
    pub fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Invalid(self.errors))
        }
    }
}

/// Empty text becomes `None`; the rest is trimmed.
pub fn optional_text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    /// `?lang=` first, then the `lang` cookie the language switch sets, then `Accept-Language`.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(lang_of(parts))
    }
}

/// The language of a request (see the `Lang` extractor).
pub fn lang_of(parts: &Parts) -> Lang {
    let from_query = parts.uri.query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .and_then(Lang::parse)
    });
    let from_cookie = || {
        parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix("lang="))
            .and_then(Lang::parse)
    };
    let from_header = || {
        parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
    };
    from_query
        .or_else(from_cookie)
        .or_else(from_header)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_naming_the_field_but_line_breaks_pass() {
        let body =
            serde_json::json!({"summary": "第一行\n第二行\t", "parties": [{"name": "张\u{0}三"}]});
        let err = refuse_control_characters(json_strings(&body, String::new())).unwrap_err();
        match err {
            AppError::Invalid(fields) => assert!(fields.contains_key("parties[0].name")),
            other => panic!("{other:?}"),
        }
        // Keys are names: an empty one is a path too, and a key is never itself checked.
        let nested = serde_json::json!({"": {"a\u{13}": "x\u{1}"}});
        let strings = json_strings(&nested, String::new());
        assert_eq!(strings, vec![("..a\u{13}".to_owned(), "x\u{1}".to_owned())]);
        assert!(is_within(&strings[0].0, "."));
        assert!(!is_within(".names", ".name"));
        let fine = serde_json::json!({"summary": "第一行\r\n第二行"});
        assert!(refuse_control_characters(json_strings(&fine, String::new())).is_ok());
        assert!(has_control_character("a\u{1b}[31m"));
        assert!(!has_control_character("调解\n笔录"));
    }

    #[test]
    fn loose_values_read_forms_and_json_alike() {
        assert_eq!(Loose::Text("12".into()).int(), Ok(Some(12)));
        assert_eq!(Loose::Text(" ".into()).int(), Ok(None));
        assert_eq!(Loose::Int(7).int(), Ok(Some(7)));
        assert!(Loose::Text("twelve".into()).int().is_err());
        assert_eq!(Loose::Float(3.0).int(), Ok(Some(3)));
        assert!(Loose::Float(3.5).int().is_err());
        assert!(Loose::Float(1e300).int().is_err());
        assert!(Loose::Float(-9_223_372_036_854_775_808.0).int().is_err());
        assert_eq!(Loose::Text("on".into()).bool(), Ok(true));
        assert_eq!(Loose::Bool(false).bool(), Ok(false));
        assert!(Loose::Text("maybe".into()).bool().is_err());
    }
}
