//! The masked copy: the original pages of a PDF as images, with an opaque box burned into
//! the pixels over every masked span, written as a new PDF of page images
//! (`public/reports/<id>.masked.pdf`; see `docs/masked-copy.md`).
//!
//! Data flows one way: [`raster`] renders the pages and reads their glyphs (in an
//! isolated process) → [`geometry`] places the masked spans of the normalised text on the
//! glyphs (or OCR word boxes) → [`burn`] fills the boxes → [`write`] writes the PDF →
//! [`verify`] reads it back. [`make`] runs the steps for one document; the batch calls it
//! after redaction and publishes the copy with the other files, or nothing.

pub mod burn;
pub mod geometry;
pub mod ocr_words;
pub mod raster;
pub mod read_back;
pub mod verify;
pub mod write;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::document::{Extracted, Kind, PageSource};
use crate::redact::Redacted;
use burn::PixelBox;
use geometry::{Rect, Unit};
pub use raster::Renderer;
pub use read_back::ReadBack;

/// Why a masked copy could not be made; the document is then not published. Messages
/// never quote the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CopyError {
    #[error(
        "masked copy: the page renderer cannot open this PDF; try re-saving it from the program that made it"
    )]
    Unreadable,
    #[error("masked copy: the PDF has more pages than limits.max_pages")]
    TooManyPages,
    #[error("masked copy: page {page} cannot be rendered ({reason}); the page may be damaged")]
    Page { page: u32, reason: String },
    #[error("masked copy: rendering took longer than {0} s (limits.seconds_per_document)")]
    TimeLimit(u64),
    #[error(
        "masked copy: the rendering process crashed ({0}); the file may be damaged or exceed limits.max_memory_mib"
    )]
    Crashed(String),
    #[error("masked copy: {0}")]
    Worker(String),
    #[error(
        "masked copy: the renderer finds {rendered} pages where extraction found {extracted}; the PDF may be damaged"
    )]
    PageCount { rendered: usize, extracted: usize },
    #[error(
        "masked copy: a masked span could not be found on the page images (the text layer and the drawn glyphs disagree); publish with --no-masked-copy or fix the PDF"
    )]
    Unplaced,
    #[error("masked copy: {0}")]
    Write(String),
    #[error("masked copy verification: {0}")]
    Verify(String),
}

/// A finished, verified copy.
pub struct MaskedCopy {
    pub pdf: crate::verify::CheckedCopy,
    /// One small PNG per page, for the review page.
    pub thumbnails: Vec<Vec<u8>>,
    /// Whether the boxed lines were read back with OCR.
    pub ocr_checked: bool,
}

/// What [`make`] needs of a document.
pub struct CopyInput<'a> {
    /// The source PDF.
    pub path: &'a Path,
    /// A private work folder (page images pass through it).
    pub work: &'a Path,
    pub extracted: &'a Extracted,
    /// The normalised text the masked spans refer to.
    pub text: &'a str,
    pub redacted: &'a Redacted,
    /// The values the redaction masked (for the sweep and the read-back checks only).
    pub values: &'a [String],
    /// The words of masked names that are also ordinary words (`Björn`, `Per`): the read-back
    /// looks for these only where the name detector reads a name, as text verification does
    /// (see [`crate::verify::name_words_that_are_words`]).
    pub word_names: &'a [String],
    /// The masking statement of the masking record.
    pub statement: &'a [String],
    pub config: &'a Config,
    /// Make small page images for the review page.
    pub thumbnails: bool,
}

/// The short form of a legal ground for a box: "26 kap. 1 § OSL" → "OSL 26:1"; a ground of
/// another shape is used as it is when short, else left out.
pub fn short_ground(ground: &str) -> Option<String> {
    let t: Vec<&str> = ground.split_whitespace().collect();
    if let [chapter, kap, section, "§", law @ ..] = &t[..]
        && kap.trim_end_matches('.') == "kap"
        && !law.is_empty()
    {
        return Some(format!("{} {chapter}:{section}", law.join(" ")));
    }
    (ground.chars().count() <= 14).then(|| ground.to_string())
}

/// One burned box of a page: its pixels and the legal ground to print in it.
struct Burned {
    page: usize,
    pixels: PixelBox,
    label: Option<String>,
}

/// Width of the review page's page images, in pixels.
const THUMB_WIDTH: u32 = 180;

