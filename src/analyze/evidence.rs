//! Where each field was decided: the heading of the section and the (redacted) sentence,
//! or "uppgift saknas" when the text does not say. Written with the fields to `<id>.json`.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// Written when the text does not state a field.
pub const MISSING: &str = "uppgift saknas";
/// Longest evidence text, in characters.
const TEXT_MAX: usize = 300;

/// The evidence of one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Why {
    /// The heading of the section the sentence is in.
    pub section: Option<String>,
    /// The sentence (redacted, as published).
    pub text: Option<String>,
    /// How the value follows when it is not read from the sentence alone.
    pub rule: Option<&'static str>,
}

impl Why {
    /// A sentence under a heading.
    pub fn at(section: Option<&str>, text: &str) -> Why {
        Why { section: section.map(shorten), text: Some(shorten(text)), rule: None }
    }

    /// With a note on how the value follows from the sentence.
    pub fn by(mut self, rule: &'static str) -> Why {
        self.rule = Some(rule);
        self
    }

    /// A value that follows from a rule without a sentence.
    pub fn rule(rule: &'static str) -> Why {
        Why { rule: Some(rule), ..Why::default() }
    }

    pub fn is_missing(&self) -> bool {
        self.section.is_none() && self.text.is_none() && self.rule.is_none()
    }
}

/// The evidence of one label of a list field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelWhy {
    pub label: String,
    #[serde(flatten)]
    pub why: Why,
}

/// The evidence of every field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub kategori: Why,
    pub bedomning: Why,
    pub ivo_anmalan: Why,
    pub verksamhetsomrade: Why,
    #[serde(serialize_with = "labels_or_missing")]
    pub orsaker: Vec<LabelWhy>,
    pub ar: Why,
    #[serde(serialize_with = "labels_or_missing")]
    pub atgarder: Vec<LabelWhy>,
}

fn shorten(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= TEXT_MAX {
        return s;
    }
    let cut: String = s.chars().take(TEXT_MAX).collect();
    match cut.rfind(' ') {
        Some(p) => format!("{} …", &cut[..p]),
        None => format!("{cut} …"),
    }
}

impl Serialize for Why {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_missing() {
            return s.serialize_str(MISSING);
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("section", &self.section)?;
        if let Some(t) = &self.text {
            m.serialize_entry("sentence", t)?;
        }
        if let Some(r) = self.rule {
            m.serialize_entry("rule", r)?;
        }
        m.end()
    }
}

fn labels_or_missing<S: Serializer>(v: &[LabelWhy], s: S) -> Result<S::Ok, S::Error> {
    if v.is_empty() { s.serialize_str(MISSING) } else { v.serialize(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_sentences_rules_and_missing() {
        let e = Evidence {
            kategori: Why::at(Some("Vad har hänt?"), "Ett brev  skickades\ntill fel adress."),
            ivo_anmalan: Why::at(Some("Bedömning"), "Det var ett missförhållande.")
                .by("följer av bedömningen"),
            orsaker: vec![LabelWhy {
                label: "Mänskliga faktorn".into(),
                why: Why::at(None, "Ett misstag."),
            }],
            ..Evidence::default()
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v["kategori"],
            serde_json::json!({"section": "Vad har hänt?", "sentence": "Ett brev skickades till fel adress."})
        );
        assert_eq!(v["ivo_anmalan"]["rule"], "följer av bedömningen");
        assert_eq!(v["bedomning"], MISSING);
        assert_eq!(v["atgarder"], MISSING);
        assert_eq!(
            v["orsaker"][0],
            serde_json::json!({"label": "Mänskliga faktorn", "section": null, "sentence": "Ett misstag."})
        );
        let long = "ord ".repeat(200);
        let t = Why::at(None, &long).text.unwrap();
        assert!(t.chars().count() <= TEXT_MAX + 2 && t.ends_with(" …"), "{t}");
    }
}
