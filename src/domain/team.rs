//! The team of a case and the units it involves (DESIGN §3): who works the case, who joins and
//! who leaves on accept, assign, unassign and escalate, where a case may be referred and which
//! units may be invited. Pure: the service reads the rows, asks these, and writes what they plan.

use crate::domain::case_terms::TeamRole;
use crate::domain::role::Role;
use crate::domain::workflow::ActorFacts;

/// Whether the user works the case: the coordination centre, a mediator of the unit that has it,
/// or a mediator on its team. They may write its records, correct it, attach files and see the
/// parties' personal data in full; the workflow table decides the actions on its own.
pub fn works_the_case(actor: &ActorFacts) -> bool {
    match actor.role {
        Role::Coordinator => true,
        Role::Mediator => actor.at_current_unit || actor.is_assigned,
        Role::Admin | Role::Finance | Role::Viewer => false,
    }
}

/// One assignment of the team as it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    pub assignment_id: i64,
    pub mediator_id: i64,
    pub role: TeamRole,
}

/// A change to the team, in the order it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamChange {
    /// A new assignment from the action's `at`.
    Join { mediator_id: i64, role: TeamRole },
    /// An assignment ends at the action's `at`.
    Leave { assignment_id: i64 },
}

/// Why a change of team or of units is refused (a 422 on the named field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamRefusal {
    /// The mediator already has that role on the team.
    AlreadyOnTeam,
    /// The lead cannot take another role until someone else leads.
    LeadNeedsSuccessor,
    NotOnTeam,
    /// The lead stays until replaced.
    CannotUnassignLead,
    /// The unit is not an active unit of the case's street.
    OutsideStreet,
    /// The unit has the case already or was invited before.
    AlreadyInvited,
}

impl TeamRefusal {
    /// The locale key of the reason.
    pub fn key(self) -> &'static str {
        match self {
            TeamRefusal::AlreadyOnTeam => "err-already-on-team",
            TeamRefusal::LeadNeedsSuccessor => "err-lead-needs-successor",
            TeamRefusal::NotOnTeam => "err-not-on-team",
            TeamRefusal::CannotUnassignLead => "err-cannot-unassign-lead",
            TeamRefusal::OutsideStreet => "err-refer-outside-street",
            TeamRefusal::AlreadyInvited => "err-already-invited",
        }
    }
}

/// The lead of the team, if any.
pub fn lead(team: &[Member]) -> Option<&Member> {
    team.iter().find(|m| m.role == TeamRole::Lead)
}

/// `accept`: the lead mediator joins.
pub fn plan_accept(lead_mediator_id: i64) -> Vec<TeamChange> {
    vec![TeamChange::Join {
        mediator_id: lead_mediator_id,
        role: TeamRole::Lead,
    }]
}

/// What an `assign` changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignPlan {
    pub changes: Vec<TeamChange>,
    /// The lead a new lead replaces (who stays on as `co`).
    pub replaced_lead: Option<i64>,
}

/// `assign`: a mediator joins with `role`, or moves to it from another role; a new lead turns the
/// old lead into `co`; a lead cannot change role until someone else leads.
///
/// # Errors
/// [`TeamRefusal::AlreadyOnTeam`], [`TeamRefusal::LeadNeedsSuccessor`].
pub fn plan_assign(
    team: &[Member],
    mediator_id: i64,
    role: TeamRole,
) -> Result<AssignPlan, TeamRefusal> {
    if team
        .iter()
        .any(|m| m.mediator_id == mediator_id && m.role == role)
    {
        return Err(TeamRefusal::AlreadyOnTeam);
    }
    let mut changes = Vec::new();
    if let Some(existing) = team.iter().find(|m| m.mediator_id == mediator_id) {
        if existing.role == TeamRole::Lead {
            return Err(TeamRefusal::LeadNeedsSuccessor);
        }
        changes.push(TeamChange::Leave {
            assignment_id: existing.assignment_id,
        });
    }
    let mut replaced_lead = None;
    if role == TeamRole::Lead {
        if let Some(old) = lead(team) {
            changes.push(TeamChange::Leave {
                assignment_id: old.assignment_id,
            });
            changes.push(TeamChange::Join {
                mediator_id: old.mediator_id,
                role: TeamRole::Co,
            });
            replaced_lead = Some(old.mediator_id);
        }
    }
    changes.push(TeamChange::Join { mediator_id, role });
    Ok(AssignPlan {
        changes,
        replaced_lead,
    })
}

