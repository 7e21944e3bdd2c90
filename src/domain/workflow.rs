//! Owns the case state machine: what each action does to the status, who may take it, and when.
//!
//! This is DESIGN §3 ("The case workflow") in code, and the only place it lives. One plain table,
//! [`RULES`], lists every (status, action) → (new status, who may, guard). Two readers use it:
//! [`decide`] answers a signed-in user's request, and [`apply`] rebuilds a status from recorded
//! events. Both find their row with the same lookup, so they cannot disagree.
//!
//! Order of checks in [`decide`], first failure answers (DESIGN §3: "role may not 403; stale
//! `version` 409; invalid parameters or transition 422"):
//! 1. **who** — may this role, in this relation to the case, take this action at all?
//!    No → [`Refusal::RoleMayNot`] (403). This does not look at the status: a mediator of another
//!    unit is told "not you", not "not now", whatever the case's status.
//! 2. **outcome** — `close` must say how it closes. Missing → [`Refusal::OutcomeRequired`] (422
//!    naming `outcome`).
//! 3. **from** — does the table have a row for this action (and outcome) from the current status?
//!    No → [`Refusal::NotNow`] (422).
//! 4. **guard** — does the row's condition hold (escalate only away from the hub, refer only at
//!    the hub, resolved only with an agreement and, for complex and major cases, a confirmed
//!    grade)? No → [`Refusal::NotNow`] (422).
//!
//! The stale-`version` check (409) sits between 1 and 2–4 in the API. Because [`decide`] is pure,
//! the service may call it first and answer in order: 403 for `RoleMayNot`, then compare
//! `version`, then 422 for the other refusals.
//!
//! Not this module's job: scope (404, who may see a case), stale versions, parameter validation
//! (`reason`, `lead_mediator_id`, `days`, "never unassign the lead", …), events and the database.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::role::Role;
use crate::domain::term::Term;
use crate::i18n::{self, Lang};

/// Where a case is in its life. Stored and sent as its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Registered,
    Accepted,
    Mediating,
    Agreed,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Registered,
        Status::Accepted,
        Status::Mediating,
        Status::Agreed,
        Status::Closed,
    ];

    /// Every status but `closed`: what DESIGN §3 calls "any open".
    pub const OPEN: [Status; 4] = [
        Status::Registered,
        Status::Accepted,
        Status::Mediating,
        Status::Agreed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Accepted => "accepted",
            Status::Mediating => "mediating",
            Status::Agreed => "agreed",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        self != Status::Closed
    }

    /// The statuses whose 15-day mediation clock runs: only these can be due soon or overdue.
    pub const RUNNING: [Status; 3] = [Status::Registered, Status::Accepted, Status::Mediating];

    pub fn clock_runs(self) -> bool {
        Status::RUNNING.contains(&self)
    }

    /// Where cases of this status come in a case list, before ordering by deadline (DESIGN §9:
    /// due soon and overdue first): running clocks, so overdue then due soon lead; then agreed
    /// cases; closed ones last.
    pub fn list_rank(self) -> i32 {
        match self {
            Status::Registered | Status::Accepted | Status::Mediating => 0,
            Status::Agreed => 1,
            Status::Closed => 2,
        }
    }
}

/// How a closed case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    Failed,
    Withdrawn,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Resolved, Outcome::Failed, Outcome::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Failed => "failed",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Something a user does to a case. `RecordSession` and `RecordAgreement` are not API actions:
/// they happen through `POST /cases/{id}/sessions` and `/agreement`, but they move the status, so
/// they belong in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accept,
    Assign,
    Unassign,
    Escalate,
    Refer,
    Invite,
    RecordSession,
    RecordAgreement,
    Close,
    Regrade,
    ConfirmGrade,
    Extend,
    Reopen,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::Accept,
        Action::Assign,
        Action::Unassign,
        Action::Escalate,
        Action::Refer,
        Action::Invite,
        Action::RecordSession,
        Action::RecordAgreement,
        Action::Close,
        Action::Regrade,
        Action::ConfirmGrade,
        Action::Extend,
        Action::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Assign => "assign",
            Action::Unassign => "unassign",
            Action::Escalate => "escalate",
            Action::Refer => "refer",
            Action::Invite => "invite",
            Action::RecordSession => "record_session",
            Action::RecordAgreement => "record_agreement",
            Action::Close => "close",
            Action::Regrade => "regrade",
            Action::ConfirmGrade => "confirm_grade",
            Action::Extend => "extend",
            Action::Reopen => "reopen",
        }
    }

    /// Whether `POST /cases/{id}/actions` takes this action by name.
    pub fn is_api(self) -> bool {
        !matches!(self, Action::RecordSession | Action::RecordAgreement)
    }

    /// Parses the `action` field of `POST /cases/{id}/actions`. Sessions and agreements have
    /// their own endpoints, so `record_session` and `record_agreement` are not accepted here.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| a.is_api())
            .find(|a| a.as_str() == s)
    }

    /// The action as the object of a sentence ("不能再…"), not its label (that is in the locale
    /// files): "指派调解员" reads as Chinese where the button's "指派" would not.
    fn task_zh(self) -> &'static str {
        match self {
            Action::Accept => "受理",
            Action::Assign => "指派调解员",
            Action::Unassign => "移出调解员",
            Action::Escalate => "上报街道",
            Action::Refer => "转办",
            Action::Invite => "邀请联合调处",
            Action::RecordSession => "记录调解笔录",
            Action::RecordAgreement => "记录调解协议",
            Action::Close => "结案",
            Action::Regrade => "调整等级",
            Action::ConfirmGrade => "确认等级",
            Action::Extend => "延期",
            Action::Reopen => "重新启动",
        }
    }

    fn task_en(self) -> &'static str {
        match self {
            Action::Accept => "accept the case",
            Action::Assign => "assign a mediator",
            Action::Unassign => "remove a mediator",
            Action::Escalate => "escalate the case to the street hub",
            Action::Refer => "refer the case",
            Action::Invite => "invite supporting units",
            Action::RecordSession => "record a mediation session",
            Action::RecordAgreement => "record an agreement",
            Action::Close => "close the case",
            Action::Regrade => "change the grade",
            Action::ConfirmGrade => "confirm the grade",
            Action::Extend => "extend the deadline",
            Action::Reopen => "reopen the case",
        }
    }
}

impl Term for Status {
    const LABEL_KEY: &'static str = "status";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for Outcome {
    const LABEL_KEY: &'static str = "outcome";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Term for Action {
    const LABEL_KEY: &'static str = "action";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// What a fact of a case's history (`case_events.kind`) records: a workflow action, or one of the
/// records and changes that are not actions. Its label shares the actions' keys (`action-<kind>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The case came in (at a station, online, or from a ledger).
    Intake,
    /// The case's details were edited.
    EditDetails,
    /// The case was put in (or taken out of) a collective group.
    Group,
    /// A file was attached.
    Attachment,
    /// An instalment of an agreement was recorded as paid.
    InstalmentPaid,
    /// An application for judicial confirmation was recorded.
    JudicialConfirmation,
    /// A follow-up visit (回访) was recorded.
    FollowUp,
    /// A workflow action.
    Action(Action),
}

impl EventKind {
    /// The kinds that are not workflow actions.
    pub const RECORDS: [EventKind; 7] = [
        EventKind::Intake,
        EventKind::EditDetails,
        EventKind::Group,
        EventKind::Attachment,
        EventKind::InstalmentPaid,
        EventKind::JudicialConfirmation,
        EventKind::FollowUp,
    ];

    /// Every kind: the records, then every action.
    pub fn all() -> impl Iterator<Item = EventKind> {
        EventKind::RECORDS
            .into_iter()
            .chain(Action::ALL.into_iter().map(EventKind::Action))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Intake => "intake",
            EventKind::EditDetails => "edit_details",
            EventKind::Group => "group",
            EventKind::Attachment => "attachment",
            EventKind::InstalmentPaid => "instalment_paid",
            EventKind::JudicialConfirmation => "judicial_confirmation",
            EventKind::FollowUp => "follow_up",
            EventKind::Action(action) => action.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::all().find(|k| k.as_str() == s)
    }
}

impl From<Action> for EventKind {
    fn from(action: Action) -> Self {
        EventKind::Action(action)
    }
}

impl Term for EventKind {
    const LABEL_KEY: &'static str = "action";

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// What the machine needs to know about the case; the caller reads it from the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CaseFacts {
    pub status: Status,
    /// The case's current unit is the street hub.
    pub at_street_hub: bool,
    /// A lead mediator is assigned.
    pub has_lead: bool,
    /// The grade is `complex` or `major`.
    pub grade_needs_confirmation: bool,
    pub grade_confirmed: bool,
    /// An agreement is on file and not superseded.
    pub has_agreement: bool,
}

