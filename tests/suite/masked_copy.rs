//! End-to-end tests of the masked copy (`<id>.masked.pdf`, issue 17): the real binary on
//! PDFs built here. Under CI=true the tools these tests read the copy with (poppler-utils,
//! tesseract) must be installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::BIN;

/// A name planted everywhere a PDF can hide text besides its visible page.
const PLANTED: &str = "Sigrid Wennerholm";
/// A name shown on the page (and masked).
const VISIBLE: &str = "Karin Lindqvist";

fn tool(name: &str, arg: &str) -> bool {
    let ok = Command::new(name).arg(arg).output().is_ok();
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{name} is needed by this test under CI: install it (poppler-utils / tesseract-ocr-swe)"
        );
    }
    ok
}

/// A PDF whose objects are given in order (object 1 is the catalog); offsets computed.
fn pdf(objects: &[String], info: Option<usize>) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offs = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offs.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offs {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &str) -> String {
    format!("<< {dict} /Length {} >>\nstream\n{data}\nendstream", data.len())
}

/// One page with a visible report (a name and a phone number in it), the planted name in
/// invisible text, white text, an annotation, a form field, the Info dictionary and XMP.
fn planted_pdf() -> Vec<u8> {
    let lines = [
        "Rapport om missforhallande i hemtjansten",
        &format!("Kontaktperson: {VISIBLE}, telefon 070-123 45 67"),
        "Personalen har gatt igenom rutinen for larm och tillsyn.",
        "Handelsen har utretts och atgarder har vidtagits under varen.",
    ];
    let mut content = String::new();
    for (i, l) in lines.iter().enumerate() {
        content.push_str(&format!("BT /F1 12 Tf 72 {} Td ({l}) Tj ET\n", 720 - 24 * i as i32));
    }
    content.push_str(&format!("BT 3 Tr /F1 12 Tf 72 560 Td (Dold uppgift: {PLANTED}) Tj ET\n"));
    content.push_str(&format!("BT 1 1 1 rg /F1 12 Tf 72 540 Td (Vit uppgift: {PLANTED}) Tj ET\n"));
    let appearance = format!("BT /F1 12 Tf 2 4 Td ({PLANTED}) Tj ET");
    let xmp = format!(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><dc:creator>{PLANTED}</dc:creator></x:xmpmeta>"
    );
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [8 0 R] >> /Metadata 9 0 R >>"
            .to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 8 0 R] >>"
            .to_string(),
        stream("", &content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
        format!(
            "<< /Type /Annot /Subtype /FreeText /Rect [72 400 300 420] /Contents ({PLANTED}) \
             /DA (/F1 12 Tf 0 g) /AP << /N 7 0 R >> >>"
        ),
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 228 20] /Resources << /Font << /F1 5 0 R >> >>",
            &appearance,
        ),
        format!(
            "<< /Type /Annot /Subtype /Widget /FT /Tx /T (namn) /V ({PLANTED}) /Rect [72 360 300 380] \
             /P 3 0 R /AP << /N 7 0 R >> >>"
        ),
        stream("/Type /Metadata /Subtype /XML", &xmp),
        format!("<< /Author ({PLANTED}) /Title (Rapport {PLANTED}) >>"),
    ];
    pdf(&objects, Some(10))
}

/// Every stream of a PDF inflated where it can be, with the rest of the bytes.
fn inflated(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("the copy loads");
    let mut all = String::from_utf8_lossy(bytes).to_string();
    for o in doc.objects.values() {
        if let lopdf::Object::Stream(s) = o
            && let Ok(d) = s.decompressed_content()
        {
            all.push_str(&String::from_utf8_lossy(&d));
        }
    }
    all
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("run")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run maskera")
}

fn copy_of(out: &Path) -> PathBuf {
    let reports = out.join("public/reports");
    std::fs::read_dir(&reports)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".masked.pdf"))
        .unwrap_or_else(|| panic!("no masked copy in {}", reports.display()))
}

/// What Tesseract reads off the copy rendered at 150 dpi.
fn ocr(pdf: &Path, dir: &Path) -> String {
    let prefix = dir.join("page");
    let s = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(s.success());
    let mut text = String::new();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    for p in pages {
        let o =
            Command::new("tesseract").arg(&p).arg("stdout").args(["-l", "swe"]).output().unwrap();
        text.push_str(&String::from_utf8_lossy(&o.stdout));
    }
    text
}

