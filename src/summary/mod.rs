//! The learning summary of a run: per-report [`Fields`] → counts, a per-year trend,
//! cross-tables with small counts suppressed, and a few case digests per kategori, written
//! to `public/summary/` as JSON, Markdown, HTML (inline SVG charts) and PDF.
//!
//! The summary is built from the published `<id>.json` files only, one record at a time
//! ([`Tally`] keeps counts and at most a few digests per kategori), so it costs the same
//! memory for ten reports or a million, and a rerun or a merge of shards gives the same
//! bytes as a single run over the same inputs.

pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyze::decision::LEVELS;
use crate::analyze::taxonomy::Taxonomy;
use crate::analyze::{Analyzer, Fields};

pub use crate::config::SummaryConfig;

/// The part of a published `<id>.json` the summary reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub fields: Fields,
}

/// Read the record of report `id` from `reports_dir`; `None` when it is missing or unreadable.
pub fn read_record(reports_dir: &Path, id: &str) -> Option<Record> {
    let text = std::fs::read_to_string(reports_dir.join(format!("{id}.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

/// One value and how many documents have it (`value: null` for "not stated").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub value: Option<String>,
    pub count: usize,
}

/// How many reports were (or will be) reported to IVO.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ivo {
    pub yes: usize,
    pub no: usize,
    pub unknown: usize,
    /// `yes` / all documents, three decimals.
    pub share: f64,
}

/// Documents per year of the incident (`year: null` when not stated).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearCount {
    pub year: Option<i32>,
    pub count: usize,
}

/// A cross-table; cells are counts, or `"<N"` for a small non-zero count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossTable {
    pub columns: Vec<Option<i32>>,
    pub rows: Vec<CrossRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossRow {
    pub value: Option<String>,
    pub cells: Vec<serde_json::Value>,
}

/// One case digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub id: String,
    pub year: Option<i32>,
    pub bedomning: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestGroup {
    pub kategori: Option<String>,
    pub digests: Vec<Digest>,
}

/// `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub maskera_version: &'static str,
    pub documents: usize,
    pub min_count: usize,
    pub kategori: Vec<Count>,
    pub bedomning: Vec<Count>,
    pub ivo_anmalan: Ivo,
    pub verksamhetsomrade: Vec<Count>,
    pub orsaker: Vec<Count>,
    pub atgarder: Vec<Count>,
    pub per_year: Vec<YearCount>,
    pub kategori_per_year: CrossTable,
    pub verksamhetsomrade_per_year: CrossTable,
    pub digests: Vec<DigestGroup>,
}

type Key = Option<String>;
/// (year, bedömning) of a report whose digest may be shown.
type DigestCandidate = (Option<i32>, Option<String>);

/// Counts gathered one record at a time.
#[derive(Debug, Default)]
pub struct Tally {
    documents: usize,
    kategori: BTreeMap<Key, usize>,
    bedomning: BTreeMap<Key, usize>,
    ivo: [usize; 3],
    verksamhet: BTreeMap<Key, usize>,
    orsaker: BTreeMap<String, usize>,
    atgarder: BTreeMap<String, usize>,
    years: BTreeMap<Option<i32>, usize>,
    kategori_year: BTreeMap<(Key, Option<i32>), usize>,
    verksamhet_year: BTreeMap<(Key, Option<i32>), usize>,
    /// Per kategori, digest candidates: the smallest ids (a few more than `keep`, as
    /// some reports have no description).
    digests: BTreeMap<Key, BTreeMap<String, DigestCandidate>>,
    keep: usize,
}

impl Tally {
    pub fn new(digests_per_kategori: usize) -> Tally {
        Tally { keep: digests_per_kategori, ..Tally::default() }
    }

    /// Add one report.
    pub fn add(&mut self, r: Record) {
        let f = r.fields;
        self.documents += 1;
        *self.kategori.entry(f.kategori.clone()).or_default() += 1;
        *self.bedomning.entry(f.bedomning.clone()).or_default() += 1;
        self.ivo[match f.ivo_anmalan {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        }] += 1;
        *self.verksamhet.entry(f.verksamhetsomrade.clone()).or_default() += 1;
        for o in f.orsaker.iter().collect::<BTreeSet<_>>() {
            *self.orsaker.entry(o.clone()).or_default() += 1;
        }
        for a in f.atgarder.iter().collect::<BTreeSet<_>>() {
            *self.atgarder.entry(a.clone()).or_default() += 1;
        }
        *self.years.entry(f.ar).or_default() += 1;
        *self.kategori_year.entry((f.kategori.clone(), f.ar)).or_default() += 1;
        *self.verksamhet_year.entry((f.verksamhetsomrade.clone(), f.ar)).or_default() += 1;
        let group = self.digests.entry(f.kategori.clone()).or_default();
        group.insert(r.id, (f.ar, f.bedomning));
        while group.len() > self.keep * 4 {
            group.pop_last();
        }
    }

