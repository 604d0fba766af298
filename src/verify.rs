//! Verification before publishing: read back what was rendered and make sure no masked
//! value and nothing a detector recognises survived in any of the files. Only a
//! [`Verified`] document can be published ([`crate::out`] writes nothing else).

use crate::detect::Detectors;
use crate::detect::names::readable;
use crate::document::Kind;
use crate::fold::text_key as fold;
use crate::redact::MaskedValues;
use crate::render::Rendered;

/// Why a rendered document may not be published. Never carries the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("verification: a masked value is still readable in the .{0} file")]
    MaskedValue(&'static str),
    #[error("verification: the detectors still find personal data ({kind}) in the .{ext} file")]
    Detected { ext: &'static str, kind: &'static str },
    #[error("verification: the published .{0} file could not be read back")]
    Unreadable(&'static str),
}

/// The masked values of a document, folded, found in one pass over a text.
struct Values {
    finder: Option<aho_corasick::AhoCorasick>,
}

impl Values {
    fn new(masked: &[String]) -> Values {
        let mut values: Vec<String> =
            masked.iter().map(|v| fold(v)).filter(|v| v.chars().count() >= 2).collect();
        values.sort_unstable();
        values.dedup();
        // A non-contiguous NFA builds in a fraction of a DFA's time, and it searches five
        // texts of a few kilobytes once each.
        let finder = (!values.is_empty()).then(|| {
            aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
                .build(&values)
                .expect("plain strings always build")
        });
        Values { finder }
    }

    /// Whether any value occurs in `folded` as a whole word (not inside a longer word).
    fn any_in(&self, folded: &str) -> bool {
        let Some(finder) = &self.finder else { return false };
        finder.find_overlapping_iter(folded).any(|m| is_whole_word(folded, m.start(), m.end()))
    }
}

fn is_whole_word(haystack: &str, start: usize, end: usize) -> bool {
    let before = haystack[..start].chars().next_back();
    let after = haystack[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Whether any of the masked values occurs, folded, as a whole word in `text` (the check
/// the published files get, for the masked copy's text layer and OCR read-back).
pub(crate) fn holds_masked_value(text: &str, masked: &[String]) -> bool {
    Values::new(masked).any_in(&fold(text))
}

/// The text a reader gets out of a PDF (text layer and information dictionary).
pub(crate) fn readable_pdf_text(pdf: &[u8]) -> Option<String> {
    pdf_text(pdf).ok()
}

#[cfg(test)]
fn contains_word(haystack: &str, needle: &str) -> bool {
    Values::new(&[needle.to_string()]).any_in(haystack)
}

/// Tags of the report page that end a paragraph.
const HTML_BLOCK_ENDS: [&str; 7] = ["/p", "/h1", "/h2", "/h3", "/ul", "/ol", "/div"];
/// Tags of the report page that stand inside or at the start of a paragraph and add no space.
const HTML_SILENT_TAGS: [&str; 19] = [
    "p", "h1", "h2", "h3", "ul", "ol", "span", "/span", "br", "li", "/li", "b", "/b", "i", "/i",
    "em", "/em", "strong", "/strong",
];

/// The readable text of an HTML page (tags removed, the few entities we emit decoded).
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(t), '>') => {
                // A block's end ends a paragraph, as a blank line does in the .txt file (the
                // template writes a line break after it); inline tags (a masked span) and
                // block starts add nothing, so the words read as they do in the .txt file.
                let name = t.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if HTML_BLOCK_ENDS.contains(&name.as_str()) {
                    out.push('\n');
                } else if !HTML_SILENT_TAGS.contains(&name.as_str()) {
                    out.push(' ');
                }
                tag = None;
            }
            (Some(t), c) => t.push(c),
            (None, c) => out.push(c),
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
}

/// The text a reader gets out of a published PDF: its text layer, re-extracted, and the
/// strings of its document information dictionary if it has one.
fn pdf_text(pdf: &[u8]) -> Result<String, VerifyError> {
    let read = std::panic::catch_unwind(|| -> Option<String> {
        let doc = lopdf::Document::load_mem(pdf).ok()?;
        let mut text = String::new();
        let mut dev = pdf_extract::PlainTextOutput::new(&mut text);
        pdf_extract::output_doc(&doc, &mut dev).ok()?;
        if let Ok(info) = doc
            .trailer
            .get(b"Info")
            .and_then(|o| o.as_reference())
            .and_then(|r| doc.get_dictionary(r))
        {
            for (_, v) in info.iter() {
                if let Ok(s) = v.as_str() {
                    text.push('\n');
                    text.push_str(&String::from_utf8_lossy(s));
                }
            }
        }
        Some(text)
    });
    read.ok().flatten().ok_or(VerifyError::Unreadable("pdf"))
}

/// The JSON text with the value of its top-level `id` removed.
fn json_without_id(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.remove("id");
            serde_json::Value::Object(m).to_string()
        }
        _ => json.to_string(),
    }
}

