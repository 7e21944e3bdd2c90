//! The demo street loaded into an empty database by a plain `cargo run`: one hub (code `JB`),
//! 23 village and community stations, four specialist rooms, seven mentor workstations, eleven
//! full-time mediators, mentors, volunteers and gold-medal mediators, and one account per role.
//! Names are invented; the sizes follow the "1+23+3N" network of DESIGN §1.

use chrono::{NaiveDate, Utc};
use entity::terms::{Background, Employment};
use entity::{mediators, units, users};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};

use crate::db::begin_write;
use crate::domain::case_terms::DisputeType;
use crate::domain::network::{Department, UnitKind};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::auth;

/// The password of every demo account (printed at start; change it before real use).
pub const DEMO_PASSWORD: &str = "tiaojie-demo-2026";

/// The demo accounts: (username, display name, role).
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 5] = [
    ("admin", "系统管理员", Role::Admin),
    ("coordinator", "协调中心 周主任", Role::Coordinator),
    ("mediator", "调解员 陈建华", Role::Mediator),
    ("finance", "财务 李会计", Role::Finance),
    ("viewer", "街道领导 王书记", Role::Viewer),
];

pub(crate) const STATIONS: [&str; 23] = [
    "三堡村",
    "五堡村",
    "六堡村",
    "七堡村",
    "八堡村",
    "东溪村",
    "西溪村",
    "南湖社区",
    "北岸社区",
    "杨柳社区",
    "桂花社区",
    "梧桐社区",
    "春晖社区",
    "明月社区",
    "丰收村",
    "永安村",
    "和平社区",
    "新塘社区",
    "沿江社区",
    "创业社区",
    "幸福里社区",
    "德胜社区",
    "兴业社区",
];

pub(crate) const ROOMS: [(&str, &str, Department); 4] = [
    ("JB-JM", "警民联动工作室", Department::Police),
    ("JB-ZF", "行政执法工作室", Department::AdminEnforcement),
    ("JB-SJ", "市场监管工作室", Department::MarketSupervision),
    ("JB-LJ", "劳动监察工作室", Department::LabourInspection),
];

pub(crate) const WORKSTATIONS: [&str; 7] = [
    "老沈说和",
    "阿姨帮帮团",
    "律师在身边",
    "老娘舅",
    "和事佬",
    "贴心大姐",
    "法润民心",
];

const SURNAMES: [&str; 20] = [
    "陈", "王", "李", "张", "刘", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭",
    "何", "高", "林", "沈",
];
const GIVEN: [&str; 24] = [
    "建华", "秀英", "国强", "丽萍", "志明", "美玲", "海涛", "桂芳", "文斌", "晓燕", "德福", "玉兰",
    "永康", "春梅", "卫东", "雪芬", "立新", "金凤", "宏伟", "小红", "伟民", "爱琴", "天佑", "慧敏",
];

/// Who the loaded demo street lets people sign in as.
#[derive(Debug)]
pub struct DemoSummary {
    pub units: u64,
    pub mediators: u64,
}

pub(crate) fn name(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i * 7 + i / 20) % GIVEN.len()]
    )
}

pub(crate) fn specialties(i: usize) -> String {
    let all = DisputeType::ALL;
    let a = all[i % all.len()].as_str();
    let b = all[(i + 3) % all.len()].as_str();
    format!("[\"{a}\",\"{b}\"]")
}

