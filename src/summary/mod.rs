//! The learning summary of a run: per-report [`Fields`] → counts, a per-year trend,
//! cross-tables with small counts suppressed, and a few case digests per kategori, written
//! to `public/summary/` as JSON, Markdown, HTML (inline SVG charts) and PDF.
//!
//! The summary is built from the published `<id>.json` files only, one record at a time
//! ([`Tally`] keeps counts and at most a few digests per kategori), so it costs the same
//! memory for ten reports or a million, and a rerun or a merge of shards gives the same
//! bytes as a single run over the same inputs.

pub mod protect;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analyze::decision::LEVELS;
use crate::analyze::taxonomy::Taxonomy;
use crate::analyze::{Analyzer, Fields};
use protect::{CellId, Cells};

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

/// One value and how many documents have it (`value: null` for "not stated"; `count: null`
/// when withheld, see [`protect`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub value: Option<String>,
    pub count: Option<usize>,
}

/// How many reports were (or will be) reported to IVO (`null`: withheld).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ivo {
    pub yes: Option<usize>,
    pub no: Option<usize>,
    pub unknown: Option<usize>,
    /// `yes` / all documents, three decimals (`null` when either is withheld).
    pub share: Option<f64>,
}

/// Documents per year of the incident (`year: null` when not stated, `count: null` when
/// withheld).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearCount {
    pub year: Option<i32>,
    pub count: Option<usize>,
}

/// A cross-table; cells are counts, `null` when withheld.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossTable {
    pub columns: Vec<Option<i32>>,
    pub rows: Vec<CrossRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossRow {
    pub value: Option<String>,
    pub cells: Vec<Option<usize>>,
}

/// One case digest: the report and the first sentences of its description. Nothing else
/// about the report (year, bedömning) is shown: that would tell about withheld cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub id: String,
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
    /// The number of reports (`null` when fewer than `min_count`).
    pub documents: Option<usize>,
    /// k: no count from 1 to k − 1 is published, nor one that would give such a count back.
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
    /// Digests of the kategorier whose count is published.
    pub digests: Vec<DigestGroup>,
}

type Key = Option<String>;

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
    digests: BTreeMap<Key, BTreeSet<String>>,
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
        group.insert(r.id);
        while group.len() > self.keep * 4 {
            group.pop_last();
        }
    }

    /// The summary, labels in taxonomy order (then others alphabetically, then "not stated"),
    /// small counts and the counts that would give them back withheld ([`protect`]).
    /// `digest_of` gives the digest of a report id; `clean` vets it once more.
    pub fn finish(
        self,
        tax: &Taxonomy,
        cfg: &SummaryConfig,
        digest_of: &dyn Fn(&str) -> Option<String>,
        clean: &dyn Fn(&str) -> bool,
    ) -> Summary {
        let labels = |l: &[crate::analyze::taxonomy::Label]| -> Vec<String> {
            l.iter().map(|l| l.label.clone()).collect()
        };
        let (kat_labels, verk_labels) = (labels(&tax.kategori), labels(&tax.verksamhetsomrade));
        let (ors_labels, atg_labels) = (labels(&tax.orsaker), labels(&tax.atgarder));
        let levels: Vec<String> = LEVELS.iter().map(|l| l.to_string()).collect();
        let columns: Vec<Option<i32>> = self.years.keys().copied().collect();

        let mut cells = Cells::default();
        let n = cells.add_last_resort(self.documents);
        let kategori = OneWay::with_null(&mut cells, n, &kat_labels, &self.kategori);
        let bedomning = OneWay::with_null(&mut cells, n, &levels, &self.bedomning);
        let verksamhet = OneWay::with_null(&mut cells, n, &verk_labels, &self.verksamhet);
        let ivo: Vec<CellId> = self.ivo.iter().map(|v| cells.add(*v)).collect();
        cells.sum(n, ivo.clone());
        let years: Vec<(Option<i32>, CellId)> =
            self.years.iter().map(|(y, v)| (*y, cells.add(*v))).collect();
        cells.sum(n, years.iter().map(|(_, c)| *c).collect());
        let year_cells: Vec<CellId> = years.iter().map(|(_, c)| *c).collect();
        let kat_year =
            Cross::new(&mut cells, &kategori, &self.kategori_year, &columns, &year_cells);
        let verk_year =
            Cross::new(&mut cells, &verksamhet, &self.verksamhet_year, &columns, &year_cells);
        let orsaker = OneWay::plain(&mut cells, &ors_labels, &self.orsaker);
        let atgarder = OneWay::plain(&mut cells, &atg_labels, &self.atgarder);

        let w = cells.protect(cfg.min_count);
        let shown = |c: CellId| w.shown(&cells, c);
        let share = match (shown(ivo[0]), shown(n)) {
            (Some(yes), Some(docs)) if docs > 0 => {
                Some((yes as f64 / docs as f64 * 1000.0).round() / 1000.0)
            }
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        let published: BTreeSet<&Key> = kategori
            .rows
            .iter()
            .filter(|(_, c)| shown(*c).is_some_and(|v| v > 0))
            .map(|(k, _)| k)
            .collect();
        let digests = kategori
            .rows
            .iter()
            .map(|(k, _)| k)
            .filter(|k| published.contains(k))
            .filter_map(|k| {
                let candidates = self.digests.get(k)?;
                let digests: Vec<Digest> = candidates
                    .iter()
                    .filter_map(|id| {
                        let text = digest_of(id).filter(|t| clean(t))?;
                        Some(Digest { id: id.clone(), text })
                    })
                    .take(self.keep)
                    .collect();
                (!digests.is_empty()).then(|| DigestGroup { kategori: k.clone(), digests })
            })
            .collect();
        Summary {
            maskera_version: env!("CARGO_PKG_VERSION"),
            documents: shown(n),
            min_count: cfg.min_count,
            kategori: kategori.counts(&shown),
            bedomning: bedomning.counts(&shown),
            ivo_anmalan: Ivo {
                yes: shown(ivo[0]),
                no: shown(ivo[1]),
                unknown: shown(ivo[2]),
                share,
            },
            verksamhetsomrade: verksamhet.counts(&shown),
            orsaker: orsaker.counts(&shown),
            atgarder: atgarder.counts(&shown),
            per_year: years.iter().map(|(y, c)| YearCount { year: *y, count: shown(*c) }).collect(),
            kategori_per_year: kat_year.table(&shown),
            verksamhetsomrade_per_year: verk_year.table(&shown),
            digests,
        }
    }
}

