//! Normalisation: [`Extracted`] pages → one [`Normalized`] text.
//!
//! Unicode hygiene per page ([`hygiene`]), then the pages are joined and wrapped lines
//! reflowed into paragraphs ([`reflow`]). Spaces are collapsed, blank-line runs reduced
//! to one, so that every later stage sees blocks separated by exactly one blank line.
//! Pages that OCR without Swedish letters damaged are repaired ([`ocr`]): line starts
//! before reflow, words after it; the pre-repair text is kept in [`Normalized::raw`].

pub mod hygiene;
pub mod ocr;
pub mod reflow;

use std::collections::BTreeMap;

use crate::document::{Extracted, Normalized, PageSource, RawText, Reocr, WordChange};

/// Collapse runs of spaces, trim line ends, and keep at most one blank line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        if !line.contains("  ") {
            out.push_str(line);
            continue;
        }
        let mut prev_space = false;
        for c in line.chars() {
            if c != ' ' || !prev_space {
                out.push(c);
            }
            prev_space = c == ' ';
        }
    }
    out
}

/// Normalise a document's extracted text.
pub fn normalize(extracted: &Extracted) -> Normalized {
    // Each page's text, with the index of its page in `extracted`.
    let (mut pages, source): (Vec<String>, Vec<usize>) = extracted
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (tidy(&hygiene::clean(&p.text)), i))
        .filter(|(t, _)| !t.is_empty())
        .unzip();
    let damage: Vec<ocr::Damage> = pages.iter().map(|p| ocr::Damage::measure(p)).collect();
    let any_damaged = damage.iter().any(ocr::Damage::is_damaged);
    let damaged: Vec<bool> =
        damage.iter().map(|d| d.is_damaged() || (any_damaged && d.is_undecided())).collect();
    for (p, d) in pages.iter_mut().zip(&damaged) {
        if *d {
            *p = ocr::layout::repair_lines(p);
        }
    }
    let joined = pages.join("\n");
    let mut text = tidy(&reflow::reflow(&joined));
    if !text.is_empty() {
        text.push('\n');
    }
    let mut reocr = Reocr {
        pages: extracted.pages.iter().filter(|p| p.layer.is_some()).map(|p| p.number).collect(),
        words: Vec::new(),
        notes: ocr_notes(extracted),
    };
    if !reocr.pages.is_empty() {
        let layers: Vec<Option<String>> = source
            .iter()
            .map(|&i| extracted.pages[i].layer.as_deref().map(|l| tidy(&hygiene::clean(l))))
            .collect();
        reocr.words = reocr_changes(&pages, &layers, &text);
    }
    let mut raw = None;
    let mut ocr_repaired = false;
    if damaged.iter().any(|d| *d) {
        // Reflow and tidy keep the words in order, so the k-th word of the text came from
        // the page where the k-th word of the joined pages was (a hyphenation joined at a
        // page end shifts this by one word at most).
        let mut first_word_of_page = Vec::with_capacity(pages.len());
        let mut n = 0;
        for p in &pages {
            first_word_of_page.push(n);
            n += p.split_ascii_whitespace().count();
        }
        let page_of = |k: usize| first_word_of_page.partition_point(|s| *s <= k).saturating_sub(1);
        let (repaired, map) = ocr::repair_words(&text, |k| damaged[page_of(k)]);
        ocr_repaired = !map.edits.is_empty();
        for w in &mut reocr.words {
            w.text = map.raw_to_text(w.text.0, w.text.1);
        }
        raw = Some(RawText { text: std::mem::replace(&mut text, repaired), map });
    }
    let ocr_pages =
        extracted.pages.iter().filter(|p| p.source == PageSource::Ocr).map(|p| p.number).collect();
    Normalized::new(text, extracted.page_count(), ocr_pages, ocr_repaired, raw).with_reocr(reocr)
}

/// The pages' OCR notes, pages with the same note together: `pages 2, 3: …`.
fn ocr_notes(extracted: &Extracted) -> Vec<String> {
    let mut by_note: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in &extracted.pages {
        if let Some(n) = &p.ocr_note {
            by_note.entry(n).or_default().push(p.number.to_string());
        }
    }
    by_note
        .into_iter()
        .map(|(note, pages)| match pages.len() {
            1 => format!("page {}: {note}", pages[0]),
            _ => format!("pages {}: {note}", pages.join(", ")),
        })
        .collect()
}

