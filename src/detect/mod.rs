//! Detection: [`Normalized`] text → [`Findings`].
//!
//! Each kind of personal data has its own detector; the set is open, so detectors share
//! the [`Detector`] trait. The configuration's deny-list is a detector too, and its
//! allow-list is applied last, to whatever any detector found.

pub mod email;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::config::Config;
use crate::document::{Findings, Kind, Normalized, Span};

/// A detector of one kind of personal data.
pub trait Detector: Send + Sync {
    /// Append every span found in `text` to `out`. Spans are byte ranges of `text`.
    fn detect(&self, text: &str, out: &mut Vec<Span>);
}

/// Values the configuration says must always be masked.
struct DenyList {
    matcher: Option<AhoCorasick>,
}

impl DenyList {
    fn new(values: &[String]) -> Result<DenyList, DetectError> {
        let values: Vec<&str> = values.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        if values.is_empty() {
            return Ok(DenyList { matcher: None });
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&values)
            .map_err(|e| DetectError::Build(format!("deny-list: {e}")))?;
        Ok(DenyList { matcher: Some(matcher) })
    }
}

fn is_word_boundary(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at..].chars().next();
    !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
}

impl Detector for DenyList {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        let Some(m) = &self.matcher else { return };
        for hit in m.find_iter(text) {
            if is_word_boundary(text, hit.start()) && is_word_boundary(text, hit.end()) {
                out.push(Span {
                    start: hit.start(),
                    end: hit.end(),
                    kind: Kind::Other,
                    rule: "deny-list",
                    confidence: 1.0,
                    entity: None,
                });
            }
        }
    }
}

/// A problem building the detectors (bad pattern data).
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("cannot build the detectors: {0}")]
    Build(String),
}

/// Every detector of a run, compiled once at start-up.
pub struct Detectors {
    detectors: Vec<Box<dyn Detector>>,
    allow: Vec<String>,
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl Detectors {
    /// Build the detector set the configuration asks for.
    pub fn build(config: &Config) -> Result<Detectors, DetectError> {
        let detectors: Vec<Box<dyn Detector>> = vec![Box::new(email::Email), Box::new(DenyList::new(&config.deny)?)];
        Ok(Detectors { detectors, allow: config.allow.iter().map(|s| fold(s)).filter(|s| !s.is_empty()).collect() })
    }

    /// Run every detector over the text; drop what the allow-list keeps.
    pub fn detect(&self, text: &Normalized) -> Findings {
        Findings { spans: self.detect_str(&text.text) }
    }

    /// The same over a plain string (used to verify published files).
    pub fn detect_str(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        for d in &self.detectors {
            d.detect(text, &mut spans);
        }
        if !self.allow.is_empty() {
            spans.retain(|s| s.rule == "deny-list" || !self.allow.contains(&fold(&text[s.start..s.end])));
        }
        spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> Normalized {
        Normalized { text: text.into(), page_count: 1, ocr_pages: vec![], ocr_repaired: false, raw: None }
    }

    #[test]
    fn allow_list_keeps_and_deny_list_masks() {
        let cfg = Config {
            allow: vec!["registrator@kommun.se".into()],
            deny: vec!["Solrosen".into()],
            ..Config::default()
        };
        let d = Detectors::build(&cfg).unwrap();
        let f = d.detect(&norm("Skriv till Registrator@kommun.se eller a.b@c.se om solrosen, inte solrosenhus."));
        let kinds: Vec<_> = f.spans.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Kind::Email, Kind::Other]);
    }
}
