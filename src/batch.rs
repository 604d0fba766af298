//! The batch: inputs → parallel per-document runs → published files and a manifest.
//!
//! Inputs are hashed first (cheap), given content-derived ids, then processed in parallel
//! with rayon. Each document either publishes all of its files or none: a failure, a
//! panic or a verification hit removes whatever the document had under `public/`.
//! Progress is journaled as documents finish, so a killed run loses nothing it finished;
//! the manifest is written at the end, sorted, atomically.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;

use crate::config::Config;
use crate::detect::Detectors;
use crate::document::{Extracted, Format};
use crate::extract::{self, ExtractError};
use crate::hash::sha256_hex;
use crate::manifest::{self, Entry, Status};
use crate::render::{self, OcrInfo, ReportInfo, Templates};
use crate::review::{DecisionsInForce, DocReview, ReviewTemplates};
use crate::{normalize, redact};

/// The extensions of the files every published report has.
pub const REPORT_EXTENSIONS: [&str; 5] = ["txt", "md", "html", "pdf", "json"];

/// How PDF extraction is run.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// In a child process of this executable (`__extract`): the safe default for the CLI.
    Subprocess(PathBuf),
    /// In the calling process (library use, tests).
    InProcess,
}

/// Everything compiled once before the first document: configuration, detectors,
/// templates, and the fingerprint that decides whether earlier output is still valid.
pub struct Pipeline {
    pub config: Config,
    /// The learning fields' rules.
    pub analyzer: crate::analyze::Analyzer,
    summary_templates: crate::summary::render::SummaryTemplates,
    detectors: Detectors,
    templates: Templates,
    review_templates: ReviewTemplates,
    /// The allow/deny decisions in force, with their origin (for review pages).
    decisions: DecisionsInForce,
    /// The key of linked pseudonyms (`--link-persons`).
    link: Option<crate::link::LinkKey>,
    fingerprint: String,
    /// The extraction processes, when extraction is isolated.
    workers: Option<extract::isolate::Workers>,
}

/// What a run adds to the configuration file: the output folder's review decisions and
/// the key of linked pseudonyms.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// `OUT/review/decisions.toml`, added to the configuration's allow/deny lists.
    pub batch_decisions: crate::decide::Decisions,
    /// Required when the configuration says `link_persons`.
    pub link: Option<crate::link::LinkKey>,
}

