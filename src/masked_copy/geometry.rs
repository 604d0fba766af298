//! Where the masked spans are drawn: the normalised text aligned with the page's glyphs.
//!
//! Normalisation has no offset map back to the extracted text (hygiene and reflow change
//! spacing, hyphenation, ligatures and look-alike letters; OCR repair changes letters), so
//! spans are placed by alignment instead: both the normalised text and the page's glyphs
//! (or OCR word boxes) are reduced to their letters and digits, folded (lower case, no
//! diacritics, compatibility forms), cut into words and aligned word by word with a Myers
//! diff; words that differ are aligned letter by letter. Each masked span then covers the
//! glyphs its letters were aligned with, widened over unaligned letters at its edges to the
//! neighbouring aligned glyphs. A span none of whose letters is aligned cannot be placed
//! and fails the document closed ([`CopyError::Unplaced`]).
//!
//! A sweep adds a box over every word of the page that reads, folded, like a token of a
//! masked value (three letters or more, or five digits or more).

use std::collections::HashSet;

use similar::{Algorithm, DiffOp, capture_diff_slices};
use unicode_normalization::UnicodeNormalization;

use super::CopyError;

/// An axis-aligned box in points from the page's top-left corner, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn union(self, o: Rect) -> Rect {
        Rect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    /// Whether the two boxes share most of their height (are on one line).
    fn same_line(&self, o: &Rect) -> bool {
        let overlap = self.y1.min(o.y1) - self.y0.max(o.y0);
        overlap > 0.5 * self.height().min(o.height())
    }
}

/// A piece of a page's text with its box: a glyph of a text layer, or an OCR word.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// 0-based index of the page in the document.
    pub page: usize,
    pub text: String,
    pub rect: Rect,
    /// A word ends before this unit (a space, a gap, a new line, or an OCR word).
    pub word_start: bool,
}

/// Units of one page from its glyphs, with word starts found from spaces and gaps.
pub fn units_from_glyphs(page: usize, glyphs: &[super::raster::Glyph]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(glyphs.len());
    let mut invisible = Vec::with_capacity(glyphs.len());
    let mut space = true;
    for g in glyphs {
        if g.text.chars().all(char::is_whitespace) {
            space = true;
            continue;
        }
        let rect = Rect { x0: g.x0, y0: g.y0, x1: g.x1, y1: g.y1 };
        let gap = out.last().filter(|p| p.page == page).is_none_or(|p| {
            let h = p.rect.height().max(rect.height()).max(0.1);
            !p.rect.same_line(&rect)
                || rect.x0 - p.rect.x1 > 0.2 * h
                || rect.x0 < p.rect.x0 - 0.1 * h
        });
        out.push(Unit { page, text: g.text.clone(), rect, word_start: space || gap });
        invisible.push(g.invisible);
        space = false;
    }
    widen_invisible_words(&mut out, &invisible);
    out
}

/// An OCR engine's invisible text layer only estimates where a word's letters are (it
/// stretches a glyphless font over the word): the first and last unit of such a word are
/// widened, by a third and a half of the line height, but not into the neighbouring words.
fn widen_invisible_words(units: &mut [Unit], invisible: &[bool]) {
    // The neighbours' glyph boxes as they were: a word widened before must not keep the next
    // one from widening into the same gap.
    let original: Vec<Unit> = units.to_vec();
    for i in 0..units.len() {
        if !invisible[i] {
            continue;
        }
        let h = units[i].rect.height();
        let neighbour = |j: usize, units: &[Unit]| -> Option<Rect> {
            let (a, b) = (&units[i], units.get(j)?);
            (a.page == b.page && a.rect.same_line(&b.rect)).then_some(b.rect)
        };
        let units_before = &original;
        let last = i + 1 == units.len() || units[i + 1].word_start;
        if last {
            let mut x1 = units[i].rect.x1 + 0.5 * h;
            if let Some(next) = neighbour(i + 1, units_before) {
                x1 = x1.min(next.x0 - 0.02 * h);
            }
            units[i].rect.x1 = units[i].rect.x1.max(x1);
        }
        if units[i].word_start {
            let mut x0 = units[i].rect.x0 - 0.33 * h;
            if let Some(prev) = i.checked_sub(1).and_then(|j| neighbour(j, units_before)) {
                x0 = x0.max(prev.x1 + 0.02 * h);
            }
            units[i].rect.x0 = units[i].rect.x0.min(x0);
        }
    }
}

