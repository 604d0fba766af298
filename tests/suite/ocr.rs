//! OCR of scanned pages (issue 6), through the real binary.
//!
//! The scans are made at test time: a text PDF with our own Swedish sentences is
//! rasterised to JPEG with `pdftoppm`, and the JPEG put alone on a page with lopdf. Tests
//! that need Tesseract (with `swe`) or pdftoppm say so and pass when either is missing
//! (and fail under `CI=true`). Issue 15: re-OCR of damaged OCR layers, repair, word boxes.

use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::{Document, Object, Stream, dictionary};
use serde_json::Value;

use crate::support::{manifest, report_of, require_ocr};

fn run_maskera(inputs: &Path, out: &Path, envs: &[(&str, &str)]) -> std::process::Output {
    crate::support::run_with_env(&[inputs], out, &["--quiet"], envs)
}

/// The manifest entry of `file`.
fn entry<'a>(m: &'a std::collections::BTreeMap<String, Value>, file: &str) -> &'a Value {
    crate::support::entry_for(m, file)
}

fn report(out: &Path, e: &Value, ext: &str) -> String {
    report_of(out, e, ext)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    crate::support::tree(dir).into_keys().map(|k| dir.join(k)).collect()
}

/// Our own test text (no corpus text), with å, ä and ö in several words.
const SENTENCE_1: &str = "Personalen på äldreboendet märkte att dörren till förrådet stod öppen.";
const SENTENCE_2: &str = "Händelsen anmäldes samma kväll och åtgärder vidtogs på förmiddagen.";
const BORN_TEXT: &str = "Sammanfattning av utredningen om bemanningen i hemtjänsten.";

/// A text string in WinAnsiEncoding, as a PDF literal (Swedish letters as octal escapes).
fn winansi_literal(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'å' => "\\345".to_string(),
            'ä' => "\\344".to_string(),
            'ö' => "\\366".to_string(),
            'Å' => "\\305".to_string(),
            'Ä' => "\\304".to_string(),
            'Ö' => "\\326".to_string(),
            'é' => "\\351".to_string(),
            '(' | ')' | '\\' => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

/// One A4 page to build: content stream, resources, an optional image `/Im0`, `/Rotate`.
struct TestPage {
    content: Vec<u8>,
    resources: lopdf::Dictionary,
    image: Option<Stream>,
    rotate: Option<i64>,
    /// MediaBox width and height in points.
    size: (i64, i64),
}

/// Build a PDF of A4 pages.
fn build_pdf(pages: Vec<TestPage>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for TestPage { content, mut resources, image, rotate, size } in pages {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        if let Some(image) = image {
            let image_id = doc.add_object(image);
            resources.set("XObject", dictionary! { "Im0" => image_id });
        }
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), size.0.into(), size.1.into()],
            "Contents" => content_id,
            "Resources" => resources,
        };
        if let Some(r) = rotate {
            page.set("Rotate", r);
        }
        kids.push(doc.add_object(page).into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A born-digital page with lines of Helvetica text.
fn text_page(lines: &[&str], size: i32) -> TestPage {
    let mut content = String::new();
    let mut y = 760;
    for line in lines {
        content
            .push_str(&format!("BT /F1 {size} Tf 60 {y} Td ({}) Tj ET\n", winansi_literal(line)));
        y -= size * 2;
    }
    let font = dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" };
    TestPage {
        content: content.into_bytes(),
        resources: dictionary! { "Font" => dictionary! { "F1" => font } },
        image: None,
        rotate: None,
        size: (595, 842),
    }
}

/// Width, height and colour components from a JPEG's SOF marker.
fn jpeg_size(jpeg: &[u8]) -> (i64, i64, u8) {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        assert_eq!(jpeg[i], 0xFF, "JPEG marker expected");
        let marker = jpeg[i + 1];
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if (0xC0..=0xC3).contains(&marker) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]) as i64;
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]) as i64;
            return (w, h, jpeg[i + 9]);
        }
        i += 2 + len;
    }
    panic!("no SOF marker in the JPEG");
}

