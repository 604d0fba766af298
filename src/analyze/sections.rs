//! The reading structure the field rules work on: lines with the role of the section they
//! are in and the heading above them, and lines that are not evidence (form options whose
//! check state was lost or that are not ticked, unfilled form fields).

use super::cue::Cue;
use super::forms::{self, Answer};
use super::taxonomy::{Role, Taxonomy};

/// One line of the redacted text.
#[derive(Debug, Clone)]
pub struct Line {
    /// The line as published (redacted), trimmed; a form line as its answer (the prompt and
    /// the ticked options).
    pub text: String,
    /// Lower-cased, for cue matching.
    pub lower: String,
    /// The role of the section the line is in.
    pub role: Option<Role>,
    pub heading: bool,
    /// A heading that names a section (it has a role, or it is the title), as opposed to a
    /// short line of content that only looks like one ("Äldreomsorg – hemtjänsten").
    pub section_heading: bool,
    /// The first line of the document.
    pub title: bool,
    /// Not evidence: a form option of a list whose check state is unknown, an unticked
    /// option, an unanswered question or an unfilled field.
    pub skip: bool,
    /// Starts a new paragraph (after a blank line or a heading).
    pub para_start: bool,
    /// The nearest heading above the line (index into `Doc::lines`), the title included.
    pub under: Option<usize>,
    /// A form line whose ticked boxes were read.
    pub ticked: bool,
    /// The line began with a box or a list mark (an option of a list).
    pub option: bool,
}

/// A document as lines.
#[derive(Debug, Clone)]
pub struct Doc {
    pub lines: Vec<Line>,
}

/// How a form's description prompt starts ("Beskriv vad som hänt …", "Kortfattad beskrivning …").
const PROMPTS: [&str; 4] = ["beskriv", "kortfattad beskrivning", "redogör", "kort beskrivning"];

/// A heading of at most this many words that matches no role stays inside its section.
const SUB_HEADING_WORDS: usize = 4;

const BOX_MARKS: [&str; 12] = ["-", "–", "•", "*", "☐", "☒", "☑", "□", "■", "▢", "✓", "✔"];

