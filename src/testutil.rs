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
