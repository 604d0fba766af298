//! The masked copy written as a new PDF: one image per page at the source's page size,
//! the legal ground of each box and the masking statement in Helvetica (a standard font,
//! not embedded), and nothing else: no Info dictionary, no XMP, no outlines, annotations,
//! forms, attachments or scripts. Rendered pages are Flate-compressed; a scan page with
//! nothing masked keeps its JPEG (metadata segments removed), a scan page with boxes is
//! JPEG-encoded again. The file /ID is a hash of the content, so the same pages give the
//! same bytes.

use std::io::Write;

use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};
use sha2::{Digest, Sha256};

use super::CopyError;
use super::geometry::Rect;
use super::raster::PageRaster;

/// The image a page of the copy shows.
pub enum PageImage<'a> {
    /// The page's pixels (with the boxes burned in), Flate-compressed.
    Pixels(&'a PageRaster),
    /// The page's pixels (with the boxes burned in), JPEG-encoded (scans).
    Jpeg(&'a PageRaster),
    /// The page's own scan, untouched (nothing on the page is masked).
    Scan(&'a PageRaster),
}

/// One page of the copy.
pub struct PageOut<'a> {
    pub image: PageImage<'a>,
    /// Legal grounds to print in the boxes (points, top-left).
    pub labels: Vec<(Rect, String)>,
    /// The masking statement, for the first page.
    pub stamp: Option<String>,
}

/// JPEG quality of scan pages encoded again after burning.
const JPEG_QUALITY: u8 = 85;

fn real(v: f32) -> Object {
    Object::Real((v * 1000.0).round() / 1000.0)
}

/// Latin-1 and a few WinAnsi characters; anything else becomes `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Escape a string for a PDF literal string.
fn literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'(');
    for &b in bytes {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// Helvetica's average advance of capitals and digits, per point of font size (an
/// over-estimate, so a label that is judged to fit does fit).
const HELVETICA_ADVANCE: f32 = 0.62;

/// The font size at which `text` fits into a box, if one of at least 3.5 pt does.
pub fn label_size(text: &str, r: &Rect) -> Option<f32> {
    let n = text.chars().count().max(1) as f32;
    let size = (0.62 * r.height()).min(7.0).min((r.x1 - r.x0 - 2.0) / (n * HELVETICA_ADVANCE));
    (size >= 3.5).then_some(size)
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, CopyError> {
    let mut e = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(data.len() / 8),
        flate2::Compression::fast(),
    );
    e.write_all(data)
        .and_then(|_| e.finish())
        .map_err(|_| CopyError::Write("compression failed".into()))
}

fn color_space(channels: u8) -> &'static str {
    if channels == 1 { "DeviceGray" } else { "DeviceRGB" }
}

/// Where the masking statement goes on a page: the middle of the widest band of blank
/// rows in the top or bottom margin (points from the top), and whether it needs a white
/// ground because no margin is blank.
fn stamp_place(raster: &PageRaster, size: f32) -> (f32, bool) {
    let (_, sy) = raster.scale();
    let row_blank = |y: u32| {
        let row = raster.width_px as usize * raster.channels as usize;
        raster.pixels[y as usize * row..(y as usize + 1) * row].iter().all(|p| *p >= 245)
    };
    let need = ((size * 1.6) * sy).ceil() as u32;
    let margin = ((40.0 * sy) as u32).min(raster.height_px / 4);
    let bands = [(0, margin), (raster.height_px - margin, raster.height_px)];
    for (a, b) in bands {
        let (mut run, mut best) = (0u32, None);
        for y in a..b {
            if row_blank(y) {
                run += 1;
                if run >= need && best.is_none() {
                    best = Some(y + 1 - run);
                }
            } else {
                run = 0;
            }
        }
        if let Some(start) = best {
            return ((start as f32 + need as f32 / 2.0) / sy, false);
        }
    }
    (raster.height_pt - size, true)
}

