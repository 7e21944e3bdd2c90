//! Routing: who is told about a change, looked up and enqueued in the change's transaction. The
//! rule of who hears what is `domain::notifications`; the queue is `mail::queue`.

use std::collections::BTreeMap;

use entity::{case_events, cases, mediators, subsidy_items, subsidy_periods, units, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Map, Value};

use crate::domain::money;
use crate::domain::notifications::{self as rules, Audience, Kind, Recipient};
use crate::domain::role::Role;
use crate::domain::workflow::Action;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::mail::queue::{enqueue, NewNotification};
use crate::services::auth::CurrentUser;

/// Decides who hears about a workflow action ([`rules::audience_of`]) and enqueues their
/// notifications, in the action's transaction. The actor is never told about their own action.
///
/// `params` is the `to` object of the event the action recorded; `Value::Null` reads it back
/// from that event (the latest of the case, in the same transaction), which also gives the note.
///
/// # Errors
/// Database failures: the action fails with them, so no change goes unannounced.
pub async fn on_case_action(
    db: &impl ConnectionTrait,
    case_before: &cases::Model,
    case_after: &cases::Model,
    action: Action,
    params: &Value,
    actor: &CurrentUser,
) -> Result<(), AppError> {
    if !rules::announces(action) {
        return Ok(());
    }
    let event = case_events::Entity::find()
        .filter(case_events::Column::CaseId.eq(case_after.id))
        .filter(case_events::Column::Kind.eq(entity::terms::CaseEventKind::from(action)))
        .order_by_desc(case_events::Column::Id)
        .one(db)
        .await?;
    let note = event
        .as_ref()
        .and_then(|e| e.note.clone())
        .unwrap_or_default();
    let to = match event.as_ref().and_then(|e| e.to_state.as_deref()) {
        _ if params.is_object() => params.clone(),
        None => Value::Null,
        Some(text) => serde_json::from_str(text).map_err(|e| {
            AppError::Internal(format!(
                "the {} event of case {} is not JSON: {e}",
                action.as_str(),
                case_after.id
            ))
        })?,
    };
    let mut data = Map::new();
    data.insert("actor".into(), json!(actor.display_name));
    data.insert(
        "case_unit".into(),
        json!(unit_name(db, case_after.current_unit_id).await?),
    );

    let mut sends: Vec<(Kind, Recipient, Map<String, Value>)> = Vec::new();
    let audience = rules::audience_of(action, &to, case_after.current_unit_id).map_err(|e| {
        AppError::Internal(format!(
            "the {} event of case {} holds an unknown {}: {:?}",
            action.as_str(),
            case_after.id,
            e.field,
            e.value
        ))
    })?;
    match audience {
        Some((kind, Audience::HubCoordinators)) => {
            data.insert(
                "from_unit".into(),
                json!(unit_name(db, case_before.current_unit_id).await?),
            );
            data.insert(
                "unit".into(),
                json!(unit_name(db, case_after.hub_id).await?),
            );
            data.insert("reason".into(), json!(note));
            for r in coordinators_of_hub(db, case_after.hub_id).await? {
                sends.push((kind, r, data.clone()));
            }
        }
        Some((kind, Audience::UnitMediators(unit_id))) => {
            data.insert("unit".into(), json!(unit_name(db, unit_id).await?));
            data.insert("reason".into(), json!(note));
            for r in mediators_of_unit(db, unit_id).await? {
                sends.push((kind, r, data.clone()));
            }
        }
        Some((kind, Audience::Mediator { mediator_id, role })) => {
            let unit = data.get("case_unit").cloned().unwrap_or_default();
            data.insert("unit".into(), unit);
            data.insert("role_label".into(), json!(i18n::label(Lang::Zh, role)));
            data.insert("note".into(), json!(note));
            for r in mediator_recipients(db, mediator_id).await? {
                sends.push((kind, r, data.clone()));
            }
        }
        Some((kind, Audience::InvitedUnits(unit_ids))) => {
            data.insert("note".into(), json!(note));
            for unit_id in unit_ids {
                let mut d = data.clone();
                d.insert("unit".into(), json!(unit_name(db, unit_id).await?));
                for r in mediators_of_unit(db, unit_id).await? {
                    sends.push((kind, r, d.clone()));
                }
            }
        }
        None => {}
    }
    let mut told: Vec<Recipient> = Vec::new();
    for (kind, recipient, data) in sends {
        if !rules::should_tell(&recipient, actor.id, &told) {
            continue;
        }
        told.push(recipient.clone());
        enqueue(
            db,
            NewNotification {
                kind,
                case: Some(case_after),
                recipient,
                data: Value::Object(data),
            },
        )
        .await?;
    }
    Ok(())
}

