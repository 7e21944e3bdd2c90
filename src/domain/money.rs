//! Money is integer fen below the templates; this is the one place fen become "¥1,234.50", or
//! the capitals (大写) written on an agreement.

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

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// An amount in Chinese capitals as written on agreements, cheques and receipts (大写金额), by the
/// People's Bank rules for filling in payment documents: `1234560` → `壹万贰仟叁佰肆拾伍元陆角整`.
///
/// - a zero inside the number is written once for a run of zeros (`¥6,007.14` → 陆仟零柒元壹角肆分),
///   also across 万 and 亿 (`¥100,001` → 壹拾万零壹元整), and never before 元, 万 or 亿;
/// - a leading ten is 壹拾 (`¥10` → 壹拾元整), so that nothing can be written in front of it;
/// - 整 after 元 or 角 when there are no 分; 元 is followed by 零 when 角 is zero but 分 is not
///   (`¥325.04` → 叁佰贰拾伍元零肆分); a zero at 元 before 角 is left out (`¥1,680.32` →
///   壹仟陆佰捌拾元叁角贰分, one of the two forms the rules allow);
/// - less than a yuan has no 元 (`¥0.50` → 伍角整); nothing is 零元整; a negative amount starts with 负.
pub fn yuan_in_capitals(fen: i64) -> String {
    let sign = if fen < 0 { "负" } else { "" };
    let abs = fen.unsigned_abs();
    let (yuan, jiao, fen) = (abs / 100, (abs / 10 % 10) as usize, (abs % 10) as usize);
    let mut out = String::from(sign);
    if yuan > 0 {
        out.push_str(&whole_in_capitals(yuan));
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) if yuan == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    out
}

/// A positive whole number in capitals: groups of four digits joined by 万 and 亿, with 零 where a
/// lower group does not fill its four places.
fn whole_in_capitals(n: u64) -> String {
    const YI: u64 = 100_000_000;
    const WAN: u64 = 10_000;
    let (high, low, unit, low_places) = if n >= YI {
        (n / YI, n % YI, '亿', YI / 10)
    } else if n >= WAN {
        (n / WAN, n % WAN, '万', WAN / 10)
    } else {
        return four_in_capitals(n);
    };
    let mut out = whole_in_capitals(high);
    out.push(unit);
    if low > 0 {
        if low < low_places {
            out.push('零');
        }
        out.push_str(&whole_in_capitals(low));
    }
    out
}

/// 1 to 9999 in capitals: 仟佰拾 after each digit, one 零 for a run of zeros inside, none at the end.
fn four_in_capitals(n: u64) -> String {
    const PLACES: [(u64, &str); 4] = [(1000, "仟"), (100, "佰"), (10, "拾"), (1, "")];
    let mut out = String::new();
    let mut zero_pending = false;
    for (value, place) in PLACES {
        let digit = (n / value % 10) as usize;
        if digit == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push('零');
            zero_pending = false;
        }
        out.push(DIGITS[digit]);
        out.push_str(place);
    }
    out
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

    #[test]
    fn amounts_are_written_in_capitals_as_on_payment_documents() {
        let cases: [(i64, &str); 25] = [
            (0, "零元整"),
            (1, "壹分"),
            (5, "伍分"),
            (10, "壹角整"),
            (50, "伍角整"),
            (56, "伍角陆分"),
            (100, "壹元整"),
            (1_000, "壹拾元整"),
            (1_500, "壹拾伍元整"),
            (1_234_560, "壹万贰仟叁佰肆拾伍元陆角整"),
            (140_950, "壹仟肆佰零玖元伍角整"),
            (600_714, "陆仟零柒元壹角肆分"),
            (168_032, "壹仟陆佰捌拾元叁角贰分"),
            (1_640_902, "壹万陆仟肆佰零玖元零贰分"),
            (32_504, "叁佰贰拾伍元零肆分"),
            (10_700_053, "壹拾万柒仟元伍角叁分"),
            (10_000_100, "壹拾万零壹元整"),
            (100_000_005, "壹佰万元零伍分"),
            (10_000_000_000, "壹亿元整"),
            (10_001_000_000, "壹亿零壹万元整"),
            (10_010_000_000, "壹亿零壹拾万元整"),
            (100_100_000_000, "壹拾亿零壹佰万元整"),
            (100_010_000_000_000, "壹万零壹亿元整"),
            (80_000_000, "捌拾万元整"),
            (-100, "负壹元整"),
        ];
        for (fen, words) in cases {
            assert_eq!(yuan_in_capitals(fen), words, "{}", format_yuan(fen));
        }
    }

    #[test]
    fn zeros_inside_a_group_are_written_once_and_never_at_its_end() {
        assert_eq!(four_in_capitals(1001), "壹仟零壹");
        assert_eq!(four_in_capitals(1010), "壹仟零壹拾");
        assert_eq!(four_in_capitals(1100), "壹仟壹佰");
        assert_eq!(four_in_capitals(305), "叁佰零伍");
        assert_eq!(four_in_capitals(9999), "玖仟玖佰玖拾玖");
    }

    #[test]
    fn the_largest_amounts_do_not_overflow() {
        assert_eq!(
            yuan_in_capitals(i64::MAX),
            "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"
        );
        assert!(yuan_in_capitals(i64::MIN).starts_with('负'));
    }

    proptest::proptest! {
        #[test]
        fn capitals_are_well_formed(fen in 0i64..1_000_000_000_000_000) {
            let words = yuan_in_capitals(fen);
            proptest::prop_assert!(!words.contains("零零"), "{}", words);
            for unit in ["零元", "零万", "零亿", "零角", "零整", "亿万"] {
                proptest::prop_assert!(
                    !words.contains(unit) || words == "零元整",
                    "{} in {}",
                    unit,
                    words
                );
            }
            proptest::prop_assert!(words.ends_with('整') || words.ends_with('分'), "{}", words);
            proptest::prop_assert_eq!(words.ends_with('分'), fen % 10 != 0);
            proptest::prop_assert!(!words.starts_with('拾'), "{}", words);
        }
    }
}
