//! The ledger (台账, DESIGN §11): its columns, one case as a row, and a row read back for import.
//!
//! The export writes [`HEADERS`]; the import finds its columns by the same names (in any order,
//! extra columns ignored), so an exported ledger reads back in. Labels are the Chinese ones the
//! pages show (欠薪, 来访, 调解成功); the stored codes (`wage_arrears`) are read as well.

use chrono::NaiveDate;

use super::case_terms::{DisputeType, Grade, PartyKind, Source};
use super::money::parse_yuan;
use super::term::Term;
use super::workflow::{Outcome, Status};
use crate::i18n::{self, Lang};

/// The columns a district office expects, in order.
pub const HEADERS: [&str; 16] = [
    "案件编号",
    "受理日期",
    "申请人",
    "被申请人",
    "争议类型",
    "案件来源",
    "申请金额（元）",
    "涉及人数",
    "案件等级",
    "调解组织",
    "调解员",
    "办理状态",
    "调解结果",
    "协议金额（元）",
    "结案日期",
    "办理天数",
];

/// The columns by meaning; `Column::X as usize` is its place in [`HEADERS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    CaseNo,
    Received,
    Applicants,
    Respondents,
    DisputeType,
    Source,
    AmountClaimed,
    People,
    Grade,
    Unit,
    Mediators,
    Status,
    Outcome,
    AgreementAmount,
    Closed,
    DaysTaken,
}

impl Column {
    pub const ALL: [Column; 16] = [
        Column::CaseNo,
        Column::Received,
        Column::Applicants,
        Column::Respondents,
        Column::DisputeType,
        Column::Source,
        Column::AmountClaimed,
        Column::People,
        Column::Grade,
        Column::Unit,
        Column::Mediators,
        Column::Status,
        Column::Outcome,
        Column::AgreementAmount,
        Column::Closed,
        Column::DaysTaken,
    ];

    /// The columns an import cannot do without (the unit may come from `--unit` instead).
    pub const REQUIRED: [Column; 7] = [
        Column::Received,
        Column::Applicants,
        Column::Respondents,
        Column::DisputeType,
        Column::Source,
        Column::AmountClaimed,
        Column::People,
    ];

    pub fn header(self) -> &'static str {
        HEADERS[self as usize]
    }

    /// A header as a person may have typed it: spaces and the kind of brackets do not matter.
    pub fn from_header(text: &str) -> Option<Column> {
        let wanted = normalise(text);
        Column::ALL
            .into_iter()
            .find(|c| normalise(c.header()) == wanted)
    }
}

/// Several names in one cell are separated by 、 (also read: ，,；;).
pub const NAME_SEPARATOR: &str = "、";

/// One cell of an exported row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Count(i64),
    Fen(i64),
    Empty,
}

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

impl Cell {
    /// The cell as CSV text: amounts in yuan with two decimals, no currency sign. A text that a
    /// spreadsheet would run as a formula (`=HYPERLINK(…)` typed as a party's name) is written
    /// behind an apostrophe, which the import takes off again.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Text(s) if s.starts_with(FORMULA_STARTS) => format!("'{s}"),
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Fen(f) => yuan_plain(*f),
            Cell::Empty => String::new(),
        }
    }
}

