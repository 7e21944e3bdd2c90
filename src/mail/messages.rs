//! Message builders: the subject and the plain-text and HTML bodies of each kind, from
//! `templates/emails/<kind>/{subject.txt,body.txt,body.html}` (compiled into the binary). Only the
//! HTML body is escaped; the subject is made one safe header line.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::Kind;
use crate::config::Config;
use crate::domain::clocks;
use crate::error::AppError;

macro_rules! email_templates {
    ($($name:literal),* $(,)?) => {
        [$((
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/emails/", $name, "/subject.txt")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/emails/", $name, "/body.txt")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/emails/", $name, "/body.html")),
        )),*]
    };
}

/// One folder per kind; a new kind adds its name here.
const SOURCES: [(&str, &str, &str, &str); 11] = email_templates!(
    "assigned",
    "escalated",
    "referred",
    "invited",
    "due_soon",
    "overdue",
    "follow_up_due",
    "confirmation_near",
    "subsidy_approved",
    "monthly_report",
    "applied_online",
);

static TEMPLATES: LazyLock<Result<tera::Tera, String>> = LazyLock::new(|| {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    let mut all = Vec::new();
    for (name, subject, text, html) in SOURCES {
        all.push((format!("{name}/subject.txt"), subject));
        all.push((format!("{name}/body.txt"), text));
        all.push((format!("{name}/body.html"), html));
    }
    tera.add_raw_templates(all)
        .map(|()| tera)
        .map_err(|e| format!("{e:?}"))
});

fn templates() -> Result<&'static tera::Tera, AppError> {
    TEMPLATES
        .as_ref()
        .map_err(|e| AppError::Internal(format!("e-mail templates: {e}")))
}

/// The keys every template may name; absent ones are empty rather than a render error.
const KEYS: [&str; 18] = [
    "recipient",
    "actor",
    "case_no",
    "dispute_type",
    "unit",
    "from_unit",
    "case_unit",
    "reason",
    "note",
    "role_label",
    "deadline_day",
    "days_left",
    "for_lead",
    "due_day",
    "days_overdue",
    "period",
    "total",
    "item_count",
];

fn render(kind: Kind, part: &str, data: &Map<String, Value>) -> Result<String, AppError> {
    let mut context = data.clone();
    for key in KEYS {
        context.entry(key).or_insert(Value::String(String::new()));
    }
    let context = tera::Context::from_value(Value::Object(context))
        .map_err(|e| AppError::Internal(format!("e-mail context: {e}")))?;
    let name = format!("{}/{part}", kind.as_str());
    templates()?
        .render(&name, &context)
        .map_err(|e| AppError::Internal(format!("e-mail template {name}: {e:?}")))
}

fn object(data: &Value) -> Map<String, Value> {
    data.as_object().cloned().unwrap_or_default()
}

/// The subject: one line (no header can be smuggled in), at most 200 characters.
///
/// # Errors
/// A template error (a bug).
pub fn subject(kind: Kind, data: &Value) -> Result<String, AppError> {
    let raw = render(kind, "subject.txt", &object(data))?;
    let line: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Ok(line
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect())
}

/// The two bodies of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bodies {
    pub text: String,
    pub html: String,
}

