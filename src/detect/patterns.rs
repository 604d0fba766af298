//! Pattern files: the regular expressions of the structured detectors, kept as data in
//! `patterns/*.toml` and compiled into the binary.
//!
//! A file looks like this:
//!
//! ```toml
//! # Variables: `{NAME}` in a regex is replaced by the value (uppercase names only, so
//! # repetitions like `{2}` or `{1,4}` are left alone).
//! [vars]
//! D = "[0-9]"
//!
//! [[pattern]]
//! name = "pnr-10"             # rule name in the audit
//! kind = "PERSONNUMMER"       # kind of what it finds
//! regex = '''(?:^|\D)(?P<v>{D}{6}-{D}{4})'''  # the value is group `v` (or the whole match)
//! confidence = 0.9
//! anchors = []                # optional: run near these strings (ASCII case-insensitive)
//!                             # instead of near digits; without anchors the pattern runs
//!                             # only near digits
//! min_digits = 6              # only near a run of at least this many digits (default 1)
//! context_before = 24         # bytes before such a run the pattern must see (default 48)
//! context_after = 8           # bytes after it (default 40)
//!                             # (a file's digit-bound patterns share one set of windows:
//!                             # the smallest min_digits and the widest context of them)
//! examples = ["pnr 850101-2382 ok"]          # the detector must find this kind in each
//! counter_examples = ["tel 08-123 45 67"]    # and must not find it in any of these
//! ```
//!
//! The detector that owns a file decides what a candidate is worth (check digits, dates,
//! lists); the file only says where to look.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::Deserialize;

use super::DetectError;
use crate::document::Kind;

/// Every pattern file compiled into the binary, by file name.
pub const FILES: [(&str, &str); 5] = [
    ("personnummer.toml", include_str!("../../patterns/personnummer.toml")),
    ("phone.toml", include_str!("../../patterns/phone.toml")),
    ("email.toml", include_str!("../../patterns/email.toml")),
    ("address.toml", include_str!("../../patterns/address.toml")),
    ("regnr.toml", include_str!("../../patterns/regnr.toml")),
];

/// The text of a compiled-in pattern file.
pub fn file(name: &str) -> &'static str {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).expect("pattern file is compiled in")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    vars: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    words: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pattern: Vec<PatternSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternSpec {
    pub name: String,
    pub kind: Kind,
    pub regex: String,
    pub confidence: f32,
    #[serde(default)]
    pub anchors: Vec<String>,
    /// Digits the longest run of digits near a candidate must have (see [`Scan`]).
    #[serde(default = "one")]
    pub min_digits: u32,
    /// Bytes of text before and after such a run the pattern needs to see.
    #[serde(default = "before")]
    pub context_before: usize,
    #[serde(default = "after")]
    pub context_after: usize,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub counter_examples: Vec<String>,
}

fn one() -> u32 {
    1
}

fn before() -> usize {
    48
}

fn after() -> usize {
    40
}

/// One compiled pattern.
pub struct Pattern {
    pub name: &'static str,
    pub kind: Kind,
    pub confidence: f32,
    regex: Regex,
    anchors: Option<AhoCorasick>,
    value_group: bool,
}

/// The compiled patterns of one file, plus its word lists.
pub struct PatternSet {
    pub patterns: Vec<Pattern>,
    /// All digit-bound patterns in one regex, to skip a window none of them can match.
    gate: Option<Regex>,
    /// The loosest digit count and the widest context of the digit-bound patterns.
    window: (u32, usize, usize),
    pub specs: Vec<PatternSpec>,
    words: std::collections::BTreeMap<String, Vec<String>>,
    vars: std::collections::BTreeMap<String, String>,
}

