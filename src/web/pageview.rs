//! Page views: the `page_view` trigger's shell. The engine sees a page view
//! at start, after each single-page-app route change ([`super::history`]),
//! and when the page comes back from the back/forward cache, which also
//! re-arms the page's `once_per_page` limits and scroll thresholds (Plausible
//! counts a restore as a page view too; the page never reloaded, so nothing
//! else would).

use super::Tag;

/// The current page was viewed: fire the `page_view` triggers, and start
/// the view's clocks over.
pub(crate) fn viewed(t: &mut Tag) {
    #[cfg(feature = "time")]
    super::clock::restart(t);
    // A page view is the visitor's activity: a session that ended meanwhile
    // is replaced first, and this view is its first.
    t.activity(js_sys::Date::now(), true);
    t.count_view();
    t.engine.on_page_view(&mut t.out);
    t.deliver(false);
}

/// The page was restored from the back/forward cache: a new view of the same
/// page (same facts and referrer).
pub(crate) fn restored(t: &mut Tag) {
    let page = t.engine.page().clone();
    t.engine.set_page(page);
    viewed(t);
    #[cfg(feature = "scroll")]
    super::scroll::schedule();
}
