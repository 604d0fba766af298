//! The taxonomy of the learning fields, read from `patterns/taxonomy.toml` (embedded) and
//! optionally extended by an organisation's own file (`[analyze] taxonomy = "…"`).

use std::path::Path;

use serde::Deserialize;

use super::cue::{self, Cue, CueError};

const BUILTIN: &str = include_str!("../../patterns/taxonomy.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    label: String,
    #[serde(default)]
    cues: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
    /// Names of the label as a form writes it in a heading or before a colon
    /// ("Mänskliga faktorn: …"); matched at the start of the line.
    #[serde(default)]
    names: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct SectionsFile {
    beskrivning: Vec<String>,
    orsak: Vec<String>,
    atgard: Vec<String>,
    bedomning: Vec<String>,
    verksamhet: Vec<String>,
    utredning: Vec<String>,
    /// Short headings of text that is about none of the fields (law text, contacts).
    annat: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct BedomningFile {
    statement: Vec<String>,
    ignore: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct IvoFile {
    authority: Vec<String>,
    verbs: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct MarkersFile {
    cues: Vec<String>,
    /// Phrases that say the opposite (no cause, no measure).
    none: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct YearFile {
    /// Words about the incident near which a date is its date.
    incident: Vec<String>,
    /// Form fields that hold the incident's date.
    fields: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct TaxonomyFile {
    sections: SectionsFile,
    bedomning: BedomningFile,
    ivo: IvoFile,
    orsaker_markers: MarkersFile,
    atgarder_markers: MarkersFile,
    report: MarkersFile,
    law: MarkersFile,
    several_areas: MarkersFile,
    ar: YearFile,
    kategori: Vec<LabelFile>,
    verksamhetsomrade: Vec<LabelFile>,
    orsaker: Vec<LabelFile>,
    atgarder: Vec<LabelFile>,
}

impl TaxonomyFile {
    /// Add `other` to `self`: cue lists are appended, labels with a known name get the
    /// extra cues, new labels come after the existing ones.
    fn extend(&mut self, other: TaxonomyFile) {
        let s = &mut self.sections;
        s.beskrivning.extend(other.sections.beskrivning);
        s.orsak.extend(other.sections.orsak);
        s.atgard.extend(other.sections.atgard);
        s.bedomning.extend(other.sections.bedomning);
        s.verksamhet.extend(other.sections.verksamhet);
        s.utredning.extend(other.sections.utredning);
        s.annat.extend(other.sections.annat);
        self.bedomning.statement.extend(other.bedomning.statement);
        self.bedomning.ignore.extend(other.bedomning.ignore);
        self.ivo.authority.extend(other.ivo.authority);
        self.ivo.verbs.extend(other.ivo.verbs);
        for (mine, theirs) in [
            (&mut self.orsaker_markers, other.orsaker_markers),
            (&mut self.atgarder_markers, other.atgarder_markers),
            (&mut self.report, other.report),
            (&mut self.law, other.law),
            (&mut self.several_areas, other.several_areas),
        ] {
            mine.cues.extend(theirs.cues);
            mine.none.extend(theirs.none);
        }
        self.ar.incident.extend(other.ar.incident);
        self.ar.fields.extend(other.ar.fields);
        for (mine, theirs) in [
            (&mut self.kategori, other.kategori),
            (&mut self.verksamhetsomrade, other.verksamhetsomrade),
            (&mut self.orsaker, other.orsaker),
            (&mut self.atgarder, other.atgarder),
        ] {
            for l in theirs {
                match mine.iter_mut().find(|m| m.label == l.label) {
                    Some(m) => {
                        m.cues.extend(l.cues);
                        m.examples.extend(l.examples);
                        m.names.extend(l.names);
                    }
                    None => mine.push(l),
                }
            }
        }
    }
}

/// One label with its compiled cues.
#[derive(Debug, Clone)]
pub struct Label {
    pub label: String,
    pub cues: Vec<Cue>,
    pub examples: Vec<String>,
    /// How a form names the label (lower case; the label itself first).
    pub names: Vec<Cue>,
}

/// The roles a section heading can give the text under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Beskrivning,
    Orsak,
    Atgard,
    Bedomning,
    Verksamhet,
    /// Investigation and analysis (causes are read here when there is no cause section).
    Utredning,
    /// About none of the fields (law text, contacts, attachments).
    Annat,
}

/// The compiled taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub sections: Vec<(Role, Vec<Cue>)>,
    pub statement: Vec<Cue>,
    pub ignore: Vec<Cue>,
    pub ivo_authority: Vec<Cue>,
    pub ivo_verbs: Vec<Cue>,
    pub cause_markers: Vec<Cue>,
    /// Content under a cause heading that says it did not contribute.
    pub cause_none: Vec<Cue>,
    /// Verbs and phrases of a measure taken or planned.
    pub measure_markers: Vec<Cue>,
    /// Sentences saying no measure is needed.
    pub measure_none: Vec<Cue>,
    /// Words that make a text a report of an incident (lex Sarah, missförhållande …).
    pub report: Vec<Cue>,
    /// Law text (quotes of laws, preparatory works): not evidence of what or where.
    pub law: Vec<Cue>,
    /// Phrases saying the incident spans several areas or administrations.
    pub several_areas: Vec<Cue>,
    /// Short headings of text about none of the fields.
    pub other_sections: Vec<Cue>,
    pub incident_words: Vec<Cue>,
    pub incident_fields: Vec<Cue>,
    pub kategori: Vec<Label>,
    pub verksamhetsomrade: Vec<Label>,
    pub orsaker: Vec<Label>,
    pub atgarder: Vec<Label>,
    /// The anchors of every label cue (kategori, verksamhetsområde, orsaker, åtgärder).
    pub anchors: cue::AnchorIndex,
    /// SHA-256 of the taxonomy sources (part of the rerun fingerprint).
    pub fingerprint: String,
}

/// A taxonomy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    #[error("cannot read the taxonomy file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the taxonomy file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("the taxonomy file {path} has a bad cue: {source}")]
    Cue { path: String, source: CueError },
}

fn labels(list: Vec<LabelFile>) -> Result<Vec<Label>, CueError> {
    list.into_iter()
        .map(|l| {
            let mut names = vec![l.label.to_lowercase()];
            names.extend(l.names.iter().map(|n| n.to_lowercase()));
            Ok(Label {
                cues: cue::compile(&l.cues)?,
                names: cue::compile(&names)?,
                label: l.label,
                examples: l.examples,
            })
        })
        .collect()
}

impl Taxonomy {
    /// The built-in taxonomy.
    pub fn builtin() -> Taxonomy {
        Taxonomy::load(None).expect("the built-in taxonomy is valid (checked by tests)")
    }

    /// The built-in taxonomy, extended by the file at `extra` if given.
    pub fn load(extra: Option<&Path>) -> Result<Taxonomy, TaxonomyError> {
        let mut file: TaxonomyFile = toml::from_str(BUILTIN).map_err(|e| TaxonomyError::Parse {
            path: "patterns/taxonomy.toml".into(),
            message: e.to_string(),
        })?;
        let mut sources = BUILTIN.to_string();
        let mut where_ = "patterns/taxonomy.toml".to_string();
        if let Some(p) = extra {
            where_ = p.display().to_string();
            let text = std::fs::read_to_string(p)
                .map_err(|source| TaxonomyError::Read { path: where_.clone(), source })?;
            let other: TaxonomyFile = toml::from_str(&text).map_err(|e| TaxonomyError::Parse {
                path: where_.clone(),
                message: e.to_string(),
            })?;
            file.extend(other);
            sources.push('\u{0}');
            sources.push_str(&text);
        }
        let cue_err = |source| TaxonomyError::Cue { path: where_.clone(), source };
        let s = file.sections;
        let sections = vec![
            (Role::Verksamhet, cue::compile(&s.verksamhet).map_err(cue_err)?),
            (Role::Atgard, cue::compile(&s.atgard).map_err(cue_err)?),
            (Role::Orsak, cue::compile(&s.orsak).map_err(cue_err)?),
            (Role::Bedomning, cue::compile(&s.bedomning).map_err(cue_err)?),
            (Role::Utredning, cue::compile(&s.utredning).map_err(cue_err)?),
            (Role::Beskrivning, cue::compile(&s.beskrivning).map_err(cue_err)?),
        ];
        let mut t = Taxonomy {
            sections,
            statement: cue::compile(&file.bedomning.statement).map_err(cue_err)?,
            ignore: cue::compile(&file.bedomning.ignore).map_err(cue_err)?,
            ivo_authority: cue::compile(&file.ivo.authority).map_err(cue_err)?,
            ivo_verbs: cue::compile(&file.ivo.verbs).map_err(cue_err)?,
            cause_markers: cue::compile(&file.orsaker_markers.cues).map_err(cue_err)?,
            cause_none: cue::compile(&file.orsaker_markers.none).map_err(cue_err)?,
            measure_markers: cue::compile(&file.atgarder_markers.cues).map_err(cue_err)?,
            measure_none: cue::compile(&file.atgarder_markers.none).map_err(cue_err)?,
            report: cue::compile(&file.report.cues).map_err(cue_err)?,
            law: cue::compile(&file.law.cues).map_err(cue_err)?,
            several_areas: cue::compile(&file.several_areas.cues).map_err(cue_err)?,
            other_sections: cue::compile(&s.annat).map_err(cue_err)?,
            incident_words: cue::compile(&file.ar.incident).map_err(cue_err)?,
            incident_fields: cue::compile(&file.ar.fields).map_err(cue_err)?,
            kategori: labels(file.kategori).map_err(cue_err)?,
            verksamhetsomrade: labels(file.verksamhetsomrade).map_err(cue_err)?,
            orsaker: labels(file.orsaker).map_err(cue_err)?,
            atgarder: labels(file.atgarder).map_err(cue_err)?,
            anchors: cue::AnchorIndex::default(),
            fingerprint: crate::hash::sha256_hex(sources.as_bytes()),
        };
        t.anchors = cue::AnchorIndex::build(
            [&mut t.kategori, &mut t.verksamhetsomrade, &mut t.orsaker, &mut t.atgarder]
                .into_iter()
                .flat_map(|labels| labels.iter_mut())
                .flat_map(|l| l.cues.iter_mut()),
        );
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_cue_compiles() {
        let t = Taxonomy::builtin();
        let lists = [&t.kategori, &t.verksamhetsomrade, &t.orsaker, &t.atgarder];
        let labelled = lists.iter().flat_map(|l| l.iter()).flat_map(|l| l.cues.iter());
        let other =
            t.sections.iter().flat_map(|(_, c)| c.iter()).chain(&t.statement).chain(&t.ignore);
        let all: Vec<&cue::Cue> = labelled
            .chain(other)
            .chain(&t.ivo_authority)
            .chain(&t.ivo_verbs)
            .chain(&t.cause_markers)
            .collect();
        assert!(all.len() > 500);
        for c in all {
            assert!(c.compiles(), "{}", c.phrase);
        }
    }

    #[test]
    fn builtin_loads_and_every_example_hits_its_label() {
        let t = Taxonomy::builtin();
        assert!(t.kategori.iter().any(|l| l.label == "övrigt"));
        for group in [&t.kategori, &t.verksamhetsomrade, &t.orsaker, &t.atgarder] {
            for l in group.iter() {
                for ex in &l.examples {
                    let lower = ex.to_lowercase();
                    assert!(
                        cue::score(&l.cues, &lower, &t.anchors.present(&lower)) > 0,
                        "{}: example {ex:?} hits no cue",
                        l.label
                    );
                }
            }
        }
    }

    #[test]
    fn extension_adds_cues_and_labels() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.toml");
        std::fs::write(
            &p,
            "[[kategori]]\nlabel = \"bemötande\"\ncues = [\"tjurig^2\"]\n[[kategori]]\nlabel = \"fallolycka\"\ncues = [\"föll^3\"]\n",
        )
        .unwrap();
        let t = Taxonomy::load(Some(&p)).unwrap();
        let b = t.kategori.iter().find(|l| l.label == "bemötande").unwrap();
        assert!(b.cues.iter().any(|c| c.phrase == "tjurig"));
        assert_eq!(t.kategori.last().unwrap().label, "fallolycka");
        assert_ne!(t.fingerprint, Taxonomy::builtin().fingerprint);
        std::fs::write(&p, "[[kategori]]\nlabel = \"x\"\ncues = [\"a^b\"]\n").unwrap();
        assert!(matches!(Taxonomy::load(Some(&p)), Err(TaxonomyError::Cue { .. })));
    }
}
