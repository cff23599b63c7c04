//! Web Storage through the host's helpers: the storage may be disabled
//! (privacy settings, sandboxed frames), full or refused, and every such throw
//! is caught in JS (`loader/host.js`), so here each call just succeeds or not.

use crate::prelude::*;

use super::Host;

/// One storage area of the page (`localStorage` or `sessionStorage`).
pub(crate) struct Store {
    host: Host,
    area: &'static str,
}

impl Store {
    /// The area, or `None` when the page cannot use it.
    pub(crate) fn open(host: Host, area: &'static str) -> Option<Store> {
        host.has(area).then_some(Store { host, area })
    }

    /// The value under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        self.host.get(self.area, key)
    }

    /// Stores `value` under `key` (`""` removes it); false when refused.
    pub(crate) fn set(&self, key: &str, value: &str) -> bool {
        self.host.put(self.area, key, value)
    }

    /// The keys that start with `prefix`.
    pub(crate) fn keys(&self, prefix: &str) -> Vec<String> {
        self.host
            .keys(self.area, prefix)
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }
}
