//! Learning fields: `&Redacted` → [`Fields`] (kategori, bedömning, IVO, verksamhetsområde,
//! orsaker, år, åtgärder) and a short anonymised digest.
//!
//! Rules over headings, sections and cue phrases from `patterns/taxonomy.toml` — offline
//! and explainable: every label comes from cue hits that can be listed. Only the redacted
//! text is read, so a field or digest can never carry a masked value.
//!
//! ```text
//!  Redacted text ─▶ sections::Doc (lines, roles, skipped form options)
//!      ├─▶ sentences ─▶ decision::bedomning ─▶ decision::ivo
//!      ├─▶ cue scores per line (section weights) ─▶ kategori · verksamhetsområde · orsaker · åtgärder
//!      ├─▶ date::year
//!      └─▶ first sentences of the description ─▶ digest
//! ```

pub mod cue;
pub mod date;
pub mod decision;
pub mod sections;
pub mod taxonomy;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::redact::Redacted;
use cue::AnchorIndex;
use sections::{Doc, Line};
use taxonomy::{Label, Role, Taxonomy, TaxonomyError};

/// The learning fields of one report, as written under `fields` in `<id>.json`.
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
}

/// Longest digest, in characters.
const DIGEST_MAX: usize = 280;
/// Least score for a single-valued label.
const MIN_SCORE: u32 = 2;
/// Lines naming this many different labels of one field are lists, not evidence.
const ENUMERATION: usize = 3;

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

    fn analyze_text(&self, text: &str) -> Fields {
        let tax = &self.taxonomy;
        let doc = Doc::parse(text, tax, &self.words.missing);
        let sentences = doc.sentences();
        let bedomning = decision::bedomning(&sentences, tax, &self.words);
        let ivo_anmalan = decision::ivo(&sentences, tax, bedomning);
        let lower_all = text.to_lowercase();
        let looks_like_report = self.words.missing.is_in(&lower_all) || lower_all.contains("lex sarah");
        let kategori = best(&tax.anchors, &tax.kategori, &doc, |l| {
            if l.title {
                4
            } else if l.role == Some(Role::Beskrivning) {
                2
            } else {
                1
            }
        })
        .or_else(|| {
            looks_like_report.then(|| "övrigt".to_string()).filter(|_| tax.kategori.iter().any(|l| l.label == "övrigt"))
        });
        // a text that is no report and names no kind of incident has no incident year
        let ar = (looks_like_report || kategori.is_some()).then(|| date::year(&lower_all, 2099)).flatten();
        let verksamhetsomrade = best(&tax.anchors, &tax.verksamhetsomrade, &doc, |l| {
            if l.role == Some(Role::Verksamhet) || l.lower.starts_with("verksamhetsområde") {
                4
            } else if l.title {
                2
            } else {
                1
            }
        });
        let orsaker = self.causes(&doc);
        let atgarder = {
            let has_section = doc.lines.iter().any(|l| l.role == Some(Role::Atgard) && !l.heading);
            let lines: Vec<&Line> =
                doc.lines.iter().filter(|l| !has_section || l.role == Some(Role::Atgard)).collect();
            all_over(&tax.anchors, &tax.atgarder, &lines, MIN_SCORE)
        };
        Fields {
            kategori,
            bedomning: bedomning.map(String::from),
            ivo_anmalan,
            verksamhetsomrade,
            orsaker,
            ar,
            atgarder,
        }
    }

    /// A sentence or two of the description in a redacted (published) text, for the
    /// summary's case digests; not stored with the fields, so `<id>.json` holds no text.
    pub fn digest(&self, redacted_text: &str) -> Option<String> {
        digest(&Doc::parse(redacted_text, &self.taxonomy, &self.words.missing))
    }

    /// Causes from the cause section; without one, from sentences with a cause marker.
    fn causes(&self, doc: &Doc) -> Vec<String> {
        let tax = &self.taxonomy;
        let in_section: Vec<&Line> = doc.lines.iter().filter(|l| l.role == Some(Role::Orsak) && !l.skip).collect();
        let found = causes_over(&tax.anchors, &tax.orsaker, &in_section, MIN_SCORE);
        if !found.is_empty() {
            return found;
        }
        let marked: Vec<Line> = doc
            .sentences()
            .into_iter()
            .filter(|s| !s.heading && tax.cause_markers.iter().any(|c| c.is_in(&s.lower)))
            .map(|s| Line {
                text: s.lower.clone(),
                lower: s.lower,
                role: s.role,
                heading: false,
                title: false,
                skip: false,
                para_start: true,
            })
            .collect();
        causes_over(&tax.anchors, &tax.orsaker, &marked.iter().collect::<Vec<_>>(), MIN_SCORE + 1)
    }
}