/// `123456` fen as `1234.56`.
pub fn yuan_plain(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The facts of one case as the ledger shows them.
#[derive(Clone, Debug)]
pub struct LedgerCase {
    pub case_no: String,
    pub received_on: NaiveDate,
    pub applicants: Vec<String>,
    pub respondents: Vec<String>,
    pub dispute_type: DisputeType,
    pub source: Source,
    pub amount_claimed_fen: i64,
    pub people_involved: i64,
    pub grade: Grade,
    pub unit: String,
    pub mediators: Vec<String>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub agreement_fen: Option<i64>,
    pub closed_on: Option<NaiveDate>,
}

/// Days from receipt to closing, in local days (the day of receipt not counted).
pub fn days_taken(received_on: NaiveDate, closed_on: NaiveDate) -> i64 {
    (closed_on - received_on).num_days()
}

impl LedgerCase {
    /// The row in the order of [`HEADERS`].
    pub fn cells(&self) -> [Cell; 16] {
        let day = |d: NaiveDate| Cell::Text(d.format("%Y-%m-%d").to_string());
        [
            Cell::Text(self.case_no.clone()),
            day(self.received_on),
            Cell::Text(self.applicants.join(NAME_SEPARATOR)),
            Cell::Text(self.respondents.join(NAME_SEPARATOR)),
            Cell::Text(i18n::label(Lang::Zh, self.dispute_type)),
            Cell::Text(i18n::label(Lang::Zh, self.source)),
            Cell::Fen(self.amount_claimed_fen),
            Cell::Count(self.people_involved),
            Cell::Text(i18n::label(Lang::Zh, self.grade)),
            Cell::Text(self.unit.clone()),
            Cell::Text(self.mediators.join(NAME_SEPARATOR)),
            Cell::Text(i18n::label(Lang::Zh, self.status)),
            self.outcome
                .map_or(Cell::Empty, |o| Cell::Text(i18n::label(Lang::Zh, o))),
            self.agreement_fen.map_or(Cell::Empty, Cell::Fen),
            self.closed_on.map_or(Cell::Empty, day),
            self.closed_on.map_or(Cell::Empty, |c| {
                Cell::Count(days_taken(self.received_on, c))
            }),
        ]
    }
}

// ---- reading a ledger back ----------------------------------------------------------------

/// A cell as a spreadsheet holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Raw {
    fn text(&self) -> Option<String> {
        match self {
            Raw::Empty => None,
            Raw::Text(s) => {
                let s = s.trim();
                // The apostrophe the export puts before a formula-like text.
                let s = match s.strip_prefix('\'') {
                    Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
                    _ => s,
                };
                Some(s.to_owned()).filter(|s| !s.is_empty())
            }
            Raw::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            Raw::Number(n) => Some(n.to_string()),
            Raw::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text().is_none()
    }
}

/// Where each known column is in the file.
#[derive(Clone, Debug, Default)]
pub struct HeaderMap {
    index: [Option<usize>; 16],
}

impl HeaderMap {
    pub fn has(&self, c: Column) -> bool {
        self.index[c as usize].is_some()
    }

    fn cell<'a>(&self, cells: &'a [Raw], c: Column) -> &'a Raw {
        static EMPTY: Raw = Raw::Empty;
        self.index[c as usize]
            .and_then(|i| cells.get(i))
            .unwrap_or(&EMPTY)
    }
}

/// Why the header row cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// These required columns are not there.
    Missing(Vec<&'static str>),
    /// A column appears twice.
    Twice(&'static str),
}

impl HeaderError {
    pub fn message_zh(&self) -> String {
        match self {
            HeaderError::Missing(cols) => format!("缺少列：{}", cols.join("、")),
            HeaderError::Twice(col) => format!("列“{col}”出现了两次"),
        }
    }
}

/// Finds the ledger's columns in a header row. `unit_given`: the unit comes from outside (the
/// command's `--unit`, the upload form), so the 调解组织 column may be missing.
///
/// # Errors
/// Required columns missing, or a column named twice.
pub fn map_headers(headers: &[String], unit_given: bool) -> Result<HeaderMap, HeaderError> {
    let mut map = HeaderMap::default();
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = Column::from_header(h) {
            if map.index[c as usize].is_some() {
                return Err(HeaderError::Twice(c.header()));
            }
            map.index[c as usize] = Some(i);
        }
    }
    let mut missing: Vec<&'static str> = Column::REQUIRED
        .into_iter()
        .filter(|c| !map.has(*c))
        .map(Column::header)
        .collect();
    if !unit_given && !map.has(Column::Unit) {
        missing.push(Column::Unit.header());
    }
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(HeaderError::Missing(missing))
    }
}

/// A case number as `JB-2026-00042`: hub code, year, sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseNo {
    pub hub_code: String,
    pub year: i32,
    pub seq: i64,
}

impl CaseNo {
    pub fn parse(text: &str) -> Option<CaseNo> {
        let (rest, seq) = text.trim().rsplit_once('-')?;
        let (hub_code, year) = rest.rsplit_once('-')?;
        if hub_code.is_empty()
            || year.len() != 4
            || seq.is_empty()
            || seq.len() > 9
            || !seq.chars().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        Some(CaseNo {
            hub_code: hub_code.to_owned(),
            year: year.parse().ok()?,
            seq: seq.parse().ok().filter(|s| *s > 0)?,
        })
    }

