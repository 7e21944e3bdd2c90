//! The JSON API of DESIGN §6, under `/api/v1`. Every route is declared with `utoipa` so that
//! `/api/openapi.json` is generated from the code and lists every route.

pub mod auth;
pub mod calendar;
pub mod case_file;
pub mod case_records;
pub mod cases;
pub mod contract;
pub mod follow_ups;
pub mod groups;
pub mod health;
pub mod ledger;
pub mod mediators;
pub mod mentorships;
pub mod monthly_report;
pub mod notifications;
pub mod public;
pub mod settings;
pub mod stats;
pub mod subsidy;
pub mod units;
pub mod users;
pub mod warnings;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::error::AppError;
use crate::services::auth::{self as auth_service, CurrentUser};
use crate::services::Page;

#[derive(OpenApi)]
#[openapi(
    info(title = "调解通 API", description = "Labour-dispute mediation case tracker. Errors: {\"error\": {\"code\", \"message\", \"fields\"}}."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(auth::create_token, auth::revoke_token))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(units::index, units::create))
        .routes(routes!(units::show, units::update))
        .routes(routes!(mediators::index, mediators::create))
        .routes(routes!(mediators::show, mediators::update))
        .routes(routes!(users::index, users::create))
        .routes(routes!(users::show, users::update))
        .routes(routes!(calendar::index, calendar::create))
        .routes(routes!(calendar::remove))
        .routes(routes!(settings::show_grading, settings::update_grading))
        .routes(routes!(cases::index, cases::create))
        .routes(routes!(cases::show, cases::update))
        .routes(routes!(cases::act))
        .routes(routes!(cases::candidates))
        .routes(routes!(subsidy::rates, subsidy::add_rate))
        .routes(routes!(subsidy::lead_share, subsidy::set_lead_share))
        .routes(routes!(subsidy::periods, subsidy::create_period))
        .routes(routes!(subsidy::period))
        .routes(routes!(subsidy::recompute))
        .routes(routes!(subsidy::approve))
        .routes(routes!(subsidy::paid))
        .routes(routes!(subsidy::export_csv))
        .routes(routes!(subsidy::export_xlsx))
        .routes(routes!(notifications::index))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(
            notifications::show_preferences,
            notifications::update_preferences
        ))
        .routes(routes!(notifications::outbox_index))
        .routes(routes!(notifications::outbox_retry))
        .routes(routes!(case_records::create_session))
        .routes(routes!(case_records::create_agreement))
        .routes(routes!(case_records::mark_instalment))
        .routes(routes!(case_records::record_confirmation))
        .routes(routes!(case_records::create_follow_up))
        .routes(routes!(follow_ups::due))
        .routes({
            // Uploads may be larger than the JSON bodies everywhere else.
            let (schemas, paths, route) = routes!(super::attachments::api_upload);
            let limit =
                axum::extract::DefaultBodyLimit::max(super::extract::MAX_UPLOAD_BYTES + 64 * 1024);
            (schemas, paths, route.layer(limit))
        })
        .routes(routes!(super::attachments::api_download))
        .routes(routes!(groups::create))
        .routes(routes!(groups::show))
        .routes(routes!(groups::add_case))
        .routes(routes!(groups::set_representatives))
        .routes(routes!(mentorships::index, mentorships::create))
        .routes(routes!(mentorships::show))
        .routes(routes!(mentorships::graduate))
        .routes(routes!(mentorships::end))
        .routes(routes!(mentorships::joint_mediation))
        .routes(routes!(stats::show))
        .routes(routes!(monthly_report::show, monthly_report::update))
        .routes(routes!(public::stations))
        .routes(routes!(public::track))
        .routes({
            // An application is small: its text fields' limits together.
            let (schemas, paths, route) = routes!(public::apply);
            let limit = axum::extract::DefaultBodyLimit::max(public::MAX_APPLICATION_BYTES);
            (schemas, paths, route.layer(limit))
        })
        .routes(routes!(case_file::status))
        .routes(routes!(case_file::reissue))
        .routes(routes!(
            case_file::show_requirements,
            case_file::update_requirements
        ))
        .routes(routes!(ledger::xlsx))
        .routes(routes!(ledger::csv))
        .routes(routes!(warnings::index))
        .routes(routes!(warnings::show))
        .routes(routes!(warnings::act))
        .routes(routes!(warnings::show_settings, warnings::update_settings))
}

/// The signed-in user of an API request, from `Authorization: Bearer <token>`.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(AppError::Unauthorized)?;
        auth_service::user_for_api_token(&state.db, token)
            .await
            .map(ApiUser)
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Declares on every operation the refusals that any of them can give, in the error shape, so
/// that the document lists every answer without each handler repeating them: 400 (malformed
/// body, query or path), 404 (not found or out of scope), 422 (invalid fields or a refused
/// step); with a bearer token also 401 and 403; for writes also 409 (stale version or already
/// there), 413 (too large) and 503 (busy); for open writes (sign-in) also 429.
pub fn declare_refusals(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
    let refusal = |description: &str| -> RefOr<Response> {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
            .into()
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ];
        for (operation, writes) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            // `security(())` on a handler: open to anyone (sign-in, health checks).
            let public = operation.security.as_ref().is_some_and(|requirements| {
                requirements
                    .iter()
                    .all(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({})))
            });
            let mut codes = vec![
                ("400", "malformed request"),
                ("404", "not found, or not in your scope"),
                ("422", "invalid fields, or not allowed now"),
            ];
            if !public {
                codes.push(("401", "not signed in"));
                codes.push(("403", "your role may not do this"));
            }
            if writes {
                codes.push(("409", "changed by someone else first, or already exists"));
                codes.push(("413", "body too large"));
                // Password checks are queued; a full queue answers with Retry-After.
                codes.push(("503", "busy, try again after Retry-After seconds"));
            }
            if writes && public {
                codes.push((
                    "429",
                    "too many failed attempts, try again after Retry-After seconds",
                ));
            }
            for (code, description) in codes {
                operation
                    .responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| refusal(description));
            }
        }
    }
}

/// A page of a list: `{items, total, page, per_page}`.
#[derive(Serialize, ToSchema)]
pub struct ListOut<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> ListOut<T> {
    pub fn from_page<M>(page: Page<M>, f: impl FnMut(M) -> T) -> ListOut<T> {
        let page = page.map(f);
        ListOut {
            items: page.items,
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

/// The error shape, for the OpenAPI document.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub fields: std::collections::BTreeMap<String, String>,
}