/// A one-way count table as cells: its rows in order.
struct OneWay {
    rows: Vec<(Key, CellId)>,
}

impl OneWay {
    /// Known labels, others, then "not stated" (always listed); the rows sum to `total`.
    fn with_null(
        cells: &mut Cells,
        total: CellId,
        known: &[String],
        m: &BTreeMap<Key, usize>,
    ) -> OneWay {
        let mut keys = ordered_keys(known, &m.keys().cloned().collect::<Vec<_>>());
        if !keys.contains(&None) {
            keys.push(None);
        }
        let rows: Vec<(Key, CellId)> = keys
            .into_iter()
            .map(|k| (cells.add(m.get(&k).copied().unwrap_or(0)), k))
            .map(|(c, k)| (k, c))
            .collect();
        cells.sum(total, rows.iter().map(|(_, c)| *c).collect());
        OneWay { rows }
    }

    /// Counts of a multi-valued field: no sum ties them together.
    fn plain(cells: &mut Cells, known: &[String], m: &BTreeMap<String, usize>) -> OneWay {
        let present: Vec<Key> = m.keys().map(|k| Some(k.clone())).collect();
        let rows = ordered_keys(known, &present)
            .into_iter()
            .map(|k| {
                let v = k.as_ref().and_then(|k| m.get(k)).copied().unwrap_or(0);
                (k, cells.add(v))
            })
            .collect();
        OneWay { rows }
    }

    fn cell(&self, k: &Key) -> Option<CellId> {
        self.rows.iter().find(|(r, _)| r == k).map(|(_, c)| *c)
    }

    fn counts(&self, shown: &dyn Fn(CellId) -> Option<usize>) -> Vec<Count> {
        self.rows.iter().map(|(k, c)| Count { value: k.clone(), count: shown(*c) }).collect()
    }
}

/// A cross-table by year as cells: a row per value present, its cells sum to the value's
/// one-way count; a column's cells (with the other cross-table's) sum to the year's count.
struct Cross {
    columns: Vec<Option<i32>>,
    rows: Vec<(Key, Vec<CellId>)>,
}