/// A problem that stops the run before or after the documents (not a document failure).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Detect(#[from] crate::detect::DetectError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error("cannot write to the output folder {path}: {source}")]
    Output { path: String, source: std::io::Error },
    #[error("cannot start the worker threads: {0}")]
    Threads(String),
    #[error(transparent)]
    Taxonomy(#[from] crate::analyze::taxonomy::TaxonomyError),
    #[error(transparent)]
    Summary(#[from] crate::summary::render::SummaryWriteError),
    #[error("the configuration is not valid: {0}")]
    Invalid(String),
}

impl Pipeline {
    pub fn build(config: Config, templates_dir: Option<&Path>, isolation: Isolation) -> Result<Pipeline, RunError> {
        Self::build_with(config, templates_dir, isolation, Extras::default())
    }

    /// [`Pipeline::build`] with the output folder's decisions and a link key.
    pub fn build_with(
        global: Config,
        templates_dir: Option<&Path>,
        isolation: Isolation,
        extras: Extras,
    ) -> Result<Pipeline, RunError> {
        let decisions = DecisionsInForce::new(&global, &extras.batch_decisions);
        let mut config = global;
        extras.batch_decisions.apply_to(&mut config);
        let link = if config.link_persons {
            let Some(key) = extras.link else {
                return Err(RunError::Invalid("link_persons needs a link key".into()));
            };
            // `[NAME LABEL]` stays within 42 characters even with the longest label.
            let room = 40 - 1 - crate::link::LABEL_LEN - crate::link::MAX_EXTRA;
            if config.placeholder(crate::document::Kind::Name).chars().count() > room {
                return Err(RunError::Invalid(format!(
                    "with linked pseudonyms the NAME placeholder may have at most {room} characters"
                )));
            }
            Some(key)
        } else {
            None
        };
        // The two costly builds (word lists, lexicon, patterns; the taxonomy) side by side.
        let (detectors, analyzer) =
            rayon::join(|| Detectors::build(&config), || crate::analyze::Analyzer::build(config.analyze.taxonomy.as_deref()));
        let (detectors, analyzer) = (detectors?, analyzer?);
        // A legal ground is published in every report's JSON: it must not read as personal data.
        for (kind, g) in &config.grounds {
            if !detectors.detect_str(&format!("maskning enligt {g}: 7 uppgifter")).is_empty() {
                return Err(RunError::Invalid(format!(
                    "grounds.{} reads as personal data to the detectors; reword it",
                    kind.as_str()
                )));
            }
        }
        let templates = Templates::load(templates_dir)?;
        let review_templates = ReviewTemplates::load(templates_dir)?;
        let summary_templates = crate::summary::render::SummaryTemplates::load(templates_dir)?;
        // Review pages and where the key file lies change nothing under public/.
        let mut for_fingerprint = config.clone();
        for_fingerprint.review = Default::default();
        for_fingerprint.link_key_file = None;
        let config_json = serde_json::to_string(&for_fingerprint).expect("config serialises");
        let link_fp = link.as_ref().map(|k| k.fingerprint()).unwrap_or_default();
        let fingerprint = sha256_hex(
            format!(
                "maskera {}\u{0}{config_json}\u{0}{}\u{0}{}\u{0}{link_fp}",
                env!("CARGO_PKG_VERSION"),
                templates.fingerprint,
                analyzer.taxonomy().fingerprint
            )
            .as_bytes(),
        )[..16]
            .to_string();
        let workers = match &isolation {
            Isolation::Subprocess(exe) => {
                Some(extract::isolate::Workers::new(exe, &config.limits, config.ocr.reocr))
            }
            Isolation::InProcess => None,
        };
        Ok(Pipeline {
            config,
            analyzer,
            summary_templates,
            detectors,
            templates,
            review_templates,
            decisions,
            link,
            fingerprint,
            workers,
        })
    }
}

/// How the run reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

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
    /// Write an internal review page per document to `OUT/review/<id>.html`.
    pub review: bool,
}

/// A deterministic share of the inputs: shard `index` of `count` (0-based) owns the inputs
/// whose content hash, read as a number, leaves remainder `index` when divided by `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parse `K/N` with 0 ≤ K < N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard takes K/N with 0 ≤ K < N (e.g. 0/4), not {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (k.trim().parse::<u64>().map_err(|_| bad())?, n.trim().parse::<u64>().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard owns the input with this hex hash.
    pub fn owns(&self, hex_hash: &str) -> bool {
        let n = u64::from_str_radix(&hex_hash[..16.min(hex_hash.len())], 16).unwrap_or(0);
        n % self.count == self.index
    }
}

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    pub published: usize,
    pub unchanged: usize,
    pub failed: usize,
}

/// One input found on the command line or in a folder.
#[derive(Debug, Clone)]
struct Input {
    source: String,
    path: PathBuf,
    /// A problem found while listing (e.g. a symlink loop); the input then fails.
    problem: Option<String>,
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Files named or found under the given paths, sorted by source, each once. Hidden files
/// and folders inside a given folder are skipped, and so is the output folder.
fn collect_inputs(paths: &[PathBuf], out: &Path) -> Vec<Input> {
    let out_canon = out.canonicalize().ok();
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        if p.is_dir() {
            let walker = walkdir::WalkDir::new(p).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
                e.depth() == 0 || !is_hidden(e.file_name())
            });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let canon = e.path().canonicalize().ok();
                        if let (Some(c), Some(o)) = (&canon, &out_canon) {
                            if c.starts_with(o) {
                                continue;
                            }
                        }
                        if seen.insert(canon.unwrap_or_else(|| e.path().to_path_buf())) {
                            inputs.push(Input { source: e.path().display().to_string(), path: e.path().to_path_buf(), problem: None });
                        }
                    }
                    Ok(_) => {}
                    Err(err) => {
                        let path = err.path().map(|p| p.display().to_string()).unwrap_or_else(|| p.display().to_string());
                        let reason = if err.loop_ancestor().is_some() {
                            "symbolic link loop in the input folder; the link was not followed".to_string()
                        } else {
                            format!("cannot read this folder entry: {}", err.io_error().map(|e| e.kind().to_string()).unwrap_or_default())
                        };
                        inputs.push(Input { source: path.clone(), path: PathBuf::from(path), problem: Some(reason) });
                    }
                }
            }
        } else {
            let canon = p.canonicalize().unwrap_or_else(|_| p.clone());
            if seen.insert(canon) {
                let problem = (!p.exists()).then(|| "no such file or folder".to_string());
                inputs.push(Input { source: p.display().to_string(), path: p.clone(), problem });
            }
        }
    }
    inputs.sort_by(|a, b| a.source.cmp(&b.source));
    inputs.dedup_by(|a, b| a.source == b.source);
    inputs
}

