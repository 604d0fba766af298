//! Cue scores of labels over sentences, with the sentence that weighs most for each label
//! (the evidence).

use super::cue::{self, AnchorIndex};
use super::sections::Sentence;
use super::taxonomy::Label;

/// Sentences that name this many different labels of one field are lists, not evidence.
const ENUMERATION: usize = 3;

/// Per-label totals over a set of sentences.
#[derive(Debug, Clone)]
pub struct Scores {
    pub total: Vec<u32>,
    /// Per label: the sentence (index into the sentences given) that added most, if any.
    pub best: Vec<Option<usize>>,
}

/// How a sentence is scored.
pub struct Scoring<'a> {
    /// Weight of a sentence (0 leaves it out).
    pub weight: &'a dyn Fn(&Sentence) -> u32,
    /// Count negated cues too ("det fanns ingen rutin" is a cause).
    pub negated_count: bool,
    /// Most a label can get from one sentence before weighting (one sentence that repeats
    /// a word should not outweigh the rest of the text).
    pub cap: u32,
    /// The text a cue is matched in (e.g. with law references removed).
    pub prepare: &'a dyn Fn(&str) -> String,
}

/// A sentence holding a comma-separated list (four or more items of one to three words).
pub fn is_list(s: &str) -> bool {
    s.split(',').filter(|p| (1..=3).contains(&p.split_whitespace().count())).count() >= 4
}

/// Score `labels` over `sentences`.
pub fn scores(
    idx: &AnchorIndex,
    labels: &[Label],
    sentences: &[&Sentence],
    how: &Scoring,
) -> Scores {
    let mut total = vec![0u32; labels.len()];
    let mut best: Vec<Option<(u32, usize)>> = vec![None; labels.len()];
    for (si, s) in sentences.iter().enumerate() {
        let w = (how.weight)(s);
        if w == 0 {
            continue;
        }
        let text = (how.prepare)(&s.lower);
        if is_list(&text) {
            continue;
        }
        let present = idx.present(&text);
        let per: Vec<u32> = labels
            .iter()
            .map(|l| {
                if how.negated_count {
                    cue::score_all(&l.cues, &text, &present)
                } else {
                    cue::score(&l.cues, &text, &present)
                }
            })
            .collect();
        if per.iter().filter(|&&x| x > 0).count() >= ENUMERATION {
            continue;
        }
        for (i, x) in per.into_iter().enumerate() {
            if x == 0 {
                continue;
            }
            let add = x.min(how.cap) * w;
            total[i] += add;
            if best[i].is_none_or(|(b, _)| add > b) {
                best[i] = Some((add, si));
            }
        }
    }
    Scores { total, best: best.into_iter().map(|b| b.map(|(_, i)| i)).collect() }
}

impl Scores {
    /// The single best label reaching `min`; a tie is broken by `tie_break` (scores over a
    /// narrower set of sentences), and a tie there too gives `None`.
    pub fn best_label(&self, min: u32, tie_break: impl FnOnce() -> Scores) -> Option<usize> {
        let max = *self.total.iter().max()?;
        if max < min {
            return None;
        }
        let tied: Vec<usize> = (0..self.total.len()).filter(|&i| self.total[i] == max).collect();
        if tied.len() == 1 {
            return Some(tied[0]);
        }
        let c = tie_break();
        let cmax = tied.iter().map(|&i| c.total[i]).max()?;
        let top: Vec<usize> = tied.into_iter().filter(|&i| c.total[i] == cmax).collect();
        (top.len() == 1).then(|| top[0])
    }

    /// Every label reaching `min`, in taxonomy order.
    pub fn all_over(&self, min: u32) -> Vec<usize> {
        (0..self.total.len()).filter(|&i| self.total[i] >= min).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_recognised() {
        assert!(is_list("uppgifter som namn, adress, hälsa, missbruk, ekonomi och annat"));
        assert!(!is_list("han kom, såg att dörren var öppen, och gick in i rummet"));
    }
}
