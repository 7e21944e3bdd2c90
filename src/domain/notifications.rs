//! Who hears what: the kinds of notification, how one goes out (e-mail or inbox only), and who is
//! told about a workflow action. Pure: `services::notifications` looks the recipients up and
//! `mail` queues and sends what these rules decide.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::case_terms::TeamRole;
use crate::domain::workflow::Action;

/// What a notification is about. Each kind has its templates in `templates/emails/<kind>/` and its
/// label `notify-kind-<kind>` in `locales/*/notify.ftl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A mediator was made lead (accept) or put on the team (assign).
    Assigned,
    /// A station escalated a case to the street hub: its coordinators.
    Escalated,
    /// The hub referred a case to a unit: that unit's mediators.
    Referred,
    /// Joint mediation: the mediators of each invited unit.
    Invited,
    /// The 15-day limit ends within three days: the lead mediator.
    DueSoon,
    /// The 15-day limit has passed without agreement: the lead mediator.
    Overdue,
    /// The follow-up visit (回访) of an agreement is due: the lead mediator.
    FollowUpDue,
    /// The 30 days to apply for judicial confirmation (人民调解法 art. 33) end within five days and
    /// no application is recorded: the lead mediator.
    ConfirmationNear,
    /// A subsidy period was approved: each mediator with items in it, with their total (no case).
    SubsidyApproved,
    /// The monthly report (月报) of the month before: the addresses an admin chose (no case).
    MonthlyReport,
    /// Someone applied online to a station (DESIGN §10): that station's mediators.
    AppliedOnline,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Assigned,
        Kind::Escalated,
        Kind::Referred,
        Kind::Invited,
        Kind::DueSoon,
        Kind::Overdue,
        Kind::FollowUpDue,
        Kind::ConfirmationNear,
        Kind::SubsidyApproved,
        Kind::MonthlyReport,
        Kind::AppliedOnline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Assigned => "assigned",
            Kind::Escalated => "escalated",
            Kind::Referred => "referred",
            Kind::Invited => "invited",
            Kind::DueSoon => "due_soon",
            Kind::Overdue => "overdue",
            Kind::FollowUpDue => "follow_up_due",
            Kind::ConfirmationNear => "confirmation_near",
            Kind::SubsidyApproved => "subsidy_approved",
            Kind::MonthlyReport => "monthly_report",
            Kind::AppliedOnline => "applied_online",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a notification of this kind is about one case (and links to it).
    pub fn about_a_case(self) -> bool {
        !matches!(self, Kind::SubsidyApproved | Kind::MonthlyReport)
    }

    /// Whether users choose to get it by e-mail (the monthly report goes to addresses an admin
    /// chose, not to accounts).
    pub fn user_may_choose(self) -> bool {
        self != Kind::MonthlyReport
    }
}

/// Whether a notification still has to go by e-mail, went, gave up, or never will.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting for the worker (possibly after failed tries).
    Pending,
    Sent,
    /// Given up after the last try (or an error that no retry can fix); admins may retry.
    Failed,
    /// Inbox only: the recipient has no address or does not want this kind by e-mail.
    Skipped,
}

