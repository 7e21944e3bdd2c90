//! `mediation seed --cases N [--streets K] [--seed S]`: a province-sized database for benchmarks
//! and load tests (issue 13).
//!
//! K streets, each with the "1+23+3N" network (the demo street `JB` first, then `S002`, `S003`…)
//! and a roster of [`ROSTER`] mediators; N cases spread over the ten years before today, numbered
//! gap-free per hub and year (the counters are set to match), each with two or more parties and
//! the history its life implies: acceptance, the lead (sometimes a co-mediator or a mentor's
//! apprentice), sessions, an agreement with instalments, follow-up visits, the closing. Every case
//! lives a whole plausible life that is then cut at the present moment, so the statuses follow
//! from the dates (old cases closed, a few long instalment plans still agreed, this month's cases
//! still running, a few stuck ones overdue). Mentor-apprentice pairs and the last three months'
//! subsidy periods (approved and paid) complete it.
//!
//! Deterministic from the seed and the day it runs (the ten years end yesterday). Rows are written
//! in multi-row inserts, [`CHUNK`] cases to a transaction, with explicit ids so that children need
//! no read-back.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use entity::terms::{Background, Employment, MentorshipStatus, SessionOutcome};
use entity::{
    agreement_instalments, agreements, case_assignments, case_counters, case_events, case_parties,
    case_session_mediators, case_sessions, cases, follow_ups, mediators, mentorships, units, users,
};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use serde_json::json;

use crate::demo::street as demo;
use crate::domain::case_terms::{DisputeType, PartyKind, PartyRole, RiskFlag, Source, TeamRole};
use crate::domain::clocks::{self, Calendar};
use crate::domain::grading::{self, GradingInput};
use crate::domain::network::{Department, UnitKind};
use crate::domain::role::Role;
use crate::domain::subsidy::Period;
use crate::domain::workflow::{Action, EventKind, Outcome, Status};
use crate::error::AppError;
use crate::services::cases::name_search;
use crate::services::command::Ready;
use crate::services::{auth, calendar, settings, subsidy};

/// Mediators per street once seeded (the demo street's own are counted).
pub const ROSTER: usize = 300;
/// Cases per transaction.
pub const CHUNK: usize = 2_000;
/// Query parameters per multi-row insert: under SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMS: usize = 30_000;
/// Mentor-apprentice pairs per street.
const PAIRS: usize = 12;
/// Days of history.
const YEARS_DAYS: i64 = 3_652;

/// What to seed.
#[derive(Clone, Copy, Debug)]
pub struct SeedOptions {
    pub cases: u64,
    pub streets: u32,
    pub seed: u64,
}

/// What was written, for the closing message.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub streets: usize,
    pub mediators: u64,
    pub cases: u64,
    pub rows: u64,
    pub mentorships: u64,
    pub subsidy_periods: Vec<String>,
    pub seconds: f64,
}

/// One street as the generator uses it.
struct Street {
    hub: units::Model,
    stations: Vec<i64>,
    rooms: Vec<i64>,
    /// Mediators by unit.
    roster: HashMap<i64, Vec<i64>>,
    /// Active-at-the-time pairs: (mentor, apprentice, from, to).
    pairs: Vec<(i64, i64, NaiveDate, Option<NaiveDate>)>,
    actor: i64,
}

