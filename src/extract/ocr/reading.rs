//! What Tesseract read on one page image: its TSV output (`tesseract IMG stdout tsv`) as
//! words with pixel boxes, tidied the way maskera needs, and turned into the page text and
//! the page's word boxes in PDF points.
//!
//! The page text is laid out as Tesseract's own text output lays it out (words of a line
//! joined by one space, lines by a line break, paragraphs by a blank line), so reading the
//! TSV instead of the text output changes no word. Every tidying step works on whole words
//! and keeps their boxes: a restored `@` or `§` stays in its word's box, a speck of noise
//! is dropped with its box.

use std::sync::LazyLock;

use crate::document::{PageGeometry, WordBox};

/// One recognised word: its text, where it is in the image (pixels), and which line and
/// paragraph of Tesseract's layout it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Empty once dropped as scan noise.
    pub text: String,
    /// Tesseract's confidence, 0–100.
    pub conf: f32,
    /// `[left, top, right, bottom]` in pixels of the image, y down.
    pub px: [u32; 4],
    /// (block, paragraph) in Tesseract's layout.
    pub para: (u32, u32),
    /// Line within the paragraph.
    pub line: u32,
}

/// The words Tesseract read on one image, in reading order, and the image's size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub width: u32,
    pub height: u32,
    pub words: Vec<Word>,
}

/// TSV columns: level page block par line word left top width height conf text.
const COLUMNS: usize = 12;

impl Reading {
    /// Parse Tesseract's TSV output. Rows that are not words, and words without text, are
    /// skipped; a malformed row is skipped too (never an error: the text is what counts).
    pub fn parse_tsv(tsv: &str) -> Reading {
        let mut r = Reading::default();
        for row in tsv.lines() {
            let f: Vec<&str> = row.split('\t').collect();
            if f.len() < COLUMNS - 1 {
                continue;
            }
            let num = |i: usize| f[i].trim().parse::<u32>().ok();
            match f[0] {
                "1" => {
                    if let (Some(w), Some(h)) = (num(8), num(9)) {
                        (r.width, r.height) = (w, h);
                    }
                }
                "5" => {
                    let text = f.get(11).map_or("", |t| t.trim());
                    let (
                        Some(block),
                        Some(par),
                        Some(line),
                        Some(left),
                        Some(top),
                        Some(w),
                        Some(h),
                    ) = (num(2), num(3), num(4), num(6), num(7), num(8), num(9))
                    else {
                        continue;
                    };
                    if text.is_empty() {
                        continue;
                    }
                    r.words.push(Word {
                        text: text.to_string(),
                        conf: f[10].trim().parse().unwrap_or(0.0),
                        px: [left, top, left + w, top + h],
                        para: (block, par),
                        line,
                    });
                }
                _ => {}
            }
        }
        r
    }

    /// Put back what the Swedish model cannot read and drop scan noise (see
    /// [`restore_missing_characters`], [`drop_scan_noise`]), word by word.
    pub fn tidy(&mut self) {
        let joined = self.layout(|w| w.text.as_str());
        let restored = restore_missing_characters(&joined);
        if restored != joined {
            let words: Vec<&str> = restored.split_whitespace().collect();
            // The substitutions never add or remove a word; should one ever do, the
            // words stay as read rather than shift against their boxes.
            if words.len() == self.words.len() {
                for (w, t) in self.words.iter_mut().zip(words) {
                    if w.text != t {
                        w.text = t.to_string();
                    }
                }
            }
        }
        for w in &mut self.words {
            let kept = denoise(&w.text);
            if kept.len() != w.text.len() {
                w.text = kept.to_string();
            }
        }
    }

    /// Take from the page's replaced text layer the characters the Swedish model cannot
    /// read, where the two readings line up word for word: an `@` of an e-mail address the
    /// layer has (`anna.berg@kommun.se`) where this reading has something else in its place
    /// (`anna.bergdkommun.se`), and a `§` the layer has where this reading has `8`, `$` or
    /// `&`. Words are lined up on their letters without diacritics, so the layer's `for`
    /// meets this reading's `för`. Every other word stays as Tesseract read it.
    pub fn take_from_layer(&mut self, layer: &str) {
        let layer: Vec<&str> = layer.split_whitespace().collect();
        let idx: Vec<usize> =
            (0..self.words.len()).filter(|&i| !self.words[i].text.is_empty()).collect();
        let mine: Vec<String> = idx.iter().map(|&i| fold_key(&self.words[i].text)).collect();
        let theirs: Vec<String> = layer.iter().map(|w| fold_key(w)).collect();
        for op in similar::capture_diff_slices(similar::Algorithm::Myers, &theirs, &mine) {
            let similar::DiffOp::Replace { old_index, old_len, new_index, new_len } = op else {
                continue;
            };
            if old_len != new_len {
                continue;
            }
            for k in 0..old_len {
                let word = &mut self.words[idx[new_index + k]].text;
                if let Some(merged) = merge_word(layer[old_index + k], word) {
                    *word = merged;
                }
            }
        }
    }

