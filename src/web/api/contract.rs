//! The conventions that complete the generated OpenAPI document so that it states what the server
//! enforces, for every operation at once (those added later included): query parameters are in
//! the query and optional, `page` and `per_page` carry their limits, text fields of request bodies
//! carry the "no control characters" rule of the extractors, and a path `{date}` is a date.
//! Checked from outside by `schemathesis` (`.ci/schemathesis.sh`).

use serde_json::{json, Map, Value};

use crate::services::PageRequest;

/// The characters a text field of a request may not hold (see `extract::has_control_character`):
/// the C0 and C1 control characters except tab, line feed and carriage return.
pub const NO_CONTROL_CHARACTERS: &str =
    "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// Applies every convention to the document, as JSON.
pub fn complete(doc: &mut Value) {
    let mut components = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    apply_rules(&mut components);
    let mut body_schemas = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                let Some(operation) = operation.as_object_mut() else {
                    continue;
                };
                if method == "patch" {
                    refer_to_patch_variants(operation, &mut components);
                }
                if let Some(parameters) = operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                {
                    for parameter in parameters.iter_mut().filter_map(Value::as_object_mut) {
                        place_parameter(path, parameter);
                    }
                }
                if let Some(content) = operation
                    .get_mut("requestBody")
                    .and_then(|b| b.get_mut("content"))
                    .and_then(Value::as_object_mut)
                {
                    for (media_type, media) in content.iter_mut() {
                        if media_type == "multipart/form-data" {
                            multipart_names(media.get("schema"), &mut components);
                        }
                        if let Some(schema) = media.get_mut("schema") {
                            collect_refs(schema, &mut body_schemas);
                            forbid_control_characters(schema);
                        }
                    }
                }
            }
        }
    }
    // The named schemas that request bodies use, and those they use in turn.
    let schemas = &mut components;
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = body_schemas.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get_mut(&name) {
            collect_refs(schema, &mut body_schemas);
            forbid_control_characters(schema);
        }
    }
    // The version a client saw is whatever the server sent; no narrower type than that.
    for schema in schemas.values_mut() {
        if let Some(version) = schema.pointer_mut("/properties/version") {
            if version.get("format") == Some(&json!("int32")) {
                version["format"] = json!("int64");
            }
        }
    }
    if let Some(slot) = doc.pointer_mut("/components/schemas") {
        *slot = Value::Object(components);
    }
}

/// The parts of a form are named in a header, which holds no control characters.
fn multipart_names(schema: Option<&Value>, schemas: &mut Map<String, Value>) {
    let mut names = Vec::new();
    if let Some(schema) = schema {
        collect_refs(schema, &mut names);
    }
    for name in names {
        if let Some(form) = schemas.get_mut(&name) {
            form["propertyNames"] = json!({"pattern": "^[^\\u0000-\\u001F\\u007F]*$"});
        }
    }
}

/// A PATCH body refers to the variant of its schema with nothing required.
fn refer_to_patch_variants(operation: &mut Map<String, Value>, schemas: &mut Map<String, Value>) {
    let Some(content) = operation
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for media in content.values_mut() {
        let Some(reference) = media.pointer_mut("/schema/$ref") else {
            continue;
        };
        let Some(name) = reference
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
        else {
            continue;
        };
        if let Some(patch) = patch_variant(schemas, &name) {
            *reference = json!(format!("#/components/schemas/{patch}"));
        }
    }
}