/// Seeds `opts.cases` cases over `opts.streets` streets (creating the streets that are missing).
///
/// # Errors
/// `opts.cases` of 0 or `opts.streets` of 0 (422), database failures.
pub async fn seed(
    db: &DatabaseConnection,
    tz: Tz,
    opts: SeedOptions,
) -> Result<SeedReport, AppError> {
    if opts.cases == 0 {
        return Err(AppError::field(
            "cases",
            crate::error::Message::key("err-required"),
        ));
    }
    if opts.streets == 0 {
        return Err(AppError::field(
            "streets",
            crate::error::Message::key("err-required"),
        ));
    }
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(opts.seed);
    demo::load_if_empty(db).await?;
    let today = clocks::local_date(Utc::now(), tz);
    let streets = streets(db, tz, &mut rng, opts.streets as usize, today).await?;
    let cal = calendar::load(db).await?;
    let thresholds = settings::grading_thresholds(db).await?;
    let now = Utc::now();

    let bar = ProgressBar::new(opts.cases);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} cases  {per_sec}  ETA {eta}",
        )
        .map_err(|e| AppError::Internal(e.to_string()))?
        .progress_chars("=> "),
    );
    let mut ids = Ids::after_existing(db).await?;
    let mut report = SeedReport {
        streets: streets.len(),
        ..SeedReport::default()
    };
    // Each chunk is written by a task of its own while the next one is generated, so that the
    // generator and the database (SQLite's connection thread, or the PostgreSQL server) each keep
    // a core busy. One chunk waits at most: memory stays at two chunks.
    let (chunks, mut to_write) = tokio::sync::mpsc::channel::<(Rows, u64)>(1);
    let writer = {
        let db = db.clone();
        let bar = bar.clone();
        tokio::spawn(async move {
            let mut written = 0;
            while let Some((mut rows, cases)) = to_write.recv().await {
                let txn = db.begin().await?;
                written += rows.write(&txn).await?;
                txn.commit().await?;
                bar.inc(cases);
            }
            Ok::<u64, AppError>(written)
        })
    };
    let mut case_numbers = Vec::new();
    let per_street = opts.cases / streets.len() as u64;
    for (s, street) in streets.iter().enumerate() {
        let n = if s == 0 {
            opts.cases - per_street * (streets.len() as u64 - 1)
        } else {
            per_street
        };
        let mut counters: HashMap<i32, i64> = case_counters::Entity::find()
            .filter(case_counters::Column::HubId.eq(street.hub.id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.year, c.last_seq))
            .collect();
        let first_day = today - Duration::days(YEARS_DAYS);
        let mut j = 0u64;
        while j < n {
            let end = (j + CHUNK as u64).min(n);
            let mut rows = Rows::default();
            for k in j..end {
                // Cases spread evenly over the days, in office hours, in the order received.
                let day_of = |k: u64| (k as i128 * i128::from(YEARS_DAYS) / n as i128) as i64;
                let first_of = |d: i64| {
                    ((i128::from(d) * n as i128 + i128::from(YEARS_DAYS) - 1)
                        / i128::from(YEARS_DAYS)) as u64
                };
                let d = day_of(k);
                let in_day = first_of(d + 1).saturating_sub(first_of(d)).max(1);
                let nth = k.saturating_sub(first_of(d));
                let day = first_day + Duration::days(d);
                let minutes = 510.0 + (nth as f64 + 0.5) * 540.0 / in_day as f64;
                let received_at = at_local(day, tz, minutes);
                let year = day.year();
                let seq = counters.entry(year).or_insert(0);
                *seq += 1;
                let case_no = format!("{}-{year}-{:05}", street.hub.code, *seq);
                one_case(
                    &mut rng,
                    &mut ids,
                    &mut rows,
                    Ctx {
                        street,
                        tz,
                        cal: &cal,
                        thresholds: &thresholds,
                        now,
                        today,
                    },
                    case_no,
                    received_at,
                );
            }
            if chunks.send((rows, end - j)).await.is_err() {
                // The writer stopped on an error: it is reported below.
                break;
            }
            j = end;
        }
        report.cases += n;
        case_numbers.extend(counters.into_iter().map(|(year, last_seq)| {
            case_counters::ActiveModel {
                hub_id: Set(street.hub.id),
                year: Set(year),
                last_seq: Set(last_seq),
            }
        }));
    }
    drop(chunks);
    report.rows += writer
        .await
        .map_err(|e| AppError::Internal(format!("the seeding writer stopped: {e}")))??;
    case_counters::Entity::insert_many(case_numbers)
        .on_conflict(
            OnConflict::columns([case_counters::Column::HubId, case_counters::Column::Year])
                .update_column(case_counters::Column::LastSeq)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    bar.finish();
    if db.get_database_backend() == DatabaseBackend::Postgres {
        for table in ["cases", "case_sessions", "agreements"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .await?;
        }
    }
    // The cases went in as batches of rows, past the services that keep the counters.
    crate::services::stats::counters::rebuild(db, tz).await?;
    db.execute_unprepared("ANALYZE").await?;
    report.subsidy_periods = subsidy_periods(db, tz, today).await?;
    report.mediators = mediators::Entity::find().count(db).await?;
    report.mentorships = mentorships::Entity::find().count(db).await?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The next free id of the tables whose ids the generator gives out itself.
struct Ids {
    case: i64,
    session: i64,
    agreement: i64,
}

impl Ids {
    async fn after_existing(db: &DatabaseConnection) -> Result<Ids, AppError> {
        let max = |table: &str| {
            let sql = format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}");
            let backend = db.get_database_backend();
            async move {
                let row = db
                    .query_one_raw(Statement::from_string(backend, sql))
                    .await?
                    .ok_or_else(|| AppError::Internal("no max row".into()))?;
                Ok::<i64, AppError>(row.try_get::<i64>("", "m")? + 1)
            }
        };
        Ok(Ids {
            case: max("cases").await?,
            session: max("case_sessions").await?,
            agreement: max("agreements").await?,
        })
    }
}

/// The rows of one chunk of cases, written table by table.
#[derive(Default)]
struct Rows {
    cases: Vec<cases::ActiveModel>,
    parties: Vec<case_parties::ActiveModel>,
    events: Vec<case_events::ActiveModel>,
    team: Vec<case_assignments::ActiveModel>,
    sessions: Vec<case_sessions::ActiveModel>,
    session_mediators: Vec<case_session_mediators::ActiveModel>,
    agreements: Vec<agreements::ActiveModel>,
    instalments: Vec<agreement_instalments::ActiveModel>,
    follow_ups: Vec<follow_ups::ActiveModel>,
}

/// Inserts `rows` in multi-row statements of at most [`PARAMS`] parameters.
macro_rules! insert_batched {
    ($txn:expr, $entity:path, $rows:expr, $cols:expr) => {{
        let rows = std::mem::take(&mut $rows);
        let written = rows.len() as u64;
        let per = (PARAMS / $cols).max(1);
        let mut it = rows.into_iter().peekable();
        while it.peek().is_some() {
            let batch: Vec<_> = it.by_ref().take(per).collect();
            <$entity>::insert_many(batch)
                .exec_without_returning($txn)
                .await?;
        }
        written
    }};
}

impl Rows {
    async fn write(&mut self, txn: &impl ConnectionTrait) -> Result<u64, AppError> {
        let mut n = 0;
        n += insert_batched!(txn, cases::Entity, self.cases, 29);
        // The search by party name reads the suffixes of the names (`name_search`).
        let mut name_rows = Vec::new();
        for p in &self.parties {
            if let (ActiveValue::Set(case_id), ActiveValue::Set(name)) = (&p.case_id, &p.name) {
                name_rows.extend(name_search::rows_of(*case_id, [name.as_str()]));
            }
        }
        name_rows.sort_unstable();
        name_rows.dedup();
        n += name_rows.len() as u64;
        name_search::write(txn, &name_rows).await?;
        n += insert_batched!(txn, case_parties::Entity, self.parties, 8);
        n += insert_batched!(txn, case_assignments::Entity, self.team, 6);
        n += insert_batched!(txn, case_sessions::Entity, self.sessions, 10);
        n += insert_batched!(
            txn,
            case_session_mediators::Entity,
            self.session_mediators,
            2
        );
        n += insert_batched!(txn, agreements::Entity, self.agreements, 12);
        n += insert_batched!(txn, agreement_instalments::Entity, self.instalments, 6);
        n += insert_batched!(txn, follow_ups::Entity, self.follow_ups, 9);
        n += insert_batched!(txn, case_events::Entity, self.events, 9);
        Ok(n)
    }
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    street: &'a Street,
    tz: Tz,
    cal: &'a Calendar,
    thresholds: &'a grading::GradingThresholds,
    now: DateTime<Utc>,
    today: NaiveDate,
}

