//! The internal review page of a document (`maskera run --review` → `OUT/review/<id>.html`):
//! for the registrator who decides what to mask, never for publication.
//!
//! The page shows the *normalised* text with every detection highlighted by kind, its
//! placeholder, the rule that found it and its confidence, every word that OCR repair or a
//! fresh OCR changed (before → after, one colour each) and which pages were OCR'd, and a table of the detections
//! with the doubtful ones first (see [`doubt`]). Detections that were found but kept — a
//! kind the configuration does not mask, or a value on an allow-list — are shown too, with
//! the reason (a detection an allow-list keeps was decided by a person and is no longer
//! listed as doubtful). It lists the allow/deny decisions in force and how many detections each
//! one changed in this document.
//!
//! Positions: every masking knows its range in the normalised text
//! ([`crate::redact::Masking::source`]), also the ones later rounds of redaction added (they
//! are marked "round 2…"), so every masked range is highlighted. Kept detections that
//! overlap a highlighted range are listed in the table only.
//!
//! The page holds personal data by design. It is self-contained (inline CSS, no script, no
//! external resource, a strict Content-Security-Policy, `noindex`), every value is
//! HTML-escaped by the template engine, and its bytes are deterministic.

use std::path::Path;

use serde::Serialize;

use crate::config::{Config, MaskPolicy};
use crate::document::{Findings, Kind, Normalized, Span};
use crate::fold::term as fold;
use crate::redact::Redacted;
use crate::render::{RenderError, Templates};

const TEMPLATE: &str = include_str!("../templates/review.html.tera");

/// Below this confidence a detection is doubtful whatever its rule.
pub const LOW_CONFIDENCE: f32 = 0.8;

/// Why a detection needs a human look, or `None`. Doubtful are: lone name words that may
/// be ordinary words (`name-given`, `name-surname`, confidence 0.7), names found by context
/// alone (`name-role`, `name-speech`: a role word or speech verb before an unlisted word),
/// personnummer whose check digit is wrong or cannot be checked (confidence below 0.9:
/// 0.75 + 0.05 for a real date + 0.15 for the check digit), and anything below
/// [`LOW_CONFIDENCE`].
pub fn doubt(kind: Kind, rule: &str, confidence: f32) -> Option<&'static str> {
    match rule {
        "name-given" => Some(
            "ensamt förnamn som också kan vara ett vanligt ord / a lone given name that may be an ordinary word",
        ),
        "name-surname" => Some("ensamt efternamn utan förnamn / a lone surname"),
        "name-role" | "name-speech" => {
            Some("namn funnet bara genom sammanhanget / name found by context only")
        }
        _ if kind == Kind::Personnummer && confidence < 0.9 => {
            Some("kontrollsiffran stämmer inte eller saknas / check digit wrong or missing")
        }
        _ if confidence < LOW_CONFIDENCE => Some("låg säkerhet / low confidence"),
        _ => None,
    }
}

/// Where a decision comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The configuration file.
    Global,
    /// `OUT/review/decisions.toml`.
    Batch,
}

/// The allow/deny decisions in force for a run, with their origin.
#[derive(Debug, Clone, Default)]
pub struct DecisionsInForce {
    pub allow: Vec<(String, Source)>,
    pub deny: Vec<(String, Source)>,
}

impl DecisionsInForce {
    /// The global lists of `global` and the batch's decisions (terms of both kept once).
    pub fn new(global: &Config, batch: &crate::decide::Decisions) -> DecisionsInForce {
        let mut d = DecisionsInForce::default();
        for (list, g, b) in
            [(&mut d.allow, &global.allow, &batch.allow), (&mut d.deny, &global.deny, &batch.deny)]
        {
            for (terms, src) in [(g, Source::Global), (b, Source::Batch)] {
                for t in terms {
                    if !t.trim().is_empty() && !list.iter().any(|(x, _)| fold(x) == fold(t)) {
                        list.push((t.clone(), src));
                    }
                }
            }
        }
        d
    }
}

