use reqwest::StatusCode;

use crate::helpers::{spawn_app, Browser};

fn version_of(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

fn case_id_of(location: &str) -> String {
    location
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_case_is_taken_in_escalated_referred_accepted_graded_and_extended_in_the_pages() {
    let app = spawn_app().await;
    let mediator = app.browser("mediator").await;
    let (status, form) = mediator.get("/cases/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("登记案件"));
    let station = app
        .unit_id(&app.token("mediator").await, "JB-C01")
        .await
        .to_string();

    // A mistake first: the amount is not a number, the applicant has no name.
    let res = mediator
        .submit(
            "/cases/new",
            "/cases",
            &[
                ("intake_unit_id", &station),
                ("dispute_type", "wage_arrears"),
                ("source", "walk_in"),
                ("summary", "骑手欠薪"),
                ("amount_claimed_yuan", "一万"),
                ("people_involved", "1"),
                ("applicant_kind", "person"),
                ("applicant_name", ""),
                ("respondent_kind", "organisation"),
                ("respondent_name", "配送站"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"amount_claimed_yuan-error\""), "{html}");

    let res = mediator
        .submit(
            "/cases/new",
            "/cases",
            &[
                ("intake_unit_id", &station),
                ("dispute_type", "wage_arrears"),
                ("source", "walk_in"),
                ("summary", "骑手欠薪"),
                ("amount_claimed_yuan", "12500.50"),
                ("people_involved", "1"),
                ("applicant_kind", "person"),
                ("applicant_name", "张小骑"),
                ("applicant_id_number", "330103199001011234"),
                ("applicant_phone", "13900001111"),
                ("respondent_kind", "organisation"),
                ("respondent_name", "配送站"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = Browser::location(&res).unwrap();
    let id = case_id_of(&location);
    let page = format!("/cases/{id}");
    let (_, html) = mediator.get(&page).await;
    assert!(html.contains("JB-"));
    assert!(html.contains("¥12,500.50"));
    assert!(html.contains("3301**********1234"), "ID numbers are masked");
    assert!(html.contains("上报街道"));

    // Escalating without a reason is explained beside the button; with one it goes through.
    let v = version_of(&html);
    let res = mediator
        .submit(
            &page,
            &format!("{page}/actions"),
            &[("action", "escalate"), ("version", &v), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("请填写原因"));
    let res = mediator
        .submit(
            &page,
            &format!("{page}/actions"),
            &[
                ("action", "escalate"),
                ("version", &v),
                ("reason", "平台用工，请街道协调"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let coordinator = app.browser("coordinator").await;
    let (_, queue) = coordinator.get("/queue").await;
    assert!(
        queue.contains(&format!("/cases/{id}\"")),
        "the escalated case waits in the queue"
    );
    let room = app
        .unit_id(&app.token("coordinator").await, "JB-LJ")
        .await
        .to_string();
    let mut steps: Vec<Vec<(&str, String)>> = vec![vec![
        ("action", "refer".into()),
        ("unit_id", room.clone()),
        ("reason", "劳动监察介入".into()),
    ]];
    for fields in steps.drain(..) {
        let (_, html) = coordinator.get(&page).await;
        let v = version_of(&html);
        let mut all: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push(("version", &v));
        let res = coordinator
            .submit(&page, &format!("{page}/actions"), &all)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // The accept picker offers the room's mediators first.
    let (_, html) = coordinator.get(&page).await;
    let marker = "name=\"lead_mediator_id\"><option value=\"";
    let start = html.find(marker).expect("the accept form") + marker.len();
    let lead = html[start..start + html[start..].find('"').unwrap()].to_owned();
    for fields in [
        vec![("action", "accept"), ("lead_mediator_id", lead.as_str())],
        vec![
            ("action", "regrade"),
            ("grade", "complex"),
            ("reason", "平台多方主体"),
        ],
        vec![
            ("action", "extend"),
            ("days", "10"),
            ("reason", "双方同意延期"),
        ],
    ] {
        let (_, html) = coordinator.get(&page).await;
        let v = version_of(&html);
        let mut all = fields.clone();
        all.push(("version", &v));
        let res = coordinator
            .submit(&page, &format!("{page}/actions"), &all)
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{fields:?}");
    }
    let (_, html) = coordinator.get(&page).await;
    for words in [
        "登记",
        "上报街道",
        "转办",
        "受理",
        "调整等级",
        "延期",
        "劳动监察工作室",
        "疑难复杂",
        "平台用工，请街道协调",
    ] {
        assert!(html.contains(words), "the history shows {words}");
    }
    // The station still sees the case it sent on, but has no buttons for it now.
    let (status, html) = mediator.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("您现在没有可以进行的操作"));
}

#[tokio::test]
async fn a_mediator_of_another_station_gets_not_found_for_a_case_page() {
    let app = spawn_app().await;
    let coordinator = app.browser("coordinator").await;
    let other = app
        .unit_id(&app.token("coordinator").await, "JB-C09")
        .await
        .to_string();
    let res = coordinator
        .submit(
            "/cases/new",
            "/cases",
            &[
                ("intake_unit_id", &other),
                ("dispute_type", "overtime"),
                ("source", "online"),
                ("summary", "加班费"),
                ("amount_claimed_yuan", "3000"),
                ("people_involved", "2"),
                ("applicant_kind", "person"),
                ("applicant_name", "李四"),
                ("respondent_kind", "organisation"),
                ("respondent_name", "电子厂"),
            ],
        )
        .await;
    let id = case_id_of(&Browser::location(&res).unwrap());
    let mediator = app.browser("mediator").await;
    assert_eq!(
        mediator.get(&format!("/cases/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = mediator.get("/cases").await;
    assert!(!list.contains(&format!("/cases/{id}\"")));
    assert_eq!(mediator.get("/queue").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_mediator_records_a_session_an_agreement_prints_it_and_follows_up_in_the_pages() {
    let app = spawn_app().await;
    let token = app.token("mediator").await;
    let station = app.unit_id(&token, "JB-C01").await;
    let me: serde_json::Value = app
        .get(&token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let received = (chrono::Utc::now() - chrono::Duration::days(5)).to_rfc3339();
    let case: serde_json::Value = app
        .post(&token, "/api/v1/cases", &serde_json::json!({
            "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "欠薪",
            "amount_claimed_fen": 600_000, "people_involved": 1, "received_at": received,
            "parties": [{"role": "applicant", "kind": "person", "name": "王骑手"}, {"role": "respondent", "kind": "organisation", "name": "快送站"}]
        }))
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post(&token, &format!("/api/v1/cases/{}/actions", case["id"]), &serde_json::json!({"action": "accept", "version": 1, "lead_mediator_id": me["mediator_id"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = format!("/cases/{}", case["id"]);
    let browser = app.browser("mediator").await;
    let (_, html) = browser.get(&page).await;
    assert!(html.contains("记录调解笔录"));
    let v = version_of(&html);
    let held = (chrono::Utc::now() - chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mediator_id = me["mediator_id"].to_string();
    let station_id = station.to_string();
    let res = browser
        .submit(
            &page,
            &format!("{page}/sessions"),
            &[
                ("version", &v),
                ("held_at", &held),
                ("unit_id", &station_id),
                ("mediator_ids", &mediator_id),
                ("attendees", "双方"),
                ("summary", "站点同意分期支付"),
                ("outcome", "agreement"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Instalments that do not add up are refused next to the form.
    let (_, html) = browser.get(&page).await;
    let v = version_of(&html);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let later = (today + chrono::Duration::days(30)).to_string();
    let sooner = (today + chrono::Duration::days(10)).to_string();
    let res = browser
        .submit(
            &page,
            &format!("{page}/agreement"),
            &[
                ("version", &v),
                ("signed_at", &held),
                ("terms", "分两期支付"),
                ("amount_yuan", "6000"),
                ("due_on", &sooner),
                ("instalment_yuan", "2000"),
                ("due_on", &later),
                ("instalment_yuan", "3000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("¥5,000.00"),
        "{}",
        html.split("field-error")
            .skip(1)
            .map(|s| s.get(..200).unwrap_or(s))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let res = browser
        .submit(
            &page,
            &format!("{page}/agreement"),
            &[
                ("version", &v),
                ("signed_at", &held),
                ("matters", "拖欠工资六千元"),
                ("terms", "分两期支付"),
                ("amount_yuan", "6000"),
                ("due_on", &sooner),
                ("instalment_yuan", "2000"),
                ("due_on", &later),
                ("instalment_yuan", "4000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, print) = browser.get(&format!("{page}/agreement/print")).await;
    assert_eq!(status, StatusCode::OK);
    for words in [
        "人民调解协议书",
        "王骑手",
        "快送站",
        "拖欠工资六千元",
        "¥6,000.00",
        "申请人（签名",
        "三十日内",
    ] {
        assert!(print.contains(words), "the printed agreement has {words}");
    }
    let res = browser
        .submit(
            &page,
            &format!("{page}/agreement/instalments/1"),
            &[("paid_on", &today.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let now = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let res = browser
        .submit(
            &page,
            &format!("{page}/follow_ups"),
            &[
                ("done_at", &now),
                ("result", "第一期已付"),
                ("satisfaction", "9"),
                ("fulfilled", "true"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "satisfaction outside 1-5"
    );
    let res = browser
        .submit(
            &page,
            &format!("{page}/follow_ups"),
            &[
                ("done_at", &now),
                ("result", "第一期已付"),
                ("satisfaction", "5"),
                ("fulfilled", "true"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get(&page).await;
    for words in [
        "已达成协议",
        "站点同意分期支付",
        "已付",
        "第一期已付",
        "申请司法确认截止日",
    ] {
        assert!(html.contains(words), "the case page shows {words}");
    }
}

#[tokio::test]
async fn a_mediators_case_list_puts_overdue_then_due_soon_first_and_closed_cases_last() {
    let app = spawn_app().await;
    let coordinator = app.token("coordinator").await;
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&coordinator, "JB-C01").await;
    let lead = {
        let list: serde_json::Value = app
            .get(
                &coordinator,
                &format!("/api/v1/mediators?unit_id={station}"),
            )
            .await
            .json()
            .await
            .unwrap();
        list["items"][0]["id"].as_i64().unwrap()
    };
    let intake = |days_ago: i64, name: &'static str| {
        let body = serde_json::json!({
            "intake_unit_id": station, "dispute_type": "overtime", "source": "walk_in", "summary": name,
            "amount_claimed_fen": 100_000, "people_involved": 1,
            "received_at": (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339(),
            "parties": [{"role": "applicant", "kind": "person", "name": name}, {"role": "respondent", "kind": "organisation", "name": "某公司"}]
        });
        let app = &app;
        let mediator = mediator.clone();
        async move {
            let res = app.post(&mediator, "/api/v1/cases", &body).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    // The oldest deadline belongs to a closed case: before, it headed the list.
    let closed = intake(40, "已结案的").await;
    let accepted: serde_json::Value = app
        .post(&coordinator, &format!("/api/v1/cases/{}/actions", closed["id"]), &serde_json::json!({"action": "accept", "version": closed["version"], "lead_mediator_id": lead}))
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post(&coordinator, &format!("/api/v1/cases/{}/actions", closed["id"]), &serde_json::json!({"action": "close", "version": accepted["version"], "outcome": "withdrawn", "reason": "撤回"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = intake(1, "刚登记的").await;
    let due_soon = intake(13, "快到期的").await;
    let overdue = intake(25, "已超期的").await;

    let list: serde_json::Value = app
        .get(&mediator, "/api/v1/cases?per_page=200")
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    let rank = |c: &serde_json::Value| match () {
        _ if c["overdue"] == true => 0,
        _ if c["due_soon"] == true => 1,
        _ if c["status"] == "agreed" => 3,
        _ if c["status"] == "closed" => 4,
        _ => 2,
    };
    let ranks: Vec<i32> = items.iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert_eq!(items.first().unwrap()["id"], overdue["id"]);
    assert_eq!(items.last().unwrap()["id"], closed["id"]);

    // The page shows them in that order too.
    let browser = app.browser("mediator").await;
    let (status, html) = browser.get("/cases").await;
    assert_eq!(status, StatusCode::OK);
    let at = |case: &serde_json::Value| {
        html.find(case["case_no"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{} is listed", case["case_no"]))
    };
    assert!(at(&overdue) < at(&due_soon));
    assert!(at(&due_soon) < at(&fresh));
    assert!(at(&fresh) < at(&closed));
}

#[tokio::test]
async fn the_agreement_print_shows_full_identities_to_those_on_the_case_audited_and_the_amount_in_capitals(
) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let app = spawn_app().await;
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&mediator, "JB-C01").await;
    let me: serde_json::Value = app
        .get(&mediator, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let days_ago = |d: i64| (chrono::Utc::now() - chrono::Duration::days(d)).to_rfc3339();
    let case: serde_json::Value = app
        .post(&mediator, "/api/v1/cases", &serde_json::json!({
            "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "欠薪",
            "amount_claimed_fen": 2_000_000, "people_involved": 1, "received_at": days_ago(5),
            "parties": [
                {"role": "applicant", "kind": "person", "name": "张小骑", "id_number": "330103199001011234", "phone": "13900001111"},
                {"role": "respondent", "kind": "organisation", "name": "某某配送站"}
            ]
        }))
        .await
        .json()
        .await
        .unwrap();
    let id = case["id"].as_i64().unwrap();
    let res = app
        .post(&mediator, &format!("/api/v1/cases/{id}/actions"), &serde_json::json!({"action": "accept", "version": case["version"], "lead_mediator_id": me["mediator_id"], "at": days_ago(4)}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/cases/{id}/sessions"),
            &serde_json::json!({
                "held_at": days_ago(3), "unit_id": station, "mediator_ids": [me["mediator_id"]],
                "attendees": "双方", "summary": "达成一致", "outcome": "agreement"
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(&mediator, &format!("/api/v1/cases/{id}/agreement"), &serde_json::json!({
            "signed_at": days_ago(2), "matters": "拖欠工资", "terms": "一次付清", "amount_fen": 1_234_560, "instalments": []
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let prints = |username: &'static str| {
        let db = app.db.clone();
        async move {
            let user = entity::users::Entity::find()
                .filter(entity::users::Column::Username.eq(username))
                .one(&db)
                .await
                .unwrap()
                .unwrap();
            entity::audit_log::Entity::find()
                .filter(entity::audit_log::Column::Action.eq("case.print_agreement"))
                .filter(entity::audit_log::Column::TargetType.eq("case"))
                .filter(entity::audit_log::Column::TargetId.eq(id))
                .filter(entity::audit_log::Column::ActorUserId.eq(user.id))
                .all(&db)
                .await
                .unwrap()
                .len()
        }
    };
    // The coordination centre and the case's own mediator sign with the parties: full identities,
    // written to the audit log as a reveal is. A viewer may read the case but not act on it.
    for (username, full) in [("coordinator", true), ("mediator", true), ("viewer", false)] {
        let browser = app.browser(username).await;
        let (status, html) = browser.get(&format!("/cases/{id}/agreement/print")).await;
        assert_eq!(status, StatusCode::OK, "{username}");
        assert_eq!(
            html.contains("330103199001011234"),
            full,
            "{username}: ID number"
        );
        assert_eq!(html.contains("13900001111"), full, "{username}: phone");
        assert_eq!(
            html.contains("3301**********1234"),
            !full,
            "{username}: masked ID"
        );
        assert_eq!(
            html.contains("139****1111"),
            !full,
            "{username}: masked phone"
        );
        assert!(
            html.contains("¥12,345.60（大写：人民币壹万贰仟叁佰肆拾伍元陆角整）"),
            "{html}"
        );
        assert_eq!(
            prints(username).await,
            usize::from(full),
            "{username}: audit"
        );
    }
    // The case page itself stays masked until a reveal is asked for.
    let browser = app.browser("mediator").await;
    let (_, page) = browser.get(&format!("/cases/{id}")).await;
    assert!(page.contains("3301**********1234") && !page.contains("330103199001011234"));
    assert!(page.contains("?reveal=pii"), "the mediator may reveal");
    let viewer = app.browser("viewer").await;
    let (_, page) = viewer.get(&format!("/cases/{id}")).await;
    assert!(!page.contains("?reveal=pii"), "a viewer may not");
}