/// What the machine needs to know about the user and their relation to the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActorFacts {
    pub role: Role,
    /// The user is a mediator whose unit is the case's current unit.
    pub at_current_unit: bool,
    /// The user is a mediator assigned to the case (lead, co or apprentice).
    pub is_assigned: bool,
    /// The user is the case's lead mediator.
    pub is_lead: bool,
}

/// The status a row leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum To {
    /// The status does not change (assign, regrade, …).
    Same,
    Status(Status),
}

impl To {
    fn resolve(self, from: Status) -> Status {
        match self {
            To::Same => from,
            To::Status(s) => s,
        }
    }
}

/// Whether a row moves the case to another unit. The services act on it (escalate ends the
/// assignments); [`replay`] uses it to rebuild where the case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Move {
    Stay,
    ToStreetHub,
    ToUnitUnderHub,
}

/// Who may take a row's action: DESIGN §3's "who" column. Interpreted only by `who_admits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    /// "mediator of the current unit, or coordinator"
    CurrentUnitMediatorOrCoordinator,
    /// "mediator of the current unit" (escalate: the coordinator refers instead)
    CurrentUnitMediator,
    /// "coordinator"
    Coordinator,
    /// "assigned mediators, or a coordinator entering the record"
    AssignedMediatorOrCoordinator,
    /// "lead or coordinator"
    LeadOrCoordinator,
    /// "the lead, a mediator of the current unit while nobody leads, or a coordinator"
    LeadOrLeaderlessUnitOrCoordinator,
}

/// A condition on the case beyond its status. Interpreted only by `guard_refusal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Guard {
    Always,
    /// The case is at a village station, specialist room or mentor workstation.
    NotAtStreetHub,
    AtStreetHub,
    /// An agreement is on file, and a complex or major grade has been confirmed.
    AgreementAndConfirmedGrade,
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    pub from: &'static [Status],
    pub action: Action,
    /// Only `close` rows have one: each outcome has its own `from` and guard.
    pub outcome: Option<Outcome>,
    pub to: To,
    pub moves: Move,
    pub who: Who,
    pub guard: Guard,
}

const REGISTERED: &[Status] = &[Status::Registered];
const ACCEPTED_OR_MEDIATING: &[Status] = &[Status::Accepted, Status::Mediating];
const BEFORE_AGREEMENT: &[Status] = &[Status::Registered, Status::Accepted, Status::Mediating];
const AGREED: &[Status] = &[Status::Agreed];
const OPEN: &[Status] = &Status::OPEN;
const ANY: &[Status] = &Status::ALL;
const CLOSED: &[Status] = &[Status::Closed];

/// DESIGN §3's table, row for row. For any (status, action, outcome) at most one row applies,
/// and all rows of one action share one `who` (both are tested).
pub const RULES: &[Rule] = &[
    Rule {
        from: REGISTERED,
        action: Action::Accept,
        outcome: None,
        to: To::Status(Status::Accepted),
        moves: Move::Stay,
        who: Who::CurrentUnitMediatorOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: ACCEPTED_OR_MEDIATING,
        action: Action::Assign,
        outcome: None,
        to: To::Same,
        moves: Move::Stay,
        who: Who::CurrentUnitMediatorOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: ACCEPTED_OR_MEDIATING,
        action: Action::Unassign,
        outcome: None,
        to: To::Same,
        moves: Move::Stay,
        who: Who::CurrentUnitMediatorOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: BEFORE_AGREEMENT,
        action: Action::Escalate,
        outcome: None,
        to: To::Status(Status::Registered),
        moves: Move::ToStreetHub,
        who: Who::CurrentUnitMediator,
        guard: Guard::NotAtStreetHub,
    },
    Rule {
        from: REGISTERED,
        action: Action::Refer,
        outcome: None,
        to: To::Status(Status::Registered),
        moves: Move::ToUnitUnderHub,
        who: Who::Coordinator,
        guard: Guard::AtStreetHub,
    },
    Rule {
        from: ACCEPTED_OR_MEDIATING,
        action: Action::Invite,
        outcome: None,
        to: To::Same,
        moves: Move::Stay,
        who: Who::Coordinator,
        guard: Guard::Always,
    },
    Rule {
        from: ACCEPTED_OR_MEDIATING,
        action: Action::RecordSession,
        outcome: None,
        to: To::Status(Status::Mediating),
        moves: Move::Stay,
        who: Who::AssignedMediatorOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: ACCEPTED_OR_MEDIATING,
        action: Action::RecordAgreement,
        outcome: None,
        to: To::Status(Status::Agreed),
        moves: Move::Stay,
        who: Who::AssignedMediatorOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: AGREED,
        action: Action::Close,
        outcome: Some(Outcome::Resolved),
        to: To::Status(Status::Closed),
        moves: Move::Stay,
        who: Who::LeadOrLeaderlessUnitOrCoordinator,
        guard: Guard::AgreementAndConfirmedGrade,
    },
    Rule {
        from: ACCEPTED_OR_MEDIATING,
        action: Action::Close,
        outcome: Some(Outcome::Failed),
        to: To::Status(Status::Closed),
        moves: Move::Stay,
        who: Who::LeadOrLeaderlessUnitOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: OPEN,
        action: Action::Close,
        outcome: Some(Outcome::Withdrawn),
        to: To::Status(Status::Closed),
        moves: Move::Stay,
        who: Who::LeadOrLeaderlessUnitOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: OPEN,
        action: Action::Regrade,
        outcome: None,
        to: To::Same,
        moves: Move::Stay,
        who: Who::LeadOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: ANY,
        action: Action::ConfirmGrade,
        outcome: None,
        to: To::Same,
        moves: Move::Stay,
        who: Who::Coordinator,
        guard: Guard::Always,
    },
    Rule {
        from: ACCEPTED_OR_MEDIATING,
        action: Action::Extend,
        outcome: None,
        to: To::Same,
        moves: Move::Stay,
        who: Who::LeadOrCoordinator,
        guard: Guard::Always,
    },
    Rule {
        from: CLOSED,
        action: Action::Reopen,
        outcome: None,
        to: To::Status(Status::Mediating),
        moves: Move::Stay,
        who: Who::Coordinator,
        guard: Guard::Always,
    },
];

/// A refusal's explanation: Chinese for the people at the counter, English for logs and API
/// clients. Maps onto `crate::error::Message::Text { zh, en }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub zh: String,
    pub en: String,
}

fn explain(zh: impl Into<String>, en: impl Into<String>) -> Explanation {
    Explanation {
        zh: zh.into(),
        en: en.into(),
    }
}

/// Why [`decide`] said no.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// This role, in this relation to the case, can never take this action here: 403.
    RoleMayNot(Explanation),
    /// `close` without an outcome: 422 naming `outcome`.
    OutcomeRequired(Explanation),
    /// Not from the current status, or a guard fails: 422.
    NotNow(Explanation),
}

impl Refusal {
    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::RoleMayNot(_) => 403,
            Refusal::OutcomeRequired(_) | Refusal::NotNow(_) => 422,
        }
    }

    /// The request field the refusal is about, for the `fields` of the API error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::OutcomeRequired(_) => Some("outcome"),
            Refusal::RoleMayNot(_) | Refusal::NotNow(_) => None,
        }
    }

    pub fn message(&self) -> &Explanation {
        match self {
            Refusal::RoleMayNot(m) | Refusal::OutcomeRequired(m) | Refusal::NotNow(m) => m,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().zh)
    }
}

impl std::error::Error for Refusal {}

/// The one lookup both [`decide`] and [`apply`] use: the row for this action (and, for close,
/// this outcome) from this status. Rows without an outcome ignore the one given.
pub fn rule_for(status: Status, action: Action, outcome: Option<Outcome>) -> Option<&'static Rule> {
    RULES.iter().find(|r| {
        r.action == action
            && r.from.contains(&status)
            && (r.outcome.is_none() || r.outcome == outcome)
    })
}

