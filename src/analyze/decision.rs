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

const NEG: [&str; 6] = ["inte", "ej", "icke", "inget", "ingen", "inga"];

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// The level a statement sentence gives, if it names one.
pub fn level_of(s: &str, w: &Words) -> Option<&'static str> {
    let (ms, me) = w.missing.find_all(s).next()?;
    let before = &s[..ms];
    // the clause: after the last comma, semicolon or "men"
    let clause_start = before.rfind([',', ';']).map(|p| p + 1).unwrap_or(0).max(before.rfind(" men ").map(|p| p + 4).unwrap_or(0));
    let clause = &before[clause_start..];
    let after = &s[me..];
    let after_clause = &after[..after.find([',', ';']).unwrap_or(after.len())];
    let negated = words(clause).any(|x| NEG.contains(&x))
        || (words(clause).last() == Some("något") && words(after_clause).any(|x| NEG.contains(&x)));
    // the plural ("missförhållanden") is law or information text about cases in general
    let word: String = s[ms..].chars().take_while(|c| c.is_alphanumeric()).collect();
    if word.ends_with("nden") && !negated {
        return None;
    }
    if negated {
        // "… inte ett allvarligt missförhållande men ett missförhållande"
        let rest = after.find(" men ").and_then(|p| level_of(&after[p + 5..], w));
        return Some(rest.filter(|l| *l != INGET).unwrap_or(INGET));
    }
    let tail_start = before.char_indices().rev().nth(50).map(|(i, _)| i).unwrap_or(0);
    let tail = &before[tail_start..];
    let risk_at = w.risk.find_all(tail).last().map(|(s, _)| s);
    let serious = match risk_at {
        Some(r) => w.serious.is_in(&tail[r..]),
        None => {
            let near_start = tail.char_indices().rev().nth(20).map(|(i, _)| i).unwrap_or(0);
            w.serious.is_in(&tail[near_start..])
        }
    };
    Some(match (risk_at.is_some(), serious) {
        (true, true) => RISK_ALLV,
        (true, false) => RISK,
        (false, true) => ALLV,
        (false, false) => MISS,
    })
}

pub(crate) fn is_statement(s: &Sentence, tax: &Taxonomy) -> bool {
    !s.heading
        && !s.lower.ends_with('?')
        && !tax.ignore.iter().any(|c| c.is_in(&s.lower))
        && (s.role == Some(Role::Bedomning) || tax.statement.iter().any(|c| c.is_in(&s.lower)))
}

/// The final decision's level.
pub fn bedomning(sentences: &[Sentence], tax: &Taxonomy, w: &Words) -> Option<&'static str> {
    sentences.iter().rev().filter(|s| is_statement(s, tax)).find_map(|s| level_of(&s.lower, w))
}

/// Whether the case was (or will be) reported to IVO. Serious levels must be reported and
/// others need not be, so a known level decides; otherwise the last sentence that says so.
pub fn ivo(sentences: &[Sentence], tax: &Taxonomy, level: Option<&str>) -> Option<bool> {
    if let Some(l) = level {
        return Some(l == RISK_ALLV || l == ALLV);
    }
    sentences
        .iter()
        .rev()
        .filter(|s| !s.heading && !s.lower.ends_with('?') && !tax.ignore.iter().any(|c| c.is_in(&s.lower)))
        .filter(|s| tax.ivo_authority.iter().any(|c| c.is_in(&s.lower)))
        .filter_map(|s| {
            let (vs, ve) = tax.ivo_verbs.iter().filter_map(|c| c.find_all(&s.lower).next()).min()?;
            // a negation among the three words before the verb or the two after it (or after
            // the authority): "ska inte anmälas", "anmäls inte", "anmälan till IVO görs inte"
            let before: Vec<&str> = words(&s.lower[..vs]).collect();
            let near_before = before.iter().rev().take(3).any(|x| NEG.contains(x));
            let after_verb = words(&s.lower[ve..]).skip(1).take(2).any(|x| NEG.contains(&x));
            let after_authority = tax
                .ivo_authority
                .iter()
                .filter_map(|c| c.find_all(&s.lower).next())
                .any(|(_, ae)| words(&s.lower[ae..]).take(3).any(|x| NEG.contains(&x)));
            Some(!(near_before || after_verb || after_authority))
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(s: &str) -> Option<&'static str> {
        level_of(&s.to_lowercase(), &Words::new())
    }

    #[test]
    fn levels_and_negations() {
        assert_eq!(level("Det rapporterade bedöms inte utgöra ett missförhållande."), Some(INGET));
        assert_eq!(level("Något missförhållande har utredaren inte kunnat se."), Some(INGET));
        assert_eq!(level("Utredaren bedömer att händelsen var ett missförhållande."), Some(MISS));
        assert_eq!(level("Händelsen utgjorde en påtaglig risk för missförhållande."), Some(RISK));
        assert_eq!(level("Händelsen innebar en risk för ett allvarligt missförhållande."), Some(RISK_ALLV));
        assert_eq!(level("Det inträffade är ett allvarligt missförhållande."), Some(ALLV));
        assert_eq!(level("Det inträffade bedéms utgéra en pataglig risk fér allvarligt missférhallande."), Some(RISK_ALLV));
        assert_eq!(level("Ingen mening här."), None);
        assert_eq!(level("Det utgör inte ett allvarligt missförhållande men ett missförhållande."), Some(MISS));
        assert_eq!(level("Händelsen bedöms vara ett allvarligt missförhållande."), Some(ALLV));
        assert_eq!(level("Lagen innebär att allvarliga missförhållanden anmäls."), None);
        assert_eq!(level("Utredningen har inte funnit några missförhållanden."), Some(INGET));
    }

    fn sent(s: &str, role: Option<Role>) -> Sentence {
        Sentence { lower: s.to_lowercase(), role, heading: false }
    }

    #[test]
    fn last_statement_wins_and_law_text_is_ignored() {
        let tax = Taxonomy::builtin();
        let w = Words::new();
        let s = vec![
            sent("Rapportören bedömde att det var ett allvarligt missförhållande.", None),
            sent("Personalen är skyldig att rapportera varje missförhållande.", None),
            sent("Utredningen bedömer att det inträffade utgjorde ett missförhållande.", None),
            sent("Allvarliga missförhållanden avses här.", None),
        ];
        assert_eq!(bedomning(&s, &tax, &w), Some(MISS));
        assert_eq!(ivo(&s, &tax, Some(MISS)), Some(false));
        let only_ivo = vec![sent("Ärendet ska inte anmälas till IVO.", None)];
        assert_eq!(ivo(&only_ivo, &tax, None), Some(false));
        let yes = vec![sent("Ärendet anmäls till Inspektionen för vård och omsorg.", None)];
        assert_eq!(ivo(&yes, &tax, None), Some(true));
        let no = vec![sent("En anmälan till IVO görs inte.", None)];
        assert_eq!(ivo(&no, &tax, None), Some(false));
        let news = vec![sent("Kommunen gör en lex Sarah-anmälan efter händelsen.", None)];
        assert_eq!(ivo(&news, &tax, None), Some(true));
    }
}
