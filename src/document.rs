//! The values that flow through the pipeline, stage by stage:
//! [`Extracted`] → [`Normalized`] → [`Findings`] → `redact::Redacted` → rendered files.

use serde::{Deserialize, Serialize};

/// The format of an input, decided from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Text,
}

/// How the text of a page was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageSource {
    /// The PDF's own text layer (or a text file).
    TextLayer,
    /// Optical character recognition of the page image.
    Ocr,
}

/// One page of extracted text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    pub text: String,
    pub source: PageSource,
    /// Where the page's words are drawn, when the extractor knows (OCR word boxes).
    #[serde(default)]
    pub geometry: Option<PageGeometry>,
    /// The page's own (OCR) text layer, when OCR read the page again and replaced it.
    #[serde(default)]
    pub layer: Option<String>,
    /// What went wrong when OCR of this page was tried and the page kept its text layer
    /// (for the manifest: reasons and numbers, never text).
    #[serde(default)]
    pub ocr_note: Option<String>,
}

impl Page {
    /// A page of text without geometry.
    pub fn new(number: u32, text: impl Into<String>, source: PageSource) -> Page {
        Page { number, text: text.into(), source, geometry: None, layer: None, ocr_note: None }
    }
}

/// Where the words of a page are drawn: the page size and one box per word.
///
/// Coordinates are PDF points (1/72 inch) from the top-left corner of the page as it is
/// displayed (after `/Rotate`), x to the right, y downwards.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PageGeometry {
    pub width: f32,
    pub height: f32,
    /// In reading order, as the page's text has them.
    pub words: Vec<WordBox>,
}

/// One word of a page and the box it is drawn in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordBox {
    pub text: String,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// The raw text of a document, page by page, as the extractor found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    pub format: Format,
    pub pages: Vec<Page>,
}

impl Extracted {
    pub fn page_count(&self) -> u32 {
        self.pages.len() as u32
    }
}

/// Text after Unicode hygiene, reflow and (when needed) OCR repair. Made only by
/// normalisation ([`crate::normalize::normalize`]); read-only afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    text: String,
    page_count: u32,
    ocr_pages: Vec<u32>,
    ocr_repaired: bool,
    raw: Option<RawText>,
    reocr: Reocr,
}

impl Normalized {
    pub(crate) fn new(
        text: String,
        page_count: u32,
        ocr_pages: Vec<u32>,
        ocr_repaired: bool,
        raw: Option<RawText>,
    ) -> Normalized {
        Normalized { text, page_count, ocr_pages, ocr_repaired, raw, reocr: Reocr::default() }
    }

    /// A one-page text that needed no normalisation (unit tests).
    #[cfg(test)]
    pub(crate) fn plain(text: &str) -> Normalized {
        Normalized::new(text.to_string(), 1, Vec::new(), false, None)
    }

    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
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

    /// The text before OCR word repair, with the map between the two, when repair ran.
    /// Structured-number detectors scan it too (so OCR damage cannot hide a number) and map
    /// what they find with [`OffsetMap::raw_to_text`].
    pub fn raw(&self) -> Option<&RawText> {
        self.raw.as_ref()
    }

    /// The pages read again by OCR in place of their own text layer, and what that changed.
    pub fn reocr(&self) -> &Reocr {
        &self.reocr
    }

    /// The document with what re-OCR changed (normalisation sets it).
    pub(crate) fn with_reocr(mut self, reocr: Reocr) -> Normalized {
        self.reocr = reocr;
        self
    }

    /// Page numbers and counts of what OCR repair and re-OCR did.
    pub fn ocr_summary(&self) -> OcrSummary {
        OcrSummary {
            reocr_pages: self.reocr.pages.clone(),
            repaired_words: self.raw.as_ref().map_or(0, |r| r.map.edits.len()),
            reocr_words: self.reocr.words.len(),
            notes: self.reocr.notes.clone(),
        }
    }
}

/// Pages read again by OCR in place of their own text layer, and what that changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reocr {
    /// Pages whose text layer was replaced by a fresh OCR.
    pub pages: Vec<u32>,
    /// Words of [`Normalized::text`] that differ from the replaced layer, in text order.
    pub words: Vec<WordChange>,
    /// Pages where OCR was tried and the layer kept, and why (numbers and reasons only).
    pub notes: Vec<String>,
}

