//! Notifications as a service: who is told about a change (routing, by the rules of
//! `domain::notifications`), the reminder scheduler, the in-app inbox and the outbox as admins
//! see it. Rows go through `mail::queue`; `mail` knows nothing of who or why.
//!
//! - [`routing`]: who hears about a case action ([`on_case_action`]) or an approved subsidy period
//!   ([`on_subsidy_approved`]), looked up and enqueued in the change's transaction;
//! - [`reminders`]: every minute, enqueues each clock reminder (the 15-day limit, follow-up visits,
//!   judicial confirmation) once per case, kind and deadline;
//! - [`inbox`]: the user's list, read marks, unread count and e-mail preferences;
//! - [`outbox`]: what waits or failed (admins), and sending again.

pub mod inbox;
pub mod outbox;
pub mod reminders;
pub mod routing;

/// A notification as the inbox and the outbox answer with it (its row).
pub use entity::notifications::Model as Notification;
pub use routing::{
    coordinators_of_hub, mediator_recipients, mediators_of_unit, on_case_action,
    on_subsidy_approved,
};

/// The order of the inbox and the outbox: newest first (the id breaks ties, so that pages neither
/// overlap nor skip rows).
fn newest_first(
    query: sea_orm::Select<entity::notifications::Entity>,
) -> sea_orm::Select<entity::notifications::Entity> {
    use sea_orm::QueryOrder;
    query
        .order_by_desc(entity::notifications::Column::CreatedAt)
        .order_by_desc(entity::notifications::Column::Id)
}
