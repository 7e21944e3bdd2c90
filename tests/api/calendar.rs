use chrono::NaiveDate;
use entity::{audit_log, calendar_days};
use mediation::services::calendar;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::{field_error, spawn_app, Browser, TestApp};

const ROLES_NOT_ADMIN: [&str; 4] = ["coordinator", "mediator", "finance", "viewer"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn delete(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.api
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn rows(app: &TestApp) -> u64 {
    calendar_days::Entity::find().count(&app.db).await.unwrap()
}

async fn audited(app: &TestApp, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_2026_holiday_notice_is_seeded_on_a_new_database() {
    let app = spawn_app().await;
    let token = app.token("viewer").await;
    let res = app.get(&token, "/api/v1/calendar/days?year=2026").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["total"], 39);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 39);
    let kind_of = |day: &str| {
        items
            .iter()
            .find(|d| d["date"] == day)
            .map(|d| d["kind"].as_str().unwrap().to_owned())
    };
    for day in [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ] {
        assert_eq!(kind_of(day).as_deref(), Some("workday"), "{day}");
    }
    for d in 1..=7 {
        let day = format!("2026-10-{d:02}");
        assert_eq!(kind_of(&day).as_deref(), Some("holiday"), "{day}");
    }
    assert_eq!(kind_of("2026-10-08"), None);
    assert_eq!(items[0]["date"], "2026-01-01");
    assert_eq!(items[0]["name"], "元旦");
    let holidays = items.iter().filter(|d| d["kind"] == "holiday").count();
    assert_eq!(holidays, 33);

    // What every clock reads: a declared working Saturday is not a rest day, a holiday Monday is.
    let cal = calendar::load(&app.db).await.unwrap();
    assert!(!cal.is_rest_day(date(2026, 2, 28)));
    assert!(cal.is_rest_day(date(2026, 10, 5)));
    assert!(cal.is_rest_day(date(2026, 11, 21)));
    assert!(!cal.is_rest_day(date(2026, 11, 23)));
    assert_eq!(
        cal.next_working_day_on_or_after(date(2026, 10, 1)),
        date(2026, 10, 8)
    );
}

#[tokio::test]
async fn seeding_again_leaves_an_admins_calendar_alone() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let res = delete(&app, &token, "/api/v1/calendar/days/2026-10-07").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    calendar::seed_if_empty(&app.db).await.unwrap();
    assert_eq!(rows(&app).await, 38);
}

#[tokio::test]
async fn an_admin_adds_a_day_and_removes_it_again() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let res = app
        .post(
            &token,
            "/api/v1/calendar/days",
            &json!({"date": "2027-01-01", "kind": "holiday", "name": " 元旦 "}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let day: Value = res.json().await.unwrap();
    assert_eq!(
        day,
        json!({"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    );
    let res = app
        .post(
            &token,
            "/api/v1/calendar/days",
            &json!({"date": "2027-01-09", "kind": "workday", "name": "调休上班"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let list: Value = app
        .get(&token, "/api/v1/calendar/days?year=2027")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["date"], "2027-01-01");
    assert!(calendar::load(&app.db)
        .await
        .unwrap()
        .is_rest_day(date(2027, 1, 1)));

    let res = delete(&app, &token, "/api/v1/calendar/days/2027-01-01").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = delete(&app, &token, "/api/v1/calendar/days/2027-01-01").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let list: Value = app
        .get(&token, "/api/v1/calendar/days?year=2027")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert!(!calendar::load(&app.db)
        .await
        .unwrap()
        .is_rest_day(date(2027, 1, 1)));
    assert_eq!(audited(&app, "calendar.add").await, 2);
    assert_eq!(audited(&app, "calendar.remove").await, 1);

    let all: Value = app
        .get(&token, "/api/v1/calendar/days?per_page=200")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 40);
}

#[tokio::test]
async fn bad_days_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let before = rows(&app).await;
    let long_name = "节".repeat(101);
    let cases = [
        (
            json!({"date": "2026-10-01", "kind": "holiday", "name": "又一个国庆节"}),
            "date",
        ),
        (
            json!({"date": "2027-10-01", "kind": "festival", "name": "国庆节"}),
            "kind",
        ),
        (json!({"date": "2027-10-01", "name": "国庆节"}), "kind"),
        (
            json!({"date": "2027-02-30", "kind": "holiday", "name": "x"}),
            "date",
        ),
        (
            json!({"date": "next friday", "kind": "holiday", "name": "x"}),
            "date",
        ),
        (json!({"kind": "holiday", "name": "x"}), "date"),
        (
            json!({"date": "2027-10-01", "kind": "holiday", "name": "  "}),
            "name",
        ),
        (json!({"date": "2027-10-01", "kind": "holiday"}), "name"),
        (
            json!({"date": "2027-10-01", "kind": "holiday", "name": long_name}),
            "name",
        ),
        // A Wednesday is a working day already.
        (
            json!({"date": "2027-10-13", "kind": "workday", "name": "调休上班"}),
            "kind",
        ),
        (
            json!({"date": 20271001, "kind": "holiday", "name": "x"}),
            "date",
        ),
    ];
    for (body, field) in cases {
        let res = app.post(&token, "/api/v1/calendar/days", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "invalid");
        assert!(
            field_error(&err, field).is_some(),
            "{field} not named for {body}: {err}"
        );
    }
    let res = app
        .post(
            &token,
            "/api/v1/calendar/days",
            &json!({"date": "2026-10-01", "kind": "holiday", "name": "x"}),
        )
        .await;
    let err: Value = res.json().await.unwrap();
    assert_eq!(
        field_error(&err, "date").as_deref(),
        Some("这一天已在日历中。要修改，请先删除再添加。")
    );
    let res = delete(&app, &token, "/api/v1/calendar/days/2026-13-01").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "date").is_some());
    let res = app.get(&token, "/api/v1/calendar/days?year=0").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.json().await.unwrap(), "year").is_some());

    assert_eq!(rows(&app).await, before);
    let national_day = calendar_days::Entity::find_by_id(date(2026, 10, 1))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(national_day.name, "国庆节");
    assert_eq!(audited(&app, "calendar.add").await, 0);
}