/// Decides whether `actor` may take `action` on `case` now, and if so returns the new status.
/// See the module documentation for the order of checks. `outcome` is read only for `close`,
/// where it is required.
pub fn decide(
    case: &CaseFacts,
    actor: &ActorFacts,
    action: Action,
    outcome: Option<Outcome>,
) -> Result<Status, Refusal> {
    // 1. Who, before anything about the status: "not you" must not depend on "not now".
    let mut rows = RULES.iter().filter(|r| r.action == action);
    let Some(first) = rows.clone().next() else {
        // Unreachable while every action has a row (tested), but better a refusal than a panic.
        return Err(Refusal::NotNow(explain(
            format!("系统不支持“{}”操作。", action.task_zh()),
            format!("The action {} is not supported.", action.as_str()),
        )));
    };
    if !rows.any(|r| who_admits(r.who, case, actor)) {
        return Err(role_may_not(first.who, action, actor.role));
    }

    // 2. Close must say how it closes.
    if action == Action::Close && outcome.is_none() {
        return Err(Refusal::OutcomeRequired(explain(
            "结案时须选择结案结果：调解成功、调解不成或撤回。",
            "Closing needs an outcome: resolved, failed or withdrawn.",
        )));
    }

    // 3. From the current status.
    let Some(rule) = rule_for(case.status, action, outcome) else {
        return Err(not_now(case.status, action, outcome));
    };
    // Rows of one action share their `who` (tested), so this repeats step 1; it stays so that
    // a future row with its own `who` cannot be let through by another row's.
    if !who_admits(rule.who, case, actor) {
        return Err(role_may_not(rule.who, action, actor.role));
    }

    // 4. The row's guard.
    if let Some(refusal) = guard_refusal(rule.guard, case) {
        return Err(refusal);
    }
    Ok(rule.to.resolve(case.status))
}

/// The status after `action` without any permission or guard check: for rebuilding a case from
/// its events, which were checked when they were recorded. A step the table does not have
/// (which a correct event log never contains) leaves the status as it was; [`replay`] reports
/// such steps instead.
pub fn apply(status: Status, action: Action, outcome: Option<Outcome>) -> Status {
    rule_for(status, action, outcome).map_or(status, |r| r.to.resolve(status))
}

/// The actions `actor` may take on `case` now, in [`Action::ALL`] order, for showing buttons.
/// Includes `RecordSession` and `RecordAgreement` (links to their forms); `close` is included
/// when at least one of [`available_outcomes`] is.
pub fn available_actions(case: &CaseFacts, actor: &ActorFacts) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|&action| {
            if action == Action::Close {
                !available_outcomes(case, actor).is_empty()
            } else {
                decide(case, actor, action, None).is_ok()
            }
        })
        .collect()
}

/// The outcomes `actor` may close `case` with now.
pub fn available_outcomes(case: &CaseFacts, actor: &ActorFacts) -> Vec<Outcome> {
    Outcome::ALL
        .into_iter()
        .filter(|&o| decide(case, actor, Action::Close, Some(o)).is_ok())
        .collect()
}

/// One recorded step, as replayed: the action, the outcome of a `close`, and whether the case
/// was at the street hub after it (for actions that do not move the case, where it already was).
pub type RecordedStep = (Action, Option<Outcome>, bool);

/// What [`replay`] rebuilds from a case's steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replayed {
    pub status: Status,
    /// The outcome of the last `close`; `None` while open (a `reopen` clears it).
    pub outcome: Option<Outcome>,
    /// Whether the case is at the street hub; `None` with no steps, since intake is not a step.
    pub at_street_hub: Option<bool>,
}

/// The first step of a log that the table does not allow from the state rebuilt before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayError {
    pub index: usize,
    pub status: Status,
    pub action: Action,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} ({}) is not allowed from {}",
            self.index,
            self.action.as_str(),
            self.status.as_str()
        )
    }
}

impl std::error::Error for ReplayError {}

/// Rebuilds status, outcome and hub location from a case's recorded steps, starting from
/// `registered` at its intake unit, with the same rows [`apply`] uses. Unlike [`apply`] it
/// refuses a log the table cannot explain: a step with no row from the rebuilt status, a hub
/// flag that contradicts the row's move, or an escalate/refer from the wrong side of the hub.
/// Facts that steps do not carry (leads, grades, agreements) are taken to have held when the
/// step was recorded.
pub fn replay(steps: &[RecordedStep]) -> Result<Replayed, ReplayError> {
    let mut state = Replayed {
        status: Status::Registered,
        outcome: None,
        at_street_hub: None,
    };
    for (index, &(action, outcome, to_hub)) in steps.iter().enumerate() {
        let error = ReplayError {
            index,
            status: state.status,
            action,
        };
        let Some(rule) = rule_for(state.status, action, outcome) else {
            return Err(error);
        };
        if let Some(at_hub) = state.at_street_hub {
            let assumed = CaseFacts {
                status: state.status,
                at_street_hub: at_hub,
                has_lead: true,
                grade_needs_confirmation: false,
                grade_confirmed: true,
                has_agreement: true,
            };
            if guard_refusal(rule.guard, &assumed).is_some() {
                return Err(error);
            }
        }
        let moved_consistently = match rule.moves {
            Move::ToStreetHub => to_hub,
            Move::ToUnitUnderHub => !to_hub,
            Move::Stay => state.at_street_hub.is_none_or(|at_hub| at_hub == to_hub),
        };
        if !moved_consistently {
            return Err(error);
        }
        state.status = rule.to.resolve(state.status);
        state.at_street_hub = Some(to_hub);
        match action {
            Action::Close => state.outcome = outcome,
            Action::Reopen => state.outcome = None,
            _ => {}
        }
    }
    Ok(state)
}

/// Reads the "who" column. Only mediators and coordinators ever act on cases: admins manage
/// units and accounts, finance and viewers only read, so their relation flags count for nothing.
fn who_admits(who: Who, case: &CaseFacts, actor: &ActorFacts) -> bool {
    let coordinator = actor.role == Role::Coordinator;
    let mediator = actor.role == Role::Mediator;
    let of_current_unit = mediator && actor.at_current_unit;
    let assigned = mediator && actor.is_assigned;
    let lead = mediator && actor.is_lead;
    match who {
        Who::CurrentUnitMediatorOrCoordinator => of_current_unit || coordinator,
        Who::CurrentUnitMediator => of_current_unit,
        Who::Coordinator => coordinator,
        Who::AssignedMediatorOrCoordinator => assigned || coordinator,
        Who::LeadOrCoordinator => lead || coordinator,
        Who::LeadOrLeaderlessUnitOrCoordinator => {
            lead || (of_current_unit && !case.has_lead) || coordinator
        }
    }
}

/// Reads the "notes" conditions that the status alone does not decide.
fn guard_refusal(guard: Guard, case: &CaseFacts) -> Option<Refusal> {
    match guard {
        Guard::Always => None,
        Guard::NotAtStreetHub if case.at_street_hub => Some(Refusal::NotNow(explain(
            "案件已在街道协调中心，不需要再上报；协调中心可以受理或转办。",
            "The case is already at the street hub; the coordination centre can accept or refer it.",
        ))),
        Guard::NotAtStreetHub => None,
        Guard::AtStreetHub if !case.at_street_hub => Some(Refusal::NotNow(explain(
            "案件不在街道协调中心，不能转办；只有在街道协调中心待受理的案件才能转办。",
            "The case is not at the street hub; only cases awaiting acceptance at the hub can be referred.",
        ))),
        Guard::AtStreetHub => None,
        Guard::AgreementAndConfirmedGrade if !case.has_agreement => {
            Some(Refusal::NotNow(no_agreement_yet()))
        }
        Guard::AgreementAndConfirmedGrade
            if case.grade_needs_confirmation && !case.grade_confirmed =>
        {
            Some(Refusal::NotNow(explain(
                "疑难复杂和重大疑难案件须先由协调中心确认等级，才能以调解成功结案。",
                "Complex and major cases need their grade confirmed by the coordination centre before they can close as resolved.",
            )))
        }
        Guard::AgreementAndConfirmedGrade => None,
    }
}

fn no_agreement_yet() -> Explanation {
    explain(
        "尚未记录调解协议，不能以调解成功结案；请先记录调解协议。",
        "No agreement has been recorded, so the case cannot close as resolved; record the agreement first.",
    )
}

