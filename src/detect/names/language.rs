//! Passages in English, Norwegian or Danish: their function words are not names, and the
//! Swedish lexicon does not know their ordinary words, so a word it does not know is no
//! evidence of a name there.
//!
//! A document is read in blocks (paragraphs: runs of lines without a blank line between
//! them). A block is foreign when its function words are mostly those of another language;
//! in a document that is mostly foreign, a block without function words (a heading, a table
//! cell) is foreign too. The word lists are written for this project.

use std::sync::LazyLock;

use super::context::FxSet;

/// Swedish function words that the other languages do not share (no `med`, `på`, `om`,
/// `som`, `har`, `kan`, `var`, `vi`: Danish and Norwegian write them the same).
const SWEDISH: &[&str] = &[
    "och", "att", "är", "inte", "för", "till", "från", "också", "när", "där", "detta", "denna",
    "dessa", "ett", "inom", "mellan", "utan", "sedan", "även", "enligt", "någon", "något", "några",
    "alla", "andra", "mycket", "bara", "vill", "hade", "inget", "inga", "vad", "vem", "hur",
    "varför", "vilken", "vilket", "vilka", "ni", "ska", "jag", "vid", "finns", "görs", "gäller",
    "sina", "dessutom", "eftersom", "genom",
];

/// Finnish function words (none of them a Swedish word or a name as well).
const FINNISH: &[&str] = &[
    "ei", "että", "ovat", "kuin", "mutta", "myös", "jotta", "jos", "tämä", "tämän", "joka",
    "jossa", "joita", "jonka", "voi", "sekä", "ollut", "mukaan", "kanssa", "vuonna", "jälkeen",
    "aikana",
];

/// English function words (none of them a Swedish word as well: no `in`, `is`, `be`, `all`).
const ENGLISH: &[&str] = &[
    "the", "and", "of", "to", "is", "are", "was", "were", "with", "on", "at", "by", "from", "this",
    "that", "these", "those", "which", "who", "what", "been", "or", "as", "an", "it", "its", "not",
    "have", "has", "had", "we", "you", "our", "your", "their", "they", "he", "she", "his", "her",
    "them", "there", "here", "would", "should", "could", "shall", "any", "but", "if", "than",
    "then", "so", "yes", "do", "does", "did", "my", "me", "us", "about", "into", "over", "after",
    "before", "between", "through", "how", "why", "when", "where", "for", "no", "will", "can",
    "one", "other", "such", "each", "also", "only", "more", "very",
];

/// Norwegian and Danish function words that Swedish does not share (`og`, `ikke`, `til`).
const NORDIC: &[&str] = &[
    "og", "ikke", "ikkje", "jeg", "eg", "til", "fra", "hvis", "hva", "hvad", "hvor", "hvordan",
    "hvilke", "hvilken", "hvilket", "vil", "være", "været", "ble", "blitt", "også", "mellem",
    "mellom", "noen", "nogle", "nogen", "noe", "noget", "dette", "denne", "disse", "ved", "hun",
    "hende", "ham", "deg", "meg", "seg", "uten", "uden", "etter", "kun", "meget", "mye", "gjennom",
    "gennem", "før", "når", "af", "der", "her", "nå", "slik", "sådan", "skal", "mange", "være",
    "deres", "dere", "jer", "våre", "vores", "sine", "bliver", "et", "at", "for", "kommune",
];

static SWEDISH_SET: LazyLock<FxSet<&'static str>> =
    LazyLock::new(|| SWEDISH.iter().copied().collect());
static ENGLISH_SET: LazyLock<FxSet<&'static str>> =
    LazyLock::new(|| ENGLISH.iter().chain(FINNISH).copied().collect());
/// Only the Norwegian and Danish words Swedish does not have count as evidence.
static NORDIC_SET: LazyLock<FxSet<&'static str>> =
    LazyLock::new(|| NORDIC.iter().copied().filter(|w| !SWEDISH_SET.contains(w)).collect());

/// Whether a lower-case word is a function word of English, Finnish, Norwegian or Danish
/// that Swedish does not share (`the`, `and`, `til`, `ikke`, `että`): never a name.
pub fn is_foreign_function_word(lower: &str) -> bool {
    ENGLISH_SET.contains(lower) || NORDIC_SET.contains(lower)
}

