//! Page images and glyph positions of a source PDF, made in an isolated process.
//!
//! `hayro` renders each page's content stream (annotations and form fields are left out:
//! what the copy shows is what extraction read) and `hayro-interpret` hands every glyph
//! run, visible or invisible (OCR text layers), to a device that keeps each glyph's
//! Unicode and box. A page that is one upright embedded JPEG (a scan) is rendered at the
//! scan's own resolution, and its JPEG is kept (without metadata segments) so that a page
//! with nothing masked goes into the copy unchanged.
//!
//! Like extraction ([`crate::extract::isolate`]), the work runs in a child process of this
//! executable (`__render`) under the memory cap and time limit: a renderer that panics,
//! loops or runs out of memory on a hostile file costs that one document. The child
//! writes each page's pixels to the document's private work folder and prints the page
//! descriptions as one JSON line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hayro::hayro_interpret::font::GlyphRun;
use hayro::hayro_interpret::hayro_cmap::BfString;
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps,
    InterpreterCache, InterpreterSettings, InterpreterWarning, RenderContent, SoftMask,
    interpret_page,
};
use hayro::hayro_syntax::Pdf;
use hayro::kurbo::{Affine, BezPath, Point, Rect};
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use super::CopyError;

/// One glyph of a page: its text and box, in points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glyph {
    pub text: String,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    /// Drawn invisibly (text render mode 3: the text layer an OCR engine laid over a scan,
    /// whose glyph widths are the engine's estimate).
    #[serde(default)]
    pub invisible: bool,
}

/// A page's embedded scan, kept as it is for a page with nothing masked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scan {
    /// Where the JPEG is drawn, in points from the top-left corner: x0, y0, x1, y1.
    pub rect: [f32; 4],
    pub width_px: u32,
    pub height_px: u32,
    /// 1 (gray) or 3 (RGB).
    pub components: u8,
    /// The JPEG without comment and application segments (EXIF, XMP …).
    #[serde(skip)]
    pub jpeg: Vec<u8>,
}

/// One page rendered: its size, its pixels and its glyphs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageRaster {
    /// 1-based.
    pub number: u32,
    /// The page as displayed (after `/Rotate`), in points.
    pub width_pt: f32,
    pub height_pt: f32,
    pub width_px: u32,
    pub height_px: u32,
    /// Bytes per pixel: 1 (the page has no colour) or 3 (RGB).
    pub channels: u8,
    pub scan: Option<Scan>,
    pub glyphs: Vec<Glyph>,
    /// Row-major, `channels` bytes per pixel.
    #[serde(skip)]
    pub pixels: Vec<u8>,
}

impl PageRaster {
    /// Pixels per point, across and down.
    pub fn scale(&self) -> (f32, f32) {
        (self.width_px as f32 / self.width_pt, self.height_px as f32 / self.height_pt)
    }
}

/// Most pixels one page may have (a 600 dpi A3 page has 35 million).
const MAX_PAGE_PIXELS: u64 = 40_000_000;
/// Highest resolution a scan is kept at; a finer scan is rendered at this.
const MAX_SCAN_DPI: f32 = 600.0;

/// Collects glyphs (with their Unicode) and counts what else a page draws.
struct Collector {
    /// Flips PDF user space (y up, after the page's own transform) to top-left, y down.
    glyphs: Vec<Glyph>,
    images: Vec<(u32, u32, Affine)>,
    visible_glyphs: bool,
    paths: bool,
}

