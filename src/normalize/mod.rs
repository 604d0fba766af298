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

use crate::document::{Extracted, Normalized, PageSource, RawText};

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
    let mut pages: Vec<String> = extracted.pages.iter().map(|p| tidy(&hygiene::clean(&p.text))).collect();
    pages.retain(|p| !p.is_empty());
    let damage: Vec<ocr::Damage> = pages.iter().map(|p| ocr::Damage::measure(p)).collect();
    let any_damaged = damage.iter().any(ocr::Damage::is_damaged);
    let damaged: Vec<bool> = damage.iter().map(|d| d.is_damaged() || (any_damaged && d.is_undecided())).collect();
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
        raw = Some(RawText { text: std::mem::replace(&mut text, repaired), map });
    }
    let ocr_pages = extracted.pages.iter().filter(|p| p.source == PageSource::Ocr).map(|p| p.number).collect();
    Normalized::new(text, extracted.page_count(), ocr_pages, ocr_repaired, raw)
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
                page(1, "Handelsen ar utredd och det ar klart att personalen inte foljde rutinen for\nhantering av lakemedel pa boendet. Atgarder har vidtagits.\ne Rutinen &ndras.\n| samband med detta ringde 070-123 45 67."),
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
    fn born_digital_text_passes_unchanged() {
        let t = "Händelsen är utredd och det är klart att personalen inte följde rutinen för hantering av läkemedel på boendet. Åtgärder har vidtagits och ärendet är avslutat för del av året.";
        let n = normalize(&Extracted { format: Format::Pdf, pages: vec![page(1, t)] });
        assert_eq!(n.text(), format!("{t}\n"));
        assert!(n.raw().is_none());
    }
}
