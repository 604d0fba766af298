//! Cue phrases: a small pattern language compiled to regexes that tolerate OCR damage.
//!
//! A cue is matched against lower-cased text. Letters with diacritics (å ä ö é …) match
//! their base letter, a neighbouring vowel, or the one- or two-character garbage OCR makes
//! of them (`bedéms`, `missf6érhallande`, `fdr`), so the same taxonomy works on clean and on
//! damaged text. See `patterns/taxonomy.toml` for the syntax.

use regex::Regex;

/// One compiled cue.
#[derive(Debug, Clone)]
pub struct Cue {
    /// The phrase as written in the taxonomy (lower-cased, without the weight).
    pub phrase: String,
    pub weight: u32,
    /// The regex source; compiled on first use (most cues of a taxonomy never meet their
    /// anchor in a batch, and compiling all of them took half of a rerun's time).
    source: String,
    re: std::sync::OnceLock<Regex>,
    /// The longest run of characters every match must contain verbatim (at least three),
    /// checked with a substring search before the regex runs: most cues are absent from
    /// most sentences, and the check costs a fraction of a regex search.
    anchor: Option<String>,
    /// The anchor's number in the taxonomy's [`AnchorIndex`], once indexed.
    anchor_id: Option<usize>,
}

/// All anchors of a taxonomy's label cues in one Aho-Corasick automaton: one pass over a
/// sentence tells which cues can match in it, instead of one substring search per cue.
#[derive(Debug, Clone, Default)]
pub struct AnchorIndex {
    finder: Option<aho_corasick::AhoCorasick>,
    count: usize,
}

/// Which anchors of an [`AnchorIndex`] occur in one text.
pub struct Present(Vec<u64>);

impl Present {
    fn has(&self, id: usize) -> bool {
        self.0[id / 64] >> (id % 64) & 1 == 1
    }
}

impl AnchorIndex {
    /// Index the anchors of `cues` (giving each cue its anchor's number).
    pub fn build<'a>(cues: impl IntoIterator<Item = &'a mut Cue>) -> AnchorIndex {
        let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut anchors: Vec<String> = Vec::new();
        for cue in cues {
            if let Some(a) = &cue.anchor {
                let id = *ids.entry(a.clone()).or_insert_with(|| {
                    anchors.push(a.clone());
                    anchors.len() - 1
                });
                cue.anchor_id = Some(id);
            }
        }
        let finder = (!anchors.is_empty())
            .then(|| aho_corasick::AhoCorasick::new(&anchors).expect("plain strings always build"));
        AnchorIndex { finder, count: anchors.len() }
    }

    /// The anchors occurring in `lower`.
    pub fn present(&self, lower: &str) -> Present {
        let mut bits = vec![0u64; self.count.div_ceil(64)];
        if let Some(f) = &self.finder {
            for m in f.find_overlapping_iter(lower) {
                let id = m.pattern().as_usize();
                bits[id / 64] |= 1 << (id % 64);
            }
        }
        Present(bits)
    }
}

/// A cue that cannot be compiled.
#[derive(Debug, thiserror::Error)]
#[error("the cue {cue:?} is not valid: {reason}")]
pub struct CueError {
    pub cue: String,
    pub reason: String,
}

fn char_class(c: char) -> String {
    match c {
        'å' | 'ä' | 'á' | 'à' | 'â' => "(?:[aåäáàâeé]{1,2})".into(),
        'ö' | 'ó' | 'ò' | 'ô' | 'ø' => "(?:[oöóòôøeéè06d]{1,2})".into(),
        'é' | 'è' | 'ê' | 'ë' => "(?:[eéèêëoö6]{1,2})".into(),
        'ü' => "(?:[uü])".into(),
        '-' => r"[\-‐‑–\s]?".into(),
        ' ' => r"[\s\-]+".into(),
        c => regex::escape(&c.to_string()),
    }
}

/// The regex source of a phrase (already lower-cased, weight removed).
fn pattern(phrase: &str) -> String {
    let (body, word_end) = match phrase.strip_suffix('_') {
        Some(b) => (b, true),
        None => (phrase, false),
    };
    let mut out = String::from(r"\b");
    for (i, part) in body.split("...").enumerate() {
        if i > 0 {
            // up to five words in between
            out.push_str(r"\w*(?:\W+\w+){0,5}?\W+");
        }
        let part = part.trim();
        let chars: Vec<char> = part.chars().collect();
        for c in chars {
            out.push_str(&char_class(c));
        }
    }
    if word_end {
        out.push_str(r"\b");
    }
    out
}

