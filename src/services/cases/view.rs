//! What a case looks like to a reader: its fields with the clocks worked out, parties masked unless
//! revealed, the team, the invited units and the timeline. Shared by the API and the pages.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{
    agreement_instalments, agreements, attachments, case_assignments, case_events,
    case_invited_units, case_parties, case_session_mediators, case_sessions, cases, follow_ups,
    mediators, units, users,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::facts_of;
use super::pipeline::{self, Loaded};
use crate::domain::agreement::SessionOutcome;
use crate::domain::case_file::{AttachmentKind, FileFacts};
use crate::domain::case_terms::{DisputeType, GradeSource, PartyKind, PartyRole, Source, TeamRole};
use crate::domain::clocks::{self, Calendar, DeadlineState};
use crate::domain::pii;
use crate::domain::workflow::{
    available_actions, available_outcomes, Action, EventKind, Outcome, Status,
};
use crate::error::AppError;
use crate::services::auth::CurrentUser;
use crate::services::{audit, calendar};

/// A case as the API returns it (DESIGN §6 "Case fields").
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CaseOut {
    pub id: i64,
    pub case_no: String,
    pub status: String,
    pub outcome: Option<String>,
    pub grade: String,
    pub grade_source: String,
    pub grade_confirmed: bool,
    pub grade_reason: String,
    pub current_unit_id: i64,
    pub intake_unit_id: i64,
    pub dispute_type: String,
    pub source: String,
    pub summary: String,
    pub amount_claimed_fen: i64,
    pub people_involved: i32,
    pub risk_flags: Vec<String>,
    pub received_at: DateTime<Utc>,
    pub infringement_known_on: Option<NaiveDate>,
    pub employment_ended_on: Option<NaiveDate>,
    pub deadline_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// The 15-day limit ends within 3 days (not for agreed or closed cases).
    pub due_soon: bool,
    /// The 15-day limit has passed while the case is neither agreed nor closed.
    pub overdue: bool,
    /// Days left to the 15-day limit (negative when overdue); null for agreed or closed cases.
    pub days_left: Option<i64>,
    /// The last day to apply for arbitration, when known.
    pub limitation_ends_on: Option<NaiveDate>,
    /// `wage_arrears_unlimited`, `lapsed_before_application`, `interrupted_by_application`, `unknown`.
    pub limitation_rule: String,
}

