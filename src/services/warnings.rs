//! Early warnings (预警): finding them with SQL aggregates over the cases in scope, storing them
//! (one row per kind and subject) so that the coordination centre can record what was done and
//! close them, and reading them for the warnings page, the queue and the dashboard.
//!
//! When they are computed: by [`refresh`], which the reminder scan runs every minute (so the
//! queue's and the dashboard's sections, which only read stored rows, are at most a scan old) and
//! which the warnings list runs before reading (so the page a coordinator acts from is current).
//! The dashboard does not compute: it is the benchmarked read and must stay a few indexed reads.
//!
//! What each refresh reads, whatever the number of cases: per party rule one GROUP BY over the
//! cases received in its window (`received_at` index, joined to parties by `case_id`) capped at
//! [`MAX_SUBJECTS`] groups, and one ranked read of the newest [`MAX_CASES`] cases of each group;
//! for the stations two GROUP BYs over `received_at` ranges and one ranked read; then the stored
//! warnings of those subjects and their links among the cases found. It writes only when a
//! warning is raised or new cases join one.
//!
//! Who sees them: the coordination centre (acts on them), admins and the street leader (viewer),
//! read-only; all three see the whole street. Mediators and finance clerks do not: a warning is
//! about the street's sources of disputes, which the centre handles, and a station's mediators
//! see their own cases' history on each case.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::terms as stored;
use entity::{
    case_parties, cases, settings, units, users, warning_actions, warning_cases, warnings,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::cases::list::{self as case_list, CaseFilter};
use super::cases::view::CaseOut;
use super::cases::visible_condition;
use crate::db::begin_write;
use crate::domain::clocks::{local_date, start_of_local_day};
use crate::domain::pii::{mask_id_number, mask_phone};
use crate::domain::role::Role;
use crate::domain::warnings::{
    self as rules, Merge, ThresholdProblem, WarningAction, WarningEntryKind, WarningKind,
    WarningStatus, WarningThresholds,
};
use crate::error::{AppError, FieldErrors, Message};
use crate::services::auth::CurrentUser;
use crate::services::command::Command;
use crate::services::{audit, calendar, paging, versioned, Page, PageRequest};

/// The settings key of the thresholds.
pub const THRESHOLDS_KEY: &str = "warning_thresholds";

/// Who may read warnings.
pub const READ_ROLES: [Role; 3] = [Role::Coordinator, Role::Admin, Role::Viewer];
/// Who may record on them and close them.
pub const ACT_ROLES: [Role; 1] = [Role::Coordinator];

/// At most this many subjects per rule and refresh (the largest first).
pub const MAX_SUBJECTS: u64 = 50;
/// At most this many cases joined to a warning per refresh (the newest), and listed with it.
pub const MAX_CASES: i64 = 200;
/// At most this many actions listed with a warning.
const MAX_ACTIONS: u64 = 200;
/// Ids per `IN (…)` list.
const ID_BATCH: usize = 500;

// ----- thresholds -----

/// The thresholds in force: the stored ones, or the defaults when none are stored or the stored
/// value cannot be read (logged; warnings must go on).
///
/// # Errors
/// Database failures only.
pub async fn thresholds(db: &impl ConnectionTrait) -> Result<WarningThresholds, AppError> {
    let Some(row) = settings::Entity::find_by_id(THRESHOLDS_KEY.to_owned())
        .one(db)
        .await?
    else {
        return Ok(WarningThresholds::default());
    };
    match serde_json::from_str(&row.value) {
        Ok(t) => Ok(t),
        Err(e) => {
            tracing::warn!(error = %e, "stored warning thresholds unreadable; using the defaults");
            Ok(WarningThresholds::default())
        }
    }
}

/// The thresholds' problems as field errors.
pub fn field_errors_of(t: &WarningThresholds) -> FieldErrors {
    t.problems()
        .into_iter()
        .map(|(field, problem)| {
            let message = match problem {
                ThresholdProblem::OutOfRange { min, max } => Message::with(
                    "err-range",
                    &[("min", min.to_string()), ("max", max.to_string())],
                ),
                ThresholdProblem::BaselineShorterThanRecent => {
                    Message::key("warn-err-baseline-short")
                }
            };
            (field.to_owned(), message)
        })
        .collect()
}

/// Replaces the thresholds (admins; audited). They apply from the next computation on. The role
/// (403), the fields read (422), their ranges (422), then the one settings writer.
///
/// # Errors
/// 403 for other roles; 422 naming each field unreadable or out of its range.
pub async fn set_thresholds(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = WarningThresholds>,
) -> Result<WarningThresholds, AppError> {
    actor.require(&[Role::Admin])?;
    let t = command.params()?;
    let errors = field_errors_of(&t);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let value = serde_json::to_string(&t)
        .map_err(|e| AppError::Internal(format!("warning thresholds: {e}")))?;
    super::settings::write_audited(
        db,
        Some(actor.id),
        THRESHOLDS_KEY,
        value,
        "settings.warning_thresholds",
    )
    .await?;
    tracing::info!("warning thresholds changed");
    Ok(t)
}

// ----- finding -----

/// One subject that meets its rule now, with the newest of its cases.
#[derive(Clone, Debug)]
struct Finding {
    kind: WarningKind,
    key: String,
    subject: String,
    subject_unit_id: Option<i64>,
    since: DateTime<Utc>,
    latest: DateTime<Utc>,
    facts: serde_json::Value,
    cases: Vec<i64>,
}

/// The SQL that folds a respondent name as `rules::normalise_name` does.
fn name_key() -> String {
    let mut s = "TRIM(\"case_parties\".\"name\")".to_owned();
    for (from, to) in rules::NAME_FOLDS {
        s = format!("REPLACE({s}, '{from}', '{to}')");
    }
    format!("LOWER({s})")
}

fn id_number_key() -> String {
    "UPPER(TRIM(\"case_parties\".\"id_number\"))".to_owned()
}

fn phone_key() -> String {
    "REPLACE(REPLACE(TRIM(\"case_parties\".\"phone\"), ' ', ''), '-', '')".to_owned()
}

/// The subject key stored for a kind and a grouping value: a hash, so that no ID or phone number
/// is kept in the clear here.
fn subject_key(kind: WarningKind, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update(b":");
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

/// Cases with one of their parties of `role`, received from `from` on, in `scope`.
struct PartyRule<'a> {
    role: &'static str,
    key: String,
    from: DateTime<Utc>,
    ungrouped_only: bool,
    scope: &'a Condition,
}

impl PartyRule<'_> {
    fn base(&self) -> SelectStatement {
        let mut q = Query::select();
        q.from(cases::Entity)
            .inner_join(
                case_parties::Entity,
                Expr::col((case_parties::Entity, case_parties::Column::CaseId))
                    .equals((cases::Entity, cases::Column::Id)),
            )
            .and_where(Expr::col((case_parties::Entity, case_parties::Column::Role)).eq(self.role))
            .and_where(Expr::col((cases::Entity, cases::Column::ReceivedAt)).gte(self.from))
            .and_where(Expr::cust(self.key.clone()).ne(""))
            .cond_where(self.scope.clone());
        if self.ungrouped_only {
            q.and_where(Expr::col((cases::Entity, cases::Column::GroupId)).is_null());
        }
        q
    }
}

