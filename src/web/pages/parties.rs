//! The parties' own pages (DESIGN §10): the receipt with the case code and its QR code, the public
//! progress page `/track`, applying online `/apply`, the printable case file (卷宗) and the
//! setting of what each grade's file must hold.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::submit;
use crate::domain::access;
use crate::domain::case_file::{FileItem, FileRequirements, GradeRequirements};
use crate::domain::case_terms::{DisputeType, Grade};
use crate::domain::clocks;
use crate::domain::role::Role;
use crate::error::{AppError, FieldErrors, Message};
use crate::i18n::{self, Lang};
use crate::services::auth;
use crate::services::case_file;
use crate::services::cases::access_code;
use crate::services::cases::receipt::{self, ReceiptFacts};
use crate::services::cases::view::{self, CaseDetail};
use crate::services::command::Ready;
use crate::services::public::{self, StationOut, TrackOut};
use crate::web::extract::{ClientAddress, Loose, PageForm};
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{self, PageUser, SessionInfo, PRE_CSRF_COOKIE};
use crate::web::shapes::{ApplicantBody, ApplicationBody, RespondentBody};
use crate::web::AppState;

/// The link the QR code of a receipt carries: the progress page with the number and code filled in.
fn track_link(state: &AppState, case_no: &str, code: &str) -> String {
    format!(
        "{}/track?case_no={}&code={}",
        state.config.public_url.trim_end_matches('/'),
        case_no,
        code
    )
}

/// The QR code of `text` as an inline SVG drawing.
fn qr_svg(text: &str) -> Result<String, AppError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build();
    // The XML declaration has no place inside HTML.
    Ok(image
        .find("<svg")
        .map_or(image.clone(), |at| image[at..].to_owned()))
}

#[derive(Serialize)]
struct Receipt {
    case_id: Option<i64>,
    case_no: String,
    code: String,
    code_grouped: String,
    /// Our own drawing (from the case number and code only), never user text.
    qr_svg: String,
    track_url: String,
    unit_name: String,
    unit_address: Option<String>,
    unit_phone: Option<String>,
    received_on: String,
    deadline_on: String,
    dispute_type: String,
}

fn local_day(at: DateTime<Utc>, tz: Tz) -> String {
    clocks::local_date(at, tz).format("%Y-%m-%d").to_string()
}

fn receipt_of(
    state: &AppState,
    facts: ReceiptFacts,
    public_view: bool,
) -> Result<Receipt, AppError> {
    let tz = state.config.time_zone;
    let ReceiptFacts { case, unit } = facts;
    let code = case.access_code.clone().unwrap_or_default();
    let link = track_link(state, &case.case_no, &code);
    Ok(Receipt {
        case_id: (!public_view).then_some(case.id),
        case_no: case.case_no.clone(),
        code_grouped: access::grouped(&code),
        qr_svg: qr_svg(&link)?,
        track_url: link,
        code,
        unit_name: unit.name,
        unit_address: unit.address,
        unit_phone: unit.phone,
        received_on: local_day(case.received_at, tz),
        deadline_on: clocks::deadline_last_day(case.deadline_at, tz)
            .format("%Y-%m-%d")
            .to_string(),
        dispute_type: crate::domain::case_terms::DisputeType::from(case.dispute_type)
            .as_str()
            .to_owned(),
    })
}

#[derive(Serialize)]
struct ReceiptPage {
    #[serde(flatten)]
    layout: Layout,
    receipt: Receipt,
    /// Shown after applying online: keep this page.
    public_view: bool,
    repeated: bool,
    may_reissue: bool,
    version: i32,
}

/// `GET /cases/{id}/receipt`: the printable receipt, for those who may act on the case.
///
/// # Errors
/// 404 out of scope; 403 for those who may see but not act on the case.
pub async fn receipt(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let facts = receipt::for_user(&state.db, &session.user, id).await?;
    let version = facts.case.version;
    let page = ReceiptPage {
        layout: Layout::new(&session, lang, "/cases"),
        receipt: receipt_of(&state, facts, false)?,
        public_view: false,
        repeated: false,
        may_reissue: session.user.is(Role::Coordinator),
        version,
    };
    Ok(render::render(&state, "parties/receipt.html", &page)?.into_response())
}

