//! Redaction: ([`Normalized`], [`Findings`]) → [`Redacted`].
//!
//! Overlapping detections are merged into one masked range; each range becomes a
//! placeholder in square brackets. Person kinds get a number per entity, in order of
//! first appearance, so the same person is always `[PERSON 2]` within a document.
//!
//! [`Redacted`] can only be made here, and renderers accept only a `&Redacted`: the type
//! system keeps unredacted text away from published files.

use std::collections::{BTreeMap, HashMap};

use crate::config::Config;
use crate::document::{Findings, Kind, Normalized, Span};

/// One masked range in the published text, for audit and review (no value).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Masking {
    pub kind: Kind,
    pub rule: &'static str,
    pub confidence: f32,
    pub placeholder: String,
}

/// A redacted document: the published text and what was masked in it.
#[derive(Debug, Clone)]
pub struct Redacted {
    text: String,
    maskings: Vec<Masking>,
    /// The masked values, kept in memory only to verify published files. Never written.
    masked_values: Vec<String>,
    pub page_count: u32,
    pub ocr_pages: Vec<u32>,
    pub ocr_repaired: bool,
}

impl Redacted {
    /// The redacted text: placeholders in place of every masked span.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn maskings(&self) -> &[Masking] {
        &self.maskings
    }

    /// Number of masked ranges per kind.
    pub fn counts(&self) -> BTreeMap<Kind, usize> {
        let mut c = BTreeMap::new();
        for m in &self.maskings {
            *c.entry(m.kind).or_insert(0) += 1;
        }
        c
    }

    /// The original values that were masked (for verification only).
    pub fn masked_values(&self) -> &[String] {
        &self.masked_values
    }
}

/// Merge overlapping or touching spans. The merged range keeps the kind of its most
/// confident member (a longer span wins a tie).
fn merge(spans: &[Span]) -> Vec<Span> {
    let mut sorted: Vec<&Span> = spans.iter().filter(|s| s.start < s.end).collect();
    sorted.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::new();
    for s in sorted {
        if let Some(last) = out.last_mut() {
            if s.start < last.end {
                if (s.confidence, s.end - s.start) > (last.confidence, last.end - last.start) {
                    last.kind = s.kind;
                    last.rule = s.rule;
                    last.confidence = s.confidence;
                    last.entity = s.entity.clone();
                }
                last.end = last.end.max(s.end);
                continue;
            }
        }
        out.push(s.clone());
    }
    out
}

/// Replace every masked span of the text by its placeholder.
pub fn redact(text: &Normalized, findings: &Findings, config: &Config) -> Redacted {
    let spans: Vec<Span> = findings.spans.iter().filter(|s| config.masks(s.kind)).cloned().collect();
    let merged = merge(&spans);
    let mut numbers: HashMap<(Kind, String), usize> = HashMap::new();
    let mut next: HashMap<Kind, usize> = HashMap::new();
    let mut out = String::with_capacity(text.text.len());
    let mut maskings = Vec::with_capacity(merged.len());
    let mut values = Vec::with_capacity(merged.len());
    let mut pos = 0;
    for s in merged {
        out.push_str(&text.text[pos..s.start]);
        let value = &text.text[s.start..s.end];
        let base = config.placeholder(s.kind);
        let placeholder = if s.kind.numbered() {
            let key = s.entity.clone().unwrap_or_else(|| value.to_lowercase());
            let n = *numbers.entry((s.kind, key)).or_insert_with(|| {
                let c = next.entry(s.kind).or_insert(0);
                *c += 1;
                *c
            });
            format!("[{base} {n}]")
        } else {
            format!("[{base}]")
        };
        out.push_str(&placeholder);
        values.push(value.to_string());
        maskings.push(Masking { kind: s.kind, rule: s.rule, confidence: s.confidence, placeholder });
        pos = s.end;
    }
    out.push_str(&text.text[pos..]);
    Redacted {
        text: out,
        maskings,
        masked_values: values,
        page_count: text.page_count,
        ocr_pages: text.ocr_pages.clone(),
        ocr_repaired: text.ocr_repaired,
    }
}

