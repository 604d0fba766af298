//! Checks of a masked copy before it is published: the copy's file holds nothing but page
//! images and our own labels, its text layer no masked value, and (where Tesseract is
//! installed) an OCR read-back of the boxed line bands shows no masked value. The
//! geometric check (every glyph of every masked span inside a burned box) runs in
//! [`super::make`], where the boxes are.

use std::path::Path;

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

/// The pieces of the line bands as gray images, each the rows of its boxes, widened on
/// either side by the width of its box plus a quarter of its height (at least its height):
/// a value a box missed, even one lying beside it (the box shifted by up to its own width),
/// is in the piece whole, with room for Tesseract to see where it ends. (Tesseract's cost
/// grows with the width it reads; a wider margin only reads more neighbouring words.)
fn pieces<'a>(pages: &[(&'a PageRaster, Vec<PixelBox>)]) -> Vec<(&'a PageRaster, PixelBox)> {
    let mut cut = Vec::new();
    for (raster, boxes) in pages {
        let mut pieces: Vec<PixelBox> = boxes
            .iter()
            .map(|b| {
                let (w, h) = (b.x1 - b.x0, b.y1 - b.y0);
                let m = (w + h / 4).max(h);
                PixelBox {
                    x0: b.x0.saturating_sub(m),
                    y0: b.y0,
                    x1: (b.x1 + m).min(raster.width_px),
                    y1: b.y1,
                }
            })
            .collect();
        // Join the pieces of one line (rows overlapping by more than half the lower one)
        // that touch, until none do; pieces of neighbouring lines stay apart even where
        // their rows overlap a little (no half-cut lines are read).
        let same_line = |a: &PixelBox, b: &PixelBox| {
            let overlap = a.y1.min(b.y1).saturating_sub(a.y0.max(b.y0));
            let lower = (a.y1 - a.y0).min(b.y1 - b.y0);
            2 * overlap > lower && a.x0 <= b.x1 && b.x0 <= a.x1
        };
        let mut joined = true;
        while joined {
            joined = false;
            pieces.sort_by_key(|p| (p.y0, p.x0, p.y1, p.x1));
            let mut out: Vec<PixelBox> = Vec::with_capacity(pieces.len());
            for p in pieces {
                match out.iter_mut().find(|o| same_line(o, &p)) {
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
    cut
}

/// A piece of a page in gray with what cannot be read taken out: the columns of a burned box
/// (black from top to bottom: every box was checked black to its edges) become paper, and
/// each run of such and blank columns is shortened to half the piece's height, a word gap
/// that keeps the words on either side of a box apart; blank edges are cut off. `None` when
/// nothing but box and paper is left.
fn readable(r: &PageRaster, p: PixelBox) -> Option<(u32, u32, Vec<u8>)> {
    let ch = r.channels as usize;
    let row_len = r.width_px as usize * ch;
    let (pw, ph) = ((p.x1 - p.x0) as usize, (p.y1 - p.y0) as usize);
    let mut px = vec![0u8; pw * ph];
    for (i, row) in (p.y0..p.y1).enumerate() {
        let src = &r.pixels[row as usize * row_len + p.x0 as usize * ch
            ..row as usize * row_len + p.x1 as usize * ch];
        for (d, s) in px[i * pw..(i + 1) * pw].iter_mut().zip(src.chunks_exact(ch)) {
            *d = (s.iter().map(|v| *v as u32).sum::<u32>() / ch as u32) as u8;
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Column {
        Black,
        Blank,
        Ink,
    }
    let class: Vec<Column> = (0..pw)
        .map(|x| {
            let mut col = (0..ph).map(|y| px[y * pw + x]);
            if col.clone().all(|v| v == 0) {
                Column::Black
            } else if col.all(|v| v >= 160) {
                Column::Blank
            } else {
                Column::Ink
            }
        })
        .collect();
    let first = class.iter().position(|c| *c == Column::Ink)?;
    let last = class.iter().rposition(|c| *c == Column::Ink)?;
    let gap_run = (ph / 2).max(3);
    let mut keep = Vec::with_capacity(pw);
    let mut run = 0;
    let start = first.saturating_sub(2);
    for (x, &c) in class.iter().enumerate().take((last + 3).min(pw)).skip(start) {
        run = if c == Column::Ink { 0 } else { run + 1 };
        if run <= gap_run {
            keep.push(x);
        }
    }
    let kw = keep.len();
    let mut out = vec![0u8; kw * ph];
    for (i, &x) in keep.iter().enumerate() {
        let paper = class[x] == Column::Black;
        for y in 0..ph {
            out[y * kw + i] = if paper { 255 } else { px[y * pw + x] };
        }
    }
    Some((kw as u32, ph as u32, out))
}

/// The line bands around the boxes of the pages (see [`pieces`] and [`readable`]), each
/// distinct piece once, stacked into one gray image with a blank gap between pieces; `None`
/// when no page has a box.
pub fn bands(pages: &[(&PageRaster, Vec<PixelBox>)]) -> Option<(u32, u32, Vec<u8>)> {
    let cut = pieces(pages);
    if cut.is_empty() {
        return None;
    }
    // A piece that shows the same pixels as one before it (a running header or footer with
    // its box, repeated on every page) reads the same: it is read once.
    let mut seen = std::collections::HashSet::new();
    let gray: Vec<(u32, u32, Vec<u8>)> = cut
        .into_iter()
        .filter_map(|(r, p)| readable(r, p))
        .filter(|(w, _, px)| seen.insert((*w, px.clone())))
        .collect();
    const GAP: u32 = 12;
    let width = gray.iter().map(|c| c.0).max().unwrap_or(1) + 2 * GAP;
    let height: u32 = gray.iter().map(|c| c.1 + GAP).sum::<u32>() + GAP;
    let mut img = vec![255u8; width as usize * height as usize];
    let mut y = GAP as usize;
    for (pw, _, px) in gray {
        for row in px.chunks_exact(pw as usize) {
            let at = y * width as usize + GAP as usize;
            img[at..at + pw as usize].copy_from_slice(row);
            y += 1;
        }
        y += GAP as usize;
    }
    Some((width, height, img))
}

/// A PNG of a gray image that tells its resolution (a `pHYs` chunk, which Tesseract reads
/// as the image's dpi).
fn png_at(pixels: &[u8], w: u32, h: u32, dpi: u32) -> Option<Vec<u8>> {
    let mut png = Vec::new();
    // Fast compression: the image is read once, from a private folder.
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new_with_quality(
            &mut png,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        ),
        pixels,
        w,
        h,
        image::ExtendedColorType::L8,
    )
    .ok()?;
    // The signature (8 bytes) and the IHDR chunk (25) come first; pHYs goes right after.
    if png.get(12..16) != Some(b"IHDR") {
        return None;
    }
    let per_metre = (dpi as f64 / 0.0254).round() as u32;
    let mut data = Vec::with_capacity(9);
    data.extend_from_slice(&per_metre.to_be_bytes());
    data.extend_from_slice(&per_metre.to_be_bytes());
    data.push(1);
    let mut crc = flate2::Crc::new();
    crc.update(b"pHYs");
    crc.update(&data);
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(&crc.sum().to_be_bytes());
    png.splice(33..33, chunk);
    Some(png)
}

/// What the OCR read-back must not read: masked values and sweep tokens anywhere, and name
/// words that are also ordinary words where they stand as names.
pub struct Sought<'a> {
    pub masked: &'a [String],
    pub tokens: &'a std::collections::HashSet<String>,
    pub word_names: &'a [String],
}

/// Hand the stacked bands to Tesseract (a reader of `read_back`, see [`check_read_back`]);
/// the reader works while the caller goes on. `Ok(None)` when Tesseract is not installed.
pub fn submit_read_back<'r>(
    image: (u32, u32, Vec<u8>),
    dpi: u32,
    dir: &Path,
    config: &crate::config::Config,
    read_back: &'r super::ReadBack,
) -> Result<Option<super::read_back::Pending<'r>>, CopyError> {
    let (w, h, pixels) = image;
    let write = |name: &str, png: Option<Vec<u8>>| {
        let path = dir.join(name);
        let png =
            png.ok_or_else(|| CopyError::Verify("the line bands cannot be encoded".into()))?;
        std::fs::write(&path, &png)
            .map_err(|_| CopyError::Verify("the line bands cannot be written".into()))?;
        Ok::<_, CopyError>(path)
    };
    let bands = write("bands.png", png_at(&pixels, w, h, dpi))?;
    let blank = write("blank.png", png_at(&[255; 64], 8, 8, dpi))?;
    read_back.submit(&bands, &blank, config)
}

/// Check that nothing [`Sought`] can be read in what the read-back read.
pub fn check_read_back(text: &str, sought: &Sought) -> Result<(), CopyError> {
    if crate::verify::holds_masked_value(text, sought.masked)
        || reads_token(text, sought.tokens)
        || crate::verify::word_name_readable(text, sought.word_names)
    {
        return Err(CopyError::Verify(
            "a masked value can be read in the copy (OCR of the boxed lines)".into(),
        ));
    }
    Ok(())
}

/// Read the stacked bands with Tesseract and check that nothing [`Sought`] can be read
/// ([`submit_read_back`], then [`check_read_back`]). `Ok(false)` when Tesseract is not
/// installed.
pub fn ocr_read_back(
    image: (u32, u32, Vec<u8>),
    dpi: u32,
    dir: &Path,
    sought: &Sought,
    config: &crate::config::Config,
    read_back: &super::ReadBack,
) -> Result<bool, CopyError> {
    match submit_read_back(image, dpi, dir, config, read_back)? {
        Some(pending) => check_read_back(&pending.text()?, sought).map(|()| true),
        None => Ok(false),
    }
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

    fn sought<'a>(
        masked: &'a [String],
        tokens: &'a std::collections::HashSet<String>,
    ) -> Sought<'a> {
        Sought { masked, tokens, word_names: &[] }
    }

    #[test]
    fn bands_stack_the_boxed_lines() {
        let mut r = PageRaster {
            number: 1,
            width_pt: 100.0,
            height_pt: 60.0,
            width_px: 100,
            height_px: 60,
            channels: 1,
            scan: None,
            glyphs: vec![],
            pixels: vec![255; 6000],
        };
        // Ink in columns 30 and 70 of the first two lines (a shade darker in the first);
        // three boxes, one per line, the first two overlapping by a row; nothing but paper
        // around the third.
        for y in 10..29 {
            let ink = if y < 19 { 50 } else { 60 };
            r.pixels[y * 100 + 30] = ink;
            r.pixels[y * 100 + 70] = ink;
        }
        let boxes = vec![
            PixelBox { x0: 40, y0: 10, x1: 60, y1: 20 },
            PixelBox { x0: 40, y0: 19, x1: 60, y1: 29 },
            PixelBox { x0: 40, y0: 40, x1: 60, y1: 50 },
        ];
        for b in &boxes {
            super::super::burn::burn(&mut r, *b);
        }
        let (w, h, img) = bands(&[(&r, boxes.clone())]).unwrap();
        // Two pieces of ten rows (the neighbouring lines are not joined, the third piece is
        // left out); each keeps 2 blank columns, the ink, 5 of the 39 columns of box and
        // paper between the inks (as paper), the ink and 2 blank: 11 columns.
        assert_eq!((w, h), (11 + 24, 10 + 10 + 3 * 12));
        assert_eq!(img.len(), (w * h) as usize);
        let row = &img[12 * 35 + 12..12 * 35 + 23];
        assert_eq!(row[2], 50);
        assert!(
            row[3..8].iter().all(|p| *p == 255)
                && row[8] == 50
                && row[9..].iter().all(|p| *p == 255)
        );
        assert!(img.iter().all(|p| *p != 0), "no box is read");
        assert!(img[..35 * 12].iter().all(|p| *p == 255));
        // A piece that repeats one before it (a running footer) is read once.
        let mut two = r.clone();
        two.number = 2;
        let again = bands(&[(&r, boxes[..2].to_vec()), (&two, boxes[..2].to_vec())]).unwrap();
        assert_eq!(again, (w, h, img));
        assert!(bands(&[(&r, vec![])]).is_none());
        let tokens = super::super::geometry::sweep_tokens(&["Holmqvist".into()]);
        assert!(
            reads_token("ring HOLMQVIST i dag", &tokens)
                && !reads_token("ring Holm i dag", &tokens)
        );
    }

    /// A one-page PDF with Helvetica lines, 24 pt apart.
    fn lines_pdf(lines: &[&str]) -> Vec<u8> {
        let content: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| format!("BT /F1 12 Tf 72 {} Td ({l}) Tj ET\n", 720 - 24 * i as i32))
            .collect();
        crate::testutil::helvetica_pdf(&content)
    }

    /// The pixels of the glyphs of `word` on the page (its first occurrence), padded as a
    /// burned box is.
    fn box_of(r: &PageRaster, word: &str) -> PixelBox {
        let text: Vec<&str> = r.glyphs.iter().map(|g| g.text.as_str()).collect();
        let n = word.chars().count();
        let at = (0..text.len())
            .find(|&i| text[i..].iter().take(n).copied().collect::<String>() == word)
            .expect("the word is on the page");
        let g = &r.glyphs[at..at + n];
        let rect = super::super::geometry::Rect {
            x0: g.iter().map(|g| g.x0).fold(f32::MAX, f32::min),
            y0: g.iter().map(|g| g.y0).fold(f32::MAX, f32::min),
            x1: g.iter().map(|g| g.x1).fold(f32::MIN, f32::max),
            y1: g.iter().map(|g| g.y1).fold(f32::MIN, f32::max),
        };
        super::super::burn::to_pixels(super::super::burn::padded(rect), r).unwrap()
    }

    #[test]
    fn the_read_back_catches_a_box_that_misses_its_value() {
        if !crate::testutil::require_tool("tesseract") {
            return;
        }
        let name = "Strandqvist";
        let pdf = lines_pdf(&[
            "Rapport om tillsynen av hemtjansten i kommunen",
            "Kontaktperson Yxe Strandqvist ringde i tisdags om larmet",
            "Personalen har gatt igenom rutinen for larm och tillsyn",
        ]);
        let page = super::super::raster::rasterize_in_process(&pdf, 150, 10).unwrap().remove(0);
        let config = crate::config::Config::default();
        let read_back = super::super::ReadBack::new();
        let tokens = super::super::geometry::sweep_tokens(&[name.to_string()]);
        let masked = [name.to_string()];
        let right = box_of(&page, name);
        let check = |b: PixelBox| {
            let mut r = page.clone();
            super::super::burn::burn(&mut r, b);
            let dir = tempfile::tempdir().unwrap();
            let img = bands(&[(&r, vec![b])]).unwrap();
            ocr_read_back(img, 150, dir.path(), &sought(&masked, &tokens), &config, &read_back)
        };
        // The box over the name: nothing masked can be read (twice: the reader is reused).
        assert_eq!(check(right), Ok(true));
        assert_eq!(check(right), Ok(true));
        // The same box a little more than its width to the right (a wrong glyph width, say)
        // or to the left leaves the name in plain sight: the read-back refuses the copy.
        let w = right.x1 - right.x0;
        for shift in [w, w + 4] {
            let shifted = PixelBox { x0: right.x0 + shift, x1: right.x1 + shift, ..right };
            assert!(matches!(check(shifted), Err(CopyError::Verify(_))));
            let shifted = PixelBox { x0: right.x0 - shift, x1: right.x1 - shift, ..right };
            assert!(matches!(check(shifted), Err(CopyError::Verify(_))));
        }
        // And the reader still serves the next document.
        assert_eq!(check(right), Ok(true));
        // A read left unanswered (the document failed meanwhile) kills its reader; the next
        // document gets a new one.
        let dir = tempfile::tempdir().unwrap();
        let img = bands(&[(&page, vec![right])]).unwrap();
        let pending = submit_read_back(img, 150, dir.path(), &config, &read_back).unwrap();
        drop(pending.expect("tesseract is installed"));
        assert_eq!(check(right), Ok(true));
        // Without Tesseract nothing is read (the geometric check still holds).
        let mut none = crate::config::Config::default();
        none.ocr.tesseract = Some("/nonexistent/tesseract".into());
        let dir = tempfile::tempdir().unwrap();
        let img = bands(&[(&page, vec![right])]).unwrap();
        assert_eq!(
            ocr_read_back(img, 150, dir.path(), &sought(&masked, &tokens), &none, &read_back),
            Ok(false)
        );
    }
}
