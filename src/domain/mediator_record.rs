//! A mediator's record: the cases they led and co-mediated by grade and type, how many were
//! resolved, how long closing took, joint cases, sessions and follow-up satisfaction. Summed here
//! from plain facts so the page, the API and the tests agree on one definition.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::case_terms::{DisputeType, Grade};

/// One case the mediator was on the team of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseOnRecord {
    pub case_id: i64,
    /// They were its lead at some point (a lead replaced later still led it for a while).
    pub led: bool,
    pub grade: Grade,
    pub dispute_type: DisputeType,
    pub received_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolved: bool,
    /// Other units were invited to mediate it jointly (片区联调).
    pub joint: bool,
}

/// Cases led and co-mediated (as co-mediator or apprentice) in one row of a breakdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    pub led: i64,
    pub co_mediated: i64,
}

impl Tally {
    fn add(&mut self, led: bool) {
        if led {
            self.led += 1;
        } else {
            self.co_mediated += 1;
        }
    }
}

/// A named row of a breakdown: `key` is a grade or dispute-type name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct TallyRow {
    pub key: String,
    pub led: i64,
    pub co_mediated: i64,
}

impl TallyRow {
    fn new(key: &str, t: Tally) -> TallyRow {
        TallyRow {
            key: key.to_owned(),
            led: t.led,
            co_mediated: t.co_mediated,
        }
    }
}

/// The figures of a record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct Record {
    pub cases_led: i64,
    pub cases_co_mediated: i64,
    /// One row per grade, lowest grade first.
    pub by_grade: Vec<TallyRow>,
    /// One row per dispute type with a case, in the order of `DisputeType::ALL`.
    pub by_dispute_type: Vec<TallyRow>,
    pub closed_cases: i64,
    pub resolved_cases: i64,
    /// Resolved of closed, in whole percent; `None` before the first close.
    pub resolved_percent: Option<i64>,
    /// Average days from receipt to close, one decimal; `None` before the first close.
    pub avg_days_to_close: Option<f64>,
    /// Cases mediated jointly with invited units.
    pub joint_cases: i64,
    pub sessions_attended: i64,
    pub follow_ups: i64,
    /// Average satisfaction (1–5) of the follow-ups on their cases, one decimal.
    pub avg_satisfaction: Option<f64>,
}

/// Sums a record. `satisfactions` are the follow-up scores recorded on the mediator's cases.
pub fn summarize(cases: &[CaseOnRecord], sessions_attended: i64, satisfactions: &[i32]) -> Record {
    let mut by_grade: Vec<(Grade, Tally)> =
        Grade::ALL.iter().map(|g| (*g, Tally::default())).collect();
    let mut by_type: Vec<(DisputeType, Tally)> = DisputeType::ALL
        .iter()
        .map(|d| (*d, Tally::default()))
        .collect();
    let mut record = Record {
        sessions_attended,
        follow_ups: satisfactions.len() as i64,
        avg_satisfaction: tenths_average(
            satisfactions.iter().map(|s| i64::from(*s)).sum::<i64>() * 10,
            satisfactions.len() as i64,
        ),
        ..Record::default()
    };
    let mut seconds_to_close = 0i64;
    for c in cases {
        if c.led {
            record.cases_led += 1;
        } else {
            record.cases_co_mediated += 1;
        }
        if let Some((_, t)) = by_grade.iter_mut().find(|(g, _)| *g == c.grade) {
            t.add(c.led);
        }
        if let Some((_, t)) = by_type.iter_mut().find(|(d, _)| *d == c.dispute_type) {
            t.add(c.led);
        }
        if c.joint {
            record.joint_cases += 1;
        }
        if let Some(closed_at) = c.closed_at {
            record.closed_cases += 1;
            seconds_to_close += (closed_at - c.received_at).num_seconds().max(0);
            if c.resolved {
                record.resolved_cases += 1;
            }
        }
    }
    if record.closed_cases > 0 {
        record.resolved_percent =
            Some((record.resolved_cases * 100 + record.closed_cases / 2) / record.closed_cases);
        // Tenths of a day: 8,640 seconds.
        record.avg_days_to_close = tenths_average(seconds_to_close / 8_640, record.closed_cases);
    }
    record.by_grade = by_grade
        .into_iter()
        .map(|(g, t)| TallyRow::new(g.as_str(), t))
        .collect();
    record.by_dispute_type = by_type
        .into_iter()
        .filter(|(_, t)| t.led + t.co_mediated > 0)
        .map(|(d, t)| TallyRow::new(d.as_str(), t))
        .collect();
    record
}

