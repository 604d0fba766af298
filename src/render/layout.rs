//! The reading structure of a redacted text, shared by every renderer.
//!
//! The redacted text is plain: blocks separated by blank lines, placeholders in square
//! brackets. Markdown, HTML and PDF all need the same view of it — which block is the
//! title, which are headings, list items or paragraphs, and which parts of a line are
//! placeholders — so it is derived once, here, as a [`Layout`]. A layout is made from a
//! [`Redacted`] only (or, for the summary, from text read back from published files), so
//! nothing here can add or recover a masked value.
//!
//! Placeholders are the typed spans redaction made, never re-found by a pattern: a source's
//! own brackets (`[X]`, `[sic]`, `[klicka här]`) are ordinary text. A source's own text
//! that *reads* like a placeholder (`[PERSON 1]`, `[MASKERAT]`, any bracketed capitals) is
//! escaped as `\[PERSON 1\]` in every published format, so a reader can tell it from a
//! mask.

use std::sync::LazyLock;

use regex::Regex;

use crate::redact::Redacted;

/// What a block is, for typography.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// The first block of the document, when it is a single short line.
    Title,
    /// A single short line without closing punctuation.
    Heading,
    /// A bullet or numbered list item (`- `, `1. `).
    ListItem,
    /// Running text; each entry in `lines` is one logical line (kept line breaks).
    Paragraph,
}

/// A run of text within a line: either ordinary text or a placeholder such as `[PERSON 1]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Segment {
    pub(super) text: String,
    pub(super) masked: bool,
}

impl Segment {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether this is a placeholder.
    pub fn masked(&self) -> bool {
        self.masked
    }
}

/// One block of the document: a kind and its logical lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    pub(super) kind: BlockKind,
    pub(super) lines: Vec<Vec<Segment>>,
}

impl Block {
    pub fn kind(&self) -> BlockKind {
        self.kind
    }

    pub fn lines(&self) -> &[Vec<Segment>] {
        &self.lines
    }

    /// The plain text of the block, lines joined by `\n`.
    pub fn plain(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The published reading of a redacted text: the text as published (a source's
/// placeholder-like brackets escaped) and its blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    text: String,
    blocks: Vec<Block>,
}

impl Layout {
    /// The layout of a redacted document.
    pub fn of(redacted: &Redacted) -> Layout {
        let (text, placeholders) = escape_source_placeholders(redacted);
        Layout { blocks: blocks(&text, &placeholders), text }
    }

    /// The layout of text read back from published files (the summary's digests): there
    /// the placeholders are the bracketed runs that are not escaped.
    pub(crate) fn of_published_text(text: &str) -> Layout {
        let placeholders: Vec<(usize, usize)> = PUBLISHED_PLACEHOLDER
            .find_iter(text)
            .filter(|m| !text[..m.start()].ends_with('\\'))
            .map(|m| (m.start(), m.end()))
            .collect();
        Layout { blocks: blocks(text, &placeholders), text: text.to_string() }
    }

    /// The published text (the `.txt` file).
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }
}

static PUBLISHED_PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[[^\]\n]{1,40}\]").expect("placeholder regex"));
static BRACKETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\[\]\n]{1,40})\]").expect("bracket regex"));
static LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[-*•]\s|\d{1,2}[.)]\s|[a-z][.)]\s)").expect("list regex"));

/// Whether the inside of a source's brackets reads like a placeholder: one of the policy's
/// placeholder words (alone or with a label), or capitals only (`REDACTED`, `NAMN 2`).
fn reads_like_placeholder(inner: &str, words: &[String]) -> bool {
    let word_match = words
        .iter()
        .any(|w| inner == w || inner.strip_prefix(w.as_str()).is_some_and(|r| r.starts_with(' ')));
    let capitals = inner.chars().filter(|c| c.is_uppercase()).count() >= 2
        && inner.chars().next().is_some_and(char::is_uppercase)
        && inner
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | '-' | '_'));
    word_match || capitals
}

/// The redacted text with the source's placeholder-like brackets escaped, and the byte
/// ranges of the real placeholders in it.
fn escape_source_placeholders(r: &Redacted) -> (String, Vec<(usize, usize)>) {
    let text = r.text();
    let mut out = String::with_capacity(text.len());
    let mut ranges = Vec::with_capacity(r.placeholders().len());
    let mut pos = 0;
    let escape_gap = |gap: &str, out: &mut String| {
        let mut at = 0;
        for c in BRACKETED.captures_iter(gap) {
            let (m, inner) = (c.get(0).expect("match"), &c[1]);
            if reads_like_placeholder(inner, r.placeholder_words()) {
                out.push_str(&gap[at..m.start()]);
                out.push_str("\\[");
                out.push_str(inner);
                out.push_str("\\]");
                at = m.end();
            }
        }
        out.push_str(&gap[at..]);
    };
    for p in r.placeholders() {
        escape_gap(&text[pos..p.start], &mut out);
        let start = out.len();
        out.push_str(&text[p.start..p.end]);
        ranges.push((start, out.len()));
        pos = p.end;
    }
    escape_gap(&text[pos..], &mut out);
    (out, ranges)
}

