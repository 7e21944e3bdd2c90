//! Automatic case grading (DESIGN §4): the rules that turn intake facts into a provisional grade.
//!
//! The thresholds are configuration, not code; this module only applies them. A manual `regrade` wins
//! over these rules, and that is the caller's business: `grade` is asked only for the automatic grade.

use serde::{Deserialize, Serialize};

use crate::domain::case_terms::{Grade, RiskFlag, Source};
use crate::i18n::{self, Lang};

/// The numbers of DESIGN §4. Each rule matches when a value is greater than or equal to its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GradingThresholds {
    pub major_people: i64,
    pub major_amount_fen: i64,
    pub complex_people: i64,
    pub complex_amount_fen: i64,
    pub ordinary_people: i64,
    pub ordinary_amount_fen: i64,
}

impl Default for GradingThresholds {
    fn default() -> Self {
        Self {
            major_people: 30,
            // ¥1,000,000
            major_amount_fen: 100_000_000,
            // 10 or more workers is a collective dispute (劳动争议调解仲裁法 art. 7).
            complex_people: 10,
            // ¥100,000
            complex_amount_fen: 10_000_000,
            ordinary_people: 3,
            // ¥10,000
            ordinary_amount_fen: 1_000_000,
        }
    }
}

/// The intake facts that the rules look at.
#[derive(Clone, Copy, Debug)]
pub struct GradingInput<'a> {
    pub people_involved: i64,
    pub amount_claimed_fen: i64,
    pub risk_flags: &'a [RiskFlag],
    pub source: Source,
}

/// The automatic grade and why: every condition of the matching rule that holds, in both languages
/// (e.g. "涉及人数 35 ≥ 30").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Graded {
    pub grade: Grade,
    pub reason_zh: String,
    pub reason_en: String,
}

/// One condition that held, in both languages.
struct Hit {
    zh: String,
    en: String,
}

fn people_hit(people: i64, threshold: i64) -> Option<Hit> {
    (people >= threshold).then(|| Hit {
        zh: format!("涉及人数 {people} ≥ {threshold}"),
        en: format!("people involved {people} ≥ {threshold}"),
    })
}

fn amount_hit(amount_fen: i64, threshold_fen: i64) -> Option<Hit> {
    (amount_fen >= threshold_fen).then(|| {
        let amount = yuan(amount_fen);
        let threshold = yuan(threshold_fen);
        Hit {
            zh: format!("诉求金额 {amount} ≥ {threshold}"),
            en: format!("amount claimed {amount} ≥ {threshold}"),
        }
    })
}

fn flag_hit(flag: RiskFlag) -> Hit {
    Hit {
        zh: format!("风险标记：{}", i18n::label(Lang::Zh, flag)),
        en: format!("risk flag: {}", i18n::label(Lang::En, flag)),
    }
}

fn source_hit(source: Source) -> Hit {
    Hit {
        zh: format!("来源：{}", i18n::label(Lang::Zh, source)),
        en: format!("source: {}", i18n::label(Lang::En, source)),
    }
}

/// Formats fen as yuan for a reason text: `¥1,234.50`, `-¥5.00`.
fn yuan(fen: i64) -> String {
    // unsigned_abs: i64::MIN has no positive i64 counterpart, but it has a u64 one.
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let cents = abs % 100;
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}¥{grouped}.{cents:02}")
}

