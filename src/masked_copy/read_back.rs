//! Tesseract processes for the OCR read-back of masked copies, kept for reuse across
//! documents.
//!
//! Starting Tesseract costs about as much as reading a document's line bands (it loads its
//! model and ambiguity tables each time), so a reader is one long-lived `tesseract` that
//! takes image paths on stdin, one per line (`stream_filelist`), and prints each image's
//! text. Tesseract writes its page separator (a form feed) *before* every image's text but
//! the first, so the end of an image's text is marked only when the next image is read:
//! every request is the band image followed by a blank image, and a reader starts with a
//! blank image. Each request then yields two texts: the previous blank's (nothing) and the
//! bands'.
//!
//! A reader that fails, hangs past the time limit or answers out of step is killed, and the
//! next document gets a new one: a failure costs that one document.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::CopyError;

/// What a reader was started with; a reader serves only requests of the same.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    program: PathBuf,
    language: String,
    memory_mib: u64,
}

/// One running Tesseract and the thread that cuts its output into texts.
struct Reader {
    key: Key,
    child: Child,
    stdin: ChildStdin,
    texts: Receiver<Vec<u8>>,
    served: u32,
}

/// Documents one reader serves before it is replaced.
const DOCUMENTS_PER_READER: u32 = 1000;

/// The page separator Tesseract prints between images.
const SEPARATOR: u8 = 0x0c;

/// Idle readers, shared by the batch threads.
#[derive(Default)]
pub struct ReadBack {
    idle: Mutex<Vec<Reader>>,
}

impl std::fmt::Debug for ReadBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadBack")
    }
}

/// A path as one line of Tesseract's file list, if it can be one.
fn line(path: &Path) -> Result<String, CopyError> {
    let s = path.to_str().filter(|s| !s.contains(['\n', '\r']) && s.len() < 4000);
    match s {
        Some(s) => Ok(format!("{s}\n")),
        None => {
            Err(CopyError::Verify("the work folder's path cannot be given to Tesseract".into()))
        }
    }
}

impl ReadBack {
    pub fn new() -> ReadBack {
        ReadBack::default()
    }

    /// Start a reader, its first line the blank image at `blank`. `Ok(None)` when Tesseract
    /// is not installed.
    fn spawn(&self, key: &Key, blank: &str) -> Result<Option<Reader>, CopyError> {
        let mut cmd = Command::new(&key.program);
        cmd.arg("stdin")
            .arg("stdout")
            .arg("-l")
            .arg(&key.language)
            .arg("--psm")
            .arg("6")
            .arg("-c")
            .arg("stream_filelist=1")
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        crate::extract::child::cap_memory(&mut cmd, key.memory_mib);
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(_) => {
                return Err(CopyError::Verify(
                    "the OCR read-back could not start Tesseract".into(),
                ));
            }
        };
        let mut stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, texts) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut reader = std::io::BufReader::new(stdout);
            loop {
                let mut text = Vec::new();
                match reader.read_until(SEPARATOR, &mut text) {
                    Ok(0) | Err(_) => return,
                    // Text without a separator at the end: the reader stopped mid-way.
                    Ok(_) if text.last() != Some(&SEPARATOR) => return,
                    Ok(_) => {
                        text.pop();
                        if tx.send(text).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        if stdin.write_all(blank.as_bytes()).and_then(|()| stdin.flush()).is_err() {
            stop(child);
            return Err(CopyError::Verify("the OCR read-back could not start Tesseract".into()));
        }
        Ok(Some(Reader { key: key.clone(), child, stdin, texts, served: 0 }))
    }

    /// Hand the image at `image` (a PNG that carries its resolution) to a reader; `blank` is
    /// a blank image in the same folder. The reader works while the caller goes on; what it
    /// read is [`Pending::text`]. `Ok(None)` when Tesseract is not installed.
    pub fn submit(
        &self,
        image: &Path,
        blank: &Path,
        config: &crate::config::Config,
    ) -> Result<Option<Pending<'_>>, CopyError> {
        let key = Key {
            program: crate::extract::ocr::tesseract_program(&config.ocr),
            language: config.ocr.language.clone(),
            memory_mib: config.limits.max_memory_mib,
        };
        let (image, blank) = (line(image)?, line(blank)?);
        let idle = self.idle.lock().ok().and_then(|mut v| {
            let at = v.iter().position(|r| r.key == key)?;
            Some(v.swap_remove(at))
        });
        let mut reader = match idle {
            Some(r) => r,
            None => match self.spawn(&key, &blank)? {
                Some(r) => r,
                None => return Ok(None),
            },
        };
        let request = format!("{image}{blank}");
        if reader.stdin.write_all(request.as_bytes()).and_then(|()| reader.stdin.flush()).is_err() {
            stop(reader.child);
            return Err(failed());
        }
        let seconds = config.ocr.seconds_per_page;
        Ok(Some(Pending {
            pool: self,
            reader: Some(reader),
            seconds,
            deadline: Instant::now() + Duration::from_secs(seconds),
        }))
    }
}

fn failed() -> CopyError {
    CopyError::Verify("the OCR read-back failed (is tesseract-ocr-swe installed?)".into())
}

/// An image handed to a reader, not yet answered. Dropped unanswered, its reader is killed
/// (a reader is never given back out of step with its requests).
pub struct Pending<'a> {
    pool: &'a ReadBack,
    reader: Option<Reader>,
    seconds: u64,
    deadline: Instant,
}

impl Pending<'_> {
    /// What the reader read in the image, waiting for it up to the time limit (counted from
    /// the request).
    pub fn text(mut self) -> Result<String, CopyError> {
        let reader = self.reader.take().expect("a pending read has its reader");
        let mut answers = Vec::with_capacity(2);
        while answers.len() < 2 {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match reader.texts.recv_timeout(left) {
                Ok(t) => answers.push(t),
                Err(RecvTimeoutError::Timeout) => {
                    stop(reader.child);
                    return Err(CopyError::Verify(format!(
                        "the OCR read-back took longer than {} s",
                        self.seconds
                    )));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    stop(reader.child);
                    return Err(failed());
                }
            }
        }
        // The previous blank image reads as nothing; anything else means the reader is out
        // of step with its requests.
        if !String::from_utf8_lossy(&answers[0]).trim().is_empty() {
            stop(reader.child);
            return Err(failed());
        }
        let text = String::from_utf8_lossy(&answers[1]).into_owned();
        let mut reader = reader;
        reader.served += 1;
        if reader.served < DOCUMENTS_PER_READER {
            if let Ok(mut v) = self.pool.idle.lock() {
                v.push(reader);
            }
        } else {
            stop(reader.child);
        }
        Ok(text)
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(r) = self.reader.take() {
            drop(r.stdin);
            stop(r.child);
        }
    }
}

impl Drop for ReadBack {
    fn drop(&mut self) {
        if let Ok(mut v) = self.idle.lock() {
            for r in v.drain(..) {
                drop(r.stdin);
                stop(r.child);
            }
        }
    }
}

/// Kill and reap a reader's process.
fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}