/// Units of one page from OCR word boxes (each its own word).
pub fn units_from_words(page: usize, words: &[crate::document::WordBox]) -> Vec<Unit> {
    words
        .iter()
        .filter(|w| !w.text.trim().is_empty())
        .map(|w| Unit {
            page,
            text: w.text.clone(),
            rect: Rect { x0: w.x0, y0: w.y0, x1: w.x1, y1: w.y1 },
            word_start: true,
        })
        .collect()
}

/// The folded letters and digits of `s`, each with a tag of where it came from.
fn folded_chars<T: Copy>(s: &str, tag: impl Fn(usize) -> T, out: &mut Vec<(char, T)>) {
    for (i, c) in s.char_indices() {
        for d in std::iter::once(c).nfkd() {
            if unicode_normalization::char::is_combining_mark(d) || !d.is_alphanumeric() {
                continue;
            }
            for l in d.to_lowercase() {
                out.push((l, tag(i)));
            }
        }
    }
}

/// Word ranges over a folded character sequence, cut where `breaks` says.
fn words(chars: usize, breaks: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=chars {
        if i == chars || breaks(i) {
            if i > start {
                out.push((start, i));
            }
            start = i;
        }
    }
    out
}

/// Larger replaced stretches are left unaligned (their spans then fail to place).
const MAX_CHAR_ALIGN: usize = 4000;

/// Equal words in a row that anchor the alignment of a text with its page words.
const ANCHOR_WORDS: usize = 3;

/// For each folded character of `text`, the index of the unit it is aligned with.
pub struct Alignment {
    /// (folded char, byte offset in the text)
    text_chars: Vec<(char, usize)>,
    unit_chars: Vec<(char, usize)>,
    to_unit_char: Vec<Option<usize>>,
}

