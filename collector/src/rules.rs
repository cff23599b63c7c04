//! What the collector reads from the site's rules file: which conversions are
//! macro conversions, and the funnels. The tag's own validator reads it, so
//! the collector and the tag agree on what the file says.

use std::collections::HashSet;
use std::path::Path;

use microconv::rules::model::Funnel;

/// The conversions of the rules' valid triggers marked `"macro": true`.
/// A file that can't be read, or has defects, is refused: the operator runs
/// `microconv check` on it.
pub fn macro_conversions(path: &Path) -> Result<HashSet<String>, String> {
    read(path).map(|r| r.0)
}

/// What a site's rules say for the collector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteRules {
    /// Its macro conversions.
    pub macros: HashSet<String>,
    /// Its funnels.
    pub funnels: Vec<Funnel>,
    /// The rules file, served published at `/microconv/rules/HOST`.
    pub file: std::path::PathBuf,
}

impl crate::http::Settings {
    /// The macro conversions of `site` (a host), as [`Self::site_rules`]
    /// says, without copying them (the collector asks for each event).
    pub fn site_macros(&self, site: &str) -> Option<&HashSet<String>> {
        if self.sites.is_empty() {
            return Some(&self.macros);
        }
        self.sites
            .get(&site.to_ascii_lowercase())
            .map(|r| &r.macros)
    }

    /// The rules a report of every site uses: `--rules`, or with sites
    /// configured, every site's macro conversions (and no funnel: each
    /// site's are its own).
    pub fn all_sites_rules(&self) -> SiteRules {
        if self.sites.is_empty() {
            return SiteRules {
                macros: self.macros.clone(),
                funnels: self.funnels.clone(),
                file: self.rules_file.clone().unwrap_or_default(),
            };
        }
        SiteRules {
            macros: self
                .sites
                .values()
                .flat_map(|r| r.macros.iter().cloned())
                .collect(),
            funnels: Vec::new(),
            file: Default::default(),
        }
    }

    /// The macro conversions and funnels of `site` (a host): its `--site`
    /// rules, else the `--rules` ones; `None` for a host not configured
    /// while some are.
    pub fn site_rules(&self, site: &str) -> Option<SiteRules> {
        if self.sites.is_empty() {
            return Some(SiteRules {
                macros: self.macros.clone(),
                funnels: self.funnels.clone(),
                file: self.rules_file.clone().unwrap_or_default(),
            });
        }
        self.sites.get(&site.to_ascii_lowercase()).cloned()
    }
}

/// The rules' macro conversions and funnels (as [`macro_conversions`]).
pub fn read(path: &Path) -> Result<(HashSet<String>, Vec<Funnel>), String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("--rules {}: {e}", path.display()))?;
    let parsed = microconv::rules::parse(&text);
    if let Some(first) = parsed.errors.first() {
        return Err(format!(
            "--rules {}: {} defect(s), first: {first} (run `microconv check`)",
            path.display(),
            parsed.errors.len()
        ));
    }
    let macros = parsed
        .rules
        .triggers
        .iter()
        .filter(|t| t.is_macro)
        .map(|t| t.conversion.clone())
        .collect();
    Ok((macros, parsed.rules.funnels))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_rules_mark_signup_and_the_thank_you_page() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/rules.json");
        let macros = super::macro_conversions(std::path::Path::new(path)).unwrap();
        let mut macros: Vec<_> = macros.into_iter().collect();
        macros.sort();
        assert_eq!(macros, ["call_requested", "signup"]);
        let (_, funnels) = super::read(std::path::Path::new(path)).unwrap();
        let ids: Vec<&str> = funnels.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["trial", "sales"]);
    }
}