    /// The page text, laid out as Tesseract's text output: words of a line joined by a
    /// space, lines by `\n`, paragraphs by a blank line. A line whose words were all noise
    /// stays as an empty line.
    pub fn text(&self) -> String {
        self.layout(|w| w.text.as_str())
    }

    fn layout<'a>(&'a self, text: impl Fn(&'a Word) -> &'a str) -> String {
        let mut out = String::new();
        let mut prev: Option<&Word> = None;
        let mut line_has_word = false;
        for w in &self.words {
            match prev {
                Some(p) if p.para == w.para && p.line == w.line => {}
                Some(p) => {
                    out.push('\n');
                    if p.para != w.para {
                        out.push('\n');
                    }
                    line_has_word = false;
                }
                None => {}
            }
            let t = text(w);
            if !t.is_empty() {
                if line_has_word {
                    out.push(' ');
                }
                out.push_str(t);
                line_has_word = true;
            }
            prev = Some(w);
        }
        if prev.is_some() {
            out.push('\n');
        }
        out
    }

    /// The word boxes in PDF points: the image lies over `at` (`[x0, y0, x1, y1]`, points
    /// from the top-left corner of a page `size` wide and high). Dropped words have no box.
    pub fn geometry(&self, size: (f32, f32), at: [f32; 4]) -> PageGeometry {
        let sx = if self.width > 0 { (at[2] - at[0]) / self.width as f32 } else { 0.0 };
        let sy = if self.height > 0 { (at[3] - at[1]) / self.height as f32 } else { 0.0 };
        let words = self
            .words
            .iter()
            .filter(|w| !w.text.is_empty())
            .map(|w| WordBox {
                text: w.text.clone(),
                x0: at[0] + w.px[0] as f32 * sx,
                y0: at[1] + w.px[1] as f32 * sy,
                x1: at[0] + w.px[2] as f32 * sx,
                y1: at[1] + w.px[3] as f32 * sy,
            })
            .collect();
        PageGeometry { width: size.0, height: size.1, words }
    }
}

/// A word's letters and digits, lower case, without diacritics: what two OCR engines agree
/// on when one of them has no Swedish letters.
fn fold_key(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ó' | 'ò' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c => c,
        })
        .collect()
}

/// `mine` with the layer's `@` or `§` put in, when the layer word has one that `mine`
/// lacks and the rest of the two words agree (see [`Reading::take_from_layer`]).
fn merge_word(layer: &str, mine: &str) -> Option<String> {
    if layer == "§" && matches!(mine, "8" | "$" | "&" | "$&" | "S" | "§") {
        return (mine != "§").then(|| "§".to_string());
    }
    let (local, domain) = layer.split_once('@')?;
    if mine.contains('@') || local.is_empty() || domain.is_empty() || domain.contains('@') {
        return None;
    }
    // The same name before the sign and the same domain after it, up to case and
    // diacritics; between them this reading has one to three other characters.
    let lead = mine.char_indices().map(|(i, _)| i).nth(local.chars().count())?;
    let tail_len = domain.chars().count();
    let tail = mine
        .char_indices()
        .map(|(i, _)| i)
        .rev()
        .find(|&i| mine[i..].chars().count() == tail_len)?;
    if tail < lead || fold_key(&mine[..lead]) != fold_key(local) {
        return None;
    }
    let between = mine[lead..tail].chars().count();
    if !(1..=3).contains(&between) || fold_key(&mine[tail..]) != fold_key(domain) {
        return None;
    }
    Some(format!("{}@{}", &mine[..lead], &mine[tail..]))
}