/// The file hash of an input, or why it cannot be read.
fn hash_input(input: &Input, limit: u64) -> Result<String, String> {
    if let Some(p) = &input.problem {
        return Err(p.clone());
    }
    let meta = std::fs::metadata(&input.path).map_err(|e| format!("cannot read the file: {}", e.kind()))?;
    if meta.len() > limit {
        return Err(ExtractError::TooLarge { bytes: meta.len(), limit }.to_string());
    }
    let bytes = std::fs::read(&input.path).map_err(|e| format!("cannot read the file: {}", e.kind()))?;
    Ok(sha256_hex(&bytes))
}

/// Ids from content hashes: the first 16 hex digits, with `-2`, `-3` … for identical
/// contents in order of source. Nothing of the file name goes into an id.
fn assign_ids(hashes: &[Result<String, String>], inputs: &[Input]) -> Vec<String> {
    let mut used: HashMap<String, usize> = HashMap::new();
    hashes
        .iter()
        .zip(inputs)
        .map(|(h, input)| {
            let base = match h {
                Ok(h) => h[..16].to_string(),
                Err(_) => format!("x{}", &sha256_hex(input.source.as_bytes())[..15]),
            };
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        })
        .collect()
}

/// The output folder's layout.
struct OutDirs {
    root: PathBuf,
    reports: PathBuf,
    state: PathBuf,
    tmp: PathBuf,
    /// `OUT/review`, when review pages are written (never under `public/`).
    review: Option<PathBuf>,
    /// Ids whose review page this run wrote.
    reviewed: Mutex<HashSet<String>>,
}

impl OutDirs {
    fn create(root: &Path, review: bool) -> Result<OutDirs, RunError> {
        let d = OutDirs {
            root: root.to_path_buf(),
            reports: root.join("public").join("reports"),
            state: root.join(".maskera"),
            tmp: root.join(".maskera").join("tmp"),
            review: review.then(|| root.join("review")),
            reviewed: Mutex::new(HashSet::new()),
        };
        for dir in [Some(&d.reports), Some(&d.tmp), d.review.as_ref()].into_iter().flatten() {
            std::fs::create_dir_all(dir)
                .map_err(|source| RunError::Output { path: dir.display().to_string(), source })?;
        }
        Ok(d)
    }

    fn review_file(&self, id: &str) -> PathBuf {
        self.root.join("review").join(format!("{id}.html"))
    }

    fn report_file(&self, id: &str, ext: &str) -> PathBuf {
        self.reports.join(format!("{id}.{ext}"))
    }

    /// Remove every published file of a report.
    fn unpublish(&self, id: &str) {
        for ext in REPORT_EXTENSIONS {
            let _ = std::fs::remove_file(self.report_file(id, ext));
        }
    }
}

/// The journal of a run in progress: one manifest line per finished document.
struct Journal {
    file: Mutex<std::fs::File>,
}

impl Journal {
    fn open(path: &Path) -> Result<Journal, RunError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| RunError::Output { path: path.display().to_string(), source })?;
        Ok(Journal { file: Mutex::new(file) })
    }

    fn record(&self, entry: &Entry) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(manifest::line(entry).as_bytes());
        }
    }
}

/// A document's journey through the stages, for one input. Returns its manifest entry.
fn process(p: &Pipeline, dirs: &OutDirs, input: &Input, id: &str, sha: &str) -> Entry {
    let result = catch_unwind(AssertUnwindSafe(|| publish(p, dirs, input, id, sha)));
    match result {
        Ok(Ok(entry)) => entry,
        Ok(Err(reason)) => {
            dirs.unpublish(id);
            Entry::failed(input.source.clone(), Some(id.to_string()), Some(sha.to_string()), reason)
        }
        Err(_) => {
            dirs.unpublish(id);
            Entry::failed(
                input.source.clone(),
                Some(id.to_string()),
                Some(sha.to_string()),
                "internal error while processing this document (a bug in maskera; please report it)".into(),
            )
        }
    }
}