/// A parameter that the path template does not name is a query parameter (utoipa places the
/// fields of an `IntoParams` struct in the path unless told otherwise), optional, and never
/// `null` (a query string has no null); `page` and `per_page` get the limits of
/// [`PageRequest::parse`]; a path `{date}` is a `YYYY-MM-DD` date.
fn place_parameter(path: &str, parameter: &mut Map<String, Value>) {
    let Some(name) = parameter
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    let in_path = path.contains(&format!("{{{name}}}"));
    if !in_path && parameter.get("in").and_then(Value::as_str) == Some("path") {
        parameter.insert("in".into(), json!("query"));
        parameter.insert("required".into(), json!(false));
    }
    let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) else {
        return;
    };
    if !in_path {
        drop_null(schema);
        // `?per_page=` is the same as no `per_page` (serde_html_form reads it as none).
        if !is_type(schema, "string") && !schema.contains_key("anyOf") {
            let typed = Value::Object(std::mem::take(schema));
            schema.insert(
                "anyOf".into(),
                json!([typed, {"type": "string", "maxLength": 0}]),
            );
        }
    }
    for (rule_path, parameter, rule) in query_rules() {
        if rule_path == path && parameter == name && !in_path {
            // Blank is "no filter", as forms send it.
            let mut declared = json!({"anyOf": [field_schema(&rule, true), blank()]});
            if let Some(description) = schema.get("description") {
                declared["description"] = description.clone();
            }
            if let Some(map) = declared.as_object() {
                *schema = map.clone();
            }
        }
    }
    let typed = match schema.get_mut("anyOf") {
        Some(Value::Array(choices)) => choices.first_mut().and_then(Value::as_object_mut),
        _ => Some(schema),
    };
    let Some(schema) = typed else {
        return;
    };
    match (in_path, name.as_str()) {
        (false, "page") => {
            schema.insert("minimum".into(), json!(1));
            schema.insert("maximum".into(), json!(PageRequest::MAX_PAGE));
        }
        (false, "per_page") => {
            schema.insert("minimum".into(), json!(1));
            schema.insert("maximum".into(), json!(PageRequest::MAX_PER_PAGE));
        }
        (true, "date") => {
            schema.insert("format".into(), json!("date"));
        }
        _ => {}
    }
}

/// `type: [T, "null"]` becomes `type: T`.
fn drop_null(schema: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = schema.get("type") {
        let kept: Vec<Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        let kept = if kept.len() == 1 {
            kept.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(kept)
        };
        schema.insert("type".into(), kept);
    }
}

/// The names of the component schemas a schema refers to.
fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn is_type(schema: &Map<String, Value>, wanted: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(wanted)),
        _ => false,
    }
}

/// Every free-text string of a request schema (no format, choice or pattern of its own) declares
/// that control characters are refused.
fn forbid_control_characters(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if is_type(map, "string")
                && !map.contains_key("format")
                && !map.contains_key("enum")
                && !map.contains_key("pattern")
            {
                map.insert("pattern".into(), json!(NO_CONTROL_CHARACTERS));
            }
            for (key, value) in map.iter_mut() {
                // Property names are not text the server reads.
                if key == "properties" {
                    if let Some(properties) = value.as_object_mut() {
                        properties.values_mut().for_each(forbid_control_characters);
                    }
                } else if matches!(
                    key.as_str(),
                    "items" | "allOf" | "anyOf" | "oneOf" | "additionalProperties"
                ) {
                    forbid_control_characters(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_control_characters),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_fields_leave_the_path_and_pages_get_their_limits() {
        let mut doc = json!({
            "paths": {"/api/v1/things/{id}": {"get": {"parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                {"name": "per_page", "in": "path", "required": true,
                 "schema": {"type": ["integer", "null"], "minimum": 0}}
            ]}}}
        });
        complete(&mut doc);
        let parameters = &doc["paths"]["/api/v1/things/{id}"]["get"]["parameters"];
        assert_eq!(parameters[0]["in"], "path");
        assert_eq!(parameters[1]["in"], "query");
        assert_eq!(parameters[1]["required"], false);
        let typed = &parameters[1]["schema"]["anyOf"][0];
        assert_eq!(typed["type"], "integer");
        assert_eq!(typed["maximum"], PageRequest::MAX_PER_PAGE);
        assert_eq!(typed["minimum"], 1);
        // `?per_page=` is no `per_page`.
        assert_eq!(parameters[1]["schema"]["anyOf"][1]["maxLength"], 0);
    }

    #[test]
    fn free_text_of_request_bodies_refuses_control_characters() {
        let mut doc = json!({
            "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Body"}}}}}}},
            "components": {"schemas": {
                "Body": {"type": "object", "properties": {
                    "name": {"type": ["string", "null"]},
                    "on": {"type": "string", "format": "date"},
                    "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}}}},
                "Part": {"type": "object", "properties": {"note": {"type": "string"}}},
                "Out": {"type": "object", "properties": {"name": {"type": "string"}}}
            }}
        });
        complete(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Body"]["properties"]["name"]["pattern"],
            NO_CONTROL_CHARACTERS
        );
        assert!(schemas["Body"]["properties"]["on"].get("pattern").is_none());
        assert_eq!(
            schemas["Part"]["properties"]["note"]["pattern"],
            NO_CONTROL_CHARACTERS
        );
        assert!(schemas["Out"]["properties"]["name"]
            .get("pattern")
            .is_none());
    }
}

