//! Normalisation speed, single-threaded: Unicode hygiene, reflow of page lines and the
//! OCR-damage check on about 12 MB of clean generated report text (see `common::reports`),
//! laid out as a PDF text layer gives it (lines of at most 90 characters, a few pages per
//! document).
//!
//!     cargo bench --bench normalize
//!
//! Target (issue #9): at least 20 MB/s per core on clean text. OCR repair of damaged text is
//! measured by `cargo bench --bench repair`.

mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use maskera::document::{Extracted, Format, Page, PageSource};

fn bench(c: &mut Criterion) {
    let docs: Vec<Extracted> = common::reports(12 * 1024 * 1024)
        .iter()
        .map(|text| {
            let lines = common::as_page_lines(text, 90);
            // About 3 KB per page, split at a paragraph break.
            let mut pages = Vec::new();
            let mut page = String::new();
            for para in lines.split_inclusive("\n\n") {
                page.push_str(para);
                if page.len() > 3000 {
                    pages.push(std::mem::take(&mut page));
                }
            }
            pages.push(page);
            Extracted {
                format: Format::Pdf,
                pages: pages
                    .into_iter()
                    .enumerate()
                    .map(|(i, text)| Page::new(i as u32 + 1, text, PageSource::TextLayer))
                    .collect(),
            }
        })
        .collect();
    let bytes: usize = docs.iter().flat_map(|d| &d.pages).map(|p| p.text.len()).sum();
    let sample = maskera::normalize::normalize(&docs[0]);
    assert!(!sample.ocr_repaired(), "clean text must not be repaired");
    let non_empty = |t: &str| t.lines().filter(|l| !l.trim().is_empty()).count();
    let lines_in: usize = docs[0].pages.iter().map(|p| non_empty(&p.text)).sum();
    assert!(non_empty(sample.text()) * 2 < lines_in, "page lines must be reflowed into paragraphs");
    let run = || {
        docs.iter().map(|d| maskera::normalize::normalize(black_box(d)).text().len()).sum::<usize>()
    };
    common::cpu_and_wall(c, "normalize", bytes, 10, true, &[("clean", &run)]);
}

criterion_group!(benches, bench);
criterion_main!(benches);
