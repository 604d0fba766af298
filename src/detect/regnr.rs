//! Swedish vehicle registration numbers (`patterns/regnr.toml`).

use super::patterns::{PatternSet, Scan};
use super::{DetectError, Detector};
use crate::document::{Kind, Span};

/// Finds registration numbers such as `ABC 123` and `ABC 12A`.
pub struct Regnr {
    set: PatternSet,
    stop: Vec<String>,
}

impl Regnr {
    pub fn new() -> Result<Regnr, DetectError> {
        let set = PatternSet::builtin("regnr.toml")?;
        let stop = set.words("stop").to_vec();
        Ok(Regnr { set, stop })
    }
}

impl Detector for Regnr {
    fn detect(&self, text: &str, out: &mut Vec<Span>) {
        self.detect_in(text, &Scan::new(text), out);
    }

    fn detect_in(&self, text: &str, scan: &Scan, out: &mut Vec<Span>) {
        self.set.scan(text, scan, |p, start, end| {
            let letters = &text[start..start + 3];
            if self.stop.iter().any(|s| s == letters) {
                return false;
            }
            super::push_uncovered(out, Kind::Regnr, start, end, p.name, p.confidence);
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_but_not_abbreviations() {
        let mut v = Vec::new();
        let text = "Bilen KTR 482 och MLB52C, enligt SFS 200 och SOL 123.";
        Regnr::new().unwrap().detect(text, &mut v);
        let got: Vec<&str> = v.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, ["KTR 482", "MLB52C"]);
    }
}