struct Group {
    value: String,
    name: String,
    n: i64,
    since: DateTime<Utc>,
    latest: DateTime<Utc>,
}

/// The groups of `rule` with at least `min` cases, the largest first.
async fn party_groups(
    db: &impl ConnectionTrait,
    rule: &PartyRule<'_>,
    min: i64,
) -> Result<Vec<Group>, AppError> {
    let distinct = "COUNT(DISTINCT \"cases\".\"id\")";
    let mut q = rule.base();
    q.expr_as(Expr::cust(rule.key.clone()), Alias::new("k"))
        .expr_as(
            Expr::cust("MIN(\"case_parties\".\"name\")"),
            Alias::new("name"),
        )
        .expr_as(Expr::cust(distinct), Alias::new("n"))
        .expr_as(
            Expr::cust("MIN(\"cases\".\"received_at\")"),
            Alias::new("since"),
        )
        .expr_as(
            Expr::cust("MAX(\"cases\".\"received_at\")"),
            Alias::new("latest"),
        )
        .add_group_by([Expr::cust(rule.key.clone())])
        .and_having(Expr::cust(distinct).gte(min))
        .order_by_expr(Expr::cust(distinct), Order::Desc)
        .order_by_expr(Expr::cust(rule.key.clone()), Order::Asc)
        .limit(MAX_SUBJECTS);
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        out.push(Group {
            value: row.try_get("", "k")?,
            name: row.try_get("", "name")?,
            n: row.try_get("", "n")?,
            since: row.try_get("", "since")?,
            latest: row.try_get("", "latest")?,
        });
    }
    Ok(out)
}

