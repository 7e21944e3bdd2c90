//! The mediation network (units, mediators), accounts, sign-in sessions, API tokens, failed sign-ins
//! and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    big_pk_auto("id")
}

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
        m.create_table(
            Table::create()
                .table("units")
                .col(id())
                .col(string_len_uniq("code", 32))
                .col(string_len("name", 200))
                .col(string_len("kind", 32))
                .col(big_integer_null("parent_id"))
                .col(string_len_null("department", 32))
                .col(string_len_null("address", 300))
                .col(string_len_null("phone", 40))
                .col(boolean("active").default(true))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fk_units_parent", ("units", "parent_id"), "units"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("mediators")
                .col(id())
                .col(string_len("name", 100))
                .col(string_len_null("phone", 40))
                .col(string_len_null("email", 254))
                .col(big_integer("unit_id"))
                .col(string_len("employment", 32))
                .col(string_len("background", 32))
                .col(boolean("gold_medal").default(false))
                .col(date_null("gold_medal_since"))
                .col(boolean("is_mentor").default(false))
                .col(integer("years_experience").default(0))
                .col(text("specialties"))
                .col(integer("max_open_cases").default(10))
                .col(boolean("active").default(true))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_mediators_unit",
                    ("mediators", "unit_id"),
                    "units",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_mediators_unit")
                .table("mediators")
                .col("unit_id")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(id())
                .col(string_len_uniq("username", 64))
                .col(string_len("display_name", 100))
                .col(string_len("password_hash", 200))
                .col(string_len("role", 32))
                .col(big_integer_null("unit_id"))
                .col(big_integer_null("mediator_id"))
                .col(string_len_null("email", 254))
                .col(boolean("active").default(true))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fk_users_unit", ("users", "unit_id"), "units"))
                .foreign_key(&mut fk(
                    "fk_users_mediator",
                    ("users", "mediator_id"),
                    "mediators",
                ))
                .take(),
        )
        .await?;

        // A browser session: the cookie carries a random token, the table only its SHA-256, so a leaked
        // table cannot be replayed. `csrf_token` is the synchronizer token every form posts back.
        m.create_table(
            Table::create()
                .table("web_sessions")
                .col(string_len("token_hash", 64).primary_key())
                .col(big_integer("user_id"))
                .col(string_len("csrf_token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(
                    &mut fk("fk_web_sessions_user", ("web_sessions", "user_id"), "users")
                        .on_delete(ForeignKeyAction::Cascade)
                        .take(),
                )
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(id())
                .col(string_len_uniq("token_hash", 64))
                .col(big_integer("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(
                    &mut fk("fk_api_tokens_user", ("api_tokens", "user_id"), "users")
                        .on_delete(ForeignKeyAction::Cascade)
                        .take(),
                )
                .take(),
        )
        .await?;

        // Failed sign-ins, counted per username over a window to slow down guessing. Kept in the
        // database so that several app servers share the count.
        m.create_table(
            Table::create()
                .table("failed_sign_ins")
                .col(id())
                .col(string_len("username", 64))
                .col(timestamp_with_time_zone("at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_failed_sign_ins_username_at")
                .table("failed_sign_ins")
                .col("username")
                .col("at")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(id())
                .col(big_integer_null("actor_user_id"))
                .col(string_len("action", 64))
                .col(string_len("target_type", 32))
                .col(big_integer_null("target_id"))
                .col(text_null("detail"))
                .col(timestamp_with_time_zone("at"))
                .take(),
        )
        .await?;
        Ok(())
    }
}
