//! Graded subsidies (以奖代补): rates, the lead share, settlement periods (compute, recompute,
//! approve, mark paid), their items and totals, and the exports. Only admins and finance clerks
//! reach any of it; for everyone else it does not exist (404).
//!
//! The rules are `domain::subsidy`; [`compute`] loads what they need in a few set-based queries.

pub mod compute;
pub mod export;
pub mod page;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{
    audit_log, mediators, settings, subsidy_items, subsidy_periods, subsidy_rates, units, users,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{paging, versioned, Page, PageRequest};
use crate::db::begin_write;
use crate::domain::case_terms::{Grade, TeamRole};
use crate::domain::clocks;
use crate::domain::role::Role;
use crate::domain::subsidy::{
    check_new_rate, default_rates_from, period_transition, totals, ItemKind, LeadShare, Line,
    Period, PeriodAction, PeriodError, PeriodKind, PeriodRefusal, PeriodStatus, Rate, RateError,
    DEFAULT_RATES,
};
use crate::error::{AppError, Message};
use crate::services::command::{Command, Ready};
use crate::services::{audit, auth::CurrentUser};

/// The settings key of the lead share.
pub const LEAD_SHARE_KEY: &str = "subsidy_lead_share";

/// Who may reach the subsidies at all.
pub const SUBSIDY_ROLES: [Role; 2] = [Role::Admin, Role::Finance];

/// The audit log's `target_type` of periods and rates.
const PERIOD_TARGET: &str = "subsidy_period";
const RATE_TARGET: &str = "subsidy_rate";

/// The largest rate accepted: ¥1,000,000.
const MAX_RATE_FEN: i64 = 100_000_000;

/// The system acting from the command line: a finance clerk with no account (recorded as nobody).
pub fn system_actor() -> CurrentUser {
    CurrentUser {
        id: 0,
        username: "system".to_owned(),
        display_name: "系统".to_owned(),
        role: Role::Finance,
        unit_id: None,
        mediator_id: None,
    }
}

/// The user id to record: none for the system.
fn actor_ref(actor: &CurrentUser) -> Option<i64> {
    (actor.id > 0).then_some(actor.id)
}

/// 404 for everyone but admins and finance clerks (DESIGN: they "cannot reach any of it").
///
/// # Errors
/// 404.
pub fn require_reach(actor: &CurrentUser) -> Result<(), AppError> {
    if SUBSIDY_ROLES.contains(&actor.role) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Serialize, Deserialize)]
struct LeadShareValue {
    lead_share_bp: u32,
}

