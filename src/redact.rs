//! Redaction: ([`Normalized`], [`Findings`]) → [`Redacted`].
//!
//! Overlapping detections are merged into one masked range; each range becomes a
//! placeholder in square brackets. Person kinds get a number per entity, in order of
//! first appearance, so the same person is always `[PERSON 2]` within a document; with a
//! [`LinkKey`] (`--link-persons`) they get a keyed pseudonym instead, the same in every
//! document of the batch (`[PERSON KXQTRMB]`).
//!
//! [`Redacted`] can only be made here, and renderers accept only a `&Redacted`: the type
//! system keeps unredacted text away from published files. The masked values come out
//! separately, as [`MaskedValues`], which only verification reads: no renderer can reach
//! them. Placeholders are typed spans ([`Placeholder`]) carried to the renderers, never
//! found again by a pattern, so a source's own brackets stay ordinary text.

use std::collections::{BTreeMap, HashMap};

use crate::config::MaskPolicy;
use crate::document::{Findings, Kind, Normalized, Span};
use crate::link::LinkKey;

/// One masked range in the published text, for audit and review (no value).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Masking {
    pub kind: Kind,
    pub rule: &'static str,
    pub confidence: f32,
    pub placeholder: String,
    /// The masked byte range in the normalised text (for the internal review page; never
    /// serialised). Later rounds' ranges are mapped back from the redacted text.
    #[serde(skip)]
    pub source: (usize, usize),
    /// 1 for the first pass of redaction, 2… for the later rounds of [`redact_further`].
    #[serde(skip)]
    pub round: u8,
}

/// Numbers given to the entities of numbered kinds (persons) in one document, so that
/// later rounds of redaction continue the numbering instead of restarting it.
/// With a link key, labels come from the key instead (a collision inside the document
/// lengthens the later label, so two persons never share one).
#[derive(Debug, Clone, Default)]
struct Numbering {
    numbers: HashMap<(Kind, String), String>,
    next: HashMap<Kind, usize>,
    link: Option<LinkKey>,
    /// Labels given with the link key, per kind.
    taken: std::collections::HashSet<(Kind, String)>,
}

impl Numbering {
    fn label(&mut self, kind: Kind, key: String) -> String {
        if let Some(l) = self.numbers.get(&(kind, key.clone())) {
            return l.clone();
        }
        let label = match &self.link {
            Some(link) => {
                let mut len = crate::link::LABEL_LEN;
                loop {
                    let l = link.label(kind, &key, len);
                    if !self.taken.contains(&(kind, l.clone())) {
                        break l;
                    }
                    len += 1;
                }
            }
            None => {
                let c = self.next.entry(kind).or_insert(0);
                *c += 1;
                c.to_string()
            }
        };
        self.taken.insert((kind, label.clone()));
        self.numbers.insert((kind, key), label.clone());
        label
    }
}

/// A placeholder in the redacted text: its byte range and the kind it masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// The original values of a document's masked spans, kept in memory only to verify the
/// published files ([`crate::verify`]); never written anywhere, and never given to a
/// renderer.
#[derive(Debug, Clone, Default)]
pub struct MaskedValues {
    values: Vec<String>,
    /// The kind of each value, in the same order.
    kinds: Vec<Kind>,
}

impl MaskedValues {
    /// The values, for verification.
    pub(crate) fn values(&self) -> &[String] {
        &self.values
    }

    /// Each value with its kind, in the order they were masked.
    pub(crate) fn with_kinds(&self) -> impl Iterator<Item = (Kind, &str)> {
        self.kinds.iter().copied().zip(self.values.iter().map(String::as_str))
    }

    fn extend(&mut self, pass: &Pass) {
        self.values.extend(pass.values.iter().cloned());
        self.kinds.extend(pass.maskings.iter().map(|m| m.kind));
    }
}

/// A redacted document: the published text and what was masked in it.
#[derive(Debug, Clone)]
pub struct Redacted {
    text: String,
    maskings: Vec<Masking>,
    /// The placeholders in `text`, in order.
    placeholders: Vec<Placeholder>,
    /// For each placeholder, the byte range it replaced in the normalised text.
    origins: Vec<(usize, usize)>,
    /// Rounds of redaction so far.
    rounds: u8,
    numbering: Numbering,
    /// The placeholder words of the policy (`PERSON`, `E-POST` …), to tell a source's own
    /// placeholder-like brackets from real placeholders.
    bases: Vec<String>,
    page_count: u32,
    ocr_pages: Vec<u32>,
    ocr_repaired: bool,
    ocr: crate::document::OcrSummary,
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

