//! sea-orm models of the tables created by `migration/`, and the active enums of their term columns
//! (`terms`), stored as their snake_case names and converted into domain types by the services.

pub mod agreement_instalments;
pub mod agreements;
pub mod api_tokens;
pub mod attachment_chunks;
pub mod attachments;
pub mod audit_log;
pub mod calendar_days;
pub mod case_assignments;
pub mod case_counters;
pub mod case_events;
pub mod case_groups;
pub mod case_invited_units;
pub mod case_parties;
pub mod case_session_mediators;
pub mod case_sessions;
pub mod cases;
pub mod failed_sign_ins;
pub mod follow_ups;
pub mod mediator_events;
pub mod mediators;
pub mod mentorships;
pub mod notification_attempts;
pub mod notification_preferences;
pub mod notifications;
pub mod public_attempts;
pub mod reminders_sent;
pub mod settings;
pub mod subsidy_items;
pub mod subsidy_periods;
pub mod subsidy_rates;
pub mod terms;
pub mod units;
pub mod users;
pub mod web_sessions;
