//! Following the pages as a user does: every internal link and every form of every page a
//! signed-in person can reach, checked to land on a route that answers them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use reqwest::StatusCode;

use crate::helpers::{csrf_of, Browser};

/// A form found on a page.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Form {
    pub method: String,
    pub action: String,
    pub found_on: String,
}

/// What a crawl saw: each page visited with its status, and the forms on them.
#[derive(Debug, Default)]
pub struct Crawl {
    pub pages: BTreeMap<String, StatusCode>,
    pub forms: BTreeSet<Form>,
    /// Links that answered 404, 405 or a 5xx, with the page that links to them.
    pub broken: Vec<String>,
}

/// Undoes the escapes Tera writes into attributes.
fn unescape(value: &str) -> String {
    value
        .replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The values of `attribute="…"` in `html`, unescaped.
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let marker = format!(" {attribute}=\"");
    html.split(marker.as_str())
        .skip(1)
        .filter_map(|rest| rest.find('"').map(|end| unescape(&rest[..end])))
        .collect()
}

/// The forms of a page: method and action of each `<form …>` tag.
pub fn forms_of(html: &str, found_on: &str) -> Vec<Form> {
    html.split("<form")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            let tag = format!(" {tag}");
            let action = attribute_values(&tag, "action")
                .into_iter()
                .next()
                .unwrap_or_else(|| found_on.to_owned());
            let method = attribute_values(&tag, "method")
                .into_iter()
                .next()
                .unwrap_or_else(|| "get".to_owned())
                .to_ascii_lowercase();
            Some(Form {
                method,
                action,
                found_on: found_on.to_owned(),
            })
        })
        .collect()
}

/// An internal link's path, without fragment; `None` for links elsewhere or to other schemes.
fn internal(href: &str) -> Option<String> {
    if !href.starts_with('/') || href.starts_with("//") {
        return None;
    }
    Some(href.split('#').next().unwrap_or_default().to_owned())
}

/// The shape of a path, numbers replaced (`/cases/12/edit` → `/cases/#/edit`), so that a crawl
/// visits a few of each kind of page rather than every case of the street.
pub fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|part| {
            if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit() || c == '-') {
                "#"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Visits every page reachable from `start` by links (up to `per_shape` pages of each shape and
/// each query-less shape once more with its query), recording the forms on each page.
/// `/logout` and the language switch are not followed: they end or change the visit.
pub async fn crawl(browser: &Browser, start: &str, per_shape: usize) -> Crawl {
    let mut crawl = Crawl::default();
    let mut queue = VecDeque::from([(start.to_owned(), "(start)".to_owned())]);
    let mut seen = BTreeSet::new();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    while let Some((path, from)) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let count = per.entry(shape(&path)).or_default();
        if *count >= per_shape {
            continue;
        }
        *count += 1;
        let res = browser
            .client
            .get(browser.url(&path))
            .send()
            .await
            .expect("get");
        let status = res.status();
        let is_html = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let location = Browser::location(&res);
        let body = if is_html {
            res.text().await.unwrap_or_default()
        } else {
            String::new()
        };
        crawl.pages.insert(path.clone(), status);
        if status == StatusCode::NOT_FOUND
            || status == StatusCode::METHOD_NOT_ALLOWED
            || status.is_server_error()
        {
            crawl
                .broken
                .push(format!("GET {path} -> {status} (linked from {from})"));
            continue;
        }
        if let Some(to) = location.and_then(|l| internal(&l)) {
            queue.push_back((to, path.clone()));
        }
        if body.is_empty() {
            continue;
        }
        for href in attribute_values(&body, "href") {
            if let Some(to) = internal(&href) {
                let plain = to.split('?').next().unwrap_or_default();
                if plain == "/logout" || plain.starts_with("/lang/") {
                    continue;
                }
                queue.push_back((to, path.clone()));
            }
        }
        for form in forms_of(&body, &path) {
            crawl.forms.insert(form);
        }
    }
    crawl
}

/// Sends each form once (a few of each shape) as the browser would, with the session's CSRF
/// token and no other field, and records those whose action no route answers for this user.
/// Forms change data: call this after the pages were crawled. Sign-out is left out.
pub async fn submit_forms(browser: &Browser, crawl: &mut Crawl, per_shape: usize) {
    // Every signed-in person has this form (some roles' `/` is a redirect).
    let (_, page) = browser.get("/account/password").await;
    let csrf = csrf_of(&page);
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    let forms: Vec<Form> = crawl.forms.iter().cloned().collect();
    for form in forms {
        let Some(action) = internal(&form.action) else {
            crawl.broken.push(format!(
                "form on {} posts outside: {}",
                form.found_on, form.action
            ));
            continue;
        };
        if action == "/logout" {
            continue;
        }
        let count = per
            .entry((form.method.clone(), shape(&action)))
            .or_default();
        if *count >= per_shape {
            continue;
        }
        *count += 1;
        let res = if form.method == "post" {
            browser
                .client
                .post(browser.url(&action))
                .form(&[("_csrf", csrf.as_str())])
                .send()
                .await
                .expect("post")
        } else {
            browser
                .client
                .get(browser.url(&action))
                .send()
                .await
                .expect("get")
        };
        let status = res.status();
        if status == StatusCode::NOT_FOUND
            || status == StatusCode::METHOD_NOT_ALLOWED
            || status.is_server_error()
        {
            crawl.broken.push(format!(
                "{} {action} -> {status} (form on {})",
                form.method.to_uppercase(),
                form.found_on
            ));
        }
    }
}

#[test]
fn a_path_shape_hides_its_numbers() {
    assert_eq!(shape("/cases/12/edit?x=1"), "/cases/#/edit");
    assert_eq!(shape("/calendar/2026-10-01/delete"), "/calendar/#/delete");
    assert_eq!(shape("/"), "/");
}

#[test]
fn forms_are_read_with_their_method_and_action() {
    let html = r#"<form method="post" action="/cases/1/actions?a=1&amp;b=2" class="x"><form class="filters">"#;
    let forms = forms_of(html, "/cases");
    assert_eq!(forms[0].method, "post");
    assert_eq!(forms[0].action, "/cases/1/actions?a=1&b=2");
    assert_eq!(forms[1].method, "get");
    assert_eq!(forms[1].action, "/cases");
}