    /// The summary, labels in taxonomy order (then others alphabetically, then "not stated").
    /// `digest_of` gives the digest of a report id; `clean` vets it once more.
    pub fn finish(
        self,
        tax: &Taxonomy,
        cfg: &SummaryConfig,
        digest_of: &dyn Fn(&str) -> Option<String>,
        clean: &dyn Fn(&str) -> bool,
    ) -> Summary {
        let kat_labels: Vec<&str> = tax.kategori.iter().map(|l| l.label.as_str()).collect();
        let verk_labels: Vec<&str> = tax.verksamhetsomrade.iter().map(|l| l.label.as_str()).collect();
        let ors_labels: Vec<&str> = tax.orsaker.iter().map(|l| l.label.as_str()).collect();
        let atg_labels: Vec<&str> = tax.atgarder.iter().map(|l| l.label.as_str()).collect();
        let columns: Vec<Option<i32>> = self.years.keys().copied().collect();
        let share = if self.documents == 0 {
            0.0
        } else {
            (self.ivo[0] as f64 / self.documents as f64 * 1000.0).round() / 1000.0
        };
        let digests = ordered_keys(&kat_labels, &self.digests.keys().cloned().collect::<Vec<_>>())
            .into_iter()
            .filter_map(|k| {
                let candidates = self.digests.get(&k)?;
                let digests: Vec<Digest> = candidates
                    .iter()
                    .filter_map(|(id, (year, bedomning))| {
                        let text = digest_of(id).filter(|t| clean(t))?;
                        Some(Digest { id: id.clone(), year: *year, bedomning: bedomning.clone(), text })
                    })
                    .take(self.keep)
                    .collect();
                (!digests.is_empty()).then_some(DigestGroup { kategori: k, digests })
            })
            .collect();
        Summary {
            maskera_version: env!("CARGO_PKG_VERSION"),
            documents: self.documents,
            min_count: cfg.min_count,
            kategori: counts_with_null(&kat_labels, &self.kategori),
            bedomning: counts_with_null(&LEVELS, &self.bedomning),
            ivo_anmalan: Ivo { yes: self.ivo[0], no: self.ivo[1], unknown: self.ivo[2], share },
            verksamhetsomrade: counts_with_null(&verk_labels, &self.verksamhet),
            orsaker: counts_plain(&ors_labels, &self.orsaker),
            atgarder: counts_plain(&atg_labels, &self.atgarder),
            per_year: self.years.iter().map(|(y, n)| YearCount { year: *y, count: *n }).collect(),
            kategori_per_year: cross(&kat_labels, &self.kategori_year, &columns, cfg.min_count),
            verksamhetsomrade_per_year: cross(&verk_labels, &self.verksamhet_year, &columns, cfg.min_count),
            digests,
        }
    }
}

/// Known labels first (in order), then any others alphabetically, then `None` if present.
fn ordered_keys(known: &[&str], present: &[Key]) -> Vec<Key> {
    let mut out: Vec<Key> = known.iter().map(|l| Some(l.to_string())).collect();
    let mut extra: Vec<Key> = present.iter().filter(|k| k.is_some() && !out.contains(k)).cloned().collect();
    extra.sort();
    out.extend(extra);
    if present.contains(&None) {
        out.push(None);
    }
    out
}

fn counts_with_null(known: &[&str], m: &BTreeMap<Key, usize>) -> Vec<Count> {
    let mut keys = ordered_keys(known, &m.keys().cloned().collect::<Vec<_>>());
    if !keys.contains(&None) {
        keys.push(None);
    }
    keys.into_iter().map(|k| Count { count: m.get(&k).copied().unwrap_or(0), value: k }).collect()
}

fn counts_plain(known: &[&str], m: &BTreeMap<String, usize>) -> Vec<Count> {
    let present: Vec<Key> = m.keys().map(|k| Some(k.clone())).collect();
    ordered_keys(known, &present)
        .into_iter()
        .flatten()
        .map(|k| Count { count: m.get(&k).copied().unwrap_or(0), value: Some(k) })
        .collect()
}

/// A cell as published: 0, a count of at least `min`, or `"<min"`.
fn cell(n: usize, min: usize) -> serde_json::Value {
    if n > 0 && n < min { serde_json::Value::String(format!("<{min}")) } else { serde_json::Value::from(n) }
}