#[derive(Default, Clone, Copy)]
struct Count {
    swedish: u32,
    foreign: u32,
}

impl Count {
    fn add(&mut self, lower: &str) {
        if SWEDISH_SET.contains(lower) {
            self.swedish += 1;
        } else if is_foreign_function_word(lower) {
            self.foreign += 1;
        }
    }

    /// A word written in lower case with `æ` or `ø`: Danish or Norwegian (names may hold
    /// those letters, ordinary Swedish words never do).
    fn add_spelling(&mut self, written: &str) {
        if written.starts_with(char::is_lowercase) && written.contains(['æ', 'ø']) {
            self.foreign += 1;
        }
    }

    /// Mostly another language's function words.
    fn foreign(self) -> bool {
        self.foreign >= 2 && self.foreign > 2 * self.swedish
    }
}

/// For each word (`words[i]` = its byte range in `text`), whether it stands in a foreign
/// passage.
pub fn foreign_words(text: &str, words: &[(usize, usize)]) -> Vec<bool> {
    let mut blocks: Vec<(usize, usize, Count)> = Vec::new();
    let mut total = Count::default();
    let mut start = 0;
    let mut count = Count::default();
    let mut lower = String::with_capacity(16);
    for (i, &(s, e)) in words.iter().enumerate() {
        let prev_end = if i == 0 { 0 } else { words[i - 1].1 };
        if i > 0 && text[prev_end..s].matches('\n').count() >= 2 {
            blocks.push((start, i, count));
            start = i;
            count = Count::default();
        }
        let w = &text[s..e];
        if w.len() <= 8 {
            lower.clear();
            lower.extend(w.chars().flat_map(char::to_lowercase));
            count.add(&lower);
            total.add(&lower);
        }
        count.add_spelling(w);
        total.add_spelling(w);
    }
    blocks.push((start, words.len(), count));
    let mostly_foreign = total.foreign >= 5 && total.foreign > 2 * total.swedish;
    let mut out = vec![false; words.len()];
    for (s, e, c) in blocks {
        let foreign = c.foreign() || (mostly_foreign && c.swedish <= c.foreign);
        if foreign {
            out[s..e].iter_mut().for_each(|f| *f = true);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    v.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            v.push((s, text.len()));
        }
        v
    }

    #[test]
    fn english_and_norwegian_paragraphs_are_foreign_swedish_ones_not() {
        let t = "Rapporten skickades till nämnden och den blev godkänd.\n\n\
                 The report was sent to the board and it was approved.\n\n\
                 Rapporten ble sendt til styret og den ble ikke godkjent.";
        let w = spans(t);
        let f = foreign_words(t, &w);
        let first_of = |s: &str| w.iter().position(|&(a, b)| &t[a..b] == s).unwrap();
        assert!(!f[first_of("Rapporten")]);
        assert!(f[first_of("The")]);
        assert!(f[first_of("styret")]);
    }

    #[test]
    fn danish_spelling_and_finnish_function_words_make_a_passage_foreign() {
        // Danish shares `med`, `på`, `som` with Swedish; its spelling gives it away.
        let t = "Projektet støtter ældre borgere med hjælp på hverdage som weekender.\n\n\
                 Kysely tehtiin, jotta voimme kehittää työtä ja että kaikki ovat mukana.\n\n\
                 Projektet stöttar äldre och ger hjälp på vardagar som helger.";
        let w = spans(t);
        let f = foreign_words(t, &w);
        let first_of = |s: &str| w.iter().position(|&(a, b)| &t[a..b] == s).unwrap();
        assert!(f[first_of("støtter")] && f[first_of("Kysely")]);
        assert!(!f[first_of("stöttar")]);
    }

    #[test]
    fn function_words_of_other_languages() {
        assert!(is_foreign_function_word("the") && is_foreign_function_word("til"));
        assert!(!is_foreign_function_word("och") && !is_foreign_function_word("den"));
        assert!(!is_foreign_function_word("anna"));
    }
}
