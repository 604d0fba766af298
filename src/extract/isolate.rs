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

/// Cap the address space of a child process (Unix; elsewhere nothing happens).
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

/// The worker's body: read `path`, extract, print the JSON result. Returns the exit code.
pub fn worker_main(path: &Path, max_pages: u32, max_decompressed_bytes: u64, images: Option<&Path>, reocr: bool) -> i32 {
    // Panic messages could quote document bytes: keep them off stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let limits = Limits { max_pages, max_decompressed_bytes, ..Limits::default() };
    let result: WorkerResult = match std::fs::read(path) {
        Ok(bytes) => extract_pdf_in_process(&bytes, &limits, images, reocr),
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
        .arg("--images")
        .arg(images);
    if reocr {
        cmd.arg("--reocr");
    }
    cmd.arg(path);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    cmd.env("RAYON_NUM_THREADS", "1");
    cap_memory(&mut cmd, limits.max_memory_mib);
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
