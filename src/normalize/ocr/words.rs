//! Word repair: a noisy-channel corrector restricted to OCR confusions.
//!
//! For a token, every way of reading it through the confusion table ([`Channel`]) is
//! followed through the lexicon FSTs at once, so only prefixes of real words are explored.
//! A candidate scores ln P(word) + ln P(token | word). Candidates are whole words of the
//! lexicon and the compounds Swedish forms with a linking `s` or a hyphen from lexicon words
//! (`förvaltning|s|ledningen`), scored as their parts occurring together, below any whole
//! word; two words joined directly are not a candidate (that is where nonsense comes from:
//! `tillgå` + `ängliga` for `tillgédngliga`). The token itself competes
//! as a candidate, so a valid, frequent word is kept unless a confusion gives a much more
//! likely word (`ar` → `är`, `pa` → `på`). A small hand-written context table settles the
//! ambiguous short words (`ar` → `år` after a number or `i`, `sa` after a pronoun). A valid
//! word is replaced by another valid word only with evidence: the context table, or the
//! document's own spelling elsewhere (see [`super::repair_words`]).

use std::rc::Rc;

use super::channel::Channel;
use super::lexicon::{Lexicon, State};

const LN10: f32 = std::f32::consts::LN_10;
/// Most confusions repaired in one word.
const MAX_EDITS: u8 = 5;
/// Parts a compound may have.
const MAX_PARTS: u8 = 3;
/// Fewest letters of a compound part.
const MIN_PART_LEN: usize = 3;
/// Least frequency (10 × Zipf) of a compound part.
const MIN_PART_FREQ: u32 = 5;
/// A compound's frequency is that of its parts occurring together by chance
/// (Zipf: z(ab) = z(a) + z(b) − 9), less this penalty (10 × Zipf) per joint.
const COMPOUND_PENALTY: i32 = 10;
/// How much more likely (ln) a candidate must be than a token that is itself a word.
const MARGIN: f32 = 1.2;
/// Search steps per token (guards against pathological input).
const BUDGET: u32 = 5_000;

/// Whether `c` may be part of a repairable token (letters and the characters OCR puts in
/// their place).
fn wordish(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '&' | '|' | '4' | '6' | '0' | '-')
}

/// `MASKERA_OCR_DEBUG=1` prints every candidate (words only reach stderr of a developer's
/// own run; never set it in production).
fn debug() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("MASKERA_OCR_DEBUG").is_some())
}

struct Search<'a> {
    lex: &'a Lexicon,
    ch: &'a Channel,
    chars: Vec<char>,
    buf: String,
    /// Score, word, and how many joints it has (0: a whole lexicon word).
    best: Option<(f32, String, u8)>,
    steps: u32,
}

impl<'a> Search<'a> {
    fn consider(&mut self, freq: i32, chan: f32, joints: u8) {
        let score = freq as f32 * 0.1 * LN10 + chan;
        if debug() {
            eprintln!(
                "  cand {} freq={freq} chan={chan:.3} joints={joints} score={score:.3}",
                self.buf
            );
        }
        // A whole lexicon word always beats a compound.
        let better = match &self.best {
            None => true,
            Some((_, _, bj)) if (*bj == 0) != (joints == 0) => joints == 0,
            Some((s, w, _)) => score > *s || (score == *s && self.buf < *w),
        };
        if better {
            self.best = Some((score, self.buf.clone(), joints));
        }
    }

