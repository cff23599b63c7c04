//! Rate limits on `/collect` (per client address and per session, counted in
//! events) and the client's address itself.
//!
//! GCRA through the `governor` crate: a client may post a minute's allowance
//! at once, then at the steady rate. Past it the answer is `429` with
//! `Retry-After`, which the tag honours, and nothing of the request is stored.

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

/// The peer address of a connection, put on each request by the server loop.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// The client's address: the peer's, or the last entry of the header a trusted
/// proxy sets (`header`, e.g. `x-forwarded-for`; the last entry is the one
/// that proxy appended, earlier ones are the client's word).
pub fn client_ip(headers: &HeaderMap, peer: Option<PeerAddr>, header: Option<&str>) -> IpAddr {
    let from_header = header.and_then(|name| {
        let value = headers.get(name)?.to_str().ok()?;
        value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    });
    from_header
        .or(peer.map(|p| p.0.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// Per-key limits in events per minute; `None` is no limit.
pub struct Limiter<K: std::hash::Hash + Eq + Clone> {
    inner: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: std::hash::Hash + Eq + Clone> Limiter<K> {
    /// `per_minute` events a minute (0: unlimited), all of a minute's at once at most.
    pub fn per_minute(per_minute: u32) -> Self {
        Limiter {
            inner: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// Takes `n` events from `key`'s allowance, or says how long to wait.
    pub fn take(&self, key: &K, n: u32) -> Result<(), Duration> {
        let (Some(limiter), Some(n)) = (&self.inner, NonZeroU32::new(n)) else {
            return Ok(());
        };
        match limiter.check_key_n(key, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
            // More at once than a whole minute's allowance: never allowed.
            Err(_) => Err(Duration::from_secs(60)),
        }
    }

    /// Forgets keys whose allowance is full again (memory stays bounded).
    pub fn forget_idle(&self) {
        if let Some(l) = &self.inner {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// The `/collect` limits.
pub struct CollectLimits {
    /// Per client address.
    pub ip: Limiter<IpAddr>,
    /// Per session id.
    pub session: Limiter<String>,
}

impl CollectLimits {
    /// Limits of `ip` and `session` events per minute (0: none).
    pub fn new(ip: u32, session: u32) -> Self {
        CollectLimits {
            ip: Limiter::per_minute(ip),
            session: Limiter::per_minute(session),
        }
    }
}

/// `Retry-After` seconds for a wait: whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_forwarded_entry_is_the_client_and_only_when_asked() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.2.3.4, 10.0.0.7".parse().unwrap());
        let peer = Some(PeerAddr("192.0.2.1:5000".parse().unwrap()));
        assert_eq!(client_ip(&h, peer, None).to_string(), "192.0.2.1");
        assert_eq!(
            client_ip(&h, peer, Some("x-forwarded-for")).to_string(),
            "10.0.0.7"
        );
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(
            client_ip(&h, peer, Some("x-forwarded-for")).to_string(),
            "192.0.2.1"
        );
    }

    #[test]
    fn a_minute_of_events_then_a_wait() {
        let l = Limiter::per_minute(60);
        assert!(l.take(&"a", 50).is_ok());
        assert!(l.take(&"a", 10).is_ok());
        let wait = l.take(&"a", 5).unwrap_err();
        assert!(
            wait > Duration::from_secs(3) && wait <= Duration::from_secs(5),
            "{wait:?}"
        );
        assert!(l.take(&"b", 60).is_ok(), "keys are apart");
        assert!(
            l.take(&"c", 61).is_err(),
            "never more than a minute's at once"
        );
        assert!(Limiter::per_minute(0).take(&"a", 1_000_000).is_ok());
        assert_eq!(retry_after_secs(Duration::from_millis(200)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(4200)), 5);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
    }
}