/// Loads the demo street, but only into a database without any unit (never over real data).
/// Returns `None` when the database already had units.
///
/// # Errors
/// Database failures; nothing is written unless everything is.
pub async fn load_if_empty(db: &DatabaseConnection) -> Result<Option<DemoSummary>, AppError> {
    if units::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    let password_hash = auth::hash_password(DEMO_PASSWORD).await?;
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let unit = |code: String,
                name: String,
                kind: UnitKind,
                parent: Option<i64>,
                dept: Option<Department>| {
        units::ActiveModel {
            code: Set(code),
            name: Set(name),
            kind: Set(kind.into()),
            parent_id: Set(parent),
            department: Set(dept.map(Into::into)),
            address: Set(None),
            phone: Set(None),
            active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    };
    let mut hub = unit(
        "JB".into(),
        "街道和谐劳动关系工作站（矛盾纠纷调处化解中心）".into(),
        UnitKind::StreetHub,
        None,
        None,
    );
    // The public contact of the hub and the stations, printed on receipts (DESIGN §10).
    hub.address = Set(Some("九堡街道办事处一楼矛盾纠纷调处化解中心".to_owned()));
    hub.phone = Set(Some("0571-86000000".to_owned()));
    let hub = hub.insert(&txn).await?;
    let mut stations = Vec::new();
    for (i, s) in STATIONS.iter().enumerate() {
        let mut station = unit(
            format!("JB-C{:02}", i + 1),
            format!("{s}和谐劳动关系工作站"),
            UnitKind::VillageStation,
            Some(hub.id),
            None,
        );
        station.address = Set(Some(format!("{s}社区服务中心二楼")));
        station.phone = Set(Some(format!("0571-8600{:04}", 1001 + i)));
        let u = station.insert(&txn).await?;
        stations.push(u.id);
    }
    let mut rooms = Vec::new();
    for (code, room, dept) in ROOMS {
        let u = unit(
            code.into(),
            room.into(),
            UnitKind::SpecialistRoom,
            Some(hub.id),
            Some(dept),
        )
        .insert(&txn)
        .await?;
        rooms.push(u.id);
    }
    let mut workstations = Vec::new();
    for (i, w) in WORKSTATIONS.iter().enumerate() {
        let u = unit(
            format!("JB-DS{}", i + 1),
            format!("“{w}”治社导师工作站"),
            UnitKind::MentorWorkstation,
            Some(hub.id),
            None,
        )
        .insert(&txn)
        .await?;
        workstations.push(u.id);
    }

    let mut n = 0usize;
    let mut mediator = |unit_id: i64,
                        employment: Employment,
                        background: Background,
                        gold: bool,
                        mentor: bool,
                        years: i32,
                        max_open: i32| {
        n += 1;
        mediators::ActiveModel {
            name: Set(name(n)),
            phone: Set(Some(format!("139{:08}", 57_100_000 + n * 137))),
            email: Set(None),
            unit_id: Set(unit_id),
            employment: Set(employment),
            background: Set(background),
            gold_medal: Set(gold),
            gold_medal_since: Set(gold
                .then(|| NaiveDate::from_ymd_opt(2021 + (n % 4) as i32, 1 + (n % 12) as u32, 1))
                .flatten()),
            is_mentor: Set(mentor),
            years_experience: Set(years),
            specialties: Set(specialties(n)),
            max_open_cases: Set(max_open),
            active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    };
    let mut first_station_mediator = None;
    // Eleven full-time mediators, seven of them with ten years or more: six at the hub, one in
    // each specialist room, one more in the labour-inspection room.
    for i in 0..11 {
        let unit_id = match i {
            0..=5 => hub.id,
            6..=9 => rooms[i - 6],
            _ => rooms[3],
        };
        let years = if i < 7 {
            10 + i as i32
        } else {
            3 + i as i32 % 4
        };
        mediator(
            unit_id,
            Employment::FullTime,
            Background::CivilServant,
            i < 4,
            i < 2,
            years,
            15,
        )
        .insert(&txn)
        .await?;
    }
    // Mentors: three in each mentor workstation, all gold-medal.
    for &unit_id in &workstations {
        let backgrounds = [
            Background::RetiredCadre,
            Background::Lawyer,
            Background::LocalGentry,
        ];
        for (j, bg) in backgrounds.into_iter().enumerate() {
            mediator(
                unit_id,
                Employment::PartTime,
                bg,
                true,
                true,
                12 + j as i32,
                8,
            )
            .insert(&txn)
            .await?;
        }
    }
    // Two volunteers at every station (乡贤, 楼道长, 驻村律师, 社会组织…), some of them gold-medal.
    let station_backgrounds = super::VOLUNTEER_BACKGROUNDS;
    for (s, &unit_id) in stations.iter().enumerate() {
        for j in 0..2 {
            let k = s * 2 + j;
            let m = mediator(
                unit_id,
                Employment::PartTime,
                station_backgrounds[k % station_backgrounds.len()],
                k % 5 == 0,
                false,
                1 + (k % 9) as i32,
                5,
            )
            .insert(&txn)
            .await?;
            if first_station_mediator.is_none() {
                first_station_mediator = Some(m);
            }
        }
    }
    let station_mediator = first_station_mediator
        .ok_or_else(|| AppError::Internal("demo street has no station mediator".into()))?;

    for (username, display_name, role) in DEMO_ACCOUNTS {
        let (unit_id, mediator_id) = match role {
            Role::Mediator => (Some(station_mediator.unit_id), Some(station_mediator.id)),
            Role::Coordinator | Role::Finance | Role::Viewer => (Some(hub.id), None),
            Role::Admin => (None, None),
        };
        let display_name = if role == Role::Mediator {
            format!("调解员 {}", station_mediator.name)
        } else {
            display_name.to_owned()
        };
        users::ActiveModel {
            username: Set(username.to_owned()),
            display_name: Set(display_name),
            password_hash: Set(password_hash.clone()),
            role: Set(role.into()),
            unit_id: Set(unit_id),
            mediator_id: Set(mediator_id),
            email: Set(None),
            active: Set(true),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    let summary = DemoSummary {
        units: units::Entity::find().count(db).await?,
        mediators: mediators::Entity::find().count(db).await?,
    };
    tracing::info!(
        units = summary.units,
        mediators = summary.mediators,
        "demo street loaded"
    );
    Ok(Some(summary))
}

/// What [`load_street_with_cases`] loaded, for the start-up message.
#[derive(Debug)]
pub struct DemoStreet {
    pub summary: DemoSummary,
    pub cases: u64,
    pub mentorships: u64,
    pub subsidy_periods: Vec<String>,
}

/// The whole demo of a plain `cargo run`: the street, its cases through the real workflow, the
/// mentor-apprentice pairs and the subsidy periods. Only into a database without any unit.
///
/// # Errors
/// Database failures.
pub async fn load_street_with_cases(
    db: &DatabaseConnection,
    tz: chrono_tz::Tz,
) -> Result<Option<DemoStreet>, AppError> {
    let Some(summary) = load_if_empty(db).await? else {
        return Ok(None);
    };
    let cases = super::cases::load_if_empty(db, tz).await?;
    // Before the subsidy periods, so that the draft period counts the pairs' closings.
    let mentorships = super::mentorships::load_if_empty(db, tz).await?;
    let subsidy_periods = super::subsidy::load_demo(db, tz).await?.periods;
    Ok(Some(DemoStreet {
        summary,
        cases,
        mentorships,
        subsidy_periods,
    }))
}
