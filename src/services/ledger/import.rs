//! The ledger import: a station's register (XLSX or CSV) read row by row, each row checked by
//! `domain::ledger::parse_row`, refused with its row, column and reason, or taken in whole in its
//! own transaction through the same intake as a new case (its number kept, the counter moved past
//! it) and, when the register says so, closed on its day. A dry run checks everything and writes
//! nothing. Rows are streamed: a CSV is read record by record, an XLSX cell by cell (calamine's
//! cell reader), so memory does not grow with the file.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufReader, Read, Seek};

use calamine::{DataRef, Reader as _, Xlsx};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{agreements, case_parties, cases, units};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use serde::Serialize;
use serde_json::json;

use crate::db::begin_write;
use crate::domain::case_terms::{PartyKind, PartyRole};
use crate::domain::clocks::{local_date, start_of_local_day};
use crate::domain::grading;
use crate::domain::ledger::{self, CellError, HeaderMap, ImportRow, Raw};
use crate::domain::network::UnitKind;
use crate::domain::role::Role;
use crate::domain::workflow::{Action, Outcome, Status};
use crate::error::AppError;
use crate::services::auth::CurrentUser;
use crate::services::cases::intake::{self, IntakeInput, Numbering, PartyInput, Rules};
use crate::services::cases::{record_event, NewEvent};
use crate::services::stats::counters;
use crate::services::{audit, calendar, settings};

/// Refused rows listed in a report at most (all are counted).
pub const MAX_LISTED: usize = 1000;

/// Who may import: the coordination centre and admins.
pub const IMPORT_ROLES: [Role; 2] = [Role::Coordinator, Role::Admin];

/// The system importing from the command line: the coordination centre with no account
/// (recorded as nobody).
pub fn system_actor() -> CurrentUser {
    CurrentUser {
        id: 0,
        username: "system".to_owned(),
        display_name: "系统".to_owned(),
        role: Role::Coordinator,
        unit_id: None,
        mediator_id: None,
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The unit (code) of rows whose 调解组织 is empty or missing.
    pub unit_code: Option<String>,
    pub dry_run: bool,
}

/// One refused row: its row number in the file (the header is row 1), the column, the reason.
#[derive(Clone, Debug, Serialize)]
pub struct Refusal {
    pub row: u64,
    pub column: Option<String>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// Rows taken in (with `dry_run`: rows that would be).
    pub imported: u64,
    /// Rows refused, all of them counted.
    pub refused_rows: u64,
    /// The first [`MAX_LISTED`] refusals, a line per column at fault.
    pub refusals: Vec<Refusal>,
    pub dry_run: bool,
}

impl Report {
    fn refuse(&mut self, row: u64, errors: Vec<CellError>) {
        self.refused_rows += 1;
        for e in errors {
            if self.refusals.len() < MAX_LISTED {
                self.refusals.push(Refusal {
                    row,
                    column: Some(e.column.to_owned()),
                    reason: e.reason,
                });
            }
        }
    }
}

/// Why a file cannot be read at all (nothing is imported).
fn file_error(reason: impl Into<String>) -> AppError {
    AppError::field(
        "file",
        crate::error::Message::Text {
            zh: reason.into(),
            en: "the file cannot be read as a ledger".to_owned(),
        },
    )
}

/// Reads a CSV record by record into rows (the BOM of the first cell dropped).
fn csv_rows<R: Read>(
    source: R,
    mut each: impl FnMut(u64, Vec<Raw>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(source));
    let mut record = csv::StringRecord::new();
    let mut n = 0u64;
    loop {
        n += 1;
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let why = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "不是 UTF-8 编码，请另存为 UTF-8 CSV",
                    _ => "格式错误",
                };
                return Err(file_error(format!("第 {n} 行不是有效的 CSV（{why}）")));
            }
        }
        let line = record.position().map_or(n, csv::Position::line);
        let cells = record
            .iter()
            .map(|c| {
                let c = c.trim_start_matches('\u{feff}').trim();
                if c.is_empty() {
                    Raw::Empty
                } else {
                    Raw::Text(c.to_owned())
                }
            })
            .collect();
        each(line, cells)?;
    }
}

