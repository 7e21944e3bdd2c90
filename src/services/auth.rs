//! Who is signed in: password hashing (argon2, off the async runtime), sign-in with slowing down of
//! repeated failures, browser sessions and API tokens. Tokens are random and stored only as their
//! SHA-256, so a copy of the database cannot be used to sign in.

use chrono::{DateTime, Duration, Utc};
use entity::{api_tokens, failed_sign_ins, users, web_sessions};
use rand::RngCore;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};

use crate::domain::role::Role;
use crate::domain::throttle::{self, RecentFailures, Verdict};
use crate::error::{AppError, Message};

/// The signed-in user, as every service sees them.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub mediator_id: Option<i64>,
}

impl CurrentUser {
    /// # Errors
    /// 403 when the user's role is not one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Message::key("err-role-may-not")))
        }
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    fn from_model(user: users::Model) -> Result<CurrentUser, AppError> {
        let role = Role::from(user.role);
        Ok(CurrentUser {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role,
            unit_id: user.unit_id,
            mediator_id: user.mediator_id,
        })
    }
}

/// Hashes a password with argon2id on a hashing thread (it takes tens of milliseconds of CPU).
///
/// # Errors
/// 503 when too many checks are waiting; 500 if hashing fails.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    super::hashing::run(move || {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
    })
    .await?
}

/// Checks a password against a stored hash on a hashing thread.
///
/// # Errors
/// 503 when too many checks are waiting (the answer is then neither yes nor no).
pub async fn verify_password(password: &str, hash: &str) -> Result<bool, AppError> {
    let password = password.to_owned();
    let hash = hash.to_owned();
    super::hashing::run(move || super::hashing::verify(password.as_bytes(), &hash)).await
}

/// A hash of a password nobody has, checked when the username is unknown so that a wrong username
/// takes as long as a wrong password (the answer must not reveal whether an account exists).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0cFs1cb1WHn0b0nbgoMgxcBd2a3uISF4xt2qyE0Oo1A";

/// Checks a username and password tried from `address` (the client's IP). Wrong username and
/// wrong password give the same answer and cost the same time. Guessing is slowed down as
/// [`throttle::decide`] rules, from the failures recorded in the database (so the limits hold
/// across app servers); a try that must wait is refused with 429 without checking the password.
///
/// # Errors
/// 401 for wrong credentials or an inactive account, 429 while slowed down, 503 when too many
/// password checks are waiting.
pub async fn sign_in(
    db: &DatabaseConnection,
    username: &str,
    password: &str,
    address: &str,
) -> Result<CurrentUser, AppError> {
    let username = username.trim().to_lowercase();
    let now = Utc::now();
    let failures = recent_failures(db, &username, address, now).await?;
    if let Verdict::Wait { seconds } = throttle::decide(&failures, now) {
        tracing::info!("sign-in refused while slowed down");
        return Err(AppError::TooManyRequests {
            retry_after_secs: seconds,
        });
    }

    let user = users::Entity::find()
        .filter(users::Column::Username.eq(&username))
        .one(db)
        .await?;
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash).await? && u.active,
        None => {
            verify_password(password, DUMMY_HASH).await?;
            false
        }
    };
    match user {
        Some(user) if ok => {
            // Only this address's count is forgiven: a success here says nothing of the
            // guesses made elsewhere.
            failed_sign_ins::Entity::delete_many()
                .filter(failed_sign_ins::Column::Username.eq(&username))
                .filter(failed_sign_ins::Column::Address.eq(address))
                .exec(db)
                .await?;
            tracing::info!(user_id = user.id, "signed in");
            CurrentUser::from_model(user)
        }
        _ => {
            failed_sign_ins::ActiveModel {
                username: Set(username),
                address: Set(address.to_owned()),
                at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            tracing::info!("sign-in failed");
            Err(AppError::Unauthorized)
        }
    }
}

/// The failures of the window that concern a try, read in one bounded query: past a few hundred
/// every limit has long tripped, so counting further changes nothing.
async fn recent_failures(
    db: &DatabaseConnection,
    username: &str,
    address: &str,
    now: chrono::DateTime<Utc>,
) -> Result<RecentFailures, AppError> {
    let since = now - Duration::minutes(throttle::WINDOW_MINUTES);
    let rows: Vec<(String, String, chrono::DateTime<Utc>)> = failed_sign_ins::Entity::find()
        .select_only()
        .column(failed_sign_ins::Column::Username)
        .column(failed_sign_ins::Column::Address)
        .column(failed_sign_ins::Column::At)
        .filter(failed_sign_ins::Column::At.gt(since))
        .filter(
            Condition::any()
                .add(failed_sign_ins::Column::Username.eq(username))
                .add(failed_sign_ins::Column::Address.eq(address)),
        )
        .order_by_desc(failed_sign_ins::Column::At)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let mut failures = RecentFailures {
        last_at: rows.first().map(|(_, _, at)| *at),
        ..RecentFailures::default()
    };
    for (who, from, _) in &rows {
        let (same_account, same_address) = (who == username, from == address);
        failures.account += u64::from(same_account);
        failures.address += u64::from(same_address);
        failures.account_and_address += u64::from(same_account && same_address);
    }
    Ok(failures)
}

/// How long a browser sign-in lasts: it ends after `idle` without a request, and `max` after it
/// began however busy it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: Duration,
    pub max: Duration,
}

impl SessionLimits {
    pub fn hours(idle: i64, max: i64) -> SessionLimits {
        SessionLimits {
            idle: Duration::hours(idle),
            max: Duration::hours(max),
        }
    }