/// Write the copy.
pub fn write(pages: &[PageOut]) -> Result<Vec<u8>, CopyError> {
    let mut doc = Document::with_version("1.7");
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut hasher = Sha256::new();
    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        let raster = match page.image {
            PageImage::Pixels(r) | PageImage::Jpeg(r) | PageImage::Scan(r) => r,
        };
        let (w, h) = (raster.width_pt, raster.height_pt);
        let (image, rect) = match page.image {
            PageImage::Pixels(r) => {
                let data = deflate(&r.pixels)?;
                let dict = dictionary! {
                    "Type" => "XObject", "Subtype" => "Image",
                    "Width" => r.width_px as i64, "Height" => r.height_px as i64,
                    "ColorSpace" => color_space(r.channels), "BitsPerComponent" => 8,
                    "Filter" => "FlateDecode",
                };
                (Stream::new(dict, data), [0.0, 0.0, w, h])
            }
            PageImage::Jpeg(r) => {
                let mut data = Vec::new();
                let kind = if r.channels == 1 {
                    image::ExtendedColorType::L8
                } else {
                    image::ExtendedColorType::Rgb8
                };
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut data, JPEG_QUALITY)
                    .encode(&r.pixels, r.width_px, r.height_px, kind)
                    .map_err(|_| CopyError::Write("JPEG encoding failed".into()))?;
                let dict = dictionary! {
                    "Type" => "XObject", "Subtype" => "Image",
                    "Width" => r.width_px as i64, "Height" => r.height_px as i64,
                    "ColorSpace" => color_space(r.channels), "BitsPerComponent" => 8,
                    "Filter" => "DCTDecode",
                };
                (Stream::new(dict, data), [0.0, 0.0, w, h])
            }
            PageImage::Scan(r) => {
                let s =
                    r.scan.as_ref().ok_or_else(|| CopyError::Write("no scan to keep".into()))?;
                let dict = dictionary! {
                    "Type" => "XObject", "Subtype" => "Image",
                    "Width" => s.width_px as i64, "Height" => s.height_px as i64,
                    "ColorSpace" => color_space(s.components), "BitsPerComponent" => 8,
                    "Filter" => "DCTDecode",
                };
                (Stream::new(dict, s.jpeg.clone()), s.rect)
            }
        };
        hasher.update((image.content.len() as u64).to_be_bytes());
        hasher.update(&image.content);
        let image_id = doc.add_object(image);
        let mut content = Vec::new();
        let [x0, y0, x1, y1] = rect;
        content.extend_from_slice(
            format!("q {} 0 0 {} {} {} cm /Im0 Do Q\n", x1 - x0, y1 - y0, x0, h - y1).as_bytes(),
        );
        for (r, text) in &page.labels {
            if let Some(size) = label_size(text, r) {
                let baseline = r.y0 + r.height() / 2.0 + 0.35 * size;
                content.extend_from_slice(
                    format!("BT 1 g /F1 {size:.2} Tf {:.2} {:.2} Td ", r.x0 + 1.0, h - baseline)
                        .as_bytes(),
                );
                content.extend_from_slice(&literal(&win_ansi(text)));
                content.extend_from_slice(b" Tj ET\n");
            }
        }
        if let Some(stamp) = &page.stamp {
            let n = stamp.chars().count().max(1) as f32;
            let size = 6.5f32.min((w - 36.0) / (n * 0.5)).max(3.0);
            let (mid, ground) = stamp_place(raster, size);
            if ground {
                content.extend_from_slice(
                    format!("q 1 g 0 {:.2} {w:.2} {:.2} re f Q\n", h - mid - size, size * 1.8)
                        .as_bytes(),
                );
            }
            content.extend_from_slice(
                format!("BT 0 g /F1 {size:.2} Tf 18 {:.2} Td ", h - mid - 0.35 * size).as_bytes(),
            );
            content.extend_from_slice(&literal(&win_ansi(stamp)));
            content.extend_from_slice(b" Tj ET\n");
        }
        hasher.update(&content);
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), real(w), real(h)],
            "Contents" => content_id,
            "Resources" => dictionary! {
                "XObject" => dictionary! { "Im0" => image_id },
                "Font" => dictionary! { "F1" => font },
            },
        });
        kids.push(Object::Reference(page_id));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => pages.len() as i64 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let digest = hasher.finalize();
    let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|_| CopyError::Write("the PDF could not be written".into()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fit_or_are_left_out() {
        let wide = Rect { x0: 0.0, y0: 0.0, x1: 60.0, y1: 11.0 };
        let size = label_size("OSL 26:1", &wide).unwrap();
        assert!(size <= 7.0 && 8.0 * size * HELVETICA_ADVANCE <= 58.0);
        assert!(label_size("OSL 26:1", &Rect { x0: 0.0, y0: 0.0, x1: 12.0, y1: 11.0 }).is_none());
        assert_eq!(win_ansi("26 kap. 1 § OSL – å"), b"26 kap. 1 \xA7 OSL \x96 \xE5");
        assert_eq!(literal(b"a(b)\\"), b"(a\\(b\\)\\\\)");
    }
}
