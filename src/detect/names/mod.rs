//! Person names.
//!
//! Names are found in three passes over the words of a document:
//!
//! 1. **Chains**: runs of capitalised words on one line (`Anna-Karin von Berg`) are judged by
//!    the name lists ([`lexicon`]) and by context ([`context`]): a role or relation before
//!    (`socialsekreterare`, `mamman`), a form label (`Namn:`, `Underskrift`), a speech verb
//!    (`säger`), a title after (`, enhetschef`) or on the next line (a signature block).
//! 2. **E-mail local parts** (`anna.berg@…`) make their parts names in that document.
//! 3. **Coreference**: every later capitalised word that is a part of a person already found
//!    (first name alone, surname alone, genitive, one OCR edit away) is masked as that person.
//!
//! Ambiguous words (names that are also ordinary words, like `Bo`, `Björn`, `Berg`) are masked
//! only beside another name part, after context, or as a part of a person already found.
//! Places after a location preposition (`i Lund`), organisations (`Lund kommun`), systems and
//! laws (`lex Sarah`), and pseudonymised initials (`AA`) are left alone.
//! Every mention gets an entity key (the person's folded full name) so that the redactor
//! numbers the same person the same everywhere.

pub mod context;
pub mod language;
pub mod lexicon;
pub mod readable;
pub mod table;

use context::FxMap;
use std::cell::{Cell, OnceCell};

use super::{DetectError, Detector};
use crate::document::{Kind, Span};
use context::{
    is_heading, is_label, is_label_end, is_modifier, is_never, is_org_word, is_particle,
    is_place_prep, is_role, is_speech, role_may_precede,
};
use language::is_foreign_function_word;
use lexicon::{Entry, Lexicon, fold, is_swedish_form, surname_shape};

/// Finds person names.
pub struct Names {
    lex: &'static Lexicon,
}

impl Names {
    pub fn new() -> Result<Names, DetectError> {
        Ok(Names { lex: Lexicon::get().map_err(DetectError::Build)? })
    }
}

impl Detector for Names {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        Doc::new(self.lex, text).run(out);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    /// First letter upper case: `Anna`, `Borgstr6m`.
    Cap,
    /// All letters upper case, two or more: `ANNA`.
    Upper,
    /// Starts with a digit.
    Other,
}

#[derive(Debug, Clone)]
struct Tok {
    start: usize,
    end: usize,
    case: Case,
}

/// What the lists say about one capitalised word.
#[derive(Debug, Clone, Default)]
struct Info {
    /// Folded key (genitive `-s` removed when the stem is a name; OCR-repaired when that finds one).
    key: String,
    e: Entry,
    shape: bool,
    /// The word is the genitive of the key (`Svenssons`).
    genitive: bool,
    /// The written word, in lower case, is a form of the Swedish lexicon (`årets`, `armén`).
    known: bool,
    /// A function word of English, Norwegian or Danish (`The`, `Til`): never a name.
    function: bool,
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(text.len() / 6);
    let mut start: Option<usize> = None;
    let mut prev_letter = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if matches!(c, '\'' | '’')
            && start.is_some()
            && prev_letter
            && chars.peek().is_some_and(|&(_, n)| n.is_uppercase())
        {
            // An apostrophe inside a name: `O'Brien`, `D’Angelo`.
        } else if let Some(s) = start.take() {
            toks.push(make_tok(text, s, i));
        }
        prev_letter = c.is_alphabetic();
    }
    if let Some(s) = start {
        toks.push(make_tok(text, s, text.len()));
    }
    toks
}

fn make_tok(text: &str, start: usize, end: usize) -> Tok {
    let w = &text[start..end];
    let first = w.chars().next().unwrap_or(' ');
    let case = if first.is_uppercase() {
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 2 && !w.chars().any(char::is_lowercase) { Case::Upper } else { Case::Cap }
    } else if first.is_lowercase() {
        Case::Lower
    } else {
        Case::Other
    };
    Tok { start, end, case }
}

/// Levenshtein distance of at most one (no allocation).
fn within_one(a: &str, b: &str) -> bool {
    let (mut x, mut y) = (a.chars(), b.chars());
    loop {
        let (rx, ry) = (x.clone(), y.clone());
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p == q => continue,
            (Some(_), Some(_)) => {
                // substitution, or a deletion on either side
                return x.as_str() == y.as_str()
                    || x.as_str() == ry.as_str()
                    || rx.as_str() == y.as_str();
            }
            (Some(_), None) => return x.as_str().is_empty(),
            (None, Some(_)) => return y.as_str().is_empty(),
        }
    }
}

/// A name found: tokens `first..=last`; `parts` are the name words (no particles).
#[derive(Debug, Clone)]
struct Mention {
    first: usize,
    last: usize,
    parts: Vec<usize>,
    rule: &'static str,
    confidence: f32,
    entity: usize,
}

impl Mention {
    /// A mention of one token.
    fn word(i: usize, rule: &'static str, confidence: f32, entity: usize) -> Mention {
        Mention { first: i, last: i, parts: vec![i], rule, confidence, entity }
    }
}

struct Entity {
    parts: Vec<String>,
    key: String,
    /// Token positions where this person was named (for picking the nearest).
    seen: Vec<usize>,
    /// The first letters of the name parts, given names first (`ab` for Anna Berg).
    initials: String,
}

struct Doc<'a> {
    lex: &'a Lexicon,
    text: &'a str,
    toks: Vec<Tok>,
    /// Distinct capitalised words' lexicon facts, and each word's index into them.
    infos: Vec<Info>,
    info_idx: Vec<u32>,
    /// Folded words, computed on first use.
    folded: Vec<OnceCell<Box<str>>>,
    /// Context classes of each word ([`class`] bits), computed on first use.
    classes: Vec<Cell<u32>>,
    /// Each word stands in an English, Norwegian or Danish passage ([`language`]).
    foreign: Vec<bool>,
    /// Most lines that open with `Surname, Given` hold a listed given name: a register
    /// (a directory, a roll call), where the entry structure is evidence for every entry.
    register: bool,
    /// Words the document writes in lower case (three letters or more): ordinary words
    /// here, whatever the name lists say (`olov` in `olov byggnad`). Built when first asked.
    lower_used: OnceCell<context::FxSet<&'a str>>,
}

/// Context classes of a word, cached per word.
mod class {
    pub const ROLE: u16 = 2;
    pub const ROLE_BEFORE: u16 = 4;
    pub const SPEECH: u16 = 8;
    pub const HEADING: u16 = 16;
    pub const ORG: u16 = 32;
    pub const MODIFIER: u16 = 64;
    pub const LABEL: u16 = 128;
    pub const PLACE_PREP: u16 = 256;
    pub const NEVER: u16 = 512;
    pub const LABEL_END: u16 = 1024;
}

const NO_ENTITY: usize = usize::MAX;

// How common a given name is, in bearers (SCB's counts in the name lists): the more
// common, the less evidence it needs to be taken for a name.
/// Rare, yet a name: enough before an unknown capitalised word.
const GIVEN_RARE: u32 = 20;
/// Common enough to stand alone, or beside a listed Swedish surname, as a name.
const GIVEN_SOME: u32 = 50;
/// Common: with a listed surname even in a foreign passage, or half of a double name.
const GIVEN_COMMON: u32 = 100;
/// Very common (`Per`, `Bo`): a name even when it is also a word, given a surname.
const GIVEN_VERY_COMMON: u32 = 1000;

