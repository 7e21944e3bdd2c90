//! The ledger export: the cases the user may see that pass the case list's filter, one row each,
//! in order of receipt, read in keyset-paged chunks (by receipt time and id) by a task that stays
//! one chunk ahead of the writer, and written as CSV or XLSX into a bounded channel that the
//! response body drains. Memory stays bounded however many rows: a chunk of cases in flight, a
//! few buffers in the channel, and for XLSX the worksheet spooled to a temporary file
//! (rust_xlsxwriter's constant-memory mode) before the workbook is zipped into the channel.

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::Utc;
use chrono_tz::Tz;
use entity::{agreements, case_assignments, case_parties, cases, mediators};
use rust_xlsxwriter::{Format as XlsxFormat, FormatBorder, Workbook, XlsxError};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::mpsc;

use crate::domain::case_terms::{PartyRole, TeamRole};
use crate::domain::clocks::local_date;
use crate::domain::ledger::{Cell, LedgerCase, HEADERS};
use crate::domain::workflow::{Outcome, Status};
use crate::error::AppError;
use crate::services::audit;
use crate::services::auth::CurrentUser;
use crate::services::cases::list::{filtered, CaseFilter};

/// Cases read per query.
pub const CHUNK: u64 = 1000;
/// Bytes gathered before a piece of the body is handed on.
const FLUSH_BYTES: usize = 64 * 1024;
/// Pieces of the body waiting for the client at most (so at most ~256 KB buffered).
const CHANNEL_PIECES: usize = 4;
/// Chunks read ahead of the writer: the next chunk's queries run while this one is formatted, so
/// the database and the CSV/XLSX writer use both cores instead of taking turns.
const CHUNKS_AHEAD: usize = 1;

/// The rows of the export, chunk by chunk, from the reading task; an empty chunk never comes (the
/// channel closes at the end).
type Chunks = mpsc::Receiver<Result<Vec<LedgerCase>, AppError>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file names of a download: ASCII for old clients, and the Chinese one.
    pub fn file_names(self) -> (String, String) {
        let ext = self.ext();
        (format!("ledger.{ext}"), format!("台账.{ext}"))
    }
}

/// The pieces of the file, in order; an `Err` means the export broke off (logged).
pub type Pieces = mpsc::Receiver<Result<Vec<u8>, io::Error>>;

/// A `Write` that hands on what it is given in pieces of about [`FLUSH_BYTES`], waiting while the
/// channel is full (the client reads slowly): this is what bounds memory.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Vec<u8>, io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<Result<Vec<u8>, io::Error>>) -> ChannelWriter {
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(FLUSH_BYTES),
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= FLUSH_BYTES {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(FLUSH_BYTES));
        self.tx
            .blocking_send(Ok(piece))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "download abandoned"))
    }
}

/// A case's applicants, respondents and team, by name.
type Names = (Vec<String>, Vec<String>, Vec<String>);

/// Reads the filter's cases chunk by chunk, by ascending id.
pub struct Reader {
    db: DatabaseConnection,
    tz: Tz,
    user: CurrentUser,
    filter: CaseFilter,
    now: chrono::DateTime<Utc>,
    units: BTreeMap<i64, String>,
    /// The last row handed out: (received_at, id).
    after: Option<(chrono::DateTime<Utc>, i64)>,
}

impl Reader {
    /// # Errors
    /// Database failures.
    pub async fn new(
        db: &DatabaseConnection,
        tz: Tz,
        user: &CurrentUser,
        filter: CaseFilter,
    ) -> Result<Reader, AppError> {
        Ok(Reader {
            db: db.clone(),
            tz,
            user: user.clone(),
            filter,
            now: Utc::now(),
            units: crate::services::units::names(db).await?,
            after: None,
        })
    }