fn raw_of(cell: &DataRef<'_>) -> Raw {
    match cell {
        DataRef::Int(n) => Raw::Number(*n as f64),
        DataRef::Float(f) => Raw::Number(*f),
        DataRef::String(s) => Raw::Text(s.clone()),
        DataRef::SharedString(s) => Raw::Text((*s).to_owned()),
        DataRef::Bool(b) => Raw::Text(b.to_string()),
        DataRef::DateTime(d) => {
            let serial = d.as_f64().floor();
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|e| e.checked_add_days(chrono::Days::new(serial.max(0.0) as u64)))
                .map_or(Raw::Number(serial), Raw::Date)
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Raw::Text(s.clone()),
        DataRef::Error(_) | DataRef::Empty => Raw::Empty,
    }
}

/// Reads the first sheet of a workbook cell by cell into rows (sparse cells placed by column).
fn xlsx_rows<R: Read + Seek>(
    source: R,
    mut each: impl FnMut(u64, Vec<Raw>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(BufReader::new(source)).map_err(|_| file_error("不是有效的 XLSX 电子表格"))?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err(file_error("工作簿中没有工作表"));
    };
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|_| file_error("不是有效的 XLSX 电子表格"))?;
    let mut current: Option<(u32, Vec<Raw>)> = None;
    loop {
        let cell = reader
            .next_cell()
            .map_err(|_| file_error("XLSX 工作表已损坏"))?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.get_position();
        if current.as_ref().is_some_and(|(r, _)| *r != row) {
            if let Some((r, cells)) = current.take() {
                each(u64::from(r) + 1, cells)?;
            }
        }
        let entry = current.get_or_insert_with(|| (row, Vec::new()));
        let col = col as usize;
        if col > 200 {
            continue;
        }
        if entry.1.len() <= col {
            entry.1.resize(col + 1, Raw::Empty);
        }
        entry.1[col] = raw_of(cell.get_value());
    }
    if let Some((r, cells)) = current {
        each(u64::from(r) + 1, cells)?;
    }
    Ok(())
}

/// What kind of file this is, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Csv,
}

fn sniff(head: &[u8]) -> Result<Kind, AppError> {
    if head.is_empty() {
        return Err(file_error("文件是空的"));
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(Kind::Xlsx);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(file_error(
            "这是旧版 .xls 文件，请另存为 .xlsx 或 CSV 后再导入",
        ));
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut at the end of the sample is fine.
        Err(e) if e.valid_up_to() + 4 >= head.len() && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => {
            return Err(file_error(
                "不是电子表格（应为 .xlsx 或 UTF-8 编码的 .csv）",
            ))
        }
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(file_error(
            "不是电子表格（应为 .xlsx 或 UTF-8 编码的 .csv）",
        ));
    }
    Ok(Kind::Csv)
}

/// The units by code and by name, and the hub of each.
struct Units {
    by_key: BTreeMap<String, i64>,
    hub_code: BTreeMap<i64, (i64, String)>,
}

impl Units {
    async fn load(db: &impl ConnectionTrait) -> Result<Units, AppError> {
        let all = units::Entity::find()
            .filter(units::Column::Active.eq(true))
            .all(db)
            .await?;
        let codes: BTreeMap<i64, (i64, String)> = all
            .iter()
            .filter(|u| UnitKind::from(u.kind) == UnitKind::StreetHub)
            .map(|u| (u.id, (u.id, u.code.clone())))
            .collect();
        let mut by_key = BTreeMap::new();
        let mut hub_code = BTreeMap::new();
        for u in &all {
            by_key.insert(u.code.clone(), u.id);
            by_key.entry(u.name.clone()).or_insert(u.id);
            let hub = if UnitKind::from(u.kind) == UnitKind::StreetHub {
                Some(u.id)
            } else {
                u.parent_id
            };
            if let Some(h) = hub.and_then(|h| codes.get(&h)) {
                hub_code.insert(u.id, h.clone());
            }
        }
        Ok(Units { by_key, hub_code })
    }