/// The review template: the built-in one, or `review.html.tera` in `dir` where present.
pub fn load_templates(dir: Option<&Path>) -> Result<Templates, RenderError> {
    Templates::load_set(dir, &[("review.html.tera", TEMPLATE)])
}

/// Everything a review page is built from.
pub struct DocReview<'a> {
    pub id: &'a str,
    pub normalized: &'a Normalized,
    pub findings: &'a Findings,
    /// Detections the allow-list kept.
    pub allowed: &'a [Span],
    pub redacted: &'a Redacted,
    /// What the run masks.
    pub policy: &'a MaskPolicy,
    pub decisions: &'a DecisionsInForce,
    /// Why the document was not published, if it was not.
    pub failure: Option<&'a str>,
    /// Whether pseudonyms are linked across the batch.
    pub linked: bool,
    /// Small PNG images of the masked copy's pages (none without a copy).
    pub copy_pages: &'a [Vec<u8>],
}

#[derive(Debug, Clone, Serialize)]
struct Row {
    n: usize,
    kind: &'static str,
    rule: &'static str,
    confidence: String,
    placeholder: String,
    /// "masked" or "kept".
    status: &'static str,
    doubt: Option<&'static str>,
    /// Why a kept detection was kept.
    reason: Option<String>,
    value: String,
    line: usize,
    round: u8,
    /// Whether it is highlighted in the text (`#d{n}`).
    marked: bool,
    #[serde(skip)]
    start: usize,
    #[serde(skip)]
    end: usize,
}

/// A word OCR repair or re-OCR changed: where it is in the text and what it was.
#[derive(Debug, Clone, Serialize)]
struct Fix {
    /// "repair" (OCR repair of a damaged text layer) or "reocr" (read again by OCR).
    kind: &'static str,
    before: String,
    after: String,
    line: usize,
    #[serde(skip)]
    start: usize,
    #[serde(skip)]
    end: usize,
}

/// A stretch of the text with at most one detection mark, cut into parts at the edges of
/// changed words (so a change inside a mark stays inside it).
#[derive(Debug, Clone, Serialize)]
struct Segment<'a> {
    m: Option<&'a Row>,
    parts: Vec<Part<'a>>,
}

#[derive(Debug, Clone, Serialize)]
struct Part<'a> {
    text: &'a str,
    fix: Option<&'a Fix>,
}

/// The words OCR repair and re-OCR changed, in text order (a repaired word inside a
/// re-OCR'd stretch is shown as the repair).
fn fixes(n: &Normalized, lines: &Lines) -> Vec<Fix> {
    let text = n.text();
    let mut out: Vec<Fix> = Vec::new();
    if let Some(raw) = n.raw() {
        for e in &raw.map.edits {
            out.push(Fix {
                kind: "repair",
                before: raw.text.get(e.raw.0..e.raw.1).unwrap_or_default().to_string(),
                after: text.get(e.text.0..e.text.1).unwrap_or_default().to_string(),
                line: lines.of(e.text.0),
                start: e.text.0,
                end: e.text.1,
            });
        }
    }
    for w in &n.reocr().words {
        let (s, e) = w.text;
        if out.iter().any(|f| f.kind == "repair" && s < f.end && f.start < e) {
            continue;
        }
        out.push(Fix {
            kind: "reocr",
            before: w.before.clone(),
            after: text.get(s..e).unwrap_or_default().to_string(),
            line: lines.of(s),
            start: s,
            end: e,
        });
    }
    out.retain(|f| {
        f.start < f.end
            && f.end <= text.len()
            && text.is_char_boundary(f.start)
            && text.is_char_boundary(f.end)
    });
    out.sort_by_key(|f| (f.start, f.end));
    // Never overlapping, so every part of the text belongs to one change at most.
    let mut end = 0;
    out.retain(|f| {
        let keep = f.start >= end;
        if keep {
            end = f.end;
        }
        keep
    });
    out
}