/// What a field of a request body must be, as the handler's checks enforce it (`Checker::text`,
/// `choice`, `int_in`, `optional_date` ...). `required` fields are required on create; a PATCH of
/// the same body leaves every field optional (an absent or null field is left as it was).
#[derive(Clone)]
pub enum Field {
    /// Text that is not blank, at most this many characters.
    Text(u64),
    /// One of these names.
    Choice(Vec<&'static str>),
    /// A list of names, each one of these.
    Choices(Vec<&'static str>),
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339.
    DateTime,
    /// A whole number in this range.
    Int(i64, i64),
    /// The id of a record (whether it exists is a question of the data, answered 422).
    Id,
    /// A non-empty list of ids.
    Ids,
    /// `true` or `false`.
    Flag,
    /// The type the struct declares, only required and not null (a list or a nested object the
    /// handler refuses when absent).
    Declared,
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Field {
    Field::Choice(all.iter().map(|v| name(*v)).collect())
}

/// What a case file may be required to hold (a list of these names).
fn file_items() -> Field {
    use crate::domain::case_file::FileItem;
    Field::Choices(FileItem::ALL.iter().map(|i| i.as_str()).collect())
}

/// The query parameters that have a rule beyond their type: (path, parameter, rule).
pub fn query_rules() -> Vec<(&'static str, &'static str, Field)> {
    use crate::domain::case_terms::{DisputeType, Grade, Source};
    use crate::domain::mentorship::PairStatus;
    use crate::domain::network::UnitKind;
    use crate::domain::notifications::EmailStatus;
    use crate::domain::role::Role;
    use crate::domain::workflow::{Outcome, Status};
    use crate::services::subsidy::export::View;
    use Field::*;
    let mut rules = vec![
        (
            "/api/v1/cases",
            "status",
            names(&Status::ALL, Status::as_str),
        ),
        ("/api/v1/cases", "grade", names(&Grade::ALL, Grade::as_str)),
        (
            "/api/v1/cases",
            "dispute_type",
            names(&DisputeType::ALL, DisputeType::as_str),
        ),
        (
            "/api/v1/cases",
            "source",
            names(&Source::ALL, Source::as_str),
        ),
        ("/api/v1/cases", "received_from", Date),
        ("/api/v1/cases", "received_to", Date),
        ("/api/v1/cases", "closed_from", Date),
        ("/api/v1/cases", "closed_to", Date),
        (
            "/api/v1/cases",
            "outcome",
            names(&Outcome::ALL, Outcome::as_str),
        ),
        ("/api/v1/stats", "from", Date),
        ("/api/v1/stats", "to", Date),
        ("/api/v1/stats", "unit_id", Id),
        (
            "/api/v1/mentorships",
            "status",
            names(&PairStatus::ALL, PairStatus::as_str),
        ),
        ("/api/v1/reports/joint_mediation", "from", Date),
        ("/api/v1/reports/joint_mediation", "to", Date),
        ("/api/v1/follow_ups/due", "until", Date),
        (
            "/api/v1/outbox",
            "status",
            names(&EmailStatus::ALL, EmailStatus::as_str),
        ),
        (
            "/api/v1/units",
            "kind",
            names(&UnitKind::ALL, UnitKind::as_str),
        ),
        ("/api/v1/users", "role", names(&Role::ALL, Role::as_str)),
        (
            "/api/v1/subsidy/periods/{id}/export.csv",
            "view",
            names(&View::ALL, View::as_str),
        ),
    ];
    rules.extend(warning_query_rules());
    // The ledger takes the case list's filters, and `from` / `to` for the receipt days.
    let list: Vec<(&'static str, Field)> = rules
        .iter()
        .filter(|(path, _, _)| *path == "/api/v1/cases")
        .map(|(_, name, rule)| (*name, rule.clone()))
        .chain([("from", Date), ("to", Date)])
        .collect();
    for path in ["/api/v1/ledger.csv", "/api/v1/ledger.xlsx"] {
        for (name, rule) in &list {
            rules.push((path, name, rule.clone()));
        }
    }
    rules
}

/// The warnings list's filters.
fn warning_query_rules() -> Vec<(&'static str, &'static str, Field)> {
    use crate::domain::warnings::{WarningKind, WarningStatus};
    vec![
        (
            "/api/v1/warnings",
            "kind",
            names(&WarningKind::ALL, WarningKind::as_str),
        ),
        (
            "/api/v1/warnings",
            "status",
            names(&WarningStatus::ALL, WarningStatus::as_str),
        ),
    ]
}

/// The warnings' bodies: an action on a warning, and the thresholds (each in its range).
fn warning_body_rules() -> Vec<(&'static str, &'static str, Field, bool)> {
    use crate::domain::warnings::{WarningAction, WarningThresholds};
    let mut rules = vec![
        (
            "WarningActionBody",
            "action",
            names(&WarningAction::ALL, WarningAction::as_str),
            true,
        ),
        (
            "WarningActionBody",
            "text",
            Field::Text(crate::web::shapes::warnings::TEXT_MAX as u64),
            false,
        ),
        ("WarningActionBody", "version", Field::Declared, true),
    ];
    for (name, _, min, max) in WarningThresholds::default().fields() {
        rules.push(("WarningSettingsBody", name, Field::Int(min, max), true));
    }
    rules
}

/// Every request body's fields that have a rule: (schema, field, rule, required on create).
pub fn body_rules() -> Vec<(&'static str, &'static str, Field, bool)> {
    use crate::domain::agreement::SessionOutcome;
    use crate::domain::case_terms::{DisputeType, Grade, PartyKind, PartyRole, RiskFlag, Source};
    use crate::domain::clocks::DayKind;
    use crate::domain::network::{Background, Department, Employment, UnitKind};
    use crate::domain::role::Role;
    use Field::*;
    vec![
        ("MonthlyReportBody", "recipients", Declared, true),
        ("FileRequirementsBody", "simple", Declared, true),
        ("FileRequirementsBody", "ordinary", Declared, true),
        ("FileRequirementsBody", "complex", Declared, true),
        ("FileRequirementsBody", "major", Declared, true),
        ("GradeRequirementsBody", "always", file_items(), false),
        ("GradeRequirementsBody", "resolved", file_items(), false),
        ("CalendarDayBody", "date", Date, true),
        (
            "CalendarDayBody",
            "kind",
            names(&DayKind::ALL, DayKind::as_str),
            true,
        ),
        ("CalendarDayBody", "name", Text(100), true),
        ("GroupBody", "case_id", Id, true),
        ("GroupBody", "name", Text(200), true),
        ("GroupBody", "respondent", Text(200), true),
        ("GroupCaseBody", "case_no", Text(u64::MAX), true),
        ("CaseBody", "intake_unit_id", Id, true),
        (
            "CaseBody",
            "dispute_type",
            names(&DisputeType::ALL, DisputeType::as_str),
            true,
        ),
        (
            "CaseBody",
            "source",
            names(&Source::ALL, Source::as_str),
            true,
        ),
        ("CaseBody", "summary", Text(5_000), true),
        (
            "CaseBody",
            "amount_claimed_fen",
            Int(0, 100_000_000_000),
            false,
        ),
        ("CaseBody", "people_involved", Int(1, 100_000), true),
        ("CaseBody", "received_at", DateTime, false),
        ("CaseBody", "infringement_known_on", Date, false),
        ("CaseBody", "employment_ended_on", Date, false),
        (
            "CaseDetailsBody",
            "dispute_type",
            names(&DisputeType::ALL, DisputeType::as_str),
            true,
        ),
        (
            "CaseDetailsBody",
            "source",
            names(&Source::ALL, Source::as_str),
            true,
        ),
        (
            "CaseDetailsBody",
            "amount_claimed_fen",
            Int(0, 100_000_000_000),
            false,
        ),
        ("CaseDetailsBody", "people_involved", Int(1, 100_000), true),
        ("CaseDetailsBody", "infringement_known_on", Date, false),
        ("CaseDetailsBody", "employment_ended_on", Date, false),
        (
            "PartyBody",
            "role",
            names(&PartyRole::ALL, PartyRole::as_str),
            true,
        ),
        (
            "PartyBody",
            "kind",
            names(&PartyKind::ALL, PartyKind::as_str),
            true,
        ),
        ("PartyBody", "name", Text(200), true),
        ("SessionBody", "held_at", DateTime, true),
        ("SessionBody", "unit_id", Id, true),
        ("SessionBody", "mediator_ids", Ids, true),
        ("SessionBody", "summary", Text(20_000), true),
        (
            "SessionBody",
            "outcome",
            names(&SessionOutcome::ALL, SessionOutcome::as_str),
            true,
        ),
        ("SessionBody", "next_session_at", DateTime, false),
        ("AgreementBody", "signed_at", DateTime, true),
        ("AgreementBody", "terms", Text(20_000), true),
        ("AgreementBody", "amount_fen", Int(0, 100_000_000_000), true),
        ("InstalmentBody", "due_on", Date, true),
        (
            "InstalmentBody",
            "amount_fen",
            Int(1, 100_000_000_000),
            true,
        ),
        ("ConfirmationBody", "applied_on", Date, false),
        ("ConfirmationBody", "received_on", Date, false),
        ("InstalmentPaidBody", "paid_on", Date, false),
        ("FollowUpBody", "done_at", DateTime, true),
        ("FollowUpBody", "result", Text(5_000), true),
        ("FollowUpBody", "satisfaction", Int(1, 5), true),
        ("FollowUpBody", "fulfilled", Flag, true),
        ("UnitBody", "active", Flag, false),
        ("UserBody", "active", Flag, false),
        ("MediatorBody", "active", Flag, false),
        ("MediatorBody", "gold_medal", Flag, false),
        ("MediatorBody", "is_mentor", Flag, false),
        ("MediatorBody", "name", Text(100), true),
        ("MediatorBody", "unit_id", Id, true),
        (
            "MediatorBody",
            "employment",
            names(&Employment::ALL, Employment::as_str),
            true,
        ),
        (
            "MediatorBody",
            "background",
            names(&Background::ALL, Background::as_str),
            true,
        ),
        ("MediatorBody", "gold_medal_since", Date, false),
        ("MediatorBody", "years_experience", Int(0, 70), false),
        ("MediatorBody", "max_open_cases", Int(1, 200), false),
        ("MentorshipBody", "mentor_id", Id, true),
        ("MentorshipBody", "apprentice_id", Id, true),
        ("MentorshipBody", "target_cases", Int(1, 200), true),
        ("MentorshipBody", "started_on", Date, false),
        ("FinishBody", "on", Date, false),
        ("PeriodBody", "period", Text(u64::MAX), true),
        ("PaidBody", "paid_on", Date, false),
        ("RateBody", "grade", names(&Grade::ALL, Grade::as_str), true),
        ("RateBody", "effective_from", Date, true),
        ("RateBody", "amount_fen", Int(0, 100_000_000), true),
        ("UnitBody", "code", Text(32), true),
        ("UnitBody", "name", Text(200), true),
        (
            "UnitBody",
            "kind",
            names(&UnitKind::ALL, UnitKind::as_str),
            true,
        ),
        ("UnitBody", "parent_id", Id, false),
        (
            "UnitBody",
            "department",
            names(&Department::ALL, Department::as_str),
            false,
        ),
        ("UserBody", "username", Text(64), true),
        ("UserBody", "display_name", Text(100), false),
        ("UserBody", "password", Text(u64::MAX), true),
        ("UserBody", "role", names(&Role::ALL, Role::as_str), true),
        ("UserBody", "unit_id", Id, false),
        ("UserBody", "mediator_id", Id, false),
        (
            "UploadForm",
            "kind",
            names(
                &crate::domain::case_file::AttachmentKind::ALL,
                crate::domain::case_file::AttachmentKind::as_str,
            ),
            false,
        ),
        ("TokenRequest", "username", Text(u64::MAX), true),
        ("TokenRequest", "password", Text(u64::MAX), true),
        ("MentorshipBody", "notes", Text(2_000), false),
        ("FinishBody", "reason", Text(2_000), false),
        ("PartyBody", "id_number", Text(32), false),
        ("PartyBody", "phone", Text(32), false),
        ("PartyBody", "organisation", Text(200), false),
        ("CaseDetailsBody", "summary", Text(5_000), true),
        ("UnitBody", "address", Text(300), false),
        ("UnitBody", "phone", Text(40), false),
        ("UserBody", "email", Text(254), false),
        ("GroupBody", "claim", Text(2_000), false),
        ("SessionBody", "attendees", Text(2_000), false),
        ("AgreementBody", "matters", Text(5_000), false),
        ("MediatorBody", "phone", Text(40), false),
        (
            "MediatorBody",
            "specialties",
            names(&DisputeType::ALL, DisputeType::as_str),
            false,
        ),
        ("MediatorBody", "email", Text(254), false),
    ]
    .into_iter()
    .map(|(schema, field, rule, required)| match (field, rule) {
        // Lists of names.
        ("specialties", Choice(all)) => (schema, field, Choices(all), required),
        (_, rule) => (schema, field, rule, required),
    })
    .chain(
        [
            ("CaseBody", "risk_flags"),
            ("CaseDetailsBody", "risk_flags"),
        ]
        .map(|(s, f)| {
            let Choice(all) = names(&RiskFlag::ALL, RiskFlag::as_str) else {
                unreachable!()
            };
            (s, f, Choices(all), false)
        }),
    )
    .chain(warning_body_rules())
    .collect()
}

/// Free text that holds something besides spaces, and no control characters.
pub const NOT_BLANK: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// The JSON schema of a field under its rule; `null` is allowed unless it is required.
fn field_schema(field: &Field, required: bool) -> Value {
    let mut schema = match field {
        Field::Text(max) => {
            let pattern = if required {
                NOT_BLANK
            } else {
                NO_CONTROL_CHARACTERS
            };
            let mut s = json!({"type": "string", "pattern": pattern});
            if *max != u64::MAX {
                s["maxLength"] = json!(max);
            }
            s
        }
        Field::Choice(all) => json!({"type": "string", "enum": all}),
        Field::Choices(all) => json!({"type": "array",
            "items": {"anyOf": [{"type": "string", "enum": all}, blank()]}}),
        Field::Date => json!({"type": "string", "format": "date"}),
        Field::DateTime => json!({"type": "string", "format": "date-time"}),
        Field::Int(min, max) => json!({"type": "integer", "minimum": min, "maximum": max}),
        // Forms send ids as text, and so may JSON.
        Field::Id => {
            let digits = if required { "{1,18}" } else { "{0,18}" };
            json!({"type": ["integer", "string"], "format": "int64",
                "pattern": format!("^[ ]*[+-]?0*[0-9]{digits}[ ]*$")})
        }
        Field::Ids => json!({"type": "array", "minItems": 1,
            "items": {"type": "integer", "format": "int64"}}),
        // What checkboxes and selects send, too.
        Field::Flag => json!({"anyOf": [{"type": "boolean"}, {"enum": [0, 1]},
            {"enum": ["on", "true", "1", "yes", "", "off", "false", "0", "no"]}]}),
        Field::Declared => json!({}),
    };
    // Forms send an empty field for "none", so an optional choice or date may also be blank.
    if !required && matches!(field, Field::Choice(_) | Field::Date | Field::DateTime) {
        return json!({"anyOf": [schema, blank(), {"type": "null"}]});
    }
    if !required {
        allow_null(&mut schema);
    }
    schema
}

/// Text of nothing but spaces, which the checks read as absent.
fn blank() -> Value {
    json!({"type": "string", "pattern": "^[ \\t\\r\\n]*$"})
}

fn allow_null(schema: &mut Value) {
    match schema.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            schema["type"] = json!([t, "null"]);
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(choices)) = schema.get_mut("anyOf") {
        let null = json!({"type": "null"});
        if !choices.contains(&null) {
            choices.push(null);
        }
    }
    if let Some(Value::Array(names)) = schema.get_mut("enum") {
        if !names.contains(&Value::Null) {
            names.push(Value::Null);
        }
    }
}

/// A declared schema with `null` taken out of its type or its alternatives.
fn without_null(mut schema: Value) -> Value {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(choices)) = schema.get_mut(key) {
            choices.retain(|c| c.get("type").is_none_or(|t| t != "null"));
            if choices.len() == 1 {
                return choices.remove(0);
            }
        }
    }
    schema
}

/// Writes [`body_rules`] into the component schemas.
fn apply_rules(schemas: &mut Map<String, Value>) {
    for (name, field, rule, required) in body_rules() {
        let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) else {
            continue;
        };
        let description = schema
            .get("properties")
            .and_then(|p| p.get(field))
            .and_then(|p| p.get("description"))
            .cloned();
        let mut property = if matches!(rule, Field::Declared) {
            let declared = schema
                .get("properties")
                .and_then(|p| p.get(field))
                .cloned()
                .unwrap_or_else(|| json!({}));
            without_null(declared)
        } else {
            field_schema(&rule, required)
        };
        if let Some(description) = description {
            property["description"] = description;
        }
        schema
            .entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|p| p.insert(field.to_owned(), property));
        if required {
            let list = schema.entry("required").or_insert_with(|| json!([]));
            if let Some(list) = list.as_array_mut() {
                if !list.iter().any(|f| f == field) {
                    list.push(json!(field));
                }
            }
        }
    }
    schemas
        .entry("ActionBody")
        .and_modify(|body| *body = action_schema(body));
    // The lead's share: a percentage (text or number, up to two decimals) or basis points; one
    // of the two is needed.
    schemas.entry("LeadShareBody").and_modify(|body| {
        body["properties"]["lead_share_percent"]["type"] = json!(["string", "number", "null"]);
        body["properties"]["lead_share_bp"]["type"] = json!(["integer", "string", "null"]);
        body["properties"]["lead_share_bp"]["pattern"] = json!("^[0-9]{1,9}$");
        body["properties"]["lead_share_bp"]["minimum"] = json!(0);
        body["properties"]["lead_share_bp"]["maximum"] = json!(10_000);
        let given = |field: &str| {
            json!({"required": [field], "properties": {field: {"not": {"type": "null"}}}})
        };
        body["anyOf"] = json!([given("lead_share_percent"), given("lead_share_bp")]);
    });
    // E-mail preferences: a yes/no for some of the kinds, each named; any other name is refused.
    schemas.entry("PreferencesBody").and_modify(|body| {
        let kinds: Map<String, Value> = crate::domain::notifications::Kind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), field_schema(&Field::Flag, true)))
            .collect();
        body["properties"]["email"] = json!({"type": ["object", "null"], "properties": kinds,
            "additionalProperties": false});
        if let Some(map) = body.as_object_mut() {
            map.remove("required");
        }
    });
}

