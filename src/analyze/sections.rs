//! The reading structure the field rules work on: lines with the role of the section they
//! are in, headings, and lines that are not evidence (form options whose checkbox state was
//! lost, unfilled form fields).

use super::cue::Cue;
use super::taxonomy::{Role, Taxonomy};

/// One line of the redacted text.
#[derive(Debug, Clone)]
pub struct Line {
    /// The line as published (redacted), trimmed.
    pub text: String,
    /// Lower-cased, for cue matching.
    pub lower: String,
    /// The role of the section the line is in.
    pub role: Option<Role>,
    pub heading: bool,
    /// The first line of the document.
    pub title: bool,
    /// Not evidence: a form option of a list whose check state is unknown, or an unfilled field.
    pub skip: bool,
    /// Starts a new paragraph (after a blank line or a heading).
    pub para_start: bool,
}

/// A document as lines.
#[derive(Debug, Clone)]
pub struct Doc {
    pub lines: Vec<Line>,
}

const BOX_MARKS: [&str; 12] = ["-", "–", "•", "*", "☐", "☒", "☑", "□", "■", "▢", "✓", "✔"];
const CHECKED: [&str; 6] = ["☒", "☑", "■", "✓", "✔", "[x]"];

fn is_option_line(t: &str) -> bool {
    BOX_MARKS.iter().any(|m| t.starts_with(m)) || t.starts_with("[ ]") || t.to_lowercase().starts_with("[x]")
}

fn is_checked(t: &str) -> bool {
    CHECKED.iter().any(|m| t.to_lowercase().starts_with(m))
}

fn looks_like_heading(t: &str) -> bool {
    let n = t.chars().count();
    let first_ok = t.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    if !first_ok || t.contains('\t') {
        return false;
    }
    if t.ends_with('?') {
        return n <= 220;
    }
    n <= 80 && t.split_whitespace().count() <= 10 && !t.ends_with(['.', ',', ';', ':'])
}

fn role_of(heading_lower: &str, tax: &Taxonomy) -> Option<Role> {
    tax.sections.iter().find(|(_, cues)| cues.iter().any(|c| c.is_in(heading_lower))).map(|(r, _)| *r)
}

/// The role of a section cue that matches at the very start of `lower`.
fn role_at_start(lower: &str, tax: &Taxonomy) -> Option<Role> {
    tax.sections
        .iter()
        .find(|(_, cues)| cues.iter().any(|c| c.find_all(lower).next().is_some_and(|(s, _)| s == 0)))
        .map(|(r, _)| *r)
}

impl Doc {
    /// Split a redacted text into lines with roles. `missing` is the cue for the word
    /// "missförhållande", used to recognise lists of assessment options.
    pub fn parse(text: &str, tax: &Taxonomy, missing: &Cue) -> Doc {
        let mut lines: Vec<Line> = Vec::new();
        let mut role = None;
        let mut prev_blank = true;
        let mut first = true;
        let raw: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, &t) in raw.iter().enumerate() {
            if t.is_empty() {
                prev_blank = true;
                continue;
            }
            let lower = t.to_lowercase();
            // a line the next one continues in lower case is not a heading (OCR often puts
            // blank lines between the lines of a paragraph)
            let continued = raw[i + 1..]
                .iter()
                .find(|l| !l.is_empty())
                .and_then(|l| l.chars().next())
                .is_some_and(|c| c.is_lowercase());
            // "Bedömning: …", "Verksamhetsområde: …": a form field with its value
            let inline_role = lower
                .split_once(':')
                .filter(|(k, v)| k.chars().count() <= 40 && !v.trim().is_empty())
                .and_then(|(k, _)| role_of(k, tax));
            // a description prompt alone in its paragraph ("Kortfattad beskrivning av … .")
            let next_blank = raw.get(i + 1).is_none_or(|l| l.is_empty());
            let prompt = (prev_blank || first)
                && next_blank
                && !continued
                && t.chars().count() <= 220
                && role_at_start(&lower, tax) == Some(Role::Beskrivning);
            let heading =
                inline_role.is_none() && (prompt || ((prev_blank || first) && !continued && looks_like_heading(t)));
            if let Some(r) = heading.then(|| role_of(&lower, tax)).flatten() {
                role = Some(r);
            }
            let skip = lower.contains("klicka här") || lower.contains("klicka har") || lower.contains("ange text");
            lines.push(Line {
                text: t.to_string(),
                lower,
                role: inline_role.or(role),
                heading: heading && !first,
                title: first,
                skip,
                para_start: prev_blank || heading || lines.last().is_some_and(|l| l.heading),
            });
            prev_blank = false;
            first = false;
        }
        // Runs of option lines naming assessment levels: unless exactly one is checked,
        // none of them is evidence.
        let mut i = 0;
        while i < lines.len() {
            if !is_option_line(&lines[i].text) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < lines.len() && is_option_line(&lines[j].text) {
                j += 1;
            }
            let naming = (i..j).filter(|&k| missing.is_in(&lines[k].lower)).count();
            if j - i >= 2 && naming >= 2 {
                let checked: Vec<usize> = (i..j).filter(|&k| is_checked(&lines[k].text)).collect();
                for (k, line) in lines.iter_mut().enumerate().take(j).skip(i) {
                    line.skip = !(checked.len() == 1 && checked[0] == k);
                }
            }
            i = j;
        }
        Doc { lines }
    }

    /// Sentences of the evidence lines (lower-cased after splitting), each with the role of its section and
    /// whether it is a heading. Lines of a paragraph are joined before splitting.
    pub fn sentences(&self) -> Vec<Sentence> {
        let mut out = Vec::new();
        let mut buf = String::new();
        let mut buf_role = None;
        let flush = |buf: &mut String, role, out: &mut Vec<Sentence>| {
            for s in split_sentences(buf) {
                out.push(Sentence { lower: s.to_lowercase(), role, heading: false });
            }
            buf.clear();
        };
        for l in &self.lines {
            if l.skip {
                flush(&mut buf, buf_role, &mut out);
                continue;
            }
            if l.heading || l.title {
                flush(&mut buf, buf_role, &mut out);
                out.push(Sentence { lower: l.lower.clone(), role: l.role, heading: true });
                continue;
            }
            let continues = !buf.trim_end().ends_with(['.', '!', '?', ':'])
                && l.text.chars().next().is_some_and(|c| c.is_lowercase());
            if l.para_start && !continues {
                flush(&mut buf, buf_role, &mut out);
            }
            if buf.is_empty() {
                buf_role = l.role;
            } else {
                buf.push(' ');
            }
            buf.push_str(&l.text);
        }
        flush(&mut buf, buf_role, &mut out);
        out
    }
}