    fn find(&self, key: &str) -> Option<i64> {
        self.by_key.get(key.trim()).copied()
    }
}

/// A row ready to be written.
struct Prepared {
    row: ImportRow,
    unit_id: i64,
}

/// The time of day given to a day-only date from a register: noon, local time (never later
/// than now, for a case received today).
fn moment(day: NaiveDate, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    std::cmp::min(start_of_local_day(day, tz) + Duration::hours(12), now)
}

/// Imports a ledger from `source` (an XLSX workbook's first sheet, or a UTF-8 CSV), calling
/// `progress(rows_read)` as it goes. Runs on the calling (blocking) thread; database work goes
/// through `handle`.
///
/// # Errors
/// 403 for roles that may not import; 422 naming `file` for a file that is not a ledger (empty,
/// not a spreadsheet, its header row missing columns) and `unit` for an unknown `--unit`:
/// nothing is written then.
#[allow(clippy::too_many_arguments)]
pub fn import<R: Read + Seek>(
    handle: &tokio::runtime::Handle,
    db: &DatabaseConnection,
    tz: Tz,
    actor: &CurrentUser,
    mut source: R,
    options: &Options,
    progress: &dyn Fn(&Report),
) -> Result<Report, AppError> {
    actor.require(&IMPORT_ROLES)?;
    let mut head = vec![0u8; 4096];
    let mut filled = 0;
    while filled < head.len() {
        let n = source
            .read(&mut head[filled..])
            .map_err(|e| file_error(format!("无法读取文件：{e}")))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    let kind = sniff(&head)?;
    source
        .rewind()
        .map_err(|e| file_error(format!("无法读取文件：{e}")))?;

    let units = handle.block_on(Units::load(db))?;
    let default_unit = match &options.unit_code {
        None => None,
        Some(code) => Some(units.find(code).ok_or_else(|| {
            AppError::field(
                "unit",
                crate::error::Message::Text {
                    zh: format!("未知的调解组织代码“{code}”"),
                    en: format!("unknown unit code {code:?}"),
                },
            )
        })?),
    };
    let thresholds = handle.block_on(settings::grading_thresholds(db))?;
    let cal = handle.block_on(calendar::load(db))?;
    let now = Utc::now();
    let today = local_date(now, tz);
    let mut state = State {
        handle,
        db,
        tz,
        actor,
        now,
        today,
        units: &units,
        default_unit,
        rules: Rules {
            thresholds: &thresholds,
            calendar: &cal,
        },
        dry_run: options.dry_run,
        header: None,
        seen_numbers: HashSet::new(),
        seen_parties: HashSet::new(),
        report: Report {
            dry_run: options.dry_run,
            ..Default::default()
        },
    };
    match kind {
        Kind::Csv => {
            csv_rows(source, |n, cells| {
                state.take(n, cells)?;
                if state.report.rows.is_multiple_of(500) {
                    progress(&state.report);
                }
                Ok(())
            })?;
        }
        Kind::Xlsx => {
            xlsx_rows(source, |n, cells| {
                state.take(n, cells)?;
                if state.report.rows.is_multiple_of(500) {
                    progress(&state.report);
                }
                Ok(())
            })?;
        }
    }
    if state.header.is_none() {
        return Err(file_error("文件中没有表头行（空文件）"));
    }
    let report = state.report;
    progress(&report);
    if !report.dry_run {
        handle.block_on(audit::record(
            db,
            (actor.id > 0).then_some(actor.id),
            "ledger.import",
            "ledger",
            None,
            Some(format!(
                "imported {} of {} rows, refused {}",
                report.imported, report.rows, report.refused_rows
            )),
        ))?;
    }
    Ok(report)
}

struct State<'a> {
    handle: &'a tokio::runtime::Handle,
    db: &'a DatabaseConnection,
    tz: Tz,
    actor: &'a CurrentUser,
    now: DateTime<Utc>,
    today: NaiveDate,
    units: &'a Units,
    default_unit: Option<i64>,
    rules: Rules<'a>,
    dry_run: bool,
    header: Option<HeaderMap>,
    seen_numbers: HashSet<String>,
    seen_parties: HashSet<(String, String, NaiveDate)>,
    report: Report,
}