impl<'a> Doc<'a> {
    fn new(lex: &'a Lexicon, text: &'a str) -> Doc<'a> {
        let toks = tokenize(text);
        let mut infos = Vec::new();
        let mut memo: FxMap<&str, u32> = FxMap::default();
        let info_idx = toks
            .iter()
            .map(|t| {
                if !matches!(t.case, Case::Cap | Case::Upper) {
                    return u32::MAX;
                }
                let w = &text[t.start..t.end];
                *memo.entry(w).or_insert_with(|| {
                    infos.push(Self::info_of(lex, w));
                    (infos.len() - 1) as u32
                })
            })
            .collect();
        let n = toks.len();
        let ranges: Vec<(usize, usize)> = toks.iter().map(|t| (t.start, t.end)).collect();
        let foreign = language::foreign_words(text, &ranges);
        let mut doc = Doc {
            lex,
            text,
            toks,
            infos,
            info_idx,
            folded: vec![OnceCell::new(); n],
            classes: vec![Cell::new(0); n],
            foreign,
            register: false,
            lower_used: OnceCell::new(),
        };
        doc.register = doc.is_register();
        doc
    }

    /// Whether the document is a register of persons: at least three lines open with
    /// `Surname, Given`, and in most of them the given name is listed.
    fn is_register(&self) -> bool {
        let (mut entries, mut named) = (0, 0);
        for i in 0..self.toks.len().saturating_sub(1) {
            if self.toks[i].case != Case::Cap || !self.entry_start(i) || self.gap(i + 1) != ", " {
                continue;
            }
            if self.toks[i + 1].case != Case::Cap {
                continue;
            }
            entries += 1;
            if self.entry_given(i + 1) {
                named += 1;
            }
        }
        named >= 3 && named * 3 >= entries * 2
    }

    /// Word `i` may be a given name in a register entry: a listed given name that is no
    /// ordinary word, or a very common one even if it is (`Karl`, `Sven`).
    fn entry_given(&self, i: usize) -> bool {
        let g = self.given(i);
        self.toks[i].case == Case::Cap && g > 0 && (g >= GIVEN_VERY_COMMON || !self.is_word(i))
    }

    /// The folded word `i`.
    fn f(&self, i: usize) -> &str {
        let w = self.word(i);
        if w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return w;
        }
        self.folded[i].get_or_init(|| fold(w).into_boxed_str())
    }

    /// Whether word `i` is in any of the context classes in `mask`. Each class is computed on
    /// first use (cheap set lookups first, the role-ending test last) and cached per word.
    fn is(&self, i: usize, mask: u16) -> bool {
        const ORDER: [u16; 10] = [
            class::LABEL,
            class::HEADING,
            class::ORG,
            class::MODIFIER,
            class::NEVER,
            class::SPEECH,
            class::PLACE_PREP,
            class::LABEL_END,
            class::ROLE,
            class::ROLE_BEFORE,
        ];
        for bit in ORDER {
            if mask & bit == 0 {
                continue;
            }
            let cached = self.classes[i].get();
            let known = (cached >> 16) as u16;
            let value = if known & bit != 0 {
                cached as u16 & bit != 0
            } else {
                let k = self.key(i);
                let v = match bit {
                    class::LABEL => is_label(k),
                    class::HEADING => is_heading(k),
                    class::ORG => is_org_word(k),
                    class::MODIFIER => is_modifier(k),
                    class::NEVER => is_never(k),
                    class::SPEECH => is_speech(k),
                    class::PLACE_PREP => is_place_prep(k),
                    class::LABEL_END => is_label_end(k),
                    class::ROLE => is_role(k),
                    _ => self.is(i, class::ROLE) && role_may_precede(k),
                };
                let c = self.classes[i].get();
                self.classes[i]
                    .set(c | (u32::from(bit) << 16) | if v { u32::from(bit) } else { 0 });
                v
            };
            if value {
                return true;
            }
        }
        false
    }

    fn info_of(lex: &Lexicon, word: &str) -> Info {
        let mut info = Self::info_lists(lex, word);
        let lower = word.to_lowercase();
        info.function = is_foreign_function_word(&lower);
        info.known = !info.e.listed() && !info.e.proper && is_swedish_form(&lower);
        info
    }

    fn info_lists(lex: &Lexicon, word: &str) -> Info {
        let key = fold(word);
        let e = lex.lookup(&key);
        if e.listed() || e.word {
            return Info {
                shape: surname_shape(&key, word),
                key,
                e,
                genitive: false,
                ..Info::default()
            };
        }
        // OCR damage: ö read as é, 6 or 0; try that repair before giving up on the lists.
        let mut candidates = vec![key];
        if word.contains(['é', 'è', 'ê', 'ó', 'ò', '6', '0', 'ë']) {
            let repaired: String = word
                .chars()
                .map(|c| {
                    if matches!(c, 'é' | 'è' | 'ê' | 'ó' | 'ò' | '6' | '0' | 'ë') {
                        'o'
                    } else {
                        c
                    }
                })
                .collect();
            candidates.push(fold(&repaired));
        }
        for (n, k) in candidates.iter().enumerate() {
            let e = if n == 0 { e } else { lex.lookup(k) };
            if e.listed() {
                return Info {
                    shape: surname_shape(k, word),
                    key: k.clone(),
                    e,
                    genitive: false,
                    ..Info::default()
                };
            }
            if let Some(stem) = k.strip_suffix('s').filter(|s| s.chars().count() >= 3) {
                let es = lex.lookup(stem);
                // The written word without its genitive s (the key's final s can also come
                // from a folded ß, which is two bytes in the written word).
                let written = word
                    .strip_suffix(['s', 'S'])
                    .unwrap_or_else(|| &word[..word.char_indices().last().map_or(0, |(i, _)| i)]);
                if (es.listed() && !es.word) || surname_shape(stem, written) {
                    return Info {
                        shape: surname_shape(stem, written),
                        key: stem.to_string(),
                        e: es,
                        genitive: true,
                        ..Info::default()
                    };
                }
            }
        }
        for (n, k) in candidates.iter().enumerate() {
            if surname_shape(k, word) {
                return Info {
                    shape: true,
                    key: k.clone(),
                    e: if n == 0 { e } else { lex.lookup(k) },
                    genitive: false,
                    ..Info::default()
                };
            }
        }
        let key = candidates.swap_remove(0);
        Info { shape: false, key, e, genitive: false, ..Info::default() }
    }

    fn word(&self, i: usize) -> &'a str {
        &self.text[self.toks[i].start..self.toks[i].end]
    }

    fn gap(&self, i: usize) -> &'a str {
        if i == 0 {
            &self.text[..self.toks[0].start]
        } else {
            &self.text[self.toks[i - 1].end..self.toks[i].start]
        }
    }

    fn inf(&self, i: usize) -> Option<&Info> {
        self.info_idx.get(i).and_then(|&x| self.infos.get(x as usize))
    }

    fn key(&self, i: usize) -> &str {
        match self.inf(i) {
            Some(f) => &f.key,
            None => self.f(i),
        }
    }

    fn is_capital(&self, i: usize) -> bool {
        matches!(self.toks[i].case, Case::Cap | Case::Upper)
    }

    /// Word `i` follows word `i-1` within a name: spaces or a hyphen, no line break or tab.
    fn joins(&self, i: usize) -> bool {
        let g = self.gap(i);
        i > 0
            && !g.is_empty()
            && (g.chars().all(|c| c == ' ' || c == '\u{a0}') || g == "-" || g == "‐")
    }

    fn hyphen(&self, i: usize) -> bool {
        i > 0 && matches!(self.gap(i), "-" | "‐")
    }

    fn same_line(&self, i: usize) -> bool {
        i > 0 && !self.gap(i).contains('\n')
    }

    /// Word `i` opens a sentence, a line or a table cell.
    fn sent_start(&self, i: usize) -> bool {
        if i == 0 {
            return true;
        }
        let g = self.gap(i);
        if g.contains(['\n', '\t']) {
            return true;
        }
        let t = g.trim();
        match t.chars().last() {
            None => false,
            Some(c) => ".!?:;•\"”“«»–—(*".contains(c) || (c == '-' && g != "-"),
        }
    }

    /// Word `i` opens an entry of a list or register: a sentence start, but not after an
    /// abbreviation's full stop (`adr. Ort, Ort`, `f. 1950`, `fd. Lektor`): a lower-case word
    /// of one to four letters directly before the stop.
    fn entry_start(&self, i: usize) -> bool {
        if !self.sent_start(i) {
            return false;
        }
        if i == 0 || self.gap(i).contains('\n') || self.gap(i).trim() != "." {
            return true;
        }
        let w = self.word(i - 1);
        let abbreviation = w.chars().count() <= 4 && w.chars().all(char::is_lowercase);
        !abbreviation
    }

    fn given(&self, i: usize) -> u32 {
        self.inf(i).map_or(0, |f| f.e.given)
    }

    /// A surname of the Swedish list or of the population lists.
    fn sur_listed(&self, i: usize) -> bool {
        self.inf(i).is_some_and(|f| f.e.surname > 0 || (f.e.world_surname && !f.e.word && !f.known))
    }

    /// An ordinary word: a name list's word collision (`Björn`), or an unlisted form of
    /// the Swedish lexicon (`Årets`, `Ingår`).
    fn is_word(&self, i: usize) -> bool {
        self.inf(i).is_some_and(|f| f.e.word || f.known)
    }

    fn surnamey(&self, i: usize) -> bool {
        self.sur_listed(i) || self.inf(i).is_some_and(|f| f.shape && !f.e.word && !f.e.place)
    }

    fn namey(&self, i: usize) -> bool {
        self.given(i) > 0 || self.surnamey(i)
    }

    /// A capitalised word no list knows: evidence of a name in a name position, except in a
    /// foreign passage (where the Swedish lexicon knows no word).
    fn unknown(&self, i: usize) -> bool {
        !self.foreign[i]
            && self.inf(i).is_some_and(|f| !f.e.listed() && !f.e.word && !f.known && !f.shape)
    }

    fn letters(&self, i: usize) -> usize {
        self.word(i).chars().filter(|c| c.is_alphabetic()).count()
    }

    /// Never a name here: systems and laws, initials, words after `lex`, digits-only.
    fn blocked(&self, i: usize) -> bool {
        let t = &self.toks[i];
        if !matches!(t.case, Case::Cap | Case::Upper) || self.letters(i) < 2 {
            return true;
        }
        if t.case == Case::Upper && self.letters(i) <= 2 {
            return true;
        }
        if self.word(i).chars().filter(char::is_ascii_digit).count() > 1 {
            return true;
        }
        // `SoL` and `JO` are a law and an authority, `Sol` and `Jo` may be persons.
        let law_or_name = matches!(self.word(i), "Sol" | "Jo");
        if (self.is(i, class::NEVER) && !law_or_name) || self.inf(i).is_some_and(|f| f.function) {
            return true;
        }
        if self.compound_prefix(i) {
            return true;
        }
        i > 0 && self.f(i - 1).ends_with("lex")
    }

    /// The first part of a shortened compound: `Vård- och omsorgsnämnden`, `Hälso- eller`.
    fn compound_prefix(&self, i: usize) -> bool {
        let n = self.toks.len();
        if i + 1 >= n {
            return false;
        }
        let g = self.gap(i + 1);
        g.starts_with('-')
            && g.len() > 1
            && g[1..].chars().all(char::is_whitespace)
            && matches!(self.f(i + 1), "och" | "eller" | "samt" | "resp" | "respektive" | "som")
    }

    /// A place named as a place: a listed place after a location preposition.
    fn place_as_place(&self, i: usize) -> bool {
        self.inf(i).is_some_and(|f| f.e.place)
            && i > 0
            && self.joins(i)
            && self.is(i - 1, class::PLACE_PREP)
    }

    /// A check box stands before word `i` in an attendee list: `[X] Berg Anna`, `[ ] …`, `☒ …`.
    fn checkbox_before(&self, i: usize) -> bool {
        let before = self.text[..self.toks[i].start].trim_end_matches([' ', '\t']);
        if before.ends_with(['☐', '☒', '☑', '□', '■', '✓', '✔']) {
            return true;
        }
        let Some(inner) = before.strip_suffix(']').and_then(|b| b.rsplit_once('[')).map(|(_, x)| x)
        else {
            return false;
        };
        matches!(inner.trim(), "" | "x" | "X" | "✓" | "✔" | "*")
    }

    /// The words before `i` on its line end with a form label (`Namn:`, `Underskrift`).
    fn after_label(&self, i: usize) -> bool {
        if self.checkbox_before(i) {
            return true;
        }
        if i == 0 || !self.same_line(i) {
            return false;
        }
        if !self.is(i - 1, class::LABEL_END) {
            return false;
        }
        let colon = self.gap(i).contains(':');
        let mut words: Vec<String> = Vec::new();
        for m in 1..=4 {
            if m > i {
                break;
            }
            let k = i - m;
            words.insert(0, self.f(k).to_string());
            let phrase = words.join(" ");
            let needs_colon = matches!(
                phrase.as_str(),
                "av" | "till"
                    | "fran"
                    | "kopia"
                    | "text"
                    | "bild"
                    | "foto"
                    | "mottagare"
                    | "ansvarig"
                    | "chef"
                    | "kontakt"
            );
            if is_label(&phrase) && (colon || (!needs_colon && self.is_capital(k))) {
                return true;
            }
            if !self.same_line(k) {
                break;
            }
        }
        false
    }

    /// A role, relation or speech verb right before `i`.
    fn after_role(&self, i: usize) -> (bool, bool) {
        // A title abbreviated with a full stop: `Dr. Amini`, `doc. Berg`.
        if i > 0 && self.gap(i) == ". " && matches!(self.f(i - 1), "dr" | "doc" | "prof" | "leg") {
            return (true, false);
        }
        if i == 0 || !self.joins(i) || self.hyphen(i) {
            return (false, false);
        }
        (self.is(i - 1, class::ROLE_BEFORE), self.is(i - 1, class::SPEECH))
    }

    /// A title or role follows the name ending at `e`: `, enhetschef`, `(samordnare)`, tab + title.
    fn title_after(&self, e: usize) -> bool {
        let n = self.toks.len();
        if e + 1 >= n || !self.same_line(e + 1) {
            return false;
        }
        let g = self.gap(e + 1);
        // A capitalised title right after the name opens the next cell of a table row read
        // without its tabs: `Eva Holt Sjuksköterska, mottagningen`.
        if g == " "
            && self.toks[e + 1].case == Case::Cap
            && self.is(e + 1, class::ROLE)
            && e + 2 < n
            && self.gap(e + 2).starts_with(',')
        {
            return true;
        }
        if !g.contains([',', '(', '\t', '–', '—']) && g.trim() != "-" {
            return false;
        }
        (e + 1..(e + 4).min(n))
            .take_while(|&k| k == e + 1 || self.same_line(k))
            .any(|k| self.is(k, class::ROLE))
    }

    /// The name `s..=e` fills its line and the next non-empty line is a title (signature block).
    fn signature(&self, s: usize, e: usize) -> bool {
        let n = self.toks.len();
        if s > 0 && self.same_line(s) {
            return false;
        }
        if e + 1 >= n || self.same_line(e + 1) {
            return false;
        }
        if self.gap(e + 1).matches('\n').count() > 2 {
            return false;
        }
        let mut k = e + 1;
        let mut line = Vec::new();
        while k < n && line.len() < 8 && (k == e + 1 || self.same_line(k)) {
            line.push(k);
            k += 1;
        }
        line.len() <= 6 && line.iter().take(3).any(|&k| self.is(k, class::ROLE))
    }

    /// The capitalised chain that starts at `i` (particles included), at most `max` words.
    fn chain(&self, i: usize, max: usize) -> Vec<usize> {
        let mut c = vec![i];
        let mut j = i;
        let n = self.toks.len();
        while c.len() < max && j + 1 < n && self.joins(j + 1) {
            let k = j + 1;
            if self.is_capital(k) && self.starts_name(k) {
                c.push(k);
                j = k;
            } else if self.toks[k].case == Case::Lower
                && is_particle(self.word(k))
                && k + 1 < n
                && self.joins(k + 1)
                && self.toks[k + 1].case == Case::Cap
            {
                c.push(k);
                c.push(k + 1);
                j = k + 1;
            } else {
                break;
            }
        }
        if c.len() == 1 && j + 1 < n && self.wraps_to_surname(i, j + 1) {
            c.push(j + 1);
        }
        c
    }

    /// A given name ends its line mid-sentence and the next line starts with a surname-like
    /// word: a name broken by the line wrap (`… om Anna⏎Xyzson (…)`).
    fn wraps_to_surname(&self, g: usize, k: usize) -> bool {
        let gap = self.gap(k);
        if !gap.contains('\n')
            || !gap.chars().all(char::is_whitespace)
            || gap.matches('\n').count() > 2
        {
            return false;
        }
        if self.toks[g].case != Case::Cap
            || self.toks[k].case != Case::Cap
            || self.sent_start(g)
            || self.is_word(g)
            || self.given(g) == 0
        {
            return false;
        }
        let key = self.key(k);
        let inflected =
            ["en", "et", "erna", "arna", "orna", "na", "ande", "ende", "ing", "het", "tion"]
                .iter()
                .any(|e| key.ends_with(e));
        !self.blocked(k) && ((self.namey(k) && !self.is_word(k)) || (self.unknown(k) && !inflected))
    }

    /// Can word `k` be part of a name found by context? An ordinary word counts right after
    /// a given name (`Eva Korp`).
    fn context_part(&self, k: usize) -> bool {
        if self.toks[k].case == Case::Lower {
            return is_particle(self.word(k));
        }
        if self.not_name_word(k) {
            return false;
        }
        // After a given name (a very common one even when it is also a word: `Stig`, `Per`)
        // in a context that makes a person, the next capitalised word is the surname.
        let given_before = |g: usize| {
            self.given(g) >= GIVEN_RARE && (!self.is_word(g) || self.given(g) >= GIVEN_VERY_COMMON)
        };
        let after_given = k > 0 && self.joins(k) && given_before(k - 1);
        // The second half of a double surname (`Rask-Ljus`), whatever the word.
        let hyphen_part = self.hyphen(k) && self.toks[k].case != Case::Lower;
        !self.blocked(k) && (self.namey(k) || self.unknown(k) || after_given || hyphen_part)
    }

    /// A heading, role, title modifier or organisation word: ends a name (`Eva Holt Titel`).
    fn not_name_word(&self, k: usize) -> bool {
        self.is(k, class::HEADING | class::ROLE | class::ORG | class::MODIFIER)
    }

    /// Word `k` may be part of a name chain: not a label, heading, title or organisation word.
    fn starts_name(&self, k: usize) -> bool {
        !self.is(k, class::HEADING | class::ROLE | class::ORG | class::MODIFIER | class::LABEL)
    }

    /// A number right after word `k` (`Ekallén 16`): an address, not a person.
    fn number_after(&self, k: usize) -> bool {
        k + 1 < self.toks.len() && self.toks[k + 1].case == Case::Other && self.joins(k + 1)
    }

    /// Split name words into persons: a listed given name after a surname-like word starts a new one.
    fn split_persons(&self, words: &[usize]) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        for &k in words {
            let starts_new = out.last().is_some_and(|cur| {
                let prev = *cur.last().unwrap();
                cur.len() >= 2
                    && self.toks[k].case != Case::Lower
                    && self.toks[prev].case != Case::Lower
                    && self.given(k) > 0
                    && !self.sur_listed(k)
                    && !self.hyphen(k)
                    && (self.given(prev) == 0 || self.sur_listed(prev) || self.surnamey(prev))
            });
            if starts_new || out.is_empty() {
                out.push(vec![k]);
            } else {
                out.last_mut().unwrap().push(k);
            }
        }
        out
    }

    fn mention(&self, words: &[usize], rule: &'static str, confidence: f32) -> Mention {
        let parts = words.iter().copied().filter(|&k| self.toks[k].case != Case::Lower).collect();
        Mention {
            first: words[0],
            last: *words.last().unwrap(),
            parts,
            rule,
            confidence,
            entity: NO_ENTITY,
        }
    }

    /// Judge the chain `c` (pass 1).
    fn judge(&self, c: &[usize], out: &mut Vec<Mention>) {
        let s = c[0];
        let e = *c.last().unwrap();
        let n = self.toks.len();
        let org_after = e + 1 < n && self.joins(e + 1) && self.is(e + 1, class::ORG);
        let label = self.after_label(s);
        // Swedish role words and speech verbs are no context in an English, Norwegian or
        // Danish passage, where they are other words (`Student Loan Interest`); names there
        // need the lists.
        let (role, speech) = if self.foreign[s] { (false, false) } else { self.after_role(s) };
        let titled = self.title_after(e) || self.signature(s, e);
        if org_after && !label {
            return;
        }
        if self.checkbox_before(s) && self.attendee(c, out) {
            return;
        }
        if label || titled || role || speech {
            let strong = label || titled;
            let max = if label { 8 } else { 4 };
            let mut words: Vec<usize> =
                c.iter().copied().take_while(|&k| self.context_part(k)).take(max).collect();
            while words.last().is_some_and(|&k| self.toks[k].case == Case::Lower) {
                words.pop();
            }
            let names = words.iter().filter(|&&k| self.namey(k)).count();
            // Context alone never makes a name of ordinary words only (`Från: Vård- och …`,
            // `Ansvarig Enhet`): one part must be no word, or a common given name.
            let personal = words.iter().any(|&k| {
                self.toks[k].case != Case::Lower && (!self.is_word(k) || self.given(k) >= 1000)
            });
            let ok = !words.is_empty()
                && personal
                && if strong {
                    // A signature or title needs one listed part unless a label says "name".
                    label || names >= 1 || (words.len() >= 2 && words.len() == c.len())
                } else {
                    // A lone ordinary word after a role only when it is a common given name
                    // (`mamman Bo`), never a rare one (`närstående Ar`, OCR for `är`).
                    (names >= 1
                        && (words.len() >= 2
                            || !self.is_word(words[0])
                            || (role && self.given(words[0]) >= 1000)))
                        || (role && words.len() >= 2)
                };
            if ok {
                let rule = if label {
                    "name-label"
                } else if titled {
                    "name-title"
                } else if role {
                    "name-role"
                } else {
                    "name-speech"
                };
                for p in self.split_persons(&words) {
                    out.push(self.mention(&p, rule, 0.9));
                }
                if words.len() == c.len() {
                    return;
                }
                // Judge the rest of the chain on its own.
                let rest: Vec<usize> =
                    c.iter().copied().skip_while(|k| words.contains(k)).collect();
                if !rest.is_empty() && self.toks[rest[0]].case != Case::Lower {
                    self.judge_plain(&rest, out);
                }
                return;
            }
        }
        self.judge_plain(c, out);
    }

    /// An entry of an attendee list after a check box (`[X] Berg Anna, ordförande`): the
    /// structure is the evidence, so the name words may be ordinary words (`[X] Lind Östen`)
    /// as long as one of them is a listed name or no word. One person, whatever the order.
    fn attendee(&self, c: &[usize], out: &mut Vec<Mention>) -> bool {
        let words: Vec<usize> = c
            .iter()
            .copied()
            .take_while(|&k| {
                self.toks[k].case == Case::Lower || (!self.blocked(k) && !self.not_name_word(k))
            })
            .take(4)
            .collect();
        let named = words
            .iter()
            .any(|&k| self.toks[k].case != Case::Lower && (self.namey(k) || self.unknown(k)));
        if words.is_empty() || !named || self.toks[words[words.len() - 1]].case == Case::Lower {
            return false;
        }
        out.push(self.mention(&words, "name-list-entry", 0.85));
        if words.len() < c.len() && self.toks[c[words.len()]].case != Case::Lower {
            self.judge_plain(&c[words.len()..], out);
        }
        true
    }

    /// A chain with no context: the lists decide.
    fn judge_plain(&self, c: &[usize], out: &mut Vec<Mention>) {
        let upper = c.iter().all(|&k| self.toks[k].case == Case::Upper);
        let mut k = 0;
        while k < c.len() {
            let t = c[k];
            if self.toks[t].case == Case::Lower || self.blocked(t) {
                k += 1;
                continue;
            }
            let (next, particle) = self.next_name_word(c, k);
            if self.given(t) > 0 {
                if let Some(nx) = next.filter(|&nx| self.given_then_surname(t, nx)) {
                    let (words, end) = self.full_name(c, k, [Some(t), particle, Some(nx)]);
                    for p in self.split_persons(&words) {
                        if p.len() >= 2 || !upper {
                            out.push(self.mention(&p, "name-list", 0.85));
                        }
                    }
                    k = end;
                    continue;
                }
                if !upper && self.given_alone_is_name(t) {
                    out.push(self.mention(&[t], "name-given", 0.7));
                }
                k += 1;
                continue;
            }
            if !upper && self.surname_alone_may_name(t) {
                // Surname first: `Svensson Anna`, closing the chain.
                let given_after =
                    next.filter(|&x| self.given(x) >= GIVEN_COMMON && !self.is_word(x));
                if let Some(nx) = given_after.filter(|_| k + 2 == c.len()) {
                    out.push(self.mention(&[t, nx], "name-surname-first", 0.8));
                    k += 2;
                    continue;
                }
                // A surname alone opening a sentence may be a word (`Holm och skär`); it is
                // masked there only as a part of a person already named (coreference).
                if !self.sent_start(t) {
                    out.push(self.mention(&[t], "name-surname", 0.7));
                }
            }
            k += 1;
        }
    }

    /// The name word after `c[k]` in a chain, past a particle (`Astrid von Platen`), and the
    /// particle; no name word when the next is lower case or blocked.
    fn next_name_word(&self, c: &[usize], k: usize) -> (Option<usize>, Option<usize>) {
        let (next, particle) = match c.get(k + 1).copied() {
            Some(p) if self.toks[p].case == Case::Lower => (c.get(k + 2).copied(), Some(p)),
            other => (other, None),
        };
        (next.filter(|&x| self.toks[x].case != Case::Lower && !self.blocked(x)), particle)
    }

    /// Whether the given name `t` followed by the capitalised word `nx` is a person's name.
    fn given_then_surname(&self, t: usize, nx: usize) -> bool {
        let given = self.given(t);
        // Two common given names joined by a hyphen (`Maj-Britt`), words or not.
        let double = self.hyphen(nx) && given >= GIVEN_COMMON && self.given(nx) >= GIVEN_COMMON;
        // A surname of the Swedish list that is no word makes a person of a given name that
        // is a word (`Sol Bergqvist`, `Dag Nilsson`).
        let swedish_surname = self.inf(nx).is_some_and(|f| f.e.surname > 0) && !self.is_word(nx);
        // A given name that is also a word (`Per`) needs a surname after it, and must be
        // common as a name (`Även Borgström` is no person).
        let surname_after = self.sur_listed(nx) || (self.surnamey(nx) && !self.is_word(nx));
        let first_ok = !self.is_word(t)
            || (given >= GIVEN_VERY_COMMON && surname_after)
            || (given >= GIVEN_SOME && swedish_surname)
            || double;
        // In an English, Norwegian or Danish passage only the lists count: a common given
        // name and a listed surname (`Line Width` is no person).
        let first_ok = first_ok
            && (!self.foreign[t]
                || (!self.is_word(t) && given >= GIVEN_COMMON && self.surnamey(nx)));
        let sur_ok = self.sur_listed(nx)
            || self.surnamey(nx)
            || (self.given(nx) > 0 && !self.is_word(nx))
            || double;
        // A capitalised word right after a given name is a surname, even one that is also an
        // ordinary word (`Korp`), unless the given name itself is rare and opens a sentence.
        let unknown_after = self.unknown(nx) && (given >= GIVEN_RARE || !self.sent_start(t));
        let word_after = self.is_word(nx)
            && given >= GIVEN_COMMON
            && !self.place_as_place(nx)
            && !self.foreign[nx];
        let unk_ok = !self.is_word(t) && (unknown_after || word_after);
        first_ok && (sur_ok || unk_ok) && !self.place_as_place(nx)
    }

    /// A person's name from `first` (given name, particle, surname) on through further
    /// surname-like words of the chain, at most four words; the words and the chain position
    /// after them.
    fn full_name(&self, c: &[usize], k: usize, first: [Option<usize>; 3]) -> (Vec<usize>, usize) {
        let mut words: Vec<usize> = first.into_iter().flatten().collect();
        let mut j = k + words.len();
        while j < c.len() && words.len() < 4 {
            let x = c[j];
            if self.toks[x].case == Case::Lower {
                // A particle inside the name, never at its end.
                if j + 1 < c.len() {
                    words.push(x);
                    j += 1;
                    continue;
                }
                break;
            }
            let double = self.hyphen(x) && self.given(x) >= GIVEN_COMMON;
            // The second half of a double surname (`Rask-Ljus`), whatever the word.
            let hyphen_part = self.hyphen(x) && words.len() >= 2;
            let namey = self.surnamey(x)
                || self.unknown(x)
                || double
                || hyphen_part
                || (self.given(x) > 0 && !self.is_word(x));
            if self.blocked(x) || self.not_name_word(x) || !namey {
                break;
            }
            words.push(x);
            j += 1;
        }
        while words.last().is_some_and(|&x| self.toks[x].case == Case::Lower) {
            words.pop();
            j -= 1;
        }
        (words, j)
    }

    /// Whether the given name `t`, with no surname after it, names someone.
    fn given_alone_is_name(&self, t: usize) -> bool {
        let given = self.given(t);
        let genitive = self.inf(t).is_some_and(|f| f.genitive);
        // A given name that is also a word counts alone only when capitalised inside a
        // sentence (`Hej Linnea,`), where Swedish writes ordinary words in lower case.
        let word_ok = !self.is_word(t)
            || (given >= GIVEN_VERY_COMMON
                && !self.sent_start(t)
                && !genitive
                && !self.place_as_place(t)
                && !self.before_title(t));
        // A two-letter name alone is more often an abbreviation or a fragment (`Em`, `Ke`)
        // unless it is a very common name (`Bo`, `Li`).
        let short_ok = self.letters(t) > 2 || given >= GIVEN_VERY_COMMON;
        !self.foreign[t]
            && !self.used_as_word(t)
            && !self.number_after(t)
            && word_ok
            && short_ok
            && given >= GIVEN_SOME
            && self.toks[t].case == Case::Cap
            && !(genitive && self.sent_start(t))
    }

    /// Word `t` stands before a title in lower case (`Andre vice talman`, `Förste vice
    /// ordförande`): an ordinal or adjective of the title, not a person's name.
    fn before_title(&self, t: usize) -> bool {
        t + 1 < self.toks.len()
            && self.joins(t + 1)
            && !self.hyphen(t + 1)
            && self.toks[t + 1].case == Case::Lower
            && self.is(t + 1, class::MODIFIER | class::ROLE)
    }

    /// The document writes word `t` in lower case elsewhere, as an ordinary word: alone, it
    /// is that word here (a name needs more evidence: a surname, context, an earlier mention).
    fn used_as_word(&self, t: usize) -> bool {
        let text: &'a str = self.text;
        let used = self.lower_used.get_or_init(|| {
            self.toks
                .iter()
                .filter(|t| t.case == Case::Lower && t.end - t.start >= 3)
                .map(|t| &text[t.start..t.end])
                .collect()
        });
        let lower = self.word(t).to_lowercase();
        used.contains(lower.as_str())
            || self.inf(t).is_some_and(|f| f.genitive && used.contains(f.key.as_str()))
    }

    /// Whether the capitalised word `t`, no given name, may be a surname on its own.
    fn surname_alone_may_name(&self, t: usize) -> bool {
        !self.foreign[t]
            && !self.used_as_word(t)
            && self.surnamey(t)
            && !self.is_word(t)
            && !self.place_as_place(t)
            && self.toks[t].case == Case::Cap
            && !self.number_after(t)
    }

    /// `Svensson, Anna` at the start of a line or cell: surname, comma, given name(s). In a
    /// register (most lines are such entries) the structure is evidence for every entry: the
    /// surname may be an ordinary word (`Ek, Anna Maria`) or unlisted, the given name rare.
    fn surname_comma_given(&self, i: usize) -> Option<Mention> {
        let n = self.toks.len();
        let particle_word = is_particle(&self.word(i).to_lowercase());
        let opens = match self.toks[i].case {
            Case::Cap => true,
            Case::Lower => particle_word,
            _ => false,
        };
        if !opens || !self.entry_start(i) {
            return None;
        }
        // The surname: one word, hyphenated words (`Holm-Rydell`), or a particle and a word
        // (`De Vahl`, `von Ahlfelt`); the particle belongs to the masked name but is no part.
        let mut j = i;
        let particle = i + 1 < n
            && particle_word
            && self.joins(i + 1)
            && !self.hyphen(i + 1)
            && self.toks[i + 1].case == Case::Cap;
        if particle {
            j = i + 1;
        }
        let mut surname = vec![j];
        while j + 1 < n
            && surname.len() < 3
            && self.hyphen(j + 1)
            && self.toks[j + 1].case == Case::Cap
        {
            j += 1;
            surname.push(j);
        }
        if j + 1 >= n || self.gap(j + 1) != ", " {
            return None;
        }
        let fit =
            |k: usize| !self.blocked(k) && !self.not_name_word(k) && !self.is(k, class::LABEL);
        if !surname.iter().all(|&k| fit(k)) {
            return None;
        }
        let strict = |k: usize| self.surnamey(k) && !self.is_word(k);
        let surname_ok = if self.register {
            surname.iter().all(|&k| self.unknown(k) || self.namey(k) || self.is_word(k))
        } else {
            // A compound surname needs one listed or surname-shaped part; the others may be
            // any name or unknown word (`Holm-Rydell`).
            surname.iter().any(|&k| strict(k))
                && surname.iter().all(|&k| {
                    strict(k) || (surname.len() > 1 && (self.namey(k) || self.unknown(k)))
                })
        };
        let g = j + 1;
        let listed_given =
            |k: usize| self.toks[k].case == Case::Cap && self.given(k) > 0 && !self.is_word(k);
        let given_ok = (listed_given(g) && self.given(g) >= 100)
            || (self.register && (self.entry_given(g) || self.unknown(g)));
        if !surname_ok || !given_ok {
            return None;
        }
        // Further given names: `Berg, Anna Maria`; in a register any listed given name, even
        // one that is also a word (`Erik Bror`), or an unknown word.
        let limit = surname.len() + 3;
        let mut words = surname;
        words.push(g);
        while words.len() < limit {
            let k = *words.last().unwrap() + 1;
            let further =
                listed_given(k) || (self.register && (self.unknown(k) || self.given(k) > 0));
            if k < n
                && self.joins(k)
                && !self.hyphen(k)
                && further
                && (!self.not_name_word(k) || (self.register && self.given(k) > 0))
                && !self.blocked(k)
            {
                words.push(k);
            } else {
                break;
            }
        }
        let k = *words.last().unwrap() + 1;
        if !self.register && k < n && self.joins(k) && self.is_capital(k) {
            return None;
        }
        let rule = if self.register { "name-register" } else { "name-surname-first" };
        let mut m = self.mention(&words, rule, 0.8);
        m.first = i;
        Some(m)
    }

    /// The parts of an e-mail local part (two or more) are written in the text as one
    /// capitalised name (`Ebba Rönn … ebba.ronn@…`): that is a person even when the parts are
    /// words.
    fn written_as_name(&self, parts: &[String]) -> bool {
        if parts.len() < 2 {
            return false;
        }
        let n = self.toks.len();
        (0..n.saturating_sub(parts.len() - 1)).any(|i| {
            parts.iter().enumerate().all(|(m, p)| {
                let k = i + m;
                self.toks[k].case == Case::Cap
                    && (m == 0 || self.joins(k))
                    && self.key(k) == p.as_str()
            })
        })
    }

    /// A lone given name before an organisation word is the owner's (`från Elias skola`,
    /// `Annas förskola`), not the organisation's name (`Lund kommun`, `Astrid Lindgrens
    /// barnsjukhus`).
    fn owner_of(&self, i: usize) -> bool {
        let after_capital = i > 0 && self.joins(i) && self.is_capital(i - 1);
        !after_capital
            && self.given(i) > 0
            && !self.inf(i).is_some_and(|f| f.e.place)
            && self.toks[i].case == Case::Cap
    }

    /// Word `i` is a person's initials where initials sign or name: `Sign. AB`, `Signatur: AB`,
    /// a line ending `… / AB`, after a label (`Handläggare: AB`) or a role (`klienten AB`).
    /// Repeated letters (`AA`, `XX`) are pseudonyms already and stay.
    fn initials_position(&self, i: usize) -> bool {
        let w = self.word(i);
        let n = w.chars().count();
        if self.toks[i].case != Case::Upper
            || !(2..=3).contains(&n)
            || !w.chars().all(char::is_alphabetic)
        {
            return false;
        }
        let first = w.chars().next().unwrap_or(' ');
        if w.chars().all(|c| c == first) || self.is(i, class::NEVER) {
            return false;
        }
        // The initials end the entry: the text, a paragraph, or a line before a date
        // (`… /AB⏎2024-05-03`). A mere line end is not enough: a line wrapped after an
        // abbreviation (`Jobbtorg / VO⏎Insatser`) is no signature.
        let line_end = i + 1 >= self.toks.len()
            || self.gap(i + 1).matches('\n').count() >= 2
            || (self.gap(i + 1).contains('\n') && self.toks[i + 1].case == Case::Other);
        let before = &self.text[..self.toks[i].start];
        let slash = before
            .trim_end_matches(' ')
            .strip_suffix('/')
            .is_some_and(|b| b.is_empty() || b.ends_with(char::is_whitespace));
        // Not an alternative between abbreviations (`IFO / ÄO`) or after a placeholder.
        let after_caps = i > 0
            && (self.toks[i - 1].case == Case::Upper
                || before.trim_end_matches([' ', '/']).ends_with(']'));
        if slash && line_end && !after_caps {
            return true;
        }
        if i > 0
            && self.same_line(i)
            && matches!(self.f(i - 1), "sign" | "signatur" | "signerat" | "signerad")
        {
            return true;
        }
        // After a role, unless both stand in an ALL CAPS heading (`OMBUDSMÄN OCH VERK`).
        if i > 0
            && self.joins(i)
            && self.toks[i - 1].case != Case::Upper
            && self.is(i - 1, class::ROLE_BEFORE)
        {
            return true;
        }
        self.after_label(i) && self.gap(i).contains(':')
    }

    /// Names from e-mail local parts: `anna.berg@…` → [anna, berg].
    fn email_names(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let text = self.text;
        for (at, _) in text.match_indices('@') {
            let local_start = text[..at]
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
                .last()
                .map_or(at, |(i, _)| i);
            let local = &text[local_start..at];
            let parts: Vec<String> =
                local.split(['.', '_', '-']).filter(|p| !p.is_empty()).map(fold).collect();
            if parts.is_empty()
                || parts.len() > 3
                || parts
                    .iter()
                    .any(|p| p.chars().count() < 2 || !p.chars().all(char::is_alphabetic))
            {
                continue;
            }
            let entries: Vec<Entry> = parts.iter().map(|p| self.lex.lookup(p)).collect();
            let has_given = entries.iter().any(|e| e.given >= 20 && !e.word);
            let all_namey = parts
                .iter()
                .zip(&entries)
                .all(|(p, e)| e.listed() || surname_shape(p, p) || !e.word);
            if (has_given && all_namey && (parts.len() >= 2 || entries[0].given >= 100))
                || self.written_as_name(&parts)
            {
                out.push(parts);
            }
        }
        out
    }

    /// A name masked alone (`Wilma`, `August`) that is no ordinary word is masked in lower
    /// case too (`wilma`): a person is masked in all forms, as verification reads them.
    fn lower_forms(&self, mentions: &mut Vec<Mention>, covered: &[bool]) {
        let mut single: FxMap<&str, usize> = FxMap::default();
        for m in mentions.iter().filter(|m| m.first == m.last) {
            single.entry(self.f(m.first)).or_insert(m.entity);
        }
        if single.is_empty() {
            return;
        }
        let text = self.text;
        let mut found = Vec::new();
        for (i, &done) in covered.iter().enumerate() {
            if done || self.toks[i].case != Case::Lower || self.letters(i) < 2 {
                continue;
            }
            let Some(&id) = single.get(self.f(i)) else { continue };
            let w = self.word(i);
            let info = Self::info_of(self.lex, w);
            if info.e.word || info.known || info.function {
                continue;
            }
            // Not a part of an address or identifier (`wilma.berg@…`, `www.wilma.fi`).
            let before = text[..self.toks[i].start].chars().next_back();
            let after = text[self.toks[i].end..].chars().next();
            let joined = |c: Option<char>| matches!(c, Some('.' | '_' | '@' | '/' | '-'));
            if joined(before) || joined(after) {
                continue;
            }
            found.push(Mention::word(i, "name-coref", 0.7, id));
        }
        mentions.extend(found);
    }

    fn run(&self, out: &mut Vec<Span>) {
        let n = self.toks.len();
        if n == 0 {
            return;
        }
        // Pass 1: chains.
        let mut mentions: Vec<Mention> = Vec::new();
        let mut i = 0;
        while i < n {
            // A register entry may open with a particle in lower case (`von Ahlfelt, Gustav`).
            let lower_particle = self.toks[i].case == Case::Lower && is_particle(self.word(i));
            if !lower_particle && (!self.is_capital(i) || !self.starts_name(i)) {
                i += 1;
                continue;
            }
            if let Some(m) = self.surname_comma_given(i) {
                i = m.last + 1;
                mentions.push(m);
                continue;
            }
            if lower_particle {
                i += 1;
                continue;
            }
            let c = self.chain(i, 8);
            let next = c.last().unwrap() + 1;
            self.judge(&c, &mut mentions);
            i = next;
        }
        mentions.sort_by_key(|m| m.first);

        // Entities: persons named with two or more parts, then e-mail names, then single names.
        let mut reg = Registry::default();
        for m in mentions.iter_mut().filter(|m| m.parts.len() >= 2) {
            let parts: Vec<String> = m.parts.iter().map(|&k| self.key(k).to_string()).collect();
            let id = reg.find_or_add(parts);
            if reg.entities[id].initials.is_empty() {
                // Initials are written given name first, whatever the order here.
                let (given, rest): (Vec<usize>, Vec<usize>) =
                    m.parts.iter().partition(|&&k| self.given(k) > 0 && !self.sur_listed(k));
                reg.entities[id].initials =
                    given.iter().chain(&rest).filter_map(|&k| self.key(k).chars().next()).collect();
            }
            reg.entities[id].seen.push(m.first);
            m.entity = id;
        }
        for parts in self.email_names() {
            reg.find_or_add(parts);
        }
        for m in mentions.iter_mut().filter(|m| m.parts.len() == 1) {
            let key = self.key(m.parts[0]);
            let id = match reg.resolve(key, m.first) {
                Some(id) => id,
                None => reg.find_or_add(vec![key.to_string()]),
            };
            reg.entities[id].seen.push(m.first);
            m.entity = id;
        }

        // Pass 3: coreference for capitalised words not yet masked.
        let mut covered = vec![false; n];
        for m in &mentions {
            covered[m.first..=m.last].iter_mut().for_each(|c| *c = true);
        }
        if !reg.entities.is_empty() {
            for (i, &done) in covered.iter().enumerate() {
                let org_after = i + 1 < n
                    && self.joins(i + 1)
                    && self.is(i + 1, class::ORG)
                    && !self.owner_of(i);
                let ordinal = self.is_word(i) && self.before_title(i);
                if done || self.blocked(i) || self.place_as_place(i) || org_after || ordinal {
                    continue;
                }
                let key = self.key(i);
                if let Some(id) = reg.resolve(key, i).or_else(|| {
                    // A genitive of a short name may be a word the document also writes in
                    // lower case (`Tas upp …` beside `tas upp`, the passive of `ta`).
                    key.strip_suffix('s')
                        .filter(|s| s.chars().count() >= 3 || !self.used_as_word(i))
                        .and_then(|s| reg.resolve(s, i))
                }) {
                    if self.toks[i].case == Case::Upper
                        && !reg.entities[id].parts.iter().any(|p| p == key)
                    {
                        continue;
                    }
                    mentions.push(Mention::word(i, "name-coref", 0.8, id));
                }
            }
        }

        // Initials in signature position (`Sign. AB`, `… / AB`), the person's number when
        // the initials are those of one person named in the document.
        for (i, &done) in covered.iter().enumerate() {
            if !done && self.initials_position(i) {
                let letters: String = self.word(i).chars().flat_map(char::to_lowercase).collect();
                let id = reg
                    .by_initials(&letters)
                    .unwrap_or_else(|| reg.find_or_add(vec![format!("{letters}.")]));
                mentions.push(Mention::word(i, "name-initials", 0.75, id));
            }
        }
        self.lower_forms(&mut mentions, &covered);
        mentions.sort_by_key(|m| m.first);

        for m in mentions {
            out.push(Span {
                start: self.toks[m.first].start,
                end: self.toks[m.last].end,
                kind: Kind::Name,
                rule: m.rule,
                confidence: m.confidence,
                entity: Some(reg.entities[m.entity].key.clone()),
            });
        }
    }
}