fn graded(grade: Grade, hits: Vec<Hit>) -> Graded {
    let reason_zh = hits
        .iter()
        .map(|h| h.zh.as_str())
        .collect::<Vec<_>>()
        .join("；");
    let reason_en = hits
        .iter()
        .map(|h| h.en.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Graded {
        grade,
        reason_zh,
        reason_en,
    }
}

/// The automatic grade of DESIGN §4. The rules are tried from `major` down and the first rule with
/// any condition that holds wins; the reason lists every condition of that rule that holds.
pub fn grade(input: &GradingInput, t: &GradingThresholds) -> Graded {
    // Rule 1: major.
    let mut hits: Vec<Hit> = Vec::new();
    hits.extend(people_hit(input.people_involved, t.major_people));
    hits.extend(amount_hit(input.amount_claimed_fen, t.major_amount_fen));
    for flag in [RiskFlag::MassIncident, RiskFlag::ExtremeBehaviour] {
        if input.risk_flags.contains(&flag) {
            hits.push(flag_hit(flag));
        }
    }
    if !hits.is_empty() {
        return graded(Grade::Major, hits);
    }

    // Rule 2: complex. A case referred by the petition office (访源) has already been escalated once.
    hits.extend(people_hit(input.people_involved, t.complex_people));
    hits.extend(amount_hit(input.amount_claimed_fen, t.complex_amount_fen));
    for flag in [
        RiskFlag::MediaAttention,
        RiskFlag::RepeatPetition,
        RiskFlag::CrossDepartment,
    ] {
        if input.risk_flags.contains(&flag) {
            hits.push(flag_hit(flag));
        }
    }
    if input.source == Source::PetitionReferral {
        hits.push(source_hit(input.source));
    }
    if !hits.is_empty() {
        return graded(Grade::Complex, hits);
    }

    // Rule 3: ordinary.
    hits.extend(people_hit(input.people_involved, t.ordinary_people));
    hits.extend(amount_hit(input.amount_claimed_fen, t.ordinary_amount_fen));
    if !hits.is_empty() {
        return graded(Grade::Ordinary, hits);
    }

    // Rule 4: simple.
    Graded {
        grade: Grade::Simple,
        reason_zh: format!(
            "涉及人数 {} < {}，诉求金额 {} < {}，无风险标记",
            input.people_involved,
            t.ordinary_people,
            yuan(input.amount_claimed_fen),
            yuan(t.ordinary_amount_fen)
        ),
        reason_en: format!(
            "people involved {} < {}, amount claimed {} < {}, no risk flag",
            input.people_involved,
            t.ordinary_people,
            yuan(input.amount_claimed_fen),
            yuan(t.ordinary_amount_fen)
        ),
    }
}

/// Whether closing as `resolved` needs a coordinator-confirmed grade first (DESIGN §3 `close`):
/// complex and major cases do; simple and ordinary grades are confirmed automatically on close.
pub fn needs_confirmation_to_close(grade: Grade) -> bool {
    match grade {
        Grade::Simple | Grade::Ordinary => false,
        Grade::Complex | Grade::Major => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(people: i64, amount_fen: i64) -> GradingInput<'static> {
        GradingInput {
            people_involved: people,
            amount_claimed_fen: amount_fen,
            risk_flags: &[],
            source: Source::WalkIn,
        }
    }

    fn grade_of(i: &GradingInput) -> Grade {
        grade(i, &GradingThresholds::default()).grade
    }

    #[test]
    fn the_default_thresholds_are_those_of_design_section_4() {
        let t = GradingThresholds::default();
        assert_eq!(t.major_people, 30);
        assert_eq!(t.major_amount_fen, 100_000_000);
        assert_eq!(t.complex_people, 10);
        assert_eq!(t.complex_amount_fen, 10_000_000);
        assert_eq!(t.ordinary_people, 3);
        assert_eq!(t.ordinary_amount_fen, 1_000_000);
    }

    #[test]
    fn thirty_people_is_major_and_twenty_nine_is_complex() {
        assert_eq!(grade_of(&input(30, 0)), Grade::Major);
        assert_eq!(grade_of(&input(29, 0)), Grade::Complex);
    }

    #[test]
    fn a_million_yuan_is_major_and_one_fen_less_is_complex() {
        assert_eq!(grade_of(&input(1, 100_000_000)), Grade::Major);
        assert_eq!(grade_of(&input(1, 99_999_999)), Grade::Complex);
    }

    #[test]
    fn a_mass_incident_flag_makes_a_small_case_major() {
        let flags = [RiskFlag::MassIncident];
        let i = GradingInput {
            risk_flags: &flags,
            ..input(1, 0)
        };
        let g = grade(&i, &GradingThresholds::default());
        assert_eq!(g.grade, Grade::Major);
        assert_eq!(g.reason_zh, "风险标记：群体性事件");
        assert_eq!(g.reason_en, "risk flag: Mass incident");
    }

    #[test]
    fn an_extreme_behaviour_flag_makes_a_small_case_major() {
        let flags = [RiskFlag::ExtremeBehaviour];
        let i = GradingInput {
            risk_flags: &flags,
            ..input(1, 0)
        };
        assert_eq!(grade_of(&i), Grade::Major);
    }

    #[test]
    fn ten_people_is_complex_and_nine_is_ordinary() {
        assert_eq!(grade_of(&input(10, 0)), Grade::Complex);
        assert_eq!(grade_of(&input(9, 0)), Grade::Ordinary);
    }

    #[test]
    fn a_hundred_thousand_yuan_is_complex_and_one_fen_less_is_ordinary() {
        assert_eq!(grade_of(&input(1, 10_000_000)), Grade::Complex);
        assert_eq!(grade_of(&input(1, 9_999_999)), Grade::Ordinary);
    }

    #[test]
    fn each_other_risk_flag_makes_a_small_case_complex() {
        for flag in [
            RiskFlag::MediaAttention,
            RiskFlag::RepeatPetition,
            RiskFlag::CrossDepartment,
        ] {
            let flags = [flag];
            let i = GradingInput {
                risk_flags: &flags,
                ..input(1, 0)
            };
            let g = grade(&i, &GradingThresholds::default());
            assert_eq!(g.grade, Grade::Complex, "{flag:?}");
            assert_eq!(
                g.reason_zh,
                format!("风险标记：{}", i18n::label(Lang::Zh, flag))
            );
        }
    }

    #[test]
    fn a_petition_office_referral_is_complex() {
        let i = GradingInput {
            source: Source::PetitionReferral,
            ..input(1, 0)
        };
        let g = grade(&i, &GradingThresholds::default());
        assert_eq!(g.grade, Grade::Complex);
        assert_eq!(g.reason_zh, "来源：访源（信访移送）");
    }

    #[test]
    fn other_referrals_do_not_raise_the_grade() {
        for source in Source::ALL {
            if source == Source::PetitionReferral {
                continue;
            }
            let i = GradingInput {
                source,
                ..input(1, 0)
            };
            assert_eq!(grade_of(&i), Grade::Simple, "{source:?}");
        }
    }

    #[test]
    fn three_people_is_ordinary_and_two_is_simple() {
        assert_eq!(grade_of(&input(3, 0)), Grade::Ordinary);
        assert_eq!(grade_of(&input(2, 0)), Grade::Simple);
    }

    #[test]
    fn ten_thousand_yuan_is_ordinary_and_one_fen_less_is_simple() {
        assert_eq!(grade_of(&input(1, 1_000_000)), Grade::Ordinary);
        assert_eq!(grade_of(&input(1, 999_999)), Grade::Simple);
    }

    #[test]
    fn a_case_below_every_threshold_is_simple_and_says_so() {
        let g = grade(&input(1, 500_000), &GradingThresholds::default());
        assert_eq!(g.grade, Grade::Simple);
        assert_eq!(
            g.reason_zh,
            "涉及人数 1 < 3，诉求金额 ¥5,000.00 < ¥10,000.00，无风险标记"
        );
        assert_eq!(
            g.reason_en,
            "people involved 1 < 3, amount claimed ¥5,000.00 < ¥10,000.00, no risk flag"
        );
    }

    #[test]
    fn the_reason_names_the_rule_that_matched() {
        let g = grade(&input(35, 0), &GradingThresholds::default());
        assert_eq!(g.grade, Grade::Major);
        assert_eq!(g.reason_zh, "涉及人数 35 ≥ 30");
        assert_eq!(g.reason_en, "people involved 35 ≥ 30");

        let g = grade(&input(1, 12_345_678), &GradingThresholds::default());
        assert_eq!(g.grade, Grade::Complex);
        assert_eq!(g.reason_zh, "诉求金额 ¥123,456.78 ≥ ¥100,000.00");
    }

    #[test]
    fn the_first_matching_rule_wins_and_lists_all_its_conditions() {
        // The media flag, the amount and the source would each make it complex, but 40 people and the
        // mass-incident flag are major conditions, and the major rule is tried first.
        let flags = [RiskFlag::MediaAttention, RiskFlag::MassIncident];
        let i = GradingInput {
            people_involved: 40,
            amount_claimed_fen: 20_000_000,
            risk_flags: &flags,
            source: Source::PetitionReferral,
        };
        let g = grade(&i, &GradingThresholds::default());
        assert_eq!(g.grade, Grade::Major);
        assert_eq!(g.reason_zh, "涉及人数 40 ≥ 30；风险标记：群体性事件");
        assert_eq!(
            g.reason_en,
            "people involved 40 ≥ 30; risk flag: Mass incident"
        );
    }

    #[test]
    fn configured_thresholds_replace_the_defaults() {
        let t = GradingThresholds {
            major_people: 50,
            ..GradingThresholds::default()
        };
        assert_eq!(grade(&input(49, 0), &t).grade, Grade::Complex);
        assert_eq!(grade(&input(50, 0), &t).grade, Grade::Major);
    }

    #[test]
    fn thresholds_missing_from_configuration_take_their_defaults() {
        let t: GradingThresholds = serde_json::from_str(r#"{"major_people": 40}"#).unwrap();
        assert_eq!(t.major_people, 40);
        assert_eq!(t.ordinary_amount_fen, 1_000_000);
    }

    #[test]
    fn only_complex_and_major_cases_need_a_confirmed_grade_to_close() {
        assert!(!needs_confirmation_to_close(Grade::Simple));
        assert!(!needs_confirmation_to_close(Grade::Ordinary));
        assert!(needs_confirmation_to_close(Grade::Complex));
        assert!(needs_confirmation_to_close(Grade::Major));
    }

    #[test]
    fn yuan_groups_thousands_and_keeps_two_decimals() {
        assert_eq!(yuan(0), "¥0.00");
        assert_eq!(yuan(5), "¥0.05");
        assert_eq!(yuan(123_450), "¥1,234.50");
        assert_eq!(yuan(100_000_000), "¥1,000,000.00");
        assert_eq!(yuan(-500), "-¥5.00");
        assert_eq!(yuan(i64::MIN), "-¥92,233,720,368,547,758.08");
    }
}
