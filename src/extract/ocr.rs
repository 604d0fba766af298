//! OCR for pages without a usable text layer, with the `tesseract` command.
//!
//! The work is split between the two processes of an extraction:
//! - the isolated extraction child ([`super::isolate`]) reads each page's text layer, judges
//!   it ([`text_layer_usable`]) and plans OCR for the pages that need it ([`plan`]). When a
//!   page is one upright embedded JPEG (DCTDecode) and nothing else, the child writes the
//!   JPEG's bytes to the private work folder, to go to Tesseract unchanged;
//! - the parent ([`complete`]) runs the plan: it rasterises the other pages with
//!   `pdftoppm -r <dpi>` (which applies `/Rotate`, and draws every image and mark of the
//!   page), then runs `tesseract <image> stdout -l swe` on each page, pages in parallel on
//!   the batch's rayon pool and each call held to one thread (`OMP_THREAD_LIMIT=1`), under
//!   a time limit and the same memory cap as the extraction child.
//!
//! Tesseract and pdftoppm are separate programs, found at run time: `cargo build` needs
//! neither, and a machine without them still processes text documents. Their paths come
//! from the configuration (`[ocr] tesseract`, `pdftoppm`), else the environment
//! (`MASKERA_TESSERACT`, `MASKERA_PDFTOPPM`), else `PATH`.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use lopdf::Document;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use super::pdf::{PageScan, PdfText};
use crate::config::Config;
use crate::document::{Extracted, PageGeometry, PageSource};

mod reading;
pub use reading::{Reading, restore_missing_characters};

/// One page to OCR and where its image comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrJob {
    /// 1-based page number.
    pub page: u32,
    pub image: PageImage,
    /// Width and height of the page as displayed (after `/Rotate`), in PDF points.
    pub size: (f32, f32),
}

/// How the image of a page is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageImage {
    /// The page's embedded JPEG, written by the extraction child as `page-<n>.jpg`, drawn
    /// over `at` = `[x0, y0, x1, y1]` (points from the page's top-left corner, y down).
    Jpeg { at: [f32; 4] },
    /// Rasterise the page with pdftoppm (the image is the whole displayed page).
    Render,
}

/// Why OCR could not be done. Messages never quote the document or the engine's output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum OcrError {
    #[error("OCR engine not found: install tesseract-ocr and tesseract-ocr-swe")]
    EngineNotFound,
    #[error("the Tesseract language model '{0}' is not installed: install tesseract-ocr-{0}")]
    LanguageMissing(String),
    #[error("page rasteriser not found: install poppler-utils (pdftoppm) to OCR this document")]
    RasteriserNotFound,
    #[error("OCR of page {page} took longer than {seconds} s (ocr.seconds_per_page)")]
    TimeLimit { page: u32, seconds: u64 },
    #[error("rasterising page {page} for OCR failed ({reason}); the page may be damaged")]
    Render { page: u32, reason: String },
    #[error("OCR of page {page} failed ({reason})")]
    Engine { page: u32, reason: String },
    #[error("cannot use the temporary folder for page images: {0}")]
    TempDir(String),
}

static COMMON_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../patterns/ocr-common-words.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Characters a real text layer is made of: Latin letters and digits, spacing and the
/// punctuation of ordinary prose. Private-use code points, U+FFFD, control characters,
/// box drawing and the like are what broken font encodings produce.
fn ordinary(c: char) -> bool {
    (c.is_alphanumeric() && (c as u32) < 0x0250)
        || ".,;:!?-–—()[]{}\"'/\\%&§@+*=#‘’“”„…•·«»°<>_|~^$€£½¼¾×".contains(c)
}

/// Counts that judge a page's text.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Quality {
    alnum: usize,
    words: usize,
    /// Share of non-space characters that are [`ordinary`].
    ordinary: f32,
    /// Words from the common-word list.
    common: usize,
}

fn quality(text: &str) -> Quality {
    let (mut total, mut ord, mut alnum) = (0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        total += 1;
        ord += usize::from(ordinary(c));
        alnum += usize::from(c.is_alphanumeric());
    }
    let mut words = 0;
    let mut common = 0;
    for w in text.split_whitespace() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        if w.is_empty() {
            continue;
        }
        words += 1;
        common += usize::from(COMMON_WORDS.contains(w.as_str()));
    }
    Quality { alnum, words, ordinary: if total == 0 { 0.0 } else { ord as f32 / total as f32 }, common }
}

