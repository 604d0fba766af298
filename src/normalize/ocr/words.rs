//! Word repair: a noisy-channel corrector restricted to OCR confusions.
//!
//! For a token, every way of reading it through the confusion table ([`Channel`]) is
//! followed through the lexicon FSTs at once, so only prefixes of real words are explored.
//! A candidate scores ln P(word) + ln P(token | word); compounds count when they split into
//! lexicon words (optionally joined by a linking `s` or a hyphen). The token itself competes
//! as a candidate, so a valid, frequent word is kept unless a confusion gives a much more
//! likely word (`ar` → `är`, `pa` → `på`). A small hand-written context table settles the
//! ambiguous short words (`ar` → `år` after a number or `i`, `sa` after a pronoun).

use std::rc::Rc;

use super::channel::Channel;
use super::lexicon::{Lexicon, State};

const LN10: f32 = std::f32::consts::LN_10;
/// Most confusions repaired in one word.
const MAX_EDITS: u8 = 5;
/// Parts a compound may have.
const MAX_PARTS: u8 = 3;
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

/// Characters that appear in a word only through OCR damage.
fn signature(c: char) -> bool {
    matches!(c, '&' | '|' | '4' | '6' | '0' | 'é')
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
    best: Option<(f32, String, u8)>,
    steps: u32,
    allow_compounds: bool,
}