/// The longest run of characters that [`pattern`] copies verbatim (letters without
/// diacritics, digits; not spaces, hyphens or `...` gaps), if it has three or more.
fn anchor(phrase: &str) -> Option<String> {
    let body = phrase.strip_suffix('_').unwrap_or(phrase);
    body.split("...")
        .flat_map(|part| {
            part.split(|c: char| !(c.is_ascii_alphanumeric() && char_class(c) == c.to_string()))
        })
        .max_by_key(|run| run.len())
        .filter(|run| run.len() >= 3)
        .map(str::to_string)
}

impl Cue {
    /// Parse `phrase` or `phrase^N`.
    pub fn parse(spec: &str) -> Result<Cue, CueError> {
        let err = |reason: &str| CueError { cue: spec.to_string(), reason: reason.to_string() };
        let (phrase, weight) = match spec.rsplit_once('^') {
            Some((p, w)) => (
                p,
                w.trim()
                    .parse::<u32>()
                    .map_err(|_| err("the weight after ^ must be a whole number"))?,
            ),
            None => (spec, 1),
        };
        let phrase = phrase.trim().to_lowercase();
        if phrase.trim_end_matches('_').trim().is_empty() {
            return Err(err("the phrase is empty"));
        }
        let source = pattern(&phrase);
        // Checked now, so a bad cue in a taxonomy file stops the run before it starts.
        regex_syntax::Parser::new().parse(&source).map_err(|e| err(&e.to_string()))?;
        let anchor = anchor(&phrase);
        Ok(Cue { phrase, weight, source, re: std::sync::OnceLock::new(), anchor, anchor_id: None })
    }

    /// Byte ranges of every match in `lower` (lower-cased text).
    pub fn find_all<'a>(&'a self, lower: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        // Without its anchor the regex is not even started (a search on an empty text still
        // costs a cache lookup and a search setup, and most cues are absent).
        self.may_be_in(lower)
            .then(|| self.regex().find_iter(lower))
            .into_iter()
            .flatten()
            .map(|m| (m.start(), m.end()))
    }

    /// Whether the cue occurs in `lower` at all (negation not considered).
    pub fn is_in(&self, lower: &str) -> bool {
        self.may_be_in(lower) && self.regex().is_match(lower)
    }

    fn regex(&self) -> &Regex {
        self.re.get_or_init(|| {
            // The syntax was checked in `parse`; what is left is the size limit, which a
            // phrase of a taxonomy cannot reach — fall back to a regex that never matches.
            Regex::new(&self.source).unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("valid"))
        })
    }

    /// Whether the regex compiles within the size limits (for tests of taxonomies).
    #[cfg(test)]
    pub(crate) fn compiles(&self) -> bool {
        Regex::new(&self.source).is_ok()
    }

    fn may_be_in(&self, lower: &str) -> bool {
        self.anchor.as_ref().is_none_or(|a| lower.contains(a.as_str()))
    }

    /// Matches that are not right after a negation.
    pub fn find_affirmed<'a>(
        &'a self,
        lower: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.find_all(lower).filter(move |(s, _)| !negated_before(lower, *s))
    }
}

const NEGATIONS: [&str; 6] = ["inte", "ej", "ingen", "inget", "inga", "aldrig"];

/// Whether one of the two words before `pos` is a negation.
pub fn negated_before(lower: &str, pos: usize) -> bool {
    let before = &lower[..pos];
    before
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .rev()
        .take(2)
        .any(|w| NEGATIONS.contains(&w))
}

/// Compile a list of cue specs.
pub fn compile(specs: &[String]) -> Result<Vec<Cue>, CueError> {
    specs.iter().map(|s| Cue::parse(s)).collect()
}

/// Whether `cue` can match in a text whose anchors are `present`. A cue outside the index
/// (no anchor number) is let through: its own search checks its anchor.
fn possible(cue: &Cue, present: &Present) -> bool {
    cue.anchor_id.is_none_or(|id| present.has(id))
}

