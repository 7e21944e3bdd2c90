//! What the pages look like in a real browser: text a person can read against what is behind it.
//! Skipped, loudly, without Chromium (see `browser.rs`).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::browser::{browser_installed, sign_in, WebDriver};
use crate::helpers::spawn_app;

/// `rgba(31, 79, 154, 1)` or `rgb(31, 79, 154)` → the three channels.
fn rgb(css: &str) -> [f64; 3] {
    let inner = css
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not a colour: {css}"));
    let channels: Vec<f64> = inner
        .split(',')
        .map(|c| c.trim().parse().expect("a number"))
        .collect();
    assert!(
        channels.len() == 3 || channels.get(3) == Some(&1.0),
        "{css} is not opaque"
    );
    [channels[0], channels[1], channels[2]]
}

/// WCAG 2 contrast ratio of two colours (1 to 21; 4.5 is the minimum for body text).
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let luminance = |c: [f64; 3]| {
        let lin = |v: f64| {
            let s = v / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let (l1, l2) = (luminance(a), luminance(b));
    (l1.max(l2) + 0.05) / (l1.min(l2) + 0.05)
}

#[test]
fn contrast_is_measured_as_wcag_does() {
    let white = [255.0, 255.0, 255.0];
    assert!((contrast(white, white) - 1.0).abs() < 1e-9);
    assert!((contrast([0.0, 0.0, 0.0], white) - 21.0).abs() < 1e-9);
}

#[tokio::test]
async fn the_inbox_mark_read_button_reads_against_its_row_and_sign_out_stays_white_on_red() {
    if !browser_installed() {
        return;
    }
    let app = spawn_app().await;
    // A station escalates a case: the coordinator has an unread line in the inbox.
    let mediator = app.token("mediator").await;
    let station = app.unit_id(&mediator, "JB-C01").await;
    let case: Value = app
        .post(&mediator, "/api/v1/cases", &json!({
            "intake_unit_id": station, "dispute_type": "wage_arrears", "source": "walk_in", "summary": "欠薪",
            "amount_claimed_fen": 100_000, "people_involved": 1,
            "parties": [{"role": "applicant", "kind": "person", "name": "甲"}, {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
        }))
        .await
        .json()
        .await
        .expect("case");
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/cases/{}/actions", case["id"]),
            &json!({"action": "escalate", "version": case["version"], "reason": "村里调不动"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let browser = WebDriver::start().await.expect("browser starts");
    sign_in(&browser, &app.address, "coordinator", "/queue").await;
    browser
        .goto(&app.url("/inbox"))
        .await
        .expect("open the inbox");
    let button = "table.list form[action$='/read'] button.link";
    browser
        .wait_for_text(button, "标为已读")
        .await
        .expect("the mark-read button");
    let ink = rgb(&browser.css_value(button, "color").await.expect("colour"));
    let paper = rgb(&browser
        .css_value("table.list", "background-color")
        .await
        .expect("background"));
    let ratio = contrast(ink, paper);
    assert!(
        ratio >= 4.5,
        "mark-read is {ink:?} on {paper:?}: {ratio:.2}"
    );

    // The same kind of button on the red bar (sign out) is still white there.
    let ink = rgb(&browser
        .css_value("header.top button.link", "color")
        .await
        .expect("colour"));
    let bar = rgb(&browser
        .css_value("header.top", "background-color")
        .await
        .expect("background"));
    assert_eq!(ink, [255.0, 255.0, 255.0]);
    assert!(contrast(ink, bar) >= 4.5, "sign-out is {ink:?} on {bar:?}");

    browser.quit().await.expect("browser quits");
}