/// Tells each mediator with items in a subsidy period just approved their total for it (all their
/// awards and adjustments of the period), in the approval's transaction. Not about a case: the
/// message links to the inbox.
///
/// # Errors
/// Database failures: the approval fails with them.
pub async fn on_subsidy_approved(
    db: &impl ConnectionTrait,
    period: &subsidy_periods::Model,
) -> Result<(), AppError> {
    let mut totals: BTreeMap<i64, (i64, usize)> = BTreeMap::new();
    for item in subsidy_items::Entity::find()
        .filter(subsidy_items::Column::PeriodId.eq(period.id))
        .all(db)
        .await?
    {
        let (total, count) = totals.entry(item.mediator_id).or_default();
        *total = total.saturating_add(item.amount_fen);
        *count += 1;
    }
    for (mediator_id, (total_fen, item_count)) in totals {
        let data = json!({
            "period": period.period,
            "total_fen": total_fen,
            "total": money::format_yuan(total_fen),
            "item_count": item_count,
        });
        for recipient in mediator_recipients(db, mediator_id).await? {
            enqueue(
                db,
                NewNotification {
                    kind: Kind::SubsidyApproved,
                    case: None,
                    recipient,
                    data: data.clone(),
                },
            )
            .await?;
        }
    }
    Ok(())
}

async fn unit_name(db: &impl ConnectionTrait, id: i64) -> Result<String, AppError> {
    Ok(units::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}

/// The active coordinator accounts of a street hub.
///
/// # Errors
/// Database failures.
pub async fn coordinators_of_hub(
    db: &impl ConnectionTrait,
    hub_id: i64,
) -> Result<Vec<Recipient>, AppError> {
    Ok(users::Entity::find()
        .filter(users::Column::Role.eq(Role::Coordinator.as_str()))
        .filter(users::Column::UnitId.eq(hub_id))
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Recipient {
            user_id: Some(u.id),
            name: u.display_name,
            email: u.email,
        })
        .collect())
}

/// A mediator's active accounts (each with its own address, else the mediator record's), or the
/// mediator record alone when they have no account.
///
/// # Errors
/// Database failures.
pub async fn mediator_recipients(
    db: &impl ConnectionTrait,
    mediator_id: i64,
) -> Result<Vec<Recipient>, AppError> {
    let Some(mediator) = mediators::Entity::find_by_id(mediator_id).one(db).await? else {
        return Ok(Vec::new());
    };
    recipients_for(db, &mediator).await
}

async fn recipients_for(
    db: &impl ConnectionTrait,
    mediator: &mediators::Model,
) -> Result<Vec<Recipient>, AppError> {
    let accounts = users::Entity::find()
        .filter(users::Column::MediatorId.eq(mediator.id))
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    if accounts.is_empty() {
        return Ok(vec![Recipient {
            user_id: None,
            name: mediator.name.clone(),
            email: mediator.email.clone(),
        }]);
    }
    Ok(accounts
        .into_iter()
        .map(|u| Recipient {
            user_id: Some(u.id),
            name: u.display_name,
            email: u.email.or_else(|| mediator.email.clone()),
        })
        .collect())
}

/// Everyone reached through the active mediators of a unit.
///
/// # Errors
/// Database failures.
pub async fn mediators_of_unit(
    db: &impl ConnectionTrait,
    unit_id: i64,
) -> Result<Vec<Recipient>, AppError> {
    let mut all = Vec::new();
    for m in mediators::Entity::find()
        .filter(mediators::Column::UnitId.eq(unit_id))
        .filter(mediators::Column::Active.eq(true))
        .order_by_asc(mediators::Column::Id)
        .all(db)
        .await?
    {
        all.extend(recipients_for(db, &m).await?);
    }
    Ok(all)
}