impl CaseOut {
    pub fn build(case: &cases::Model, tz: Tz, cal: &Calendar, now: DateTime<Utc>) -> CaseOut {
        let running = Status::from(case.status).clock_runs();
        let state = clocks::deadline_state(case.deadline_at, now, tz);
        let limitation = clocks::arbitration_limitation(
            DisputeType::from(case.dispute_type) == DisputeType::WageArrears,
            case.received_at,
            case.infringement_known_on,
            case.employment_ended_on,
            tz,
            cal,
        );
        CaseOut {
            id: case.id,
            case_no: case.case_no.clone(),
            status: Status::from(case.status).as_str().to_owned(),
            outcome: case.outcome.map(|o| Outcome::from(o).as_str().to_owned()),
            grade: super::grade_of(case).as_str().to_owned(),
            grade_source: GradeSource::from(case.grade_source).as_str().to_owned(),
            grade_confirmed: case.grade_confirmed,
            grade_reason: case.grade_reason.clone(),
            current_unit_id: case.current_unit_id,
            intake_unit_id: case.intake_unit_id,
            dispute_type: DisputeType::from(case.dispute_type).as_str().to_owned(),
            source: Source::from(case.source).as_str().to_owned(),
            summary: case.summary.clone(),
            amount_claimed_fen: case.amount_claimed_fen,
            people_involved: case.people_involved,
            risk_flags: serde_json::from_str(&case.risk_flags).unwrap_or_default(),
            received_at: case.received_at,
            infringement_known_on: case.infringement_known_on,
            employment_ended_on: case.employment_ended_on,
            deadline_at: case.deadline_at,
            closed_at: case.closed_at,
            version: case.version,
            due_soon: running && state == DeadlineState::DueSoon,
            overdue: running && state == DeadlineState::Overdue,
            days_left: running.then(|| clocks::days_left(case.deadline_at, now, tz)),
            limitation_ends_on: limitation.last_day,
            limitation_rule: limitation.rule.as_str().to_owned(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PartyOut {
    pub id: i64,
    pub role: String,
    pub kind: String,
    pub name: String,
    /// Masked (`3301**********1234`) unless revealed with `?reveal=pii`.
    pub id_number: Option<String>,
    /// Masked (`139****0000`) unless revealed.
    pub phone: Option<String>,
    pub organisation: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AssignmentOut {
    pub mediator_id: i64,
    pub mediator_name: String,
    pub unit_id: i64,
    pub role: String,
    pub assigned_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub kind: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// The state before the event; null for events with no before (intake, records).
    #[schema(value_type = Option<Object>, nullable = true)]
    pub from: Option<Value>,
    #[schema(value_type = Option<Object>, nullable = true)]
    pub to: Option<Value>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
}

/// A case with everything around it (`GET /cases/{id}`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseOut,
    pub current_unit: UnitRef,
    pub intake_unit: UnitRef,
    pub parties: Vec<PartyOut>,
    /// The whole team history; those without `ended_at` are the team now.
    pub assignments: Vec<AssignmentOut>,
    pub invited_units: Vec<UnitRef>,
    /// The timeline, sorted by when things happened, then by the order they were recorded.
    pub events: Vec<EventOut>,
    pub sessions: Vec<SessionOut>,
    /// The agreement in force (after a reopen, the newest; earlier ones are in `earlier_agreements`).
    pub agreement: Option<AgreementOut>,
    pub earlier_agreements: Vec<AgreementOut>,
    pub follow_ups: Vec<FollowUpOut>,
    /// When a follow-up visit is due (agreed or resolved cases with an agreement), if one is.
    pub follow_up_due_on: Option<NaiveDate>,
    pub attachments: Vec<AttachmentOut>,
    /// The group of related cases this case belongs to.
    pub group: Option<super::groups::GroupOut>,
    /// The actions the signed-in user may take now (buttons).
    pub available_actions: Vec<String>,
    pub available_outcomes: Vec<String>,
    /// Whether the parties' personal data is shown in full.
    pub revealed: bool,
    /// The signed-in user may see the parties' personal data in full (`?reveal=pii`, audited).
    pub may_reveal: bool,
    /// The signed-in user may record a session now.
    pub may_record_session: bool,
    /// The signed-in user may record the agreement now.
    pub may_record_agreement: bool,
    /// The signed-in user may record follow-ups, payments and judicial confirmation.
    pub may_follow_up: bool,
    /// The signed-in user may attach files (the case is open and they work on it).
    pub may_attach: bool,
    /// The signed-in user may correct the case's details (`PATCH /cases/{id}`).
    pub may_edit_details: bool,
    /// The case code of the public progress page (DESIGN §10), for those who may act on the case.
    pub access_code: Option<String>,
    /// What the case file (卷宗) lacks now: `session_record`, `agreement`, `follow_up`, `attachment`.
    pub file_missing: Vec<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub id: i64,
    pub held_at: DateTime<Utc>,
    pub unit_id: i64,
    pub unit_name: String,
    pub mediator_ids: Vec<i64>,
    pub mediator_names: Vec<String>,
    pub attendees: String,
    pub summary: String,
    /// `continue`, `agreement`, `no_agreement`, `adjourned`.
    pub outcome: String,
    pub next_session_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InstalmentOut {
    pub seq: i32,
    pub due_on: NaiveDate,
    pub amount_fen: i64,
    pub paid_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgreementOut {
    pub id: i64,
    pub signed_at: DateTime<Utc>,
    pub matters: String,
    pub terms: String,
    pub amount_fen: i64,
    pub instalments: Vec<InstalmentOut>,
    pub paid_fen: i64,
    /// The last day to apply jointly for judicial confirmation (30 days from signing, rest-day rule).
    pub confirmation_last_day: NaiveDate,
    pub confirmation_applied_on: Option<NaiveDate>,
    pub confirmation_received_on: Option<NaiveDate>,
    pub confirmation_note: Option<String>,
    pub superseded: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FollowUpOut {
    pub id: i64,
    pub done_at: DateTime<Utc>,
    pub result: String,
    pub satisfaction: i32,
    pub fulfilled: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub kind: String,
    pub uploaded_at: DateTime<Utc>,
}

pub(super) fn agreement_out(
    a: agreements::Model,
    instalments: Vec<InstalmentOut>,
    tz: Tz,
    cal: &Calendar,
) -> AgreementOut {
    let paid_fen = if instalments.is_empty() {
        a.amount_fen
    } else {
        instalments
            .iter()
            .filter(|i| i.paid_on.is_some())
            .map(|i| i.amount_fen)
            .sum()
    };
    AgreementOut {
        id: a.id,
        signed_at: a.signed_at,
        matters: a.matters,
        terms: a.terms,
        amount_fen: a.amount_fen,
        paid_fen,
        confirmation_last_day: clocks::confirmation_last_day(a.signed_at, tz, cal),
        instalments,
        confirmation_applied_on: a.confirmation_applied_on,
        confirmation_received_on: a.confirmation_received_on,
        confirmation_note: a.confirmation_note,
        superseded: a.superseded,
    }
}

/// How the parties' ID and phone numbers are shown (who may see them: [`pii::may_reveal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disclosure {
    /// Masked: `3301**********1234`, `139****0000`.
    Masked,
    /// In full on request (`?reveal=pii`), audited as `case.reveal_pii`; 403 for anyone else.
    Reveal,
    /// The agreement print: an agreement is signed with full identities, so in full for those who
    /// may see them, audited as `case.print_agreement`, and masked for the others. 404 without an
    /// agreement.
    AgreementPrint,
}

impl Disclosure {
    fn audit_action(self) -> &'static str {
        match self {
            Disclosure::AgreementPrint => "case.print_agreement",
            Disclosure::Masked | Disclosure::Reveal => "case.reveal_pii",
        }
    }
}

/// One case with its parties, team and timeline. `reveal` shows ID and phone numbers in full, only
/// to a user who may act on the case, and writes the reveal to the audit log.
///
/// # Errors
/// 404 out of scope; 403 when revealing is asked by someone who may not act on the case.
pub async fn detail(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &CurrentUser,
    id: i64,
    reveal: bool,
) -> Result<CaseDetail, AppError> {
    let disclosure = if reveal {
        Disclosure::Reveal
    } else {
        Disclosure::Masked
    };
    detail_with(db, tz, user, id, disclosure).await
}

/// [`detail`] with the parties' personal data shown as `disclosure` says; a reveal is written to
/// the audit log once everything has been read.
///
/// # Errors
/// 404 out of scope (or, for the print, without an agreement); 403 when revealing is asked by
/// someone who may not act on the case.
pub async fn detail_with(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &CurrentUser,
    id: i64,
    disclosure: Disclosure,
) -> Result<CaseDetail, AppError> {
    let loaded = pipeline::load(db, user, id).await?;
    detail_of(db, tz, user, loaded, disclosure).await
}

/// [`detail_with`] of a case the pipeline has loaded (in scope, with its team).
///
/// # Errors
/// As [`detail_with`].
pub(super) async fn detail_of(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &CurrentUser,
    loaded: Loaded,
    disclosure: Disclosure,
) -> Result<CaseDetail, AppError> {
    let Loaded { case, team, actor } = loaded;
    let may_reveal = pii::may_reveal(&actor);
    let reveal = match disclosure {
        Disclosure::Masked => false,
        Disclosure::Reveal if !may_reveal => {
            return Err(AppError::Forbidden(crate::error::Message::key(
                "err-reveal-not-allowed",
            )));
        }
        Disclosure::Reveal => true,
        Disclosure::AgreementPrint => may_reveal,
    };
    let cal = calendar::load(db).await?;
    // A fixed number of queries whatever the case holds: the case's own rows table by table,
    // then the names they refer to (mediators, units, users) in one `IN (…)` query each. The
    // workflow's facts and what the case file lacks are worked out from the same rows.
    let parties = case_parties::Entity::find()
        .filter(case_parties::Column::CaseId.eq(case.id))
        .order_by_asc(case_parties::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| PartyOut {
            id: p.id,
            role: PartyRole::from(p.role).as_str().to_owned(),
            kind: PartyKind::from(p.kind).as_str().to_owned(),
            name: p.name,
            id_number: p
                .id_number
                .map(|v| if reveal { v } else { pii::mask_id_number(&v) }),
            phone: p
                .phone
                .map(|v| if reveal { v } else { pii::mask_phone(&v) }),
            organisation: p.organisation,
        })
        .collect();
    let all_assignments = case_assignments::Entity::find()
        .filter(case_assignments::Column::CaseId.eq(case.id))
        .order_by_asc(case_assignments::Column::Id)
        .all(db)
        .await?;
    let invited = case_invited_units::Entity::find()
        .filter(case_invited_units::Column::CaseId.eq(case.id))
        .all(db)
        .await?;
    let case_events = case_events::Entity::find()
        .filter(case_events::Column::CaseId.eq(case.id))
        .order_by_asc(case_events::Column::At)
        .order_by_asc(case_events::Column::Id)
        .all(db)
        .await?;
    let case_sessions = case_sessions::Entity::find()
        .filter(case_sessions::Column::CaseId.eq(case.id))
        .order_by_asc(case_sessions::Column::HeldAt)
        .all(db)
        .await?;
    let session_mediators = if case_sessions.is_empty() {
        Vec::new()
    } else {
        case_session_mediators::Entity::find()
            .filter(
                case_session_mediators::Column::SessionId.is_in(case_sessions.iter().map(|s| s.id)),
            )
            .all(db)
            .await?
    };
    let case_agreements = agreements::Entity::find()
        .filter(agreements::Column::CaseId.eq(case.id))
        .order_by_desc(agreements::Column::Id)
        .all(db)
        .await?;
    let mut instalments: HashMap<i64, Vec<InstalmentOut>> = HashMap::new();
    if !case_agreements.is_empty() {
        for i in agreement_instalments::Entity::find()
            .filter(
                agreement_instalments::Column::AgreementId
                    .is_in(case_agreements.iter().map(|a| a.id)),
            )
            .order_by_asc(agreement_instalments::Column::Seq)
            .all(db)
            .await?
        {
            instalments
                .entry(i.agreement_id)
                .or_default()
                .push(InstalmentOut {
                    seq: i.seq,
                    due_on: i.due_on,
                    amount_fen: i.amount_fen,
                    paid_on: i.paid_on,
                });
        }
    }
    let mediator_ids: HashSet<i64> = all_assignments
        .iter()
        .map(|a| a.mediator_id)
        .chain(session_mediators.iter().map(|m| m.mediator_id))
        .collect();
    let mediator_of: HashMap<i64, mediators::Model> = if mediator_ids.is_empty() {
        HashMap::new()
    } else {
        mediators::Entity::find()
            .filter(mediators::Column::Id.is_in(mediator_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    let unit_ids: HashSet<i64> = invited
        .iter()
        .map(|i| i.unit_id)
        .chain(case_sessions.iter().map(|s| s.unit_id))
        .chain([case.current_unit_id, case.intake_unit_id])
        .collect();
    let unit_rows = units::Entity::find()
        .filter(units::Column::Id.is_in(unit_ids))
        .all(db)
        .await?;
    let current_unit = unit_rows
        .iter()
        .find(|u| u.id == case.current_unit_id)
        .cloned()
        .ok_or_else(|| AppError::Internal(format!("case {} has no current unit", case.id)))?;
    let unit_name: HashMap<i64, String> = unit_rows.into_iter().map(|u| (u.id, u.name)).collect();
    let has_agreement = case_agreements.iter().any(|a| !a.superseded);
    let facts = facts_of(&case, &team, &current_unit, has_agreement);
    let all_actions = available_actions(&facts, &actor);
    let may_record_session = all_actions.contains(&Action::RecordSession);
    let may_record_agreement = all_actions.contains(&Action::RecordAgreement);
    let works_the_case = crate::domain::team::works_the_case(&actor);
    let may_follow_up = facts.has_agreement && works_the_case;
    let may_attach = facts.status != Status::Closed && works_the_case;
    let may_edit_details = crate::domain::case_edit::may_edit(&actor, facts.status).is_ok();
    let actions: Vec<Action> = all_actions.into_iter().filter(|a| a.is_api()).collect();
    let unit_ref = |id: i64| UnitRef {
        id,
        name: unit_name.get(&id).cloned().unwrap_or_default(),
    };
    let user_ids: HashSet<i64> = case_events.iter().filter_map(|e| e.actor_user_id).collect();
    let user_name: HashMap<i64, String> = if user_ids.is_empty() {
        HashMap::new()
    } else {
        users::Entity::find()
            .filter(users::Column::Id.is_in(user_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let assignments: Vec<AssignmentOut> = all_assignments
        .into_iter()
        .map(|a| {
            let m = mediator_of.get(&a.mediator_id);
            AssignmentOut {
                mediator_id: a.mediator_id,
                mediator_name: m.map(|m| m.name.clone()).unwrap_or_default(),
                unit_id: m.map(|m| m.unit_id).unwrap_or_default(),
                role: TeamRole::from(a.role).as_str().to_owned(),
                assigned_at: a.assigned_at,
                ended_at: a.ended_at,
            }
        })
        .collect();
    let invited_units: Vec<UnitRef> = invited.iter().map(|i| unit_ref(i.unit_id)).collect();
    let events: Vec<EventOut> = case_events
        .into_iter()
        .map(|e| EventOut {
            id: e.id,
            kind: EventKind::from(e.kind).as_str().to_owned(),
            actor_user_id: e.actor_user_id,
            actor_name: e.actor_user_id.and_then(|u| user_name.get(&u).cloned()),
            at: e.at,
            recorded_at: e.recorded_at,
            from: e.from_state.and_then(|s| serde_json::from_str(&s).ok()),
            to: e.to_state.and_then(|s| serde_json::from_str(&s).ok()),
            note: e.note,
        })
        .collect();
    let file_facts = FileFacts {
        sessions: case_sessions.len() as u64,
        has_agreement,
        follow_ups: 0,
        attachments: 0,
    };
    let sessions: Vec<SessionOut> = case_sessions
        .into_iter()
        .map(|s| {
            let ids: Vec<i64> = session_mediators
                .iter()
                .filter(|m| m.session_id == s.id)
                .map(|m| m.mediator_id)
                .collect();
            let names = ids
                .iter()
                .map(|id| {
                    mediator_of
                        .get(id)
                        .map(|m| m.name.clone())
                        .unwrap_or_default()
                })
                .collect();
            SessionOut {
                id: s.id,
                held_at: s.held_at,
                unit_name: unit_ref(s.unit_id).name,
                unit_id: s.unit_id,
                mediator_ids: ids,
                mediator_names: names,
                attendees: s.attendees,
                summary: s.summary,
                outcome: SessionOutcome::from(s.outcome).as_str().to_owned(),
                next_session_at: s.next_session_at,
            }
        })
        .collect();
    let mut agreement = None;
    let mut earlier_agreements = Vec::new();
    for a in case_agreements {
        let own = instalments.remove(&a.id).unwrap_or_default();
        let out = agreement_out(a, own, tz, &cal);
        if out.superseded {
            earlier_agreements.push(out);
        } else {
            agreement = Some(out);
        }
    }
    let follow_ups: Vec<FollowUpOut> = follow_ups::Entity::find()
        .filter(follow_ups::Column::CaseId.eq(case.id))
        .order_by_asc(follow_ups::Column::DoneAt)
        .all(db)
        .await?
        .into_iter()
        .map(|f| FollowUpOut {
            id: f.id,
            done_at: f.done_at,
            result: f.result,
            satisfaction: f.satisfaction,
            fulfilled: f.fulfilled,
        })
        .collect();
    let follow_up_due_on = agreement.as_ref().and_then(|a| {
        let dues: Vec<NaiveDate> = a.instalments.iter().map(|i| i.due_on).collect();
        let visits = follow_ups.iter().map(|f| f.done_at);
        super::follow_ups_due::due_on(&case, a.signed_at, &dues, visits, tz)
    });
    let attachments: Vec<AttachmentOut> = attachments::Entity::find()
        .filter(attachments::Column::CaseId.eq(case.id))
        .order_by_asc(attachments::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| AttachmentOut {
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            kind: AttachmentKind::from(a.kind).as_str().to_owned(),
            uploaded_at: a.uploaded_at,
        })
        .collect();
    if disclosure == Disclosure::AgreementPrint && agreement.is_none() {
        return Err(AppError::NotFound);
    }
    if reveal {
        audit::record(
            db,
            Some(user.id),
            disclosure.audit_action(),
            "case",
            Some(case.id),
            None,
        )
        .await?;
        tracing::info!(
            case_id = case.id,
            user_id = user.id,
            action = disclosure.audit_action(),
            "personal data revealed"
        );
    }
    let file_facts = FileFacts {
        follow_ups: follow_ups.len() as u64,
        attachments: attachments.len() as u64,
        ..file_facts
    };
    let file_missing = crate::services::case_file::missing_given(db, &case, &file_facts)
        .await?
        .into_iter()
        .map(|i| i.as_str().to_owned())
        .collect();
    Ok(CaseDetail {
        access_code: if may_reveal {
            case.access_code.clone()
        } else {
            None
        },
        file_missing,
        current_unit: unit_ref(case.current_unit_id),
        intake_unit: unit_ref(case.intake_unit_id),
        case: CaseOut::build(&case, tz, &cal, chrono::Utc::now()),
        parties,
        assignments,
        invited_units,
        events,
        sessions,
        agreement,
        earlier_agreements,
        follow_ups,
        follow_up_due_on,
        attachments,
        group: match case.group_id {
            Some(g) => super::groups::get(db, user, g).await.ok(),
            None => None,
        },
        available_outcomes: if actions.contains(&Action::Close) {
            available_outcomes(&facts, &actor)
                .into_iter()
                .map(|o: Outcome| o.as_str().to_owned())
                .collect()
        } else {
            Vec::new()
        },
        available_actions: actions.into_iter().map(|a| a.as_str().to_owned()).collect(),
        revealed: reveal,
        may_reveal,
        may_record_session,
        may_record_agreement,
        may_follow_up,
        may_attach,
        may_edit_details,
    })
}
