//! The data layer as GTM models it: one state per page load, which every
//! push merges into (`dataLayer.push({user: {tier: "gold"}})` then
//! `dataLayer.push({event: "signup"})`: the signup sees `dl.user.tier`).
//! Pushes without `event` only update it. Every trigger type reads `dl.*`
//! from it, so a click trigger can ask whether the visitor is logged in.
//!
//! The state is kept flat, as the shell flattens pushes (`user.tier`, array
//! items by index: `items.0.quantity`). Merging a key follows GTM's
//! recursive merge: it replaces that key and everything under it
//! (`ecommerce: null` clears the ecommerce object) and any value at a
//! path above it (`a: "x"` then `a: {b: 1}`), and leaves its siblings.

use super::value::Value;
use crate::prelude::*;

/// Keys kept, at most (a hostile page may push without end): past it, new
/// keys are dropped and known ones still update.
pub const DL_STATE_CAP: usize = 512;

/// Whether `key` is `path` or lies under it (`path.…`).
fn under(key: &str, path: &str) -> bool {
    key.strip_prefix(path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Merges a push's flattened `fields` into `state`. No key of the state
/// lies under another, so a key already there is updated in place (a
/// repeated push of the same keys allocates nothing).
pub(crate) fn merge(state: &mut Vec<(String, Value)>, fields: &[(String, Value)]) {
    for (k, v) in fields {
        if let Some((_, slot)) = state.iter_mut().find(|(s, _)| s == k) {
            match (slot, v) {
                (Value::Str(old), Value::Str(new)) => {
                    old.clear();
                    old.push_str(new);
                }
                (slot, v) => *slot = v.clone(),
            }
            continue;
        }
        // What lies under the key, and any value above it, go.
        state.retain(|(s, _)| !under(s, k) && !under(k, s));
        if state.len() < DL_STATE_CAP {
            state.push((k.clone(), v.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(state: &mut Vec<(String, Value)>, fields: &[(&str, Value)]) {
        let f: Vec<(String, Value)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        merge(state, &f);
    }

    fn keys(state: &[(String, Value)]) -> Vec<&str> {
        state.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn gtm_recursive_merge() {
        let mut s = Vec::new();
        push(&mut s, &[("user", Value::Str("anon".into()))]);
        push(
            &mut s,
            &[
                ("user.tier", Value::Str("gold".into())),
                ("user.id", Value::Num(7.0)),
            ],
        );
        assert_eq!(keys(&s), ["user.tier", "user.id"], "a scalar above goes");
        push(&mut s, &[("user.tier", Value::Str("free".into()))]);
        assert_eq!(
            keys(&s),
            ["user.tier", "user.id"],
            "updated in place, siblings stay"
        );
        assert_eq!(s[0].1, Value::Str("free".into()));
        push(
            &mut s,
            &[
                ("ecommerce.items.0.q", Value::Num(1.0)),
                ("ecommerce.items.1.q", Value::Num(2.0)),
            ],
        );
        push(&mut s, &[("ecommerce", Value::Null)]);
        assert_eq!(
            keys(&s),
            ["user.tier", "user.id", "ecommerce"],
            "null clears what lies under"
        );
        push(&mut s, &[("user.idx", Value::Num(1.0))]);
        assert!(
            keys(&s).contains(&"user.id"),
            "a key that only starts alike is not under"
        );
    }

    #[test]
    fn the_state_is_capped() {
        let mut s = Vec::new();
        for i in 0..DL_STATE_CAP + 10 {
            push(&mut s, &[(&format!("k{i}"), Value::Num(i as f64))]);
        }
        assert_eq!(s.len(), DL_STATE_CAP);
        push(&mut s, &[("k0", Value::Num(-1.0))]);
        assert!(
            s.contains(&("k0".to_string(), Value::Num(-1.0))),
            "known keys still update"
        );
    }
}
