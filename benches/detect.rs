//! Detection speed, single-threaded, on about 12 MB of generated report text in documents
//! of a few kilobytes (see `common::reports`): every kind the default configuration masks
//! (personnummer family, phone, e-mail, addresses, postcodes, registration numbers, person
//! names, the deny-list), through `Detectors::detect` as the pipeline calls it.
//!
//!     cargo bench --bench detect
//!
//! Target (issue #9): at least 10 MB/s per core. `thread_cpu_time` is the figure to quote on
//! a shared machine; `wall_time` counts the time other processes had the core.

mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use maskera::config::DetectSettings;
use maskera::detect::Detectors;

fn bench(c: &mut Criterion) {
    let detectors = Detectors::build(&DetectSettings::default()).expect("detectors build");
    // Generated reports are already clean text: detection runs on them as on normalised text.
    let docs: Vec<String> = common::reports(12 * 1024 * 1024);
    let bytes: usize = docs.iter().map(String::len).sum();
    let found: usize = docs.iter().map(|d| detectors.detect_str(d).len()).sum();
    assert!(found > docs.len() * 10, "the generated text must hold personal data to find");
    let run = || docs.iter().map(|d| detectors.detect_str(black_box(d)).len()).sum::<usize>();
    common::cpu_and_wall(c, "detect", bytes, 15, true, &[("all_kinds", &run)]);
}

criterion_group!(benches, bench);
criterion_main!(benches);
