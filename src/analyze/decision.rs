//! `bedomning` and `ivo_anmalan`: read from the sentences that state a decision; the last
//! one in the document wins (a report followed by its investigation and decision is one
//! document, and its final decision counts).

use super::cue::Cue;
use super::sections::Sentence;
use super::taxonomy::{Role, Taxonomy};

pub const INGET: &str = "inget missförhållande";
pub const RISK: &str = "påtaglig risk för missförhållande";
pub const MISS: &str = "missförhållande";
pub const RISK_ALLV: &str = "påtaglig risk för allvarligt missförhållande";
pub const ALLV: &str = "allvarligt missförhållande";
/// Every level, mildest first.
pub const LEVELS: [&str; 5] = [INGET, RISK, MISS, RISK_ALLV, ALLV];

/// The fixed words the levels are read from.
pub struct Words {
    pub missing: Cue,
    serious: Cue,
    risk: Cue,
}

impl Default for Words {
    fn default() -> Self {
        Words::new()
    }
}

impl Words {
    pub fn new() -> Words {
        Words {
            missing: Cue::parse("missförhållande").expect("cue"),
            serious: Cue::parse("allvarlig").expect("cue"),
            risk: Cue::parse("risk").expect("cue"),
        }
    }
}

/// What one statement says about the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said {
    /// One of [`LEVELS`].
    Level(&'static str),
    /// "… bedöms inte som ett allvarligt missförhållande": only rules out the serious
    /// levels (the level itself is stated elsewhere, or not at all).
    NotSerious,
}

const NEG: [&str; 8] = ["inte", "ej", "icke", "inget", "ingen", "inga", "varken", "aldrig"];

fn words(s: &str) -> impl DoubleEndedIterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

fn serious(level: &str) -> bool {
    level == RISK_ALLV || level == ALLV
}

/// What a statement sentence says, if it names a level.
pub fn level_of(s: &str, w: &Words) -> Option<Said> {
    let (ms, me) = w.missing.find_all(s).next()?;
    let before = &s[..ms];
    // the clause: after the last comma, semicolon or "men"
    let clause_start = before
        .rfind([',', ';'])
        .map(|p| p + 1)
        .unwrap_or(0)
        .max(before.rfind(" men ").map(|p| p + 4).unwrap_or(0));
    let clause = &before[clause_start..];
    let after = &s[me..];
    let after_clause = &after[..after.find([',', ';']).unwrap_or(after.len())];
    let negated = words(clause).any(|x| NEG.contains(&x))
        || (words(clause).last().is_some_and(|x| x == "något" || x == "någon" || x == "några")
            && words(after_clause).any(|x| NEG.contains(&x)))
        || (words(clause).rev().nth(1).is_some_and(|x| x == "något" || x == "någon")
            && words(after_clause).any(|x| NEG.contains(&x)));
    // the plural ("missförhållanden") is law or information text about cases in general
    let word: String = s[ms..].chars().take_while(|c| c.is_alphanumeric()).collect();
    if word.ends_with("nden") && !negated {
        return None;
    }
    let tail_start = before.char_indices().rev().nth(50).map(|(i, _)| i).unwrap_or(0);
    let tail = &before[tail_start..];
    let risk_at = w.risk.find_all(tail).last().map(|(s, _)| s);
    let is_serious = match risk_at {
        Some(r) => w.serious.is_in(&tail[r..]),
        None => {
            let near_start = tail.char_indices().rev().nth(20).map(|(i, _)| i).unwrap_or(0);
            w.serious.is_in(&tail[near_start..])
        }
    };
    if negated {
        // "… inte ett allvarligt missförhållande men ett missförhållande"
        let rest = after.find(" men ").and_then(|p| level_of(&after[p + 5..], w));
        if let Some(Said::Level(l)) = rest.filter(|r| *r != Said::Level(INGET)) {
            return Some(Said::Level(l));
        }
        // "inte ett allvarligt missförhållande" rules out only the serious levels
        return Some(if is_serious { Said::NotSerious } else { Said::Level(INGET) });
    }
    Some(Said::Level(match (risk_at.is_some(), is_serious) {
        (true, true) => RISK_ALLV,
        (true, false) => RISK,
        (false, true) => ALLV,
        (false, false) => MISS,
    }))
}

pub(crate) fn is_statement(s: &Sentence, tax: &Taxonomy) -> bool {
    !s.section_heading
        && !s.lower.ends_with('?')
        && s.role != Some(Role::Annat)
        && !tax.ignore.iter().any(|c| c.is_in(&s.lower))
        && (s.role == Some(Role::Bedomning)
            || s.ticked
            || tax.statement.iter().any(|c| c.is_in(&s.lower)))
}

/// A form question answered yes or no: "Utgjorde det ett allvarligt missförhållande? Nej".
/// Returns the question (without `?`) and the answer.
fn answered_question(sentences: &[Sentence], i: usize) -> Option<(&str, bool)> {
    let q = sentences.get(i)?;
    let a = sentences.get(i + 1)?;
    // the answer on the same line (a ticked box) or alone on the next one
    if q.title || !q.lower.ends_with('?') || !(a.line == q.line || a.line == q.line + 1) {
        return None;
    }
    let answer = a.lower.trim_matches(|c: char| !c.is_alphanumeric());
    let yes = match answer {
        "ja" | "yes" => true,
        "nej" | "no" => false,
        _ => return None,
    };
    Some((q.lower.trim_end_matches('?'), yes))
}

