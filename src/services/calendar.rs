//! The calendar table of DESIGN §3 "Clocks": statutory holidays and working weekend days, kept by
//! an admin from the State Council's yearly notice, seeded with the 2026 notice, and read whole by
//! every clock as a [`Calendar`].

use chrono::{Datelike, NaiveDate, Weekday};
use entity::calendar_days;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{paging, Page, PageRequest};
use crate::db::begin_write;
use crate::domain::clocks::{seeded_2026, Calendar, DayKind};
use crate::domain::role::Role;
use crate::error::{AppError, Message};
use crate::services::command::Command;
use crate::services::{audit, auth::CurrentUser};

/// A calendar entry as the services answer with it: its kind read once, where the row is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

/// A row as a [`CalendarDay`]. The kind is typed in the entity: a row whose kind is neither
/// `holiday` nor `workday` (only a hand-edited database has one) fails to load, a 500 rather than
/// a silently wrong deadline.
fn day_of(row: calendar_days::Model) -> CalendarDay {
    CalendarDay {
        day: row.day,
        kind: row.kind.into(),
        name: row.name,
    }
}

impl CalendarDay {
    /// What the audit line says about the entry.
    fn audit_detail(&self) -> String {
        format!("{} {} {}", self.day, self.kind.as_str(), self.name)
    }
}

/// Loads the 2026 notice into an empty calendar table, so that a new installation counts its
/// deadlines right from the first case. A table with any row is the admin's and is left alone.
///
/// Safe when two app servers start at once on one database: a date already written by the other
/// is skipped, not an error.
///
/// # Errors
/// Database failures only.
pub async fn seed_if_empty(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if calendar_days::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let rows = seeded_2026()
        .into_iter()
        .map(|(day, kind, name)| calendar_days::ActiveModel {
            day: Set(day),
            kind: Set(kind.into()),
            name: Set(name.to_owned()),
        });
    calendar_days::Entity::insert_many(rows)
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    tracing::info!("calendar seeded with the 2026 holiday notice");
    Ok(())
}

/// The whole table as the domain calendar every clock uses.
///
/// # Errors
/// Database failures; a row whose kind is neither `holiday` nor `workday` (only a hand-edited
/// database has one) is a 500 rather than a silently wrong deadline.
pub async fn load(db: &impl ConnectionTrait) -> Result<Calendar, AppError> {
    let rows = calendar_days::Entity::find().all(db).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let day = day_of(row);
        entries.push((day.day, day.kind));
    }
    Ok(Calendar::new(entries))
}

/// The entries of one year (or of every year), in date order.
///
/// # Errors
/// 422 naming `year` for a year outside the calendar's range; database failures; a row of an
/// unknown kind (500).
pub async fn list(
    db: &impl ConnectionTrait,
    year: Option<i32>,
    page: PageRequest,
) -> Result<Page<CalendarDay>, AppError> {
    let mut query = calendar_days::Entity::find();
    if let Some(year) = year {
        let (first, last) = year_bounds(year)?;
        query = query.filter(calendar_days::Column::Day.between(first, last));
    }
    let rows = paging::paginate(
        db,
        query,
        |q| q.order_by_asc(calendar_days::Column::Day),
        page,
    )
    .await?;
    let items = rows.items.into_iter().map(day_of).collect();
    Ok(Page {
        items,
        total: rows.total,
        page: rows.page,
        per_page: rows.per_page,
    })
}

/// The years that have at least one entry, in order (for the year picker).
///
/// # Errors
/// Database failures only.
pub async fn years(db: &impl ConnectionTrait) -> Result<Vec<i32>, AppError> {
    let days: Vec<NaiveDate> = calendar_days::Entity::find()
        .select_only()
        .column(calendar_days::Column::Day)
        .order_by_asc(calendar_days::Column::Day)
        .into_tuple()
        .all(db)
        .await?;
    let mut years: Vec<i32> = days.into_iter().map(|d| d.year()).collect();
    years.dedup();
    Ok(years)
}

/// Adds a holiday or a working weekend day (admins only), the one way a change goes: the role
/// (403), the entry's fields (422), the rule that a declared working day is a Saturday or Sunday
/// (every other day already is one, 422), a date not yet in the calendar (422), then the write and
/// its audit line.
///
/// # Errors
/// As above.
pub async fn add(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = CalendarDay>,
) -> Result<CalendarDay, AppError> {
    actor.require(&[Role::Admin])?;
    let entry = command.params()?;
    if entry.kind == DayKind::Workday && !matches!(entry.day.weekday(), Weekday::Sat | Weekday::Sun)
    {
        return Err(AppError::field(
            "kind",
            Message::key("err-calendar-workday-not-weekend"),
        ));
    }
    let txn = begin_write(db).await?;
    if calendar_days::Entity::find_by_id(entry.day)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(day_taken());
    }
    let row = calendar_days::ActiveModel {
        day: Set(entry.day),
        kind: Set(entry.kind.into()),
        name: Set(entry.name),
    }
    .insert(&txn)
    .await
    .map_err(|err| {
        // Two admins adding the same date at once: the loser gets the checked answer.
        if AppError::is_unique_violation(&err) {
            day_taken()
        } else {
            err.into()
        }
    })?;
    let added = day_of(row);
    audit::record(
        &txn,
        Some(actor.id),
        "calendar.add",
        "calendar_day",
        None,
        Some(added.audit_detail()),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(day = %added.day, kind = added.kind.as_str(), "calendar day added");
    Ok(added)
}

/// Removes a date from the calendar (admins only): it becomes an ordinary day again. The role
/// (403), the date (422), the entry (404), then the delete and its audit line. Answers the date
/// removed (a row of a kind the code does not know can be removed too: that is how it is mended).
///
/// # Errors
/// As above.
pub async fn remove(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    command: impl Command<Params = NaiveDate>,
) -> Result<NaiveDate, AppError> {
    actor.require(&[Role::Admin])?;
    let day = command.params()?;
    let txn = begin_write(db).await?;
    // Read as text, not as the typed row: a row of a kind the code does not know can be removed.
    let row: Option<(NaiveDate, String, String)> = calendar_days::Entity::find_by_id(day)
        .select_only()
        .columns([
            calendar_days::Column::Day,
            calendar_days::Column::Kind,
            calendar_days::Column::Name,
        ])
        .into_tuple()
        .one(&txn)
        .await?;
    let (day, kind, name) = row.ok_or(AppError::NotFound)?;
    let deleted = calendar_days::Entity::delete_by_id(day).exec(&txn).await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &txn,
        Some(actor.id),
        "calendar.remove",
        "calendar_day",
        None,
        Some(format!("{day} {kind} {name}")),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(day = %day, "calendar day removed");
    Ok(day)
}

fn day_taken() -> AppError {
    AppError::field("date", Message::key("err-calendar-day-taken"))
}

/// 1 January and 31 December of `year`.
fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), AppError> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .zip(NaiveDate::from_ymd_opt(year, 12, 31))
        .filter(|_| (1..=9999).contains(&year))
        .ok_or_else(|| AppError::field("year", Message::key("err-calendar-year")))
}
