//! Sample cases for the demo street, taken in and moved through the workflow by the real services
//! (so numbers, grades, clocks and timelines are all genuine): some waiting at stations, some
//! escalated to the hub and referred to specialist rooms, accepted, extended, regraded, closed,
//! and some past their 15-day limit.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use entity::{cases, mediators, units};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use crate::domain::agreement::{Instalment, SessionOutcome};
use crate::domain::case_terms::{
    DisputeType, Grade, PartyKind, PartyRole, RiskFlag, Source, TeamRole,
};
use crate::domain::clocks;
use crate::domain::network::UnitKind;
use crate::domain::workflow::{Action, Outcome};
use crate::error::AppError;
use crate::services::auth::{user_by_username, CurrentUser};
use crate::services::cases::actions::{act, ActionRequest, Params};
use crate::services::cases::intake::{intake, IntakeInput, PartyInput};
use crate::services::cases::records::{self, AgreementInput, FollowUpInput, SessionInput};

pub(crate) const WORKERS: [&str; 12] = [
    "张小骑",
    "李师傅",
    "王大姐",
    "赵快递",
    "陈网约",
    "刘保洁",
    "孙木工",
    "周电工",
    "吴外卖",
    "郑司机",
    "冯阿姨",
    "褚小工",
];
pub(crate) const EMPLOYERS: [(&str, &str); 8] = [
    ("城东配送站", "某外卖平台"),
    ("顺达快递网点", "某快递公司"),
    ("畅行网约车服务部", "某出行平台"),
    ("家洁家政服务社", "某家政平台"),
    ("宏建建筑劳务公司", ""),
    ("精工电子厂", ""),
    ("美味餐饮店", ""),
    ("安居物业公司", ""),
];
pub(crate) const SUMMARIES: [&str; 8] = [
    "骑手称被拖欠两个月工资，站点以扣罚为由拒付。",
    "快递员在派件途中受伤，用人单位不认可工伤。",
    "网约车司机被平台解除合作，要求经济补偿。",
    "家政人员未缴社保，要求补缴并赔偿。",
    "工地班组工资结算争议，涉及多名工人。",
    "工厂连续加班未支付加班费。",
    "餐饮店员工被口头辞退，要求支付经济补偿。",
    "物业保安合同到期不续签，对补偿金额有争议。",
];

struct Actors {
    coordinator: CurrentUser,
    mediator: CurrentUser,
}

/// Takes `action` on `case` as `who`, recorded as having happened `days_after` its receipt (never
/// later than now).
async fn step(
    db: &DatabaseConnection,
    tz: Tz,
    who: &CurrentUser,
    case: &cases::Model,
    action: Action,
    params: Params,
    days_after: i64,
) -> Result<cases::Model, AppError> {
    let at = (case.received_at + Duration::days(days_after)).min(Utc::now());
    step_at(db, tz, who, case, action, params, at).await
}

/// Takes `action` on `case` as `who` at `at`, through the real workflow: the demo modules' one way
/// of moving a case.
///
/// # Errors
/// Whatever the workflow refuses.
pub async fn step_at(
    db: &DatabaseConnection,
    tz: Tz,
    who: &CurrentUser,
    case: &cases::Model,
    action: Action,
    params: Params,
    at: chrono::DateTime<Utc>,
) -> Result<cases::Model, AppError> {
    let outcome = match &params {
        Params::Close { outcome, .. } => Some(*outcome),
        _ => None,
    };
    act(
        db,
        tz,
        who,
        case.id,
        ActionRequest {
            action,
            version: Some(case.version),
            at: Some(at),
            note: None,
            params: Ok(params),
            outcome,
        },
    )
    .await
}

async fn first_mediator(db: &DatabaseConnection, unit_id: i64) -> Result<i64, AppError> {
    mediators::Entity::find()
        .filter(mediators::Column::UnitId.eq(unit_id))
        .order_by_asc(mediators::Column::Id)
        .one(db)
        .await?
        .map(|m| m.id)
        .ok_or_else(|| AppError::Internal(format!("demo unit {unit_id} has no mediator")))
}