/// Cases of a record that share their grade, type, lead-or-not and joint-or-not, summed (by the
/// database, so that a record never loads its cases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseGroup {
    pub led: bool,
    pub grade: Grade,
    pub dispute_type: DisputeType,
    pub joint: bool,
    pub cases: i64,
    pub closed: i64,
    pub resolved: i64,
    /// Seconds from receipt to close, each case's whole seconds (at least 0), summed over the
    /// closed cases.
    pub seconds_to_close: i64,
}

/// [`summarize`] over groups of cases: the same figures as over the cases one by one.
/// `satisfaction_sum` and `follow_ups` are the sum and count of the follow-up scores.
pub fn summarize_groups(
    groups: &[CaseGroup],
    sessions_attended: i64,
    follow_ups: i64,
    satisfaction_sum: i64,
) -> Record {
    let mut by_grade: Vec<(Grade, Tally)> =
        Grade::ALL.iter().map(|g| (*g, Tally::default())).collect();
    let mut by_type: Vec<(DisputeType, Tally)> = DisputeType::ALL
        .iter()
        .map(|d| (*d, Tally::default()))
        .collect();
    let mut record = Record {
        sessions_attended,
        follow_ups,
        avg_satisfaction: tenths_average(satisfaction_sum * 10, follow_ups),
        ..Record::default()
    };
    let mut seconds_to_close = 0i64;
    for g in groups {
        let tally = |t: &mut Tally| {
            if g.led {
                t.led += g.cases;
            } else {
                t.co_mediated += g.cases;
            }
        };
        if g.led {
            record.cases_led += g.cases;
        } else {
            record.cases_co_mediated += g.cases;
        }
        if let Some((_, t)) = by_grade.iter_mut().find(|(x, _)| *x == g.grade) {
            tally(t);
        }
        if let Some((_, t)) = by_type.iter_mut().find(|(d, _)| *d == g.dispute_type) {
            tally(t);
        }
        if g.joint {
            record.joint_cases += g.cases;
        }
        record.closed_cases += g.closed;
        record.resolved_cases += g.resolved;
        seconds_to_close += g.seconds_to_close;
    }
    if record.closed_cases > 0 {
        record.resolved_percent =
            Some((record.resolved_cases * 100 + record.closed_cases / 2) / record.closed_cases);
        record.avg_days_to_close = tenths_average(seconds_to_close / 8_640, record.closed_cases);
    }
    record.by_grade = by_grade
        .into_iter()
        .map(|(g, t)| TallyRow::new(g.as_str(), t))
        .collect();
    record.by_dispute_type = by_type
        .into_iter()
        .filter(|(_, t)| t.led + t.co_mediated > 0)
        .map(|(d, t)| TallyRow::new(d.as_str(), t))
        .collect();
    record
}

