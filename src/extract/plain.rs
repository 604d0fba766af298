//! pdf-extract's plain-text output device, with two of its misreadings put right.
//!
//! Like `pdf_extract::PlainTextOutput`, it writes each glyph's text in content-stream order
//! and decides at the start of every shown string whether a space or a line break comes
//! before it, from where the previous string ended. It differs in two places only:
//! - Text that does not run left to right (rotated table headers, vertical labels) is
//!   measured along its own baseline. pdf-extract measures it on the page, where the font
//!   size comes out as the square root of a negative number: no gap is ever seen, and the
//!   words of every rotated line run together (`MandagTirsdag`).
//! - A string that starts well to the left of where the previous one ended, on the same
//!   line, starts a new word (a table cell filled after its right neighbour). An accent
//!   drawn back over its letter moves less than the letter's width and stays joined.
//!
//! Upright text with gaps and line changes that pdf-extract already reads is written
//! exactly as it writes it: the masked copy aligns this text with the page's glyphs.

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// How far left (in font sizes) a string on the same line must start to begin a new word.
const BACK_JUMP: f64 = 1.0;

pub struct PlainText<'a> {
    out: &'a mut String,
    /// Where the previous glyph ended, along its baseline.
    last_end: f64,
    /// The previous glyph's position across its baseline.
    last_y: f64,
    /// The next glyph starts a shown string.
    first_char: bool,
    /// The page's height, to measure from its top edge.
    page_top: f64,
}

impl<'a> PlainText<'a> {
    pub fn new(out: &'a mut String) -> PlainText<'a> {
        PlainText { out, last_end: 100_000.0, last_y: 0.0, first_char: false, page_top: 0.0 }
    }
}

/// A glyph's position (along and across its baseline, y down) and font size in page
/// units, from its text rendering matrix.
fn placed(trm: &Transform, font_size: f64, page_top: f64) -> (f64, f64, f64) {
    let (x, y) = (trm.m31, page_top - trm.m32);
    // pdf-extract's measure: the geometric mean of the transformed size vector's sides.
    let vx = font_size * (trm.m11 + trm.m21);
    let vy = font_size * (trm.m12 + trm.m22);
    let mut size = (vx * vy).sqrt();
    if size.is_nan() || size <= 0.0 {
        size = font_size * (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
    }
    let n = trm.m11.hypot(trm.m12);
    if n > 0.0 && !(trm.m11 > 0.0 && trm.m12 == 0.0) {
        // Turn the page so that this baseline runs left to right (y is down here).
        let (ux, uy) = (trm.m11 / n, trm.m12 / n);
        return (x * ux - y * uy, x * uy + y * ux, size);
    }
    (x, y, size)
}

impl OutputDev for PlainText<'_> {
    fn begin_page(
        &mut self,
        _: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page_top = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        let (x, y, size) = placed(trm, font_size, self.page_top);
        if self.first_char {
            let dy = (y - self.last_y).abs();
            if dy > size * 1.5 {
                self.out.push('\n');
            }
            if x < self.last_end && dy > size * 0.5 {
                self.out.push('\n');
            }
            let gap = x > self.last_end + size * 0.1;
            let back = dy <= size * 0.5
                && x < self.last_end - size * BACK_JUMP
                && !self.out.ends_with([' ', '\n']);
            if gap || back {
                self.out.push(' ');
            }
        }
        self.out.push_str(text);
        self.first_char = false;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.first_char = true;
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
