//! The request and response shapes both surfaces share: the bodies a form and a JSON request fill
//! alike (each with its own checks, so a page and the API refuse the same input with the same
//! words), the queries of the lists, and the few answers both send (downloads). Pages name them
//! here, never in an API module; the OpenAPI describes them where the API declares its routes.

pub use super::api::calendar::{path_date, CalendarDayBody, DayInPath};
pub use super::api::case_records::{
    AgreementBody, ConfirmationBody, FollowUpBody, InstalmentBody, InstalmentPaidBody, SessionBody,
};
pub use super::api::cases::{ActionBody, CaseBody, CaseDetailsBody, CaseQuery, PartyBody};
pub use super::api::groups::GroupBody;
pub use super::api::ledger::{download as ledger_download, LedgerQuery};
pub use super::api::mediators::{MediatorBody, MediatorForm, MediatorOut};
pub use super::api::mentorships::{FinishBody, JointQuery, MentorshipBody, NewPair};
pub use super::api::public::{ApplicantBody, ApplicationBody, RespondentBody, TrackQuery};
pub use super::api::stats::StatsQuery;
pub use super::api::subsidy::{
    csv_response, xlsx_response, Deferred, LeadShareBody, PeriodBody, RateBody,
};
pub use super::api::units::{UnitBody, UnitForm, UnitOut, UnitQuery};
pub use super::api::users::{UserBody, UserForm, UserOut, UserQuery};
pub use super::api::warnings::{WarningActionBody, WarningSettingsBody, WarningsQuery};
