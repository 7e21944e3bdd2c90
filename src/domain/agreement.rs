//! Rules for what is recorded after mediation: session outcomes, agreement instalments that must
//! add up, and when a follow-up visit is due.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionOutcome {
    /// Talks go on.
    Continue,
    /// The parties agreed; the agreement itself is recorded separately.
    Agreement,
    NoAgreement,
    Adjourned,
}

impl SessionOutcome {
    pub const ALL: [SessionOutcome; 4] = [
        SessionOutcome::Continue,
        SessionOutcome::Agreement,
        SessionOutcome::NoAgreement,
        SessionOutcome::Adjourned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionOutcome::Continue => "continue",
            SessionOutcome::Agreement => "agreement",
            SessionOutcome::NoAgreement => "no_agreement",
            SessionOutcome::Adjourned => "adjourned",
        }
    }

    pub fn parse(s: &str) -> Option<SessionOutcome> {
        SessionOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One instalment as agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instalment {
    pub due_on: NaiveDate,
    pub amount_fen: i64,
}

/// Why a schedule of instalments is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleError {
    /// An instalment of zero or less.
    NotPositive { index: usize },
    /// An instalment due before the agreement was signed.
    DueBeforeSigning { index: usize },
    /// The instalments do not add up to the agreed amount (their sum is given).
    SumMismatch { sum_fen: i64 },
}

/// Checks instalments against the agreed amount. No instalments means paid on signing.
///
/// # Errors
/// The first problem found.
pub fn check_schedule(
    amount_fen: i64,
    signed_on: NaiveDate,
    instalments: &[Instalment],
) -> Result<(), ScheduleError> {
    for (index, i) in instalments.iter().enumerate() {
        if i.amount_fen <= 0 {
            return Err(ScheduleError::NotPositive { index });
        }
        if i.due_on < signed_on {
            return Err(ScheduleError::DueBeforeSigning { index });
        }
    }
    if instalments.is_empty() {
        return Ok(());
    }
    let sum_fen = instalments
        .iter()
        .map(|i| i.amount_fen)
        .fold(0i64, i64::saturating_add);
    if sum_fen != amount_fen {
        return Err(ScheduleError::SumMismatch { sum_fen });
    }
    Ok(())
}

/// Days after the last payment date (or the signing, when paid on signing) by which a follow-up
/// visit should check that the agreement was honoured.
pub const FOLLOW_UP_AFTER_DAYS: i64 = 7;

/// The day a follow-up is due, or `None` when one was already done on or after the last due date.
pub fn follow_up_due_on(
    signed_on: NaiveDate,
    instalment_due_dates: &[NaiveDate],
    last_follow_up_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let last_due = instalment_due_dates
        .iter()
        .copied()
        .max()
        .unwrap_or(signed_on);
    match last_follow_up_on {
        Some(done) if done >= last_due => None,
        _ => Some(last_due + Duration::days(FOLLOW_UP_AFTER_DAYS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn instalments_must_add_up_to_the_agreed_amount() {
        let signed = d(2026, 11, 1);
        let two = [
            Instalment {
                due_on: d(2026, 11, 30),
                amount_fen: 500_000,
            },
            Instalment {
                due_on: d(2026, 12, 31),
                amount_fen: 700_000,
            },
        ];
        assert_eq!(check_schedule(1_200_000, signed, &two), Ok(()));
        assert_eq!(
            check_schedule(1_000_000, signed, &two),
            Err(ScheduleError::SumMismatch { sum_fen: 1_200_000 })
        );
        assert_eq!(
            check_schedule(1_000_000, signed, &[]),
            Ok(()),
            "paid on signing"
        );
    }

    #[test]
    fn an_instalment_before_signing_or_of_nothing_is_refused() {
        let signed = d(2026, 11, 1);
        assert_eq!(
            check_schedule(
                100,
                signed,
                &[Instalment {
                    due_on: d(2026, 10, 31),
                    amount_fen: 100
                }]
            ),
            Err(ScheduleError::DueBeforeSigning { index: 0 })
        );
        assert_eq!(
            check_schedule(
                0,
                signed,
                &[Instalment {
                    due_on: d(2026, 11, 2),
                    amount_fen: 0
                }]
            ),
            Err(ScheduleError::NotPositive { index: 0 })
        );
    }

    #[test]
    fn a_follow_up_is_due_a_week_after_the_last_payment_until_one_is_done() {
        let signed = d(2026, 11, 1);
        assert_eq!(follow_up_due_on(signed, &[], None), Some(d(2026, 11, 8)));
        let dues = [d(2026, 11, 30), d(2026, 12, 31)];
        assert_eq!(follow_up_due_on(signed, &dues, None), Some(d(2027, 1, 7)));
        assert_eq!(
            follow_up_due_on(signed, &dues, Some(d(2026, 12, 1))),
            Some(d(2027, 1, 7)),
            "an early visit does not count"
        );
        assert_eq!(follow_up_due_on(signed, &dues, Some(d(2027, 1, 5))), None);
    }

    #[test]
    fn session_outcomes_parse_by_their_api_names() {
        for o in SessionOutcome::ALL {
            assert_eq!(SessionOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(SessionOutcome::parse("fight"), None);
    }
}