/// `@` as the Swedish model reads it (it has no `@`): one to three characters — a bracket or
/// a capital, then capitals or å/ä/ö (`Q`, `QW`, `(Q`, `(ö`, `Oö` …) — between an address's
/// lower-case name and its lower-case domain. A capital inside a lower-case word followed by
/// a domain hardly occurs in prose; where it does (`youTube.com`) the result is masked as an
/// address, which errs on the safe side.
static AT_SIGN: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"\b([a-z0-9][a-z0-9._%+-]*[a-z0-9])(?:[(\[{<«©®]|[A-ZÅÄÖ])[A-ZÅÄÖåäö©®]{0,2}",
        r"([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6})\b"
    ))
    .expect("at-sign regex")
});
/// `§` as the Swedish model reads it (`8`, `$`, `$&`, `&`) after a chapter reference.
static SECTION_SIGN: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(\bkap\.\s?\d{1,3}\s?[a-z]?\s)(?:\$&|\$|8|&)(\s)").expect("section regex")
});

/// Put back the characters the `swe` model cannot produce, where the context leaves no
/// doubt: `@` inside an e-mail address, `§` after "kap. N". Other output is unchanged, and
/// no word is split or joined.
pub fn restore_missing_characters(text: &str) -> String {
    let text = AT_SIGN.replace_all(text, "$1@$2");
    SECTION_SIGN.replace_all(&text, "$1§$2").into_owned()
}

/// Specks and stains on a scan come out of OCR as words of angle brackets, guillemets,
/// equals signs or tildes (`<<`, `«`, `=`), standing alone or glued to the start of a word.
/// Glued to a name they hide it from the name rules (`«Lindqvist`), so they go: whole
/// words of such marks, and one such mark before a capitalised word.
static NOISE_WORD: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^(?:<<|>>|[«»=~<>]){1,3}$").expect("noise regex"));
static NOISE_PREFIX: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^(?:<<|[«<])(\p{Lu}\p{Ll})").expect("glued noise regex"));

