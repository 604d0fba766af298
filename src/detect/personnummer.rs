//! Personnummer, samordningsnummer and interim numbers (`patterns/personnummer.toml`).
//!
//! The pattern file finds personnummer-shaped text; this module reads the digits and
//! decides: organisation numbers (month field 20 or more, or `16` as century) stay when the
//! configuration keeps them; everything else is masked, with a confidence raised by a
//! valid check digit (Luhn) and a real calendar date (day + 60 for samordningsnummer).

use super::patterns::{Pattern, PatternSet, Scan};
use super::{DetectError, Detector};
use crate::document::{Kind, Span};

/// Finds the personnummer family.
pub struct Personnummer {
    set: PatternSet,
    keep_organisation_numbers: bool,
    require_check_digit: bool,
}

impl Personnummer {
    pub fn new(
        keep_organisation_numbers: bool,
        require_check_digit: bool,
    ) -> Result<Personnummer, DetectError> {
        Ok(Personnummer {
            set: PatternSet::builtin("personnummer.toml")?,
            keep_organisation_numbers,
            require_check_digit,
        })
    }
}

/// One character of a candidate, read as a digit where OCR confuses it with one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// A digit; `true` when it was a real digit and not a look-alike.
    Digit(u8, bool),
    /// `X` or `*` standing for a hidden digit.
    Hidden,
    /// The letter of an interim number.
    Letter,
}

/// The OCR look-alikes of digits.
pub(crate) fn ocr_digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        'O' | 'o' => Some(0),
        'I' | 'l' | '|' => Some(1),
        'S' => Some(5),
        'B' => Some(8),
        'Z' => Some(2),
        _ => None,
    }
}

/// The tokens of a value and, for each gap between two tokens, whether it held a space.
fn tokens(value: &str, interim: bool) -> (Vec<Tok>, Vec<bool>) {
    let mut toks = Vec::with_capacity(12);
    let mut gaps = Vec::with_capacity(12);
    let mut space = false;
    for c in value.chars() {
        let tok = if c.is_ascii_digit() {
            Some(Tok::Digit(c as u8 - b'0', true))
        } else if interim
            && toks.len() >= 6
            && "TRSUWXJKLMN".contains(c)
            && !toks.contains(&Tok::Letter)
        {
            Some(Tok::Letter)
        } else if c == 'X' || c == 'x' || c == '*' {
            Some(Tok::Hidden)
        } else {
            ocr_digit(c).map(|d| Tok::Digit(d, false))
        };
        match tok {
            Some(t) => {
                if !toks.is_empty() {
                    gaps.push(space);
                }
                toks.push(t);
                space = false;
            }
            None => space |= c.is_whitespace(),
        }
    }
    (toks, gaps)
}

fn digit(t: Tok) -> Option<u8> {
    match t {
        Tok::Digit(d, _) => Some(d),
        _ => None,
    }
}

