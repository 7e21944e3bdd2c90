//! Browser sign-ins end after 8 hours without a request and 7 days after they began.

use chrono::{Duration, Utc};
use entity::web_sessions;
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{spawn_app, TestApp};

async fn the_session(app: &TestApp) -> web_sessions::Model {
    let mut all = web_sessions::Entity::find()
        .all(&app.db)
        .await
        .expect("sessions");
    assert_eq!(all.len(), 1, "one browser signed in");
    all.remove(0)
}

async fn set(app: &TestApp, column: web_sessions::Column, at: chrono::DateTime<Utc>) {
    web_sessions::Entity::update_many()
        .col_expr(column, Expr::value(at))
        .filter(web_sessions::Column::UserId.is_not_null())
        .exec(&app.db)
        .await
        .expect("update");
}

#[tokio::test]
async fn a_sign_in_ends_when_idle_is_extended_by_use_and_never_outlives_a_week() {
    let app = spawn_app().await;
    let browser = app.browser("coordinator").await;
    let row = the_session(&app).await;
    let idle = row.expires_at - Utc::now();
    assert!(
        idle > Duration::hours(8) - Duration::minutes(1) && idle <= Duration::hours(8),
        "{idle}"
    );

    // Used after 7 h 50 min of quiet: pushed back to 8 hours from now.
    set(
        &app,
        web_sessions::Column::ExpiresAt,
        Utc::now() + Duration::minutes(10),
    )
    .await;
    let (status, _) = browser.get("/queue").await;
    assert_eq!(status, StatusCode::OK);
    let renewed = the_session(&app).await.expires_at - Utc::now();
    assert!(renewed > Duration::hours(7), "{renewed}");

    // Begun almost a week ago: use does not carry it past the week.
    set(
        &app,
        web_sessions::Column::CreatedAt,
        Utc::now() - Duration::days(7) + Duration::minutes(20),
    )
    .await;
    set(
        &app,
        web_sessions::Column::ExpiresAt,
        Utc::now() + Duration::minutes(5),
    )
    .await;
    let (status, _) = browser.get("/queue").await;
    assert_eq!(status, StatusCode::OK);
    let capped = the_session(&app).await.expires_at - Utc::now();
    assert!(
        capped <= Duration::minutes(20) && capped > Duration::minutes(15),
        "{capped}"
    );

    // Past its end: back to the sign-in page.
    set(
        &app,
        web_sessions::Column::ExpiresAt,
        Utc::now() - Duration::seconds(1),
    )
    .await;
    let res = browser
        .client
        .get(browser.url("/queue"))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(crate::helpers::Browser::location(&res)
        .unwrap_or_default()
        .starts_with("/login"));
}
