//! Integration tests: each starts the app on a random port over a fresh database migrated by the
//! real migrations (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set) and drives it over HTTP.

mod helpers;

mod accounts;
mod auth;
mod backup;
mod browser;
mod calendar;
mod case_edit;
mod case_pages;
mod cases;
mod follow_ups;
mod health;
mod looks;
mod mediators;
mod mentorships;
mod notifications;
mod pages;
mod records;
mod settings;
mod subsidy;
mod units;
