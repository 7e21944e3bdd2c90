//! Services: one module per aggregate. Each function takes a connection, checks the signed-in user's
//! role and scope, validates what the database must confirm (parents exist, names are free), and
//! writes in one transaction. They can be tested without HTTP.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backfills;
pub mod backup;
pub mod calendar;
pub mod case_file;
pub mod cases;
pub mod command;
pub mod hashing;
pub mod joint_report;
pub mod ledger;
pub mod mediator_record;
pub mod mediators;
pub mod mentorships;
pub mod monthly_report;
pub mod network;
pub mod notifications;
pub mod paging;
pub mod public;
pub mod settings;
pub mod stats;
pub mod subsidy;
pub mod terms;
pub mod units;
pub mod versioned;
pub mod warnings;

use serde::Serialize;

use crate::error::{AppError, FieldErrors, Message};

/// One page of a list, in the shape every list endpoint answers with.
#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Which page of a list to show. `page` counts from 1; `per_page` is capped so that nobody can ask
/// for the whole database in one request, and `page` so that no offset can overflow.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u64 = 200;
    /// The deepest page any list answers (20 million rows at the largest page size): deeper asks
    /// are refused, so that `(page - 1) × per_page` always fits the database's offset.
    pub const MAX_PAGE: u64 = 100_000;
    const DEFAULT_PER_PAGE: u64 = 50;

    /// The page a client asked for, checked once here for every list.
    ///
    /// # Errors
    /// 422 naming `page` (below 1 or beyond [`Self::MAX_PAGE`]) or `per_page` (outside
    /// 1..=[`Self::MAX_PER_PAGE`]).
    pub fn parse(page: Option<u64>, per_page: Option<u64>) -> Result<PageRequest, AppError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(Self::DEFAULT_PER_PAGE);
        let mut fields = FieldErrors::new();
        if !(1..=Self::MAX_PAGE).contains(&page) {
            fields.insert(
                "page".to_owned(),
                Message::with("err-page-range", &[("max", Self::MAX_PAGE.to_string())]),
            );
        }
        if !(1..=Self::MAX_PER_PAGE).contains(&per_page) {
            fields.insert(
                "per_page".to_owned(),
                Message::with(
                    "err-per-page-range",
                    &[("max", Self::MAX_PER_PAGE.to_string())],
                ),
            );
        }
        if fields.is_empty() {
            Ok(PageRequest { page, per_page })
        } else {
            Err(AppError::Invalid(fields))
        }
    }

    /// The first page of `per_page` rows, for screens that show one page of a fixed size.
    pub fn first(per_page: u64) -> PageRequest {
        PageRequest {
            page: 1,
            per_page: per_page.clamp(1, Self::MAX_PER_PAGE),
        }
    }

    pub fn offset(self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }

    /// The number of pages, for pagers (at least 1).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }
}

/// Turns a free-text search into a `LIKE` pattern, escaping the wildcards a user might type.
pub fn like_pattern(q: &str) -> String {
    let escaped = q
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