/// Split one line (at byte offset `at` of the text) into ordinary text and placeholders.
fn segments(line: &str, at: usize, placeholders: &[(usize, usize)]) -> Vec<Segment> {
    let mut out = Vec::new();
    let end = at + line.len();
    let first = placeholders.partition_point(|&(_, e)| e <= at);
    let mut pos = at;
    for &(ps, pe) in placeholders[first..].iter().take_while(|&&(ps, _)| ps < end) {
        if ps > pos {
            out.push(Segment { text: line[pos - at..ps - at].to_string(), masked: false });
        }
        out.push(Segment { text: line[ps - at..pe.min(end) - at].to_string(), masked: true });
        pos = pe.min(end);
    }
    if pos < end {
        out.push(Segment { text: line[pos - at..].to_string(), masked: false });
    }
    out
}

fn looks_like_heading(line: &str) -> bool {
    let t = line.trim();
    let words = t.split_whitespace().count();
    !t.is_empty()
        && t.chars().count() <= 80
        && words <= 10
        && !t.ends_with(['.', ',', ';'])
        && t.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && !LIST_ITEM.is_match(t)
}

/// Derive the blocks of a text whose placeholders are at `placeholders` (sorted byte
/// ranges). Every character except the whitespace between blocks and at line ends ends up
/// in exactly one segment, in order.
fn blocks(text: &str, placeholders: &[(usize, usize)]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut block_at = 0;
    for (i, raw) in text.split("\n\n").enumerate() {
        let mut lines: Vec<(&str, usize)> = Vec::new();
        let mut line_at = block_at;
        for line in raw.split('\n') {
            let trimmed = line.strip_suffix('\r').unwrap_or(line);
            if !trimmed.trim().is_empty() {
                lines.push((trimmed.trim_end(), line_at));
            }
            line_at += line.len() + 1;
        }
        block_at += raw.len() + 2;
        if lines.is_empty() {
            continue;
        }
        let kind = if lines.len() == 1 && looks_like_heading(lines[0].0) {
            if i == 0 && out.is_empty() { BlockKind::Title } else { BlockKind::Heading }
        } else if lines.iter().all(|(l, _)| LIST_ITEM.is_match(l.trim_start())) {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        };
        out.push(Block {
            kind,
            lines: lines.iter().map(|(l, at)| segments(l, *at, placeholders)).collect(),
        });
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::MaskPolicy;
    use crate::document::{Findings, Kind, Normalized, Span};

    /// A redacted text from `text` with the listed substrings masked as names.
    pub(crate) fn redacted(text: &str, names: &[&str]) -> Redacted {
        let spans = names
            .iter()
            .map(|n| {
                let start = text.find(n).expect("name in text");
                let entity = Some(n.to_lowercase());
                Span {
                    start,
                    end: start + n.len(),
                    kind: Kind::Name,
                    rule: "test",
                    confidence: 1.0,
                    entity,
                }
            })
            .collect();
        let n = Normalized::plain(text);
        crate::redact::redact(&n, &Findings { spans }, &MaskPolicy::default(), None).0
    }

    /// The layout of a text with the listed names masked.
    pub(crate) fn layout(text: &str, names: &[&str]) -> Layout {
        Layout::of(&redacted(text, names))
    }

    #[test]
    fn placeholders_become_masked_segments() {
        let l = layout("Kontakta Ada Ek på telefon i dag.", &["Ada Ek"]);
        let s = &l.blocks()[0].lines()[0];
        assert_eq!(s.len(), 3);
        assert!(s[1].masked() && !s[0].masked() && !s[2].masked());
        assert_eq!(s[1].text(), "[PERSON 1]");
    }

    #[test]
    fn source_brackets_are_text_and_placeholder_lookalikes_are_escaped() {
        let l = layout(
            "Närvaro [X] Ada Ek [ ] frånvarande [sic] och [PERSON 1] samt [MASKERAT].",
            &["Ada Ek"],
        );
        let line = &l.blocks()[0].lines()[0];
        let masked: Vec<&str> = line.iter().filter(|s| s.masked()).map(Segment::text).collect();
        assert_eq!(masked, ["[PERSON 1]"], "only the real placeholder is masked");
        assert_eq!(
            l.text(),
            "Närvaro [X] [PERSON 1] [ ] frånvarande [sic] och \\[PERSON 1\\] samt \\[MASKERAT\\].",
        );
    }

    #[test]
    fn published_text_is_read_back_with_unescaped_placeholders_only() {
        let l = Layout::of_published_text("Rubrik\n\nEn [PERSON 2] och \\[PERSON 1\\] här.");
        let masked: Vec<&str> = l
            .blocks()
            .iter()
            .flat_map(|b| b.lines().iter().flatten())
            .filter(|s| s.masked())
            .map(Segment::text)
            .collect();
        assert_eq!(masked, ["[PERSON 2]"]);
    }

    #[test]
    fn first_short_line_is_title_then_headings_and_paragraphs() {
        let l = Layout::of_published_text(
            "Rapport om händelse\n\nBeskrivning\n\nDet hände något. Sedan mer.\n\n- ett\n- två",
        );
        let kinds: Vec<_> = l.blocks().iter().map(|b| b.kind()).collect();
        assert_eq!(
            kinds,
            [BlockKind::Title, BlockKind::Heading, BlockKind::Paragraph, BlockKind::ListItem]
        );
        assert_eq!(l.blocks()[3].lines().len(), 2);
    }

    #[test]
    fn sentence_is_not_heading() {
        let l = Layout::of_published_text("Titel\n\nDetta är en mening.");
        assert_eq!(l.blocks()[1].kind(), BlockKind::Paragraph);
    }
}
