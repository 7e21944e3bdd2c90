//! Who reaches what: every route of the pages and of the API, every method, asked by every role,
//! answers the status written in the tables below. A route added to the router (a page in
//! `src/web/pages/mod.rs`, an operation in `/api/openapi.json`) without a row here fails the test.
//!
//! The columns, in order: anonymous, admin, coordinator, finance, viewer (`vwr`), a mediator of
//! the case's unit (`med`: the demo `mediator`, station JB-C01), a mediator of another unit
//! (`oth`: at JB-C02, created here).
//!
//! Paths are written as the router spells them; each `{..}` is filled from a fixture this test
//! creates, chosen by the segment before it (`/cases/{id}` is a case at JB-C01 with an
//! attachment, `/units/{id}` that station, `/mediators/{id}` the demo mediator, `/users/{id}` the
//! viewer's account, and so on: see [`fill`]).
//!
//! What is sent, so that nothing changes: a GET as is; a POST, PUT or PATCH with a body that is
//! empty but for a stale `version` (999999) and, on pages, the CSRF token; a DELETE as is (the
//! calendar day it deletes is put back before each). A few need more to show how far a role gets
//! ([`extra_fields`], [`upload_form`]). What still changes is the role's own: its notifications
//! read, its preferences saved, its sign-in renewed; a new group around a spare case; the
//! group's representatives (none) set to none. The rows that end a session run last. The answer then tells how far the role got:
//! - pages: 303 anonymous (to `/login`); 403 the role may not; 404 not found or out of scope
//!   (a case of another unit looks like no case at all, subsidies look like nothing to those
//!   outside finance and admin); 200/303 a page or a done deed; 400/409/422 the role got past
//!   the permission check and the empty form was refused. The case page's own forms (actions,
//!   records, files, group) re-render the case with 422 and the reason for any refusal, the
//!   role's too: their API rows tell the two apart;
//! - the API: 401 anonymous; 403 the role may not; 404 not found or out of scope; 200/201/204
//!   done; 400/409/422 past the permission check, the empty body refused.
//!
//! Attachments follow the rule for personal data (`domain::pii::may_reveal`): those who may reveal
//! the parties' ID numbers (the coordination centre, the mediators of the case's unit and of its
//! team) may download a case's files; anyone else gets 404 for the file, as if there were none.
//!
//! Rows marked `// BUG?` record today's answer where it looks wrong; they are reported, not fixed
//! here.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{csrf_of, spawn_app_with_demo_cases, Browser, TestApp, PASSWORD};

/// The roles, in the order of the columns.
const ROLES: [&str; 7] = [
    "anonymous",
    "admin",
    "coordinator",
    "finance",
    "viewer",
    "mediator",
    "mediator_elsewhere",
];

type Row = (&'static str, &'static str, [u16; 7]);

