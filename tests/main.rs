//! End-to-end tests of the `maskera` command and its library, in one test binary: every
//! module under `tests/suite/` is one topic, and `support` is the shared vocabulary
//! (running the binary, reading its output, the external tools a test needs).

#[path = "suite/support.rs"]
mod support;

#[path = "suite/batch.rs"]
mod batch;
#[path = "suite/cli.rs"]
mod cli;
#[path = "suite/golden.rs"]
mod golden;
#[path = "suite/masked_copy.rs"]
mod masked_copy;
#[path = "suite/names.rs"]
mod names;
#[path = "suite/ocr.rs"]
mod ocr;
#[path = "suite/personnummer.rs"]
mod personnummer;
#[path = "suite/review.rs"]
mod review;
#[path = "suite/structure.rs"]
mod structure;
#[path = "suite/summary.rs"]
mod summary;