    pub fn format(&self) -> String {
        format!("{}-{}-{:05}", self.hub_code, self.year, self.seq)
    }
}

/// How a case imported as closed was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closing {
    pub outcome: Outcome,
    pub closed_on: NaiveDate,
}

/// One row, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    pub case_no: Option<CaseNo>,
    pub received_on: NaiveDate,
    pub applicants: Vec<String>,
    pub respondents: Vec<String>,
    pub dispute_type: DisputeType,
    pub source: Source,
    pub amount_claimed_fen: i64,
    pub people_involved: i32,
    /// The grade the register gives, when it differs from the rules it is kept as a manual grade.
    pub grade: Option<Grade>,
    /// The unit's name or code, as written (empty: the default unit).
    pub unit: Option<String>,
    pub closing: Option<Closing>,
    /// The signed agreement's amount: of a case closed as resolved, or still open as 已达成协议.
    pub agreement_fen: Option<i64>,
    /// Open and 已达成协议 (agreed, awaiting fulfilment): imported as agreed, not as registered.
    pub agreed: bool,
}

/// One reason a row is refused: the column and what is wrong, in Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellError {
    pub column: &'static str,
    pub reason: String,
}

/// The most people a row may claim (a typo guard: the largest collective disputes are hundreds).
pub const MAX_PEOPLE: i64 = 100_000;
/// The largest amount a row may claim: ¥100,000,000.
pub const MAX_AMOUNT_FEN: i64 = 10_000_000_000;
/// The longest name in a party cell.
pub const MAX_NAME_CHARS: usize = 100;

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A label as the pages write it (`诉源（法院移送）`, from the locale files), its short form
/// (`诉源`), or the code. Spaces and the kind of brackets do not matter, so a ledger exported when
/// the labels were spelt `12351热线` or `诉源(法院移送)` still reads back.
fn parse_label<T: Term>(all: &[T], text: &str) -> Option<T> {
    let wanted = normalise(text);
    all.iter().copied().find(|t| {
        let label = normalise(&i18n::label(Lang::Zh, *t));
        let short = label.split('(').next().unwrap_or_default().to_owned();
        label == wanted || short == wanted || t.name() == wanted
    })
}

pub fn parse_dispute_type(text: &str) -> Option<DisputeType> {
    parse_label(&DisputeType::ALL, text)
}

pub fn parse_source(text: &str) -> Option<Source> {
    parse_label(&Source::ALL, text)
}

pub fn parse_grade(text: &str) -> Option<Grade> {
    parse_label(&Grade::ALL, text)
}

pub fn parse_status(text: &str) -> Option<Status> {
    parse_label(&Status::ALL, text)
}

pub fn parse_outcome(text: &str) -> Option<Outcome> {
    parse_label(&Outcome::ALL, text)
}

/// Words that mark an organisation's name; a respondent without them is taken for a person.
const ORGANISATION_MARKS: [&str; 16] = [
    "公司",
    "厂",
    "店",
    "中心",
    "集团",
    "企业",
    "工作室",
    "合作社",
    "事务所",
    "平台",
    "商行",
    "酒店",
    "餐厅",
    "学校",
    "医院",
    "有限",
];

pub fn party_kind_of(name: &str) -> PartyKind {
    if ORGANISATION_MARKS.iter().any(|m| name.contains(m)) {
        PartyKind::Organisation
    } else {
        PartyKind::Person
    }
}

fn parse_day(raw: &Raw) -> Option<NaiveDate> {
    match raw {
        Raw::Date(d) => Some(*d),
        // An Excel serial day number (days since 1899-12-30).
        Raw::Number(n) if n.fract() == 0.0 && *n > 0.0 && *n < 2_958_466.0 => {
            NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(*n as u64))
        }
        Raw::Text(s) => {
            let s = s.trim();
            ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                // `2026-11-03 00:00:00` from a date cell written as text.
                .or_else(|| {
                    s.split_whitespace()
                        .next()
                        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                })
        }
        _ => None,
    }
}

fn parse_fen(raw: &Raw) -> Option<i64> {
    match raw {
        Raw::Number(n) => {
            let fen = (n * 100.0).round();
            ((n * 100.0 - fen).abs() < 1e-6 && (0.0..1e15).contains(&fen)).then_some(fen as i64)
        }
        Raw::Text(s) => parse_yuan(s),
        _ => None,
    }
}

