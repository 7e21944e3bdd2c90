//! The case code (案件查询码) a case's parties use to follow it on the public progress page, and
//! how hard guessing it is made. The code is random (50 bits), never derived from the case number
//! or any ID, and written in an alphabet without 0/O and 1/I so that it can be read aloud over the
//! phone without mix-ups.

use rand::RngCore;

use super::throttle::Limits;

/// 8 digits and 24 letters: 32 symbols, 5 bits each; no 0, O, 1 or I.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Symbols per code: 10 × 5 = 50 bits.
pub const CODE_LEN: usize = 10;

/// Guessing codes on the public page: per case number and address, per address, and per case
/// number from every address (the addresses that took part), as the sign-in limits do.
pub const TRACK_LIMITS: Limits = Limits {
    free_per_account_and_address: 5,
    free_per_address: 20,
    free_per_account: 30,
};

/// Online applications from one address within [`APPLICATION_WINDOW_MINUTES`].
pub const APPLICATIONS_PER_ADDRESS: u64 = 5;
pub const APPLICATION_WINDOW_MINUTES: i64 = 60;

/// A new code from `rng` (the operating system's generator in the app).
pub fn generate(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; CODE_LEN];
    rng.fill_bytes(&mut bytes);
    // 32 divides 256: taking the low five bits keeps every symbol equally likely.
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect()
}

/// The code as typed: spaces and dashes dropped, lower case raised. `None` when it cannot be a
/// code at all (the caller still answers as for a wrong code).
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The code in groups of five for reading aloud: `K7QMX 4RT2W`.
pub fn grouped(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `given` is `stored`, in time that does not depend on where they differ.
pub fn matches(stored: &str, given: &str) -> bool {
    stored.len() == given.len()
        && stored
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::mock::StepRng;

    #[test]
    fn a_code_has_ten_symbols_of_the_alphabet_and_no_look_alikes() {
        let code = generate(&mut rand::thread_rng());
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        for bad in ['0', 'O', '1', 'I'] {
            assert!(!ALPHABET.contains(&(bad as u8)));
        }
        assert_eq!(ALPHABET.len(), 32);
    }

    #[test]
    fn codes_from_a_generator_differ() {
        let mut rng = rand::thread_rng();
        let a = generate(&mut rng);
        let b = generate(&mut rng);
        assert_ne!(a, b);
        // A fixed generator gives a fixed code: nothing else goes in.
        assert_eq!(
            generate(&mut StepRng::new(0, 0)),
            generate(&mut StepRng::new(0, 0))
        );
    }

    #[test]
    fn a_typed_code_is_read_with_spaces_dashes_and_lower_case() {
        assert_eq!(normalize("k7qmx 4rt2w"), Some("K7QMX4RT2W".to_owned()));
        assert_eq!(normalize("K7QMX-4RT2W"), Some("K7QMX4RT2W".to_owned()));
        assert_eq!(normalize("K7QMX4RT2"), None);
        assert_eq!(normalize("K7QMX4RT2O"), None);
        assert_eq!(normalize("<script>"), None);
    }

    #[test]
    fn a_code_is_grouped_for_reading_aloud() {
        assert_eq!(grouped("K7QMX4RT2W"), "K7QMX 4RT2W");
    }

    #[test]
    fn only_the_same_code_matches() {
        assert!(matches("K7QMX4RT2W", "K7QMX4RT2W"));
        assert!(!matches("K7QMX4RT2W", "K7QMX4RT2X"));
        assert!(!matches("K7QMX4RT2W", "K7QMX"));
    }
}