impl Alignment {
    pub fn new(text: &str, units: &[Unit]) -> Alignment {
        let mut text_chars = Vec::with_capacity(text.len());
        folded_chars(text, |i| i, &mut text_chars);
        let mut unit_chars = Vec::with_capacity(units.len() * 2);
        let mut unit_word_start = Vec::with_capacity(units.len() * 2);
        for (u, unit) in units.iter().enumerate() {
            let before = unit_chars.len();
            folded_chars(&unit.text, |_| u, &mut unit_chars);
            for k in before..unit_chars.len() {
                unit_word_start.push(k == before && unit.word_start);
            }
        }
        // Words of the text: cut at every character that folds away (space, punctuation).
        let text_words = words(text_chars.len(), |i| {
            let (prev, at) = (text_chars[i - 1].1, text_chars[i].1);
            text[prev..at]
                .chars()
                .skip(1)
                .any(|c| !c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c))
        });
        // Words of the units: cut at word starts and where a unit without letters or
        // digits (punctuation) lies between two units.
        let unit_words = words(unit_chars.len(), |i| {
            unit_word_start[i] || unit_chars[i].1 > unit_chars[i - 1].1 + 1
        });
        let key = |chars: &[(char, usize)], (s, e): (usize, usize)| {
            chars[s..e].iter().map(|c| c.0).collect::<String>()
        };
        let tk: Vec<String> = text_words.iter().map(|w| key(&text_chars, *w)).collect();
        let uk: Vec<String> = unit_words.iter().map(|w| key(&unit_chars, *w)).collect();
        let mut to_unit_char = vec![None; text_chars.len()];
        let map_chars =
            |ts: usize, te: usize, us: usize, ue: usize, to: &mut Vec<Option<usize>>| {
                if te - ts > MAX_CHAR_ALIGN || ue - us > MAX_CHAR_ALIGN {
                    return;
                }
                let a: Vec<char> = text_chars[ts..te].iter().map(|c| c.0).collect();
                let b: Vec<char> = unit_chars[us..ue].iter().map(|c| c.0).collect();
                for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
                    if let DiffOp::Equal { old_index, new_index, len } = op {
                        for k in 0..len {
                            to[ts + old_index + k] = Some(us + new_index + k);
                        }
                    }
                }
            };
        // Runs of at least ANCHOR_WORDS equal words anchor the alignment; everything between
        // two anchors (replaced, inserted, deleted words and short equal runs among them) is
        // aligned letter by letter as one stretch. A short equal run alone can pair a name
        // with the same words inside an e-mail address the OCR read as one word
        // (`Anna Berg (anna.bergQx.se)`), leaving the name itself unplaced.
        let equal_words =
            |old_index: usize, new_index: usize, len: usize, to: &mut Vec<Option<usize>>| {
                for k in 0..len {
                    let (ts, te) = text_words[old_index + k];
                    let (us, _) = unit_words[new_index + k];
                    for j in 0..te - ts {
                        to[ts + j] = Some(us + j);
                    }
                }
            };
        let flush = |pending: &mut Vec<DiffOp>, to: &mut Vec<Option<usize>>| {
            let (Some(first), Some(last)) = (pending.first(), pending.last()) else { return };
            let (tw0, uw0) = (first.old_range().start, first.new_range().start);
            let (tw1, uw1) = (last.old_range().end, last.new_range().end);
            if tw1 > tw0 && uw1 > uw0 {
                let (ts, te) = (text_words[tw0].0, text_words[tw1 - 1].1);
                let (us, ue) = (unit_words[uw0].0, unit_words[uw1 - 1].1);
                if te - ts <= MAX_CHAR_ALIGN && ue - us <= MAX_CHAR_ALIGN {
                    map_chars(ts, te, us, ue, to);
                } else {
                    // Too long to align letter by letter: equal words as they are, replaced
                    // stretches each on its own.
                    for op in pending.iter() {
                        match *op {
                            DiffOp::Equal { old_index, new_index, len } => {
                                equal_words(old_index, new_index, len, to)
                            }
                            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                                map_chars(
                                    text_words[old_index].0,
                                    text_words[old_index + old_len - 1].1,
                                    unit_words[new_index].0,
                                    unit_words[new_index + new_len - 1].1,
                                    to,
                                )
                            }
                            _ => {}
                        }
                    }
                }
            }
            pending.clear();
        };
        let mut pending: Vec<DiffOp> = Vec::new();
        for op in capture_diff_slices(Algorithm::Myers, &tk, &uk) {
            if let DiffOp::Equal { old_index, new_index, len } = op
                && len >= ANCHOR_WORDS
            {
                flush(&mut pending, &mut to_unit_char);
                equal_words(old_index, new_index, len, &mut to_unit_char);
            } else {
                pending.push(op);
            }
        }
        flush(&mut pending, &mut to_unit_char);
        Alignment { text_chars, unit_chars, to_unit_char }
    }

    /// The units that draw the byte range `start..end` of the text. `Ok(empty)` when the
    /// range has no letter or digit; an error when it cannot be placed.
    pub fn place(&self, start: usize, end: usize) -> Result<Vec<usize>, CopyError> {
        let s = self.text_chars.partition_point(|c| c.1 < start);
        let e = self.text_chars.partition_point(|c| c.1 < end);
        if s == e {
            return Ok(Vec::new());
        }
        let matched: Vec<usize> = (s..e).filter_map(|i| self.to_unit_char[i]).collect();
        let (Some(&min), Some(&max)) = (matched.iter().min(), matched.iter().max()) else {
            return Err(CopyError::Unplaced);
        };
        let (mut lo, mut hi) = (min, max);
        if self.to_unit_char[s].is_none() {
            let prev = self.to_unit_char[..s].iter().rev().find_map(|m| *m).map_or(0, |p| p + 1);
            lo = lo.min(prev);
        }
        if self.to_unit_char[e - 1].is_none() {
            let next =
                self.to_unit_char[e..].iter().find_map(|m| *m).map_or(self.unit_chars.len(), |n| n)
                    - 1;
            hi = hi.max(next);
        }
        // Letters aligned far apart mean the alignment went astray here.
        if hi - lo + 1 > 2 * (e - s) + 8 {
            return Err(CopyError::Unplaced);
        }
        let mut units: Vec<usize> = self.unit_chars[lo..=hi].iter().map(|c| c.1).collect();
        units.dedup();
        Ok(units)
    }
}

/// A run of units with the punctuation attached to its ends (`12,` `(Anna`) added: an
/// OCR layer's estimate of where its letters are puts a last digit under its comma.
pub fn with_attached_punctuation(units: &[Unit], run: Vec<usize>) -> Vec<usize> {
    let (Some(&first), Some(&last)) = (run.first(), run.last()) else {
        return run;
    };
    let bare = |u: &Unit| !u.text.chars().any(char::is_alphanumeric);
    let mut start = first;
    while start > 0 && !units[start].word_start && bare(&units[start - 1]) {
        start -= 1;
    }
    let mut end = last;
    while end + 1 < units.len() && !units[end + 1].word_start && bare(&units[end + 1]) {
        end += 1;
    }
    let mut out: Vec<usize> = (start..first).collect();
    out.extend(run);
    out.extend(last + 1..=end);
    out
}

