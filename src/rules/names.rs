//! The names the rules format knows, as lists: validation suggests from them
//! and the schema test (`tests/rules_schema.rs`) compares `www/rules.schema.json`
//! against them, so the schema cannot drift from the parser.

/// Fields of the top-level object.
pub const TOP_LEVEL_FIELDS: &[&str] = &[
    "$schema",
    "version",
    "endpoint",
    "affiliated_domains",
    "allow_query",
    "triggers",
];

/// Fields every trigger may have, whatever its type.
pub const COMMON_TRIGGER_FIELDS: &[&str] = &[
    "id",
    "conversion",
    "on",
    "conditions",
    "unless",
    "limit",
    "macro",
    "description",
];

/// Trigger types (`on`), in the order the format lists them.
pub const TRIGGER_TYPES: &[&str] = &["scroll", "video", "click", "link_click", "custom"];

/// Fields that only one trigger type takes, by type.
pub const TYPE_FIELDS: &[(&str, &[&str])] = &[
    ("scroll", &["units", "thresholds"]),
    (
        "video",
        &["statuses", "progress_percent", "progress_seconds"],
    ),
    ("click", &["selector"]),
    ("link_click", &[]),
    ("custom", &["event"]),
];

/// Fields of a condition (in `conditions` and `unless`).
pub const CONDITION_FIELDS: &[&str] = &["variable", "operator", "value", "negate", "ignore_case"];

/// Values of a scroll trigger's `units`.
pub const SCROLL_UNITS: &[&str] = &["percent", "pixels"];

/// The trigger type a type-specific field belongs to.
pub fn type_of_field(field: &str) -> Option<&'static str> {
    TYPE_FIELDS
        .iter()
        .find(|(_, fs)| fs.contains(&field))
        .map(|(t, _)| *t)
}

/// Every field a trigger of any type may have.
pub fn all_trigger_fields() -> impl Iterator<Item = &'static str> + Clone {
    COMMON_TRIGGER_FIELDS
        .iter()
        .copied()
        .chain(TYPE_FIELDS.iter().flat_map(|(_, fs)| fs.iter().copied()))
}
