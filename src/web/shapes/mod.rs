//! The request and response shapes both surfaces share: the bodies a form and a JSON request fill
//! alike (each with its own checks, so a page and the API refuse the same input with the same
//! words), the queries of the lists, and the few answers both send (downloads). They are defined
//! here, one file per area, and pages and the API both name them here; the API declares its routes
//! and the OpenAPI document that describes them in `api/`.

pub mod calendar;
pub mod case_records;
pub mod cases;
pub mod groups;
pub mod ledger;
pub mod mediators;
pub mod mentorships;
pub mod public;
pub mod stats;
pub mod subsidy;
pub mod units;
pub mod users;
pub mod warnings;

pub use calendar::{path_date, CalendarDayBody, DayInPath};
pub use case_records::{
    AgreementBody, ConfirmationBody, FollowUpBody, InstalmentBody, InstalmentPaidBody, SessionBody,
};
pub use cases::{ActionBody, CaseBody, CaseDetailsBody, CaseQuery, PartyBody};
pub use groups::GroupBody;
pub use ledger::{download as ledger_download, LedgerQuery};
pub use mediators::{MediatorBody, MediatorForm, MediatorOut};
pub use mentorships::{FinishBody, JointQuery, MentorshipBody, NewPair};
pub use public::{ApplicantBody, ApplicationBody, RespondentBody, TrackQuery};
pub use stats::StatsQuery;
pub use subsidy::{csv_response, xlsx_response, Deferred, LeadShareBody, PeriodBody, RateBody};
pub use units::{UnitBody, UnitForm, UnitOut, UnitQuery};
pub use users::{UserBody, UserForm, UserOut, UserQuery};
pub use warnings::{WarningActionBody, WarningSettingsBody, WarningsQuery};
