//! A period's computation as a few set-based queries: the locked periods, the candidate closings
//! in the booked ranges, their teams and what was already approved for them. The rules themselves
//! are `domain::subsidy::compute_items`; the queries only narrow the million cases down to the
//! closings that rule needs to see (index on `cases.closed_at`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{case_assignments, cases, subsidy_items, subsidy_periods, subsidy_rates};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::domain::case_terms::{Grade, TeamRole};
use crate::domain::subsidy::{
    booked_ranges, compute_items, team_at, withhold_incomplete, Assignment, Candidate,
    ClosingFacts, Item, ItemKind, LockedPeriod, PeriodStatus, Rate, RateTable, Rules, Share,
    Withheld,
};
use crate::domain::workflow::{Outcome, Status};
use crate::error::AppError;

/// Rows per INSERT: 12 columns each, 30,000 parameters, below the bind-parameter limits of SQLite
/// (32,766) and PostgreSQL (65,535); fewer, larger statements are what makes the write fast.
const INSERT_BATCH: usize = 2_500;

fn locked_statuses() -> [&'static str; 2] {
    [PeriodStatus::Approved.as_str(), PeriodStatus::Paid.as_str()]
}

/// Every rate, as the domain's table.
///
/// # Errors
/// Database failures; a stored grade that is not a grade (a 500, not a silently wrong award).
pub async fn rate_table(db: &impl ConnectionTrait) -> Result<RateTable, AppError> {
    let rows = subsidy_rates::Entity::find().all(db).await?;
    let mut rates = Vec::with_capacity(rows.len());
    for r in rows {
        rates.push(Rate {
            grade: r.grade.into(),
            amount_fen: r.amount_fen,
            effective_from: r.effective_from,
        });
    }
    Ok(RateTable::new(rates))
}

/// The approved and paid periods.
///
/// # Errors
/// Database failures.
pub async fn locked_periods(db: &impl ConnectionTrait) -> Result<Vec<LockedPeriod>, AppError> {
    let rows = subsidy_periods::Entity::find()
        .filter(subsidy_periods::Column::Status.is_in(locked_statuses()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|p| LockedPeriod {
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            approved_at: p.approved_at.unwrap_or(p.ends_at),
        })
        .collect())
}

/// `SELECT 1 FROM subsidy_items JOIN subsidy_periods … WHERE` the item is of the outer case and
/// its period is locked.
fn approved_items_of_outer_case() -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(subsidy_items::Entity)
        .inner_join(
            subsidy_periods::Entity,
            Expr::col((subsidy_periods::Entity, subsidy_periods::Column::Id))
                .equals((subsidy_items::Entity, subsidy_items::Column::PeriodId)),
        )
        .and_where(
            Expr::col((subsidy_items::Entity, subsidy_items::Column::CaseId))
                .equals((cases::Entity, cases::Column::Id)),
        )
        .and_where(
            Expr::col((subsidy_periods::Entity, subsidy_periods::Column::Status))
                .is_in(locked_statuses()),
        )
        .to_owned()
}

/// The closed cases that may earn something in a period whose closings fall in `ranges`: those
/// resolved with a confirmed grade, and those with approved items (for adjustments), less those
/// whose current closing an approved item already paid for.
fn candidate_condition(ranges: &[(DateTime<Utc>, DateTime<Utc>)]) -> Condition {
    let mut in_ranges = Condition::any();
    for (start, end) in ranges {
        in_ranges = in_ranges.add(
            Condition::all()
                .add(cases::Column::ClosedAt.gte(*start))
                .add(cases::Column::ClosedAt.lt(*end)),
        );
    }
    let settled = approved_items_of_outer_case()
        .and_where(
            Expr::col((subsidy_items::Entity, subsidy_items::Column::ClosedAt))
                .equals((cases::Entity, cases::Column::ClosedAt)),
        )
        .to_owned();
    Condition::all()
        .add(cases::Column::Status.eq(Status::Closed.as_str()))
        .add(in_ranges)
        .add(Expr::exists(settled).not())
        .add(
            Condition::any()
                .add(
                    Condition::all()
                        .add(cases::Column::Outcome.eq(Outcome::Resolved.as_str()))
                        .add(cases::Column::GradeConfirmed.eq(true)),
                )
                .add(Expr::exists(approved_items_of_outer_case())),
        )
}