#[test]
fn a_planted_name_is_nowhere_in_the_masked_copy() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("planterad.pdf"), planted_pdf()).unwrap();
    let out = d.path().join("out");
    let o = run(&input, &out, &[]);
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    assert!(o.status.success(), "{}\n{manifest}", String::from_utf8_lossy(&o.stderr));
    let copy = copy_of(&out);
    let bytes = std::fs::read(&copy).unwrap();
    let everything = inflated(&bytes).to_lowercase();
    for needle in [PLANTED, "Wennerholm", VISIBLE, "Lindqvist", "070-123"] {
        assert!(!everything.contains(&needle.to_lowercase()), "{needle} in the copy's bytes");
    }
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
    assert!(doc.trailer.get(b"Info").is_err());
    let catalog = doc.catalog().unwrap();
    assert!(catalog.get(b"AcroForm").is_err() && catalog.get(b"Metadata").is_err());
    assert!(!everything.contains("/annots") && !everything.contains("xmpmeta"));
    // The legal ground is printed in the boxes, the statement on the margin.
    assert!(everything.contains("(osl 26:1)"), "no ground label");
    assert!(everything.contains("maskerad kopia"), "no masking statement");
    if tool("pdftotext", "-v") {
        let layer = Command::new("pdftotext").arg(&copy).arg("-").output().unwrap();
        let layer = String::from_utf8_lossy(&layer.stdout);
        assert!(!layer.contains("Wennerholm") && !layer.contains("Lindqvist"), "{layer}");
        let info = Command::new("pdfinfo").arg("-meta").arg(&copy).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(!info.contains("Wennerholm") && !info.contains("Author"), "{info}");
    }
    if tool("pdftoppm", "-v") && tool("tesseract", "--version") {
        let work = d.path().join("ocr");
        std::fs::create_dir_all(&work).unwrap();
        let read = ocr(&copy, &work);
        assert!(
            read.contains("Rapport") && read.contains("Personalen"),
            "the copy is not readable: {read}"
        );
        for needle in ["Wennerholm", "Lindqvist", "Karin", "070"] {
            assert!(!read.contains(needle), "{needle} can be read off the copy: {read}");
        }
    }
}

#[test]
fn copies_are_deterministic_and_can_be_turned_off() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.pdf"), planted_pdf()).unwrap();
    std::fs::write(input.join("b.txt"), format!("Kontaktperson: {VISIBLE}\n")).unwrap();
    let out = d.path().join("out");
    assert!(run(&input, &out, &[]).status.success());
    let first = std::fs::read(copy_of(&out)).unwrap();
    assert!(run(&input, &out, &["--force"]).status.success());
    assert_eq!(first, std::fs::read(copy_of(&out)).unwrap(), "a rerun wrote a different copy");
    // Text inputs get none: one copy for two published reports.
    let copies = std::fs::read_dir(out.join("public/reports"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".masked.pdf"))
        .count();
    assert_eq!(copies, 1);
    let o = run(&input, &out, &["--no-masked-copy"]);
    assert!(o.status.success());
    let names: Vec<String> = std::fs::read_dir(out.join("public/reports"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".masked.pdf")), "{names:?}");
    assert_eq!(names.len(), 10, "{names:?}");
}

#[test]
fn a_page_that_cannot_be_rendered_fails_the_document_naming_the_page() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // Page 2 draws an image whose JPEG data is garbage.
    let page_text =
        stream("", "BT /F1 12 Tf 72 720 Td (Rapport om en handelse i hemtjansten) Tj ET");
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        page_text,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 7 0 R \
         /Resources << /Font << /F1 5 0 R >> /XObject << /Im 8 0 R >> >> >>"
            .to_string(),
        stream("", "BT /F1 12 Tf 72 720 Td (Sida tva av rapporten om handelsen) Tj ET q 200 0 0 200 72 300 cm /Im Do Q"),
        stream("/Type /XObject /Subtype /Image /Width 50 /Height 50 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", "garbage, not a JPEG"),
    ];
    std::fs::write(input.join("trasig.pdf"), pdf(&objects, None)).unwrap();
    let out = d.path().join("out");
    let o = run(&input, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    assert!(manifest.contains("masked copy: page 2 cannot be rendered"), "{manifest}");
    assert!(
        std::fs::read_dir(out.join("public/reports")).unwrap().next().is_none(),
        "something was published"
    );
    // Without the copy the text publishes.
    let o = run(&input, &out, &["--no-masked-copy"]);
    assert!(o.status.success(), "{}", std::fs::read_to_string(out.join("manifest.jsonl")).unwrap());
}
