//! How hard password guessing is made (OWASP ASVS 2.2.1): failed sign-ins are counted per
//! username and address, per address, and per username, and each count past its free allowance
//! makes the next try wait twice as long as the one before. A person typing their own password
//! from an address that has not been failing is never held back by someone else's guesses.

use chrono::{DateTime, Duration, Utc};

/// How far back failures count.
pub const WINDOW_MINUTES: i64 = 15;
/// Wrong passwords for one account from one address before tries must wait.
pub const FREE_PER_ACCOUNT_AND_ADDRESS: u64 = 5;
/// Wrong passwords from one address, whatever the account, before tries must wait: one machine
/// trying many accounts.
pub const FREE_PER_ADDRESS: u64 = 20;
/// Wrong passwords for one account from every address before tries from the addresses that
/// took part must wait: many machines trying one account.
pub const FREE_PER_ACCOUNT: u64 = 100;
/// The longest wait.
pub const MAX_WAIT_SECONDS: u64 = 900;

/// The failures in the window that concern one try.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecentFailures {
    /// For this account from this address.
    pub account_and_address: u64,
    /// From this address, any account.
    pub address: u64,
    /// For this account, any address.
    pub account: u64,
    /// The latest of those failures.
    pub last_at: Option<DateTime<Utc>>,
}

/// Whether a try may check its password now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Check,
    Wait { seconds: u64 },
}

/// Seconds to wait after `count` failures with `free` of them allowed: 2, 4, 8, … up to 15 min.
pub fn wait_after(count: u64, free: u64) -> u64 {
    let over = count.saturating_sub(free).min(20) as u32;
    2u64.saturating_pow(over + 1).min(MAX_WAIT_SECONDS)
}

/// The free allowances of one kind of guessing ("account" is whatever is guessed at: a username,
/// a case number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub free_per_account_and_address: u64,
    pub free_per_address: u64,
    pub free_per_account: u64,
}

/// The sign-in limits.
pub const SIGN_IN: Limits = Limits {
    free_per_account_and_address: FREE_PER_ACCOUNT_AND_ADDRESS,
    free_per_address: FREE_PER_ADDRESS,
    free_per_account: FREE_PER_ACCOUNT,
};

/// Decides a sign-in try at `now` from the failures before it.
pub fn decide(failures: &RecentFailures, now: DateTime<Utc>) -> Verdict {
    decide_with(failures, &SIGN_IN, now)
}

/// Decides a try at `now` under `limits` from the failures before it.
pub fn decide_with(failures: &RecentFailures, limits: &Limits, now: DateTime<Utc>) -> Verdict {
    let tripped = |count: u64, free: u64| (count >= free).then(|| wait_after(count, free));
    let waits = [
        tripped(
            failures.account_and_address,
            limits.free_per_account_and_address,
        ),
        tripped(failures.address, limits.free_per_address),
        // Only addresses that took part in the guessing: the account's owner elsewhere is not
        // locked out by a crowd of guessers.
        if failures.account_and_address > 0 {
            tripped(failures.account, limits.free_per_account)
        } else {
            None
        },
    ];
    let (Some(wait), Some(last)) = (waits.into_iter().flatten().max(), failures.last_at) else {
        return Verdict::Check;
    };
    let allowed_at = last + Duration::seconds(wait as i64);
    if now < allowed_at {
        Verdict::Wait {
            seconds: (allowed_at - now).num_seconds().max(1) as u64,
        }
    } else {
        Verdict::Check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn waiting_doubles_after_the_free_failures_and_is_capped() {
        assert_eq!(wait_after(5, 5), 2);
        assert_eq!(wait_after(6, 5), 4);
        assert_eq!(wait_after(7, 5), 8);
        assert_eq!(wait_after(100, 5), MAX_WAIT_SECONDS);
    }

    #[test]
    fn a_few_mistakes_are_free() {
        let f = RecentFailures {
            account_and_address: 4,
            address: 4,
            account: 4,
            last_at: Some(at(0)),
        };
        assert_eq!(decide(&f, at(0)), Verdict::Check);
    }

    #[test]
    fn an_address_guessing_one_account_waits_and_may_try_again_later() {
        let f = RecentFailures {
            account_and_address: 6,
            address: 6,
            account: 6,
            last_at: Some(at(0)),
        };
        assert_eq!(decide(&f, at(1)), Verdict::Wait { seconds: 3 });
        assert_eq!(decide(&f, at(4)), Verdict::Check);
    }

    #[test]
    fn an_address_trying_many_accounts_waits_though_each_account_failed_once() {
        let f = RecentFailures {
            account_and_address: 0,
            address: 20,
            account: 1,
            last_at: Some(at(0)),
        };
        assert!(matches!(decide(&f, at(0)), Verdict::Wait { .. }));
    }

    #[test]
    fn the_owner_at_a_clean_address_is_not_held_back_by_a_crowd_of_guessers() {
        let owner = RecentFailures {
            account_and_address: 0,
            address: 0,
            account: 500,
            last_at: Some(at(0)),
        };
        assert_eq!(decide(&owner, at(0)), Verdict::Check);
        let guesser = RecentFailures {
            account_and_address: 1,
            ..owner
        };
        assert!(matches!(decide(&guesser, at(0)), Verdict::Wait { .. }));
    }
}
