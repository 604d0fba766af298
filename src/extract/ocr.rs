//! OCR with the `tesseract` command: pages without a usable text layer, and scans whose own
//! OCR layer is read again (`[ocr] reocr`, see [`plan`] and `docs/ocr.md`).
//!
//! The work is split between the two processes of an extraction:
//! - the isolated extraction child ([`super::isolate`]) reads each page's text layer, judges
//!   it ([`text_layer_usable`], the damage measure) and plans OCR for the document ([`plan`]:
//!   which pages, and why — [`Reason`]). When a page is one upright embedded JPEG (DCTDecode)
//!   and nothing else, the child writes the JPEG's bytes to the private work folder, to go to
//!   Tesseract unchanged;
//! - the parent ([`complete`]) runs the plan: it rasterises the other pages with `pdftoppm`
//!   (which applies `/Rotate`, and draws every image and mark of the page; a scan at its own
//!   resolution), then runs `tesseract <image> stdout -l swe tsv` on each page, pages in
//!   parallel on the batch's rayon pool and each call held to one thread
//!   (`OMP_THREAD_LIMIT=1`), under a time limit and the same memory cap as the extraction
//!   child. [`Reading`] turns the TSV into the page text and its word boxes.
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

use super::{PageScan, PdfText};
use crate::config::{OcrSettings, ReocrMode};
use crate::document::{Extracted, PageSource};
use crate::normalize::ocr::Damage;

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
    pub reason: Reason,
}

/// How the image of a page is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageImage {
    /// The page's embedded JPEG, written by the extraction child as `page-<n>.jpg`, drawn
    /// over `at` = `[x0, y0, x1, y1]` (points from the page's top-left corner, y down).
    Jpeg { at: [f32; 4] },
    /// Rasterise the page with pdftoppm (the image is the whole displayed page): at
    /// `scan_dpi` when the page is a scan (the scan's own pixels; Tesseract estimates the
    /// text size itself, as for a JPEG), else at `[ocr] dpi`.
    Render { scan_dpi: Option<f32> },
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
    #[error(
        "OCR read no text on page {page} (a blank, turned or very small page image?); check the scan"
    )]
    Unreadable { page: u32 },
    #[error("cannot use the temporary folder for page images: {0}")]
    TempDir(String),
    #[error("the OCR engine did not answer within {0} s (an overloaded machine?); run again")]
    EngineSlow(u64),
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
    Quality {
        alnum,
        words,
        ordinary: if total == 0 { 0.0 } else { ord as f32 / total as f32 },
        common,
    }
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
    q.alnum < MIN_ALNUM
        || (q.ordinary >= MIN_ORDINARY && (q.words < 20 || q.common * 20 >= q.words))
}

/// Why a page is OCR'd. A further reason to read a page afresh (say, a text layer that
/// disagrees with the glyphs drawn) is one more variant, decided in [`plan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// The page has no usable text layer: OCR gives it its only text.
    NoText,
    /// A scan under an invisible OCR text layer that is read again (`[ocr] reocr`). The
    /// layer stays the page's text when OCR is not installed or cannot read the page.
    Reocr,
}

/// One page as the extraction child read it: its text layer (`None`: unreadable) and what
/// its content stream draws.
pub struct LayerPage<'a> {
    pub number: u32,
    pub text: Option<&'a str>,
    pub scan: &'a PageScan,
}