/// `unassign`: a mediator other than the lead leaves.
///
/// # Errors
/// [`TeamRefusal::NotOnTeam`], [`TeamRefusal::CannotUnassignLead`].
pub fn plan_unassign(team: &[Member], mediator_id: i64) -> Result<Vec<TeamChange>, TeamRefusal> {
    let member = team
        .iter()
        .find(|m| m.mediator_id == mediator_id)
        .ok_or(TeamRefusal::NotOnTeam)?;
    if member.role == TeamRole::Lead {
        return Err(TeamRefusal::CannotUnassignLead);
    }
    Ok(vec![TeamChange::Leave {
        assignment_id: member.assignment_id,
    }])
}

/// `escalate`: the whole team's assignments end (the hub assigns anew).
pub fn plan_escalate(team: &[Member]) -> Vec<TeamChange> {
    team.iter()
        .map(|m| TeamChange::Leave {
            assignment_id: m.assignment_id,
        })
        .collect()
}

/// What the checks need to know about a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitFacts {
    pub id: i64,
    pub active: bool,
    pub parent_id: Option<i64>,
}

/// `refer`: to an active unit under the case's street hub (`unit` is `None` when there is no such
/// unit).
///
/// # Errors
/// [`TeamRefusal::OutsideStreet`].
pub fn check_refer(hub_id: i64, unit: Option<UnitFacts>) -> Result<(), TeamRefusal> {
    match unit {
        Some(u) if u.active && u.parent_id == Some(hub_id) => Ok(()),
        _ => Err(TeamRefusal::OutsideStreet),
    }
}

