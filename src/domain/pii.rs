//! Masking personal data (ID and phone numbers) wherever the full value is not needed.

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

    #[test]
    fn id_and_phone_numbers_are_masked_as_the_design_shows() {
        assert_eq!(mask_id_number("330103199001011234"), "3301**********1234");
        assert_eq!(mask_phone("13900000000"), "139****0000");
    }

    #[test]
    fn a_value_too_short_to_mask_partially_is_hidden_entirely() {
        assert_eq!(mask_phone("110"), "***");
    }
}
