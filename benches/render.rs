//! Rendering speed, single-threaded: every published file of a report (`.txt`, `.md`,
//! `.html`, the new PDF with subsetted fonts, `.json`) from redacted generated reports,
//! about 10 MB of text in documents of a few kilobytes (see `common::reports`). The PDF
//! alone is measured too, since it dominates.
//!
//!     cargo bench --bench render

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use maskera::config::Config;
use maskera::detect::Detectors;
use maskera::document::{Extracted, Format, Page, PageSource};
use maskera::redact::Redacted;
use maskera::render::{self, OcrInfo, ReportInfo, Templates};

fn bench(c: &mut Criterion) {
    let config = Config::default();
    let detectors = Detectors::build(&config.detect_settings()).expect("detectors build");
    let policy = config.mask_policy();
    let templates = Templates::load(None).expect("built-in templates");
    let docs: Vec<(Redacted, ReportInfo)> = common::reports(10 * 1024 * 1024)
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let pages = vec![Page::new(1, text, PageSource::TextLayer)];
            let n = maskera::normalize::normalize(&Extracted { format: Format::Text, pages });
            let (r, _) = maskera::redact::redact(&n, &detectors.detect(&n), &policy, None);
            let (masking_record, masking_statement) =
                maskera::record::masking_record(&r.counts(), &config.grounds);
            let info = ReportInfo {
                id: format!("{i:016x}"),
                maskera_version: "bench",
                pages: 2,
                ocr: OcrInfo {
                    pages: vec![],
                    reocr_pages: vec![],
                    repaired: false,
                    repaired_words: 0,
                    reocr_words: 0,
                },
                redactions: r
                    .counts()
                    .into_iter()
                    .map(|(k, n)| (k.as_str().to_string(), n))
                    .collect::<BTreeMap<_, _>>(),
                fields: serde_json::Value::Null,
                masking_record,
                masking_statement,
            };
            (r, info)
        })
        .collect();
    let bytes: usize = docs.iter().map(|(r, _)| r.text().len()).sum();
    let all = || {
        docs.iter()
            .map(|(r, info)| {
                render::render(black_box(r), info, &templates).expect("render").files()[3].1.len()
            })
            .sum::<usize>()
    };
    let pdf_only = || {
        docs.iter()
            .map(|(r, _)| {
                render::pdf::render_pdf(&render::layout::Layout::of(black_box(r)))
                    .expect("pdf")
                    .len()
            })
            .sum::<usize>()
    };
    common::cpu_and_wall(
        c,
        "render",
        bytes,
        20,
        false,
        &[("all_files", &all), ("pdf_only", &pdf_only)],
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