/// `text[start..end]` cut at the edges of `fixes` (sorted, not overlapping).
fn parts<'a>(text: &'a str, start: usize, end: usize, fixes: &'a [Fix]) -> Vec<Part<'a>> {
    let mut out = Vec::new();
    let mut pos = start;
    let first = fixes.partition_point(|f| f.end <= start);
    for f in fixes[first..].iter().take_while(|f| f.start < end) {
        let (s, e) = (f.start.max(start), f.end.min(end));
        if pos < s {
            out.push(Part { text: &text[pos..s], fix: None });
        }
        out.push(Part { text: &text[s..e], fix: Some(f) });
        pos = e;
    }
    if pos < end {
        out.push(Part { text: &text[pos..end], fix: None });
    }
    out
}

#[derive(Debug, Clone, Serialize)]
struct DecisionView {
    list: &'static str,
    source: Source,
    term: String,
    applied: usize,
}

/// Line numbers (1-based) of byte offsets.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }
    fn of(&self, at: usize) -> usize {
        self.0.partition_point(|&s| s <= at)
    }
}

/// A row of the detections table for a masked range.
fn masked_row(m: &crate::redact::Masking, text: &str, lines: &Lines) -> Row {
    let (s, e) = m.source;
    Row {
        n: 0,
        kind: m.kind.as_str(),
        rule: m.rule,
        confidence: format!("{:.2}", m.confidence),
        placeholder: m.placeholder.clone(),
        status: "masked",
        doubt: doubt(m.kind, m.rule, m.confidence),
        reason: None,
        value: text.get(s..e).unwrap_or_default().to_string(),
        line: lines.of(s),
        round: m.round,
        marked: false,
        start: s,
        end: e,
    }
}

/// A row for a detection that was kept, with the reason. One a person decided (an
/// allow-list entry) is no longer doubtful.
fn kept_row(s: &Span, reason: String, decided: bool, text: &str, lines: &Lines) -> Row {
    Row {
        n: 0,
        kind: s.kind.as_str(),
        rule: s.rule,
        confidence: format!("{:.2}", s.confidence),
        placeholder: String::new(),
        status: "kept",
        doubt: if decided { None } else { doubt(s.kind, s.rule, s.confidence) },
        reason: Some(reason),
        value: text[s.start..s.end].to_string(),
        line: lines.of(s.start),
        round: 1,
        marked: false,
        start: s.start,
        end: s.end,
    }
}

/// The detections that were found but kept: by an allow-list (with the entry and where it
/// comes from) or because their kind is not masked.
fn kept_detections<'a>(d: &'a DocReview, text: &str) -> Vec<(&'a Span, String, bool)> {
    let mut kept = Vec::new();
    for s in d.allowed {
        let value = &text[s.start..s.end];
        let (term, src) = d
            .decisions
            .allow
            .iter()
            .find(|(t, _)| fold(t) == fold(value))
            .map(|(t, src)| (t.as_str(), *src))
            .unwrap_or(("?", Source::Global));
        let from = match src {
            Source::Global => "konfigurationen / configuration",
            Source::Batch => "denna batch / this batch",
        };
        kept.push((s, format!("allow-lista ({from}): {term}"), true));
    }
    for s in d.findings.spans.iter().filter(|s| !d.policy.masks(s.kind)) {
        kept.push((
            s,
            format!("typen {} maskeras inte (mask) / kind not masked", s.kind.as_str()),
            false,
        ));
    }
    kept
}