fn at_local(day: NaiveDate, tz: Tz, minutes: f64) -> DateTime<Utc> {
    let secs = (minutes * 60.0) as u32;
    let t = NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0)
        .unwrap_or(NaiveTime::MIN);
    tz.from_local_datetime(&day.and_time(t))
        .earliest()
        .map_or_else(
            || clocks::start_of_local_day(day, tz),
            |t| t.with_timezone(&Utc),
        )
}

/// Picks from `table` of (weight, value).
fn weighted<T: Copy>(rng: &mut StdRng, table: &[(u32, T)]) -> T {
    let total: u32 = table.iter().map(|(w, _)| w).sum();
    let mut r = rng.gen_range(0..total);
    for (w, v) in table {
        if r < *w {
            return *v;
        }
        r -= w;
    }
    table[table.len() - 1].1
}

fn hours(h: f64) -> Duration {
    Duration::seconds((h * 3600.0) as i64)
}

const SURNAMES: [&str; 32] = [
    "陈", "王", "李", "张", "刘", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭",
    "何", "高", "林", "沈", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭",
];
const GIVEN: [&str; 40] = [
    "建华", "秀英", "国强", "丽萍", "志明", "美玲", "海涛", "桂芳", "文斌", "晓燕", "德福", "玉兰",
    "永康", "春梅", "卫东", "雪芬", "立新", "金凤", "宏伟", "小红", "伟民", "爱琴", "天佑", "慧敏",
    "俊杰", "欣怡", "浩然", "子涵", "建军", "淑珍", "红霞", "志强", "海燕", "明辉", "丽华", "振华",
    "思远", "雨萱", "家豪", "婷婷",
];
const FIRM_PLACE: [&str; 12] = [
    "杭州", "钱塘", "江干", "萧山", "临平", "余杭", "滨江", "下沙", "九堡", "笕桥", "丁桥", "彭埠",
];
const FIRM_WORD: [&str; 16] = [
    "恒达", "鑫源", "华信", "众诚", "宏远", "天成", "金鼎", "瑞丰", "顺通", "新安", "博雅", "盛世",
    "永利", "佳美", "中邦", "海纳",
];
const FIRM_TRADE: [&str; 10] = [
    "服装",
    "电子",
    "建筑工程",
    "物流",
    "餐饮管理",
    "物业服务",
    "机械",
    "网络科技",
    "装饰工程",
    "劳务",
];

fn person_name(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    )
}

fn firm_name(rng: &mut StdRng) -> String {
    format!(
        "{}{}{}有限公司",
        FIRM_PLACE[rng.gen_range(0..FIRM_PLACE.len())],
        FIRM_WORD[rng.gen_range(0..FIRM_WORD.len())],
        FIRM_TRADE[rng.gen_range(0..FIRM_TRADE.len())]
    )
}

fn id_number(rng: &mut StdRng) -> String {
    let year = rng.gen_range(1962..2004);
    format!(
        "3301{:02}{year}{:02}{:02}{:03}{}",
        rng.gen_range(1..20),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
        rng.gen_range(0..1000),
        rng.gen_range(0..10)
    )
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "1{}{:09}",
        [3, 5, 7, 8, 9][rng.gen_range(0..5)],
        rng.gen_range(0..1_000_000_000u32)
    )
}

/// How a case ends, if it lives long enough.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Resolved,
    Failed,
    Withdrawn,
}

fn event(
    case_id: i64,
    kind: EventKind,
    actor: i64,
    at: DateTime<Utc>,
    from: Option<serde_json::Value>,
    to: Option<serde_json::Value>,
) -> case_events::ActiveModel {
    case_events::ActiveModel {
        case_id: Set(case_id),
        kind: Set(kind.into()),
        actor_user_id: Set(Some(actor)),
        at: Set(at),
        recorded_at: Set(at),
        from_state: Set(from.map(|v| v.to_string())),
        to_state: Set(to.map(|v| v.to_string())),
        note: Set(None),
        ..Default::default()
    }
}

