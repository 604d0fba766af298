//! The shared vocabulary of the end-to-end tests: running the real binary, reading what it
//! wrote, and the external tools the tests need.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `maskera` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_maskera");

/// The project's own fixtures (invented reports and people).
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `maskera ARGS…`.
pub fn maskera(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run maskera")
}

/// `maskera run INPUTS… --out OUT EXTRA…`.
pub fn run(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    run_with_env(inputs, out, extra, &[])
}

/// [`run`] with environment variables set.
pub fn run_with_env(inputs: &[&Path], out: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("run").args(inputs).arg("--out").arg(out).args(extra);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run maskera")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Assert that a command exited with `code`, showing its stderr when not.
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "stderr: {}", stderr(o));
}

/// Assert exit status 0.
pub fn ok(o: &Output) {
    assert_exit(o, 0);
}

/// The manifest of an output folder as source → entry.
pub fn manifest(out: &Path) -> BTreeMap<String, Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .expect("manifest written")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("manifest line is JSON");
            (v["source"].as_str().expect("source").to_string(), v)
        })
        .collect()
}

/// The manifest entry of the input whose path ends with `file_name`.
pub fn entry_for<'a>(m: &'a BTreeMap<String, Value>, file_name: &str) -> &'a Value {
    m.iter()
        .find(|(k, _)| k.ends_with(file_name))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no entry for {file_name}"))
}

/// The id of the input whose path ends with `file_name`.
pub fn id_of(out: &Path, file_name: &str) -> String {
    entry_for(&manifest(out), file_name)["id"].as_str().expect("id").to_string()
}

/// A published file of report `id` as text.
pub fn report(out: &Path, id: &str, ext: &str) -> String {
    read(&out.join("public/reports").join(format!("{id}.{ext}")))
}

/// A published file of the report of manifest entry `e`.
pub fn report_of(out: &Path, e: &Value, ext: &str) -> String {
    report(out, e["id"].as_str().expect("id"), ext)
}

/// The files under `public/reports`, sorted.
pub fn published_files(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out.join("public/reports"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every file under `dir` as relative path → bytes (empty when `dir` is missing).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// A folder `root/name` with the given files (name → content).
pub fn folder(root: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for (f, content) in files {
        let p = dir.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Whether an external program (`pdftotext`, `qpdf`, `chromium` …) is installed; run as
/// `name ARGS` to find out. Without it the test is skipped with a message — except under
/// CI (`CI=true`), where a missing tool fails the test: `.ci/run` installs every tool.
pub fn require_tool(name: &str, args: &[&str]) -> bool {
    let found = Command::new(name).args(args).output().is_ok();
    if !found {
        assert!(
            !under_ci(),
            "{name} is not installed, and under CI=true a test may not skip: see .ci/run"
        );
        eprintln!("SKIPPED: {name} is not installed");
    }
    found
}

/// Whether Tesseract with the Swedish model and pdftoppm are installed (as
/// [`require_tool`]: a failure under CI).
pub fn require_ocr() -> bool {
    let swe = Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == "swe"));
    let pdftoppm = Command::new("pdftoppm").arg("-v").output().is_ok();
    if !(swe && pdftoppm) {
        assert!(
            !under_ci(),
            "OCR tests need tesseract with swe and pdftoppm, and under CI=true may not skip"
        );
        eprintln!("SKIPPED: needs tesseract-ocr, tesseract-ocr-swe and poppler-utils");
    }
    swe && pdftoppm
}

/// The text of a PDF as `pdftotext -enc UTF-8` reads it.
pub fn pdftotext(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(o.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8_lossy(&o.stdout).to_string()
}
