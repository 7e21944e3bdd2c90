//! A period as files for the finance office: CSV (UTF-8 with a BOM, so that Excel reads the Chinese
//! right) with one view per file, and a real XLSX workbook with a sheet per view, Chinese headers,
//! amounts in yuan formatted as currency, a totals row and a frozen header.
//!
//! Amounts stay integer fen up to here. The CSV writes them as exact decimal text; the workbook has
//! to store numbers as doubles, which hold every fen amount of a street exactly enough for two
//! decimals (below 2^53 fen), and its totals row is the exact fen total, not a float sum.

use chrono_tz::Tz;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{ItemOut, PeriodOut};
use crate::domain::case_terms::{Grade, TeamRole};
use crate::domain::subsidy::ItemKind;
use crate::error::AppError;
use crate::i18n::{self, Lang};

/// Which table a CSV file holds (the workbook holds all four).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Items,
    Mediators,
    Units,
    Grades,
}

impl View {
    pub const ALL: [View; 4] = [View::Items, View::Mediators, View::Units, View::Grades];

    pub fn as_str(self) -> &'static str {
        match self {
            View::Items => "items",
            View::Mediators => "mediators",
            View::Units => "units",
            View::Grades => "grades",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == s)
    }

    fn sheet_name(self) -> &'static str {
        match self {
            View::Items => "明细",
            View::Mediators => "按调解员",
            View::Units => "按调解组织",
            View::Grades => "按等级",
        }
    }
}

/// `-1234` fen → `-12.34`: exact decimal yuan for machines (no grouping, no ¥).
pub fn yuan_decimal(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn kind_label(kind: &str) -> String {
    ItemKind::parse(kind).map_or_else(String::new, |k| i18n::label(Lang::Zh, k))
}

/// The Chinese label from the locale files (an unknown name stays empty, as before).
fn grade_label(grade: &str) -> String {
    Grade::parse(grade).map_or_else(String::new, |g| i18n::label(Lang::Zh, g))
}

fn role_label(role: &str) -> String {
    TeamRole::parse(role).map_or_else(String::new, |r| i18n::label(Lang::Zh, r))
}

/// A table: header, rows of cells, and the totals row.
struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    totals: Vec<Cell>,
}

enum Cell {
    Text(String),
    Count(u64),
    Fen(i64),
}

fn table(period: &PeriodOut, view: View, tz: Tz) -> Table {
    let t = &period.totals;
    let text = |s: &str| Cell::Text(s.to_owned());
    match view {
        View::Items => Table {
            header: vec![
                "结算期",
                "案件编号",
                "调解员",
                "团队角色",
                "结案调解组织",
                "等级",
                "类型",
                "结案时间",
                "案件奖补基数（元）",
                "金额（元）",
            ],
            rows: period
                .items
                .iter()
                .map(|i: &ItemOut| {
                    vec![
                        text(&period.period),
                        text(&i.case_no),
                        text(&i.mediator_name),
                        text(&role_label(&i.team_role)),
                        text(&i.unit_name),
                        text(&grade_label(&i.grade)),
                        text(&kind_label(&i.kind)),
                        Cell::Text(
                            i.closed_at
                                .with_timezone(&tz)
                                .format("%Y-%m-%d %H:%M")
                                .to_string(),
                        ),
                        Cell::Fen(i.base_fen),
                        Cell::Fen(i.amount_fen),
                    ]
                })
                .collect(),
            totals: vec![
                text("合计"),
                Cell::Text(format!("{} 件", t.cases)),
                text(""),
                text(""),
                text(""),
                text(""),
                text(""),
                text(""),
                text(""),
                Cell::Fen(t.total_fen),
            ],
        },
        View::Mediators => Table {
            header: vec!["调解员", "所属调解组织", "案件数", "明细条数", "金额（元）"],
            rows: t
                .by_mediator
                .iter()
                .map(|m| {
                    vec![
                        text(&m.mediator_name),
                        text(&m.unit_name),
                        Cell::Count(m.cases),
                        Cell::Count(m.items),
                        Cell::Fen(m.amount_fen),
                    ]
                })
                .collect(),
            totals: vec![
                text("合计"),
                text(""),
                Cell::Count(t.cases),
                Cell::Count(t.items),
                Cell::Fen(t.total_fen),
            ],
        },
        View::Units => Table {
            header: vec!["结案调解组织", "案件数", "明细条数", "金额（元）"],
            rows: t
                .by_unit
                .iter()
                .map(|u| {
                    vec![
                        text(&u.unit_name),
                        Cell::Count(u.cases),
                        Cell::Count(u.items),
                        Cell::Fen(u.amount_fen),
                    ]
                })
                .collect(),
            totals: vec![
                text("合计"),
                Cell::Count(t.cases),
                Cell::Count(t.items),
                Cell::Fen(t.total_fen),
            ],
        },
        View::Grades => Table {
            header: vec!["等级", "案件数", "明细条数", "金额（元）"],
            rows: t
                .by_grade
                .iter()
                .map(|g| {
                    vec![
                        text(&grade_label(&g.grade)),
                        Cell::Count(g.cases),
                        Cell::Count(g.items),
                        Cell::Fen(g.amount_fen),
                    ]
                })
                .collect(),
            totals: vec![
                text("合计"),
                Cell::Count(t.cases),
                Cell::Count(t.items),
                Cell::Fen(t.total_fen),
            ],
        },
    }
}