/// Decide which pages of a document need OCR, why, and from which image. Runs in the
/// extraction child; with `images`, passed-through JPEGs are written there.
///
/// - A page without a usable text layer is OCR'd ([`Reason::NoText`]).
/// - A scan under an invisible text layer (an OCR layer) is read again by `reocr`:
///   `always`; `auto` when the layer shows the damage of an engine without Swedish
///   ([`Damage::is_damaged`]), and, in a document with such a page, also its other scanned
///   pages with (almost) no å/ä/ö (short pages and tables give too little evidence alone,
///   but come from the same engine); `never` not at all.
pub fn plan(
    doc: &Document,
    pages: &[LayerPage],
    images: Option<&Path>,
    reocr: ReocrMode,
) -> Vec<OcrJob> {
    let mut reasons: Vec<Option<Reason>> = Vec::with_capacity(pages.len());
    let mut layers: Vec<Option<Damage>> = Vec::with_capacity(pages.len());
    for p in pages {
        let scanned = p.scan.images.iter().any(|(_, m)| coverage(m, p.scan.area) >= 0.5);
        let ocr = needs_ocr(p.text, p.scan, scanned);
        reasons.push(ocr.then_some(Reason::NoText));
        // An OCR layer over a scan: no visible text, a page-filling image.
        let layer = match p.text {
            Some(t) if !ocr && scanned && !p.scan.visible_text && reocr != ReocrMode::Never => {
                Some(Damage::measure(t))
            }
            _ => None,
        };
        layers.push(layer);
    }
    let any_damaged = layers.iter().flatten().any(Damage::is_damaged);
    for (reason, layer) in reasons.iter_mut().zip(&layers) {
        let again = match (reocr, layer) {
            (_, None) | (ReocrMode::Never, _) => false,
            (ReocrMode::Always, Some(_)) => true,
            (ReocrMode::Auto, Some(d)) => d.is_damaged() || (any_damaged && d.is_undecided()),
        };
        if again {
            *reason = Some(Reason::Reocr);
        }
    }
    pages
        .iter()
        .zip(reasons)
        .filter_map(|(p, reason)| reason.map(|r| job(doc, p.number, p.scan, images, r)))
        .collect()
}

/// Whether a page's text layer leaves it without text that can be used.
fn needs_ocr(text: Option<&str>, scan: &PageScan, scanned: bool) -> bool {
    match text {
        None => true,
        Some(t) if !text_layer_usable(t) => {
            // Nothing drawn at all: a blank page, nothing to read.
            !(scan.images.is_empty() && !scan.other_marks && !scan.visible_text && !scan.unreadable)
        }
        // A scan with a small visible stamp: the stamp is the whole text layer.
        Some(t) => scanned && scan.visible_text && quality(t).alnum < STAMP_MAX_ALNUM,
    }
}

/// The OCR job of one page: the embedded JPEG when the page is that JPEG and nothing
/// else, else a rendering — at the scan's own resolution when the page is a scan.
fn job(
    doc: &Document,
    page: u32,
    scan: &PageScan,
    images: Option<&Path>,
    reason: Reason,
) -> OcrJob {
    let page_images: Vec<_> =
        scan.images.iter().filter(|(_, m)| coverage(m, scan.area) >= 0.5).collect();
    let jpeg_alone = scan.rotate == 0
        && !scan.visible_text
        && !scan.other_marks
        && !scan.unreadable
        && scan.images.len() == 1
        && page_images.len() == 1
        && upright(&scan.images[0].1);
    let size = displayed_size(scan);
    let render = PageImage::Render { scan_dpi: scan_resolution(doc, &page_images, size) };
    let image = match (jpeg_alone, images) {
        (true, Some(dir)) => match jpeg_bytes(doc, scan.images[0].0) {
            Some(bytes) if write_private(&jpeg_path(dir, page), bytes).is_ok() => {
                PageImage::Jpeg { at: placed(&scan.images[0].1, &scan.page_box) }
            }
            _ => render,
        },
        _ => render,
    };
    OcrJob { page, image, size, reason }
}

/// Most pixels a rendering of one page may have (about A4 at 600 dpi).
const MAX_RENDER_PIXELS: f32 = 36e6;