fn is_option_line(t: &str) -> bool {
    BOX_MARKS.iter().any(|m| t.starts_with(m))
        || t.starts_with("[ ]")
        || t.to_lowercase().starts_with("[x]")
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

/// The key of a line that is a field with its value: "Bedömning: …", or a numbered
/// paragraph that opens with its heading ("3. Orsaker. Utredningen visar …").
fn inline_key(lower: &str) -> Option<&str> {
    if let Some((k, v)) = lower.split_once(':')
        && k.chars().count() <= 40
        && !v.trim().is_empty()
    {
        return Some(k);
    }
    let rest = strip_number(lower);
    if rest.len() == lower.trim_start().len() {
        return None;
    }
    let (k, v) = rest.split_once(". ")?;
    (k.chars().count() <= 40 && k.split_whitespace().count() <= 5 && !v.trim().is_empty())
        .then_some(k)
}

/// Whether a line starts a list item or a numbered paragraph ("- ", "• ", "3. ", "2.1 ").
fn starts_item(t: &str) -> bool {
    if is_option_line(t) {
        return true;
    }
    let digits = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    digits > 0
        && digits <= 6
        && t[digits..].starts_with([' ', ')'])
        && (t[..digits].contains('.') || t[digits..].starts_with(')'))
}

/// A heading's text without a leading section number ("4. ", "2.1 ", "B) ").
pub fn strip_number(lower: &str) -> &str {
    let t = lower.trim_start();
    let digits = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let rest = if digits > 0 {
        &t[digits..]
    } else if t.len() > 2
        && t.as_bytes()[0].is_ascii_alphabetic()
        && matches!(t.as_bytes()[1], b')' | b'.')
        && t.as_bytes()[2] == b' '
    {
        &t[2..]
    } else {
        t
    };
    let rest = rest.strip_prefix(')').unwrap_or(rest);
    rest.trim_start()
}

fn role_of(heading_lower: &str, tax: &Taxonomy) -> Option<Role> {
    let h = strip_number(heading_lower);
    // a short heading that is only about something else (law text, contacts, attachments)
    let words = h.split_whitespace().count();
    if words <= 5
        && tax.other_sections.iter().any(|c| c.find_all(h).next().is_some_and(|(s, _)| s == 0))
    {
        return Some(Role::Annat);
    }
    tax.sections.iter().find(|(_, cues)| cues.iter().any(|c| c.is_in(h))).map(|(r, _)| *r)
}

/// The role of a section cue that matches at the very start of `lower`.
fn role_at_start(lower: &str, tax: &Taxonomy) -> Option<Role> {
    let h = strip_number(lower);
    tax.sections
        .iter()
        .find(|(_, cues)| cues.iter().any(|c| c.find_all(h).next().is_some_and(|(s, _)| s == 0)))
        .map(|(r, _)| *r)
}

impl Doc {
    /// Split a redacted text into lines with roles. `missing` is the cue for the word
    /// "missförhållande", used to recognise lists of assessment options.
    pub fn parse(text: &str, tax: &Taxonomy, missing: &Cue) -> Doc {
        let mut lines: Vec<Line> = Vec::new();
        let mut role = None;
        let mut under = None;
        let mut prev_blank = true;
        let mut first = true;
        let raw: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, &orig) in raw.iter().enumerate() {
            if orig.is_empty() {
                prev_blank = true;
                continue;
            }
            let (t, skip_form, ticked) = match forms::read(orig) {
                Answer::Plain => (orig.to_string(), false, false),
                Answer::Ticked(a) => (a, false, true),
                Answer::Unanswered => (orig.to_string(), true, false),
            };
            let t = t.as_str();
            let lower = t.to_lowercase();
            // a line the next one continues in lower case is not a heading (OCR often puts
            // blank lines between the lines of a paragraph)
            let continued = raw[i + 1..]
                .iter()
                .find(|l| !l.is_empty())
                .and_then(|l| l.chars().next())
                .is_some_and(|c| c.is_lowercase());
            // "Bedömning: …", "Verksamhetsområde: …": a form field with its value
            let inline_role = inline_key(&lower).and_then(|k| role_of(k, tax));
            // a description prompt alone in its paragraph ("Kortfattad beskrivning av … .")
            let next_blank = raw.get(i + 1).is_none_or(|l| l.is_empty());
            let prompt = (prev_blank || first)
                && next_blank
                && !continued
                && t.chars().count() <= 220
                && PROMPTS.iter().any(|p| strip_number(&lower).starts_with(p))
                && role_at_start(&lower, tax) == Some(Role::Beskrivning);
            // outside a known section, a form's long prompt alone in its paragraph that names
            // a section ("De orsaker till missförhållandet som har identifierats")
            let long_prompt = matches!(role, None | Some(Role::Annat))
                && !first
                && prev_blank
                && next_blank
                && !continued
                && t.chars().count() <= 220
                && !t.ends_with(['.', ',', ';'])
                && t.chars().next().is_some_and(char::is_uppercase)
                && role_of(&lower, tax).is_some_and(|r| r != Role::Annat);
            let heading = !skip_form
                && !ticked
                && inline_role.is_none()
                && (prompt
                    || long_prompt
                    || ((prev_blank || first) && !continued && looks_like_heading(t)));
            // the title gives no role (it is often "Utredning enligt lex Sarah"); a heading
            // matching no role ends the section unless it is short (a sub-heading such as
            // a cause group's name)
            let mut section_heading = heading && first;
            if heading && !first {
                match role_of(&lower, tax) {
                    Some(r) => {
                        role = Some(r);
                        section_heading = true;
                    }
                    // text about none of the fields ends at any heading
                    None if t.split_whitespace().count() > SUB_HEADING_WORDS
                        || role == Some(Role::Annat) =>
                    {
                        role = None
                    }
                    None => {}
                }
            }
            let skip = skip_form
                || lower.contains("klicka här")
                || lower.contains("klicka har")
                || lower.contains("ange text");
            let idx = lines.len();
            lines.push(Line {
                text: t.to_string(),
                lower,
                role: inline_role.or(role),
                heading: heading && !first,
                section_heading,
                title: first,
                skip,
                para_start: prev_blank || heading || lines.last().is_some_and(|l| l.heading),
                under: if heading || first { Some(idx) } else { under },
                ticked,
                option: is_option_line(orig),
            });
            if heading || first {
                under = Some(idx);
            }
            prev_blank = false;
            first = false;
        }
        // Runs of option lines naming assessment levels: unless exactly one is ticked,
        // none of them is evidence (the form's check marks were lost, or none was ticked).
        let mut i = 0;
        while i < lines.len() {
            if !lines[i].option {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < lines.len() && lines[j].option {
                j += 1;
            }
            let naming = (i..j).filter(|&k| missing.is_in(&lines[k].lower)).count();
            if j - i >= 2 && naming >= 2 {
                let ticked: Vec<usize> = (i..j).filter(|&k| lines[k].ticked).collect();
                for (k, line) in lines.iter_mut().enumerate().take(j).skip(i) {
                    line.skip = !(ticked.len() == 1 && ticked[0] == k);
                }
            }
            i = j;
        }
        Doc { lines }
    }

    /// The text of the heading a line or sentence is under (`None` for the title itself
    /// and for text before any heading).
    pub fn heading_of(&self, under: Option<usize>) -> Option<&str> {
        under.map(|i| self.lines[i].text.as_str())
    }

    /// Sentences of the evidence lines, each with the role of its section, the heading
    /// above it and whether it is a heading itself. Lines of a paragraph are joined before
    /// splitting.
    pub fn sentences(&self) -> Vec<Sentence> {
        let mut out = Vec::new();
        let mut buf = String::new();
        let mut buf_line = 0usize;
        let flush = |buf: &mut String, line: usize, out: &mut Vec<Sentence>| {
            let l = &self.lines[line];
            for s in split_sentences(buf) {
                out.push(Sentence {
                    lower: s.to_lowercase(),
                    text: s,
                    role: l.role,
                    heading: false,
                    section_heading: false,
                    title: false,
                    under: l.under,
                    line,
                    ticked: l.ticked,
                });
            }
            buf.clear();
        };
        for (i, l) in self.lines.iter().enumerate() {
            if l.skip {
                flush(&mut buf, buf_line, &mut out);
                continue;
            }
            if l.heading || l.title {
                flush(&mut buf, buf_line, &mut out);
                out.push(Sentence {
                    text: l.text.clone(),
                    lower: l.lower.clone(),
                    role: l.role,
                    heading: true,
                    section_heading: l.section_heading,
                    title: l.title,
                    under: if l.title { None } else { Some(i) },
                    line: i,
                    ticked: false,
                });
                continue;
            }
            let continues = !buf.trim_end().ends_with(['.', '!', '?', ':'])
                && l.text.chars().next().is_some_and(|c| c.is_lowercase());
            // a form line and a line with its own role (an inline field) stand alone
            let alone = l.ticked || starts_item(&l.text) || buf_line_differs(self, buf_line, i);
            if (l.para_start && !continues) || alone {
                flush(&mut buf, buf_line, &mut out);
            }
            if buf.is_empty() {
                buf_line = i;
            } else {
                buf.push(' ');
            }
            buf.push_str(&l.text);
            if l.ticked {
                flush(&mut buf, buf_line, &mut out);
            }
        }
        flush(&mut buf, buf_line, &mut out);
        out
    }
}

/// Whether line `i` has another role than the paragraph collected so far (from line `start`).
fn buf_line_differs(doc: &Doc, start: usize, i: usize) -> bool {
    start < i && doc.lines[start].role != doc.lines[i].role
}

/// A sentence of evidence.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// As published (redacted).
    pub text: String,
    pub lower: String,
    pub role: Option<Role>,
    pub heading: bool,
    /// A heading naming a section, or the title (see [`Line::section_heading`]).
    pub section_heading: bool,
    pub title: bool,
    /// The heading above the sentence (index into `Doc::lines`).
    pub under: Option<usize>,
    /// The line the sentence starts on.
    pub line: usize,
    /// From a form line whose ticked boxes were read.
    pub ticked: bool,
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
                (Some(n), Some(a)) if n.is_whitespace() => {
                    !(a.is_ascii_digit() || a.is_lowercase())
                }
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
        assert!(
            s.iter().any(|s| s.lower == "det var fredag." && s.role == Some(Role::Beskrivning))
        );
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
        let d =
            Doc::parse("T\n\n☐ ett missförhållande\n☒ ett allvarligt missförhållande", &tax, &miss);
        assert!(d.lines[1].skip && !d.lines[2].skip);
    }

    #[test]
    fn sentences_do_not_split_law_references() {
        assert_eq!(
            split_sentences("Enligt 14 kap. 3 § SoL gäller detta. Nästa mening."),
            ["Enligt 14 kap. 3 § SoL gäller detta.", "Nästa mening."]
        );
    }
}