/// Extract a document's text; PDF pages without a usable text layer are OCR'd, with page
/// images in a private folder under `tmp` (removed on return).
fn extract_input(p: &Pipeline, input: &Input, bytes: &[u8], tmp: &Path) -> Result<Extracted, ExtractError> {
    let extracted = match extract::sniff(bytes) {
        Format::Pdf => {
            let work = extract::ocr::work_dir(tmp)?;
            let text = match &p.workers {
                Some(workers) => workers.extract(&input.path, work.path())?,
                None => extract::isolate::extract_pdf_in_process(bytes, &p.config.limits, Some(work.path()), p.config.ocr.reocr)?,
            };
            extract::ocr::complete(text, &input.path, work.path(), &p.config)?
        }
        Format::Text => extract::extract_text(bytes)?,
    };
    if !extract::has_text(&extracted) {
        return Err(match extracted.format {
            Format::Pdf => ExtractError::NoText,
            Format::Text => ExtractError::Text(extract::text::TextError::Empty),
        });
    }
    Ok(extracted)
}

fn publish(p: &Pipeline, dirs: &OutDirs, input: &Input, id: &str, sha: &str) -> Result<Entry, String> {
    let bytes = std::fs::read(&input.path).map_err(|e| format!("cannot read the file: {}", e.kind()))?;
    if sha256_hex(&bytes) != sha {
        return Err("the file changed while the batch was running; run again".into());
    }
    let extracted = extract_input(p, input, &bytes, &dirs.tmp).map_err(|e| e.to_string())?;
    drop(bytes);
    let normalized = normalize::normalize(&extracted);
    let (findings, allowed) = match dirs.review {
        Some(_) => p.detectors.detect_for_review(&normalized),
        None => (p.detectors.detect(&normalized), Vec::new()),
    };
    let redacted = redact::redact_settled_with(&normalized, &findings, &p.detectors, &p.config, p.link.as_ref());
    let counts: BTreeMap<String, usize> =
        redacted.counts().into_iter().map(|(k, n)| (k.as_str().to_string(), n)).collect();
    let published = render_and_write(p, dirs, id, &redacted, counts.clone());
    if dirs.review.is_some() {
        let failure = published.as_ref().err().map(String::as_str);
        let page = crate::review::render_review(
            &DocReview {
                id,
                normalized: &normalized,
                findings: &findings,
                allowed: &allowed,
                redacted: &redacted,
                config: &p.config,
                decisions: &p.decisions,
                failure,
                linked: p.link.is_some(),
            },
            &p.review_templates,
        )
        .map_err(|e| format!("cannot render the review page: {e}"))?;
        crate::fsutil::write_atomic_via(&dirs.tmp, &dirs.review_file(id), page.as_bytes())
            .map_err(|e| format!("cannot write the review page: {}", e.kind()))?;
        if let Ok(mut r) = dirs.reviewed.lock() {
            r.insert(id.to_string());
        }
    }
    published?;
    Ok(Entry {
        source: input.source.clone(),
        id: Some(id.to_string()),
        status: Status::Published,
        error: None,
        sha256: Some(sha.to_string()),
        format: Some(extracted.format),
        pages: Some(redacted.page_count),
        ocr_pages: redacted.ocr_pages.clone(),
        reocr_pages: redacted.ocr.reocr_pages.clone(),
        ocr_notes: redacted.ocr.notes.clone(),
        counts,
        fingerprint: Some(p.fingerprint.clone()),
    })
}