/// The extension of a PDF report's masked copy (`docs/masked-copy.md`), published with the
/// other files or not at all.
pub const MASKED_COPY_EXTENSION: &str = "masked.pdf";

/// A masked copy that passed its own checks ([`crate::masked_copy::Unfinished::finish`] is
/// the only maker).
pub struct CheckedCopy(Vec<u8>);

impl CheckedCopy {
    /// The copy, once its geometric, file and read-back checks passed.
    pub(crate) fn checked(pdf: Vec<u8>) -> CheckedCopy {
        CheckedCopy(pdf)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The files of a report that passed verification: the only thing that can be published.
pub struct Verified {
    rendered: Rendered,
    /// The masked copy (PDF inputs), verified by [`crate::masked_copy::Unfinished::finish`].
    masked_copy: Option<Vec<u8>>,
}

impl Verified {
    /// (extension, bytes) of every file, in a fixed order (the masked copy last).
    pub fn files(&self) -> Vec<(&'static str, &[u8])> {
        let copy = self.masked_copy.as_deref().map(|c| (MASKED_COPY_EXTENSION, c));
        self.rendered.files().into_iter().chain(copy).collect()
    }

    /// Whether the report has a masked copy.
    pub fn has_masked_copy(&self) -> bool {
        self.masked_copy.is_some()
    }

    /// The report with its masked copy, checked.
    pub fn with_masked_copy(mut self, copy: CheckedCopy) -> Verified {
        self.masked_copy = Some(copy.0);
        self
    }
}

/// The masked values split by where verification looks for them: single name words that are
/// also ordinary words (`Björn`, `Mark`) only where the name detector reads a name (see
/// [`readable`]); every other value anywhere, in any case.
fn values_by_notion(values: &MaskedValues) -> (Vec<String>, Vec<String>) {
    let mut anywhere = Vec::new();
    let mut word_names = Vec::new();
    for (kind, v) in values.with_kinds() {
        if kind == Kind::Name && readable::is_word_name(v) {
            word_names.push(v.to_string());
        } else {
            anywhere.push(v.to_string());
        }
    }
    (anywhere, word_names)
}

/// The single words of masked names (`Per` of `Per Lind`, `Björn`) that are also ordinary
/// words: the masked copy's OCR read-back looks for them only where the name detector reads
/// a name, the notion of [`values_by_notion`], word by word.
pub(crate) fn name_words_that_are_words(values: &MaskedValues) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (kind, v) in values.with_kinds() {
        if kind != Kind::Name {
            continue;
        }
        for w in v.split(|c: char| c.is_whitespace() || c == '-') {
            if readable::is_word_name(w) && !out.iter().any(|o| o == w) {
                out.push(w.to_string());
            }
        }
    }
    out
}

/// Whether a masked name word that is also an ordinary word stands in `text` as a name.
pub(crate) fn word_name_readable(text: &str, word_names: &[String]) -> bool {
    let values: Vec<&str> = word_names.iter().map(String::as_str).collect();
    readable::readable_as_name(text, &values)
}

/// Check every file of a rendered report against the values its redaction masked and
/// against the detectors; only a report that passes becomes [`Verified`].
pub fn verify(
    rendered: Rendered,
    values: &MaskedValues,
    detectors: &Detectors,
) -> Result<Verified, VerifyError> {
    let file = |ext: &str| rendered.text_of(ext).unwrap_or_default();
    let texts: [(&'static str, String); 5] = [
        ("txt", file("txt").to_string()),
        ("md", file("md").replace('\\', "")),
        ("html", html_text(file("html"))),
        // The report's own id is a hash whose digits can look like a number: leave it out.
        ("json", json_without_id(file("json"))),
        ("pdf", pdf_text(rendered.pdf())?),
    ];
    let (anywhere, word_names) = values_by_notion(values);
    let values = Values::new(&anywhere);
    for (ext, text) in &texts {
        if values.any_in(&fold(text)) || word_name_readable(text, &word_names) {
            return Err(VerifyError::MaskedValue(ext));
        }
        if let Some(s) = detectors.detect_str(text).first() {
            return Err(VerifyError::Detected { ext, kind: s.kind.as_str() });
        }
    }
    Ok(Verified { rendered, masked_copy: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_without_case_spacing_or_diacritics() {
        assert_eq!(fold("  Åsa  Östlund "), "asa ostlund");
        assert!(contains_word(&fold("skrev ASA  ostlund i dag"), &fold("Åsa Östlund")));
    }

    #[test]
    fn whole_words_only() {
        assert!(contains_word("ring anna i dag", "anna"));
        assert!(!contains_word("savanna", "anna"));
        assert!(!contains_word("annans", "anna"));
        // Overlapping values: the shorter one inside a longer word must not hide the longer
        // value's whole-word match.
        let v = Values::new(&["Ann".into(), "Anna Berg".into()]);
        assert!(v.any_in(&fold("hos anna berg")));
        assert!(!v.any_in(&fold("hos annabella")));
        assert!(!Values::new(&[]).any_in("text"));
    }

    fn rendered_for(text: &str) -> (Rendered, MaskedValues, Detectors) {
        use crate::config::MaskPolicy;
        use crate::document::Normalized;
        let detectors = Detectors::build(&Default::default()).unwrap();
        let n = Normalized::plain(text);
        let f = detectors.detect(&n);
        let (red, values) = crate::redact::redact(&n, &f, &MaskPolicy::default(), None);
        let info = crate::render::ReportInfo {
            id: "t".into(),
            maskera_version: "0",
            pages: 1,
            ocr: crate::render::OcrInfo {
                pages: vec![],
                reocr_pages: vec![],
                repaired: false,
                repaired_words: 0,
                reocr_words: 0,
            },
            redactions: Default::default(),
            fields: serde_json::json!({}),
            masking_record: vec![],
            masking_statement: vec![],
        };
        let templates = crate::render::Templates::load(None).unwrap();
        (crate::render::render(&red, &info, &templates).unwrap(), values, detectors)
    }

    const TEXT: &str = "Rapport\n\nSkriv till handlaggare.ett@example.se i dag.\n";

    #[test]
    fn name_words_that_are_words_are_listed_word_by_word() {
        // Invented people: one whose given name is an ordinary word, one whose name is none.
        let (_, values, _) = rendered_for(
            "Handläggare: Björn Qvarnstrand\nKlienten Tiina Vuorenmaa ringde.\nEn björn syntes.\n",
        );
        let words = name_words_that_are_words(&values);
        assert!(words.iter().any(|w| w == "Björn"), "{words:?}");
        assert!(!words.iter().any(|w| w == "Tiina" || w == "Qvarnstrand"), "{words:?}");
    }

    #[test]
    fn clean_rendering_passes() {
        let (r, v, d) = rendered_for(TEXT);
        assert!(verify(r, &v, &d).is_ok());
    }

    #[test]
    fn a_value_surviving_in_any_file_blocks_publication() {
        let (mut r, v, d) = rendered_for(TEXT);
        r.tamper("html", |h| *h = h.replace("</main>", "<p>HANDLAGGARE.ETT@example.se</p></main>"));
        assert_eq!(verify(r, &v, &d).err(), Some(VerifyError::MaskedValue("html")));
        let (mut r, v, d) = rendered_for(TEXT);
        r.tamper("json", |j| j.push_str("\"annan.person@example.org\""));
        assert_eq!(
            verify(r, &v, &d).err(),
            Some(VerifyError::Detected { ext: "json", kind: "EMAIL" })
        );
        let (mut r, v, d) = rendered_for(TEXT);
        let unmasked = crate::render::layout::Layout::of_published_text(
            "Rapport\n\nhandlaggare.ett@example.se",
        );
        r.replace_pdf(crate::render::pdf::render_pdf(&unmasked).unwrap());
        assert_eq!(verify(r, &v, &d).err(), Some(VerifyError::MaskedValue("pdf")));
    }

    #[test]
    fn html_text_strips_tags_and_entities() {
        assert_eq!(
            html_text("<p>a &amp; <b>b</b></p>").split_whitespace().collect::<Vec<_>>(),
            ["a", "&", "b"]
        );
        // Paragraphs and lines as in the .txt file; a masked span adds no space.
        assert_eq!(
            html_text(
                "<p>Beck-<span class=\"mask\">[PERSON 1]</span> kom<br>\nsedan</p>\n<p>Nästa</p>\n"
            ),
            "Beck-[PERSON 1] kom\nsedan\n\nNästa\n\n"
        );
    }
}
