//! The name lexicon: given names, surnames, ordinary words and places, folded, in one FST.
//!
//! The lists are built by `scripts/build-names.py` from the reference data (SCB, Faker,
//! hunspell sv_SE, swedish-geodata; see `patterns/NOTICE`) and embedded in the binary.
//! Keys are folded with [`fold`]; the value packs what each list says about the key.
//! [`is_swedish_form`] says whether a written word is a form of the Swedish lexicon
//! (`patterns/lexicon/`, shared with OCR repair), for words none of the name lists hold.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use fst::Map;

const GIVEN: &str = include_str!("../../../patterns/names/given.tsv");
const SURNAMES: &str = include_str!("../../../patterns/names/surnames.tsv");
const WORDS: &str = include_str!("../../../patterns/names/words.txt");
const PLACES: &str = include_str!("../../../patterns/names/places.txt");
const WORLD: &str = include_str!("../../../patterns/names/world.tsv");
const PROPERS: &str = include_str!("../../../patterns/names/propers.txt");

/// The bearer count given to a name that only the population lists (`world.tsv`) hold: a
/// name too rare in Sweden for SCB's list, counted as a rare name.
pub const WORLD_GIVEN: u32 = 20;

/// Surname endings (folded). Keep in step with `SHAPES` in scripts/build-names.py.
const SHAPES: [&str; 14] = [
    "sson", "son", "berg", "strom", "qvist", "kvist", "quist", "gren", "lund", "ius", "holm",
    "dahl", "blad", "stedt",
];

/// The folded key of a word (see [`crate::fold::key`]).
pub use crate::fold::key as fold;

/// What the lists say about one folded key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Entry {
    /// People with this given name in use (SCB), 0 if none.
    pub given: u32,
    /// Surname weight per million (Skatteverket top list), 0 if none.
    pub surname: u32,
    /// An ordinary Swedish word.
    pub word: bool,
    /// A Swedish place name.
    pub place: bool,
    /// A surname of the population lists only (`world.tsv`): evidence beside a given name,
    /// in a list or after context, not alone.
    pub world_surname: bool,
    /// A proper noun of the Swedish dictionary that is no ordinary word (`blomdahl`).
    pub proper: bool,
}

impl Entry {
    fn pack(self) -> u64 {
        u64::from(self.given)
            | (u64::from(self.surname.min(0xFFFF)) << 32)
            | (u64::from(self.word) << 48)
            | (u64::from(self.place) << 49)
            | (u64::from(self.world_surname) << 50)
            | (u64::from(self.proper) << 51)
    }

    fn unpack(v: u64) -> Entry {
        Entry {
            given: v as u32,
            surname: ((v >> 32) & 0xFFFF) as u32,
            word: v >> 48 & 1 == 1,
            place: v >> 49 & 1 == 1,
            world_surname: v >> 50 & 1 == 1,
            proper: v >> 51 & 1 == 1,
        }
    }

    pub fn listed(self) -> bool {
        self.given > 0 || self.surname > 0 || self.world_surname
    }
}

/// The compiled lexicon.
pub struct Lexicon {
    map: Map<Vec<u8>>,
}

fn counted(data: &str) -> impl Iterator<Item = (&str, u32)> {
    data.lines().filter_map(|l| {
        let (k, v) = l.split_once('\t')?;
        Some((k, v.trim().parse().ok()?))
    })
}

impl Lexicon {
    fn build() -> Result<Lexicon, String> {
        let mut all: BTreeMap<&str, Entry> = BTreeMap::new();
        for (k, n) in counted(GIVEN) {
            all.entry(k).or_default().given = n;
        }
        for (k, n) in counted(SURNAMES) {
            all.entry(k).or_default().surname = n;
        }
        for k in WORDS.lines().filter(|l| !l.is_empty()) {
            all.entry(k).or_default().word = true;
        }
        for k in PLACES.lines().filter(|l| !l.is_empty()) {
            all.entry(k).or_default().place = true;
        }
        for k in PROPERS.lines().filter(|l| !l.is_empty()) {
            all.entry(k).or_default().proper = true;
        }
        for (k, what) in WORLD.lines().filter_map(|l| l.split_once('\t')) {
            let e = all.entry(k).or_default();
            if what.contains('g') && e.given == 0 {
                e.given = WORLD_GIVEN;
            }
            e.world_surname |= what.contains('s') && e.surname == 0;
        }
        let map = Map::from_iter(all.into_iter().map(|(k, e)| (k, e.pack())))
            .map_err(|e| format!("name lexicon: {e}"))?;
        Ok(Lexicon { map })
    }

    /// The shared lexicon, compiled on first use.
    pub fn get() -> Result<&'static Lexicon, String> {
        static LEX: LazyLock<Result<Lexicon, String>> = LazyLock::new(Lexicon::build);
        LEX.as_ref().map_err(Clone::clone)
    }

    /// What the lists say about a folded key.
    pub fn lookup(&self, key: &str) -> Entry {
        self.map.get(key).map(Entry::unpack).unwrap_or_default()
    }
}

/// Whether `lower` (a written word in lower case, diacritics kept) is a word form of the
/// Swedish hunspell lexicon (`patterns/lexicon/sv-hunspell.fst`, shared with OCR repair;
/// its proper nouns, lower-cased, count too: for words no name list holds, that is right).
pub fn is_swedish_form(lower: &str) -> bool {
    crate::normalize::ocr::lexicon::Lexicon::get().is_hunspell_form(lower)
}

/// Whether a folded word ends like a Swedish surname (`-sson`, `-berg`, `-ström`, …) or, in its
/// written form, with `-én`.
pub fn surname_shape(key: &str, written: &str) -> bool {
    let n = key.chars().count();
    if n < 4 {
        return false;
    }
    SHAPES.iter().any(|s| key.ends_with(s) && n >= s.len() + 2)
        || written.ends_with("én")
        || written.ends_with("ÉN")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_case_and_diacritics() {
        assert_eq!(fold("Åsa"), "asa");
        assert_eq!(fold("BORGSTRÖM"), "borgstrom");
        assert_eq!(fold("Petrović"), "petrovic");
        assert_eq!(fold("Søren"), "soren");
    }

    #[test]
    fn lexicon_knows_names_words_and_places() {
        let lex = Lexicon::get().unwrap();
        let anna = lex.lookup("anna");
        assert!(anna.given > 10_000 && !anna.word);
        let bo = lex.lookup("bo");
        assert!(bo.given > 1000 && bo.word, "Bo is both a name and a word");
        assert!(lex.lookup("andersson").surname > 0);
        assert!(lex.lookup("lund").place && lex.lookup("lund").surname > 0);
        assert_eq!(lex.lookup("xqzzv"), Entry::default());
    }

    #[test]
    fn surname_shapes() {
        assert!(surname_shape("vallinsson", "Vallinsson"));
        assert!(surname_shape("ockerstrom", "Ockerström"));
        assert!(surname_shape("tallqvist", "Tallqvist"));
        assert!(surname_shape("moden", "Modén"));
        assert!(!surname_shape("son", "Son"));
        assert!(!surname_shape("kommun", "Kommun"));
    }
}
