//! OCR repair: Swedish text whose OCR engine had no å/ä/ö (`socialférvaltningen`,
//! `&rendet`, `Pa grund av`, bullets read as `e`).
//!
//! Per page, [`damage`] decides whether the text is damaged at all; born-digital pages pass
//! through untouched. On damaged pages [`layout`] repairs line starts before reflow, and
//! after reflow [`words`] replaces damaged words using the [`lexicon`] and the learned
//! [`channel`]. Repair replaces whole words only and records each replacement in an
//! [`OffsetMap`], so spans found on either text can be mapped to the other.

pub mod channel;
pub mod damage;
pub mod layout;
pub mod lexicon;
pub mod words;

pub use damage::Damage;

use std::cell::RefCell;
use std::collections::HashSet;

use crate::document::{Edit, OffsetMap};

/// Token decisions cached per worker thread across documents: a decision depends only on
/// the token, so reuse cannot change any output. Cleared when it grows past this size.
const CACHE_LIMIT: usize = 200_000;

thread_local! {
    static REPAIRER: RefCell<Option<words::Repairer>> = const { RefCell::new(None) };
}

/// Forget the cached token decisions of this thread (benchmarks measure a cold start).
pub fn clear_cache() {
    REPAIRER.with(|r| r.borrow_mut().take());
}

/// Whether `c` may start or end a repairable word core.
fn edge(c: char) -> bool {
    c.is_alphanumeric() || c == '&' || c == '|'
}

/// The byte range of the next whitespace-separated chunk at or after `i`.
fn next_chunk(bytes: &[u8], mut i: usize) -> Option<(usize, usize)> {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if i == bytes.len() {
        return None;
    }
    let start = i;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    Some((start, i))
}

/// The word core of a chunk (without surrounding punctuation), as a range in the chunk.
fn core_range(chunk: &str) -> Option<(usize, usize)> {
    let cs = chunk.find(edge)?;
    let ce = chunk.rfind(edge).map(|p| p + chunk[p..].chars().next().map_or(1, char::len_utf8))?;
    Some((cs, ce))
}

/// Repair one text on its own (a page or a plain-text document): `None` when the damage
/// detector finds nothing to do, else the repaired text and its offset map. Layout repair
/// (line starts) is applied first, so the map refers to the line-repaired text.
pub fn repair_text(text: &str) -> Option<(String, OffsetMap)> {
    if !Damage::measure(text).is_damaged() {
        return None;
    }
    let lines = layout::repair_lines(text);
    Some(repair_words(&lines, |_| true))
}

/// `buf` = `word` in lower case, reusing the buffer.
fn set_lower(buf: &mut String, word: &str) {
    buf.clear();
    buf.extend(word.chars().flat_map(char::to_lowercase));
}

/// Copy `text` up to `raw.0`, then `new` in place of `text[raw.0..raw.1]`.
fn push_edit(
    out: &mut String,
    map: &mut OffsetMap,
    copied: &mut usize,
    text: &str,
    raw: (usize, usize),
    new: &str,
) {
    out.push_str(&text[*copied..raw.0]);
    let ts = out.len();
    out.push_str(new);
    map.edits.push(Edit { raw, text: (ts, out.len()) });
    *copied = raw.1;
}

/// How a document spells a word with å/ä/ö: the word in lower case up to three letters
/// after its first å, ä or ö (`händelsen`, `händelser` and `händer` all spell `händ`).
/// `None` for a word without them.
fn spelling_key(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    let at = lower.char_indices().position(|(_, c)| matches!(c, 'å' | 'ä' | 'ö'))?;
    Some(lower.chars().take(at + 4).collect())
}