/// One decision found in the text, with the sentence that states it.
#[derive(Debug, Clone, Copy)]
pub struct Found<T> {
    pub value: T,
    /// Index into the sentences.
    pub at: usize,
}

/// The final decision's level, and where it is stated. A statement that only rules out
/// the serious levels (`NotSerious`) is returned as such when no level is stated.
pub fn bedomning(sentences: &[Sentence], tax: &Taxonomy, w: &Words) -> Option<Found<Said>> {
    let mut not_serious: Option<Found<Said>> = None;
    for i in (0..sentences.len()).rev() {
        let said = if let Some((q, yes)) = answered_question(sentences, i) {
            match (level_of(q, w), yes) {
                (Some(Said::Level(l)), true) => Some(Said::Level(l)),
                (Some(Said::Level(l)), false) if serious(l) => Some(Said::NotSerious),
                (Some(Said::Level(_)), false) => Some(Said::Level(INGET)),
                (other, _) => other,
            }
        } else if is_statement(&sentences[i], tax) {
            level_of(&sentences[i].lower, w)
        } else {
            None
        };
        match said {
            Some(Said::NotSerious) => {
                not_serious.get_or_insert(Found { value: Said::NotSerious, at: i });
            }
            Some(Said::Level(l)) => {
                // a later "not serious" overrules an earlier serious level
                if serious(l) && not_serious.is_some() {
                    continue;
                }
                return Some(Found { value: Said::Level(l), at: i });
            }
            None => {}
        }
    }
    not_serious
}

/// Whether the case was (or will be) reported to IVO, from the last sentence that says so
/// (used when no level is stated: a known level decides, see [`ivo_of_level`]).
pub fn ivo(sentences: &[Sentence], tax: &Taxonomy) -> Option<Found<bool>> {
    for i in (0..sentences.len()).rev() {
        let s = &sentences[i];
        if s.section_heading
            || s.role == Some(Role::Annat)
            || tax.ignore.iter().any(|c| c.is_in(&s.lower))
        {
            continue;
        }
        if !tax.ivo_authority.iter().any(|c| c.is_in(&s.lower)) {
            continue;
        }
        if let Some((q, yes)) = answered_question(sentences, i) {
            if tax.ivo_verbs.iter().any(|c| c.is_in(q)) {
                return Some(Found { value: yes, at: i });
            }
            continue;
        }
        if s.lower.ends_with('?') {
            continue;
        }
        // The law in general ("Allvarliga missförhållanden ska anmälas till IVO", a fact box
        // under a news item): about no report in particular.
        if s.lower.contains("missförhållanden") && !s.lower.contains(':') {
            continue;
        }
        // "Anmälan till IVO: Ja" (an inline field or a ticked box)
        if let Some((k, v)) = s.lower.rsplit_once(':') {
            let v = v.trim_matches(|c: char| !c.is_alphanumeric());
            if tax.ivo_authority.iter().any(|c| c.is_in(k)) && matches!(v, "ja" | "nej") {
                return Some(Found { value: v == "ja", at: i });
            }
        }
        let Some((vs, ve)) = tax.ivo_verbs.iter().filter_map(|c| c.find_all(&s.lower).next()).min()
        else {
            continue;
        };
        // a negation among the three words before the verb or the two after it (or after
        // the authority): "ska inte anmälas", "anmäls inte", "anmälan till IVO görs inte"
        let before: Vec<&str> = words(&s.lower[..vs]).collect();
        let near_before = before.iter().rev().take(3).any(|x| NEG.contains(x));
        // A cue that is a stem (`anmäl`) ends inside its word: the rest of that word is no
        // word after the verb. A whole-word cue (`skickas`) ends at the word's end.
        let rest = &s.lower[ve..];
        let inside = rest.chars().next().is_some_and(char::is_alphanumeric);
        let after_verb = words(rest).skip(usize::from(inside)).take(2).any(|x| NEG.contains(&x));
        let after_authority = tax
            .ivo_authority
            .iter()
            .filter_map(|c| c.find_all(&s.lower).next())
            .any(|(_, ae)| words(&s.lower[ae..]).take(3).any(|x| NEG.contains(&x)));
        let no_report = s.lower.contains("ingen anmälan") || s.lower.contains("någon anmälan");
        let said = !(near_before || after_verb || after_authority || no_report);
        return Some(Found { value: said, at: i });
    }
    None
}

