//! Detection: [`Normalized`] text → [`Findings`].
//!
//! Each kind of personal data has its own detector; the set is open, so detectors share
//! the [`Detector`] trait. The configuration's deny-list is a detector too, and its
//! allow-list is applied last, to whatever any detector found.

pub mod address;
pub mod email;
pub mod names;
pub mod patterns;
pub mod personnummer;
pub mod phone;
pub mod regnr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::config::DetectSettings;
use crate::document::{Findings, Kind, Normalized, Span};
use crate::fold::term as fold;

/// A detector of one kind of personal data.
pub trait Detector: Send + Sync {
    /// Append every span found in `text` to `out`. Spans are byte ranges of `text`.
    fn detect(&self, text: &str, out: &mut Vec<Span>);

    /// The same, given what was computed once for all detectors (the windows around
    /// digits). Detectors that can use it override this; the default ignores it.
    fn detect_in(&self, text: &str, scan: &patterns::Scan, out: &mut Vec<Span>) {
        let _ = scan;
        self.detect(text, out);
    }
}

/// Whether a span of `kind` already covers `start..end` (several patterns may find the
/// same value).
pub(crate) fn covered(spans: &[Span], kind: Kind, start: usize, end: usize) -> bool {
    spans.iter().rev().take(16).any(|s| s.kind == kind && s.start <= start && end <= s.end)
}

/// Record a span found by a pattern rule unless a recent span of the same kind covers it.
pub(crate) fn push_uncovered(
    out: &mut Vec<Span>,
    kind: Kind,
    start: usize,
    end: usize,
    rule: &'static str,
    confidence: f32,
) {
    if !covered(out, kind, start, end) {
        out.push(Span { start, end, kind, rule, confidence, entity: None });
    }
}

