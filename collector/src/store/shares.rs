//! Read-only share links: a revocable token that shows one site's report, as
//! Plausible's shared links do. Only the token's SHA-256 is stored, so a copy
//! of the database does not hand out working links.

use super::{lock, now_ms, Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The table, created on open.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS shares (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    site        TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
";

/// One share link as the API lists it (never with its token).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Share {
    /// Its id, for revoking.
    pub id: i64,
    /// The site it shows.
    pub site: String,
    /// A note for the operator ("board", "agency").
    pub label: String,
    /// Created, epoch ms.
    pub created_at: i64,
    /// Revoked, epoch ms; `null` while it works.
    pub revoked_at: Option<i64>,
}

/// A new random token: 32 bytes as 64 hex digits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source failed");
    hex(&bytes)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Creates a share link for `site`; returns it and its token (shown once).
    pub fn create_share(&self, site: &str, label: &str) -> Result<(Share, String), StoreError> {
        let token = new_token();
        let now = now_ms();
        let c = lock(&self.writer);
        c.execute(
            "INSERT INTO shares (token_hash, site, label, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![hash(&token), site, label, now],
        )?;
        let share = Share {
            id: c.last_insert_rowid(),
            site: site.into(),
            label: label.into(),
            created_at: now,
            revoked_at: None,
        };
        Ok((share, token))
    }

    /// Every share link, newest first.
    pub fn shares(&self) -> Result<Vec<Share>, StoreError> {
        let c = self.read();
        let mut st = c.prepare(
            "SELECT id, site, label, created_at, revoked_at FROM shares ORDER BY id DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Share {
                id: r.get(0)?,
                site: r.get(1)?,
                label: r.get(2)?,
                created_at: r.get(3)?,
                revoked_at: r.get(4)?,
            })
        })?;
        rows.collect()
    }

    /// Revokes a share link; false when there is none with that id.
    pub fn revoke_share(&self, id: i64) -> Result<bool, StoreError> {
        let c = lock(&self.writer);
        let n = c.execute(
            "UPDATE shares SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, now_ms()],
        )?;
        Ok(n > 0)
    }

    /// The site a working (unrevoked) token shows.
    pub fn share_site(&self, token: &str) -> Result<Option<String>, StoreError> {
        let c = self.read();
        c.query_row(
            "SELECT site FROM shares WHERE token_hash = ?1 AND revoked_at IS NULL",
            [hash(token)],
            |r| r.get(0),
        )
        .optional()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_share_works_until_revoked_and_its_token_is_not_stored() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let (share, token) = s.create_share("www.example.com", "board").unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(
            s.share_site(&token).unwrap().as_deref(),
            Some("www.example.com")
        );
        assert_eq!(s.share_site("nope").unwrap(), None);
        let stored: String = lock(&s.writer)
            .query_row("SELECT token_hash FROM shares", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, token);
        assert!(s.revoke_share(share.id).unwrap());
        assert!(!s.revoke_share(share.id).unwrap(), "revoked once");
        assert_eq!(s.share_site(&token).unwrap(), None);
        assert!(s.shares().unwrap()[0].revoked_at.is_some());
    }
}