/// When a demo meeting with the parties (a session, a signing) is held. Demo times are offsets
/// from when the demo was loaded, so their time of day is whatever the clock said then (22:50 at
/// night, say): `at` is moved into office hours of its local day (`clocks::within_office_hours`),
/// and back to the last office moment before now when that is still to come. Never before receipt.
pub fn meeting_at(at: DateTime<Utc>, received_at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let latest = clocks::latest_office_moment(Utc::now() - Duration::minutes(1), tz);
    clocks::within_office_hours(at, tz)
        .min(latest)
        .max(received_at)
}

/// A meeting `days` after the case's receipt (see [`meeting_at`]).
fn meeting_after(case: &cases::Model, days: i64, tz: Tz) -> DateTime<Utc> {
    meeting_at(
        case.received_at + Duration::days(days),
        case.received_at,
        tz,
    )
}

/// Sessions, and for some cases an agreement in instalments, a payment, a follow-up and a
/// resolved close, recorded through the same services as the pages use.
async fn mediate(
    db: &DatabaseConnection,
    tz: Tz,
    c: &CurrentUser,
    case: &cases::Model,
    lead: i64,
    i: usize,
) -> Result<(), AppError> {
    let outcome = if i % 12 == 1 {
        SessionOutcome::Agreement
    } else {
        SessionOutcome::Continue
    };
    records::record_session(
        db,
        tz,
        c,
        case.id,
        SessionInput {
            held_at: meeting_after(case, 2, tz),
            unit_id: case.current_unit_id,
            mediator_ids: vec![lead],
            attendees: "申请人、被申请人代表".into(),
            summary: "双方陈述事实，调解员释明法律规定，被申请人同意协商支付。".into(),
            outcome,
            next_session_at: None,
            version: None,
        },
    )
    .await?;
    if i % 12 != 1 {
        return Ok(());
    }
    let signed_at = meeting_after(case, 3, tz);
    let signed_on = crate::domain::clocks::local_date(signed_at, tz);
    let amount = (case.amount_claimed_fen / 2 / 100) * 100;
    let first = amount / 3;
    records::record_agreement(
        db,
        tz,
        c,
        case.id,
        AgreementInput {
            signed_at,
            matters: case.summary.clone(),
            terms: "被申请人分两期支付，申请人放弃其他请求。".into(),
            amount_fen: amount,
            instalments: vec![
                Instalment {
                    due_on: signed_on + Duration::days(1),
                    amount_fen: first,
                },
                Instalment {
                    due_on: signed_on + Duration::days(40),
                    amount_fen: amount - first,
                },
            ],
            version: None,
        },
    )
    .await?;
    if i % 24 == 1 {
        let today = crate::domain::clocks::local_date(Utc::now(), tz);
        records::mark_instalment(
            db,
            tz,
            c,
            case.id,
            1,
            Some((signed_on + Duration::days(1)).min(today)),
        )
        .await?;
        records::record_follow_up(
            db,
            tz,
            c,
            case.id,
            FollowUpInput {
                done_at: Utc::now() - Duration::minutes(1),
                result: "第一期已按时支付，申请人满意。".into(),
                satisfaction: 5,
                fulfilled: true,
            },
        )
        .await?;
    }
    Ok(())
}

/// When the steps of [`settle`] happen, and who sits in the session.
#[derive(Clone, Debug)]
pub struct Settlement {
    /// The mediators listed in the session record (the lead first).
    pub mediator_ids: Vec<i64>,
    pub session_at: DateTime<Utc>,
    pub signed_at: DateTime<Utc>,
    pub closed_at: DateTime<Utc>,
}