/// The resolution (dots per inch of the page) at which rendering a scanned page gives the
/// pixels of its largest page-filling image — neither blurred nor blown up, as if the
/// image went to OCR itself. `None` when the page has no such image.
fn scan_resolution(
    doc: &Document,
    page_images: &[&(lopdf::ObjectId, [f32; 6])],
    size: (f32, f32),
) -> Option<f32> {
    let (id, m) = page_images.iter().max_by(|a, b| area(&a.1).total_cmp(&area(&b.1)))?;
    let dict = &doc.get_object(*id).ok()?.as_stream().ok()?.dict;
    let px = |k: &[u8]| {
        dict.get(k).ok().and_then(|o| o.as_i64().ok()).filter(|v| *v > 0).map(|v| v as f32)
    };
    let (w, h) = (px(b"Width")?, px(b"Height")?);
    // The lengths of the image's edges on the page, in points.
    let (ew, eh) = (m[0].hypot(m[1]), m[2].hypot(m[3]));
    if ew < 1.0 || eh < 1.0 {
        return None;
    }
    let dpi = (w * 72.0 / ew).max(h * 72.0 / eh);
    let cap = (MAX_RENDER_PIXELS / (size.0 * size.1).max(1.0)).sqrt() * 72.0;
    Some(dpi.min(cap).clamp(50.0, 1200.0))
}

/// The area an image drawn with matrix `m` covers, in square points.
fn area(m: &[f32; 6]) -> f32 {
    (m[0] * m[3] - m[1] * m[2]).abs()
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
    if page_area <= 0.0 { 0.0 } else { area(m) / page_area }
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
        && dct_parms_harmless(doc, d);
    let bytes = stream.content.as_slice();
    (filter_ok && colour_ok && plain && bytes.starts_with(&[0xFF, 0xD8])).then_some(bytes)
}

/// Whether an image's `DecodeParms` leave its JPEG bytes as a JPEG reader decodes them. The
/// only parameter of DCTDecode is `ColorTransform`, which overrides the colour transform a
/// reader infers for a colour JPEG; other keys (Tesseract's own PDF writer adds the
/// predictor keys of Flate, `Predictor 1`, `Colors`, `Columns`) mean nothing to DCTDecode.
fn dct_parms_harmless(doc: &Document, d: &lopdf::Dictionary) -> bool {
    let Ok(parms) = d.get_deref(b"DecodeParms", doc) else { return true };
    let parms = match parms {
        lopdf::Object::Dictionary(p) => p,
        lopdf::Object::Array(a) if a.len() == 1 => match doc.dereference(&a[0]) {
            Ok((_, lopdf::Object::Dictionary(p))) => p,
            Ok((_, lopdf::Object::Null)) => return true,
            _ => return false,
        },
        lopdf::Object::Null => return true,
        _ => return false,
    };
    let grey = matches!(d.get(b"ColorSpace"), Ok(lopdf::Object::Name(n)) if n == b"DeviceGray");
    grey || parms.get(b"ColorTransform").is_err()
}

fn jpeg_path(dir: &Path, page: u32) -> PathBuf {
    dir.join(format!("page-{page}.jpg"))
}

/// Write a page image into its document's private folder, made (mode 0700) on first use.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::fsutil::create_dir(dir, crate::fsutil::Access::Private)?;
    }
    std::fs::write(path, bytes)
}

/// Where a helper program is: the configured path, else the environment variable, else
/// the bare name (looked up on `PATH`).
/// The Tesseract program of `[ocr]`, found as extraction finds it (also for the masked
/// copy's OCR calls).
pub(crate) fn tesseract_program(ocr: &crate::config::Ocr) -> PathBuf {
    program(ocr.tesseract.as_deref(), "MASKERA_TESSERACT", "tesseract")
}

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
    super::child::cap_memory(&mut cmd, memory_mib);
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

/// Engines probed so far: (program, language) → whether it can be used.
type Probes = BTreeMap<(PathBuf, String), Result<(), OcrError>>;

/// Probed engines, probed once per process; a probe that timed out is not kept (a loaded
/// moment must not decide the rest of the run).
static PROBED: LazyLock<Mutex<Probes>> = LazyLock::new(Default::default);