    /// The placeholders in [`Redacted::text`], in order.
    pub fn placeholders(&self) -> &[Placeholder] {
        &self.placeholders
    }

    /// The placeholder words of the policy the text was redacted with.
    pub fn placeholder_words(&self) -> &[String] {
        &self.bases
    }

    /// Pages in the source.
    pub fn page_count(&self) -> u32 {
        self.page_count
    }

    /// Pages whose text came from OCR.
    pub fn ocr_pages(&self) -> &[u32] {
        &self.ocr_pages
    }

    /// Whether OCR-damage repair changed the text.
    pub fn ocr_repaired(&self) -> bool {
        self.ocr_repaired
    }

    /// What OCR repair and re-OCR did (page numbers and counts, never text).
    pub fn ocr(&self) -> &crate::document::OcrSummary {
        &self.ocr
    }
}

/// Merge overlapping or touching spans. The merged range keeps the kind of its most
/// confident member (a longer span wins a tie).
fn merge(spans: &[Span]) -> Vec<Span> {
    let mut sorted: Vec<&Span> = spans.iter().filter(|s| s.start < s.end).collect();
    sorted.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::new();
    for s in sorted {
        if let Some(last) = out.last_mut()
            && s.start < last.end
        {
            if (s.confidence, s.end - s.start) > (last.confidence, last.end - last.start) {
                last.kind = s.kind;
                last.rule = s.rule;
                last.confidence = s.confidence;
                last.entity = s.entity.clone();
            }
            last.end = last.end.max(s.end);
            continue;
        }
        out.push(s.clone());
    }
    out
}

/// What one pass of replacement produced.
struct Pass {
    text: String,
    maskings: Vec<Masking>,
    values: Vec<String>,
    /// Placeholders in the new text.
    placeholders: Vec<Placeholder>,
    /// The replaced ranges of the old text.
    sources: Vec<(usize, usize)>,
    /// (old end of a replaced span, new end of its placeholder), to map old positions.
    shifts: Vec<(usize, usize)>,
}

/// Replace the (non-overlapping, merged) spans of `text` by placeholders.
fn replace(text: &str, merged: Vec<Span>, policy: &MaskPolicy, numbering: &mut Numbering) -> Pass {
    let mut out = String::with_capacity(text.len());
    let mut pass = Pass {
        text: String::new(),
        maskings: Vec::with_capacity(merged.len()),
        values: Vec::with_capacity(merged.len()),
        placeholders: Vec::with_capacity(merged.len()),
        sources: Vec::with_capacity(merged.len()),
        shifts: Vec::with_capacity(merged.len()),
    };
    let mut pos = 0;
    for s in merged {
        out.push_str(&text[pos..s.start]);
        let value = &text[s.start..s.end];
        let base = policy.placeholder(s.kind);
        let placeholder = if s.kind.numbered() {
            let key = s.entity.clone().unwrap_or_else(|| value.to_lowercase());
            format!("[{base} {}]", numbering.label(s.kind, key))
        } else {
            format!("[{base}]")
        };
        let at = out.len();
        out.push_str(&placeholder);
        pass.placeholders.push(Placeholder { start: at, end: out.len(), kind: s.kind });
        pass.shifts.push((s.end, out.len()));
        pass.sources.push((s.start, s.end));
        pass.values.push(value.to_string());
        pass.maskings.push(Masking {
            kind: s.kind,
            rule: s.rule,
            confidence: s.confidence,
            placeholder,
            source: (s.start, s.end),
            round: 1,
        });
        pos = s.end;
    }
    out.push_str(&text[pos..]);
    pass.text = out;
    pass
}