/// Settles an accepted (or reopened) case the way a mediator does, through the real services: a
/// session ending in agreement, an agreement paid on signing (half the claim, in whole yuan), then
/// a close with the outcome resolved. The session and the signing are held in office hours
/// ([`meeting_at`]); each time is kept at least a minute before now; they should be after receipt
/// and in order. A complex or major grade must be confirmed first.
///
/// # Errors
/// Whatever the services refuse (a case not accepted, an unconfirmed grade…), database failures.
pub async fn settle(
    db: &DatabaseConnection,
    tz: Tz,
    who: &CurrentUser,
    case: &cases::Model,
    s: Settlement,
) -> Result<cases::Model, AppError> {
    let latest = Utc::now() - Duration::minutes(1);
    records::record_session(
        db,
        tz,
        who,
        case.id,
        SessionInput {
            held_at: meeting_at(s.session_at, case.received_at, tz),
            unit_id: case.current_unit_id,
            mediator_ids: s.mediator_ids,
            attendees: "申请人、被申请人代表".into(),
            summary: "调解员释明法律规定，双方就支付金额和方式达成一致。".into(),
            outcome: SessionOutcome::Agreement,
            next_session_at: None,
            version: None,
        },
    )
    .await?;
    records::record_agreement(
        db,
        tz,
        who,
        case.id,
        AgreementInput {
            signed_at: meeting_at(s.signed_at, case.received_at, tz),
            matters: case.summary.clone(),
            terms: "被申请人于协议签订时一次性支付，申请人放弃其他请求。".into(),
            amount_fen: (case.amount_claimed_fen / 2 / 100) * 100,
            instalments: Vec::new(),
            version: None,
        },
    )
    .await?;
    let case = cases::Entity::find_by_id(case.id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    act(
        db,
        tz,
        who,
        case.id,
        ActionRequest {
            action: Action::Close,
            version: Some(case.version),
            at: Some(s.closed_at.min(latest)),
            note: None,
            params: Ok(Params::Close {
                outcome: Outcome::Resolved,
                reason: Some("双方达成协议并当场履行，调解成功。".into()),
            }),
            outcome: Some(Outcome::Resolved),
        },
    )
    .await
}

/// Loads the sample cases, only when there are none yet.
///
/// # Errors
/// Database failures, or a demo street that is not the one `demo::load_if_empty` builds.
pub async fn load_if_empty(db: &DatabaseConnection, tz: Tz) -> Result<u64, AppError> {
    if cases::Entity::find().count(db).await? > 0 {
        return Ok(0);
    }
    let actors = Actors {
        coordinator: user_by_username(db, "coordinator").await?,
        mediator: user_by_username(db, "mediator").await?,
    };
    let all_units = units::Entity::find()
        .order_by_asc(units::Column::Id)
        .all(db)
        .await?;
    let station_ids: Vec<i64> = all_units
        .iter()
        .filter(|u| UnitKind::from(u.kind) == UnitKind::VillageStation)
        .map(|u| u.id)
        .collect();
    let room_ids: Vec<i64> = all_units
        .iter()
        .filter(|u| UnitKind::from(u.kind) == UnitKind::SpecialistRoom)
        .map(|u| u.id)
        .collect();
    let own_station = actors
        .mediator
        .unit_id
        .ok_or_else(|| AppError::Internal("demo mediator has no unit".into()))?;
    let now = Utc::now();
    let mut count = 0;
    for i in 0..36usize {
        // Cases of the demo mediator's own station can be escalated by that mediator.
        let escalating = i % 6 == 2;
        let unit_id = if escalating {
            own_station
        } else {
            station_ids[(i * 5) % station_ids.len()]
        };
        let taker = if unit_id == own_station {
            &actors.mediator
        } else {
            &actors.coordinator
        };
        let dispute_type = DisputeType::ALL[i % DisputeType::ALL.len()];
        let source = Source::ALL[(i * 3) % Source::ALL.len()];
        let (employer, platform) = EMPLOYERS[i % EMPLOYERS.len()];
        let people = match i % 9 {
            4 => 12,
            8 => 35,
            _ => 1 + (i % 3) as i32,
        };
        let risk_flags = if i % 11 == 5 {
            vec![RiskFlag::MediaAttention]
        } else {
            Vec::new()
        };
        let received_at =
            now - Duration::days(2 + (i as i64 * 2) % 48) - Duration::hours((i % 7) as i64);
        let input = IntakeInput {
            intake_unit_id: unit_id,
            dispute_type,
            source,
            summary: SUMMARIES[i % SUMMARIES.len()].to_owned(),
            amount_claimed_fen: 300_000 + (i as i64 * 731_300) % 25_000_000,
            people_involved: people,
            risk_flags,
            received_at: Some(received_at),
            infringement_known_on: (dispute_type != DisputeType::WageArrears)
                .then(|| (received_at - Duration::days(40 + i as i64)).date_naive()),
            employment_ended_on: None,
            parties: vec![
                PartyInput {
                    role: PartyRole::Applicant,
                    kind: PartyKind::Person,
                    name: WORKERS[i % WORKERS.len()].to_owned(),
                    id_number: Some(format!(
                        "3301041990{:02}{:02}{:04}",
                        1 + i % 12,
                        1 + i % 28,
                        1000 + i * 37
                    )),
                    phone: Some(format!("1395710{:04}", 1000 + i * 13)),
                    organisation: None,
                },
                PartyInput {
                    role: PartyRole::Respondent,
                    kind: PartyKind::Organisation,
                    name: employer.to_owned(),
                    id_number: None,
                    phone: None,
                    organisation: (!platform.is_empty()).then(|| platform.to_owned()),
                },
            ],
        };
        let case = intake(db, tz, taker, input).await?;
        count += 1;
        let c = &actors.coordinator;
        match i % 6 {
            // Waiting at the station (the older ones are overdue).
            0 => {}
            1 => {
                let lead = first_mediator(db, unit_id).await?;
                let case = step(
                    db,
                    tz,
                    c,
                    &case,
                    Action::Accept,
                    Params::Accept {
                        lead_mediator_id: lead,
                    },
                    1,
                )
                .await?;
                mediate(db, tz, c, &case, lead, i).await?;
            }
            2 => {
                let case = step(
                    db,
                    tz,
                    &actors.mediator,
                    &case,
                    Action::Escalate,
                    Params::Escalate {
                        reason: "涉及平台用工，村里协调不动，请街道统筹。".into(),
                    },
                    1,
                )
                .await?;
                if i % 12 == 2 {
                    // Referred on to a specialist room and accepted there, with a co-mediator.
                    let room = room_ids[(i / 6) % room_ids.len()];
                    let case = step(
                        db,
                        tz,
                        c,
                        &case,
                        Action::Refer,
                        Params::Refer {
                            unit_id: room,
                            reason: Some("需要部门介入".into()),
                        },
                        2,
                    )
                    .await?;
                    let lead = first_mediator(db, room).await?;
                    let case = step(
                        db,
                        tz,
                        c,
                        &case,
                        Action::Accept,
                        Params::Accept {
                            lead_mediator_id: lead,
                        },
                        3,
                    )
                    .await?;
                    let co = first_mediator(db, own_station).await?;
                    step(
                        db,
                        tz,
                        c,
                        &case,
                        Action::Assign,
                        Params::Assign {
                            mediator_id: co,
                            role: TeamRole::Co,
                        },
                        3,
                    )
                    .await?;
                }
            }
            3 => {
                let lead = first_mediator(db, unit_id).await?;
                let case = step(
                    db,
                    tz,
                    c,
                    &case,
                    Action::Accept,
                    Params::Accept {
                        lead_mediator_id: lead,
                    },
                    1,
                )
                .await?;
                step(
                    db,
                    tz,
                    c,
                    &case,
                    Action::Extend,
                    Params::Extend {
                        days: 10,
                        reason: "双方同意延长调解期限。".into(),
                    },
                    2,
                )
                .await?;
            }
            4 => {
                let lead = first_mediator(db, unit_id).await?;
                let case = step(
                    db,
                    tz,
                    c,
                    &case,
                    Action::Accept,
                    Params::Accept {
                        lead_mediator_id: lead,
                    },
                    1,
                )
                .await?;
                let (outcome, reason) = if i % 12 == 4 {
                    (
                        Outcome::Failed,
                        "双方分歧较大，已告知申请人可申请劳动仲裁。",
                    )
                } else {
                    (Outcome::Withdrawn, "申请人撤回调解申请。")
                };
                step(
                    db,
                    tz,
                    c,
                    &case,
                    Action::Close,
                    Params::Close {
                        outcome,
                        reason: Some(reason.into()),
                    },
                    3,
                )
                .await?;
            }
            _ => {
                step(
                    db,
                    tz,
                    c,
                    &case,
                    Action::Regrade,
                    Params::Regrade {
                        grade: Grade::Complex,
                        reason: "涉及多个用工主体，按疑难复杂办理。".into(),
                    },
                    1,
                )
                .await?;
            }
        }
    }
    tracing::info!(cases = count, "demo cases loaded");
    Ok(count)
}
