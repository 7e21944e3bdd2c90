//! Integration tests: each starts the app on a random port over a fresh database migrated by the
//! real migrations (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set) and drives it over HTTP.

mod helpers;

mod access;
mod accounts;
mod attachments;
mod audit;
mod auth;
mod backup;
mod binary;
mod browser;
mod calendar;
mod case_edit;
mod case_pages;
mod cases;
mod contract;
mod crash;
mod crawl;
mod follow_ups;
mod headers;
mod health;
mod layers;
mod ledger;
mod looks;
mod mediators;
mod mentorships;
mod notifications;
mod pages;
mod paging;
mod parties;
mod records;
mod routes;
mod seed;
mod sessions;
mod settings;
mod sign_in_burst;
mod stats;
mod subsidy;
mod throttle;
mod two_servers;
mod units;
mod warnings;
