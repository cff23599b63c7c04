//! Bots by User-Agent, from the `isbot` crate's maintained pattern list
//! (the one the npm `isbot` package keeps), compiled once. A bot's events
//! are stored with `bot = 1` and counted apart: the report leaves them out.

use std::sync::OnceLock;

/// Whether a request with this User-Agent comes from a bot. No browser
/// sends none, so a missing or empty one is a bot's too. Headless Chromium
/// announces itself (`HeadlessChrome`): tests that drive a browser set an
/// ordinary User-Agent, so bot filtering stays on in every test.
pub fn is_bot(user_agent: Option<&str>) -> bool {
    static BOTS: OnceLock<isbot::Bots> = OnceLock::new();
    match user_agent.map(str::trim) {
        None | Some("") => true,
        Some(ua) => BOTS.get_or_init(isbot::Bots::default).is_bot(ua),
    }
}

#[cfg(test)]
mod tests {
    use super::is_bot;

    #[test]
    fn crawlers_and_headless_browsers_are_bots_browsers_are_not() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
            "curl/8.5.0",
            "python-requests/2.31.0",
            "",
        ] {
            assert!(is_bot(Some(ua)), "{ua}");
        }
        assert!(is_bot(None));
        for ua in [
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ] {
            assert!(!is_bot(Some(ua)), "{ua}");
        }
    }
}
