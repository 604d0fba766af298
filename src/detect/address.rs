//! Postal addresses and postcodes (`patterns/address.toml`, `patterns/streets.txt`,
//! `patterns/postcodes.txt`, `patterns/localities.txt`).
//!
//! Streets are found by suffix (the pattern file) and by name (the street list, followed
//! by a house number). A postcode followed by a town is masked; a bare postcode only when
//! it is a known postcode right after an address or after the word postnummer.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::patterns::{PatternSet, Run, Scan};
use super::{DetectError, Detector};
use crate::document::{Kind, Span};
use crate::fold::{key as fold, without_diacritics as strip_diacritics};

const STREETS: &str = include_str!("../../patterns/streets.txt");
const POSTCODES: &str = include_str!("../../patterns/postcodes.txt");
const LOCALITIES: &str = include_str!("../../patterns/localities.txt");

/// Finds addresses (ADDRESS) and postcodes (POSTAL).
pub struct Address {
    set: PatternSet,
    not_streets: BTreeSet<String>,
    not_towns: BTreeSet<String>,
    street_words: Vec<String>,
    postcode_after: Vec<String>,
    streets: AhoCorasick,
    house_number: Regex,
    postcodes: Vec<bool>,
    localities: BTreeSet<String>,
}

impl Address {
    pub fn new() -> Result<Address, DetectError> {
        let set = PatternSet::builtin("address.toml")?;
        let not_streets = set.words("not_streets").iter().map(|w| w.to_lowercase()).collect();
        let street_words = set.words("street_words").to_vec();
        let not_towns = set.words("not_towns").iter().map(|w| w.to_lowercase()).collect();
        let postcode_after = set.words("postcode_after").iter().map(|w| w.to_lowercase()).collect();
        // Names of one short word ("Berg", "Viken") are too often something else.
        let mut names: BTreeSet<String> = BTreeSet::new();
        for n in
            STREETS.lines().map(str::trim).filter(|n| n.contains(' ') || n.chars().count() >= 7)
        {
            names.insert(n.to_string());
            names.insert(strip_diacritics(n));
        }
        let streets = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|e| DetectError::Build(format!("street list: {e}")))?;
        let house_number = Regex::new(&format!("^[ ]?(?:{})(?:$|[^\\p{{L}}0-9])", set.var("NUM")?))
            .map_err(|e| DetectError::Build(format!("street list number: {e}")))?;
        let mut postcodes = vec![false; 100_000];
        for code in POSTCODES.lines().filter_map(|l| l.trim().parse::<usize>().ok()) {
            if code < postcodes.len() {
                postcodes[code] = true;
            }
        }
        let localities =
            LOCALITIES.lines().map(|l| fold(l.trim())).filter(|l| !l.is_empty()).collect();
        Ok(Address {
            set,
            not_streets,
            not_towns,
            street_words,
            postcode_after,
            streets,
            house_number,
            postcodes,
            localities,
        })
    }

    fn postcode_known(&self, value: &str) -> bool {
        let digits: String = value.chars().filter(char::is_ascii_digit).take(5).collect();
        digits.parse::<usize>().is_ok_and(|c| self.postcodes.get(c).copied().unwrap_or(false))
    }

    /// Whether a street-suffix candidate is a street and not a plan or similar.
    fn street_ok(&self, value: &str) -> bool {
        let word_end = value.find(|c: char| c.is_ascii_digit()).unwrap_or(value.len());
        let word = value[..word_end].trim_end().rsplit(' ').next().unwrap_or("").to_lowercase();
        !(self.not_streets.contains(&word) || word.ends_with("splan"))
    }

    /// Whether the word right before a number can end a street name or be `Box`: a
    /// capitalised word, or one of the separate street words (`väg` in `Karl Johans väg`).
    /// A cheap test that keeps the street patterns away from most numbers in prose.
    fn street_before(&self, text: &str, at: usize) -> bool {
        let mut from = at.saturating_sub(40);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let before = text[from..at].strip_suffix(' ').unwrap_or(&text[from..at]);
        let word_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphabetic() || *c == ':')
            .last()
            .map(|(i, _)| i);
        let Some(i) = word_start else { return false };
        let word = &before[i..];
        word.chars().next().is_some_and(char::is_uppercase)
            || self.street_words.iter().any(|w| word.eq_ignore_ascii_case(w))
    }

    /// Street names from the list, followed by a house number.
    fn listed_streets(&self, text: &str, scan: &Scan, out: &mut Vec<Span>) {
        // The name ends right before the house number.
        for (ws, we) in scan.windows_where(text, 48, 0, |r| self.street_before(text, r.start)) {
            for m in self.streets.find_iter(&text[ws..we]) {
                let (s, e) = (ws + m.start(), ws + m.end());
                if text[..s].chars().next_back().is_some_and(char::is_alphanumeric) {
                    continue;
                }
                let Some(n) = self.house_number.find(&text[e..]) else {
                    continue;
                };
                let mut end = e + n.end();
                while let Some(c) = text[..end].chars().next_back() {
                    if c.is_alphanumeric() {
                        break;
                    }
                    end -= c.len_utf8();
                }
                out.push(Span {
                    start: s,
                    end,
                    kind: Kind::Address,
                    rule: "street-list",
                    confidence: 0.9,
                    entity: None,
                });
            }
        }
    }

    /// The end of `postcode town`: a second word only when the two are one place; `None`
    /// when the word after the postcode is a label (then only a known postcode is kept).
    fn town_end(&self, text: &str, start: usize, end: usize) -> Option<usize> {
        let value = &text[start..end];
        let after_code = value.rfind(|c: char| c.is_ascii_digit()).map(|i| i + 1).unwrap_or(0);
        let town_at =
            after_code + (value[after_code..].len() - value[after_code..].trim_start().len());
        let town = &value[town_at..];
        let first = &town[..town.find([' ', '-']).unwrap_or(town.len())];
        if self.not_towns.contains(&first.to_lowercase()) {
            return self.postcode_known(value).then_some(start + after_code);
        }
        match town.find([' ', '-']) {
            Some(i) if !self.localities.contains(&fold(town)) => Some(start + town_at + i),
            _ => Some(end),
        }
    }
}

