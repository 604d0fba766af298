//! Damage detection: does a page's text look like Swedish read by an OCR engine without
//! Swedish letters? Born-digital Swedish has å/ä/ö in roughly every tenth word; a page that
//! is plainly Swedish (function words) but has almost none, and shows the typical
//! stand-ins (`ar`, `pa`, `for`, `é` or digits inside words), is damaged.

/// Common Swedish function words, including their OCR-damaged forms.
const FUNCTION: &[&str] = &[
    "och", "att", "det", "som", "i", "en", "med", "av", "har", "till", "inte", "om", "den", "ett",
    "de", "kan", "ska", "var", "är", "ar", "på", "pa", "för", "for", "från", "fran",
];
/// Forms that only OCR damage produces in Swedish running text.
const GHOSTS: &[&str] =
    &["ar", "pa", "for", "fran", "nar", "nagon", "nagot", "aven", "harvid", "sa", "da", "dar"];

/// Words read per page.
pub const SAMPLE: usize = 1500;

/// What the detector found on one page (counts only).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Damage {
    pub words: usize,
    pub function: usize,
    pub diacritic: usize,
    pub ghosts: usize,
    pub signatures: usize,
}

impl Damage {
    /// Count the evidence in `text`. At most [`SAMPLE`] words are read: that is plenty to
    /// tell damaged from intact text, and keeps intact text cheap to pass through.
    pub fn measure(text: &str) -> Damage {
        let mut d = Damage::default();
        let mut lower = String::new();
        for tok in text.split_ascii_whitespace() {
            if d.words >= SAMPLE {
                break;
            }
            let core = tok.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '|');
            if !core.chars().any(char::is_alphabetic) {
                continue;
            }
            d.words += 1;
            // One pass over the word's characters for every count below.
            let (mut letters, mut digits) = (0usize, 0usize);
            let (mut diacritic, mut e_acute, mut amp, mut four_six) = (false, false, false, false);
            for c in core.chars() {
                match c {
                    'å' | 'ä' | 'ö' | 'Å' | 'Ä' | 'Ö' => diacritic = true,
                    'é' | 'É' => e_acute = true,
                    '&' => amp = true,
                    '4' | '6' => four_six = true,
                    _ => {}
                }
                if c.is_ascii_digit() {
                    digits += 1;
                } else if c.is_alphabetic() {
                    letters += 1;
                }
            }
            if diacritic {
                d.diacritic += 1;
            }
            if core.len() <= 6 {
                lower.clear();
                lower.extend(core.chars().flat_map(char::to_lowercase));
                if FUNCTION.contains(&lower.as_str()) {
                    d.function += 1;
                }
                if GHOSTS.contains(&lower.as_str()) {
                    d.ghosts += 1;
                }
            }
            if (e_acute && letters >= 3)
                || (amp && letters >= 2)
                || (digits == 1 && letters >= 2 && four_six)
            {
                d.signatures += 1;
            }
        }
        d
    }

    /// Whether the page has (almost) no å/ä/ö: in a document with damaged pages it is
    /// repaired too (short pages, tables and footers give too little evidence alone).
    pub fn is_undecided(&self) -> bool {
        self.diacritic * 100 <= self.words * 2
    }

    /// Whether the page should be repaired.
    pub fn is_damaged(&self) -> bool {
        if self.words < 8 || self.function * 10 < self.words {
            return false; // too little text, or not Swedish running text
        }
        // Intact Swedish: about 8–15 % of words carry å/ä/ö.
        let diacritic_rare = self.diacritic * 100 <= self.words * 2;
        let evidence = self.ghosts + self.signatures;
        diacritic_rare && evidence * 50 >= self.words && evidence >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_ocr_is_detected() {
        let t = "Handelsen ar utredd och det ar klart att personalen inte foljde rutinen for \
                 hantering av lakemedel pa boendet. Atgarder har vidtagits och arendet ar avslutat.";
        assert!(Damage::measure(t).is_damaged());
    }

    #[test]
    fn born_digital_is_not() {
        let t = "Händelsen är utredd och det är klart att personalen inte följde rutinen för \
                 hantering av läkemedel på boendet. Åtgärder har vidtagits och ärendet är avslutat.";
        assert!(!Damage::measure(t).is_damaged());
        assert!(
            !Damage::measure("This is an English text for the purpose of a test and it is fine.")
                .is_damaged()
        );
    }
}