impl Device<'_> for Collector {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'_>, _: &DrawMode) {
        self.paths = true;
    }
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'_>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, '_>, props: DrawProps<'_>, mode: &DrawMode) {
        let invisible = matches!(mode, DrawMode::Invisible);
        self.visible_glyphs |= !invisible;
        let glyphs = run.glyphs();
        let transforms: Vec<Affine> =
            glyphs.iter().map(|g| props.transform * g.transform()).collect();
        // The real advance of a glyph is where the next one starts (text layers made by OCR
        // engines stretch a glyphless font to the word's width; kerning and word spacing
        // show there too); the last glyph of a run gets the run's widest.
        let next_origin: Vec<Option<f64>> = (0..glyphs.len())
            .map(|i| {
                let next = *transforms.get(i + 1)? * Point::ZERO;
                let local = transforms[i].inverse() * next;
                (local.y.abs() < 100.0 && local.x > 0.0 && local.x < 3000.0).then_some(local.x)
            })
            .collect();
        let widest = next_origin.iter().flatten().copied().fold(0.0f64, f64::max);
        for (i, g) in glyphs.iter().enumerate() {
            let text = match g.as_unicode() {
                Some(BfString::Char(c)) => c.to_string(),
                Some(BfString::String(s)) => s,
                None => "\u{FFFD}".to_string(),
            };
            let advance = match &**g {
                hayro::hayro_interpret::font::Glyph::Outline(o) => o.advance_width(),
                hayro::hayro_interpret::font::Glyph::Type3(t) => t.advance_width(),
            };
            let advance = advance.filter(|a| a.is_finite() && *a > 0.0).unwrap_or(500.0) as f64;
            let real = if i + 1 == glyphs.len() { widest } else { next_origin[i].unwrap_or(0.0) };
            let advance = advance.max(real);
            // Glyph space is 1000 units per em: the em box from below the descenders to
            // above the ring of an Å, across the advance.
            let t = transforms[i];
            let corners = [(0.0, -250.0), (advance, -250.0), (0.0, 950.0), (advance, 950.0)]
                .map(|(x, y)| t * Point::new(x, y));
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for p in corners {
                x0 = x0.min(p.x);
                y0 = y0.min(p.y);
                x1 = x1.max(p.x);
                y1 = y1.max(p.y);
            }
            if [x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
                self.glyphs.push(Glyph {
                    text,
                    x0: x0 as f32,
                    y0: y0 as f32,
                    x1: x1 as f32,
                    y1: y1 as f32,
                    invisible,
                });
            }
        }
    }
    fn draw_image(&mut self, image: Image<'_, '_>, props: ImageDrawProps<'_>) {
        self.images.push((image.width(), image.height(), props.transform));
    }
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// Render every page of a PDF: pages that are not a scan at `dpi`, scans at their own
/// resolution. Only for the `__render` child and tests: a hostile file can take the
/// calling process down.
pub fn rasterize_in_process(
    bytes: &[u8],
    dpi: u32,
    max_pages: u32,
) -> Result<Vec<PageRaster>, CopyError> {
    // A file whose cross-reference table is broken gets the table extraction rebuilds.
    let pdf = match Pdf::new(bytes.to_vec()) {
        Ok(pdf) => pdf,
        Err(_) => crate::extract::pdf::rebuild_xref(bytes)
            .and_then(|repaired| Pdf::new(repaired).ok())
            .ok_or(CopyError::Unreadable)?,
    };
    let pages = pdf.pages();
    if pages.len() as u64 > max_pages as u64 {
        return Err(CopyError::TooManyPages);
    }
    let failed = Arc::new(AtomicBool::new(false));
    let flag = failed.clone();
    let settings = InterpreterSettings {
        warning_sink: Arc::new(move |w| {
            if matches!(
                w,
                InterpreterWarning::UnsupportedFont | InterpreterWarning::ImageDecodeFailure
            ) {
                flag.store(true, Ordering::Relaxed);
            }
        }),
        render_content: RenderContent::PAGE,
        ..Default::default()
    };
    let cache = hayro::RenderCache::new();
    let mut lopdf_doc: Option<Option<lopdf::Document>> = None;
    let mut out = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        let number = i as u32 + 1;
        failed.store(false, Ordering::Relaxed);
        let (w, h) = page.render_dimensions();
        if !(w.is_finite()
            && h.is_finite()
            && w >= 1.0
            && h >= 1.0
            && w <= 14_400.0
            && h <= 14_400.0)
        {
            return Err(CopyError::Page {
                page: number,
                reason: "the page has no usable size".into(),
            });
        }
        // Glyphs and images in top-left points.
        let icache = InterpreterCache::new();
        let mut ctx = Context::new(
            page.initial_transform(true).to_kurbo(),
            Rect::new(0.0, 0.0, w as f64, h as f64),
            &icache,
            pdf.xref(),
            settings.clone(),
        );
        let mut c = Collector {
            glyphs: Vec::new(),
            images: Vec::new(),
            visible_glyphs: false,
            paths: false,
        };
        let collected = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            interpret_page(page, &mut ctx, &mut c)
        }));
        if collected.is_err() {
            return Err(CopyError::Page {
                page: number,
                reason: "its content could not be read".into(),
            });
        }
        let mut scale = dpi as f32 / 72.0;
        let mut scan = None;
        if let [(iw, ih, t)] = c.images[..] {
            // hayro hands images over with a transform from image pixels.
            let r = t.transform_rect_bbox(Rect::new(0.0, 0.0, iw as f64, ih as f64));
            let covers = (r.width() * r.height()) as f32 >= 0.9 * w * h;
            let [a, b, cc, d, _, _] = t.as_coeffs();
            let upright = b.abs() < 1e-6 && cc.abs() < 1e-6 && a > 0.0 && d != 0.0;
            if covers && upright && r.width() > 0.0 {
                let own = iw as f32 / r.width() as f32;
                scale = own.min(MAX_SCAN_DPI / 72.0);
                if !c.visible_glyphs && !c.paths && own <= MAX_SCAN_DPI / 72.0 {
                    let doc =
                        lopdf_doc.get_or_insert_with(|| crate::extract::pdf::load(bytes).ok());
                    scan =
                        doc.as_ref().and_then(|d| lone_jpeg(d, number)).map(|(jpeg, comps)| Scan {
                            rect: [r.x0 as f32, r.y0 as f32, r.x1 as f32, r.y1 as f32],
                            width_px: iw,
                            height_px: ih,
                            components: comps,
                            jpeg,
                        });
                }
            }
        }
        let (pw, ph) = ((w * scale).round().max(1.0) as u32, (h * scale).round().max(1.0) as u32);
        if pw as u64 * ph as u64 > MAX_PAGE_PIXELS || pw > u16::MAX as u32 || ph > u16::MAX as u32 {
            return Err(CopyError::Page {
                page: number,
                reason: "the page image would be too large".into(),
            });
        }
        let (sx, sy) = (pw as f32 / w, ph as f32 / h);
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            hayro::render(
                page,
                &cache,
                &settings,
                &hayro::RenderSettings::default(),
                &hayro::PixmapSettings {
                    x_scale: sx,
                    y_scale: sy,
                    bg_color: hayro::vello_cpu::color::palette::css::WHITE,
                },
            )
        }));
        let Ok(pixmap) = rendered else {
            return Err(CopyError::Page { page: number, reason: "the renderer failed".into() });
        };
        if failed.load(Ordering::Relaxed) {
            return Err(CopyError::Page {
                page: number,
                reason: "a font or an image of the page cannot be drawn".into(),
            });
        }
        let (width_px, height_px) = (pixmap.width() as u32, pixmap.height() as u32);
        let rgba = pixmap.data_as_u8_slice();
        let gray = rgba.chunks_exact(4).all(|p| p[0] == p[1] && p[1] == p[2]);
        let pixels: Vec<u8> = if gray {
            rgba.chunks_exact(4).map(|p| p[0]).collect()
        } else {
            rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
        };
        out.push(PageRaster {
            number,
            width_pt: w,
            height_pt: h,
            width_px,
            height_px,
            channels: if gray { 1 } else { 3 },
            scan,
            glyphs: c.glyphs,
            pixels,
        });
    }
    if out.is_empty() {
        return Err(CopyError::Unreadable);
    }
    Ok(out)
}

