//! Indexes for the read path at scale (issue 13, DESIGN §12). The case list is read group by group
//! in its order (running clocks by deadline, then agreed, then closed; newest first within a
//! deadline), so each group is a range of one index that is already in list order:
//! - running cases: a partial index over (deadline_at, id) holding only the three running
//!   statuses, so the first page reads 25 index entries instead of sorting every running case;
//! - every group: (status, deadline_at, id) and the same after each equality filter the list
//!   offers (unit, dispute type, grade, source), so a filtered page and its capped count are a
//!   range scan of one index;
//! - the mediator filter and the mediator record read assignments by (mediator_id, case_id);
//! - parties by name (equality and prefix look-ups of the search).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const RUNNING: &str = "status IN ('registered', 'accepted', 'mediating')";

/// (name, table, columns): plain indexes, written as SQL both databases read alike.
const INDEXES: [(&str, &str, &str); 8] = [
    (
        "ix_cases_list_order",
        "cases",
        "status, deadline_at, id DESC",
    ),
    (
        "ix_cases_unit_order",
        "cases",
        "current_unit_id, status, deadline_at, id DESC",
    ),
    (
        "ix_cases_type_order",
        "cases",
        "dispute_type, status, deadline_at, id DESC",
    ),
    (
        "ix_cases_grade_order",
        "cases",
        "grade, status, deadline_at, id DESC",
    ),
    (
        "ix_cases_source_order",
        "cases",
        "source, status, deadline_at, id DESC",
    ),
    (
        "ix_case_assignments_mediator_case",
        "case_assignments",
        "mediator_id, case_id",
    ),
    ("ix_case_parties_name", "case_parties", "name"),
    ("ix_follow_ups_case_done", "follow_ups", "case_id, done_at"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, table, cols) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({cols})"))
                .await?;
        }
        db.execute_unprepared(&format!(
            "CREATE INDEX ix_cases_running_order ON cases (deadline_at, id DESC) WHERE {RUNNING}"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ix_cases_running_order")
            .await?;
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