/// Writes the default rates (DESIGN §5, from 2020-01-01) and the default lead share when they are
/// not there yet. Rates and a share an admin set are never touched; two servers starting at once
/// are fine.
///
/// # Errors
/// Database failures only.
pub async fn seed_defaults(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if subsidy_rates::Entity::find().count(db).await? == 0 {
        let now = Utc::now();
        let rows = DEFAULT_RATES.map(|(grade, amount_fen)| subsidy_rates::ActiveModel {
            grade: Set(grade.into()),
            amount_fen: Set(amount_fen),
            effective_from: Set(default_rates_from()),
            created_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        subsidy_rates::Entity::insert_many(rows)
            // No conflict target: any uniqueness clash (another server seeding at the same moment)
            // is simply skipped, on SQLite and PostgreSQL alike.
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
    }
    crate::services::settings::insert_if_absent(
        db,
        LEAD_SHARE_KEY,
        share_json(LeadShare::default())?,
    )
    .await?;
    Ok(())
}

fn share_json(share: LeadShare) -> Result<String, AppError> {
    serde_json::to_string(&LeadShareValue {
        lead_share_bp: share.bp(),
    })
    .map_err(|e| AppError::Internal(format!("lead share: {e}")))
}

// ---------------------------------------------------------------------------------------------------
// The lead share
// ---------------------------------------------------------------------------------------------------

/// The lead share in force: the stored one, or the default when none is stored or it cannot be
/// read (logged).
///
/// # Errors
/// Database failures only.
pub async fn lead_share(db: &impl ConnectionTrait) -> Result<LeadShare, AppError> {
    let Some(row) = settings::Entity::find_by_id(LEAD_SHARE_KEY.to_owned())
        .one(db)
        .await?
    else {
        return Ok(LeadShare::default());
    };
    match serde_json::from_str::<LeadShareValue>(&row.value)
        .ok()
        .and_then(|v| LeadShare::from_bp(i64::from(v.lead_share_bp)).ok())
    {
        Some(share) => Ok(share),
        None => {
            tracing::warn!("stored lead share unreadable; using the default");
            Ok(LeadShare::default())
        }
    }
}

/// The lead share with who set it last and when.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LeadShareOut {
    /// Basis points: 6000 is 60%.
    pub lead_share_bp: u32,
    /// The same as a percentage, as typed: `60`, `62.5`.
    pub lead_share_percent: String,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_name: Option<String>,
}

/// # Errors
/// 404 for other roles; database failures.
pub async fn lead_share_view(
    db: &DatabaseConnection,
    actor: &CurrentUser,
) -> Result<LeadShareOut, AppError> {
    require_reach(actor)?;
    let share = lead_share(db).await?;
    let row = settings::Entity::find_by_id(LEAD_SHARE_KEY.to_owned())
        .one(db)
        .await?;
    let names = user_names(db).await?;
    Ok(LeadShareOut {
        lead_share_bp: share.bp(),
        lead_share_percent: share.percent_text(),
        updated_at: row.as_ref().map(|r| r.updated_at),
        updated_by_name: row
            .and_then(|r| r.updated_by)
            .and_then(|id| names.get(&id).cloned()),
    })
}

/// Sets the lead share (admins and finance clerks); it applies to computations from now on.
///
/// # Errors
/// 404 for other roles.
pub async fn set_lead_share(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = LeadShare>,
) -> Result<LeadShareOut, AppError> {
    require_reach(actor)?;
    let share = command.params()?;
    let value = share_json(share)?;
    crate::services::settings::write_audited(
        db,
        actor_ref(actor),
        LEAD_SHARE_KEY,
        value,
        "subsidy.lead_share",
    )
    .await?;
    tracing::info!(lead_share_bp = share.bp(), "lead share changed");
    lead_share_view(db, actor).await
}

// ---------------------------------------------------------------------------------------------------
// Rates
// ---------------------------------------------------------------------------------------------------

/// A rate with who added it and whether it is the one in force today.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RateOut {
    pub id: i64,
    /// `simple`, `ordinary`, `complex` or `major`.
    pub grade: String,
    pub amount_fen: i64,
    pub effective_from: NaiveDate,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The rate of its grade in force today (local date).
    pub in_force: bool,
}

