//! The OCR channel: which OCR strings stand for which true strings, with log-probabilities,
//! learned by `scripts/learn-confusions.py` into `patterns/ocr-confusions.tsv`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../../../patterns/ocr-confusions.tsv");

/// Worst log-probability a confusion may have (rare ones are floored, not dropped).
const FLOOR: f32 = -8.0;

/// One confusion: OCR `ocr` for true `truth`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub ocr: String,
    pub truth: String,
    pub logp: f32,
}

pub struct Channel {
    /// Rules keyed by the first character of their OCR string.
    by_first: BTreeMap<char, Vec<Rule>>,
    /// ln P(c read as c) for characters that take part in confusions.
    identity: BTreeMap<char, f32>,
}

impl Channel {
    pub fn get() -> &'static Channel {
        static CH: OnceLock<Channel> = OnceLock::new();
        CH.get_or_init(|| Channel::parse(TABLE))
    }

    fn parse(table: &str) -> Channel {
        let mut by_first: BTreeMap<char, Vec<Rule>> = BTreeMap::new();
        let mut identity = BTreeMap::new();
        for line in table.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            let (Some(ocr), Some(truth), Some(logp)) = (f.first(), f.get(1), f.get(4)) else {
                continue;
            };
            let Ok(logp) = logp.trim().parse::<f32>() else { continue };
            if ocr == truth {
                if let Some(c) = ocr.chars().next()
                    && ocr.chars().count() == 1
                {
                    identity.insert(c, logp);
                }
                continue;
            }
            // A confusion only matters when it can restore a letter.
            if !truth.chars().all(char::is_alphabetic) || ocr.is_empty() {
                continue;
            }
            let Some(first) = ocr.chars().next() else { continue };
            by_first.entry(first).or_default().push(Rule {
                ocr: ocr.to_string(),
                truth: truth.to_string(),
                logp: logp.clamp(FLOOR, -0.01),
            });
        }
        for rules in by_first.values_mut() {
            rules.sort_by(|a, b| b.logp.total_cmp(&a.logp).then_with(|| a.ocr.cmp(&b.ocr)));
        }
        Channel { by_first, identity }
    }

    pub fn rules(&self, c: char) -> &[Rule] {
        self.by_first.get(&c).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn identity(&self, c: char) -> f32 {
        self.identity.get(&c).copied().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_learned_table() {
        let ch = Channel::get();
        assert!(ch.rules('a').iter().any(|r| r.truth == "ä"));
        assert!(ch.rules('6').iter().any(|r| r.truth == "ö"));
        assert!(ch.identity('a') > ch.rules('a')[0].logp);
    }
}