fn parse_count(raw: &Raw) -> Option<i64> {
    match raw {
        Raw::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(*n as i64),
        Raw::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn names(raw: &Raw) -> Vec<String> {
    raw.text()
        .unwrap_or_default()
        .split(['、', '，', ',', '；', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads one row. `today` is the local day of the import (no receipt or closing after it).
///
/// # Errors
/// Every cell that is missing, of the wrong kind or not a known label, each with its column.
pub fn parse_row(
    map: &HeaderMap,
    cells: &[Raw],
    today: NaiveDate,
) -> Result<ImportRow, Vec<CellError>> {
    let mut errors: Vec<CellError> = Vec::new();
    let mut fail = |c: Column, reason: &str| {
        errors.push(CellError {
            column: c.header(),
            reason: reason.to_owned(),
        });
    };
    let cell = |c: Column| map.cell(cells, c);

    let case_no = match cell(Column::CaseNo).text() {
        None => None,
        Some(t) => match CaseNo::parse(&t) {
            Some(n) => Some(n),
            None => {
                fail(Column::CaseNo, "案件编号应形如 JB-2026-00042");
                None
            }
        },
    };
    let received_on = match cell(Column::Received) {
        r if r.is_empty() => {
            fail(Column::Received, "必填");
            None
        }
        r => match parse_day(r) {
            Some(d) if d > today => {
                fail(Column::Received, "受理日期不能晚于今天");
                None
            }
            Some(d) => Some(d),
            None => {
                fail(Column::Received, "不是日期（应为 2026-11-03）");
                None
            }
        },
    };
    let mut party = |c: Column| {
        let list = names(cell(c));
        if list.is_empty() {
            fail(c, "必填");
        } else if list.iter().any(|n| n.chars().count() > MAX_NAME_CHARS) {
            fail(c, "名称过长（最多 100 字）");
        } else if list.iter().any(|n| n.chars().any(char::is_control)) {
            fail(c, "含有控制字符");
        }
        list
    };
    let applicants = party(Column::Applicants);
    let respondents = party(Column::Respondents);
    let mut label = |c: Column, parse: &dyn Fn(&str) -> bool| match cell(c).text() {
        None => fail(c, "必填"),
        Some(t) if !parse(&t) => fail(c, &format!("未知的选项“{t}”")),
        Some(_) => {}
    };
    label(Column::DisputeType, &|t| parse_dispute_type(t).is_some());
    label(Column::Source, &|t| parse_source(t).is_some());
    let dispute_type = cell(Column::DisputeType)
        .text()
        .and_then(|t| parse_dispute_type(&t));
    let source = cell(Column::Source).text().and_then(|t| parse_source(&t));
    let grade = match cell(Column::Grade).text() {
        None => None,
        Some(t) => {
            let g = parse_grade(&t);
            if g.is_none() {
                fail(Column::Grade, &format!("未知的选项“{t}”"));
            }
            g
        }
    };
    let amount = match cell(Column::AmountClaimed) {
        r if r.is_empty() => {
            fail(Column::AmountClaimed, "必填");
            None
        }
        r => match parse_fen(r) {
            Some(f) if f > MAX_AMOUNT_FEN => {
                fail(Column::AmountClaimed, "金额过大");
                None
            }
            Some(f) => Some(f),
            None => {
                fail(
                    Column::AmountClaimed,
                    "不是金额（元，最多两位小数，不能为负）",
                );
                None
            }
        },
    };
    let people = match cell(Column::People) {
        r if r.is_empty() => {
            fail(Column::People, "必填");
            None
        }
        r => match parse_count(r) {
            Some(n) if (1..=MAX_PEOPLE).contains(&n) => i32::try_from(n).ok(),
            Some(_) => {
                fail(Column::People, "人数应在 1 到 100000 之间");
                None
            }
            None => {
                fail(Column::People, "不是整数");
                None
            }
        },
    };
    let unit = cell(Column::Unit).text();

    // Closing: an outcome and a closing day go together; the status, when given, agrees.
    let status = match cell(Column::Status).text() {
        None => None,
        Some(t) => {
            let s = parse_status(&t);
            if s.is_none() {
                fail(Column::Status, &format!("未知的选项“{t}”"));
            }
            s
        }
    };
    let outcome = match cell(Column::Outcome).text() {
        None => None,
        Some(t) => {
            let o = parse_outcome(&t);
            if o.is_none() {
                fail(Column::Outcome, &format!("未知的选项“{t}”"));
            }
            o
        }
    };
    let outcome_given = !cell(Column::Outcome).is_empty();
    let closed_on = match cell(Column::Closed) {
        r if r.is_empty() => None,
        r => match parse_day(r) {
            Some(d) if d > today => {
                fail(Column::Closed, "结案日期不能晚于今天");
                None
            }
            Some(d) if received_on.is_some_and(|rcv| d < rcv) => {
                fail(Column::Closed, "结案日期早于受理日期");
                None
            }
            Some(d) => Some(d),
            None => {
                fail(Column::Closed, "不是日期（应为 2026-11-03）");
                None
            }
        },
    };
    let closed_given = !cell(Column::Closed).is_empty();
    if outcome_given && !closed_given {
        fail(Column::Closed, "有调解结果的案件须填结案日期");
    }
    if closed_given && !outcome_given {
        fail(Column::Outcome, "已结案的案件须填调解结果");
    }
    match status {
        Some(Status::Closed) if !outcome_given => fail(Column::Outcome, "已结案的案件须填调解结果"),
        Some(s) if s != Status::Closed && outcome_given => {
            fail(Column::Status, "有调解结果的案件状态应为已结案");
        }
        _ => {}
    }
    let agreed_open = status == Some(Status::Agreed) && !outcome_given;
    let agreement_cell = cell(Column::AgreementAmount);
    let agreement_fen = if agreement_cell.is_empty() {
        if agreed_open {
            fail(Column::AgreementAmount, "已达成协议的案件须填协议金额");
        }
        None
    } else {
        let may_have = agreed_open || (outcome_given && outcome == Some(Outcome::Resolved));
        match parse_fen(agreement_cell) {
            Some(_) if !may_have && (outcome.is_some() || !outcome_given) => {
                fail(
                    Column::AgreementAmount,
                    "只有调解成功或已达成协议的案件有协议金额",
                );
                None
            }
            Some(f) if f > MAX_AMOUNT_FEN => {
                fail(Column::AgreementAmount, "金额过大");
                None
            }
            Some(f) => Some(f),
            None => {
                fail(
                    Column::AgreementAmount,
                    "不是金额（元，最多两位小数，不能为负）",
                );
                None
            }
        }
    };
    if let (Some(n), Some(d)) = (&case_no, received_on) {
        // The number's year is the year of receipt (DESIGN §2); a mismatch is a typo.
        if n.year != chrono::Datelike::year(&d) {
            fail(Column::CaseNo, "编号中的年份与受理日期不符");
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match (received_on, dispute_type, source, amount, people) {
        (Some(received_on), Some(dispute_type), Some(source), Some(amount), Some(people)) => {
            Ok(ImportRow {
                case_no,
                received_on,
                applicants,
                respondents,
                dispute_type,
                source,
                amount_claimed_fen: amount,
                people_involved: people,
                grade,
                unit,
                closing: match (outcome, closed_on) {
                    (Some(outcome), Some(closed_on)) => Some(Closing { outcome, closed_on }),
                    _ => None,
                },
                agreement_fen,
                agreed: agreed_open,
            })
        }
        _ => Err(vec![CellError {
            column: Column::Received.header(),
            reason: "行不完整".to_owned(),
        }]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sample() -> LedgerCase {
        LedgerCase {
            case_no: "JB-2026-00042".into(),
            received_on: day("2026-11-03"),
            applicants: vec!["张三".into(), "李四".into()],
            respondents: vec!["某某物流有限公司".into()],
            dispute_type: DisputeType::WageArrears,
            source: Source::CourtReferral,
            amount_claimed_fen: 1_234_550,
            people_involved: 2,
            grade: Grade::Ordinary,
            unit: "第一村社工作站".into(),
            mediators: vec!["王调解".into()],
            status: Status::Closed,
            outcome: Some(Outcome::Resolved),
            agreement_fen: Some(1_000_000),
            closed_on: Some(day("2026-11-20")),
        }
    }

    fn headers() -> Vec<String> {
        HEADERS.iter().map(|h| (*h).to_owned()).collect()
    }

    fn raw(cells: &[Cell]) -> Vec<Raw> {
        cells
            .iter()
            .map(|c| match c {
                Cell::Empty => Raw::Empty,
                other => Raw::Text(other.as_text()),
            })
            .collect()
    }

    #[test]
    fn an_exported_row_reads_back_as_the_same_case() {
        let case = sample();
        let map = map_headers(&headers(), false).unwrap();
        let row = parse_row(&map, &raw(&case.cells()), day("2026-12-01")).unwrap();
        assert_eq!(
            row.case_no.as_ref().map(CaseNo::format).as_deref(),
            Some("JB-2026-00042")
        );
        assert_eq!(row.received_on, case.received_on);
        assert_eq!(row.applicants, case.applicants);
        assert_eq!(row.respondents, case.respondents);
        assert_eq!(row.dispute_type, DisputeType::WageArrears);
        assert_eq!(row.source, Source::CourtReferral);
        assert_eq!(row.amount_claimed_fen, 1_234_550);
        assert_eq!(row.people_involved, 2);
        assert_eq!(row.grade, Some(Grade::Ordinary));
        assert_eq!(
            row.closing,
            Some(Closing {
                outcome: Outcome::Resolved,
                closed_on: day("2026-11-20"),
            })
        );
        assert_eq!(row.agreement_fen, Some(1_000_000));
    }

    /// A ledger exported before the labels came from the locale files spelt two of them the
    /// code's way (`12351热线`, `诉源(法院移送)`); it reads back as the same case.
    #[test]
    fn a_ledger_exported_with_the_old_spellings_reads_back() {
        let map = map_headers(&headers(), false).unwrap();
        for (text, source) in [
            ("12351热线", Source::Hotline12351),
            ("12351 热线", Source::Hotline12351),
            ("hotline_12351", Source::Hotline12351),
            ("诉源(法院移送)", Source::CourtReferral),
            ("诉源（法院移送）", Source::CourtReferral),
            ("访源(信访移送)", Source::PetitionReferral),
        ] {
            let mut case = sample();
            case.source = Source::WalkIn;
            let mut cells = raw(&case.cells());
            cells[Column::Source as usize] = Raw::Text(text.into());
            let row = parse_row(&map, &cells, day("2026-12-01")).unwrap();
            assert_eq!(row.source, source, "{text}");
        }
        let mut case = sample();
        for source in Source::ALL {
            case.source = source;
            let row = parse_row(&map, &raw(&case.cells()), day("2026-12-01")).unwrap();
            assert_eq!(row.source, source);
        }
    }

    #[test]
    fn a_formula_like_name_is_written_inert_and_read_back_as_typed() {
        let mut case = sample();
        case.applicants = vec!["=HYPERLINK(\"x\")".into()];
        let cells = case.cells();
        assert_eq!(cells[2].as_text(), "'=HYPERLINK(\"x\")");
        let map = map_headers(&headers(), false).unwrap();
        let row = parse_row(&map, &raw(&cells), day("2026-12-01")).unwrap();
        assert_eq!(row.applicants, ["=HYPERLINK(\"x\")"]);
    }

    #[test]
    fn days_taken_counts_local_days_after_receipt() {
        assert_eq!(days_taken(day("2026-11-03"), day("2026-11-20")), 17);
        assert_eq!(sample().cells()[15], Cell::Count(17));
    }

    #[test]
    fn headers_are_found_in_any_order_with_either_brackets_and_missing_ones_are_named() {
        let map = map_headers(
            &[
                "涉及人数".into(),
                "申请金额(元)".into(),
                " 受理日期 ".into(),
                "申请人".into(),
                "被申请人".into(),
                "争议类型".into(),
                "案件来源".into(),
            ],
            true,
        )
        .unwrap();
        assert!(map.has(Column::AmountClaimed));
        let err = map_headers(&["申请人".into(), "备注".into()], false).unwrap_err();
        let HeaderError::Missing(cols) = &err else {
            panic!("{err:?}")
        };
        assert!(cols.contains(&"受理日期") && cols.contains(&"调解组织"));
        assert!(!cols.contains(&"申请人"));
        assert_eq!(
            map_headers(&["申请人".into(), "申请人".into()], true).unwrap_err(),
            HeaderError::Twice("申请人")
        );
    }

    #[test]
    fn labels_are_read_in_chinese_short_form_or_code() {
        assert_eq!(parse_dispute_type("欠薪"), Some(DisputeType::WageArrears));
        assert_eq!(
            parse_source("诉源（法院移送）"),
            Some(Source::CourtReferral)
        );
        assert_eq!(parse_source("诉源"), Some(Source::CourtReferral));
        assert_eq!(parse_source("12351 热线"), Some(Source::Hotline12351));
        assert_eq!(parse_source("walk_in"), Some(Source::WalkIn));
        assert_eq!(parse_dispute_type("欠钱"), None);
        assert_eq!(parse_outcome("调解成功"), Some(Outcome::Resolved));
    }

    #[test]
    fn every_bad_cell_is_named_with_its_column() {
        let map = map_headers(&headers(), false).unwrap();
        let mut cells = raw(&sample().cells());
        cells[1] = Raw::Text("昨天".into());
        cells[4] = Raw::Text("欠钱".into());
        cells[6] = Raw::Text("-5".into());
        cells[7] = Raw::Text("两个".into());
        cells[13] = Raw::Text("1.234".into());
        let errors = parse_row(&map, &cells, day("2026-12-01")).unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column).collect();
        assert_eq!(
            columns,
            [
                "受理日期",
                "争议类型",
                "申请金额（元）",
                "涉及人数",
                "协议金额（元）"
            ]
        );
        assert!(errors[1].reason.contains("欠钱"));
    }

    #[test]
    fn a_closing_needs_both_outcome_and_day_and_agreements_belong_to_resolved_cases() {
        let map = map_headers(&headers(), false).unwrap();
        let mut cells = raw(&sample().cells());
        cells[14] = Raw::Empty;
        let errors = parse_row(&map, &cells, day("2026-12-01")).unwrap_err();
        assert_eq!(errors[0].column, "结案日期");
        let mut cells = raw(&sample().cells());
        cells[12] = Raw::Text("调解不成".into());
        let errors = parse_row(&map, &cells, day("2026-12-01")).unwrap_err();
        assert_eq!(errors[0].column, "协议金额（元）");
        // An open agreed case carries its agreement; without one it is refused.
        let mut cells = raw(&sample().cells());
        cells[11] = Raw::Text("已达成协议".into());
        cells[12] = Raw::Empty;
        cells[14] = Raw::Empty;
        let row = parse_row(&map, &cells, day("2026-12-01")).unwrap();
        assert!(row.agreed && row.closing.is_none());
        assert_eq!(row.agreement_fen, Some(1_000_000));
        cells[13] = Raw::Empty;
        let errors = parse_row(&map, &cells, day("2026-12-01")).unwrap_err();
        assert_eq!(errors[0].column, "协议金额（元）");
    }

    #[test]
    fn spreadsheet_numbers_and_dates_are_read() {
        let map = map_headers(&headers(), false).unwrap();
        let mut cells = raw(&sample().cells());
        cells[1] = Raw::Number(46_329.0); // 2026-11-03
        cells[6] = Raw::Number(12_345.5);
        cells[7] = Raw::Number(2.0);
        let row = parse_row(&map, &cells, day("2026-12-01")).unwrap();
        assert_eq!(row.received_on, day("2026-11-03"));
        assert_eq!(row.amount_claimed_fen, 1_234_550);
    }

    #[test]
    fn case_numbers_parse_and_their_year_must_match_receipt() {
        assert_eq!(
            CaseNo::parse("JB-2026-00042"),
            Some(CaseNo {
                hub_code: "JB".into(),
                year: 2026,
                seq: 42
            })
        );
        assert_eq!(
            CaseNo::parse("JB-X-2025-7").map(|n| n.hub_code),
            Some("JB-X".into())
        );
        assert_eq!(CaseNo::parse("JB2026"), None);
        assert_eq!(CaseNo::parse("JB-2026-0"), None);
        let map = map_headers(&headers(), false).unwrap();
        let mut cells = raw(&sample().cells());
        cells[0] = Raw::Text("JB-2025-00042".into());
        let errors = parse_row(&map, &cells, day("2026-12-01")).unwrap_err();
        assert_eq!(errors[0].column, "案件编号");
    }

    #[test]
    fn respondents_with_organisation_words_are_organisations() {
        assert_eq!(party_kind_of("某某物流有限公司"), PartyKind::Organisation);
        assert_eq!(party_kind_of("赵老板"), PartyKind::Person);
    }
}