/// The schema of a PATCH body: that of the create body with nothing required (an absent or null
/// field is left as it was). Registered as `{name}Patch`; returns the name to refer to.
fn patch_variant(schemas: &mut Map<String, Value>, name: &str) -> Option<String> {
    let body = schemas.get(name)?;
    body.get("required")?;
    let mut patch = body.clone();
    let required: Vec<String> = patch["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(map) = patch.as_object_mut() {
        map.remove("required");
    }
    // Given, a field must still be good (a blank name is refused); null leaves it as it was.
    for field in required {
        if let Some(property) = patch.pointer_mut(&format!("/properties/{field}")) {
            allow_null(property);
        }
    }
    let patch_name = format!("{name}Patch");
    schemas.insert(patch_name.clone(), patch);
    Some(patch_name)
}

/// `POST /cases/{id}/actions`: one shape per action (DESIGN §3), each with the parameters it
/// needs; `version` always, `at` and `note` optional.
fn action_schema(body: &Value) -> Value {
    use crate::domain::case_terms::{Grade, TeamRole};
    use crate::domain::workflow::Outcome;
    let properties = body.get("properties").cloned().unwrap_or_else(|| json!({}));
    let reason = Field::Text(u64::MAX);
    let grades = names(&Grade::ALL, Grade::as_str);
    let roles = names(&TeamRole::ALL, TeamRole::as_str);
    // (action, the parameters it needs, those it takes).
    type Shape = (
        &'static str,
        Vec<(&'static str, Field)>,
        Vec<(&'static str, Field)>,
    );
    let shapes: Vec<Shape> = vec![
        ("accept", vec![("lead_mediator_id", Field::Id)], vec![]),
        (
            "assign",
            vec![("mediator_id", Field::Id), ("role", roles)],
            vec![],
        ),
        ("unassign", vec![("mediator_id", Field::Id)], vec![]),
        ("escalate", vec![("reason", reason.clone())], vec![]),
        (
            "refer",
            vec![("unit_id", Field::Id)],
            vec![("reason", reason.clone())],
        ),
        ("invite", vec![("unit_ids", Field::Ids)], vec![]),
        (
            "close",
            vec![("outcome", Field::Choice(vec![Outcome::Resolved.as_str()]))],
            vec![("reason", reason.clone())],
        ),
        (
            "close",
            vec![
                (
                    "outcome",
                    Field::Choice(vec![Outcome::Failed.as_str(), Outcome::Withdrawn.as_str()]),
                ),
                ("reason", reason.clone()),
            ],
            vec![],
        ),
        (
            "regrade",
            vec![("grade", grades), ("reason", reason.clone())],
            vec![],
        ),
        ("confirm_grade", vec![], vec![]),
        (
            "extend",
            vec![("days", Field::Int(1, 15)), ("reason", reason.clone())],
            vec![],
        ),
        ("reopen", vec![("reason", reason)], vec![]),
    ];
    let one_of: Vec<Value> = shapes
        .into_iter()
        .map(|(action, needs, takes)| {
            let mut props = properties.as_object().cloned().unwrap_or_default();
            props.insert("action".into(), json!({"type": "string", "enum": [action]}));
            props.insert(
                "version".into(),
                json!({"type": "integer", "format": "int64",
                    "description": "The version of the case the user saw; a different current version answers 409."}),
            );
            props.insert("at".into(), field_schema(&Field::DateTime, false));
            props.insert("note".into(), field_schema(&Field::Text(u64::MAX), false));
            let mut required = vec![json!("action"), json!("version")];
            for (field, rule) in &needs {
                props.insert((*field).to_owned(), field_schema(rule, true));
                required.push(json!(field));
            }
            for (field, rule) in &takes {
                props.insert((*field).to_owned(), field_schema(rule, false));
            }
            json!({"type": "object", "title": action, "properties": props, "required": required})
        })
        .collect();
    let mut schema = json!({ "oneOf": one_of });
    if let Some(description) = body.get("description") {
        schema["description"] = description.clone();
    }
    schema
}