/// Render, verify and write the published files of a redacted document.
fn render_and_write(
    p: &Pipeline,
    dirs: &OutDirs,
    id: &str,
    redacted: &redact::Redacted,
    counts: BTreeMap<String, usize>,
) -> Result<(), String> {
    let (masking_record, masking_statement) = crate::record::masking_record(&redacted.counts(), &p.config);
    let info = ReportInfo {
        id: id.to_string(),
        maskera_version: env!("CARGO_PKG_VERSION"),
        pages: redacted.page_count,
        ocr: OcrInfo {
            pages: redacted.ocr_pages.clone(),
            reocr_pages: redacted.ocr.reocr_pages.clone(),
            repaired: redacted.ocr_repaired,
            repaired_words: redacted.ocr.repaired_words,
            reocr_words: redacted.ocr.reocr_words,
        },
        redactions: counts,
        fields: serde_json::to_value(p.analyzer.analyze(redacted)).map_err(|e| e.to_string())?,
        masking_record,
        masking_statement,
    };
    let rendered = render::render(redacted, &info, &p.templates).map_err(|e| e.to_string())?;
    crate::verify::verify(&rendered, redacted, &p.detectors).map_err(|e| e.to_string())?;
    for (ext, data) in rendered.files() {
        crate::fsutil::write_atomic_via(&dirs.tmp, &dirs.report_file(id, ext), data)
            .map_err(|e| format!("cannot write the published file: {}", e.kind()))?;
    }
    Ok(())
}

/// Whether an earlier run's entry still stands for this input.
fn still_valid(prev: Option<&Entry>, dirs: &OutDirs, id: &str, sha: &str, fingerprint: &str) -> bool {
    let Some(e) = prev else { return false };
    matches!(e.status, Status::Published | Status::Unchanged)
        && e.id.as_deref() == Some(id)
        && e.sha256.as_deref() == Some(sha)
        && e.fingerprint.as_deref() == Some(fingerprint)
        && REPORT_EXTENSIONS.iter().all(|ext| dirs.report_file(id, ext).is_file())
        && (dirs.review.is_none() || dirs.review_file(id).is_file())
}