/// The newest [`MAX_CASES`] case ids of each of `values` under `rule`, newest first.
async fn party_cases(
    db: &impl ConnectionTrait,
    rule: &PartyRule<'_>,
    values: &[String],
) -> Result<HashMap<String, Vec<i64>>, AppError> {
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    if values.is_empty() {
        return Ok(out);
    }
    let mut inner = rule.base();
    inner
        .distinct()
        .expr_as(Expr::cust(rule.key.clone()), Alias::new("k"))
        .expr_as(
            Expr::col((cases::Entity, cases::Column::Id)),
            Alias::new("case_id"),
        )
        .expr_as(
            Expr::cust(format!(
                "DENSE_RANK() OVER (PARTITION BY {} ORDER BY \"cases\".\"received_at\" DESC, \"cases\".\"id\" DESC)",
                rule.key
            )),
            Alias::new("rn"),
        )
        .and_where(Expr::cust(rule.key.clone()).is_in(values.iter().cloned()));
    let outer = Query::select()
        .column(Alias::new("k"))
        .column(Alias::new("case_id"))
        .from_subquery(inner, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("rn")).lte(MAX_CASES))
        .order_by(Alias::new("k"), Order::Asc)
        .order_by(Alias::new("rn"), Order::Asc)
        .to_owned();
    for row in db.query_all(&outer).await? {
        let k: String = row.try_get("", "k")?;
        let id: i64 = row.try_get("", "case_id")?;
        let list = out.entry(k).or_default();
        if !list.contains(&id) {
            list.push(id);
        }
    }
    Ok(out)
}

