//! The dashboard `/stats` (统计): the figures of `GET /api/v1/stats` for a range and a unit, the
//! headline sentence, SVG charts drawn on the server with their numbers beside them, and every
//! figure a link to the cases behind it.
//!
//! Everyone signed in may open it and sees the figures of the cases they may see (a mediator:
//! their unit's and their own; everyone else: the street).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::domain::money;
use crate::domain::stats::{bars, trend, Bars, Trend};
use crate::error::{AppError, Message};
use crate::i18n::{self, Lang};
use crate::services::stats::{self, StatsOut, Tally};
use crate::services::units as unit_service;
use crate::web::errors::urlencode;
use crate::web::render::{self, field_errors, Choice, Layout};
use crate::web::session::PageUser;
use crate::web::shapes::StatsQuery;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit_id: Option<String>,
    pub notice: Option<String>,
}

/// One headline figure and the cases behind it.
#[derive(Serialize)]
struct Figure {
    key: &'static str,
    value: String,
    href: String,
}

/// A breakdown: its chart and, for the table beside it, the same rows with amounts and people.
#[derive(Serialize)]
struct Breakdown {
    key: &'static str,
    chart: Bars,
    rows: Vec<BreakdownRow>,
}

#[derive(Serialize)]
struct BreakdownRow {
    label: String,
    received: u64,
    amount: String,
    people: u64,
    href: String,
}

#[derive(Serialize)]
struct MonthRow {
    month: String,
    received: u64,
    received_href: String,
    closed: u64,
    closed_href: String,
    resolved: u64,
    resolved_href: String,
}

#[derive(Serialize)]
struct DashboardPage {
    #[serde(flatten)]
    layout: Layout,
    f: BTreeMap<&'static str, String>,
    errors: BTreeMap<String, String>,
    units: Vec<Choice>,
    /// Absent when the form could not be read.
    headline: Option<String>,
    figures: Vec<Figure>,
    breakdowns: Vec<Breakdown>,
    trend: Option<Trend>,
    months: Vec<MonthRow>,
    from: String,
    to: String,
    unit_name: Option<String>,
    /// Open early warnings (预警), for those who see them.
    warnings: Option<super::warnings::WarningSection>,
}

