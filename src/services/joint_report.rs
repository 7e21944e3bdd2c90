//! Area joint mediation (片区联调): the cases other units were invited to mediate jointly, counted
//! per unit, over the cases the signed-in user may see.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use entity::{case_invited_units, cases, units};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::clocks::{end_of_local_day, start_of_local_day};
use crate::domain::workflow::Outcome;
use crate::error::AppError;
use crate::services::auth::CurrentUser;
use crate::services::cases::visible_condition;

/// One unit's share of the joint cases.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JointRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    /// Joint cases this unit has now (it hosts the joint mediation).
    pub hosted: i64,
    /// Joint cases this unit was invited to.
    pub invited: i64,
    /// Closed as resolved, of both.
    pub resolved: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JointReport {
    /// Received on or after this local day.
    pub from: Option<NaiveDate>,
    /// Received on or before this local day.
    pub to: Option<NaiveDate>,
    pub joint_cases: i64,
    pub resolved: i64,
    /// Units with at least one joint case, most involved first.
    pub units: Vec<JointRow>,
}

/// Joint cases received between `from` and `to` (local days, inclusive; either may be open).
///
/// # Errors
/// Database failures.
pub async fn joint_by_unit(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<JointReport, AppError> {
    let mut query = cases::Entity::find()
        .filter(visible_condition(user))
        .filter(
            cases::Column::Id.in_subquery(
                Query::select()
                    .column(case_invited_units::Column::CaseId)
                    .from(case_invited_units::Entity)
                    .to_owned(),
            ),
        );
    if let Some(from) = from {
        query = query.filter(cases::Column::ReceivedAt.gte(start_of_local_day(from, tz)));
    }
    if let Some(to) = to {
        query = query.filter(cases::Column::ReceivedAt.lt(end_of_local_day(to, tz)));
    }
    let joint = query.all(db).await?;
    let ids: Vec<i64> = joint.iter().map(|c| c.id).collect();
    let resolved_ids: HashSet<i64> = joint
        .iter()
        .filter(|c| c.outcome.map(Outcome::from) == Some(Outcome::Resolved))
        .map(|c| c.id)
        .collect();
    let invitations = case_invited_units::Entity::find()
        .filter(case_invited_units::Column::CaseId.is_in(ids))
        .all(db)
        .await?;
    // (hosted, invited, resolved) per unit.
    let mut per_unit: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for c in &joint {
        let row = per_unit.entry(c.current_unit_id).or_default();
        row.0 += 1;
        if resolved_ids.contains(&c.id) {
            row.2 += 1;
        }
    }
    for i in &invitations {
        let row = per_unit.entry(i.unit_id).or_default();
        row.1 += 1;
        if resolved_ids.contains(&i.case_id) {
            row.2 += 1;
        }
    }
    let all_units: BTreeMap<i64, units::Model> = units::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut rows: Vec<JointRow> = per_unit
        .into_iter()
        .map(|(unit_id, (hosted, invited, resolved))| {
            let unit = all_units.get(&unit_id);
            JointRow {
                unit_id,
                unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                unit_kind: unit.map_or_else(String::new, |u| {
                    crate::domain::network::UnitKind::from(u.kind)
                        .as_str()
                        .to_owned()
                }),
                hosted,
                invited,
                resolved,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.hosted + b.invited)
            .cmp(&(a.hosted + a.invited))
            .then(a.unit_id.cmp(&b.unit_id))
    });
    Ok(JointReport {
        from,
        to,
        joint_cases: joint.len() as i64,
        resolved: resolved_ids.len() as i64,
        units: rows,
    })
}