    /// The next chunk of rows, empty at the end: five queries whatever the chunk holds.
    ///
    /// # Errors
    /// Database failures, or a stored term the code does not know.
    pub async fn next_chunk(&mut self) -> Result<Vec<LedgerCase>, AppError> {
        // Keyset by (received_at, id): the register's order, walked along the receipt index
        // (whose entries end in the id), so each chunk starts where the last ended instead of
        // sorting the whole range again.
        let mut query = filtered(self.tz, &self.user, &self.filter, self.now);
        if let Some((at, id)) = self.after {
            query = query.filter(
                Expr::tuple([
                    Expr::col(cases::Column::ReceivedAt),
                    Expr::col(cases::Column::Id),
                ])
                .gt(Expr::tuple([Expr::value(at), Expr::value(id)])),
            );
        }
        let rows = query
            .order_by_asc(cases::Column::ReceivedAt)
            .order_by_asc(cases::Column::Id)
            .limit(CHUNK)
            .all(&self.db)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(Vec::new());
        };
        self.after = Some((last.received_at, last.id));
        let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
        let parties = case_parties::Entity::find()
            .filter(case_parties::Column::CaseId.is_in(ids.clone()))
            .filter(case_parties::Column::Role.is_in([
                PartyRole::Applicant.as_str(),
                PartyRole::Respondent.as_str(),
            ]))
            .order_by_asc(case_parties::Column::Id)
            .all(&self.db)
            .await?;
        let team = case_assignments::Entity::find()
            .filter(case_assignments::Column::CaseId.is_in(ids.clone()))
            .filter(case_assignments::Column::EndedAt.is_null())
            .order_by_asc(case_assignments::Column::Id)
            .all(&self.db)
            .await?;
        let mediator_ids: Vec<i64> = team.iter().map(|a| a.mediator_id).collect();
        let names: BTreeMap<i64, String> = if mediator_ids.is_empty() {
            BTreeMap::new()
        } else {
            mediators::Entity::find()
                .select_only()
                .column(mediators::Column::Id)
                .column(mediators::Column::Name)
                .filter(mediators::Column::Id.is_in(mediator_ids))
                .into_tuple::<(i64, String)>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect()
        };
        let agreed: BTreeMap<i64, i64> = agreements::Entity::find()
            .select_only()
            .column(agreements::Column::CaseId)
            .column(agreements::Column::AmountFen)
            .filter(agreements::Column::CaseId.is_in(ids))
            .filter(agreements::Column::Superseded.eq(false))
            .into_tuple::<(i64, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let mut by_case: BTreeMap<i64, Names> = BTreeMap::new();
        for p in parties {
            let entry = by_case.entry(p.case_id).or_default();
            if PartyRole::from(p.role) == PartyRole::Applicant {
                entry.0.push(p.name);
            } else {
                entry.1.push(p.name);
            }
        }
        // The lead first, then the others in the order they joined.
        let mut team = team;
        team.sort_by_key(|a| (a.case_id, TeamRole::from(a.role) != TeamRole::Lead, a.id));
        for a in team {
            if let Some(name) = names.get(&a.mediator_id) {
                by_case.entry(a.case_id).or_default().2.push(name.clone());
            }
        }
        Ok(rows
            .into_iter()
            .map(|c| {
                let (applicants, respondents, team) = by_case.remove(&c.id).unwrap_or_default();
                self.row(c, applicants, respondents, team, &agreed)
            })
            .collect())
    }