/// The JPEG of a page that draws one image and nothing else, when that image is a plain
/// 8-bit gray or RGB JPEG, with its metadata segments removed; and its component count.
fn lone_jpeg(doc: &lopdf::Document, number: u32) -> Option<(Vec<u8>, u8)> {
    let id = *doc.get_pages().get(&number)?;
    let scan = crate::extract::pdf::scan_page(doc, id);
    if scan.rotate != 0
        || scan.images.len() != 1
        || scan.visible_text
        || scan.other_marks
        || scan.unreadable
    {
        return None;
    }
    // Drawn the right way up (not mirrored or turned).
    let m = scan.images[0].1;
    if !(m[0] > 0.0 && m[3] > 0.0 && m[1] == 0.0 && m[2] == 0.0) {
        return None;
    }
    let stream = doc.get_object(scan.images[0].0).ok()?.as_stream().ok()?;
    let d = &stream.dict;
    let dct = match d.get(b"Filter").ok()? {
        lopdf::Object::Name(n) => n == b"DCTDecode",
        lopdf::Object::Array(a) => {
            a.len() == 1 && a[0].as_name().ok() == Some(b"DCTDecode".as_slice())
        }
        _ => false,
    };
    let comps = match d.get(b"ColorSpace").ok()?.as_name().ok()? {
        b"DeviceGray" => 1,
        b"DeviceRGB" => 3,
        _ => return None,
    };
    let plain = d.get(b"BitsPerComponent").ok()?.as_i64().ok()? == 8
        && d.get(b"Decode").is_err()
        && d.get(b"SMask").is_err()
        && d.get(b"Mask").is_err();
    if !(dct && plain) {
        return None;
    }
    let (jpeg, sof_comps) = strip_jpeg(&stream.content)?;
    (sof_comps == comps).then_some((jpeg, comps))
}

