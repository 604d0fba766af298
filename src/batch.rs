//! The batch: the inputs of a run through the [`Pipeline`] in parallel, into an output
//! folder ([`crate::out`]), with a manifest and the learning summary.
//!
//! Before anything is changed the run is checked against what the output folder already
//! holds: a run that found no inputs at all (an unmounted share), or that would remove more
//! than `batch.max_shrink` of the published reports because their inputs are gone, changes
//! nothing and is refused unless `--allow-shrink` says so. Unchanged inputs are skipped;
//! each other document is published whole or not at all; progress is journaled as documents
//! finish; the manifest is written at the end, sorted, atomically.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::inputs::{self, Found, Input, MissingInput, Shard};
use crate::log::{Log, LogFormat, RunOutcome};
use crate::manifest::{Entry, Status};
use crate::out::{OutDir, OutError, RunRecord};
use crate::pipeline::Pipeline;

/// What to run on and where to write.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    pub quiet: bool,
    pub log_format: LogFormat,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
    /// Reprocess inputs even when unchanged.
    pub force: bool,
    /// Process only this share of the inputs (`--shard K/N`).
    pub shard: Option<Shard>,
    /// Allow a run that finds no inputs, or removes more than `batch.max_shrink` of the
    /// published reports (`--allow-shrink`).
    pub allow_shrink: bool,
}

impl RunOptions {
    /// Options for `inputs` into `out`, everything else at its default.
    pub fn new(inputs: Vec<PathBuf>, out: PathBuf) -> RunOptions {
        RunOptions {
            inputs,
            out,
            threads: None,
            quiet: false,
            log_format: LogFormat::Text,
            progress: false,
            force: false,
            shard: None,
            allow_shrink: false,
        }
    }
}

/// A problem that stops the run before or after the documents (not a document failure).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A path on the command line does not exist: nothing was changed.
    #[error(transparent)]
    MissingInput(#[from] MissingInput),
    /// The run would empty or shrink the library: nothing was changed.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Output(#[from] OutError),
    #[error("cannot start the worker threads: {0}")]
    Threads(String),
    #[error("cannot render the summary: {0}")]
    Summary(#[from] crate::render::RenderError),
}

impl RunError {
    /// The exit status: 2 when nothing was done because of what the operator asked
    /// (missing path, refused shrink), 3 when the run could not complete.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::MissingInput(_) | RunError::Refused(_) => 2,
            _ => 3,
        }
    }
}

/// Wall time of the phases of a run, printed to stderr when `MASKERA_TIMINGS` is set (a
/// developer's tool for finding the serial parts of a run; phase names and seconds only).
struct Phases {
    on: bool,
    at: Instant,
    /// Seconds spent inside documents, summed over the threads (for the concurrency).
    busy: std::sync::Mutex<f64>,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            on: std::env::var_os("MASKERA_TIMINGS").is_some(),
            at: Instant::now(),
            busy: Default::default(),
        }
    }

    /// Count the time one document took.
    fn document(&self, started: Instant) {
        if self.on
            && let Ok(mut b) = self.busy.lock()
        {
            *b += started.elapsed().as_secs_f64();
        }
    }

    /// How many documents were in flight on average during the documents phase.
    fn concurrency(&self) {
        if self.on {
            let busy = self.busy.lock().map(|b| *b).unwrap_or(0.0);
            eprintln!(
                "maskera: timing: documents in flight on average {:.2}",
                busy / self.at.elapsed().as_secs_f64()
            );
        }
    }

    fn done(&mut self, phase: &str) {
        if self.on {
            eprintln!("maskera: timing: {phase} {:.3} s", self.at.elapsed().as_secs_f64());
        }
        self.at = Instant::now();
    }
}

/// Refuse a run that would empty or shrink the library (before anything is written).
/// `previous` are the entries of the last run into this folder.
fn check_shrink(
    found: &[Found],
    previous: &HashMap<String, Entry>,
    max_shrink: f64,
    allow: bool,
) -> Result<(), RunError> {
    if allow {
        return Ok(());
    }
    let published: Vec<&Entry> = previous.values().filter(|e| e.status != Status::Failed).collect();
    if found.is_empty() {
        return Err(RunError::Refused(format!(
            "no input files were found (an empty or unmounted share?); nothing was changed and the {} \
             published reports stay. Give --allow-shrink to run on empty inputs and remove them.",
            published.len()
        )));
    }
    // Inputs that are there but cannot be read (a share mounted without permissions) would
    // lose their reports as surely as inputs that are gone.
    let readable: BTreeSet<&str> =
        found.iter().filter(|f| matches!(f, Found::Ready(_))).map(Found::source).collect();
    let ids: BTreeSet<&str> =
        found.iter().filter(|f| matches!(f, Found::Ready(_))).map(Found::id).collect();
    let gone = published
        .iter()
        .filter(|e| {
            !readable.contains(e.source.as_str())
                && !e.id.as_deref().is_some_and(|id| ids.contains(id))
        })
        .count();
    if !published.is_empty() && gone as f64 > max_shrink * published.len() as f64 {
        return Err(RunError::Refused(format!(
            "the inputs of {gone} of the {} published reports are gone or unreadable (more than \
             batch.max_shrink = {}); nothing was changed. Check that every input folder is there and \
             readable, or give --allow-shrink to remove those reports.",
            published.len(),
            max_shrink
        )));
    }
    Ok(())
}

