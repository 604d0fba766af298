//! `maskera merge OUT1 OUT2 … --out OUT`: combine the output folders of shard runs into
//! one: reports linked (or copied), manifests joined, and the summary built anew from the
//! reports, so that it is byte-identical to the summary of a single run over all inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::batch::REPORT_EXTENSIONS;
use crate::manifest::{self, Entry, Status};

/// Why a merge could not be done.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{path} is not a maskera output folder (it has no manifest.jsonl); give the --out folders of `maskera run`")]
    NotOutput { path: String },
    #[error("the merge output folder {path} is also one of the inputs; choose a new folder")]
    OutIsInput { path: String },
    #[error("cannot write to {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Summary(#[from] crate::summary::render::SummaryWriteError),
}

/// Counts of a finished merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    pub reports: usize,
    pub failed: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> MergeError + '_ {
    move |source| MergeError::Io { path: path.display().to_string(), source }
}

/// Link `from` to `to` (replacing `to`), or copy it when linking is not possible.
fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_file(to);
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(from)?;
    crate::fsutil::write_atomic(to, &bytes)
}

/// Writes the summary of the reports `ids` under an output root.
pub type WriteSummary<'a> = dyn Fn(&Path, &[String]) -> Result<(), crate::summary::render::SummaryWriteError> + 'a;

