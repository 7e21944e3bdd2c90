//! Notifications: the outbox (one row per recipient, read by the mail worker and the in-app inbox),
//! every send attempt, each user's choice of what comes by e-mail, and the reminders already sent.

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

fn index(name: &str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name.to_owned()).table(table);
    for c in cols {
        i.col(*c);
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Written in the transaction of the change that causes it. `user_id` is the inbox owner
        // (null for a mediator without an account, reached by e-mail only); `email` is the address
        // at the time, null when there is none. `email_status`: pending, sent, failed, skipped.
        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer_null("user_id"))
                .col(string_len_null("email", 254))
                .col(string_len("kind", 32))
                .col(big_integer_null("case_id"))
                .col(text("subject"))
                // The template context; the bodies are rendered from it when first sent.
                .col(text("data"))
                .col(text_null("body_text"))
                .col(text_null("body_html"))
                .col(string_len("link", 300))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .col(string_len("email_status", 16))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone_null("next_attempt_at"))
                .col(timestamp_with_time_zone_null("claimed_at"))
                .col(string_len_null("claimed_by", 64))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .foreign_key(&mut fk(
                    "fk_notifications_user",
                    ("notifications", "user_id"),
                    "users",
                ))
                .foreign_key(&mut fk(
                    "fk_notifications_case",
                    ("notifications", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_notifications_outbox",
            "notifications",
            &["email_status", "next_attempt_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_notifications_inbox",
            "notifications",
            &["user_id", "read_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_notifications_case",
            "notifications",
            &["case_id"],
        ))
        .await?;

        // One row per try to send, with the error when it failed.
        m.create_table(
            Table::create()
                .table("notification_attempts")
                .col(big_pk_auto("id"))
                .col(big_integer("notification_id"))
                .col(timestamp_with_time_zone("attempted_at"))
                .col(string_len("worker", 64))
                .col(boolean("ok"))
                .col(text_null("error"))
                .foreign_key(&mut fk(
                    "fk_notification_attempts_notification",
                    ("notification_attempts", "notification_id"),
                    "notifications",
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_notification_attempts_notification",
            "notification_attempts",
            &["notification_id"],
        ))
        .await?;

        // What a user wants by e-mail, per kind; no row means yes.
        m.create_table(
            Table::create()
                .table("notification_preferences")
                .col(big_integer("user_id"))
                .col(string_len("kind", 32))
                .col(boolean("by_email"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("user_id").col("kind"))
                .foreign_key(&mut fk(
                    "fk_notification_preferences_user",
                    ("notification_preferences", "user_id"),
                    "users",
                ))
                .take(),
        )
        .await?;

        // A reminder is enqueued once per case, kind and clock: whichever server inserts the row
        // first enqueues it, in the same transaction. A new deadline (an extension) is a new row.
        m.create_table(
            Table::create()
                .table("reminders_sent")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(string_len("kind", 32))
                .col(timestamp_with_time_zone("due_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_reminders_sent_case",
                    ("reminders_sent", "case_id"),
                    "cases",
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "ux_reminders_sent_case_kind_due",
                "reminders_sent",
                &["case_id", "kind", "due_at"],
            )
            .unique()
            .take(),
        )
        .await?;
        Ok(())
    }
}
