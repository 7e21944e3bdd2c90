use reqwest::StatusCode;

use crate::helpers::{spawn_app, Browser, PASSWORD};

#[tokio::test]
async fn pages_send_strangers_to_the_sign_in_page() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let res = browser
        .client
        .get(browser.url("/units"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        Browser::location(&res).as_deref(),
        Some("/login?next=/units")
    );
    let (status, html) = browser.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("登录"));
}

#[tokio::test]
async fn a_wrong_password_on_the_sign_in_page_says_so_in_chinese() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let res = browser
        .submit(
            "/login",
            "/login",
            &[
                ("username", "admin"),
                ("password", "not the password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("用户名或密码不正确"));
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    let browser = app.browser("admin").await;
    let res = browser
        .client
        .post(browser.url("/units"))
        .form(&[("code", "EVIL"), ("name", "x"), ("kind", "street_hub")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = browser
        .client
        .post(browser.url("/units"))
        .form(&[
            ("_csrf", "forged"),
            ("code", "EVIL"),
            ("name", "x"),
            ("kind", "street_hub"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, html) = browser.get("/units?q=EVIL").await;
    assert!(!html.contains("EVIL</td>"));
}

#[tokio::test]
async fn each_role_sees_its_own_navigation_and_is_kept_out_of_the_rest() {
    let app = spawn_app().await;
    for (role, users_page) in [
        ("admin", StatusCode::OK),
        ("coordinator", StatusCode::FORBIDDEN),
        ("mediator", StatusCode::FORBIDDEN),
        ("finance", StatusCode::FORBIDDEN),
        ("viewer", StatusCode::FORBIDDEN),
    ] {
        let browser = app.browser(role).await;
        // The finance clerk's home is the subsidy periods, the viewer's the dashboard (`/` sends
        // them there).
        let home_page = match role {
            "finance" => "/subsidy",
            "viewer" => "/stats",
            _ => "/",
        };
        let (status, home) = browser.get(home_page).await;
        assert_eq!(status, StatusCode::OK, "{role}");
        assert_eq!(
            home.contains(">账号</a>"),
            role == "admin",
            "{role} navigation"
        );
        assert_eq!(browser.get("/users").await.0, users_page, "{role} /users");
        assert_eq!(
            browser.get("/users/new").await.0,
            users_page,
            "{role} /users/new"
        );
        let new_unit = if role == "admin" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            browser.get("/units/new").await.0,
            new_unit,
            "{role} /units/new"
        );
        let new_mediator = if role == "admin" || role == "coordinator" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            browser.get("/mediators/new").await.0,
            new_mediator,
            "{role} /mediators/new"
        );
    }
}

#[tokio::test]
async fn a_unit_form_with_mistakes_comes_back_with_the_errors_beside_the_fields() {
    let app = spawn_app().await;
    let browser = app.browser("admin").await;
    let res = browser
        .submit(
            "/units/new",
            "/units",
            &[
                ("code", "JB-C01"),
                ("name", ""),
                ("kind", "village_station"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"name-error\">必填。"), "{html}");
    assert!(html.contains("value=\"JB-C01\""), "typed values are kept");

    let (_, hub_page) = browser.get("/units?kind=street_hub").await;
    assert!(hub_page.contains("/units/1\""));
    let res = browser
        .submit(
            "/units/new",
            "/units",
            &[
                ("code", "JB-C30"),
                ("name", "试点社区工作站"),
                ("kind", "village_station"),
                ("parent_id", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = Browser::location(&res).unwrap();
    let (status, html) = browser.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("试点社区工作站"));
    assert!(html.contains("已创建"));
}

#[tokio::test]
async fn a_mediator_is_edited_and_deactivated_through_the_pages() {
    let app = spawn_app().await;
    let browser = app.browser("coordinator").await;
    let (_, form) = browser.get("/mediators/2/edit").await;
    assert!(form.contains("name=\"version\" value=\"1\""));
    let res = browser
        .submit(
            "/mediators/2/edit",
            "/mediators/2",
            &[
                ("name", "改名后的调解员"),
                ("unit_id", "1"),
                ("employment", "full_time"),
                ("background", "lawyer"),
                ("years_experience", "12"),
                ("max_open_cases", "9"),
                ("gold_medal", "true"),
                ("specialties", "wage_arrears"),
                ("specialties", "overtime"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.get("/mediators/2").await;
    assert!(page.contains("改名后的调解员"));
    assert!(page.contains("加班"));
    let res = browser
        .submit(
            "/mediators/2",
            "/mediators/2/active",
            &[("active", "false"), ("version", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.get("/mediators/2").await;
    assert!(page.contains("已停用"));
    // A button whose state cannot be read changes nothing (it used to read as "deactivate").
    let res = browser
        .submit(
            "/mediators/2",
            "/mediators/2/active",
            &[("active", "maybe"), ("version", "3")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = browser
        .submit(
            "/mediators/2",
            "/mediators/2/active",
            &[("active", "true"), ("version", "3")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.get("/mediators/2").await;
    assert!(!page.contains("已停用"));
    // The same stale form posted again does not overwrite the newer record.
    let res = browser
        .submit(
            "/mediators/2/edit",
            "/mediators/2",
            &[
                ("name", "旧表单"),
                ("unit_id", "1"),
                ("employment", "full_time"),
                ("background", "lawyer"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn pages_speak_english_on_request_and_remember_it() {
    let app = spawn_app().await;
    let browser = app.browser("viewer").await;
    let (_, html) = browser.get("/units?lang=en").await;
    assert!(html.contains("Village station"));
    let res = browser
        .client
        .get(browser.url("/lang/en?next=/mediators"))
        .send()
        .await
        .unwrap();
    assert_eq!(Browser::location(&res).as_deref(), Some("/mediators"));
    let (_, html) = browser.get("/mediators").await;
    assert!(html.contains("Mediators"));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let browser = app.browser("finance").await;
    // Any page carries the sign-out form; `/` itself sends the finance clerk on to `/subsidy`.
    let res = browser.submit("/units", "/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/units").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changing_the_password_in_the_pages_checks_the_rule() {
    let app = spawn_app().await;
    let browser = app.browser("mediator").await;
    let res = browser
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", crate::helpers::PASSWORD),
                ("new_password", "mediator"),
                ("confirm_password", "mediator"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("id=\"new_password-error\""));
    let res = browser
        .submit(
            "/account/password",
            "/account/password",
            &[
                ("current_password", crate::helpers::PASSWORD),
                ("new_password", "quiet mornings by the canal"),
                ("confirm_password", "quiet mornings by the canal"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browser.get("/").await.0,
        StatusCode::OK,
        "this browser stays signed in"
    );
    app.token_with("mediator", "quiet mornings by the canal")
        .await;
}

#[tokio::test]
async fn the_finance_clerk_lands_on_the_subsidy_periods_and_is_sent_there_from_home() {
    let app = spawn_app().await;
    let landings = [
        ("finance", "/subsidy"),
        ("coordinator", "/queue"),
        ("mediator", "/cases"),
        ("admin", "/"),
        ("viewer", "/stats"),
    ];
    for (role, landing) in landings {
        let browser = Browser::new(&app);
        let res = browser
            .submit(
                "/login",
                "/login",
                &[("username", role), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{role}");
        assert_eq!(Browser::location(&res).as_deref(), Some(landing), "{role}");
    }

    let finance = app.browser("finance").await;
    let res = finance.client.get(finance.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(Browser::location(&res).as_deref(), Some("/subsidy"));
    let (status, html) = finance.get("/subsidy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("aria-current=\"page\">以奖代补</a>"),
        "{html}"
    );
    // A notice for home (a changed password) goes along and is shown there.
    let res = finance
        .client
        .get(finance.url("/?notice=password-changed"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        Browser::location(&res).as_deref(),
        Some("/subsidy?notice=password-changed")
    );
    let (_, html) = finance.get("/subsidy?notice=password-changed").await;
    assert!(html.contains("密码已修改"), "{html}");

    // The others keep the network counts at `/`.
    let coordinator = app.browser("coordinator").await;
    assert_eq!(coordinator.get("/").await.0, StatusCode::OK);
}
