//! Checks of a masked copy before it is published: the copy's file holds nothing but page
//! images and our own labels, its text layer no masked value, and (where Tesseract is
//! installed) an OCR read-back of the boxed line bands shows no masked value. The
//! geometric check (every glyph of every masked span inside a burned box) runs in
//! [`super::make`], where the boxes are.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use super::CopyError;
use super::burn::PixelBox;
use super::raster::PageRaster;

/// Keys that carry something besides page images: none may appear in the copy.
const FORBIDDEN_KEYS: [&[u8]; 12] = [
    b"Annots",
    b"AcroForm",
    b"Names",
    b"EmbeddedFiles",
    b"JavaScript",
    b"JS",
    b"Metadata",
    b"OCProperties",
    b"OpenAction",
    b"AA",
    b"Outlines",
    b"StructTreeRoot",
];

/// The copy's structure and text layer.
pub fn file(pdf: &[u8], masked: &[String], pages: usize) -> Result<(), CopyError> {
    let fail = |what: &str| Err(CopyError::Verify(what.to_string()));
    let Ok(doc) = lopdf::Document::load_mem(pdf) else {
        return fail("the copy cannot be read back");
    };
    if doc.get_pages().len() != pages {
        return fail("the copy has a different number of pages");
    }
    if doc.trailer.get(b"Info").is_ok() {
        return fail("the copy has a document information dictionary");
    }
    for obj in doc.objects.values() {
        let dict = match obj {
            lopdf::Object::Dictionary(d) => d,
            lopdf::Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if FORBIDDEN_KEYS.iter().any(|k| dict.has(k)) {
            return fail("the copy holds more than page images");
        }
    }
    let Some(text) = crate::verify::readable_pdf_text(pdf) else {
        return fail("the copy's text cannot be read back");
    };
    if crate::verify::holds_masked_value(&text, masked) {
        return fail("a masked value is in the copy's text layer");
    }
    Ok(())
}

/// The line bands around the boxes of the pages — each box's rows widened by half its
/// height, and its columns by four times its height (the words around it) — cut out,
/// overlapping pieces joined, and stacked into one gray image with a blank gap between
/// pieces; `None` when no page has a box.
pub fn bands(pages: &[(&PageRaster, Vec<PixelBox>)]) -> Option<(u32, u32, Vec<u8>)> {
    let mut cut: Vec<(&PageRaster, PixelBox)> = Vec::new();
    for (raster, boxes) in pages {
        let mut pieces: Vec<PixelBox> = boxes
            .iter()
            .map(|b| {
                let h = b.y1 - b.y0;
                PixelBox {
                    x0: b.x0.saturating_sub(4 * h),
                    y0: b.y0.saturating_sub(h / 2 + 2),
                    x1: (b.x1 + 4 * h).min(raster.width_px),
                    y1: (b.y1 + h / 2 + 2).min(raster.height_px),
                }
            })
            .collect();
        // Join overlapping pieces until none overlap.
        let mut joined = true;
        while joined {
            joined = false;
            pieces.sort_by_key(|p| (p.y0, p.x0, p.y1, p.x1));
            let mut out: Vec<PixelBox> = Vec::with_capacity(pieces.len());
            for p in pieces {
                let hit = out
                    .iter_mut()
                    .find(|o| p.x0 < o.x1 && o.x0 < p.x1 && p.y0 < o.y1 && o.y0 < p.y1);
                match hit {
                    Some(o) => {
                        *o = PixelBox {
                            x0: o.x0.min(p.x0),
                            y0: o.y0.min(p.y0),
                            x1: o.x1.max(p.x1),
                            y1: o.y1.max(p.y1),
                        };
                        joined = true;
                    }
                    None => out.push(p),
                }
            }
            pieces = out;
        }
        cut.extend(pieces.into_iter().map(|p| (*raster, p)));
    }
    if cut.is_empty() {
        return None;
    }
    const GAP: u32 = 12;
    let width = cut.iter().map(|c| c.1.x1 - c.1.x0).max().unwrap_or(1) + 2 * GAP;
    let height: u32 = cut.iter().map(|c| c.1.y1 - c.1.y0 + GAP).sum::<u32>() + GAP;
    let mut img = vec![255u8; width as usize * height as usize];
    let mut y = GAP as usize;
    for (r, p) in cut {
        let ch = r.channels as usize;
        let row_len = r.width_px as usize * ch;
        for row in p.y0..p.y1 {
            let src = &r.pixels[row as usize * row_len + p.x0 as usize * ch
                ..row as usize * row_len + p.x1 as usize * ch];
            let at = y * width as usize + GAP as usize;
            for (d, px) in img[at..at + (p.x1 - p.x0) as usize].iter_mut().zip(src.chunks_exact(ch))
            {
                *d = (px.iter().map(|v| *v as u32).sum::<u32>() / ch as u32) as u8;
            }
            y += 1;
        }
        y += GAP as usize;
    }
    Some((width, height, img))
}

/// The Tesseract program, as extraction finds it.
fn tesseract(config: &crate::config::Config) -> std::path::PathBuf {
    config
        .ocr
        .tesseract
        .clone()
        .or_else(|| std::env::var("MASKERA_TESSERACT").ok())
        .unwrap_or_else(|| "tesseract".into())
        .into()
}

/// Read the stacked bands with Tesseract (one call) and check that no masked value, and no
/// token the sweep boxes, can be read. `Ok(false)` when Tesseract is not installed.
pub fn ocr_read_back(
    image: (u32, u32, Vec<u8>),
    dpi: u32,
    dir: &Path,
    masked: &[String],
    tokens: &std::collections::HashSet<String>,
    config: &crate::config::Config,
) -> Result<bool, CopyError> {
    let (w, h, pixels) = image;
    let path = dir.join("bands.png");
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &pixels,
        w,
        h,
        image::ExtendedColorType::L8,
    )
    .map_err(|_| CopyError::Verify("the line bands cannot be encoded".into()))?;
    std::fs::write(&path, &png)
        .map_err(|_| CopyError::Verify("the line bands cannot be written".into()))?;
    let mut cmd = Command::new(tesseract(config));
    cmd.arg(&path)
        .arg("stdout")
        .arg("-l")
        .arg(&config.ocr.language)
        .arg("--psm")
        .arg("6")
        .arg("--dpi")
        .arg(dpi.to_string())
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    crate::extract::child::cap_memory(&mut cmd, config.limits.max_memory_mib);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(_) => {
            return Err(CopyError::Verify("the OCR read-back could not start Tesseract".into()));
        }
    };
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let seconds = config.ocr.seconds_per_page;
    let status = match child.wait_timeout(Duration::from_secs(seconds)) {
        Ok(Some(s)) => s,
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(CopyError::Verify(format!(
                "the OCR read-back took longer than {seconds} s"
            )));
        }
    };
    let text = String::from_utf8_lossy(&reader.join().unwrap_or_default()).to_string();
    if !status.success() {
        return Err(CopyError::Verify(
            "the OCR read-back failed (is tesseract-ocr-swe installed?)".into(),
        ));
    }
    if crate::verify::holds_masked_value(&text, masked) || reads_token(&text, tokens) {
        return Err(CopyError::Verify(
            "a masked value can be read in the copy (OCR of the boxed lines)".into(),
        ));
    }
    Ok(true)
}