/// Fewest letters and digits a page needs for its text layer to count.
const MIN_ALNUM: usize = 3;
/// Below this share of ordinary characters the layer is garbage.
const MIN_ORDINARY: f32 = 0.6;
/// From this many words on, a layer with (almost) no common word is garbage.
const COMMON_CHECK_WORDS: usize = 30;
/// A scan with a visible text stamp (a page number, a registration stamp) carries fewer
/// letters than this in its text layer; more means the text layer is the page.
const STAMP_MAX_ALNUM: usize = 40;

/// Whether a page's text layer can be used as it is: it has some letters or digits, is
/// made of ordinary characters, and a longer text holds at least a few common words.
/// English OCR layers of Swedish text pass; broken font encodings do not.
pub fn text_layer_usable(text: &str) -> bool {
    let q = quality(text);
    q.alnum >= MIN_ALNUM
        && q.ordinary >= MIN_ORDINARY
        && (q.words < COMMON_CHECK_WORDS || q.common * 50 >= q.words)
}

/// Whether OCR output looks like upright text. Stricter than [`text_layer_usable`]: OCR of
/// a page turned on its side gives short runs of letters without common words.
fn ocr_output_plausible(text: &str) -> bool {
    let q = quality(text);
    q.alnum < MIN_ALNUM || (q.ordinary >= MIN_ORDINARY && (q.words < 20 || q.common * 20 >= q.words))
}

/// Decide whether a page needs OCR, and from which image. `text` is the page's text
/// layer (`None` when it could not be read). Runs in the extraction child; with `images`,
/// a passed-through JPEG is written there.
pub fn plan(
    doc: &Document,
    page: u32,
    text: Option<&str>,
    scan: &PageScan,
    images: Option<&Path>,
    reocr: bool,
) -> Option<OcrJob> {
    let page_images: Vec<_> = scan.images.iter().filter(|(_, m)| coverage(m, scan.area) >= 0.5).collect();
    let needs_ocr = match text {
        None => true,
        Some(t) if !text_layer_usable(t) => {
            // Nothing drawn at all: a blank page, nothing to read.
            !(scan.images.is_empty() && !scan.other_marks && !scan.visible_text && !scan.unreadable)
        }
        // A scan with a small visible stamp: the stamp is the whole text layer.
        Some(t) if !page_images.is_empty() && scan.visible_text && quality(t).alnum < STAMP_MAX_ALNUM => true,
        // `--reocr`: a scan under an invisible text layer that an engine without Swedish
        // made (see `normalize::ocr::damage`) is read again with the Swedish model.
        Some(t) => {
            reocr && !page_images.is_empty() && !scan.visible_text && crate::normalize::ocr::damage::Damage::measure(t).is_damaged()
        }
    };
    if !needs_ocr {
        return None;
    }
    let jpeg_alone = scan.rotate == 0
        && !scan.visible_text
        && !scan.other_marks
        && !scan.unreadable
        && scan.images.len() == 1
        && page_images.len() == 1
        && upright(&scan.images[0].1);
    let image = match (jpeg_alone, images) {
        (true, Some(dir)) => match jpeg_bytes(doc, scan.images[0].0) {
            Some(bytes) if std::fs::write(jpeg_path(dir, page), bytes).is_ok() => {
                PageImage::Jpeg { at: placed(&scan.images[0].1, &scan.page_box) }
            }
            _ => PageImage::Render,
        },
        _ => PageImage::Render,
    };
    Some(OcrJob { page, image, size: displayed_size(scan) })
}

/// Width and height of the page as displayed: its box, turned by `/Rotate`.
fn displayed_size(scan: &PageScan) -> (f32, f32) {
    let [x0, y0, x1, y1] = scan.page_box;
    let (w, h) = (x1 - x0, y1 - y0);
    if scan.rotate % 180 == 90 { (h, w) } else { (w, h) }
}

/// Where an upright image drawn with matrix `m` lies on an unrotated page with box
/// `page_box`: `[x0, y0, x1, y1]` in points from the page's top-left corner, y down.
fn placed(m: &[f32; 6], page_box: &[f32; 4]) -> [f32; 4] {
    let [bx0, _, _, by1] = *page_box;
    [m[4] - bx0, by1 - (m[5] + m[3]), m[4] + m[0] - bx0, by1 - m[5]]
}

