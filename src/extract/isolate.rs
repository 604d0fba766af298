//! Run PDF extraction in a child process with a time limit and a memory cap.
//!
//! The child is this same executable started with the hidden `__extract` subcommand; it
//! reads one request per line on stdin and prints each result as one JSON line on stdout
//! ([`Workers`] keeps such children for reuse). A panic, a stack overflow, an allocation
//! failure or an endless loop in the parser ends the child, not the batch.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use super::ExtractError;
use super::PdfText;
use super::child::cap_own_memory;
use crate::config::{Limits, ReocrMode};

/// What the worker prints: the text layer and the OCR plan (see [`super::ocr`]).
type WorkerResult = Result<PdfText, ExtractError>;

/// Extract a PDF in-process. Only for the worker and for tests: a hostile file can take
/// the calling process down. Page JPEGs for OCR go to `images`.
pub fn extract_pdf_in_process(
    bytes: &[u8],
    limits: &Limits,
    images: Option<&Path>,
    reocr: ReocrMode,
) -> WorkerResult {
    let e = super::pdf::extract_with_ocr_plan(
        bytes,
        limits.max_pages,
        limits.max_decompressed_bytes,
        images,
        reocr,
    )?;
    Ok(e)
}

/// One request to a serving worker: a file to extract and where its page JPEGs go.
#[derive(serde::Serialize, serde::Deserialize)]
struct Request {
    path: std::path::PathBuf,
    images: std::path::PathBuf,
}

/// The body of a worker (`__extract`): cap its own memory, then read one JSON request per
/// line on stdin and answer each with one JSON line on stdout, until stdin closes. Returns
/// the exit code.
pub fn serve_main(limits: &Limits, reocr: ReocrMode) -> i32 {
    use std::io::{BufRead, Write};
    // The cap is set here rather than by the parent between fork and exec: without a
    // `pre_exec` hook the parent starts workers with `posix_spawn`, which does not copy its
    // (large) page tables.
    cap_own_memory(limits.max_memory_mib);
    // Panic messages could quote document bytes: keep them off stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return 3 };
        let result: WorkerResult = match serde_json::from_str::<Request>(&line) {
            Ok(req) => match std::fs::read(&req.path) {
                Ok(bytes) => extract_pdf_in_process(&bytes, limits, Some(&req.images), reocr),
                Err(e) => Err(ExtractError::Crashed(format!("cannot read input: {}", e.kind()))),
            },
            Err(_) => {
                Err(ExtractError::Crashed("unreadable request to the extraction process".into()))
            }
        };
        // serde_json writes one line: newlines inside strings are escaped.
        if serde_json::to_writer(&mut stdout, &result).is_err()
            || stdout.write_all(b"\n").is_err()
            || stdout.flush().is_err()
        {
            return 3;
        }
    }
    0
}

/// A serving worker process and the thread that reads its answers.
struct Worker {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    answers: std::sync::mpsc::Receiver<Vec<u8>>,
    served: u32,
}

/// Documents one worker serves before it is replaced (bounds what a long-lived parser
/// process can accumulate, e.g. heap fragmentation under its memory cap).
const DOCUMENTS_PER_WORKER: u32 = 1000;

/// A pool of serving extraction workers, children of this executable, shared by the batch
/// threads. Each document still runs in a separate process from the batch, with the
/// memory cap and time limit; the process is reused for the next document only when the
/// previous one ended normally. A worker that crashes, hangs past the time limit or fails
/// a document is killed and replaced, so a hostile file never shares a process with the
/// documents after it. Reusing workers saves the start of a process per document (about a
/// quarter of the CPU time of a run on small born-digital PDFs).
pub struct Workers {
    exe: std::path::PathBuf,
    limits: Limits,
    reocr: ReocrMode,
    idle: std::sync::Mutex<Vec<Worker>>,
}