/// The persons of one document, indexed by name part.
#[derive(Default)]
struct Registry {
    entities: Vec<Entity>,
    /// Exact part → entities.
    exact: FxMap<String, Vec<usize>>,
    /// First letter → (part, entity), for parts of five letters or more (one-edit matches).
    by_first: FxMap<char, Vec<(String, usize)>>,
}

impl Registry {
    /// The one person whose name parts start with these letters, in order (`ab` for Anna
    /// Berg), if exactly one.
    fn by_initials(&self, letters: &str) -> Option<usize> {
        let mut found = self.entities.iter().enumerate().filter(|(_, e)| e.initials == letters);
        let first = found.next().map(|(id, _)| id);
        if found.next().is_some() { None } else { first }
    }

    fn find_or_add(&mut self, parts: Vec<String>) -> usize {
        // The same parts in another order are the same person (`Berg Anna`, `Anna Berg`).
        let mut sorted = parts.clone();
        sorted.sort_unstable();
        if let Some(ids) = parts.first().and_then(|p| self.exact.get(p))
            && let Some(&id) = ids.iter().find(|&&id| {
                let mut other = self.entities[id].parts.clone();
                other.sort_unstable();
                other == sorted
            })
        {
            return id;
        }
        // More or fewer parts of the same person (`Berg, Anna Maria` and `Anna Berg`): two
        // shared parts or more, and one name's parts all in the other's.
        let within = |small: &[String], big: &[String]| {
            small.len() >= 2 && small.iter().all(|p| big.contains(p))
        };
        if let Some(ids) = parts.first().and_then(|p| self.exact.get(p))
            && let Some(&id) = ids.iter().find(|&&id| {
                let other = &self.entities[id].parts;
                within(other, &parts) || within(&parts, other)
            })
        {
            return id;
        }
        let id = self.entities.len();
        for p in &parts {
            self.exact.entry(p.clone()).or_default().push(id);
            if p.chars().count() >= 5 {
                self.by_first
                    .entry(p.chars().next().unwrap_or(' '))
                    .or_default()
                    .push((p.clone(), id));
            }
        }
        self.entities.push(Entity {
            key: parts.join(" "),
            parts,
            seen: Vec::new(),
            initials: String::new(),
        });
        id
    }

    /// The person a single name part refers to: exact part, or one edit away for longer
    /// parts; the most recently named person first.
    fn resolve(&self, key: &str, at: usize) -> Option<usize> {
        let mut pool: Vec<usize> = self.exact.get(key).cloned().unwrap_or_default();
        if pool.is_empty() && key.len() >= 5 {
            let n = key.chars().count();
            if let Some(list) = key.chars().next().and_then(|c| self.by_first.get(&c)) {
                pool = list
                    .iter()
                    .filter(|(p, _)| {
                        p.len().abs_diff(key.len()) <= 2
                            && p.chars().count().abs_diff(n) <= 1
                            && within_one(p, key)
                    })
                    .map(|&(_, id)| id)
                    .collect();
            }
        }
        pool.dedup();
        if pool.len() <= 1 {
            return pool.first().copied();
        }
        pool.iter().copied().max_by_key(|&id| {
            self.entities[id]
                .seen
                .iter()
                .copied()
                .filter(|&s| s <= at)
                .max()
                .map_or((0, usize::MAX - id), |s| (1, s))
        })
    }
}

#[cfg(test)]
mod tests;