fn one(column: ledger::Column, reason: &str) -> Vec<CellError> {
    vec![CellError {
        column: column.header(),
        reason: reason.to_owned(),
    }]
}

fn party_key(row: &ImportRow) -> (String, String, NaiveDate) {
    let mut a = row.applicants.clone();
    a.sort();
    let mut r = row.respondents.clone();
    r.sort();
    (a.join("、"), r.join("、"), row.received_on)
}

impl State<'_> {
    /// One line of the file: the header first, then a data row.
    fn take(&mut self, n: u64, cells: Vec<Raw>) -> Result<(), AppError> {
        if cells.iter().all(Raw::is_empty) {
            return Ok(());
        }
        let Some(map) = &self.header else {
            let names: Vec<String> = cells
                .iter()
                .map(|c| match c {
                    Raw::Text(s) => s.trim().to_owned(),
                    _ => String::new(),
                })
                .collect();
            let map = ledger::map_headers(&names, self.default_unit.is_some())
                .map_err(|e| file_error(format!("第 {n} 行（表头）{}", e.message_zh())))?;
            self.header = Some(map);
            return Ok(());
        };
        self.report.rows += 1;
        let row = match ledger::parse_row(map, &cells, self.today) {
            Ok(row) => row,
            Err(errors) => {
                self.report.refuse(n, errors);
                return Ok(());
            }
        };
        match self.prepare(row) {
            Ok(prepared) => {
                let written = if self.dry_run {
                    Ok(())
                } else {
                    self.handle.block_on(self.write(prepared))
                };
                match written {
                    Ok(()) => self.report.imported += 1,
                    Err(AppError::Invalid(fields)) => {
                        let reason = fields
                            .values()
                            .map(|m| crate::i18n::message(crate::i18n::Lang::Zh, m))
                            .collect::<Vec<_>>()
                            .join("；");
                        self.report.refuse(n, one(ledger::Column::Unit, &reason));
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(Refusing(errors)) => self.report.refuse(n, errors),
        }
        Ok(())
    }

    /// Resolves the unit and checks the row against the file so far and the database.
    fn prepare(&mut self, row: ImportRow) -> Result<Prepared, Refusing> {
        let unit_id = match &row.unit {
            Some(u) => self.units.find(u).ok_or_else(|| {
                Refusing(one(ledger::Column::Unit, &format!("未知的调解组织“{u}”")))
            })?,
            None => self
                .default_unit
                .ok_or_else(|| Refusing(one(ledger::Column::Unit, "必填")))?,
        };
        let Some((_, hub_code)) = self.units.hub_code.get(&unit_id) else {
            return Err(Refusing(one(
                ledger::Column::Unit,
                "该调解组织不属于任何街道",
            )));
        };
        if let Some(no) = &row.case_no {
            if &no.hub_code != hub_code {
                return Err(Refusing(one(
                    ledger::Column::CaseNo,
                    &format!("编号的街道代码应为 {hub_code}（调解组织所属街道）"),
                )));
            }
            let text = no.format();
            if self.seen_numbers.contains(&text) {
                return Err(Refusing(one(
                    ledger::Column::CaseNo,
                    "编号与本文件前面的行重复",
                )));
            }
            let exists = self
                .handle
                .block_on(
                    cases::Entity::find()
                        .filter(cases::Column::CaseNo.eq(text.clone()))
                        .count(self.db),
                )
                .map_err(|e| Refusing(one(ledger::Column::CaseNo, &format!("{e}"))))?;
            if exists > 0 {
                return Err(Refusing(one(
                    ledger::Column::CaseNo,
                    &format!("编号 {text} 已存在"),
                )));
            }
        }
        let key = party_key(&row);
        if self.seen_parties.contains(&key) {
            return Err(Refusing(one(
                ledger::Column::Applicants,
                "同一申请人、被申请人和受理日期与本文件前面的行重复",
            )));
        }
        let same = self
            .handle
            .block_on(same_parties_and_day(self.db, self.tz, &row))
            .map_err(|e| Refusing(one(ledger::Column::Applicants, &format!("{e}"))))?;
        if same {
            return Err(Refusing(one(
                ledger::Column::Applicants,
                "已有同一申请人、被申请人、受理日期的案件",
            )));
        }
        if let Some(no) = &row.case_no {
            self.seen_numbers.insert(no.format());
        }
        self.seen_parties.insert(key);
        Ok(Prepared { row, unit_id })
    }

    /// Writes one row in its own transaction: intake (number kept), and closing if closed.
    async fn write(&self, p: Prepared) -> Result<(), AppError> {
        let row = p.row;
        let received_at = moment(row.received_on, self.tz, self.now);
        let party = |role: PartyRole, name: &String| PartyInput {
            role,
            kind: if role == PartyRole::Applicant {
                PartyKind::Person
            } else {
                ledger::party_kind_of(name)
            },
            name: name.clone(),
            id_number: None,
            phone: None,
            organisation: None,
        };
        let mut parties: Vec<PartyInput> = row
            .applicants
            .iter()
            .map(|n| party(PartyRole::Applicant, n))
            .collect();
        parties.extend(
            row.respondents
                .iter()
                .map(|n| party(PartyRole::Respondent, n)),
        );
        let input = IntakeInput {
            intake_unit_id: p.unit_id,
            dispute_type: row.dispute_type,
            source: row.source,
            summary: format!(
                "台账导入：{}诉{}",
                row.applicants.join("、"),
                row.respondents.join("、")
            ),
            amount_claimed_fen: row.amount_claimed_fen,
            people_involved: row.people_involved,
            risk_flags: Vec::new(),
            received_at: Some(received_at),
            infringement_known_on: None,
            employment_ended_on: None,
            parties,
        };
        let numbering = match &row.case_no {
            Some(n) => Numbering::Given(n.seq),
            None => Numbering::Next,
        };
        let actor_ref = (self.actor.id > 0).then_some(self.actor.id);
        let txn = begin_write(self.db).await?;
        let case = intake::insert(
            &txn,
            self.tz,
            self.actor,
            input,
            received_at,
            &self.rules,
            numbering,
        )
        .await?;
        let stored_grade = crate::domain::case_terms::Grade::from(case.grade);
        let mut grade = stored_grade;
        if let Some(g) = row.grade.filter(|g| *g != stored_grade) {
            // The register's grade was decided by people: kept as a manual grade.
            grade = g;
            cases::Entity::update_many()
                .col_expr(cases::Column::Grade, Expr::value(g.as_str()))
                .col_expr(
                    cases::Column::GradeSource,
                    Expr::value(entity::terms::GradeSource::Manual),
                )
                .col_expr(
                    cases::Column::GradeReason,
                    Expr::value("台账导入：原台账等级"),
                )
                .filter(cases::Column::Id.eq(case.id))
                .exec(&txn)
                .await?;
            record_event(
                &txn,
                NewEvent {
                    case_id: case.id,
                    kind: Action::Regrade.into(),
                    actor_user_id: actor_ref,
                    at: received_at,
                    from: Some(json!({ "grade": stored_grade })),
                    to: Some(json!({ "grade": g.as_str(), "imported": true })),
                    note: Some("台账导入：原台账等级 / grade from the imported ledger".to_owned()),
                },
            )
            .await?;
        }
        let closed_at = row
            .closing
            .as_ref()
            .map(|c| std::cmp::max(moment(c.closed_on, self.tz, self.now), received_at));
        if let Some(amount) = row.agreement_fen {
            let signed_at = closed_at.unwrap_or(received_at);
            agreements::ActiveModel {
                case_id: Set(case.id),
                signed_at: Set(signed_at),
                matters: Set("台账导入".to_owned()),
                terms: Set("见原台账 / see the imported ledger".to_owned()),
                amount_fen: Set(amount),
                superseded: Set(false),
                recorded_by: Set(self.actor.id),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            record_event(
                &txn,
                NewEvent {
                    case_id: case.id,
                    kind: Action::RecordAgreement.into(),
                    actor_user_id: actor_ref,
                    at: signed_at,
                    from: Some(json!({ "status": Status::Registered.as_str() })),
                    to: Some(json!({ "status": Status::Agreed.as_str(), "amount_fen": amount, "imported": true })),
                    note: Some("台账导入 / agreement as the imported ledger records".to_owned()),
                },
            )
            .await?;
        }
        if let (Some(closing), Some(closed_at)) = (&row.closing, closed_at) {
            let graded = grade;
            let confirmed = closing.outcome == Outcome::Resolved
                && !grading::needs_confirmation_to_close(graded);
            cases::Entity::update_many()
                .col_expr(cases::Column::Status, Expr::value(Status::Closed.as_str()))
                .col_expr(
                    cases::Column::Outcome,
                    Expr::value(closing.outcome.as_str()),
                )
                .col_expr(cases::Column::ClosedAt, Expr::value(closed_at))
                .col_expr(cases::Column::GradeConfirmed, Expr::value(confirmed))
                .col_expr(
                    cases::Column::Version,
                    Expr::col(cases::Column::Version).add(1),
                )
                .filter(cases::Column::Id.eq(case.id))
                .exec(&txn)
                .await?;
            let from = if row.agreement_fen.is_some() {
                Status::Agreed
            } else {
                Status::Registered
            };
            record_event(
                &txn,
                NewEvent {
                    case_id: case.id,
                    kind: Action::Close.into(),
                    actor_user_id: actor_ref,
                    at: closed_at,
                    from: Some(json!({ "status": from.as_str() })),
                    to: Some(json!({
                        "status": Status::Closed.as_str(),
                        "outcome": closing.outcome.as_str(),
                        "imported": true,
                    })),
                    note: Some("台账导入 / closed as the imported ledger records".to_owned()),
                },
            )
            .await?;
        } else if row.agreed {
            cases::Entity::update_many()
                .col_expr(cases::Column::Status, Expr::value(Status::Agreed.as_str()))
                .col_expr(
                    cases::Column::Version,
                    Expr::col(cases::Column::Version).add(1),
                )
                .filter(cases::Column::Id.eq(case.id))
                .exec(&txn)
                .await?;
        }
        // The intake counted the case as registered; the grade and closing written above move
        // the figures from there.
        let written = cases::Entity::find_by_id(case.id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        counters::apply(&txn, self.tz, Some(&case), Some(&written)).await?;
        // An imported agreement of an agreed or resolved case waits for its follow-up visit.
        crate::services::cases::follow_ups_due::refresh(&txn, self.tz, case.id).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// A row refused before anything is written.
struct Refusing(Vec<CellError>);

/// Whether a case received on the row's day has the same applicants and respondents (by name).
async fn same_parties_and_day(
    db: &DatabaseConnection,
    tz: Tz,
    row: &ImportRow,
) -> Result<bool, AppError> {
    let from = start_of_local_day(row.received_on, tz);
    let to = crate::domain::clocks::end_of_local_day(row.received_on, tz);
    let mut query = cases::Entity::find()
        .filter(cases::Column::ReceivedAt.gte(from))
        .filter(cases::Column::ReceivedAt.lt(to));
    for (role, names) in [
        (PartyRole::Applicant, &row.applicants),
        (PartyRole::Respondent, &row.respondents),
    ] {
        for name in names {
            query = query.filter(
                cases::Column::Id.in_subquery(
                    Query::select()
                        .column(case_parties::Column::CaseId)
                        .from(case_parties::Entity)
                        .and_where(Expr::col(case_parties::Column::Role).eq(role.as_str()))
                        .and_where(Expr::col(case_parties::Column::Name).eq(name.as_str()))
                        .to_owned(),
                ),
            );
        }
    }
    Ok(query.count(db).await? > 0)
}
