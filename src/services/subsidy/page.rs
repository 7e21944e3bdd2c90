//! The period page: one period's head, its totals and one page of its items under the page's
//! filter, in a fixed number of queries whatever the number of items.
//!
//! A month's period at a province's scale holds tens of thousands of lines; the page used to read
//! them all and sum them in Rust (4 pages a second at 1,000,000 cases). Here the totals are SQL
//! aggregates over `ix_subsidy_items_period`, and only the hundred lines shown are read.

use std::collections::HashMap;

use entity::{mediators, subsidy_items, units};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{
    find, head_of, GradeTotal, ItemOut, MediatorTotal, Names, PeriodOut, TotalsOut, UnitTotal,
};
use crate::domain::case_terms::Grade;
use crate::domain::subsidy::ItemKind;
use crate::error::AppError;
use crate::services::auth::CurrentUser;

/// Which lines of a period the page shows: one mediator's, one unit's, one grade's or one kind's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub mediator_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub grade: Option<Grade>,
    /// `award` or `adjustment` (as the page's query names it); another name selects no line.
    pub kind: Option<String>,
}

impl ItemFilter {
    pub fn is_empty(&self) -> bool {
        *self == ItemFilter::default()
    }

    fn condition(&self, period_id: i64) -> Condition {
        let mut c = Condition::all().add(subsidy_items::Column::PeriodId.eq(period_id));
        if let Some(id) = self.mediator_id {
            c = c.add(subsidy_items::Column::MediatorId.eq(id));
        }
        if let Some(id) = self.unit_id {
            c = c.add(subsidy_items::Column::UnitId.eq(id));
        }
        if let Some(grade) = self.grade {
            c = c.add(subsidy_items::Column::Grade.eq(entity::terms::Grade::from(grade)));
        }
        if let Some(kind) = &self.kind {
            c = c.add(match ItemKind::parse(kind) {
                Some(k) => subsidy_items::Column::Kind.eq(entity::terms::SubsidyItemKind::from(k)),
                None => subsidy_items::Column::Id.is_in(Vec::<i64>::new()),
            });
        }
        c
    }
}

/// What the filtered lines add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selected {
    pub amount_fen: i64,
    pub items: u64,
    pub cases: u64,
}

/// The period page's model: the period (its `items` are the lines of this page only, its
/// `totals` those of the whole period), what the filter selects, and where the page is.
pub struct PeriodPage {
    pub period: PeriodOut,
    pub selected: Selected,
    /// 1-based, clamped to the last page.
    pub page: u64,
    pub pages: u64,
}

/// The period page of `id` for `actor`: the lines that pass `filter`, `per_page` of them from
/// page `page` (clamped to the last page), by case number then line.
///
/// # Errors
/// 404 for other roles and for no such period; database failures.
pub async fn period_page(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    filter: &ItemFilter,
    page: u64,
    per_page: u64,
) -> Result<PeriodPage, AppError> {
    let period = find(db, actor, id).await?;
    let totals = totals_of(db, id).await?;
    let selected = if filter.is_empty() {
        Selected {
            amount_fen: totals.total_fen,
            items: totals.items,
            cases: totals.cases,
        }
    } else {
        let (amount_fen, items, cases) = sums(db, filter.condition(id), None).await?.remove(0).1;
        Selected {
            amount_fen,
            items,
            cases,
        }
    };
    let per_page = per_page.max(1);
    let pages = selected.items.div_ceil(per_page).max(1);
    let page = page.clamp(1, pages);
    let rows = subsidy_items::Entity::find()
        .filter(filter.condition(id))
        .order_by_asc(subsidy_items::Column::CaseNo)
        .order_by_asc(subsidy_items::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let names = names_of(db, &rows, &totals).await?;
    let mut totals = totals;
    for t in &mut totals.by_mediator {
        t.mediator_name = names.mediator(t.mediator_id);
        t.unit_name = names.mediator_unit(t.mediator_id);
    }
    for t in &mut totals.by_unit {
        t.unit_name = names.unit(t.unit_id);
    }
    let items: Vec<ItemOut> = rows.into_iter().map(|i| ItemOut::of(i, &names)).collect();
    let period = head_of(db, period, items, totals).await?;
    Ok(PeriodPage {
        period,
        selected,
        page,
        pages,
    })
}

/// One figure per value of `group` (or one row under the key 0 without it): the amount, the
/// lines and the distinct cases.
async fn sums(
    db: &impl ConnectionTrait,
    condition: Condition,
    group: Option<subsidy_items::Column>,
) -> Result<Vec<(i64, (i64, u64, u64))>, AppError> {
    let mut q = subsidy_items::Entity::find().select_only();
    q = match group {
        Some(column) => q.column_as(Expr::col(column), "k"),
        None => q.column_as(Expr::val(0_i64), "k"),
    };
    let q = q
        // SUM of a bigint is numeric on PostgreSQL: cast back.
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)"),
            "total",
        )
        .column_as(Expr::cust("COUNT(*)"), "items")
        .column_as(Expr::cust("COUNT(DISTINCT case_id)"), "cases")
        .filter(condition);
    let q = match group {
        Some(column) => q.group_by(column),
        None => q,
    };
    let rows: Vec<(i64, i64, i64, i64)> = q.into_tuple().all(db).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(k, total, items, cases)| (k, (total, items as u64, cases as u64)))
        .collect();
    Ok(if rows.is_empty() {
        vec![(0, (0, 0, 0))]
    } else {
        rows
    })
}

