//! Element visibility (GTM's Element Visibility): the shell reports that an
//! element a trigger's selector matches has been on screen, at least its
//! `min_percent_visible` and continuously for `min_on_screen_ms`; here the
//! trigger is judged, once per page view or once per element.

use super::limits::Fnv;
use super::scope::ClickCtx;
use super::{describe, round, Conversion, Engine, Scope, Value};
use crate::backend::Backend;
use crate::prelude::*;
use crate::rules::model::{TriggerKind, TriggerType};
use alloc::borrow::Cow;

/// What fired this page view: `(trigger, element key)`.
#[derive(Debug, Default)]
pub(crate) struct Seen(Vec<(usize, u32)>);

impl Seen {
    pub(crate) fn new_page(&mut self) {
        self.0.clear();
    }
}

/// One element seen on screen long enough for trigger `trigger`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sighting {
    /// The `element_visibility` trigger (index in [`Engine::triggers`]).
    pub trigger: usize,
    /// A shell-chosen key, stable per element on the page.
    pub key: u32,
    /// How much of the element is visible, in percent.
    pub percent: f64,
    /// How long it has been on screen, continuously, in milliseconds.
    pub on_screen_ms: f64,
}

impl<B: Backend> Engine<B> {
    /// Element `el` was on screen as `seen` says: its `element_visibility`
    /// trigger is judged (conditions, then limit) unless it already fired in
    /// this page view (`once_per: page`, the default) or for this element
    /// (`once_per: element`). `visibility.percent`, `visibility.on_screen_ms`
    /// and the element's `click.*` facts describe it (GTM fills its click
    /// variables for visibility too); its text is for conditions only, never
    /// sent. Limits that outlive the page view count the trigger (or, per
    /// element, the element's `id`), not this load's element key.
    pub fn on_visible(&mut self, el: &B::Element, seen: Sighting, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.visible_event(el, seen, out);
        self.complete_groups(out, from);
    }

    fn visible_event(&mut self, el: &B::Element, seen: Sighting, out: &mut Vec<Conversion>) {
        let Engine {
            j,
            page,
            described,
            seen: fired,
            ..
        } = self;
        let per_element = match j.rules.triggers.get(seen.trigger).map(|t| &t.kind) {
            Some(TriggerKind::ElementVisibility {
                once_per_element, ..
            }) => *once_per_element,
            _ => return,
        };
        let done = fired
            .0
            .iter()
            .any(|&(t, k)| t == seen.trigger && (!per_element || k == seen.key));
        if done {
            return;
        }
        let mut judge = j.begin();
        described.clear();
        let di = describe(judge.backend, described, el.clone());
        let Some((el, facts)) = described.get(di) else {
            return;
        };
        let percent = round(seen.percent).clamp(0.0, 100.0);
        let mut scope = Scope::new(page, TriggerType::ElementVisibility.as_str());
        scope.click = Some(ClickCtx { element: el, facts });
        scope.visibility = Some((percent, seen.on_screen_ms));
        // The key is this page load's: a limit that outlives the page
        // (once_per_session, groups) must not depend on it. Per element, the
        // element's id stands for it when it has one.
        let mut milestone = Fnv::new().bytes(b"element_visibility");
        if per_element {
            milestone = match facts.id.as_str() {
                "" => milestone.u64(seen.key.into()),
                id => milestone.str(id),
            };
        }
        let milestone = milestone.finish();
        if judge.fires(seen.trigger, &scope, milestone) {
            fired.0.push((seen.trigger, seen.key));
            // Not the element's text: a watched container (an account
            // panel, an order summary) may hold personal data; conditions
            // still read it.
            let mut vars = super::click_vars(facts);
            vars.retain(|(k, _)| k != "click.text");
            vars.push((Cow::Borrowed("visibility.percent"), Value::Num(percent)));
            vars.push((
                Cow::Borrowed("visibility.on_screen_ms"),
                Value::Num(round(seen.on_screen_ms)),
            ));
            out.push(Conversion {
                trigger: seen.trigger,
                vars,
            });
        }
        described.clear();
    }
}
