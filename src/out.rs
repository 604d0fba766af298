//! The output folder: its layout, and the only code that writes into it.
//!
//! ```text
//! OUT/
//!   manifest.jsonl        one entry per input (the operator's record; private)
//!   run.json              what this folder is: a run's shard, fingerprint and input list
//!   public/reports/       the published files of each report (readable as the umask says)
//!   public/summary/       the learning summary
//!   review/               review pages and decisions (private: personal data)
//!   .maskera/             journal of a run in progress, temporary files, keys (private)
//! ```
//!
//! A report is published whole or not at all: every file is written to a private temporary
//! folder and renamed into place, and a report that fails has nothing under `public/`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::fsutil::{self, Access};
use crate::manifest::{self, Entry};
use crate::summary::SummaryFiles;
use crate::verify::Verified;

/// The extensions of the files every published report has.
pub const REPORT_EXTENSIONS: [&str; 5] = ["txt", "md", "html", "pdf", "json"];

pub use crate::verify::MASKED_COPY_EXTENSION;

/// The output folder could not be used.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to the output folder {path}: {source}")]
pub struct OutError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

fn out_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutError + '_ {
    move |source| OutError { path: path.display().to_string(), source }
}

/// What an output folder is, written as `OUT/run.json`: the shard a run processed, the
/// fingerprint of its program and configuration, and the digest of its whole input list
/// (the same in every shard of one batch), so that `maskera merge` can check its inputs.
/// A merged folder records the shards it was merged from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub maskera: String,
    /// `K/N`; `0/1` for a run without `--shard`.
    pub shard: String,
    pub fingerprint: String,
    /// Stamp of the allow/deny decisions in force (configuration and `review/decisions.toml`).
    #[serde(default)]
    pub decisions: String,
    /// Digest of the whole input list (all shards).
    pub inputs: String,
    /// Inputs of the whole list.
    pub total_inputs: usize,
    /// For a merged folder: the shards merged into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<usize>,
}

/// An output folder, opened for a run or a merge.
pub struct OutDir {
    root: PathBuf,
    reports: PathBuf,
    state: PathBuf,
    tmp: PathBuf,
    /// `OUT/review`, when review pages are written.
    review: Option<PathBuf>,
    /// Ids whose review page this run wrote.
    reviewed: Mutex<BTreeSet<String>>,
}

impl OutDir {
    /// Where the manifest of an output folder is.
    pub fn manifest_path(root: &Path) -> PathBuf {
        root.join("manifest.jsonl")
    }

    /// Whether `root` is an output folder of maskera (it has a manifest).
    pub fn is_output(root: &Path) -> bool {
        Self::manifest_path(root).is_file()
    }

    /// The run record of an output folder, if it has one.
    pub fn read_record(root: &Path) -> Option<RunRecord> {
        serde_json::from_slice(&std::fs::read(root.join("run.json")).ok()?).ok()
    }

