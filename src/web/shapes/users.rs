//! The account's shapes: the body of the account pages and `/api/v1/users`, the page form, an
//! account as both show it, and the list's query.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::accounts::{Account, AccountEdit, NewUser, UserChanges, UserFilter};
use crate::services::command::{Command, Patch};
use crate::web::extract::{loose_version, optional_text, Checker, Loose};

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct UserBody {
    #[validate(length(max = 64))]
    pub username: Option<String>,
    /// The name shown in the pages; the username when absent.
    #[validate(length(max = 100))]
    pub display_name: Option<String>,
    /// At least 10 characters, not all digits, not the username, not a common password.
    #[serde(skip_serializing)]
    pub password: Option<String>,
    /// `admin`, `coordinator`, `mediator`, `finance` or `viewer`.
    pub role: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Loose>,
    #[schema(value_type = Option<i64>)]
    pub mediator_id: Option<Loose>,
    #[validate(email, length(max = 254))]
    pub email: Option<String>,
    #[schema(value_type = Option<bool>)]
    pub active: Option<Loose>,
    #[schema(value_type = Option<i32>)]
    pub version: Option<Loose>,
}

impl UserBody {
    pub fn from_model(u: &Account) -> UserBody {
        UserBody {
            username: Some(u.username.clone()),
            display_name: Some(u.display_name.clone()),
            password: None,
            role: Some(Role::from(u.role).as_str().to_owned()),
            unit_id: u.unit_id.map(Loose::Int),
            mediator_id: u.mediator_id.map(Loose::Int),
            email: u.email.clone(),
            active: Some(Loose::Bool(u.active)),
            version: Some(Loose::Int(i64::from(u.version))),
        }
    }

    pub fn overlay(self, p: UserBody) -> UserBody {
        UserBody {
            username: self.username,
            display_name: p.display_name.or(self.display_name),
            password: None,
            role: p.role.or(self.role),
            unit_id: p.unit_id.or(self.unit_id),
            mediator_id: p.mediator_id.or(self.mediator_id),
            email: p.email.or(self.email),
            active: p.active.or(self.active),
            version: p.version,
        }
    }

    fn checker(&self) -> Checker {
        let mut copy = self.clone();
        copy.email = optional_text(&self.email);
        Checker::validated(&copy)
    }

    /// # Errors
    /// 422 naming each invalid field (the password rule is checked by the service).
    pub fn check_new(&self) -> Result<NewUser, AppError> {
        let mut c = self.checker();
        let username = c.text("username", &self.username).to_lowercase();
        if !username.is_empty()
            && !username
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
        {
            c.add("username", crate::error::Message::key("err-username-chars"));
        }
        let password = c.text("password", &self.password);
        let role = c.choice("role", &self.role, Role::parse);
        let unit_id = c.optional_int("unit_id", &self.unit_id);
        let mediator_id = c.optional_int("mediator_id", &self.mediator_id);
        let input = NewUser {
            display_name: optional_text(&self.display_name).unwrap_or_else(|| username.clone()),
            username,
            password,
            role: role.unwrap_or(Role::Viewer),
            unit_id,
            mediator_id,
            email: optional_text(&self.email),
        };
        c.finish(input)
    }

    /// # Errors
    /// 422 naming each invalid field.
    pub fn check_changes(&self) -> Result<(UserChanges, bool, Option<i32>), AppError> {
        let mut c = self.checker();
        // Blank is the username, as on creation.
        let display_name = optional_text(&self.display_name)
            .or_else(|| optional_text(&self.username))
            .unwrap_or_else(|| c.text("display_name", &None));
        let role = c.choice("role", &self.role, Role::parse);
        let unit_id = c.optional_int("unit_id", &self.unit_id);
        let mediator_id = c.optional_int("mediator_id", &self.mediator_id);
        let active = match &self.active {
            None => true,
            some => c.flag("active", some),
        };
        let version = c.optional_int("version", &self.version).map(|v| v as i32);
        let changes = UserChanges {
            display_name,
            role: role.unwrap_or(Role::Viewer),
            unit_id,
            mediator_id,
            email: optional_text(&self.email),
        };
        c.finish((changes, active, version))
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = Role)]
    pub role: String,
    pub unit_id: Option<i64>,
    pub mediator_id: Option<i64>,
    pub email: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

impl From<Account> for UserOut {
    fn from(u: Account) -> UserOut {
        UserOut {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: Role::from(u.role).as_str().to_owned(),
            unit_id: u.unit_id,
            mediator_id: u.mediator_id,
            email: u.email,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
        }
    }
}

/// `POST /users` and the new-account form: every field as sent.
impl Command for UserBody {
    type Params = NewUser;

    fn version(&self) -> Option<i32> {
        None
    }

    fn params(self) -> Result<NewUser, AppError> {
        self.check_new()
    }
}

/// `PATCH /users/{id}`: what the patch leaves out keeps its value (the username never changes).
impl Patch<Account> for UserBody {
    type Params = AccountEdit;

    fn version(&self) -> Option<i32> {
        loose_version(&self.version)
    }

    fn params(self, current: &Account) -> Result<AccountEdit, AppError> {
        let (changes, active, _) = UserBody::from_model(current)
            .overlay(self)
            .check_changes()?;
        Ok(AccountEdit {
            changes,
            active: Some(active),
        })
    }
}

/// The account edit form of the pages: every field as sent, but it has no username (a blank name
/// is the account's username) and no active field (a button of its own).
pub struct UserForm(pub UserBody);

impl Patch<Account> for UserForm {
    type Params = AccountEdit;

    fn version(&self) -> Option<i32> {
        loose_version(&self.0.version)
    }

    fn params(self, current: &Account) -> Result<AccountEdit, AppError> {
        let body = UserBody {
            username: Some(current.username.clone()),
            active: None,
            ..self.0
        };
        let (changes, _, _) = body.check_changes()?;
        Ok(AccountEdit {
            changes,
            active: None,
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UserQuery {
    pub role: Option<String>,
    pub unit_id: Option<i64>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl UserQuery {
    /// # Errors
    /// 422 naming `role` when it is not a role.
    pub fn filter(&self) -> Result<UserFilter, AppError> {
        let mut c = Checker::default();
        let role = c.optional_choice("role", &self.role, Role::parse);
        c.finish(UserFilter {
            role,
            unit_id: self.unit_id,
            q: self.q.clone(),
        })
    }
}
