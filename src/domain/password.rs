//! The password rule (NIST SP 800-63B): length over composition. At least 10 characters, not all
//! digits, not the username, not one of the most common passwords; nothing else is required.

/// Why a password is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakPassword {
    TooShort,
    TooLong,
    AllDigits,
    SameAsUsername,
    TooCommon,
}

pub const MIN_CHARS: usize = 10;
/// Argon2 copes with any length, but a megabyte-long "password" is an attack on the CPU.
pub const MAX_CHARS: usize = 128;

/// Common choices that meet the length rule and are guessed first (from public breach lists).
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1234567890a",
    "a123456789",
    "qwertyuiop",
    "qwertyuiop123",
    "1qaz2wsx3edc",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "qwerty12345",
    "qwerty123456",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou123",
    "abcdefghij",
    "abc1234567",
    "abcd123456",
    "aaaaaaaaaa",
    "woaini1314",
    "woaini520520",
    "5201314520",
    "admin12345",
    "administrator",
    "zxcvbnm123",
    "asdfghjkl123",
    "asdfghjkl;",
    "letmein123",
    "welcome123",
    "changeme123",
    "p@ssw0rd123",
];

/// # Errors
/// The first rule the password breaks.
pub fn check(password: &str, username: &str) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(WeakPassword::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(WeakPassword::TooLong);
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(WeakPassword::AllDigits);
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower == username.to_lowercase() {
        return Err(WeakPassword::SameAsUsername);
    }
    if COMMON.contains(&lower.as_str()) {
        return Err(WeakPassword::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_passphrase_without_symbols_is_accepted() {
        assert_eq!(check("tea garden by the river", "wang"), Ok(()));
    }

    #[test]
    fn short_numeric_username_and_common_passwords_are_refused() {
        assert_eq!(check("short1", "wang"), Err(WeakPassword::TooShort));
        assert_eq!(check("13957112345", "wang"), Err(WeakPassword::AllDigits));
        assert_eq!(
            check("Wangxiaoming", "wangxiaoming"),
            Err(WeakPassword::SameAsUsername)
        );
        assert_eq!(check("Password123", "wang"), Err(WeakPassword::TooCommon));
        assert_eq!(check(&"x".repeat(129), "wang"), Err(WeakPassword::TooLong));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Ten Chinese characters are ten characters, though thirty bytes.
        assert_eq!(check("春眠不觉晓处处闻啼鸟", "wang"), Ok(()));
        assert_eq!(
            check("春眠不觉晓处处闻啼", "wang"),
            Err(WeakPassword::TooShort)
        );
    }
}