/// The share of the page an image drawn with matrix `m` covers.
fn coverage(m: &[f32; 6], page_area: f32) -> f32 {
    if page_area <= 0.0 { 0.0 } else { (m[0] * m[3] - m[1] * m[2]).abs() / page_area }
}

/// Drawn without rotation or mirroring, so the image's pixels are the page as seen.
fn upright(m: &[f32; 6]) -> bool {
    m[0] > 0.0 && m[3] > 0.0 && m[1].abs() < 1e-3 * m[0] && m[2].abs() < 1e-3 * m[3]
}

/// The bytes of an image XObject when they are a complete JPEG file Tesseract can read as
/// it is: DCTDecode alone, 8-bit grey or RGB, no decode array or mask.
fn jpeg_bytes(doc: &Document, id: lopdf::ObjectId) -> Option<&[u8]> {
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let d = &stream.dict;
    let filter_ok = match d.get(b"Filter").ok()? {
        lopdf::Object::Name(n) => n == b"DCTDecode",
        lopdf::Object::Array(a) => a.len() == 1 && a[0].as_name().is_ok_and(|n| n == b"DCTDecode"),
        _ => false,
    };
    let colour_ok = match d.get_deref(b"ColorSpace", doc).ok()? {
        lopdf::Object::Name(n) => n == b"DeviceGray" || n == b"DeviceRGB",
        lopdf::Object::Array(a) => {
            a.first().and_then(|o| o.as_name().ok()) == Some(b"ICCBased")
                && a.get(1)
                    .and_then(|o| doc.dereference(o).ok())
                    .and_then(|(_, o)| o.as_stream().ok())
                    .and_then(|s| s.dict.get(b"N").ok()?.as_i64().ok())
                    .is_some_and(|n| n == 1 || n == 3)
        }
        _ => false,
    };
    let plain = d.get(b"BitsPerComponent").ok().and_then(|o| o.as_i64().ok()) == Some(8)
        && d.get(b"Decode").is_err()
        && d.get(b"SMask").is_err()
        && d.get(b"Mask").is_err()
        && d.get(b"DecodeParms").is_err();
    let bytes = stream.content.as_slice();
    (filter_ok && colour_ok && plain && bytes.starts_with(&[0xFF, 0xD8])).then_some(bytes)
}

fn jpeg_path(dir: &Path, page: u32) -> PathBuf {
    dir.join(format!("page-{page}.jpg"))
}

/// A private folder for page images, removed when dropped. Created inside `parent` (the
/// output folder's `.maskera/tmp`, which a later run also cleans up after a kill).
pub fn work_dir(parent: &Path) -> Result<tempfile::TempDir, OcrError> {
    tempfile::Builder::new().prefix("ocr-").tempdir_in(parent).map_err(|e| OcrError::TempDir(e.kind().to_string()))
}

/// Where a helper program is: the configured path, else the environment variable, else
/// the bare name (looked up on `PATH`).
fn program(configured: Option<&str>, env: &str, name: &str) -> PathBuf {
    configured
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(env).filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// A started helper that finished, or ran out of time.
enum Finished {
    Done(ExitStatus, Vec<u8>),
    TimedOut,
}

/// Run a helper with stdout captured, stderr discarded (it can echo file names), a time
/// limit and the memory cap.
fn run_limited(mut cmd: Command, seconds: u64, memory_mib: u64) -> std::io::Result<Finished> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    super::isolate::cap_memory(&mut cmd, memory_mib);
    let mut child = cmd.spawn()?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    match child.wait_timeout(Duration::from_secs(seconds))? {
        Some(status) => Ok(Finished::Done(status, reader.join().unwrap_or_default())),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            let _ = reader.join();
            Ok(Finished::TimedOut)
        }
    }
}

fn status_text(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("signal {sig}");
        }
    }
    format!("exit status {}", status.code().unwrap_or(-1))
}

/// Probed engines: (program, language) → whether it can be used. Probed once per process.
static PROBED: LazyLock<Mutex<BTreeMap<(PathBuf, String), Result<(), OcrError>>>> = LazyLock::new(Default::default);