fn candidate_ids(cond: &Condition) -> SelectStatement {
    Query::select()
        .column((cases::Entity, cases::Column::Id))
        .from(cases::Entity)
        .cond_where(cond.clone())
        .to_owned()
}

type CaseRow = (
    i64,
    String,
    entity::terms::Grade,
    Option<DateTime<Utc>>,
    i64,
    Option<String>,
    bool,
);

/// Loads the candidates of `ranges` with their teams and approved items: three queries.
///
/// # Errors
/// Database failures.
pub async fn candidates(
    db: &impl ConnectionTrait,
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<Vec<Candidate>, AppError> {
    let cond = candidate_condition(ranges);
    let rows: Vec<CaseRow> = cases::Entity::find()
        .select_only()
        .columns([
            cases::Column::Id,
            cases::Column::CaseNo,
            cases::Column::Grade,
            cases::Column::ClosedAt,
            cases::Column::CurrentUnitId,
            cases::Column::Outcome,
            cases::Column::GradeConfirmed,
        ])
        .filter(cond.clone())
        .into_tuple()
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }

    let assignments = case_assignments::Entity::find()
        .filter(case_assignments::Column::CaseId.in_subquery(candidate_ids(&cond)))
        .all(db)
        .await?;
    let mut teams: HashMap<i64, Vec<Assignment>> = HashMap::new();
    for a in assignments {
        let role = TeamRole::from(a.role);
        teams.entry(a.case_id).or_default().push(Assignment {
            mediator_id: a.mediator_id,
            role,
            assigned_at: a.assigned_at,
            ended_at: a.ended_at,
        });
    }

    let locked_ids = Query::select()
        .column(subsidy_periods::Column::Id)
        .from(subsidy_periods::Entity)
        .and_where(Expr::col(subsidy_periods::Column::Status).is_in(locked_statuses()))
        .to_owned();
    let approved = subsidy_items::Entity::find()
        .filter(subsidy_items::Column::CaseId.in_subquery(candidate_ids(&cond)))
        .filter(subsidy_items::Column::PeriodId.in_subquery(locked_ids))
        .order_by_asc(subsidy_items::Column::Id)
        .all(db)
        .await?;
    let mut approved_by_case: HashMap<i64, (Vec<Share>, Vec<DateTime<Utc>>)> = HashMap::new();
    for i in approved {
        let entry = approved_by_case.entry(i.case_id).or_default();
        entry.0.push(Share {
            mediator_id: i.mediator_id,
            role: TeamRole::from(i.team_role),
            amount_fen: i.amount_fen,
        });
        if !entry.1.contains(&i.closed_at) {
            entry.1.push(i.closed_at);
        }
    }

    let mut out = Vec::with_capacity(rows.len());
    for (id, case_no, grade, closed_at, unit_id, outcome, grade_confirmed) in rows {
        let Some(closed_at) = closed_at else {
            continue;
        };
        let grade = Grade::from(grade);
        let (approved, approved_closings) = approved_by_case.remove(&id).unwrap_or_default();
        let team = teams
            .get(&id)
            .map(|rows| team_at(rows, closed_at))
            .unwrap_or_default();
        out.push(Candidate {
            case_id: id,
            case_no,
            grade,
            closed_at,
            unit_id,
            facts: ClosingFacts {
                outcome: outcome.as_deref().and_then(Outcome::parse),
                grade_confirmed,
            },
            team,
            approved,
            approved_closings,
        });
    }
    Ok(out)
}

