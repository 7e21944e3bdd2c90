//! The stored name suffixes behind the search by party name (`domain::name_search`): written with
//! the parties at intake (and by the bulk seeder), filled once for the parties from before they
//! existed, and read by the case list as one index range.

use std::collections::HashSet;

use entity::case_parties;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::name_search::{normalized, prefix_end, suffixes};
use crate::error::AppError;

const TABLE: &str = "case_party_name_suffixes";

/// Rows per multi-row insert (two parameters each), well below every database's limit.
const ROWS_PER_INSERT: usize = 5_000;

/// Parties read per step of the backfill.
const BACKFILL_PARTIES: u64 = 20_000;

/// The rows of one case: each suffix of each party's name once.
pub fn rows_of<'a>(case_id: i64, names: impl IntoIterator<Item = &'a str>) -> Vec<(String, i64)> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .flat_map(suffixes)
        .filter(|s| seen.insert(s.clone()))
        .map(|s| (s, case_id))
        .collect()
}

/// Writes suffix rows (a row already there is left alone).
///
/// # Errors
/// Database failures.
pub async fn write(db: &impl ConnectionTrait, rows: &[(String, i64)]) -> Result<(), AppError> {
    for batch in rows.chunks(ROWS_PER_INSERT) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(TABLE))
            .columns([Alias::new("suffix"), Alias::new("case_id")])
            .on_conflict(
                OnConflict::columns([Alias::new("suffix"), Alias::new("case_id")])
                    .do_nothing()
                    .to_owned(),
            );
        for (suffix, case_id) in batch {
            insert.values_panic([suffix.as_str().into(), (*case_id).into()]);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// The ids of the cases with a party whose name contains `q` (ignoring case): the suffixes that
/// start with it, one range of the table's primary key.
pub fn cases_with_name_containing(q: &str) -> SelectStatement {
    let q = normalized(q);
    let end = prefix_end(&q);
    Query::select()
        .distinct()
        .column(Alias::new("case_id"))
        .from(Alias::new(TABLE))
        .and_where(Expr::col(Alias::new("suffix")).gte(q))
        .and_where(Expr::col(Alias::new("suffix")).lt(end))
        .to_owned()
}

/// Gives every party from before the suffixes were stored its rows, in steps of a few thousand
/// parties (two servers starting at once write the same rows, which is harmless).
///
/// # Errors
/// Database failures.
pub async fn backfill(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    let mut after = 0i64;
    let mut parties = 0u64;
    loop {
        let batch: Vec<(i64, i64, String)> = case_parties::Entity::find()
            .select_only()
            .column(case_parties::Column::Id)
            .column(case_parties::Column::CaseId)
            .column(case_parties::Column::Name)
            .filter(case_parties::Column::Id.gt(after))
            .order_by_asc(case_parties::Column::Id)
            .limit(BACKFILL_PARTIES)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.0;
        parties += batch.len() as u64;
        let rows: Vec<(String, i64)> = batch
            .iter()
            .flat_map(|(_, case_id, name)| rows_of(*case_id, [name.as_str()]))
            .collect();
        write(db, &rows).await?;
    }
    Ok(parties)
}