/// The word tokens of masked values that the sweep looks for: three letters or more, or
/// five digits or more, folded.
pub fn sweep_tokens(values: &[String]) -> HashSet<String> {
    let mut out = HashSet::new();
    for v in values {
        for w in v.split(|c: char| c.is_whitespace() || ",;:()[]\"'".contains(c)) {
            let mut chars = Vec::new();
            folded_chars(w, |_| (), &mut chars);
            let t: String = chars.iter().map(|c| c.0).collect();
            let letters = t.chars().filter(|c| c.is_alphabetic()).count();
            let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
            if letters >= 3 || digits >= 5 {
                out.insert(t);
            }
        }
    }
    out
}

/// Whether a page word, folded, reads like one of `tokens`: the token itself, or a token of
/// four characters or more with one character more anywhere (a mark OCR glued to the
/// word, or read into it: "sBlomkvast" for "Blomkvast").
fn reads_like_token(w: &str, tokens: &HashSet<String>) -> bool {
    if tokens.contains(w) {
        return true;
    }
    let chars: Vec<char> = w.chars().collect();
    chars.len() > 4
        && (0..chars.len()).any(|i| {
            let shorter: String =
                chars.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c).collect();
            tokens.contains(&shorter)
        })
}

/// The units of every page word that reads like one of `tokens` (see
/// [`reads_like_token`]), and of every two neighbouring words that together read as a
/// token of four characters or more (a word OCR split: "Blom kvast").
pub fn sweep(units: &[Unit], tokens: &HashSet<String>) -> Vec<Vec<usize>> {
    let mut words: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let mut j = i + 1;
        while j < units.len() && !units[j].word_start {
            j += 1;
        }
        let mut chars = Vec::new();
        for u in &units[i..j] {
            folded_chars(&u.text, |_| (), &mut chars);
        }
        words.push((i, j, chars.iter().map(|c| c.0).collect()));
        i = j;
    }
    let mut out = Vec::new();
    for (k, (i, j, w)) in words.iter().enumerate() {
        if !w.is_empty() && reads_like_token(w, tokens) {
            out.push((*i..*j).collect());
        }
        if let Some((_, j2, next)) = words.get(k + 1)
            && !w.is_empty()
            && !next.is_empty()
            && w.chars().count() + next.chars().count() >= 4
            && units[*i].page == units[*j2 - 1].page
            && tokens.contains(&format!("{w}{next}"))
        {
            out.push((*i..*j2).collect());
        }
    }
    out
}

