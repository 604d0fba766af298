//! Reflow: join the lines a PDF wrapped back into paragraphs, without losing headings,
//! list items or form lines.
//!
//! A PDF has no paragraphs, only positioned lines. Two lines belong to one paragraph when
//! the first ran to (nearly) the full text width or the second starts in lower case; a
//! short line, a line ending in a colon, and a list marker all end a paragraph. A word
//! hyphenated at a line end is joined, keeping the hyphen where it is part of the word
//! (`e-post`, `IT-stöd`, `för- och`).

use std::sync::LazyLock;

use regex::Regex;

static LIST_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-–*•]\s|\d{1,2}[.)]\s|[a-zA-Z][.)]\s|\(\d{1,2}\)\s)").expect("list marker")
});

/// The text width of a page in characters: the length most full lines reach.
fn full_width(lines: &[&str]) -> usize {
    let mut lens: Vec<usize> =
        lines.iter().map(|l| l.trim().chars().count()).filter(|n| *n >= 20).collect();
    if lens.len() < 3 {
        return 80;
    }
    lens.sort_unstable();
    lens[lens.len() * 9 / 10 - usize::from(lens.len() * 9 / 10 == lens.len())].max(30)
}

fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_lowercase())
}

/// Whether `next` continues the paragraph that `prev` belongs to.
fn continues(prev: &str, next: &str, width: usize) -> bool {
    let p = prev.trim_end();
    let n = next.trim_start();
    if n.is_empty() || p.is_empty() || LIST_MARKER.is_match(n) || p.ends_with(':') {
        return false;
    }
    if p.contains('\t') || n.contains('\t') {
        return false; // form rows: label and value columns
    }
    let long = p.chars().count() * 10 >= width * 7;
    if starts_lower(n) {
        return long || !p.ends_with(['.', '!', '?']);
    }
    long && !p.ends_with(':')
}

/// Join a line-final hyphenation: `förvalt-` + `ningen` → `förvaltningen`, but keep the
/// hyphen in `e-` + `post` and `IT-` + `stöd`, and before `och`/`eller` (`för- och`).
fn join_hyphenated(prev: &str, next: &str) -> Option<String> {
    let p = prev.trim_end();
    let n = next.trim_start();
    let stem = p.strip_suffix('-')?;
    let last_word: String = stem.chars().rev().take_while(|c| c.is_alphanumeric()).collect();
    if last_word.is_empty() || !starts_lower(n) {
        return None;
    }
    let first_next: String = n.chars().take_while(|c| c.is_alphabetic()).collect();
    if matches!(first_next.as_str(), "och" | "eller" | "samt" | "till") {
        return Some(format!("{p} {n}"));
    }
    let short = last_word.chars().count() <= 2;
    let acronym = last_word.chars().rev().take(2).all(|c| c.is_uppercase());
    if short || acronym || last_word.chars().any(|c| c.is_ascii_digit()) {
        Some(format!("{p}{n}"))
    } else {
        Some(format!("{stem}{n}"))
    }
}

/// Reflow a text whose blocks are separated by blank lines.
pub fn reflow(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let width = full_width(&lines);
    let mut out = String::with_capacity(text.len());
    let mut current = String::new();
    let mut blank_pending = false;
    for line in lines {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push_str(&current);
                current.clear();
                blank_pending = true;
            }
            continue;
        }
        if current.is_empty() {
            if blank_pending && !out.is_empty() {
                out.push_str("\n\n");
            } else if !out.is_empty() {
                out.push('\n');
            }
            blank_pending = false;
            current.push_str(line.trim_start());
            continue;
        }
        let last_line = current.rsplit('\n').next().unwrap_or(&current).to_string();
        if let Some(joined) = join_hyphenated(&last_line, line) {
            current.truncate(current.len() - last_line.len());
            current.push_str(&joined);
        } else if continues(&last_line, line, width) {
            current.push(' ');
            current.push_str(line.trim_start());
        } else {
            current.push('\n');
            current.push_str(line.trim_start());
        }
    }
    out.push_str(&current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRAPPED: &str = "Beskrivning av händelsen\n\n\
Pärmar med sekretessbelagda uppgifter hade lämnats framme i ett mötesrum som\n\
även används av besökare. Det upptäcktes av en medarbetare på enheten i dag.\n\
Lokalen är låst och endast personal har tillträde, men städpersonal och\n\
hantverkare kan vistas där.\n\nOrsaksanalys";

    #[test]
    fn joins_wrapped_lines_and_keeps_headings() {
        let r = reflow(WRAPPED);
        let blocks: Vec<&str> = r.split("\n\n").collect();
        assert_eq!(blocks[0], "Beskrivning av händelsen");
        assert!(blocks[1].starts_with("Pärmar med sekretessbelagda uppgifter hade lämnats framme i ett mötesrum som även används"));
        assert!(blocks[1].contains("städpersonal och hantverkare kan vistas där."));
        assert_eq!(blocks[2], "Orsaksanalys");
    }

    #[test]
    fn list_items_stay_apart() {
        let r =
            reflow("Åtgärder:\n- utbildning av all personal på enheten under hösten\n- ny rutin");
        assert_eq!(
            r,
            "Åtgärder:\n- utbildning av all personal på enheten under hösten\n- ny rutin"
        );
    }

    #[test]
    fn short_form_lines_stay_apart() {
        let r = reflow("Namn Testperson\nTitel Enhetschef\nArbetsplats Enheten");
        assert_eq!(r.lines().count(), 3);
    }

    #[test]
    fn hyphenation_is_joined_or_kept() {
        assert_eq!(
            join_hyphenated("i social-", "förvaltningen"),
            Some("i socialförvaltningen".into())
        );
        assert_eq!(
            join_hyphenated("skickat via e-", "post till"),
            Some("skickat via e-post till".into())
        );
        assert_eq!(join_hyphenated("nytt IT-", "stöd"), Some("nytt IT-stöd".into()));
        assert_eq!(join_hyphenated("för-", "och efternamn"), Some("för- och efternamn".into()));
        assert_eq!(join_hyphenated("slut -", "Nästa"), None);
    }
}
