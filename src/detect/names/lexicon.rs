//! The name lexicon: given names, surnames, ordinary words and places, folded, in one FST.
//!
//! The lists are built by `scripts/build-names.py` from the reference data (SCB, Faker,
//! hunspell sv_SE, swedish-geodata; see `patterns/NOTICE`); `build.rs` makes them one FST map at
//! compile time (see [`super::table`]), embedded in the binary.
//! Keys are folded with [`fold`]; the value packs what each list says about the key.
//! [`is_swedish_form`] says whether a written word is a form of the Swedish lexicon
//! (`patterns/lexicon/`, shared with OCR repair), for words none of the name lists hold.

use std::sync::LazyLock;

use fst::Map;

pub use super::table::{Entry, WORLD_GIVEN};

/// The map `build.rs` made of the lists (see [`super::table`]).
static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/names.fst"));

/// Surname endings (folded). Keep in step with `SHAPES` in scripts/build-names.py.
const SHAPES: [&str; 14] = [
    "sson", "son", "berg", "strom", "qvist", "kvist", "quist", "gren", "lund", "ius", "holm",
    "dahl", "blad", "stedt",
];

/// The folded key of a word (see [`crate::fold::key`]).
pub use crate::fold::key as fold;

/// The compiled lexicon.
pub struct Lexicon {
    map: Map<&'static [u8]>,
}

impl Lexicon {
    /// The shared lexicon, embedded at compile time (opening it checks its header only).
    pub fn get() -> Result<&'static Lexicon, String> {
        static LEX: LazyLock<Result<Lexicon, String>> = LazyLock::new(|| {
            Map::new(TABLE).map(|map| Lexicon { map }).map_err(|e| format!("name lexicon: {e}"))
        });
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
    fn embedded_table_is_built_from_the_lists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns/names");
        let built = super::super::table::build(&dir);
        assert!(built.unwrap() == TABLE, "the embedded name table is stale");
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