/// Repair the words of `text` whose index (counting whitespace-separated tokens from 0)
/// `damaged` accepts. Returns the repaired text and the map from `text` to it.
///
/// A valid word is replaced by another valid word (`innebar` → `innebär`) only with
/// evidence beyond the word frequencies: a context rule (see [`words::Repairer::repair`]),
/// or the document's own spelling elsewhere: a word spelled the same up to a few letters
/// after its å/ä/ö ([`spelling_key`]) is written out somewhere in `text`, or is the repair
/// of a damaged word that is no word itself (`innebér`, `hdndelse`).
pub fn repair_words(text: &str, damaged: impl Fn(usize) -> bool) -> (String, OffsetMap) {
    let mut rep = REPAIRER.with(|r| r.borrow_mut().take()).unwrap_or_default();
    // Pass 1: what each damaged token would become, and what the document spells.
    let mut proposed: Vec<((usize, usize), words::Fix)> = Vec::new();
    let mut spelled: HashSet<String> = HashSet::new();
    let mut prev = String::new();
    let mut index = 0;
    let bytes = text.as_bytes();
    let mut next = next_chunk(bytes, 0);
    while let Some((start, end)) = next {
        next = next_chunk(bytes, end);
        let chunk = &text[start..end];
        let k = index;
        index += 1;
        let Some((cs, ce)) = core_range(chunk) else {
            prev.clear();
            continue;
        };
        let core = &chunk[cs..ce];
        let sentence_end = chunk[ce..].contains(['.', '!', '?', ':']);
        for part in core.split('/') {
            if let Some(key) = spelling_key(part) {
                spelled.insert(key);
            }
        }
        if !damaged(k) {
            set_lower(&mut prev, core);
        } else if core == "|" {
            let word = if prev.is_empty() { "I" } else { "i" };
            proposed.push((
                (start + cs, start + ce),
                words::Fix { word: word.into(), needs_evidence: false },
            ));
            prev = "i".into();
        } else {
            let following = next
                .and_then(|(s, e)| core_range(&text[s..e]).map(|(a, b)| &text[s + a..s + b]))
                .unwrap_or("");
            // `hämta/lämna`: each side of a slash is a word of its own.
            let mut off = start + cs;
            for part in core.split('/') {
                match rep.repair(part, &prev, following) {
                    Some(fix) => {
                        prev = fix.word.to_lowercase();
                        if let Some(key) = spelling_key(&fix.word).filter(|_| !fix.needs_evidence) {
                            spelled.insert(key);
                        }
                        proposed.push(((off, off + part.len()), fix));
                    }
                    None => set_lower(&mut prev, part),
                }
                off += part.len() + 1;
            }
        }
        if sentence_end {
            prev.clear();
        }
    }
    // Pass 2: apply the repairs that need no evidence, or have it.
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut map = OffsetMap::default();
    let mut copied = 0; // bytes of `text` already in `out`
    for (raw, fix) in &proposed {
        if fix.needs_evidence && !spelling_key(&fix.word).is_some_and(|k| spelled.contains(&k)) {
            continue;
        }
        push_edit(&mut out, &mut map, &mut copied, text, *raw, &fix.word);
    }
    out.push_str(&text[copied..]);
    if rep.cached() < CACHE_LIMIT {
        REPAIRER.with(|r| *r.borrow_mut() = Some(rep));
    }
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_and_maps_offsets() {
        let raw = "Pa grund av &rendet ringde 070-123 45 67 till socialférvaltningen.";
        let (text, map) = repair_words(raw, |_| true);
        assert_eq!(text, "På grund av ärendet ringde 070-123 45 67 till socialförvaltningen.");
        // The phone number moves by the bytes the repairs added before it.
        let rs = raw.find("070").unwrap();
        let (s, e) = map.raw_to_text(rs, rs + "070-123 45 67".len());
        assert_eq!(&text[s..e], "070-123 45 67");
        // A span over a repaired word maps to the whole repaired word, and back.
        let w = raw.find("socialférvaltningen").unwrap();
        let (s, e) = map.raw_to_text(w, w + "socialférvaltningen".len());
        assert_eq!(&text[s..e], "socialförvaltningen");
        assert_eq!(map.text_to_raw(s, e), (w, w + "socialférvaltningen".len()));
    }

    #[test]
    fn a_valid_word_becomes_another_only_with_the_documents_evidence() {
        // `innebar` (past tense) stays: nothing in the text says it is `innebär`.
        let (text, _) = repair_words("Det innebar att rutinen inte foljdes.", |_| true);
        assert_eq!(text, "Det innebar att rutinen inte följdes.");
        // The document's own spelling elsewhere (`innebér`, no word itself) is evidence.
        let (text, _) = repair_words(
            "Det innebar att rutinen inte foljdes. Det innebér ocksa en risk.",
            |_| true,
        );
        assert_eq!(text, "Det innebär att rutinen inte följdes. Det innebär också en risk.");
    }

    #[test]
    fn untouched_tokens_are_kept_exactly() {
        let raw = "Kontakta anna.berg@example.se  eller SN 2024/17, det ar 1999. Hamta/lamna.";
        let (text, _) = repair_words(raw, |_| true);
        assert_eq!(
            text,
            "Kontakta anna.berg@example.se  eller SN 2024/17, det är 1999. Hämta/lämna."
        );
        let (same, map) = repair_words(raw, |_| false);
        assert_eq!(same, raw);
        assert!(map.edits.is_empty());
    }
}