    /// Read `chars[i..]` from lexicon state `st`. `part_len`: letters of the current part;
    /// `parts`: summed frequency of the finished parts of a compound; `joints`: how many.
    #[allow(clippy::too_many_arguments)]
    fn dfs(
        &mut self,
        i: usize,
        st: State<'a>,
        chan: f32,
        edits: u8,
        part_len: usize,
        parts: i32,
        joints: u8,
    ) {
        self.steps += 1;
        if self.steps > BUDGET {
            return;
        }
        if let Some((best, _, 0)) = &self.best
            && chan + 9.0 * LN10 < *best
        {
            return;
        }
        if i == self.chars.len() {
            match self.lex.final_freq(&st) {
                Some(f) if joints == 0 => self.consider(f as i32, chan, 0),
                Some(f) if part_len >= MIN_PART_LEN && f >= MIN_PART_FREQ => self.consider(
                    parts + f as i32 - (90 + COMPOUND_PENALTY) * i32::from(joints),
                    chan,
                    joints,
                ),
                _ => {}
            }
            return;
        }
        let c = self.chars[i];
        // Read the character as itself.
        let mut tmp = [0u8; 4];
        if let Some(next) = self.lex.step(st, c.encode_utf8(&mut tmp).as_bytes()) {
            let len = self.buf.len();
            self.buf.push(c);
            self.dfs(i + 1, next, chan + self.ch.identity(c), edits, part_len + 1, parts, joints);
            self.buf.truncate(len);
        }
        let ch = self.ch;
        let rules = if edits >= MAX_EDITS { &[][..] } else { ch.rules(c) };
        for rule in rules {
            let n = rule.ocr.chars().count();
            if i + n > self.chars.len()
                || !rule.ocr.chars().zip(&self.chars[i..]).all(|(a, b)| a == *b)
            {
                continue;
            }
            if let Some(next) = self.lex.step(st, rule.truth.as_bytes()) {
                let len = self.buf.len();
                self.buf.push_str(&rule.truth);
                let tl = rule.truth.chars().count();
                self.dfs(i + n, next, chan + rule.logp, edits + 1, part_len + tl, parts, joints);
                self.buf.truncate(len);
            }
        }
        // A compound joint, only with a linking `s` or a hyphen (`förvaltning|s|ledningen`,
        // `e-|tjänster`): the part so far is a word, the `s` or `-` is kept, and the rest starts
        // again at the root. Tried only while no whole word has been found.
        if (c == 's' || c == '-')
            && !matches!(self.best, Some((_, _, 0)))
            && joints + 1 < MAX_PARTS
            && part_len >= MIN_PART_LEN
            && self.chars.len() - i > MIN_PART_LEN
            && let Some(f) = self.lex.final_freq(&st).filter(|f| *f >= MIN_PART_FREQ)
        {
            let len = self.buf.len();
            self.buf.push(c);
            self.dfs(i + 1, self.lex.root(), chan, edits, 0, parts + f as i32, joints + 1);
            self.buf.truncate(len);
        }
    }
}

/// Put the case pattern of `orig` onto `word` (lower case).
fn recase(orig: &str, word: &str) -> String {
    let letters: Vec<char> = orig.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1
        && letters.iter().all(|c| c.is_uppercase())
        && word.chars().count() == letters.len()
    {
        return word.to_uppercase();
    }
    let first_upper = orig.chars().next().is_some_and(|c| c.is_uppercase() || c == '|');
    if first_upper {
        let mut cs = word.chars();
        match cs.next() {
            Some(f) => f.to_uppercase().chain(cs).collect(),
            None => String::new(),
        }
    } else {
        word.to_string()
    }
}

/// Words after which `ar` means `år` (numbers are handled apart).
const YEAR_BEFORE: &[&str] = &[
    "i",
    "varje",
    "per",
    "flera",
    "några",
    "nagra",
    "två",
    "tva",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "atta",
    "nio",
    "tio",
    "ett",
    "förra",
    "forra",
    "samma",
    "nästa",
    "nasta",
    "många",
    "manga",
    "senaste",
    "innevarande",
    "nytt",
];
/// Words after which `rader` is the verb `råda` (`det råder brist`), not `rader` (rows).
const PREVAILS_AFTER: &[&str] = &["det", "som", "där", "dar", "här", "inte"];
/// Auxiliaries after which `natt` is the supine `nått`.
const AUX: &[&str] = &["har", "hade", "ha", "inte", "ej", "redan", "aldrig"];
/// Words after which `bor` is the verb `bo` (lives), not the modal `bör`.
const LIVES_NEXT: &[&str] = &[
    "i",
    "på",
    "pa",
    "hos",
    "kvar",
    "med",
    "ensam",
    "själv",
    "sjalv",
    "tillsammans",
    "nu",
    "där",
    "dar",
    "här",
    "har",
    "och",
    "utomlands",
    "hemma",
];
/// Words after which `for` is the past tense of `fara` (went), not `för`.
const WENT_TO: &[&str] = &[
    "till",
    "hem",
    "hemåt",
    "iväg",
    "ivag",
    "dit",
    "ut",
    "in",
    "bort",
    "tillbaka",
    "vidare",
    "förbi",
    "forbi",
    "upp",
    "ner",
    "härifrån",
    "harifran",
    "därifrån",
    "darifran",
];
/// Words after which `sa` is the past tense of `säga`.
const SAID_AFTER: &[&str] = &["han", "hon", "hen", "jag", "vi", "ni", "de", "dom", "man", "och"];

