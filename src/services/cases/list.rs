//! The case list: filters of DESIGN §6 over the user's scope, what needs doing first, paged.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{case_assignments, case_invited_units, cases};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use super::name_search;
use super::view::CaseOut;
use super::visible_condition;
use crate::domain::clocks::{end_of_local_day, start_of_local_day};
use crate::domain::workflow::Status;
use crate::error::{AppError, Message};
use crate::services::auth::CurrentUser;
use crate::services::{calendar, like_pattern, Page, PageRequest};

#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub status: Option<Status>,
    /// The unit a case is at now.
    pub unit_id: Option<i64>,
    pub grade: Option<String>,
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    pub overdue: bool,
    /// Only cases without a lead mediator (registered ones).
    pub unassigned: bool,
    /// Complex or major grades not yet confirmed.
    pub awaiting_confirmation: bool,
    /// Case number or party name.
    pub q: Option<String>,
    /// Only the cases of this group of related cases.
    pub group_id: Option<i64>,
    /// Only cases this mediator is or was on the team of.
    pub mediator_id: Option<i64>,
    /// Only joint cases (with invited units) this unit hosts or was invited to.
    pub joint_unit_id: Option<i64>,
    /// Only these cases (the cases behind a figure, such as a pair's progress).
    pub ids: Option<Vec<i64>>,
    /// Received on or after this local day.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this local day.
    pub received_to: Option<NaiveDate>,
    /// Closed on or after this local day (the cases behind the dashboard's closed figures).
    pub closed_from: Option<NaiveDate>,
    /// Closed on or before this local day.
    pub closed_to: Option<NaiveDate>,
    /// How closed cases ended.
    pub outcome: Option<String>,
}

/// The list counts exactly up to this many cases and says "10,000+" beyond: an exact count of a
/// province's millions would read the whole table on every request, while nobody pages through
/// more than this (deeper pages come by the `after` cursor).
pub const TOTAL_CAP: u64 = 10_000;

/// The list in its order, group by group: running clocks (by deadline), agreed cases, closed
/// ones (DESIGN §9). Each group is one index range already in list order (see the migration
/// `m20261203_000004_read_indexes`), so a page reads its rows and no more.
const GROUPS: [&[Status]; 3] = [&Status::RUNNING, &[Status::Agreed], &[Status::Closed]];

/// Where the previous page ended: the group, the deadline and the id of its last case. Written
/// as `rank.deadline-microseconds.id` (opaque to clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub rank: usize,
    pub deadline_at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    fn of(case: &cases::Model) -> Cursor {
        let rank = Status::from(case.status).list_rank() as usize;
        Cursor {
            rank,
            deadline_at: case.deadline_at,
            id: case.id,
        }
    }

    pub fn encode(self) -> String {
        format!(
            "{}.{}.{}",
            self.rank,
            self.deadline_at.timestamp_micros(),
            self.id
        )
    }

    /// # Errors
    /// 422 naming `after` for anything [`Cursor::encode`] did not write.
    pub fn parse(s: &str) -> Result<Cursor, AppError> {
        let bad = || AppError::field("after", Message::key("err-cursor-invalid"));
        let mut parts = s.trim().splitn(3, '.');
        let rank: usize = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let micros: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let id: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if rank >= GROUPS.len() || id < 1 {
            return Err(bad());
        }
        let deadline_at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
        Ok(Cursor {
            rank,
            deadline_at,
            id,
        })
    }
}

/// One page of the case list with what a pager needs at any depth.
#[derive(Clone, Debug)]
pub struct CaseList {
    /// `total` is exact up to [`TOTAL_CAP`], and [`TOTAL_CAP`] beyond (see `total_capped`).
    pub page: Page<CaseOut>,
    pub total_capped: bool,
    /// The `after` cursor of the next page, when this page is full.
    pub next_after: Option<String>,
}

