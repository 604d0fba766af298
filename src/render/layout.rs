//! The reading structure of a redacted text, shared by every renderer.
//!
//! The redacted text is plain: blocks separated by blank lines, placeholders in square
//! brackets. Markdown, HTML and PDF all need the same view of it — which block is the
//! title, which are headings, list items or paragraphs, and which parts of a line are
//! placeholders — so it is derived once, here, from the text alone. Nothing in this
//! module can add or recover a masked value: it only ever sees the redacted text.

use std::sync::LazyLock;

use regex::Regex;

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
    pub text: String,
    pub masked: bool,
}

/// One block of the document: a kind and its logical lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub lines: Vec<Vec<Segment>>,
}

impl Block {
    /// The plain text of the block, lines joined by `\n`.
    pub fn plain(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[[^\]\n]{1,40}\]").expect("placeholder regex"));
static LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[-*•]\s|\d{1,2}[.)]\s|[a-z][.)]\s)").expect("list regex"));

/// Split a line into ordinary text and placeholders.
pub fn segments(line: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut pos = 0;
    for m in PLACEHOLDER.find_iter(line) {
        if m.start() > pos {
            out.push(Segment { text: line[pos..m.start()].to_string(), masked: false });
        }
        out.push(Segment { text: m.as_str().to_string(), masked: true });
        pos = m.end();
    }
    if pos < line.len() {
        out.push(Segment { text: line[pos..].to_string(), masked: false });
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

/// Derive the blocks of a redacted text. Every character of `text` except the whitespace
/// between blocks ends up in exactly one segment, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, raw) in text.split("\n\n").enumerate() {
        let lines: Vec<&str> = raw.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        let kind = if lines.len() == 1 && looks_like_heading(lines[0]) {
            if i == 0 && out.is_empty() { BlockKind::Title } else { BlockKind::Heading }
        } else if lines.iter().all(|l| LIST_ITEM.is_match(l.trim_start())) {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        };
        out.push(Block { kind, lines: lines.iter().map(|l| segments(l.trim_end())).collect() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_masked_segments() {
        let s = segments("Kontakta [PERSON 1] på [E-POST].");
        assert_eq!(s.len(), 5);
        assert!(s[1].masked && s[3].masked);
        assert_eq!(s[1].text, "[PERSON 1]");
        assert!(!s[4].masked);
    }

    #[test]
    fn first_short_line_is_title_then_headings_and_paragraphs() {
        let b = blocks("Rapport om händelse\n\nBeskrivning\n\nDet hände något. Sedan mer.\n\n- ett\n- två");
        let kinds: Vec<_> = b.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [BlockKind::Title, BlockKind::Heading, BlockKind::Paragraph, BlockKind::ListItem]
        );
        assert_eq!(b[3].lines.len(), 2);
    }

    #[test]
    fn sentence_is_not_heading() {
        let b = blocks("Titel\n\nDetta är en mening.");
        assert_eq!(b[1].kind, BlockKind::Paragraph);
    }
}