/// Sum over `cues` of weight × `count(cue)`, for the cues `present` allows.
fn weighted(cues: &[Cue], present: &Present, count: impl Fn(&Cue) -> usize) -> u32 {
    cues.iter().filter(|c| possible(c, present)).map(|c| c.weight * count(c) as u32).sum()
}

/// Sum of the weights of every match of `cues` in `lower`, negated or not; `present` comes
/// from the index the cues are in.
pub fn score_all(cues: &[Cue], lower: &str, present: &Present) -> u32 {
    weighted(cues, present, |c| c.find_all(lower).count())
}

/// Sum of the weights of every affirmed match of `cues` in `lower` (see [`score_all`]).
pub fn score(cues: &[Cue], lower: &str, present: &Present) -> u32 {
    weighted(cues, present, |c| c.find_affirmed(lower).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_tolerate_ocr_damage() {
        let c = Cue::parse("bedöms inte utgöra").unwrap();
        for t in [
            "bedöms inte utgöra",
            "bedoms inte utgora",
            "bedéms inte utgéra",
            "bed6éms inte utgora",
        ] {
            assert!(c.is_in(t), "{t}");
        }
        let m = Cue::parse("missförhållande").unwrap();
        assert!(m.is_in("missf6érhallanden"));
        assert!(!m.is_in("missfall"));
    }

    #[test]
    fn weight_gap_and_word_end() {
        let c = Cue::parse("e-post ... fel^3").unwrap();
        assert_eq!(c.weight, 3);
        assert!(c.is_in("ett e-postmeddelande skickades till fel person"));
        assert!(c.is_in("epost till fel"));
        let w = Cue::parse("slog_").unwrap();
        assert!(w.is_in("han slog till"));
        assert!(!w.is_in("slogan"));
        assert!(Cue::parse("x^y").is_err());
        assert!(Cue::parse("^2").is_err());
    }

    #[test]
    fn anchors_are_verbatim_runs_and_never_change_a_result() {
        assert_eq!(anchor("missförhållande"), Some("llande".into()));
        assert_eq!(anchor("e-post ... fel"), Some("post".into()));
        assert_eq!(anchor("slog_"), Some("slog".into()));
        assert_eq!(anchor("år"), None);
        let texts = [
            "ett missförhållande",
            "missf6érhallanden",
            "missfall",
            "bedoms inte utgora",
            "han slog till",
            "slogan",
        ];
        for spec in ["missförhållande", "bedöms inte utgöra", "slog_", "e-post ... fel^2", "år"]
        {
            let with = Cue::parse(spec).unwrap();
            let without = Cue { anchor: None, ..with.clone() };
            for t in texts {
                assert_eq!(
                    with.find_all(t).collect::<Vec<_>>(),
                    without.find_all(t).collect::<Vec<_>>(),
                    "{spec} in {t}"
                );
            }
        }
    }

    #[test]
    fn negated_matches_do_not_count() {
        let c = Cue::parse("våld").unwrap();
        let none = AnchorIndex::default().present("");
        assert_eq!(score(std::slice::from_ref(&c), "inget våld förekom", &none), 0);
        assert_eq!(score(&[c], "våld förekom", &none), 1);
    }

    #[test]
    fn the_anchor_index_gives_the_same_scores() {
        let specs =
            ["missförhållande^2", "bedöms inte utgöra", "slog_", "e-post ... fel^3", "år", "fall_"];
        let mut indexed: Vec<Cue> = specs.iter().map(|s| Cue::parse(s).unwrap()).collect();
        let plain = indexed.clone();
        let index = AnchorIndex::build(indexed.iter_mut());
        assert!(indexed.iter().filter(|c| c.anchor_id.is_some()).count() >= 4);
        let none = AnchorIndex::default().present("");
        for t in [
            "ett missförhållande, han slog och e-post gick till fel",
            "missf6érhallanden",
            "inget alls",
            "ett fall år 2020",
        ] {
            let p = index.present(t);
            assert_eq!(score(&indexed, t, &p), score(&plain, t, &none), "{t}");
            assert_eq!(score_all(&indexed, t, &p), score_all(&plain, t, &none), "{t}");
        }
    }
}