/// The OCR engine and page rasteriser, located and checked.
#[derive(Debug, Clone)]
pub struct Engine {
    tesseract: PathBuf,
    pdftoppm: PathBuf,
    language: String,
    dpi: u32,
    seconds: u64,
    memory_mib: u64,
}

impl Engine {
    /// Find Tesseract and check that it has the configured language model.
    pub fn locate(config: &Config) -> Result<Engine, OcrError> {
        let o = &config.ocr;
        let engine = Engine {
            tesseract: program(o.tesseract.as_deref(), "MASKERA_TESSERACT", "tesseract"),
            pdftoppm: program(o.pdftoppm.as_deref(), "MASKERA_PDFTOPPM", "pdftoppm"),
            language: o.language.clone(),
            dpi: o.dpi,
            seconds: o.seconds_per_page,
            memory_mib: config.limits.max_memory_mib,
        };
        let key = (engine.tesseract.clone(), engine.language.clone());
        let mut probed = PROBED.lock().unwrap_or_else(|e| e.into_inner());
        let result = probed.entry(key).or_insert_with(|| engine.probe()).clone();
        result.map(|()| engine)
    }

    fn probe(&self) -> Result<(), OcrError> {
        let mut cmd = Command::new(&self.tesseract);
        cmd.arg("--list-langs");
        match run_limited(cmd, 60, self.memory_mib) {
            Ok(Finished::Done(status, out)) if status.success() => {
                let out = String::from_utf8_lossy(&out);
                let wanted: Vec<&str> = self.language.split('+').collect();
                match wanted.iter().find(|l| !out.lines().any(|line| line.trim() == **l)) {
                    Some(missing) => Err(OcrError::LanguageMissing(missing.to_string())),
                    None => Ok(()),
                }
            }
            _ => Err(OcrError::EngineNotFound),
        }
    }

    /// Rasterise one page to a greyscale PGM in `dir`.
    fn render(&self, pdf: &Path, dir: &Path, page: u32) -> Result<PathBuf, OcrError> {
        let base = dir.join(format!("page-{page}"));
        let mut cmd = Command::new(&self.pdftoppm);
        cmd.arg("-r").arg(self.dpi.to_string()).arg("-gray").arg("-singlefile");
        cmd.arg("-f").arg(page.to_string()).arg("-l").arg(page.to_string()).arg(pdf).arg(&base);
        match run_limited(cmd, self.seconds, self.memory_mib) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(OcrError::RasteriserNotFound),
            Err(e) => Err(OcrError::Render { page, reason: e.kind().to_string() }),
            Ok(Finished::TimedOut) => Err(OcrError::TimeLimit { page, seconds: self.seconds }),
            Ok(Finished::Done(status, _)) if !status.success() => {
                Err(OcrError::Render { page, reason: status_text(status) })
            }
            Ok(Finished::Done(..)) => {
                let out = base.with_extension("pgm");
                if out.is_file() { Ok(out) } else { Err(OcrError::Render { page, reason: "no image written".into() }) }
            }
        }
    }

    /// OCR one image with the given page segmentation mode: Tesseract's TSV output (words
    /// with boxes), tidied (see [`Reading::tidy`]).
    fn recognise(&self, image: &Path, page: u32, dpi: Option<u32>, psm: u8) -> Result<Reading, OcrError> {
        let mut cmd = Command::new(&self.tesseract);
        cmd.arg(image).arg("stdout").arg("-l").arg(&self.language).arg("--psm").arg(psm.to_string());
        if let Some(dpi) = dpi {
            cmd.arg("--dpi").arg(dpi.to_string());
        }
        cmd.arg("tsv");
        cmd.env("OMP_THREAD_LIMIT", "1");
        match run_limited(cmd, self.seconds, self.memory_mib) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(OcrError::EngineNotFound),
            Err(e) => Err(OcrError::Engine { page, reason: e.kind().to_string() }),
            Ok(Finished::TimedOut) => Err(OcrError::TimeLimit { page, seconds: self.seconds }),
            Ok(Finished::Done(status, _)) if !status.success() => {
                Err(OcrError::Engine { page, reason: status_text(status) })
            }
            Ok(Finished::Done(_, out)) => {
                let mut reading = Reading::parse_tsv(&String::from_utf8_lossy(&out));
                reading.tidy();
                Ok(reading)
            }
        }
    }

    /// OCR one planned page: its text and word boxes. A result that does not look like
    /// upright text is tried again with orientation detection (`--psm 1`), for pages
    /// scanned on their side.
    pub fn page(&self, pdf: &Path, dir: &Path, job: &OcrJob) -> Result<OcrPage, OcrError> {
        let whole_page = [0.0, 0.0, job.size.0, job.size.1];
        let (image, dpi, at) = match job.image {
            PageImage::Jpeg { at } if jpeg_path(dir, job.page).is_file() => (jpeg_path(dir, job.page), None, at),
            _ => (self.render(pdf, dir, job.page)?, Some(self.dpi), whole_page),
        };
        let first = self.recognise(&image, job.page, dpi, 3).map(|r| (r.text(), r));
        let result = match first {
            Ok((text, reading)) if !ocr_output_plausible(&text) => match self.recognise(&image, job.page, dpi, 1) {
                Ok(again) if quality(&again.text()).common > quality(&text).common => Ok((again.text(), again)),
                _ => Ok((text, reading)),
            },
            other => other,
        };
        let _ = std::fs::remove_file(&image);
        let (text, reading) = result?;
        Ok(OcrPage { text, geometry: reading.geometry(job.size, at) })
    }
}

