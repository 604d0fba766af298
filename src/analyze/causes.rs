//! `orsaker`: the causes, in the six groups of Socialstyrelsen's handbook.
//!
//! In a cause section, a form names the groups itself: as sub-headings with text under
//! them ("Mänskliga faktorn" / "Utredningen bedömer att detta bidrog"), as "Group: why"
//! lines, or as ticked boxes. Those count — a sub-heading with nothing under it, or with
//! text saying the group did not contribute ("god kunskap", "inga brister"), does not. Free
//! text in the section is read with the cue phrases. Without a cause section, sentences
//! with a cause marker ("berodde på", "orsaken", "bidrog") are read.

use std::collections::BTreeSet;

use super::evidence::{LabelWhy, Why};
use super::score::{self, Scoring};
use super::sections::{Doc, Line, Sentence, strip_number};
use super::taxonomy::{Label, Role, Taxonomy};

/// Least score for a cause from the free text of a cause section.
const MIN_SECTION: u32 = 2;
/// Least score for a cause from marked sentences outside a cause section.
const MIN_MARKED: u32 = 3;
/// Longest sub-heading that names a group.
const NAME_WORDS: usize = 6;

/// The labels whose names open `lower` (after a section number).
fn named_at_start(lower: &str, labels: &[Label]) -> Vec<usize> {
    let t = strip_number(lower);
    (0..labels.len())
        .filter(|&i| {
            labels[i].names.iter().any(|n| n.find_all(t).next().is_some_and(|(s, _)| s == 0))
        })
        .collect()
}

/// The labels named anywhere in `lower`.
fn named_in(lower: &str, labels: &[Label]) -> Vec<usize> {
    (0..labels.len()).filter(|&i| labels[i].names.iter().any(|n| n.is_in(lower))).collect()
}

fn says_none(lower: &str, tax: &Taxonomy) -> bool {
    let t = lower.trim_matches(|c: char| !c.is_alphanumeric());
    t.is_empty()
        || matches!(t, "nej" | "nej." | "ej aktuellt" | "inget" | "inga")
        || tax.cause_none.iter().any(|c| c.is_in(lower))
}

/// The groups a line names when it is a sub-heading: a heading, or a short line without
/// closing punctuation (forms often put the text right below it, without a blank line).
fn group_heading(l: &Line, labels: &[Label]) -> Vec<usize> {
    let short = l.text.split_whitespace().count() <= NAME_WORDS;
    let bare = !l.text.ends_with(['.', '!', '?', ':']) && !l.text.contains(':') && !l.ticked;
    if !(short && (l.heading || bare)) {
        return Vec::new();
    }
    named_at_start(&l.lower, labels)
}

/// "Group: why" or "Group – why": the group's labels and the explanation.
fn label_sentence<'a>(text: &'a str, labels: &[Label]) -> Option<(Vec<usize>, &'a str)> {
    let (k, v) = text
        .split_once(':')
        .or_else(|| text.split_once(" – "))
        .or_else(|| text.split_once(" - "))?;
    if k.chars().count() > 60 || v.trim().is_empty() {
        return None;
    }
    let named = named_at_start(&k.to_lowercase(), labels);
    (!named.is_empty()).then_some((named, v.trim()))
}

/// The causes and the evidence of each, in taxonomy order.
pub fn causes(doc: &Doc, sentences: &[Sentence], tax: &Taxonomy) -> Vec<LabelWhy> {
    let labels = &tax.orsaker;
    let in_role = |r: Role| doc.lines.iter().any(|l| l.role == Some(r) && !l.heading && !l.skip);
    let role = if in_role(Role::Orsak) {
        Some(Role::Orsak)
    } else if in_role(Role::Utredning) {
        Some(Role::Utredning)
    } else {
        None
    };
    let mut found: Vec<Option<Why>> = vec![None; labels.len()];
    let mut consumed_lines: BTreeSet<usize> = BTreeSet::new();
    if let Some(role) = role {
        let lines = &doc.lines;
        for (i, l) in lines.iter().enumerate() {
            if l.role != Some(role) || l.skip {
                continue;
            }
            let named = group_heading(l, labels);
            if !named.is_empty() {
                consumed_lines.insert(i);
                // the text under the sub-heading, up to the next heading or group name
                let body: Vec<usize> = (i + 1..lines.len())
                    .take_while(|&j| {
                        !lines[j].heading && group_heading(&lines[j], labels).is_empty()
                    })
                    .filter(|&j| !lines[j].skip)
                    .collect();
                consumed_lines.extend(body.iter().copied());
                let Some(&first) = body.first() else { continue };
                let text: String =
                    body.iter().map(|&j| lines[j].lower.as_str()).collect::<Vec<_>>().join(" ");
                if says_none(&text, tax) {
                    continue;
                }
                for n in named {
                    found[n].get_or_insert_with(|| Why::at(Some(&l.text), &lines[first].text));
                }
            } else if l.ticked {
                consumed_lines.insert(i);
                for n in named_in(&l.lower, labels) {
                    found[n].get_or_insert_with(|| Why::at(doc.heading_of(l.under), &l.text));
                }
            }
        }
        // "Group: why" sentences (a form's lines, often joined into one paragraph)
        let mut consumed: BTreeSet<usize> = BTreeSet::new();
        for (si, s) in sentences.iter().enumerate() {
            if s.section_heading || s.role != Some(role) || consumed_lines.contains(&s.line) {
                continue;
            }
            if let Some((named, why)) = label_sentence(&s.text, labels) {
                consumed.insert(si);
                if says_none(&why.to_lowercase(), tax) {
                    continue;
                }
                for n in named {
                    found[n].get_or_insert_with(|| Why::at(doc.heading_of(s.under), &s.text));
                }
            }
        }
        // the free text of the section
        let free: Vec<&Sentence> = sentences
            .iter()
            .enumerate()
            .filter(|(si, s)| {
                !s.section_heading
                    && s.role == Some(role)
                    && !consumed.contains(si)
                    && !consumed_lines.contains(&s.line)
                    && !doc.lines[s.line].skip
            })
            .map(|(_, s)| s)
            .collect();
        add_scored(&mut found, doc, labels, tax, &free, MIN_SECTION);
    } else {
        let marked: Vec<&Sentence> = sentences
            .iter()
            .filter(|s| {
                !s.section_heading && !matches!(s.role, Some(Role::Annat) | Some(Role::Atgard))
            })
            .filter(|s| {
                !doc.lines[s.line].skip && tax.cause_markers.iter().any(|c| c.is_in(&s.lower))
            })
            .collect();
        add_scored(&mut found, doc, labels, tax, &marked, MIN_MARKED);
    }
    found
        .into_iter()
        .enumerate()
        .filter_map(|(i, w)| w.map(|why| LabelWhy { label: labels[i].label.clone(), why }))
        .collect()
}

fn add_scored(
    found: &mut [Option<Why>],
    doc: &Doc,
    labels: &[Label],
    tax: &Taxonomy,
    set: &[&Sentence],
    min: u32,
) {
    let how = Scoring {
        weight: &|_: &Sentence| 1,
        negated_count: true,
        cap: 6,
        prepare: &|s: &str| s.to_string(),
    };
    let sc = score::scores(&tax.anchors, labels, set, &how);
    for i in sc.all_over(min) {
        if let Some(b) = sc.best[i] {
            found[i].get_or_insert_with(|| Why::at(doc.heading_of(set[b].under), &set[b].text));
        }
    }
}