/// How long `tesseract --list-langs` may take.
const PROBE_SECONDS: u64 = 60;

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
    pub fn locate(settings: &OcrSettings) -> Result<Engine, OcrError> {
        let o = &settings.ocr;
        let engine = Engine {
            tesseract: tesseract_program(o),
            pdftoppm: program(o.pdftoppm.as_deref(), "MASKERA_PDFTOPPM", "pdftoppm"),
            language: o.language.clone(),
            dpi: o.dpi,
            seconds: o.seconds_per_page,
            memory_mib: settings.max_memory_mib,
        };
        let key = (engine.tesseract.clone(), engine.language.clone());
        let mut probed = PROBED.lock().unwrap_or_else(|e| e.into_inner());
        let result = match probed.get(&key) {
            Some(known) => known.clone(),
            None => {
                let fresh = engine.probe();
                if fresh != Err(OcrError::EngineSlow(PROBE_SECONDS)) {
                    probed.insert(key, fresh.clone());
                }
                fresh
            }
        };
        result.map(|()| engine)
    }

    fn probe(&self) -> Result<(), OcrError> {
        let mut cmd = Command::new(&self.tesseract);
        cmd.arg("--list-langs");
        match run_limited(cmd, PROBE_SECONDS, self.memory_mib) {
            Ok(Finished::Done(status, out)) if status.success() => {
                let out = String::from_utf8_lossy(&out);
                let wanted: Vec<&str> = self.language.split('+').collect();
                match wanted.iter().find(|l| !out.lines().any(|line| line.trim() == **l)) {
                    Some(missing) => Err(OcrError::LanguageMissing(missing.to_string())),
                    None => Ok(()),
                }
            }
            Ok(Finished::TimedOut) => Err(OcrError::EngineSlow(PROBE_SECONDS)),
            _ => Err(OcrError::EngineNotFound),
        }
    }

    /// Rasterise one page to a greyscale PGM in `dir`, at `dpi`.
    fn render(&self, pdf: &Path, dir: &Path, page: u32, dpi: f32) -> Result<PathBuf, OcrError> {
        let base = dir.join(format!("page-{page}"));
        let mut cmd = Command::new(&self.pdftoppm);
        cmd.arg("-r").arg(format!("{dpi:.2}")).arg("-gray").arg("-singlefile");
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
                if out.is_file() {
                    Ok(out)
                } else {
                    Err(OcrError::Render { page, reason: "no image written".into() })
                }
            }
        }
    }

    /// OCR one image with the given page segmentation mode: Tesseract's TSV output (words
    /// with boxes), tidied (see [`Reading::tidy`]).
    fn recognise(
        &self,
        image: &Path,
        page: u32,
        dpi: Option<u32>,
        psm: u8,
    ) -> Result<Reading, OcrError> {
        let mut cmd = Command::new(&self.tesseract);
        cmd.arg(image)
            .arg("stdout")
            .arg("-l")
            .arg(&self.language)
            .arg("--psm")
            .arg(psm.to_string());
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

    /// OCR one planned page: what Tesseract read, and where the image lies on the page
    /// (`[x0, y0, x1, y1]`, points from the top-left). A result that does not look like
    /// upright text is tried again with orientation detection (`--psm 1`), for pages scanned
    /// on their side; a page on which nothing can be read is [`OcrError::Unreadable`].
    pub fn read(
        &self,
        pdf: &Path,
        dir: &Path,
        job: &OcrJob,
    ) -> Result<(Reading, [f32; 4]), OcrError> {
        let whole_page = [0.0, 0.0, job.size.0, job.size.1];
        let (image, dpi, at) = match job.image {
            PageImage::Jpeg { at } if jpeg_path(dir, job.page).is_file() => {
                (jpeg_path(dir, job.page), None, at)
            }
            PageImage::Render { scan_dpi: Some(d) } => {
                (self.render(pdf, dir, job.page, d)?, None, whole_page)
            }
            _ => (self.render(pdf, dir, job.page, self.dpi as f32)?, Some(self.dpi), whole_page),
        };
        let first = self.recognise(&image, job.page, dpi, 3);
        let result = match first {
            // A failed second reading (time limit, crash) fails the page: falling back to
            // the first reading would make the output depend on how loaded the machine was.
            Ok(reading) if !ocr_output_plausible(&reading.text()) => {
                match self.recognise(&image, job.page, dpi, 1) {
                    Ok(again)
                        if quality(&again.text()).common > quality(&reading.text()).common =>
                    {
                        Ok(again)
                    }
                    Ok(_) => Ok(reading),
                    Err(e) => Err(e),
                }
            }
            other => other,
        };
        let _ = std::fs::remove_file(&image);
        let reading = result?;
        if quality(&reading.text()).alnum < MIN_ALNUM {
            return Err(OcrError::Unreadable { page: job.page });
        }
        Ok((reading, at))
    }
}