/// Remove from `OUT/review` the pages this run did not write, except those of unchanged
/// documents: pages of documents gone from the batch, and stale pages of documents
/// processed again without `--review`. Other files (`decisions.toml`) stay.
fn prune_reviews(dirs: &OutDirs, entries: &[Entry]) {
    let Ok(rd) = std::fs::read_dir(dirs.root.join("review")) else { return };
    let mut keep: HashSet<String> = dirs.reviewed.lock().map(|r| r.clone()).unwrap_or_default();
    keep.extend(entries.iter().filter(|e| e.status == Status::Unchanged).filter_map(|e| e.id.clone()));
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if let Some(stem) = name.strip_suffix(".html") {
            if !keep.contains(stem) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Remove from `public/reports` every file that does not belong to a published report
/// of this run (left by earlier runs, or temporary files of a killed one).
fn prune(dirs: &OutDirs, keep: &HashSet<String>) {
    let Ok(rd) = std::fs::read_dir(&dirs.reports) else { return };
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let id = name.rsplit_once('.').map(|(stem, ext)| (stem, ext));
        let ok = id.is_some_and(|(stem, ext)| keep.contains(stem) && REPORT_EXTENSIONS.contains(&ext));
        if !ok {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The items whose flag in `owned` is set.
fn owned_only<T>(v: Vec<T>, owned: &[bool]) -> Vec<T> {
    v.into_iter().zip(owned).filter(|(_, o)| **o).map(|(x, _)| x).collect()
}

/// Run the batch. Document failures are recorded, not returned: the outcome counts them.
pub fn run(p: &Pipeline, opts: &RunOptions, log: &crate::log::Log) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let dirs = OutDirs::create(&opts.out, opts.review)?;
    let manifest_path = dirs.root.join("manifest.jsonl");
    let journal_path = dirs.state.join("journal.jsonl");
    let mut previous: HashMap<String, Entry> = HashMap::new();
    for e in manifest::read(&manifest_path).into_iter().chain(manifest::read(&journal_path)) {
        previous.insert(e.source.clone(), e);
    }
    // A file that moved keeps its content and so its id: find it by id too.
    let previous_by_id: HashMap<String, Entry> =
        previous.values().filter_map(|e| Some((e.id.clone()?, e.clone()))).collect();
    let inputs = collect_inputs(&opts.inputs, &opts.out);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let limit = p.config.limits.max_input_bytes;
    let hashes: Vec<Result<String, String>> = pool.install(|| inputs.par_iter().map(|i| hash_input(i, limit)).collect());
    let ids = assign_ids(&hashes, &inputs);
    let (inputs, hashes, ids) = match opts.shard {
        None => (inputs, hashes, ids),
        Some(shard) => {
            let owned: Vec<bool> = hashes
                .iter()
                .zip(&inputs)
                .map(|(h, i)| match h {
                    Ok(h) => shard.owns(h),
                    Err(_) => shard.owns(&sha256_hex(i.source.as_bytes())),
                })
                .collect();
            (owned_only(inputs, &owned), owned_only(hashes, &owned), owned_only(ids, &owned))
        }
    };
    let journal = Journal::open(&journal_path)?;
    let progress = log.progress(inputs.len() as u64, opts.progress && !opts.quiet);
    let mut entries: Vec<Entry> = pool.install(|| {
        inputs
            .par_iter()
            .zip(hashes.par_iter())
            .zip(ids.par_iter())
            .map(|((input, hash), id)| {
                let entry = match hash {
                    Err(reason) => {
                        dirs.unpublish(id);
                        Entry::failed(input.source.clone(), Some(id.clone()), None, reason.clone())
                    }
                    Ok(sha)
                        if !opts.force
                            && still_valid(
                                previous.get(&input.source).or_else(|| previous_by_id.get(id)),
                                &dirs,
                                id,
                                sha,
                                &p.fingerprint,
                            ) =>
                    {
                        let mut e = previous.get(&input.source).or_else(|| previous_by_id.get(id)).cloned().expect("checked");
                        e.source = input.source.clone();
                        e.status = Status::Unchanged;
                        e
                    }
                    Ok(sha) => process(p, &dirs, input, id, sha),
                };
                journal.record(&entry);
                log.document(&entry);
                progress.inc(1);
                entry
            })
            .collect()
    });
    progress.finish_and_clear();
    let keep: HashSet<String> = entries
        .iter()
        .filter(|e| e.status != Status::Failed)
        .filter_map(|e| e.id.clone())
        .collect();
    prune(&dirs, &keep);
    prune_reviews(&dirs, &entries);
    manifest::write(&manifest_path, &mut entries)
        .map_err(|source| RunError::Output { path: manifest_path.display().to_string(), source })?;
    let _ = std::fs::remove_file(&journal_path);
    let _ = std::fs::remove_dir_all(&dirs.tmp);
    let kept: Vec<String> = keep.into_iter().collect();
    crate::summary::publish(&dirs.root, &kept, &p.analyzer, &p.config.summary, &p.summary_templates, &|t| {
        p.detectors.detect_str(t).is_empty()
    })?;
    let outcome = RunOutcome {
        published: entries.iter().filter(|e| e.status == Status::Published).count(),
        unchanged: entries.iter().filter(|e| e.status == Status::Unchanged).count(),
        failed: entries.iter().filter(|e| e.status == Status::Failed).count(),
    };
    log.summary(&outcome, started.elapsed());
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(s: &str) -> Input {
        Input { source: s.into(), path: s.into(), problem: None }
    }

    #[test]
    fn ids_come_from_content_and_duplicates_are_numbered() {
        let h = vec![Ok("a".repeat(64)), Ok("a".repeat(64)), Ok("b".repeat(64))];
        let ids = assign_ids(&h, &[input("Rapport Anna Andersson.pdf"), input("kopia.pdf"), input("c.txt")]);
        assert_eq!(ids, ["aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa-2", "bbbbbbbbbbbbbbbb"]);
        assert!(!ids.iter().any(|i| i.contains("Anna")));
    }

    #[test]
    fn inputs_are_sorted_deduplicated_and_skip_hidden_and_output() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("in/sub")).unwrap();
        std::fs::create_dir_all(root.join("in/.hidden")).unwrap();
        std::fs::create_dir_all(root.join("in/out/public")).unwrap();
        for f in ["in/b.txt", "in/sub/a.txt", "in/.hidden/x.txt", "in/.DS_Store", "in/out/public/y.txt"] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let got = collect_inputs(&[root.join("in"), root.join("in/b.txt")], &root.join("in/out"));
        let names: Vec<_> = got.iter().map(|i| i.path.strip_prefix(root).unwrap().display().to_string()).collect();
        assert_eq!(names, ["in/b.txt", "in/sub/a.txt"]);
    }
}
