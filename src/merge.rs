//! `maskera merge OUT1 OUT2 … --out OUT`: combine the output folders of shard runs into
//! one: reports linked (or copied), manifests joined, review pages brought together, and the
//! summary built anew from the reports, so that it is byte-identical to the summary of a
//! single run over all inputs.
//!
//! The shards are checked before anything is written: each must be a run output that
//! recorded its shard (`OUT/run.json`); together they must be shards 0…N-1 of one N, each
//! once, made with the same program and configuration (fingerprint) from the same input
//! list. The merge goes into a new folder or into one an earlier merge made.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::manifest::{Entry, Status};
use crate::out::{OutDir, OutError, REPORT_EXTENSIONS, RunRecord};
use crate::pipeline::Pipeline;

/// Why a merge could not be done. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(
        "{path} is not a maskera output folder (it has no manifest.jsonl); give the --out folders of `maskera run`"
    )]
    NotOutput { path: String },
    #[error("the merge output folder {path} is also one of the inputs; choose a new folder")]
    OutIsInput { path: String },
    /// The shards given do not make one whole batch.
    #[error("{0}; nothing was merged")]
    Shards(String),
    /// The output folder is neither new nor an earlier merge.
    #[error(
        "{path} is not a folder an earlier merge made (it is a run's output or holds other files); choose a new folder"
    )]
    NotMergeOutput { path: String },
    #[error(transparent)]
    Output(#[from] OutError),
    #[error("cannot render the summary: {0}")]
    Summary(#[from] crate::render::RenderError),
}

impl MergeError {
    /// 2 when nothing was done because of what was asked, 3 when the merge could not
    /// complete.
    pub fn exit_code(&self) -> u8 {
        match self {
            MergeError::Output(_) | MergeError::Summary(_) => 3,
            _ => 2,
        }
    }
}

/// Counts of a finished merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    pub reports: usize,
    pub failed: usize,
}

/// Check that the shard folders make one whole batch; returns the record of the merge.
fn check_shards(inputs: &[PathBuf], out: &Path) -> Result<RunRecord, MergeError> {
    let mut records = Vec::new();
    for i in inputs {
        if !OutDir::is_output(i) {
            return Err(MergeError::NotOutput { path: i.display().to_string() });
        }
        if matches!((i.canonicalize(), out.canonicalize()), (Ok(a), Ok(b)) if a == b) {
            return Err(MergeError::OutIsInput { path: out.display().to_string() });
        }
        let Some(r) = OutDir::read_record(i) else {
            return Err(MergeError::Shards(format!(
                "{} has no run record (run.json; made by an older maskera?): run that shard again",
                i.display()
            )));
        };
        if r.merged.is_some() {
            return Err(MergeError::Shards(format!(
                "{} is itself a merge: give the shards' folders",
                i.display()
            )));
        }
        records.push((i, r));
    }
    let Some((_, first)) = records.first() else {
        return Err(MergeError::Shards("no shard folders were given".into()));
    };
    let count = |r: &RunRecord| crate::inputs::Shard::parse(&r.shard).map_err(MergeError::Shards);
    let n = count(first)?.count;
    let mut seen: BTreeMap<u64, &Path> = BTreeMap::new();
    for (path, r) in &records {
        let shard = count(r)?;
        if shard.count != n {
            return Err(MergeError::Shards(format!(
                "{} is shard {} of another split than {} (shard {})",
                path.display(),
                r.shard,
                records[0].0.display(),
                first.shard
            )));
        }
        if let Some(other) = seen.insert(shard.index, path) {
            return Err(MergeError::Shards(format!(
                "shard {} is given twice ({} and {})",
                r.shard,
                other.display(),
                path.display()
            )));
        }
        if r.fingerprint != first.fingerprint {
            return Err(MergeError::Shards(format!(
                "{} was made with another maskera version, configuration, review decisions, templates or                  link key than {} (fingerprint {} ≠ {}): run every shard with the same settings",
                path.display(),
                records[0].0.display(),
                r.fingerprint,
                first.fingerprint
            )));
        }
        if r.decisions != first.decisions {
            return Err(MergeError::Shards(format!(
                "{} ran with other allow/deny decisions than {}: record decisions for every shard with \
                 `maskera decide --global` on the shared configuration, then run the shards again",
                path.display(),
                records[0].0.display()
            )));
        }
        if r.inputs != first.inputs {
            return Err(MergeError::Shards(format!(
                "{} was run on another list of inputs than {}: run every shard on the same inputs",
                path.display(),
                records[0].0.display()
            )));
        }
    }
    let missing: Vec<String> =
        (0..n).filter(|k| !seen.contains_key(k)).map(|k| format!("{k}/{n}")).collect();
    if !missing.is_empty() {
        return Err(MergeError::Shards(format!("shard {} is missing", missing.join(", "))));
    }
    let fresh = !out.exists() || std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
    let earlier_merge = OutDir::read_record(out).is_some_and(|r| r.merged.is_some());
    if !fresh && !earlier_merge {
        return Err(MergeError::NotMergeOutput { path: out.display().to_string() });
    }
    Ok(RunRecord { merged: Some(n as usize), shard: "0/1".into(), ..first.clone() })
}

