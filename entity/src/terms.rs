//! The stored vocabulary: each column that holds a term (a grade, a status, a role…) is one of these
//! active enums, so a row with a value outside the list fails to load instead of being guessed at.
//!
//! The strings are those the migrations' `VARCHAR` columns already hold (no data migration). The
//! domain has its own enum for each term (the rules do not know sea-orm); the main crate converts
//! between the two by exhaustive match and tests that both spell every value the same way.

use sea_orm::entity::prelude::*;

/// `cases.grade`, `subsidy_items.grade`, `subsidy_rates.grade` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Grade {
    #[sea_orm(string_value = "simple")]
    Simple,
    #[sea_orm(string_value = "ordinary")]
    Ordinary,
    #[sea_orm(string_value = "complex")]
    Complex,
    #[sea_orm(string_value = "major")]
    Major,
}

/// `cases.status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CaseStatus {
    #[sea_orm(string_value = "registered")]
    Registered,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "mediating")]
    Mediating,
    #[sea_orm(string_value = "agreed")]
    Agreed,
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// `users.role` (`VARCHAR(32)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum UserRole {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "coordinator")]
    Coordinator,
    #[sea_orm(string_value = "mediator")]
    Mediator,
    #[sea_orm(string_value = "finance")]
    Finance,
    #[sea_orm(string_value = "viewer")]
    Viewer,
}

/// `subsidy_periods.kind` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SubsidyPeriodKind {
    #[sea_orm(string_value = "month")]
    Month,
    #[sea_orm(string_value = "quarter")]
    Quarter,
}

/// `subsidy_periods.status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SubsidyPeriodStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "paid")]
    Paid,
}

/// `mentorships.status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MentorshipStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "graduated")]
    Graduated,
    #[sea_orm(string_value = "ended")]
    Ended,
}

/// `cases.outcome` (`VARCHAR(16)`, empty while the case is open).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Outcome {
    #[sea_orm(string_value = "resolved")]
    Resolved,
    #[sea_orm(string_value = "failed")]
    Failed,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// `cases.dispute_type` (`VARCHAR(32)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum DisputeType {
    #[sea_orm(string_value = "wage_arrears")]
    WageArrears,
    #[sea_orm(string_value = "work_injury")]
    WorkInjury,
    #[sea_orm(string_value = "social_insurance")]
    SocialInsurance,
    #[sea_orm(string_value = "contract_termination")]
    ContractTermination,
    #[sea_orm(string_value = "economic_compensation")]
    EconomicCompensation,
    #[sea_orm(string_value = "overtime")]
    Overtime,
    #[sea_orm(string_value = "platform_work")]
    PlatformWork,
    #[sea_orm(string_value = "other")]
    Other,
}

/// `cases.source` (`VARCHAR(32)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Source {
    #[sea_orm(string_value = "walk_in")]
    WalkIn,
    #[sea_orm(string_value = "hotline_12351")]
    Hotline12351,
    #[sea_orm(string_value = "online")]
    Online,
    #[sea_orm(string_value = "court_referral")]
    CourtReferral,
    #[sea_orm(string_value = "police_referral")]
    PoliceReferral,
    #[sea_orm(string_value = "petition_referral")]
    PetitionReferral,
    #[sea_orm(string_value = "labour_inspection")]
    LabourInspection,
    #[sea_orm(string_value = "other")]
    Other,
}

/// `case_assignments.role`, `subsidy_items.team_role` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TeamRole {
    #[sea_orm(string_value = "lead")]
    Lead,
    #[sea_orm(string_value = "co")]
    Co,
    #[sea_orm(string_value = "apprentice")]
    Apprentice,
}

/// `case_parties.role` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PartyRole {
    #[sea_orm(string_value = "applicant")]
    Applicant,
    #[sea_orm(string_value = "respondent")]
    Respondent,
    #[sea_orm(string_value = "third_party")]
    ThirdParty,
}

/// `case_parties.kind` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PartyKind {
    #[sea_orm(string_value = "person")]
    Person,
    #[sea_orm(string_value = "organisation")]
    Organisation,
}