/// Replace `{NAME}` by the variable's value; names are uppercase ASCII.
fn expand(
    regex: &str,
    vars: &std::collections::BTreeMap<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(regex.len() * 2);
    let mut rest = regex;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let name_len = after.bytes().take_while(|b| b.is_ascii_uppercase() || *b == b'_').count();
        let property = out.ends_with("\\p") || out.ends_with("\\P");
        if name_len > 0 && after[name_len..].starts_with('}') && !property {
            let name = &after[..name_len];
            let value = vars.get(name).ok_or_else(|| format!("unknown variable {{{name}}}"))?;
            out.push_str(value);
            rest = &after[name_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

impl PatternSet {
    /// Parse and compile a pattern file; `file` names it in error messages.
    pub fn parse(file: &str, text: &str) -> Result<PatternSet, DetectError> {
        let spec: FileSpec = toml::from_str(text)
            .map_err(|e| DetectError::Build(format!("pattern file {file}: {e}")))?;
        // Variables may use earlier variables (in name order is not enough: expand until stable).
        let mut vars = spec.vars.clone();
        for _ in 0..4 {
            let snapshot = vars.clone();
            for v in vars.values_mut() {
                *v = expand(v, &snapshot)
                    .map_err(|e| DetectError::Build(format!("pattern file {file}: {e}")))?;
            }
        }
        let mut patterns = Vec::with_capacity(spec.pattern.len());
        for p in &spec.pattern {
            let source = expand(&p.regex, &vars).map_err(|e| {
                DetectError::Build(format!("pattern file {file}, pattern {}: {e}", p.name))
            })?;
            let regex = Regex::new(&source).map_err(|e| {
                DetectError::Build(format!("pattern file {file}, pattern {}: {e}", p.name))
            })?;
            let value_group = regex.capture_names().any(|n| n == Some("v"));
            let anchors = if p.anchors.is_empty() {
                None
            } else {
                Some(
                    AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::LeftmostFirst)
                        .build(&p.anchors)
                        .map_err(|e| {
                            DetectError::Build(format!(
                                "pattern file {file}, pattern {}: {e}",
                                p.name
                            ))
                        })?,
                )
            };
            patterns.push(Pattern {
                name: String::leak(p.name.clone()),
                kind: p.kind,
                confidence: p.confidence,
                regex,
                anchors,
                value_group,
            });
        }
        let digit_bound: Vec<&PatternSpec> =
            spec.pattern.iter().filter(|p| p.anchors.is_empty()).collect();
        let gate = if digit_bound.is_empty() {
            None
        } else {
            let mut alternatives = Vec::new();
            for p in &digit_bound {
                let source = expand(&p.regex, &vars)
                    .map_err(|e| DetectError::Build(format!("pattern file {file}: {e}")))?;
                alternatives.push(format!("(?:{})", source.replace("(?P<v>", "(?:")));
            }
            Some(Regex::new(&alternatives.join("|")).map_err(|e| {
                DetectError::Build(format!("pattern file {file}, combined patterns: {e}"))
            })?)
        };
        let window = (
            digit_bound.iter().map(|p| p.min_digits).min().unwrap_or(1),
            digit_bound.iter().map(|p| p.context_before).max().unwrap_or(0),
            digit_bound.iter().map(|p| p.context_after).max().unwrap_or(0),
        );
        Ok(PatternSet { patterns, gate, window, specs: spec.pattern, words: spec.words, vars })
    }

    /// Parse a compiled-in file (its content was checked by the tests).
    pub fn builtin(name: &str) -> Result<PatternSet, DetectError> {
        PatternSet::parse(name, file(name))
    }

    /// A variable of the file, expanded (for regexes a detector builds around a word list).
    pub fn var(&self, name: &str) -> Result<&str, DetectError> {
        self.vars
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| DetectError::Build(format!("pattern variable {name} is missing")))
    }

    /// A word list of the file (`[words]` table), empty if absent.
    pub fn words(&self, name: &str) -> &[String] {
        self.words.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Run every pattern over the parts of `text` it applies to. `accept` gets each candidate
    /// (pattern, start, end of the value) and says whether it was taken; a refused candidate
    /// lets the search go on one character later, so a bad first guess cannot hide a good one.
    pub fn scan(
        &self,
        text: &str,
        scan: &Scan,
        accept: impl FnMut(&Pattern, usize, usize) -> bool,
    ) {
        self.scan_where(text, scan, |_| true, accept);
    }

    /// The same, with the digit-bound patterns only near the runs `keep` picks (a detector's
    /// own prefilter).
    pub fn scan_where(
        &self,
        text: &str,
        scan: &Scan,
        keep: impl Fn(&Run) -> bool,
        mut accept: impl FnMut(&Pattern, usize, usize) -> bool,
    ) {
        if let Some(gate) = &self.gate {
            let (min_digits, before, after) = self.window;
            for (s, e) in
                scan.windows_where(text, before, after, |r| r.digits >= min_digits && keep(r))
            {
                if !gate.is_match(&text[s..e]) {
                    continue;
                }
                for p in self.patterns.iter().filter(|p| p.anchors.is_none()) {
                    p.run(text, s, e, &mut accept);
                }
            }
        }
        for p in &self.patterns {
            let Some(a) = &p.anchors else { continue };
            // Windows around each anchor.
            let mut windows: Vec<(usize, usize)> = Vec::new();
            for m in a.find_iter(text) {
                let s = back_to_space(text, m.start().saturating_sub(ANCHOR_MARGIN));
                let e = forward_to_space(text, (m.end() + ANCHOR_MARGIN).min(text.len()));
                match windows.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => windows.push((s, e)),
                }
            }
            for (s, e) in windows {
                p.run(text, s, e, &mut accept);
            }
        }
    }
}

impl Pattern {
    /// Run the pattern over `text[start..end]`, giving each candidate to `accept`.
    pub fn run(
        &self,
        text: &str,
        start: usize,
        end: usize,
        accept: &mut impl FnMut(&Pattern, usize, usize) -> bool,
    ) {
        let hay = &text[start..end];
        let mut pos = 0;
        while pos <= hay.len() {
            let (ms, me, vs, ve) = if self.value_group {
                let Some(c) = self.regex.captures_at(hay, pos) else {
                    break;
                };
                let m = c.get(0).expect("group 0");
                let v = c.name("v").unwrap_or(m);
                (m.start(), m.end(), v.start(), v.end())
            } else {
                let Some(m) = self.regex.find_at(hay, pos) else {
                    break;
                };
                (m.start(), m.end(), m.start(), m.end())
            };
            // The right edge may be part of the value group: trim it off.
            let mut ve = ve;
            while let Some(c) = hay[vs..ve].chars().next_back() {
                if c.is_whitespace() || (c.is_ascii_punctuation() && !matches!(c, '|' | '*')) {
                    ve -= c.len_utf8();
                } else {
                    break;
                }
            }
            if vs < ve && accept(self, start + vs, start + ve) {
                pos = ve.max(ms + 1);
            } else {
                pos = ms + 1;
            }
            let _ = me;
            while pos < hay.len() && !hay.is_char_boundary(pos) {
                pos += 1;
            }
        }
    }

    /// Whether the bare regex matches somewhere in `text` (for the pattern-file tests).
    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// What every structured detector needs to know about a text, computed once per text: the
/// runs of digits. Numeric patterns run only in windows around runs with enough digits
/// (`min_digits`), as wide as the patterns need (`context_before`, `context_after`).
pub struct Scan {
    pub runs: Vec<Run>,
}

/// Digits with at most [`GAP`] other bytes between them (`070-123 45 67`, `85O10l-2382`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    pub digits: u32,
}

/// Bytes of context around an anchor (an e-mail address around its `@`).
const ANCHOR_MARGIN: usize = 96;
/// Windows less than this many bytes apart are merged.
const MERGE: usize = 64;
/// Digits at most this many bytes apart belong to one run.
const GAP: usize = 4;

impl Scan {
    pub fn new(text: &str) -> Scan {
        let b = text.as_bytes();
        let mut runs: Vec<Run> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            let mut digits = 0;
            let mut last = i;
            while i < b.len() && i <= last + GAP {
                if b[i].is_ascii_digit() {
                    digits += 1;
                    last = i;
                } else if b[i] == b'\n' && b.get(i + 1) == Some(&b'\n') {
                    break;
                }
                i += 1;
            }
            i = last + 1;
            runs.push(Run { start, end: i, digits });
        }
        Scan { runs }
    }

    /// The merged windows around runs of at least `min_digits` digits, starting after a
    /// space and ending before one so patterns see true word edges.
    pub fn windows(
        &self,
        text: &str,
        min_digits: u32,
        before: usize,
        after: usize,
    ) -> Vec<(usize, usize)> {
        self.windows_where(text, before, after, |r| r.digits >= min_digits)
    }

    /// The same around the runs `keep` picks.
    pub fn windows_where(
        &self,
        text: &str,
        before: usize,
        after: usize,
        keep: impl Fn(&Run) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for r in self.runs.iter().filter(|r| keep(r)) {
            let s = r.start.saturating_sub(before);
            if let Some(last) = windows.last_mut() {
                // Windows close together are searched as one (each search has a fixed cost).
                if s <= last.1 + MERGE {
                    last.1 = last.1.max(forward_to_space(text, (r.end + after).min(text.len())));
                    continue;
                }
            }
            windows.push((
                back_to_space(text, s),
                forward_to_space(text, (r.end + after).min(text.len())),
            ));
        }
        windows
    }
}