/// A baseline or progressive JPEG without COM and APPn segments other than JFIF (APP0)
/// and Adobe (APP14, which says how colours are coded), and the component count of its
/// frame. `None` when the markers do not parse.
pub(crate) fn strip_jpeg(data: &[u8]) -> Option<(Vec<u8>, u8)> {
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return None;
    }
    let mut out = vec![0xFF, 0xD8];
    let mut i = 2;
    let mut comps = None;
    loop {
        if i + 4 > data.len() || data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        let end = i + 2 + len;
        if len < 2 || end > data.len() {
            return None;
        }
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) && len >= 8 {
            comps = Some(data[i + 9]);
        }
        let drop = marker == 0xFE || ((0xE1..=0xEF).contains(&marker) && marker != 0xEE);
        if !drop {
            out.extend_from_slice(&data[i..end]);
        }
        if marker == 0xDA {
            // Start of scan: the entropy-coded data and the rest of the file follow as is.
            out.extend_from_slice(&data[end..]);
            return comps.map(|c| (out, c));
        }
        i = end;
    }
}

/// One request to the `__render` child.
#[derive(Serialize, Deserialize)]
struct Request {
    path: PathBuf,
    dir: PathBuf,
    dpi: u32,
    max_pages: u32,
}

fn pixel_file(dir: &Path, page: u32) -> PathBuf {
    dir.join(format!("page-{page}.pix"))
}

fn jpeg_file(dir: &Path, page: u32) -> PathBuf {
    dir.join(format!("page-{page}.jpg"))
}

/// The body of the `__render` child: cap its memory, read one JSON request on stdin,
/// write the page files and print the page descriptions (or the error) as one JSON line.
pub fn serve_main(max_memory_mib: u64) -> i32 {
    use std::io::Read;
    crate::extract::child::cap_own_memory(max_memory_mib);
    std::panic::set_hook(Box::new(|_| {}));
    let mut line = String::new();
    if std::io::stdin().read_to_string(&mut line).is_err() {
        return 3;
    }
    let result: Result<Vec<PageRaster>, CopyError> = match serde_json::from_str::<Request>(&line) {
        Ok(req) => match std::fs::read(&req.path) {
            Ok(bytes) => rasterize_in_process(&bytes, req.dpi, req.max_pages).and_then(|pages| {
                for p in &pages {
                    std::fs::write(pixel_file(&req.dir, p.number), &p.pixels)
                        .map_err(|_| CopyError::Worker("cannot write a page image".into()))?;
                    if let Some(s) = &p.scan {
                        std::fs::write(jpeg_file(&req.dir, p.number), &s.jpeg)
                            .map_err(|_| CopyError::Worker("cannot write a page image".into()))?;
                    }
                }
                Ok(pages)
            }),
            Err(e) => Err(CopyError::Worker(format!("cannot read the input: {}", e.kind()))),
        },
        Err(_) => Err(CopyError::Worker("unreadable request".into())),
    };
    let mut stdout = std::io::stdout().lock();
    if serde_json::to_writer(&mut stdout, &result).is_err()
        || stdout.write_all(b"\n").is_err()
        || stdout.flush().is_err()
    {
        return 3;
    }
    0
}

