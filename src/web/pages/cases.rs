//! Case pages: the coordinator's queue, the case list, the intake form, and the case page with
//! its clocks, team, parties, the buttons of the actions the user may take now, and the timeline.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::submit;
use super::Pager;
use crate::domain::case_file::AttachmentKind;
use crate::domain::case_terms::{DisputeType, Grade, PartyKind, RiskFlag, Source, TeamRole};
use crate::domain::network::UnitKind;
use crate::domain::role::Role;
use crate::domain::workflow::{Outcome, Status};
use crate::error::{AppError, FieldErrors};
use crate::i18n::{self, Lang};
use crate::services::cases::actions;
use crate::services::cases::intake::{self, INTAKE_ROLES};
use crate::services::cases::list::{self as case_list, CaseFilter};
use crate::services::cases::page::{self as case_page, CasePage};
use crate::services::cases::view::{CaseDetail, CaseOut};
use crate::services::{units as unit_service, PageRequest};
use crate::web::extract::{Loose, PageForm};
use crate::web::render::{self, choices, field_errors, Choice, Layout};
use crate::web::session::{PageUser, SessionInfo};
use crate::web::shapes::{ActionBody, CaseBody, CaseQuery, PartyBody};
use crate::web::AppState;

/// An `<input type="datetime-local">` value (`2026-11-23T09:30`) in the street's zone, as RFC 3339;
/// text that is not such a value is passed on as it is, so that the API's check names the field.
pub(super) fn local_input_to_rfc3339(text: &Option<String>, tz: Tz) -> Option<String> {
    let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
        Ok(local) => tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc).to_rfc3339()),
        Err(_) => Some(text.to_owned()),
    }
}

/// A case row of a list, with names and the clock in words.
#[derive(Serialize)]
pub(super) struct CaseRow {
    case: CaseOut,
    unit: String,
    received_on: String,
    /// Resolved, but its case file lacks something (left out of the subsidy until completed).
    pub(super) file_incomplete: bool,
}

impl CaseRow {
    pub(super) fn case_outcome(&self) -> Option<&str> {
        self.case.outcome.as_deref()
    }

    /// `(id, grade, outcome)`, as the case-file checks read a case.
    pub(super) fn case_key(&self) -> (i64, String, Option<String>) {
        (
            self.case.id,
            self.case.grade.clone(),
            self.case.outcome.clone(),
        )
    }
}

pub(super) fn local_day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