fn role_may_not(who: Who, action: Action, role: Role) -> Refusal {
    let task_zh = action.task_zh();
    let task_en = action.task_en();
    let m = match role {
        Role::Admin => explain(
            "管理员负责管理调解组织和账号，不办理案件；请由协调中心或调解员操作。",
            "Admins manage units and accounts and do not act on cases; ask the coordination centre or a mediator.",
        ),
        Role::Finance => explain(
            "财务人员不办理案件。",
            "Finance clerks do not act on cases.",
        ),
        Role::Viewer => explain(
            "只读账号不能办理案件。",
            "Read-only accounts do not act on cases.",
        ),
        Role::Coordinator | Role::Mediator => match who {
            Who::CurrentUnitMediatorOrCoordinator => explain(
                format!("只有案件所在调解组织的调解员或协调中心可以{task_zh}。"),
                format!("Only a mediator of the unit the case is at, or the coordination centre, may {task_en}."),
            ),
            Who::CurrentUnitMediator => explain(
                format!("只有案件所在调解组织的调解员可以{task_zh}。"),
                format!("Only a mediator of the unit the case is at may {task_en}."),
            ),
            Who::Coordinator => explain(
                format!("只有协调中心可以{task_zh}。"),
                format!("Only the coordination centre may {task_en}."),
            ),
            Who::AssignedMediatorOrCoordinator => explain(
                format!("只有参与本案的调解员或协调中心可以{task_zh}。"),
                format!("Only a mediator assigned to the case, or the coordination centre, may {task_en}."),
            ),
            Who::LeadOrCoordinator => explain(
                format!("只有本案的主办调解员或协调中心可以{task_zh}。"),
                format!("Only the case's lead mediator or the coordination centre may {task_en}."),
            ),
            Who::LeadOrLeaderlessUnitOrCoordinator => explain(
                format!("只有本案的主办调解员或协调中心可以{task_zh}；尚未指定主办调解员时，案件所在调解组织的调解员也可以。"),
                format!("Only the case's lead mediator or the coordination centre may {task_en}; while nobody leads the case, a mediator of the unit it is at may too."),
            ),
        },
    };
    Refusal::RoleMayNot(m)
}