/// The entry of an earlier run that still stands for this input, if any: same content,
/// same program and configuration, files in place, and no allow/deny decision changed that
/// can touch it (see [`crate::decide::DecisionIndex`]).
fn still_valid(
    p: &Pipeline,
    dirs: &OutDir,
    prev: Option<&Entry>,
    input: &Input,
    all: &str,
) -> Option<Entry> {
    let e = prev?;
    let valid = matches!(e.status, Status::Published | Status::Unchanged)
        && e.id.as_deref() == Some(input.id.as_str())
        && e.sha256.as_deref() == Some(input.sha256.as_str())
        && e.fingerprint.as_deref() == Some(p.fingerprint())
        && dirs.is_complete(&input.id)
        && (e.format != Some(crate::document::Format::Pdf)
            || !p.config().masked_copy.enabled
            || dirs.has_masked_copy(&input.id));
    if !valid {
        return None;
    }
    let decided_alike = e.decisions_all.as_deref() == Some(all)
        || p.decision_index().zip(e.decisions.as_deref()).is_some_and(|(index, before)| {
            let txt = std::fs::read_to_string(dirs.reports_dir().join(format!("{}.txt", input.id)))
                .unwrap_or_default();
            index.touching(&txt, &e.masked_words) == before
        });
    decided_alike.then(|| Entry {
        source: input.source.clone(),
        status: Status::Unchanged,
        decisions_all: Some(all.to_string()),
        ..e.clone()
    })
}

/// One input through the pipeline into the output folder; returns its manifest entry.
fn run_one(p: &Pipeline, dirs: &OutDir, input: &Input) -> Entry {
    let failed = |reason: String| {
        dirs.unpublish(&input.id);
        Entry::failed(
            input.source.clone(),
            Some(input.id.clone()),
            Some(input.sha256.clone()),
            reason,
        )
    };
    match p.process(input, dirs.tmp()) {
        Ok(done) => {
            if let Some(page) = &done.review
                && let Err(reason) = dirs.write_review(&input.id, page)
            {
                return failed(reason);
            }
            if let Err(reason) = dirs.publish(&input.id, &done.verified) {
                return failed(reason);
            }
            Entry {
                source: input.source.clone(),
                id: Some(input.id.clone()),
                status: Status::Published,
                error: None,
                sha256: Some(input.sha256.clone()),
                format: Some(done.format),
                pages: Some(done.pages),
                ocr_pages: done.ocr_pages,
                reocr_pages: done.reocr_pages,
                ocr_notes: done.ocr_notes,
                counts: done.counts,
                fingerprint: Some(p.fingerprint().to_string()),
                decisions_all: Some(done.decisions.all),
                decisions: done.decisions.touching,
                masked_words: done.decisions.masked_words,
            }
        }
        Err(e) => {
            if let Some(page) = &e.review {
                let _ = dirs.write_review(&input.id, page);
            }
            failed(e.reason)
        }
    }
}

