//! The mentor-apprentice programme (优师带徒): pairs with their target and outcome, and the events
//! on a mediator's record (a pairing started, graduated or ended; a gold-medal title awarded).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (&'static str, &'static str),
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name.to_owned())
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // `finished_on` is the day a pair graduated or ended; progress stops counting after it.
        // `early_reason` is set when a pair graduated before reaching its target.
        m.create_table(
            Table::create()
                .table("mentorships")
                .col(big_pk_auto("id"))
                .col(big_integer("mentor_id"))
                .col(big_integer("apprentice_id"))
                .col(date("started_on"))
                .col(integer("target_cases"))
                .col(string_len("status", 16))
                .col(text("notes").default(""))
                .col(date_null("finished_on"))
                .col(text_null("finish_reason"))
                .col(big_integer_null("created_by"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_mentorships_mentor",
                    ("mentorships", "mentor_id"),
                    "mediators",
                ))
                .foreign_key(&mut fk(
                    "fk_mentorships_apprentice",
                    ("mentorships", "apprentice_id"),
                    "mediators",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_mentorships_mentor")
                .table("mentorships")
                .col("mentor_id")
                .take(),
        )
        .await?;
        // One active pair per apprentice, held by the database even when two coordinators pair
        // the same apprentice at once. A partial index reads the same on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_mentorships_active_apprentice \
                 ON mentorships (apprentice_id) WHERE status = 'active'",
            )
            .await?;

        m.create_table(
            Table::create()
                .table("mediator_events")
                .col(big_pk_auto("id"))
                .col(big_integer("mediator_id"))
                .col(string_len("kind", 32))
                .col(date("on_day"))
                .col(big_integer_null("mentorship_id"))
                .col(big_integer_null("actor_user_id"))
                .col(text("note").default(""))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(&mut fk(
                    "fk_mediator_events_mediator",
                    ("mediator_events", "mediator_id"),
                    "mediators",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_mediator_events_mediator")
                .table("mediator_events")
                .col("mediator_id")
                .col("on_day")
                .take(),
        )
        .await?;
        Ok(())
    }
}
