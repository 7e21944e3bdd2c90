//! The ledger's query (the case list's filters plus `from`, `to`) and its streamed download, for
//! the ledger page and `/api/v1/ledger.xlsx`, `/api/v1/ledger.csv`.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cases::CaseQuery;
use crate::error::AppError;
use crate::services::auth::CurrentUser;
use crate::services::cases::list::CaseFilter;
use crate::services::ledger::export::{self, Format};
use crate::web::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LedgerQuery {
    /// Received on or after this local day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Received on or before this local day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// The unit a case is at now.
    pub unit_id: Option<i64>,
    pub status: Option<String>,
    pub grade: Option<String>,
    pub dispute_type: Option<String>,
    pub source: Option<String>,
    /// `true`: only cases past their 15-day limit.
    pub overdue: Option<bool>,
    /// Case number or party name.
    pub q: Option<String>,
    pub group_id: Option<i64>,
    pub mediator_id: Option<i64>,
    pub joint_unit_id: Option<i64>,
    /// As `from` (the case list's name).
    pub received_from: Option<String>,
    /// As `to` (the case list's name).
    pub received_to: Option<String>,
    /// Closed on or after this local day, `YYYY-MM-DD`.
    pub closed_from: Option<String>,
    /// Closed on or before this local day, `YYYY-MM-DD`.
    pub closed_to: Option<String>,
    /// `resolved`, `failed` or `withdrawn`.
    pub outcome: Option<String>,
}

impl LedgerQuery {
    /// The case list's filter, read by the case list's own parsing; an error on the receipt days
    /// names the field as it was sent (`from` or `received_from`).
    ///
    /// # Errors
    /// 422 naming the field.
    pub fn filter(&self) -> Result<CaseFilter, AppError> {
        // Sent beside `from` / `to`, the list's names are overridden, yet must still be dates: a
        // value the server does not read is no reason to accept a malformed one.
        if self.from.is_some() || self.to.is_some() {
            let aliases = CaseQuery {
                received_from: self.from.as_ref().and(self.received_from.clone()),
                received_to: self.to.as_ref().and(self.received_to.clone()),
                ..CaseQuery::default()
            };
            aliases.filter()?;
        }
        let query = CaseQuery {
            status: self.status.clone(),
            unit_id: self.unit_id,
            grade: self.grade.clone(),
            dispute_type: self.dispute_type.clone(),
            source: self.source.clone(),
            overdue: self.overdue,
            q: self.q.clone(),
            group_id: self.group_id,
            mediator_id: self.mediator_id,
            joint_unit_id: self.joint_unit_id,
            received_from: self.from.clone().or_else(|| self.received_from.clone()),
            received_to: self.to.clone().or_else(|| self.received_to.clone()),
            closed_from: self.closed_from.clone(),
            closed_to: self.closed_to.clone(),
            outcome: self.outcome.clone(),
            after: None,
            page: None,
            per_page: None,
        };
        query.filter().map_err(|e| match e {
            AppError::Invalid(fields) => AppError::Invalid(
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        let k = match k.as_str() {
                            "received_from" if self.from.is_some() => "from".to_owned(),
                            "received_to" if self.to.is_some() => "to".to_owned(),
                            _ => k,
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    /// What the audit log records of the filter (no party names: `q` is only said to be set).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                parts.push(format!("{k}={v}"));
            }
        };
        add(
            "from",
            self.from.clone().or_else(|| self.received_from.clone()),
        );
        add("to", self.to.clone().or_else(|| self.received_to.clone()));
        add("unit_id", self.unit_id.map(|u| u.to_string()));
        add("status", self.status.clone());
        add("grade", self.grade.clone());
        add("dispute_type", self.dispute_type.clone());
        add("source", self.source.clone());
        add(
            "overdue",
            self.overdue.filter(|o| *o).map(|_| "true".into()),
        );
        add("q", self.q.as_ref().map(|_| "…".into()));
        add("group_id", self.group_id.map(|u| u.to_string()));
        add("mediator_id", self.mediator_id.map(|u| u.to_string()));
        add("joint_unit_id", self.joint_unit_id.map(|u| u.to_string()));
        parts.join(" ")
    }
}

/// The ledger as a streamed download.
///
/// # Errors
/// 422 for a bad filter (by the caller); database failures before the first piece.
pub async fn download(
    state: &AppState,
    user: &CurrentUser,
    filter: CaseFilter,
    format: Format,
    description: String,
) -> Result<Response, AppError> {
    let mut pieces = export::export(
        &state.db,
        state.config.time_zone,
        user,
        filter,
        format,
        description,
    )
    .await?;
    // A CSV's first piece comes after its first rows: awaited, so a failure on the first chunk
    // is a 500 rather than a cut-off file. An XLSX is zipped only once every row is in, which
    // for a large ledger takes longer than the request timeout allows before answering: it
    // answers at once and the body follows.
    let first = match format {
        Format::Csv => match pieces.recv().await {
            Some(Ok(bytes)) => Some(bytes),
            Some(Err(e)) => return Err(AppError::Internal(format!("ledger: {e}"))),
            None => return Err(AppError::Internal("ledger: nothing written".into())),
        },
        Format::Xlsx => None,
    };
    // Fused: a body may be polled again after its end (the compression layer does), and an
    // unfused `unfold` panics then.
    let rest =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(pieces, |mut rx| async move {
            rx.recv().await.map(|piece| (piece, rx))
        }));
    let body = futures_util::StreamExt::chain(
        futures_util::stream::iter(first.map(Ok::<_, std::io::Error>)),
        rest,
    );
    let (ascii, utf8) = format.file_names();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::web::errors::urlencode(&utf8)
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