/// Every rate, by grade and then by `effective_from`, newest first.
///
/// # Errors
/// 404 for other roles; database failures.
pub async fn list_rates(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    tz: Tz,
) -> Result<Vec<RateOut>, AppError> {
    require_reach(actor)?;
    let rows = subsidy_rates::Entity::find()
        .order_by_desc(subsidy_rates::Column::EffectiveFrom)
        .order_by_desc(subsidy_rates::Column::Id)
        .all(db)
        .await?;
    let names = user_names(db).await?;
    let today = clocks::local_date(Utc::now(), tz);
    let table = compute::rate_table(db).await?;
    let mut out: Vec<(Grade, RateOut)> = Vec::with_capacity(rows.len());
    for r in rows {
        let grade = Grade::from(r.grade);
        let in_force = r.effective_from <= today
            && !out.iter().any(|(g, o)| *g == grade && o.in_force)
            && table.in_force(grade, today) == Some(r.amount_fen);
        out.push((
            grade,
            RateOut {
                id: r.id,
                grade: grade.as_str().to_owned(),
                amount_fen: r.amount_fen,
                effective_from: r.effective_from,
                created_by: r.created_by,
                created_by_name: r.created_by.and_then(|id| names.get(&id).cloned()),
                created_at: r.created_at,
                in_force,
            },
        ));
    }
    out.sort_by_key(|(g, r)| (*g, std::cmp::Reverse(r.effective_from)));
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// Adds a rate (admins and finance clerks). Rates are never edited: a new one with a later
/// `effective_from` takes over from that day.
///
/// # Errors
/// 404 for other roles; 422 naming `amount_fen` (negative or above ¥1,000,000) or
/// `effective_from` (another rate of the grade starts that day).
pub async fn add_rate(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = Rate>,
    tz: Tz,
) -> Result<RateOut, AppError> {
    require_reach(actor)?;
    let rate = command.params()?;
    if rate.amount_fen > MAX_RATE_FEN {
        return Err(AppError::field(
            "amount_fen",
            Message::with(
                "err-range",
                &[("min", "0".into()), ("max", MAX_RATE_FEN.to_string())],
            ),
        ));
    }
    let txn = begin_write(db).await?;
    let existing: Vec<Rate> = subsidy_rates::Entity::find()
        .filter(subsidy_rates::Column::Grade.eq(rate.grade.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| Rate {
            grade: rate.grade,
            amount_fen: r.amount_fen,
            effective_from: r.effective_from,
        })
        .collect();
    check_new_rate(&existing, &rate).map_err(rate_error)?;
    let row = subsidy_rates::ActiveModel {
        grade: Set(rate.grade.into()),
        amount_fen: Set(rate.amount_fen),
        effective_from: Set(rate.effective_from),
        created_by: Set(actor_ref(actor)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if AppError::is_unique_violation(&e) {
            rate_error(RateError::DateTaken)
        } else {
            e.into()
        }
    })?;
    audit::record(
        &txn,
        actor_ref(actor),
        "subsidy.rate.add",
        RATE_TARGET,
        Some(row.id),
        Some(format!(
            "{} {} {}",
            rate.grade.as_str(),
            row.amount_fen,
            row.effective_from
        )),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(rate_id = row.id, "subsidy rate added");
    list_rates(db, actor, tz)
        .await?
        .into_iter()
        .find(|r| r.id == row.id)
        .ok_or_else(|| AppError::Internal("the new rate vanished".into()))
}

fn rate_error(e: RateError) -> AppError {
    match e {
        RateError::NegativeAmount => {
            AppError::field("amount_fen", Message::key("subsidy-err-rate-negative"))
        }
        RateError::DateTaken => AppError::field(
            "effective_from",
            Message::key("subsidy-err-rate-date-taken"),
        ),
    }
}

// ---------------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------------

/// A period in a list: its state and totals, without the items.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PeriodSummary {
    pub id: i64,
    /// `2026-11` or `2026-Q4`.
    pub period: String,
    /// `month` or `quarter`.
    pub kind: String,
    /// `draft`, `approved` or `paid`.
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
    pub version: i32,
    pub total_fen: i64,
    pub items: u64,
    pub cases: u64,
}

/// One line of a period.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub mediator_id: i64,
    pub mediator_name: String,
    /// The mediator's role on the team at closing: `lead`, `co` or `apprentice`.
    pub team_role: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// `simple`, `ordinary`, `complex` or `major`.
    pub grade: String,
    /// `award` or `adjustment`.
    pub kind: String,
    pub amount_fen: i64,
    /// The case's base amount for this closing.
    pub base_fen: i64,
    /// The closing this line pays for.
    pub closed_at: DateTime<Utc>,
}

/// A figure with what it counts.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GradeTotal {
    /// `simple`, `ordinary`, `complex` or `major`.
    pub grade: String,
    pub amount_fen: i64,
    pub items: u64,
    pub cases: u64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MediatorTotal {
    pub mediator_id: i64,
    pub mediator_name: String,
    pub unit_name: String,
    pub amount_fen: i64,
    pub items: u64,
    pub cases: u64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitTotal {
    pub unit_id: i64,
    pub unit_name: String,
    pub amount_fen: i64,
    pub items: u64,
    pub cases: u64,
}

/// The totals of a period; each breakdown sums to `total_fen`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TotalsOut {
    pub total_fen: i64,
    pub items: u64,
    pub cases: u64,
    /// Every grade, lowest first (zero when none).
    pub by_grade: Vec<GradeTotal>,
    /// Largest amount first.
    pub by_mediator: Vec<MediatorTotal>,
    /// Largest amount first.
    pub by_unit: Vec<UnitTotal>,
}

/// Who did what to a period, and when.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditLine {
    /// `subsidy.period.create`, `.recompute`, `.approve`, `.paid`.
    pub action: String,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
    pub detail: Option<String>,
}

/// A period with its items and totals (DESIGN §6).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PeriodOut {
    pub id: i64,
    pub period: String,
    pub kind: String,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
    pub computed_by_name: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_by_name: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
    pub paid_by_name: Option<String>,
    pub version: i32,
    pub items: Vec<ItemOut>,
    pub totals: TotalsOut,
    pub audit: Vec<AuditLine>,
    /// Resolved cases left out at the last computation because their case file was incomplete.
    pub withheld: Vec<WithheldOut>,
}

/// A resolved case a period left out because its case file (卷宗) was incomplete.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WithheldOut {
    pub case_id: i64,
    pub case_no: String,
    /// `session_record`, `agreement`, `follow_up`, `attachment`.
    pub missing: Vec<String>,
}