pub(super) fn local_minute(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

async fn unit_names(state: &AppState) -> Result<BTreeMap<i64, String>, AppError> {
    unit_service::names(&state.db).await
}

pub(super) fn rows(cases: Vec<CaseOut>, names: &BTreeMap<i64, String>, tz: Tz) -> Vec<CaseRow> {
    cases
        .into_iter()
        .map(|c| CaseRow {
            unit: names.get(&c.current_unit_id).cloned().unwrap_or_default(),
            received_on: local_day(c.received_at, tz),
            case: c,
            file_incomplete: false,
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub status: Option<String>,
    pub unit_id: Option<String>,
    pub grade: Option<String>,
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    pub overdue: Option<String>,
    pub q: Option<String>,
    pub group_id: Option<String>,
    pub mediator_id: Option<String>,
    pub joint_unit_id: Option<String>,
    pub received_from: Option<String>,
    pub received_to: Option<String>,
    pub closed_from: Option<String>,
    pub closed_to: Option<String>,
    pub outcome: Option<String>,
    pub page: Option<u64>,
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct ListPage {
    #[serde(flatten)]
    layout: Layout,
    rows: Vec<CaseRow>,
    pager: Pager,
    pager_query: String,
    /// More than the list counts exactly (`case_list::TOTAL_CAP`).
    total_capped: bool,
    statuses: Vec<Choice>,
    grades: Vec<Choice>,
    dispute_types: Vec<Choice>,
    sources: Vec<Choice>,
    outcomes: Vec<Choice>,
    units: Vec<Choice>,
    f: BTreeMap<&'static str, String>,
    errors: BTreeMap<String, String>,
    can_register: bool,
    can_import: bool,
}

impl ListQuery {
    /// The filter as the API reads it (the one parsing of the case list's filters).
    pub fn api_query(&self) -> CaseQuery {
        let q = self;
        CaseQuery {
            status: empty_none(&q.status),
            unit_id: q.unit_id.as_deref().and_then(|u| u.parse().ok()),
            grade: empty_none(&q.grade),
            dispute_type: empty_none(&q.dispute_type),
            source: empty_none(&q.source),
            overdue: Some(q.overdue.as_deref() == Some("true")),
            q: empty_none(&q.q),
            group_id: q.group_id.as_deref().and_then(|g| g.parse().ok()),
            mediator_id: q.mediator_id.as_deref().and_then(|m| m.parse().ok()),
            joint_unit_id: q.joint_unit_id.as_deref().and_then(|u| u.parse().ok()),
            received_from: empty_none(&q.received_from),
            received_to: empty_none(&q.received_to),
            closed_from: empty_none(&q.closed_from),
            closed_to: empty_none(&q.closed_to),
            outcome: empty_none(&q.outcome),
            ..Default::default()
        }
    }
}

fn empty_none(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let api_query = q.api_query();
    // A filter that cannot be read (a malformed day) is shown beside its field; the list then
    // shows everything rather than nothing.
    let (filter, errors) = match api_query.filter() {
        Ok(filter) => (filter, BTreeMap::new()),
        Err(AppError::Invalid(fields)) => (CaseFilter::default(), field_errors(lang, &fields)),
        Err(other) => return Err(other),
    };
    let listed = case_list::list_after(
        &state.db,
        tz,
        &session.user,
        &filter,
        PageRequest::parse(q.page, Some(30))?,
        None,
    )
    .await?;
    let (page, total_capped) = (listed.page, listed.total_capped);
    let names = unit_names(&state).await?;
    let pager = Pager::of(&page);
    let mut f = BTreeMap::new();
    for (k, v) in [
        ("status", &q.status),
        ("unit_id", &q.unit_id),
        ("grade", &q.grade),
        ("dispute_type", &q.dispute_type),
        ("source", &q.source),
        ("overdue", &q.overdue),
        ("q", &q.q),
        ("group_id", &q.group_id),
        ("mediator_id", &q.mediator_id),
        ("joint_unit_id", &q.joint_unit_id),
        ("received_from", &q.received_from),
        ("received_to", &q.received_to),
        ("closed_from", &q.closed_from),
        ("closed_to", &q.closed_to),
        ("outcome", &q.outcome),
    ] {
        f.insert(k, v.clone().unwrap_or_default());
    }
    let pager_query = f
        .iter()
        .map(|(k, v)| format!("{k}={}&", crate::web::errors::urlencode(v)))
        .collect::<String>();
    let page = ListPage {
        layout: super::auth::notice(
            Layout::new(&session, lang, "/cases"),
            lang,
            q.notice.as_deref(),
        ),
        rows: super::parties::flag_incomplete_files(&state, rows(page.items, &names, tz)).await?,
        pager,
        pager_query,
        total_capped,
        statuses: choices(lang, "status", Status::ALL.map(Status::as_str)),
        grades: choices(lang, "grade", Grade::ALL.map(Grade::as_str)),
        dispute_types: choices(
            lang,
            "dispute-type",
            DisputeType::ALL.map(DisputeType::as_str),
        ),
        sources: choices(lang, "source", Source::ALL.map(Source::as_str)),
        outcomes: choices(lang, "outcome", Outcome::ALL.map(Outcome::as_str)),
        units: names
            .iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
            })
            .collect(),
        f,
        errors,
        can_register: INTAKE_ROLES.contains(&session.user.role),
        can_import: crate::services::ledger::import::IMPORT_ROLES.contains(&session.user.role),
    };
    Ok(render::render(&state, "cases/index.html", &page)?.into_response())
}

#[derive(Serialize)]
struct QueueSection {
    key: &'static str,
    link: &'static str,
    rows: Vec<CaseRow>,
    total: u64,
}

#[derive(Serialize)]
struct QueuePage {
    #[serde(flatten)]
    layout: Layout,
    ready_apprentices: Vec<crate::services::mentorships::MentorshipOut>,
    sections: Vec<QueueSection>,
    /// Open early warnings (预警).
    warnings: Option<super::warnings::WarningSection>,
}

/// The coordination centre's to-do list: escalated and unassigned cases, due soon, overdue,
/// grades awaiting confirmation.
pub async fn queue(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    session.user.require(&[Role::Coordinator])?;
    let tz = state.config.time_zone;
    let names = unit_names(&state).await?;
    let hub_ids: Vec<i64> = unit_service::all_active(&state.db)
        .await?
        .into_iter()
        .filter(|u| UnitKind::from(u.kind) == UnitKind::StreetHub)
        .map(|u| u.id)
        .collect();
    let page = PageRequest::first(50);
    let mut sections = Vec::new();
    let specs: [(&'static str, &'static str, CaseFilter); 4] = [
        (
            "queue-escalated",
            "/cases?status=registered",
            CaseFilter {
                unassigned: true,
                ..Default::default()
            },
        ),
        (
            "queue-overdue",
            "/cases?overdue=true",
            CaseFilter {
                overdue: true,
                ..Default::default()
            },
        ),
        (
            "queue-due-soon",
            "/cases",
            CaseFilter {
                status: None,
                ..Default::default()
            },
        ),
        (
            "queue-awaiting-grade",
            "/cases",
            CaseFilter {
                awaiting_confirmation: true,
                ..Default::default()
            },
        ),
    ];
    for (key, link, filter) in specs {
        let found = case_list::list(&state.db, tz, &session.user, &filter, page).await?;
        let mut items = found.items;
        let mut total = found.total;
        if key == "queue-due-soon" {
            items.retain(|c| c.due_soon);
            total = items.len() as u64;
        }
        if key == "queue-escalated" {
            // Escalated cases wait at the hub first; then the stations' unaccepted ones.
            items.sort_by_key(|c| !hub_ids.contains(&c.current_unit_id));
        }
        sections.push(QueueSection {
            key,
            link,
            rows: rows(items, &names, tz),
            total,
        });
    }
    // Apprentices who reached their target: the coordinator certifies them (优师带徒).
    let ready_apprentices = crate::services::mentorships::list(
        &state.db,
        tz,
        &crate::services::mentorships::MentorshipFilter {
            status: Some(crate::domain::mentorship::PairStatus::Active),
            ..Default::default()
        },
        PageRequest::first(PageRequest::MAX_PER_PAGE),
    )
    .await?
    .items
    .into_iter()
    .filter(|p| p.progress.ready)
    .collect();
    let page = QueuePage {
        layout: Layout::new(&session, lang, "/queue"),
        sections,
        ready_apprentices,
        warnings: super::warnings::section(&state, &session.user).await?,
    };
    Ok(render::render(&state, "cases/queue.html", &page)?.into_response())
}

/// The intake form as a page sends it: amounts in yuan, the local time of receipt, and one
/// applicant, one respondent and an optional third party.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct IntakeForm {
    pub intake_unit_id: Option<String>,
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    pub summary: Option<String>,
    pub amount_claimed_yuan: Option<String>,
    pub people_involved: Option<String>,
    #[serde(default)]
    pub risk_flags: Vec<String>,
    /// `YYYY-MM-DDTHH:MM` in the street's time zone (an `<input type="datetime-local">`).
    pub received_at: Option<String>,
    pub infringement_known_on: Option<String>,
    pub employment_ended_on: Option<String>,
    pub applicant_kind: Option<String>,
    pub applicant_name: Option<String>,
    pub applicant_id_number: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_organisation: Option<String>,
    pub respondent_kind: Option<String>,
    pub respondent_name: Option<String>,
    pub respondent_id_number: Option<String>,
    pub respondent_phone: Option<String>,
    pub respondent_organisation: Option<String>,
    pub third_kind: Option<String>,
    pub third_name: Option<String>,
    pub third_organisation: Option<String>,
}

/// The form's fields named as the API names them, so that errors land next to the right field.
fn form_field(api_field: &str) -> String {
    match api_field {
        "amount_claimed_fen" => "amount_claimed_yuan".to_owned(),
        "parties" => "applicant_name".to_owned(),
        f if f.starts_with("parties[") => {
            let index = f.chars().nth(8).and_then(|c| c.to_digit(10)).unwrap_or(0);
            let prefix = ["applicant", "respondent", "third"][index.min(2) as usize];
            let rest = f.split('.').nth(1).unwrap_or("name");
            format!("{prefix}_{rest}")
        }
        other => other.to_owned(),
    }
}

impl IntakeForm {
    fn to_body(&self, tz: Tz) -> Result<CaseBody, FieldErrors> {
        let mut errors = FieldErrors::new();
        let amount = match self.amount_claimed_yuan.as_deref().map(str::trim) {
            None | Some("") => Some(Loose::Int(0)),
            Some(text) => match crate::domain::money::parse_yuan(text) {
                Some(fen) => Some(Loose::Int(fen)),
                None => {
                    errors.insert(
                        "amount_claimed_yuan".into(),
                        crate::error::Message::key("err-yuan"),
                    );
                    None
                }
            },
        };
        let received_at = local_input_to_rfc3339(&self.received_at, tz);
        let party = |kind: &Option<String>,
                     name: &Option<String>,
                     id: &Option<String>,
                     phone: &Option<String>,
                     org: &Option<String>,
                     role: &str| PartyBody {
            role: Some(role.to_owned()),
            kind: kind.clone(),
            name: name.clone(),
            id_number: id.clone(),
            phone: phone.clone(),
            organisation: org.clone(),
        };
        let mut parties = vec![
            party(
                &self.applicant_kind,
                &self.applicant_name,
                &self.applicant_id_number,
                &self.applicant_phone,
                &self.applicant_organisation,
                "applicant",
            ),
            party(
                &self.respondent_kind,
                &self.respondent_name,
                &self.respondent_id_number,
                &self.respondent_phone,
                &self.respondent_organisation,
                "respondent",
            ),
        ];
        if self
            .third_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty())
        {
            parties.push(party(
                &self.third_kind,
                &self.third_name,
                &None,
                &None,
                &self.third_organisation,
                "third_party",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CaseBody {
            intake_unit_id: self.intake_unit_id.clone().map(Loose::Text),
            dispute_type: self.dispute_type.clone(),
            source: self.source.clone(),
            summary: self.summary.clone(),
            amount_claimed_fen: amount,
            people_involved: self.people_involved.clone().map(Loose::Text),
            risk_flags: Some(self.risk_flags.clone()),
            received_at,
            infringement_known_on: self.infringement_known_on.clone(),
            employment_ended_on: self.employment_ended_on.clone(),
            parties: Some(parties),
        })
    }
}

#[derive(Serialize)]
struct IntakePage {
    #[serde(flatten)]
    layout: Layout,
    values: IntakeForm,
    errors: BTreeMap<String, String>,
    units: Vec<Choice>,
    dispute_types: Vec<Choice>,
    sources: Vec<Choice>,
    risk_flags: Vec<Choice>,
    party_kinds: Vec<Choice>,
}

async fn intake_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    values: IntakeForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let units = unit_service::all_active(&state.db)
        .await?
        .into_iter()
        .filter(|u| session.user.is(Role::Coordinator) || session.user.unit_id == Some(u.id))
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name,
        })
        .collect();
    let page = IntakePage {
        layout: Layout::new(session, lang, "/cases/new"),
        values,
        errors: field_errors(lang, errors),
        units,
        dispute_types: choices(
            lang,
            "dispute-type",
            DisputeType::ALL.map(DisputeType::as_str),
        ),
        sources: choices(lang, "source", Source::ALL.map(Source::as_str)),
        risk_flags: choices(lang, "risk-flag", RiskFlag::ALL.map(RiskFlag::as_str)),
        party_kinds: choices(lang, "party-kind", PartyKind::ALL.map(PartyKind::as_str)),
    };
    Ok((status, render::render(state, "cases/new.html", &page)?).into_response())
}

