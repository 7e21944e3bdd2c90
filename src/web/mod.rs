//! The web layer: routes, the JSON API, the HTML pages, and the middleware around them. Handlers
//! are thin: they read the request, call a service, and shape the answer.

pub mod api;
pub mod attachments;
pub mod errors;
pub mod extract;
pub mod pages;
pub mod render;
pub mod session;
pub mod shapes;
pub mod strict_json;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue};
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids: a per-process random prefix and a counter, unique across app servers.
#[derive(Clone)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// The whole application: pages, API, health checks, with logging, request ids, body limits,
/// security headers and translated errors around them.
pub fn build_app(state: AppState) -> Router {
    let (api_routes, mut openapi) = api::router().split_for_parts();
    api::declare_refusals(&mut openapi);
    let mut openapi = serde_json::to_value(&openapi).unwrap_or_default();
    api::contract::complete(&mut openapi);
    let openapi = Arc::new(openapi);
    let api_routes = api_routes.route(
        "/api/openapi.json",
        axum::routing::get(move || {
            let doc = openapi.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    );
    let ids = RequestIds {
        prefix: Arc::from(crate::services::auth::new_csrf_token()[..8].to_owned()),
        next: Arc::new(AtomicU64::new(1)),
    };
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            // The matched route, never the raw path or body: ids in paths are fine, but query
            // strings may carry search terms with personal data.
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "unmatched".to_owned());
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), route, request_id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));

    Router::new()
        .merge(pages::router(state.clone()))
        .merge(api_routes)
        // An unknown path answers the not-found page (or the JSON error under /api), translated
        // by `errors::localize_errors` like every other error.
        .fallback(|| async { crate::error::AppError::NotFound })
        // The body limit sits inside the error translation so that its 413 is translated too.
        // Bodies are read through extractors that stop at `DefaultBodyLimit` (JSON and forms at
        // MAX_BODY_BYTES, uploads at their own larger limit); this layer caps everything.
        .layer(axum::extract::DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(extract::MAX_UPLOAD_BYTES + 64 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            errors::localize_errors,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages and answers carry personal data: no browser or proxy keeps a copy, unless a
        // handler said otherwise (the stylesheet).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            // Only when served over HTTPS (the same switch as Secure cookies): over plain HTTP
            // the header would be ignored at best and lock a test server out of its browser.
            state
                .config
                .secure_cookies
                .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, ids))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        // Pages and JSON gzip-compressed for the clients that ask for it.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}
