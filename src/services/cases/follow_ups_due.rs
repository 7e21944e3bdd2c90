//! Follow-up visits (回访) due: which cases wait for one ([`due_on`], the one rule, shared with the
//! case page) and the list of those due by a given day, for one user's scope or for the whole
//! street (the reminder scheduler).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{agreement_instalments, agreements, case_assignments, cases, follow_ups, mediators};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::visible_condition;
use crate::domain::agreement::follow_up_due_on;
use crate::domain::case_terms::TeamRole;
use crate::domain::clocks;
use crate::domain::role::Role;
use crate::domain::workflow::{Outcome, Status};
use crate::error::AppError;
use crate::services::auth::CurrentUser;

/// Who may list the follow-ups due: the coordination centre (the whole street) and mediators (the
/// cases they see).
pub const LIST_ROLES: [Role; 2] = [Role::Coordinator, Role::Mediator];

/// The day a follow-up visit of `case`'s current agreement is due, or `None` when none is: only an
/// agreed case, or one closed otherwise than as failed, waits for one; visits before the signing
/// belong to an earlier agreement. The day itself is `domain::agreement::follow_up_due_on`.
pub fn due_on(
    case: &cases::Model,
    signed_at: DateTime<Utc>,
    instalment_due_dates: &[NaiveDate],
    visits_done_at: impl IntoIterator<Item = DateTime<Utc>>,
    tz: Tz,
) -> Option<NaiveDate> {
    let waits = matches!(Status::from(case.status), Status::Agreed | Status::Closed)
        && case.outcome.map(Outcome::from) != Some(Outcome::Failed);
    if !waits {
        return None;
    }
    let last_visit = visits_done_at
        .into_iter()
        .filter(|done_at| *done_at >= signed_at)
        .map(|done_at| clocks::local_date(done_at, tz))
        .max();
    follow_up_due_on(
        clocks::local_date(signed_at, tz),
        instalment_due_dates,
        last_visit,
    )
}

/// Whose follow-ups to list.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// The cases this user sees (`visible_condition`); only [`LIST_ROLES`] may ask.
    User(&'a CurrentUser),
    /// Every case of the street: the reminder scheduler.
    Everyone,
}

/// One follow-up visit due.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FollowUpDue {
    pub case_id: i64,
    pub case_no: String,
    /// `agreed` or `closed`.
    pub status: String,
    /// `resolved` or `withdrawn` once closed.
    pub outcome: Option<String>,
    pub current_unit_id: i64,
    /// The current (not superseded) agreement the visit checks.
    pub agreement_id: i64,
    /// The lead mediator of the team as it stands, if any.
    pub lead_mediator_id: Option<i64>,
    pub lead_mediator_name: Option<String>,
    /// The local day the visit is due by.
    pub due_on: NaiveDate,
    /// Days from `due_on` to today: positive when overdue, 0 on the day, negative while ahead.
    pub days_overdue: i64,
}

/// The follow-up visits due on or before `until`, overdue first (by due day, then case number).
/// `today` gives `days_overdue`. The due day is stored on the case ([`refresh`]), so the list is a
/// range of the partial index over the cases where it is set, whatever the number of cases.
///
/// # Errors
/// 403 for a user whose role is not in [`LIST_ROLES`]; database failures.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Scope<'_>,
    until: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<FollowUpDue>, AppError> {
    let scope_condition = match scope {
        Scope::User(user) => {
            user.require(&LIST_ROLES)?;
            visible_condition(user)
        }
        Scope::Everyone => Condition::all(),
    };
    let waiting = cases::Entity::find()
        .filter(cases::Column::FollowUpDueOn.is_not_null())
        .filter(cases::Column::FollowUpDueOn.lte(until))
        .filter(scope_condition)
        .order_by_asc(cases::Column::FollowUpDueOn)
        .order_by_asc(cases::Column::CaseNo)
        .all(db)
        .await?;
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = waiting.iter().map(|c| c.id).collect();
    let mut current: HashMap<i64, i64> = HashMap::new();
    let mut leads: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(ID_BATCH) {
        for (case_id, agreement_id) in agreements::Entity::find()
            .select_only()
            .column(agreements::Column::CaseId)
            .column(agreements::Column::Id)
            .filter(agreements::Column::CaseId.is_in(chunk.iter().copied()))
            .filter(agreements::Column::Superseded.eq(false))
            .order_by_asc(agreements::Column::Id)
            .into_tuple::<(i64, i64)>()
            .all(db)
            .await?
        {
            // The latest wins, should two ever be left in force.
            current.insert(case_id, agreement_id);
        }
        for a in case_assignments::Entity::find()
            .filter(case_assignments::Column::CaseId.is_in(chunk.iter().copied()))
            .filter(case_assignments::Column::EndedAt.is_null())
            .filter(case_assignments::Column::Role.eq(TeamRole::Lead.as_str()))
            .order_by_asc(case_assignments::Column::Id)
            .all(db)
            .await?
        {
            leads.insert(a.case_id, a.mediator_id);
        }
    }
    let mut lead_ids: Vec<i64> = leads.values().copied().collect();
    lead_ids.sort_unstable();
    lead_ids.dedup();
    let mut names: HashMap<i64, String> = HashMap::new();
    for chunk in lead_ids.chunks(ID_BATCH) {
        for m in mediators::Entity::find()
            .filter(mediators::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            names.insert(m.id, m.name);
        }
    }
    let mut due: Vec<FollowUpDue> = waiting
        .into_iter()
        .filter_map(|case| {
            let due_on = case.follow_up_due_on?;
            let agreement_id = *current.get(&case.id)?;
            let lead_mediator_id = leads.get(&case.id).copied();
            Some(FollowUpDue {
                case_id: case.id,
                case_no: case.case_no,
                status: Status::from(case.status).as_str().to_owned(),
                outcome: case.outcome.map(|o| Outcome::from(o).as_str().to_owned()),
                current_unit_id: case.current_unit_id,
                agreement_id,
                lead_mediator_id,
                lead_mediator_name: lead_mediator_id.and_then(|id| names.get(&id).cloned()),
                due_on,
                days_overdue: (today - due_on).num_days(),
            })
        })
        .collect();
    // Sorted here as well, so that the order of case numbers does not depend on the database's
    // collation.
    due.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then_with(|| a.case_no.cmp(&b.case_no))
    });
    Ok(due)
}