/// Merge the shard outputs `inputs` into `out`; `pipeline` (built from the configuration
/// the shards ran with) makes the summary of the merged reports.
pub fn merge(
    inputs: &[PathBuf],
    out: &Path,
    pipeline: &Pipeline,
) -> Result<MergeOutcome, MergeError> {
    let record = check_shards(inputs, out)?;
    let dirs = OutDir::open(out, false)?;
    // manifests: one entry per source; a published entry wins over a failed one
    let mut by_source: BTreeMap<String, Entry> = BTreeMap::new();
    for i in inputs {
        for e in crate::manifest::read(&OutDir::manifest_path(i)) {
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
        for id in crate::out::published_reports(i).into_keys() {
            if ids.contains(&id)
                || !REPORT_EXTENSIONS.iter().all(|ext| dir.join(format!("{id}.{ext}")).is_file())
            {
                continue;
            }
            dirs.adopt_report(&dir, &id)?;
            ids.insert(id);
        }
    }
    // remove whatever an earlier merge left that is not part of this one
    dirs.prune(&ids);
    merge_review_pages(inputs, &dirs, by_source.values().filter_map(|e| e.id.as_deref()))?;
    let mut entries: Vec<Entry> = by_source.into_values().collect();
    let failed = entries.iter().filter(|e| e.status == Status::Failed).count();
    dirs.write_manifest(&mut entries, &record)?;
    let ids: Vec<String> = ids.into_iter().collect();
    dirs.write_summary(&pipeline.summary(dirs.reports_dir(), &ids)?)?;
    dirs.finish();
    Ok(MergeOutcome { reports: ids.len(), failed })
}

/// Bring the shards' review pages (`review/<id>.html`, internal, never under `public/`) of
/// the merged documents `ids` together in `out/review/`, and remove pages an earlier merge
/// left there for documents no longer in it. Shards that ran without `--review` have none.
fn merge_review_pages<'a>(
    inputs: &[PathBuf],
    dirs: &OutDir,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), MergeError> {
    for id in ids {
        let name = format!("{id}.html");
        if let Some(from) =
            inputs.iter().map(|i| i.join("review").join(&name)).find(|p| p.is_file())
        {
            dirs.adopt_review(&from, id)?;
        }
    }
    dirs.prune_reviews(&BTreeSet::new());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{self, RunOptions};
    use crate::config::Config;
    use crate::extract::Isolation;
    use crate::inputs::Shard;
    use crate::log::{Log, LogFormat};
    use crate::manifest;

    /// Invented reports (no real names or cases), one per kind, with planted e-mail addresses.
    fn fixtures(dir: &Path) -> Vec<PathBuf> {
        let kinds = [
            (
                "Handläggaren skickade ett e-postmeddelande med en utredning till fel mottagare, kontakt ulla.provsdottir@exempel.invalid.",
                "Barn och unga – familjehemsenheten",
                "bedöms utgöra ett missförhållande",
                "2021-02-03",
            ),
            (
                "Ett aktskåp stod olåst över en helg i ett rum där hantverkare arbetade.",
                "Ekonomiskt bistånd – försörjningsstödsenheten",
                "bedöms utgöra en påtaglig risk för allvarligt missförhållande",
                "2022-05-06",
            ),
            (
                "En brukare fick en annan brukares läkemedel vid kvällsmedicineringen, anmält av gunnar.fiktivsson@exempel.invalid.",
                "Äldreomsorg – särskilt boende",
                "bedöms inte utgöra ett missförhållande",
                "2022-09-10",
            ),
            (
                "Personalen bemötte den boende på ett kränkande och nedlåtande sätt.",
                "Funktionsnedsättning – gruppbostad",
                "bedöms utgöra ett allvarligt missförhållande",
                "2023-01-11",
            ),
            (
                "Trygghetslarmet besvarades inte under natten och brukaren väntade länge.",
                "Äldreomsorg – hemtjänsten",
                "bedöms utgöra en påtaglig risk för missförhållande",
                "2023-03-12",
            ),
        ];
        let mut paths = Vec::new();
        // 13: three kinds of 3 reports (their counts and digests published), two of 2.
        for i in 0..13 {
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
        let config =
            Config { review: crate::config::ReviewConfig { enabled: review }, ..Config::default() };
        let p2;
        let p = if review != p.reviews() {
            p2 = Pipeline::build(config, None, Isolation::InProcess).unwrap();
            &p2
        } else {
            p
        };
        let opts = RunOptions {
            threads: Some(2),
            quiet: true,
            shard,
            ..RunOptions::new(inputs.to_vec(), out.to_path_buf())
        };
        let o = batch::run(p, &opts, &Log { format: LogFormat::Text, quiet: true }).unwrap();
        assert_eq!(o.failed, 0);
    }

    fn pipeline() -> Pipeline {
        Pipeline::build(Config::default(), None, Isolation::InProcess).unwrap()
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
        merge(&shards, &merged, &p).unwrap();
        std::fs::write(merged.join("review/0000000000000000.html"), "left by an earlier merge")
            .unwrap();
        merge(&shards, &merged, &p).unwrap();
        let ids: BTreeSet<String> = manifest::read(&merged.join("manifest.jsonl"))
            .into_iter()
            .filter_map(|e| e.id)
            .collect();
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
        merge(&plain, &merged, &p).unwrap();
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
        let shard_docs: usize =
            shards.iter().map(|s| manifest::read(&s.join("manifest.jsonl")).len()).sum();
        assert_eq!(shard_docs, inputs.len(), "every input in exactly one shard");
        let merged = d.path().join("merged");
        let o = merge(&shards, &merged, &p).unwrap();
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
        let summary: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join("public/summary/summary.json")).unwrap(),
        )
        .unwrap();
        let mut fields = Vec::new();
        for e in std::fs::read_dir(out.join("public/reports")).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "json") {
                let v: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
                fields.push(v["fields"].clone());
            }
        }
        assert_eq!(summary["documents"], fields.len());
        // A published count is exact; one below 3 (but not 0) is withheld (null).
        let check = |c: &serde_json::Value, n: usize, what: &str| {
            if (1..3).contains(&n) {
                assert!(c.is_null(), "{what}: {n} published");
            } else {
                assert!(c.is_null() || *c == n, "{what}: {c} for {n}");
            }
        };
        for key in ["kategori", "bedomning", "verksamhetsomrade"] {
            for c in summary[key].as_array().unwrap() {
                let n = fields.iter().filter(|f| f[key] == c["value"]).count();
                check(&c["count"], n, &format!("{key} {}", c["value"]));
            }
        }
        for key in ["orsaker", "atgarder"] {
            for c in summary[key].as_array().unwrap() {
                let n = fields
                    .iter()
                    .filter(|f| f[key].as_array().unwrap().contains(&c["value"]))
                    .count();
                check(&c["count"], n, &format!("{key} {}", c["value"]));
            }
        }
        let yes = fields.iter().filter(|f| f["ivo_anmalan"] == true).count();
        check(&summary["ivo_anmalan"]["yes"], yes, "ivo");
        for y in summary["per_year"].as_array().unwrap() {
            check(&y["count"], fields.iter().filter(|f| f["ar"] == y["year"]).count(), "year");
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
            let pdf_text = (f == "summary.pdf")
                .then(|| pdf_extract::extract_text_from_mem(&bytes).ok())
                .flatten();
            assert!(
                pdf_text.is_none_or(|t| planted.iter().all(|v| !t.to_lowercase().contains(v))),
                "leak in the PDF text"
            );
        }
        let html = std::fs::read_to_string(out.join("public/summary/summary.html")).unwrap();
        assert!(html.contains("[E-POST]"), "digests with placeholders are shown");
        assert!(html.contains("<svg") && !html.contains("<script"));
        assert!(
            !html.contains("src=") && !html.contains("href=") && !html.contains("url("),
            "no external assets"
        );
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