/// A sentence of evidence.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub lower: String,
    pub role: Option<Role>,
    pub heading: bool,
}

/// Split at `.`, `!` or `?` followed by white space (not inside numbers such as `14 kap. 3 §`
/// — a following lower-case letter or digit keeps the sentence going).
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        if matches!(c, '.' | '!' | '?') {
            let next = chars.get(i + 1).map(|x| x.1);
            let after = chars.get(i + 2).map(|x| x.1);
            let ends = match (next, after) {
                (None, _) => true,
                (Some(n), Some(a)) if n.is_whitespace() => !(a.is_ascii_digit() || a.is_lowercase()),
                (Some(n), None) => n.is_whitespace(),
                _ => false,
            };
            if ends {
                let s = text[start..pos + c.len_utf8()].trim();
                if !s.is_empty() {
                    out.push(s.to_string());
                }
                start = pos + c.len_utf8();
            }
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_get_roles_and_option_lists_are_skipped() {
        let tax = Taxonomy::builtin();
        let miss = Cue::parse("missförhållande").unwrap();
        let text = "Rapport\n\nVad har hänt?\n\nEtt skåp stod öppet. Det var fredag.\n\nBedömning\n\n- Det utgjorde ett missförhållande\n- Det utgjorde ett allvarligt missförhållande\n\nHär är beslutet.";
        let d = Doc::parse(text, &tax, &miss);
        let l = d.lines.iter().find(|l| l.text.starts_with("Ett skåp")).unwrap();
        assert_eq!(l.role, Some(Role::Beskrivning));
        assert!(d.lines.iter().filter(|l| l.text.starts_with("- ")).all(|l| l.skip));
        let s = d.sentences();
        assert!(s.iter().any(|s| s.lower == "det var fredag." && s.role == Some(Role::Beskrivning)));
        assert!(s.iter().any(|s| s.lower == "här är beslutet." && s.role == Some(Role::Bedomning)));
    }

    #[test]
    fn inline_fields_and_prompts() {
        let tax = Taxonomy::builtin();
        let miss = Cue::parse("missförhållande").unwrap();
        let text = "Titel\n\nKortfattad beskrivning av händelsen och konsekvenserna för den enskilde.\n\nEn dörr stod öppen.\n\nBedömning: Allvarligt missförhållande";
        let d = Doc::parse(text, &tax, &miss);
        assert!(d.lines[1].heading);
        assert_eq!(d.lines[2].role, Some(Role::Beskrivning));
        assert!(!d.lines[3].heading);
        assert_eq!(d.lines[3].role, Some(Role::Bedomning));
    }

    #[test]
    fn one_checked_option_is_evidence() {
        let tax = Taxonomy::builtin();
        let miss = Cue::parse("missförhållande").unwrap();
        let d = Doc::parse("T\n\n☐ ett missförhållande\n☒ ett allvarligt missförhållande", &tax, &miss);
        assert!(d.lines[1].skip && !d.lines[2].skip);
    }

    #[test]
    fn sentences_do_not_split_law_references() {
        assert_eq!(split_sentences("Enligt 14 kap. 3 § SoL gäller detta. Nästa mening."), ["Enligt 14 kap. 3 § SoL gäller detta.", "Nästa mening."]);
    }
}