/// The HTML pages (cookie session, CSRF token in every form).
#[rustfmt::skip]
const PAGES: &[Row] = &[
    // method  path                                                  anon  adm  crd  fin  vwr  med  oth
    ("GET",  "/",                                                    [303, 200, 200, 303, 303, 200, 200]),
    ("GET",  "/account/notifications",                               [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/account/password",                                    [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/admin/outbox",                                        [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/apply",                                               [200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/calendar",                                            [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/cases",                                               [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/cases/new",                                           [303, 403, 200, 403, 403, 200, 200]),
    ("GET",  "/cases/{id}",                                          [303, 200, 200, 200, 200, 200, 404]),
    ("GET",  "/cases/{id}/agreement/print",                          [303, 200, 200, 200, 200, 200, 404]),
    ("GET",  "/cases/{id}/attachments/{attachment_id}",              [303, 404, 200, 404, 404, 200, 404]),
    ("GET",  "/cases/{id}/edit",                                     [303, 403, 200, 403, 403, 200, 404]),
    ("GET",  "/cases/{id}/file",                                     [303, 200, 200, 200, 200, 200, 404]),
    ("GET",  "/cases/{id}/receipt",                                  [303, 403, 200, 403, 403, 200, 404]),
    ("GET",  "/follow-ups",                                          [303, 403, 200, 403, 403, 200, 200]),
    ("GET",  "/inbox",                                               [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/lang/{code}",                                         [303, 303, 303, 303, 303, 303, 303]),
    ("GET",  "/ledger.csv",                                          [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/ledger.xlsx",                                         [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/ledger/import",                                       [303, 200, 200, 403, 403, 403, 403]),
    ("GET",  "/login",                                               [200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/mediators",                                           [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/mediators/new",                                       [303, 200, 200, 403, 403, 403, 403]),
    ("GET",  "/mediators/{id}",                                      [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/mediators/{id}/edit",                                 [303, 200, 200, 403, 403, 403, 403]),
    ("GET",  "/mentorships",                                         [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/mentorships/new",                                     [303, 200, 200, 403, 403, 403, 403]),
    ("GET",  "/mentorships/{id}",                                    [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/queue",                                               [303, 403, 200, 403, 403, 403, 403]),
    ("GET",  "/reports/joint",                                       [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/settings",                                            [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/settings/monthly_report",                             [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/settings/case_file",                                  [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/static/app.css",                                      [200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/stats",                                               [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/subsidy",                                             [303, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/subsidy/periods/{id}",                                [303, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/subsidy/periods/{id}/approve",                        [303, 303, 404, 303, 404, 404, 404]),
    ("GET",  "/subsidy/periods/{id}/export.csv",                     [303, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/subsidy/periods/{id}/export.xlsx",                    [303, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/subsidy/periods/{id}/paid",                           [303, 303, 404, 303, 404, 404, 404]),
    ("GET",  "/subsidy/rates",                                       [303, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/track",                                               [200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/units",                                               [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/units/new",                                           [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/units/{id}",                                          [303, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/units/{id}/edit",                                     [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/users",                                               [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/users/new",                                           [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/users/{id}",                                          [303, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/users/{id}/edit",                                     [303, 200, 403, 403, 403, 403, 403]),
    // Early warnings: the coordination centre acts on them; admins and the street leader read.
    ("GET",  "/warnings",                                            [303, 200, 200, 403, 200, 403, 403]),
    ("GET",  "/warnings/{id}",                                       [303, 200, 200, 403, 200, 403, 403]),
    ("GET",  "/settings/warnings",                                   [303, 200, 403, 403, 403, 403, 403]),
    ("POST", "/account/notifications",                               [303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/account/password",                                    [303, 422, 422, 422, 422, 422, 422]),
    ("POST", "/admin/outbox/{id}/retry",                             [303, 404, 403, 403, 403, 403, 403]),
    ("POST", "/apply",                                               [422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/calendar",                                            [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/calendar/{date}/delete",                              [303, 303, 403, 403, 403, 403, 403]),
    ("POST", "/cases",                                               [303, 403, 422, 403, 403, 422, 422]),
    ("POST", "/cases/{id}/access_code",                              [303, 403, 409, 403, 403, 403, 404]),
    ("POST", "/cases/{id}/actions",                                  [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/cases/{id}/agreement",                                [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/cases/{id}/agreement/confirmation",                   [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/cases/{id}/agreement/instalments/{seq}",              [303, 422, 404, 422, 422, 404, 404]),
    ("POST", "/cases/{id}/attachments",                              [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/cases/{id}/edit",                                     [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/cases/{id}/follow_ups",                               [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/cases/{id}/group",                                    [303, 422, 303, 422, 422, 303, 404]),
    ("POST", "/cases/{id}/group/cases",                              [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/cases/{id}/group/representatives",                    [303, 422, 303, 422, 422, 303, 404]),
    ("POST", "/cases/{id}/sessions",                                 [303, 422, 422, 422, 422, 422, 404]),
    ("POST", "/inbox/read_all",                                      [303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/inbox/{id}/read",                                     [303, 404, 303, 404, 404, 404, 404]),
    ("POST", "/ledger/import",                                       [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/login",                                               [401, 303, 303, 303, 303, 303, 303]),
    ("POST", "/logout",                                              [303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/mediators",                                           [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/mediators/{id}",                                      [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/mediators/{id}/active",                               [303, 409, 409, 403, 403, 403, 403]),
    ("POST", "/mentorships",                                         [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/mentorships/{id}/end",                                [303, 409, 409, 403, 403, 403, 403]),
    ("POST", "/mentorships/{id}/graduate",                           [303, 409, 409, 403, 403, 403, 403]),
    ("POST", "/settings",                                            [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/settings/monthly_report",                             [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/settings/case_file",                                  [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/subsidy/lead_share",                                  [303, 422, 404, 422, 404, 404, 404]),
    ("POST", "/subsidy/periods",                                     [303, 422, 404, 422, 404, 404, 404]),
    ("POST", "/subsidy/periods/{id}/approve",                        [303, 409, 404, 409, 404, 404, 404]),
    ("POST", "/subsidy/periods/{id}/paid",                           [303, 303, 404, 303, 404, 404, 404]),
    ("POST", "/subsidy/periods/{id}/recompute",                      [303, 409, 404, 409, 404, 404, 404]),
    ("POST", "/subsidy/rates",                                       [303, 422, 404, 422, 404, 404, 404]),
    ("POST", "/units",                                               [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/units/{id}",                                          [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/units/{id}/active",                                   [303, 409, 403, 403, 403, 403, 403]),
    ("POST", "/users",                                               [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/users/{id}",                                          [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/users/{id}/active",                                   [303, 409, 403, 403, 403, 403, 403]),
    ("POST", "/warnings/{id}/actions",                               [303, 403, 409, 403, 403, 403, 403]),
    ("POST", "/settings/warnings",                                   [303, 422, 403, 403, 403, 403, 403]),
];

/// The JSON API (`Authorization: Bearer`).
#[rustfmt::skip]
const API: &[Row] = &[
    // method  path                                                  anon  adm  crd  fin  vwr  med  oth
    ("DELETE","/api/v1/auth/token",                                   [401, 204, 204, 204, 204, 204, 204]),
    ("DELETE","/api/v1/calendar/days/{date}",                         [401, 204, 403, 403, 403, 403, 403]),
    ("GET",  "/api/v1/auth/me",                                      [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/calendar/days",                                [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/case_groups/{id}",                             [401, 200, 200, 200, 200, 200, 404]),
    ("GET",  "/api/v1/cases",                                        [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/cases/{id}",                                   [401, 200, 200, 200, 200, 200, 404]),
    ("GET",  "/api/v1/cases/{id}/attachments/{attachment_id}",       [401, 404, 200, 404, 404, 200, 404]),
    ("GET",  "/api/v1/cases/{id}/candidates",                        [401, 200, 200, 200, 200, 200, 404]),  // read-only: the loads are on /mediators too
    ("GET",  "/api/v1/cases/{id}/file",                              [401, 200, 200, 200, 200, 200, 404]),
    ("GET",  "/api/v1/follow_ups/due",                               [401, 403, 200, 403, 403, 200, 200]),
    ("GET",  "/api/v1/mediators",                                    [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/mediators/{id}",                               [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/mentorships",                                  [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/mentorships/{id}",                             [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/ledger.csv",                                   [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/ledger.xlsx",                                  [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/notifications",                                [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/notifications/preferences",                    [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/outbox",                                       [401, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/api/v1/public/stations",                              [200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/public/track",                                 [422, 422, 422, 422, 422, 422, 422]),
    ("GET",  "/api/v1/reports/joint_mediation",                      [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/settings/case_file",                           [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/settings/grading",                             [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/settings/monthly_report",                      [401, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/api/v1/stats",                                        [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/subsidy/lead_share",                           [401, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/api/v1/subsidy/periods",                              [401, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/api/v1/subsidy/periods/{id}",                         [401, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/api/v1/subsidy/periods/{id}/export.csv",              [401, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/api/v1/subsidy/periods/{id}/export.xlsx",             [401, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/api/v1/subsidy/rates",                                [401, 200, 404, 200, 404, 404, 404]),
    ("GET",  "/api/v1/units",                                        [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/units/{id}",                                   [401, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/api/v1/users",                                        [401, 200, 403, 403, 403, 403, 403]),
    ("GET",  "/api/v1/users/{id}",                                   [401, 200, 404, 404, 200, 404, 404]),
    ("GET",  "/healthz",                                             [200, 200, 200, 200, 200, 200, 200]),
    ("GET",  "/readyz",                                              [200, 200, 200, 200, 200, 200, 200]),
    ("PATCH","/api/v1/cases/{id}",                                   [401, 403, 409, 403, 403, 409, 404]),
    ("PATCH","/api/v1/mediators/{id}",                               [401, 409, 409, 403, 403, 403, 403]),
    ("PATCH","/api/v1/units/{id}",                                   [401, 409, 403, 403, 403, 403, 403]),
    ("PATCH","/api/v1/users/{id}",                                   [401, 409, 404, 404, 403, 404, 404]),
    ("POST", "/api/v1/auth/password",                                [401, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/auth/token",                                   [401, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/calendar/days",                                [401, 422, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/case_groups",                                  [401, 403, 201, 403, 403, 201, 404]),
    ("POST", "/api/v1/case_groups/{id}/cases",                       [401, 403, 422, 403, 403, 422, 404]),
    ("POST", "/api/v1/cases",                                        [401, 403, 422, 403, 403, 422, 422]),
    ("POST", "/api/v1/cases/{id}/access_code",                       [401, 403, 409, 403, 403, 403, 404]),
    ("POST", "/api/v1/cases/{id}/actions",                           [401, 403, 409, 403, 403, 409, 404]),
    ("POST", "/api/v1/cases/{id}/agreement",                         [401, 403, 422, 403, 403, 422, 404]),
    ("POST", "/api/v1/cases/{id}/agreement/confirmation",            [401, 403, 422, 403, 403, 422, 404]),
    ("POST", "/api/v1/cases/{id}/agreement/instalments/{seq}",       [401, 403, 404, 403, 403, 404, 404]),
    ("POST", "/api/v1/cases/{id}/attachments",                       [401, 403, 422, 403, 403, 422, 404]),
    ("POST", "/api/v1/cases/{id}/follow_ups",                        [401, 403, 422, 403, 403, 422, 404]),
    ("POST", "/api/v1/cases/{id}/sessions",                          [401, 403, 422, 403, 403, 403, 404]),
    ("POST", "/api/v1/mediators",                                    [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/mentorships",                                  [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/mentorships/{id}/end",                         [401, 409, 409, 403, 403, 403, 403]),
    ("POST", "/api/v1/mentorships/{id}/graduate",                    [401, 409, 409, 403, 403, 403, 403]),
    ("POST", "/api/v1/notifications/read_all",                       [401, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/notifications/{id}/read",                      [401, 404, 200, 404, 404, 404, 404]),
    ("POST", "/api/v1/outbox/{id}/retry",                            [401, 404, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/public/applications",                          [422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/subsidy/periods",                              [401, 422, 404, 422, 404, 404, 404]),
    ("POST", "/api/v1/subsidy/periods/{id}/approve",                 [401, 409, 404, 409, 404, 404, 404]),
    ("POST", "/api/v1/subsidy/periods/{id}/paid",                    [401, 409, 404, 409, 404, 404, 404]),
    ("POST", "/api/v1/subsidy/periods/{id}/recompute",               [401, 409, 404, 409, 404, 404, 404]),
    ("POST", "/api/v1/subsidy/rates",                                [401, 422, 404, 422, 404, 404, 404]),
    ("POST", "/api/v1/units",                                        [401, 422, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/users",                                        [401, 422, 403, 403, 403, 403, 403]),
    ("PUT",  "/api/v1/case_groups/{id}/representatives",             [401, 403, 200, 403, 403, 200, 404]),
    ("PUT",  "/api/v1/notifications/preferences",                    [401, 200, 200, 200, 200, 200, 200]),
    ("PUT",  "/api/v1/settings/case_file",                           [401, 422, 403, 403, 403, 403, 403]),
    ("PUT",  "/api/v1/settings/grading",                             [401, 422, 403, 403, 403, 403, 403]),
    ("PUT",  "/api/v1/settings/monthly_report",                      [401, 422, 403, 403, 403, 403, 403]),
    ("PUT",  "/api/v1/subsidy/lead_share",                           [401, 422, 404, 422, 404, 404, 404]),
    ("GET",  "/api/v1/warnings",                                     [401, 200, 200, 403, 200, 403, 403]),
    ("GET",  "/api/v1/warnings/{id}",                                [401, 200, 200, 403, 200, 403, 403]),
    ("POST", "/api/v1/warnings/{id}/actions",                        [401, 403, 409, 403, 403, 403, 403]),
    ("GET",  "/api/v1/settings/warnings",                            [401, 200, 200, 200, 200, 200, 200]),
    ("PUT",  "/api/v1/settings/warnings",                            [401, 422, 403, 403, 403, 403, 403]),
];

/// What the test made for the path parameters.
struct Fixtures {
    case: i64,
    /// A demo case at JB-C01 with an agreement, for the agreement's routes.
    agreed_case: i64,
    /// A case at JB-C01 that each group created here takes along (so the group above keeps its
    /// case).
    spare_case: i64,
    attachment: i64,
    group: i64,
    unit: i64,
    mediator: i64,
    user: i64,
    mentorship: i64,
    period: i64,
    date: &'static str,
    notification: i64,
    outbox: i64,
    /// A warning the fixtures' two cases raise (the same applicant twice).
    warning: i64,
}

/// The path with each `{..}` replaced by the fixture its preceding segment names.
fn fill(path: &str, f: &Fixtures) -> String {
    let mut out = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if !(segment.starts_with('{') && segment.ends_with('}')) {
            out.push((*segment).to_owned());
            continue;
        }
        let before = if i >= 2 && segments[i - 2] == "subsidy" {
            "subsidy/periods"
        } else {
            segments.get(i.wrapping_sub(1)).copied().unwrap_or_default()
        };
        let value = match before {
            "cases" if path.contains("/agreement") => f.agreed_case.to_string(),
            "cases" if path.ends_with("/group") => f.spare_case.to_string(),
            "cases" => f.case.to_string(),
            "attachments" => f.attachment.to_string(),
            "instalments" => "1".to_owned(),
            "case_groups" => f.group.to_string(),
            "units" => f.unit.to_string(),
            "mediators" => f.mediator.to_string(),
            "users" => f.user.to_string(),
            "mentorships" => f.mentorship.to_string(),
            "subsidy/periods" => f.period.to_string(),
            "days" | "calendar" => f.date.to_owned(),
            "notifications" | "inbox" => f.notification.to_string(),
            "outbox" => f.outbox.to_string(),
            "warnings" => f.warning.to_string(),
            "lang" => "en".to_owned(),
            other => panic!("no fixture for {segment} after /{other}/ in {path}"),
        };
        out.push(value);
    }
    out.join("/")
}

/// `(METHOD, path)` of every operation the OpenAPI document lists.
async fn api_routes(app: &TestApp) -> BTreeSet<(String, String)> {
    let doc: Value = app
        .api
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// `(METHOD, path)` of every `.route("PATH", get(..).post(..))` of the pages' router, read from
/// its source: axum cannot list a router's routes at run time.
fn page_routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../../src/web/pages/mod.rs");
    let mut routes = BTreeSet::new();
    let mut rest = source;
    while let Some(start) = rest.find(".route(") {
        rest = &rest[start + ".route(".len()..];
        // The call's arguments, up to its closing parenthesis.
        let mut depth = 1;
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = i;
                break;
            }
        }
        let call = &rest[..end];
        let path = call
            .split('"')
            .nth(1)
            .unwrap_or_else(|| panic!("a route without a path: {call}"));
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = call.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0 || !call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if called {
                routes.insert((method.to_uppercase(), path.to_owned()));
            }
        }
        rest = &rest[end..];
    }
    assert!(routes.len() > 20, "the router was not read: {routes:?}");
    routes
}

/// What is in the router but not in the table, and the reverse, named.
fn compare(what: &str, router: &BTreeSet<(String, String)>, table: &[Row]) -> Vec<String> {
    let rows: BTreeSet<(String, String)> = table
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let mut problems = Vec::new();
    for (m, p) in router.difference(&rows) {
        problems.push(format!(
            "{what}: {m} {p} is routed but has no row in the table"
        ));
    }
    for (m, p) in rows.difference(router) {
        problems.push(format!("{what}: {m} {p} has a row but is not routed"));
    }
    if rows.len() != table.len() {
        problems.push(format!("{what}: a route has two rows"));
    }
    problems
}

/// A signed-in client of each kind for one role.
enum Client {
    Anonymous {
        page_csrf: String,
        browser: Browser,
    },
    SignedIn {
        role: &'static str,
        token: String,
        browser: Browser,
    },
}

impl Client {
    fn browser(&self) -> &Browser {
        match self {
            Client::Anonymous { browser, .. } | Client::SignedIn { browser, .. } => browser,
        }
    }
}

async fn client_for(app: &TestApp, role: &'static str) -> Client {
    if role == "anonymous" {
        // Before sign-in the CSRF token is the `csrf_pre` cookie's, taken from the sign-in form:
        // with it an anonymous post reaches the route (and is sent to sign in) instead of being
        // refused for its token.
        let browser = Browser::new(app);
        let (_, html) = browser.get("/login").await;
        return Client::Anonymous {
            page_csrf: csrf_of(&html),
            browser,
        };
    }
    Client::SignedIn {
        role,
        token: app.token_with(role, PASSWORD).await,
        browser: {
            let browser = Browser::new(app);
            browser.sign_in(role, PASSWORD).await;
            browser
        },
    }
}

/// A sound file of an unknown kind: past the permission check, the kind is refused.
fn upload_form() -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("kind", "no-such-kind")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n% matrix\n".to_vec()).file_name("x.pdf"),
        )
}

/// What a few routes need besides the stale version to show how far a role gets: a sign-in
/// with the role's own password (anonymous: a wrong one, a single failure that no throttle
/// counts against the others), and a named action (refused as stale once permitted).
fn extra_fields(client: &Client, path: &str, f: &Fixtures) -> Vec<(&'static str, String)> {
    if path == "/login" || path == "/api/v1/auth/token" {
        let (username, password) = match client {
            Client::Anonymous { .. } => ("nobody", "wrong"),
            Client::SignedIn { role, .. } => (*role, PASSWORD),
        };
        return vec![
            ("username", username.to_owned()),
            ("password", password.to_owned()),
        ];
    }
    if path.contains("/warnings/") {
        // A note: refused as stale once permitted.
        return vec![("action", "note".to_owned()), ("text", "约谈".to_owned())];
    }
    if path.ends_with("/actions") {
        return vec![("action", "accept".to_owned())];
    }
    if path.ends_with("/confirmation") {
        // In the future: refused once permitted (an empty one would be recorded).
        return vec![("applied_on", "2999-01-01".to_owned())];
    }
    if path == "/api/v1/case_groups" || path.ends_with("/group") {
        // A new group around the spare case, for the roles that may.
        return vec![
            ("case_id", f.spare_case.to_string()),
            ("name", "另一组".to_owned()),
            ("respondent", "乙公司".to_owned()),
        ];
    }
    if path.ends_with("/group/cases") || path.starts_with("/api/v1/case_groups/") {
        // A case number that does not exist.
        return vec![("case_no", "JB-1999-99999".to_owned())];
    }
    Vec::new()
}

/// The status of one page request.
async fn page_status(client: &Client, f: &Fixtures, method: &str, path: &str) -> u16 {
    let browser = client.browser();
    let url = browser.url(path);
    let res = match method {
        "GET" => browser.client.get(&url).send().await,
        "POST" => {
            let csrf = match client {
                Client::Anonymous { page_csrf, .. } => page_csrf.clone(),
                Client::SignedIn { .. } => {
                    // The session's token is on every signed-in page.
                    let (_, html) = browser.get("/account/password").await;
                    csrf_of(&html)
                }
            };
            if path.ends_with("/attachments") {
                // An upload is multipart; its token travels in the query.
                browser
                    .client
                    .post(format!("{url}?_csrf={csrf}"))
                    .multipart(upload_form())
                    .send()
                    .await
            } else {
                let mut fields = vec![("_csrf", csrf), ("version", "999999".to_owned())];
                fields.extend(extra_fields(client, path, f));
                browser.client.post(&url).form(&fields).send().await
            }
        }
        other => panic!("pages have no {other}"),
    };
    let res = res.expect("page request");
    let status = res.status().as_u16();
    if matches!(client, Client::Anonymous { .. }) && status == 303 && !path.starts_with("/lang/") {
        // Sent to sign in, and back here afterwards.
        let to = Browser::location(&res).unwrap_or_default();
        assert!(
            to.starts_with("/login"),
            "anonymous {method} {path} went to {to}"
        );
    }
    status
}

/// The status of one API request.
async fn api_status(app: &TestApp, client: &Client, f: &Fixtures, method: &str, path: &str) -> u16 {
    let url = app.url(path);
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = app.api.request(method.clone(), &url);
    if let Client::SignedIn { token, .. } = client {
        request = request.bearer_auth(token);
    }
    if path.ends_with("/attachments") {
        request = request.multipart(upload_form());
    } else if method != Method::GET && method != Method::DELETE {
        let mut body = json!({"version": 999999});
        for (k, v) in extra_fields(client, path, f) {
            body[k] = json!(v);
        }
        request = request.json(&body);
    }
    request.send().await.expect("api request").status().as_u16()
}

/// Makes what the paths need: a case at JB-C01 with a file and a group, a mediator elsewhere and
/// their account, a calendar day; the rest comes from the demo street.
async fn fixtures(app: &TestApp) -> Fixtures {
    let admin = app.token("admin").await;
    let coordinator = app.token("coordinator").await;
    let station = app.unit_id(&admin, "JB-C01").await;
    let elsewhere = app.unit_id(&admin, "JB-C02").await;

    let case = intake(app, &coordinator, station).await;
    let spare_case = intake(app, &coordinator, station).await;
    let form = reqwest::multipart::Form::new().text("kind", "id").part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n% ID photo\n".to_vec()).file_name("身份证.pdf"),
    );
    let res = app
        .api
        .post(app.url(&format!("/api/v1/cases/{case}/attachments")))
        .bearer_auth(&coordinator)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let attachment = res.json::<Value>().await.expect("file")["id"]
        .as_i64()
        .expect("id");
    let res = app
        .post(
            &coordinator,
            "/api/v1/case_groups",
            &json!({"case_id": case, "name": "乙公司欠薪", "respondent": "乙公司"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "group");
    let group = res.json::<Value>().await.expect("group")["id"]
        .as_i64()
        .expect("id");

    // A mediator of another station, with an account.
    let res = app
        .post(
            &admin,
            "/api/v1/mediators",
            &json!({
                "name": "别处调解员", "unit_id": elsewhere, "employment": "part_time",
                "background": "lawyer", "specialties": [], "max_open_cases": 5
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "mediator");
    let other_mediator = res.json::<Value>().await.expect("mediator")["id"]
        .as_i64()
        .expect("id");
    let res = app
        .post(
            &admin,
            "/api/v1/users",
            &json!({
                "username": "mediator_elsewhere", "password": PASSWORD, "role": "mediator",
                "unit_id": elsewhere, "mediator_id": other_mediator
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "user");

    let mediator: Value = app
        .get(&app.token("mediator").await, "/api/v1/auth/me")
        .await
        .json()
        .await
        .expect("me");
    let viewer: Value = app
        .get(&app.token("viewer").await, "/api/v1/auth/me")
        .await
        .json()
        .await
        .expect("me");
    let first = |v: Value| v["items"][0]["id"].as_i64().unwrap_or(999_999);
    let mentorship = first(
        app.get(&coordinator, "/api/v1/mentorships")
            .await
            .json()
            .await
            .expect("mentorships"),
    );
    // A paid period: approving, paying or recomputing it again is refused without a change.
    let periods: Value = app
        .get(&app.token("finance").await, "/api/v1/subsidy/periods")
        .await
        .json()
        .await
        .expect("periods");
    let period = periods["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["status"] == "paid")
        .and_then(|p| p["id"].as_i64())
        .expect("the demo street has a paid period");
    let notification = first(
        app.get(&coordinator, "/api/v1/notifications")
            .await
            .json()
            .await
            .expect("notifications"),
    );
    let outbox = first(
        app.get(&admin, "/api/v1/outbox")
            .await
            .json()
            .await
            .expect("outbox"),
    );
    // A case of the station with an agreement, from the demo street.
    let listed: Value = app
        .get(
            &coordinator,
            &format!("/api/v1/cases?unit_id={station}&per_page=100"),
        )
        .await
        .json()
        .await
        .expect("cases");
    let mut agreed_case = None;
    for c in listed["items"].as_array().expect("items") {
        let id = c["id"].as_i64().expect("id");
        let detail: Value = app
            .get(&coordinator, &format!("/api/v1/cases/{id}"))
            .await
            .json()
            .await
            .expect("case");
        if !detail["agreement"].is_null() {
            agreed_case = Some(id);
            break;
        }
    }
    Fixtures {
        case,
        spare_case,
        agreed_case: agreed_case.expect("the demo street has an agreed case at JB-C01"),
        attachment,
        group,
        unit: station,
        mediator: mediator["mediator_id"].as_i64().expect("mediator id"),
        user: viewer["id"].as_i64().expect("viewer id"),
        mentorship,
        period,
        date: "2027-05-06",
        notification,
        outbox,
        warning: first(
            app.get(&coordinator, "/api/v1/warnings?kind=applicant_return")
                .await
                .json()
                .await
                .expect("warnings"),
        ),
    }
}

/// A new case at `unit`; its id.
async fn intake(app: &TestApp, token: &str, unit: i64) -> i64 {
    let res = app
        .post(token, "/api/v1/cases", &json!({
            "intake_unit_id": unit, "dispute_type": "wage_arrears", "source": "walk_in",
            "summary": "权限矩阵用例", "amount_claimed_fen": 100_000, "people_involved": 1,
            "parties": [{"role": "applicant", "kind": "person", "name": "甲", "id_number": "330103199001011234"},
                        {"role": "respondent", "kind": "organisation", "name": "乙公司"}]
        }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.expect("case")["id"]
        .as_i64()
        .expect("id")
}

/// Puts the fixture's calendar day back (a DELETE row may have removed it).
async fn ensure_calendar_day(app: &TestApp, admin: &str, date: &str) {
    let res = app
        .post(
            admin,
            "/api/v1/calendar/days",
            &json!({"date": date, "kind": "holiday", "name": "矩阵"}),
        )
        .await;
    // 422 naming the date: it is there already.
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert!(
        status == StatusCode::CREATED
            || (status == StatusCode::UNPROCESSABLE_ENTITY
                && crate::helpers::field_error(&body, "date").is_some()),
        "{status} {body}"
    );
}

/// Rows that end the session or the token run last.
fn ends_the_session(method: &str, path: &str) -> bool {
    path == "/logout" || (method == "DELETE" && path == "/api/v1/auth/token")
}

type Answers = BTreeMap<(String, String), [u16; 7]>;

/// Asks every route as every role; returns the answers.
async fn run(
    app: &TestApp,
    f: &Fixtures,
    clients: &[Client],
    routes: &BTreeSet<(String, String)>,
    api: bool,
) -> Answers {
    let admin = app.token("admin").await;
    let mut order: Vec<&(String, String)> = routes.iter().collect();
    order.sort_by_key(|(m, p)| ends_the_session(m, p));
    let mut seen = BTreeMap::new();
    for (method, path) in order {
        let mut statuses = [0; 7];
        for (i, client) in clients.iter().enumerate() {
            if path.contains("{date}") {
                ensure_calendar_day(app, &admin, f.date).await;
            }
            let url = fill(path, f);
            statuses[i] = if api {
                api_status(app, client, f, method, &url).await
            } else {
                page_status(client, f, method, &url).await
            };
        }
        seen.insert((method.clone(), path.clone()), statuses);
    }
    seen
}

/// Where the answers differ from the table, named by route and role.
fn differences(what: &str, seen: &Answers, table: &[Row]) -> Vec<String> {
    let mut problems = Vec::new();
    for (method, path, expected) in table {
        let Some(got) = seen.get(&((*method).to_owned(), (*path).to_owned())) else {
            continue;
        };
        if got != expected {
            let differ: Vec<String> = ROLES
                .iter()
                .zip(expected.iter().zip(got.iter()))
                .filter(|(_, (e, g))| e != g)
                .map(|(role, (e, g))| format!("{role} expected {e}, got {g}"))
                .collect();
            problems.push(format!("{what}: {method} {path}: {}", differ.join("; ")));
        }
    }
    problems
}

/// The answers as they would be written in the table.
fn as_rows(seen: &Answers) -> String {
    let mut out = String::new();
    for ((method, path), s) in seen {
        let method = format!("\"{method}\",");
        let path = format!("\"{path}\",");
        out.push_str(&format!(
            "    ({method:<8}{path:<56}[{}]),\n",
            s.map(|n| format!("{n:>3}")).join(", ")
        ));
    }
    out
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_access_table_says() {
    let app = spawn_app_with_demo_cases().await;

    // Every route has a row, and every row a route.
    let page_routes = page_routes();
    let api_routes = api_routes(&app).await;
    let mut problems = compare("pages", &page_routes, PAGES);
    problems.extend(compare("api", &api_routes, API));

    let f = fixtures(&app).await;
    let mut clients = Vec::new();
    for role in ROLES {
        clients.push(client_for(&app, role).await);
    }
    let pages = run(&app, &f, &clients, &page_routes, false).await;
    let api = run(&app, &f, &clients, &api_routes, true).await;
    problems.extend(differences("pages", &pages, PAGES));
    problems.extend(differences("api", &api, API));
    assert!(
        problems.is_empty(),
        "{}\n\nWhat was answered, as table rows:\n// pages\n{}// api\n{}",
        problems.join("\n"),
        as_rows(&pages),
        as_rows(&api)
    );
}

#[tokio::test]
async fn only_those_who_may_reveal_id_numbers_get_a_link_to_a_case_s_files() {
    let app = spawn_app_with_demo_cases().await;
    let f = fixtures(&app).await;
    let link = format!("/cases/{}/attachments/{}", f.case, f.attachment);
    for (role, linked) in [
        ("coordinator", true),
        ("mediator", true),
        ("admin", false),
        ("finance", false),
        ("viewer", false),
    ] {
        let browser = app.browser(role).await;
        let (status, html) = browser.get(&format!("/cases/{}", f.case)).await;
        if status != StatusCode::OK {
            // A role that cannot see the case at all has no list of files either.
            assert!(!linked, "{role}: {status}");
            continue;
        }
        assert!(html.contains("身份证.pdf"), "{role} sees the file's name");
        assert_eq!(html.contains(&link), linked, "{role}: a link to the file");
        let (status, _) = browser.get(&link).await;
        let expected = if linked {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, expected, "{role} downloads the file");
    }
}

#[tokio::test]
async fn a_mediator_cannot_put_a_case_into_another_unit_s_group() {
    let app = spawn_app_with_demo_cases().await;
    let f = fixtures(&app).await;
    // The demo mediator's own case at JB-C01 and a group of JB-C02's cases.
    let coordinator = app.token("coordinator").await;
    let elsewhere = app.unit_id(&coordinator, "JB-C02").await;
    let theirs = intake(&app, &coordinator, elsewhere).await;
    let res = app
        .post(
            &coordinator,
            "/api/v1/case_groups",
            &json!({"case_id": theirs, "name": "丁公司欠薪", "respondent": "丁公司"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let group = res.json::<Value>().await.expect("group")["id"].clone();
    let mediator = app.token("mediator").await;
    let mine: Value = app
        .get(&mediator, &format!("/api/v1/cases/{}", f.spare_case))
        .await
        .json()
        .await
        .expect("case");
    let res = app
        .post(
            &mediator,
            &format!("/api/v1/case_groups/{group}/cases"),
            &json!({"case_no": mine["case_no"]}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "the group is not theirs to see"
    );
    let res = app
        .get(&mediator, &format!("/api/v1/case_groups/{group}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let after: Value = app
        .get(&mediator, &format!("/api/v1/cases/{}", f.spare_case))
        .await
        .json()
        .await
        .expect("case");
    assert!(after["group"].is_null(), "{}", after["group"]);
}
