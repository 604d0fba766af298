//! Folding: the forms in which words and values are compared, in one place so that the
//! stages that must agree (the name lists, the detectors, verification, review decisions)
//! cannot drift apart.
//!
//! | form | what it does | used for |
//! |---|---|---|
//! | [`key`] | lower case; diacritics removed, `æ ø ß ł đ ð þ œ` spelt out, apostrophes dropped | name lists, localities |
//! | [`text_key`] | [`key`], whitespace runs collapsed to one space, trimmed | verification: where a masked value is readable |
//! | [`term`] | lower case, whitespace collapsed; diacritics kept | allow/deny decisions (`Åsa` is not `Asa`) |
//! | [`without_diacritics`] | case kept; `å ä ö é ü` → `a a o e u` | the forms an OCR engine without Swedish writes |

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Push the folded form of one lower-case character.
fn push_key(c: char, out: &mut String) {
    match c {
        'æ' => out.push_str("ae"),
        'ø' => out.push('o'),
        'ß' => out.push_str("ss"),
        'ł' => out.push('l'),
        'đ' | 'ð' => out.push('d'),
        'þ' => out.push_str("th"),
        'œ' => out.push_str("oe"),
        // An apostrophe inside a name is no letter of it: `O'Brien` and `OBrien` agree.
        '\'' | '’' => {}
        c if c.is_ascii() => out.push(c),
        c => out.extend(std::iter::once(c).nfd().filter(|c| !is_combining_mark(*c))),
    }
}

/// Lower case without diacritics: `Åsa` → `asa`, `Petrović` → `petrovic`, `Weiß` → `weiss`.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        push_key(c, &mut out);
    }
    out
}

/// [`key`] with every run of whitespace collapsed to one space and none at the ends: the
/// form in which a masked value is looked for in a published text (`Åsa  Östlund` →
/// `asa ostlund`).
pub fn text_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        for l in c.to_lowercase() {
            push_key(l, &mut out);
        }
    }
    out
}

/// Lower case with whitespace collapsed, diacritics kept: how allow/deny terms compare.
pub fn term(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The Swedish letters an OCR engine without Swedish (or an ASCII keyboard) loses, removed
/// with case kept: `Östra Ågatan` → `Ostra Agatan`.
pub fn without_diacritics(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'Å' | 'Ä' => 'A',
            'ö' => 'o',
            'Ö' => 'O',
            'é' => 'e',
            'É' => 'E',
            'ü' => 'u',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_remove_case_and_diacritics() {
        assert_eq!(key("Åsa"), "asa");
        assert_eq!(key("BORGSTRÖM"), "borgstrom");
        assert_eq!(key("Petrović"), "petrovic");
        assert_eq!(key("Søren Weiß"), "soren weiss");
    }

    #[test]
    fn text_keys_collapse_whitespace() {
        assert_eq!(text_key("  Åsa \n Östlund "), "asa ostlund");
        assert_eq!(text_key("Jørgensen"), key("Jørgensen"));
    }

    #[test]
    fn terms_keep_diacritics() {
        assert_eq!(term("  Åsa   Berg "), "åsa berg");
        assert_ne!(term("Åsa"), term("Asa"));
    }

    #[test]
    fn without_diacritics_keeps_case() {
        assert_eq!(without_diacritics("Östra Ågatan"), "Ostra Agatan");
    }
}
