//! E-mail addresses (`patterns/email.toml`): the plain form, and obfuscated forms such as
//! `namn[at]kommun.se` or `namn (at) kommun punkt se`. The patterns run only on texts that
//! contain `@` or one of the written-out forms of "at".

use super::patterns::{PatternSet, Scan};
use super::{DetectError, Detector};
use crate::document::{Kind, Span};

/// Finds e-mail addresses.
pub struct Email {
    set: PatternSet,
}

impl Email {
    pub fn new() -> Result<Email, DetectError> {
        Ok(Email { set: PatternSet::builtin("email.toml")? })
    }
}

impl Detector for Email {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        self.detect_in(text, &Scan { runs: Vec::new() }, out);
    }

    fn detect_in(&self, text: &str, scan: &Scan, out: &mut Vec<Span>) {
        self.set.scan(text, scan, |p, start, end| {
            super::push_uncovered(out, Kind::Email, start, end, p.name, p.confidence);
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut v = Vec::new();
        Email::new().unwrap().detect(text, &mut v);
        v.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn finds_plain_addresses() {
        assert_eq!(found("Mejla anna.berg@kommun.se eller X."), ["anna.berg@kommun.se"]);
        assert_eq!(
            found("<Per-Åke.Öst@socialtjanst.example.org>"),
            ["Per-Åke.Öst@socialtjanst.example.org"]
        );
    }

    #[test]
    fn finds_obfuscated_addresses() {
        assert_eq!(found("till namn[at]kommun.se idag"), ["namn[at]kommun.se"]);
        assert_eq!(found("till namn (at) kommun punkt se idag"), ["namn (at) kommun punkt se"]);
    }

    #[test]
    fn ignores_non_addresses() {
        assert!(found("möte @ 14.00 i rummet").is_empty());
        assert!(found("kostar 20 kr").is_empty());
        assert!(found("Look at this.").is_empty());
    }
}
