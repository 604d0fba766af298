//! Extraction speed on a set of generated born-digital PDFs: 200 reports rendered by
//! maskera's own PDF writer (Type0 fonts with a ToUnicode map, as office suites write
//! them) from generated report text (see `common::reports`). Three ways, in one run:
//!
//! - `in_process`: `extract_pdf_in_process`, the parser alone;
//! - `isolated`: through `Workers`, as `maskera run` does it (in a child process with its
//!   memory cap and time limit, reused from one document to the next);
//! - `pdftotext`: poppler's `pdftotext` on the same files, the reference (skipped when it
//!   is not installed).
//!
//!     cargo bench --bench extract

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use maskera::config::{Limits, ReocrMode};
use maskera::extract::isolate;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (i, text) in common::reports(1024 * 1024).iter().take(200).enumerate() {
        let pdf = common::pdf_of(text);
        let path = dir.path().join(format!("rapport-{i:03}.pdf"));
        std::fs::write(&path, &pdf).expect("write PDF");
        files.push((path, pdf));
    }
    let limits = Limits::default();
    let pages: usize = files
        .iter()
        .map(|(_, bytes)| {
            isolate::extract_pdf_in_process(bytes, &limits, None, ReocrMode::Never)
                .expect("extract")
                .extracted
                .pages
                .len()
        })
        .sum();
    let images = dir.path().join("images");
    std::fs::create_dir_all(&images).expect("images folder");
    let workers = isolate::Workers::new(
        &PathBuf::from(env!("CARGO_BIN_EXE_maskera")),
        &limits,
        ReocrMode::Never,
    );
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Elements(pages as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("in_process", |b| {
        b.iter(|| {
            for (_, bytes) in &files {
                black_box(
                    isolate::extract_pdf_in_process(
                        black_box(bytes),
                        &limits,
                        None,
                        ReocrMode::Never,
                    )
                    .expect("extract"),
                );
            }
        })
    });
    g.bench_function("isolated", |b| {
        b.iter(|| {
            for (path, _) in &files {
                black_box(workers.extract(path, &images).expect("extract"));
            }
        })
    });
    let have_pdftotext = Command::new("pdftotext").arg("-v").stderr(Stdio::null()).status().is_ok();
    if have_pdftotext {
        g.bench_function("pdftotext", |b| {
            b.iter(|| {
                for (path, _) in &files {
                    let ok = Command::new("pdftotext")
                        .arg("-q")
                        .arg(path)
                        .arg("-")
                        .stdout(Stdio::null())
                        .status();
                    assert!(ok.is_ok_and(|s| s.success()), "pdftotext failed");
                }
            })
        });
    } else {
        eprintln!("pdftotext not installed (poppler-utils): reference measurement skipped");
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