/// Replace every masked span of the text by its placeholder; persons get keyed
/// pseudonyms when a link key is given. Returns the redacted text and, apart, the values
/// it masked (for verification only).
pub fn redact(
    text: &Normalized,
    findings: &Findings,
    policy: &MaskPolicy,
    link: Option<&LinkKey>,
) -> (Redacted, MaskedValues) {
    let spans: Vec<Span> =
        findings.spans.iter().filter(|s| policy.masks(s.kind)).cloned().collect();
    let mut numbering = Numbering { link: link.cloned(), ..Numbering::default() };
    let pass = replace(text.text(), merge(&spans), policy, &mut numbering);
    let mut bases: Vec<String> =
        Kind::ALL.iter().map(|k| policy.placeholder(*k).to_string()).collect();
    bases.sort_unstable();
    bases.dedup();
    let mut values = MaskedValues::default();
    values.extend(&pass);
    let redacted = Redacted {
        text: pass.text,
        maskings: pass.maskings,
        placeholders: pass.placeholders,
        origins: pass.sources,
        rounds: 1,
        numbering,
        bases,
        page_count: text.page_count(),
        ocr_pages: text.ocr_pages().to_vec(),
        ocr_repaired: text.ocr_repaired(),
        ocr: text.ocr_summary(),
    };
    (redacted, values)
}

/// Cut `span` around the placeholders it overlaps: the pieces outside placeholders
/// (a name detected across `[PERSON 1]` and a neighbour keeps only the neighbour).
fn outside_placeholders(span: &Span, placeholders: &[Placeholder], out: &mut Vec<Span>) {
    let first = placeholders.partition_point(|p| p.end <= span.start);
    let mut start = span.start;
    for &Placeholder { start: ps, end: pe, .. } in &placeholders[first..] {
        if ps >= span.end {
            break;
        }
        if ps > start {
            out.push(Span { start, end: ps, ..span.clone() });
        }
        start = start.max(pe);
    }
    if start < span.end {
        out.push(Span { start, end: span.end, ..span.clone() });
    }
}

/// Mask what only became recognisable after redaction: a placeholder changes the context
/// of its neighbours (a digit run next to a masked number can look like a phone number on
/// its own, a capitalised word beside `[PERSON 1]` like a surname). `spans` are byte ranges
/// of `r.text()`; they are cut so that no placeholder is touched, and persons continue the
/// document's numbering (a known entity keeps its number). The newly masked values join
/// `values`.
pub fn redact_further(
    mut r: Redacted,
    values: &mut MaskedValues,
    spans: &[Span],
    policy: &MaskPolicy,
) -> Redacted {
    let mut cut = Vec::with_capacity(spans.len());
    for s in spans.iter().filter(|s| policy.masks(s.kind)) {
        outside_placeholders(s, &r.placeholders, &mut cut);
    }
    if cut.is_empty() {
        return r;
    }
    let mut pass = replace(&r.text, merge(&cut), policy, &mut r.numbering);
    // Where the new spans were in the normalised text: outside placeholders the redacted
    // text is the normalised text shifted by the placeholders before.
    let to_normalised = |x: usize| -> usize {
        let i = r.placeholders.partition_point(|p| p.end <= x);
        if i == 0 { x } else { r.origins[i - 1].1 + (x - r.placeholders[i - 1].end) }
    };
    r.rounds = r.rounds.saturating_add(1);
    let sources: Vec<(usize, usize)> =
        pass.sources.iter().map(|&(s, e)| (to_normalised(s), to_normalised(e))).collect();
    for (m, &src) in pass.maskings.iter_mut().zip(&sources) {
        m.source = src;
        m.round = r.rounds;
    }
    // Old placeholders move by the length change of the replacements before them.
    let mut placeholders = Vec::with_capacity(r.placeholders.len() + pass.placeholders.len());
    let shift = |old: usize| -> usize {
        let i = pass.shifts.partition_point(|&(e, _)| e <= old);
        match i {
            0 => old,
            _ => {
                let (oe, ne) = pass.shifts[i - 1];
                ne + (old - oe)
            }
        }
    };
    for (p, &o) in r.placeholders.iter().zip(&r.origins) {
        placeholders
            .push((Placeholder { start: shift(p.start), end: shift(p.end), kind: p.kind }, o));
    }
    placeholders.extend(pass.placeholders.iter().copied().zip(sources));
    placeholders.sort_unstable_by_key(|(p, _)| (p.start, p.end));
    values.extend(&pass);
    r.text = pass.text;
    (r.placeholders, r.origins) = placeholders.into_iter().unzip();
    r.maskings.extend(pass.maskings);
    r
}

