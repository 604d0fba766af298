//! Run PDF extraction in a child process with a time limit and a memory cap.
//!
//! The child is this same executable started with the hidden `__extract` subcommand; it
//! prints its result as one JSON value on stdout. A panic, a stack overflow, an
//! allocation failure or an endless loop in the parser ends the child, not the batch.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use super::ExtractError;
use super::pdf::PdfText;
use crate::config::Limits;

/// What the worker prints: the text layer and the OCR plan (see [`super::ocr`]).
type WorkerResult = Result<PdfText, ExtractError>;

/// Extract a PDF in-process. Only for the worker and for tests: a hostile file can take
/// the calling process down. Page JPEGs for OCR go to `images`.
pub fn extract_pdf_in_process(bytes: &[u8], limits: &Limits, images: Option<&Path>, reocr: bool) -> WorkerResult {
    let e = super::pdf::extract_with_ocr_plan(bytes, limits.max_pages, limits.max_decompressed_bytes, images, reocr)?;
    Ok(e)
}

/// Cap the address space of this process (Unix; elsewhere nothing happens).
fn cap_own_memory(mib: u64) {
    #[cfg(unix)]
    {
        let mem = mib.saturating_mul(1024 * 1024);
        let lim = libc::rlimit { rlim_cur: mem as libc::rlim_t, rlim_max: mem as libc::rlim_t };
        // SAFETY: setrlimit reads the struct we pass; no memory is shared.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &lim);
        }
    }
    #[cfg(not(unix))]
    let _ = mib;
}

/// Cap the address space of a child process (Unix; elsewhere nothing happens). This makes
/// `spawn` fork the whole parent (a `pre_exec` hook rules out `posix_spawn`), so it is only
/// for programs that cannot cap themselves (Tesseract, pdftoppm), whose work dwarfs a fork.
pub(crate) fn cap_memory(cmd: &mut Command, mib: u64) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let mem = mib.saturating_mul(1024 * 1024);
        // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let lim = libc::rlimit { rlim_cur: mem as libc::rlim_t, rlim_max: mem as libc::rlim_t };
                libc::setrlimit(libc::RLIMIT_AS, &lim);
                Ok(())
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (cmd, mib);
}

/// The worker's body: cap its own memory, read `path`, extract, print the JSON result.
/// Returns the exit code.
pub fn worker_main(path: &Path, limits: &Limits, images: Option<&Path>, reocr: bool) -> i32 {
    // The cap is set here, before the file is read, rather than by the parent between fork
    // and exec: without a `pre_exec` hook the parent starts workers with `posix_spawn`,
    // which does not copy the parent's (large) page tables for every document.
    cap_own_memory(limits.max_memory_mib);
    // Panic messages could quote document bytes: keep them off stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let result: WorkerResult = match std::fs::read(path) {
        Ok(bytes) => extract_pdf_in_process(&bytes, limits, images, reocr),
        Err(e) => Err(ExtractError::Crashed(format!("cannot read input: {}", e.kind()))),
    };
    match serde_json::to_writer(std::io::stdout().lock(), &result) {
        Ok(()) => 0,
        Err(_) => 3,
    }
}

/// Extract a PDF in a child process of `exe`; page JPEGs for OCR go to `images`.
pub fn extract_pdf_isolated(exe: &Path, path: &Path, limits: &Limits, images: &Path, reocr: bool) -> WorkerResult {
    let mut cmd = Command::new(exe);
    cmd.arg("__extract")
        .arg("--max-pages")
        .arg(limits.max_pages.to_string())
        .arg("--max-decompressed")
        .arg(limits.max_decompressed_bytes.to_string())
        .arg("--max-memory-mib")
        .arg(limits.max_memory_mib.to_string())
        .arg("--images")
        .arg(images);
    if reocr {
        cmd.arg("--reocr");
    }
    cmd.arg(path);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    cmd.env("RAYON_NUM_THREADS", "1");
    let mut child = cmd.spawn().map_err(|e| ExtractError::Crashed(format!("cannot start the extraction process: {e}")))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let status = match child.wait_timeout(Duration::from_secs(limits.seconds_per_document)) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            let _ = reader.join();
            return Err(ExtractError::TimeLimit(limits.seconds_per_document));
        }
        Err(e) => return Err(ExtractError::Crashed(format!("waiting for the extraction process failed: {e}"))),
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(sig) = status.signal() {
                let what = match sig {
                    libc::SIGABRT => "aborted, usually out of memory",
                    libc::SIGSEGV => "segmentation fault, e.g. a stack overflow on deeply nested objects",
                    _ => "killed by a signal",
                };
                return Err(ExtractError::Crashed(format!("signal {sig}: {what}")));
            }
        }
        return Err(ExtractError::Crashed(format!("exit status {}", status.code().unwrap_or(-1))));
    }
    serde_json::from_slice::<WorkerResult>(&out)
        .map_err(|_| ExtractError::Crashed("unreadable result from the extraction process".into()))?
}