/// One case with its whole history up to now.
#[allow(clippy::too_many_lines)]
fn one_case(
    rng: &mut StdRng,
    ids: &mut Ids,
    rows: &mut Rows,
    ctx: Ctx<'_>,
    case_no: String,
    received_at: DateTime<Utc>,
) {
    let street = ctx.street;
    let now = ctx.now;
    let case_id = ids.case;
    ids.case += 1;
    let actor = street.actor;
    let dispute_type = weighted(
        rng,
        &[
            (40, DisputeType::WageArrears),
            (15, DisputeType::EconomicCompensation),
            (12, DisputeType::ContractTermination),
            (8, DisputeType::SocialInsurance),
            (8, DisputeType::WorkInjury),
            (7, DisputeType::Overtime),
            (5, DisputeType::PlatformWork),
            (5, DisputeType::Other),
        ],
    );
    let source = weighted(
        rng,
        &[
            (45, Source::WalkIn),
            (20, Source::Hotline12351),
            (12, Source::Online),
            (8, Source::CourtReferral),
            (6, Source::LabourInspection),
            (4, Source::PoliceReferral),
            (3, Source::PetitionReferral),
            (2, Source::Other),
        ],
    );
    let people: i32 =
        weighted(rng, &[(92, 1), (6, 2), (2, 3)]) * weighted(rng, &[(97, 1), (3, 12)]);
    // Claims from 1,500 to about 200,000 yuan, most of them small, in whole yuan.
    let yuan = (1_500f64 * 130f64.powf(rng.gen::<f64>().powf(1.6))).round() as i64;
    let amount = yuan * 100;
    let flags: Vec<RiskFlag> = if rng.gen_ratio(3, 100) {
        vec![RiskFlag::ALL[rng.gen_range(0..RiskFlag::ALL.len())]]
    } else {
        Vec::new()
    };
    let graded = grading::grade(
        &GradingInput {
            people_involved: i64::from(people),
            amount_claimed_fen: amount,
            risk_flags: &flags,
            source,
        },
        ctx.thresholds,
    );
    let grade = graded.grade.as_str();
    let serious = matches!(grade, "complex" | "major");
    // Where it came in: mostly a station, some at the hub or a specialist room.
    let intake_unit = weighted(rng, &[(70, 0u8), (20, 1), (10, 2)]);
    let intake_unit_id = match intake_unit {
        0 => street.stations[rng.gen_range(0..street.stations.len())],
        1 => street.hub.id,
        _ => street.rooms[rng.gen_range(0..street.rooms.len())],
    };
    // Serious station cases go up to the hub.
    let escalated = serious && intake_unit == 0 && rng.gen_ratio(2, 3);
    let current_unit_id = if escalated {
        street.hub.id
    } else {
        intake_unit_id
    };
    let end = weighted(
        rng,
        &[(72, End::Resolved), (20, End::Failed), (8, End::Withdrawn)],
    );
    // A few cases drag on: every step takes six times as long.
    let slow = if rng.gen_ratio(2, 100) { 6.0 } else { 1.0 };

    // The whole life, then cut at now.
    let accept_at = received_at + hours(slow * rng.gen_range(0.5..30.0));
    let assign_at = accept_at + hours(slow * rng.gen_range(0.2..20.0));
    let escalate_at = accept_at + hours(0.1);
    let unit_roster = street
        .roster
        .get(&current_unit_id)
        .filter(|r| !r.is_empty())
        .or_else(|| street.roster.get(&street.hub.id))
        .cloned()
        .unwrap_or_default();
    let mut lead = unit_roster
        .get(rng.gen_range(0..unit_roster.len().max(1)))
        .copied()
        .unwrap_or(0);
    let mut apprentice = None;
    if rng.gen_ratio(4, 100) {
        let day = clocks::local_date(received_at, ctx.tz);
        let active: Vec<_> = street
            .pairs
            .iter()
            .filter(|(_, _, from, to)| *from <= day && to.is_none_or(|t| day <= t))
            .collect();
        if !active.is_empty() {
            let (mentor, app, _, _) = active[rng.gen_range(0..active.len())];
            lead = *mentor;
            apprentice = Some(*app);
        }
    }
    let co = if rng.gen_ratio(1, 5) {
        let hub = street
            .roster
            .get(&street.hub.id)
            .cloned()
            .unwrap_or_default();
        hub.get(rng.gen_range(0..hub.len().max(1)))
            .copied()
            .filter(|&m| m != lead)
    } else {
        None
    };
    let session_count = match end {
        End::Withdrawn => weighted(rng, &[(1, 0usize), (1, 1)]),
        _ => weighted(rng, &[(60, 1usize), (30, 2), (10, 3)]),
    };
    let mut session_times = Vec::with_capacity(session_count);
    let mut t = assign_at + hours(slow * rng.gen_range(20.0..140.0));
    for _ in 0..session_count {
        session_times.push(t);
        t += hours(slow * rng.gen_range(40.0..170.0));
    }
    let last_step = session_times.last().copied().unwrap_or(assign_at);
    let mut agreement_plan = None;
    let close_at = match end {
        End::Withdrawn => last_step + hours(slow * rng.gen_range(20.0..120.0)),
        End::Failed => last_step + hours(rng.gen_range(3.0..48.0)),
        End::Resolved => {
            let signed_at = last_step + hours(1.0);
            let signed_on = clocks::local_date(signed_at, ctx.tz);
            let parts = weighted(rng, &[(60, 1i64), (25, 2), (15, 3)]);
            let agreed = (amount as f64 * rng.gen_range(0.55..1.0)) as i64 / 100 * 100;
            let mut dues = Vec::new();
            let first_due = if parts == 1 && rng.gen_ratio(7, 10) {
                signed_on
            } else {
                signed_on + Duration::days(rng.gen_range(7..31))
            };
            for p in 0..parts {
                let due = first_due + Duration::days(30 * p);
                let late = if rng.gen_ratio(1, 20) {
                    rng.gen_range(5..40)
                } else {
                    rng.gen_range(0..3)
                };
                dues.push((due, due + Duration::days(late)));
            }
            let last_paid = dues.last().map_or(signed_on, |d| d.1);
            let visit_at = at_local(last_paid + Duration::days(1), ctx.tz, 600.0);
            let close = at_local(last_paid + Duration::days(1), ctx.tz, 900.0);
            agreement_plan = Some((signed_at, agreed, dues, visit_at));
            close
        }
    };

    let accepted = accept_at <= now;
    let mut status = Status::Registered;
    if accepted {
        status = Status::Accepted;
    }
    let mut version = 1;
    let mut push_event = |e: case_events::ActiveModel, rows: &mut Rows| {
        version += 1;
        rows.events.push(e);
    };
    rows.events.push(event(
        case_id,
        EventKind::Intake,
        actor,
        received_at,
        None,
        Some(json!({"status": "registered", "unit_id": intake_unit_id, "grade": grade})),
    ));
    if accepted {
        push_event(
            event(
                case_id,
                Action::Accept.into(),
                actor,
                accept_at,
                Some(json!({"status": "registered"})),
                Some(json!({"status": "accepted"})),
            ),
            rows,
        );
        if serious {
            push_event(
                event(
                    case_id,
                    Action::ConfirmGrade.into(),
                    actor,
                    accept_at,
                    Some(json!({"grade_confirmed": false})),
                    Some(json!({"grade_confirmed": true})),
                ),
                rows,
            );
        }
        if escalated {
            push_event(
                event(
                    case_id,
                    Action::Escalate.into(),
                    actor,
                    escalate_at,
                    Some(json!({"unit_id": intake_unit_id})),
                    Some(json!({"unit_id": current_unit_id})),
                ),
                rows,
            );
        }
    }
    if assign_at <= now && lead != 0 {
        let mut team = vec![(lead, TeamRole::Lead, assign_at)];
        if let Some(co) = co {
            team.push((co, TeamRole::Co, assign_at + hours(0.5)));
        }
        if let Some(a) = apprentice {
            team.push((a, TeamRole::Apprentice, assign_at + hours(0.6)));
        }
        for (m, role, at) in team {
            rows.team.push(case_assignments::ActiveModel {
                case_id: Set(case_id),
                mediator_id: Set(m),
                role: Set(role.into()),
                assigned_at: Set(at),
                ended_at: Set(None),
                ..Default::default()
            });
            let to = if role == TeamRole::Lead {
                json!({"lead_mediator_id": m})
            } else {
                json!({"mediator_id": m, "role": role.as_str()})
            };
            push_event(
                event(case_id, Action::Assign.into(), actor, at, None, Some(to)),
                rows,
            );
        }
    }
    let session_mediators: Vec<i64> = [Some(lead), co, apprentice]
        .into_iter()
        .flatten()
        .filter(|&m| m != 0)
        .collect();
    for (i, &held_at) in session_times.iter().enumerate() {
        if held_at > now {
            break;
        }
        let last = i + 1 == session_times.len();
        let outcome = match (last, end) {
            (true, End::Resolved) => SessionOutcome::Agreement,
            (true, End::Failed) => SessionOutcome::NoAgreement,
            _ if rng.gen_ratio(1, 4) => SessionOutcome::Adjourned,
            _ => SessionOutcome::Continue,
        };
        let session_id = ids.session;
        ids.session += 1;
        rows.sessions.push(case_sessions::ActiveModel {
            id: Set(session_id),
            case_id: Set(case_id),
            held_at: Set(held_at),
            unit_id: Set(current_unit_id),
            attendees: Set("申请人、被申请人委托代理人".to_owned()),
            summary: Set(match outcome {
                SessionOutcome::Agreement => "双方就支付金额和期限达成一致。",
                SessionOutcome::NoAgreement => "双方分歧较大，告知可申请劳动仲裁。",
                SessionOutcome::Adjourned => "被申请人需核对考勤与工资台账，择日再谈。",
                SessionOutcome::Continue => "听取双方陈述，释法明理，约定继续协商。",
            }
            .to_owned()),
            outcome: Set(outcome),
            next_session_at: Set(session_times.get(i + 1).copied()),
            recorded_by: Set(actor),
            created_at: Set(held_at),
        });
        for &m in &session_mediators {
            rows.session_mediators
                .push(case_session_mediators::ActiveModel {
                    session_id: Set(session_id),
                    mediator_id: Set(m),
                });
        }
        let from = if i == 0 { "accepted" } else { "mediating" };
        push_event(
            event(
                case_id,
                Action::RecordSession.into(),
                actor,
                held_at,
                Some(json!({"status": from})),
                Some(json!({"status": "mediating", "session_id": session_id})),
            ),
            rows,
        );
        status = Status::Mediating;
    }
    // The day the agreement's follow-up visit is due, unless a visit already settled it (a
    // failed close never has an agreement here).
    let mut follow_up_due = None;
    if let Some((signed_at, agreed, dues, visit_at)) = agreement_plan.filter(|p| p.0 <= now) {
        let due_days: Vec<NaiveDate> = dues.iter().map(|d| d.0).collect();
        let visited = (visit_at <= now).then(|| clocks::local_date(visit_at, ctx.tz));
        follow_up_due = crate::domain::agreement::follow_up_due_on(
            clocks::local_date(signed_at, ctx.tz),
            &due_days,
            visited,
        );
        let agreement_id = ids.agreement;
        ids.agreement += 1;
        rows.agreements.push(agreements::ActiveModel {
            id: Set(agreement_id),
            case_id: Set(case_id),
            signed_at: Set(signed_at),
            matters: Set("拖欠工资及经济补偿".to_owned()),
            terms: Set(format!(
                "被申请人分{}期向申请人支付共计人民币{}元，申请人放弃其他请求。",
                dues.len(),
                agreed / 100
            )),
            amount_fen: Set(agreed),
            superseded: Set(false),
            confirmation_applied_on: Set(None),
            confirmation_received_on: Set(None),
            confirmation_note: Set(None),
            recorded_by: Set(actor),
            created_at: Set(signed_at),
        });
        let parts = dues.len() as i64;
        for (p, (due, paid)) in dues.iter().enumerate() {
            let share = if p as i64 + 1 == parts {
                agreed - agreed / parts * (parts - 1)
            } else {
                agreed / parts
            };
            rows.instalments.push(agreement_instalments::ActiveModel {
                agreement_id: Set(agreement_id),
                seq: Set(p as i32 + 1),
                due_on: Set(*due),
                amount_fen: Set(share),
                paid_on: Set((*paid < ctx.today).then_some(*paid)),
                ..Default::default()
            });
        }
        push_event(
            event(
                case_id,
                Action::RecordAgreement.into(),
                actor,
                signed_at,
                Some(json!({"status": "mediating"})),
                Some(json!({"status": "agreed", "agreement_id": agreement_id})),
            ),
            rows,
        );
        status = Status::Agreed;
        if visit_at <= now {
            let satisfaction = weighted(rng, &[(60, 5), (28, 4), (9, 3), (3, 2)]);
            rows.follow_ups.push(follow_ups::ActiveModel {
                case_id: Set(case_id),
                agreement_id: Set(Some(agreement_id)),
                done_at: Set(visit_at),
                result: Set("电话回访，款项已全部到账，申请人表示满意。".to_owned()),
                satisfaction: Set(satisfaction),
                fulfilled: Set(true),
                recorded_by: Set(actor),
                created_at: Set(visit_at),
                ..Default::default()
            });
            push_event(
                event(
                    case_id,
                    EventKind::FollowUp,
                    actor,
                    visit_at,
                    None,
                    Some(json!({"satisfaction": satisfaction, "fulfilled": true})),
                ),
                rows,
            );
        }
    }
    let closed = accepted && close_at <= now;
    let outcome = match end {
        End::Resolved => Outcome::Resolved,
        End::Failed => Outcome::Failed,
        End::Withdrawn => Outcome::Withdrawn,
    };
    if closed {
        push_event(
            event(
                case_id,
                Action::Close.into(),
                actor,
                close_at,
                Some(json!({"status": status, "outcome": null})),
                Some(json!({"status": "closed", "outcome": outcome.as_str()})),
            ),
            rows,
        );
        status = Status::Closed;
    }
    // Parties: the worker (or up to three of a group), the employer, sometimes a labour agency.
    let applicants = people.clamp(1, 3);
    for _ in 0..applicants {
        rows.parties.push(case_parties::ActiveModel {
            case_id: Set(case_id),
            role: Set(PartyRole::Applicant.into()),
            kind: Set(PartyKind::Person.into()),
            name: Set(person_name(rng)),
            id_number: Set(Some(id_number(rng))),
            phone: Set(Some(phone(rng))),
            organisation: Set(None),
            ..Default::default()
        });
    }
    let firm = firm_name(rng);
    rows.parties.push(case_parties::ActiveModel {
        case_id: Set(case_id),
        role: Set(PartyRole::Respondent.into()),
        kind: Set(PartyKind::Organisation.into()),
        name: Set(firm.clone()),
        id_number: Set(None),
        phone: Set(Some(phone(rng))),
        organisation: Set(None),
        ..Default::default()
    });
    if rng.gen_ratio(1, 20) {
        rows.parties.push(case_parties::ActiveModel {
            case_id: Set(case_id),
            role: Set(PartyRole::ThirdParty.into()),
            kind: Set(PartyKind::Organisation.into()),
            name: Set(format!("{}人力资源服务有限公司", &firm_name(rng)[..6])),
            id_number: Set(None),
            phone: Set(None),
            organisation: Set(None),
            ..Default::default()
        });
    }
    let summary = match dispute_type {
        DisputeType::WageArrears => format!("申请人称{firm}拖欠工资{yuan}元，请求支付。"),
        DisputeType::WorkInjury => {
            format!("申请人在{firm}工作期间受伤，请求支付工伤待遇{yuan}元。")
        }
        DisputeType::SocialInsurance => format!("申请人称{firm}未缴纳社会保险，请求补缴。"),
        DisputeType::ContractTermination => format!("{firm}解除劳动合同，申请人不服。"),
        DisputeType::EconomicCompensation => {
            format!("申请人离职，请求{firm}支付经济补偿金{yuan}元。")
        }
        DisputeType::Overtime => format!("申请人请求{firm}支付加班费{yuan}元。"),
        DisputeType::PlatformWork => format!("外卖骑手与{firm}就报酬结算发生争议。"),
        DisputeType::Other => format!("申请人与{firm}发生劳动争议。"),
    };
    rows.cases.push(cases::ActiveModel {
        id: Set(case_id),
        case_no: Set(case_no),
        hub_id: Set(street.hub.id),
        status: Set(status.into()),
        outcome: Set(closed.then(|| outcome.into())),
        grade: Set(graded.grade.into()),
        grade_source: Set(entity::terms::GradeSource::Auto),
        grade_confirmed: Set(accepted),
        grade_reason: Set(graded.reason_zh),
        // Random like every case's (a code derived from the seed could be guessed).
        access_code: Set(Some(crate::services::cases::access_code::new_code())),
        follow_up_due_on: Set(follow_up_due),
        current_unit_id: Set(if accepted {
            current_unit_id
        } else {
            intake_unit_id
        }),
        intake_unit_id: Set(intake_unit_id),
        dispute_type: Set(dispute_type.into()),
        source: Set(source.into()),
        summary: Set(summary),
        amount_claimed_fen: Set(amount),
        people_involved: Set(people),
        risk_flags: Set(crate::services::cases::intake::risk_flags_json(&flags)),
        received_at: Set(received_at),
        infringement_known_on: Set(None),
        employment_ended_on: Set(None),
        deadline_at: Set(clocks::mediation_deadline(received_at, ctx.tz, ctx.cal)),
        closed_at: Set(closed.then_some(close_at)),
        group_id: Set(None),
        created_by: Set(actor),
        version: Set(version),
        created_at: Set(received_at),
        updated_at: Set(if closed { close_at } else { received_at }),
    });
}

