//! The case page's screen model in one call (DESIGN §9): the case as the API shows it, the names
//! its timeline refers to, where it may be referred, and the ranked mediators offered by accept and
//! assign, read with the case loaded once, in a fixed number of queries.

use std::collections::{BTreeMap, BTreeSet};

use chrono_tz::Tz;
use entity::{mediators, units};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::candidates::{self, Suggestion};
use super::pipeline;
use super::view::{self, CaseDetail, Disclosure};
use crate::domain::network::UnitKind;
use crate::error::AppError;
use crate::services::auth::CurrentUser;

/// Everything the case page shows.
pub struct CasePage {
    pub detail: CaseDetail,
    /// Every unit's name by id (the timeline, where a session was held).
    pub unit_names: BTreeMap<i64, String>,
    /// The names of the active mediators the timeline refers to, by id.
    pub mediator_names: BTreeMap<i64, String>,
    /// The active units under the case's street hub, where a coordinator may refer it, by id.
    pub referral_units: Vec<(i64, String)>,
    /// The mediators to offer, best first, when accept or assign is one of the user's actions now.
    pub suggestions: Vec<Suggestion>,
}

/// The case page of case `id`; `reveal` as [`view::detail`].
///
/// # Errors
/// 404 out of scope; 403 when revealing is asked by someone who may not act on the case.
pub async fn case_page(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &CurrentUser,
    id: i64,
    reveal: bool,
) -> Result<CasePage, AppError> {
    let loaded = pipeline::load(db, user, id).await?;
    let case = loaded.case.clone();
    let team = loaded.team.clone();
    let disclosure = if reveal {
        Disclosure::Reveal
    } else {
        Disclosure::Masked
    };
    let detail = view::detail_of(db, tz, user, loaded, disclosure).await?;
    let all_units = units::Entity::find()
        .order_by_asc(units::Column::Id)
        .all(db)
        .await?;
    // The street hub of the unit that has the case; none while that unit is inactive.
    let hub_id = all_units
        .iter()
        .find(|u| u.id == case.current_unit_id && u.active)
        .and_then(|u| {
            if UnitKind::from(u.kind) == UnitKind::StreetHub {
                Some(u.id)
            } else {
                u.parent_id
                    .filter(|parent| all_units.iter().any(|p| p.id == *parent))
            }
        });
    let referral_units = all_units
        .iter()
        .filter(|u| u.active && u.parent_id.is_some() && u.parent_id == hub_id)
        .map(|u| (u.id, u.name.clone()))
        .collect();
    let unit_names = all_units.into_iter().map(|u| (u.id, u.name)).collect();
    // Only the mediators the timeline names (a street has hundreds).
    let named: BTreeSet<i64> = detail
        .events
        .iter()
        .flat_map(|e| [&e.from, &e.to])
        .flatten()
        .filter_map(|state| state.as_object())
        .flat_map(|state| ["mediator_id", "lead_mediator_id"].map(|k| state.get(k)))
        .flatten()
        .filter_map(serde_json::Value::as_i64)
        .collect();
    let mediator_names = if named.is_empty() {
        BTreeMap::new()
    } else {
        mediators::Entity::find()
            .filter(mediators::Column::Id.is_in(named))
            .filter(mediators::Column::Active.eq(true))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect()
    };
    let picking = detail
        .available_actions
        .iter()
        .any(|a| a == "accept" || a == "assign");
    let suggestions = if picking {
        candidates::suggest_for(db, &case, &team).await?
    } else {
        Vec::new()
    };
    Ok(CasePage {
        detail,
        unit_names,
        mediator_names,
        referral_units,
        suggestions,
    })
}
