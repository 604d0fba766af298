//! `verksamhetsomrade`: the part of social services, from the form's field when it has one,
//! else from the unit and the law named in the header and the description. An incident
//! that the text places across several areas or administrations has no single area.

use std::sync::LazyLock;

use regex::Regex;

use super::evidence::Why;
use super::score::{self, Scoring};
use super::sections::{Doc, Sentence};
use super::taxonomy::{Role, Taxonomy};

/// Least score for an area.
const MIN_SCORE: u32 = 2;

/// Law references of a form's boilerplate ("14 kap. 3 § SoL och 24 b § LSS", "SoL/LSS"):
/// they name the laws a form covers, not the area of the incident.
static LAW_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\d+\s*(?:kap\.?\s*\d+\s*)?[a-z]?\s*§§?\s*(?:första stycket\s*)?(?:sol|lss|lvu|lvm|socialtjänstlagen)\b",
        r"|\b(?:sol|lss)\s*(?:och|eller|/|,)\s*(?:sol|lss)\b",
        r"|\benligt\s+(?:sol|lss)\s+(?:och|eller)\s+(?:sol|lss)\b",
    ))
    .expect("law reference")
});

fn prepare(lower: &str) -> String {
    LAW_REFERENCE.replace_all(lower, " ").into_owned()
}

/// Whether a sentence is the form's area field ("Verksamhetsområde: …", or the lines under
/// such a heading, which may look like headings themselves).
fn is_field(s: &Sentence) -> bool {
    !s.title && s.role == Some(Role::Verksamhet)
}

/// The area and its evidence.
pub fn area(doc: &Doc, sentences: &[Sentence], tax: &Taxonomy) -> (Option<String>, Why) {
    let labels = &tax.verksamhetsomrade;
    let all: Vec<&Sentence> = sentences.iter().filter(|s| !doc.lines[s.line].skip).collect();
    let found = |i: usize, set: &[&Sentence], best: &[Option<usize>]| {
        let s = best[i].map(|b| set[b]);
        let why = s.map_or_else(Why::default, |s| Why::at(doc.heading_of(s.under), &s.text));
        (Some(labels[i].label.clone()), why)
    };
    // 1. the form's field
    let fields: Vec<&Sentence> = all.iter().copied().filter(|s| is_field(s)).collect();
    let field_scoring = Scoring { weight: &|_| 1, negated_count: false, cap: 8, prepare: &prepare };
    let f = score::scores(&tax.anchors, labels, &fields, &field_scoring);
    if let Some(i) = f.best_label(MIN_SCORE, || f.clone()) {
        return found(i, &fields, &f.best);
    }
    // 2. an incident across several areas or administrations
    if let Some(s) = all.iter().find(|s| {
        !s.section_heading
            && !matches!(s.role, Some(Role::Annat) | Some(Role::Atgard))
            && tax.several_areas.iter().any(|c| c.is_in(&s.lower))
    }) {
        return (
            None,
            Why::at(doc.heading_of(s.under), &s.text)
                .by("händelsen gäller flera verksamhetsområden"),
        );
    }
    // 3. the unit and the law in the title, the header and the description
    let header = |s: &Sentence| s.role.is_none() && s.under == Some(0);
    let weight = |s: &Sentence| -> u32 {
        if s.title {
            2
        } else if s.section_heading || tax.law.iter().any(|c| c.is_in(&s.lower)) {
            0
        } else if header(s) {
            2
        } else {
            1
        }
    };
    let scoring = Scoring { weight: &weight, negated_count: false, cap: 6, prepare: &prepare };
    let t = score::scores(&tax.anchors, labels, &all, &scoring);
    let core = || {
        let core: Vec<&Sentence> = all
            .iter()
            .copied()
            .filter(|s| s.title || header(s) || s.role == Some(Role::Beskrivning))
            .collect();
        score::scores(&tax.anchors, labels, &core, &Scoring { weight: &|_| 1, ..scoring })
    };
    match t.best_label(MIN_SCORE, core) {
        Some(i) => found(i, &all, &t.best),
        None => (None, Why::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn law_references_of_a_form_are_not_the_area() {
        let p = prepare("enligt 14 kap. 3 § sol och 24 b § lss");
        assert!(!p.contains("lss") && !p.contains("sol"), "{p}");
        assert!(prepare("insatser enligt lss").contains("lss"));
        assert!(!prepare("rapport (sol/lss)").contains("lss"));
    }
}
