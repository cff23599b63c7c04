//! The names the rules format knows, as lists: validation suggests from them
//! and the schema test (`tests/rules_schema.rs`) compares `www/rules.schema.json`
//! against them, so the schema cannot drift from the parser. The trigger
//! types and their fields come from [`TriggerType`].

use super::model::TriggerType;

/// Fields of the top-level object.
pub const TOP_LEVEL_FIELDS: &[&str] = &[
    "$schema",
    "version",
    "endpoint",
    "affiliated_domains",
    "allow_query",
    "count_visits",
    "triggers",
    "funnels",
];

/// Fields of a funnel (`funnels[]`).
pub const FUNNEL_FIELDS: &[&str] = &["id", "name", "steps", "description"];

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

const N_TYPES: usize = TriggerType::ALL.len();

/// Trigger types (`on`), in the order the format lists them (from [`TriggerType`]).
pub const TRIGGER_TYPES: [&str; N_TYPES] = {
    let mut out = [""; N_TYPES];
    let mut i = 0;
    while i < N_TYPES {
        out[i] = TriggerType::ALL[i].as_str();
        i += 1;
    }
    out
};

/// The fields of each trigger type's own, by type (from [`TriggerType::fields`]).
pub const TYPE_FIELDS: [(&str, &[&str]); N_TYPES] = {
    let mut out: [(&str, &[&str]); N_TYPES] = [("", &[]); N_TYPES];
    let mut i = 0;
    while i < N_TYPES {
        let t = TriggerType::ALL[i];
        out[i] = (t.as_str(), t.fields());
        i += 1;
    }
    out
};

/// Fields of a condition (in `conditions` and `unless`).
pub const CONDITION_FIELDS: &[&str] = &["variable", "operator", "value", "negate", "ignore_case"];

/// Values of a scroll trigger's `units`.
pub const SCROLL_UNITS: &[&str] = &["percent", "pixels"];

/// The first trigger type a type-specific field belongs to (for messages:
/// a field may belong to several).
pub fn type_of_field(field: &str) -> Option<&'static str> {
    TYPE_FIELDS
        .iter()
        .find(|(_, fs)| fs.contains(&field))
        .map(|(t, _)| *t)
}

/// Every field a trigger of any type may have, each once (a field may belong
/// to several types).
pub fn all_trigger_fields() -> impl Iterator<Item = &'static str> + Clone {
    let own = TYPE_FIELDS.iter().enumerate().flat_map(|(i, (_, fs))| {
        let earlier = TYPE_FIELDS.get(..i).unwrap_or(&[]);
        fs.iter()
            .copied()
            .filter(move |f| !earlier.iter().any(|(_, e)| e.contains(f)))
    });
    COMMON_TRIGGER_FIELDS.iter().copied().chain(own)
}
