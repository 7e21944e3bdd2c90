//! The audit log: who exported personal data is on it, and nothing can change or remove a line.

use entity::audit_log;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn exporting_a_subsidy_period_is_recorded_and_the_audit_log_cannot_be_changed() {
    let app = spawn_app().await;
    let finance = app.token("finance").await;
    let res = app
        .post(
            &finance,
            "/api/v1/subsidy/periods",
            &json!({"period": "2026-11"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let period: Value = res.json().await.expect("json");
    let id = period["id"].as_i64().expect("id");
    for ext in ["csv", "xlsx"] {
        let res = app
            .get(
                &finance,
                &format!("/api/v1/subsidy/periods/{id}/export.{ext}"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let browser = app.browser("finance").await;
    let (status, _) = browser
        .get(&format!("/subsidy/periods/{id}/export.csv"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let exports = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("subsidy.period.export"))
        .all(&app.db)
        .await
        .expect("audit");
    assert_eq!(exports.len(), 3, "{exports:?}");
    assert!(exports
        .iter()
        .all(|e| e.target_id == Some(id) && e.actor_user_id.is_some()));

    // Not even a direct statement to the database may rewrite history.
    for statement in [
        "UPDATE audit_log SET action = 'nothing happened'",
        "DELETE FROM audit_log",
    ] {
        let refused = app.db.execute_unprepared(statement).await;
        assert!(refused.is_err(), "{statement} was allowed");
    }
    let still = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("subsidy.period.export"))
        .all(&app.db)
        .await
        .expect("audit");
    assert_eq!(still.len(), 3);
}