/// Mask what only became recognisable after redaction: a placeholder changes the context
/// of its neighbours (a digit run next to a masked number can look like a phone number on
/// its own). `spans` are byte ranges of `r.text()`; spans touching a placeholder and
/// numbered kinds (persons) are left for verification, which then fails the document.
pub fn redact_further(mut r: Redacted, spans: &[Span], config: &Config) -> Redacted {
    let text = std::mem::take(&mut r.text);
    let inside_placeholder = |s: &Span| {
        let before = &text[..s.start];
        before.rfind('[').is_some_and(|o| before[o..].find(']').is_none())
    };
    let spans: Vec<Span> = spans
        .iter()
        .filter(|s| config.masks(s.kind) && !s.kind.numbered() && !inside_placeholder(s))
        .cloned()
        .collect();
    let n = Normalized { text, page_count: r.page_count, ocr_pages: r.ocr_pages.clone(), ocr_repaired: r.ocr_repaired, raw: None };
    let more = redact(&n, &Findings { spans }, config);
    r.text = more.text;
    r.maskings.extend(more.maskings);
    r.masked_values.extend(more.masked_values);
    r
}

/// [`redact`], then [`redact_further`] until the detectors find nothing new in the
/// redacted text (at most three rounds; verification has the last word).
pub fn redact_settled(text: &Normalized, findings: &Findings, detectors: &crate::detect::Detectors, config: &Config) -> Redacted {
    let mut r = redact(text, findings, config);
    for _ in 0..3 {
        let again = detectors.detect_str(r.text());
        let before = r.maskings.len();
        r = redact_further(r, &again, config);
        if r.maskings.len() == before {
            break;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, kind: Kind, entity: Option<&str>) -> Span {
        Span { start, end, kind, rule: "test", confidence: 0.9, entity: entity.map(String::from) }
    }

    fn norm(text: &str) -> Normalized {
        Normalized { text: text.into(), page_count: 1, ocr_pages: vec![], ocr_repaired: false, raw: None }
    }

    #[test]
    fn placeholders_replace_spans_and_number_persons() {
        let t = norm("Anna ringde Berg, sedan Anna igen.");
        let f = Findings {
            spans: vec![
                span(0, 4, Kind::Name, Some("anna")),
                span(12, 16, Kind::Name, Some("berg")),
                span(24, 28, Kind::Name, Some("anna")),
            ],
        };
        let r = redact(&t, &f, &Config::default());
        assert_eq!(r.text(), "[PERSON 1] ringde [PERSON 2], sedan [PERSON 1] igen.");
        assert_eq!(r.counts()[&Kind::Name], 3);
        assert_eq!(r.masked_values(), ["Anna", "Berg", "Anna"]);
    }

    #[test]
    fn further_redaction_masks_new_spans_but_not_inside_placeholders() {
        let t = norm("a 070-123 45 67 b");
        let r = redact(&t, &Findings::default(), &Config::default());
        let r = redact_further(r, &[span(2, 15, Kind::Phone, None)], &Config::default());
        assert_eq!(r.text(), "a [TELEFON] b");
        assert_eq!(r.masked_values(), ["070-123 45 67"]);
        let r2 = redact_further(r, &[span(3, 10, Kind::Phone, None)], &Config::default());
        assert_eq!(r2.text(), "a [TELEFON] b");
    }

    #[test]
    fn overlapping_spans_merge() {
        let t = norm("mail a.b@c.se slut");
        let f = Findings { spans: vec![span(5, 13, Kind::Email, None), span(5, 8, Kind::Name, Some("a"))] };
        let r = redact(&t, &f, &Config::default());
        assert_eq!(r.text(), "mail [E-POST] slut");
    }

    #[test]
    fn unmasked_kinds_stay() {
        let t = norm("ring 08-123 45 67");
        let f = Findings { spans: vec![span(5, 17, Kind::Phone, None)] };
        let cfg = Config { mask: vec![Kind::Email], ..Config::default() };
        assert_eq!(redact(&t, &f, &cfg).text(), "ring 08-123 45 67");
    }
}
