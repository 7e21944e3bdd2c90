//! The first page after sign-in: the network at a glance.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use entity::{mediators, units};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::domain::network::UnitKind;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::web::render::{self, Layout};
use crate::web::session::PageUser;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    pub notice: Option<String>,
}

#[derive(Serialize)]
struct KindCount {
    kind: &'static str,
    count: u64,
}

#[derive(Serialize)]
struct HomePage {
    #[serde(flatten)]
    layout: Layout,
    unit_counts: Vec<KindCount>,
    mediators: u64,
    full_time: u64,
    gold_medal: u64,
    mentors: u64,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    PageUser(session): PageUser,
    Query(q): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let db = &state.db;
    let mut unit_counts = Vec::new();
    for kind in UnitKind::ALL {
        let count = units::Entity::find()
            .filter(units::Column::Kind.eq(kind.as_str()))
            .filter(units::Column::Active.eq(true))
            .count(db)
            .await?;
        unit_counts.push(KindCount {
            kind: kind.as_str(),
            count,
        });
    }
    let active = || mediators::Entity::find().filter(mediators::Column::Active.eq(true));
    let page = HomePage {
        layout: super::auth::notice(Layout::new(&session, lang, "/"), lang, q.notice.as_deref()),
        unit_counts,
        mediators: active().count(db).await?,
        full_time: active()
            .filter(mediators::Column::Employment.eq("full_time"))
            .count(db)
            .await?,
        gold_medal: active()
            .filter(mediators::Column::GoldMedal.eq(true))
            .count(db)
            .await?,
        mentors: active()
            .filter(mediators::Column::IsMentor.eq(true))
            .count(db)
            .await?,
    };
    Ok(render::render(&state, "home.html", &page)?.into_response())
}