/// Every row of the table: the masked ranges, then the kept detections that lie outside
/// them (each place once), sorted by position and numbered. The masked ones (which never
/// overlap) are highlighted, and the kept ones that overlap no highlight.
fn rows(d: &DocReview, text: &str) -> Vec<Row> {
    let lines = Lines::new(text);
    let mut rows: Vec<Row> =
        d.redacted.maskings().iter().map(|m| masked_row(m, text, &lines)).collect();
    let masked_ranges: Vec<(usize, usize)> = rows.iter().map(|r| (r.start, r.end)).collect();
    let inside_masked = |s: &Span| masked_ranges.iter().any(|&(a, b)| a <= s.start && s.end <= b);
    for (s, reason, decided) in kept_detections(d, text) {
        let listed =
            rows.iter().any(|r| r.status == "kept" && r.start == s.start && r.end == s.end);
        if !inside_masked(s) && !listed {
            rows.push(kept_row(s, reason, decided, text, &lines));
        }
    }
    rows.sort_by_key(|r| (r.start, r.end, r.status));
    let mut highlighted: Vec<(usize, usize)> = Vec::new();
    for r in rows.iter_mut() {
        let free = !highlighted.iter().any(|&(a, b)| r.start < b && a < r.end);
        let in_text = r.start < r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end);
        if (r.status == "masked" || free) && in_text {
            r.marked = true;
            highlighted.push((r.start, r.end));
        }
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.n = i + 1;
    }
    rows
}

/// The text as segments in document order, each highlighted row its own segment.
fn segments<'a>(text: &'a str, rows: &'a [Row], fixes: &'a [Fix]) -> Vec<Segment<'a>> {
    let mut segments = Vec::new();
    let mut pos = 0;
    for r in rows.iter().filter(|r| r.marked) {
        if r.start < pos {
            continue;
        }
        if pos < r.start {
            segments.push(Segment { m: None, parts: parts(text, pos, r.start, fixes) });
        }
        segments.push(Segment { m: Some(r), parts: parts(text, r.start, r.end, fixes) });
        pos = r.end;
    }
    if pos < text.len() {
        segments.push(Segment { m: None, parts: parts(text, pos, text.len(), fixes) });
    }
    segments
}

/// Render the review page of one document.
pub fn render_review(d: &DocReview, templates: &Templates) -> Result<String, RenderError> {
    let text = d.normalized.text();
    let rows = rows(d, text);
    // The table: doubtful first, then in document order.
    let mut table: Vec<&Row> = rows.iter().collect();
    table.sort_by_key(|r| (r.doubt.is_none(), r.start, r.end));
    let decisions = decision_views(d, text);
    let count = |status: &str| rows.iter().filter(|r| r.status == status).count();
    let mut ctx = tera::Context::new();
    ctx.insert("id", d.id);
    ctx.insert("published", &d.failure.is_none());
    ctx.insert("failure", &d.failure);
    let fixes = fixes(d.normalized, &Lines::new(text));
    let repaired = fixes.iter().filter(|f| f.kind == "repair").count();
    ctx.insert("segments", &segments(text, &rows, &fixes));
    ctx.insert("rows", &table);
    ctx.insert("has_decisions", &!decisions.is_empty());
    ctx.insert("decisions", &decisions);
    ctx.insert("total", &rows.len());
    ctx.insert("masked", &count("masked"));
    ctx.insert("kept", &count("kept"));
    ctx.insert("low", &rows.iter().filter(|r| r.doubt.is_some()).count());
    ctx.insert("threshold", &format!("{LOW_CONFIDENCE:.2}"));
    ctx.insert("linked", &d.linked);
    let copy_pages: Vec<String> = d
        .copy_pages
        .iter()
        .map(|png| {
            use base64::Engine;
            format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(png)
            )
        })
        .collect();
    ctx.insert("copy_pages", &copy_pages);
    ctx.insert("kinds", &Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    ctx.insert("fixes", &fixes);
    ctx.insert("repaired", &repaired);
    ctx.insert("reocr_changed", &(fixes.len() - repaired));
    ctx.insert("ocr_pages", d.normalized.ocr_pages());
    ctx.insert("reocr_pages", &d.normalized.reocr().pages);
    ctx.insert("ocr_notes", &d.normalized.reocr().notes);
    templates.render("review.html", &ctx)
}

