//! Stored terms ↔ domain terms. The entity's active enums say what a row may hold; the domain's enums
//! are what the rules use. Each pair converts both ways by exhaustive match, so a variant added on one
//! side only fails to compile, and the tests check that both sides spell every value the same way.
//!
//! Two enums per term rather than one because the domain is pure (no sea-orm, no `entity`) and the
//! `entity` crate cannot depend on this one; the conversion is the seam between them.

use entity::terms as stored;

use crate::domain::agreement::SessionOutcome;
use crate::domain::case_file::AttachmentKind;
use crate::domain::case_terms::{
    DisputeType, Grade, GradeSource, PartyKind, PartyRole, Source, TeamRole,
};
use crate::domain::clocks::DayKind;
use crate::domain::mentorship::{PairStatus, RecordEventKind};
use crate::domain::network::{Background, Department, Employment, UnitKind};
use crate::domain::notifications::{EmailStatus, Kind as NotificationKind};
use crate::domain::role::Role;
use crate::domain::subsidy::{ItemKind, PeriodKind, PeriodStatus};
use crate::domain::warnings::{WarningEntryKind, WarningKind, WarningStatus};
use crate::domain::workflow::{Action, EventKind, Outcome, Status};

/// `From` both ways between a domain enum and its stored twin, variant by variant.
macro_rules! same_term {
    ($domain:ident, $stored:ident { $($variant:ident),+ $(,)? }) => {
        impl From<stored::$stored> for $domain {
            fn from(value: stored::$stored) -> Self {
                match value {
                    $(stored::$stored::$variant => $domain::$variant,)+
                }
            }
        }

        impl From<$domain> for stored::$stored {
            fn from(value: $domain) -> Self {
                match value {
                    $($domain::$variant => stored::$stored::$variant,)+
                }
            }
        }
    };
}

same_term!(
    Grade,
    Grade {
        Simple,
        Ordinary,
        Complex,
        Major
    }
);
same_term!(
    Status,
    CaseStatus {
        Registered,
        Accepted,
        Mediating,
        Agreed,
        Closed
    }
);
same_term!(
    Role,
    UserRole {
        Admin,
        Coordinator,
        Mediator,
        Finance,
        Viewer
    }
);
same_term!(PeriodKind, SubsidyPeriodKind { Month, Quarter });
same_term!(
    PeriodStatus,
    SubsidyPeriodStatus {
        Draft,
        Approved,
        Paid
    }
);
same_term!(
    PairStatus,
    MentorshipStatus {
        Active,
        Graduated,
        Ended
    }
);
same_term!(
    Outcome,
    Outcome {
        Resolved,
        Failed,
        Withdrawn
    }
);
same_term!(
    DisputeType,
    DisputeType {
        WageArrears,
        WorkInjury,
        SocialInsurance,
        ContractTermination,
        EconomicCompensation,
        Overtime,
        PlatformWork,
        Other
    }
);
same_term!(
    Source,
    Source {
        WalkIn,
        Hotline12351,
        Online,
        CourtReferral,
        PoliceReferral,
        PetitionReferral,
        LabourInspection,
        Other
    }
);
same_term!(
    TeamRole,
    TeamRole {
        Lead,
        Co,
        Apprentice
    }
);
same_term!(
    PartyRole,
    PartyRole {
        Applicant,
        Respondent,
        ThirdParty
    }
);
same_term!(
    PartyKind,
    PartyKind {
        Person,
        Organisation
    }
);
same_term!(
    UnitKind,
    UnitKind {
        StreetHub,
        VillageStation,
        SpecialistRoom,
        MentorWorkstation
    }
);
same_term!(
    Department,
    Department {
        Police,
        AdminEnforcement,
        MarketSupervision,
        LabourInspection,
        Court,
        LegalAid,
        Other
    }
);
same_term!(
    SessionOutcome,
    SessionOutcome {
        Continue,
        Agreement,
        NoAgreement,
        Adjourned
    }
);
same_term!(Employment, Employment { FullTime, PartTime });
same_term!(GradeSource, GradeSource { Auto, Manual });
same_term!(
    AttachmentKind,
    AttachmentKind {
        Evidence,
        Id,
        PaySlip,
        AgreementPhoto,
        Other
    }
);
same_term!(ItemKind, SubsidyItemKind { Award, Adjustment });
same_term!(DayKind, DayKind { Holiday, Workday });
same_term!(
    WarningKind,
    WarningKind {
        RespondentRepeat,
        ApplicantReturn,
        StationSurge,
        CollectiveForming
    }
);
same_term!(WarningStatus, WarningStatus { Open, Closed });
same_term!(
    WarningEntryKind,
    WarningEntryKind {
        Note,
        Close,
        Reopened
    }
);
same_term!(
    EmailStatus,
    EmailStatus {
        Pending,
        Sent,
        Failed,
        Skipped
    }
);