impl Workers {
    pub fn new(exe: &Path, limits: &Limits, reocr: ReocrMode) -> Workers {
        Workers {
            exe: exe.to_path_buf(),
            limits: limits.clone(),
            reocr,
            idle: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn spawn(&self) -> Result<Worker, ExtractError> {
        let mut cmd = Command::new(&self.exe);
        cmd.arg("__extract")
            .arg("--max-pages")
            .arg(self.limits.max_pages.to_string())
            .arg("--max-decompressed")
            .arg(self.limits.max_decompressed_bytes.to_string())
            .arg("--max-memory-mib")
            .arg(self.limits.max_memory_mib.to_string());
        cmd.arg("--reocr").arg(self.reocr.as_str());
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
        cmd.env("RAYON_NUM_THREADS", "1");
        let mut child = cmd.spawn().map_err(|e| {
            ExtractError::Crashed(format!("cannot start the extraction process: {e}"))
        })?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut reader = std::io::BufReader::new(stdout);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Worker { child, stdin, answers, served: 0 })
    }

    /// Extract the PDF at `path` in a worker; page JPEGs for OCR go to `images`.
    pub fn extract(&self, path: &Path, images: &Path) -> WorkerResult {
        use std::io::Write;
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut worker = match idle {
            Some(w) => w,
            None => self.spawn()?,
        };
        let mut request =
            serde_json::to_vec(&Request { path: path.to_path_buf(), images: images.to_path_buf() })
                .map_err(|e| ExtractError::Crashed(format!("cannot encode the request: {e}")))?;
        request.push(b'\n');
        if worker.stdin.write_all(&request).and_then(|()| worker.stdin.flush()).is_err() {
            return Err(retire(worker, None));
        }
        let answer = match worker
            .answers
            .recv_timeout(Duration::from_secs(self.limits.seconds_per_document))
        {
            Ok(a) => a,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                return Err(retire(
                    worker,
                    Some(ExtractError::TimeLimit(self.limits.seconds_per_document)),
                ));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(retire(worker, None));
            }
        };
        let result = serde_json::from_slice::<WorkerResult>(&answer).map_err(|_| {
            ExtractError::Crashed("unreadable result from the extraction process".into())
        });
        match result {
            Ok(Ok(text)) => {
                worker.served += 1;
                if worker.served < DOCUMENTS_PER_WORKER {
                    if let Ok(mut v) = self.idle.lock() {
                        v.push(worker);
                    }
                } else {
                    stop(worker);
                }
                Ok(text)
            }
            Ok(Err(e)) | Err(e) => {
                stop(worker);
                Err(e)
            }
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        if let Ok(mut v) = self.idle.lock() {
            for w in v.drain(..) {
                stop(w);
            }
        }
    }
}

/// End a worker: close its input, give it a moment to exit on its own (so that a worker
/// that died tells how), then kill and reap it. Returns its exit status if it had one.
fn stop(mut worker: Worker) -> Option<std::process::ExitStatus> {
    drop(worker.stdin);
    let status = worker.child.wait_timeout(Duration::from_millis(200)).ok().flatten();
    let _ = worker.child.kill();
    status.or_else(|| worker.child.wait().ok())
}

/// End a worker that failed the document in hand. Returns `reason` (the worker is killed at
/// once), or without one what its exit says about why it stopped answering (a signal: out
/// of memory, a stack overflow …).
fn retire(mut worker: Worker, reason: Option<ExtractError>) -> ExtractError {
    if let Some(r) = reason {
        let _ = worker.child.kill();
        let _ = worker.child.wait();
        return r;
    }
    let status = stop(worker);
    #[cfg(unix)]
    if let Some(sig) = status.and_then(|s| {
        use std::os::unix::process::ExitStatusExt;
        s.signal()
    }) {
        let what = match sig {
            libc::SIGABRT => "aborted, usually out of memory",
            libc::SIGSEGV => "segmentation fault, e.g. a stack overflow on deeply nested objects",
            libc::SIGKILL => "killed",
            _ => "killed by a signal",
        };
        return ExtractError::Crashed(format!("signal {sig}: {what}"));
    }
    ExtractError::Crashed(format!("exit status {}", status.and_then(|s| s.code()).unwrap_or(-1)))
}