/// A CSV field: quoted when it must be, and a leading `=`, `+`, `-` or `@` of text neutralised so
/// that a spreadsheet never runs a name as a formula.
fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Fen(fen) => yuan_decimal(*fen),
        Cell::Text(s) => {
            let mut s = s.clone();
            if s.starts_with(['=', '+', '-', '@']) {
                s.insert(0, '\'');
            }
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s
            }
        }
    }
}

/// One view of a period as CSV: UTF-8 with a BOM, CRLF line ends, amounts in yuan, and a last
/// row `合计` with the totals.
pub fn csv(period: &PeriodOut, view: View, tz: Tz) -> Vec<u8> {
    let t = table(period, view, tz);
    let mut out = String::from("\u{feff}");
    out.push_str(&t.header.join(","));
    out.push_str("\r\n");
    for row in t.rows.iter().chain(std::iter::once(&t.totals)) {
        let line: Vec<String> = row.iter().map(csv_field).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// Column widths in characters, from the longest text in each column (CJK counted double).
fn widths(t: &Table) -> Vec<f64> {
    let width = |s: &str| -> usize { s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() };
    (0..t.header.len())
        .map(|c| {
            let mut w = width(t.header[c]);
            for row in t.rows.iter().chain(std::iter::once(&t.totals)) {
                let cell = match &row[c] {
                    Cell::Text(s) => width(s),
                    Cell::Count(n) => n.to_string().len(),
                    Cell::Fen(f) => yuan_decimal(*f).len() + 4,
                };
                w = w.max(cell);
            }
            (w as f64 + 2.0).min(60.0)
        })
        .collect()
}

fn write_sheet(sheet: &mut Worksheet, t: &Table, view: View) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEEF0F4))
        .set_border_bottom(FormatBorder::Thin);
    let money = Format::new().set_num_format("\"¥\"#,##0.00;-\"¥\"#,##0.00");
    let total_text = Format::new().set_bold().set_border_top(FormatBorder::Thin);
    let total_money = Format::new()
        .set_bold()
        .set_border_top(FormatBorder::Thin)
        .set_num_format("\"¥\"#,##0.00;-\"¥\"#,##0.00");
    sheet.set_name(view.sheet_name())?;
    for (c, h) in t.header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &header)?;
    }
    let last = t.rows.len() as u32 + 1;
    for (r, row) in t.rows.iter().chain(std::iter::once(&t.totals)).enumerate() {
        let r = r as u32 + 1;
        let is_total = r == last;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) if is_total => {
                    sheet.write_string_with_format(r, c, s, &total_text)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Count(n) if is_total => {
                    sheet.write_number_with_format(r, c, *n as f64, &total_text)?;
                }
                Cell::Count(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Fen(fen) => {
                    let yuan = *fen as f64 / 100.0;
                    let format = if is_total { &total_money } else { &money };
                    sheet.write_number_with_format(r, c, yuan, format)?;
                }
            }
        }
    }
    for (c, w) in widths(t).into_iter().enumerate() {
        sheet.set_column_width(c as u16, w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The period as an XLSX workbook: sheets 明细, 按调解员, 按调解组织, 按等级.
///
/// # Errors
/// Only if the workbook cannot be assembled (a bug).
pub fn xlsx(period: &PeriodOut, tz: Tz) -> Result<Vec<u8>, AppError> {
    let mut workbook = Workbook::new();
    for view in View::ALL {
        let t = table(period, view, tz);
        let sheet = workbook.add_worksheet();
        write_sheet(sheet, &t, view).map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The file name for a download: an ASCII one for old clients and the Chinese one.
pub fn file_names(period: &PeriodOut, view: Option<View>, ext: &str) -> (String, String) {
    let suffix = match view {
        Some(v) if v != View::Items => format!("-{}", v.as_str()),
        _ => String::new(),
    };
    (
        format!("subsidy-{}{suffix}.{ext}", period.period),
        format!("以奖代补-{}{suffix}.{ext}", period.period),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_are_written_as_exact_decimal_yuan() {
        assert_eq!(yuan_decimal(0), "0.00");
        assert_eq!(yuan_decimal(5), "0.05");
        assert_eq!(yuan_decimal(123_456), "1234.56");
        assert_eq!(yuan_decimal(-7_000), "-70.00");
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field(&Cell::Text("a,b".into())), "\"a,b\"");
        assert_eq!(
            csv_field(&Cell::Text("say \"hi\"".into())),
            "\"say \"\"hi\"\"\""
        );
        assert_eq!(csv_field(&Cell::Text("=SUM(A1)".into())), "'=SUM(A1)");
        assert_eq!(csv_field(&Cell::Fen(-150)), "-1.50");
    }
}
