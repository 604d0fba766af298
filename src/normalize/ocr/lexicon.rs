//! The Swedish lexicon: word forms and frequencies, two FSTs embedded in the binary.
//!
//! `patterns/lexicon/sv-hunspell.fst` (a set of hunspell-sv full forms, LGPL-3) says which
//! strings are words; `patterns/lexicon/sv-wordfreq.fst` (a map word → 10 × Zipf frequency,
//! from wordfreq, CC BY-SA 4.0) says how common they are. Both are built by
//! `scripts/build-lexicon.py`. Lookups walk both FSTs in step, so a candidate search can
//! follow a prefix in both at once and stop as soon as neither has it.

use std::sync::OnceLock;

use fst::raw::{Fst, Node};

static HUNSPELL: &[u8] = include_bytes!("../../../patterns/lexicon/sv-hunspell.fst");
static WORDFREQ: &[u8] = include_bytes!("../../../patterns/lexicon/sv-wordfreq.fst");

/// Frequency (10 × Zipf) given to a hunspell form that wordfreq does not list.
pub const HUNSPELL_ONLY: u32 = 5;

pub struct Lexicon {
    hun: Fst<&'static [u8]>,
    wf: Fst<&'static [u8]>,
}

/// A position in both FSTs after reading the same prefix.
#[derive(Clone, Copy)]
pub struct State<'a> {
    hun: Option<Node<'a>>,
    wf: Option<Node<'a>>,
    wf_out: u64,
}

impl Lexicon {
    /// The embedded lexicon, parsed once.
    pub fn get() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| Lexicon {
            hun: Fst::new(HUNSPELL)
                .expect("embedded patterns/lexicon/sv-hunspell.fst is a valid FST"),
            wf: Fst::new(WORDFREQ)
                .expect("embedded patterns/lexicon/sv-wordfreq.fst is a valid FST"),
        })
    }

    pub fn root(&self) -> State<'_> {
        State { hun: Some(self.hun.root()), wf: Some(self.wf.root()), wf_out: 0 }
    }

    /// Follow the bytes `s` from `st`; `None` when neither FST has the prefix.
    pub fn step<'a>(&'a self, st: State<'a>, s: &[u8]) -> Option<State<'a>> {
        let mut st = st;
        for &b in s {
            st.hun =
                st.hun.and_then(|n| n.find_input(b).map(|i| self.hun.node(n.transition(i).addr)));
            st.wf = match st.wf {
                Some(n) => match n.find_input(b) {
                    Some(i) => {
                        let t = n.transition(i);
                        st.wf_out += t.out.value();
                        Some(self.wf.node(t.addr))
                    }
                    None => None,
                },
                None => None,
            };
            if st.hun.is_none() && st.wf.is_none() {
                return None;
            }
        }
        Some(st)
    }

    /// The frequency of the word read so far, if it is a word.
    pub fn final_freq(&self, st: &State<'_>) -> Option<u32> {
        if let Some(n) = st.wf
            && n.is_final()
        {
            return Some((st.wf_out + n.final_output().value()) as u32);
        }
        st.hun.filter(|n| n.is_final()).map(|_| HUNSPELL_ONLY)
    }

    /// Whether a lower-case word is a form of the dictionary (hunspell). The frequency list
    /// also holds spellings that are common in writing without å/ä/ö (`nagot`, `fran`): those
    /// are words by frequency, not by the dictionary.
    pub fn in_dictionary(&self, word: &str) -> bool {
        self.step(self.root(), word.as_bytes())
            .is_some_and(|st| st.hun.is_some_and(|n| n.is_final()))
    }

    /// The frequency (10 × Zipf) of a lower-case word, or `None` if it is not a word.
    pub fn freq(&self, word: &str) -> Option<u32> {
        self.step(self.root(), word.as_bytes()).and_then(|st| self.final_freq(&st))
    }

    /// Whether a lower-case word is a hunspell form (wordfreq alone, which also lists
    /// names, does not count). Used by the name detector.
    pub fn is_hunspell_form(&self, word: &str) -> bool {
        self.hun.contains_key(word.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_common_forms_and_frequencies() {
        let lex = Lexicon::get();
        assert!(lex.freq("är").unwrap() > lex.freq("år").unwrap());
        assert!(lex.freq("förvaltningen").is_some());
        assert!(lex.freq("förvaltningenxq").is_none());
        assert!(lex.freq("l6st").is_none());
        assert!(lex.in_dictionary("innebar") && lex.in_dictionary("något"));
        assert!(!lex.in_dictionary("nagot") && !lex.in_dictionary("förvaltningenxq"));
    }
}