/// The Luhn check over the ten digits of a personnummer.
pub(crate) fn luhn_ok(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let v = if i % 2 == 0 { x as u32 * 2 } else { x as u32 };
            v / 10 + v % 10
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether YYMMDD (with day + 60 for samordningsnummer) is a date that exists. Only a
/// samordningsnummer may leave the month or the day unknown (`00`, the day written `60`).
fn calendar_ok(century: Option<u32>, yy: u32, mm: u32, dd: u32) -> bool {
    let coordination = dd >= 60;
    let dd = if coordination { dd - 60 } else { dd };
    if mm == 0 || dd == 0 {
        return coordination && mm <= 12 && dd <= 31;
    }
    if mm > 12 {
        return false;
    }
    let year = century.unwrap_or(19) * 100 + yy;
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = [
        31,
        if leap || century.is_none() && yy.is_multiple_of(4) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    dd <= days[mm as usize - 1]
}

/// What a candidate turned out to be.
#[derive(Debug, PartialEq)]
enum Verdict {
    Reject,
    Organisation,
    Person(f32),
}

fn judge(p: &Pattern, value: &str, keep_org: bool, require_check: bool) -> Verdict {
    let interim = p.name == "personnummer-interim";
    let keyword = p.name == "personnummer-keyword";
    let (toks, gaps) = tokens(value, interim);
    let (century, toks, gaps) = match toks.len() {
        12 | 8 => {
            let c = digit(toks[0]).zip(digit(toks[1])).map(|(a, b)| (a * 10 + b) as u32);
            (c, &toks[2..], &gaps[2..])
        }
        10 | 6 => (None, &toks[..], &gaps[..]),
        _ => return Verdict::Reject,
    };
    if toks.len() == 6 && !keyword {
        return Verdict::Reject;
    }
    if let Some(c) = century {
        if c == 16 {
            return if keep_org { Verdict::Organisation } else { Verdict::Person(0.7) };
        }
        if !(18..=20).contains(&c) {
            return Verdict::Reject;
        }
    }
    let real = toks
        .iter()
        .filter(|t| matches!(t, Tok::Digit(_, true) | Tok::Hidden | Tok::Letter))
        .count();
    if real * 10 < toks.len() * 7 {
        return Verdict::Reject;
    }
    // A stray space (at most one), and whether digits and spaces are all the value holds.
    let (stray_space, spaces_only) = if p.name == "personnummer" {
        // At most one stray space, besides the one between birth date and last four (and,
        // with the century, the one after the year: `1985 0101-2382`).
        let year_gap = |i: usize| century.is_some() && i == 1;
        let stray =
            gaps.iter().enumerate().filter(|(i, s)| **s && *i != 5 && !year_gap(*i)).count();
        if stray > 1 {
            return Verdict::Reject;
        }
        // Digits split by spaces alone, not between birth date and last four, are two
        // numbers (`2012 185000`, a year and an amount) unless date and check digit both say
        // personnummer; beside a separator a stray space is OCR's (`8501 01-2382`).
        let separator =
            value.contains(['-', '+', '\u{2013}', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2212}']);
        (stray == 1, !separator)
    } else {
        (false, false)
    };
    let two = |i: usize| digit(toks[i]).zip(digit(toks[i + 1])).map(|(a, b)| (a * 10 + b) as u32);
    let (yy, mm, dd) = (two(0), two(2), two(4));
    if mm.is_some_and(|mm| mm >= 20) {
        return if keep_org { Verdict::Organisation } else { Verdict::Person(0.7) };
    }
    let mut confidence = 0.75;
    let dated =
        matches!((yy, mm, dd), (Some(yy), Some(mm), Some(dd)) if calendar_ok(century, yy, mm, dd));
    if dated {
        confidence += 0.05;
    }
    let digits: Option<Vec<u8>> = toks.iter().map(|&t| digit(t)).collect();
    let luhn = digits.as_deref().is_some_and(|d| d.len() == 10 && luhn_ok(d));
    // Digits split by a space where a personnummer has none (`40000 40000`: two amounts)
    // are one only with a real date or a valid check digit.
    let weak = if spaces_only { !(dated && luhn) } else { !dated && !luhn };
    if stray_space && weak {
        return Verdict::Reject;
    }
    if luhn {
        confidence += 0.15;
    } else if require_check && toks.len() == 10 && !interim && digits.is_some() {
        return Verdict::Reject;
    }
    Verdict::Person(confidence)
}

/// Whether the text just before `at` names an organisation number.
fn after_org_word(text: &str, at: usize) -> bool {
    let mut from = at.saturating_sub(32);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let before = text[from..at].to_lowercase();
    ["org.nr", "orgnr", "org nr", "org. nr", "organisationsnummer", "organisationsnr", "org.-nr"]
        .iter()
        .any(|w| before.contains(w))
}

impl Detector for Personnummer {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        self.detect_in(text, &Scan::new(text), out);
    }

    fn detect_in(&self, text: &str, scan: &Scan, out: &mut Vec<Span>) {
        self.set.scan(text, scan, |p, start, end| {
            match judge(
                p,
                &text[start..end],
                self.keep_organisation_numbers,
                self.require_check_digit,
            ) {
                Verdict::Reject => false,
                Verdict::Organisation => true,
                Verdict::Person(_)
                    if self.keep_organisation_numbers && after_org_word(text, start) =>
                {
                    true
                }
                Verdict::Person(confidence) => {
                    super::push_uncovered(out, Kind::Personnummer, start, end, p.name, confidence);
                    true
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let d = Personnummer::new(true, false).unwrap();
        let mut v = Vec::new();
        d.detect(text, &mut v);
        v.iter().map(|s| text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn written_forms() {
        assert_eq!(found("pnr 19850101-2382, sedan"), ["19850101-2382"]);
        assert_eq!(found("(8501012382)"), ["8501012382"]);
        assert_eq!(found("född 090101+9810."), ["090101+9810"]);
        assert_eq!(found("år 2019 850101-2382 hände"), ["850101-2382"]);
    }

    #[test]
    fn bad_check_digit_and_bad_date_are_still_masked() {
        assert_eq!(found("nr 850101-2383 slut"), ["850101-2383"]);
        assert_eq!(found("nr 850231-2383 slut"), ["850231-2383"]);
    }

    #[test]
    fn ocr_damage_stops_at_words() {
        assert_eq!(found("nr 85O10l-238Z slut"), ["85O10l-238Z"]);
        assert!(found("nr 850101-238Zo slut").is_empty());
    }

    #[test]
    fn organisation_numbers_stay_unless_configured() {
        assert!(found("org 802005-1952").is_empty());
        assert!(found("organisationsnummer 212000-0142").is_empty());
        let d = Personnummer::new(false, false).unwrap();
        let mut v = Vec::new();
        d.detect("org 802005-1952", &mut v);
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn check_digit_can_be_required() {
        let d = Personnummer::new(true, true).unwrap();
        let mut v = Vec::new();
        d.detect("nr 850101-2383 och 850101-2382", &mut v);
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn luhn_and_calendar() {
        assert!(luhn_ok(&[8, 5, 0, 1, 0, 1, 2, 3, 8, 2]));
        assert!(!luhn_ok(&[8, 5, 0, 1, 0, 1, 2, 3, 8, 3]));
        assert!(calendar_ok(Some(20), 0, 2, 29));
        assert!(!calendar_ok(Some(19), 0, 2, 29));
        assert!(calendar_ok(None, 70, 10, 63));
        assert!(!calendar_ok(None, 85, 2, 30));
        // Month or day 00 only in a samordningsnummer (day + 60).
        assert!(calendar_ok(None, 70, 0, 63) && calendar_ok(None, 70, 10, 60));
        assert!(!calendar_ok(None, 40, 0, 4) && !calendar_ok(None, 85, 1, 0));
    }

    #[test]
    fn amounts_split_by_a_space_are_no_personnummer() {
        // Two amounts side by side in a table: a stray space, no date, no check digit.
        assert!(found("Beløb 40000 40000 kr").is_empty());
        // A personnummer with a stray space (OCR) and a real date or check digit stays.
        assert_eq!(found("nr 85010 1-2382 slut"), ["85010 1-2382"]);
        assert_eq!(found("nr 8501 01-2383 slut"), ["8501 01-2383"]);
        // A year and an amount in a table row read without its cells.
        assert!(found("2011 2012 185000 90000").is_empty());
        assert!(found("nr 8501 012383 slut").is_empty());
        assert_eq!(found("nr 8501 012382 slut"), ["8501 012382"]);
    }
}