#[derive(Deserialize, Default)]
pub struct VersionForm {
    pub version: Option<String>,
}

/// `POST /cases/{id}/access_code`: a new case code (coordinators), then the new receipt.
///
/// # Errors
/// 404 out of scope; 403 for other roles; 409 for a stale version.
pub async fn reissue(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(form): PageForm<VersionForm>,
) -> Result<Response, AppError> {
    let version = form
        .version
        .as_deref()
        .and_then(|v| v.trim().parse::<i32>().ok());
    let result = access_code::reissue(
        &state.db,
        state.config.time_zone,
        &session.user,
        id,
        version,
    )
    .await;
    submit::done(result, |_| format!("/cases/{id}/receipt"))
}

/// The CSRF token of a page anyone may post from: the session's, or before sign-in the
/// `csrf_pre` cookie's (set here when missing), as the sign-in page does.
fn public_layout(
    state: &AppState,
    jar: CookieJar,
    session: Option<&SessionInfo>,
    lang: Lang,
    path: &str,
) -> (CookieJar, Layout) {
    match session {
        Some(s) => (jar, Layout::new(s, lang, path)),
        None => {
            let csrf = jar
                .get(PRE_CSRF_COOKIE)
                .map(|c| c.value().to_owned())
                .unwrap_or_else(auth::new_csrf_token);
            let jar = jar.add(session::cookie(state, PRE_CSRF_COOKIE, csrf.clone()));
            let mut layout = Layout::anonymous(lang, path);
            layout.csrf = csrf;
            (jar, layout)
        }
    }
}

#[derive(Deserialize, Default, Serialize)]
pub struct TrackForm {
    #[serde(default)]
    pub case_no: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Serialize)]
struct TrackPage {
    #[serde(flatten)]
    layout: Layout,
    case_no: String,
    code: String,
    progress: Option<TrackOut>,
    error: Option<String>,
    errors: BTreeMap<String, String>,
}