/// A scanned page: one portrait JPEG filling the page, no text. With `turned`, the page is
/// stored on its side — a landscape MediaBox with the image drawn rotated — and displayed
/// upright by `/Rotate 90`, as some scanners write pages.
fn scan_page(jpeg: Vec<u8>, turned: bool) -> TestPage {
    let (w, h, components) = jpeg_size(&jpeg);
    let colour_space = if components == 1 { "DeviceGray" } else { "DeviceRGB" };
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
            "ColorSpace" => colour_space, "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        jpeg,
    );
    let (content, rotate, size): (&[u8], _, _) = if turned {
        (b"q 0 595 -842 0 842 0 cm /Im0 Do Q", Some(90), (842, 595))
    } else {
        (b"q 595 0 0 842 0 0 cm /Im0 Do Q", None, (595, 842))
    };
    TestPage {
        content: content.to_vec(),
        resources: dictionary! {},
        image: Some(image),
        rotate,
        size,
    }
}

/// Rasterise page 1 of a PDF to a greyscale JPEG, as a scanner would deliver it.
fn scan_with_pdftoppm(pdf: &[u8], dir: &Path) -> Vec<u8> {
    let src = dir.join("to-scan.pdf");
    std::fs::write(&src, pdf).unwrap();
    let base = dir.join("scan");
    let ok = Command::new("pdftoppm")
        .args(["-r", "200", "-gray", "-jpeg", "-singlefile"])
        .arg(&src)
        .arg(&base)
        .status()
        .unwrap()
        .success();
    assert!(ok, "pdftoppm failed");
    std::fs::read(base.with_extension("jpg")).unwrap()
}

/// Words with å/ä/ö that must come out of OCR exactly.
const DIACRITIC_WORDS: [&str; 8] =
    ["på", "äldreboendet", "märkte", "dörren", "förrådet", "öppen", "anmäldes", "åtgärder"];

// A scanned document, a mixed document and a rotated scan: OCR'd page by page with the
// Swedish model, recorded in the manifest and the report JSON.
#[test]
fn scanned_pages_are_ocrd_in_swedish() {
    if !require_ocr() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let text_pdf = build_pdf(vec![text_page(&[SENTENCE_1, SENTENCE_2], 14)]);
    let jpeg = scan_with_pdftoppm(&text_pdf, dir.path());
    std::fs::write(inputs.join("scan.pdf"), build_pdf(vec![scan_page(jpeg.clone(), false)]))
        .unwrap();
    std::fs::write(
        inputs.join("mixed.pdf"),
        build_pdf(vec![text_page(&[BORN_TEXT], 12), scan_page(jpeg.clone(), false)]),
    )
    .unwrap();
    // Stored on its side and turned upright by /Rotate: must be rasterised, not passed through.
    std::fs::write(inputs.join("rotated.pdf"), build_pdf(vec![scan_page(jpeg, true)])).unwrap();

    let out = dir.path().join("out");
    let result = run_maskera(&inputs, &out, &[]);
    assert!(result.status.success(), "maskera failed: {}", String::from_utf8_lossy(&result.stderr));
    let entries = manifest(&out);

    for file in ["scan.pdf", "rotated.pdf"] {
        let e = entry(&entries, file);
        assert_eq!(e["status"], "published", "{file}");
        assert_eq!(e["ocr_pages"], serde_json::json!([1]), "{file}");
        let txt = report(&out, e, "txt").to_lowercase();
        for w in DIACRITIC_WORDS {
            assert!(txt.contains(w), "{file}: '{w}' missing from the OCR text:\n{txt}");
        }
        let json: serde_json::Value = serde_json::from_str(&report(&out, e, "json")).unwrap();
        assert_eq!(json["ocr"]["pages"], serde_json::json!([1]), "{file}");
    }

    let mixed = entry(&entries, "mixed.pdf");
    assert_eq!(mixed["pages"], 2);
    assert_eq!(mixed["ocr_pages"], serde_json::json!([2]));
    let txt = report(&out, mixed, "txt");
    assert!(txt.contains("bemanningen i hemtjänsten"), "text layer of page 1 missing");
    assert!(txt.contains("förrådet"), "OCR text of page 2 missing");
    let json: serde_json::Value = serde_json::from_str(&report(&out, mixed, "json")).unwrap();
    assert_eq!(json["ocr"]["pages"], serde_json::json!([2]));

    // No page image is left behind, under public/ or anywhere in the output.
    for f in files_under(&out) {
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or_default().to_string();
        assert!(
            !["jpg", "pgm", "ppm", "png"].contains(&ext.as_str()),
            "page image left: {}",
            f.display()
        );
    }
}

