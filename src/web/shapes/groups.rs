//! The body that starts a group of related cases.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::AppError;
use crate::web::extract::{optional_text, Checker, Loose};

#[derive(Clone, Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
pub struct GroupBody {
    /// The case the group starts from.
    #[schema(value_type = Option<i64>)]
    pub case_id: Option<Loose>,
    #[validate(length(max = 200))]
    pub name: Option<String>,
    #[validate(length(max = 200))]
    pub respondent: Option<String>,
    #[validate(length(max = 2000))]
    pub claim: Option<String>,
}

impl GroupBody {
    /// # Errors
    /// 422 naming each invalid field.
    pub fn check(&self) -> Result<(i64, String, String, String), AppError> {
        let mut c = Checker::validated(self);
        let case_id = c.optional_int("case_id", &self.case_id);
        if case_id.is_none() {
            c.add("case_id", crate::error::Message::key("err-required"));
        }
        let name = c.text("name", &self.name);
        let respondent = c.text("respondent", &self.respondent);
        let claim = optional_text(&self.claim).unwrap_or_default();
        c.finish((case_id.unwrap_or_default(), name, respondent, claim))
    }
}
