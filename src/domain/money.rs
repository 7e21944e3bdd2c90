//! Money is integer fen below the templates; this is the one place fen become "¥1,234.50".

/// `123450` → `¥1,234.50`; negative amounts keep their sign in front: `-¥0.05`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let yuan = abs / 100;
    let cents = abs % 100;
    let digits = yuan.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}¥{grouped}.{cents:02}")
}

/// Parses yuan as a person types it (`1234.5`, `1,234.50`, `¥800`) into fen, exactly: no floats.
/// Returns `None` for anything that is not a non-negative amount with at most two decimals.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let (whole, frac) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac_fen: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(frac_fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_are_shown_as_grouped_yuan() {
        assert_eq!(format_yuan(0), "¥0.00");
        assert_eq!(format_yuan(5), "¥0.05");
        assert_eq!(format_yuan(123450), "¥1,234.50");
        assert_eq!(format_yuan(782_000_000), "¥7,820,000.00");
        assert_eq!(format_yuan(-5), "-¥0.05");
    }

    #[test]
    fn typed_yuan_become_exact_fen() {
        assert_eq!(parse_yuan("1234.5"), Some(123450));
        assert_eq!(parse_yuan("¥1,234.56"), Some(123456));
        assert_eq!(parse_yuan("800"), Some(80000));
        assert_eq!(parse_yuan("0.1"), Some(10));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(parse_yuan(""), None);
    }
}
