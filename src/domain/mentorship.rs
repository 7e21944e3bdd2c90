//! The mentor-apprentice programme (优师带徒): who may be paired, how progress is counted from the
//! cases both worked on, when an apprentice is ready, and when a pair may graduate or end.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// Where a pair stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PairStatus {
    Active,
    /// The apprentice was certified a gold-medal mediator.
    Graduated,
    /// Stopped without graduating (the mentor left, the apprentice moved away…).
    Ended,
}

impl PairStatus {
    pub const ALL: [PairStatus; 3] = [PairStatus::Active, PairStatus::Graduated, PairStatus::Ended];

    pub fn as_str(self) -> &'static str {
        match self {
            PairStatus::Active => "active",
            PairStatus::Graduated => "graduated",
            PairStatus::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<PairStatus> {
        PairStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What an event on a mediator's record (`mediator_events.kind`) records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordEventKind {
    /// The mediator became a mentor of a new pair.
    MentorshipStarted,
    /// The mediator was taken on as an apprentice.
    ApprenticeTaken,
    /// An apprentice of this mentor graduated.
    MentorshipGraduated,
    /// The mediator graduated as an apprentice.
    ApprenticeGraduated,
    /// The mediator was certified a gold-medal mediator.
    GoldMedalAwarded,
    /// A pair the mediator was in ended without graduating.
    MentorshipEnded,
}

impl RecordEventKind {
    pub const ALL: [RecordEventKind; 6] = [
        RecordEventKind::MentorshipStarted,
        RecordEventKind::ApprenticeTaken,
        RecordEventKind::MentorshipGraduated,
        RecordEventKind::ApprenticeGraduated,
        RecordEventKind::GoldMedalAwarded,
        RecordEventKind::MentorshipEnded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordEventKind::MentorshipStarted => "mentorship_started",
            RecordEventKind::ApprenticeTaken => "apprentice_taken",
            RecordEventKind::MentorshipGraduated => "mentorship_graduated",
            RecordEventKind::ApprenticeGraduated => "apprentice_graduated",
            RecordEventKind::GoldMedalAwarded => "gold_medal_awarded",
            RecordEventKind::MentorshipEnded => "mentorship_ended",
        }
    }

    pub fn parse(s: &str) -> Option<RecordEventKind> {
        RecordEventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One case on which mentor and apprentice were both on the team (in any role).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedCase {
    pub case_id: i64,
    /// The local day the later of the two first joined the case's team: from then on they worked
    /// it together.
    pub paired_on: NaiveDate,
    /// Closed with the outcome `resolved`.
    pub resolved: bool,
    /// Sessions of this case the apprentice attended.
    pub apprentice_sessions: i64,
}

/// A pair's progress towards its target, as DESIGN §6 names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Progress {
    pub co_mediated_cases: i64,
    pub resolved_cases: i64,
    pub sessions_attended: i64,
    pub target_cases: i64,
    /// Resolved cases have reached the target.
    pub ready: bool,
    /// The cases counted, so every figure can show the cases behind it.
    pub case_ids: Vec<i64>,
}

impl Progress {
    /// Resolved cases as a share of the target, capped at 100, for progress bars.
    pub fn percent(&self) -> i64 {
        if self.target_cases <= 0 {
            return 100;
        }
        (self.resolved_cases * 100 / self.target_cases).min(100)
    }

    /// Resolved cases still missing.
    pub fn remaining(&self) -> i64 {
        (self.target_cases - self.resolved_cases).max(0)
    }

    /// Not ready yet, but one resolved case away, or at four fifths of the target: the coordinator
    /// should plan the certification.
    pub fn close_to_ready(&self) -> bool {
        !self.ready && (self.remaining() <= 1 || self.resolved_cases * 5 >= self.target_cases * 4)
    }
}

/// Counts a pair's progress: cases paired on from `started_on` up to `finished_on` (the day a
/// pair graduated or ended; nothing after it counts), the resolved ones among them, and the
/// sessions of those cases the apprentice attended.
pub fn progress(
    started_on: NaiveDate,
    finished_on: Option<NaiveDate>,
    target_cases: i64,
    shared: &[SharedCase],
) -> Progress {
    let counted: Vec<&SharedCase> = shared
        .iter()
        .filter(|c| c.paired_on >= started_on && finished_on.is_none_or(|end| c.paired_on <= end))
        .collect();
    let resolved_cases = counted.iter().filter(|c| c.resolved).count() as i64;
    let mut case_ids: Vec<i64> = counted.iter().map(|c| c.case_id).collect();
    case_ids.sort_unstable();
    case_ids.dedup();
    Progress {
        co_mediated_cases: case_ids.len() as i64,
        resolved_cases,
        sessions_attended: counted.iter().map(|c| c.apprentice_sessions).sum(),
        target_cases,
        ready: resolved_cases >= target_cases,
        case_ids,
    }
}

/// Why a new pair is refused; each belongs to one field of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairProblem {
    /// The mentor is not marked as a mentor.
    MentorNotMentor,
    /// Mentor and apprentice are the same person.
    SamePerson,
    /// The apprentice is already in an active pair.
    ApprenticeAlreadyPaired,
    /// The target is below one case (or absurdly high).
    TargetOutOfRange,
    /// The pair cannot start in the future.
    StartInFuture,
}

impl PairProblem {
    /// The request field the problem belongs to.
    pub fn field(self) -> &'static str {
        match self {
            PairProblem::MentorNotMentor => "mentor_id",
            PairProblem::SamePerson | PairProblem::ApprenticeAlreadyPaired => "apprentice_id",
            PairProblem::TargetOutOfRange => "target_cases",
            PairProblem::StartInFuture => "started_on",
        }
    }
}

