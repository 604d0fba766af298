//! Helpers for the unit tests.

/// Whether an external program the test needs (`pdftotext`, `tesseract` …) can be run.
/// Without it the test is skipped with a message, except under CI (`CI=true`), where a
/// missing tool fails the test: CI installs every tool the tests use (`.ci/run`).
pub(crate) fn require_tool(name: &str) -> bool {
    let found = std::process::Command::new(name)
        .arg("-v")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "{name} is not installed, and under CI=true a test may not skip: install it (see .ci/run)"
        );
        eprintln!("SKIPPED: {name} is not installed");
    }
    found
}

/// A PDF from its objects, numbered from 1 (the first is the catalog), with the offsets of its
/// cross-reference table computed.
pub(crate) fn pdf_of(objs: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offs = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offs.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offs {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1)
            .as_bytes(),
    );
    out
}

/// A one-page A4 PDF whose content stream `content` draws in Helvetica (`/F1`).
pub(crate) fn helvetica_pdf(content: &str) -> Vec<u8> {
    pdf_of(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .into(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    ])
}