/// Explains why the table has no row for this action from this status, in the terms of what the
/// user can do next.
fn not_now(status: Status, action: Action, outcome: Option<Outcome>) -> Refusal {
    let task_zh = action.task_zh();
    let task_en = action.task_en();
    let m = match (status, action, outcome) {
        (Status::Closed, Action::Close, _) => explain(
            "案件已经结案；如需继续，请协调中心重新启动案件。",
            "The case is already closed; to continue, the coordination centre must reopen it.",
        ),
        (Status::Closed, _, _) => explain(
            format!("案件已结案，不能再{task_zh}；如需继续，请协调中心重新启动案件。"),
            format!("The case is closed, so no one can {task_en} any more; to continue, the coordination centre must reopen it."),
        ),
        (_, Action::Reopen, _) => explain(
            "案件尚未结案，不需要重新启动。",
            "The case is still open; only a closed case can be reopened.",
        ),
        (_, Action::Accept, _) => explain(
            "案件已经受理，不能重复受理。",
            "The case has already been accepted.",
        ),
        (_, Action::Refer, _) => explain(
            format!("只有待受理的案件才能转办，本案目前为“{}”。", i18n::label(Lang::Zh, status)),
            format!("Only a case awaiting acceptance can be referred; this case is {}.", status.as_str()),
        ),
        (_, Action::Close, Some(Outcome::Resolved)) => no_agreement_yet(),
        (Status::Registered, Action::Close, Some(Outcome::Failed)) => explain(
            "案件尚未受理，不能以调解不成结案；当事人不再要求调解的，请以撤回结案。",
            "The case has not been accepted, so it cannot close as failed; if the parties no longer want mediation, close it as withdrawn.",
        ),
        (Status::Agreed, Action::Close, Some(Outcome::Failed)) => explain(
            "案件已达成调解协议，不能以调解不成结案；协议履行后请以调解成功结案，当事人撤回的请以撤回结案。",
            "An agreement has been signed, so the case cannot close as failed; close it as resolved once the agreement is honoured, or as withdrawn if the parties withdraw.",
        ),
        (Status::Registered, _, _) => explain(
            format!("案件尚未受理，不能{task_zh}；请先受理案件并指定主办调解员。"),
            format!("The case has not been accepted yet, so no one can {task_en}; accept it and name a lead mediator first."),
        ),
        (Status::Agreed, _, _) => explain(
            format!("案件已达成调解协议，不能再{task_zh}；协议履行后请以调解成功结案。"),
            format!("An agreement has been signed, so no one can {task_en} any more; close the case as resolved once the agreement is honoured."),
        ),
        _ => explain(
            format!("案件目前为“{}”，不能{task_zh}。", i18n::label(Lang::Zh, status)),
            format!("The case is {}, so no one can {task_en} now.", status.as_str()),
        ),
    };
    Refusal::NotNow(m)
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_event_kind_has_its_own_name_that_reads_back() {
        use super::{Action, EventKind};
        let names: std::collections::BTreeSet<&str> =
            EventKind::all().map(EventKind::as_str).collect();
        assert_eq!(names.len(), EventKind::RECORDS.len() + Action::ALL.len());
        for kind in EventKind::all() {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            EventKind::parse("record_session"),
            Some(EventKind::Action(Action::RecordSession))
        );
        assert_eq!(EventKind::parse("retired"), None);
    }

    #[test]
    fn a_case_list_puts_running_clocks_first_and_closed_cases_last() {
        let mut statuses = Status::ALL.to_vec();
        statuses.reverse();
        statuses.sort_by_key(|s| s.list_rank());
        assert!(statuses[..3].iter().all(|s| s.clock_runs()));
        assert_eq!(statuses[3..], [Status::Agreed, Status::Closed]);
        assert!(Status::ALL
            .iter()
            .all(|s| s.clock_runs() == (s.list_rank() == 0)));
    }
    use std::collections::{HashMap, HashSet};

    use proptest::prelude::*;

    use super::*;

    const OUTCOME_CHOICES: [Option<Outcome>; 4] = [
        None,
        Some(Outcome::Resolved),
        Some(Outcome::Failed),
        Some(Outcome::Withdrawn),
    ];

    /// A case in `status` at a village station, simple grade, with a lead once accepted and an
    /// agreement once agreed: the ordinary path. Tests change what they are about.
    fn case(status: Status) -> CaseFacts {
        CaseFacts {
            status,
            at_street_hub: false,
            has_lead: status != Status::Registered,
            grade_needs_confirmation: false,
            grade_confirmed: false,
            has_agreement: matches!(status, Status::Agreed | Status::Closed),
        }
    }

    fn actor(role: Role, at_current_unit: bool, is_assigned: bool, is_lead: bool) -> ActorFacts {
        ActorFacts {
            role,
            at_current_unit,
            is_assigned,
            is_lead,
        }
    }

    fn coordinator() -> ActorFacts {
        actor(Role::Coordinator, false, false, false)
    }

    /// A mediator of the case's current unit, not (yet) on the case.
    fn unit_mediator() -> ActorFacts {
        actor(Role::Mediator, true, false, false)
    }

    fn lead() -> ActorFacts {
        actor(Role::Mediator, true, true, true)
    }

    fn co_mediator() -> ActorFacts {
        actor(Role::Mediator, true, true, false)
    }

    /// Assigned for joint mediation from another unit.
    fn joint_mediator() -> ActorFacts {
        actor(Role::Mediator, false, true, false)
    }

    fn other_unit_mediator() -> ActorFacts {
        actor(Role::Mediator, false, false, false)
    }

    fn is_role_may_not(r: &Result<Status, Refusal>) -> bool {
        matches!(r, Err(Refusal::RoleMayNot(_)))
    }

    fn is_not_now(r: &Result<Status, Refusal>) -> bool {
        matches!(r, Err(Refusal::NotNow(_)))
    }

    fn zh(r: &Result<Status, Refusal>) -> String {
        match r {
            Ok(s) => format!("ok: {}", s.as_str()),
            Err(refusal) => refusal.message().zh.clone(),
        }
    }

    fn every_case() -> Vec<CaseFacts> {
        let mut out = Vec::new();
        for status in Status::ALL {
            for bits in 0..32u8 {
                out.push(CaseFacts {
                    status,
                    at_street_hub: bits & 1 != 0,
                    has_lead: bits & 2 != 0,
                    grade_needs_confirmation: bits & 4 != 0,
                    grade_confirmed: bits & 8 != 0,
                    has_agreement: bits & 16 != 0,
                });
            }
        }
        out
    }

    fn every_actor() -> Vec<ActorFacts> {
        let mut out = Vec::new();
        for role in Role::ALL {
            for bits in 0..8u8 {
                out.push(actor(role, bits & 1 != 0, bits & 2 != 0, bits & 4 != 0));
            }
        }
        out
    }

    /// Calls `check` with every combination of case facts, actor facts, action and outcome.
    fn for_every_situation(
        mut check: impl FnMut(&CaseFacts, &ActorFacts, Action, Option<Outcome>),
    ) {
        let actors = every_actor();
        for c in every_case() {
            for a in &actors {
                for action in Action::ALL {
                    for outcome in OUTCOME_CHOICES {
                        check(&c, a, action, outcome);
                    }
                }
            }
        }
    }

    // ---- names ----

    #[test]
    fn api_names_parse_back_but_session_and_agreement_records_do_not() {
        for action in Action::ALL {
            let parsed = Action::parse(action.as_str());
            if action.is_api() {
                assert_eq!(parsed, Some(action));
            } else {
                assert_eq!(
                    parsed,
                    None,
                    "{} must not be an API action",
                    action.as_str()
                );
            }
        }
        assert_eq!(Action::RecordSession.as_str(), "record_session");
        assert_eq!(Action::RecordAgreement.as_str(), "record_agreement");
        assert_eq!(Action::parse("Accept"), None);
        assert_eq!(Action::ALL.iter().filter(|a| a.is_api()).count(), 11);
    }

    #[test]
    fn statuses_and_outcomes_parse_back_from_their_names() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(Status::parse("open"), None);
        assert_eq!(Outcome::parse("success"), None);
    }

    #[test]
    fn serde_names_are_the_same_snake_case_names() {
        for a in Action::ALL {
            assert_eq!(
                serde_json::to_string(&a).ok(),
                Some(format!("\"{}\"", a.as_str()))
            );
        }
        for s in Status::ALL {
            assert_eq!(
                serde_json::to_string(&s).ok(),
                Some(format!("\"{}\"", s.as_str()))
            );
        }
        for o in Outcome::ALL {
            assert_eq!(
                serde_json::to_string(&o).ok(),
                Some(format!("\"{}\"", o.as_str()))
            );
        }
        let back: Action = serde_json::from_str("\"confirm_grade\"").expect("parses");
        assert_eq!(back, Action::ConfirmGrade);
    }

    #[test]
    fn chinese_labels_are_the_ones_in_the_design() {
        // The labels are the locale files' (issue 12 item 5); those of assign, unassign and the
        // two records are the buttons' and headings' wording there.
        let zh = |t| i18n::label(Lang::Zh, t);
        let actions: Vec<String> = Action::ALL.into_iter().map(zh).collect();
        assert_eq!(
            actions,
            [
                "受理",
                "指派调解员",
                "移出团队",
                "上报街道",
                "转办",
                "邀请联合调处",
                "调解笔录",
                "调解协议",
                "结案",
                "调整等级",
                "确认等级",
                "延期",
                "重新启动"
            ]
        );
        let statuses: Vec<String> = Status::ALL
            .into_iter()
            .map(|s| i18n::label(Lang::Zh, s))
            .collect();
        assert_eq!(
            statuses,
            ["待受理", "已受理", "调解中", "已达成协议", "已结案"]
        );
        let outcomes: Vec<String> = Outcome::ALL
            .into_iter()
            .map(|o| i18n::label(Lang::Zh, o))
            .collect();
        assert_eq!(outcomes, ["调解成功", "调解不成", "撤回"]);
    }

    // ---- the table itself ----

    #[test]
    fn every_action_has_a_row_and_all_rows_of_an_action_share_one_who() {
        for action in Action::ALL {
            let whos: HashSet<Who> = RULES
                .iter()
                .filter(|r| r.action == action)
                .map(|r| r.who)
                .collect();
            assert_eq!(whos.len(), 1, "{}", action.as_str());
        }
    }

    #[test]
    fn no_two_rows_apply_to_the_same_status_action_and_outcome() {
        for status in Status::ALL {
            for action in Action::ALL {
                for outcome in OUTCOME_CHOICES {
                    let n = RULES
                        .iter()
                        .filter(|r| {
                            r.action == action
                                && r.from.contains(&status)
                                && (r.outcome.is_none() || r.outcome == outcome)
                        })
                        .count();
                    assert!(
                        n <= 1,
                        "{} {} {:?}",
                        status.as_str(),
                        action.as_str(),
                        outcome
                    );
                }
            }
        }
    }

    #[test]
    fn only_close_rows_carry_an_outcome_and_each_outcome_has_its_row() {
        for r in RULES {
            assert_eq!(r.outcome.is_some(), r.action == Action::Close);
        }
        for o in Outcome::ALL {
            assert!(RULES.iter().any(|r| r.outcome == Some(o)));
        }
    }

    // ---- exhaustive invariants ----

    #[test]
    fn admins_finance_and_viewers_are_never_allowed_anything_and_always_told_it_is_their_role() {
        for_every_situation(|c, a, action, outcome| {
            if matches!(a.role, Role::Admin | Role::Finance | Role::Viewer) {
                let r = decide(c, a, action, outcome);
                assert!(is_role_may_not(&r), "{:?} {:?} {:?}", a, c, action);
            }
        });
    }

    #[test]
    fn nothing_leaves_closed_except_reopen_and_confirm_grade() {
        for_every_situation(|c, a, action, outcome| {
            if c.status != Status::Closed {
                return;
            }
            if let Ok(to) = decide(c, a, action, outcome) {
                match action {
                    Action::Reopen => assert_eq!(to, Status::Mediating),
                    Action::ConfirmGrade => assert_eq!(to, Status::Closed),
                    other => panic!("{} allowed on a closed case", other.as_str()),
                }
            }
        });
    }

    #[test]
    fn only_close_leads_into_closed() {
        for_every_situation(|c, a, action, outcome| {
            if let Ok(Status::Closed) = decide(c, a, action, outcome) {
                assert!(action == Action::Close || c.status == Status::Closed);
            }
        });
    }

    #[test]
    fn escalate_is_never_allowed_at_the_hub() {
        for_every_situation(|c, a, action, outcome| {
            if action == Action::Escalate && c.at_street_hub {
                assert!(decide(c, a, action, outcome).is_err());
            }
        });
    }

    #[test]
    fn refer_is_allowed_only_by_a_coordinator_from_registered_at_the_hub() {
        for_every_situation(|c, a, action, outcome| {
            if action == Action::Refer && decide(c, a, action, outcome).is_ok() {
                assert_eq!(c.status, Status::Registered);
                assert!(c.at_street_hub);
                assert_eq!(a.role, Role::Coordinator);
            }
        });
    }

    #[test]
    fn whatever_decide_allows_apply_also_does_and_to_the_same_status() {
        for_every_situation(|c, a, action, outcome| {
            if let Ok(to) = decide(c, a, action, outcome) {
                assert_eq!(apply(c.status, action, outcome), to);
                let rule = rule_for(c.status, action, outcome).expect("a row");
                assert!(rule.from.contains(&c.status));
            }
        });
    }

    #[test]
    fn whether_the_role_may_act_does_not_depend_on_the_status() {
        // Key: the actor, the action, the outcome, and whether someone leads (the only case fact
        // in a `who`). Value: whether the answer was "role may not".
        let mut seen: HashMap<(ActorFacts, Action, Option<Outcome>, bool), bool> = HashMap::new();
        for_every_situation(|c, a, action, outcome| {
            let role_may_not = is_role_may_not(&decide(c, a, action, outcome));
            let key = (*a, action, outcome, c.has_lead);
            let previous = *seen.entry(key).or_insert(role_may_not);
            assert_eq!(
                previous,
                role_may_not,
                "{:?} {} {:?}",
                a,
                action.as_str(),
                c
            );
        });
    }

    #[test]
    fn an_outcome_is_asked_for_exactly_when_an_allowed_closer_gives_none() {
        for_every_situation(|c, a, action, outcome| {
            let r = decide(c, a, action, outcome);
            let asked = matches!(r, Err(Refusal::OutcomeRequired(_)));
            let closer = !is_role_may_not(&decide(c, a, Action::Close, Some(Outcome::Withdrawn)));
            assert_eq!(
                asked,
                action == Action::Close && outcome.is_none() && closer
            );
        });
    }

    #[test]
    fn outcomes_other_than_for_close_are_ignored() {
        for_every_situation(|c, a, action, outcome| {
            if action != Action::Close {
                assert_eq!(decide(c, a, action, outcome), decide(c, a, action, None));
            }
        });
    }

    #[test]
    fn every_refusal_explains_itself_in_both_languages() {
        for_every_situation(|c, a, action, outcome| {
            if let Err(refusal) = decide(c, a, action, outcome) {
                let m = refusal.message();
                assert!(!m.zh.is_empty() && !m.en.is_empty());
                assert!(matches!(refusal.http_status(), 403 | 422));
                assert_eq!(refusal.to_string(), m.zh);
            }
        });
    }

    #[test]
    fn available_actions_and_outcomes_are_exactly_what_decide_allows() {
        let actors = every_actor();
        for c in every_case() {
            for a in &actors {
                let actions = available_actions(&c, a);
                let outcomes = available_outcomes(&c, a);
                for action in Action::ALL {
                    let allowed = if action == Action::Close {
                        !outcomes.is_empty()
                    } else {
                        decide(&c, a, action, None).is_ok()
                    };
                    assert_eq!(actions.contains(&action), allowed);
                }
                for o in Outcome::ALL {
                    let allowed = decide(&c, a, Action::Close, Some(o)).is_ok();
                    assert_eq!(outcomes.contains(&o), allowed);
                }
            }
        }
    }

    // ---- accept ----

    #[test]
    fn a_mediator_of_the_current_unit_may_accept_a_registered_case() {
        let r = decide(
            &case(Status::Registered),
            &unit_mediator(),
            Action::Accept,
            None,
        );
        assert_eq!(r, Ok(Status::Accepted));
    }

    #[test]
    fn a_coordinator_may_accept_a_registered_case() {
        let c = CaseFacts {
            at_street_hub: true,
            ..case(Status::Registered)
        };
        assert_eq!(
            decide(&c, &coordinator(), Action::Accept, None),
            Ok(Status::Accepted)
        );
    }

    #[test]
    fn a_mediator_of_another_unit_may_not_accept() {
        let r = decide(
            &case(Status::Registered),
            &other_unit_mediator(),
            Action::Accept,
            None,
        );
        assert!(is_role_may_not(&r));
        assert_eq!(r.as_ref().err().map(Refusal::http_status), Some(403));
    }

    #[test]
    fn an_admin_may_not_accept_even_a_case_at_the_hub() {
        let c = CaseFacts {
            at_street_hub: true,
            ..case(Status::Registered)
        };
        let r = decide(
            &c,
            &actor(Role::Admin, true, true, true),
            Action::Accept,
            None,
        );
        assert!(is_role_may_not(&r));
        assert!(zh(&r).contains("管理员"));
    }

    #[test]
    fn accepting_an_accepted_case_again_is_refused_as_not_now() {
        let r = decide(
            &case(Status::Accepted),
            &unit_mediator(),
            Action::Accept,
            None,
        );
        assert!(is_not_now(&r));
        assert_eq!(r.as_ref().err().map(Refusal::http_status), Some(422));
        assert_eq!(zh(&r), "案件已经受理，不能重复受理。");
    }

    // ---- assign / unassign ----

    #[test]
    fn a_mediator_of_the_current_unit_may_assign_and_unassign_while_accepted_or_mediating() {
        for status in [Status::Accepted, Status::Mediating] {
            for action in [Action::Assign, Action::Unassign] {
                assert_eq!(
                    decide(&case(status), &unit_mediator(), action, None),
                    Ok(status)
                );
                assert_eq!(
                    decide(&case(status), &coordinator(), action, None),
                    Ok(status)
                );
            }
        }
    }

    #[test]
    fn a_joint_mediator_from_another_unit_may_not_assign() {
        let r = decide(
            &case(Status::Mediating),
            &joint_mediator(),
            Action::Assign,
            None,
        );
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn assigning_before_acceptance_is_not_now() {
        let r = decide(
            &case(Status::Registered),
            &unit_mediator(),
            Action::Assign,
            None,
        );
        assert!(is_not_now(&r));
        assert!(zh(&r).contains("请先受理"));
    }

    #[test]
    fn assigning_on_a_closed_case_says_to_ask_the_coordination_centre_to_reopen() {
        let r = decide(&case(Status::Closed), &lead(), Action::Assign, None);
        assert!(is_not_now(&r));
        assert_eq!(
            zh(&r),
            "案件已结案，不能再指派调解员；如需继续，请协调中心重新启动案件。"
        );
    }

    #[test]
    fn unassigning_on_an_agreed_case_is_not_now() {
        let r = decide(
            &case(Status::Agreed),
            &coordinator(),
            Action::Unassign,
            None,
        );
        assert!(is_not_now(&r));
    }

    // ---- escalate ----

    #[test]
    fn a_mediator_of_a_village_station_may_escalate_to_the_street_hub() {
        for status in [Status::Registered, Status::Accepted, Status::Mediating] {
            let r = decide(&case(status), &unit_mediator(), Action::Escalate, None);
            assert_eq!(r, Ok(Status::Registered));
        }
        let rule = rule_for(Status::Mediating, Action::Escalate, None).expect("a row");
        assert_eq!(rule.moves, Move::ToStreetHub);
    }

    #[test]
    fn a_coordinator_may_not_escalate() {
        let r = decide(
            &case(Status::Accepted),
            &coordinator(),
            Action::Escalate,
            None,
        );
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn an_assigned_mediator_of_another_unit_may_not_escalate() {
        let r = decide(
            &case(Status::Mediating),
            &joint_mediator(),
            Action::Escalate,
            None,
        );
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn escalating_a_case_already_at_the_hub_is_not_now() {
        let c = CaseFacts {
            at_street_hub: true,
            ..case(Status::Accepted)
        };
        let r = decide(&c, &unit_mediator(), Action::Escalate, None);
        assert!(is_not_now(&r));
        assert!(zh(&r).contains("已在街道协调中心"));
    }

    #[test]
    fn escalating_an_agreed_case_is_not_now() {
        let r = decide(
            &case(Status::Agreed),
            &unit_mediator(),
            Action::Escalate,
            None,
        );
        assert!(is_not_now(&r));
    }

    // ---- refer ----

    #[test]
    fn a_coordinator_may_refer_a_registered_case_from_the_hub() {
        let c = CaseFacts {
            at_street_hub: true,
            ..case(Status::Registered)
        };
        assert_eq!(
            decide(&c, &coordinator(), Action::Refer, None),
            Ok(Status::Registered)
        );
        let rule = rule_for(Status::Registered, Action::Refer, None).expect("a row");
        assert_eq!(rule.moves, Move::ToUnitUnderHub);
    }

    #[test]
    fn a_mediator_at_the_hub_may_not_refer() {
        let c = CaseFacts {
            at_street_hub: true,
            ..case(Status::Registered)
        };
        assert!(is_role_may_not(&decide(
            &c,
            &unit_mediator(),
            Action::Refer,
            None
        )));
    }

    #[test]
    fn referring_a_case_that_is_not_at_the_hub_is_not_now() {
        let r = decide(
            &case(Status::Registered),
            &coordinator(),
            Action::Refer,
            None,
        );
        assert!(is_not_now(&r));
        assert!(zh(&r).contains("不在街道协调中心"));
    }

    #[test]
    fn referring_an_accepted_case_is_not_now() {
        let c = CaseFacts {
            at_street_hub: true,
            ..case(Status::Accepted)
        };
        let r = decide(&c, &coordinator(), Action::Refer, None);
        assert!(is_not_now(&r));
        assert!(zh(&r).contains("只有待受理的案件才能转办"));
    }

    // ---- invite ----

    #[test]
    fn only_a_coordinator_may_invite_supporting_units() {
        for status in [Status::Accepted, Status::Mediating] {
            assert_eq!(
                decide(&case(status), &coordinator(), Action::Invite, None),
                Ok(status)
            );
            assert!(is_role_may_not(&decide(
                &case(status),
                &lead(),
                Action::Invite,
                None
            )));
        }
        assert!(is_not_now(&decide(
            &case(Status::Registered),
            &coordinator(),
            Action::Invite,
            None
        )));
    }

    // ---- sessions and agreements ----

    #[test]
    fn an_assigned_mediator_may_record_a_session_and_the_case_becomes_mediating() {
        for who in [lead(), co_mediator(), joint_mediator()] {
            let r = decide(&case(Status::Accepted), &who, Action::RecordSession, None);
            assert_eq!(r, Ok(Status::Mediating));
            let r = decide(&case(Status::Mediating), &who, Action::RecordSession, None);
            assert_eq!(r, Ok(Status::Mediating));
        }
    }

    #[test]
    fn a_coordinator_may_enter_a_session_record() {
        let r = decide(
            &case(Status::Accepted),
            &coordinator(),
            Action::RecordSession,
            None,
        );
        assert_eq!(r, Ok(Status::Mediating));
    }

    #[test]
    fn a_mediator_of_the_current_unit_who_is_not_assigned_may_not_record_a_session() {
        let r = decide(
            &case(Status::Mediating),
            &unit_mediator(),
            Action::RecordSession,
            None,
        );
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn recording_a_session_on_a_registered_case_is_not_now() {
        let r = decide(
            &case(Status::Registered),
            &coordinator(),
            Action::RecordSession,
            None,
        );
        assert!(is_not_now(&r));
    }

    #[test]
    fn recording_an_agreement_makes_the_case_agreed() {
        for status in [Status::Accepted, Status::Mediating] {
            for who in [lead(), co_mediator(), coordinator()] {
                let r = decide(&case(status), &who, Action::RecordAgreement, None);
                assert_eq!(r, Ok(Status::Agreed));
            }
        }
    }

    #[test]
    fn recording_a_second_agreement_needs_the_case_reopened_first() {
        let r = decide(
            &case(Status::Agreed),
            &lead(),
            Action::RecordAgreement,
            None,
        );
        assert!(is_not_now(&r));
        let r = decide(
            &case(Status::Closed),
            &lead(),
            Action::RecordAgreement,
            None,
        );
        assert!(zh(&r).contains("重新启动"));
    }

    // ---- close ----

    #[test]
    fn the_lead_may_close_an_agreed_case_as_resolved() {
        let r = decide(
            &case(Status::Agreed),
            &lead(),
            Action::Close,
            Some(Outcome::Resolved),
        );
        assert_eq!(r, Ok(Status::Closed));
    }

    #[test]
    fn closing_a_complex_case_as_resolved_needs_a_confirmed_grade() {
        let complex = CaseFacts {
            grade_needs_confirmation: true,
            grade_confirmed: false,
            ..case(Status::Agreed)
        };
        let r = decide(&complex, &lead(), Action::Close, Some(Outcome::Resolved));
        assert!(is_not_now(&r));
        assert_eq!(
            zh(&r),
            "疑难复杂和重大疑难案件须先由协调中心确认等级，才能以调解成功结案。"
        );
        let confirmed = CaseFacts {
            grade_confirmed: true,
            ..complex
        };
        let r = decide(&confirmed, &lead(), Action::Close, Some(Outcome::Resolved));
        assert_eq!(r, Ok(Status::Closed));
    }

    #[test]
    fn a_simple_case_closes_as_resolved_without_a_confirmed_grade() {
        let c = CaseFacts {
            grade_confirmed: false,
            ..case(Status::Agreed)
        };
        let r = decide(&c, &coordinator(), Action::Close, Some(Outcome::Resolved));
        assert_eq!(r, Ok(Status::Closed));
    }

    #[test]
    fn closing_as_resolved_needs_a_recorded_agreement() {
        let c = CaseFacts {
            has_agreement: false,
            ..case(Status::Agreed)
        };
        let r = decide(&c, &lead(), Action::Close, Some(Outcome::Resolved));
        assert!(is_not_now(&r));
        assert!(zh(&r).contains("尚未记录调解协议"));
    }

    #[test]
    fn closing_as_resolved_before_an_agreement_is_not_now() {
        let r = decide(
            &case(Status::Mediating),
            &lead(),
            Action::Close,
            Some(Outcome::Resolved),
        );
        assert!(is_not_now(&r));
        assert!(zh(&r).contains("请先记录调解协议"));
    }

    #[test]
    fn an_accepted_or_mediating_case_may_close_as_failed_but_an_agreed_one_may_not() {
        for status in [Status::Accepted, Status::Mediating] {
            let r = decide(&case(status), &lead(), Action::Close, Some(Outcome::Failed));
            assert_eq!(r, Ok(Status::Closed));
        }
        let r = decide(
            &case(Status::Agreed),
            &lead(),
            Action::Close,
            Some(Outcome::Failed),
        );
        assert!(is_not_now(&r));
        let r = decide(
            &case(Status::Registered),
            &coordinator(),
            Action::Close,
            Some(Outcome::Failed),
        );
        assert!(is_not_now(&r));
        assert!(zh(&r).contains("撤回"));
    }

    #[test]
    fn any_open_case_may_be_withdrawn() {
        for status in Status::OPEN {
            let r = decide(
                &case(status),
                &coordinator(),
                Action::Close,
                Some(Outcome::Withdrawn),
            );
            assert_eq!(r, Ok(Status::Closed));
        }
        let r = decide(
            &case(Status::Closed),
            &coordinator(),
            Action::Close,
            Some(Outcome::Withdrawn),
        );
        assert!(is_not_now(&r));
    }

    #[test]
    fn closing_needs_an_outcome() {
        let r = decide(&case(Status::Mediating), &lead(), Action::Close, None);
        let refusal = r.expect_err("refused");
        assert_eq!(refusal.http_status(), 422);
        assert_eq!(refusal.field(), Some("outcome"));
        assert_eq!(
            apply(Status::Mediating, Action::Close, None),
            Status::Mediating
        );
    }

    #[test]
    fn a_mediator_of_the_current_unit_may_close_only_while_nobody_leads() {
        let leaderless = case(Status::Registered);
        assert!(!leaderless.has_lead);
        let r = decide(
            &leaderless,
            &unit_mediator(),
            Action::Close,
            Some(Outcome::Withdrawn),
        );
        assert_eq!(r, Ok(Status::Closed));
        let led = case(Status::Mediating);
        let r = decide(
            &led,
            &unit_mediator(),
            Action::Close,
            Some(Outcome::Withdrawn),
        );
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn a_co_mediator_may_not_close_a_case_that_has_a_lead() {
        let r = decide(
            &case(Status::Mediating),
            &co_mediator(),
            Action::Close,
            Some(Outcome::Failed),
        );
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn a_lead_sees_the_outcomes_the_status_allows() {
        assert_eq!(
            available_outcomes(&case(Status::Mediating), &lead()),
            [Outcome::Failed, Outcome::Withdrawn]
        );
        assert_eq!(
            available_outcomes(&case(Status::Agreed), &lead()),
            [Outcome::Resolved, Outcome::Withdrawn]
        );
        assert!(available_outcomes(&case(Status::Closed), &lead()).is_empty());
    }

    // ---- regrade, confirm_grade, extend ----

    #[test]
    fn only_the_lead_or_a_coordinator_may_regrade_an_open_case() {
        for status in [Status::Accepted, Status::Mediating, Status::Agreed] {
            assert_eq!(
                decide(&case(status), &lead(), Action::Regrade, None),
                Ok(status)
            );
            assert_eq!(
                decide(&case(status), &coordinator(), Action::Regrade, None),
                Ok(status)
            );
            assert!(is_role_may_not(&decide(
                &case(status),
                &co_mediator(),
                Action::Regrade,
                None
            )));
        }
        let r = decide(
            &case(Status::Registered),
            &coordinator(),
            Action::Regrade,
            None,
        );
        assert_eq!(r, Ok(Status::Registered));
    }

    #[test]
    fn regrading_a_closed_case_is_not_now() {
        let r = decide(&case(Status::Closed), &coordinator(), Action::Regrade, None);
        assert!(is_not_now(&r));
    }

    #[test]
    fn a_coordinator_may_confirm_the_grade_in_any_status() {
        for status in Status::ALL {
            let r = decide(&case(status), &coordinator(), Action::ConfirmGrade, None);
            assert_eq!(r, Ok(status));
        }
    }

    #[test]
    fn a_lead_may_not_confirm_a_grade() {
        let r = decide(&case(Status::Agreed), &lead(), Action::ConfirmGrade, None);
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn the_lead_or_a_coordinator_may_extend_an_accepted_or_mediating_case() {
        for status in [Status::Accepted, Status::Mediating] {
            assert_eq!(
                decide(&case(status), &lead(), Action::Extend, None),
                Ok(status)
            );
            assert_eq!(
                decide(&case(status), &coordinator(), Action::Extend, None),
                Ok(status)
            );
            assert!(is_role_may_not(&decide(
                &case(status),
                &unit_mediator(),
                Action::Extend,
                None
            )));
        }
    }

    #[test]
    fn extending_an_agreed_case_is_not_now() {
        let r = decide(&case(Status::Agreed), &lead(), Action::Extend, None);
        assert!(is_not_now(&r));
    }

    // ---- reopen ----

    #[test]
    fn a_coordinator_may_reopen_a_closed_case_to_mediating() {
        let r = decide(&case(Status::Closed), &coordinator(), Action::Reopen, None);
        assert_eq!(r, Ok(Status::Mediating));
    }

    #[test]
    fn a_lead_may_not_reopen() {
        let r = decide(&case(Status::Closed), &lead(), Action::Reopen, None);
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn reopening_an_open_case_is_not_now() {
        let r = decide(&case(Status::Agreed), &coordinator(), Action::Reopen, None);
        assert!(is_not_now(&r));
    }

    // ---- order of checks and buttons ----

    #[test]
    fn the_role_is_checked_before_the_status() {
        // A viewer on a closed case hears "not your role" (403), not "closed" (422).
        let r = decide(
            &case(Status::Closed),
            &actor(Role::Viewer, true, true, true),
            Action::Assign,
            None,
        );
        assert!(is_role_may_not(&r));
        // A mediator of another unit closing without an outcome hears "not you", not "which outcome".
        let r = decide(
            &case(Status::Mediating),
            &other_unit_mediator(),
            Action::Close,
            None,
        );
        assert!(is_role_may_not(&r));
    }

    #[test]
    fn a_lead_on_a_mediating_case_sees_the_buttons_of_a_lead() {
        assert_eq!(
            available_actions(&case(Status::Mediating), &lead()),
            [
                Action::Assign,
                Action::Unassign,
                Action::Escalate,
                Action::RecordSession,
                Action::RecordAgreement,
                Action::Close,
                Action::Regrade,
                Action::Extend,
            ]
        );
    }

    #[test]
    fn a_coordinator_on_a_closed_case_sees_only_confirm_grade_and_reopen() {
        assert_eq!(
            available_actions(&case(Status::Closed), &coordinator()),
            [Action::ConfirmGrade, Action::Reopen]
        );
    }

    #[test]
    fn finance_sees_no_buttons() {
        let a = actor(Role::Finance, true, true, true);
        for c in every_case() {
            assert!(available_actions(&c, &a).is_empty());
        }
    }

    // ---- replay ----

    #[test]
    fn replay_rebuilds_status_outcome_and_location_of_a_whole_life() {
        let steps: Vec<RecordedStep> = vec![
            (Action::Escalate, None, true),
            (Action::Refer, None, false),
            (Action::Accept, None, false),
            (Action::RecordSession, None, false),
            (Action::RecordAgreement, None, false),
            (Action::Close, Some(Outcome::Resolved), false),
            (Action::ConfirmGrade, None, false),
            (Action::Reopen, None, false),
            (Action::Close, Some(Outcome::Failed), false),
        ];
        let folded = steps
            .iter()
            .fold(Status::Registered, |s, &(a, o, _)| apply(s, a, o));
        let replayed = replay(&steps).expect("a valid log");
        assert_eq!(folded, Status::Closed);
        assert_eq!(
            replayed,
            Replayed {
                status: Status::Closed,
                outcome: Some(Outcome::Failed),
                at_street_hub: Some(false),
            }
        );
    }

    #[test]
    fn replay_of_no_steps_is_a_registered_case_at_an_unknown_unit() {
        assert_eq!(
            replay(&[]),
            Ok(Replayed {
                status: Status::Registered,
                outcome: None,
                at_street_hub: None,
            })
        );
    }

    #[test]
    fn replay_refuses_a_step_the_table_does_not_have() {
        let steps = [(Action::Accept, None, false), (Action::Accept, None, false)];
        assert_eq!(
            replay(&steps),
            Err(ReplayError {
                index: 1,
                status: Status::Accepted,
                action: Action::Accept,
            })
        );
    }

    #[test]
    fn replay_refuses_an_escalation_from_the_hub_and_a_move_the_row_does_not_make() {
        let twice = [
            (Action::Escalate, None, true),
            (Action::Escalate, None, true),
        ];
        assert_eq!(replay(&twice).map_err(|e| e.index), Err(1));
        let escalated_nowhere = [(Action::Escalate, None, false)];
        assert_eq!(replay(&escalated_nowhere).map_err(|e| e.index), Err(0));
        let moved_by_accept = [(Action::Accept, None, false), (Action::Assign, None, true)];
        assert_eq!(replay(&moved_by_accept).map_err(|e| e.index), Err(1));
    }

    // ---- property tests ----

    /// One attempt in a random history: an action, the actor, and the facts the machine does not
    /// control (leads, grades, agreements change through other screens).
    #[derive(Clone, Debug)]
    struct Attempt {
        action: Action,
        outcome: Option<Outcome>,
        actor: ActorFacts,
        has_lead: bool,
        grade_needs_confirmation: bool,
        grade_confirmed: bool,
        has_agreement: bool,
    }

    fn attempt() -> impl Strategy<Value = Attempt> {
        let role = prop_oneof![
            4 => Just(Role::Coordinator),
            4 => Just(Role::Mediator),
            1 => Just(Role::Admin),
            1 => Just(Role::Finance),
            1 => Just(Role::Viewer),
        ];
        (
            proptest::sample::select(Action::ALL.to_vec()),
            proptest::sample::select(OUTCOME_CHOICES.to_vec()),
            role,
            any::<[bool; 7]>(),
        )
            .prop_map(|(action, outcome, role, b)| Attempt {
                action,
                outcome,
                actor: actor(role, b[0], b[1], b[2]),
                has_lead: b[3],
                grade_needs_confirmation: b[4],
                grade_confirmed: b[5],
                has_agreement: b[6],
            })
    }

    proptest! {
        #[test]
        fn random_histories_stay_inside_the_table_and_replay_to_the_same_state(
            starts_at_hub in any::<bool>(),
            attempts in proptest::collection::vec(attempt(), 0..80),
        ) {
            let mut facts = CaseFacts {
                status: Status::Registered,
                at_street_hub: starts_at_hub,
                has_lead: false,
                grade_needs_confirmation: false,
                grade_confirmed: false,
                has_agreement: false,
            };
            let mut outcome_now: Option<Outcome> = None;
            let mut log: Vec<RecordedStep> = Vec::new();
            let mut statuses: Vec<Status> = Vec::new();

            for a in &attempts {
                facts.has_lead = a.has_lead;
                facts.grade_needs_confirmation = a.grade_needs_confirmation;
                facts.grade_confirmed = a.grade_confirmed;
                facts.has_agreement = a.has_agreement;
                let before = facts.status;
                let Ok(after) = decide(&facts, &a.actor, a.action, a.outcome) else {
                    continue;
                };

                // The step is a row of the table, taken by someone who acts on cases.
                let rule = rule_for(before, a.action, a.outcome);
                prop_assert!(rule.is_some());
                let rule = rule.expect("checked above");
                prop_assert!(rule.from.contains(&before));
                prop_assert_eq!(rule.to.resolve(before), after);
                prop_assert!(matches!(a.actor.role, Role::Coordinator | Role::Mediator));
                if before == Status::Closed {
                    prop_assert!(matches!(a.action, Action::Reopen | Action::ConfirmGrade));
                }
                if after == Status::Closed && before != Status::Closed {
                    prop_assert_eq!(a.action, Action::Close);
                }

                match rule.moves {
                    Move::Stay => {}
                    Move::ToStreetHub => facts.at_street_hub = true,
                    Move::ToUnitUnderHub => facts.at_street_hub = false,
                }
                match a.action {
                    Action::Close => outcome_now = a.outcome,
                    Action::Reopen => outcome_now = None,
                    _ => {}
                }
                facts.status = after;
                log.push((a.action, a.outcome, facts.at_street_hub));
                statuses.push(after);
            }

            let folded = log
                .iter()
                .fold(Status::Registered, |s, &(action, outcome, _)| apply(s, action, outcome));
            prop_assert_eq!(folded, facts.status);

            let replayed = replay(&log);
            prop_assert_eq!(
                replayed,
                Ok(Replayed {
                    status: facts.status,
                    outcome: outcome_now,
                    at_street_hub: if log.is_empty() { None } else { Some(facts.at_street_hub) },
                })
            );

            // Every prefix of the log rebuilds the status the case had at that point.
            for (i, expected) in statuses.iter().enumerate() {
                let prefix = replay(&log[..=i]).map(|r| r.status);
                prop_assert_eq!(prefix, Ok(*expected));
            }
        }

        #[test]
        fn decide_and_apply_agree_on_any_single_step(
            status in proptest::sample::select(Status::ALL.to_vec()),
            action in proptest::sample::select(Action::ALL.to_vec()),
            outcome in proptest::sample::select(OUTCOME_CHOICES.to_vec()),
            role in proptest::sample::select(Role::ALL.to_vec()),
            b in any::<[bool; 8]>(),
        ) {
            let c = CaseFacts {
                status,
                at_street_hub: b[0],
                has_lead: b[1],
                grade_needs_confirmation: b[2],
                grade_confirmed: b[3],
                has_agreement: b[4],
            };
            let a = actor(role, b[5], b[6], b[7]);
            if let Ok(to) = decide(&c, &a, action, outcome) {
                prop_assert_eq!(apply(status, action, outcome), to);
            }
        }
    }
}