/// # Errors
/// Database failures.
pub async fn list(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    filter: &CaseFilter,
    page: PageRequest,
) -> Result<Page<CaseOut>, AppError> {
    Ok(list_after(db, tz, user, filter, page, None).await?.page)
}

/// [`list`], continuing after `after` when it is given (the page number is then only echoed).
///
/// # Errors
/// Database failures.
pub async fn list_after(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    filter: &CaseFilter,
    page: PageRequest,
    after: Option<Cursor>,
) -> Result<CaseList, AppError> {
    let now = Utc::now();
    let base = condition(tz, user, filter, now);
    let counted = count_up_to(db, base.clone(), TOTAL_CAP + 1).await?;
    let mut rows: Vec<cases::Model> = Vec::with_capacity(page.per_page as usize);
    let mut skip = if after.is_some() { 0 } else { page.offset() };
    for (rank, statuses) in GROUPS.iter().enumerate() {
        let need = page.per_page - rows.len() as u64;
        if need == 0 {
            break;
        }
        let mut cond = base
            .clone()
            .add(cases::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        if let Some(c) = after {
            if rank < c.rank {
                continue;
            }
            if rank == c.rank {
                cond = cond.add(
                    Condition::any()
                        .add(cases::Column::DeadlineAt.gt(c.deadline_at))
                        .add(
                            Condition::all()
                                .add(cases::Column::DeadlineAt.eq(c.deadline_at))
                                .add(cases::Column::Id.lt(c.id)),
                        ),
                );
            }
        }
        if skip > 0 && rank + 1 < GROUPS.len() {
            // Skip a whole earlier group by its (small) count rather than reading it.
            let in_group = count_up_to(db, cond.clone(), skip + 1).await?;
            if in_group <= skip {
                skip -= in_group;
                continue;
            }
        }
        let found = cases::Entity::find()
            .filter(cond)
            .order_by_asc(cases::Column::DeadlineAt)
            .order_by_desc(cases::Column::Id)
            .offset(skip)
            .limit(need)
            .all(db)
            .await?;
        skip = 0;
        rows.extend(found);
    }
    let next_after = (rows.len() as u64 == page.per_page)
        .then(|| rows.last().map(|c| Cursor::of(c).encode()))
        .flatten();
    let cal = calendar::load(db).await?;
    Ok(CaseList {
        page: Page {
            items: rows
                .iter()
                .map(|c| CaseOut::build(c, tz, &cal, now))
                .collect(),
            total: std::cmp::Ord::min(counted, TOTAL_CAP),
            page: page.page,
            per_page: page.per_page,
        },
        total_capped: counted > TOTAL_CAP,
        next_after,
    })
}

/// How many cases meet `cond`, counting no further than `cap`.
async fn count_up_to(
    db: &impl ConnectionTrait,
    cond: Condition,
    cap: u64,
) -> Result<u64, AppError> {
    let inner = Query::select()
        .expr(Expr::val(1))
        .from(cases::Entity)
        .cond_where(cond)
        .limit(cap)
        .to_owned();
    let outer = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(inner, Alias::new("capped"))
        .to_owned();
    let row = db
        .query_one(&outer)
        .await?
        .ok_or_else(|| AppError::Internal("count returned no row".into()))?;
    Ok(u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0))
}

