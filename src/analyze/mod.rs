//! Learning fields: `&Redacted` → [`Fields`] (kategori, bedömning, IVO, verksamhetsområde,
//! orsaker, år, åtgärder), each with its evidence, and a short anonymised digest.
//!
//! Rules over headings, sections, form answers and cue phrases from
//! `patterns/taxonomy.toml` — offline and explainable: every value comes with the heading
//! and the sentence it was read from (or "uppgift saknas"). Only the redacted text is read,
//! so neither a field, its evidence nor a digest can carry a masked value.
//!
//! ```text
//!  Redacted text ─▶ sections::Doc (lines, roles, headings, ticked boxes, skipped options)
//!      ├─▶ sentences ─▶ decision::bedomning ─▶ decision::ivo
//!      ├─▶ cue scores per sentence ─▶ kategori · area::area · causes::causes · åtgärder
//!      ├─▶ date::year
//!      └─▶ first sentences of the description ─▶ digest
//! ```
//! See docs/learning-fields.md for how each field is decided.

pub mod area;
pub mod causes;
pub mod cue;
pub mod date;
pub mod decision;
pub mod evidence;
pub mod forms;
pub mod score;
pub mod sections;
pub mod taxonomy;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::redact::Redacted;
use decision::{Found, Said};
use evidence::{Evidence, LabelWhy, Why};
use score::Scoring;
use sections::{Doc, Sentence};
use taxonomy::{Role, Taxonomy, TaxonomyError};

/// The learning fields of one report, as written under `fields` in `<id>.json`, with the
/// evidence of each (written, not read back: the summary needs the values only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fields {
    pub kategori: Option<String>,
    pub bedomning: Option<String>,
    pub ivo_anmalan: Option<bool>,
    pub verksamhetsomrade: Option<String>,
    pub orsaker: Vec<String>,
    pub ar: Option<i32>,
    pub atgarder: Vec<String>,
    #[serde(skip_deserializing)]
    pub evidence: Evidence,
}

/// Longest digest, in characters.
const DIGEST_MAX: usize = 280;
/// Least score for a kategori.
const MIN_SCORE: u32 = 2;
/// Least score for a measure.
const MIN_MEASURE: u32 = 2;
/// The latest year taken for an incident.
const LAST_YEAR: i32 = 2099;

/// Why a text has no fields.
const NOT_A_REPORT: &str = "texten är ingen rapport om ett missförhållande";

/// The compiled taxonomy and fixed words; built once per run.
pub struct Analyzer {
    taxonomy: Taxonomy,
    words: decision::Words,
}

