//! Born-digital PDFs: the text layer, page by page.
//!
//! `pdf-extract` reads the text layer (it handles font encodings, ToUnicode maps and
//! reading order well); `lopdf` parses the structure, decrypts owner-password-only files,
//! counts pages, and is the fallback reader for a page `pdf-extract` cannot handle. A file
//! whose cross-reference table is broken or missing is repaired the way poppler does it:
//! by scanning the file for its objects and rebuilding the table.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::LazyLock;

use lopdf::Document;
use regex::bytes::Regex;

use super::{PageScan, PdfText};
use crate::config::ReocrMode;
use crate::document::{Extracted, Format, Page, PageSource};

/// Why a PDF could not be read. Messages never hold document text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum PdfError {
    #[error("the PDF is encrypted with a user password; ask the sender for an unprotected copy")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF has {pages} pages, more than the limit of {limit} (limits.max_pages)")]
    TooManyPages { pages: u32, limit: u32 },
    #[error(
        "the PDF is damaged beyond repair ({0}); try re-saving it from the program that made it"
    )]
    Damaged(String),
    #[error("text extraction failed on page {0}; the page may be damaged")]
    Page(u32),
    #[error(
        "the PDF's compressed streams expand to more than {limit} bytes (limits.max_decompressed_bytes); it may be a decompression bomb"
    )]
    Decompressed { limit: u64 },
}

static OBJ_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(?:^|[\r\n\s])(\d{1,10})\s+(\d{1,5})\s+obj\b").expect("obj regex")
});
static ROOT_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/Root\s+(\d{1,10})\s+(\d{1,5})\s+R").expect("root regex"));
static CATALOG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/Type\s*/Catalog\b").expect("catalog regex"));
static ENCRYPT_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/Encrypt\s+(\d{1,10})\s+(\d{1,5})\s+R").expect("encrypt regex"));
static ID_ARRAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/ID\s*\[\s*(<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>)\s*\]").expect("id regex")
});