/// The filters of `filter` within what `user` may see.
fn condition(tz: Tz, user: &CurrentUser, filter: &CaseFilter, now: DateTime<Utc>) -> Condition {
    let mut query = Condition::all().add(visible_condition(user));
    if let Some(status) = filter.status {
        query = query.add(cases::Column::Status.eq(status.as_str()));
    }
    if let Some(unit_id) = filter.unit_id {
        query = query.add(cases::Column::CurrentUnitId.eq(unit_id));
    }
    if let Some(group_id) = filter.group_id {
        query = query.add(cases::Column::GroupId.eq(group_id));
    }
    if let Some(mediator_id) = filter.mediator_id {
        query = query.add(
            cases::Column::Id.in_subquery(
                Query::select()
                    .column(case_assignments::Column::CaseId)
                    .from(case_assignments::Entity)
                    .and_where(Expr::col(case_assignments::Column::MediatorId).eq(mediator_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(unit_id) = filter.joint_unit_id {
        let joint = Query::select()
            .column(case_invited_units::Column::CaseId)
            .from(case_invited_units::Entity)
            .to_owned();
        let invited = Query::select()
            .column(case_invited_units::Column::CaseId)
            .from(case_invited_units::Entity)
            .and_where(Expr::col(case_invited_units::Column::UnitId).eq(unit_id))
            .to_owned();
        query = query.add(cases::Column::Id.in_subquery(joint)).add(
            cases::Column::CurrentUnitId
                .eq(unit_id)
                .or(cases::Column::Id.in_subquery(invited)),
        );
    }
    if let Some(from) = filter.received_from {
        query = query.add(cases::Column::ReceivedAt.gte(start_of_local_day(from, tz)));
    }
    if let Some(to) = filter.received_to {
        query = query.add(cases::Column::ReceivedAt.lt(end_of_local_day(to, tz)));
    }
    if let Some(from) = filter.closed_from {
        query = query.add(cases::Column::ClosedAt.gte(start_of_local_day(from, tz)));
    }
    if let Some(to) = filter.closed_to {
        query = query.add(cases::Column::ClosedAt.lt(end_of_local_day(to, tz)));
    }
    if let Some(outcome) = &filter.outcome {
        query = query.add(cases::Column::Outcome.eq(outcome.as_str()));
    }
    if let Some(ids) = &filter.ids {
        query = query.add(cases::Column::Id.is_in(ids.clone()));
    }
    if let Some(grade) = &filter.grade {
        query = query.add(cases::Column::Grade.eq(grade.as_str()));
    }
    if let Some(t) = &filter.dispute_type {
        query = query.add(cases::Column::DisputeType.eq(t.as_str()));
    }
    if let Some(s) = &filter.source {
        query = query.add(cases::Column::Source.eq(s.as_str()));
    }
    let running = Status::RUNNING.map(Status::as_str);
    if filter.overdue {
        query = query
            .add(cases::Column::Status.is_in(running))
            .add(cases::Column::DeadlineAt.lte(now));
    }
    if filter.unassigned {
        query = query.add(cases::Column::Status.eq(Status::Registered.as_str()));
    }
    if filter.awaiting_confirmation {
        query = query
            .add(cases::Column::GradeConfirmed.eq(false))
            .add(cases::Column::Grade.is_in(["complex", "major"]))
            // "Not closed" as the statuses it means: an index range, where `<>` reads every row.
            .add(
                cases::Column::Status.is_in(
                    Status::ALL
                        .into_iter()
                        .filter(|s| *s != Status::Closed)
                        .map(Status::as_str),
                ),
            );
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        // A party's name containing q: one range of the stored name suffixes, not a read of
        // every party (see `name_search`).
        let by_name = cases::Column::Id.in_subquery(name_search::cases_with_name_containing(q));
        // Case numbers are written in ASCII (`JB-2026-00001`): a query with any other character
        // (a Chinese name) cannot be part of one, and does not read every case number.
        query = query.add(if q.trim().is_ascii() {
            Expr::col(cases::Column::CaseNo)
                .like(like_pattern(q))
                .or(by_name)
        } else {
            by_name
        });
    }
    query
}

/// The cases `user` may see that pass `filter`, unordered: the one condition behind the list, the
/// ledger export and any count of the same cases.
pub fn filtered(
    tz: Tz,
    user: &CurrentUser,
    filter: &CaseFilter,
    now: DateTime<Utc>,
) -> Select<cases::Entity> {
    cases::Entity::find().filter(condition(tz, user, filter, now))
}
