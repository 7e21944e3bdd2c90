//! `/api/v1/ledger.xlsx` and `/api/v1/ledger.csv` (DESIGN §11): the ledger of the cases the user
//! may see, by the case list's filters plus `from`, `to` (local receipt days), streamed.

use axum::extract::State;
use axum::response::Response;

use super::{ApiUser, ErrorBody};
use crate::error::AppError;
use crate::services::ledger::export::Format;
use crate::web::extract::ApiQuery;
use crate::web::shapes::{ledger_download, LedgerQuery};
use crate::web::AppState;

/// The ledger as an XLSX workbook (one sheet 台账, Chinese headers), streamed, no row cap.
#[utoipa::path(get, path = "/api/v1/ledger.xlsx", params(LedgerQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body = Vec<u8>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Response, AppError> {
    let filter = q.filter()?;
    ledger_download(&state, &user, filter, Format::Xlsx, q.describe()).await
}

/// The ledger as CSV (UTF-8 with BOM, amounts in yuan), streamed, no row cap.
#[utoipa::path(get, path = "/api/v1/ledger.csv", params(LedgerQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn csv(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Response, AppError> {
    let filter = q.filter()?;
    ledger_download(&state, &user, filter, Format::Csv, q.describe()).await
}