type Cache = rustc_hash::FxHashMap<String, Option<Fix>>;

/// A repair of one token.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub word: Rc<str>,
    /// The token is itself a word of the dictionary: replacing it needs evidence from the
    /// document (see [`super::repair_words`]) beyond the word frequencies.
    pub needs_evidence: bool,
}

impl Fix {
    fn ruled(word: String) -> Option<Fix> {
        Some(Fix { word: word.into(), needs_evidence: false })
    }
}

/// The word repairer, with a per-document cache of token decisions.
pub struct Repairer {
    lex: &'static Lexicon,
    ch: &'static Channel,
    /// Decisions by token.
    cache: Cache,
}

impl Default for Repairer {
    fn default() -> Self {
        Repairer { lex: Lexicon::get(), ch: Channel::get(), cache: Cache::default() }
    }
}

impl Repairer {
    /// How many token decisions are cached.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// The repair of one token core (no surrounding punctuation), or `None` to keep it.
    /// `prev` is the previous word, lower case ("" at a sentence start), `next` the
    /// following word as written.
    /// The short words the context table knows are decided by their neighbours; any other
    /// replacement of a valid word by another is returned with `needs_evidence`.
    pub fn repair(&mut self, core: &str, prev: &str, next: &str) -> Option<Fix> {
        // The ambiguous short words: the neighbours decide.
        let word = ["ar", "sa", "bor", "rader", "natt", "for", "da", "nar", "dar", "pa"]
            .into_iter()
            .find(|w| core.eq_ignore_ascii_case(w));
        match word {
            Some("for") => {
                let next = next.to_lowercase();
                // `for` is the past tense of `fara` only before where someone went.
                return if WENT_TO.contains(&next.as_str()) {
                    None
                } else {
                    Fix::ruled(recase(core, "för"))
                };
            }
            Some(w @ ("da" | "nar" | "dar" | "pa")) => {
                let truth = match w {
                    "da" => "då",
                    "nar" => "när",
                    "dar" => "där",
                    _ => "på",
                };
                return Fix::ruled(recase(core, truth));
            }
            Some("bor") => {
                let next = next.to_lowercase();
                return if LIVES_NEXT.contains(&next.as_str()) || next.is_empty() {
                    None
                } else {
                    Fix::ruled(recase(core, "bör"))
                };
            }
            Some("ar") => {
                let year = YEAR_BEFORE.contains(&prev)
                    || prev.chars().next().is_some_and(|c| c.is_ascii_digit());
                return Fix::ruled(recase(core, if year { "år" } else { "är" }));
            }
            Some("sa") if SAID_AFTER.contains(&prev) => return None,
            Some("sa") => return Fix::ruled(recase(core, "så")),
            Some("rader") if PREVAILS_AFTER.contains(&prev) => {
                return Fix::ruled(recase(core, "råder"));
            }
            Some("rader") => return None,
            Some("natt") if AUX.contains(&prev) => return Fix::ruled(recase(core, "nått")),
            Some("natt") => return None,
            _ => {}
        }
        if let Some(hit) = self.cache.get(core) {
            return hit.clone();
        }
        let lower = core.to_lowercase();
        let out = self
            .decide(core, &lower)
            .map(|w| Fix { word: w.into(), needs_evidence: self.lex.in_dictionary(&lower) });
        self.cache.insert(core.to_string(), out.clone());
        out
    }