/// The IVO answer when a level is known: serious levels are reported, others are not.
pub fn ivo_of_level(level: Said) -> bool {
    matches!(level, Said::Level(l) if serious(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(s: &str) -> Option<Said> {
        level_of(&s.to_lowercase(), &Words::new())
    }

    fn l(x: &'static str) -> Option<Said> {
        Some(Said::Level(x))
    }

    #[test]
    fn levels_and_negations() {
        assert_eq!(level("Det rapporterade bedöms inte utgöra ett missförhållande."), l(INGET));
        assert_eq!(level("Något missförhållande har utredaren inte kunnat se."), l(INGET));
        assert_eq!(level("Utredaren bedömer att händelsen var ett missförhållande."), l(MISS));
        assert_eq!(level("Händelsen utgjorde en påtaglig risk för missförhållande."), l(RISK));
        assert_eq!(
            level("Händelsen innebar en risk för ett allvarligt missförhållande."),
            l(RISK_ALLV)
        );
        assert_eq!(level("Det inträffade är ett allvarligt missförhållande."), l(ALLV));
        assert_eq!(
            level("Det inträffade bedéms utgéra en pataglig risk fér allvarligt missférhallande."),
            l(RISK_ALLV)
        );
        assert_eq!(level("Ingen mening här."), None);
        assert_eq!(
            level("Det utgör inte ett allvarligt missförhållande men ett missförhållande."),
            l(MISS)
        );
        assert_eq!(level("Händelsen bedöms vara ett allvarligt missförhållande."), l(ALLV));
        assert_eq!(level("Lagen innebär att allvarliga missförhållanden anmäls."), None);
        assert_eq!(level("Utredningen har inte funnit några missförhållanden."), l(INGET));
        assert_eq!(level("Varken missförhållande eller påtaglig risk har förelegat."), l(INGET));
        // a negated serious level only rules out the serious levels
        assert_eq!(
            level("Händelsen bedöms inte som ett allvarligt missförhållande."),
            Some(Said::NotSerious)
        );
        assert_eq!(
            level("Något allvarligt missförhållande har inte förelegat."),
            Some(Said::NotSerious)
        );
    }

    fn sent(s: &str, role: Option<Role>) -> Sentence {
        Sentence {
            text: s.to_string(),
            lower: s.to_lowercase(),
            role,
            heading: false,
            section_heading: false,
            title: false,
            under: None,
            line: 0,
            ticked: false,
        }
    }

    fn lines(ss: &[&str]) -> Vec<Sentence> {
        ss.iter().enumerate().map(|(i, s)| Sentence { line: i, ..sent(s, None) }).collect()
    }

    #[test]
    fn last_statement_wins_and_law_text_is_ignored() {
        let tax = Taxonomy::builtin();
        let w = Words::new();
        let s = lines(&[
            "Rapportören bedömde att det var ett allvarligt missförhållande.",
            "Personalen är skyldig att rapportera varje missförhållande.",
            "Utredningen bedömer att det inträffade utgjorde ett missförhållande.",
            "Allvarliga missförhållanden avses här.",
        ]);
        let found = bedomning(&s, &tax, &w).unwrap();
        assert_eq!((found.value, found.at), (Said::Level(MISS), 2));
        assert!(!ivo_of_level(found.value));
        let value = |ss: &[&str]| ivo(&lines(ss), &tax).map(|f| f.value);
        assert_eq!(value(&["Ärendet ska inte anmälas till IVO."]), Some(false));
        assert_eq!(value(&["Ärendet anmäls till Inspektionen för vård och omsorg."]), Some(true));
        assert_eq!(value(&["En anmälan till IVO görs inte."]), Some(false));
        assert_eq!(value(&["Kommunen gör en lex Sarah-anmälan efter händelsen."]), Some(true));
        assert_eq!(value(&["Någon anmälan till IVO görs inte."]), Some(false));
        assert_eq!(value(&["Anmälan till IVO: Nej"]), Some(false));
        assert_eq!(value(&["Har händelsen anmälts till IVO?", "Ja"]), Some(true));
        // a whole-word verb: the negation is the very next word
        assert_eq!(value(&["Rapporten skickas inte till IVO."]), Some(false));
        assert_eq!(value(&["Rapporten skickas till IVO i dag."]), Some(true));
        assert_eq!(value(&["Ärendet anmäls inte till IVO."]), Some(false));
        // the law in general says nothing of this report
        assert_eq!(value(&["Allvarliga missförhållanden ska anmälas till IVO."]), None);
    }

    #[test]
    fn a_later_not_serious_keeps_the_level_stated_before_it() {
        let tax = Taxonomy::builtin();
        let w = Words::new();
        let s = lines(&[
            "Att ta en ungdoms egendom som bestraffning är ett missförhållande.",
            "Händelsen bedöms inte som ett allvarligt missförhållande, och anmälan till IVO görs inte.",
        ]);
        assert_eq!(bedomning(&s, &tax, &w).map(|f| f.value), Some(Said::Level(MISS)));
        let only = lines(&["Det är inte ett allvarligt missförhållande."]);
        assert_eq!(bedomning(&only, &tax, &w).map(|f| f.value), Some(Said::NotSerious));
        let qa = lines(&[
            "Utgjorde händelsen ett allvarligt missförhållande?",
            "Nej",
            "Utgjorde händelsen ett missförhållande?",
            "Ja",
        ]);
        assert_eq!(bedomning(&qa, &tax, &w).map(|f| f.value), Some(Said::Level(MISS)));
    }
}
