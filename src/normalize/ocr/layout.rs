//! Line repair on a damaged page: list bullets read as letters (`e `, `« `, `© `) and a
//! line-initial capital I read as `|`. Hyphenation across lines and ragged spacing are
//! handled by the ordinary reflow and tidy steps that follow. Underscores (the rule of a form
//! field read as text) become spaces, except inside e-mail addresses and links.

/// Repair the line starts of one page.
pub fn repair_lines(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 16);
    for (i, line) in page.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let owned;
        let line = if line.contains('_') {
            owned = line
                .split(' ')
                .map(|w| {
                    if w.contains('@') || w.contains("://") {
                        w.to_string()
                    } else {
                        w.replace('_', " ")
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            owned.as_str()
        } else {
            line
        };
        let indent = line.len() - line.trim_start().len();
        let (lead, body) = line.split_at(indent);
        out.push_str(lead);
        let mut cs = body.chars();
        let first = cs.next();
        let rest = cs.as_str();
        let next_is_text = rest.starts_with(' ')
            && rest.trim_start().chars().next().is_some_and(char::is_alphanumeric);
        match first {
            Some('e' | '«' | '©' | '°' | '*' | '¢' | '@') if next_is_text => {
                out.push('•');
                out.push_str(rest);
            }
            Some('|')
                if rest.starts_with(' ') || rest.chars().next().is_some_and(char::is_lowercase) =>
            {
                out.push('I');
                out.push_str(rest);
            }
            _ => out.push_str(body),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_and_bars() {
        assert_eq!(
            repair_lines("Frågor\ne Vad har hänt?\n« Vem\n| samband med"),
            "Frågor\n• Vad har hänt?\n• Vem\nI samband med"
        );
        assert_eq!(repair_lines("e-post till oss"), "e-post till oss");
        assert_eq!(
            repair_lines("Namn X_Titel ___ a_b@example.se"),
            "Namn X Titel     a_b@example.se"
        );
    }
}