impl Analyzer {
    /// The built-in taxonomy, extended by `extra` when given.
    pub fn build(extra: Option<&Path>) -> Result<Analyzer, TaxonomyError> {
        Ok(Analyzer { taxonomy: Taxonomy::load(extra)?, words: decision::Words::new() })
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The fields of one redacted document.
    pub fn analyze(&self, redacted: &Redacted) -> Fields {
        self.analyze_text(redacted.text())
    }

    /// The fields of a published (redacted) text, e.g. `public/reports/<id>.txt` (for tools
    /// and tests; the pipeline uses [`Analyzer::analyze`]).
    pub fn analyze_published(&self, redacted_text: &str) -> Fields {
        self.analyze_text(redacted_text)
    }

    /// Development aid: every sentence of a published text with its role and heading flag,
    /// and the level it states (see `examples/fields.rs`).
    pub fn explain(&self, redacted_text: &str) -> String {
        let doc = Doc::parse(redacted_text, &self.taxonomy, &self.words.missing);
        let mut out = String::new();
        for s in doc.sentences() {
            let level = decision::level_of(&s.lower, &self.words);
            let statement = decision::is_statement(&s, &self.taxonomy);
            out.push_str(&format!(
                "{:>3} {:<12} {} {} {:?} | {}\n",
                s.line,
                format!("{:?}", s.role),
                if s.heading { "H" } else { " " },
                if statement { "S" } else { " " },
                level,
                s.text
            ));
        }
        out
    }

    fn analyze_text(&self, text: &str) -> Fields {
        let tax = &self.taxonomy;
        let doc = Doc::parse(text, tax, &self.words.missing);
        let sentences = doc.sentences();
        let why_at = |i: usize| {
            let s = &sentences[i];
            Why::at(doc.heading_of(s.under), &s.text)
        };
        let report = sentences.iter().any(|s| tax.report.iter().any(|c| c.is_in(&s.lower)));
        if !report {
            let none = Why::rule(NOT_A_REPORT);
            let evidence = Evidence {
                kategori: none.clone(),
                bedomning: none.clone(),
                ivo_anmalan: none.clone(),
                verksamhetsomrade: none.clone(),
                ar: none,
                ..Evidence::default()
            };
            return Fields { evidence, ..Fields::default() };
        }
        let mut ev = Evidence::default();

        let level = decision::bedomning(&sentences, tax, &self.words);
        let bedomning = match level {
            Some(Found { value: Said::Level(l), at }) => {
                ev.bedomning = why_at(at);
                Some(l.to_string())
            }
            Some(Found { value: Said::NotSerious, at }) => {
                ev.bedomning = why_at(at).by("bara att det inte är allvarligt; nivån anges inte");
                None
            }
            None => None,
        };
        let ivo_anmalan = match level {
            Some(Found { value, at }) => {
                ev.ivo_anmalan = why_at(at)
                    .by("följer av bedömningen (allvarliga missförhållanden anmäls till IVO)");
                Some(decision::ivo_of_level(value))
            }
            None => decision::ivo(&sentences, tax).map(|Found { value, at }| {
                ev.ivo_anmalan = why_at(at);
                value
            }),
        };

        let (kategori, why) = self.kategori(&doc, &sentences);
        ev.kategori = why;

        let (verksamhetsomrade, why) = area::area(&doc, &sentences, tax);
        ev.verksamhetsomrade = why;

        let causes = causes::causes(&doc, &sentences, tax);
        let orsaker = causes.iter().map(|c| c.label.clone()).collect();
        ev.orsaker = causes;

        let measures = self.measures(&doc, &sentences);
        let atgarder = measures.iter().map(|c| c.label.clone()).collect();
        ev.atgarder = measures;

        let ar = self.year(&doc);
        if let Some((_, line)) = ar {
            let l = &doc.lines[line];
            ev.ar = Why::at(doc.heading_of(if l.heading { None } else { l.under }), &l.text);
        }
        Fields {
            kategori,
            bedomning,
            ivo_anmalan,
            verksamhetsomrade,
            orsaker,
            ar: ar.map(|(y, _)| y),
            atgarder,
            evidence: ev,
        }
    }

    /// What kind of incident: the label with the highest weighted cue score (the title
    /// weighs three times, the description twice; measures, law text and headings not at
    /// all), else "övrigt".
    fn kategori(&self, doc: &Doc, sentences: &[Sentence]) -> (Option<String>, Why) {
        let tax = &self.taxonomy;
        let all: Vec<&Sentence> = sentences.iter().collect();
        let law = |s: &Sentence| tax.law.iter().any(|c| c.is_in(&s.lower));
        let weight = |s: &Sentence| -> u32 {
            if s.title {
                3
            } else if s.section_heading
                || law(s)
                || matches!(s.role, Some(Role::Atgard) | Some(Role::Annat))
            {
                0
            } else if s.role == Some(Role::Beskrivning) {
                2
            } else {
                1
            }
        };
        let how = Scoring {
            weight: &weight,
            negated_count: false,
            cap: 4,
            prepare: &|s: &str| s.to_string(),
        };
        let t = score::scores(&tax.anchors, &tax.kategori, &all, &how);
        let core = || {
            let core: Vec<&Sentence> =
                sentences.iter().filter(|s| s.title || s.role == Some(Role::Beskrivning)).collect();
            score::scores(
                &tax.anchors,
                &tax.kategori,
                &core,
                &Scoring { weight: &|_: &Sentence| 1, ..how },
            )
        };
        match t.best_label(MIN_SCORE, core) {
            Some(i) => {
                let why = t.best[i].map_or_else(Why::default, |b| {
                    Why::at(doc.heading_of(all[b].under), &all[b].text)
                });
                (Some(tax.kategori[i].label.clone()), why)
            }
            None if tax.kategori.iter().any(|l| l.label == "övrigt") => (
                Some("övrigt".to_string()),
                Why::rule("ingen av de kända kategorierna nämns i texten"),
            ),
            None => (None, Why::default()),
        }
    }

    /// Measures taken or planned: from the measures section (prompts, questions and
    /// "no further measures" left out); without one, from sentences that say a measure
    /// was taken or is planned.
    fn measures(&self, doc: &Doc, sentences: &[Sentence]) -> Vec<LabelWhy> {
        let tax = &self.taxonomy;
        let usable = |s: &&Sentence| {
            !s.section_heading
                && !doc.lines[s.line].skip
                && !s.lower.ends_with('?')
                && !tax.measure_none.iter().any(|c| c.is_in(&s.lower))
                && !tax.ignore.iter().any(|c| c.is_in(&s.lower))
        };
        let in_section: Vec<&Sentence> =
            sentences.iter().filter(|s| s.role == Some(Role::Atgard)).filter(usable).collect();
        let set: Vec<&Sentence> = if in_section.is_empty() {
            sentences
                .iter()
                .filter(|s| {
                    !matches!(
                        s.role,
                        Some(Role::Annat) | Some(Role::Orsak) | Some(Role::Beskrivning)
                    )
                })
                .filter(usable)
                .filter(|s| tax.measure_markers.iter().any(|c| c.is_in(&s.lower)))
                .collect()
        } else {
            in_section
        };
        let how = Scoring {
            weight: &|_: &Sentence| 1,
            negated_count: false,
            cap: 4,
            prepare: &|s: &str| s.to_string(),
        };
        let sc = score::scores(&tax.anchors, &tax.atgarder, &set, &how);
        sc.all_over(MIN_MEASURE)
            .into_iter()
            .filter_map(|i| {
                let s = set[sc.best[i]?];
                Some(LabelWhy {
                    label: tax.atgarder[i].label.clone(),
                    why: Why::at(doc.heading_of(s.under), &s.text),
                })
            })
            .collect()
    }

    /// The incident's year and the line it was read from.
    fn year(&self, doc: &Doc) -> Option<(i32, usize)> {
        let tax = &self.taxonomy;
        let mut lower = String::new();
        let mut starts: Vec<(usize, usize)> = Vec::new();
        for (i, l) in doc.lines.iter().enumerate() {
            if l.skip || l.role == Some(Role::Annat) {
                continue;
            }
            starts.push((lower.len(), i));
            lower.push_str(&l.lower);
            lower.push('\n');
        }
        let words = date::YearWords { incident: &tax.incident_words, fields: &tax.incident_fields };
        let (y, pos) = date::year(&lower, &words, LAST_YEAR)?;
        let line = starts.iter().rev().find(|(s, _)| *s <= pos).map_or(0, |(_, i)| *i);
        Some((y, line))
    }

    /// A sentence or two of the description in a redacted (published) text, for the
    /// summary's case digests; not stored with the fields, so `<id>.json` holds no text
    /// beyond the evidence.
    pub fn digest(&self, redacted_text: &str) -> Option<String> {
        digest(&Doc::parse(redacted_text, &self.taxonomy, &self.words.missing))
    }
}

/// The first sentence or two of the description section (form prompts left out); without
/// one, of the first paragraph of running text.
fn digest(doc: &Doc) -> Option<String> {
    let prose = |l: &&sections::Line| {
        !l.heading
            && !l.skip
            && !l.title
            && !l.ticked
            && l.role != Some(Role::Annat)
            && l.text.split_once(':').is_none_or(|(k, _)| k.chars().count() > 40)
    };
    let described: Vec<&sections::Line> =
        doc.lines.iter().filter(|l| l.role == Some(Role::Beskrivning)).filter(prose).collect();
    let lines: Vec<&sections::Line> = if described.is_empty() {
        // the first paragraph of two sentences or more (a news item's lead)
        let start = doc.lines.iter().position(|l| {
            prose(&l)
                && l.para_start
                && sections::split_sentences(&l.text).len() >= 2
                && l.text.chars().count() >= 60
        });
        match start {
            Some(s) => doc.lines[s..].iter().take_while(|l| prose(l)).collect(),
            None => Vec::new(),
        }
    } else {
        described
    };
    let mut text = String::new();
    for l in lines {
        if l.lower.starts_with("beskriv") && l.text.chars().count() < 120 {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&l.text);
        if text.chars().count() > DIGEST_MAX * 2 {
            break;
        }
    }
    let sentences = sections::split_sentences(&text);
    let mut out = String::new();
    for s in sentences.iter().filter(|s| !s.to_lowercase().starts_with("beskriv")).take(2) {
        if !out.is_empty() && out.chars().count() + s.chars().count() > DIGEST_MAX {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s);
    }
    if out.chars().count() > DIGEST_MAX {
        let cut: String = out.chars().take(DIGEST_MAX).collect();
        out = match cut.rfind(' ') {
            Some(p) => format!("{} …", &cut[..p]),
            None => cut,
        };
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Rapport enligt lex Sarah\n\nVerksamhetsområde\n\nÄldreomsorg – hemtjänsten Norr\n\n\
Vad har hänt?\n\nDen 2022-03-04 uteblev kvällsbesöket hos en brukare. Brukaren låg kvar på golvet till morgonen. Personalen larmade sedan.\n\n\
Orsaksanalys\n\nPersonalbrist och hög arbetsbelastning den kvällen.\nDet saknades en rutin för att kontrollera planeringen.\n\n\
Åtgärder\n\nRutinen för planering har reviderats och tagits upp på arbetsplatsträff (APT).\n\n\
Bedömning\n\nUtredningen bedömer att det inträffade utgjorde ett allvarligt missförhållande. Händelsen anmäls till IVO.\n\n\
Ort den 2022-05-01\n";

    #[test]
    fn fields_of_a_care_report() {
        let a = Analyzer::build(None).unwrap();
        let f = a.analyze_text(REPORT);
        assert_eq!(f.kategori.as_deref(), Some("utebliven eller bristande insats"));
        assert_eq!(f.bedomning.as_deref(), Some("allvarligt missförhållande"));
        assert_eq!(f.ivo_anmalan, Some(true));
        assert_eq!(f.verksamhetsomrade.as_deref(), Some("Äldreomsorg"));
        assert_eq!(f.ar, Some(2022));
        assert!(f.orsaker.contains(&"Omgivning och organisation".to_string()), "{:?}", f.orsaker);
        assert!(f.orsaker.contains(&"Processer, rutiner och riktlinjer".to_string()));
        assert!(
            f.atgarder.contains(&"rutin".to_string())
                && f.atgarder.contains(&"information på APT".to_string()),
            "{:?}",
            f.atgarder
        );
        assert_eq!(
            a.digest(REPORT).as_deref(),
            Some(
                "Den 2022-03-04 uteblev kvällsbesöket hos en brukare. Brukaren låg kvar på golvet till morgonen."
            )
        );
    }

    #[test]
    fn categories_beyond_data_incidents() {
        let a = Analyzer::build(None).unwrap();
        for (text, want) in [
            (
                "Rapport enligt lex Sarah\n\nVad har hänt?\n\nEn boende fick en annan boendes läkemedel vid kvällsmedicineringen.",
                "läkemedelshantering",
            ),
            (
                "Rapport enligt lex Sarah\n\nVad har hänt?\n\nEn vårdtagare uppgav att en medarbetare slog henne och hon hade blåmärken på armen.",
                "våld eller övergrepp",
            ),
            (
                "Rapport enligt lex Sarah\n\nVad har hänt?\n\nBrukaren upplevde personalens bemötande som kränkande och nedlåtande.",
                "bemötande",
            ),
            (
                "Rapport enligt lex Sarah\n\nVad har hänt?\n\nBrukarens trygghetslarm besvarades inte under natten.",
                "trygghetslarm",
            ),
        ] {
            assert_eq!(a.analyze_text(text).kategori.as_deref(), Some(want), "{text}");
        }
        let other = a.analyze_text("Protokoll från ett möte om lokalfrågor den 2020-01-02.");
        assert_eq!((other.kategori, other.ar), (None, None));
        assert_eq!(
            serde_json::to_value(&other.evidence).unwrap()["kategori"]["rule"],
            NOT_A_REPORT
        );
    }

    /// Development aid: `MASKERA_DEBUG_FILE=path cargo test --release debug_statements -- --ignored --nocapture`
    /// prints the fields of a (redacted) text file with their evidence, and the sentences
    /// that name a level.
    #[test]
    #[ignore]
    fn debug_statements() {
        let Ok(p) = std::env::var("MASKERA_DEBUG_FILE") else { return };
        let text = std::fs::read_to_string(p).unwrap();
        let a = Analyzer::build(None).unwrap();
        let doc = Doc::parse(&text, &a.taxonomy, &a.words.missing);
        for s in doc.sentences() {
            if let Some(l) = decision::level_of(&s.lower, &a.words) {
                eprintln!(
                    "{:?} {:?} heading={} -> {l:?}: {}",
                    s.role,
                    decision::is_statement(&s, &a.taxonomy),
                    s.heading,
                    s.lower
                );
            }
        }
        eprintln!("{}", serde_json::to_string_pretty(&a.analyze_text(&text)).unwrap());
    }

    /// The project's own invented reports in other forms than the development corpus (free
    /// prose, forms with check boxes, decisions, news items, numbered prose, IVO
    /// notifications, and texts that are no reports), with the fields a reader would give
    /// them (`testdata/expected.json`). Every field must reach 0.95; every stated field
    /// has evidence; the fields as written to `<id>.json` hold nothing the detectors find.
    #[test]
    fn own_fixtures_reach_the_target_per_field() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analyze/testdata");
        let expected: std::collections::BTreeMap<
            String,
            serde_json::Map<String, serde_json::Value>,
        > = serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
            .unwrap();
        assert!(expected.len() >= 30);
        let a = Analyzer::build(None).unwrap();
        let detectors = crate::detect::Detectors::build(&Default::default()).unwrap();
        let mut n: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        let mut misses = Vec::new();
        for (name, want) in &expected {
            let text = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
            let fields = a.analyze_text(&text);
            let got = serde_json::to_value(&fields).unwrap();
            for (k, v) in want {
                let g = &got[k.as_str()];
                let ok = match (v, g) {
                    (serde_json::Value::Array(x), serde_json::Value::Array(y)) => {
                        let mut x: Vec<String> = x.iter().map(|e| e.to_string()).collect();
                        let mut y: Vec<String> = y.iter().map(|e| e.to_string()).collect();
                        x.sort();
                        y.sort();
                        x == y
                    }
                    _ => v == g,
                };
                let e = n.entry(k.as_str()).or_default();
                e.0 += usize::from(ok);
                e.1 += 1;
                if !ok {
                    misses.push(format!("{name} {k}: want {v}, got {g}"));
                }
                let stated = !v.is_null() && v.as_array().is_none_or(|l| !l.is_empty());
                if stated && ok {
                    assert_ne!(
                        got["evidence"][k.as_str()],
                        evidence::MISSING,
                        "{name} {k}: no evidence"
                    );
                }
            }
            let compact = serde_json::to_string(&fields).unwrap();
            assert!(
                detectors.detect_str(&compact).is_empty(),
                "{name}: the detectors find something in the fields"
            );
        }
        for m in &misses {
            eprintln!("miss: {m}");
        }
        for (k, (ok, total)) in &n {
            let acc = *ok as f64 / *total as f64;
            eprintln!("{k}: {ok}/{total} = {acc:.3}");
            assert!(acc >= 0.95, "{k}: {ok}/{total} below 0.95; misses: {misses:#?}");
        }
    }

    #[test]
    fn news_item_and_ocr_damage() {
        let a = Analyzer::build(None).unwrap();
        let news = "Kommunen gör en lex Sarah-anmälan\n\nI mars 2024 upptäcktes att en boende på ett demensboende \
hade fått fel tabletter under flera dagar. Händelsen bedöms som ett allvarligt missförhållande och anmäls till IVO.";
        let f = a.analyze_text(news);
        assert_eq!(f.kategori.as_deref(), Some("läkemedelshantering"));
        assert_eq!(f.bedomning.as_deref(), Some("allvarligt missförhållande"));
        assert_eq!(f.ivo_anmalan, Some(true));
        assert_eq!(f.verksamhetsomrade.as_deref(), Some("Äldreomsorg"));
        assert_eq!(f.ar, Some(2024));
        let ocr = "Rapport\n\nBeskrivning av handelsen\n\nEn medarbetare valde att skicka ett e-postmeddelande till fel mottagare.\n\n\
Bedomning\n\nDet rapporterade bedéms inte utg6ra ett missférhallande.\n\nHandelsen ska inte anmalas till IVO.\n\nOrt den 2019-02-03";
        let f = a.analyze_text(ocr);
        assert_eq!(
            f.kategori.as_deref(),
            Some("e-post till fel mottagare"),
            "'valde' is not 'våld'"
        );
        assert_eq!(f.bedomning.as_deref(), Some("inget missförhållande"));
        assert_eq!(f.ivo_anmalan, Some(false));
        assert_eq!(f.ar, Some(2019));
    }

    #[test]
    fn report_then_investigation_takes_the_final_decision() {
        let a = Analyzer::build(None).unwrap();
        let t = "Rapport enligt lex Sarah\n\nVad har hänt?\n\nEn brukare i daglig verksamhet blev knuffad av en medarbetare.\n\n\
Rapportören bedömer att det inträffade är ett allvarligt missförhållande.\n\nUtredning\n\nUtredningens bedömning\n\n\
Utredningen bedömer att händelsen utgjorde en påtaglig risk för ett missförhållande.\n";
        let f = a.analyze_text(t);
        assert_eq!(f.bedomning.as_deref(), Some("påtaglig risk för missförhållande"));
        assert_eq!(f.ivo_anmalan, Some(false));
        assert_eq!(f.kategori.as_deref(), Some("våld eller övergrepp"));
        assert_eq!(f.verksamhetsomrade.as_deref(), Some("Funktionsnedsättning"));
        assert_eq!(f.ar, None);
    }

    #[test]
    fn one_line_decision_field() {
        let a = Analyzer::build(None).unwrap();
        let f = a.analyze_text("Rapport\n\nVad har hänt?\n\nLarmet fungerade inte.\n\nBedömning: Påtaglig risk för allvarligt missförhållande");
        assert_eq!(f.bedomning.as_deref(), Some("påtaglig risk för allvarligt missförhållande"));
        assert_eq!(f.ivo_anmalan, Some(true));
    }

    #[test]
    fn lists_are_not_evidence() {
        let a = Analyzer::build(None).unwrap();
        let t = "Lex Sarah\n\nVad har hänt?\n\nUppgifter om hemtjänst, boendestöd, gruppbostad, familjehem och försörjningsstöd röjdes.\n\nDet gällde försörjningsstöd.";
        assert_eq!(a.analyze_text(t).verksamhetsomrade.as_deref(), Some("Ekonomiskt bistånd"));
    }

    #[test]
    fn unfilled_form_options_are_not_evidence() {
        let a = Analyzer::build(None).unwrap();
        let t = "Rapport\n\n- Det rapporterade utgjorde ett missförhållande\n- Det rapporterade utgjorde ett allvarligt missförhållande (anmäls till IVO)\n\n\
 Äldreomsorg\tKlicka här för att ange text.\n Socialpsykiatri\tKlicka här för att ange text.\n";
        let f = a.analyze_text(t);
        assert_eq!(f.bedomning, None);
        assert_eq!(f.ivo_anmalan, None);
        assert_eq!(f.verksamhetsomrade, None);
    }
}