    /// Create the folder's layout (public folders as the umask says, private ones 0700).
    pub fn open(root: &Path, review: bool) -> Result<OutDir, OutError> {
        let d = OutDir {
            root: root.to_path_buf(),
            reports: root.join("public").join("reports"),
            state: root.join(".maskera"),
            tmp: root.join(".maskera").join("tmp"),
            review: review.then(|| root.join("review")),
            reviewed: Mutex::new(BTreeSet::new()),
        };
        fsutil::create_dir(&d.reports, Access::Public).map_err(out_error(&d.reports))?;
        fsutil::create_dir(&d.state, Access::Private).map_err(out_error(&d.state))?;
        fsutil::create_dir(&d.tmp, Access::Private).map_err(out_error(&d.tmp))?;
        if let Some(r) = &d.review {
            fsutil::create_dir(r, Access::Private).map_err(out_error(r))?;
        }
        Ok(d)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The private scratch folder (page images for OCR); emptied at the end of a run.
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    pub fn reports_dir(&self) -> &Path {
        &self.reports
    }

    fn report_file(&self, id: &str, ext: &str) -> PathBuf {
        self.reports.join(format!("{id}.{ext}"))
    }

    fn review_file(&self, id: &str) -> PathBuf {
        self.root.join("review").join(format!("{id}.html"))
    }

    /// Whether report `id` has its masked copy in place.
    pub fn has_masked_copy(&self, id: &str) -> bool {
        self.report_file(id, MASKED_COPY_EXTENSION).is_file()
    }

    /// Whether every published file of report `id` is in place (and its review page, when
    /// this run writes review pages).
    pub fn is_complete(&self, id: &str) -> bool {
        REPORT_EXTENSIONS.iter().all(|ext| self.report_file(id, ext).is_file())
            && (self.review.is_none() || self.review_file(id).is_file())
    }

    /// The entries of the last run into `root` and of a run that was killed after it, by
    /// source (read without changing anything).
    pub fn previous_entries(root: &Path) -> HashMap<String, Entry> {
        let journal = root.join(".maskera").join("journal.jsonl");
        let mut previous = HashMap::new();
        for e in
            manifest::read(&Self::manifest_path(root)).into_iter().chain(manifest::read(&journal))
        {
            previous.insert(e.source.clone(), e);
        }
        previous
    }

    /// Publish the files of a verified report.
    pub fn publish(&self, id: &str, verified: &Verified) -> Result<(), String> {
        if !verified.has_masked_copy() {
            // A copy left by an earlier run with other settings no longer belongs to it.
            let _ = std::fs::remove_file(self.report_file(id, MASKED_COPY_EXTENSION));
        }
        for (ext, data) in verified.files() {
            fsutil::write_atomic_via(&self.tmp, &self.report_file(id, ext), data, Access::Public)
                .map_err(|e| format!("cannot write the published file: {}", e.kind()))?;
        }
        Ok(())
    }

    /// Remove every published file of a report.
    pub fn unpublish(&self, id: &str) {
        for ext in REPORT_EXTENSIONS.iter().chain([&MASKED_COPY_EXTENSION]) {
            let _ = std::fs::remove_file(self.report_file(id, ext));
        }
    }

    /// Write the review page of a document (private).
    pub fn write_review(&self, id: &str, page: &str) -> Result<(), String> {
        fsutil::write_atomic_via(
            &self.tmp,
            &self.review_file(id),
            page.as_bytes(),
            Access::Private,
        )
        .map_err(|e| format!("cannot write the review page: {}", e.kind()))?;
        if let Ok(mut r) = self.reviewed.lock() {
            r.insert(id.to_string());
        }
        Ok(())
    }

    /// The journal of this run: one manifest line per finished document.
    pub fn journal(&self) -> Result<Journal, OutError> {
        let path = self.state.join("journal.jsonl");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(out_error(&path))?;
        Ok(Journal { file: Mutex::new(file) })
    }

    /// Remove from `public/reports` every file that does not belong to a report in `keep`
    /// (left by earlier runs, or temporary files of a killed one), and give the kept files
    /// the public permissions (files of older versions were private). Returns how many
    /// reports were removed.
    pub fn prune(&self, keep: &BTreeSet<String>) -> usize {
        let Ok(rd) = std::fs::read_dir(&self.reports) else { return 0 };
        let mut removed = BTreeSet::new();
        let public = Access::Public;
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let parts =
                match name.strip_suffix(MASKED_COPY_EXTENSION).and_then(|s| s.strip_suffix('.')) {
                    Some(stem) => Some((stem, MASKED_COPY_EXTENSION)),
                    None => name.rsplit_once('.'),
                };
            let ok = parts.is_some_and(|(stem, ext)| {
                keep.contains(stem)
                    && (REPORT_EXTENSIONS.contains(&ext) || ext == MASKED_COPY_EXTENSION)
            });
            if ok {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode =
                        entry.metadata().map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
                    if mode != public.mode() {
                        let _ = public.apply(&entry.path());
                    }
                }
                continue;
            }
            if let Some((stem, "json")) = parts {
                removed.insert(stem.to_string());
            }
            let _ = std::fs::remove_file(entry.path());
        }
        removed.len()
    }

    /// Remove from `OUT/review` the pages this run did not write, except those of the
    /// documents in `unchanged`: pages of documents gone from the batch, and stale pages of
    /// documents processed again without `--review`. Other files (`decisions.toml`) stay.
    pub fn prune_reviews(&self, unchanged: &BTreeSet<String>) {
        let Ok(rd) = std::fs::read_dir(self.root.join("review")) else { return };
        let mut keep: BTreeSet<String> =
            self.reviewed.lock().map(|r| r.clone()).unwrap_or_default();
        keep.extend(unchanged.iter().cloned());
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.strip_suffix(".html").is_some_and(|stem| !keep.contains(stem)) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Write the manifest (sorted by source) and the run record.
    pub fn write_manifest(
        &self,
        entries: &mut [Entry],
        record: &RunRecord,
    ) -> Result<(), OutError> {
        let path = Self::manifest_path(&self.root);
        manifest::write(&path, entries).map_err(out_error(&path))?;
        let path = self.root.join("run.json");
        let mut json = serde_json::to_string_pretty(record).expect("run records serialise");
        json.push('\n');
        fsutil::write_atomic_via(&self.state, &path, json.as_bytes(), Access::Private)
            .map_err(out_error(&path))
    }

    /// Write the learning summary to `public/summary/`.
    pub fn write_summary(&self, files: &SummaryFiles) -> Result<(), OutError> {
        let dir = self.root.join("public").join("summary");
        fsutil::create_dir(&dir, Access::Public).map_err(out_error(&dir))?;
        for (name, data) in files.files() {
            let p = dir.join(name);
            fsutil::write_atomic_via(&self.tmp, &p, data, Access::Public).map_err(out_error(&p))?;
        }
        Ok(())
    }

    /// The end of a run: the journal and the temporary files go.
    pub fn finish(&self) {
        let _ = std::fs::remove_file(self.state.join("journal.jsonl"));
        let _ = std::fs::remove_dir_all(&self.tmp);
    }

    /// Take over the published files of report `id` from another output folder's
    /// `reports` (a shard, for `maskera merge`): linked where possible, else copied.
    pub fn adopt_report(&self, from_reports: &Path, id: &str) -> Result<(), OutError> {
        for ext in REPORT_EXTENSIONS {
            let from = from_reports.join(format!("{id}.{ext}"));
            let to = self.report_file(id, ext);
            self.link_or_copy(&from, &to, Access::Public)?;
        }
        let copy = from_reports.join(format!("{id}.{MASKED_COPY_EXTENSION}"));
        if copy.is_file() {
            self.link_or_copy(&copy, &self.report_file(id, MASKED_COPY_EXTENSION), Access::Public)?;
        }
        Ok(())
    }

    /// Take over the review page of `id` from another output folder (private).
    pub fn adopt_review(&self, from: &Path, id: &str) -> Result<(), OutError> {
        let dir = self.root.join("review");
        fsutil::create_dir(&dir, Access::Private).map_err(out_error(&dir))?;
        let to = self.review_file(id);
        self.link_or_copy(from, &to, Access::Private)?;
        if let Ok(mut r) = self.reviewed.lock() {
            r.insert(id.to_string());
        }
        Ok(())
    }

    /// Link `from` to `to` (replacing `to`), or copy it when linking is not possible.
    fn link_or_copy(&self, from: &Path, to: &Path, access: Access) -> Result<(), OutError> {
        let _ = std::fs::remove_file(to);
        if std::fs::hard_link(from, to).is_ok() {
            return Ok(());
        }
        let bytes = std::fs::read(from).map_err(out_error(from))?;
        fsutil::write_atomic_via(&self.tmp, to, &bytes, access).map_err(out_error(to))
    }
}

/// The journal of a run in progress: one manifest line per finished document, so that a
/// killed run loses nothing it finished.
pub struct Journal {
    file: Mutex<std::fs::File>,
}

impl Journal {
    pub fn record(&self, entry: &Entry) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(manifest::line(entry).as_bytes());
        }
    }
}

/// The published reports of an output folder according to its manifest (id → source).
pub fn published_reports(root: &Path) -> BTreeMap<String, String> {
    manifest::read(&OutDir::manifest_path(root))
        .into_iter()
        .filter(|e| e.status != manifest::Status::Failed)
        .filter_map(|e| Some((e.id?, e.source)))
        .collect()
}
