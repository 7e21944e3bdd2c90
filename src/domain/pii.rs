//! Masking personal data (ID and phone numbers) wherever the full value is not needed, and who
//! may see it in full.

use crate::domain::workflow::ActorFacts;

/// Who may see the parties' ID and phone numbers in full (on request, audited): those who work
/// the case, that is the coordination centre, a mediator of its current unit, a mediator on its
/// team.
pub fn may_reveal(actor: &ActorFacts) -> bool {
    crate::domain::team::works_the_case(actor)
}

/// `330103199001011234` → `3301**********1234`: keeps the region prefix and the last four.
pub fn mask_id_number(id: &str) -> String {
    mask_middle(id, 4, 4)
}

/// `13900000000` → `139****0000`.
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone, 3, 4)
}

fn mask_middle(value: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= keep_start + keep_end {
        // Too short to keep anything without giving it all away.
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - keep_start - keep_end;
    let mut out: String = chars[..keep_start].iter().collect();
    out.push_str(&"*".repeat(hidden));
    out.extend(&chars[chars.len() - keep_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    #[test]
    fn id_and_phone_numbers_are_masked_as_the_design_shows() {
        assert_eq!(mask_id_number("330103199001011234"), "3301**********1234");
        assert_eq!(mask_phone("13900000000"), "139****0000");
    }

    fn actor(role: Role) -> ActorFacts {
        ActorFacts {
            role,
            at_current_unit: false,
            is_assigned: false,
            is_lead: false,
        }
    }

    #[test]
    fn those_who_work_the_case_may_see_personal_data_in_full_and_no_one_else() {
        assert!(may_reveal(&actor(Role::Coordinator)));
        let mut here = actor(Role::Mediator);
        assert!(!may_reveal(&here), "a mediator elsewhere");
        here.at_current_unit = true;
        assert!(may_reveal(&here), "a mediator of the case's unit");
        let mut on_team = actor(Role::Mediator);
        on_team.is_assigned = true;
        assert!(may_reveal(&on_team), "a mediator on the team");
        for role in [Role::Admin, Role::Finance, Role::Viewer] {
            assert!(!may_reveal(&actor(role)), "{role:?}");
        }
    }

    #[test]
    fn a_value_too_short_to_mask_partially_is_hidden_entirely() {
        assert_eq!(mask_phone("110"), "***");
    }
}