/// Complete a PDF's extraction: OCR the planned pages (in parallel on the current rayon
/// pool) and put their text and word boxes in place, marked [`PageSource::Ocr`].
///
/// A page OCR'd for want of a text layer fails the document when OCR fails on it. A page
/// read again ([`Reason::Reocr`]) keeps its text layer when Tesseract is not installed,
/// fails on it, or reads clearly less of it than the layer holds; each such case is noted in
/// [`crate::document::Page::ocr_note`] (reasons only, never text). A re-OCR'd page keeps its
/// replaced layer in [`crate::document::Page::layer`].
pub fn complete(
    pdf: PdfText,
    pdf_path: &Path,
    dir: &Path,
    settings: &OcrSettings,
) -> Result<Extracted, OcrError> {
    let PdfText { mut extracted, ocr } = pdf;
    if ocr.is_empty() {
        return Ok(extracted);
    }
    let engine = match Engine::locate(settings) {
        Ok(engine) => engine,
        Err(e)
            if e != OcrError::EngineSlow(PROBE_SECONDS)
                && ocr.iter().all(|j| j.reason == Reason::Reocr) =>
        {
            for page in
                extracted.pages.iter_mut().filter(|p| ocr.iter().any(|j| j.page == p.number))
            {
                page.ocr_note =
                    Some(format!("re-OCR skipped ({e}); the text layer was repaired instead"));
            }
            return Ok(extracted);
        }
        Err(e) => return Err(e),
    };
    crate::fsutil::create_dir(dir, crate::fsutil::Access::Private)
        .map_err(|e| OcrError::TempDir(e.kind().to_string()))?;
    let results: Vec<_> = ocr.par_iter().map(|job| engine.read(pdf_path, dir, job)).collect();
    for (job, result) in ocr.iter().zip(results) {
        let Some(page) = extracted.pages.iter_mut().find(|p| p.number == job.page) else {
            continue;
        };
        let (mut reading, at) = match (job.reason, result) {
            (_, Ok(r)) => r,
            (Reason::NoText, Err(e)) => return Err(e),
            (Reason::Reocr, Err(e)) => {
                page.ocr_note = Some(format!("re-OCR failed ({e}); the text layer was kept"));
                continue;
            }
        };
        if job.reason == Reason::Reocr {
            if quality(&reading.text()).common * 2 < quality(&page.text).common {
                page.ocr_note = Some(
                    "re-OCR read fewer words than the text layer holds; the layer was kept".into(),
                );
                continue;
            }
            reading.take_from_layer(&page.text);
            page.layer = Some(std::mem::take(&mut page.text));
        }
        page.text = reading.text();
        page.geometry = Some(reading.geometry(job.size, at));
        page.source = PageSource::Ocr;
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
        assert!(ocr_output_plausible(
            "Personalen på boendet märkte att dörren stod öppen och att ingen var där."
        ));
        assert!(ocr_output_plausible(""));
        assert!(!ocr_output_plausible(
            &"ee = Ro — ws ag ä Ps ak ER Sr mm nn Ta Hh ie BL ä ov ".repeat(2)
        ));
        // A short page (a signature block) is not tried again.
        assert!(ocr_output_plausible("Umeå 2025-01-31 Enhetschef Socialförvaltningen"));
    }

    #[test]
    fn engine_not_found_names_the_packages() {
        let mut settings = OcrSettings::default();
        settings.ocr.tesseract = Some("/nonexistent/maskera-test/tesseract".into());
        let err = Engine::locate(&settings).unwrap_err();
        assert_eq!(err, OcrError::EngineNotFound);
        assert_eq!(
            err.to_string(),
            "OCR engine not found: install tesseract-ocr and tesseract-ocr-swe"
        );
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
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        (doc, page_id)
    }

    fn plan_mode(
        content: &str,
        rotate: Option<i64>,
        text: &str,
        mode: ReocrMode,
    ) -> (Option<OcrJob>, bool) {
        let (doc, page) = page_doc(content, rotate);
        let scan = super::super::pdf::scan_page(&doc, page);
        let dir = tempfile::tempdir().unwrap();
        let pages = [LayerPage { number: 1, text: Some(text), scan: &scan }];
        let mut jobs = plan(&doc, &pages, Some(dir.path()), mode);
        assert!(jobs.len() <= 1);
        (jobs.pop(), jpeg_path(dir.path(), 1).is_file())
    }

    fn plan_for(content: &str, rotate: Option<i64>, text: &str) -> (Option<OcrJob>, bool) {
        plan_mode(content, rotate, text, ReocrMode::Auto)
    }

    const FULL_PAGE: &str = "q 595 0 0 842 0 0 cm /Im0 Do Q";
    const A4: (f32, f32) = (595.0, 842.0);

    #[test]
    fn a_lone_upright_jpeg_goes_straight_to_ocr() {
        let (job, written) = plan_for(FULL_PAGE, None, "");
        let jpeg = PageImage::Jpeg { at: [0.0, 0.0, 595.0, 842.0] };
        assert_eq!(job, Some(OcrJob { page: 1, image: jpeg, size: A4, reason: Reason::NoText }));
        assert!(written);
    }

    #[test]
    fn tesseracts_own_decode_parms_still_pass_the_jpeg_through() {
        let (mut doc, page) = page_doc(FULL_PAGE, None);
        let id = super::super::pdf::scan_page(&doc, page).images[0].0;
        let mut set = |key: &str, value: lopdf::Object| {
            doc.get_object_mut(id).unwrap().as_stream_mut().unwrap().dict.set(key, value);
        };
        // What Tesseract's PDF writer adds: Flate's predictor keys, meaningless to DCTDecode.
        set(
            "DecodeParms",
            lopdf::dictionary! { "Predictor" => 1, "Colors" => 1, "Columns" => 10 }.into(),
        );
        assert!(jpeg_bytes(&doc, id).is_some());
        // A colour transform the JPEG bytes alone would not tell.
        let mut set = |key: &str, value: lopdf::Object| {
            doc.get_object_mut(id).unwrap().as_stream_mut().unwrap().dict.set(key, value);
        };
        set("ColorSpace", "DeviceRGB".into());
        set("DecodeParms", lopdf::dictionary! { "ColorTransform" => 0 }.into());
        assert!(jpeg_bytes(&doc, id).is_none());
    }

    #[test]
    fn other_scans_are_rasterised_at_the_scans_resolution() {
        // The test images are 10 × 14 pixels: far below 50 dpi over a page, so 50.
        let image = PageImage::Render { scan_dpi: Some(50.0) };
        let render = Some(OcrJob { page: 1, image, size: A4, reason: Reason::NoText });
        // /Rotate, an image drawn turned, two images, a visible text stamp.
        let turned = Some(OcrJob { page: 1, image, size: (842.0, 595.0), reason: Reason::NoText });
        assert_eq!(plan_for(FULL_PAGE, Some(90), "").0, turned);
        assert_eq!(plan_for("q 0 595 -842 0 842 0 cm /Im0 Do Q", None, "").0, render);
        let halves = "q 595 0 0 421 0 421 cm /Im0 Do Q q 595 0 0 421 0 0 cm /Im1 Do Q";
        assert_eq!(plan_for(halves, None, "").0, render);
        let stamp = format!("{FULL_PAGE} BT /F1 9 Tf 500 20 Td (Sida 2) Tj ET");
        let (job, written) = plan_for(&stamp, None, "Sida 2");
        assert_eq!(job, render);
        assert!(!written);
        // A page without a scan (vector drawing, unreadable text) renders at [ocr] dpi.
        let vector = plan_for("0 0 m 100 100 l S", None, "").0.unwrap();
        assert_eq!(vector.image, PageImage::Render { scan_dpi: None });
    }

    #[test]
    fn scan_resolution_is_the_images_own() {
        let (doc, page) = page_doc(FULL_PAGE, None);
        let scan = super::super::pdf::scan_page(&doc, page);
        let images: Vec<_> = scan.images.iter().collect();
        // 10 px over 595 pt is 1.2 dpi: clamped to the least that is rendered.
        assert_eq!(scan_resolution(&doc, &images, A4), Some(50.0));
        let mut doc = doc;
        let id = scan.images[0].0;
        let dict = &mut doc.get_object_mut(id).unwrap().as_stream_mut().unwrap().dict;
        dict.set("Width", 1653);
        dict.set("Height", 2339);
        let dpi = scan_resolution(&doc, &images, A4).unwrap();
        assert!((dpi - 200.0).abs() < 0.1, "{dpi}");
    }

    /// An English-engine OCR layer of Swedish text (no å/ä/ö, `ar`, `pa`, `for`).
    const DAMAGED: &str = "Handelsen ar utredd och det ar klart att personalen inte foljde rutinen for \
        hantering av lakemedel pa boendet. Atgarder har vidtagits och arendet ar avslutat.";
    /// A good English OCR layer of English text.
    const ENGLISH: &str = "The staff noticed that the door to the storeroom was open and that the key \
        was missing. The incident was reported on the same evening and measures were taken.";

    #[test]
    fn reocr_modes_choose_scans_under_an_ocr_layer() {
        let layered = format!("{FULL_PAGE} BT 3 Tr /F1 9 Tf 50 700 Td (x) Tj ET");
        let reocr = |text: &str, mode| plan_mode(&layered, None, text, mode).0.map(|j| j.reason);
        assert_eq!(reocr(DAMAGED, ReocrMode::Auto), Some(Reason::Reocr));
        assert_eq!(reocr(ENGLISH, ReocrMode::Auto), None, "a good layer is left alone");
        assert_eq!(reocr(ENGLISH, ReocrMode::Always), Some(Reason::Reocr));
        assert_eq!(reocr(DAMAGED, ReocrMode::Never), None);
        // Born-digital text over an image is never read again.
        let visible = format!("{FULL_PAGE} BT /F1 9 Tf 50 700 Td (x) Tj ET");
        assert_eq!(plan_mode(&visible, None, DAMAGED, ReocrMode::Always).0, None);
    }

    #[test]
    fn in_a_damaged_document_scans_without_swedish_letters_are_read_again() {
        let layered = format!("{FULL_PAGE} BT 3 Tr /F1 9 Tf 50 700 Td (x) Tj ET");
        let (doc, page) = page_doc(&layered, None);
        let scan = super::super::pdf::scan_page(&doc, page);
        let short = "Bilaga 1 Kontaktuppgifter";
        let pages = |first: &'static str| {
            [
                LayerPage { number: 1, text: Some(first), scan: &scan },
                LayerPage { number: 2, text: Some(short), scan: &scan },
            ]
        };
        let jobs = plan(&doc, &pages(DAMAGED), None, ReocrMode::Auto);
        assert_eq!(
            jobs.iter().map(|j| (j.page, j.reason)).collect::<Vec<_>>(),
            [(1, Reason::Reocr), (2, Reason::Reocr)]
        );
        assert!(plan(&doc, &pages(ENGLISH), None, ReocrMode::Auto).is_empty());
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
        assert_eq!(
            placed(&[595.0, 0.0, 0.0, 421.0, 10.0, 20.0], &page_box),
            [0.0, 421.0, 595.0, 842.0]
        );
        let scan = PageScan { page_box, rotate: 270, ..PageScan::default() };
        assert_eq!(displayed_size(&scan), (842.0, 595.0));
    }
}