same_term!(
    NotificationKind,
    NotificationKind {
        Assigned,
        Escalated,
        Referred,
        Invited,
        DueSoon,
        Overdue,
        FollowUpDue,
        ConfirmationNear,
        SubsidyApproved,
        MonthlyReport,
        AppliedOnline
    }
);

same_term!(
    Background,
    Background {
        LocalGentry,
        RetiredCadre,
        HomeownerCommittee,
        Lawyer,
        SocialOrg,
        Volunteer,
        CivilServant,
        Other
    }
);

same_term!(
    RecordEventKind,
    RecordEventKind {
        MentorshipStarted,
        ApprenticeTaken,
        MentorshipGraduated,
        ApprenticeGraduated,
        GoldMedalAwarded,
        MentorshipEnded
    }
);

/// The history's kinds are stored flat; the domain nests the workflow actions in them.
impl From<stored::CaseEventKind> for EventKind {
    fn from(value: stored::CaseEventKind) -> Self {
        use stored::CaseEventKind as S;
        match value {
            S::Intake => EventKind::Intake,
            S::EditDetails => EventKind::EditDetails,
            S::Group => EventKind::Group,
            S::Attachment => EventKind::Attachment,
            S::InstalmentPaid => EventKind::InstalmentPaid,
            S::JudicialConfirmation => EventKind::JudicialConfirmation,
            S::FollowUp => EventKind::FollowUp,
            S::Accept => Action::Accept.into(),
            S::Assign => Action::Assign.into(),
            S::Unassign => Action::Unassign.into(),
            S::Escalate => Action::Escalate.into(),
            S::Refer => Action::Refer.into(),
            S::Invite => Action::Invite.into(),
            S::RecordSession => Action::RecordSession.into(),
            S::RecordAgreement => Action::RecordAgreement.into(),
            S::Close => Action::Close.into(),
            S::Regrade => Action::Regrade.into(),
            S::ConfirmGrade => Action::ConfirmGrade.into(),
            S::Extend => Action::Extend.into(),
            S::Reopen => Action::Reopen.into(),
        }
    }
}

impl From<EventKind> for stored::CaseEventKind {
    fn from(value: EventKind) -> Self {
        use stored::CaseEventKind as S;
        match value {
            EventKind::Intake => S::Intake,
            EventKind::EditDetails => S::EditDetails,
            EventKind::Group => S::Group,
            EventKind::Attachment => S::Attachment,
            EventKind::InstalmentPaid => S::InstalmentPaid,
            EventKind::JudicialConfirmation => S::JudicialConfirmation,
            EventKind::FollowUp => S::FollowUp,
            EventKind::Action(action) => match action {
                Action::Accept => S::Accept,
                Action::Assign => S::Assign,
                Action::Unassign => S::Unassign,
                Action::Escalate => S::Escalate,
                Action::Refer => S::Refer,
                Action::Invite => S::Invite,
                Action::RecordSession => S::RecordSession,
                Action::RecordAgreement => S::RecordAgreement,
                Action::Close => S::Close,
                Action::Regrade => S::Regrade,
                Action::ConfirmGrade => S::ConfirmGrade,
                Action::Extend => S::Extend,
                Action::Reopen => S::Reopen,
            },
        }
    }
}