/// The most cases a pair may aim for: a target beyond a few years of work is a typing error.
pub const MAX_TARGET_CASES: i64 = 200;

/// What deciding on a new pair needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewPair {
    pub mentor_id: i64,
    pub apprentice_id: i64,
    pub mentor_is_mentor: bool,
    pub apprentice_in_active_pair: bool,
    pub target_cases: i64,
    pub started_on: NaiveDate,
    pub today: NaiveDate,
}

/// Every problem with a new pair, so a form can show them all at once; empty when it may start.
pub fn check_new_pair(p: &NewPair) -> Vec<PairProblem> {
    let mut problems = Vec::new();
    if !p.mentor_is_mentor {
        problems.push(PairProblem::MentorNotMentor);
    }
    if p.mentor_id == p.apprentice_id {
        problems.push(PairProblem::SamePerson);
    } else if p.apprentice_in_active_pair {
        problems.push(PairProblem::ApprenticeAlreadyPaired);
    }
    if !(1..=MAX_TARGET_CASES).contains(&p.target_cases) {
        problems.push(PairProblem::TargetOutOfRange);
    }
    if p.started_on > p.today {
        problems.push(PairProblem::StartInFuture);
    }
    problems
}

/// Why graduating or ending a pair is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinishProblem {
    /// The pair already graduated or ended.
    NotActive,
    /// Graduating before the target is reached needs a reason; ending always does.
    ReasonRequired,
    /// The day is before the pair started, or in the future.
    DayOutOfRange,
}

impl FinishProblem {
    pub fn field(self) -> &'static str {
        match self {
            FinishProblem::NotActive => "status",
            FinishProblem::ReasonRequired => "reason",
            FinishProblem::DayOutOfRange => "on",
        }
    }
}

/// How a pair finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    Graduate,
    End,
}

impl Finish {
    pub fn status(self) -> PairStatus {
        match self {
            Finish::Graduate => PairStatus::Graduated,
            Finish::End => PairStatus::Ended,
        }
    }
}

