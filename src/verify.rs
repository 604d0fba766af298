//! Verification before publishing: read back what was rendered and make sure no masked
//! value and nothing a detector recognises survived in any of the files.

use crate::detect::Detectors;
use crate::redact::Redacted;
use crate::render::Rendered;

/// Why a rendered document may not be published. Never carries the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("verification: a masked value is still readable in the .{0} file")]
    MaskedValue(&'static str),
    #[error("verification: the detectors still find personal data ({kind}) in the .{ext} file")]
    Detected { ext: &'static str, kind: &'static str },
}

/// Lower-case, whitespace collapsed: the form values are compared in.
fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn contains_word(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    haystack.match_indices(needle).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The readable text of an HTML page (tags removed, the few entities we emit decoded).
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'").replace("&#39;", "'").replace("&#x2F;", "/")
}

/// Check every text file of a rendered report.
pub fn verify(rendered: &Rendered, redacted: &Redacted, detectors: &Detectors) -> Result<(), VerifyError> {
    let texts: [(&'static str, String); 4] = [
        ("txt", rendered.txt.clone()),
        ("md", rendered.md.replace('\\', "")),
        ("html", html_text(&rendered.html)),
        ("json", rendered.json.clone()),
    ];
    let values: Vec<String> = redacted.masked_values().iter().map(|v| fold(v)).filter(|v| v.chars().count() >= 2).collect();
    for (ext, text) in &texts {
        let folded = fold(text);
        if values.iter().any(|v| contains_word(&folded, v)) {
            return Err(VerifyError::MaskedValue(ext));
        }
        if let Some(s) = detectors.detect_str(text).first() {
            return Err(VerifyError::Detected { ext, kind: s.kind.as_str() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(contains_word("ring anna i dag", "anna"));
        assert!(!contains_word("savanna", "anna"));
        assert!(!contains_word("annans", "anna"));
    }

    #[test]
    fn html_text_strips_tags_and_entities() {
        assert_eq!(html_text("<p>a &amp; <b>b</b></p>").split_whitespace().collect::<Vec<_>>(), ["a", "&", "b"]);
    }
}