impl EmailStatus {
    pub const ALL: [EmailStatus; 4] = [
        EmailStatus::Pending,
        EmailStatus::Sent,
        EmailStatus::Failed,
        EmailStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Pending => "pending",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
            EmailStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<EmailStatus> {
        EmailStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Someone to tell: an account (inbox, and e-mail when it has an address), or a mediator without
/// an account, reached by their mediator record's e-mail only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Option<i64>,
    pub name: String,
    pub email: Option<String>,
}

/// How a notification goes out: by e-mail when there is an address and the recipient has not
/// turned this kind off, else in the inbox only; `None` when it would reach nobody (no account to
/// show it to and no e-mail to send).
pub fn delivery(has_account: bool, has_address: bool, wants_email: bool) -> Option<EmailStatus> {
    let status = if has_address && wants_email {
        EmailStatus::Pending
    } else {
        EmailStatus::Skipped
    };
    (has_account || status == EmailStatus::Pending).then_some(status)
}

/// Whether a workflow action is announced at all (escalation, referral, accept, assign,
/// invitation); the others tell nobody.
pub fn announces(action: Action) -> bool {
    matches!(
        action,
        Action::Escalate | Action::Refer | Action::Accept | Action::Assign | Action::Invite
    )
}

/// Who hears about a workflow action, before anyone is looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The active coordinators of the case's street hub.
    HubCoordinators,
    /// Everyone reached through the active mediators of this unit.
    UnitMediators(i64),
    /// The mediator put on the team, in this role.
    Mediator { mediator_id: i64, role: TeamRole },
    /// The mediators of each invited unit, each told about their own unit.
    InvitedUnits(Vec<i64>),
}

/// Who hears about `action` and as what kind: escalation → the coordinators of the hub; referral →
/// the mediators of the unit it went to (`to.unit_id`, else the case's unit now); accept → the new
/// lead; assign → the mediator put on the team, in the role `to.role` names; invitation → the
/// mediators of each invited unit. `to` is the `to` object of the action's event; `Ok(None)` when
/// the action tells nobody (or names nobody to tell).
///
/// # Errors
/// An assignment whose event names a mediator but no role this code knows: the event is not what
/// the workflow writes, and guessing a role would tell the mediator something untrue.
pub fn audience_of(
    action: Action,
    to: &Value,
    current_unit_id: i64,
) -> Result<Option<(Kind, Audience)>, UnreadableEvent> {
    let id_of = |key: &str| to.get(key).and_then(Value::as_i64);
    Ok(match action {
        Action::Escalate => Some((Kind::Escalated, Audience::HubCoordinators)),
        Action::Refer => Some((
            Kind::Referred,
            Audience::UnitMediators(id_of("unit_id").unwrap_or(current_unit_id)),
        )),
        Action::Accept => id_of("lead_mediator_id").map(|mediator_id| {
            (
                Kind::Assigned,
                Audience::Mediator {
                    mediator_id,
                    role: TeamRole::Lead,
                },
            )
        }),
        Action::Assign => match id_of("mediator_id") {
            None => None,
            Some(mediator_id) => {
                let role = to.get("role").and_then(Value::as_str);
                let role = role
                    .and_then(TeamRole::parse)
                    .ok_or_else(|| UnreadableEvent {
                        field: "role",
                        value: role.unwrap_or_default().to_owned(),
                    })?;
                Some((Kind::Assigned, Audience::Mediator { mediator_id, role }))
            }
        },
        Action::Invite => {
            let unit_ids = to
                .get("invited_unit_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default();
            Some((Kind::Invited, Audience::InvitedUnits(unit_ids)))
        }
        _ => None,
    })
}

/// A recorded event whose `to` object holds a value this code does not know.
#[derive(Debug, PartialEq, Eq)]
pub struct UnreadableEvent {
    pub field: &'static str,
    pub value: String,
}

/// Whether `recipient` is told about an action of `actor_id`: never the actor, and nobody twice
/// (`told` are those already told about it).
pub fn should_tell(recipient: &Recipient, actor_id: i64, told: &[Recipient]) -> bool {
    recipient.user_id != Some(actor_id) && !told.contains(recipient)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn account(id: i64) -> Recipient {
        Recipient {
            user_id: Some(id),
            name: format!("user {id}"),
            email: None,
        }
    }

    #[test]
    fn an_escalation_goes_to_the_hub_coordinators() {
        assert_eq!(
            audience_of(Action::Escalate, &Value::Null, 7),
            Ok(Some((Kind::Escalated, Audience::HubCoordinators)))
        );
    }

    #[test]
    fn a_referral_goes_to_the_unit_it_went_to_or_else_the_cases_unit() {
        assert_eq!(
            audience_of(Action::Refer, &json!({"unit_id": 12}), 7),
            Ok(Some((Kind::Referred, Audience::UnitMediators(12))))
        );
        assert_eq!(
            audience_of(Action::Refer, &Value::Null, 7),
            Ok(Some((Kind::Referred, Audience::UnitMediators(7))))
        );
    }

    #[test]
    fn accept_tells_the_new_lead_and_assign_the_mediator_in_their_role_which_must_be_readable() {
        assert_eq!(
            audience_of(Action::Accept, &json!({"lead_mediator_id": 3}), 7),
            Ok(Some((
                Kind::Assigned,
                Audience::Mediator {
                    mediator_id: 3,
                    role: TeamRole::Lead
                }
            )))
        );
        assert_eq!(
            audience_of(
                Action::Assign,
                &json!({"mediator_id": 4, "role": "apprentice"}),
                7
            ),
            Ok(Some((
                Kind::Assigned,
                Audience::Mediator {
                    mediator_id: 4,
                    role: TeamRole::Apprentice
                }
            )))
        );
        assert_eq!(
            audience_of(Action::Assign, &json!({"mediator_id": 4, "role": "??"}), 7),
            Err(UnreadableEvent {
                field: "role",
                value: "??".into()
            })
        );
        assert_eq!(
            audience_of(Action::Assign, &json!({"mediator_id": 4}), 7),
            Err(UnreadableEvent {
                field: "role",
                value: String::new()
            })
        );
    }

    #[test]
    fn an_accept_or_assign_that_names_nobody_tells_nobody() {
        assert_eq!(audience_of(Action::Accept, &json!({}), 7), Ok(None));
        assert_eq!(audience_of(Action::Assign, &Value::Null, 7), Ok(None));
    }

    #[test]
    fn an_invitation_goes_to_each_invited_unit() {
        assert_eq!(
            audience_of(Action::Invite, &json!({"invited_unit_ids": [5, 6]}), 7),
            Ok(Some((Kind::Invited, Audience::InvitedUnits(vec![5, 6]))))
        );
    }

    #[test]
    fn other_actions_are_not_announced() {
        for action in Action::ALL {
            assert_eq!(
                announces(action),
                audience_of(
                    action,
                    &json!({"lead_mediator_id": 1, "mediator_id": 1, "role": "co"}),
                    7
                )
                .is_ok_and(|a| a.is_some()),
                "{action:?}"
            );
        }
    }

    #[test]
    fn the_actor_is_never_told_and_nobody_is_told_twice() {
        assert!(!should_tell(&account(1), 1, &[]));
        assert!(should_tell(&account(2), 1, &[]));
        assert!(!should_tell(&account(2), 1, &[account(2)]));
    }

    #[test]
    fn a_notification_goes_by_email_only_with_an_address_that_wants_it() {
        assert_eq!(delivery(true, true, true), Some(EmailStatus::Pending));
        assert_eq!(delivery(true, true, false), Some(EmailStatus::Skipped));
        assert_eq!(delivery(true, false, true), Some(EmailStatus::Skipped));
        assert_eq!(delivery(false, true, true), Some(EmailStatus::Pending));
        assert_eq!(delivery(false, false, true), None);
        assert_eq!(delivery(false, true, false), None);
    }
}