/// The items the period `[start, end)` should have now.
///
/// # Errors
/// Database failures.
pub async fn compute(
    db: &impl ConnectionTrait,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<Item>, AppError> {
    Ok(compute_with_withheld(db, tz, start, end).await?.0)
}

/// The items the period `[start, end)` should have now, and the resolved cases it leaves out
/// because their case file is incomplete (the completeness gate of DESIGN §10).
///
/// # Errors
/// Database failures.
pub async fn compute_with_withheld(
    db: &impl ConnectionTrait,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(Vec<Item>, Vec<Withheld>), AppError> {
    let rates = rate_table(db).await?;
    let lead_share = super::lead_share(db).await?;
    let locked = locked_periods(db).await?;
    let ranges = booked_ranges(start, end, &locked);
    let candidates = candidates(db, &ranges).await?;
    let eligible: Vec<(i64, String, Option<String>)> = candidates
        .iter()
        .filter(|c| c.facts.is_eligible())
        .map(|c| {
            (
                c.case_id,
                c.grade.as_str().to_owned(),
                c.facts.outcome.map(|o| o.as_str().to_owned()),
            )
        })
        .collect();
    let missing: HashMap<i64, Vec<String>> = crate::services::case_file::missing_of(db, &eligible)
        .await?
        .into_iter()
        .map(|(id, items)| (id, items.iter().map(|i| i.as_str().to_owned()).collect()))
        .collect();
    let (candidates, withheld) = withhold_incomplete(start, end, candidates, &missing, &locked);
    let rules = Rules {
        rates: &rates,
        lead_share,
        tz,
        locked: &locked,
    };
    Ok((compute_items(start, end, &candidates, &rules), withheld))
}

/// The withheld cases as stored on the period row (JSON).
///
/// # Errors
/// A serialisation failure (a bug).
pub fn withheld_json(withheld: &[Withheld]) -> Result<String, AppError> {
    serde_json::to_string(withheld).map_err(|e| AppError::Internal(format!("withheld: {e}")))
}

/// Replaces the items of a draft period, in batches.
///
/// # Errors
/// Database failures.
pub async fn replace_items(
    db: &impl ConnectionTrait,
    period_id: i64,
    items: &[Item],
) -> Result<(), AppError> {
    subsidy_items::Entity::delete_many()
        .filter(subsidy_items::Column::PeriodId.eq(period_id))
        .exec(db)
        .await?;
    for chunk in items.chunks(INSERT_BATCH) {
        let rows = chunk.iter().map(|i| subsidy_items::ActiveModel {
            period_id: Set(period_id),
            case_id: Set(i.case_id),
            case_no: Set(i.case_no.clone()),
            mediator_id: Set(i.mediator_id),
            team_role: Set(i.role.into()),
            unit_id: Set(i.unit_id),
            grade: Set(i.grade.into()),
            kind: Set(i.kind.into()),
            amount_fen: Set(i.amount_fen),
            base_fen: Set(i.base_fen),
            closed_at: Set(i.closed_at),
            ..Default::default()
        });
        subsidy_items::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Whether the stored items of a period are exactly `items` (same lines, same amounts).
///
/// # Errors
/// Database failures.
pub async fn items_match(
    db: &impl ConnectionTrait,
    period_id: i64,
    items: &[Item],
) -> Result<bool, AppError> {
    type Key = (i64, i64, ItemKind, i64, DateTime<Utc>);
    type Row = (i64, i64, entity::terms::SubsidyItemKind, i64, DateTime<Utc>);
    let stored: Vec<Row> = subsidy_items::Entity::find()
        .select_only()
        .columns([
            subsidy_items::Column::CaseId,
            subsidy_items::Column::MediatorId,
            subsidy_items::Column::Kind,
            subsidy_items::Column::AmountFen,
            subsidy_items::Column::ClosedAt,
        ])
        .filter(subsidy_items::Column::PeriodId.eq(period_id))
        .into_tuple()
        .all(db)
        .await?;
    let mut stored: Vec<Key> = stored
        .into_iter()
        .map(|(case_id, mediator_id, kind, amount_fen, closed_at)| {
            (case_id, mediator_id, kind.into(), amount_fen, closed_at)
        })
        .collect();
    let mut fresh: Vec<Key> = items
        .iter()
        .map(|i| (i.case_id, i.mediator_id, i.kind, i.amount_fen, i.closed_at))
        .collect();
    stored.sort();
    fresh.sort();
    Ok(stored == fresh)
}
