//! Minimal JSON: a parser that keeps positions (for rules messages) and a writer.