/// `units.kind` (`VARCHAR(32)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum UnitKind {
    #[sea_orm(string_value = "street_hub")]
    StreetHub,
    #[sea_orm(string_value = "village_station")]
    VillageStation,
    #[sea_orm(string_value = "specialist_room")]
    SpecialistRoom,
    #[sea_orm(string_value = "mentor_workstation")]
    MentorWorkstation,
}

/// `units.department` (`VARCHAR(32)`, empty for every unit but a specialist room).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Department {
    #[sea_orm(string_value = "police")]
    Police,
    #[sea_orm(string_value = "admin_enforcement")]
    AdminEnforcement,
    #[sea_orm(string_value = "market_supervision")]
    MarketSupervision,
    #[sea_orm(string_value = "labour_inspection")]
    LabourInspection,
    #[sea_orm(string_value = "court")]
    Court,
    #[sea_orm(string_value = "legal_aid")]
    LegalAid,
    #[sea_orm(string_value = "other")]
    Other,
}

/// `case_sessions.outcome` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SessionOutcome {
    #[sea_orm(string_value = "continue")]
    Continue,
    #[sea_orm(string_value = "agreement")]
    Agreement,
    #[sea_orm(string_value = "no_agreement")]
    NoAgreement,
    #[sea_orm(string_value = "adjourned")]
    Adjourned,
}

/// `mediators.employment` (`VARCHAR(32)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Employment {
    #[sea_orm(string_value = "full_time")]
    FullTime,
    #[sea_orm(string_value = "part_time")]
    PartTime,
}

/// `cases.grade_source` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum GradeSource {
    #[sea_orm(string_value = "auto")]
    Auto,
    #[sea_orm(string_value = "manual")]
    Manual,
}

/// `attachments.kind` (`VARCHAR(32)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum AttachmentKind {
    #[sea_orm(string_value = "evidence")]
    Evidence,
    #[sea_orm(string_value = "id")]
    Id,
    #[sea_orm(string_value = "pay_slip")]
    PaySlip,
    #[sea_orm(string_value = "agreement_photo")]
    AgreementPhoto,
    #[sea_orm(string_value = "other")]
    Other,
}

/// `subsidy_items.kind` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SubsidyItemKind {
    #[sea_orm(string_value = "award")]
    Award,
    #[sea_orm(string_value = "adjustment")]
    Adjustment,
}

/// `calendar_days.kind` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DayKind {
    #[sea_orm(string_value = "holiday")]
    Holiday,
    #[sea_orm(string_value = "workday")]
    Workday,
}

/// `warnings.kind` (`VARCHAR(24)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum WarningKind {
    #[sea_orm(string_value = "respondent_repeat")]
    RespondentRepeat,
    #[sea_orm(string_value = "applicant_return")]
    ApplicantReturn,
    #[sea_orm(string_value = "station_surge")]
    StationSurge,
    #[sea_orm(string_value = "collective_forming")]
    CollectiveForming,
}

/// `warnings.status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WarningStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// `warning_actions.kind` (`VARCHAR(16)`): what a coordinator recorded, or the system's reopening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WarningEntryKind {
    #[sea_orm(string_value = "note")]
    Note,
    #[sea_orm(string_value = "close")]
    Close,
    #[sea_orm(string_value = "reopened")]
    Reopened,
}

/// `notifications.email_status` (`VARCHAR(16)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EmailStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "failed")]
    Failed,
    #[sea_orm(string_value = "skipped")]
    Skipped,
}

/// A status compares equal to its stored name, so that a check over rows read back (the mail
/// tests' `row.email_status == "sent"`) reads as the column does.
impl PartialEq<&str> for EmailStatus {
    fn eq(&self, other: &&str) -> bool {
        self.to_value() == *other
    }
}

