//! sea-orm models of the tables created by `migration/`. Only models here: enums are stored as their
//! snake_case names and parsed into domain types by the services.

pub mod api_tokens;
pub mod audit_log;
pub mod calendar_days;
pub mod case_assignments;
pub mod case_counters;
pub mod case_events;
pub mod case_invited_units;
pub mod case_parties;
pub mod cases;
pub mod failed_sign_ins;
pub mod mediators;
pub mod settings;
pub mod units;
pub mod users;
pub mod web_sessions;