/// Every decision in force and how many detections it changed in this document.
fn decision_views(d: &DocReview, text: &str) -> Vec<DecisionView> {
    let mut out = Vec::new();
    for (t, src) in &d.decisions.allow {
        // Several rules may find the same value: count places, not rules.
        let n = d
            .allowed
            .iter()
            .filter(|s| fold(&text[s.start..s.end]) == fold(t))
            .map(|s| (s.start, s.end))
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        out.push(DecisionView { list: "allow", source: *src, term: t.clone(), applied: n });
    }
    let deny_hits: Vec<String> = d
        .redacted
        .maskings()
        .iter()
        .filter(|m| m.rule == "deny-list")
        .map(|m| m.source)
        .chain(d.findings.spans.iter().filter(|s| s.rule == "deny-list").map(|s| (s.start, s.end)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter_map(|(s, e)| text.get(s..e).map(fold))
        .collect();
    for (t, src) in &d.decisions.deny {
        let n = deny_hits.iter().filter(|h| **h == fold(t)).count();
        out.push(DecisionView { list: "deny", source: *src, term: t.clone(), applied: n });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Detectors;

    fn norm(text: &str) -> Normalized {
        Normalized::plain(text)
    }

    fn page(
        text: &str,
        cfg: &Config,
        batch: &crate::decide::Decisions,
        failure: Option<&str>,
    ) -> String {
        let mut full = cfg.clone();
        batch.apply_to(&mut full);
        let det = Detectors::build(&full.detect_settings()).unwrap();
        let n = norm(text);
        let (f, allowed) = det.detect_for_review(&n);
        let policy = full.mask_policy();
        let (r, _) = crate::redact::redact_settled(&n, &f, &det, &policy, None);
        let decisions = DecisionsInForce::new(cfg, batch);
        let d = DocReview {
            id: "abc",
            normalized: &n,
            findings: &f,
            allowed: &allowed,
            redacted: &r,
            policy: &policy,
            decisions: &decisions,
            failure,
            linked: false,
            copy_pages: &[],
        };
        render_review(&d, &load_templates(None).unwrap()).unwrap()
    }

    /// The `data-` attributes of each mark, in page order.
    fn marks(html: &str) -> Vec<(String, String, String)> {
        html.split("<mark ")
            .skip(1)
            .map(|m| {
                let attr = |name: &str| {
                    let k = format!("{name}=\"");
                    m.split_once(&k)
                        .map(|(_, r)| r.split('"').next().unwrap().to_string())
                        .unwrap_or_default()
                };
                (attr("data-kind"), attr("data-status"), attr("data-placeholder"))
            })
            .collect()
    }

    #[test]
    fn detections_are_highlighted_and_doubtful_ones_listed_first() {
        let text = "Rapport\n\nKontakt: vera.lindqvist@example.se. Efter lunch kom Sten till mötet.\nRing 070-123 45 67.\n";
        let html = page(text, &Config::default(), &Default::default(), None);
        let m = marks(&html);
        assert!(m.contains(&("EMAIL".into(), "masked".into(), "[E-POST]".into())), "{m:?}");
        assert!(
            m.iter().any(|(k, s, p)| k == "NAME" && s == "masked" && p.starts_with("[PERSON")),
            "{m:?}"
        );
        assert!(m.iter().any(|(k, _, _)| k == "PHONE"));
        // The lone ambiguous name is flagged and is the first row of the table.
        let table = html.split("<tbody>").nth(1).unwrap();
        let first_row = table.split("</tr>").next().unwrap();
        assert!(
            first_row.contains("data-low=\"true\"") && first_row.contains("Sten"),
            "{first_row}"
        );
        assert!(html.contains("Innehåller personuppgifter") && html.contains("noindex"));
        assert!(html.contains("Content-Security-Policy") && !html.contains("<script"));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert_eq!(
            html,
            page(text, &Config::default(), &Default::default(), None),
            "deterministic"
        );
    }

    #[test]
    fn kept_detections_show_why_and_decisions_show_what_they_did() {
        let text = "Efter lunch kom Sten till mötet på Solgläntan. Mejla a.b@example.se.\n";
        let cfg = Config {
            mask: Kind::ALL.iter().copied().filter(|k| *k != Kind::Email).collect(),
            ..Config::default()
        };
        let batch = crate::decide::Decisions {
            allow: vec!["sten".into()],
            deny: vec!["Solgläntan".into()],
        };
        let html = page(text, &cfg, &batch, None);
        let m = marks(&html);
        assert!(m.contains(&("NAME".into(), "kept".into(), "".into())), "{m:?}");
        assert!(m.contains(&("EMAIL".into(), "kept".into(), "".into())), "{m:?}");
        assert!(m.contains(&("OTHER".into(), "masked".into(), "[MASKERAT]".into())), "{m:?}");
        assert!(
            html.contains("data-list=\"allow\" data-source=\"batch\" data-applied=\"1\""),
            "{html}"
        );
        assert!(
            html.contains("data-list=\"deny\" data-source=\"batch\" data-applied=\"1\""),
            "{html}"
        );
    }

    #[test]
    fn everything_is_escaped_and_a_failure_is_stated() {
        let text = "<script>alert(1)</script> & \"Sten\" kom <b>\n";
        let html = page(text, &Config::default(), &Default::default(), Some("verification: <x>"));
        assert!(
            !html.contains("<script>") && !html.contains("<b>") && html.contains("&lt;script&gt;")
        );
        assert!(
            html.contains("verification: &lt;x&gt;") && html.contains("data-published=\"false\"")
        );
    }

    #[test]
    fn repaired_and_reocrd_words_are_shown_before_and_after() {
        use crate::document::{Extracted, Format, Page, PageSource};
        let damaged = "Handelsen ar utredd och det ar klart att personalen inte foljde rutinen for \
            hantering av lakemedel pa boendet. Atgarder har vidtagits.";
        let mut fresh = Page::new(2, "Beslut om åtgärder på boendet.", PageSource::Ocr);
        fresh.layer = Some("Beslut om atgarder pa boendet.".into());
        let n = crate::normalize::normalize(&Extracted {
            format: Format::Pdf,
            pages: vec![Page::new(1, damaged, PageSource::TextLayer), fresh],
        });
        let cfg = Config::default();
        let det = Detectors::build(&cfg.detect_settings()).unwrap();
        let (f, allowed) = det.detect_for_review(&n);
        let policy = cfg.mask_policy();
        let (r, _) = crate::redact::redact_settled(&n, &f, &det, &policy, None);
        let decisions = DecisionsInForce::default();
        let d = DocReview {
            id: "abc",
            normalized: &n,
            findings: &f,
            allowed: &allowed,
            redacted: &r,
            policy: &policy,
            decisions: &decisions,
            failure: None,
            linked: false,
            copy_pages: &[],
        };
        let html = render_review(&d, &load_templates(None).unwrap()).unwrap();
        let text = &html[html.find("<div class=\"text\"").unwrap()..];
        assert!(text.contains("<span class=\"fix repair\" data-before=\"lakemedel\""), "{text}");
        assert!(text.contains(">läkemedel</span>"), "{text}");
        assert!(text.contains("<span class=\"fix reocr\" data-before=\"atgarder\""), "{text}");
        assert!(html.contains("id=\"reocr-pages\" data-pages=\"2\""), "{html}");
        assert!(html.contains("<td>atgarder</td><td>åtgärder</td>"), "{html}");
        // The before-words are attributes, not text: the text block reads as the text.
        let plain = text.split("</div>").next().unwrap();
        assert!(!plain.contains(">lakemedel<") && !plain.contains(">atgarder<"));
    }

    #[test]
    fn doubt_rules() {
        assert!(doubt(Kind::Name, "name-given", 0.7).is_some());
        assert!(doubt(Kind::Name, "name-list", 0.85).is_none());
        assert!(doubt(Kind::Personnummer, "personnummer", 0.8).is_some());
        assert!(doubt(Kind::Personnummer, "personnummer", 0.95).is_none());
        assert!(doubt(Kind::Phone, "phone", 0.5).is_some());
    }
}
