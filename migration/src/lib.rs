//! Database migrations, in the order they landed. Each describes the schema at its point in time and
//! is never edited after it lands; it does not import `entity` types.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_network_and_accounts;
mod m20261123_000002_cases;
mod m20261123_000003_sessions_agreements;
mod m20261123_000004_notifications;
mod m20261123_000005_subsidies;
mod m20261123_000006_mentorships;
mod m20261201_000001_attachment_contents;
mod m20261201_000002_sign_in_addresses;
mod m20261201_000003_audit_log_append_only;
mod m20261203_000001_party_access;
mod m20261203_000004_read_indexes;
mod m20261203_000005_warnings;
mod m20261204_010000_stat_counters;
mod m20261204_020000_follow_up_due_and_name_search;
mod m20261206_000001_stat_counters_read_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_network_and_accounts::Migration),
            Box::new(m20261123_000002_cases::Migration),
            Box::new(m20261123_000003_sessions_agreements::Migration),
            Box::new(m20261123_000004_notifications::Migration),
            Box::new(m20261123_000005_subsidies::Migration),
            Box::new(m20261123_000006_mentorships::Migration),
            Box::new(m20261201_000001_attachment_contents::Migration),
            Box::new(m20261201_000002_sign_in_addresses::Migration),
            Box::new(m20261201_000003_audit_log_append_only::Migration),
            Box::new(m20261203_000001_party_access::Migration),
            Box::new(m20261203_000004_read_indexes::Migration),
            Box::new(m20261203_000005_warnings::Migration),
            Box::new(m20261204_010000_stat_counters::Migration),
            Box::new(m20261204_020000_follow_up_due_and_name_search::Migration),
            Box::new(m20261206_000001_stat_counters_read_index::Migration),
        ]
    }
}