/// `GET /track`: the form, and with a number and code the case's progress. A wrong code and an
/// unknown number give the same page and status.
///
/// # Errors
/// Database failures.
pub async fn track(
    State(state): State<AppState>,
    lang: Lang,
    session: Option<Extension<SessionInfo>>,
    ClientAddress(address): ClientAddress,
    Query(q): Query<TrackForm>,
) -> Result<Response, AppError> {
    let layout = match session.as_ref() {
        Some(Extension(s)) => Layout::new(s, lang, "/track"),
        None => Layout::anonymous(lang, "/track"),
    };
    let case_no = q.case_no.clone().unwrap_or_default();
    let code = q.code.clone().unwrap_or_default();
    let mut page = TrackPage {
        layout,
        case_no: case_no.trim().to_owned(),
        code: code.trim().to_owned(),
        progress: None,
        error: None,
        errors: BTreeMap::new(),
    };
    if case_no.trim().is_empty() && code.trim().is_empty() {
        return Ok(render::render(&state, "parties/track.html", &page)?.into_response());
    }
    let query = crate::web::shapes::TrackQuery {
        case_no: q.case_no,
        code: q.code,
    };
    let result = match query.check() {
        Ok((no, code)) => {
            public::track(
                &state.db,
                state.config.time_zone,
                lang,
                &no,
                &code,
                &address,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let status = match result {
        Ok(progress) => {
            page.progress = Some(progress);
            StatusCode::OK
        }
        Err(AppError::Invalid(errors)) => {
            page.errors = field_errors(lang, &errors);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e @ (AppError::NotFound | AppError::TooManyRequests { .. })) => {
            let status = e.status();
            page.error = Some(if matches!(e, AppError::NotFound) {
                i18n::t(lang, "track-not-found")
            } else {
                i18n::message(lang, &e.message())
            });
            status
        }
        Err(e) => return Err(e),
    };
    Ok((status, render::render(&state, "parties/track.html", &page)?).into_response())
}

/// The application form as typed (flat names; amounts in yuan).
#[derive(Deserialize, Default, Serialize, Clone)]
pub struct ApplyForm {
    #[serde(default)]
    pub applicant_name: Option<String>,
    #[serde(default)]
    pub applicant_phone: Option<String>,
    #[serde(default)]
    pub applicant_id_number: Option<String>,
    #[serde(default)]
    pub respondent_name: Option<String>,
    #[serde(default)]
    pub respondent_kind: Option<String>,
    #[serde(default)]
    pub station_id: Option<String>,
    #[serde(default)]
    pub dispute_type: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub amount_yuan: Option<String>,
    #[serde(default)]
    pub people_involved: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

impl ApplyForm {
    fn to_body(&self) -> Result<ApplicationBody, FieldErrors> {
        let amount = match self.amount_yuan.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => match crate::domain::money::parse_yuan(v) {
                Some(fen) => Some(Loose::Int(fen)),
                None => {
                    let mut e = FieldErrors::new();
                    e.insert(
                        "amount_yuan".into(),
                        Message::key("err-settings-amount-yuan"),
                    );
                    return Err(e);
                }
            },
        };
        Ok(ApplicationBody {
            applicant: Some(ApplicantBody {
                name: self.applicant_name.clone(),
                phone: self.applicant_phone.clone(),
                id_number: self.applicant_id_number.clone(),
            }),
            respondent: Some(RespondentBody {
                name: self.respondent_name.clone(),
                kind: self.respondent_kind.clone(),
            }),
            station_id: self.station_id.clone().map(Loose::Text),
            dispute_type: self.dispute_type.clone(),
            summary: self.summary.clone(),
            amount_claimed_fen: amount,
            people_involved: self.people_involved.clone().map(Loose::Text),
            website: self.website.clone(),
        })
    }
}

/// `applicant.phone` → `applicant_phone`; `amount_claimed_fen` → `amount_yuan`.
fn form_field(api_field: &str) -> String {
    match api_field {
        "amount_claimed_fen" => "amount_yuan".to_owned(),
        other => other.replace('.', "_"),
    }
}

#[derive(Serialize)]
struct ApplyPage {
    #[serde(flatten)]
    layout: Layout,
    values: ApplyForm,
    errors: BTreeMap<String, String>,
    error: Option<String>,
    stations: Vec<StationOut>,
    dispute_types: Vec<Choice>,
}

/// What the application form shows besides the layout: the values typed and what was wrong.
struct ApplyView {
    values: ApplyForm,
    errors: BTreeMap<String, String>,
    error: Option<String>,
}

async fn apply_page(
    state: &AppState,
    jar: CookieJar,
    session: Option<&SessionInfo>,
    lang: Lang,
    status: StatusCode,
    view: ApplyView,
) -> Result<Response, AppError> {
    let (jar, layout) = public_layout(state, jar, session, lang, "/apply");
    let page = ApplyPage {
        layout,
        values: view.values,
        errors: view.errors,
        error: view.error,
        stations: public::stations(&state.db).await?,
        dispute_types: choices(
            lang,
            "dispute-type",
            DisputeType::ALL.map(DisputeType::as_str),
        ),
    };
    Ok((
        status,
        jar,
        render::render(state, "parties/apply.html", &page)?,
    )
        .into_response())
}

/// `GET /apply`: the phone-first application form.
///
/// # Errors
/// Database failures.
pub async fn apply_form(
    State(state): State<AppState>,
    jar: CookieJar,
    lang: Lang,
    session: Option<Extension<SessionInfo>>,
) -> Result<Response, AppError> {
    let values = ApplyForm {
        people_involved: Some("1".to_owned()),
        ..ApplyForm::default()
    };
    apply_page(
        &state,
        jar,
        session.as_ref().map(|e| &e.0),
        lang,
        StatusCode::OK,
        ApplyView {
            values,
            errors: BTreeMap::new(),
            error: None,
        },
    )
    .await
}

/// `POST /apply`: registers the application and shows the receipt at once; a form posted twice
/// shows the same receipt.
///
/// # Errors
/// Database failures.
pub async fn apply(
    State(state): State<AppState>,
    jar: CookieJar,
    lang: Lang,
    session: Option<Extension<SessionInfo>>,
    ClientAddress(address): ClientAddress,
    PageForm(form): PageForm<ApplyForm>,
) -> Result<Response, AppError> {
    let session = session.as_ref().map(|e| &e.0);
    let checked = form
        .to_body()
        .map_err(AppError::Invalid)
        .and_then(|b| b.check());
    let result = match checked {
        Ok(application) => {
            public::apply(&state.db, state.config.time_zone, application, &address).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(out) => {
            let facts = receipt::of_application(&state.db, out.case_id).await?;
            let (jar, layout) = public_layout(&state, jar, session, lang, "/apply");
            let page = ReceiptPage {
                layout,
                receipt: receipt_of(&state, facts, true)?,
                public_view: true,
                repeated: !out.created,
                may_reissue: false,
                version: 0,
            };
            let status = if out.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((
                status,
                jar,
                render::render(&state, "parties/receipt.html", &page)?,
            )
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors: FieldErrors = errors
                .into_iter()
                .map(|(k, v)| (form_field(&k), v))
                .collect();
            let errors = field_errors(lang, &errors);
            apply_page(
                &state,
                jar,
                session,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                ApplyView {
                    values: form,
                    errors,
                    error: Some(i18n::t(lang, "parties-form-has-errors")),
                },
            )
            .await
        }
        Err(e @ AppError::TooManyRequests { .. }) => {
            let message = i18n::message(lang, &e.message());
            apply_page(
                &state,
                jar,
                session,
                lang,
                e.status(),
                ApplyView {
                    values: form,
                    errors: BTreeMap::new(),
                    error: Some(message),
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct FilePage {
    #[serde(flatten)]
    layout: Layout,
    case: CaseDetail,
    received_at: String,
    closed_at: Option<String>,
    deadline_on: String,
    accepted_at: Option<String>,
    closing_reason: Option<String>,
    lead: Option<String>,
    mediators: Vec<String>,
    missing: Vec<String>,
    complete: bool,
    printed_on: String,
}

/// `GET /cases/{id}/file`: the whole 卷宗 in the order an inspection reads it, laid out for A4
/// with page breaks and page numbers. Parties' numbers are masked, as on the case page.
///
/// # Errors
/// 404 out of scope.
pub async fn file(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let case = view::detail(&state.db, tz, &session.user, id, false).await?;
    let minute = |at: DateTime<Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let accepted_at = case
        .events
        .iter()
        .find(|e| e.kind == "accept")
        .map(|e| minute(e.at));
    let closing = case.events.iter().rev().find(|e| e.kind == "close");
    let closing_reason = closing.and_then(|e| e.note.clone());
    let lead = case
        .assignments
        .iter()
        .find(|a| a.ended_at.is_none() && a.role == "lead")
        .map(|a| a.mediator_name.clone());
    let mut mediators: Vec<String> = Vec::new();
    for a in &case.assignments {
        if !mediators.contains(&a.mediator_name) {
            mediators.push(a.mediator_name.clone());
        }
    }
    let missing = case.file_missing.clone();
    let page = FilePage {
        layout: Layout::new(&session, lang, "/cases"),
        received_at: minute(case.case.received_at),
        closed_at: case.case.closed_at.map(minute),
        deadline_on: clocks::deadline_last_day(case.case.deadline_at, tz)
            .format("%Y-%m-%d")
            .to_string(),
        accepted_at,
        closing_reason,
        lead,
        mediators,
        complete: missing.is_empty(),
        missing,
        printed_on: local_day(Utc::now(), tz),
        case,
    };
    Ok(render::render(&state, "parties/file.html", &page)?.into_response())
}

/// The requirements form: one checkbox group per grade and part (`simple_always`, …).
#[derive(Deserialize, Default, Serialize)]
pub struct RequirementsForm {
    /// Present on the real form, so that a post without it changes nothing.
    #[serde(default)]
    pub grades: Option<String>,
    #[serde(default)]
    pub simple_always: Vec<String>,
    #[serde(default)]
    pub simple_resolved: Vec<String>,
    #[serde(default)]
    pub ordinary_always: Vec<String>,
    #[serde(default)]
    pub ordinary_resolved: Vec<String>,
    #[serde(default)]
    pub complex_always: Vec<String>,
    #[serde(default)]
    pub complex_resolved: Vec<String>,
    #[serde(default)]
    pub major_always: Vec<String>,
    #[serde(default)]
    pub major_resolved: Vec<String>,
}

#[derive(Serialize)]
struct RequirementRow {
    grade: &'static str,
    always: Vec<(String, bool)>,
    resolved: Vec<(String, bool)>,
}

#[derive(Serialize)]
struct RequirementsPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<RequirementRow>,
    items: Vec<&'static str>,
    error: Option<String>,
}

fn requirement_rows(r: &FileRequirements) -> Vec<RequirementRow> {
    Grade::ALL
        .into_iter()
        .map(|g| {
            let req = r.of(g);
            let mark = |list: &[FileItem]| {
                FileItem::ALL
                    .into_iter()
                    .map(|i| (i.as_str().to_owned(), list.contains(&i)))
                    .collect()
            };
            RequirementRow {
                grade: g.as_str(),
                always: mark(&req.always),
                resolved: mark(&req.resolved),
            }
        })
        .collect()
}

fn requirements_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    status: StatusCode,
    r: &FileRequirements,
    error: Option<String>,
    saved: bool,
) -> Result<Response, AppError> {
    let mut layout = Layout::new(session, lang, "/settings");
    if saved {
        layout = layout.with_notice(lang, "notice-saved");
    }
    let page = RequirementsPage {
        layout,
        rows: requirement_rows(r),
        items: FileItem::ALL.map(FileItem::as_str).to_vec(),
        error,
    };
    Ok((
        status,
        render::render(state, "parties/requirements.html", &page)?,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// `GET /settings/case_file` (admins).
///
/// # Errors
/// 403 for other roles.
pub async fn requirements(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let r = case_file::requirements(&state.db).await?;
    requirements_page(
        &state,
        &session,
        lang,
        StatusCode::OK,
        &r,
        None,
        q.saved.is_some(),
    )
}

/// `POST /settings/case_file` (admins).
///
/// # Errors
/// 403 for other roles; 422 for a post that is not the form or names an unknown item.
pub async fn save_requirements(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<RequirementsForm>,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Admin])?;
    let current = case_file::requirements(&state.db).await?;
    if form.grades.as_deref() != Some("all") {
        return requirements_page(
            &state,
            &session,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &current,
            Some(i18n::t(lang, "parties-form-has-errors")),
            false,
        );
    }
    let mut r = FileRequirements::default();
    let mut unknown = false;
    let lists = [
        (Grade::Simple, &form.simple_always, &form.simple_resolved),
        (
            Grade::Ordinary,
            &form.ordinary_always,
            &form.ordinary_resolved,
        ),
        (Grade::Complex, &form.complex_always, &form.complex_resolved),
        (Grade::Major, &form.major_always, &form.major_resolved),
    ];
    for (grade, always, resolved) in lists {
        let mut read = |names: &Vec<String>| -> Vec<FileItem> {
            names
                .iter()
                .filter_map(|n| {
                    let item = FileItem::parse(n.trim());
                    unknown |= item.is_none();
                    item
                })
                .collect()
        };
        let always = read(always);
        let resolved = read(resolved);
        *r.of_mut(grade) = GradeRequirements { always, resolved };
    }
    if unknown {
        return requirements_page(
            &state,
            &session,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &current,
            Some(i18n::message(lang, &Message::key("err-unknown-choice"))),
            false,
        );
    }
    let result = case_file::set_requirements(&state.db, &session.user, Ready::new(r)).await;
    submit::done(result, |_| "/settings/case_file?saved=1".to_owned())
}

/// Marks the resolved cases of a list whose case file is incomplete (one batch of counts).
///
/// # Errors
/// Database failures.
pub(super) async fn flag_incomplete_files(
    state: &AppState,
    mut rows: Vec<super::cases::CaseRow>,
) -> Result<Vec<super::cases::CaseRow>, AppError> {
    let resolved: Vec<(i64, String, Option<String>)> = rows
        .iter()
        .filter(|r| r.case_outcome() == Some("resolved"))
        .map(|r| r.case_key())
        .collect();
    if resolved.is_empty() {
        return Ok(rows);
    }
    let missing = case_file::missing_of(&state.db, &resolved).await?;
    for r in &mut rows {
        r.file_incomplete = missing.get(&r.case_key().0).is_some_and(|m| !m.is_empty());
    }
    Ok(rows)
}
