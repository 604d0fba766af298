//! Form answers: the ticked boxes of a filled-in form.
//!
//! A line with check boxes (`☒ Ja ☐ Nej`, `Anmälan till IVO: Ja [X] Nej [ ]`,
//! `☒ Det rapporterade utgjorde ett missförhållande`) is read as its answer: the prompt
//! and the ticked options stay, unticked options are dropped. A line whose boxes are all
//! unticked is not evidence at all — an unanswered question says nothing.

/// Marks of a ticked box (lower case; `[x]` and `(x)` are matched case-insensitively).
const TICKED: [&str; 14] =
    ["☒", "☑", "⊠", "✓", "✔", "✗", "✘", "☓", "■", "▣", "[x]", "(x)", "[✓]", "[✔]"];
/// Marks of an empty box.
const EMPTY: [&str; 8] = ["☐", "□", "▢", "○", "◯", "[ ]", "( )", "[_]"];

/// What a line says once its boxes are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// No boxes: the line as it is.
    Plain,
    /// Boxes, some ticked: the prompt followed by the ticked options.
    Ticked(String),
    /// Boxes, none ticked: not evidence.
    Unanswered,
}

/// A box found in a line: byte range and whether it is ticked.
#[derive(Debug, Clone, Copy)]
struct Mark {
    start: usize,
    end: usize,
    ticked: bool,
}

fn marks(line: &str) -> Vec<Mark> {
    let lower = line.to_lowercase();
    // lower-casing keeps byte offsets only for ASCII and the box characters; lines whose
    // lower-case form has another length are searched as they are
    let hay = if lower.len() == line.len() { lower.as_str() } else { line };
    let mut out: Vec<Mark> = Vec::new();
    for (list, ticked) in [(&TICKED[..], true), (&EMPTY[..], false)] {
        for m in list {
            for (start, _) in hay.match_indices(m) {
                out.push(Mark { start, end: start + m.len(), ticked });
            }
        }
    }
    out.sort_by_key(|m| m.start);
    // "[✓]" also holds "✓": keep the outermost of overlapping marks
    let mut kept: Vec<Mark> = Vec::new();
    for m in out {
        match kept.last_mut() {
            Some(last) if m.start < last.end => {
                if m.end - m.start > last.end - last.start {
                    *last = m;
                }
            }
            _ => kept.push(m),
        }
    }
    kept
}

fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '|'))
}

/// Read the boxes of one line.
pub fn read(line: &str) -> Answer {
    let ms = marks(line);
    if ms.is_empty() {
        return Answer::Plain;
    }
    if !ms.iter().any(|m| m.ticked) {
        return Answer::Unanswered;
    }
    let first = ms[0];
    let last = ms[ms.len() - 1];
    let tail = clean(&line[last.end..]);
    let mut ticked: Vec<&str> = Vec::new();
    let prompt: &str;
    if !tail.is_empty() {
        // boxes before their options: "Bedömning: ☐ A ☒ B", "☒ Ja ☐ Nej"
        prompt = clean(&line[..first.start]);
        for (i, m) in ms.iter().enumerate() {
            let end = ms.get(i + 1).map_or(line.len(), |n| n.start);
            let option = clean(&line[m.end..end]);
            if m.ticked && !option.is_empty() {
                ticked.push(option);
            }
        }
    } else {
        // boxes after their options: "Anmäld till IVO? Ja ☒ Nej ☐"
        let head = &line[..first.start];
        let cut = head.rfind([':', '?']).map(|p| p + 1);
        let (p, first_option) = match cut {
            Some(c) => (&head[..c], &head[c..]),
            None if ms.len() == 1 => ("", head),
            None => match head.trim_end().rfind(char::is_whitespace) {
                Some(w) => (&head[..w], &head[w..]),
                None => ("", head),
            },
        };
        prompt = clean(p);
        for (i, m) in ms.iter().enumerate() {
            let option =
                if i == 0 { clean(first_option) } else { clean(&line[ms[i - 1].end..m.start]) };
            if m.ticked && !option.is_empty() {
                ticked.push(option);
            }
        }
    }
    if ticked.is_empty() {
        return Answer::Unanswered;
    }
    let answer = ticked.join(", ");
    Answer::Ticked(if prompt.is_empty() { answer } else { format!("{prompt} {answer}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Answer {
        Answer::Ticked(s.to_string())
    }

    #[test]
    fn ticked_options_are_the_answer() {
        assert_eq!(read("Anmälan till IVO: Ja ☒ Nej ☐"), t("Anmälan till IVO: Ja"));
        assert_eq!(
            read("Har händelsen anmälts till IVO? ☐ Ja ☒ Nej"),
            t("Har händelsen anmälts till IVO? Nej")
        );
        assert_eq!(
            read("Bedömning: [ ] Missförhållande [X] Allvarligt missförhållande"),
            t("Bedömning: Allvarligt missförhållande")
        );
        assert_eq!(
            read("☒ Det rapporterade utgjorde ett missförhållande"),
            t("Det rapporterade utgjorde ett missförhållande")
        );
        assert_eq!(
            read("Orsaker: ☒ Rutiner ☐ Teknik ☒ Kompetens"),
            t("Orsaker: Rutiner, Kompetens")
        );
        assert_eq!(
            read("Skulle det kunna hända igen Ja [x] Nej [ ]"),
            t("Skulle det kunna hända igen Ja")
        );
        assert_eq!(read("Ja ☐ Nej ☒"), t("Nej"));
        assert_eq!(read("Äldreomsorg ☒"), t("Äldreomsorg"));
    }

    #[test]
    fn unticked_and_plain_lines() {
        assert_eq!(
            read("☐ Det rapporterade utgjorde ett allvarligt missförhållande"),
            Answer::Unanswered
        );
        assert_eq!(read("Anmälan till IVO: Ja ☐ Nej ☐"), Answer::Unanswered);
        assert_eq!(read("Händelsen anmäls till IVO."), Answer::Plain);
        assert_eq!(read("Punkt [1] i listan"), Answer::Plain);
    }
}
