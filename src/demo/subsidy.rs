//! Subsidy periods for the demo street: three months back a paid period, two months back an
//! approved one, last month a draft — with one case awarded three months back, reopened, regraded
//! and re-closed last month, so the draft also shows an adjustment. Every case is settled through
//! the real services (a session, an agreement paid on signing and a resolved close, see
//! [`settle`]), with backdated times.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use entity::{cases, mediators, subsidy_periods, units};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use crate::demo::cases::{settle, step_at, Settlement};
use crate::domain::case_terms::{DisputeType, Grade, PartyKind, PartyRole, Source, TeamRole};
use crate::domain::subsidy::{Period, PeriodKind};
use crate::domain::workflow::Action;
use crate::error::AppError;
use crate::services::auth::{user_by_username, CurrentUser};
use crate::services::cases::actions::Params;
use crate::services::cases::intake::{intake, IntakeInput, PartyInput};
use crate::services::command::Ready;
use crate::services::subsidy;

/// What the demo loaded.
#[derive(Clone, Debug, Default)]
pub struct DemoSubsidies {
    pub periods: Vec<String>,
    pub cases: u64,
}

/// Loads the demo periods into a database that has the demo street and no period yet; does nothing
/// (and returns an empty summary) when any period exists.
///
/// # Errors
/// Database failures, or a street without the demo accounts.
pub async fn load_demo(db: &DatabaseConnection, tz: Tz) -> Result<DemoSubsidies, AppError> {
    if subsidy_periods::Entity::find().count(db).await? > 0 {
        return Ok(DemoSubsidies::default());
    }
    let finance = user_by_username(db, "finance").await?;
    let coordinator = user_by_username(db, "coordinator").await?;
    let stations: Vec<i64> = units::Entity::find()
        .filter(units::Column::Kind.eq("village_station"))
        .filter(units::Column::Active.eq(true))
        .order_by_asc(units::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    if stations.len() < 3 {
        return Err(AppError::Internal("the demo street has no stations".into()));
    }
    let now = Utc::now();
    let this_month = Period::containing(now, tz, PeriodKind::Month);
    let paid = this_month.previous().previous().previous();
    let approved = this_month.previous().previous();
    let draft = this_month.previous();
    let mut summary = DemoSubsidies::default();

    // Three months back: awarded, approved and paid.
    let paid_cases = resolved_cases(db, tz, &coordinator, &stations, paid, 0, &mut summary).await?;
    let p = subsidy::create_period(db, &finance, tz, Ready::new(paid)).await?;
    let p = subsidy::approve(db, &finance, tz, p.id, versioned(p.version)).await?;
    let paid_today = Ready {
        version: Some(p.version),
        params: None,
    };
    subsidy::mark_paid(db, &finance, tz, p.id, paid_today).await?;
    summary.periods.push(paid.to_string());

    // One of them breached: reopened last month, regraded major (the coordinator's regrade is its
    // confirmation), a new agreement signed and resolved again.
    if let Some((case, team)) = paid_cases.first() {
        let (start, _) = draft
            .bounds(tz)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let reopen_at = start + Duration::days(2);
        let case = step(
            db,
            tz,
            &coordinator,
            case,
            Action::Reopen,
            Params::Reopen {
                reason: "用人单位未按协议付款，重新调解。".into(),
            },
            reopen_at,
        )
        .await?;
        let case = step(
            db,
            tz,
            &coordinator,
            &case,
            Action::Regrade,
            Params::Regrade {
                grade: Grade::Major,
                reason: "涉及多名工人欠薪，按重大疑难办理。".into(),
            },
            reopen_at + Duration::hours(1),
        )
        .await?;
        settle(
            db,
            tz,
            &coordinator,
            &case,
            Settlement {
                mediator_ids: team.clone(),
                session_at: reopen_at + Duration::days(1),
                signed_at: reopen_at + Duration::days(3),
                closed_at: reopen_at + Duration::days(4),
            },
        )
        .await?;
    }

    // Two months back: approved, not yet paid.
    resolved_cases(db, tz, &coordinator, &stations, approved, 1, &mut summary).await?;
    let p = subsidy::create_period(db, &finance, tz, Ready::new(approved)).await?;
    subsidy::approve(db, &finance, tz, p.id, versioned(p.version)).await?;
    summary.periods.push(approved.to_string());

    // Last month: a draft for the clerk to check.
    resolved_cases(db, tz, &coordinator, &stations, draft, 2, &mut summary).await?;
    subsidy::create_period(db, &finance, tz, Ready::new(draft)).await?;
    summary.periods.push(draft.to_string());
    tracing::info!(periods = ?summary.periods, "demo subsidy periods loaded");
    Ok(summary)
}

async fn step(
    db: &DatabaseConnection,
    tz: Tz,
    who: &CurrentUser,
    case: &cases::Model,
    action: Action,
    params: Params,
    at: DateTime<Utc>,
) -> Result<cases::Model, AppError> {
    step_at(db, tz, who, case, action, params, at.min(Utc::now())).await
}

async fn mediators_of(db: &DatabaseConnection, unit_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(mediators::Entity::find()
        .filter(mediators::Column::UnitId.eq(unit_id))
        .filter(mediators::Column::Active.eq(true))
        .order_by_asc(mediators::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

/// Six cases received and resolved inside `period`: some by the lead alone, some with a
/// co-mediator from another station and an apprentice, of every grade. Each comes with its team
/// (the lead first).
async fn resolved_cases(
    db: &DatabaseConnection,
    tz: Tz,
    coordinator: &CurrentUser,
    stations: &[i64],
    period: Period,
    salt: usize,
    summary: &mut DemoSubsidies,
) -> Result<Vec<(cases::Model, Vec<i64>)>, AppError> {
    let (start, _) = period
        .bounds(tz)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut out = Vec::new();
    for i in 0..6usize {
        let unit_id = stations[(i * 7 + salt * 3) % stations.len()];
        let received_at = start + Duration::days(1 + 3 * i as i64) + Duration::hours(2);
        let (people, amount) = match i % 3 {
            0 => (1, 300_000),
            1 => (4, 1_500_000),
            _ => (2, 800_000),
        };
        let case = intake(
            db,
            tz,
            coordinator,
            IntakeInput {
                intake_unit_id: unit_id,
                dispute_type: DisputeType::ALL[(i + salt) % DisputeType::ALL.len()],
                source: Source::WalkIn,
                summary: "演示：工资结算争议，经调解达成协议并履行。".into(),
                amount_claimed_fen: amount,
                people_involved: people,
                risk_flags: Vec::new(),
                received_at: Some(received_at),
                infringement_known_on: None,
                employment_ended_on: None,
                parties: vec![
                    PartyInput {
                        role: PartyRole::Applicant,
                        kind: PartyKind::Person,
                        name: ["吴外卖", "冯阿姨", "孙木工", "周电工", "郑司机", "刘保洁"][i]
                            .into(),
                        id_number: None,
                        phone: None,
                        organisation: None,
                    },
                    PartyInput {
                        role: PartyRole::Respondent,
                        kind: PartyKind::Organisation,
                        name: ["城东配送站", "家洁家政服务社", "宏建建筑劳务公司"][i % 3].into(),
                        id_number: None,
                        phone: None,
                        organisation: None,
                    },
                ],
            },
        )
        .await?;
        summary.cases += 1;
        let own = mediators_of(db, unit_id).await?;
        let other = mediators_of(db, stations[(i * 7 + salt * 3 + 1) % stations.len()]).await?;
        let Some(lead) = own.first().copied() else {
            continue;
        };
        let mut team = vec![lead];
        let mut case = step(
            db,
            tz,
            coordinator,
            &case,
            Action::Accept,
            Params::Accept {
                lead_mediator_id: lead,
            },
            received_at + Duration::days(1),
        )
        .await?;
        if i % 2 == 1 {
            if let Some(co) = other.first().copied() {
                case = step(
                    db,
                    tz,
                    coordinator,
                    &case,
                    Action::Assign,
                    Params::Assign {
                        mediator_id: co,
                        role: TeamRole::Co,
                    },
                    received_at + Duration::days(1) + Duration::hours(1),
                )
                .await?;
                team.push(co);
            }
            if let Some(apprentice) = own.get(1).copied() {
                case = step(
                    db,
                    tz,
                    coordinator,
                    &case,
                    Action::Assign,
                    Params::Assign {
                        mediator_id: apprentice,
                        role: TeamRole::Apprentice,
                    },
                    received_at + Duration::days(1) + Duration::hours(2),
                )
                .await?;
                team.push(apprentice);
            }
        }
        if i == 4 {
            // A complex case: the coordinator's regrade is also its confirmation.
            case = step(
                db,
                tz,
                coordinator,
                &case,
                Action::Regrade,
                Params::Regrade {
                    grade: Grade::Complex,
                    reason: "涉及平台与劳务公司多方主体。".into(),
                },
                received_at + Duration::days(2),
            )
            .await?;
        }
        let case = settle(
            db,
            tz,
            coordinator,
            &case,
            Settlement {
                mediator_ids: team.clone(),
                session_at: received_at + Duration::days(2) + Duration::hours(4),
                signed_at: received_at + Duration::days(4),
                closed_at: received_at + Duration::days(5),
            },
        )
        .await?;
        out.push((case, team));
    }
    Ok(out)
}

/// A period step as the finance clerk who saw `version` asks it.
fn versioned(version: i32) -> Ready<()> {
    Ready {
        version: Some(version),
        params: (),
    }
}