/// `total_tenths / count`, rounded to one decimal.
fn tenths_average(total_tenths: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| ((total_tenths + count / 2) / count) as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn case(id: i64, led: bool, grade: Grade, closed_after_days: Option<i64>) -> CaseOnRecord {
        let received_at = Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0).unwrap();
        CaseOnRecord {
            case_id: id,
            led,
            grade,
            dispute_type: DisputeType::WageArrears,
            received_at,
            closed_at: closed_after_days.map(|d| received_at + Duration::days(d)),
            resolved: false,
            joint: false,
        }
    }

    #[test]
    fn grouped_cases_sum_to_the_same_record_as_the_cases_one_by_one() {
        let mut cases = vec![
            case(1, true, Grade::Simple, Some(3)),
            case(2, true, Grade::Simple, None),
            case(3, false, Grade::Major, Some(20)),
            case(4, true, Grade::Complex, Some(11)),
        ];
        cases[0].resolved = true;
        cases[3].joint = true;
        cases[3].resolved = true;
        let mut groups: Vec<CaseGroup> = Vec::new();
        for c in &cases {
            let secs = c
                .closed_at
                .map_or(0, |t| (t - c.received_at).num_seconds().max(0));
            match groups.iter_mut().find(|g| {
                g.led == c.led
                    && g.grade == c.grade
                    && g.dispute_type == c.dispute_type
                    && g.joint == c.joint
            }) {
                Some(g) => {
                    g.cases += 1;
                    g.closed += i64::from(c.closed_at.is_some());
                    g.resolved += i64::from(c.closed_at.is_some() && c.resolved);
                    g.seconds_to_close += secs;
                }
                None => groups.push(CaseGroup {
                    led: c.led,
                    grade: c.grade,
                    dispute_type: c.dispute_type,
                    joint: c.joint,
                    cases: 1,
                    closed: i64::from(c.closed_at.is_some()),
                    resolved: i64::from(c.closed_at.is_some() && c.resolved),
                    seconds_to_close: secs,
                }),
            }
        }
        assert_eq!(
            summarize_groups(&groups, 5, 3, 13),
            summarize(&cases, 5, &[5, 4, 4])
        );
    }

    #[test]
    fn an_empty_record_has_no_shares_or_averages() {
        let r = summarize(&[], 0, &[]);
        assert_eq!(r.cases_led, 0);
        assert_eq!(r.resolved_percent, None);
        assert_eq!(r.avg_days_to_close, None);
        assert_eq!(r.avg_satisfaction, None);
        assert_eq!(r.by_grade.len(), 4);
        assert!(r.by_dispute_type.is_empty());
    }

    #[test]
    fn cases_are_split_by_role_grade_and_outcome() {
        let mut resolved = case(1, true, Grade::Simple, Some(3));
        resolved.resolved = true;
        let mut joint = case(2, false, Grade::Complex, Some(6));
        joint.joint = true;
        joint.dispute_type = DisputeType::WorkInjury;
        let open = case(3, false, Grade::Complex, None);
        let r = summarize(&[resolved, joint, open], 4, &[5, 4]);
        assert_eq!((r.cases_led, r.cases_co_mediated), (1, 2));
        assert_eq!(
            r.by_grade[2],
            TallyRow {
                key: "complex".to_owned(),
                led: 0,
                co_mediated: 2
            }
        );
        assert_eq!(r.by_dispute_type.len(), 2);
        assert_eq!((r.closed_cases, r.resolved_cases), (2, 1));
        assert_eq!(r.resolved_percent, Some(50));
        assert_eq!(r.avg_days_to_close, Some(4.5));
        assert_eq!(r.joint_cases, 1);
        assert_eq!(r.sessions_attended, 4);
        assert_eq!(r.follow_ups, 2);
        assert_eq!(r.avg_satisfaction, Some(4.5));
    }

    #[test]
    fn shares_round_to_the_nearest_percent() {
        let mut a = case(1, true, Grade::Simple, Some(1));
        a.resolved = true;
        let b = case(2, true, Grade::Simple, Some(1));
        let c = case(3, true, Grade::Simple, Some(1));
        // 1 of 3 is 33.3 %.
        assert_eq!(summarize(&[a, b, c], 0, &[]).resolved_percent, Some(33));
        let mut b2 = b;
        b2.resolved = true;
        // 2 of 3 is 66.7 %.
        assert_eq!(summarize(&[a, b2, c], 0, &[]).resolved_percent, Some(67));
    }
}
