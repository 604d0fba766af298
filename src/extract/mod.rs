//! Extraction: input bytes → [`Extracted`] text, page by page.
//!
//! The format is decided by content, not by the file name: a `%PDF-` header (within the
//! first kilobyte, as readers allow) makes a PDF, anything else must decode as text.
//! PDF parsing runs in a separate process ([`isolate`]) so a parser that panics, loops or
//! exhausts memory on a hostile file costs that one document, never the batch.

pub(crate) mod child;
pub mod isolate;
pub mod ocr;
pub mod pdf;
mod plain;
pub mod text;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{Limits, OcrSettings};
use crate::document::{Extracted, Format, Page, PageSource};

/// Why a document's text could not be extracted. Messages never quote the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ExtractError {
    #[error("{0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("{0}")]
    Text(#[from] text::TextError),
    #[error("the file is {bytes} bytes, more than the limit of {limit} (limits.max_input_bytes)")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("extraction took longer than {0} s (limits.seconds_per_document)")]
    TimeLimit(u64),
    #[error("extraction crashed ({0}); the file may be damaged or exceed limits.max_memory_mib")]
    Crashed(String),
    #[error("{0}")]
    Ocr(#[from] ocr::OcrError),
    #[error("the PDF has no readable text, not even after OCR of its pages")]
    NoText,
}

/// A PDF's text layer plus the pages that still need OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PdfText {
    pub extracted: Extracted,
    pub ocr: Vec<ocr::OcrJob>,
}

/// What a page's content stream draws, as far as OCR planning cares.
#[derive(Debug, Clone, Default)]
pub struct PageScan {
    /// `/Rotate` in degrees, normalised to 0, 90, 180 or 270.
    pub rotate: u32,
    /// Page area in square points (MediaBox).
    pub area: f32,
    /// The page as displayed, before `/Rotate`: the CropBox (else the MediaBox) as
    /// `[x0, y0, x1, y1]` in PDF points, x0 < x1 and y0 < y1. Word boxes of OCR'd pages are
    /// measured from its top-left corner.
    pub page_box: [f32; 4],
    /// Image XObjects drawn, with the transformation matrix in force.
    pub images: Vec<(lopdf::ObjectId, [f32; 6])>,
    /// Text drawn in a visible render mode (not `3 Tr`, which OCR layers use).
    pub visible_text: bool,
    /// Anything else drawn: paths, shadings, inline images, form XObjects.
    pub other_marks: bool,
    /// The content stream could not be read completely.
    pub unreadable: bool,
}

/// How PDF parsing is run.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// In child processes of this executable (`__extract`): the safe default for the CLI.
    Subprocess(PathBuf),
    /// In the calling process (library use, tests).
    InProcess,
}

/// The extraction of a run: its limits, OCR settings and (when isolated) the worker
/// processes that parse PDFs.
pub struct Extractor {
    workers: Option<isolate::Workers>,
    limits: Limits,
    ocr: OcrSettings,
}

impl Extractor {
    pub fn new(isolation: &Isolation, limits: &Limits, ocr: &OcrSettings) -> Extractor {
        let workers = match isolation {
            Isolation::Subprocess(exe) => Some(isolate::Workers::new(exe, limits, ocr.ocr.reocr)),
            Isolation::InProcess => None,
        };
        Extractor { workers, limits: limits.clone(), ocr: ocr.clone() }
    }

    /// A document's text, page by page: a PDF's text layer (parsed in a worker process),
    /// with the pages that have no usable layer OCR'd (page images go to a private folder
    /// under `scratch`, made only when a page needs OCR and removed on return); a text file
    /// decoded.
    pub fn extract(
        &self,
        path: &Path,
        bytes: &[u8],
        scratch: &Path,
    ) -> Result<Extracted, ExtractError> {
        let extracted = match sniff(bytes) {
            Format::Pdf => {
                let work = ScratchDir::new(scratch);
                let text = match &self.workers {
                    Some(workers) => workers.extract(path, &work.0)?,
                    None => isolate::extract_pdf_in_process(
                        bytes,
                        &self.limits,
                        Some(&work.0),
                        self.ocr.ocr.reocr,
                    )?,
                };
                ocr::complete(text, path, &work.0, &self.ocr)?
            }
            Format::Text => extract_text(bytes)?,
        };
        if !has_text(&extracted) {
            return Err(match extracted.format {
                Format::Pdf => ExtractError::NoText,
                Format::Text => ExtractError::Text(text::TextError::Empty),
            });
        }
        Ok(extracted)
    }
}

/// The private folder of one document's page images: a unique path under the run's
/// scratch folder, created only by whoever first writes an image there (most PDFs need
/// none), and removed with everything in it when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(parent: &Path) -> ScratchDir {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ScratchDir(parent.join(format!("ocr-{}-{n}", std::process::id())))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Decide the format of an input from its first bytes.
pub fn sniff(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") { Format::Pdf } else { Format::Text }
}

/// Extract a text file in-process (decoding cannot hang or crash).
pub fn extract_text(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let text = text::decode(bytes)?;
    // A form feed is how plain-text exports mark page breaks.
    let pages = text
        .split('\u{0C}')
        .enumerate()
        .map(|(i, p)| Page::new(i as u32 + 1, p, PageSource::TextLayer))
        .collect();
    Ok(Extracted { format: Format::Text, pages })
}

/// Whether extracted pages hold any usable text.
pub fn has_text(e: &Extracted) -> bool {
    e.pages.iter().any(|p| p.text.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Format::Pdf);
        assert_eq!(sniff(b"\n\n%PDF-1.4"), Format::Pdf);
        assert_eq!(sniff(b"Rapport enligt lex Sarah"), Format::Text);
    }

    #[test]
    fn text_pages_split_on_form_feed() {
        let e = extract_text("sida ett\u{0C}sida två".as_bytes()).unwrap();
        assert_eq!(e.pages.len(), 2);
        assert_eq!(e.pages[1].text, "sida två");
    }
}