    fn decide(&self, core: &str, lower: &str) -> Option<String> {
        let letters = core.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0
            || !core.chars().all(wordish)
            || core.starts_with('-')
            || core.ends_with('-')
        {
            return None;
        }
        let digits = core.chars().filter(|c| c.is_ascii_digit()).count();
        if digits > 1 || (digits == 1 && (letters < 1 || core.chars().count() < 2)) {
            return None; // numbers and codes
        }
        let upper = core.chars().filter(|c| c.is_uppercase()).count();
        if upper == letters && letters <= 4 && letters > 1 {
            return None; // acronyms
        }
        // Mixed case: codes, names like McDonald, IT-strateg; but `FOrvaltningen` is a
        // capital Ö read as O.
        let ocr_capital =
            core.chars().skip(1).filter(|c| c.is_uppercase()).all(|c| matches!(c, 'O' | 'A'))
                && core.chars().next().is_some_and(char::is_uppercase)
                && letters >= 5;
        if upper > 1 && upper < letters && !ocr_capital {
            return None;
        }
        let id_freq = self.lex.freq(lower);
        if !lower.chars().any(|c| !self.ch.rules(c).is_empty()) {
            return None; // nothing the channel could change
        }
        let mut s = Search {
            lex: self.lex,
            ch: self.ch,
            chars: lower.chars().collect(),
            buf: String::with_capacity(lower.len() + 4),
            best: None,
            steps: 0,
        };
        s.dfs(0, self.lex.root(), 0.0, 0, 0, 0, 0);
        let (score, best, _) = s.best?;
        if best == lower {
            return None;
        }
        if letters < 2 && self.lex.freq(&best).is_none_or(|f| f < 40) {
            return None; // `4r` → `är`, but no guesses from one letter and a digit
        }
        if let Some(f) = id_freq {
            let id_score =
                f as f32 * 0.1 * LN10 + lower.chars().map(|c| self.ch.identity(c)).sum::<f32>();
            if score < id_score + MARGIN {
                return None;
            }
        }
        Some(recase(core, &best))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(w: &str) -> String {
        Repairer::default().repair(w, "x", "").map_or_else(|| w.to_string(), |f| f.word.to_string())
    }

    #[test]
    fn restores_lost_diacritics() {
        assert_eq!(fix("socialférvaltningen"), "socialförvaltningen");
        assert_eq!(fix("&rendet"), "ärendet");
        assert_eq!(fix("l6st"), "löst");
        assert_eq!(fix("anmialas"), "anmälas");
        assert_eq!(fix("Pa"), "På");
        assert_eq!(fix("4r"), "är");
        assert_eq!(fix("atgarder"), "åtgärder");
        assert_eq!(fix("FOrvaltningen"), "Förvaltningen");
        assert_eq!(fix("ATGARDER"), "ÅTGÄRDER");
    }

    #[test]
    fn context_decides_ar() {
        let mut r = Repairer::default();
        let mut fix =
            |w: &str, prev: &str, next: &str| r.repair(w, prev, next).map(|f| f.word.to_string());
        assert_eq!(fix("ar", "det", "").as_deref(), Some("är"));
        assert_eq!(fix("ar", "tre", "").as_deref(), Some("år"));
        assert_eq!(fix("ar", "2019", "").as_deref(), Some("år"));
        assert_eq!(fix("sa", "hon", "att"), None);
        assert_eq!(fix("bor", "hon", "i"), None);
        assert_eq!(fix("bor", "man", "undvika").as_deref(), Some("bör"));
        assert_eq!(fix("natt", "en", ""), None);
        assert_eq!(fix("for", "det", "att").as_deref(), Some("för"));
        assert_eq!(fix("for", "hon", "hem"), None);
        assert_eq!(fix("Pa", "", "grund").as_deref(), Some("På"));
    }

    #[test]
    fn leaves_names_codes_and_valid_words() {
        for w in ["Lindqvist", "SoL", "IVO", "och", "verksamheten", "12", "a1b2", "vara", "man"] {
            assert_eq!(fix(w), w, "{w}");
        }
    }

    #[test]
    fn a_valid_word_replaced_by_another_needs_evidence() {
        let mut r = Repairer::default();
        // Past tense `innebar` is a word: `innebär` is more frequent, but not evidence.
        let f = r.repair("innebar", "det", "");
        assert!(f.as_ref().is_none_or(|f| f.needs_evidence), "{f:?}");
        // A damaged form that is no word needs none.
        let f = r.repair("innebér", "det", "").unwrap();
        assert_eq!((&*f.word, f.needs_evidence), ("innebär", false));
        // The context table is evidence from the neighbours.
        assert!(!r.repair("ar", "det", "").unwrap().needs_evidence);
    }

    #[test]
    fn repairs_only_into_lexicon_words_and_linked_compounds() {
        let lex = Lexicon::get();
        for w in ["socialférvaltningen", "&rendet", "anmialas", "atgarder", "tillgédngliga"] {
            let out = fix(w).to_lowercase();
            assert!(out == w || lex.freq(&out).is_some(), "{w} → {out}, not a word of the lexicon");
        }
        assert_eq!(fix("Férvaltningsledningen"), "Förvaltningsledningen");
        assert_eq!(fix("forsorjningsstodsenheten"), "försörjningsstödsenheten");
    }
}