/// Rebuild the cross-reference table of a PDF by scanning for `N G obj`, the way PDF
/// readers recover damaged files. The repaired file is the original with a new xref
/// section and trailer appended. `None` when no catalog can be found.
pub fn rebuild_xref(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut offsets: std::collections::BTreeMap<u32, (usize, u16)> = Default::default();
    let mut catalog = None;
    let headers: Vec<_> = OBJ_HEADER.captures_iter(bytes).collect();
    for (i, c) in headers.iter().enumerate() {
        let whole = c.get(0)?;
        let num_m = c.get(1)?;
        let num: u32 = std::str::from_utf8(num_m.as_bytes()).ok()?.parse().ok()?;
        let generation: u16 = std::str::from_utf8(c.get(2)?.as_bytes()).ok()?.parse().ok()?;
        offsets.insert(num, (num_m.start(), generation));
        let body_end = headers
            .get(i + 1)
            .map(|n| n.get(0).map_or(bytes.len(), |m| m.start()))
            .unwrap_or(bytes.len());
        if CATALOG.is_match(&bytes[whole.end()..body_end]) {
            catalog = Some((num, generation));
        }
    }
    let root = ROOT_REF
        .captures_iter(bytes)
        .last()
        .and_then(|c| {
            let n = std::str::from_utf8(&c[1]).ok()?.parse().ok()?;
            let g = std::str::from_utf8(&c[2]).ok()?.parse().ok()?;
            offsets.contains_key(&n).then_some((n, g))
        })
        .or(catalog)?;
    let size = offsets.keys().next_back().map_or(1, |m| m + 1);
    let mut out = bytes.to_vec();
    out.extend_from_slice(b"\n");
    let xref_at = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for n in 0..size {
        match offsets.get(&n) {
            Some((off, generation)) => {
                out.extend_from_slice(format!("{off:010} {generation:05} n \n").as_bytes())
            }
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    let mut trailer = format!("trailer\n<< /Size {size} /Root {} {} R", root.0, root.1);
    if let Some(c) = ENCRYPT_REF.captures_iter(bytes).last() {
        trailer.push_str(&format!(
            " /Encrypt {} {} R",
            String::from_utf8_lossy(&c[1]),
            String::from_utf8_lossy(&c[2])
        ));
    }
    if let Some(c) = ID_ARRAY.captures_iter(bytes).last() {
        trailer.push_str(&format!(" /ID [{}]", String::from_utf8_lossy(&c[1])));
    }
    trailer.push_str(&format!(" >>\nstartxref\n{xref_at}\n%%EOF\n"));
    out.extend_from_slice(trailer.as_bytes());
    Some(out)
}

/// Load a PDF with lopdf, repairing a broken cross-reference table when needed, and
/// decrypting files protected only by an owner password.
pub fn load(bytes: &[u8]) -> Result<Document, PdfError> {
    let first = quiet_catch(|| Document::load_mem(bytes));
    let doc = match first {
        Some(Ok(doc)) if !doc.get_pages().is_empty() => doc,
        first => {
            let repaired = rebuild_xref(bytes)
                .and_then(|r| quiet_catch(|| Document::load_mem(&r)))
                .and_then(Result::ok)
                .filter(|d| !d.get_pages().is_empty());
            match (repaired, first) {
                (Some(doc), _) => doc,
                (None, Some(Ok(doc))) => doc,
                (None, Some(Err(e))) => return Err(PdfError::Damaged(short(&e))),
                (None, None) => return Err(PdfError::Damaged("the parser failed".into())),
            }
        }
    };
    decrypt(doc)
}

/// Decrypt a file protected only by an owner password (the empty user password opens it).
fn decrypt(mut doc: Document) -> Result<Document, PdfError> {
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(PdfError::Encrypted);
    }
    Ok(doc)
}

fn short(e: &lopdf::Error) -> String {
    let s = e.to_string();
    s.chars().take(120).collect()
}

/// Run `f`, turning a panic into `None` without printing the panic message (it could
/// quote document bytes).
fn quiet_catch<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

/// Whether a stream dictionary names a filter that inflates (Flate or LZW).
fn inflating(dict: &lopdf::Dictionary) -> bool {
    match dict.get(b"Filter") {
        Ok(lopdf::Object::Name(n)) => n == b"FlateDecode" || n == b"LZWDecode" || n == b"Fl",
        Ok(lopdf::Object::Array(a)) => {
            a.iter().any(|o| matches!(o.as_name(), Ok(b"FlateDecode" | b"LZWDecode" | b"Fl")))
        }
        _ => false,
    }
}

/// Refuse documents whose text-bearing streams inflate past `limit` bytes in all, before
/// any parser inflates them unbounded. Image streams are skipped: text extraction never
/// decodes them. Inflation here is streaming and stops at the limit.
pub fn check_decompressed(doc: &Document, limit: u64) -> Result<(), PdfError> {
    use std::io::Read;
    let mut total: u64 = 0;
    for obj in doc.objects.values() {
        let lopdf::Object::Stream(s) = obj else { continue };
        if matches!(s.dict.get(b"Subtype").and_then(|o| o.as_name()), Ok(b"Image")) {
            continue;
        }
        let budget = limit.saturating_sub(total);
        let n = if inflating(&s.dict) {
            let decoder = flate2::read::ZlibDecoder::new(s.content.as_slice());
            std::io::copy(&mut decoder.take(budget + 1), &mut std::io::sink()).unwrap_or(0)
        } else {
            s.content.len() as u64
        };
        total += n;
        if total > limit {
            return Err(PdfError::Decompressed { limit });
        }
    }
    Ok(())
}

/// Extract the text layer of every page.
pub fn extract(bytes: &[u8], max_pages: u32) -> Result<Extracted, PdfError> {
    extract_with_ocr_plan(bytes, max_pages, u64::MAX, None, ReocrMode::Never).map(|t| t.extracted)
}

/// Extract the text layer of every page, refusing decompression bombs, and plan OCR for
/// the pages without a usable one, and the scans whose OCR layer `reocr` reads again (see
/// [`super::ocr::plan`]). With `images`, embedded page
/// JPEGs that can go straight to the OCR engine are written there as `page-<n>.jpg`.
pub fn extract_with_ocr_plan(
    bytes: &[u8],
    max_pages: u32,
    max_decompressed: u64,
    images: Option<&Path>,
    reocr: ReocrMode,
) -> Result<PdfText, PdfError> {
    let mut doc = load(bytes)?;
    check_decompressed(&doc, max_decompressed)?;
    expand_cid_widths(&mut doc);
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let count = pages.len() as u32;
    if count > max_pages {
        return Err(PdfError::TooManyPages { pages: count, limit: max_pages });
    }
    let layers: Vec<(Option<String>, PageScan)> = pages
        .iter()
        .map(|(key, id)| {
            (page_text(&doc, *key), quiet_catch(|| scan_page(&doc, *id)).unwrap_or_default())
        })
        .collect();
    let planned: Vec<super::ocr::LayerPage> = (1..)
        .zip(&layers)
        .map(|(number, (text, scan))| super::ocr::LayerPage { number, text: text.as_deref(), scan })
        .collect();
    let ocr = super::ocr::plan(&doc, &planned, images, reocr);
    let mut out = Vec::with_capacity(pages.len());
    for (number, (text, _)) in (1..).zip(layers) {
        if text.is_none() && !ocr.iter().any(|j| j.page == number) {
            return Err(PdfError::Page(number));
        }
        out.push(Page::new(number, text.unwrap_or_default(), PageSource::TextLayer));
    }
    Ok(PdfText { extracted: Extracted { format: Format::Pdf, pages: out }, ocr })
}

/// A page attribute, inherited through the page tree.
fn inherited<'a>(
    doc: &'a Document,
    page: lopdf::ObjectId,
    key: &[u8],
) -> Option<&'a lopdf::Object> {
    let mut dict = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(v) = dict.get_deref(key, doc) {
            return Some(v);
        }
        dict = doc.get_dictionary(dict.get(b"Parent").ok()?.as_reference().ok()?).ok()?;
    }
    None
}

