//! Ranking the mediators a coordinator might assign to a case, with the reasons shown beside each
//! suggestion: specialty matches the dispute type, same unit first, lightest load relative to their
//! maximum, gold-medal or mentor for complex and major cases, and for those cases an active
//! apprentice of the lead (or of another mentor on the team) to learn on it (带案轮训).

use crate::domain::case_terms::{DisputeType, Grade};

/// What the ranking needs to know about one mediator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub mediator_id: i64,
    pub unit_id: i64,
    pub specialties: Vec<DisputeType>,
    pub open_cases: i64,
    pub max_open_cases: i64,
    pub gold_medal: bool,
    pub is_mentor: bool,
    /// The mentor of their active mentor-apprentice pair, if they are an apprentice now.
    pub mentor_id: Option<i64>,
    /// That mentor is on the case's team now.
    pub mentor_on_team: bool,
    /// They are on the case's team already.
    pub on_team: bool,
}

/// What the ranking needs to know about the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseNeeds {
    pub dispute_type: DisputeType,
    pub unit_id: i64,
    pub grade: Grade,
    /// The lead mediator now, once the case is accepted.
    pub lead_id: Option<i64>,
}

/// Why a mediator is suggested (or held back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Their specialties include the dispute type.
    Specialty,
    /// They belong to the unit that has the case.
    SameUnit,
    /// Their current load: open cases of their maximum.
    Load { open: i64, max: i64 },
    /// A gold-medal mediator or mentor, for a complex or major case.
    Experienced,
    /// At or over their maximum of open cases.
    Full,
    /// An active apprentice of the lead, for a complex or major case.
    ApprenticeOfLead,
    /// An active apprentice of another mentor on the team, for a complex or major case.
    ApprenticeOfTeam,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranked {
    pub mediator_id: i64,
    pub score: i64,
    pub reasons: Vec<Reason>,
}

const SPECIALTY: i64 = 40;
const SAME_UNIT: i64 = 30;
const LOAD: i64 = 20;
const EXPERIENCE: i64 = 25;
const FULL: i64 = -100;
const APPRENTICE_OF_LEAD: i64 = 35;
const APPRENTICE_OF_TEAM: i64 = 25;