/// How the pages are rendered.
#[derive(Debug, Clone)]
pub enum Renderer {
    /// In a `__render` child of this executable, with a memory cap (MiB) and a time limit (s).
    Subprocess { exe: PathBuf, max_memory_mib: u64, seconds: u64 },
    /// In the calling process (library use, tests).
    InProcess,
}

/// What a child's exit status says about why it stopped (a signal: out of memory …).
fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let what = match sig {
                libc::SIGABRT => "aborted, usually out of memory",
                libc::SIGSEGV => "segmentation fault",
                libc::SIGKILL => "killed",
                _ => "killed by a signal",
            };
            return format!("signal {sig}: {what}");
        }
    }
    format!("exit status {}", status.code().unwrap_or(-1))
}

/// Render the PDF at `path` (pixels pass through files in `dir`, a private folder).
pub fn rasterize(
    renderer: &Renderer,
    path: &Path,
    dir: &Path,
    dpi: u32,
    max_pages: u32,
) -> Result<Vec<PageRaster>, CopyError> {
    let (exe, mib, seconds) = match renderer {
        Renderer::InProcess => {
            let bytes = std::fs::read(path)
                .map_err(|e| CopyError::Worker(format!("cannot read the input: {}", e.kind())))?;
            return rasterize_in_process(&bytes, dpi, max_pages);
        }
        Renderer::Subprocess { exe, max_memory_mib, seconds } => (exe, *max_memory_mib, *seconds),
    };
    let request = serde_json::to_string(&Request {
        path: path.to_path_buf(),
        dir: dir.to_path_buf(),
        dpi,
        max_pages,
    })
    .map_err(|e| CopyError::Worker(e.to_string()))?;
    let mut child = Command::new(exe)
        .arg("__render")
        .arg("--max-memory-mib")
        .arg(mib.to_string())
        .env("RAYON_NUM_THREADS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| CopyError::Worker(format!("cannot start the rendering process: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let written = stdin.write_all(request.as_bytes());
    drop(stdin);
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut v);
        v
    });
    let status = match child.wait_timeout(Duration::from_secs(seconds)) {
        Ok(Some(s)) => s,
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CopyError::TimeLimit(seconds));
        }
    };
    let answer = reader.join().unwrap_or_default();
    if written.is_err() || !status.success() {
        return Err(CopyError::Crashed(describe_exit(status)));
    }
    let mut pages = serde_json::from_slice::<Result<Vec<PageRaster>, CopyError>>(&answer)
        .map_err(|_| CopyError::Worker("unreadable result from the rendering process".into()))??;
    for p in &mut pages {
        p.pixels = std::fs::read(pixel_file(dir, p.number))
            .map_err(|_| CopyError::Worker("a page image is missing".into()))?;
        if p.pixels.len() != p.width_px as usize * p.height_px as usize * p.channels as usize {
            return Err(CopyError::Worker("a page image has the wrong size".into()));
        }
        if let Some(s) = &mut p.scan {
            s.jpeg = std::fs::read(jpeg_file(dir, p.number))
                .map_err(|_| CopyError::Worker("a page image is missing".into()))?;
        }
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_metadata_segments_are_dropped() {
        // SOI, APP0 (JFIF), APP1 (EXIF with text), COM, SOF0 (1 component), SOS, data, EOI.
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&[0xFF, 0xE0, 0, 7, b'J', b'F', b'I', b'F', 0]);
        j.extend_from_slice(&[0xFF, 0xE1, 0, 8, b'A', b'n', b'n', b'a', b'!', b'!']);
        j.extend_from_slice(&[0xFF, 0xFE, 0, 6, b'B', b'e', b'r', b'g']);
        j.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
        j.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34, 0xFF, 0xD9]);
        let (s, comps) = strip_jpeg(&j).unwrap();
        assert_eq!(comps, 1);
        let text = String::from_utf8_lossy(&s);
        assert!(!text.contains("Anna") && !text.contains("Berg") && text.contains("JFIF"));
        assert!(s.ends_with(&[0x12, 0x34, 0xFF, 0xD9]));
        assert!(strip_jpeg(b"not a jpeg").is_none());
    }
}
