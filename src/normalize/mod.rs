//! Normalisation: [`Extracted`] pages → one [`Normalized`] text.
//!
//! Unicode hygiene per page ([`hygiene`]), then the pages are joined and wrapped lines
//! reflowed into paragraphs ([`reflow`]). Spaces are collapsed, blank-line runs reduced
//! to one, so that every later stage sees blocks separated by exactly one blank line.

pub mod hygiene;
pub mod reflow;

use crate::document::{Extracted, Normalized, PageSource};

/// Collapse runs of spaces, trim line ends, and keep at most one blank line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let mut l = String::with_capacity(line.len());
        let mut prev_space = false;
        for c in line.trim().chars() {
            if c == ' ' {
                if !prev_space {
                    l.push(' ');
                }
                prev_space = true;
            } else {
                prev_space = false;
                l.push(c);
            }
        }
        if l.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(&l);
    }
    out
}

/// Normalise a document's extracted text.
pub fn normalize(extracted: &Extracted) -> Normalized {
    let pages: Vec<String> = extracted.pages.iter().map(|p| tidy(&hygiene::clean(&p.text))).collect();
    let joined = pages.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join("\n");
    let mut text = tidy(&reflow::reflow(&joined));
    if !text.is_empty() {
        text.push('\n');
    }
    Normalized {
        text,
        page_count: extracted.page_count(),
        ocr_pages: extracted.pages.iter().filter(|p| p.source == PageSource::Ocr).map(|p| p.number).collect(),
        ocr_repaired: false,
    }
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
                Page { number: 1, text: "Rubrik\n\n\n\nText  med   mellanrum ".into(), source: PageSource::TextLayer },
                Page { number: 2, text: "\nSida två".into(), source: PageSource::TextLayer },
            ],
        };
        let n = normalize(&ex);
        assert_eq!(n.text, "Rubrik\n\nText med mellanrum\nSida två\n");
        assert_eq!(n.page_count, 2);
        assert!(n.ocr_pages.is_empty());
    }
}