// Without Tesseract an image-only document fails with a reason saying what to install;
// text documents in the same batch are still published.
#[test]
fn missing_engine_fails_only_the_scanned_document() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    // A grey 16×16 image as the only content: no text layer, so OCR is needed.
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 16, "Height" => 16,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![128u8; 256],
    );
    let scan = TestPage {
        content: b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec(),
        resources: dictionary! {},
        image: Some(image),
        rotate: None,
        size: (595, 842),
    };
    std::fs::write(inputs.join("scan.pdf"), build_pdf(vec![scan])).unwrap();
    std::fs::write(inputs.join("born.pdf"), build_pdf(vec![text_page(&[BORN_TEXT], 12)])).unwrap();
    std::fs::write(inputs.join("note.txt"), "Anteckning om uppföljningen av ärendet.\n").unwrap();

    let out = dir.path().join("out");
    let result =
        run_maskera(&inputs, &out, &[("MASKERA_TESSERACT", "/nonexistent/maskera-test/tesseract")]);
    assert_eq!(result.status.code(), Some(1), "one failed input gives exit status 1");
    let entries = manifest(&out);
    let scan = entry(&entries, "scan.pdf");
    assert_eq!(scan["status"], "failed");
    assert_eq!(scan["error"], "OCR engine not found: install tesseract-ocr and tesseract-ocr-swe");
    assert_eq!(entry(&entries, "born.pdf")["status"], "published");
    assert_eq!(entry(&entries, "note.txt")["status"], "published");
}

/// A scan of `lines` under an invisible text layer `layer` (3 Tr), as a scanner's own OCR
/// writes it.
fn layered_scan(lines: &[&str], layer: &str, dir: &Path) -> TestPage {
    let jpeg = scan_with_pdftoppm(&build_pdf(vec![text_page(lines, 14)]), dir);
    let mut page = scan_page(jpeg, false);
    page.content.extend_from_slice(
        format!("\nBT 3 Tr /F1 12 Tf 60 700 Td ({}) Tj ET", winansi_literal(layer)).as_bytes(),
    );
    let font = dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" };
    page.resources.set("Font", dictionary! { "F1" => font });
    page
}

/// What an English-only engine makes of SENTENCE_1 and SENTENCE_2.
const DAMAGED_LAYER: &str = "Personalen pa aldreboendet markte att dorren till forradet stod 6ppen. \
Handelsen anmaldes samma kvall och atgarder vidtogs pa férmiddagen.";
const ENGLISH_1: &str = "The staff at the care home noticed that the storeroom door was open.";
const ENGLISH_2: &str = "The incident was reported the same evening and measures were taken.";

fn run_with(
    inputs: &Path,
    out: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
) -> std::process::Output {
    let args: Vec<&str> = std::iter::once("--quiet").chain(args.iter().copied()).collect();
    crate::support::run_with_env(&[inputs], out, &args, envs)
}

fn review_page(out: &Path, e: &serde_json::Value) -> String {
    std::fs::read_to_string(out.join("review").join(format!("{}.html", e["id"].as_str().unwrap())))
        .unwrap()
}