/// Ids per `IN (…)` list, well below every database's parameter limit.
const ID_BATCH: usize = 1_000;

/// Works out again the day `case_id`'s follow-up is due and stores it on the case. Called in the
/// transaction of every change it follows from: an agreement (with its instalments), a visit, a
/// change of status or outcome (close, reopen, the ledger import).
///
/// # Errors
/// Database failures.
pub async fn refresh(db: &impl ConnectionTrait, tz: Tz, case_id: i64) -> Result<(), AppError> {
    let due = due_days(db, tz, Condition::all().add(cases::Column::Id.eq(case_id)))
        .await?
        .remove(&case_id);
    cases::Entity::update_many()
        .col_expr(cases::Column::FollowUpDueOn, Expr::value(due))
        .filter(cases::Column::Id.eq(case_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Stores the due day of every case that may wait for a follow-up: once, when the app first
/// starts after the column was added (the migration cannot: the day is a local date in the
/// configured time zone). Returns how many cases wait.
///
/// # Errors
/// Database failures.
pub async fn backfill(db: &impl ConnectionTrait, tz: Tz) -> Result<u64, AppError> {
    let waiting = [Status::Agreed, Status::Closed].map(Status::as_str);
    // Narrowed in SQL to the cases that may still wait, so that ten years of closed and visited
    // cases are not read into memory: a current agreement, not failed, and no visit that
    // certainly settles it (on or after the signing, and at least a whole UTC day after the last
    // instalment's due day, which is after that day's end in any time zone). `due_on` decides.
    let day_after_last_due = match db.get_database_backend() {
        DatabaseBackend::Sqlite => "date(MAX(i.due_on), '+1 day')",
        _ => "((MAX(i.due_on) + 1)::timestamp AT TIME ZONE 'UTC')",
    };
    let unsettled = format!(
        "EXISTS (SELECT 1 FROM agreements a WHERE a.case_id = cases.id AND a.superseded = {f} \
         AND NOT EXISTS (SELECT 1 FROM follow_ups v WHERE v.case_id = cases.id \
         AND v.done_at >= a.signed_at AND (NOT EXISTS (SELECT 1 FROM agreement_instalments i0 \
         WHERE i0.agreement_id = a.id) OR v.done_at >= (SELECT {day_after_last_due} \
         FROM agreement_instalments i WHERE i.agreement_id = a.id))))",
        f = if db.get_database_backend() == DatabaseBackend::Sqlite {
            "0"
        } else {
            "false"
        },
    );
    let may_wait = Condition::all()
        .add(cases::Column::Status.is_in(waiting))
        .add(
            Condition::any()
                .add(cases::Column::Outcome.is_null())
                .add(cases::Column::Outcome.ne(Outcome::Failed.as_str())),
        )
        .add(Expr::cust(unsettled));
    let due = due_days(db, tz, may_wait).await?;
    for (case_id, day) in &due {
        cases::Entity::update_many()
            .col_expr(cases::Column::FollowUpDueOn, Expr::value(*day))
            .filter(cases::Column::Id.eq(*case_id))
            .exec(db)
            .await?;
    }
    Ok(due.len() as u64)
}

/// The due day of each case `which` selects that waits for a follow-up visit, from its current
/// agreement, the agreement's instalments and the visits ([`due_on`]); a fixed number of queries
/// whatever the number of cases.
async fn due_days(
    db: &impl ConnectionTrait,
    tz: Tz,
    which: Condition,
) -> Result<HashMap<i64, NaiveDate>, AppError> {
    let case_ids: SelectStatement = Query::select()
        .column(cases::Column::Id)
        .from(cases::Entity)
        .cond_where(which.clone())
        .to_owned();
    let current_agreement_ids: SelectStatement = Query::select()
        .column(agreements::Column::Id)
        .from(agreements::Entity)
        .and_where(agreements::Column::Superseded.eq(false))
        .and_where(agreements::Column::CaseId.in_subquery(case_ids.clone()))
        .to_owned();
    let mut current: HashMap<i64, agreements::Model> = HashMap::new();
    for a in agreements::Entity::find()
        .filter(agreements::Column::Id.in_subquery(current_agreement_ids.clone()))
        .order_by_asc(agreements::Column::Id)
        .all(db)
        .await?
    {
        // The latest wins, should two ever be left in force.
        current.insert(a.case_id, a);
    }
    if current.is_empty() {
        return Ok(HashMap::new());
    }
    let mut dues: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
    for i in agreement_instalments::Entity::find()
        .filter(agreement_instalments::Column::AgreementId.in_subquery(current_agreement_ids))
        .all(db)
        .await?
    {
        dues.entry(i.agreement_id).or_default().push(i.due_on);
    }
    let mut visits: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
    for f in follow_ups::Entity::find()
        .filter(follow_ups::Column::CaseId.in_subquery(case_ids))
        .all(db)
        .await?
    {
        visits.entry(f.case_id).or_default().push(f.done_at);
    }
    let mut out = HashMap::new();
    for case in cases::Entity::find().filter(which).all(db).await? {
        let Some(agreement) = current.get(&case.id) else {
            continue;
        };
        let instalment_dues = dues.get(&agreement.id).map_or(&[][..], Vec::as_slice);
        let done = visits.get(&case.id).into_iter().flatten().copied();
        if let Some(day) = due_on(&case, agreement.signed_at, instalment_dues, done, tz) {
            out.insert(case.id, day);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn case(status: &str, outcome: Option<&str>) -> cases::Model {
        cases::Model {
            status: Status::parse(status).expect("a status").into(),
            outcome: outcome.map(|o| Outcome::parse(o).expect("an outcome").into()),
            ..blank()
        }
    }

    fn blank() -> cases::Model {
        let t = at("2026-11-01T02:00:00Z");
        cases::Model {
            id: 1,
            case_no: "JB-2026-00001".into(),
            status: entity::terms::CaseStatus::Agreed,
            outcome: None,
            grade: entity::terms::Grade::Simple,
            grade_source: entity::terms::GradeSource::Auto,
            grade_confirmed: false,
            grade_reason: String::new(),
            current_unit_id: 1,
            intake_unit_id: 1,
            hub_id: 1,
            dispute_type: entity::terms::DisputeType::WageArrears,
            source: entity::terms::Source::WalkIn,
            summary: String::new(),
            amount_claimed_fen: 0,
            people_involved: 1,
            risk_flags: "[]".into(),
            received_at: t,
            infringement_known_on: None,
            employment_ended_on: None,
            deadline_at: t,
            closed_at: None,
            group_id: None,
            access_code: None,
            follow_up_due_on: None,
            version: 1,
            created_by: 1,
            created_at: t,
            updated_at: t,
        }
    }

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn an_agreed_or_successfully_closed_case_waits_a_week_after_the_last_instalment() {
        let signed = at("2026-11-01T02:00:00Z");
        let dues = [d(2026, 11, 30), d(2026, 12, 31)];
        for c in [
            case("agreed", None),
            case("closed", Some("resolved")),
            case("closed", Some("withdrawn")),
        ] {
            assert_eq!(
                due_on(&c, signed, &dues, [], TZ),
                Some(d(2027, 1, 7)),
                "{:?}",
                c.status
            );
        }
        assert_eq!(
            due_on(&case("agreed", None), signed, &[], [], TZ),
            Some(d(2026, 11, 8)),
            "paid on signing"
        );
    }

    #[test]
    fn a_failed_or_reopened_case_waits_for_no_follow_up() {
        let signed = at("2026-11-01T02:00:00Z");
        assert_eq!(
            due_on(&case("closed", Some("failed")), signed, &[], [], TZ),
            None
        );
        assert_eq!(due_on(&case("mediating", None), signed, &[], [], TZ), None);
    }

    #[test]
    fn only_a_visit_after_signing_on_or_after_the_last_due_day_settles_it() {
        let signed = at("2026-11-01T02:00:00Z");
        let dues = [d(2026, 11, 30)];
        let c = case("agreed", None);
        // 16:30 UTC on 29 Nov is 00:30 local on 30 Nov: the local day counts.
        assert_eq!(
            due_on(&c, signed, &dues, [at("2026-11-29T16:30:00Z")], TZ),
            None
        );
        assert_eq!(
            due_on(&c, signed, &dues, [at("2026-11-20T02:00:00Z")], TZ),
            Some(d(2026, 12, 7))
        );
        assert_eq!(
            due_on(&c, signed, &[], [at("2026-10-30T02:00:00Z")], TZ),
            Some(d(2026, 11, 8)),
            "a visit before this agreement was signed is about an earlier one"
        );
    }
}