/// Merge the shard outputs `inputs` into `out`. `write_summary` builds the summary of the
/// merged reports (given the output root and the report ids).
pub fn merge(inputs: &[PathBuf], out: &Path, write_summary: &WriteSummary) -> Result<MergeOutcome, MergeError> {
    for i in inputs {
        if !i.join("manifest.jsonl").is_file() {
            return Err(MergeError::NotOutput { path: i.display().to_string() });
        }
        if matches!((i.canonicalize(), out.canonicalize()), (Ok(a), Ok(b)) if a == b) {
            return Err(MergeError::OutIsInput { path: out.display().to_string() });
        }
    }
    let reports = out.join("public").join("reports");
    std::fs::create_dir_all(&reports).map_err(io(&reports))?;
    // manifests: one entry per source; a published entry wins over a failed one
    let mut by_source: BTreeMap<String, Entry> = BTreeMap::new();
    for i in inputs {
        for e in manifest::read(&i.join("manifest.jsonl")) {
            let replace = match by_source.get(&e.source) {
                None => true,
                Some(old) => old.status == Status::Failed && e.status != Status::Failed,
            };
            if replace {
                by_source.insert(e.source.clone(), e);
            }
        }
    }
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for i in inputs {
        let dir = i.join("public").join("reports");
        let published: BTreeSet<String> = manifest::read(&i.join("manifest.jsonl"))
            .into_iter()
            .filter(|e| e.status != Status::Failed)
            .filter_map(|e| e.id)
            .collect();
        for id in published {
            if ids.contains(&id) || !REPORT_EXTENSIONS.iter().all(|ext| dir.join(format!("{id}.{ext}")).is_file()) {
                continue;
            }
            for ext in REPORT_EXTENSIONS {
                let to = reports.join(format!("{id}.{ext}"));
                link_or_copy(&dir.join(format!("{id}.{ext}")), &to).map_err(io(&to))?;
            }
            ids.insert(id);
        }
    }
    // remove whatever an earlier merge left that is not part of this one
    if let Ok(rd) = std::fs::read_dir(&reports) {
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let ok = name.rsplit_once('.').is_some_and(|(stem, ext)| ids.contains(stem) && REPORT_EXTENSIONS.contains(&ext));
            if !ok {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    merge_review_pages(inputs, out, by_source.values().filter_map(|e| e.id.as_deref()))?;
    let mut entries: Vec<Entry> = by_source.into_values().collect();
    let failed = entries.iter().filter(|e| e.status == Status::Failed).count();
    let mpath = out.join("manifest.jsonl");
    manifest::write(&mpath, &mut entries).map_err(io(&mpath))?;
    let ids: Vec<String> = ids.into_iter().collect();
    write_summary(out, &ids)?;
    Ok(MergeOutcome { reports: ids.len(), failed })
}

/// Bring the shards' review pages (`review/<id>.html`, internal, never under `public/`) of
/// the merged documents `ids` together in `out/review/`, and remove pages an earlier merge
/// left there for documents no longer in it. Shards that ran without `--review` have none.
fn merge_review_pages<'a>(inputs: &[PathBuf], out: &Path, ids: impl Iterator<Item = &'a str>) -> Result<(), MergeError> {
    let review = out.join("review");
    let mut pages: BTreeSet<String> = BTreeSet::new();
    for id in ids {
        let name = format!("{id}.html");
        let Some(from) = inputs.iter().map(|i| i.join("review").join(&name)).find(|p| p.is_file()) else { continue };
        if pages.insert(name.clone()) {
            std::fs::create_dir_all(&review).map_err(io(&review))?;
            let to = review.join(&name);
            let _ = std::fs::remove_file(&to);
            link_or_copy(&from, &to).map_err(io(&to))?;
        }
    }
    if let Ok(rd) = std::fs::read_dir(&review) {
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".html") && !pages.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{self, Isolation, LogFormat, Pipeline, RunOptions, Shard};
    use crate::config::Config;
    use crate::log::Log;

    /// Invented reports (no real names or cases), one per kind, with planted e-mail addresses.
    fn fixtures(dir: &Path) -> Vec<PathBuf> {
        let kinds = [
            ("Handläggaren skickade ett e-postmeddelande med en utredning till fel mottagare, kontakt ulla.provsdottir@exempel.invalid.", "Barn och unga – familjehemsenheten", "bedöms utgöra ett missförhållande", "2021-02-03"),
            ("Ett aktskåp stod olåst över en helg i ett rum där hantverkare arbetade.", "Ekonomiskt bistånd – försörjningsstödsenheten", "bedöms utgöra en påtaglig risk för allvarligt missförhållande", "2022-05-06"),
            ("En brukare fick en annan brukares läkemedel vid kvällsmedicineringen, anmält av gunnar.fiktivsson@exempel.invalid.", "Äldreomsorg – särskilt boende", "bedöms inte utgöra ett missförhållande", "2022-09-10"),
            ("Personalen bemötte den boende på ett kränkande och nedlåtande sätt.", "Funktionsnedsättning – gruppbostad", "bedöms utgöra ett allvarligt missförhållande", "2023-01-11"),
            ("Trygghetslarmet besvarades inte under natten och brukaren väntade länge.", "Äldreomsorg – hemtjänsten", "bedöms utgöra en påtaglig risk för missförhållande", "2023-03-12"),
        ];
        let mut paths = Vec::new();
        for i in 0..12 {
            let (what, area, level, date) = kinds[i % kinds.len()];
            let text = format!(
                "Rapport enligt lex Sarah nr {i}\n\nVerksamhetsområde\n\n{area}\n\nVad har hänt?\n\nDen {date} inträffade följande. {what}\n\n\
Orsaksanalys\n\nDet saknades en rutin och personalen hade hög arbetsbelastning.\n\nÅtgärder\n\nRutinen har reviderats och tagits upp på arbetsplatsträff (APT).\n\n\
Bedömning\n\nDet rapporterade {level}.\n"
            );
            let p = dir.join(format!("rapport-{i:02}.txt"));
            std::fs::write(&p, text).unwrap();
            paths.push(p);
        }
        paths
    }

    fn run(p: &Pipeline, inputs: &[PathBuf], out: &Path, shard: Option<Shard>) {
        run_with(p, inputs, out, shard, false)
    }

    fn run_with(p: &Pipeline, inputs: &[PathBuf], out: &Path, shard: Option<Shard>, review: bool) {
        let opts = RunOptions {
            inputs: inputs.to_vec(),
            out: out.to_path_buf(),
            threads: Some(2),
            quiet: true,
            log_format: LogFormat::Text,
            progress: false,
            force: false,
            shard,
            review,
        };
        let o = batch::run(p, &opts, &Log { format: LogFormat::Text, quiet: true }).unwrap();
        assert_eq!(o.failed, 0);
    }

    fn pipeline() -> Pipeline {
        Pipeline::build(Config::default(), None, Isolation::InProcess).unwrap()
    }

    fn write_summary(p: &Pipeline) -> impl Fn(&Path, &[String]) -> Result<(), crate::summary::render::SummaryWriteError> + '_ {
        move |root, ids| {
            let t = crate::summary::render::SummaryTemplates::load(None).unwrap();
            crate::summary::publish(root, ids, &p.analyzer, &p.config.summary, &t, &|_| true).map(|_| ())
        }
    }

    #[test]
    fn review_pages_of_the_shards_are_merged_outside_public() {
        let d = tempfile::tempdir().unwrap();
        let inputs = fixtures(&d.path().join("in").tap_mkdir());
        let p = pipeline();
        let shards: Vec<PathBuf> = (0..2).map(|k| d.path().join(format!("shard{k}"))).collect();
        for (k, s) in shards.iter().enumerate() {
            run_with(&p, &inputs, s, Some(Shard { index: k as u64, count: 2 }), true);
        }
        let merged = d.path().join("merged");
        std::fs::create_dir_all(merged.join("review")).unwrap();
        std::fs::write(merged.join("review/0000000000000000.html"), "left by an earlier merge").unwrap();
        merge(&shards, &merged, &write_summary(&p)).unwrap();
        let ids: BTreeSet<String> = manifest::read(&merged.join("manifest.jsonl")).into_iter().filter_map(|e| e.id).collect();
        let pages: BTreeSet<String> = std::fs::read_dir(merged.join("review"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".html").to_string())
            .collect();
        assert_eq!(pages, ids, "one review page per merged document, nothing stale");
        assert!(!merged.join("public/review").exists());
        // Shards without --review: the merge has no review pages either.
        let plain: Vec<PathBuf> = (0..2).map(|k| d.path().join(format!("plain{k}"))).collect();
        for (k, s) in plain.iter().enumerate() {
            run(&p, &inputs, s, Some(Shard { index: k as u64, count: 2 }));
        }
        merge(&plain, &merged, &write_summary(&p)).unwrap();
        assert_eq!(std::fs::read_dir(merged.join("review")).unwrap().count(), 0);
    }

    #[test]
    fn three_shards_merged_equal_a_single_run() {
        let d = tempfile::tempdir().unwrap();
        let inputs = fixtures(&d.path().join("in").tap_mkdir());
        let p = pipeline();
        run(&p, &inputs, &d.path().join("single"), None);
        let shards: Vec<PathBuf> = (0..3).map(|k| d.path().join(format!("shard{k}"))).collect();
        for (k, s) in shards.iter().enumerate() {
            run(&p, &inputs, s, Some(Shard { index: k as u64, count: 3 }));
        }
        let shard_docs: usize = shards.iter().map(|s| manifest::read(&s.join("manifest.jsonl")).len()).sum();
        assert_eq!(shard_docs, inputs.len(), "every input in exactly one shard");
        let merged = d.path().join("merged");
        let o = merge(&shards, &merged, &write_summary(&p)).unwrap();
        assert_eq!(o.reports, inputs.len());
        for f in crate::summary::render::SUMMARY_FILES {
            let a = std::fs::read(d.path().join("single/public/summary").join(f)).unwrap();
            let b = std::fs::read(merged.join("public/summary").join(f)).unwrap();
            assert!(a == b, "{f} differs between the single run and the merged shards");
        }
        assert_eq!(
            std::fs::read(d.path().join("single/manifest.jsonl")).unwrap().len(),
            std::fs::read(merged.join("manifest.jsonl")).unwrap().len()
        );
        // a rerun with nothing changed gives the same summary (fields read back from the json)
        run(&p, &inputs, &d.path().join("single"), None);
        let again = std::fs::read(d.path().join("single/public/summary/summary.json")).unwrap();
        assert_eq!(again, std::fs::read(merged.join("public/summary/summary.json")).unwrap());
    }

    #[test]
    fn summary_counts_equal_report_fields_and_nothing_leaks() {
        let d = tempfile::tempdir().unwrap();
        let inputs = fixtures(&d.path().join("in").tap_mkdir());
        let p = pipeline();
        let out = d.path().join("out");
        run(&p, &inputs, &out, None);
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("public/summary/summary.json")).unwrap()).unwrap();
        let mut fields = Vec::new();
        for e in std::fs::read_dir(out.join("public/reports")).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "json") {
                let v: serde_json::Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
                fields.push(v["fields"].clone());
            }
        }
        assert_eq!(summary["documents"], fields.len());
        for key in ["kategori", "bedomning", "verksamhetsomrade"] {
            for c in summary[key].as_array().unwrap() {
                let n = fields.iter().filter(|f| f[key] == c["value"]).count();
                assert_eq!(c["count"], n, "{key} {}", c["value"]);
            }
        }
        for key in ["orsaker", "atgarder"] {
            for c in summary[key].as_array().unwrap() {
                let n = fields.iter().filter(|f| f[key].as_array().unwrap().contains(&c["value"])).count();
                assert_eq!(c["count"], n, "{key} {}", c["value"]);
            }
        }
        let yes = fields.iter().filter(|f| f["ivo_anmalan"] == true).count();
        assert_eq!(summary["ivo_anmalan"]["yes"], yes);
        for y in summary["per_year"].as_array().unwrap() {
            assert_eq!(y["count"], fields.iter().filter(|f| f["ar"] == y["year"]).count());
        }
        // the fixtures are recognised
        assert!(fields.iter().any(|f| f["kategori"] == "läkemedelshantering"));
        assert!(fields.iter().any(|f| f["kategori"] == "e-post till fel mottagare"));
        // no planted personal data in any summary file, and digests are there
        let planted = ["ulla.provsdottir", "gunnar.fiktivsson", "exempel.invalid"];
        for f in crate::summary::render::SUMMARY_FILES {
            let bytes = std::fs::read(out.join("public/summary").join(f)).unwrap();
            let text = String::from_utf8_lossy(&bytes).to_lowercase();
            for v in planted {
                assert!(!text.contains(v), "{v} leaked into {f}");
            }
            let pdf_text = (f == "summary.pdf").then(|| pdf_extract::extract_text_from_mem(&bytes).ok()).flatten();
            assert!(pdf_text.is_none_or(|t| planted.iter().all(|v| !t.to_lowercase().contains(v))), "leak in the PDF text");
        }
        let html = std::fs::read_to_string(out.join("public/summary/summary.html")).unwrap();
        assert!(html.contains("[E-POST]"), "digests with placeholders are shown");
        assert!(html.contains("<svg") && !html.contains("<script"));
        assert!(!html.contains("src=") && !html.contains("href=") && !html.contains("url("), "no external assets");
    }

    trait TapMkdir {
        fn tap_mkdir(self) -> Self;
    }
    impl TapMkdir for PathBuf {
        fn tap_mkdir(self) -> Self {
            std::fs::create_dir_all(&self).unwrap();
            self
        }
    }
}