/// The first `k` streets (hubs by id), creating those missing, each with a full roster and its
/// mentor-apprentice pairs.
async fn streets(
    db: &DatabaseConnection,
    tz: Tz,
    rng: &mut StdRng,
    k: usize,
    today: NaiveDate,
) -> Result<Vec<Street>, AppError> {
    let password_hash = users::Entity::find()
        .filter(users::Column::Username.eq("coordinator"))
        .one(db)
        .await?
        .map(|u| u.password_hash);
    let password_hash = match password_hash {
        Some(h) => h,
        None => auth::hash_password(demo::DEMO_PASSWORD).await?,
    };
    let mut hubs = units::Entity::find()
        .filter(units::Column::Kind.eq("street_hub"))
        .order_by_asc(units::Column::Id)
        .limit(k as u64)
        .all(db)
        .await?;
    let now = Utc::now();
    while hubs.len() < k {
        let n = hubs.len() + 1;
        let txn = db.begin().await?;
        let hub = new_street(&txn, n, &password_hash, now).await?;
        txn.commit().await?;
        hubs.push(hub);
    }
    let mut out = Vec::with_capacity(k);
    for hub in hubs {
        let children = units::Entity::find()
            .filter(units::Column::ParentId.eq(hub.id))
            .order_by_asc(units::Column::Id)
            .all(db)
            .await?;
        let of = |kind: UnitKind| -> Vec<i64> {
            children
                .iter()
                .filter(|u| UnitKind::from(u.kind) == kind)
                .map(|u| u.id)
                .collect()
        };
        let (stations, rooms, workstations) = (
            of(UnitKind::VillageStation),
            of(UnitKind::SpecialistRoom),
            of(UnitKind::MentorWorkstation),
        );
        let mut unit_ids = vec![hub.id];
        unit_ids.extend(children.iter().map(|u| u.id));
        top_up_roster(db, rng, &hub, &stations, &rooms, &workstations, now).await?;
        let all = mediators::Entity::find()
            .filter(mediators::Column::UnitId.is_in(unit_ids))
            .order_by_asc(mediators::Column::Id)
            .all(db)
            .await?;
        let mut roster: HashMap<i64, Vec<i64>> = HashMap::new();
        for m in &all {
            roster.entry(m.unit_id).or_default().push(m.id);
        }
        let pairs = pairs_of(db, rng, &all, &stations, today, tz).await?;
        let actor = users::Entity::find()
            .filter(users::Column::Role.eq(Role::Coordinator.as_str()))
            .filter(users::Column::UnitId.eq(hub.id))
            .order_by_asc(users::Column::Id)
            .one(db)
            .await?
            .map_or(1, |u| u.id);
        let rooms = if rooms.is_empty() {
            vec![hub.id]
        } else {
            rooms
        };
        let stations = if stations.is_empty() {
            vec![hub.id]
        } else {
            stations
        };
        out.push(Street {
            hub,
            stations,
            rooms,
            roster,
            pairs,
            actor,
        });
    }
    Ok(out)
}