/// A postbox of one or two digits (`Box 1`) is an address only with a postcode within the
/// next few words (`Box 1, 194 80 Orten`); otherwise it is the field of a form.
fn box_is_address(text: &str, start: usize, end: usize) -> bool {
    let digits = text[start..end].chars().filter(char::is_ascii_digit).count();
    if digits >= 3 {
        return true;
    }
    let after: String = text[end..].chars().take(40).collect();
    let mut run = 0;
    for c in after.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run == 5 {
                return true;
            }
        } else if c != ' ' || run == 0 {
            run = 0;
        }
    }
    false
}

impl Detector for Address {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        self.detect_in(text, &Scan::new(text), out);
    }

    fn detect_in(&self, text: &str, scan: &Scan, out: &mut Vec<Span>) {
        let first = out.len();
        self.listed_streets(text, scan, out);
        let keep = |r: &Run| r.digits == 5 || self.street_before(text, r.start);
        self.set.scan_where(text, scan, keep, |p, start, mut end| {
            let mut confidence = p.confidence;
            match p.name {
                "street" if !self.street_ok(&text[start..end]) => return false,
                "box" if !box_is_address(text, start, end) => return false,
                "postcode-town" => {
                    let Some(e) = self.town_end(text, start, end) else { return false };
                    end = e;
                    if self.postcode_known(&text[start..end]) {
                        confidence = 0.95;
                    }
                }
                "postcode" => {
                    if !self.postcode_known(&text[start..end]) {
                        return false;
                    }
                    let before = text[..start].trim_end_matches([' ', ',', ':', '.', '\t']);
                    let after_address = start - before.len() <= 3
                        && out[first..]
                            .iter()
                            .rev()
                            .take(64)
                            .any(|s| s.kind == Kind::Address && s.end == before.len());
                    let mut from = before.len().saturating_sub(24);
                    while !before.is_char_boundary(from) {
                        from -= 1;
                    }
                    let lower = before[from..].to_lowercase();
                    let after_word =
                        self.postcode_after.iter().any(|w| lower.ends_with(w.as_str()));
                    if !(after_address || after_word) {
                        return false;
                    }
                }
                _ => {}
            }
            super::push_uncovered(out, p.kind, start, end, p.name, confidence);
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, String)> {
        let mut v = Vec::new();
        Address::new().unwrap().detect(text, &mut v);
        v.sort_by_key(|s| s.start);
        v.iter().map(|s| (s.kind, text[s.start..s.end].to_string())).collect()
    }

    #[test]
    fn street_and_postcode() {
        assert_eq!(
            found("Adress: Storgatan 12 B, 111 22 Stockholm Telefon"),
            [
                (Kind::Address, "Storgatan 12 B".to_string()),
                (Kind::Postal, "111 22 Stockholm".to_string())
            ]
        );
    }

    #[test]
    fn listed_street_without_suffix() {
        assert_eq!(
            found("bor på Abramsäng 4, sedan"),
            [(Kind::Address, "Abramsäng 4".to_string())]
        );
    }

    #[test]
    fn two_word_town_only_when_known() {
        let f = found("Box 1, 194 80 Upplands Väsby");
        assert_eq!(f[1].1, "194 80 Upplands Väsby");
    }

    #[test]
    fn bare_postcode_needs_context() {
        assert!(found("Kostnaden 11122 kr").is_empty());
        assert_eq!(found("Storgatan 1, 11122")[1].1, "11122");
    }

    #[test]
    fn plans_are_not_streets() {
        assert!(found("Handlingsplan 2 och Vårdplan 3").is_empty());
    }
}
