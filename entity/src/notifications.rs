//! One notification to one recipient: an inbox entry (when `user_id` is set) and an outbox row for
//! the mail worker (`email_status`: pending, sent, failed, skipped).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub kind: crate::terms::NotificationKind,
    pub case_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    /// JSON object: the template context the bodies are rendered from.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub body_text: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub body_html: Option<String>,
    /// A path inside the app, e.g. `/cases/12`.
    pub link: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    pub email_status: crate::terms::EmailStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub claimed_at: Option<DateTimeUtc>,
    pub claimed_by: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