/// `case_events.kind` (`VARCHAR(32)`): a workflow action, or a record that is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum CaseEventKind {
    #[sea_orm(string_value = "intake")]
    Intake,
    #[sea_orm(string_value = "edit_details")]
    EditDetails,
    #[sea_orm(string_value = "group")]
    Group,
    #[sea_orm(string_value = "attachment")]
    Attachment,
    #[sea_orm(string_value = "instalment_paid")]
    InstalmentPaid,
    #[sea_orm(string_value = "judicial_confirmation")]
    JudicialConfirmation,
    #[sea_orm(string_value = "follow_up")]
    FollowUp,
    #[sea_orm(string_value = "accept")]
    Accept,
    #[sea_orm(string_value = "assign")]
    Assign,
    #[sea_orm(string_value = "unassign")]
    Unassign,
    #[sea_orm(string_value = "escalate")]
    Escalate,
    #[sea_orm(string_value = "refer")]
    Refer,
    #[sea_orm(string_value = "invite")]
    Invite,
    #[sea_orm(string_value = "record_session")]
    RecordSession,
    #[sea_orm(string_value = "record_agreement")]
    RecordAgreement,
    #[sea_orm(string_value = "close")]
    Close,
    #[sea_orm(string_value = "regrade")]
    Regrade,
    #[sea_orm(string_value = "confirm_grade")]
    ConfirmGrade,
    #[sea_orm(string_value = "extend")]
    Extend,
    #[sea_orm(string_value = "reopen")]
    Reopen,
}

/// `notifications.kind` (`VARCHAR(32)`): what a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum NotificationKind {
    #[sea_orm(string_value = "assigned")]
    Assigned,
    #[sea_orm(string_value = "escalated")]
    Escalated,
    #[sea_orm(string_value = "referred")]
    Referred,
    #[sea_orm(string_value = "invited")]
    Invited,
    #[sea_orm(string_value = "due_soon")]
    DueSoon,
    #[sea_orm(string_value = "overdue")]
    Overdue,
    #[sea_orm(string_value = "follow_up_due")]
    FollowUpDue,
    #[sea_orm(string_value = "confirmation_near")]
    ConfirmationNear,
    #[sea_orm(string_value = "subsidy_approved")]
    SubsidyApproved,
    #[sea_orm(string_value = "monthly_report")]
    MonthlyReport,
    #[sea_orm(string_value = "applied_online")]
    AppliedOnline,
}

/// `mediators.background` (`VARCHAR(32)`): where a mediator comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Background {
    #[sea_orm(string_value = "local_gentry")]
    LocalGentry,
    #[sea_orm(string_value = "retired_cadre")]
    RetiredCadre,
    #[sea_orm(string_value = "homeowner_committee")]
    HomeownerCommittee,
    #[sea_orm(string_value = "lawyer")]
    Lawyer,
    #[sea_orm(string_value = "social_org")]
    SocialOrg,
    #[sea_orm(string_value = "volunteer")]
    Volunteer,
    #[sea_orm(string_value = "civil_servant")]
    CivilServant,
    #[sea_orm(string_value = "other")]
    Other,
}

/// `mediator_events.kind` (`VARCHAR(32)`): what an event on a mediator's record records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RecordEventKind {
    #[sea_orm(string_value = "mentorship_started")]
    MentorshipStarted,
    #[sea_orm(string_value = "apprentice_taken")]
    ApprenticeTaken,
    #[sea_orm(string_value = "mentorship_graduated")]
    MentorshipGraduated,
    #[sea_orm(string_value = "apprentice_graduated")]
    ApprenticeGraduated,
    #[sea_orm(string_value = "gold_medal_awarded")]
    GoldMedalAwarded,
    #[sea_orm(string_value = "mentorship_ended")]
    MentorshipEnded,
}

/// `public_attempts.kind` (`VARCHAR(16)`): what a public attempt counted for the limits was. Only
/// the throttle of the public pages reads it, so it has no domain twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PublicAttemptKind {
    /// A progress look-up that found nothing.
    #[sea_orm(string_value = "track_failure")]
    TrackFailure,
    /// An online application.
    #[sea_orm(string_value = "application")]
    Application,
}
