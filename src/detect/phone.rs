//! Swedish telephone numbers, and Norwegian, Danish and Finnish ones written with their
//! country code or after a phone label (`patterns/phone.toml`).
//!
//! The pattern file finds number-shaped text that starts like a phone number (0, +46,
//! 0046, or an area code in brackets); this module counts the digits and rejects what is
//! something else: dates written `01-05-2023`, numbers followed by `§` or `kap`, and
//! numbers right after a word such as `Dnr` (the list is in the pattern file).

use super::patterns::{PatternSet, Scan};
use super::personnummer::ocr_digit;
use super::{DetectError, Detector};
use crate::document::{Kind, Span};

/// Finds telephone numbers.
pub struct Phone {
    set: PatternSet,
    not_after: Vec<String>,
    date: regex::Regex,
}

impl Phone {
    pub fn new() -> Result<Phone, DetectError> {
        let set = PatternSet::builtin("phone.toml")?;
        let not_after = set.words("not_after").iter().map(|w| w.to_lowercase()).collect();
        let date = regex::Regex::new(set.var("DATE")?)
            .map_err(|e| DetectError::Build(format!("phone DATE: {e}")))?;
        Ok(Phone { set, not_after, date })
    }

    fn accept(&self, text: &str, name: &str, start: usize, end: usize) -> bool {
        let value = &text[start..end];
        let mut digits = 0;
        let mut real = 0;
        let mut groups: Vec<usize> = vec![0];
        for c in value.chars() {
            if ocr_digit(c).is_some() {
                digits += 1;
                real += c.is_ascii_digit() as usize;
                *groups.last_mut().expect("one group") += 1;
            } else if groups.last() != Some(&0) {
                groups.push(0);
            }
        }
        groups.retain(|g| *g > 0);
        let (min, max) = match name {
            "phone-international" => (9, 13),
            // +47 / +45 and eight digits; +358 and six to ten.
            "phone-nordic-international" => (9, 13),
            // Eight digits after a label: a Norwegian or Danish number.
            "phone-nordic-labelled" => (8, 8),
            _ => (8, 12),
        };
        if digits < min || digits > max || real * 10 < digits * 8 {
            return false;
        }
        if self.date.is_match(value) {
            return false;
        }
        // A date: 01-05-2023, 01/05 2023, 01.05.23.
        if groups.len() == 3
            && groups[0] == 2
            && groups[1] == 2
            && (groups[2] == 4 || groups[2] == 2)
        {
            return false;
        }
        if continues_a_number(text, start, value, &groups) {
            return false;
        }
        // Digits one by one (`0 0 0 0 1`, a row of a table of counts): no phone number has
        // more than two single-digit groups (`+46 (0)8 …`).
        if groups.iter().filter(|g| **g == 1).count() > 2 {
            return false;
        }
        // A law reference or a chapter: "… 12 §", "… 3 kap.".
        let after = text[end..].trim_start();
        // Eight digits after a label and more digit groups after them: a longer number.
        if name == "phone-nordic-labelled" && after.starts_with(|c: char| c.is_ascii_digit()) {
            return false;
        }
        if after.starts_with('§') || after.starts_with("kap") {
            return false;
        }
        // A case or account number: "Dnr 0123-45678".
        let mut from = start.saturating_sub(24);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let before = text[from..start].to_lowercase();
        let before = before
            .trim_end_matches(|c: char| c.is_whitespace() || c == ':' || c == '.' || c == '#');
        !self.not_after.iter().any(|w| {
            before.ends_with(w.as_str())
                && !before[..before.len() - w.len()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        })
    }
}

/// Whether a candidate grouped by spaces only (no area code set off by a dash or a slash) is
/// the rest of a larger number: "9,041 707 618" in a table of counts, "3.041 …", or a
/// thousands group after the first group of a number written with spaces, "3 004 2 778".
fn continues_a_number(text: &str, start: usize, value: &str, groups: &[usize]) -> bool {
    if !value.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return false;
    }
    let mut back = text[..start].chars().rev();
    match back.next() {
        Some(',' | '.') => back.next().is_some_and(|c| c.is_ascii_digit()),
        Some(' ' | '\u{a0}' | '\u{202f}') if groups.first() == Some(&3) => {
            let lead = back.take_while(char::is_ascii_digit).take(4).count();
            (1..=3).contains(&lead)
        }
        _ => false,
    }
}

impl Detector for Phone {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        self.detect_in(text, &Scan::new(text), out);
    }

    fn detect_in(&self, text: &str, scan: &Scan, out: &mut Vec<Span>) {
        self.set.scan(text, scan, |p, start, end| {
            if !self.accept(text, p.name, start, end) {
                return false;
            }
            super::push_uncovered(out, Kind::Phone, start, end, p.name, p.confidence);
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        Phone::new().unwrap().detect(text, &mut v);
        v.iter().map(|s| text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn swedish_forms() {
        assert_eq!(found("ring 08-123 456 78."), ["08-123 456 78"]);
        assert_eq!(found("ring +46 (0)70 123 45 67, tack"), ["+46 (0)70 123 45 67"]);
        assert_eq!(found("mobil 0701234567 eller 0300-83 12 34"), ["0701234567", "0300-83 12 34"]);
        assert_eq!(found("ring 070-123 45 67 Stockholm"), ["070-123 45 67"]);
    }

    #[test]
    fn other_nordic_forms() {
        assert_eq!(found("Tlf: 91 64 31 25"), ["91 64 31 25"]);
        assert_eq!(found("Mobil 99461800 hele døgnet."), ["99461800"]);
        assert_eq!(
            found("Ring +47 22 33 44 55 eller +358 40 123 4567."),
            ["+47 22 33 44 55", "+358 40 123 4567"]
        );
        // Eight digits without a phone label are not taken for a phone number.
        assert!(found("Beløpet var 99461800 kroner.").is_empty());
    }

    #[test]
    fn not_the_rest_of_a_larger_number() {
        assert!(found("Antal 2,047 818 512 0 4 2 och 12,5").is_empty());
        assert!(found("summa 7.031 555 4321 kr").is_empty());
        assert!(found("dagar 1 215 4 006 3 881 2 709").is_empty());
        assert_eq!(found("rum 12, tel 08-555 43 21"), ["08-555 43 21"]);
        assert_eq!(found("1 070-555 43 21"), ["070-555 43 21"]);
        assert_eq!(found("tel. 031-555 43 21"), ["031-555 43 21"]);
        // A row of counts, digit by digit.
        assert!(found("Ort 1,248 00 0 0 0 0 0 0 0 0 0 1 3").is_empty());
        assert_eq!(found("ring +46 (0)8 555 43 21"), ["+46 (0)8 555 43 21"]);
    }

    #[test]
    fn not_dates_laws_or_case_numbers() {
        assert!(found("den 01-05-2023 kl. 08.30").is_empty());
        assert!(found("Dnr 0123-456789").is_empty());
        assert!(found("enligt 14 kap. 3 § SoL år 2019").is_empty());
    }
}