/// A masked copy made and checked but for its OCR read-back, which Tesseract is reading
/// meanwhile: [`Unfinished::finish`] waits for it. The work folder must stay until then
/// (the band image is in it).
pub struct Unfinished<'r> {
    pdf: Vec<u8>,
    thumbnails: Vec<Vec<u8>>,
    /// The read-back under way, with the values and tokens it looks for.
    read: Option<(read_back::Pending<'r>, Vec<String>, std::collections::HashSet<String>)>,
    word_names: Vec<String>,
}

impl Unfinished<'_> {
    /// Wait for the OCR read-back and check it: the copy is verified, or refused.
    pub fn finish(self) -> Result<MaskedCopy, CopyError> {
        let ocr_checked = match self.read {
            Some((pending, values, tokens)) => {
                let sought = verify::Sought {
                    masked: &values,
                    tokens: &tokens,
                    word_names: &self.word_names,
                };
                verify::check_read_back(&pending.text()?, &sought)?;
                true
            }
            None => false,
        };
        Ok(MaskedCopy {
            pdf: crate::verify::CheckedCopy::checked(self.pdf),
            thumbnails: self.thumbnails,
            ocr_checked,
        })
    }
}

/// Make the masked copy of one PDF and run its checks but for the end of the OCR
/// read-back: the line bands are handed to Tesseract as soon as the boxes are burned and
/// checked, and it reads them while the copy is written and its file checked, and while
/// the caller goes on until [`Unfinished::finish`].
pub fn start<'r>(
    input: &CopyInput,
    renderer: &Renderer,
    read_back: &'r ReadBack,
) -> Result<Unfinished<'r>, CopyError> {
    let cfg = &input.config.masked_copy;
    let mut rasters = raster::rasterize(
        renderer,
        input.path,
        input.work,
        cfg.dpi,
        input.config.limits.max_pages,
    )?;
    if rasters.len() != input.extracted.pages.len() {
        return Err(CopyError::PageCount {
            rendered: rasters.len(),
            extracted: input.extracted.pages.len(),
        });
    }
    // OCR'd pages without word boxes from extraction are read again for their words.
    let missing: Vec<(usize, &raster::PageRaster)> = input
        .extracted
        .pages
        .iter()
        .zip(&rasters)
        .enumerate()
        .filter(|(_, (p, _))| p.source == PageSource::Ocr && p.geometry.is_none())
        .map(|(i, (_, r))| (i, r))
        .collect();
    let ocr_words = ocr_words::read(&missing, input.work, input.config)?;
    // The units of every page: OCR word boxes for OCR'd pages, glyphs for the others.
    let mut units: Vec<Unit> = Vec::new();
    for (i, (page, r)) in input.extracted.pages.iter().zip(&rasters).enumerate() {
        match (&page.source, &page.geometry) {
            (PageSource::Ocr, Some(g)) => {
                // OCR boxes are in the page's points; the rendered page may differ by rounding.
                let (fx, fy) = (r.width_pt / g.width.max(1.0), r.height_pt / g.height.max(1.0));
                let words: Vec<_> = g
                    .words
                    .iter()
                    .map(|w| crate::document::WordBox {
                        text: w.text.clone(),
                        x0: w.x0 * fx,
                        y0: w.y0 * fy,
                        x1: w.x1 * fx,
                        y1: w.y1 * fy,
                    })
                    .collect();
                units.extend(geometry::units_from_words(i, &words));
            }
            (PageSource::Ocr, None) => {
                units.extend(geometry::units_from_words(
                    i,
                    ocr_words.get(&i).map_or(&[][..], |w| w.as_slice()),
                ));
            }
            (PageSource::TextLayer, _) => units.extend(geometry::units_from_glyphs(i, &r.glyphs)),
        }
    }
    let alignment = geometry::Alignment::new(input.text, &units);
    // Runs of units to box, each with the legal ground of its kind.
    let mut runs: Vec<(Vec<usize>, Option<Kind>)> = Vec::new();
    for m in input.redacted.maskings() {
        let placed =
            geometry::with_attached_punctuation(&units, alignment.place(m.source.0, m.source.1)?);
        if !placed.is_empty() {
            runs.push((placed, Some(m.kind)));
        }
    }
    let tokens = geometry::sweep_tokens(input.values);
    runs.extend(geometry::sweep(&units, &tokens).into_iter().map(|r| (r, None)));
    let mut burned: Vec<Burned> = Vec::new();
    for (run, kind) in &runs {
        for (page, rect) in geometry::line_boxes(&units, run) {
            let Some(pixels) = burn::to_pixels(burn::padded(rect), &rasters[page]) else {
                continue;
            };
            let label =
                (*kind).filter(|_| cfg.labels).and_then(|k| short_ground(input.config.ground(k)));
            burned.push(Burned { page, pixels, label });
        }
    }
    burned.sort_by_key(|b| (b.page, b.pixels.y0, b.pixels.x0, b.pixels.y1, b.pixels.x1));
    burned.dedup_by(|a, b| a.page == b.page && a.pixels == b.pixels);
    for b in &burned {
        burn::burn(&mut rasters[b.page], b.pixels);
    }
    // Geometric check: every unit of every masked span lies inside a burned box, and every
    // burned box is black to its edges.
    for (run, _) in &runs {
        for &u in run {
            let unit = &units[u];
            let Some(px) = burn::to_pixels(unit.rect, &rasters[unit.page]) else {
                continue;
            };
            if !burned.iter().any(|b| b.page == unit.page && b.pixels.contains(&px)) {
                return Err(CopyError::Verify(
                    "a glyph of a masked span lies outside the burned boxes".into(),
                ));
            }
        }
    }
    if burned.iter().any(|b| !burn::is_burned(&rasters[b.page], b.pixels)) {
        return Err(CopyError::Verify("a burned box is not opaque".into()));
    }
    let per_page: Vec<(&raster::PageRaster, Vec<PixelBox>)> = rasters
        .iter()
        .enumerate()
        .map(|(i, r)| (r, burned.iter().filter(|b| b.page == i).map(|b| b.pixels).collect()))
        .collect();
    let read = match verify::bands(&per_page) {
        Some(img) => {
            // Scans often declare a resolution far below their real one (70 ppi): tell
            // Tesseract at least 150.
            let dpi = ((rasters[0].scale().1 * 72.0).round() as u32).max(150);
            verify::submit_read_back(img, dpi, input.work, input.config, read_back)?.map(
                |pending| {
                    // What the read-back looks for: every value and token, except the name
                    // words that are also ordinary words, which it looks for only where they
                    // stand as names.
                    let word_keys = geometry::sweep_tokens(input.word_names);
                    let read_tokens: std::collections::HashSet<String> =
                        tokens.iter().filter(|t| !word_keys.contains(*t)).cloned().collect();
                    let read_values: Vec<String> = input
                        .values
                        .iter()
                        .filter(|v| !input.word_names.contains(v))
                        .cloned()
                        .collect();
                    (pending, read_values, read_tokens)
                },
            )
        }
        None => None,
    };
    let stamp = (cfg.stamp && !input.statement.is_empty())
        .then(|| format!("Maskerad kopia – {}", input.statement.join("; ")));
    let mut pages = Vec::with_capacity(rasters.len());
    for (i, r) in rasters.iter().enumerate() {
        let mine: Vec<&Burned> = burned.iter().filter(|b| b.page == i).collect();
        let (sx, sy) = r.scale();
        let labels = mine
            .iter()
            .filter_map(|b| {
                let rect = Rect {
                    x0: b.pixels.x0 as f32 / sx,
                    y0: b.pixels.y0 as f32 / sy,
                    x1: b.pixels.x1 as f32 / sx,
                    y1: b.pixels.y1 as f32 / sy,
                };
                b.label.clone().map(|l| (rect, l))
            })
            .collect();
        let image = match (&r.scan, mine.is_empty()) {
            (Some(_), true) => write::PageImage::Scan(r),
            (Some(_), false) => write::PageImage::Jpeg(r),
            (None, _) => write::PageImage::Pixels(r),
        };
        pages.push(write::PageOut {
            image,
            labels,
            stamp: if i == 0 { stamp.clone() } else { None },
        });
    }
    let pdf = write::write(&pages)?;
    verify::file(&pdf, input.values, rasters.len())?;
    let thumbnails = if input.thumbnails {
        rasters.iter().map(|r| burn::thumbnail_png(r, THUMB_WIDTH)).collect()
    } else {
        Vec::new()
    };
    Ok(Unfinished { pdf, thumbnails, read, word_names: input.word_names.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grounds_are_shortened() {
        assert_eq!(short_ground("26 kap. 1 § OSL").as_deref(), Some("OSL 26:1"));
        assert_eq!(short_ground("21 kap. 7 § OSL").as_deref(), Some("OSL 21:7"));
        assert_eq!(short_ground("GDPR art. 6").as_deref(), Some("GDPR art. 6"));
        assert_eq!(short_ground("en mycket lång grund som inte får plats"), None);
    }
}