/// `/cases?…` for the given filters (empty values left out).
fn cases_link(pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    format!("/cases?{}", query.join("&"))
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

struct Links {
    unit: String,
}

impl Links {
    fn received(&self, from: &str, to: &str, extra: &[(&str, String)]) -> String {
        let mut pairs = vec![
            ("received_from", from.to_owned()),
            ("received_to", to.to_owned()),
            ("unit_id", self.unit.clone()),
        ];
        pairs.extend(extra.iter().cloned());
        cases_link(&pairs)
    }

    fn closed(&self, from: &str, to: &str, outcome: Option<&str>) -> String {
        cases_link(&[
            ("status", "closed".to_owned()),
            ("closed_from", from.to_owned()),
            ("closed_to", to.to_owned()),
            ("unit_id", self.unit.clone()),
            ("outcome", outcome.unwrap_or_default().to_owned()),
        ])
    }
}

fn breakdown(key: &'static str, rows: Vec<(String, &Tally, String)>) -> Breakdown {
    let table = rows
        .iter()
        .map(|(label, t, href)| BreakdownRow {
            label: label.clone(),
            received: t.received,
            amount: money::format_yuan(t.amount_claimed_fen),
            people: t.people_involved,
            href: href.clone(),
        })
        .collect();
    Breakdown {
        key,
        chart: bars(
            rows.into_iter()
                .map(|(label, t, href)| (label, t.received, href))
                .collect(),
        ),
        rows: table,
    }
}

fn build(page: &mut DashboardPage, lang: Lang, s: &StatsOut) {
    let (from, to) = (s.from.to_string(), s.to.to_string());
    let links = Links {
        unit: s.unit_id.map(|u| u.to_string()).unwrap_or_default(),
    };
    let received = links.received(&from, &to, &[]);
    page.headline = Some(if lang == Lang::En {
        i18n::message(
            lang,
            &Message::with(
                "stats-headline",
                &[
                    ("received", s.headline.received.to_string()),
                    ("amount", s.headline.amount_wan.to_string()),
                    ("people", s.headline.people.to_string()),
                    (
                        "more",
                        if s.headline.people_more {
                            "more"
                        } else {
                            "exact"
                        }
                        .to_owned(),
                    ),
                ],
            ),
        )
    } else {
        s.headline.text.clone()
    });
    page.figures = vec![
        Figure {
            key: "stats-received",
            value: s.received.to_string(),
            href: received.clone(),
        },
        Figure {
            key: "stats-closed",
            value: s.closed.to_string(),
            href: links.closed(&from, &to, None),
        },
        Figure {
            key: "stats-resolved",
            value: s.resolved.to_string(),
            href: links.closed(&from, &to, Some("resolved")),
        },
        Figure {
            key: "stats-success-rate",
            value: percent(s.success_rate),
            href: links.closed(&from, &to, None),
        },
        Figure {
            key: "stats-amount",
            value: money::format_yuan(s.amount_claimed_fen),
            href: received.clone(),
        },
        Figure {
            key: "stats-people",
            value: s.people_involved.to_string(),
            href: received.clone(),
        },
        Figure {
            key: "stats-avg-days",
            value: s
                .avg_days_to_close
                .map_or_else(|| "—".to_owned(), |d| format!("{d:.1}")),
            href: links.closed(&from, &to, None),
        },
        Figure {
            key: "stats-overdue",
            value: s.overdue_open.to_string(),
            href: cases_link(&[
                ("overdue", "true".to_owned()),
                ("unit_id", links.unit.clone()),
            ]),
        },
    ];
    let named = |map: &'static str,
                 prefix: &'static str,
                 field: &'static str,
                 tallies: &BTreeMap<&'static str, Tally>,
                 order: Vec<&'static str>|
     -> Breakdown {
        let rows = order
            .into_iter()
            .filter_map(|name| tallies.get(name).map(|t| (name, t)))
            .map(|(name, t)| {
                (
                    i18n::t(lang, &format!("{prefix}-{name}")),
                    t,
                    links.received(&from, &to, &[(field, name.to_owned())]),
                )
            })
            .collect();
        breakdown(map, rows)
    };
    use crate::domain::case_terms::{DisputeType, Grade, Source};
    page.breakdowns = vec![
        named(
            "stats-by-grade",
            "grade",
            "grade",
            &s.by_grade,
            Grade::ALL.map(Grade::as_str).to_vec(),
        ),
        named(
            "stats-by-dispute-type",
            "dispute-type",
            "dispute_type",
            &s.by_dispute_type,
            DisputeType::ALL.map(DisputeType::as_str).to_vec(),
        ),
        named(
            "stats-by-source",
            "source",
            "source",
            &s.by_source,
            Source::ALL.map(Source::as_str).to_vec(),
        ),
        breakdown(
            "stats-by-unit",
            s.by_unit
                .iter()
                .map(|u| {
                    (
                        u.unit_name.clone(),
                        &u.tally,
                        cases_link(&[
                            ("received_from", from.clone()),
                            ("received_to", to.clone()),
                            ("unit_id", u.unit_id.to_string()),
                        ]),
                    )
                })
                .collect(),
        ),
    ];
    // The trend: the last twelve months of the range.
    let skip = s.by_month.len().saturating_sub(12);
    let recent = &s.by_month[skip..];
    page.trend = Some(trend(
        recent
            .iter()
            .map(|m| (m.month.clone(), m.received, m.closed))
            .collect(),
    ));
    page.months = recent
        .iter()
        .map(|m| {
            let (mf, mt) = (m.from.to_string(), m.to.to_string());
            MonthRow {
                month: m.month.clone(),
                received: m.received,
                received_href: links.received(&mf, &mt, &[]),
                closed: m.closed,
                closed_href: links.closed(&mf, &mt, None),
                resolved: m.resolved,
                resolved_href: links.closed(&mf, &mt, Some("resolved")),
            }
        })
        .collect();
    page.from = from;
    page.to = to;
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let tz = state.config.time_zone;
    let query = StatsQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        unit_id: q.unit_id.clone(),
    };
    let names = unit_service::names(&state.db).await?;
    let mut page = DashboardPage {
        layout: super::auth::notice(
            Layout::new(&session, lang, "/stats"),
            lang,
            q.notice.as_deref(),
        ),
        f: BTreeMap::new(),
        errors: BTreeMap::new(),
        units: names
            .iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
            })
            .collect(),
        headline: None,
        figures: Vec::new(),
        breakdowns: Vec::new(),
        trend: None,
        months: Vec::new(),
        from: String::new(),
        to: String::new(),
        unit_name: None,
        warnings: super::warnings::section(&state, &session.user).await?,
    };
    let result = match query.range(stats::today(tz)) {
        Ok(range) => stats::stats(&state.db, tz, &session.user, range, Utc::now()).await,
        Err(e) => Err(e),
    };
    let status = match result {
        Ok(s) => {
            build(&mut page, lang, &s);
            page.unit_name = s.unit_id.and_then(|u| names.get(&u).cloned());
            page.f.insert("from", s.from.to_string());
            page.f.insert("to", s.to.to_string());
            page.f.insert(
                "unit_id",
                s.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            );
            StatusCode::OK
        }
        Err(AppError::Invalid(fields)) => {
            page.errors = field_errors(lang, &fields);
            for (k, v) in [("from", &q.from), ("to", &q.to), ("unit_id", &q.unit_id)] {
                page.f.insert(k, v.clone().unwrap_or_default());
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(other) => return Err(other),
    };
    Ok((status, render::render(&state, "stats/index.html", &page)?).into_response())
}
