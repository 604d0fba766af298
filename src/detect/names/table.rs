//! The packed table behind the name lexicon: what each list says about one folded key, and
//! how the lists under `patterns/names/` become one FST map.
//!
//! This file is compiled twice: by `build.rs`, which builds the map once at compile time
//! (so that a run does not spend its first quarter second, serially, sorting 100,000 keys),
//! and into the crate, where [`Entry`] unpacks the values and a test checks that the
//! embedded map is the one these lists give. It depends on `std` and `fst` only.

use std::collections::BTreeMap;
use std::path::Path;

/// The bearer count given to a name that only the population lists (`world.tsv`) hold: a
/// name too rare in Sweden for SCB's list, counted as a rare name.
pub const WORLD_GIVEN: u32 = 20;

/// The files of `patterns/names/` that the table is built from, in this order.
pub const SOURCES: [&str; 6] =
    ["given.tsv", "surnames.tsv", "words.txt", "places.txt", "propers.txt", "world.tsv"];

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
    pub fn pack(self) -> u64 {
        u64::from(self.given)
            | (u64::from(self.surname.min(0xFFFF)) << 32)
            | (u64::from(self.word) << 48)
            | (u64::from(self.place) << 49)
            | (u64::from(self.world_surname) << 50)
            | (u64::from(self.proper) << 51)
    }

    pub fn unpack(v: u64) -> Entry {
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

fn counted(data: &str) -> impl Iterator<Item = (&str, u32)> {
    data.lines().filter_map(|l| {
        let (k, v) = l.split_once('\t')?;
        Some((k, v.trim().parse().ok()?))
    })
}

fn listed(data: &str) -> impl Iterator<Item = &str> {
    data.lines().filter(|l| !l.is_empty())
}

/// The FST map of the lists [`SOURCES`] in `dir` (`patterns/names/`).
pub fn build(dir: &Path) -> Result<Vec<u8>, String> {
    let texts = SOURCES.map(|name| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    });
    let [given, surnames, words, places, propers, world] = texts;
    let (given, surnames, words, places, propers, world) =
        (&given?, &surnames?, &words?, &places?, &propers?, &world?);
    let mut all: BTreeMap<&str, Entry> = BTreeMap::new();
    for (k, n) in counted(given) {
        all.entry(k).or_default().given = n;
    }
    for (k, n) in counted(surnames) {
        all.entry(k).or_default().surname = n;
    }
    for k in listed(words) {
        all.entry(k).or_default().word = true;
    }
    for k in listed(places) {
        all.entry(k).or_default().place = true;
    }
    for k in listed(propers) {
        all.entry(k).or_default().proper = true;
    }
    for (k, what) in world.lines().filter_map(|l| l.split_once('\t')) {
        let e = all.entry(k).or_default();
        if what.contains('g') && e.given == 0 {
            e.given = WORLD_GIVEN;
        }
        e.world_surname |= what.contains('s') && e.surname == 0;
    }
    let map = fst::Map::from_iter(all.into_iter().map(|(k, e)| (k, e.pack())))
        .map_err(|e| format!("name lexicon: {e}"))?;
    Ok(map.into_fst().into_inner())
}
