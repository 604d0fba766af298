//! E-mail addresses.

use std::sync::LazyLock;

use regex::Regex;

use super::Detector;
use crate::document::{Kind, Span};

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[a-z0-9åäöüéèæøñ!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9åäöüéèæøñ!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9åäö](?:[a-z0-9åäö-]*[a-z0-9åäö])?\.)+[a-z]{2,24}\b",
    )
    .expect("email regex")
});

/// Finds e-mail addresses in their plain written form.
pub struct Email;

impl Detector for Email {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        if !text.contains('@') {
            return;
        }
        for m in EMAIL.find_iter(text) {
            out.push(Span {
                start: m.start(),
                end: m.end(),
                kind: Kind::Email,
                rule: "email",
                confidence: 0.99,
                entity: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut v = Vec::new();
        Email.detect(text, &mut v);
        v.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn finds_plain_addresses() {
        assert_eq!(found("Mejla anna.berg@kommun.se eller X."), ["anna.berg@kommun.se"]);
        assert_eq!(found("<Per-Åke.Öst@socialtjanst.example.org>"), ["Per-Åke.Öst@socialtjanst.example.org"]);
    }

    #[test]
    fn ignores_non_addresses() {
        assert!(found("möte @ 14.00 i rummet").is_empty());
        assert!(found("kostar 20 kr").is_empty());
    }
}