pub async fn new(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
) -> Result<Response, AppError> {
    session.user.require(&INTAKE_ROLES)?;
    let values = IntakeForm {
        intake_unit_id: session.user.unit_id.map(|u| u.to_string()),
        dispute_type: Some("wage_arrears".into()),
        source: Some("walk_in".into()),
        people_involved: Some("1".into()),
        applicant_kind: Some("person".into()),
        respondent_kind: Some("organisation".into()),
        third_kind: Some("organisation".into()),
        received_at: Some(
            Utc::now()
                .with_timezone(&state.config.time_zone)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
        ),
        ..Default::default()
    };
    intake_page(
        &state,
        &session,
        lang,
        values,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    PageForm(form): PageForm<IntakeForm>,
) -> Result<Response, AppError> {
    session.user.require(&INTAKE_ROLES)?;
    let tz = state.config.time_zone;
    let result = match form.to_body(tz) {
        Err(errors) => Err(AppError::Invalid(errors)),
        Ok(body) => match body.check() {
            Ok(input) => intake::intake(&state.db, tz, &session.user, input).await,
            Err(e) => Err(e),
        },
    };
    submit::fields(
        result,
        |case| format!("/cases/{}?notice=created", case.id),
        async |errors| {
            let errors = errors
                .into_iter()
                .map(|(k, v)| (form_field(&k), v))
                .collect();
            intake_page(
                &state,
                &session,
                lang,
                form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        },
    )
    .await
}

#[derive(Serialize)]
struct EventView {
    at: String,
    recorded_at: String,
    actor: String,
    kind: String,
    changes: Vec<String>,
    note: Option<String>,
}

#[derive(Serialize)]
struct ShowPage {
    #[serde(flatten)]
    layout: Layout,
    case: CaseDetail,
    received_at: String,
    deadline_day: String,
    closed_at: Option<String>,
    team: Vec<TeamView>,
    timeline: Vec<EventView>,
    mediators: Vec<Choice>,
    /// Apprentices suggested for a complex or major case (their mentor is on the team).
    apprentice_hints: Vec<Choice>,
    units: Vec<Choice>,
    team_roles: Vec<Choice>,
    grades: Vec<Choice>,
    outcomes: Vec<Choice>,
    /// The action whose form was refused, with the words why.
    refused: Option<String>,
    refused_message: Option<String>,
    refused_fields: BTreeMap<String, String>,
    can_reveal: bool,
    /// Every active unit, for where a session was held.
    all_units: Vec<Choice>,
    /// Now in the street's zone, as a `datetime-local` value (the forms' default).
    now_local: String,
    session_outcomes: Vec<Choice>,
    attachment_kinds: Vec<Choice>,
}

#[derive(Serialize)]
struct TeamView {
    mediator_id: i64,
    name: String,
    role: String,
    since: String,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub reveal: Option<String>,
    pub notice: Option<String>,
}

/// Turns an event's from/to into short lines ("状态：待受理 → 已受理").
fn describe_changes(
    lang: Lang,
    from: &Option<serde_json::Value>,
    to: &Option<serde_json::Value>,
    units: &BTreeMap<i64, String>,
    mediators: &BTreeMap<i64, String>,
) -> Vec<String> {
    let empty = serde_json::Map::new();
    let from = from.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
    let to = to.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = from.keys().chain(to.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |key: &str, v: Option<&serde_json::Value>| -> String {
        let Some(v) = v else { return "—".to_owned() };
        match (key, v) {
            ("status", serde_json::Value::String(s)) => i18n::t(lang, &format!("status-{s}")),
            ("grade", serde_json::Value::String(s)) => i18n::t(lang, &format!("grade-{s}")),
            ("outcome", serde_json::Value::String(s)) => i18n::t(lang, &format!("outcome-{s}")),
            ("role", serde_json::Value::String(s)) => i18n::t(lang, &format!("team-role-{s}")),
            ("unit_id", serde_json::Value::Number(n)) => n
                .as_i64()
                .and_then(|id| units.get(&id).cloned())
                .unwrap_or_default(),
            ("mediator_id" | "lead_mediator_id", serde_json::Value::Number(n)) => n
                .as_i64()
                .and_then(|id| mediators.get(&id).cloned())
                .unwrap_or_default(),
            ("invited_unit_ids", serde_json::Value::Array(ids)) => ids
                .iter()
                .filter_map(|i| i.as_i64().and_then(|id| units.get(&id).cloned()))
                .collect::<Vec<_>>()
                .join("、"),
            ("grade_confirmed", serde_json::Value::Bool(b)) => {
                i18n::t(lang, if *b { "yes" } else { "no" })
            }
            ("deadline_at", serde_json::Value::String(s)) => s.get(..10).unwrap_or(s).to_owned(),
            (_, serde_json::Value::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        }
    };
    keys.into_iter()
        .map(|k| {
            let label = i18n::t(lang, &format!("field-{k}"));
            match (from.get(k), to.get(k)) {
                (Some(a), Some(b)) => {
                    format!("{label}：{} → {}", show(k, Some(a)), show(k, Some(b)))
                }
                (None, Some(b)) => format!("{label}：{}", show(k, Some(b))),
                (Some(a), None) => format!("{label}：{} →", show(k, Some(a))),
                (None, None) => label,
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn show_page(
    state: &AppState,
    session: &SessionInfo,
    lang: Lang,
    id: i64,
    reveal: bool,
    notice: Option<&str>,
    refused: Option<(String, AppError)>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let CasePage {
        detail: case,
        unit_names: units,
        mediator_names,
        referral_units,
        suggestions,
    } = case_page::case_page(&state.db, tz, &session.user, id, reveal).await?;
    let team = case
        .assignments
        .iter()
        .filter(|a| a.ended_at.is_none())
        .map(|a| TeamView {
            mediator_id: a.mediator_id,
            name: a.mediator_name.clone(),
            role: a.role.clone(),
            since: local_day(a.assigned_at, tz),
        })
        .collect();
    let timeline = case
        .events
        .iter()
        .rev()
        .map(|e| EventView {
            at: local_minute(e.at, tz),
            recorded_at: local_minute(e.recorded_at, tz),
            actor: e.actor_name.clone().unwrap_or_default(),
            kind: e.kind.clone(),
            changes: describe_changes(lang, &e.from, &e.to, &units, &mediator_names),
            note: e.note.clone(),
        })
        .collect();
    let unit_choices = referral_units
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect();
    // For complex and major cases: apprentices whose mentor is on the team, to learn on the case.
    let apprentice_hints: Vec<Choice> = suggestions
        .iter()
        .filter_map(|s| {
            let reason = s.reasons.iter().find(|r| r.starts_with("apprentice_of_"))?;
            Some(Choice {
                value: s.mediator_id.to_string(),
                label: format!(
                    "{}（{}）· {}",
                    s.name,
                    s.unit_name,
                    i18n::t(lang, &format!("reason-{reason}"))
                ),
            })
        })
        .collect();
    let mediators = suggestions
        .into_iter()
        .map(|s| {
            let mut label = format!("{}（{}）", s.name, s.unit_name);
            for reason in &s.reasons {
                label.push_str(" · ");
                label.push_str(&i18n::t(lang, &format!("reason-{reason}")));
            }
            label.push_str(" · ");
            label.push_str(&i18n::message(
                lang,
                &crate::error::Message::with(
                    "reason-load",
                    &[
                        ("open", s.open_cases.to_string()),
                        ("max", s.max_open_cases.to_string()),
                    ],
                ),
            ));
            Choice {
                value: s.mediator_id.to_string(),
                label,
            }
        })
        .collect();
    let (refused_action, refused_message, refused_fields) = match refused {
        Some((action, AppError::Invalid(fields))) => (
            Some(action),
            Some(i18n::t(lang, "err-invalid")),
            field_errors(lang, &fields),
        ),
        Some((action, err)) => (
            Some(action),
            Some(i18n::message(lang, &err.message())),
            BTreeMap::new(),
        ),
        None => (None, None, BTreeMap::new()),
    };
    let status = match &refused_message {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let can_reveal = case.may_reveal;
    let page = ShowPage {
        layout: super::auth::notice(Layout::new(session, lang, "/cases"), lang, notice),
        received_at: local_minute(case.case.received_at, tz),
        deadline_day: crate::domain::clocks::deadline_last_day(case.case.deadline_at, tz)
            .to_string(),
        closed_at: case.case.closed_at.map(|t| local_minute(t, tz)),
        team,
        timeline,
        mediators,
        apprentice_hints,
        units: unit_choices,
        team_roles: choices(lang, "team-role", TeamRole::ALL.map(TeamRole::as_str)),
        grades: choices(lang, "grade", Grade::ALL.map(Grade::as_str)),
        outcomes: choices(
            lang,
            "outcome",
            case.available_outcomes
                .iter()
                .filter_map(|o| Outcome::parse(o))
                .map(Outcome::as_str),
        ),
        refused: refused_action,
        refused_message,
        refused_fields,
        can_reveal,
        all_units: units
            .iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
            })
            .collect(),
        now_local: Utc::now()
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        session_outcomes: choices(
            lang,
            "session-outcome",
            crate::domain::agreement::SessionOutcome::ALL.map(|o| o.as_str()),
        ),
        attachment_kinds: choices(
            lang,
            "attachment-kind",
            AttachmentKind::ALL.map(AttachmentKind::as_str),
        ),
        case,
    };
    Ok((status, render::render(state, "cases/show.html", &page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let reveal = q.reveal.as_deref() == Some("pii");
    show_page(
        &state,
        &session,
        lang,
        id,
        reveal,
        q.notice.as_deref(),
        None,
    )
    .await
}

/// A button's form on the case page. A refused action re-renders the page with the reason next to
/// that action's form; nothing is written.
#[tracing::instrument(skip_all, fields(case_id = id))]
pub async fn act(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    PageForm(mut body): PageForm<ActionBody>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    // The form's optional "when it really happened" is local time; the API wants RFC 3339.
    body.at = local_input_to_rfc3339(&body.at, tz);
    let action_name = body.action.clone().unwrap_or_default();
    let result = actions::run(&state.db, tz, &session.user, id, body).await;
    submit::refusable(
        result,
        |_| format!("/cases/{id}?notice=saved"),
        async |e| {
            show_page(
                &state,
                &session,
                lang,
                id,
                false,
                None,
                Some((action_name, e)),
            )
            .await
        },
    )
    .await
}