/// Scores every candidate and sorts them best first (ties: lighter load, then lower id, so the
/// order is stable).
pub fn rank(case: &CaseNeeds, candidates: &[Candidate]) -> Vec<Ranked> {
    let hard = matches!(case.grade, Grade::Complex | Grade::Major);
    let mut ranked: Vec<(Ranked, i64)> = candidates
        .iter()
        .map(|c| {
            let mut score = 0;
            let mut reasons = Vec::new();
            if c.specialties.contains(&case.dispute_type) {
                score += SPECIALTY;
                reasons.push(Reason::Specialty);
            }
            if c.unit_id == case.unit_id {
                score += SAME_UNIT;
                reasons.push(Reason::SameUnit);
            }
            if hard && (c.gold_medal || c.is_mentor) {
                score += EXPERIENCE;
                reasons.push(Reason::Experienced);
            }
            if hard && !c.on_team && c.mentor_id.is_some() {
                if c.mentor_id == case.lead_id {
                    score += APPRENTICE_OF_LEAD;
                    reasons.push(Reason::ApprenticeOfLead);
                } else if c.mentor_on_team {
                    score += APPRENTICE_OF_TEAM;
                    reasons.push(Reason::ApprenticeOfTeam);
                }
            }
            let max = c.max_open_cases.max(1);
            if c.open_cases >= max {
                score += FULL;
                reasons.push(Reason::Full);
            } else {
                // Free capacity as a share of the maximum, in whole points.
                score += LOAD * (max - c.open_cases) / max;
            }
            reasons.push(Reason::Load {
                open: c.open_cases,
                max,
            });
            // Load per mille, for ties: the lighter-loaded first.
            let load = c.open_cases * 1000 / max;
            (
                Ranked {
                    mediator_id: c.mediator_id,
                    score,
                    reasons,
                },
                load,
            )
        })
        .collect();
    ranked.sort_by(|(a, la), (b, lb)| {
        b.score
            .cmp(&a.score)
            .then(la.cmp(lb))
            .then(a.mediator_id.cmp(&b.mediator_id))
    });
    ranked.into_iter().map(|(r, _)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, unit: i64) -> Candidate {
        Candidate {
            mediator_id: id,
            unit_id: unit,
            specialties: vec![],
            open_cases: 0,
            max_open_cases: 10,
            gold_medal: false,
            is_mentor: false,
            mentor_id: None,
            mentor_on_team: false,
            on_team: false,
        }
    }

    const WAGES_AT_7: CaseNeeds = CaseNeeds {
        dispute_type: DisputeType::WageArrears,
        unit_id: 7,
        grade: Grade::Ordinary,
        lead_id: None,
    };

    #[test]
    fn a_specialist_of_the_same_unit_comes_first_and_says_why() {
        let mut specialist = candidate(1, 7);
        specialist.specialties = vec![DisputeType::WageArrears];
        let neighbour = candidate(2, 7);
        let stranger = candidate(3, 9);
        let ranked = rank(&WAGES_AT_7, &[stranger, neighbour, specialist]);
        assert_eq!(
            ranked.iter().map(|r| r.mediator_id).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(ranked[0].reasons.contains(&Reason::Specialty));
        assert!(ranked[0].reasons.contains(&Reason::SameUnit));
    }

    #[test]
    fn a_lighter_load_wins_between_otherwise_equal_mediators() {
        let mut busy = candidate(1, 7);
        busy.open_cases = 8;
        let free = candidate(2, 7);
        let ranked = rank(&WAGES_AT_7, &[busy, free]);
        assert_eq!(ranked[0].mediator_id, 2);
        assert_eq!(
            ranked[1].reasons.last(),
            Some(&Reason::Load { open: 8, max: 10 })
        );
    }

    #[test]
    fn load_is_relative_to_each_mediators_maximum() {
        let mut small = candidate(1, 7);
        small.open_cases = 2;
        small.max_open_cases = 4; // half full
        let mut large = candidate(2, 7);
        large.open_cases = 3;
        large.max_open_cases = 15; // a fifth full
        assert_eq!(rank(&WAGES_AT_7, &[small, large])[0].mediator_id, 2);
    }

    #[test]
    fn a_full_mediator_goes_to_the_end() {
        let mut full = candidate(1, 7);
        full.specialties = vec![DisputeType::WageArrears];
        full.open_cases = 10;
        let other = candidate(2, 9);
        let ranked = rank(&WAGES_AT_7, &[full, other]);
        assert_eq!(ranked[1].mediator_id, 1);
        assert!(ranked[1].reasons.contains(&Reason::Full));
    }

    #[test]
    fn gold_medal_and_mentors_count_only_for_complex_and_major_cases() {
        let mut gold = candidate(1, 9);
        gold.gold_medal = true;
        let local = candidate(2, 7);
        assert_eq!(
            rank(&WAGES_AT_7, &[gold.clone(), local.clone()])[0].mediator_id,
            2
        );
        let major = CaseNeeds {
            grade: Grade::Major,
            ..WAGES_AT_7
        };
        let ranked = rank(&major, &[gold, local]);
        assert!(ranked
            .iter()
            .find(|r| r.mediator_id == 1)
            .unwrap()
            .reasons
            .contains(&Reason::Experienced));
        let mut mentor = candidate(3, 7);
        mentor.is_mentor = true;
        assert_eq!(rank(&major, &[candidate(4, 7), mentor])[0].mediator_id, 3);
    }

    #[test]
    fn a_complex_case_suggests_the_leads_apprentice_then_other_mentors_apprentices() {
        let needs = CaseNeeds {
            grade: Grade::Complex,
            lead_id: Some(1),
            ..WAGES_AT_7
        };
        let mut of_lead = candidate(2, 9);
        of_lead.mentor_id = Some(1);
        let mut of_co = candidate(3, 9);
        of_co.mentor_id = Some(4);
        of_co.mentor_on_team = true;
        let mut already = candidate(5, 9);
        already.mentor_id = Some(1);
        already.on_team = true;
        let plain = candidate(6, 9);
        let ranked = rank(&needs, &[plain, already, of_co, of_lead.clone()]);
        assert_eq!(
            ranked.iter().map(|r| r.mediator_id).collect::<Vec<_>>(),
            [2, 3, 5, 6]
        );
        assert!(ranked[0].reasons.contains(&Reason::ApprenticeOfLead));
        assert!(ranked[1].reasons.contains(&Reason::ApprenticeOfTeam));
        assert!(!ranked[2].reasons.contains(&Reason::ApprenticeOfLead));
        // An ordinary case suggests nobody for learning.
        let ordinary = CaseNeeds {
            lead_id: Some(1),
            ..WAGES_AT_7
        };
        let ranked = rank(&ordinary, &[of_lead]);
        assert!(!ranked[0].reasons.contains(&Reason::ApprenticeOfLead));
    }
}