impl Cross {
    fn new(
        cells: &mut Cells,
        margins: &OneWay,
        m: &BTreeMap<(Key, Option<i32>), usize>,
        columns: &[Option<i32>],
        column_totals: &[CellId],
    ) -> Cross {
        let present: BTreeSet<&Key> = m.keys().map(|(k, _)| k).collect();
        let mut rows = Vec::new();
        for (k, total) in margins.rows.iter().filter(|(k, _)| present.contains(k)) {
            let row: Vec<CellId> = columns
                .iter()
                .map(|c| cells.add(m.get(&(k.clone(), *c)).copied().unwrap_or(0)))
                .collect();
            cells.sum(*total, row.clone());
            rows.push((k.clone(), row));
        }
        debug_assert!(rows.iter().all(|(k, _)| margins.cell(k).is_some()));
        for (j, total) in column_totals.iter().enumerate() {
            cells.sum(*total, rows.iter().map(|(_, r)| r[j]).collect());
        }
        Cross { columns: columns.to_vec(), rows }
    }

    fn table(&self, shown: &dyn Fn(CellId) -> Option<usize>) -> CrossTable {
        CrossTable {
            columns: self.columns.clone(),
            rows: self
                .rows
                .iter()
                .map(|(k, r)| CrossRow {
                    value: k.clone(),
                    cells: r.iter().map(|c| shown(*c)).collect(),
                })
                .collect(),
        }
    }
}

/// Known labels first (in order), then any others alphabetically, then `None` if present.
fn ordered_keys(known: &[String], present: &[Key]) -> Vec<Key> {
    let mut out: Vec<Key> = known.iter().map(|l| Some(l.clone())).collect();
    let mut extra: Vec<Key> =
        present.iter().filter(|k| k.is_some() && !out.contains(k)).cloned().collect();
    extra.sort();
    out.extend(extra);
    if present.contains(&None) {
        out.push(None);
    }
    out
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
    pub fn new(
        cfg: &SummaryConfig,
        templates_dir: Option<&Path>,
    ) -> Result<Summarizer, crate::render::RenderError> {
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
pub fn build(
    reports_dir: &Path,
    ids: &[String],
    analyzer: &Analyzer,
    cfg: &SummaryConfig,
    clean: &dyn Fn(&str) -> bool,
) -> Summary {
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
        analyzer.digest(&text).map(|d| without_dates(&d))
    };
    t.finish(analyzer.taxonomy(), cfg, &digest_of, clean)
}

/// Dates and years in a digest, as `[DATUM]`: a digest's year would tell which year of its
/// kategori a report is from, and so about the withheld cells of the table by year.
static DATES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    let month = "(?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|\
                 november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|dec)\\.?";
    let pattern = [
        r"(?i)\b(?:(?:19|20)\d\d-\d\d?-\d\d?",
        r"|\d\d?[./]\d\d?[./](?:19|20)?\d\d",
        &format!(r"|(?:\d\d?(?::e|:a)?\s+)?{month}\s+(?:19|20)\d\d"),
        r"|(?:19|20)\d\d)\b",
    ]
    .concat();
    regex::Regex::new(&pattern).expect("date regex")
});