/// Move back to just after an ASCII whitespace (or the start), so patterns see a true left edge.
fn back_to_space(text: &str, mut at: usize) -> usize {
    let b = text.as_bytes();
    let limit = at.saturating_sub(64);
    while at > limit && !b[at - 1].is_ascii_whitespace() {
        at -= 1;
    }
    if at > 0 && !b[at - 1].is_ascii_whitespace() {
        // No space nearby: fall back to a character boundary.
        while !text.is_char_boundary(at) {
            at -= 1;
        }
    }
    at
}

fn forward_to_space(text: &str, mut at: usize) -> usize {
    let b = text.as_bytes();
    let limit = (at + 64).min(b.len());
    while at < limit && !b[at].is_ascii_whitespace() {
        at += 1;
    }
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_expand_but_repetitions_stay() {
        let mut vars = std::collections::BTreeMap::new();
        vars.insert("D".to_string(), "[0-9]".to_string());
        assert_eq!(expand("{D}{2}-{D}{1,3}", &vars).unwrap(), "[0-9]{2}-[0-9]{1,3}");
        assert!(expand("{X}", &vars).is_err());
        assert_eq!(expand(r"[^\p{L}]", &vars).unwrap(), r"[^\p{L}]");
    }

    #[test]
    fn windows_cover_digits_and_start_after_spaces() {
        let text = format!("{} ring 08-123 45 67 nu {}", "ord ".repeat(100), "ord ".repeat(100));
        let s = Scan::new(&text);
        assert_eq!(s.runs.len(), 1);
        assert_eq!(s.runs[0].digits, 9);
        let w = s.windows(&text, 6, 48, 40);
        assert_eq!(w.len(), 1);
        let (a, b) = w[0];
        assert!(text[a..b].contains("08-123 45 67"));
        assert!(a == 0 || text.as_bytes()[a - 1] == b' ');
        assert!(b - a < 200);
        assert!(s.windows(&text, 10, 48, 40).is_empty());
        assert!(Scan::new("inga siffror här").runs.is_empty());
    }
}
