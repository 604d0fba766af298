//! What a run says while it works: a progress bar on a terminal, one line per problem,
//! a closing summary — as text for people or JSON lines for schedulers. Only ids,
//! statuses, reasons and counts: never document text, and not even the input's path
//! (file names often carry a person's name); the manifest maps ids to paths.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::batch::{LogFormat, RunOutcome};
use crate::manifest::{Entry, Status};

/// The run's logger.
pub struct Log {
    pub format: LogFormat,
    pub quiet: bool,
}

impl Log {
    /// A progress bar on stderr when it is a terminal and asked for; hidden otherwise.
    pub fn progress(&self, len: u64, wanted: bool) -> ProgressBar {
        if !wanted || self.format == LogFormat::Json || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {elapsed} (about {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    }

    /// Report a finished document: failures always (unless quiet), the rest only as JSON.
    pub fn document(&self, e: &Entry) {
        if self.quiet {
            return;
        }
        match self.format {
            LogFormat::Json => {
                let v = serde_json::json!({
                    "event": "document", "id": e.id,
                    "status": e.status, "error": e.error,
                });
                eprintln_locked(&v.to_string());
            }
            LogFormat::Text if e.status == Status::Failed => {
                eprintln_locked(&format!(
                    "maskera: {}: not published: {} (the manifest maps the id to its file)",
                    e.id.as_deref().unwrap_or("-"),
                    e.error.as_deref().unwrap_or("unknown reason")
                ));
            }
            LogFormat::Text => {}
        }
    }

    /// The closing line of a run.
    pub fn summary(&self, o: &RunOutcome, elapsed: Duration) {
        if self.quiet {
            return;
        }
        let secs = elapsed.as_secs_f64();
        match self.format {
            LogFormat::Json => eprintln_locked(
                &serde_json::json!({
                    "event": "summary", "published": o.published, "unchanged": o.unchanged,
                    "failed": o.failed, "seconds": (secs * 1000.0).round() / 1000.0,
                })
                .to_string(),
            ),
            LogFormat::Text => eprintln_locked(&format!(
                "maskera: {} published, {} unchanged, {} failed in {:.1} s",
                o.published, o.unchanged, o.failed, secs
            )),
        }
    }

    /// A problem that stops the run.
    pub fn fatal(&self, message: &str) {
        match self.format {
            LogFormat::Json => eprintln_locked(&serde_json::json!({"event": "error", "error": message}).to_string()),
            LogFormat::Text => eprintln_locked(&format!("maskera: error: {message}")),
        }
    }
}

fn eprintln_locked(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}