/// A number or address found once is masked wherever the same value stands as a whole word
/// (`… 8501012382</a>` and `…-+8501012382` in a pasted page), as verification reads it: a
/// value a detector's context rules find in one place is the same value everywhere.
/// Names have their own coreference; values shorter than six characters are left alone.
fn same_value_elsewhere(text: &str, spans: &mut Vec<Span>) {
    let kinds = [Kind::Personnummer, Kind::Phone, Kind::Email, Kind::Regnr];
    let mut values: Vec<(&str, Kind)> = spans
        .iter()
        .filter(|s| kinds.contains(&s.kind) && s.end - s.start >= 6)
        .map(|s| (&text[s.start..s.end], s.kind))
        .collect();
    if values.is_empty() {
        return;
    }
    values.sort_unstable();
    values.dedup_by(|a, b| a.0 == b.0);
    let Ok(finder) = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(values.iter().map(|v| v.0))
    else {
        return;
    };
    let mut found = Vec::new();
    for hit in finder.find_iter(text) {
        let (start, end) = (hit.start(), hit.end());
        if !is_word_boundary(text, start)
            || !is_word_boundary(text, end)
            || spans.iter().any(|s| s.start < end && start < s.end)
        {
            continue;
        }
        let kind = values[hit.pattern().as_usize()].1;
        found.push(Span { start, end, kind, rule: "same-value", confidence: 0.8, entity: None });
    }
    if !found.is_empty() {
        spans.extend(found);
        spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    }
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

impl Detectors {
    /// Build the detector set the settings ask for.
    pub fn build(config: &DetectSettings) -> Result<Detectors, DetectError> {
        let detectors: Vec<Box<dyn Detector>> = vec![
            Box::new(email::Email::new()?),
            Box::new(personnummer::Personnummer::new(
                config.keep_organisation_numbers,
                config.require_personnummer_check_digit,
            )?),
            Box::new(phone::Phone::new()?),
            Box::new(address::Address::new()?),
            Box::new(regnr::Regnr::new()?),
            Box::new(names::Names::new()?),
            Box::new(DenyList::new(&config.deny)?),
        ];
        Ok(Detectors {
            detectors,
            allow: config.allow.iter().map(|s| fold(s)).filter(|s| !s.is_empty()).collect(),
        })
    }

    /// Run every detector over the text; drop what the allow-list keeps.
    pub fn detect(&self, text: &Normalized) -> Findings {
        self.detect_keeping(text, None)
    }

    /// [`Detectors::detect`], and also the detections the allow-list kept (for the review
    /// page). The findings are the same as `detect`'s.
    pub fn detect_for_review(&self, text: &Normalized) -> (Findings, Vec<Span>) {
        let mut allowed = Vec::new();
        let f = self.detect_keeping(text, Some(&mut allowed));
        (f, allowed)
    }

    /// The allow-list entry (folded) that keeps this value, if any.
    pub fn allowed_by(&self, value: &str) -> Option<&str> {
        let f = fold(value);
        self.allow.iter().find(|a| **a == f).map(String::as_str)
    }

    fn detect_keeping(&self, text: &Normalized, allowed: Option<&mut Vec<Span>>) -> Findings {
        let mut spans = self.detect_str_keeping(text.text(), allowed);
        // OCR repair must never hide a number: the structured detectors also read the text
        // as it was before repair, and what they find there is mapped onto the repaired text.
        if let Some(raw) = text.raw() {
            for s in self.detect_str(&raw.text) {
                if matches!(s.kind, Kind::Name | Kind::Other) {
                    continue;
                }
                let (start, end) = raw.map.raw_to_text(s.start, s.end);
                if start < end
                    && end <= text.text().len()
                    && text.text().is_char_boundary(start)
                    && text.text().is_char_boundary(end)
                {
                    spans.push(Span { start, end, ..s });
                }
            }
            spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        }
        same_value_elsewhere(text.text(), &mut spans);
        Findings { spans }
    }

    /// The same over a plain string (used to verify published files).
    pub fn detect_str(&self, text: &str) -> Vec<Span> {
        self.detect_str_keeping(text, None)
    }

    fn detect_str_keeping(&self, text: &str, allowed: Option<&mut Vec<Span>>) -> Vec<Span> {
        let mut spans = Vec::new();
        let scan = patterns::Scan::new(text);
        for d in &self.detectors {
            d.detect_in(text, &scan, &mut spans);
        }
        if !self.allow.is_empty() {
            let keeps = |s: &Span| {
                s.rule != "deny-list" && self.allow.contains(&fold(&text[s.start..s.end]))
            };
            if let Some(allowed) = allowed {
                allowed.extend(spans.iter().filter(|s| keeps(s)).cloned());
                allowed.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
            }
            spans.retain(|s| !keeps(s));
        }
        spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> Normalized {
        Normalized::plain(text)
    }

    #[test]
    fn numbers_in_the_text_before_ocr_repair_are_found_too() {
        use crate::document::{Edit, OffsetMap, RawText};
        // Suppose repair turned digits of a phone number into letters.
        let raw = "Ring 08-123 456 78 i dag.";
        let repaired = "Ring 08-123 abc 78 i dag.";
        let map = OffsetMap { edits: vec![Edit { raw: (12, 15), text: (12, 15) }] };
        let n = Normalized::new(
            repaired.into(),
            1,
            vec![1],
            true,
            Some(RawText { text: raw.into(), map }),
        );
        let d = Detectors::build(&DetectSettings::default()).unwrap();
        let f = d.detect(&n);
        assert!(
            f.spans
                .iter()
                .any(|s| s.kind == Kind::Phone && &repaired[s.start..s.end] == "08-123 abc 78"),
            "{:?}",
            f.spans
        );
    }

    #[test]
    fn a_value_found_once_is_masked_wherever_it_stands() {
        // The second number sits inside a pasted address, where the pattern's edges do not
        // let it match.
        let t = "Personnummer 8501012382 noterades. Se sidan/Anna+-+8501012382.";
        let d = Detectors::build(&DetectSettings::default()).unwrap();
        let f = d.detect(&norm(t));
        let found: Vec<&str> = f
            .spans
            .iter()
            .filter(|s| s.kind == Kind::Personnummer)
            .map(|s| &t[s.start..s.end])
            .collect();
        assert_eq!(found, ["8501012382", "8501012382"], "{:?}", f.spans);
        assert!(f.spans.iter().any(|s| s.rule == "same-value"));
    }

    #[test]
    fn allow_list_keeps_and_deny_list_masks() {
        let cfg = DetectSettings {
            allow: vec!["registrator@kommun.se".into()],
            deny: vec!["Solrosen".into()],
            ..DetectSettings::default()
        };
        let d = Detectors::build(&cfg).unwrap();
        let f = d.detect(&norm(
            "Skriv till Registrator@kommun.se eller a.b@c.se om solrosen, inte solrosenhus.",
        ));
        let kinds: Vec<_> = f.spans.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Kind::Email, Kind::Other]);
        let (f2, kept) = d.detect_for_review(&norm(
            "Skriv till Registrator@kommun.se eller a.b@c.se om solrosen, inte solrosenhus.",
        ));
        assert_eq!(f2.spans, f.spans);
        assert!(!kept.is_empty() && kept.iter().all(|s| s.kind == Kind::Email));
        assert_eq!(d.allowed_by("REGISTRATOR@kommun.se"), Some("registrator@kommun.se"));
    }
}

/// Every pattern file: each pattern's regex matches its examples, the detectors find the
/// pattern's kind in every example, and not in any counter-example.
#[cfg(test)]
mod pattern_file_tests {
    use super::*;

    #[test]
    fn every_pattern_file_checks_out() {
        let detectors = Detectors::build(&DetectSettings::default()).unwrap();
        let mut failures = Vec::new();
        let mut checked = 0;
        for (file, text) in patterns::FILES {
            let set = patterns::PatternSet::parse(file, text).unwrap();
            for (spec, pattern) in set.specs.iter().zip(&set.patterns) {
                assert!(!spec.examples.is_empty(), "{file}: pattern {} has no examples", spec.name);
                for ex in &spec.examples {
                    checked += 1;
                    if !pattern.matches(ex) {
                        failures.push(format!(
                            "{file} {}: regex does not match example {ex:?}",
                            spec.name
                        ));
                    }
                    if !detectors.detect_str(ex).iter().any(|s| s.kind == spec.kind) {
                        failures.push(format!(
                            "{file} {}: no {:?} found in example {ex:?}",
                            spec.name, spec.kind
                        ));
                    }
                }
                for ex in &spec.counter_examples {
                    checked += 1;
                    let found: Vec<&str> = detectors
                        .detect_str(ex)
                        .iter()
                        .filter(|s| s.kind == spec.kind)
                        .map(|s| &ex[s.start..s.end])
                        .collect();
                    if !found.is_empty() {
                        failures.push(format!(
                            "{file} {}: {:?} found {found:?} in counter-example {ex:?}",
                            spec.name, spec.kind
                        ));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {checked} checks failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
