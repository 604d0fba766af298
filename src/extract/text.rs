//! Plain-text inputs: decide the encoding and decode.
//!
//! Reports exported from older case-management systems are often Windows-1252; newer ones
//! UTF-8, sometimes with a byte-order mark; a few UTF-16. The order of checks matters:
//! a BOM is certain, valid UTF-8 is almost certain (Windows-1252 text with å/ä/ö is
//! practically never valid UTF-8), and Windows-1252 (a superset of Latin-1's printable
//! range) is the fallback for 8-bit text.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum TextError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither PDF nor text (binary content)")]
    Binary,
}

/// Which encoding a text file was read with.
pub fn detect_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return Some(enc);
    }
    if looks_like_utf16(bytes) {
        return Some(if bytes.len() > 1 && bytes[0] == 0 { UTF_16BE } else { UTF_16LE });
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Some(UTF_8);
    }
    Some(WINDOWS_1252)
}

/// UTF-16 without a BOM: every other byte is zero in Latin text.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let n = bytes.len().min(4096) & !1;
    if n < 8 {
        return false;
    }
    let even_zero = bytes[..n].iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = bytes[1..n].iter().step_by(2).filter(|b| **b == 0).count();
    let half = n / 2;
    (odd_zero * 10 > half * 8 && even_zero * 10 < half)
        || (even_zero * 10 > half * 8 && odd_zero * 10 < half)
}

/// Whether decoded text is plausible text rather than binary read as 8-bit characters.
fn plausible_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(200_000) {
        total += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) {
            bad += 1;
        }
    }
    total > 0 && bad * 100 <= total
}

/// Decode a text file, whatever its encoding.
pub fn decode(bytes: &[u8]) -> Result<String, TextError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TextError::Empty);
    }
    let enc = detect_encoding(bytes).unwrap_or(UTF_8);
    let (text, _, _) = enc.decode(bytes);
    if !plausible_text(&text) {
        return Err(TextError::Binary);
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("Åsa går".as_bytes()).unwrap(), "Åsa går");
        assert_eq!(decode(b"\xEF\xBB\xBFh\xC3\xA4r").unwrap(), "här");
    }

    #[test]
    fn windows_1252_keeps_swedish_letters() {
        assert_eq!(decode(b"s\xe5 h\xe4r \xf6ver \x96 \x80").unwrap(), "så här över – €");
    }

    #[test]
    fn utf16_with_bom_and_without() {
        let mut le = vec![0xFF, 0xFE];
        for u in "Öppen tjänst".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&le).unwrap(), "Öppen tjänst");
        let be: Vec<u8> =
            "Rapport från enheten".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&be).unwrap(), "Rapport från enheten");
    }

    #[test]
    fn binary_and_empty_are_refused() {
        let noise: Vec<u8> =
            (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        assert_eq!(decode(&noise), Err(TextError::Binary));
        assert_eq!(decode(b""), Err(TextError::Empty));
        assert_eq!(decode(b" \n\t"), Err(TextError::Empty));
    }
}
