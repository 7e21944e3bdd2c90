//! Services: one module per aggregate. Each function takes a connection, checks the signed-in user's
//! role and scope, validates what the database must confirm (parents exist, names are free), and
//! writes in one transaction. They can be tested without HTTP.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod demo;
pub mod demo_cases;
pub mod demo_mentorships;
pub mod hashing;
pub mod joint_report;
pub mod mediator_record;
pub mod mediators;
pub mod mentorships;
pub mod settings;
pub mod subsidy;
pub mod units;

use serde::Serialize;

/// One page of a list, in the shape every list endpoint answers with.
#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Which page of a list to show. `page` counts from 1; `per_page` is capped so that nobody can ask
/// for the whole database in one request.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u64 = 200;

    pub fn new(page: Option<u64>, per_page: Option<u64>) -> PageRequest {
        PageRequest {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
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