    /// When a session begun at `created_at` and used at `now` ends.
    pub fn expiry(self, created_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + self.idle).min(created_at + self.max)
    }
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random value for double-submit CSRF cookies on pages shown before sign-in.
pub fn new_csrf_token() -> String {
    new_token()
}

/// Issues an API token. Returns the token (shown once) and its expiry.
///
/// # Errors
/// The database refused the write.
pub async fn issue_api_token(
    db: &impl ConnectionTrait,
    user_id: i64,
    hours: i64,
) -> Result<(String, DateTime<Utc>), AppError> {
    let token = new_token();
    let now = Utc::now();
    let expires_at = now + Duration::hours(hours);
    api_tokens::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, expires_at))
}

/// The active user behind an unexpired API token.
///
/// # Errors
/// 401 for an unknown, expired or revoked token, or an inactive user.
pub async fn user_for_api_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<CurrentUser, AppError> {
    // One query for the token and its user (every API request asks this first).
    let user = users::Entity::find()
        .filter(
            users::Column::Id.in_subquery(
                Query::select()
                    .column(api_tokens::Column::UserId)
                    .from(api_tokens::Entity)
                    .and_where(api_tokens::Column::TokenHash.eq(token_hash(token)))
                    .and_where(api_tokens::Column::ExpiresAt.gt(Utc::now()))
                    .to_owned(),
            ),
        )
        .filter(users::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    CurrentUser::from_model(user)
}

/// Revokes an API token (signing out of the API).
///
/// # Errors
/// The database refused the write.
pub async fn revoke_api_token(db: &impl ConnectionTrait, token: &str) -> Result<(), AppError> {
    api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::TokenHash.eq(token_hash(token)))
        .exec(db)
        .await?;
    Ok(())
}

/// A new browser session: returns the cookie value and the CSRF token its forms must carry.
///
/// # Errors
/// The database refused the write.
pub async fn start_session(
    db: &impl ConnectionTrait,
    user_id: i64,
    limits: SessionLimits,
) -> Result<(String, String), AppError> {
    let token = new_token();
    let csrf = new_token();
    let now = Utc::now();
    web_sessions::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        csrf_token: Set(csrf.clone()),
        created_at: Set(now),
        expires_at: Set(limits.expiry(now, now)),
    }
    .insert(db)
    .await?;
    // Expired sessions of anybody are swept here, which keeps the table small without a timer.
    web_sessions::Entity::delete_many()
        .filter(web_sessions::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok((token, csrf))
}

/// The user and CSRF token of an unexpired browser session.
///
/// # Errors
/// 401 for an unknown or expired session, or an inactive user.
pub async fn user_for_session(
    db: &impl ConnectionTrait,
    token: &str,
    limits: SessionLimits,
) -> Result<(CurrentUser, String), AppError> {
    let now = Utc::now();
    // One query for the session and its account (every page asks this first).
    let (row, user) = web_sessions::Entity::find_by_id(token_hash(token))
        .filter(web_sessions::Column::ExpiresAt.gt(now))
        .find_also_related(users::Entity)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let user = CurrentUser::from_model(user.filter(|u| u.active).ok_or(AppError::Unauthorized)?)?;
    // Activity pushes the idle limit back; written at most every few minutes, not per request.
    let renewed = limits.expiry(row.created_at, now);
    if renewed - row.expires_at > Duration::minutes(5) {
        web_sessions::Entity::update_many()
            .col_expr(web_sessions::Column::ExpiresAt, Expr::value(renewed))
            .filter(web_sessions::Column::TokenHash.eq(row.token_hash.clone()))
            .exec(db)
            .await?;
    }
    Ok((user, row.csrf_token))
}

/// Ends a browser session.
///
/// # Errors
/// The database refused the write.
pub async fn end_session(db: &impl ConnectionTrait, token: &str) -> Result<(), AppError> {
    web_sessions::Entity::delete_by_id(token_hash(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Signs a user out everywhere (after a password change or when deactivated).
///
/// # Errors
/// The database refused the write.
pub async fn end_all_sessions(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    web_sessions::Entity::delete_many()
        .filter(web_sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The active account with this username, as the services see it (for the command line and the
/// demo loader, which act without signing in).
///
/// # Errors
/// 401 when there is no such active account.
pub async fn user_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<CurrentUser, AppError> {
    let user = users::Entity::find()
        .filter(users::Column::Username.eq(username.trim().to_lowercase()))
        .filter(users::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    CurrentUser::from_model(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("tea garden by the river").await.unwrap();
        assert!(verify_password("tea garden by the river", &hash)
            .await
            .unwrap());
        assert!(!verify_password("tea garden by the sea", &hash)
            .await
            .unwrap());
    }

    #[test]
    fn a_session_ends_when_idle_or_when_too_old_whichever_comes_first() {
        let limits = SessionLimits::hours(8, 7 * 24);
        let start = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        assert_eq!(limits.expiry(start, start), start + Duration::hours(8));
        let busy = start + Duration::hours(100);
        assert_eq!(limits.expiry(start, busy), busy + Duration::hours(8));
        let week = start + Duration::hours(7 * 24 - 1);
        assert_eq!(limits.expiry(start, week), start + Duration::hours(7 * 24));
    }

    #[tokio::test]
    async fn the_dummy_hash_is_a_valid_argon2_hash() {
        // If it did not parse, unknown usernames would answer faster than known ones.
        use argon2::password_hash::PasswordHash;
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