/// What OCR repair and re-OCR did to a document, for the report and the manifest: page
/// numbers, counts and reasons, never text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OcrSummary {
    pub reocr_pages: Vec<u32>,
    /// Words OCR-damage repair replaced.
    pub repaired_words: usize,
    /// Words of re-OCR'd pages that differ from the replaced layer.
    pub reocr_words: usize,
    pub notes: Vec<String>,
}

/// A run of words of the normalised text that came out differently from a page's
/// replaced text layer: its byte range in the text and what the layer had there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordChange {
    pub text: (usize, usize),
    /// The layer's words (one space apart; empty when the layer had none there).
    pub before: String,
}

/// The pre-repair text of a document and where its words moved to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawText {
    pub text: String,
    pub map: OffsetMap,
}

/// One word replaced by OCR repair: its byte range in the raw and in the repaired text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    pub raw: (usize, usize),
    pub text: (usize, usize),
}

/// Byte offsets between raw and repaired text. Repair only replaces whole words, so
/// outside the edits the two texts are identical up to a shift.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OffsetMap {
    /// In text order, not overlapping.
    pub edits: Vec<Edit>,
}

impl OffsetMap {
    /// Map a byte span of the raw text to the repaired text. A span end inside a
    /// replaced word is widened to cover the whole replacement.
    pub fn raw_to_text(&self, start: usize, end: usize) -> (usize, usize) {
        (
            map_pos(&self.edits, start, false, |e| e.raw, |e| e.text),
            map_pos(&self.edits, end, true, |e| e.raw, |e| e.text),
        )
    }

    /// Map a byte span of the repaired text back to the raw text (for review views).
    pub fn text_to_raw(&self, start: usize, end: usize) -> (usize, usize) {
        (
            map_pos(&self.edits, start, false, |e| e.text, |e| e.raw),
            map_pos(&self.edits, end, true, |e| e.text, |e| e.raw),
        )
    }
}

fn map_pos(
    edits: &[Edit],
    x: usize,
    is_end: bool,
    from: impl Fn(&Edit) -> (usize, usize),
    to: impl Fn(&Edit) -> (usize, usize),
) -> usize {
    // The last edit that starts at or before x.
    let i = edits.partition_point(|e| from(e).0 <= x);
    if i == 0 {
        return x;
    }
    let e = &edits[i - 1];
    let (fs, fe) = from(e);
    let (ts, te) = to(e);
    if x < fe {
        // Inside a replaced word: a start snaps to its start, an end to its end.
        return if x == fs || !is_end { ts } else { te };
    }
    (x + te).saturating_sub(fe)
}

/// Kinds of personal data. The serialised names are the ones the manifest, the per-report
/// JSON and the configuration use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Kind {
    Name,
    Personnummer,
    Phone,
    Email,
    Address,
    Postal,
    Regnr,
    /// A value from the configuration's deny-list.
    Other,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Name,
        Kind::Personnummer,
        Kind::Phone,
        Kind::Email,
        Kind::Address,
        Kind::Postal,
        Kind::Regnr,
        Kind::Other,
    ];

    /// The Swedish placeholder used unless the configuration says otherwise.
    pub fn default_placeholder(self) -> &'static str {
        match self {
            Kind::Name => "PERSON",
            Kind::Personnummer => "PERSONNUMMER",
            Kind::Phone => "TELEFON",
            Kind::Email => "E-POST",
            Kind::Address => "ADRESS",
            Kind::Postal => "POSTNUMMER",
            Kind::Regnr => "REGNR",
            Kind::Other => "MASKERAT",
        }
    }

    /// The name used in counts and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Name => "NAME",
            Kind::Personnummer => "PERSONNUMMER",
            Kind::Phone => "PHONE",
            Kind::Email => "EMAIL",
            Kind::Address => "ADDRESS",
            Kind::Postal => "POSTAL",
            Kind::Regnr => "REGNR",
            Kind::Other => "OTHER",
        }
    }

    /// Whether placeholders of this kind are numbered per person (`[PERSON 2]`).
    pub fn numbered(self) -> bool {
        self == Kind::Name
    }
}

/// One detection: a byte range of the normalised text that holds personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Which rule found it (for review and audit; never the value).
    pub rule: &'static str,
    /// 0.0–1.0: how sure the rule is.
    pub confidence: f32,
    /// For numbered kinds: a key that identifies the same entity across mentions
    /// (e.g. a normalised name). Never written anywhere.
    pub entity: Option<String>,
}

/// Everything the detectors found in one document.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub spans: Vec<Span>,
}