/// [`redact`], then [`redact_further`] until the detectors find nothing new in the
/// redacted text (at most four rounds; verification has the last word).
pub fn redact_settled(
    text: &Normalized,
    findings: &Findings,
    detectors: &crate::detect::Detectors,
    policy: &MaskPolicy,
    link: Option<&LinkKey>,
) -> (Redacted, MaskedValues) {
    let (mut r, mut values) = redact(text, findings, policy, link);
    for _ in 0..4 {
        let again = detectors.detect_str(r.text());
        let before = r.maskings.len();
        r = redact_further(r, &mut values, &again, policy);
        if r.maskings.len() == before {
            break;
        }
    }
    (r, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, kind: Kind, entity: Option<&str>) -> Span {
        Span { start, end, kind, rule: "test", confidence: 0.9, entity: entity.map(String::from) }
    }

    fn norm(text: &str) -> Normalized {
        Normalized::plain(text)
    }

    fn policy() -> MaskPolicy {
        MaskPolicy::default()
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
        let (r, v) = redact(&t, &f, &policy(), None);
        assert_eq!(r.text(), "[PERSON 1] ringde [PERSON 2], sedan [PERSON 1] igen.");
        assert_eq!(r.counts()[&Kind::Name], 3);
        assert_eq!(v.values(), ["Anna", "Berg", "Anna"]);
    }

    #[test]
    fn further_redaction_masks_new_spans_but_not_inside_placeholders() {
        let t = norm("a 070-123 45 67 b");
        let (r, mut v) = redact(&t, &Findings::default(), &policy(), None);
        let r = redact_further(r, &mut v, &[span(2, 15, Kind::Phone, None)], &policy());
        assert_eq!(r.text(), "a [TELEFON] b");
        assert_eq!(v.values(), ["070-123 45 67"]);
        placeholders_are_where_they_say(&r);
        let r2 = redact_further(r, &mut v, &[span(3, 10, Kind::Phone, None)], &policy());
        assert_eq!(r2.text(), "a [TELEFON] b");
    }

    fn placeholders_are_where_they_say(r: &Redacted) {
        let found: Vec<&str> = r.placeholders().iter().map(|p| &r.text()[p.start..p.end]).collect();
        let listed: Vec<&str> = r.maskings().iter().map(|m| m.placeholder.as_str()).collect();
        let mut a = found.clone();
        let mut b = listed.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "{:?}", r.text());
        assert!(found.iter().all(|p| p.starts_with('[') && p.ends_with(']')));
    }

    #[test]
    fn later_rounds_continue_person_numbers_and_never_cut_a_placeholder() {
        let t = norm("Ola ringde. Eva kom.");
        let f = Findings {
            spans: vec![span(0, 3, Kind::Name, Some("ola")), span(12, 15, Kind::Name, Some("eva"))],
        };
        let (r, mut v) = redact(&t, &f, &policy(), None);
        assert_eq!(r.text(), "[PERSON 1] ringde. [PERSON 2] kom.");
        placeholders_are_where_they_say(&r);
        // "ringde" read as a surname across the first placeholder; "kom" as a known entity.
        let r = redact_further(
            r,
            &mut v,
            &[span(5, 17, Kind::Name, Some("ringde")), span(30, 33, Kind::Name, Some("eva"))],
            &policy(),
        );
        assert_eq!(r.text(), "[PERSON 1][PERSON 3]. [PERSON 2] [PERSON 2].");
        assert_eq!(v.values(), ["Ola", "Eva", " ringde", "kom"]);
        placeholders_are_where_they_say(&r);
        // Spans wholly inside placeholders change nothing.
        let before = r.text().to_string();
        let r = redact_further(r, &mut v, &[span(1, 7, Kind::Name, None)], &policy());
        assert_eq!(r.text(), before);
    }

    #[test]
    fn a_span_around_a_placeholder_keeps_both_sides() {
        let t = norm("x 123 y");
        let (r, mut v) =
            redact(&t, &Findings { spans: vec![span(2, 5, Kind::Phone, None)] }, &policy(), None);
        assert_eq!(r.text(), "x [TELEFON] y");
        let r = redact_further(r, &mut v, &[span(0, 13, Kind::Email, None)], &policy());
        assert_eq!(r.text(), "[E-POST][TELEFON][E-POST]");
        placeholders_are_where_they_say(&r);
    }

    #[test]
    fn every_masking_knows_its_range_in_the_normalised_text() {
        let t = norm("Ola ringde. Eva kom.");
        let f = Findings {
            spans: vec![span(0, 3, Kind::Name, Some("ola")), span(12, 15, Kind::Name, Some("eva"))],
        };
        let (r, mut v) = redact(&t, &f, &policy(), None);
        // "kom" (30..33 in the redacted text) is 16..19 in the normalised one.
        let r = redact_further(r, &mut v, &[span(30, 33, Kind::Name, Some("kom"))], &policy());
        let got: Vec<(&str, u8)> =
            r.maskings().iter().map(|m| (&t.text()[m.source.0..m.source.1], m.round)).collect();
        assert_eq!(got, [("Ola", 1), ("Eva", 1), ("kom", 2)]);
        assert_eq!(r.text(), "[PERSON 1] ringde. [PERSON 2] [PERSON 3].");
    }

    #[test]
    fn linked_pseudonyms_are_keyed_stable_and_distinct() {
        let key = LinkKey::from_bytes(&[3u8; 32]);
        let cfg = policy();
        let t1 = norm("Ola ringde Eva.");
        let f1 = Findings {
            spans: vec![span(0, 3, Kind::Name, Some("ola")), span(11, 14, Kind::Name, Some("eva"))],
        };
        let t2 = norm("Eva svarade.");
        let f2 = Findings { spans: vec![span(0, 3, Kind::Name, Some("eva"))] };
        let (r1, mut v1) = redact(&t1, &f1, &cfg, Some(&key));
        let (r2, _) = redact(&t2, &f2, &cfg, Some(&key));
        let eva1 = &r1.maskings()[1].placeholder.clone();
        assert_eq!(eva1, &r2.maskings()[0].placeholder, "the same person, the same pseudonym");
        assert_ne!(&r1.maskings()[0].placeholder, eva1);
        assert_eq!(eva1.len(), "[PERSON ]".len() + crate::link::LABEL_LEN);
        assert!(!r1.text().contains("Ola") && !r1.text().contains(char::is_numeric));
        // Later rounds keep a known person's pseudonym.
        let len = r1.text().len();
        let r1 = redact_further(r1, &mut v1, &[span(len - 1, len, Kind::Phone, None)], &cfg);
        assert!(r1.text().contains(eva1.as_str()));
        // A label already taken in the document is lengthened for the next person.
        let mut n = Numbering { link: Some(key.clone()), ..Numbering::default() };
        let a = n.label(Kind::Name, "ola".into());
        n.taken.insert((Kind::Name, key.label(Kind::Name, "bo", crate::link::LABEL_LEN)));
        let b = n.label(Kind::Name, "bo".into());
        assert_eq!(b.len(), crate::link::LABEL_LEN + 1);
        assert_eq!(n.label(Kind::Name, "ola".into()), a);
        // Placeholders made this way are invisible to the detectors.
        let d = crate::detect::Detectors::build(&Default::default()).unwrap();
        let many: String = (0..400)
            .map(|i| {
                format!("Det sa [PERSON {}] i dag. ", key.label(Kind::Name, &format!("p{i}"), 7))
            })
            .collect();
        assert!(
            d.detect_str(&many).is_empty(),
            "{:?}",
            d.detect_str(&many).first().map(|s| &many[s.start..s.end])
        );
    }

    #[test]
    fn overlapping_spans_merge() {
        let t = norm("mail a.b@c.se slut");
        let f = Findings {
            spans: vec![span(5, 13, Kind::Email, None), span(5, 8, Kind::Name, Some("a"))],
        };
        let (r, _) = redact(&t, &f, &policy(), None);
        assert_eq!(r.text(), "mail [E-POST] slut");
    }

    #[test]
    fn unmasked_kinds_stay() {
        let t = norm("ring 08-123 45 67");
        let f = Findings { spans: vec![span(5, 17, Kind::Phone, None)] };
        let cfg = policy().only(&[Kind::Email]);
        assert_eq!(redact(&t, &f, &cfg, None).0.text(), "ring 08-123 45 67");
    }
}