fn mul(m: [f32; 6], n: [f32; 6]) -> [f32; 6] {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// Walk a page's content stream: which images it draws where, whether it shows text.
pub fn scan_page(doc: &Document, page: lopdf::ObjectId) -> PageScan {
    let mut scan = PageScan::default();
    let rotate = inherited(doc, page, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0);
    scan.rotate = (rotate.rem_euclid(360) / 90 * 90) as u32;
    let mbox: Vec<f32> = inherited(doc, page, b"MediaBox")
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().filter_map(|v| v.as_float().ok()).collect())
        .unwrap_or_default();
    scan.area = if mbox.len() == 4 {
        ((mbox[2] - mbox[0]) * (mbox[3] - mbox[1])).abs()
    } else {
        612.0 * 792.0
    };
    scan.page_box = page_box(doc, page, &mbox);
    let Ok(content) = doc.get_and_decode_page_content(page) else {
        scan.unreadable = true;
        return scan;
    };
    let xobjects = page_xobjects(doc, page);
    let mut ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack = Vec::new();
    let mut render_mode = 0;
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => stack.push((ctm, render_mode)),
            "Q" => (ctm, render_mode) = stack.pop().unwrap_or((ctm, render_mode)),
            "cm" => {
                let v: Vec<f32> = op.operands.iter().filter_map(|o| o.as_float().ok()).collect();
                if let [a, b, c, d, e, f] = v[..] {
                    ctm = mul([a, b, c, d, e, f], ctm);
                }
            }
            "Tr" => render_mode = op.operands.first().and_then(|o| o.as_i64().ok()).unwrap_or(0),
            "Tj" | "TJ" | "'" | "\"" if render_mode != 3 => scan.visible_text = true,
            "Do" => {
                let name = op.operands.first().and_then(|o| o.as_name().ok()).unwrap_or_default();
                match xobjects.iter().find(|(n, _)| n.as_slice() == name) {
                    Some((_, id)) if is_image(doc, *id) => scan.images.push((*id, ctm)),
                    _ => scan.other_marks = true,
                }
            }
            "f" | "F" | "f*" | "S" | "s" | "B" | "B*" | "b" | "b*" | "sh" | "BI" | "EI" => {
                scan.other_marks = true
            }
            _ => {}
        }
    }
    scan
}