/// The totals of the whole period, by SQL aggregates: the same figures as
/// [`super::totals_out`] gives from every line.
async fn totals_of(db: &DatabaseConnection, id: i64) -> Result<TotalsOut, AppError> {
    let all = || Condition::all().add(subsidy_items::Column::PeriodId.eq(id));
    let (_, (total_fen, items, cases)) = sums(db, all(), None).await?.remove(0);
    let by_grade_rows: Vec<(entity::terms::Grade, i64, i64, i64)> = subsidy_items::Entity::find()
        .select_only()
        .column(subsidy_items::Column::Grade)
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)"),
            "total",
        )
        .column_as(Expr::cust("COUNT(*)"), "items")
        .column_as(Expr::cust("COUNT(DISTINCT case_id)"), "cases")
        .filter(all())
        .group_by(subsidy_items::Column::Grade)
        .into_tuple()
        .all(db)
        .await?;
    let by_grade_rows: HashMap<Grade, (i64, i64, i64)> = by_grade_rows
        .into_iter()
        .map(|(g, t, i, c)| (Grade::from(g), (t, i, c)))
        .collect();
    let by_grade = Grade::ALL
        .iter()
        .map(|g| {
            let (amount_fen, items, cases) = by_grade_rows.get(g).copied().unwrap_or_default();
            GradeTotal {
                grade: g.as_str().to_owned(),
                amount_fen,
                items: items as u64,
                cases: cases as u64,
            }
        })
        .collect();
    let mediators = sums(db, all(), Some(subsidy_items::Column::MediatorId)).await?;
    let units = sums(db, all(), Some(subsidy_items::Column::UnitId)).await?;
    let mut totals = TotalsOut {
        total_fen,
        items,
        cases,
        by_grade,
        by_mediator: mediators
            .into_iter()
            .filter(|(_, (_, items, _))| *items > 0)
            .map(|(mediator_id, (amount_fen, items, cases))| MediatorTotal {
                mediator_id,
                mediator_name: String::new(),
                unit_name: String::new(),
                amount_fen,
                items,
                cases,
            })
            .collect(),
        by_unit: units
            .into_iter()
            .filter(|(_, (_, items, _))| *items > 0)
            .map(|(unit_id, (amount_fen, items, cases))| UnitTotal {
                unit_id,
                unit_name: String::new(),
                amount_fen,
                items,
                cases,
            })
            .collect(),
    };
    totals.by_mediator.sort_by(|a, b| {
        b.amount_fen
            .cmp(&a.amount_fen)
            .then(a.mediator_id.cmp(&b.mediator_id))
    });
    totals.by_unit.sort_by(|a, b| {
        b.amount_fen
            .cmp(&a.amount_fen)
            .then(a.unit_id.cmp(&b.unit_id))
    });
    Ok(totals)
}

/// The names of the mediators and units the page shows (its lines and its totals).
async fn names_of(
    db: &DatabaseConnection,
    rows: &[subsidy_items::Model],
    totals: &TotalsOut,
) -> Result<Names, AppError> {
    let mut mediator_ids: Vec<i64> = rows
        .iter()
        .map(|r| r.mediator_id)
        .chain(totals.by_mediator.iter().map(|t| t.mediator_id))
        .collect();
    mediator_ids.sort_unstable();
    mediator_ids.dedup();
    let mut found: HashMap<i64, (String, i64)> = HashMap::new();
    // In batches, well under SQLite's limit of bound values.
    for chunk in mediator_ids.chunks(500) {
        let people: Vec<(i64, String, i64)> = mediators::Entity::find()
            .select_only()
            .columns([
                mediators::Column::Id,
                mediators::Column::Name,
                mediators::Column::UnitId,
            ])
            .filter(mediators::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(
            people
                .into_iter()
                .map(|(id, name, unit)| (id, (name, unit))),
        );
    }
    let units: Vec<(i64, String)> = units::Entity::find()
        .select_only()
        .columns([units::Column::Id, units::Column::Name])
        .into_tuple()
        .all(db)
        .await?;
    Ok(Names {
        mediators: found,
        units: units.into_iter().collect(),
    })
}