/// A word without scan noise (see [`NOISE_WORD`]): "" for a word that is only noise.
pub fn denoise(word: &str) -> &str {
    if NOISE_WORD.is_match(word) {
        return "";
    }
    match NOISE_PREFIX.captures(word).and_then(|c| c.get(1)) {
        Some(letters) => &word[letters.start()..],
        None => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TSV as Tesseract 5 writes it: two paragraphs, the first of two lines, with a
    /// noise word, an `@` read as `Q` and a glued speck.
    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t1000\t2000\t-1\t
2\t1\t1\t0\t0\t0\t100\t100\t800\t90\t-1\t
3\t1\t1\t1\t0\t0\t100\t100\t800\t90\t-1\t
4\t1\t1\t1\t1\t0\t100\t100\t800\t40\t-1\t
5\t1\t1\t1\t1\t1\t100\t100\t200\t40\t96.5\tKontakt
5\t1\t1\t1\t1\t2\t320\t100\t30\t40\t40.0\t<<
5\t1\t1\t1\t1\t3\t360\t100\t500\t40\t91.0\tanna.bergQexempel.se
4\t1\t1\t1\t2\t0\t100\t150\t400\t40\t-1\t
5\t1\t1\t1\t2\t1\t100\t150\t300\t40\t93.0\t«Lindqvist
5\t1\t1\t1\t2\t2\t410\t150\t90\t40\t95.0\tringde.
2\t1\t2\t0\t0\t0\t100\t300\t300\t40\t-1\t
3\t1\t2\t1\t0\t0\t100\t300\t300\t40\t-1\t
4\t1\t2\t1\t1\t0\t100\t300\t300\t40\t-1\t
5\t1\t2\t1\t1\t1\t100\t300\t120\t40\t90.0\tenligt
5\t1\t2\t1\t1\t2\t230\t300\t60\t40\t90.0\tkap.
5\t1\t2\t1\t1\t3\t300\t300\t20\t40\t90.0\t3
5\t1\t2\t1\t1\t4\t330\t300\t20\t40\t60.0\t8
5\t1\t2\t1\t1\t5\t360\t300\t40\t40\t90.0\tSoL
5\t1\t2\t1\t1\t6\t410\t300\t10\t40\t95.0\t 
";

    #[test]
    fn tsv_gives_tesseracts_text_layout_and_boxes_in_points() {
        let mut r = Reading::parse_tsv(TSV);
        assert_eq!((r.width, r.height, r.words.len()), (1000, 2000, 10));
        assert_eq!(
            r.text(),
            "Kontakt << anna.bergQexempel.se\n«Lindqvist ringde.\n\nenligt kap. 3 8 SoL\n"
        );
        r.tidy();
        let text = r.text();
        assert_eq!(
            text,
            "Kontakt anna.berg@exempel.se\nLindqvist ringde.\n\nenligt kap. 3 § SoL\n"
        );
        // An image of 1000 × 2000 px drawn over the left half of a 600 × 800 pt page.
        let g = r.geometry((600.0, 800.0), [0.0, 0.0, 300.0, 800.0]);
        assert_eq!((g.width, g.height), (600.0, 800.0));
        let words: Vec<&str> = g.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>(), "words in the text's order");
        let at = &g.words[1];
        assert_eq!(at.text, "anna.berg@exempel.se", "a restored word keeps its box");
        let near =
            |got: [f32; 4], want: [f32; 4]| got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-3);
        assert!(near([at.x0, at.y0, at.x1, at.y1], [108.0, 40.0, 258.0, 56.0]), "{at:?}");
        let section = g.words.iter().find(|w| w.text == "§").unwrap();
        assert!(near([section.x0, section.x1, 0.0, 0.0], [99.0, 105.0, 0.0, 0.0]), "{section:?}");
        let glued = &g.words[2];
        assert_eq!(glued.text, "Lindqvist");
        assert!(near([glued.x0, 0.0, 0.0, 0.0], [30.0, 0.0, 0.0, 0.0]), "{glued:?}");
    }

    #[test]
    fn the_layer_gives_back_at_and_section_signs() {
        let mut r = Reading::parse_tsv(TSV);
        r.words[2].text = "anna.bergdkommun.se".into(); // not restored by the rules
        r.tidy();
        r.take_from_layer("Kontakt anna.berg@kommun.se\nLindqvist ringde.\nenligt kap. 3 § SoL");
        assert_eq!(
            r.text(),
            "Kontakt anna.berg@kommun.se\nLindqvist ringde.\n\nenligt kap. 3 § SoL\n"
        );
        // Words that differ otherwise keep this reading.
        assert_eq!(merge_word("anna.berg@kommun.se", "anna.bergdkommun.nu"), None);
        assert_eq!(merge_word("anna.berg@kommun.se", "olle.bergdkommun.se"), None);
        assert_eq!(merge_word("för", "for"), None);
        assert_eq!(merge_word("§", "8"), Some("§".into()));
        assert_eq!(merge_word("a@b.se", "aQb.se"), Some("a@b.se".into()));
    }

    #[test]
    fn a_page_of_noise_has_empty_lines_and_no_boxes() {
        let tsv = "1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n5\t1\t1\t1\t1\t1\t0\t0\t2\t2\t10\t=\n";
        let mut r = Reading::parse_tsv(tsv);
        r.tidy();
        assert_eq!(r.text(), "\n");
        assert!(r.geometry((10.0, 10.0), [0.0, 0.0, 10.0, 10.0]).words.is_empty());
        assert_eq!(Reading::parse_tsv("").text(), "");
    }

    #[test]
    fn at_and_section_signs_are_restored() {
        let cases = [
            ("E-post kalle.ek@exempel.se", "E-post kalle.ekQexempel.se"),
            ("kalle.ek@exempel.se", "kalle.ekQWexempel.se"),
            ("k.ek@ab.se", "k.ekQQWab.se"),
            ("kalle.ek@exempel.se.", "kalle.ek(Qexempel.se."),
            ("kalle.ek@exempel.se", "kalle.ek(ÅQexempel.se"),
            ("kalle.ek@exempel.se", "kalle.ek(öexempel.se"),
            ("kalle.ek@exempel.se", "kalle.ekOöexempel.se"),
            ("kalle.ek@exempel.se", "kalle.ekWexempel.se"),
            ("enligt 14 kap. 3 § SoL", "enligt 14 kap. 3 8 SoL"),
            ("enligt 14 kap. 3 § SoL", "enligt 14 kap. 3 $& SoL"),
        ];
        for (want, ocr) in cases {
            assert_eq!(restore_missing_characters(ocr), want, "{ocr}");
        }
        let keep =
            ["Quality Q-märkt", "IQ 120 på testet", "SQL.se", "kap. 3 18 dagar", "Ek Qvist.se"];
        for keep in keep.into_iter().chain(["www.Exempel.se", "iPhone.se"]) {
            assert_eq!(restore_missing_characters(keep), keep);
        }
    }

    #[test]
    fn scan_noise_is_dropped_but_text_kept() {
        assert_eq!(denoise("<<"), "");
        assert_eq!(denoise("="), "");
        assert_eq!(denoise("«Lindqvist"), "Lindqvist");
        assert_eq!(denoise("<Lindqvist"), "Lindqvist");
        for keep in ["»Citat»", "->", "a@b.se", "§", "«ett", "handläggaren"] {
            assert_eq!(denoise(keep), keep);
        }
    }
}
