//! Correcting a case's details after intake (a wrong amount, a forgotten risk flag): who may, which
//! fields changed, and whether the grade follows the new inputs.

use chrono::NaiveDate;

use crate::domain::case_terms::{DisputeType, Grade, RiskFlag, Source};
use crate::domain::grading::Graded;
use crate::domain::workflow::{ActorFacts, Status};

/// The details intake records and an edit may correct. Parties, the unit and the time of receipt
/// are not among them: the first have their own records, the others are facts of the workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDetails {
    pub dispute_type: DisputeType,
    pub source: Source,
    pub summary: String,
    pub amount_claimed_fen: i64,
    pub people_involved: i32,
    pub risk_flags: Vec<RiskFlag>,
    pub infringement_known_on: Option<NaiveDate>,
    pub employment_ended_on: Option<NaiveDate>,
}

/// The names (as the API spells them) of the fields that differ.
pub fn changed_fields(old: &CaseDetails, new: &CaseDetails) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.dispute_type != new.dispute_type {
        changed.push("dispute_type");
    }
    if old.source != new.source {
        changed.push("source");
    }
    if old.summary != new.summary {
        changed.push("summary");
    }
    if old.amount_claimed_fen != new.amount_claimed_fen {
        changed.push("amount_claimed_fen");
    }
    if old.people_involved != new.people_involved {
        changed.push("people_involved");
    }
    let mut a = old.risk_flags.clone();
    let mut b = new.risk_flags.clone();
    a.sort_by_key(|f| f.as_str());
    b.sort_by_key(|f| f.as_str());
    if a != b {
        changed.push("risk_flags");
    }
    if old.infringement_known_on != new.infringement_known_on {
        changed.push("infringement_known_on");
    }
    if old.employment_ended_on != new.employment_ended_on {
        changed.push("employment_ended_on");
    }
    changed
}

/// Why an edit is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditRefusal {
    /// A closed case is read-only until a coordinator reopens it.
    Closed,
    /// Only the coordination centre, the mediators of the unit that has the case, and its team
    /// may correct it.
    NotYours,
}

/// Whether this user may correct the case's details now.
///
/// # Errors
/// Why not.
pub fn may_edit(actor: &ActorFacts, status: Status) -> Result<(), EditRefusal> {
    if !crate::domain::team::works_the_case(actor) {
        return Err(EditRefusal::NotYours);
    }
    if status == Status::Closed {
        return Err(EditRefusal::Closed);
    }
    Ok(())
}

/// How the grade stands after an edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regraded {
    pub grade: Grade,
    pub reason: String,
    pub confirmed: bool,
}

/// A grade the rules gave (`auto`) follows the new inputs; a grade a person set (`manual`) stands
/// until a person changes it. A new complex or major grade needs confirming again. `None` when the
/// grade stays as it is.
pub fn regrade_after_edit(auto: bool, current: Grade, graded: &Graded) -> Option<Regraded> {
    if !auto || graded.grade == current {
        return None;
    }
    Some(Regraded {
        grade: graded.grade,
        reason: graded.reason_zh.clone(),
        confirmed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    fn details() -> CaseDetails {
        CaseDetails {
            dispute_type: DisputeType::WageArrears,
            source: Source::WalkIn,
            summary: "欠薪".into(),
            amount_claimed_fen: 500_000,
            people_involved: 1,
            risk_flags: vec![RiskFlag::MediaAttention, RiskFlag::RepeatPetition],
            infringement_known_on: None,
            employment_ended_on: None,
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
    fn only_the_fields_that_differ_are_named_and_flag_order_does_not_matter() {
        let old = details();
        let mut new = details();
        new.risk_flags.reverse();
        assert!(changed_fields(&old, &new).is_empty());
        new.amount_claimed_fen = 900_000;
        new.people_involved = 12;
        assert_eq!(
            changed_fields(&old, &new),
            vec!["amount_claimed_fen", "people_involved"]
        );
    }

    #[test]
    fn coordinators_and_the_cases_own_mediators_may_edit_an_open_case() {
        assert_eq!(
            may_edit(&actor(Role::Coordinator, false, false), Status::Mediating),
            Ok(())
        );
        assert_eq!(
            may_edit(&actor(Role::Mediator, true, false), Status::Registered),
            Ok(())
        );
        assert_eq!(
            may_edit(&actor(Role::Mediator, false, true), Status::Agreed),
            Ok(())
        );
        assert_eq!(
            may_edit(&actor(Role::Mediator, false, false), Status::Mediating),
            Err(EditRefusal::NotYours)
        );
        assert_eq!(
            may_edit(&actor(Role::Viewer, false, false), Status::Mediating),
            Err(EditRefusal::NotYours)
        );
        assert_eq!(
            may_edit(&actor(Role::Coordinator, false, false), Status::Closed),
            Err(EditRefusal::Closed)
        );
    }

    #[test]
    fn an_automatic_grade_follows_the_inputs_and_a_manual_one_stands() {
        let graded = Graded {
            grade: Grade::Complex,
            reason_zh: "涉及 12 人".into(),
            reason_en: "12 people".into(),
        };
        assert_eq!(
            regrade_after_edit(true, Grade::Ordinary, &graded),
            Some(Regraded {
                grade: Grade::Complex,
                reason: "涉及 12 人".into(),
                confirmed: false
            })
        );
        assert_eq!(regrade_after_edit(true, Grade::Complex, &graded), None);
        assert_eq!(regrade_after_edit(false, Grade::Ordinary, &graded), None);
    }
}