/// Street `n` (from 2): a hub `S00n`, 23 stations, 4 specialist rooms, 7 mentor workstations, and
/// a coordinator and a finance clerk (`coordinator-s00n`, `finance-s00n`, the demo password).
async fn new_street(
    txn: &impl ConnectionTrait,
    n: usize,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<units::Model, AppError> {
    use sea_orm::ActiveModelTrait;
    let code = format!("S{n:03}");
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
    let hub = unit(
        code.clone(),
        format!("第{n}街道和谐劳动关系工作站"),
        UnitKind::StreetHub,
        None,
        None,
    )
    .insert(txn)
    .await?;
    let mut children = Vec::new();
    for i in 1..=23 {
        children.push(unit(
            format!("{code}-C{i:02}"),
            format!("第{n}街道第{i}村（社区）和谐劳动关系工作站"),
            UnitKind::VillageStation,
            Some(hub.id),
            None,
        ));
    }
    for (suffix, name, dept) in [
        ("JM", "警民联动工作室", Department::Police),
        ("ZF", "行政执法工作室", Department::AdminEnforcement),
        ("SJ", "市场监管工作室", Department::MarketSupervision),
        ("LJ", "劳动监察工作室", Department::LabourInspection),
    ] {
        children.push(unit(
            format!("{code}-{suffix}"),
            format!("第{n}街道{name}"),
            UnitKind::SpecialistRoom,
            Some(hub.id),
            Some(dept),
        ));
    }
    for i in 1..=7 {
        children.push(unit(
            format!("{code}-DS{i}"),
            format!("第{n}街道第{i}治社导师工作站"),
            UnitKind::MentorWorkstation,
            Some(hub.id),
            None,
        ));
    }
    units::Entity::insert_many(children)
        .exec_without_returning(txn)
        .await?;
    let account = |who: &str, display: String, role: Role| users::ActiveModel {
        username: Set(format!("{who}-{}", code.to_lowercase())),
        display_name: Set(display),
        password_hash: Set(password_hash.to_owned()),
        role: Set(role.into()),
        unit_id: Set(Some(hub.id)),
        mediator_id: Set(None),
        email: Set(None),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    users::Entity::insert_many([
        account(
            "coordinator",
            format!("第{n}街道协调中心"),
            Role::Coordinator,
        ),
        account("finance", format!("第{n}街道财务"), Role::Finance),
    ])
    .exec_without_returning(txn)
    .await?;
    Ok(hub)
}

/// Adds mediators until the street has [`ROSTER`]: about eight at each station, a dozen in each
/// specialist room, three mentors in each workstation, the rest at the hub.
async fn top_up_roster(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    hub: &units::Model,
    stations: &[i64],
    rooms: &[i64],
    workstations: &[i64],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut unit_ids = vec![hub.id];
    unit_ids.extend(stations.iter().chain(rooms).chain(workstations));
    let have = mediators::Entity::find()
        .filter(mediators::Column::UnitId.is_in(unit_ids))
        .count(db)
        .await? as usize;
    if have >= ROSTER {
        return Ok(());
    }
    // Slots: (unit, employment, is_mentor).
    let mut slots: Vec<(i64, Employment, bool)> = Vec::new();
    for _ in 0..8 {
        slots.extend(stations.iter().map(|&u| (u, Employment::PartTime, false)));
    }
    for _ in 0..12 {
        slots.extend(rooms.iter().map(|&u| (u, Employment::FullTime, false)));
    }
    for _ in 0..3 {
        slots.extend(
            workstations
                .iter()
                .map(|&u| (u, Employment::PartTime, true)),
        );
    }
    while slots.len() < ROSTER {
        slots.push((hub.id, Employment::FullTime, false));
    }
    let backgrounds: Vec<Background> = super::VOLUNTEER_BACKGROUNDS
        .into_iter()
        .chain([Background::CivilServant])
        .collect();
    let rows: Vec<mediators::ActiveModel> = slots
        .into_iter()
        .skip(have)
        .take(ROSTER - have)
        .map(|(unit_id, employment, mentor)| {
            let gold = mentor || rng.gen_ratio(1, 12);
            let types = DisputeType::ALL;
            let a = types[rng.gen_range(0..types.len())].as_str();
            let b = types[rng.gen_range(0..types.len())].as_str();
            mediators::ActiveModel {
                name: Set(person_name(rng)),
                phone: Set(Some(phone(rng))),
                email: Set(None),
                unit_id: Set(unit_id),
                employment: Set(employment),
                background: Set(if employment == Employment::FullTime {
                    Background::CivilServant
                } else {
                    backgrounds[rng.gen_range(0..backgrounds.len())]
                }),
                gold_medal: Set(gold),
                gold_medal_since: Set(gold
                    .then(|| NaiveDate::from_ymd_opt(rng.gen_range(2016..2026), 1, 1))
                    .flatten()),
                is_mentor: Set(mentor),
                years_experience: Set(if mentor {
                    rng.gen_range(10..30)
                } else {
                    rng.gen_range(1..15)
                }),
                specialties: Set(format!("[\"{a}\",\"{b}\"]")),
                max_open_cases: Set(if employment == Employment::FullTime {
                    15
                } else {
                    5
                }),
                active: Set(true),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    let txn = db.begin().await?;
    let mut rows = rows;
    insert_batched!(&txn, mediators::Entity, rows, 17);
    txn.commit().await?;
    Ok(())
}

/// The street's mentor-apprentice pairs: [`PAIRS`] of them started over the last three years,
/// those started more than a year ago graduated. Existing pairs are kept (and used).
async fn pairs_of(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    all: &[mediators::Model],
    stations: &[i64],
    today: NaiveDate,
    _tz: Tz,
) -> Result<Vec<(i64, i64, NaiveDate, Option<NaiveDate>)>, AppError> {
    let ids: Vec<i64> = all.iter().map(|m| m.id).collect();
    let existing = mentorships::Entity::find()
        .filter(mentorships::Column::MentorId.is_in(ids))
        .all(db)
        .await?;
    if existing.is_empty() {
        let mentors: Vec<i64> = all.iter().filter(|m| m.is_mentor).map(|m| m.id).collect();
        let apprentices: Vec<i64> = all
            .iter()
            .filter(|m| !m.is_mentor && stations.contains(&m.unit_id))
            .map(|m| m.id)
            .collect();
        if mentors.is_empty() || apprentices.len() < PAIRS {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let rows: Vec<mentorships::ActiveModel> = (0..PAIRS)
            .map(|i| {
                let started_on = today - Duration::days(rng.gen_range(30..3 * 365));
                let done = started_on < today - Duration::days(365);
                mentorships::ActiveModel {
                    mentor_id: Set(mentors[i % mentors.len()]),
                    apprentice_id: Set(apprentices[(i * 7) % apprentices.len()]),
                    started_on: Set(started_on),
                    target_cases: Set(rng.gen_range(10..25)),
                    status: Set(if done {
                        MentorshipStatus::Graduated
                    } else {
                        MentorshipStatus::Active
                    }),
                    notes: Set(String::new()),
                    finished_on: Set(done.then(|| started_on + Duration::days(365))),
                    finish_reason: Set(None),
                    created_by: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            })
            .collect();
        mentorships::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    let ids: Vec<i64> = all.iter().map(|m| m.id).collect();
    Ok(mentorships::Entity::find()
        .filter(mentorships::Column::MentorId.is_in(ids))
        .filter(mentorships::Column::Status.ne("ended"))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.mentor_id, p.apprentice_id, p.started_on, p.finished_on))
        .collect())
}

/// The last three whole months' subsidy periods, computed, approved and paid as the finance
/// clerk; a month already on record is left as it is.
async fn subsidy_periods(
    db: &DatabaseConnection,
    tz: Tz,
    today: NaiveDate,
) -> Result<Vec<String>, AppError> {
    let Ok(finance) = auth::user_by_username(db, "finance").await else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    let first_of_month = today.with_day(1).unwrap_or(today);
    for back in (1..=3).rev() {
        let month = first_of_month - chrono::Months::new(back);
        let name = format!("{}-{:02}", month.year(), month.month());
        let period = Period::parse(&name).map_err(|e| AppError::Internal(format!("{e:?}")))?;
        if subsidy::find_by_name(db, &finance, period).await?.is_some() {
            continue;
        }
        let created = subsidy::create_period(db, &finance, tz, Ready::new(period)).await?;
        subsidy::approve(db, &finance, tz, created.id, Ready::new(())).await?;
        subsidy::mark_paid(db, &finance, tz, created.id, Ready::new(None)).await?;
        names.push(name);
    }
    Ok(names)
}
