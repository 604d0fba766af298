//! Where a masked name is still readable *as a name*: the notion verification uses, the
//! same as the detector's.
//!
//! A masked name that is also an ordinary word (`Björn`, `Viola`, `Mark`, `Lind`) is the
//! word where the detector keeps it: in lower case, after a location preposition as a place,
//! or inside an organisation's name. Verification must not take those for leaks (that would be
//! a policy mismatch, not an inconsistency); it must take every other occurrence for one:
//! a capitalised occurrence the detector's coreference would mask. Names that are no word,
//! and values of several words, are checked as before, in any case, anywhere.

use super::{Case, Doc, Lexicon};

/// Whether the masked value `value` is a single name word that is also an ordinary word, and
/// so is checked by [`readable_as_name`] rather than everywhere.
pub fn is_word_name(value: &str) -> bool {
    let Ok(lex) = Lexicon::get() else { return false };
    let v = value.trim();
    if v.is_empty() || !v.chars().all(char::is_alphabetic) {
        return false;
    }
    let info = Doc::info_of(lex, v);
    info.e.word || info.known
}

/// Whether any of the `values` (name words for which [`is_word_name`] holds) stands in
/// `text` where the name detector reads a name: capitalised, and neither a place after a
/// location preposition nor part of an organisation's name.
pub fn readable_as_name(text: &str, values: &[&str]) -> bool {
    let Ok(lex) = Lexicon::get() else { return true };
    if values.is_empty() {
        return false;
    }
    let keys: Vec<String> = values.iter().map(|v| Doc::info_of(lex, v.trim()).key).collect();
    let folded: Vec<String> = values.iter().map(|v| super::lexicon::fold(v.trim())).collect();
    let doc = Doc::new(lex, text);
    let n = doc.toks.len();
    (0..n).any(|i| {
        if !matches!(doc.toks[i].case, Case::Cap | Case::Upper) {
            return false;
        }
        let f = doc.f(i);
        let key = doc.key(i);
        let hit = if doc.toks[i].case == Case::Upper {
            folded.iter().any(|v| v == f)
        } else {
            folded.iter().any(|v| v == f) || keys.iter().any(|k| k == key)
        };
        if !hit || doc.blocked(i) || doc.place_as_place(i) || doc.before_title(i) {
            return false;
        }
        let org_after = i + 1 < n && doc.joins(i + 1) && doc.is(i + 1, super::class::ORG);
        !org_after || doc.owner_of(i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_names_are_readable_only_where_they_name() {
        assert!(is_word_name("Björn") && is_word_name("Mark"));
        assert!(!is_word_name("Tiina") && !is_word_name("Vera Lindqvist"));
        assert!(!readable_as_name("En björn syntes i skogen. Vi bor i Lund.", &["Björn", "Lund"]));
        assert!(readable_as_name("Sedan ringde Björn igen.", &["Björn"]));
        assert!(readable_as_name("BJÖRN ringde.", &["Björn"]));
        assert!(!readable_as_name("Lund kommun svarade.", &["Lund"]));
        assert!(!readable_as_name(
            "Han valdes till andre vice ordförande, Andre vice talman.",
            &["Andre"]
        ));
    }
}