/// `invite`: each unit (as requested, with what is known of it) is an active unit of the street
/// (the hub or one under it), neither the unit that has the case nor one invited before.
///
/// # Errors
/// The first refusal, unit by unit in the order asked.
pub fn check_invite(
    hub_id: i64,
    current_unit_id: i64,
    invited: &[i64],
    units: &[(i64, Option<UnitFacts>)],
) -> Result<(), TeamRefusal> {
    for (unit_id, facts) in units {
        let in_street =
            facts.is_some_and(|u| u.active && (u.parent_id == Some(hub_id) || u.id == hub_id));
        if !in_street {
            return Err(TeamRefusal::OutsideStreet);
        }
        if *unit_id == current_unit_id || invited.contains(unit_id) {
            return Err(TeamRefusal::AlreadyInvited);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(assignment_id: i64, mediator_id: i64, role: TeamRole) -> Member {
        Member {
            assignment_id,
            mediator_id,
            role,
        }
    }

    fn actor(role: Role, at_current_unit: bool, is_assigned: bool) -> ActorFacts {
        ActorFacts {
            role,
            at_current_unit,
            is_assigned,
            is_lead: false,
        }
    }

    #[test]
    fn the_coordinator_the_unit_and_the_team_work_the_case() {
        assert!(works_the_case(&actor(Role::Coordinator, false, false)));
        assert!(works_the_case(&actor(Role::Mediator, true, false)));
        assert!(works_the_case(&actor(Role::Mediator, false, true)));
        assert!(!works_the_case(&actor(Role::Mediator, false, false)));
        for role in [Role::Admin, Role::Finance, Role::Viewer] {
            assert!(!works_the_case(&actor(role, false, false)), "{role:?}");
        }
    }

    #[test]
    fn accepting_makes_the_lead_join() {
        assert_eq!(
            plan_accept(7),
            vec![TeamChange::Join {
                mediator_id: 7,
                role: TeamRole::Lead
            }]
        );
    }

    #[test]
    fn a_new_lead_turns_the_old_lead_into_co() {
        let team = [member(1, 10, TeamRole::Lead)];
        let plan = plan_assign(&team, 20, TeamRole::Lead).unwrap();
        assert_eq!(plan.replaced_lead, Some(10));
        assert_eq!(
            plan.changes,
            vec![
                TeamChange::Leave { assignment_id: 1 },
                TeamChange::Join {
                    mediator_id: 10,
                    role: TeamRole::Co
                },
                TeamChange::Join {
                    mediator_id: 20,
                    role: TeamRole::Lead
                },
            ]
        );
    }

    #[test]
    fn a_co_mediator_promoted_to_lead_leaves_the_old_role_first() {
        let team = [member(1, 10, TeamRole::Lead), member(2, 20, TeamRole::Co)];
        let plan = plan_assign(&team, 20, TeamRole::Lead).unwrap();
        assert_eq!(
            plan.changes,
            vec![
                TeamChange::Leave { assignment_id: 2 },
                TeamChange::Leave { assignment_id: 1 },
                TeamChange::Join {
                    mediator_id: 10,
                    role: TeamRole::Co
                },
                TeamChange::Join {
                    mediator_id: 20,
                    role: TeamRole::Lead
                },
            ]
        );
    }

    #[test]
    fn assigning_a_co_mediator_leaves_the_lead_alone() {
        let team = [member(1, 10, TeamRole::Lead)];
        let plan = plan_assign(&team, 20, TeamRole::Apprentice).unwrap();
        assert_eq!(plan.replaced_lead, None);
        assert_eq!(
            plan.changes,
            vec![TeamChange::Join {
                mediator_id: 20,
                role: TeamRole::Apprentice
            }]
        );
    }

    #[test]
    fn assigning_the_same_role_twice_is_refused() {
        let team = [member(1, 10, TeamRole::Lead), member(2, 20, TeamRole::Co)];
        assert_eq!(
            plan_assign(&team, 20, TeamRole::Co),
            Err(TeamRefusal::AlreadyOnTeam)
        );
    }

    #[test]
    fn the_lead_cannot_change_role_without_a_successor() {
        let team = [member(1, 10, TeamRole::Lead)];
        assert_eq!(
            plan_assign(&team, 10, TeamRole::Co),
            Err(TeamRefusal::LeadNeedsSuccessor)
        );
    }

    #[test]
    fn unassigning_ends_the_assignment_but_never_the_leads() {
        let team = [member(1, 10, TeamRole::Lead), member(2, 20, TeamRole::Co)];
        assert_eq!(
            plan_unassign(&team, 20),
            Ok(vec![TeamChange::Leave { assignment_id: 2 }])
        );
        assert_eq!(
            plan_unassign(&team, 10),
            Err(TeamRefusal::CannotUnassignLead)
        );
        assert_eq!(plan_unassign(&team, 30), Err(TeamRefusal::NotOnTeam));
    }

    #[test]
    fn escalating_ends_every_assignment() {
        let team = [member(1, 10, TeamRole::Lead), member(2, 20, TeamRole::Co)];
        assert_eq!(
            plan_escalate(&team),
            vec![
                TeamChange::Leave { assignment_id: 1 },
                TeamChange::Leave { assignment_id: 2 },
            ]
        );
    }

    fn unit(id: i64, active: bool, parent_id: Option<i64>) -> UnitFacts {
        UnitFacts {
            id,
            active,
            parent_id,
        }
    }

    #[test]
    fn a_case_is_referred_only_to_an_active_unit_under_its_hub() {
        assert_eq!(check_refer(1, Some(unit(5, true, Some(1)))), Ok(()));
        assert_eq!(
            check_refer(1, Some(unit(5, false, Some(1)))),
            Err(TeamRefusal::OutsideStreet)
        );
        assert_eq!(
            check_refer(1, Some(unit(5, true, Some(2)))),
            Err(TeamRefusal::OutsideStreet)
        );
        assert_eq!(
            check_refer(1, Some(unit(1, true, None))),
            Err(TeamRefusal::OutsideStreet),
            "the hub itself is escalation, not a referral"
        );
        assert_eq!(check_refer(1, None), Err(TeamRefusal::OutsideStreet));
    }

    #[test]
    fn invited_units_are_of_the_street_and_new_to_the_case() {
        let station = |id| (id, Some(unit(id, true, Some(1))));
        assert_eq!(check_invite(1, 5, &[], &[station(6), station(7)]), Ok(()));
        assert_eq!(
            check_invite(1, 5, &[], &[(1, Some(unit(1, true, None)))]),
            Ok(()),
            "the hub may join"
        );
        assert_eq!(
            check_invite(1, 5, &[], &[station(5)]),
            Err(TeamRefusal::AlreadyInvited)
        );
        assert_eq!(
            check_invite(1, 5, &[6], &[station(6)]),
            Err(TeamRefusal::AlreadyInvited)
        );
        assert_eq!(
            check_invite(1, 5, &[], &[station(6), (9, None)]),
            Err(TeamRefusal::OutsideStreet)
        );
        assert_eq!(
            check_invite(1, 5, &[], &[(8, Some(unit(8, true, Some(2))))]),
            Err(TeamRefusal::OutsideStreet)
        );
    }
}