fn cross(known: &[&str], m: &BTreeMap<(Key, Option<i32>), usize>, columns: &[Option<i32>], min: usize) -> CrossTable {
    let present: Vec<Key> = m.keys().map(|(k, _)| k.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let rows = ordered_keys(known, &present)
        .into_iter()
        .filter(|k| present.contains(k))
        .map(|k| CrossRow {
            cells: columns.iter().map(|c| cell(m.get(&(k.clone(), *c)).copied().unwrap_or(0), min)).collect(),
            value: k,
        })
        .collect();
    CrossTable { columns: columns.to_vec(), rows }
}

/// The summary's set-up, made once per run (or merge): its settings and templates.
pub struct Summarizer {
    cfg: SummaryConfig,
    templates: crate::render::Templates,
}

/// The rendered summary files, in [`render::SUMMARY_FILES`] order; written by [`crate::out`].
pub struct SummaryFiles(pub [Vec<u8>; 4]);

impl SummaryFiles {
    /// (file name, bytes) of every file.
    pub fn files(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        render::SUMMARY_FILES.iter().copied().zip(self.0.iter().map(Vec::as_slice))
    }
}

impl Summarizer {
    /// The summary settings and its templates (built-in, or overridden from `templates_dir`).
    pub fn new(cfg: &SummaryConfig, templates_dir: Option<&Path>) -> Result<Summarizer, crate::render::RenderError> {
        Ok(Summarizer { cfg: cfg.clone(), templates: render::load_templates(templates_dir)? })
    }

    /// Fingerprint of the summary templates.
    pub fn fingerprint(&self) -> &str {
        &self.templates.fingerprint
    }

    /// Build and render the summary of the reports `ids` in `reports_dir` (read one at a
    /// time). `clean` vets each digest once more before it is published. Writes nothing.
    pub fn summarize(
        &self,
        reports_dir: &Path,
        ids: &[String],
        analyzer: &Analyzer,
        clean: &dyn Fn(&str) -> bool,
    ) -> Result<(Summary, SummaryFiles), crate::render::RenderError> {
        let s = build(reports_dir, ids, analyzer, &self.cfg, clean);
        let files = render::render(&s, &self.templates)?;
        Ok((s, SummaryFiles(files)))
    }
}

/// Build the summary from the reports `ids` in `reports_dir`, reading one at a time.
pub fn build(reports_dir: &Path, ids: &[String], analyzer: &Analyzer, cfg: &SummaryConfig, clean: &dyn Fn(&str) -> bool) -> Summary {
    let mut sorted: Vec<&String> = ids.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut t = Tally::new(cfg.digests_per_kategori);
    for id in sorted {
        if let Some(r) = read_record(reports_dir, id) {
            t.add(r);
        }
    }
    let digest_of = |id: &str| {
        let text = std::fs::read_to_string(reports_dir.join(format!("{id}.txt"))).ok()?;
        analyzer.digest(&text)
    };
    t.finish(analyzer.taxonomy(), cfg, &digest_of, clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, kat: Option<&str>, ar: Option<i32>, ivo: Option<bool>) -> Record {
        Record {
            id: id.into(),
            fields: Fields {
                kategori: kat.map(String::from),
                ar,
                ivo_anmalan: ivo,
                bedomning: Some("missförhållande".into()),
                orsaker: vec!["Mänskliga faktorn".into()],
                ..Fields::default()
            },
        }
    }

    #[test]
    fn counts_small_cells_and_digests() {
        let tax = Taxonomy::builtin();
        let cfg = SummaryConfig { min_count: 3, digests_per_kategori: 2 };
        let mut t = Tally::new(cfg.digests_per_kategori);
        for (i, (k, y)) in [("bemötande", 2020), ("bemötande", 2020), ("bemötande", 2020), ("trygghetslarm", 2021)].iter().enumerate() {
            t.add(rec(&format!("d{i}"), Some(k), Some(*y), Some(i == 0)));
        }
        t.add(rec("d9", None, None, None));
        let s = t.finish(&tax, &cfg, &|id| (id != "d1").then(|| format!("Händelse {id}.")), &|t| !t.contains("d9"));
        assert_eq!(s.documents, 5);
        let count = |v: &[Count], k: Option<&str>| v.iter().find(|c| c.value.as_deref() == k).unwrap().count;
        assert_eq!(count(&s.kategori, Some("bemötande")), 3);
        assert_eq!(count(&s.kategori, None), 1);
        assert_eq!(count(&s.orsaker, Some("Mänskliga faktorn")), 5);
        assert_eq!(s.kategori.iter().map(|c| c.count).sum::<usize>(), 5);
        assert_eq!(s.ivo_anmalan, Ivo { yes: 1, no: 3, unknown: 1, share: 0.2 });
        assert_eq!(s.kategori_per_year.columns, [None, Some(2020), Some(2021)]);
        let row = s.kategori_per_year.rows.iter().find(|r| r.value.as_deref() == Some("bemötande")).unwrap();
        assert_eq!(row.cells, [serde_json::json!(0), serde_json::json!(3), serde_json::json!(0)]);
        let row = s.kategori_per_year.rows.iter().find(|r| r.value.as_deref() == Some("trygghetslarm")).unwrap();
        assert_eq!(row.cells[2], serde_json::json!("<3"));
        let g = s.digests.iter().find(|g| g.kategori.as_deref() == Some("bemötande")).unwrap();
        assert_eq!(g.digests.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["d0", "d2"], "d1 has no digest");
        assert!(s.digests.iter().all(|g| g.kategori.is_some()), "the unclean digest was dropped");
    }
}