// Issue 15: by default (`[ocr] reocr = "auto"`) a scan whose invisible OCR layer is damaged
// (an engine without Swedish) is read again with the Swedish model, and a scan with a good
// English layer of English text is left alone; the manifest, the report JSON and the review
// page say which pages were re-OCR'd and which words changed. `never` keeps and repairs the
// layer; without Tesseract the layer is repaired and the manifest says so.
#[test]
fn damaged_ocr_layers_are_read_again_and_good_ones_left_alone() {
    if !require_ocr() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let damaged = layered_scan(&[SENTENCE_1, SENTENCE_2], DAMAGED_LAYER, dir.path());
    std::fs::write(inputs.join("damaged.pdf"), build_pdf(vec![damaged])).unwrap();
    let english =
        layered_scan(&[ENGLISH_1, ENGLISH_2], &format!("{ENGLISH_1} {ENGLISH_2}"), dir.path());
    std::fs::write(inputs.join("english.pdf"), build_pdf(vec![english])).unwrap();

    let out = dir.path().join("auto");
    let result = run_with(&inputs, &out, &["--review"], &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let entries = manifest(&out);
    let e = entry(&entries, "english.pdf");
    assert!(
        e.get("ocr_pages").is_none() && e.get("reocr_pages").is_none(),
        "a good layer is left alone: {e}"
    );
    assert!(report(&out, e, "txt").contains("storeroom door was open"));
    let e = entry(&entries, "damaged.pdf");
    assert_eq!(e["ocr_pages"], serde_json::json!([1]), "{e}");
    assert_eq!(e["reocr_pages"], serde_json::json!([1]), "{e}");
    let txt = report(&out, e, "txt").to_lowercase();
    for w in DIACRITIC_WORDS {
        assert!(txt.contains(w), "'{w}' missing from the re-OCR'd text:\n{txt}");
    }
    let json: serde_json::Value = serde_json::from_str(&report(&out, e, "json")).unwrap();
    assert_eq!(json["ocr"]["reocr_pages"], serde_json::json!([1]));
    assert!(json["ocr"]["reocr_words"].as_u64().unwrap() >= 6, "{}", json["ocr"]);
    let html = review_page(&out, e);
    assert!(html.contains("id=\"reocr-pages\" data-pages=\"1\""), "the review page names the page");
    assert!(
        html.contains("<span class=\"fix reocr\" data-before=\"aldreboendet\"")
            && html.contains(">äldreboendet</span>"),
        "the review page shows the changed word before and after"
    );

    // `never`: the layer is kept and repaired; the repairs are shown.
    let config = dir.path().join("never.toml");
    std::fs::write(&config, "[ocr]\nreocr = \"never\"\n").unwrap();
    let out = dir.path().join("never");
    assert!(
        run_with(&inputs, &out, &["--review", "--config", config.to_str().unwrap()], &[])
            .status
            .success()
    );
    let e = entry(&manifest(&out), "damaged.pdf").clone();
    assert!(e.get("ocr_pages").is_none(), "{e}");
    let json: serde_json::Value = serde_json::from_str(&report(&out, &e, "json")).unwrap();
    assert!(json["ocr"]["repaired_words"].as_u64().unwrap() >= 6, "{}", json["ocr"]);
    assert!(
        review_page(&out, &e).contains("<span class=\"fix repair\" data-before=\"aldreboendet\"")
    );

    // No Tesseract: repair is the fallback, and the manifest says so.
    let out = dir.path().join("no-engine");
    let result = run_with(
        &inputs,
        &out,
        &[],
        &[("MASKERA_TESSERACT", "/nonexistent/maskera-test/tesseract")],
    );
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let e = entry(&manifest(&out), "damaged.pdf").clone();
    assert_eq!(e["status"], "published");
    let note = e["ocr_notes"][0].as_str().unwrap();
    assert!(note.starts_with("page 1: re-OCR skipped (OCR engine not found"), "{note}");
    assert!(report(&out, &e, "txt").contains("äldreboendet"), "the layer is repaired");
}

// A page image Tesseract cannot read (here: blank) keeps its text layer when it has one,
// and fails its document, naming the page, when it has none; the batch goes on.
#[test]
fn an_unreadable_page_image_keeps_its_layer_or_fails_its_document() {
    if !require_ocr() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let blank = scan_with_pdftoppm(&build_pdf(vec![text_page(&[], 14)]), dir.path());
    std::fs::write(
        inputs.join("blank.pdf"),
        build_pdf(vec![text_page(&[BORN_TEXT], 12), scan_page(blank.clone(), false)]),
    )
    .unwrap();
    let mut layered = scan_page(blank, false);
    let layer = winansi_literal(DAMAGED_LAYER);
    layered
        .content
        .extend_from_slice(format!("\nBT 3 Tr /F1 12 Tf 60 700 Td ({layer}) Tj ET").as_bytes());
    let font = dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" };
    layered.resources.set("Font", dictionary! { "F1" => font });
    std::fs::write(inputs.join("layered.pdf"), build_pdf(vec![layered])).unwrap();

    let out = dir.path().join("out");
    let result = run_with(&inputs, &out, &[], &[]);
    assert_eq!(result.status.code(), Some(1), "one input failed");
    let entries = manifest(&out);
    let e = entry(&entries, "blank.pdf");
    assert_eq!(e["status"], "failed");
    assert!(e["error"].as_str().unwrap().starts_with("OCR read no text on page 2"), "{e}");
    let e = entry(&entries, "layered.pdf");
    assert_eq!(e["status"], "published", "{e}");
    assert!(e.get("ocr_pages").is_none(), "{e}");
    assert!(e["ocr_notes"][0].as_str().unwrap().contains("the text layer was kept"), "{e}");
    assert!(report(&out, e, "txt").contains("äldreboendet"), "the layer is kept (and repaired)");
}

// Word boxes of OCR'd pages (for the masked copy): every word of the page text has a box in
// PDF points from the top-left of the displayed page, where the word is drawn — for a JPEG
// passed straight to Tesseract and for a page rasterised because of `/Rotate`.
#[test]
fn ocr_pages_carry_word_boxes_in_page_points() {
    if !require_ocr() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text_pdf = build_pdf(vec![text_page(&[SENTENCE_1, SENTENCE_2], 14)]);
    let jpeg = scan_with_pdftoppm(&text_pdf, dir.path());
    let config = maskera::config::Config::default();
    for turned in [false, true] {
        let pdf = build_pdf(vec![scan_page(jpeg.clone(), turned)]);
        let path = dir.path().join(format!("scan-{turned}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let work = tempfile::tempdir().unwrap();
        let never = maskera::config::ReocrMode::Never;
        let planned = maskera::extract::isolate::extract_pdf_in_process(
            &pdf,
            &config.limits,
            Some(work.path()),
            never,
        )
        .unwrap();
        assert_eq!(planned.ocr.len(), 1);
        let extracted =
            maskera::extract::ocr::complete(planned, &path, work.path(), &config.ocr_settings())
                .unwrap();
        let page = &extracted.pages[0];
        let g = page.geometry.as_ref().expect("an OCR'd page has word boxes");
        assert_eq!((g.width, g.height), (595.0, 842.0), "turned={turned}");
        let words: Vec<&str> = g.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, page.text.split_whitespace().collect::<Vec<_>>(), "turned={turned}");
        // The first line is drawn at x = 60, baseline y = 760 (from the bottom), 14 pt.
        let first = &g.words[0];
        assert_eq!(first.text, "Personalen");
        assert!((first.x0 - 60.0).abs() < 4.0, "turned={turned}: {first:?}");
        assert!(
            first.y1 > 842.0 - 760.0 - 2.0 && first.y1 < 842.0 - 760.0 + 5.0,
            "turned={turned}: {first:?}"
        );
        assert!(
            first.y1 - first.y0 > 7.0 && first.y1 - first.y0 < 16.0,
            "turned={turned}: {first:?}"
        );
        // Words of a line run left to right; the second line lies 28 pt lower.
        assert!(g.words.windows(2).take(5).all(|w| w[0].x1 <= w[1].x0 + 1.0), "turned={turned}");
        let second = g.words.iter().find(|w| w.text == "Händelsen").unwrap();
        assert!((second.y1 - first.y1 - 28.0).abs() < 3.0, "turned={turned}: {second:?}");
    }
}
