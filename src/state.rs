//! What every handler can reach: the database, the settings and the templates of one app server.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Config;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub tera: Arc<tera::Tera>,
}