    fn row(
        &self,
        c: cases::Model,
        applicants: Vec<String>,
        respondents: Vec<String>,
        mediators: Vec<String>,
        agreed: &BTreeMap<i64, i64>,
    ) -> LedgerCase {
        let status = Status::from(c.status);
        let outcome = c.outcome.map(Outcome::from);
        LedgerCase {
            received_on: local_date(c.received_at, self.tz),
            applicants,
            respondents,
            dispute_type: c.dispute_type.into(),
            source: c.source.into(),
            amount_claimed_fen: c.amount_claimed_fen,
            people_involved: i64::from(c.people_involved),
            grade: c.grade.into(),
            unit: self
                .units
                .get(&c.current_unit_id)
                .cloned()
                .unwrap_or_default(),
            mediators,
            outcome,
            agreement_fen: agreed.get(&c.id).copied(),
            closed_on: match status {
                Status::Closed => c.closed_at.map(|at| local_date(at, self.tz)),
                _ => None,
            },
            status,
            case_no: c.case_no,
        }
    }
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

fn io_error(e: io::Error) -> AppError {
    AppError::Internal(format!("ledger export: {e}"))
}

/// Starts the export of `filter`'s cases and returns the pieces of the file as they are written.
/// Who exported what is in the audit log first: the file carries parties' names out of the system.
///
/// # Errors
/// Database failures before the first row.
pub async fn export(
    db: &DatabaseConnection,
    tz: Tz,
    user: &CurrentUser,
    filter: CaseFilter,
    format: Format,
    description: String,
) -> Result<Pieces, AppError> {
    audit::record(
        db,
        (user.id > 0).then_some(user.id),
        "ledger.export",
        "ledger",
        None,
        Some(format!("{} {description}", format.ext()).trim().to_owned()),
    )
    .await?;
    let mut reader = Reader::new(db, tz, user, filter).await?;
    let (chunk_tx, mut chunks) = mpsc::channel(CHUNKS_AHEAD);
    tokio::spawn(async move {
        loop {
            match reader.next_chunk().await {
                Ok(rows) if rows.is_empty() => break,
                chunk => {
                    let failed = chunk.is_err();
                    // A failed send means the writer stopped (the download was abandoned).
                    if chunk_tx.send(chunk).await.is_err() || failed {
                        break;
                    }
                }
            }
        }
    });
    let (tx, rx) = mpsc::channel(CHANNEL_PIECES);
    tokio::task::spawn_blocking(move || {
        let written = match format {
            Format::Csv => write_csv(&mut chunks, ChannelWriter::new(tx.clone())),
            Format::Xlsx => write_xlsx(&mut chunks, ChannelWriter::new(tx.clone())),
        };
        match written {
            Ok(rows) => tracing::info!(rows, format = format.ext(), "ledger exported"),
            Err(e) => {
                tracing::error!(error = %e, "ledger export broke off");
                let _ = tx.blocking_send(Err(io::Error::other("ledger export failed")));
            }
        }
    });
    Ok(rx)
}

/// CSV: UTF-8 with a BOM (so Excel reads the Chinese), CRLF line ends, amounts in yuan.
fn write_csv(chunks: &mut Chunks, out: ChannelWriter) -> Result<u64, AppError> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes()).map_err(io_error)?;
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let csv_error = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    csv.write_record(HEADERS).map_err(csv_error)?;
    let mut rows = 0u64;
    while let Some(chunk) = chunks.blocking_recv() {
        for case in chunk? {
            csv.write_record(case.cells().iter().map(Cell::as_text))
                .map_err(csv_error)?;
            rows += 1;
        }
    }
    let mut out = csv
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    out.flush().map_err(io_error)?;
    Ok(rows)
}

/// XLSX: one sheet 台账, the header row frozen, amounts as numbers in yuan.
fn write_xlsx(chunks: &mut Chunks, out: ChannelWriter) -> Result<u64, AppError> {
    let mut workbook = Workbook::new();
    let header = XlsxFormat::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let money = XlsxFormat::new().set_num_format("#,##0.00");
    let mut rows = 0u64;
    {
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_error)?;
        sheet.set_name("台账").map_err(xlsx_error)?;
        const WIDTHS: [f64; 16] = [
            16.0, 12.0, 20.0, 24.0, 14.0, 16.0, 14.0, 10.0, 10.0, 20.0, 20.0, 12.0, 10.0, 14.0,
            12.0, 10.0,
        ];
        for (c, w) in WIDTHS.iter().enumerate() {
            sheet.set_column_width(c as u16, *w).map_err(xlsx_error)?;
        }
        for (c, h) in HEADERS.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &header)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        while let Some(chunk) = chunks.blocking_recv() {
            for case in chunk? {
                let r = u32::try_from(rows + 1)
                    .map_err(|_| AppError::Internal("ledger too long for XLSX".into()))?;
                for (c, cell) in case.cells().iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                        Cell::Count(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                        Cell::Fen(f) => sheet
                            .write_number_with_format(r, c, *f as f64 / 100.0, &money)
                            .map(|_| ()),
                        Cell::Empty => Ok(()),
                    }
                    .map_err(xlsx_error)?;
                }
                rows += 1;
            }
        }
    }
    let mut out = out;
    workbook.save_to_writer(&mut out).map_err(xlsx_error)?;
    out.flush().map_err(io_error)?;
    Ok(rows)
}
