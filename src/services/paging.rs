//! Paging by offset, written once for the lists of a street's size (units, mediators, accounts,
//! the calendar, mentorships, subsidy periods): the total of the filtered rows, then one page of
//! them in the list's order. The case list pages by keyset instead (`cases::list`).

use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QuerySelect, Select};

use super::{Page, PageRequest};
use crate::error::AppError;

/// One page of `query` (filtered, not yet ordered): `order` puts it in the list's order, which
/// must be total (end with the id) so that pages neither overlap nor skip rows.
///
/// # Errors
/// Database failures.
pub async fn paginate<E, C>(
    db: &C,
    query: Select<E>,
    order: impl FnOnce(Select<E>) -> Select<E>,
    page: PageRequest,
) -> Result<Page<E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    C: ConnectionTrait,
{
    let total = query.clone().count(db).await?;
    let items = order(query)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}