/// Renders the bodies for sending: links are made absolute with `PUBLIC_URL`, and the deadline
/// is shown as its local last day.
///
/// # Errors
/// A template error (a bug).
pub fn bodies(kind: Kind, data: &Value, link: &str, config: &Config) -> Result<Bodies, AppError> {
    let mut context = object(data);
    let base = config.public_url.trim_end_matches('/');
    context.insert("url".into(), Value::String(format!("{base}{link}")));
    context.insert(
        "settings_url".into(),
        Value::String(format!("{base}/account/notifications")),
    );
    let deadline = context
        .get("deadline_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc));
    if let Some(deadline) = deadline {
        let day = clocks::deadline_last_day(deadline, config.time_zone);
        context.insert(
            "deadline_day".into(),
            Value::String(day.format("%Y年%-m月%-d日").to_string()),
        );
    }
    Ok(Bodies {
        text: render(kind, "body.txt", &context)?,
        html: render(kind, "body.html", &context)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "recipient": "周主任",
            "actor": "陈建华",
            "case_no": "JB-2026-00042",
            "dispute_type": "欠薪",
            "unit": "劳动监察工作室",
            "from_unit": "三堡村工作站",
            "case_unit": "三堡村工作站",
            "reason": "<script>alert(1)</script> & 平台",
            "note": "",
            "role_label": "主办",
            "deadline_at": "2026-12-08T16:00:00Z",
            "days_left": 3,
            "for_lead": true,
            "due_day": "2026年12月1日",
            "days_overdue": 2,
            "period": "2026-11",
            "total": "¥1,234.50",
            "item_count": 3,
        })
    }

    #[test]
    fn every_kind_renders_with_the_case_number_and_the_link() {
        let config = Config::for_database("sqlite::memory:");
        for kind in Kind::ALL.into_iter().filter(|k| k.about_a_case()) {
            let s = subject(kind, &sample()).unwrap();
            assert!(s.contains("JB-2026-00042"), "{kind:?}: {s}");
            assert!(!s.contains('\n'));
            let b = bodies(kind, &sample(), "/cases/42", &config).unwrap();
            assert!(
                b.text.contains("http://127.0.0.1:3000/cases/42"),
                "{kind:?}: {}",
                b.text
            );
            assert!(b.html.contains("href=\"http://127.0.0.1:3000/cases/42\""));
        }
    }

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_plain_text() {
        let config = Config::for_database("sqlite::memory:");
        let b = bodies(Kind::Escalated, &sample(), "/cases/42", &config).unwrap();
        assert!(b.html.contains("&lt;script&gt;"));
        assert!(!b.html.contains("<script>"));
        assert!(b.text.contains("<script>alert(1)</script> & 平台"));
        assert!(b.text.contains("2026年12月8日"), "{}", b.text);
    }

    #[test]
    fn a_reminder_says_whose_case_it_is() {
        let config = Config::for_database("sqlite::memory:");
        let lead = bodies(Kind::DueSoon, &sample(), "/cases/42", &config).unwrap();
        assert!(
            lead.text.contains("您主办的案件 JB-2026-00042"),
            "{}",
            lead.text
        );
        assert!(lead.text.contains("还有 3 天"), "{}", lead.text);
        let mut data = sample();
        data["for_lead"] = json!(false);
        let hub = bodies(Kind::Overdue, &data, "/cases/42", &config).unwrap();
        assert!(hub.text.contains("尚无主办调解员的案件"), "{}", hub.text);
    }

    #[test]
    fn the_agreement_reminders_give_the_day_and_the_law() {
        let config = Config::for_database("sqlite::memory:");
        let visit = bodies(Kind::FollowUpDue, &sample(), "/cases/42", &config).unwrap();
        assert!(
            visit.text.contains("回访到期日为 2026年12月1日"),
            "{}",
            visit.text
        );
        assert!(visit.text.contains("已逾期 2 天"), "{}", visit.text);
        assert!(
            visit.text.contains("人民调解法第三十一条"),
            "{}",
            visit.text
        );
        let confirm = bodies(Kind::ConfirmationNear, &sample(), "/cases/42", &config).unwrap();
        assert!(
            confirm.text.contains("最后一天是 2026年12月1日"),
            "{}",
            confirm.text
        );
        assert!(
            confirm.text.contains("人民调解法第三十三条"),
            "{}",
            confirm.text
        );
        assert!(confirm.html.contains("还有 3 天"), "{}", confirm.html);
    }

    #[test]
    fn an_approved_subsidy_tells_the_period_and_the_total() {
        let config = Config::for_database("sqlite::memory:");
        let s = subject(Kind::SubsidyApproved, &sample()).unwrap();
        assert!(s.contains("2026-11") && s.contains("¥1,234.50"), "{s}");
        let b = bodies(Kind::SubsidyApproved, &sample(), "/inbox", &config).unwrap();
        assert!(b.text.contains("共有 3 项，合计 ¥1,234.50"), "{}", b.text);
        assert!(b.html.contains("href=\"http://127.0.0.1:3000/inbox\""));
    }

    #[test]
    fn a_subject_cannot_carry_a_second_header_line() {
        let mut data = sample();
        data["unit"] = json!("室\r\nBcc: someone@example.com");
        let s = subject(Kind::Referred, &data).unwrap();
        assert!(!s.contains('\r') && !s.contains('\n'));
    }

    #[test]
    fn missing_values_render_empty_rather_than_fail() {
        let config = Config::for_database("sqlite::memory:");
        let data = json!({"case_no": "JB-2026-00001"});
        for kind in Kind::ALL {
            bodies(kind, &data, "/cases/1", &config).unwrap();
        }
    }
}