/// Everything that meets a rule now, over the cases of `scope`.
async fn find(
    db: &impl ConnectionTrait,
    tz: Tz,
    scope: &Condition,
    t: &WarningThresholds,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, AppError> {
    let today = local_date(now, tz);
    let since = |days: i64| start_of_local_day(rules::window_start(today, days), tz);
    let mut out = Vec::new();

    // (a) respondents with many cases, (d) collective disputes forming.
    for (kind, days, min, ungrouped_only) in [
        (
            WarningKind::RespondentRepeat,
            t.respondent_days,
            t.respondent_min_cases,
            false,
        ),
        (
            WarningKind::CollectiveForming,
            t.collective_days,
            t.collective_min_cases,
            true,
        ),
    ] {
        let rule = PartyRule {
            role: "respondent",
            key: name_key(),
            from: since(days),
            ungrouped_only,
            scope,
        };
        let groups: Vec<Group> = party_groups(db, &rule, min)
            .await?
            .into_iter()
            .filter(|g| match kind {
                WarningKind::RespondentRepeat => rules::respondent_repeats(g.n, t),
                _ => rules::collective_forming(g.n, t),
            })
            .collect();
        let values: Vec<String> = groups.iter().map(|g| g.value.clone()).collect();
        let mut found = party_cases(db, &rule, &values).await?;
        for g in groups {
            out.push(Finding {
                kind,
                key: subject_key(kind, &g.value),
                subject: g.name.trim().to_owned(),
                subject_unit_id: None,
                since: g.since,
                latest: g.latest,
                facts: serde_json::json!({"cases": g.n, "days": days}),
                cases: found.remove(&g.value).unwrap_or_default(),
            });
        }
    }

    // (b) applicants coming back: by ID number, then by phone where that adds something.
    let mut applicant_sets: Vec<BTreeSet<i64>> = Vec::new();
    for (key, by_id) in [(id_number_key(), true), (phone_key(), false)] {
        let rule = PartyRule {
            role: "applicant",
            key,
            from: since(t.applicant_days),
            ungrouped_only: false,
            scope,
        };
        let groups: Vec<Group> = party_groups(db, &rule, t.applicant_min_cases)
            .await?
            .into_iter()
            .filter(|g| rules::applicant_returns(g.n, t))
            .collect();
        let values: Vec<String> = groups.iter().map(|g| g.value.clone()).collect();
        let mut found = party_cases(db, &rule, &values).await?;
        for g in groups {
            let cases = found.remove(&g.value).unwrap_or_default();
            let set: BTreeSet<i64> = cases.iter().copied().collect();
            if !by_id && applicant_sets.iter().any(|s| set.is_subset(s)) {
                continue;
            }
            applicant_sets.push(set);
            let masked = if by_id {
                mask_id_number(&g.value)
            } else {
                mask_phone(&g.value)
            };
            let tag = if by_id { "id" } else { "phone" };
            out.push(Finding {
                kind: WarningKind::ApplicantReturn,
                key: subject_key(WarningKind::ApplicantReturn, &format!("{tag}:{}", g.value)),
                subject: format!("{}（{masked}）", g.name.trim()),
                subject_unit_id: None,
                since: g.since,
                latest: g.latest,
                facts: serde_json::json!({"cases": g.n, "days": t.applicant_days, "by": tag}),
                cases,
            });
        }
    }

    // (c) stations rising fast against their own past.
    out.extend(
        station_surges(
            db,
            scope,
            t,
            since(t.surge_recent_days),
            since(t.surge_recent_days + t.surge_baseline_days),
        )
        .await?,
    );
    Ok(out)
}

async fn station_surges(
    db: &impl ConnectionTrait,
    scope: &Condition,
    t: &WarningThresholds,
    recent_start: DateTime<Utc>,
    baseline_start: DateTime<Utc>,
) -> Result<Vec<Finding>, AppError> {
    let recent: Vec<(i64, i64, DateTime<Utc>, DateTime<Utc>)> = cases::Entity::find()
        .filter(scope.clone())
        .filter(cases::Column::ReceivedAt.gte(recent_start))
        .select_only()
        .column(cases::Column::IntakeUnitId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(Expr::cust("MIN(\"cases\".\"received_at\")"), "since")
        .column_as(Expr::cust("MAX(\"cases\".\"received_at\")"), "latest")
        .group_by(cases::Column::IntakeUnitId)
        .having(Expr::cust("COUNT(*)").gte(t.surge_min_cases))
        .order_by_desc(Expr::cust("COUNT(*)"))
        .limit(MAX_SUBJECTS)
        .into_tuple()
        .all(db)
        .await?;
    if recent.is_empty() {
        return Ok(Vec::new());
    }
    let unit_ids: Vec<i64> = recent.iter().map(|r| r.0).collect();
    let past: HashMap<i64, i64> = cases::Entity::find()
        .filter(scope.clone())
        .filter(cases::Column::ReceivedAt.gte(baseline_start))
        .filter(cases::Column::ReceivedAt.lt(recent_start))
        .filter(cases::Column::IntakeUnitId.is_in(unit_ids.clone()))
        .select_only()
        .column(cases::Column::IntakeUnitId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(cases::Column::IntakeUnitId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // A station's surge: unit, recent cases, baseline cases, first and last receipt.
    type Surge = (i64, i64, i64, DateTime<Utc>, DateTime<Utc>);
    let surging: Vec<Surge> = recent
        .into_iter()
        .map(|(u, n, s, l)| (u, n, past.get(&u).copied().unwrap_or(0), s, l))
        .filter(|(_, n, p, _, _)| rules::station_surges(*n, *p, t))
        .collect();
    if surging.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = surging.iter().map(|s| s.0).collect();
    let names: HashMap<i64, String> = units::Entity::find()
        .filter(units::Column::Id.is_in(ids.clone()))
        .select_only()
        .column(units::Column::Id)
        .column(units::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // The newest cases of each surging unit, ranked in one read.
    let mut inner = Query::select();
    inner
        .from(cases::Entity)
        .expr_as(
            Expr::col((cases::Entity, cases::Column::IntakeUnitId)),
            Alias::new("u"),
        )
        .expr_as(Expr::col((cases::Entity, cases::Column::Id)), Alias::new("case_id"))
        .expr_as(
            Expr::cust("ROW_NUMBER() OVER (PARTITION BY \"cases\".\"intake_unit_id\" ORDER BY \"cases\".\"received_at\" DESC, \"cases\".\"id\" DESC)"),
            Alias::new("rn"),
        )
        .and_where(Expr::col((cases::Entity, cases::Column::ReceivedAt)).gte(recent_start))
        .and_where(Expr::col((cases::Entity, cases::Column::IntakeUnitId)).is_in(ids))
        .cond_where(scope.clone());
    let outer = Query::select()
        .column(Alias::new("u"))
        .column(Alias::new("case_id"))
        .from_subquery(inner, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("rn")).lte(MAX_CASES))
        .order_by(Alias::new("u"), Order::Asc)
        .order_by(Alias::new("rn"), Order::Asc)
        .to_owned();
    let mut by_unit: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in db.query_all(&outer).await? {
        let u: i64 = row.try_get("", "u")?;
        let id: i64 = row.try_get("", "case_id")?;
        by_unit.entry(u).or_default().push(id);
    }
    Ok(surging
        .into_iter()
        .map(|(u, n, p, since, latest)| Finding {
            kind: WarningKind::StationSurge,
            key: subject_key(WarningKind::StationSurge, &u.to_string()),
            subject: names.get(&u).cloned().unwrap_or_default(),
            subject_unit_id: Some(u),
            since,
            latest,
            facts: serde_json::json!({
                "cases": n,
                "days": t.surge_recent_days,
                "baseline_average": rules::baseline_average(p, t),
                "baseline_days": t.surge_baseline_days,
            }),
            cases: by_unit.remove(&u).unwrap_or_default(),
        })
        .collect())
}

// ----- storing -----

/// Computes every warning over the cases of `scope` and stores what is new: warnings raised, new
/// cases joined, closed warnings with new cases reopened. Returns how many warnings changed.
///
/// # Errors
/// Database failures.
#[tracing::instrument(skip_all)]
pub async fn refresh(
    db: &DatabaseConnection,
    tz: Tz,
    scope: &Condition,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let t = thresholds(db).await?;
    let findings = find(db, tz, scope, &t, now).await?;
    if findings.is_empty() {
        return Ok(0);
    }
    let keys: Vec<String> = findings.iter().map(|f| f.key.clone()).collect();
    let stored: HashMap<(WarningKind, String), warnings::Model> = warnings::Entity::find()
        .filter(warnings::Column::SubjectKey.is_in(keys))
        .all(db)
        .await?
        .into_iter()
        .map(|w| ((w.kind.into(), w.subject_key.clone()), w))
        .collect();
    let stored_ids: Vec<i64> = stored.values().map(|w| w.id).collect();
    let found_ids: BTreeSet<i64> = findings
        .iter()
        .flat_map(|f| f.cases.iter().copied())
        .collect();
    let found_ids: Vec<i64> = found_ids.into_iter().collect();
    let mut linked: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    if !stored_ids.is_empty() {
        for chunk in found_ids.chunks(ID_BATCH) {
            let rows: Vec<(i64, i64)> = warning_cases::Entity::find()
                .filter(warning_cases::Column::WarningId.is_in(stored_ids.clone()))
                .filter(warning_cases::Column::CaseId.is_in(chunk.iter().copied()))
                .select_only()
                .column(warning_cases::Column::WarningId)
                .column(warning_cases::Column::CaseId)
                .into_tuple()
                .all(db)
                .await?;
            for (w, c) in rows {
                linked.entry(w).or_default().insert(c);
            }
        }
    }
    let empty = BTreeSet::new();
    let mut plans = Vec::new();
    for f in findings {
        let existing = stored.get(&(f.kind, f.key.clone()));
        let merge = match existing {
            None => rules::merge(None, &f.cases),
            Some(w) => rules::merge(
                Some((w.status.into(), linked.get(&w.id).unwrap_or(&empty))),
                &f.cases,
            ),
        };
        if merge != Merge::Nothing {
            plans.push((f, existing.cloned(), merge));
        }
    }
    if plans.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let mut changed = 0;
    for (f, existing, merge) in plans {
        let (warning, cases, reopen) = match (existing, merge) {
            (None, Merge::Raise(cases)) => {
                warnings::Entity::insert(warnings::ActiveModel {
                    kind: Set(f.kind.into()),
                    subject_key: Set(f.key.clone()),
                    subject: Set(f.subject.chars().take(200).collect()),
                    subject_unit_id: Set(f.subject_unit_id),
                    status: Set(WarningStatus::Open.into()),
                    case_count: Set(0),
                    since: Set(f.since),
                    latest_at: Set(f.latest),
                    facts: Set(f.facts.to_string()),
                    opened_at: Set(now),
                    closed_at: Set(None),
                    closed_by: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .on_conflict(
                    OnConflict::columns([warnings::Column::Kind, warnings::Column::SubjectKey])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
                // Ours, or another server's raised a moment ago: either way, link the cases.
                let Some(w) = warnings::Entity::find()
                    .filter(warnings::Column::Kind.eq(stored::WarningKind::from(f.kind)))
                    .filter(warnings::Column::SubjectKey.eq(f.key.clone()))
                    .one(&txn)
                    .await?
                else {
                    continue;
                };
                (w, cases, false)
            }
            (Some(w), Merge::Join { cases, reopen }) => (w, cases, reopen),
            _ => continue,
        };
        if reopen {
            let reopened = warnings::Entity::update_many()
                .col_expr(
                    warnings::Column::Status,
                    Expr::value(stored::WarningStatus::Open),
                )
                .col_expr(warnings::Column::OpenedAt, Expr::value(now))
                .col_expr(
                    warnings::Column::ClosedAt,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .col_expr(warnings::Column::ClosedBy, Expr::value(None::<i64>));
            let written = versioned::try_update(
                &txn,
                reopened,
                (warnings::Column::Id, warning.id),
                (warnings::Column::Version, warning.version),
            )
            .await?;
            if !written {
                // Someone acted on it meanwhile: the next refresh looks again.
                continue;
            }
            warning_actions::ActiveModel {
                warning_id: Set(warning.id),
                kind: Set(WarningEntryKind::Reopened.into()),
                text: Set(cases.len().to_string()),
                actor_user_id: Set(None),
                at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let mut added: u64 = 0;
        for chunk in cases.chunks(ID_BATCH) {
            added += warning_cases::Entity::insert_many(chunk.iter().map(|c| {
                warning_cases::ActiveModel {
                    warning_id: Set(warning.id),
                    case_id: Set(*c),
                    added_at: Set(now),
                }
            }))
            .on_conflict(
                OnConflict::columns([
                    warning_cases::Column::WarningId,
                    warning_cases::Column::CaseId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        warnings::Entity::update_many()
            .col_expr(
                warnings::Column::CaseCount,
                Expr::col(warnings::Column::CaseCount)
                    .add(i32::try_from(added).unwrap_or(i32::MAX)),
            )
            .col_expr(
                warnings::Column::Since,
                Expr::value(std::cmp::min(f.since, warning.since)),
            )
            .col_expr(
                warnings::Column::LatestAt,
                Expr::value(std::cmp::max(f.latest, warning.latest_at)),
            )
            .col_expr(warnings::Column::Facts, Expr::value(f.facts.to_string()))
            .col_expr(warnings::Column::UpdatedAt, Expr::value(now))
            .filter(warnings::Column::Id.eq(warning.id))
            .exec(&txn)
            .await?;
        changed += 1;
    }
    txn.commit().await?;
    if changed > 0 {
        tracing::info!(changed, "warnings refreshed");
    }
    Ok(changed)
}

/// [`refresh`] over the whole street (the reminder scan's).
///
/// # Errors
/// Database failures.
pub async fn refresh_street(
    db: &DatabaseConnection,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    refresh(db, tz, &Condition::all(), now).await
}

// ----- reading -----

/// A warning as the API returns it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WarningOut {
    pub id: i64,
    /// `respondent_repeat`, `applicant_return`, `station_surge`, `collective_forming`.
    pub kind: String,
    /// The respondent's name, the applicant's name with the masked number, or the unit's name.
    pub subject: String,
    /// The unit of a station warning.
    pub subject_unit_id: Option<i64>,
    /// `open` or `closed`.
    pub status: String,
    /// The cases linked to it.
    pub case_count: i32,
    /// When the earliest of its cases was received.
    pub since: DateTime<Utc>,
    /// When the latest of its cases was received.
    pub latest_at: DateTime<Utc>,
    /// The figures that raised it (`cases`, `days`; for stations `baseline_average`).
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
    /// When it was raised, or last reopened.
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl WarningOut {
    fn of(w: warnings::Model) -> WarningOut {
        WarningOut {
            facts: serde_json::from_str(&w.facts).unwrap_or_else(|_| serde_json::json!({})),
            id: w.id,
            kind: WarningKind::from(w.kind).as_str().to_owned(),
            subject: w.subject,
            subject_unit_id: w.subject_unit_id,
            status: WarningStatus::from(w.status).as_str().to_owned(),
            case_count: w.case_count,
            since: w.since,
            latest_at: w.latest_at,
            opened_at: w.opened_at,
            closed_at: w.closed_at,
            version: w.version,
        }
    }
}

/// One entry of a warning's history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WarningActionOut {
    /// `note`, `close`, or `reopened` (new cases joined; by the system).
    pub kind: String,
    /// What was done; for `reopened`, how many cases joined.
    pub text: String,
    /// Who recorded it (null for the system).
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
}

/// A warning with its cases (those the reader may see, newest first) and its history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WarningDetail {
    #[serde(flatten)]
    pub warning: WarningOut,
    pub cases: Vec<CaseOut>,
    pub actions: Vec<WarningActionOut>,
    /// Whether the reader may record on it and close it.
    pub can_act: bool,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct WarningFilter {
    pub kind: Option<WarningKind>,
    pub status: Option<WarningStatus>,
}

/// The warnings, newest first, after computing them afresh over the reader's scope.
///
/// # Errors
/// 403 for roles that may not read warnings; database failures.
pub async fn list(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    filter: WarningFilter,
    page: PageRequest,
) -> Result<Page<WarningOut>, AppError> {
    user.require(&READ_ROLES)?;
    refresh(db, tz, &visible_condition(user), chrono::Utc::now()).await?;
    let mut q = warnings::Entity::find();
    if let Some(kind) = filter.kind {
        q = q.filter(warnings::Column::Kind.eq(stored::WarningKind::from(kind)));
    }
    if let Some(status) = filter.status {
        q = q.filter(warnings::Column::Status.eq(stored::WarningStatus::from(status)));
    }
    let order = |q: sea_orm::Select<warnings::Entity>| {
        q.order_by_desc(warnings::Column::OpenedAt)
            .order_by_desc(warnings::Column::Id)
    };
    Ok(paging::paginate(db, q, order, page)
        .await?
        .map(WarningOut::of))
}

/// The open warnings for a section of the queue or the dashboard: how many, and the newest few.
/// `None` for roles that do not see warnings. Reads stored rows only.
#[derive(Clone, Debug, Serialize)]
pub struct OpenSummary {
    pub total: u64,
    pub items: Vec<WarningOut>,
}

/// # Errors
/// Database failures.
pub async fn open_summary(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    limit: u64,
) -> Result<Option<OpenSummary>, AppError> {
    if !READ_ROLES.contains(&user.role) {
        return Ok(None);
    }
    let open =
        warnings::Entity::find().filter(warnings::Column::Status.eq(stored::WarningStatus::Open));
    let total = open.clone().count(db).await?;
    let items = open
        .order_by_desc(warnings::Column::OpenedAt)
        .order_by_desc(warnings::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(Some(OpenSummary {
        total,
        items: items.into_iter().map(WarningOut::of).collect(),
    }))
}

/// One warning with its cases and history.
///
/// # Errors
/// 403 for roles that may not read warnings; 404 for no such warning.
pub async fn detail(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &CurrentUser,
    id: i64,
) -> Result<WarningDetail, AppError> {
    user.require(&READ_ROLES)?;
    let w = warnings::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let ids: Vec<i64> = warning_cases::Entity::find()
        .filter(warning_cases::Column::WarningId.eq(id))
        .select_only()
        .column(warning_cases::Column::CaseId)
        .order_by_desc(warning_cases::Column::CaseId)
        .limit(MAX_CASES as u64)
        .into_tuple()
        .all(db)
        .await?;
    let now = Utc::now();
    let cases = if ids.is_empty() {
        Vec::new()
    } else {
        let rows = case_list::filtered(
            tz,
            user,
            &CaseFilter {
                ids: Some(ids),
                ..Default::default()
            },
            now,
        )
        .order_by_desc(cases::Column::ReceivedAt)
        .order_by_desc(cases::Column::Id)
        .all(db)
        .await?;
        let cal = calendar::load(db).await?;
        rows.iter()
            .map(|c| CaseOut::build(c, tz, &cal, now))
            .collect()
    };
    let actions = warning_actions::Entity::find()
        .filter(warning_actions::Column::WarningId.eq(id))
        .order_by_asc(warning_actions::Column::At)
        .order_by_asc(warning_actions::Column::Id)
        .limit(MAX_ACTIONS)
        .all(db)
        .await?;
    let actor_ids: Vec<i64> = actions.iter().filter_map(|a| a.actor_user_id).collect();
    let names: BTreeMap<i64, String> = if actor_ids.is_empty() {
        BTreeMap::new()
    } else {
        users::Entity::find()
            .filter(users::Column::Id.is_in(actor_ids))
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::DisplayName)
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(WarningDetail {
        can_act: ACT_ROLES.contains(&user.role),
        warning: WarningOut::of(w),
        cases,
        actions: actions
            .into_iter()
            .map(|a| WarningActionOut {
                actor: a.actor_user_id.and_then(|u| names.get(&u).cloned()),
                kind: WarningEntryKind::from(a.kind).as_str().to_owned(),
                text: a.text,
                at: a.at,
            })
            .collect(),
    })
}

/// Records what was done on a warning, or closes it (coordinators; version-checked; audited).
///
/// # Errors
/// 403 for other roles; 404 for no such warning; 409 on a stale `version`; 422 naming `text`
/// when a note says nothing, or refusing to close a closed warning.
#[tracing::instrument(skip_all, fields(warning_id = id))]
pub async fn act(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    id: i64,
    action: WarningAction,
    text: Option<String>,
    version: i32,
) -> Result<WarningDetail, AppError> {
    user.require(&READ_ROLES)?;
    let txn = begin_write(db).await?;
    let w = warnings::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(&ACT_ROLES)?;
    versioned::check(Some(version), w.version)?;
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if action.needs_text() && text.is_none() {
        return Err(AppError::field("text", Message::key("warn-err-note-text")));
    }
    let closed = WarningStatus::from(w.status) == WarningStatus::Closed;
    if action == WarningAction::Close && closed {
        return Err(AppError::Refused(Message::key("warn-err-already-closed")));
    }
    let now = Utc::now();
    let mut update =
        warnings::Entity::update_many().col_expr(warnings::Column::UpdatedAt, Expr::value(now));
    if action == WarningAction::Close {
        update = update
            .col_expr(
                warnings::Column::Status,
                Expr::value(stored::WarningStatus::Closed),
            )
            .col_expr(warnings::Column::ClosedAt, Expr::value(Some(now)))
            .col_expr(warnings::Column::ClosedBy, Expr::value(Some(user.id)));
    }
    versioned::update(
        &txn,
        update,
        (warnings::Column::Id, id),
        (warnings::Column::Version, w.version),
    )
    .await?;
    let text = text.unwrap_or_default();
    warning_actions::ActiveModel {
        warning_id: Set(id),
        kind: Set(WarningEntryKind::from(action).into()),
        text: Set(text.clone()),
        actor_user_id: Set(Some(user.id)),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(user.id),
        &format!("warning.{}", action.as_str()),
        "warning",
        Some(id),
        Some(text),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(action = action.as_str(), "warning acted on");
    detail(db, tz, user, id).await
}
