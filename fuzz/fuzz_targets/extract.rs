//! Extraction of arbitrary bytes: sniffing, text decoding, PDF parsing with xref repair
//! and the decompression limit. Invariant: no panic escapes, no hang (libFuzzer's
//! -timeout), bounded memory (-rss_limit_mb). maskera runs PDF parsing in a child process
//! anyway; this target finds what would crash that child.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskera::document::Format;
use maskera::extract;

fuzz_target!(init: {
    // maskera catches parser panics (`catch_unwind`) and fails the document; libFuzzer's
    // hook would abort on them first. A panic that escapes still ends the run.
    std::panic::set_hook(Box::new(|_| {}));
}, |data: &[u8]| {
    match extract::sniff(data) {
        Format::Pdf => {
            let _ = extract::pdf::extract_with_ocr_plan(data, 50, 32 << 20, None, false);
        }
        Format::Text => {
            if let Ok(e) = extract::extract_text(data) {
                let _ = maskera::normalize::normalize(&e);
            }
        }
    }
});