/// Run the batch. Document failures are recorded, not returned: the outcome counts them.
pub fn run(p: &Pipeline, opts: &RunOptions, log: &Log) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let mut phases = Phases::new();
    inputs::check_named(&opts.inputs)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let shard = opts.shard.unwrap_or(Shard::WHOLE);
    let max_bytes = p.config().limits.max_input_bytes;
    let found = pool.install(|| inputs::discover(&opts.inputs, &opts.out, max_bytes, shard));
    phases.done("discover and hash inputs");
    // Read before anything is written, for the shrink check and the rerun.
    let previous = OutDir::previous_entries(&opts.out);
    check_shrink(&found.inputs, &previous, p.config().batch.max_shrink, opts.allow_shrink)?;
    let dirs = OutDir::open(&opts.out, p.reviews())?;
    let index_key = crate::link::LinkKey::index_key(&opts.out).map_err(|e| OutError {
        path: opts.out.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    })?;
    p.use_index_key(index_key);
    phases.done("check and open the output folder");
    // A file that moved keeps its content and so its id: find it by id too.
    let previous_by_id: HashMap<&str, &Entry> =
        previous.values().filter_map(|e| Some((e.id.as_deref()?, e))).collect();
    let journal = dirs.journal()?;
    let all_decisions = p.decisions_stamp();
    let progress = log.progress(found.inputs.len() as u64, opts.progress && !opts.quiet);
    let mut entries: Vec<Entry> = pool.install(|| {
        found
            .inputs
            .par_iter()
            .map(|f| {
                let doc_started = Instant::now();
                let entry = match f {
                    Found::Unreadable { source, id, reason } => {
                        dirs.unpublish(id);
                        Entry::failed(source.clone(), Some(id.clone()), None, reason.clone())
                    }
                    Found::Ready(input) => {
                        let prev = previous
                            .get(&input.source)
                            .or_else(|| previous_by_id.get(input.id.as_str()).copied());
                        match still_valid(p, &dirs, prev, input, &all_decisions)
                            .filter(|_| !opts.force)
                        {
                            Some(unchanged) => unchanged,
                            None => run_one(p, &dirs, input),
                        }
                    }
                };
                journal.record(&entry);
                log.document(&entry);
                progress.inc(1);
                phases.document(doc_started);
                entry
            })
            .collect()
    });
    progress.finish_and_clear();
    phases.concurrency();
    phases.done("documents");
    let keep: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.status != Status::Failed)
        .filter_map(|e| e.id.clone())
        .collect();
    let removed = dirs.prune(&keep);
    let unchanged: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.status == Status::Unchanged)
        .filter_map(|e| e.id.clone())
        .collect();
    dirs.prune_reviews(&unchanged);
    let record = RunRecord {
        maskera: env!("CARGO_PKG_VERSION").to_string(),
        shard: shard.to_string(),
        fingerprint: p.fingerprint().to_string(),
        decisions: all_decisions,
        inputs: found.list_digest.clone(),
        total_inputs: found.total,
        merged: None,
    };
    dirs.write_manifest(&mut entries, &record)?;
    phases.done("prune and write the manifest");
    let kept: Vec<String> = keep.into_iter().collect();
    dirs.write_summary(&p.summary(dirs.reports_dir(), &kept)?)?;
    dirs.finish();
    phases.done("summary");
    let count = |s: Status| entries.iter().filter(|e| e.status == s).count();
    let outcome = RunOutcome {
        published: count(Status::Published),
        unchanged: count(Status::Unchanged),
        failed: count(Status::Failed),
        removed,
    };
    log.summary(&outcome, started.elapsed());
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str, id: &str) -> (String, Entry) {
        let mut e = Entry::failed(source.into(), Some(id.into()), None, String::new());
        e.status = Status::Published;
        e.error = None;
        (source.into(), e)
    }

    fn found(source: &str, id: &str) -> Found {
        Found::Ready(Input {
            source: source.into(),
            path: source.into(),
            id: id.into(),
            sha256: String::new(),
        })
    }

    #[test]
    fn empty_inputs_and_large_shrinks_are_refused_unless_allowed() {
        let previous: HashMap<String, Entry> =
            (0..4).map(|i| entry(&format!("in/{i}.pdf"), &format!("id{i}"))).collect();
        assert!(matches!(check_shrink(&[], &previous, 0.5, false), Err(RunError::Refused(_))));
        assert!(check_shrink(&[], &previous, 0.5, true).is_ok());
        assert!(matches!(
            check_shrink(&[], &HashMap::new(), 0.5, false),
            Err(RunError::Refused(_))
        ));
        // Two of four gone: allowed at 0.5; three: refused.
        let two = [found("in/0.pdf", "id0"), found("in/1.pdf", "id1")];
        assert!(check_shrink(&two, &previous, 0.5, false).is_ok());
        let one = [found("in/0.pdf", "id0")];
        assert!(matches!(check_shrink(&one, &previous, 0.5, false), Err(RunError::Refused(_))));
        // A changed file keeps its source, a moved one its id: neither is gone.
        let moved = [
            found("in/0.pdf", "new0"),
            found("moved/1.pdf", "id1"),
            found("in/2.pdf", "id2"),
            found("in/3.pdf", "id3"),
        ];
        assert!(check_shrink(&moved, &previous, 0.0, false).is_ok());
        // Files that are there but unreadable count as gone.
        let unreadable = |s: &str| Found::Unreadable {
            source: s.into(),
            id: format!("x{s}"),
            reason: String::new(),
        };
        let locked: Vec<Found> = (0..4).map(|i| unreadable(&format!("in/{i}.pdf"))).collect();
        assert!(matches!(check_shrink(&locked, &previous, 0.5, false), Err(RunError::Refused(_))));
    }
}