/// The periods, newest first, with their totals.
///
/// # Errors
/// 404 for other roles; database failures.
pub async fn list_periods(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    page: PageRequest,
) -> Result<Page<PeriodSummary>, AppError> {
    require_reach(actor)?;
    let query = subsidy_periods::Entity::find();
    let Page {
        items: rows, total, ..
    } = paging::paginate(
        db,
        query,
        |q| {
            q.order_by_desc(subsidy_periods::Column::StartsAt)
                .order_by_desc(subsidy_periods::Column::Id)
        },
        page,
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let sums: Vec<(i64, Option<i64>, i64, i64)> = subsidy_items::Entity::find()
        .select_only()
        .column(subsidy_items::Column::PeriodId)
        // SUM of a bigint is numeric on PostgreSQL: cast back.
        .column_as(Expr::cust("CAST(SUM(amount_fen) AS BIGINT)"), "total")
        .column_as(Expr::cust("COUNT(*)"), "items")
        .column_as(Expr::cust("COUNT(DISTINCT case_id)"), "cases")
        .filter(subsidy_items::Column::PeriodId.is_in(ids))
        .group_by(subsidy_items::Column::PeriodId)
        .into_tuple()
        .all(db)
        .await?;
    let sums: HashMap<i64, (i64, i64, i64)> = sums
        .into_iter()
        .map(|(id, total, items, cases)| (id, (total.unwrap_or(0), items, cases)))
        .collect();
    let items = rows
        .into_iter()
        .map(|p| {
            let (total_fen, items, cases) = sums.get(&p.id).copied().unwrap_or((0, 0, 0));
            PeriodSummary {
                id: p.id,
                period: p.period,
                kind: PeriodKind::from(p.kind).as_str().to_owned(),
                status: PeriodStatus::from(p.status).as_str().to_owned(),
                starts_at: p.starts_at,
                ends_at: p.ends_at,
                computed_at: p.computed_at,
                approved_at: p.approved_at,
                paid_at: p.paid_at,
                paid_on: p.paid_on,
                version: p.version,
                total_fen,
                items: items as u64,
                cases: cases as u64,
            }
        })
        .collect();
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// Reads a period name, or 422 naming `field`.
///
/// # Errors
/// 422 for `2026-13`, `2026-Q5` and anything that is no period.
pub fn parse_period(text: &str, field: &str) -> Result<Period, AppError> {
    Period::parse(text).map_err(|e| {
        let message = match e {
            PeriodError::Malformed => Message::key("subsidy-err-period-format"),
            PeriodError::InvalidMonth { month } => {
                Message::with("subsidy-err-period-month", &[("month", month.to_string())])
            }
            PeriodError::InvalidQuarter { quarter } => Message::with(
                "subsidy-err-period-quarter",
                &[("quarter", quarter.to_string())],
            ),
        };
        AppError::field(field, message)
    })
}

/// # Errors
/// 404 for other roles and for no such period.
pub async fn find(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: i64,
) -> Result<subsidy_periods::Model, AppError> {
    require_reach(actor)?;
    subsidy_periods::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The period of that name, if it exists.
///
/// # Errors
/// 404 for other roles.
pub async fn find_by_name(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    period: Period,
) -> Result<Option<subsidy_periods::Model>, AppError> {
    require_reach(actor)?;
    Ok(subsidy_periods::Entity::find()
        .filter(subsidy_periods::Column::Period.eq(period.to_string()))
        .one(db)
        .await?)
}

/// Creates a period and computes it (a draft): the reach (404), the period named (422), then
/// one period per month: a period that exists, or one that overlaps an existing one (a month
/// inside a quarter), is 409; then the period, its items and the audit line in one transaction.
///
/// # Errors
/// 404 for other roles; 409 as above; 422 naming `period` for a malformed period or one that has
/// not begun.
pub async fn create_period(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    tz: Tz,
    command: impl Command<Params = Period>,
) -> Result<PeriodOut, AppError> {
    require_reach(actor)?;
    let period = command.params()?;
    let (start, end) = period
        .bounds(tz)
        .map_err(|_| AppError::field("period", Message::key("subsidy-err-period-format")))?;
    let now = Utc::now();
    if start > now {
        return Err(AppError::field(
            "period",
            Message::key("subsidy-err-period-future"),
        ));
    }
    let txn = begin_write(db).await?;
    let name = period.to_string();
    if let Some(other) = subsidy_periods::Entity::find()
        .filter(subsidy_periods::Column::StartsAt.lt(end))
        .filter(subsidy_periods::Column::EndsAt.gt(start))
        .one(&txn)
        .await?
    {
        return Err(if other.period == name {
            AppError::Conflict(Message::with(
                "subsidy-err-period-exists",
                &[("period", name)],
            ))
        } else {
            AppError::Conflict(Message::with(
                "subsidy-err-period-overlaps",
                &[("period", name), ("other", other.period)],
            ))
        });
    }
    let (items, withheld) = compute::compute_with_withheld(&txn, tz, start, end).await?;
    let row = subsidy_periods::ActiveModel {
        withheld: Set(Some(compute::withheld_json(&withheld)?)),
        period: Set(name.clone()),
        kind: Set(period.kind.into()),
        starts_at: Set(start),
        ends_at: Set(end),
        status: Set(PeriodStatus::Draft.into()),
        computed_at: Set(now),
        computed_by: Set(actor_ref(actor)),
        approved_at: Set(None),
        approved_by: Set(None),
        paid_at: Set(None),
        paid_on: Set(None),
        paid_by: Set(None),
        version: Set(1),
        created_at: Set(now),
        created_by: Set(actor_ref(actor)),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if AppError::is_unique_violation(&e) {
            AppError::Conflict(Message::with(
                "subsidy-err-period-exists",
                &[("period", name.clone())],
            ))
        } else {
            e.into()
        }
    })?;
    compute::replace_items(&txn, row.id, &items).await?;
    audit::record(
        &txn,
        actor_ref(actor),
        "subsidy.period.create",
        PERIOD_TARGET,
        Some(row.id),
        Some(summary_detail(&items)),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        period_id = row.id,
        items = items.len(),
        "subsidy period computed"
    );
    detail(db, actor, row.id).await
}

fn summary_detail(items: &[crate::domain::subsidy::Item]) -> String {
    let total: i64 = items.iter().map(|i| i.amount_fen).sum();
    format!("items={} total_fen={total}", items.len())
}

/// The period row again, checked for the action: its status allows it and, when given, `version`
/// is the one the user saw.
async fn checked_for(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: i64,
    action: PeriodAction,
    version: Option<i32>,
) -> Result<(subsidy_periods::Model, PeriodStatus), AppError> {
    let period = find(db, actor, id).await?;
    let status = PeriodStatus::from(period.status);
    let next = period_transition(status, action).map_err(|r| {
        AppError::Conflict(Message::key(match r {
            PeriodRefusal::Locked => "subsidy-err-locked",
            PeriodRefusal::AlreadyApproved => "subsidy-err-already-approved",
            PeriodRefusal::NotApproved => "subsidy-err-not-approved",
            PeriodRefusal::AlreadyPaid => "subsidy-err-already-paid",
        }))
    })?;
    if version.is_some_and(|v| v != period.version) {
        return Err(AppError::Conflict(Message::key("subsidy-err-stale")));
    }
    Ok((period, next))
}

/// Moves the period row on, only if nobody changed it first (409 otherwise).
async fn bump(
    db: &impl ConnectionTrait,
    period: &subsidy_periods::Model,
    changes: subsidy_periods::ActiveModel,
) -> Result<(), AppError> {
    // The status too: a period approved meanwhile is as stale as one recomputed.
    let written = versioned::try_update(
        db,
        subsidy_periods::Entity::update_many()
            .set(changes)
            .filter(subsidy_periods::Column::Status.eq(period.status)),
        (subsidy_periods::Column::Id, period.id),
        (subsidy_periods::Column::Version, period.version),
    )
    .await?;
    if !written {
        return Err(AppError::Conflict(Message::key("subsidy-err-stale")));
    }
    Ok(())
}

/// Computes a draft period again from the cases as they are now. The steps of a period answer in
/// one order: the reach (404), the request read (422), the period (404), its status and the
/// version the user saw (409), then the change.
///
/// # Errors
/// 404; 422 for an unreadable version; 409 for an approved or paid period (locked), or a stale
/// `version`.
pub async fn recompute(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    tz: Tz,
    id: i64,
    command: impl Command<Params = ()>,
) -> Result<PeriodOut, AppError> {
    require_reach(actor)?;
    let version = command.version();
    command.params()?;
    let txn = begin_write(db).await?;
    let (period, _) = checked_for(&txn, actor, id, PeriodAction::Recompute, version).await?;
    // The row first: on PostgreSQL its lock makes a concurrent recompute wait, then fail.
    bump(
        &txn,
        &period,
        subsidy_periods::ActiveModel {
            computed_at: Set(Utc::now()),
            computed_by: Set(actor_ref(actor)),
            ..Default::default()
        },
    )
    .await?;
    let (items, withheld) =
        compute::compute_with_withheld(&txn, tz, period.starts_at, period.ends_at).await?;
    compute::replace_items(&txn, id, &items).await?;
    subsidy_periods::Entity::update_many()
        .col_expr(
            subsidy_periods::Column::Withheld,
            sea_orm::sea_query::Expr::value(compute::withheld_json(&withheld)?),
        )
        .filter(subsidy_periods::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor_ref(actor),
        "subsidy.period.recompute",
        PERIOD_TARGET,
        Some(id),
        Some(summary_detail(&items)),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        period_id = id,
        items = items.len(),
        "subsidy period recomputed"
    );
    detail(db, actor, id).await
}

/// Approves a draft period: from now on its items never change and count as paid out. It must be
/// exactly what a computation gives now, so that what the clerk checked is what gets locked and no
/// case is paid twice.
///
/// # Errors
/// 404; 422 for an unreadable version; 409 when already approved, when `version` is stale, or
/// when the cases changed since the last computation (recompute and check again).
pub async fn approve(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    tz: Tz,
    id: i64,
    command: impl Command<Params = ()>,
) -> Result<PeriodOut, AppError> {
    require_reach(actor)?;
    let version = command.version();
    command.params()?;
    let txn = begin_write(db).await?;
    let (period, next) = checked_for(&txn, actor, id, PeriodAction::Approve, version).await?;
    // Computed while the period is still a draft: once approved it would count as locked.
    let fresh = compute::compute(&txn, tz, period.starts_at, period.ends_at).await?;
    if !compute::items_match(&txn, id, &fresh).await? {
        return Err(AppError::Conflict(Message::key("subsidy-err-changed")));
    }
    bump(
        &txn,
        &period,
        subsidy_periods::ActiveModel {
            status: Set(next.into()),
            approved_at: Set(Some(Utc::now())),
            approved_by: Set(actor_ref(actor)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        &txn,
        actor_ref(actor),
        "subsidy.period.approve",
        PERIOD_TARGET,
        Some(id),
        Some(summary_detail(&fresh)),
    )
    .await?;
    crate::services::notifications::on_subsidy_approved(&txn, &period).await?;
    txn.commit().await?;
    tracing::info!(period_id = id, "subsidy period approved");
    detail(db, actor, id).await
}

/// Marks an approved period paid on `paid_on` (a local date; today when not given).
///
/// # Errors
/// 404; 409 for a draft, a period already paid, or a stale `version`; 422 naming `paid_on` for an
/// unreadable date, a date in the future or before the approval.
pub async fn mark_paid(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    tz: Tz,
    id: i64,
    command: impl Command<Params = Option<NaiveDate>>,
) -> Result<PeriodOut, AppError> {
    require_reach(actor)?;
    let version = command.version();
    let paid_on = command.params()?;
    let txn = begin_write(db).await?;
    let (period, next) = checked_for(&txn, actor, id, PeriodAction::MarkPaid, version).await?;
    let now = Utc::now();
    let today = clocks::local_date(now, tz);
    let paid_on = paid_on.unwrap_or(today);
    if paid_on > today {
        return Err(AppError::field(
            "paid_on",
            Message::key("subsidy-err-paid-on-future"),
        ));
    }
    if period
        .approved_at
        .is_some_and(|a| paid_on < clocks::local_date(a, tz))
    {
        return Err(AppError::field(
            "paid_on",
            Message::key("subsidy-err-paid-on-before-approval"),
        ));
    }
    bump(
        &txn,
        &period,
        subsidy_periods::ActiveModel {
            status: Set(next.into()),
            paid_at: Set(Some(now)),
            paid_on: Set(Some(paid_on)),
            paid_by: Set(actor_ref(actor)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        &txn,
        actor_ref(actor),
        "subsidy.period.paid",
        PERIOD_TARGET,
        Some(id),
        Some(paid_on.to_string()),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(period_id = id, "subsidy period marked paid");
    detail(db, actor, id).await
}

async fn user_names(db: &impl ConnectionTrait) -> Result<HashMap<i64, String>, AppError> {
    let rows: Vec<(i64, String)> = users::Entity::find()
        .select_only()
        .columns([users::Column::Id, users::Column::DisplayName])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Names of the mediators (with their unit) and units, for the lines and totals.
pub struct Names {
    pub mediators: HashMap<i64, (String, i64)>,
    pub units: HashMap<i64, String>,
}

impl Names {
    /// # Errors
    /// Database failures.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Names, AppError> {
        let mediators: Vec<(i64, String, i64)> = mediators::Entity::find()
            .select_only()
            .columns([
                mediators::Column::Id,
                mediators::Column::Name,
                mediators::Column::UnitId,
            ])
            .into_tuple()
            .all(db)
            .await?;
        let units: Vec<(i64, String)> = units::Entity::find()
            .select_only()
            .columns([units::Column::Id, units::Column::Name])
            .into_tuple()
            .all(db)
            .await?;
        Ok(Names {
            mediators: mediators
                .into_iter()
                .map(|(id, name, unit)| (id, (name, unit)))
                .collect(),
            units: units.into_iter().collect(),
        })
    }

    pub fn mediator(&self, id: i64) -> String {
        self.mediators
            .get(&id)
            .map(|m| m.0.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }

    pub fn unit(&self, id: i64) -> String {
        self.units
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }

    /// The unit a mediator belongs to (not necessarily where the case was resolved).
    pub fn mediator_unit(&self, id: i64) -> String {
        self.mediators
            .get(&id)
            .map(|m| self.unit(m.1))
            .unwrap_or_default()
    }
}

/// The totals of some lines, named.
pub fn totals_out(items: &[ItemOut], names: &Names) -> TotalsOut {
    let lines = items.iter().filter_map(|i| {
        Some(Line {
            case_id: i.case_id,
            mediator_id: i.mediator_id,
            unit_id: i.unit_id,
            grade: Grade::parse(&i.grade)?,
            amount_fen: i.amount_fen,
        })
    });
    let t = totals(lines);
    let mut by_mediator: Vec<MediatorTotal> = t
        .by_mediator
        .iter()
        .map(|(id, f)| MediatorTotal {
            mediator_id: *id,
            mediator_name: names.mediator(*id),
            unit_name: names.mediator_unit(*id),
            amount_fen: f.amount_fen,
            items: f.items,
            cases: f.cases,
        })
        .collect();
    by_mediator.sort_by(|a, b| {
        b.amount_fen
            .cmp(&a.amount_fen)
            .then(a.mediator_id.cmp(&b.mediator_id))
    });
    let mut by_unit: Vec<UnitTotal> = t
        .by_unit
        .iter()
        .map(|(id, f)| UnitTotal {
            unit_id: *id,
            unit_name: names.unit(*id),
            amount_fen: f.amount_fen,
            items: f.items,
            cases: f.cases,
        })
        .collect();
    by_unit.sort_by(|a, b| {
        b.amount_fen
            .cmp(&a.amount_fen)
            .then(a.unit_id.cmp(&b.unit_id))
    });
    TotalsOut {
        total_fen: t.total.amount_fen,
        items: t.total.items,
        cases: t.total.cases,
        by_grade: Grade::ALL
            .iter()
            .map(|g| {
                let f = t.by_grade.get(g).copied().unwrap_or_default();
                GradeTotal {
                    grade: g.as_str().to_owned(),
                    amount_fen: f.amount_fen,
                    items: f.items,
                    cases: f.cases,
                }
            })
            .collect(),
        by_mediator,
        by_unit,
    }
}

/// A period to be written to a file: as [`detail`], and who exported it is recorded, since the
/// file carries mediators' names and payments out of the system.
///
/// # Errors
/// As [`detail`].
pub async fn for_export(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    format: &str,
) -> Result<PeriodOut, AppError> {
    let period = detail(db, actor, id).await?;
    audit::record(
        db,
        actor_ref(actor),
        "subsidy.period.export",
        PERIOD_TARGET,
        Some(id),
        Some(format.to_owned()),
    )
    .await?;
    Ok(period)
}

/// A period with its items (by case number, then team order), totals and audit trail.
///
/// # Errors
/// 404 for other roles and for no such period.
pub async fn detail(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
) -> Result<PeriodOut, AppError> {
    let period = find(db, actor, id).await?;
    let rows = subsidy_items::Entity::find()
        .filter(subsidy_items::Column::PeriodId.eq(id))
        .order_by_asc(subsidy_items::Column::CaseNo)
        .order_by_asc(subsidy_items::Column::Id)
        .all(db)
        .await?;
    let names = Names::load(db).await?;
    let items: Vec<ItemOut> = rows.into_iter().map(|i| ItemOut::of(i, &names)).collect();
    let totals = totals_out(&items, &names);
    head_of(db, period, items, totals).await
}

impl ItemOut {
    /// A stored line with its names.
    pub fn of(i: subsidy_items::Model, names: &Names) -> ItemOut {
        ItemOut {
            id: i.id,
            case_id: i.case_id,
            case_no: i.case_no,
            mediator_name: names.mediator(i.mediator_id),
            mediator_id: i.mediator_id,
            team_role: TeamRole::from(i.team_role).as_str().to_owned(),
            unit_name: names.unit(i.unit_id),
            unit_id: i.unit_id,
            grade: Grade::from(i.grade).as_str().to_owned(),
            kind: ItemKind::from(i.kind).as_str().to_owned(),
            amount_fen: i.amount_fen,
            base_fen: i.base_fen,
            closed_at: i.closed_at,
        }
    }
}

/// A period with the given lines and totals, its audit trail and who did what, named.
///
/// # Errors
/// Database failures.
async fn head_of(
    db: &impl ConnectionTrait,
    period: subsidy_periods::Model,
    items: Vec<ItemOut>,
    totals: TotalsOut,
) -> Result<PeriodOut, AppError> {
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::TargetType.eq(PERIOD_TARGET))
        .filter(audit_log::Column::TargetId.eq(period.id))
        .order_by_asc(audit_log::Column::At)
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?;
    // Only the accounts named here: the audit trail's actors and the three signatures.
    let mut ids: Vec<i64> = audit
        .iter()
        .filter_map(|a| a.actor_user_id)
        .chain(
            [period.computed_by, period.approved_by, period.paid_by]
                .into_iter()
                .flatten(),
        )
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let users: HashMap<i64, String> = users::Entity::find()
        .select_only()
        .columns([users::Column::Id, users::Column::DisplayName])
        .filter(users::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let audit = audit
        .into_iter()
        .map(|a| AuditLine {
            action: a.action,
            actor_name: a.actor_user_id.and_then(|u| users.get(&u).cloned()),
            at: a.at,
            detail: a.detail,
        })
        .collect();
    let name_of = |u: Option<i64>| u.and_then(|u| users.get(&u).cloned());
    Ok(PeriodOut {
        id: period.id,
        period: period.period,
        kind: PeriodKind::from(period.kind).as_str().to_owned(),
        status: PeriodStatus::from(period.status).as_str().to_owned(),
        starts_at: period.starts_at,
        ends_at: period.ends_at,
        computed_at: period.computed_at,
        computed_by_name: name_of(period.computed_by),
        approved_at: period.approved_at,
        approved_by_name: name_of(period.approved_by),
        paid_at: period.paid_at,
        paid_on: period.paid_on,
        paid_by_name: name_of(period.paid_by),
        version: period.version,
        items,
        totals,
        audit,
        withheld: period
            .withheld
            .as_deref()
            .and_then(|w| serde_json::from_str(w).ok())
            .unwrap_or_default(),
    })
}

// ---------------------------------------------------------------------------------------------------
// The command line (`mediation subsidy …`), acting as the system
// ---------------------------------------------------------------------------------------------------

/// `mediation subsidy compute --period 2026-11`: creates and computes the period, or recomputes it
/// while it is a draft.
///
/// # Errors
/// 422 for a malformed period; 409 for an approved or paid one (locked) or an overlapping one.
pub async fn compute_as_system(
    db: &DatabaseConnection,
    tz: Tz,
    period: &str,
) -> Result<PeriodOut, AppError> {
    let system = system_actor();
    let period = parse_period(period, "period")?;
    match find_by_name(db, &system, period).await? {
        Some(existing) => recompute(db, &system, tz, existing.id, Ready::new(())).await,
        None => create_period(db, &system, tz, Ready::new(period)).await,
    }
}

/// The export formats of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn parse(s: &str) -> Option<FileFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(FileFormat::Xlsx),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }
}

/// `mediation subsidy export --period 2026-11 --format xlsx --out FILE`: writes an existing period.
///
/// # Errors
/// 422 for a malformed period or format; 404 when the period was never computed; a file that cannot
/// be written.
pub async fn export_as_system(
    db: &DatabaseConnection,
    tz: Tz,
    period: &str,
    format: &str,
    out: &std::path::Path,
) -> Result<PeriodOut, AppError> {
    let system = system_actor();
    let format = FileFormat::parse(format)
        .ok_or_else(|| AppError::field("format", Message::key("err-unknown-choice")))?;
    let period = parse_period(period, "period")?;
    let row = find_by_name(db, &system, period)
        .await?
        .ok_or(AppError::NotFound)?;
    let detail = detail(db, &system, row.id).await?;
    let bytes = match format {
        FileFormat::Xlsx => export::xlsx(&detail, tz)?,
        FileFormat::Csv => export::csv(&detail, export::View::Items, tz),
    };
    std::fs::write(out, bytes)
        .map_err(|e| AppError::Config(format!("cannot write {}: {e}", out.display())))?;
    Ok(detail)
}
