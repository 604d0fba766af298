//! What a run says while it works: a progress bar on a terminal, one line per problem,
//! a closing summary — as text for people or JSON lines for schedulers. Only ids,
//! statuses, reasons and counts: never document text, and not even the input's path
//! (file names often carry a person's name); the manifest maps ids to paths.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::manifest::{Entry, Status};

/// How the run reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    pub published: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// Reports of earlier runs removed because their input is gone or changed.
    pub removed: usize,
}

/// The current time as RFC 3339 in UTC with milliseconds (`2026-12-01T19:53:38.123Z`).
fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// One JSON log line: `time`, `event` and the event's fields.
fn json_line(event: &str, fields: serde_json::Value) -> String {
    let mut m = serde_json::Map::new();
    m.insert("time".into(), now().into());
    m.insert("event".into(), event.into());
    if let serde_json::Value::Object(f) = fields {
        m.extend(f);
    }
    serde_json::Value::Object(m).to_string()
}

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
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} documents, {elapsed} (about {eta} left)",
            )
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
                let v = serde_json::json!({ "id": e.id, "status": e.status, "error": e.error });
                eprintln_locked(&json_line("document", v));
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
            LogFormat::Json => eprintln_locked(&json_line(
                "summary",
                serde_json::json!({
                    "published": o.published, "unchanged": o.unchanged, "failed": o.failed,
                    "removed": o.removed, "seconds": (secs * 1000.0).round() / 1000.0,
                }),
            )),
            LogFormat::Text => eprintln_locked(&format!(
                "maskera: {} published, {} unchanged, {} failed, {} removed in {:.1} s",
                o.published, o.unchanged, o.failed, o.removed, secs
            )),
        }
    }

    /// A problem that stops the run.
    pub fn fatal(&self, message: &str) {
        match self.format {
            LogFormat::Json => {
                eprintln_locked(&json_line("error", serde_json::json!({ "error": message })))
            }
            LogFormat::Text => eprintln_locked(&format!("maskera: error: {message}")),
        }
    }
}

fn eprintln_locked(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_start_with_an_rfc3339_utc_time_and_the_event() {
        let line = json_line("summary", serde_json::json!({ "published": 2 }));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let t = v["time"].as_str().unwrap();
        assert!(humantime::parse_rfc3339(t).is_ok() && t.ends_with('Z'), "{t}");
        assert_eq!(v["event"], "summary");
        assert_eq!(v["published"], 2);
    }
}