/// Per-label scores over lines, with a weight per line; sentences that enumerate several
/// labels (a list of areas, a law's list of kinds) are left out.
fn scores(idx: &AnchorIndex, labels: &[Label], lines: &[&Line], weight: impl Fn(&Line) -> u32) -> Vec<u32> {
    scores_with(idx, labels, lines, weight, cue::score)
}

fn scores_with(
    idx: &AnchorIndex,
    labels: &[Label],
    lines: &[&Line],
    weight: impl Fn(&Line) -> u32,
    score: fn(&[cue::Cue], &str, &cue::Present) -> u32,
) -> Vec<u32> {
    let mut total = vec![0u32; labels.len()];
    for l in lines.iter().filter(|l| !l.skip) {
        let w = weight(l);
        for s in sections::split_sentences(&l.text).iter().map(|s| s.to_lowercase()).filter(|s| !is_list(s)) {
            let present = idx.present(&s);
            let per: Vec<u32> = labels.iter().map(|lab| score(&lab.cues, &s, &present)).collect();
            if per.iter().filter(|&&s| s > 0).count() >= ENUMERATION {
                continue;
            }
            for (t, s) in total.iter_mut().zip(per) {
                *t += s * w;
            }
        }
    }
    total
}

/// A sentence holding a comma-separated list (four or more items of one to three words).
fn is_list(s: &str) -> bool {
    s.split(',').filter(|p| (1..=3).contains(&p.split_whitespace().count())).count() >= 4
}

/// The single best label, if it reaches the least score. A tie is broken by the score in
/// the title and description alone; a tie there too gives `None`.
fn best(idx: &AnchorIndex, labels: &[Label], doc: &Doc, weight: impl Fn(&Line) -> u32) -> Option<String> {
    let lines: Vec<&Line> = doc.lines.iter().collect();
    let s = scores(idx, labels, &lines, weight);
    let max = *s.iter().max()?;
    if max < MIN_SCORE {
        return None;
    }
    let tied: Vec<usize> = (0..s.len()).filter(|&i| s[i] == max).collect();
    if tied.len() == 1 {
        return Some(labels[tied[0]].label.clone());
    }
    let core: Vec<&Line> = doc.lines.iter().filter(|l| l.title || l.role == Some(Role::Beskrivning)).collect();
    let c = scores(idx, labels, &core, |_| 1);
    let cmax = tied.iter().map(|&i| c[i]).max()?;
    let top: Vec<usize> = tied.into_iter().filter(|&i| c[i] == cmax).collect();
    (top.len() == 1).then(|| labels[top[0]].label.clone())
}

/// Every label reaching `min`, in taxonomy order.
fn all_over(idx: &AnchorIndex, labels: &[Label], lines: &[&Line], min: u32) -> Vec<String> {
    over(scores(idx, labels, lines, |_| 1), labels, min)
}

/// The same for causes, where a negated cue counts ("det fanns ingen rutin").
fn causes_over(idx: &AnchorIndex, labels: &[Label], lines: &[&Line], min: u32) -> Vec<String> {
    over(scores_with(idx, labels, lines, |_| 1, cue::score_all), labels, min)
}