/// Checks graduating or ending a pair on `on`. Graduation before the apprentice is ready is
/// allowed only with a reason, which is recorded; ending always needs one.
///
/// # Errors
/// The first problem found.
pub fn check_finish(
    finish: Finish,
    status: PairStatus,
    ready: bool,
    reason: Option<&str>,
    started_on: NaiveDate,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), FinishProblem> {
    if status != PairStatus::Active {
        return Err(FinishProblem::NotActive);
    }
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    let needs_reason = match finish {
        Finish::Graduate => !ready,
        Finish::End => true,
    };
    if needs_reason && !has_reason {
        return Err(FinishProblem::ReasonRequired);
    }
    if on < started_on || on > today {
        return Err(FinishProblem::DayOutOfRange);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("a day of November")
    }

    fn case(case_id: i64, paired: u32, resolved: bool, sessions: i64) -> SharedCase {
        SharedCase {
            case_id,
            paired_on: day(paired),
            resolved,
            apprentice_sessions: sessions,
        }
    }

    #[test]
    fn progress_counts_only_cases_paired_since_the_start() {
        let shared = [
            case(1, 2, true, 3),
            case(2, 10, true, 2),
            case(3, 11, false, 1),
        ];
        let p = progress(day(10), None, 2, &shared);
        assert_eq!(p.co_mediated_cases, 2);
        assert_eq!(p.resolved_cases, 1);
        assert_eq!(p.sessions_attended, 3);
        assert_eq!(p.case_ids, vec![2, 3]);
        assert!(!p.ready);
        assert!(p.close_to_ready());
    }

    #[test]
    fn nothing_counts_after_a_pair_finished() {
        let shared = [case(1, 10, true, 1), case(2, 20, true, 1)];
        let p = progress(day(1), Some(day(15)), 1, &shared);
        assert_eq!(p.co_mediated_cases, 1);
        assert!(p.ready);
    }

    #[test]
    fn reaching_the_target_makes_an_apprentice_ready() {
        let shared = [case(1, 10, true, 0), case(2, 12, true, 0)];
        let p = progress(day(1), None, 2, &shared);
        assert!(p.ready);
        assert!(!p.close_to_ready());
        assert_eq!(p.percent(), 100);
        assert_eq!(p.remaining(), 0);
    }

    #[test]
    fn a_far_target_is_not_close_to_ready() {
        let p = progress(day(1), None, 10, &[case(1, 2, true, 1)]);
        assert_eq!(p.percent(), 10);
        assert!(!p.close_to_ready());
    }

    fn pair() -> NewPair {
        NewPair {
            mentor_id: 1,
            apprentice_id: 2,
            mentor_is_mentor: true,
            apprentice_in_active_pair: false,
            target_cases: 5,
            started_on: day(1),
            today: day(23),
        }
    }

    #[test]
    fn a_good_pair_has_no_problems() {
        assert!(check_new_pair(&pair()).is_empty());
    }

    #[test]
    fn every_problem_of_a_new_pair_is_reported() {
        let p = NewPair {
            mentor_is_mentor: false,
            apprentice_id: 1,
            target_cases: 0,
            started_on: day(24),
            ..pair()
        };
        assert_eq!(
            check_new_pair(&p),
            vec![
                PairProblem::MentorNotMentor,
                PairProblem::SamePerson,
                PairProblem::TargetOutOfRange,
                PairProblem::StartInFuture
            ]
        );
        let busy = NewPair {
            apprentice_in_active_pair: true,
            ..pair()
        };
        assert_eq!(
            check_new_pair(&busy),
            vec![PairProblem::ApprenticeAlreadyPaired]
        );
        assert_eq!(
            PairProblem::ApprenticeAlreadyPaired.field(),
            "apprentice_id"
        );
    }

    #[test]
    fn graduating_before_ready_needs_a_reason() {
        let check = |ready, reason| {
            check_finish(
                Finish::Graduate,
                PairStatus::Active,
                ready,
                reason,
                day(1),
                day(20),
                day(23),
            )
        };
        assert_eq!(check(true, None), Ok(()));
        assert_eq!(check(false, None), Err(FinishProblem::ReasonRequired));
        assert_eq!(check(false, Some("  ")), Err(FinishProblem::ReasonRequired));
        assert_eq!(check(false, Some("考核优秀，提前结业")), Ok(()));
    }

    #[test]
    fn ending_needs_a_reason_and_only_an_active_pair_finishes() {
        let end = |status, reason, on| {
            check_finish(Finish::End, status, true, reason, day(5), on, day(23))
        };
        assert_eq!(
            end(PairStatus::Active, None, day(20)),
            Err(FinishProblem::ReasonRequired)
        );
        assert_eq!(end(PairStatus::Active, Some("调离"), day(20)), Ok(()));
        assert_eq!(
            end(PairStatus::Graduated, Some("调离"), day(20)),
            Err(FinishProblem::NotActive)
        );
        assert_eq!(
            end(PairStatus::Active, Some("调离"), day(4)),
            Err(FinishProblem::DayOutOfRange)
        );
        assert_eq!(
            end(PairStatus::Active, Some("调离"), day(24)),
            Err(FinishProblem::DayOutOfRange)
        );
    }
}