/// One box per line over a run of units of one page (their boxes joined per line).
pub fn line_boxes(units: &[Unit], run: &[usize]) -> Vec<(usize, Rect)> {
    let mut out: Vec<(usize, Rect)> = Vec::new();
    for &u in run {
        let unit = &units[u];
        match out.last_mut() {
            Some((page, r))
                if *page == unit.page
                    && r.same_line(&unit.rect)
                    && unit.rect.x0 >= r.x0 - r.height() =>
            {
                *r = r.union(unit.rect);
            }
            _ => out.push((unit.page, unit.rect)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::masked_copy::raster::Glyph;

    fn glyphs(line: &str, y: f32) -> Vec<Glyph> {
        line.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                text: c.to_string(),
                x0: 10.0 + 6.0 * i as f32,
                y0: y,
                x1: 16.0 + 6.0 * i as f32,
                y1: y + 12.0,
                invisible: false,
            })
            .collect()
    }

    #[test]
    fn spans_are_placed_through_changed_spacing_and_letters() {
        // The layer reads "Handlaggare" with a ligature and a broken line; the text has
        // "Handläggare" repaired and joined.
        let mut g = glyphs("Ansvarig handlag-", 100.0);
        g.extend(glyphs("gare: Eva Holmqvist, tel", 114.0));
        let units = units_from_glyphs(0, &g);
        let text = "Ansvarig handläggare: Eva Holmqvist, tel\n";
        let a = Alignment::new(text, &units);
        let at = text.find("Eva").unwrap();
        let placed = a.place(at, at + "Eva Holmqvist".len()).unwrap();
        let s: String = placed.iter().map(|u| units[*u].text.as_str()).collect();
        assert_eq!(s, "EvaHolmqvist");
        let boxes = line_boxes(&units, &placed);
        assert_eq!(boxes.len(), 1);
        assert!(boxes[0].1.x0 <= units[placed[0]].rect.x0 && boxes[0].1.y0 == 114.0);
    }

    #[test]
    fn punctuation_attached_to_a_span_joins_it() {
        let units = units_from_glyphs(0, &glyphs("bor (Ekgatan 12), hos", 10.0));
        let run: Vec<usize> = (4..13).collect(); // "Ekgatan12"
        let got = with_attached_punctuation(&units, run);
        let s: String = got.iter().map(|u| units[*u].text.as_str()).collect();
        assert_eq!(s, "(Ekgatan12),");
        assert!(with_attached_punctuation(&units, vec![]).is_empty());
    }

    #[test]
    fn a_name_is_placed_on_itself_not_on_the_same_words_inside_an_ocr_address() {
        // The OCR read the address as one word with `Q` for `@`; the text has it restored.
        let read = ["Den", "rapporterade", "Anna", "Berg", "(anna.bergQx.se)", "i", "dag."];
        let words: Vec<crate::document::WordBox> = read
            .iter()
            .enumerate()
            .map(|(i, w)| crate::document::WordBox {
                text: w.to_string(),
                x0: 10.0 + 100.0 * i as f32,
                y0: 10.0,
                x1: 90.0 + 100.0 * i as f32,
                y1: 22.0,
            })
            .collect();
        let units = units_from_words(0, &words);
        let text = "Den rapporterade Anna Berg (anna.berg@x.se) i dag.\n";
        let a = Alignment::new(text, &units);
        let at = text.find("Anna").unwrap();
        assert_eq!(a.place(at, at + 9).unwrap(), vec![2, 3]);
        let at = text.find("anna.").unwrap();
        assert_eq!(a.place(at, at + 14).unwrap(), vec![4]);
    }

    #[test]
    fn a_span_missing_from_the_page_is_not_placed() {
        let units = units_from_glyphs(0, &glyphs("Ingen text om personen", 50.0));
        let text = "Ingen text om personen\nKarin Lindqvist ringde\n";
        let a = Alignment::new(text, &units);
        let at = text.find("Karin").unwrap();
        assert!(matches!(a.place(at, at + 15), Err(CopyError::Unplaced)));
        assert!(a.place(0, 1).unwrap().len() == 1);
    }

    #[test]
    fn words_of_an_invisible_ocr_layer_are_widened_up_to_their_neighbours() {
        let mut g = glyphs("Tom Tamm (x)", 10.0);
        for x in &mut g {
            x.invisible = true;
        }
        let units = units_from_glyphs(0, &g);
        // "Tamm": its first unit starts left of its glyph, its last ends right of it, and
        // neither reaches into "Tom" or "(x)".
        let (t, m) = (&units[3], &units[6]);
        assert!(t.rect.x0 < g[4].x0 && t.rect.x0 > g[2].x1);
        assert!(m.rect.x1 > g[7].x1 && m.rect.x1 < g[9].x0);
        // Visible text keeps its glyph boxes.
        let plain = units_from_glyphs(0, &glyphs("Tom Tamm (x)", 10.0));
        assert_eq!(plain[6].rect.x1, g[7].x1);
    }

    #[test]
    fn sweep_finds_other_mentions_of_a_masked_token() {
        let mut g = glyphs("Eva Holmqvist och Holmqvists 12", 10.0);
        g.extend(glyphs("HOLMQVIST", 30.0));
        let units = units_from_glyphs(0, &g);
        let tokens = sweep_tokens(&["Eva Holmqvist".into(), "12".into()]);
        assert!(tokens.contains("holmqvist") && tokens.contains("eva") && !tokens.contains("12"));
        let found = sweep(&units, &tokens);
        let words: Vec<String> =
            found.iter().map(|r| r.iter().map(|u| units[*u].text.as_str()).collect()).collect();
        assert_eq!(words, ["Eva", "Holmqvist", "Holmqvists", "HOLMQVIST"]);
    }

    #[test]
    fn sweep_finds_mentions_that_ocr_damaged() {
        // A mark glued to the name, the name split in two, one letter more: boxed; another
        // letter, or a short token with one more, not.
        let g = glyphs("Yxe sBlomkvast och Blom kvast, Blomkvastt Blomkvist Yxes", 10.0);
        let units = units_from_glyphs(0, &g);
        let tokens = sweep_tokens(&["Yxe Blomkvast".into()]);
        let found = sweep(&units, &tokens);
        let words: Vec<String> =
            found.iter().map(|r| r.iter().map(|u| units[*u].text.as_str()).collect()).collect();
        assert_eq!(words, ["Yxe", "sBlomkvast", "Blomkvast,", "Blomkvastt"]);
    }
}