fn over(scores: Vec<u32>, labels: &[Label], min: u32) -> Vec<String> {
    scores
        .into_iter()
        .zip(labels)
        .filter(|(s, _)| *s >= min)
        .map(|(_, l)| l.label.clone())
        .collect()
}

/// The first sentence or two of the description section (form prompts left out).
fn digest(doc: &Doc) -> Option<String> {
    let mut text = String::new();
    for l in doc.lines.iter().filter(|l| l.role == Some(Role::Beskrivning) && !l.heading && !l.skip && !l.title) {
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
        assert!(f.atgarder.contains(&"rutin".to_string()) && f.atgarder.contains(&"information på APT".to_string()), "{:?}", f.atgarder);
        assert_eq!(a.digest(REPORT).as_deref(), Some("Den 2022-03-04 uteblev kvällsbesöket hos en brukare. Brukaren låg kvar på golvet till morgonen."));
    }

    #[test]
    fn categories_beyond_data_incidents() {
        let a = Analyzer::build(None).unwrap();
        for (text, want) in [
            ("Vad har hänt?\n\nEn boende fick en annan boendes läkemedel vid kvällsmedicineringen.", "läkemedelshantering"),
            ("Vad har hänt?\n\nEn vårdtagare uppgav att en medarbetare slog henne och hon hade blåmärken på armen.", "våld eller övergrepp"),
            ("Vad har hänt?\n\nBrukaren upplevde personalens bemötande som kränkande och nedlåtande.", "bemötande"),
            ("Vad har hänt?\n\nBrukarens trygghetslarm besvarades inte under natten.", "trygghetslarm"),
        ] {
            assert_eq!(a.analyze_text(text).kategori.as_deref(), Some(want), "{text}");
        }
        let other = a.analyze_text("Protokoll från ett möte om lokalfrågor den 2020-01-02.");
        assert_eq!((other.kategori, other.ar), (None, None));
    }

    /// Development aid: `MASKERA_DEBUG_FILE=path cargo test --release debug_statements -- --ignored --nocapture`
    /// lists the decision statements found in a (redacted) text file.
    #[test]
    #[ignore]
    fn debug_statements() {
        let Ok(p) = std::env::var("MASKERA_DEBUG_FILE") else { return };
        let text = std::fs::read_to_string(p).unwrap();
        let a = Analyzer::build(None).unwrap();
        let doc = Doc::parse(&text, &a.taxonomy, &a.words.missing);
        for s in doc.sentences() {
            if let Some(l) = decision::level_of(&s.lower, &a.words) {
                eprintln!("{:?} {:?} heading={} -> {l}: {}", s.role, decision::is_statement(&s, &a.taxonomy), s.heading, s.lower);
            }
        }
        eprintln!("{:?}", a.analyze_text(&text));
        let lines: Vec<&Line> = doc.lines.iter().collect();
        let s = scores(&a.taxonomy.anchors, &a.taxonomy.kategori, &lines, |l| if l.title || l.role == Some(Role::Beskrivning) { 2 } else { 1 });
        for (l, s) in a.taxonomy.kategori.iter().zip(s) {
            eprintln!("kategori {}: {s}", l.label);
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
        assert_eq!(f.kategori.as_deref(), Some("e-post till fel mottagare"), "'valde' is not 'våld'");
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
        assert!(is_list("uppgifter som namn, adress, hälsa, missbruk, ekonomi och annat"));
        assert!(!is_list("han kom, såg att dörren var öppen, och gick in i rummet"));
        let a = Analyzer::build(None).unwrap();
        let t = "Vad har hänt?\n\nUppgifter om hemtjänst, boendestöd, gruppbostad, familjehem och försörjningsstöd röjdes.\n\nDet gällde försörjningsstöd.";
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
