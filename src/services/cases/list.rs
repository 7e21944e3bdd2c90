//! The case list: filters of DESIGN §6 over the user's scope, what needs doing first, paged.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{case_assignments, case_invited_units, case_parties, cases};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::view::CaseOut;
use super::visible_condition;
use crate::domain::clocks::{end_of_local_day, start_of_local_day};
use crate::domain::workflow::Status;
use crate::error::AppError;
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

/// The cases `user` may see that pass `filter`, unordered: the one query behind the list, the
/// ledger export and any count of the same cases.
pub fn filtered(
    tz: Tz,
    user: &CurrentUser,
    filter: &CaseFilter,
    now: DateTime<Utc>,
) -> Select<cases::Entity> {
    let mut query = cases::Entity::find().filter(visible_condition(user));
    if let Some(status) = filter.status {
        query = query.filter(cases::Column::Status.eq(status.as_str()));
    }
    if let Some(unit_id) = filter.unit_id {
        query = query.filter(cases::Column::CurrentUnitId.eq(unit_id));
    }
    if let Some(group_id) = filter.group_id {
        query = query.filter(cases::Column::GroupId.eq(group_id));
    }
    if let Some(mediator_id) = filter.mediator_id {
        query = query.filter(
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
        query = query.filter(cases::Column::Id.in_subquery(joint)).filter(
            cases::Column::CurrentUnitId
                .eq(unit_id)
                .or(cases::Column::Id.in_subquery(invited)),
        );
    }
    if let Some(from) = filter.received_from {
        query = query.filter(cases::Column::ReceivedAt.gte(start_of_local_day(from, tz)));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(cases::Column::ReceivedAt.lt(end_of_local_day(to, tz)));
    }
    if let Some(from) = filter.closed_from {
        query = query.filter(cases::Column::ClosedAt.gte(start_of_local_day(from, tz)));
    }
    if let Some(to) = filter.closed_to {
        query = query.filter(cases::Column::ClosedAt.lt(end_of_local_day(to, tz)));
    }
    if let Some(outcome) = &filter.outcome {
        query = query.filter(cases::Column::Outcome.eq(outcome.as_str()));
    }
    if let Some(ids) = &filter.ids {
        query = query.filter(cases::Column::Id.is_in(ids.clone()));
    }
    if let Some(grade) = &filter.grade {
        query = query.filter(cases::Column::Grade.eq(grade.as_str()));
    }
    if let Some(t) = &filter.dispute_type {
        query = query.filter(cases::Column::DisputeType.eq(t.as_str()));
    }
    if let Some(s) = &filter.source {
        query = query.filter(cases::Column::Source.eq(s.as_str()));
    }
    let running = Status::RUNNING.map(Status::as_str);
    if filter.overdue {
        query = query
            .filter(cases::Column::Status.is_in(running))
            .filter(cases::Column::DeadlineAt.lte(now));
    }
    if filter.unassigned {
        query = query.filter(cases::Column::Status.eq(Status::Registered.as_str()));
    }
    if filter.awaiting_confirmation {
        query = query
            .filter(cases::Column::GradeConfirmed.eq(false))
            .filter(cases::Column::Grade.is_in(["complex", "major"]))
            .filter(cases::Column::Status.ne(Status::Closed.as_str()));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pattern = like_pattern(q);
        query = query.filter(
            Expr::col(cases::Column::CaseNo)
                .like(pattern.clone())
                .or(cases::Column::Id.in_subquery(
                    Query::select()
                        .column(case_parties::Column::CaseId)
                        .from(case_parties::Entity)
                        .and_where(Expr::col(case_parties::Column::Name).like(pattern))
                        .to_owned(),
                )),
        );
    }
    query
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
    let now = Utc::now();
    let query = filtered(tz, user, filter, now);
    let total = query.clone().count(db).await?;
    // Running clocks first, by deadline (overdue, then due soon, then the rest), then agreed
    // cases, closed ones last: a page of the list starts with what needs doing (DESIGN §9).
    let rank: Expr = Status::ALL
        .into_iter()
        .fold(CaseStatement::new(), |rank, s| {
            rank.case(
                Expr::col(cases::Column::Status).eq(s.as_str()),
                s.list_rank(),
            )
        })
        .finally(Status::Closed.list_rank())
        .into();
    let rows = query
        .order_by(rank, Order::Asc)
        .order_by_asc(cases::Column::DeadlineAt)
        .order_by_desc(cases::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    let cal = calendar::load(db).await?;
    Ok(Page {
        items: rows
            .iter()
            .map(|c| CaseOut::build(c, tz, &cal, now))
            .collect(),
        total,
        page: page.page,
        per_page: page.per_page,
    })
}
