//! `mediation seed --cases N --streets K --seed S`, the bulk data of the benchmarks: the cases
//! asked for over the streets asked for, each with its parties and the history its status
//! implies, the same data again from the same seed, and the statistics counters kept exactly.

use chrono::Duration;
use entity::{case_parties, cases, mediators, units};
use mediation::demo::bulk::{seed, SeedOptions, ROSTER};
use mediation::domain::workflow::Status;
use mediation::services::stats::{stats_in_scope, Scope, StatsRange};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::helpers::spawn_app_with;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// (case number, status, grade, first party's name) of every case, in id order.
async fn digest(db: &sea_orm::DatabaseConnection) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for c in cases::Entity::find()
        .order_by_asc(cases::Column::Id)
        .all(db)
        .await
        .unwrap()
    {
        let party = case_parties::Entity::find()
            .filter(case_parties::Column::CaseId.eq(c.id))
            .order_by_asc(case_parties::Column::Id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        out.push((
            c.case_no,
            format!("{:?}", c.status),
            format!("{:?}", c.grade),
            party.name,
        ));
    }
    out
}

#[tokio::test]
async fn seeding_writes_the_cases_asked_for_the_same_again_from_the_same_seed_and_keeps_the_counters(
) {
    let app = spawn_app_with(false).await;
    let opts = SeedOptions {
        cases: 400,
        streets: 2,
        seed: 7,
    };
    let report = seed(&app.db, TZ, opts).await.unwrap();
    assert_eq!(report.cases, 400);
    assert_eq!(report.streets, 2);
    assert_eq!(cases::Entity::find().count(&app.db).await.unwrap(), 400);
    assert!(
        report.rows > 400 * 5,
        "every case has its parties, events and team"
    );

    // Two hubs, each with its roster.
    let hubs = units::Entity::find()
        .filter(units::Column::Kind.eq("street_hub"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(hubs, 2);
    assert!(mediators::Entity::find().count(&app.db).await.unwrap() >= 2 * ROSTER as u64);

    // Every case has two parties or more.
    let parties: Vec<(i64, i64)> = case_parties::Entity::find()
        .select_only()
        .column(case_parties::Column::CaseId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(case_parties::Column::CaseId)
        .into_tuple()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(parties.len(), 400);
    assert!(parties.iter().all(|(_, n)| *n >= 2), "{parties:?}");

    // The statuses follow from the dates: closed cases have their closing, others none.
    let closed_without = cases::Entity::find()
        .filter(cases::Column::Status.eq(Status::Closed.as_str()))
        .filter(cases::Column::ClosedAt.is_null())
        .count(&app.db)
        .await
        .unwrap();
    let open_with = cases::Entity::find()
        .filter(cases::Column::Status.ne(Status::Closed.as_str()))
        .filter(cases::Column::ClosedAt.is_not_null())
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!((closed_without, open_with), (0, 0));
    let closed = cases::Entity::find()
        .filter(cases::Column::Status.eq(Status::Closed.as_str()))
        .count(&app.db)
        .await
        .unwrap();
    assert!(
        closed > 300,
        "ten years of history are mostly closed: {closed}"
    );

    // The counters the seeder rebuilt give exactly what the cases give, over ten years.
    let today = mediation::services::stats::today(TZ);
    let range = StatsRange::new(
        Some(today - Duration::days(3_700)),
        Some(today),
        None,
        today,
    )
    .unwrap();
    let now = chrono::Utc::now();
    let from_counters = stats_in_scope(&app.db, TZ, Scope::Street, range, now)
        .await
        .unwrap();
    let from_cases = stats_in_scope(&app.db, TZ, Scope::Cases(Condition::all()), range, now)
        .await
        .unwrap();
    assert_eq!(from_counters.received, 400);
    assert_eq!(
        serde_json::to_value(&from_counters).unwrap(),
        serde_json::to_value(&from_cases).unwrap()
    );

    // The same seed over another empty database gives the same cases.
    let again = spawn_app_with(false).await;
    seed(&again.db, TZ, opts).await.unwrap();
    assert_eq!(digest(&app.db).await, digest(&again.db).await);
}
