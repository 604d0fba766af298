//! Unicode hygiene: make text from any extractor look like text a person typed.
//!
//! Canonical composition (NFC), no soft hyphens or zero-width characters, ligatures
//! spelled out, Cyrillic and Greek look-alike letters inside Latin words replaced by the
//! Latin letter they imitate (a classic way for `Infotorget` to escape a word list),
//! bullets as `- `, no stray control characters, one kind of space.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Characters that draw a bullet, from Unicode and from the private-use area of the
/// Symbol and Wingdings fonts (how Word's bullets often come out of a PDF).
fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '◦'
            | '▪'
            | '▫'
            | '●'
            | '○'
            | '■'
            | '□'
            | '➢'
            | '►'
            | '▶'
            | '⁃'
            | '∙'
            | '‣'
            | '❖'
            | '✓'
            | '✔'
            | '\u{F0B7}'
            | '\u{F0A7}'
            | '\u{F076}'
            | '\u{F0D8}'
            | '\u{F0FC}'
            | '\u{F0A8}'
            | '\u{F06E}'
    )
}

/// The Latin letter a Cyrillic or Greek letter imitates, if it is a look-alike.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ɡ' => 'g',
        'һ' => 'h',
        'ӏ' => 'l',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'І' => 'I',
        'Ј' => 'J',
        'Ѕ' => 'S',
        'ё' => 'ë',
        'Ё' => 'Ë',
        'ӧ' => 'ö',
        'Ӧ' => 'Ö',
        'ӓ' => 'ä',
        'Ӓ' => 'Ä',
        // Greek
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'τ' => 't',
        'υ' => 'u',
        'ρ' => 'p',
        'α' => 'a',
        _ => return None,
    })
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{C0}'..='\u{24F}').contains(&c) && c.is_alphabetic())
}

/// Replace look-alike letters in words that also hold Latin letters. Words written
/// wholly in Cyrillic or Greek are left alone: they are real Cyrillic or Greek.
fn fix_lookalikes(text: String) -> String {
    // Every look-alike is encoded with a lead byte 0xC9 (ɡ) or 0xCE–0xD4 (Greek, Cyrillic):
    // without one there is nothing to do, which is the common case.
    if !text.bytes().any(|b| b == 0xC9 || (0xCE..=0xD4).contains(&b)) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let has_latin = word.chars().any(is_latin_letter);
        let has_foreign = word.chars().any(|c| latin_lookalike(c).is_some());
        let all_mappable = word.chars().all(|c| is_latin_letter(c) || latin_lookalike(c).is_some());
        if has_latin && has_foreign && all_mappable {
            out.extend(word.chars().map(|c| latin_lookalike(c).unwrap_or(c)));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Whether `c` is changed or dropped by [`clean`] (everything else is copied as it is).
fn needs_care(c: char) -> bool {
    if c.is_ascii() {
        return (c < ' ' && c != '\n' && c != '\t') || c == '\u{7F}';
    }
    matches!(
        c,
        '\u{80}'..='\u{9F}'
            | '\u{A0}'
            | '\u{AD}'
            | '·'
            | '\u{2000}'..='\u{200D}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{2060}'
            | '\u{3000}'
            | '\u{E000}'..='\u{F8FF}'
            | 'ﬀ'..='ﬆ'
            | '\u{FEFF}'
            | '\u{FFFD}'
    ) || is_bullet(c)
}

/// Clean one page of extracted text. Line structure is kept (reflow comes after).
pub fn clean(text: &str) -> String {
    let composed: String = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.to_string()
    } else {
        text.nfc().collect()
    };
    let mut out = String::with_capacity(composed.len());
    let mut rest = composed.as_str();
    // Copy the runs between characters that need care in one go.
    while let Some(pos) = rest.find(needs_care) {
        out.push_str(&rest[..pos]);
        let c = rest[pos..].chars().next().expect("found a character");
        let mut after = &rest[pos + c.len_utf8()..];
        match c {
            '\r' => {
                after = after.strip_prefix('\n').unwrap_or(after);
                out.push('\n');
            }
            '\u{0C}' => out.push_str("\n\n"),
            '\u{AD}' => {
                // A soft hyphen is an invisible break opportunity: the word goes on after it,
                // also when the extractor put the rest of the word on the next line.
                after = after.trim_start_matches(['\n', ' ', '\r']);
            }
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{FFFD}' => {}
            '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
                out.push(' ')
            }
            '\u{2028}' => out.push('\n'),
            '\u{2029}' => out.push_str("\n\n"),
            'ﬀ' => out.push_str("ff"),
            'ﬁ' => out.push_str("fi"),
            'ﬂ' => out.push_str("fl"),
            'ﬃ' => out.push_str("ffi"),
            'ﬄ' => out.push_str("ffl"),
            'ﬅ' | 'ﬆ' => out.push_str("st"),
            c if is_bullet(c) => {
                out.push('-');
                if after.chars().next().is_some_and(|n| !n.is_whitespace()) {
                    out.push(' ');
                }
            }
            // A middle dot that starts a line (after nothing but spaces) is a bullet.
            '·' if out
                .rsplit('\n')
                .next()
                .is_none_or(|line| line.chars().all(char::is_whitespace)) =>
            {
                out.push('-')
            }
            c if c.is_control() || ('\u{E000}'..='\u{F8FF}').contains(&c) => {}
            c => out.push(c),
        }
        rest = after;
    }
    out.push_str(rest);
    let out = fix_lookalikes(out);
    // Ligature expansion and look-alike mapping can leave decomposable sequences.
    if is_nfc_quick(out.chars()) == IsNormalized::Yes { out } else { out.nfc().collect() }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn composes_decomposed_letters() {
        assert_eq!(clean("fo\u{308}rvaltning a\u{30A}r"), "förvaltning år");
    }

    #[test]
    fn removes_soft_hyphens_and_zero_width() {
        assert_eq!(clean("social\u{AD}\nförvaltningen"), "socialförvaltningen");
        assert_eq!(clean("e\u{200B}-post\u{FEFF}"), "e-post");
    }

    #[test]
    fn expands_ligatures() {
        assert_eq!(clean("oﬀentlig ﬁnns ﬂera"), "offentlig finns flera");
    }

    #[test]
    fn maps_lookalikes_inside_latin_words_only() {
        // Cyrillic о and е inside a Latin word.
        assert_eq!(clean("Infot\u{43E}rg\u{435}t"), "Infotorget");
        // A wholly Cyrillic word stays Cyrillic.
        assert_eq!(clean("\u{43E}\u{43A}\u{43D}\u{43E}"), "\u{43E}\u{43A}\u{43D}\u{43E}");
    }

    #[test]
    fn bullets_become_dashes() {
        assert_eq!(clean("• ett\n\u{F0B7}två"), "- ett\n- två");
    }

    #[test]
    fn strips_controls_and_unifies_spaces() {
        assert_eq!(clean("a\u{7}b\u{A0}c\r\nd\u{0C}e"), "ab c\nd\n\ne");
    }
}