impl From<Action> for stored::CaseEventKind {
    fn from(action: Action) -> Self {
        EventKind::Action(action).into()
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    /// Every domain value has a stored twin spelled the same, and every stored value maps back.
    macro_rules! spelled_alike {
        ($test:ident, $domain:ident, $stored:ident) => {
            #[test]
            fn $test() {
                for d in $domain::ALL {
                    let s = stored::$stored::from(d);
                    assert_eq!(s.to_value(), d.as_str(), "{d:?}");
                    assert_eq!($domain::from(s), d);
                }
                assert_eq!(stored::$stored::iter().count(), $domain::ALL.len());
            }
        };
    }

    spelled_alike!(grades_are_stored_under_their_domain_names, Grade, Grade);
    spelled_alike!(
        case_statuses_are_stored_under_their_domain_names,
        Status,
        CaseStatus
    );
    spelled_alike!(
        user_roles_are_stored_under_their_domain_names,
        Role,
        UserRole
    );
    spelled_alike!(
        subsidy_period_kinds_are_stored_under_their_domain_names,
        PeriodKind,
        SubsidyPeriodKind
    );
    spelled_alike!(
        subsidy_period_statuses_are_stored_under_their_domain_names,
        PeriodStatus,
        SubsidyPeriodStatus
    );
    spelled_alike!(
        mentorship_statuses_are_stored_under_their_domain_names,
        PairStatus,
        MentorshipStatus
    );
    spelled_alike!(
        outcomes_are_stored_under_their_domain_names,
        Outcome,
        Outcome
    );
    spelled_alike!(
        dispute_types_are_stored_under_their_domain_names,
        DisputeType,
        DisputeType
    );
    spelled_alike!(sources_are_stored_under_their_domain_names, Source, Source);
    spelled_alike!(
        team_roles_are_stored_under_their_domain_names,
        TeamRole,
        TeamRole
    );
    spelled_alike!(
        party_roles_are_stored_under_their_domain_names,
        PartyRole,
        PartyRole
    );
    spelled_alike!(
        party_kinds_are_stored_under_their_domain_names,
        PartyKind,
        PartyKind
    );
    spelled_alike!(
        unit_kinds_are_stored_under_their_domain_names,
        UnitKind,
        UnitKind
    );
    spelled_alike!(
        departments_are_stored_under_their_domain_names,
        Department,
        Department
    );
    spelled_alike!(
        session_outcomes_are_stored_under_their_domain_names,
        SessionOutcome,
        SessionOutcome
    );
    spelled_alike!(
        employments_are_stored_under_their_domain_names,
        Employment,
        Employment
    );
    spelled_alike!(
        grade_sources_are_stored_under_their_domain_names,
        GradeSource,
        GradeSource
    );
    spelled_alike!(
        attachment_kinds_are_stored_under_their_domain_names,
        AttachmentKind,
        AttachmentKind
    );
    spelled_alike!(
        subsidy_item_kinds_are_stored_under_their_domain_names,
        ItemKind,
        SubsidyItemKind
    );
    spelled_alike!(
        calendar_day_kinds_are_stored_under_their_domain_names,
        DayKind,
        DayKind
    );
    spelled_alike!(
        warning_kinds_are_stored_under_their_domain_names,
        WarningKind,
        WarningKind
    );
    spelled_alike!(
        warning_statuses_are_stored_under_their_domain_names,
        WarningStatus,
        WarningStatus
    );
    spelled_alike!(
        warning_entry_kinds_are_stored_under_their_domain_names,
        WarningEntryKind,
        WarningEntryKind
    );
    spelled_alike!(
        email_statuses_are_stored_under_their_domain_names,
        EmailStatus,
        EmailStatus
    );

    spelled_alike!(
        notification_kinds_are_stored_under_their_domain_names,
        NotificationKind,
        NotificationKind
    );

    spelled_alike!(
        backgrounds_are_stored_under_their_domain_names,
        Background,
        Background
    );

    spelled_alike!(
        mediator_record_event_kinds_are_stored_under_their_domain_names,
        RecordEventKind,
        RecordEventKind
    );

    #[test]
    fn case_event_kinds_are_stored_under_their_domain_names() {
        for d in EventKind::all() {
            let s = stored::CaseEventKind::from(d);
            assert_eq!(s.to_value(), d.as_str(), "{d:?}");
            assert_eq!(EventKind::from(s), d);
        }
        assert_eq!(
            stored::CaseEventKind::iter().count(),
            EventKind::all().count()
        );
    }

    #[test]
    fn a_stored_email_status_equals_its_stored_name_only() {
        for d in EmailStatus::ALL {
            let s = stored::EmailStatus::from(d);
            assert!(s == d.as_str(), "{d:?}");
            assert!(s != "unknown", "{d:?}");
        }
    }
}