/// The words of `text` (the joined, reflowed `pages`) that differ from the replaced text
/// layer of their page (`layers`, per page; `None` for pages that kept their own text).
///
/// The words of `text` are first lined up with the words of the pages (reflow only joins
/// words hyphenated at a line end), which tells each word's page; then each re-OCR'd
/// page's words are lined up with its layer's, and every run that differs is a change.
fn reocr_changes(pages: &[String], layers: &[Option<String>], text: &str) -> Vec<WordChange> {
    use similar::{Algorithm, DiffOp, capture_diff_slices};
    let words: Vec<(usize, &str)> = word_spans(text);
    let mut page_words: Vec<&str> = Vec::new();
    let mut page_of: Vec<usize> = Vec::new();
    for (j, p) in pages.iter().enumerate() {
        for w in p.split_ascii_whitespace() {
            page_words.push(w);
            page_of.push(j);
        }
    }
    let mine: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
    // The page of each word of `text`: that of the page word it lines up with, else that of
    // the word before it.
    let mut page: Vec<usize> = vec![usize::MAX; mine.len()];
    for op in capture_diff_slices(Algorithm::Myers, &page_words, &mine) {
        if let DiffOp::Equal { old_index, new_index, len } = op {
            page[new_index..new_index + len].copy_from_slice(&page_of[old_index..old_index + len]);
        }
    }
    let mut last = 0;
    for p in page.iter_mut() {
        if *p == usize::MAX {
            *p = last;
        }
        last = *p;
    }
    let mut out = Vec::new();
    for (j, layer) in layers.iter().enumerate() {
        let Some(layer) = layer else { continue };
        let (Some(a), Some(b)) =
            (page.iter().position(|p| *p == j), page.iter().rposition(|p| *p == j))
        else {
            continue;
        };
        let theirs: Vec<&str> = layer.split_ascii_whitespace().collect();
        for op in capture_diff_slices(Algorithm::Myers, &theirs, &mine[a..=b]) {
            let (old, new) = match op {
                DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                    (old_index..old_index + old_len, new_index..new_index + new_len)
                }
                DiffOp::Insert { old_index, new_index, new_len } => {
                    (old_index..old_index, new_index..new_index + new_len)
                }
                _ => continue,
            };
            // Runs of equal length change word by word; others as a whole.
            let pairs: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> =
                if old.len() == new.len() {
                    old.clone().zip(new.clone()).map(|(o, n)| (o..o + 1, n..n + 1)).collect()
                } else {
                    vec![(old, new)]
                };
            for (old, new) in pairs {
                let (first, last) = (words[a + new.start], words[a + new.end - 1]);
                out.push(WordChange {
                    text: (first.0, last.0 + last.1.len()),
                    before: theirs[old].join(" "),
                });
            }
        }
    }
    out.sort_by_key(|w| w.text);
    out
}

/// The whitespace-separated words of `text` with their byte offsets.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Format, Page};

    #[test]
    fn pages_are_joined_and_tidied() {
        let ex = Extracted {
            format: Format::Pdf,
            pages: vec![
                Page::new(1, "Rubrik\n\n\n\nText  med   mellanrum ", PageSource::TextLayer),
                Page::new(2, "\nSida två", PageSource::TextLayer),
            ],
        };
        let n = normalize(&ex);
        assert_eq!(n.text(), "Rubrik\n\nText med mellanrum\nSida två\n");
        assert_eq!(n.page_count(), 2);
        assert!(n.ocr_pages().is_empty());
        assert!(n.raw().is_none() && !n.ocr_repaired());
    }

    fn page(number: u32, text: &str) -> Page {
        Page::new(number, text, PageSource::TextLayer)
    }

    #[test]
    fn damaged_pages_are_repaired_and_mapped() {
        let ex = Extracted {
            format: Format::Pdf,
            pages: vec![
                page(
                    1,
                    "Handelsen ar utredd och det ar klart att personalen inte foljde rutinen for\nhantering av lakemedel pa boendet. Atgarder har vidtagits.\ne Rutinen &ndras.\n| samband med detta ringde 070-123 45 67.",
                ),
                page(2, "Kontakt"),
            ],
        };
        let n = normalize(&ex);
        assert!(n.ocr_repaired());
        assert!(n.text().starts_with("Händelsen är utredd och det är klart att personalen inte följde rutinen för hantering av läkemedel på boendet."), "{}", n.text());
        assert!(n.text().contains("\n• Rutinen ändras.\nI samband med"), "{}", n.text());
        let raw = n.raw().unwrap();
        let at = raw.text.find("070").unwrap();
        let (s, e) = raw.map.raw_to_text(at, at + 13);
        assert_eq!(&n.text()[s..e], "070-123 45 67");
    }

    #[test]
    fn reocr_changes_name_the_layers_words() {
        let mut p1 = page(1, "Beslut om åtgärder.\nDen enhet som för-\nvaltningen valt.");
        p1.source = PageSource::Ocr;
        p1.layer = Some("Beslut om atgarder.\nDen enhet som for-\nvaltningen valt.".into());
        let mut p2 = page(2, "Sida två utan ändring");
        p2.ocr_note = Some("re-OCR failed (time limit); its text layer was kept".into());
        let mut p3 = p2.clone();
        p3.number = 3;
        let n = normalize(&Extracted { format: Format::Pdf, pages: vec![p1, p2, p3] });
        assert_eq!(n.reocr().pages, [1]);
        let changes: Vec<(&str, &str)> = n
            .reocr()
            .words
            .iter()
            .map(|w| (&n.text()[w.text.0..w.text.1], w.before.as_str()))
            .collect();
        assert_eq!(changes, [("åtgärder.", "atgarder."), ("förvaltningen", "for- valtningen")]);
        assert_eq!(
            n.reocr().notes,
            ["pages 2, 3: re-OCR failed (time limit); its text layer was kept"]
        );
    }

    #[test]
    fn born_digital_text_passes_unchanged() {
        let t = "Händelsen är utredd och det är klart att personalen inte följde rutinen för hantering av läkemedel på boendet. Åtgärder har vidtagits och ärendet är avslutat för del av året.";
        let n = normalize(&Extracted { format: Format::Pdf, pages: vec![page(1, t)] });
        assert_eq!(n.text(), format!("{t}\n"));
        assert!(n.raw().is_none());
    }
}