/// Whether a word of `text`, folded, is one of `tokens`.
fn reads_token(text: &str, tokens: &std::collections::HashSet<String>) -> bool {
    let found = super::geometry::sweep_tokens(
        &text.split_whitespace().map(str::to_string).collect::<Vec<_>>(),
    );
    found.iter().any(|t| tokens.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_stack_the_boxed_lines() {
        let r = PageRaster {
            number: 1,
            width_pt: 50.0,
            height_pt: 100.0,
            width_px: 50,
            height_px: 100,
            channels: 1,
            scan: None,
            glyphs: vec![],
            pixels: vec![200; 5000],
        };
        let boxes = vec![
            PixelBox { x0: 0, y0: 10, x1: 5, y1: 20 },
            PixelBox { x0: 9, y0: 12, x1: 15, y1: 22 },
        ];
        let (w, h, img) = bands(&[(&r, boxes)]).unwrap();
        // One joined piece (rows 3..29, columns 0..50) between gaps.
        assert_eq!((w, h), (50 + 24, 26 + 24));
        assert_eq!(img.len(), (w * h) as usize);
        assert!(
            img[..74 * 12].iter().all(|p| *p == 255)
                && img[74 * 12 + 12] == 200
                && img[74 * 12 + 11] == 255
        );
        assert!(bands(&[(&r, vec![])]).is_none());
        let tokens = super::super::geometry::sweep_tokens(&["Holmqvist".into()]);
        assert!(
            reads_token("ring HOLMQVIST i dag", &tokens)
                && !reads_token("ring Holm i dag", &tokens)
        );
    }
}
