//! Normalise + detect + redact (as the batch does it: `redact_settled`) of arbitrary text.
//! Invariants: no panic; placeholders are at most 40 characters inside their brackets; the
//! redacted text holds no detected value: running the detectors over it again finds nothing
//! outside a placeholder (person names there would fail verification, so they count too).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use maskera::config::{DetectSettings, MaskPolicy};
use maskera::detect::Detectors;
use maskera::document::{Extracted, Format, Page, PageSource};

static POLICY: LazyLock<MaskPolicy> = LazyLock::new(MaskPolicy::default);
static DETECTORS: LazyLock<Detectors> =
    LazyLock::new(|| Detectors::build(&DetectSettings::default()).expect("detectors"));

fuzz_target!(|text: &str| {
    let extracted = Extracted {
        format: Format::Text,
        pages: vec![Page::new(1, text, PageSource::TextLayer)],
    };
    let normalized = maskera::normalize::normalize(&extracted);
    let findings = DETECTORS.detect(&normalized);
    let (redacted, _) = maskera::redact::redact_settled(&normalized, &findings, &DETECTORS, &POLICY, None);
    for m in redacted.maskings() {
        assert!(m.placeholder.chars().count() <= 42, "placeholder too long");
    }
    let again = DETECTORS.detect_str(redacted.text());
    assert!(again.is_empty(), "a detector still finds {:?} after redaction", again.iter().map(|s| s.kind).collect::<Vec<_>>());
});