/// The CropBox of a page, else its MediaBox (else US Letter), normalised so x0 < x1, y0 < y1.
fn page_box(doc: &Document, page: lopdf::ObjectId, mbox: &[f32]) -> [f32; 4] {
    let crop: Vec<f32> = inherited(doc, page, b"CropBox")
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().filter_map(|v| v.as_float().ok()).collect())
        .unwrap_or_default();
    let b = [&crop[..], mbox].into_iter().find(|b| b.len() == 4 && b[0] != b[2] && b[1] != b[3]);
    match b {
        Some(b) => [b[0].min(b[2]), b[1].min(b[3]), b[0].max(b[2]), b[1].max(b[3])],
        None => [0.0, 0.0, 612.0, 792.0],
    }
}

fn is_image(doc: &Document, id: lopdf::ObjectId) -> bool {
    doc.get_object(id).and_then(lopdf::Object::as_stream).is_ok_and(|s| {
        s.dict.get(b"Subtype").and_then(lopdf::Object::as_name).is_ok_and(|n| n == b"Image")
    })
}

/// The named XObjects in a page's resources (its own, then inherited ones).
fn page_xobjects(doc: &Document, page: lopdf::ObjectId) -> Vec<(Vec<u8>, lopdf::ObjectId)> {
    let mut out = Vec::new();
    let Ok((own, inherited_ids)) = doc.get_page_resources(page) else { return out };
    let dicts =
        own.into_iter().chain(inherited_ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    for res in dicts {
        let Ok(xo) = res.get_deref(b"XObject", doc).and_then(lopdf::Object::as_dict) else {
            continue;
        };
        for (name, v) in xo.iter() {
            if let Ok(id) = v.as_reference()
                && !out.iter().any(|(n, _)| n == name)
            {
                out.push((name.clone(), id));
            }
        }
    }
    out
}

/// Most glyph widths [`expand_cid_widths`] writes out for one font.
const MAX_EXPANDED_WIDTHS: i64 = 65_536;

/// Rewrite the `c_first c_last w` ranges of every CIDFont's `/W` array into the equivalent
/// `c [w w …]` lists. pdf-extract reads only the list form: the glyphs of a range get the
/// default width (`/DW`, often 0), so the text after each of them seems to start a new word
/// (`anvä ndare`, `h t t p`) or, with a wide default, the gaps between words vanish. The
/// widths are the same either way; a font whose ranges would expand past
/// [`MAX_EXPANDED_WIDTHS`] is left as it is.
fn expand_cid_widths(doc: &mut Document) {
    let ids: Vec<lopdf::ObjectId> = doc.objects.keys().copied().collect();
    for id in ids {
        let Ok(dict) = doc.get_object(id).and_then(lopdf::Object::as_dict) else { continue };
        let cid_font = matches!(
            dict.get(b"Subtype").and_then(lopdf::Object::as_name),
            Ok(b"CIDFontType0" | b"CIDFontType2")
        );
        let Ok(lopdf::Object::Array(w)) = dict.get_deref(b"W", doc) else { continue };
        let Some(list) = cid_font.then(|| widths_as_lists(doc, w)).flatten() else { continue };
        if let Ok(lopdf::Object::Dictionary(d)) = doc.get_object_mut(id) {
            d.set("W", lopdf::Object::Array(list));
        }
    }
}

/// A `/W` array with its ranges written as lists; `None` when it has no range, is
/// malformed or expands too far.
fn widths_as_lists(doc: &Document, w: &[lopdf::Object]) -> Option<Vec<lopdf::Object>> {
    use lopdf::Object;
    let value = |o: &Object| match o {
        Object::Reference(r) => doc.get_object(*r).cloned().unwrap_or(Object::Null),
        o => o.clone(),
    };
    let (mut out, mut ranges, mut expanded) = (Vec::with_capacity(w.len()), false, 0i64);
    let mut i = 0;
    while i + 1 < w.len() {
        let first = value(&w[i]).as_i64().ok()?;
        match value(&w[i + 1]) {
            Object::Array(list) => {
                out.push(Object::Integer(first));
                out.push(Object::Array(list.iter().map(value).collect()));
                i += 2;
            }
            last => {
                let last = last.as_i64().ok()?;
                let width = value(w.get(i + 2)?).as_float().ok()?;
                expanded += (last - first + 1).max(0);
                if expanded > MAX_EXPANDED_WIDTHS {
                    return None;
                }
                if last >= first {
                    out.push(Object::Integer(first));
                    out.push(Object::Array((first..=last).map(|_| Object::Real(width)).collect()));
                }
                ranges = true;
                i += 3;
            }
        }
    }
    ranges.then_some(out)
}

/// The text of one page: pdf-extract first, lopdf's own extractor when it fails.
fn page_text(doc: &Document, number: u32) -> Option<String> {
    let primary = quiet_catch(|| {
        let mut s = String::new();
        let mut dev = super::plain::PlainText::new(&mut s);
        pdf_extract::output_doc_page(doc, &mut dev, number).map(|_| s)
    });
    match primary {
        Some(Ok(s)) => Some(s),
        _ => quiet_catch(|| doc.extract_text(&[number]).ok()).flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{helvetica_pdf, pdf_of};

    /// A minimal one-page PDF with a Helvetica text line, xref offsets computed.
    pub(crate) fn tiny_pdf(text: &str) -> Vec<u8> {
        helvetica_pdf(&format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET"))
    }

    /// A page in a CID font (Identity-H, codes 1..=4 read `k`, `ä`, `r`, `l`) whose widths
    /// are given by `widths` (a `/W` array) over the default width `dw`, showing `content`.
    fn cid_font_pdf(dw: u32, widths: &str, content: &str) -> Vec<u8> {
        let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
            /CMapName /Test def 1 begincodespacerange <0000> <FFFF> endcodespacerange \
            4 beginbfchar <0001> <006B> <0002> <00E4> <0003> <0072> <0004> <006C> endbfchar \
            endcmap CMapName currentdict /CMap defineresource pop end end";
        pdf_of(&[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
            "<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>".into(),
            format!("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW {dw} /W {widths} >>"),
            format!("<< /Length {} >>\nstream\n{cmap}\nendstream", cmap.len()),
        ])
    }

    #[test]
    fn cid_width_ranges_keep_words_whole() {
        // Each string of the TJ array starts where the widths of the one before end.
        let content = "BT /F1 12 Tf 72 720 Td [<00010002> <00030004> <0001>] TJ ET";
        for widths in ["[1 4 500]", "[1 [500 500] 3 4 500]", "[1 [500 500 500 500]]"] {
            let e = extract(&cid_font_pdf(0, widths, content), 10).unwrap();
            assert_eq!(e.pages[0].text.trim(), "kärlk", "{widths}");
        }
    }

    #[test]
    fn cid_width_ranges_keep_the_gaps_between_words() {
        // A default width wider than the glyphs: the gap before the second word shows only
        // with the range's own widths.
        let content = "BT /F1 12 Tf 72 720 Td [<00010002> -800 <00030004>] TJ ET";
        let e = extract(&cid_font_pdf(2000, "[1 4 500]", content), 10).unwrap();
        assert_eq!(e.pages[0].text.trim(), "kä rl");
    }

    fn page_one(content: &str) -> String {
        extract(&helvetica_pdf(content), 10).unwrap().pages[0].text.trim().to_string()
    }

    #[test]
    fn rotated_lines_keep_their_gaps_and_breaks() {
        // Two lines of text turned a quarter, the second to the right of the first.
        let content = "BT /F1 12 Tf 0 1 -1 0 100 300 Tm [(Vecka) -3000 (udda)] TJ \
                       0 1 -1 0 114 300 Tm (Kl) Tj ET";
        assert_eq!(page_one(content), "Vecka udda\nKl");
    }

    #[test]
    fn upright_text_reads_as_before() {
        let content = "BT /F1 12 Tf 72 720 Td [(Rapport) -3000 (om) ] TJ 0 -14 Td (brister) Tj \
                       0 -40 Td (Ny del) Tj ET";
        assert_eq!(page_one(content), "Rapport om\nbrister\n\nNy del");
    }

    #[test]
    fn a_string_far_left_on_the_same_line_starts_a_word() {
        // The right cell drawn before the left one.
        let content =
            "BT /F1 12 Tf 1 0 0 1 300 700 Tm (Tisdag) Tj 1 0 0 1 100 700 Tm (Onsdag) Tj ET";
        assert_eq!(page_one(content), "Tisdag Onsdag");
        // An accent drawn back over its letter is no new word.
        let content = "BT /F1 12 Tf 1 0 0 1 72 720 Tm (bla) Tj 1 0 0 1 84 720 Tm (\\250) Tj \
                       1 0 0 1 88 720 Tm (ck) Tj ET";
        assert_eq!(page_one(content), "bla\u{a8}ck");
    }

    #[test]
    fn width_ranges_are_written_as_lists() {
        use lopdf::Object::{Array, Integer, Real};
        let doc = Document::new();
        let w = [Integer(1), Integer(3), Integer(250), Integer(7), Array(vec![Integer(600)])];
        let list = widths_as_lists(&doc, &w).unwrap();
        assert_eq!(
            list,
            vec![
                Integer(1),
                Array(vec![Real(250.0), Real(250.0), Real(250.0)]),
                Integer(7),
                Array(vec![Integer(600)])
            ]
        );
        // Nothing to rewrite, malformed, or too many glyphs: left alone.
        assert_eq!(widths_as_lists(&doc, &[Integer(7), Array(vec![Integer(600)])]), None);
        assert_eq!(widths_as_lists(&doc, &[Integer(1), Real(2.5), Integer(3)]), None);
        assert_eq!(widths_as_lists(&doc, &[Integer(0), Integer(1_000_000), Integer(500)]), None);
    }

    #[test]
    fn reads_a_text_layer() {
        let e = extract(&tiny_pdf("Rapport om missforhallande"), 10).unwrap();
        assert_eq!(e.pages.len(), 1);
        assert!(e.pages[0].text.contains("Rapport om missforhallande"), "{:?}", e.pages[0].text);
    }

    #[test]
    fn broken_xref_is_rebuilt() {
        let mut pdf = tiny_pdf("Trasig korsreferens");
        let at = pdf.windows(4).position(|w| w == b"xref").unwrap();
        pdf.truncate(at);
        pdf.extend_from_slice(b"xref\ngarbage\nstartxref\n99999\n%%EOF\n");
        let e = extract(&pdf, 10).unwrap();
        assert!(e.pages[0].text.contains("Trasig korsreferens"));
    }

    #[test]
    fn truncated_file_without_xref_is_recovered() {
        let pdf = tiny_pdf("Avklippt fil");
        let at = pdf.windows(4).position(|w| w == b"xref").unwrap();
        let e = extract(&pdf[..at], 10).unwrap();
        assert!(e.pages[0].text.contains("Avklippt fil"));
    }

    #[test]
    fn page_limit_is_enforced() {
        assert_eq!(extract(&tiny_pdf("x"), 0), Err(PdfError::TooManyPages { pages: 1, limit: 0 }));
    }

    #[test]
    fn decompression_bombs_are_refused() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b' '; 8 << 20]).unwrap();
        let z = enc.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
        pdf.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
        pdf.extend_from_slice(b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n");
        pdf.extend_from_slice(
            format!("4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n", z.len()).as_bytes(),
        );
        pdf.extend_from_slice(&z);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        let doc = load(&pdf).unwrap();
        assert_eq!(
            check_decompressed(&doc, 1 << 20),
            Err(PdfError::Decompressed { limit: 1 << 20 })
        );
        assert_eq!(check_decompressed(&doc, 16 << 20), Ok(()));
    }

    #[test]
    fn header_only_is_damaged() {
        assert!(matches!(extract(b"%PDF-1.7\n", 10), Err(PdfError::Damaged(_))));
    }
}
