//! Native backend: regress for ECMAScript regexes, a small selector matcher over described elements.