impl<'a> Search<'a> {
    fn consider(&mut self, freq: i32, chan: f32, nparts: u8) {
        let score = freq as f32 * 0.1 * LN10 + chan;
        if debug() {
            eprintln!("  cand {} freq={freq} chan={chan:.3} parts={nparts} score={score:.3}", self.buf);
        }
        // A whole lexicon word always beats a compound split.
        let better = match &self.best {
            None => true,
            Some((_, _, bp)) if (*bp == 0) != (nparts == 0) => nparts == 0,
            Some((s, w, _)) => score > *s || (score == *s && self.buf < *w),
        };
        if better {
            self.best = Some((score, self.buf.clone(), nparts));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn dfs(&mut self, i: usize, st: State<'a>, chan: f32, edits: u8, part_len: usize, parts: i32, nparts: u8) {
        self.steps += 1;
        if self.steps > BUDGET {
            return;
        }
        if let Some((best, _, 0)) = &self.best
            && chan + 9.0 * LN10 < *best
        {
            return;
        }
        let min_len = if nparts > 0 { 3 } else { 1 };
        if i == self.chars.len() {
            if part_len >= min_len
                && let Some(f) = self.lex.final_freq(&st)
            {
                let freq = if nparts == 0 {
                    f as i32
                } else if f >= MIN_PART_FREQ {
                    parts + f as i32 - (90 + COMPOUND_PENALTY) * i32::from(nparts)
                } else {
                    return;
                };
                self.consider(freq, chan, nparts);
            }
            return;
        }
        let c = self.chars[i];
        // Read the character as itself.
        let mut tmp = [0u8; 4];
        if let Some(next) = self.lex.step(st, c.encode_utf8(&mut tmp).as_bytes()) {
            let len = self.buf.len();
            self.buf.push(c);
            self.dfs(i + 1, next, chan + self.ch.identity(c), edits, part_len + 1, parts, nparts);
            self.buf.truncate(len);
        }
        let ch = self.ch;
        let rules = if edits >= MAX_EDITS { &[][..] } else { ch.rules(c) };
        for rule in rules {
            let n = rule.ocr.chars().count();
            if i + n > self.chars.len() || !rule.ocr.chars().zip(&self.chars[i..]).all(|(a, b)| a == *b) {
                continue;
            }
            if let Some(next) = self.lex.step(st, rule.truth.as_bytes()) {
                let len = self.buf.len();
                self.buf.push_str(&rule.truth);
                let tl = rule.truth.chars().count();
                self.dfs(i + n, next, chan + rule.logp, edits + 1, part_len + tl, parts, nparts);
                self.buf.truncate(len);
            }
        }
        // A compound joint: the part so far is a word, the rest starts again at the root.
        // Tried last, and only while no whole word has been found (a whole word wins anyway).
        if self.allow_compounds
            && !matches!(self.best, Some((_, _, 0)))
            && nparts + 1 < MAX_PARTS
            && part_len >= 3
            && self.chars.len() - i >= 3
            && let Some(f) = self.lex.final_freq(&st).filter(|f| *f >= MIN_PART_FREQ)
        {
            let m = parts + f as i32;
            let root = self.lex.root();
            self.dfs(i, root, chan, edits, 0, m, nparts + 1);
            let c = self.chars[i];
            // Three equal consonants are written as two: `sekretess` + `skydd`.
            let n = self.buf.len();
            let b = self.buf.as_bytes();
            if n >= 2
                && b[n - 1] == b[n - 2]
                && b"bdfgklmnprstv".contains(&b[n - 1])
                && b[n - 1] as char != c
                && let Some(shared) = self.lex.step(root, &b[n - 1..])
            {
                self.dfs(i, shared, chan, edits, 1, m, nparts + 1);
            }
            if c == 's' || c == '-' {
                let len = self.buf.len();
                self.buf.push(c);
                self.dfs(i + 1, root, chan, edits, 0, m, nparts + 1);
                self.buf.truncate(len);
            }
        }
    }
}

/// Put the case pattern of `orig` onto `word` (lower case).
fn recase(orig: &str, word: &str) -> String {
    let letters: Vec<char> = orig.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) && word.chars().count() == letters.len() {
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
    "i", "varje", "per", "flera", "några", "nagra", "två", "tva", "tre", "fyra", "fem", "sex", "sju", "åtta",
    "atta", "nio", "tio", "ett", "förra", "forra", "samma", "nästa", "nasta", "många", "manga", "senaste",
    "innevarande", "nytt",
];
/// Words after which `rader` is the verb `råda` (`det råder brist`), not `rader` (rows).
const PREVAILS_AFTER: &[&str] = &["det", "som", "där", "dar", "här", "inte"];
/// Auxiliaries after which `natt` is the supine `nått`.
const AUX: &[&str] = &["har", "hade", "ha", "inte", "ej", "redan", "aldrig"];
/// Words after which `bor` is the verb `bo` (lives), not the modal `bör`.
const LIVES_NEXT: &[&str] = &[
    "i", "på", "pa", "hos", "kvar", "med", "ensam", "själv", "sjalv", "tillsammans", "nu", "där", "dar", "här", "har",
    "och", "utomlands", "hemma",
];
/// Words after which `sa` is the past tense of `säga`.
const SAID_AFTER: &[&str] = &["han", "hon", "hen", "jag", "vi", "ni", "de", "dom", "man", "och"];

type Cache = rustc_hash::FxHashMap<String, Option<Rc<str>>>;

/// The word repairer, with a per-document cache of token decisions.
pub struct Repairer {
    lex: &'static Lexicon,
    ch: &'static Channel,
    /// Decisions by token, one map for sentence starts and one for the rest.
    cache: [Cache; 2],
}

impl Default for Repairer {
    fn default() -> Self {
        Repairer { lex: Lexicon::get(), ch: Channel::get(), cache: [Cache::default(), Cache::default()] }
    }
}

impl Repairer {
    /// How many token decisions are cached.
    pub fn cached(&self) -> usize {
        self.cache[0].len() + self.cache[1].len()
    }

    /// The repair of one token core (no surrounding punctuation), or `None` to keep it.
    /// `prev` is the previous word, lower case ("" at a sentence start), `next` the
    /// following word as written.
    /// `sentence_start`: a capital letter here says nothing about a name.
    pub fn repair(&mut self, core: &str, prev: &str, next: &str, sentence_start: bool) -> Option<Rc<str>> {
        // The ambiguous short words: context decides.
        let word = ["ar", "sa", "bor", "rader", "natt"].into_iter().find(|w| core.eq_ignore_ascii_case(w));
        match word {
            Some("bor") => {
                let next = next.to_lowercase();
                return if LIVES_NEXT.contains(&next.as_str()) || next.is_empty() {
                    None
                } else {
                    Some(recase(core, "bör").into())
                };
            }
            Some("ar") => {
                let year = YEAR_BEFORE.contains(&prev) || prev.chars().next().is_some_and(|c| c.is_ascii_digit());
                return Some(recase(core, if year { "år" } else { "är" }).into());
            }
            Some("sa") if SAID_AFTER.contains(&prev) => return None,
            Some("rader") if PREVAILS_AFTER.contains(&prev) => return Some(recase(core, "råder").into()),
            Some("natt") if AUX.contains(&prev) => return Some(recase(core, "nått").into()),
            _ => {}
        }
        let cache = &self.cache[usize::from(sentence_start)];
        if let Some(hit) = cache.get(core) {
            return hit.clone();
        }
        let out: Option<Rc<str>> = self.decide(core, &core.to_lowercase(), sentence_start).map(Rc::from);
        self.cache[usize::from(sentence_start)].insert(core.to_string(), out.clone());
        out
    }

    fn decide(&self, core: &str, lower: &str, sentence_start: bool) -> Option<String> {
        let letters = core.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 || !core.chars().all(wordish) || core.starts_with('-') || core.ends_with('-') {
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
        let ocr_capital = core.chars().skip(1).filter(|c| c.is_uppercase()).all(|c| matches!(c, 'O' | 'A'))
            && core.chars().next().is_some_and(char::is_uppercase)
            && letters >= 5;
        if upper > 1 && upper < letters && !ocr_capital {
            return None;
        }
        let has_sig = core.chars().any(signature);
        let capital = core.chars().next().is_some_and(char::is_uppercase) && upper < letters;
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
            // A capitalised word outside the lexicon may be a name: only clearly damaged ones,
            // long ones (names are short, institutions long) and those at a sentence start
            // are rebuilt from compound parts.
            allow_compounds: !capital || has_sig || id_freq.is_some() || sentence_start || lower.chars().count() >= 12,
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
            let id_score = f as f32 * 0.1 * LN10 + lower.chars().map(|c| self.ch.identity(c)).sum::<f32>();
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
        Repairer::default().repair(w, "x", "", false).map_or_else(|| w.to_string(), |s| s.to_string())
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
        assert_eq!(r.repair("ar", "det", "", false).as_deref(), Some("är"));
        assert_eq!(r.repair("ar", "tre", "", false).as_deref(), Some("år"));
        assert_eq!(r.repair("ar", "2019", "", false).as_deref(), Some("år"));
        assert_eq!(r.repair("sa", "hon", "att", false), None);
        assert_eq!(r.repair("bor", "hon", "i", false), None);
        assert_eq!(r.repair("bor", "man", "undvika", false).as_deref(), Some("bör"));
    }

    #[test]
    fn leaves_names_codes_and_valid_words() {
        for w in ["Lindqvist", "SoL", "IVO", "och", "verksamheten", "12", "a1b2", "vara", "man"] {
            assert_eq!(fix(w), w, "{w}");
        }
    }

    #[test]
    fn repairs_compounds() {
        assert_eq!(fix("forsorjningsstodsenheten"), "försörjningsstödsenheten");
    }
}