fn without_dates(text: &str) -> String {
    DATES.replace_all(text, "[DATUM]").into_owned()
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

    fn count(v: &[Count], k: Option<&str>) -> Option<usize> {
        v.iter().find(|c| c.value.as_deref() == k).unwrap().count
    }

    fn row<'a>(t: &'a CrossTable, k: Option<&str>) -> &'a [Option<usize>] {
        &t.rows.iter().find(|r| r.value.as_deref() == k).unwrap().cells
    }

    #[test]
    fn counts_and_digests_of_large_cells() {
        let tax = Taxonomy::builtin();
        let cfg = SummaryConfig { min_count: 3, digests_per_kategori: 2 };
        let mut t = Tally::new(cfg.digests_per_kategori);
        for i in 0..8 {
            let kat = if i < 4 { "bemötande" } else { "trygghetslarm" };
            t.add(rec(
                &format!("d{i}"),
                Some(kat),
                Some(2020 + i32::from(i % 2 == 0)),
                Some(i < 4),
            ));
        }
        let s =
            t.finish(&tax, &cfg, &|id| (id != "d1").then(|| format!("Händelse {id}.")), &|t| {
                !t.contains("d3")
            });
        assert_eq!(s.documents, Some(8));
        assert_eq!(count(&s.kategori, Some("bemötande")), Some(4));
        assert_eq!(count(&s.kategori, Some("trygghetslarm")), Some(4));
        assert_eq!(count(&s.kategori, Some("övrigt")), Some(0), "zeros are published");
        assert_eq!(count(&s.orsaker, Some("Mänskliga faktorn")), Some(8));
        assert_eq!(
            s.ivo_anmalan,
            Ivo { yes: Some(4), no: Some(4), unknown: Some(0), share: Some(0.5) }
        );
        assert_eq!(s.kategori_per_year.columns, [Some(2020), Some(2021)]);
        assert_eq!(row(&s.kategori_per_year, Some("bemötande")), [None, None]);
        let g = s.digests.iter().find(|g| g.kategori.as_deref() == Some("bemötande")).unwrap();
        assert_eq!(
            g.digests.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["d0", "d2"],
            "d1 has no digest, d3 is unclean"
        );
    }

    #[test]
    fn a_kategori_of_two_reports_is_nowhere_to_be_counted() {
        let tax = Taxonomy::builtin();
        let cfg = SummaryConfig::default();
        let mut t = Tally::new(cfg.digests_per_kategori);
        let kinds = [("bemötande", 6), ("trygghetslarm", 5), ("läkemedelshantering", 2)];
        let mut i = 0;
        for (kat, n) in kinds {
            for j in 0..n {
                t.add(rec(&format!("r{i:02}"), Some(kat), Some(2021 + j % 2), Some(j == 0)));
                i += 1;
            }
        }
        let s = t.finish(&tax, &cfg, &|id| Some(format!("Händelse {id}.")), &|_| true);
        assert_eq!(s.documents, Some(13));
        assert_eq!(count(&s.kategori, Some("läkemedelshantering")), None);
        // The rest of the kategori column does not give it back: another count is withheld.
        let published: Vec<usize> = s.kategori.iter().filter_map(|c| c.count).collect();
        assert_ne!(13 - published.iter().sum::<usize>(), 2);
        assert!(s.kategori.iter().filter(|c| c.count.is_none()).count() >= 2);
        // Nor do its row or the year columns of the cross table.
        assert!(row(&s.kategori_per_year, Some("läkemedelshantering")).iter().all(|c| c.is_none()));
        for (j, y) in s.per_year.iter().enumerate() {
            let column: Vec<Option<usize>> =
                s.kategori_per_year.rows.iter().map(|r| r.cells[j]).collect();
            if let Some(total) = y.count {
                let known: usize = column.iter().flatten().sum();
                let unknown = column.iter().filter(|c| c.is_none()).count();
                assert!(
                    unknown != 1,
                    "year {:?}: a single withheld cell is the total minus the rest",
                    y.year
                );
                assert!(unknown == 0 || total - known > unknown, "withheld cells pinned to 1");
            }
        }
        assert!(s.digests.iter().all(|g| g.kategori.as_deref() != Some("läkemedelshantering")));
        assert!(s.digests.iter().any(|g| g.kategori.as_deref() == Some("bemötande")));
        // IVO: 3 yes (one per kategori) is published.
        assert_eq!(s.ivo_anmalan.yes, Some(3));
    }

    #[test]
    fn digests_lose_their_dates() {
        let t = "Den 2022-03-10 och den 3 mars 2021, i maj 2020, 4/5 2019 och 12.1.23 hände det. \
                 Klockan 14.30 den 3 mars, 150 kronor.";
        assert_eq!(
            without_dates(t),
            "Den [DATUM] och den [DATUM], i [DATUM], 4/5 [DATUM] och [DATUM] hände det. \
             Klockan 14.30 den 3 mars, 150 kronor."
        );
    }

    #[test]
    fn fewer_reports_than_k_publish_no_count() {
        let tax = Taxonomy::builtin();
        let cfg = SummaryConfig::default();
        let mut t = Tally::new(3);
        t.add(rec("a", Some("bemötande"), Some(2022), Some(true)));
        t.add(rec("b", Some("bemötande"), Some(2022), Some(false)));
        let s = t.finish(&tax, &cfg, &|_| Some("Text.".into()), &|_| true);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(s.documents, None);
        assert!(!json.contains(":1") && !json.contains(":2,") && !json.contains(":2}"), "{json}");
        assert!(s.digests.is_empty());
    }
}