/// The OCR of one page: its text, and where each of its words is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrPage {
    pub text: String,
    pub geometry: PageGeometry,
}

/// Complete a PDF's extraction: OCR the planned pages (in parallel on the current rayon
/// pool) and put their text and word boxes in place, marked [`PageSource::Ocr`].
pub fn complete(pdf: PdfText, pdf_path: &Path, dir: &Path, config: &Config) -> Result<Extracted, OcrError> {
    let PdfText { mut extracted, ocr } = pdf;
    if ocr.is_empty() {
        return Ok(extracted);
    }
    let engine = Engine::locate(config)?;
    let results: Vec<Result<OcrPage, OcrError>> = ocr.par_iter().map(|job| engine.page(pdf_path, dir, job)).collect();
    for (job, result) in ocr.iter().zip(results) {
        let OcrPage { text, geometry } = result?;
        if let Some(page) = extracted.pages.iter_mut().find(|p| p.number == job.page) {
            page.text = text;
            page.source = PageSource::Ocr;
            page.geometry = Some(geometry);
        }
    }
    Ok(extracted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_layers_are_usable() {
        assert!(text_layer_usable("Rapport om missförhållande i hemtjänsten.\nSida 2"));
        // An English OCR layer of Swedish text: damaged, but a text layer.
        let english_ocr = "Personalen pa boendet markte att dorren till forradet stod oppen och att nyckeln saknades. "
            .repeat(4);
        assert!(text_layer_usable(&english_ocr));
        assert!(text_layer_usable("Bilaga 3"));
    }

    #[test]
    fn empty_and_garbage_layers_are_not() {
        assert!(!text_layer_usable(""));
        assert!(!text_layer_usable(" \n\u{0C} 3 "));
        assert!(!text_layer_usable(&"\u{E001}\u{E002}\u{E03F} \u{FFFD}\u{FFFD} ".repeat(20)));
        // Glyph ids shifted by a font without a ToUnicode map: letters, but no words.
        let shifted = "Shuvrqdohq sä erhqghw pdunwh dww gruuhq wloo iruudghw vwrg rsshq ".repeat(5);
        assert!(!text_layer_usable(&shifted));
    }

    #[test]
    fn side_ways_ocr_output_is_implausible() {
        assert!(ocr_output_plausible("Personalen på boendet märkte att dörren stod öppen och att ingen var där."));
        assert!(ocr_output_plausible(""));
        assert!(!ocr_output_plausible(&"ee = Ro — ws ag ä Ps ak ER Sr mm nn Ta Hh ie BL ä ov ".repeat(2)));
        // A short page (a signature block) is not tried again.
        assert!(ocr_output_plausible("Umeå 2025-01-31 Enhetschef Socialförvaltningen"));
    }

    #[test]
    fn engine_not_found_names_the_packages() {
        let mut config = Config::default();
        config.ocr.tesseract = Some("/nonexistent/maskera-test/tesseract".into());
        let err = Engine::locate(&config).unwrap_err();
        assert_eq!(err, OcrError::EngineNotFound);
        assert_eq!(err.to_string(), "OCR engine not found: install tesseract-ocr and tesseract-ocr-swe");
    }

    /// A one-page document: `content` drawn with two fake JPEG images `/Im0` and `/Im1`.
    fn page_doc(content: &str, rotate: Option<i64>) -> (Document, lopdf::ObjectId) {
        use lopdf::{Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let jpeg = || {
            Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 10, "Height" => 14,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "DCTDecode" },
                vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xD9],
            )
        };
        let im0 = doc.add_object(jpeg());
        let im1 = doc.add_object(jpeg());
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
        let mut page = dictionary! {
            "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content_id, "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => im0, "Im1" => im1 } },
        };
        if let Some(r) = rotate {
            page.set("Rotate", r);
        }
        let page_id = doc.add_object(page);
        doc.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
        (doc, page_id)
    }

    fn plan_for(content: &str, rotate: Option<i64>, text: &str) -> (Option<OcrJob>, bool) {
        let (doc, page) = page_doc(content, rotate);
        let scan = super::super::pdf::scan_page(&doc, page);
        let dir = tempfile::tempdir().unwrap();
        let job = plan(&doc, 1, Some(text), &scan, Some(dir.path()), false);
        (job, jpeg_path(dir.path(), 1).is_file())
    }

    const FULL_PAGE: &str = "q 595 0 0 842 0 0 cm /Im0 Do Q";

    #[test]
    fn a_lone_upright_jpeg_goes_straight_to_ocr() {
        let (job, written) = plan_for(FULL_PAGE, None, "");
        assert_eq!(job, Some(OcrJob { page: 1, image: PageImage::Jpeg { at: [0.0, 0.0, 595.0, 842.0] }, size: (595.0, 842.0) }));
        assert!(written);
    }

    #[test]
    fn other_scans_are_rasterised() {
        let render = Some(OcrJob { page: 1, image: PageImage::Render, size: (595.0, 842.0) });
        // /Rotate, an image drawn turned, two images, a visible text stamp.
        let turned = Some(OcrJob { page: 1, image: PageImage::Render, size: (842.0, 595.0) });
        assert_eq!(plan_for(FULL_PAGE, Some(90), "").0, turned);
        assert_eq!(plan_for("q 0 595 -842 0 842 0 cm /Im0 Do Q", None, "").0, render);
        assert_eq!(plan_for("q 595 0 0 421 0 421 cm /Im0 Do Q q 595 0 0 421 0 0 cm /Im1 Do Q", None, "").0, render);
        let stamp = format!("{FULL_PAGE} BT /F1 9 Tf 500 20 Td (Sida 2) Tj ET");
        let (job, written) = plan_for(&stamp, None, "Sida 2");
        assert_eq!(job, render);
        assert!(!written);
    }

    #[test]
    fn text_layers_are_kept() {
        // An invisible OCR layer over a scan (3 Tr), even a short one, is a text layer.
        let ocr_layer = format!("{FULL_PAGE} BT 3 Tr /F1 9 Tf 50 700 Td (Bilaga 2 sid 1) Tj ET");
        assert_eq!(plan_for(&ocr_layer, None, "Bilaga 2 sid 1").0, None);
        // A born-digital page, and a blank one.
        assert_eq!(plan_for("BT /F1 9 Tf 50 700 Td (Beslut) Tj ET", None, "Beslut i ärendet").0, None);
        assert_eq!(plan_for("", None, "").0, None);
    }

    #[test]
    fn placement_checks() {
        assert!(upright(&[595.0, 0.0, 0.0, 842.0, 0.0, 0.0]));
        assert!(!upright(&[0.0, 595.0, -842.0, 0.0, 842.0, 0.0]));
        assert!(!upright(&[595.0, 0.0, 0.0, -842.0, 0.0, 842.0]));
        assert!((coverage(&[595.0, 0.0, 0.0, 842.0, 0.0, 0.0], 595.0 * 842.0) - 1.0).abs() < 1e-6);
        // An image over the lower half of a page whose box starts at (10, 20): measured
        // from the top-left of the box, y down.
        let page_box = [10.0, 20.0, 605.0, 862.0];
        assert_eq!(placed(&[595.0, 0.0, 0.0, 421.0, 10.0, 20.0], &page_box), [0.0, 421.0, 595.0, 842.0]);
        let scan = PageScan { page_box, rotate: 270, ..PageScan::default() };
        assert_eq!(displayed_size(&scan), (842.0, 595.0));
    }
}