#[tokio::test]
async fn only_admins_change_the_calendar_but_everyone_signed_in_reads_it() {
    let app = spawn_app().await;
    for role in ROLES_NOT_ADMIN {
        let token = app.token(role).await;
        let res = app
            .post(
                &token,
                "/api/v1/calendar/days",
                &json!({"date": "2027-01-01", "kind": "holiday", "name": "元旦"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} added a day");
        let res = delete(&app, &token, "/api/v1/calendar/days/2026-10-01").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} removed a day");
        let res = app.get(&token, "/api/v1/calendar/days?year=2026").await;
        assert_eq!(res.status(), StatusCode::OK, "{role} read the calendar");
    }
    let res = app
        .api
        .get(app.url("/api/v1/calendar/days"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(rows(&app).await, 39);
}

#[tokio::test]
async fn the_calendar_routes_are_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc: Value = app
        .api
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    assert!(paths["/api/v1/calendar/days"]["get"].is_object());
    assert!(paths["/api/v1/calendar/days"]["post"].is_object());
    assert!(paths["/api/v1/calendar/days/{date}"]["delete"].is_object());
}

#[tokio::test]
async fn an_admin_keeps_the_calendar_on_its_page() {
    let app = spawn_app().await;
    let browser = app.browser("admin").await;
    let (status, html) = browser.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(">节假日</a>"), "admin navigation");

    let (status, html) = browser.get("/calendar?year=2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("10月"));
    assert!(html.contains("国庆节调休上班"));
    assert!(html.contains("法定节假日 33 天，调休上班 6 天"), "{html}");
    assert!(html.contains("action=\"/calendar/2026-10-01/delete\""));

    let res = browser
        .submit(
            "/calendar?year=2026",
            "/calendar",
            &[
                ("date", "2026-10-01"),
                ("kind", "holiday"),
                ("name", "重复"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"date-error\">这一天已在日历中。"),
        "{html}"
    );
    assert!(html.contains("value=\"重复\""), "typed values are kept");

    let res = browser
        .submit(
            "/calendar",
            "/calendar",
            &[
                ("date", "2027-10-01"),
                ("kind", "holiday"),
                ("name", "国庆节"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = Browser::location(&res).unwrap();
    assert!(location.starts_with("/calendar?year=2027"), "{location}");
    let (_, html) = browser.get(&location).await;
    assert!(html.contains("已添加"));
    assert!(html.contains("2027-10-01"));

    let res = browser
        .submit("/calendar?year=2027", "/calendar/2027-10-01/delete", &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&Browser::location(&res).unwrap()).await;
    assert!(html.contains("已删除"));
    assert!(!html.contains("2027-10-01</td>"));
    assert_eq!(rows(&app).await, 39);
}

#[tokio::test]
async fn other_roles_are_kept_out_of_the_calendar_page() {
    let app = spawn_app().await;
    for role in ROLES_NOT_ADMIN {
        let browser = app.browser(role).await;
        // Every role's navigation, on a page every role may open (`/` sends finance on).
        let (_, home) = browser.get("/units").await;
        assert!(!home.contains(">节假日</a>"), "{role} navigation");
        assert_eq!(
            browser.get("/calendar").await.0,
            StatusCode::FORBIDDEN,
            "{role}"
        );
        let res = browser
            .submit(
                "/units",
                "/calendar",
                &[("date", "2027-10-01"), ("kind", "holiday"), ("name", "x")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} added a day");
        let res = browser
            .submit("/units", "/calendar/2026-10-01/delete", &[])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} removed a day");
    }
    assert_eq!(rows(&app).await, 39);
}
