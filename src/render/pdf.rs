//! PDF rendering of a redacted document.
//!
//! The PDF is written from scratch with `lopdf`: A4 pages, DejaVu Sans (regular and bold)
//! embedded as subsetted Type0/CIDFontType2 fonts with a `/ToUnicode` CMap, so that text
//! extraction returns exactly the characters of the blocks. Nothing else on the page is
//! text: placeholders get a grey rectangle behind them and the page numbers are drawn as
//! filled glyph outlines. The file carries no metadata (no `/Info`, no XMP, no dates) and
//! is deterministic: the same blocks always give the same bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::LazyLock;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};
use sha2::{Digest, Sha256};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

use super::layout::{Block, BlockKind, Layout, Segment};

/// Why a PDF could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// An embedded font could not be parsed.
    #[error("embedded font {name} could not be parsed: {source}")]
    FontParse { name: &'static str, source: ttf_parser::FaceParsingError },
    /// An embedded font could not be subset.
    #[error("embedded font {name} could not be subset: {source}")]
    Subset { name: &'static str, source: subsetter::Error },
    /// lopdf failed to build a PDF object (e.g. compressing a stream).
    #[error("PDF object error: {0}")]
    Lopdf(#[from] lopdf::Error),
    /// Writing the PDF failed.
    #[error("PDF could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// Compress a stream with Flate at zlib's fastest level. Most of a report PDF is its two
/// font subsets, compressed anew for every document: `Stream::compress` (the best level)
/// took 5–8 % of a whole run; the fast level costs a third of that for files about 30 %
/// larger (≈ 35 kB instead of 27 kB for a two-page report).
fn deflate(stream: &mut Stream) -> Result<(), std::io::Error> {
    use std::io::Write as _;
    let mut enc = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(stream.content.len() / 2),
        flate2::Compression::fast(),
    );
    enc.write_all(&stream.content)?;
    let compressed = enc.finish()?;
    stream.dict.set("Filter", "FlateDecode");
    stream.set_content(compressed);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Page geometry and typography (all in PDF points).

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Baseline of the page number ("1 / 3"), drawn as outlines below the bottom margin.
const FOOTER_BASELINE: f32 = 30.0;
const FOOTER_SIZE: f32 = 8.5;
/// Where a list item's text starts, relative to the left margin (the marker hangs left of it).
const LIST_INDENT: f32 = 18.0;
/// Least room left of a list item's marker, relative to the left margin.
const LIST_MARKER_X: f32 = 4.0;
/// Horizontal padding of the grey placeholder rectangle.
const MASK_PAD: f32 = 1.2;

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    size: f32,
    leading: f32,
    space_before: f32,
    space_after: f32,
}

fn style(kind: BlockKind) -> Style {
    match kind {
        BlockKind::Title => {
            Style { bold: true, size: 16.0, leading: 1.25, space_before: 0.0, space_after: 10.0 }
        }
        BlockKind::Heading => {
            Style { bold: true, size: 12.0, leading: 1.3, space_before: 12.0, space_after: 3.0 }
        }
        BlockKind::ListItem => {
            Style { bold: false, size: 10.5, leading: 1.35, space_before: 0.0, space_after: 6.0 }
        }
        BlockKind::Paragraph => {
            Style { bold: false, size: 10.5, leading: 1.35, space_before: 0.0, space_after: 7.0 }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Fonts: parsed once per process.

static REGULAR_BYTES: &[u8] = include_bytes!("../../templates/fonts/DejaVuSans.ttf");
static BOLD_BYTES: &[u8] = include_bytes!("../../templates/fonts/DejaVuSans-Bold.ttf");

struct FontData {
    name: &'static str,
    bytes: &'static [u8],
    face: Face<'static>,
    /// 1000 / units per em.
    to_pdf: f32,
    ascent: f32,
    descent: f32,
    cap_height: f32,
    bbox: [f32; 4],
}

type FontResult = Result<FontData, (&'static str, ttf_parser::FaceParsingError)>;

fn load_font(name: &'static str, bytes: &'static [u8]) -> FontResult {
    let face = Face::parse(bytes, 0).map_err(|e| (name, e))?;
    let to_pdf = 1000.0 / f32::from(face.units_per_em());
    let bb = face.global_bounding_box();
    Ok(FontData {
        name,
        bytes,
        to_pdf,
        ascent: f32::from(face.ascender()) * to_pdf,
        descent: f32::from(face.descender()) * to_pdf,
        cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())) * to_pdf,
        bbox: [
            f32::from(bb.x_min) * to_pdf,
            f32::from(bb.y_min) * to_pdf,
            f32::from(bb.x_max) * to_pdf,
            f32::from(bb.y_max) * to_pdf,
        ],
        face,
    })
}

static REGULAR: LazyLock<FontResult> = LazyLock::new(|| load_font("DejaVuSans", REGULAR_BYTES));
static BOLD: LazyLock<FontResult> = LazyLock::new(|| load_font("DejaVuSans-Bold", BOLD_BYTES));

fn font(f: &'static FontResult) -> Result<&'static FontData, PdfError> {
    f.as_ref().map_err(|(name, e)| PdfError::FontParse { name, source: *e })
}

impl FontData {
    fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    /// Advance of glyph `gid` in thousandths of an em.
    fn advance(&self, gid: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)) * self.to_pdf
    }
}

/// The character actually drawn for `c`: tabs and other breaking whitespace become spaces.
fn drawn(c: char) -> char {
    if is_break(c) { ' ' } else { c }
}

/// Whitespace where a line may be broken (everything but the no-break spaces).
fn is_break(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2060}')
}

// ---------------------------------------------------------------------------------------
// Per-document font usage: characters → glyphs → CIDs in the subset.

/// A map from characters, with a flat table for the first few scripts (Latin, Greek,
/// Cyrillic, ...) since it is looked up once per character of the document.
struct CharMap<T> {
    dense: Vec<Option<T>>,
    rest: HashMap<char, T>,
}

const DENSE: usize = 0x800;

impl<T: Copy> CharMap<T> {
    fn new() -> Self {
        CharMap { dense: vec![None; DENSE], rest: HashMap::new() }
    }

    fn get(&self, c: char) -> Option<T> {
        match self.dense.get(c as usize) {
            Some(v) => *v,
            None => self.rest.get(&c).copied(),
        }
    }

    fn insert(&mut self, c: char, v: T) {
        match self.dense.get_mut(c as usize) {
            Some(slot) => *slot = Some(v),
            None => {
                self.rest.insert(c, v);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty() && self.dense.iter().all(Option::is_none)
    }

    /// All entries, sorted by character.
    fn sorted(&self) -> BTreeMap<char, T> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((char::from_u32(i as u32)?, (*v)?)));
        dense.chain(self.rest.iter().map(|(c, v)| (*c, *v))).collect()
    }
}

/// Usage of one face in one document, and per-document measuring cache.
struct FontUse {
    font: &'static FontData,
    /// Every character drawn with this face, with its original glyph and advance (1/1000 em).
    chars: CharMap<(u16, f32)>,
}

impl FontUse {
    fn new(font: &'static FontData) -> Self {
        FontUse { font, chars: CharMap::new() }
    }

    /// Width in thousandths of an em of `c` as drawn, recording it as used.
    fn measure(&mut self, c: char) -> f32 {
        let c = drawn(c);
        if let Some((_, adv)) = self.chars.get(c) {
            return adv;
        }
        let g = self.font.glyph(c);
        let adv = self.font.advance(g);
        self.chars.insert(c, (g, adv));
        adv
    }

    /// Record [`HYPHEN_GUARD`] as used, drawn with the space glyph (whatever the font has
    /// for the character itself), so it is blank on the page.
    fn use_guard(&mut self) {
        if self.chars.get(HYPHEN_GUARD).is_none() {
            let g = self.font.glyph(' ');
            self.chars.insert(HYPHEN_GUARD, (g, self.font.advance(g)));
        }
    }

    fn text_width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.measure(c)).sum::<f32>() * size / 1000.0
    }
}

/// A face as embedded: the subset and the CID of every character.
struct Embedded {
    cid_of: CharMap<u16>,
    font_ref: ObjectId,
}

/// The CIDs of one embedded face.
struct Cids {
    /// The CID of every character drawn.
    cid_of: CharMap<u16>,
    /// CID → (character, advance), for widths and ToUnicode.
    info: BTreeMap<u16, (char, f32)>,
    /// Glyphs in the subset; CIDs from here on are extra.
    n_glyphs: u16,
    /// The subset's glyph id of extra CID `n_glyphs + i`.
    extra_gid: Vec<u16>,
}

/// CID = remapped glyph id for the first character of each glyph. A character that shares
/// its glyph with another one, and every character the font lacks (drawn with .notdef),
/// gets an extra CID past the subset's glyphs, so that ToUnicode can map each CID to exactly
/// one character; those CIDs then need an explicit CIDToGIDMap.
fn assign_cids(chars: &BTreeMap<char, (u16, f32)>, remapper: &subsetter::GlyphRemapper) -> Cids {
    let n_glyphs = remapper.num_gids();
    let mut cids =
        Cids { cid_of: CharMap::new(), info: BTreeMap::new(), n_glyphs, extra_gid: Vec::new() };
    let mut taken: BTreeSet<u16> = BTreeSet::new();
    for (&c, &(g, adv)) in chars {
        let new_gid = if g == 0 { 0 } else { remapper.get(g).unwrap_or(0) };
        let cid = if new_gid != 0 && taken.insert(new_gid) {
            new_gid
        } else {
            cids.extra_gid.push(new_gid);
            n_glyphs + cids.extra_gid.len() as u16 - 1
        };
        cids.cid_of.insert(c, cid);
        cids.info.insert(cid, (c, adv));
    }
    cids
}

/// `/W`: consecutive runs of CIDs as `c [w1 w2 ...]`.
fn width_array(info: &BTreeMap<u16, (char, f32)>) -> Vec<Object> {
    let mut widths: Vec<Object> = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start: Option<u16> = None;
    let mut prev: Option<u16> = None;
    for (&cid, &(_, adv)) in info {
        if prev.is_some_and(|p| p + 1 != cid) {
            widths.push(i64::from(run_start.unwrap_or(0)).into());
            widths.push(Object::Array(std::mem::take(&mut run)));
            run_start = None;
        }
        run_start.get_or_insert(cid);
        run.push(real(adv));
        prev = Some(cid);
    }
    if let Some(start) = run_start {
        widths.push(i64::from(start).into());
        widths.push(Object::Array(run));
    }
    widths
}

/// `/CIDToGIDMap`: `Identity` unless extra CIDs need their glyphs named.
fn cid_to_gid_map(doc: &mut Document, cids: &Cids) -> Result<Object, PdfError> {
    if cids.extra_gid.is_empty() {
        return Ok(Object::Name(b"Identity".to_vec()));
    }
    let mut map = Vec::with_capacity((usize::from(cids.n_glyphs) + cids.extra_gid.len()) * 2);
    for g in 0..cids.n_glyphs {
        map.extend_from_slice(&g.to_be_bytes());
    }
    for g in &cids.extra_gid {
        map.extend_from_slice(&g.to_be_bytes());
    }
    let mut s = Stream::new(Dictionary::new(), map);
    deflate(&mut s)?;
    Ok(Object::Reference(doc.add_object(s)))
}

/// Stem width of the font descriptor: the bold face's stems are wider.
const STEM_V_BOLD: i64 = 120;
const STEM_V_REGULAR: i64 = 80;

/// The embedded font file and its descriptor.
fn font_descriptor(
    doc: &mut Document,
    font: &FontData,
    base_font: &str,
    subset: Vec<u8>,
) -> Result<ObjectId, PdfError> {
    let mut file = Stream::new(dictionary! { "Length1" => subset.len() as i64 }, subset);
    deflate(&mut file)?;
    let file_ref = doc.add_object(file);
    Ok(doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base_font.as_bytes().to_vec()),
        "Flags" => 4,
        "FontBBox" => font.bbox.iter().map(|v| real(*v)).collect::<Vec<Object>>(),
        "ItalicAngle" => 0,
        "Ascent" => real(font.ascent),
        "Descent" => real(font.descent),
        "CapHeight" => real(font.cap_height),
        "StemV" => if std::ptr::eq(font.bytes, BOLD_BYTES) { STEM_V_BOLD } else { STEM_V_REGULAR },
        "FontFile2" => file_ref,
    }))
}

/// Build the subset, descendant font, descriptor and ToUnicode CMap for one face.
fn embed(doc: &mut Document, usage: &FontUse) -> Result<Embedded, PdfError> {
    let font = usage.font;
    // Sorted for determinism (HashMap order is random).
    let chars: BTreeMap<char, (u16, f32)> = usage.chars.sorted();
    let gids: Vec<u16> = chars
        .values()
        .map(|(g, _)| *g)
        .filter(|g| *g != 0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&gids);
    let subset = subsetter::subset(font.bytes, 0, &remapper)
        .map_err(|source| PdfError::Subset { name: font.name, source })?;
    let cids = assign_cids(&chars, &remapper);
    let base_font = format!("{}+{}", subset_tag(font.name, &chars), font.name);
    let descriptor = font_descriptor(doc, font, &base_font, subset)?;
    let cid_to_gid = cid_to_gid_map(doc, &cids)?;
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(base_font.clone().into_bytes()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "DW" => 0,
        "W" => width_array(&cids.info),
        "CIDToGIDMap" => cid_to_gid,
    });
    let mut cmap = Stream::new(Dictionary::new(), to_unicode_cmap(&cids.info).into_bytes());
    deflate(&mut cmap)?;
    let cmap_ref = doc.add_object(cmap);
    let font_ref = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => Object::Name(base_font.into_bytes()),
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(descendant)],
        "ToUnicode" => cmap_ref,
    });
    Ok(Embedded { cid_of: cids.cid_of, font_ref })
}

/// Six capital letters derived from the subset's contents (deterministic).
fn subset_tag(name: &str, chars: &BTreeMap<char, (u16, f32)>) -> String {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    for c in chars.keys() {
        h.update((*c as u32).to_be_bytes());
    }
    h.finalize().iter().take(6).map(|b| char::from(b'A' + b % 26)).collect()
}

fn to_unicode_cmap(cid_info: &BTreeMap<u16, (char, f32)>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // Runs of consecutive CIDs mapping to consecutive BMP characters become one bfrange
    // entry (a subset's Latin letters mostly do), the rest bfchar entries: a short map is
    // quick to parse for every reader, including our own verification. A range stays within
    // one high byte on both sides, as the CMap specification asks.
    let mut ranges: Vec<(u16, u16, u32)> = Vec::new();
    let mut chars: Vec<(u16, char)> = Vec::new();
    let mut run: Option<(u16, u16, u32)> = None;
    let flush =
        |run: &mut Option<(u16, u16, u32)>, ranges: &mut Vec<_>, chars: &mut Vec<(u16, char)>| {
            if let Some((first, last, u)) = run.take() {
                if last > first {
                    ranges.push((first, last, u));
                } else {
                    chars.push((first, char::from_u32(u).unwrap_or('\u{fffd}')));
                }
            }
        };
    for (&cid, &(c, _)) in cid_info {
        let u = c as u32;
        let bmp = u <= 0xFFFF;
        let extends = run.is_some_and(|(first, last, start)| {
            bmp && cid == last + 1
                && u == start + u32::from(cid - first)
                && cid >> 8 == first >> 8
                && u >> 8 == start >> 8
        });
        if extends {
            if let Some(r) = run.as_mut() {
                r.1 = cid;
            }
            continue;
        }
        flush(&mut run, &mut ranges, &mut chars);
        if bmp {
            run = Some((cid, cid, u));
        } else {
            chars.push((cid, c));
        }
    }
    flush(&mut run, &mut ranges, &mut chars);
    for chunk in chars.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (cid, c) in chunk {
            let _ = write!(s, "<{cid:04X}> <");
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(s, "{unit:04X}");
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    for chunk in ranges.chunks(100) {
        let _ = writeln!(s, "{} beginbfrange", chunk.len());
        for (first, last, u) in chunk {
            let _ = writeln!(s, "<{first:04X}> <{last:04X}> <{u:04X}>");
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

fn real(v: f32) -> Object {
    // Round to 3 decimals so that the bytes never depend on float noise.
    Object::Real((v * 1000.0).round() / 1000.0)
}

// ---------------------------------------------------------------------------------------
// Line breaking.

/// A piece of a word: ordinary text or a whole placeholder.
#[derive(Clone)]
struct Piece {
    text: String,
    masked: bool,
    /// Width in points (the natural width of its glyphs).
    width: f32,
}

impl Piece {
    fn new(text: String, masked: bool, width: f32) -> Self {
        Piece { text, masked, width }
    }
}

/// A laid-out line: pieces with their x offsets from the line's start.
#[derive(Default)]
struct Line {
    pieces: Vec<(f32, Piece)>,
    width: f32,
}

impl Line {
    fn push(&mut self, p: Piece) {
        let w = p.width;
        // Merge adjacent ordinary text, so each line is one run per masked/unmasked stretch.
        if let Some((_, last)) = self.pieces.last_mut()
            && !last.masked
            && !p.masked
        {
            last.text.push_str(&p.text);
            last.width += w;
        } else {
            self.pieces.push((self.width, p));
        }
        self.width += w;
    }
}

/// Split one logical line into words (runs without breaking whitespace; a placeholder is
/// always inside one word, whitespace and all).
fn words(segments: &[Segment], fu: &mut FontUse, size: f32) -> Vec<Vec<Piece>> {
    let mut out: Vec<Vec<Piece>> = Vec::new();
    let mut cur: Vec<Piece> = Vec::new();
    for seg in segments {
        if seg.masked {
            let width = fu.text_width(&seg.text, size);
            cur.push(Piece::new(seg.text.clone(), true, width));
            continue;
        }
        let mut text = String::new();
        for c in seg.text.chars() {
            if is_break(c) {
                if !text.is_empty() {
                    let width = fu.text_width(&text, size);
                    cur.push(Piece::new(std::mem::take(&mut text), false, width));
                }
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            } else {
                text.push(c);
            }
        }
        if !text.is_empty() {
            let width = fu.text_width(&text, size);
            cur.push(Piece::new(text, false, width));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Greedy word wrap to `first_width` (first line) and `width` (following lines). A word
/// longer than a whole line is broken between characters; placeholders are never broken.
fn wrap(
    segments: &[Segment],
    fu: &mut FontUse,
    size: f32,
    first_width: f32,
    width: f32,
) -> Vec<Line> {
    let space = fu.measure(' ') * size / 1000.0;
    let mut lines: Vec<Line> = Vec::new();
    let mut line = Line::default();
    let avail = |lines: &Vec<Line>| if lines.is_empty() { first_width } else { width };
    for word in words(segments, fu, size) {
        let word_w: f32 = word.iter().map(|p| p.width).sum();
        let sep = if line.pieces.is_empty() { 0.0 } else { space };
        if line.width + sep + word_w <= avail(&lines) + 0.01 {
            if sep > 0.0 {
                line.push(Piece::new(" ".into(), false, space));
            }
            word.into_iter().for_each(|p| line.push(p));
            continue;
        }
        if !line.pieces.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_w <= avail(&lines) + 0.01 {
            word.into_iter().for_each(|p| line.push(p));
            continue;
        }
        // Too long for any line: break into characters (placeholders stay whole).
        for piece in word {
            if piece.masked {
                if !line.pieces.is_empty() && line.width + piece.width > avail(&lines) + 0.01 {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(piece);
                continue;
            }
            for c in piece.text.chars() {
                let w = fu.measure(c) * size / 1000.0;
                if !line.pieces.is_empty() && line.width + w > avail(&lines) + 0.01 {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(Piece::new(c.to_string(), false, w));
            }
        }
    }
    if !line.pieces.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Split a list item's logical line into its marker ("-", "1.", "a)") and the rest.
fn split_marker(line: &[Segment]) -> Option<(String, Vec<Segment>)> {
    let first = line.first().filter(|s| !s.masked)?;
    let t = first.text.trim_start();
    let marker_len = {
        let mut chars = t.char_indices();
        match chars.next()? {
            (_, '-' | '*' | '•') => t.chars().next().map(char::len_utf8)?,
            (_, c)
                if c.is_ascii_lowercase() && matches!(t.as_bytes().get(1), Some(b'.' | b')')) =>
            {
                2
            }
            (_, c) if c.is_ascii_digit() => {
                let digits = t.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 2 || !matches!(t.as_bytes().get(digits), Some(b'.' | b')')) {
                    return None;
                }
                digits + 1
            }
            _ => return None,
        }
    };
    let rest_first = &t[marker_len..];
    if !rest_first.starts_with(char::is_whitespace) {
        return None;
    }
    let mut rest = vec![Segment { text: rest_first.trim_start().to_string(), masked: false }];
    rest.extend(line[1..].iter().cloned());
    Some((t[..marker_len].to_string(), rest))
}

// ---------------------------------------------------------------------------------------
// Pages.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Face2 {
    Regular = 0,
    Bold = 1,
}

/// One line of text placed on a page.
struct Placed {
    face: Face2,
    size: f32,
    x: f32,
    baseline: f32,
    line: Line,
    /// Draw [`HYPHEN_GUARD`] after the line (it ends with a hyphen).
    guard: bool,
}

/// Drawn (as the blank space glyph) after a line that ends with a hyphen. pdftotext treats
/// a line-final '-' as a soft hyphen: it drops it and joins the lines, which would lose a
/// real character ("Stockholms- och", "500:-"). Another character after the hyphen stops
/// that. It must be whitespace (so extracted text still equals the input up to whitespace)
/// that poppler neither skips nor NFKC-folds to U+0020 — space, no-break space, en space,
/// ideographic space and U+2028 all fail; OGHAM SPACE MARK (Zs, White_Space) works.
const HYPHEN_GUARD: char = '\u{1680}';

fn needs_guard(line: &Line) -> bool {
    line.pieces
        .last()
        .is_some_and(|(_, p)| p.text.ends_with(['-', '\u{2010}', '\u{2011}', '\u{00AD}']))
}

#[derive(Default)]
struct Page {
    lines: Vec<Placed>,
    /// Filled rectangles of figures: x, y (lower left), width, height, RGB.
    rects: Vec<([f32; 4], [f32; 3])>,
}

struct Typesetter {
    pages: Vec<Page>,
    /// Top of the next line box.
    y: f32,
    regular: FontUse,
    bold: FontUse,
}

const TOP: f32 = PAGE_H - MARGIN;

impl Typesetter {
    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.pages.last().is_none_or(|p| p.lines.is_empty() && p.rects.is_empty())
    }

    fn room(&self) -> f32 {
        self.y - MARGIN
    }

    fn place(&mut self, face: Face2, size: f32, leading: f32, x: f32, line: Line) {
        let lh = size * leading;
        if self.room() < lh - 0.01 && !self.at_top() {
            self.new_page();
        }
        let fu = match face {
            Face2::Regular => &mut self.regular,
            Face2::Bold => &mut self.bold,
        };
        let guard = needs_guard(&line);
        if guard {
            fu.use_guard();
        }
        let font = fu.font;
        // Centre the font's ascent..descent box in the line box.
        let asc = font.ascent / 1000.0 * size;
        let desc = font.descent / 1000.0 * size;
        let baseline = self.y - lh / 2.0 - (asc + desc) / 2.0;
        self.y -= lh;
        if let Some(page) = self.pages.last_mut() {
            page.lines.push(Placed { face, size, x, baseline, line, guard });
        }
    }

    fn block(&mut self, block: &Block, next: Option<&Block>) {
        let st = style(block.kind);
        let face = if st.bold { Face2::Bold } else { Face2::Regular };
        let lh = st.size * st.leading;
        if !self.at_top() {
            self.y -= st.space_before;
        }
        let fu = if st.bold { &mut self.bold } else { &mut self.regular };
        let mut placed: Vec<(f32, Line)> = Vec::new();
        let markers: Vec<Option<(String, Vec<Segment>)>> = block
            .lines
            .iter()
            .map(|l| if block.kind == BlockKind::ListItem { split_marker(l) } else { None })
            .collect();
        // One hanging indent for the whole list, wide enough for its widest marker.
        let space = fu.measure(' ') * st.size / 1000.0;
        let indent = markers
            .iter()
            .flatten()
            .map(|(m, _)| LIST_MARKER_X + fu.text_width(m, st.size) + space)
            .fold(LIST_INDENT, f32::max);
        for (logical, marker) in block.lines.iter().zip(markers) {
            if let Some((marker, rest)) = marker {
                let marker_w = fu.text_width(&marker, st.size);
                let mut lines =
                    wrap(&rest, fu, st.size, TEXT_W - indent, TEXT_W - indent).into_iter();
                // The marker hangs left of the text, right-aligned, one space before it (a
                // wider gap could make text extraction see two columns).
                let mut first = Line::default();
                first.push(Piece::new(marker, false, marker_w));
                if let Some(l) = lines.next()
                    && !l.pieces.is_empty()
                {
                    first.push(Piece::new(" ".into(), false, space));
                    for (_, p) in l.pieces {
                        first.push(p);
                    }
                }
                placed.push((indent - space - marker_w, first));
                placed.extend(lines.map(|l| (indent, l)));
            } else {
                placed.extend(
                    wrap(logical, fu, st.size, TEXT_W, TEXT_W).into_iter().map(|l| (0.0, l)),
                );
            }
        }
        // Keep a title/heading with the first line of what follows, and avoid leaving a
        // paragraph's first line alone at the bottom of a page.
        if !self.at_top() {
            let mut need = lh * placed.len().min(2) as f32;
            if matches!(block.kind, BlockKind::Title | BlockKind::Heading)
                && let Some(n) = next
            {
                let ns = style(n.kind);
                need = lh * placed.len() as f32 + st.space_after + ns.size * ns.leading;
            }
            if self.room() < need - 0.01 && need <= TOP - MARGIN {
                self.new_page();
            }
        }
        for (x, line) in placed {
            self.place(face, st.size, st.leading, MARGIN + x, line);
        }
        self.y -= st.space_after;
    }
}

impl Typesetter {
    /// Place a figure whole: on a new page when it does not fit in what is left of this one.
    fn figure(&mut self, f: &Figure) {
        if !self.at_top() && self.room() < f.height - 0.01 {
            self.new_page();
        }
        let top = self.y;
        for m in &f.marks {
            match m {
                Mark::Rect { x, y, w, h, rgb } => {
                    if let Some(page) = self.pages.last_mut() {
                        page.rects.push(([MARGIN + x, top - y - h, *w, *h], *rgb));
                    }
                }
                Mark::Text { x, y, text, bold, size } => {
                    let (face, fu) = if *bold {
                        (Face2::Bold, &mut self.bold)
                    } else {
                        (Face2::Regular, &mut self.regular)
                    };
                    let width = fu.text_width(text, *size);
                    let mut line = Line::default();
                    line.push(Piece::new(text.clone(), false, width));
                    let guard = needs_guard(&line);
                    if guard {
                        fu.use_guard();
                    }
                    let placed =
                        Placed { face, size: *size, x: MARGIN + x, baseline: top - y, line, guard };
                    if let Some(page) = self.pages.last_mut() {
                        page.lines.push(placed);
                    }
                }
            }
        }
        self.y -= f.height + FIGURE_SPACE_AFTER;
    }
}

/// Space below a figure.
const FIGURE_SPACE_AFTER: f32 = 8.0;

/// The width of the text column, for figures.
pub const CONTENT_WIDTH: f32 = TEXT_W;

/// A drawing kept whole on one page: marks in points, `x` from the left margin, `y`
/// downwards from the figure's top.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub height: f32,
    pub marks: Vec<Mark>,
}

/// What a figure is made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A filled rectangle; `y` is its top edge.
    Rect { x: f32, y: f32, w: f32, h: f32, rgb: [f32; 3] },
    /// A line of text (extractable) with its baseline at `y`.
    Text { x: f32, y: f32, text: String, bold: bool, size: f32 },
}

/// One item of a document made of text and figures ([`render_flow`]). Text is published
/// text: bracketed runs are placeholders and get their grey background.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    Title(String),
    Heading(String),
    /// A heading one level down (set as a heading, kept with what follows).
    Subheading(String),
    Paragraph(String),
    /// A bulleted list, one item per entry.
    List(Vec<String>),
    Figure(Figure),
}

/// Width in points of `text` set in the regular or bold face at `size`.
pub fn text_width(text: &str, bold: bool, size: f32) -> Result<f32, PdfError> {
    let mut fu = FontUse::new(font(if bold { &BOLD } else { &REGULAR })?);
    Ok(fu.text_width(text, size))
}

/// The block of kind `kind` of published text (its lines, placeholders marked).
fn flow_block(kind: BlockKind, text: &str) -> Block {
    let layout = Layout::of_published_text(text);
    let lines = layout.blocks().iter().flat_map(|b| b.lines.iter().cloned()).collect();
    Block { kind, lines }
}

/// Render text and figures as a new A4 PDF, deterministic like [`render_pdf`].
pub fn render_flow(items: &[Flow]) -> Result<Vec<u8>, PdfError> {
    let mut ts = Typesetter::new()?;
    let blocks: Vec<Option<Block>> = items
        .iter()
        .map(|item| match item {
            Flow::Title(t) => Some(flow_block(BlockKind::Title, t)),
            Flow::Heading(t) | Flow::Subheading(t) => Some(flow_block(BlockKind::Heading, t)),
            Flow::Paragraph(t) => Some(flow_block(BlockKind::Paragraph, t)),
            Flow::List(items) => {
                let text: Vec<String> =
                    items.iter().map(|i| format!("\u{2022} {}", i.replace('\n', " "))).collect();
                Some(flow_block(BlockKind::ListItem, &text.join("\n")))
            }
            Flow::Figure(_) => None,
        })
        .collect();
    for (i, item) in items.iter().enumerate() {
        match (item, &blocks[i]) {
            (Flow::Figure(f), _) => ts.figure(f),
            (_, Some(b)) => {
                // A heading stays with the figure under it.
                if let (BlockKind::Heading, Some(Flow::Figure(f))) = (b.kind, items.get(i + 1)) {
                    let st = style(BlockKind::Heading);
                    let need = st.space_before + st.size * st.leading + st.space_after + f.height;
                    if !ts.at_top() && ts.room() < need - 0.01 && need <= TOP - MARGIN {
                        ts.new_page();
                    }
                }
                let next = blocks.get(i + 1).and_then(Option::as_ref);
                ts.block(b, next);
            }
            (_, None) => {}
        }
    }
    ts.finish()
}

// ---------------------------------------------------------------------------------------
// Content streams.

/// Append a number with at most 3 decimals and no trailing zeros.
fn num(out: &mut Vec<u8>, v: f32) {
    let r = (f64::from(v) * 1000.0).round() as i64;
    if r < 0 {
        out.push(b'-');
    }
    let a = r.unsigned_abs();
    let (int, mut frac) = (a / 1000, a % 1000);
    push_uint(out, int);
    if frac != 0 {
        out.push(b'.');
        let mut div = 100;
        while frac != 0 {
            out.push(b'0' + (frac / div) as u8);
            frac %= div;
            div /= 10;
        }
    }
}

fn push_uint(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn nums(out: &mut Vec<u8>, vs: &[f32], op: &str) {
    for v in vs {
        num(out, *v);
        out.push(b' ');
    }
    out.extend_from_slice(op.as_bytes());
    out.push(b'\n');
}

/// Emits glyph outlines as PDF path operators, mapping font units to page space.
struct PathSink<'a> {
    out: &'a mut Vec<u8>,
    x0: f32,
    y0: f32,
    scale: f32,
    cur: (f32, f32),
}

impl PathSink<'_> {
    fn pt(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x0 + x * self.scale, self.y0 + y * self.scale)
    }
}

impl OutlineBuilder for PathSink<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.pt(x, y);
        nums(self.out, &[p.0, p.1], "m");
        self.cur = p;
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.pt(x, y);
        nums(self.out, &[p.0, p.1], "l");
        self.cur = p;
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let q = self.pt(x1, y1);
        let p = self.pt(x, y);
        let c = self.cur;
        let c1 = (c.0 + 2.0 / 3.0 * (q.0 - c.0), c.1 + 2.0 / 3.0 * (q.1 - c.1));
        let c2 = (p.0 + 2.0 / 3.0 * (q.0 - p.0), p.1 + 2.0 / 3.0 * (q.1 - p.1));
        nums(self.out, &[c1.0, c1.1, c2.0, c2.1, p.0, p.1], "c");
        self.cur = p;
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let a = self.pt(x1, y1);
        let b = self.pt(x2, y2);
        let p = self.pt(x, y);
        nums(self.out, &[a.0, a.1, b.0, b.1, p.0, p.1], "c");
        self.cur = p;
    }
    fn close(&mut self) {
        self.out.extend_from_slice(b"h\n");
    }
}

/// Draw `text` centred at `cx` as filled outlines (not text: nothing to extract).
fn outline_text(out: &mut Vec<u8>, font: &FontData, text: &str, size: f32, cx: f32, baseline: f32) {
    let scale = size / f32::from(font.face.units_per_em());
    let glyphs: Vec<u16> = text.chars().map(|c| font.glyph(c)).collect();
    let total: f32 = glyphs.iter().map(|g| font.advance(*g) * size / 1000.0).sum();
    let mut x = cx - total / 2.0;
    out.extend_from_slice(b"q\n0.35 g\n");
    for g in glyphs {
        let mut sink = PathSink { out, x0: x, y0: baseline, scale, cur: (x, baseline) };
        if font.face.outline_glyph(GlyphId(g), &mut sink).is_some() {
            out.extend_from_slice(b"f\n");
        }
        x += font.advance(g) * size / 1000.0;
    }
    out.extend_from_slice(b"Q\n");
}

fn page_content(
    page: &Page,
    number: usize,
    total: usize,
    faces: [&FontData; 2],
    fonts: [Option<&Embedded>; 2],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 * 1024);
    // Placeholder backgrounds first, so the text is drawn on top of them.
    let mut any_mask = false;
    for pl in &page.lines {
        let font = faces[pl.face as usize];
        for (dx, p) in &pl.line.pieces {
            if !p.masked {
                continue;
            }
            if !any_mask {
                out.extend_from_slice(b"q\n0.86 g\n");
                any_mask = true;
            }
            let y0 = pl.baseline + font.descent / 1000.0 * pl.size;
            let h = (font.ascent - font.descent) / 1000.0 * pl.size;
            nums(&mut out, &[pl.x + dx - MASK_PAD, y0, p.width + 2.0 * MASK_PAD, h], "re");
            out.extend_from_slice(b"f\n");
        }
    }
    if any_mask {
        out.extend_from_slice(b"Q\n");
    }
    for (r, rgb) in &page.rects {
        out.extend_from_slice(b"q\n");
        nums(&mut out, rgb, "rg");
        nums(&mut out, r, "re");
        out.extend_from_slice(b"f\nQ\n");
    }
    if !page.lines.is_empty() {
        out.extend_from_slice(b"BT\n0 g\n");
        let mut cur_font: Option<(Face2, f32)> = None;
        let (mut lx, mut ly) = (0.0f32, 0.0f32);
        for pl in &page.lines {
            let idx = pl.face as usize;
            let name = ["/F1", "/F2"][idx];
            let Some(emb) = fonts[idx] else { continue };
            if cur_font != Some((pl.face, pl.size)) {
                out.extend_from_slice(name.as_bytes());
                out.push(b' ');
                nums(&mut out, &[pl.size], "Tf");
                cur_font = Some((pl.face, pl.size));
            }
            nums(&mut out, &[pl.x - lx, pl.baseline - ly], "Td");
            (lx, ly) = (pl.x, pl.baseline);
            // One string per line: the glyphs' widths (/W) are exactly those used for layout.
            out.push(b'(');
            for (_, p) in &pl.line.pieces {
                for c in p.text.chars() {
                    write_cid(&mut out, emb.cid_of.get(drawn(c)).unwrap_or(0));
                }
            }
            if pl.guard {
                write_cid(&mut out, emb.cid_of.get(HYPHEN_GUARD).unwrap_or(0));
            }
            out.extend_from_slice(b") Tj\n");
        }
        out.extend_from_slice(b"ET\n");
    }
    let label = format!("{number} / {total}");
    outline_text(&mut out, faces[0], &label, FOOTER_SIZE, PAGE_W / 2.0, FOOTER_BASELINE);
    out
}

/// Append a CID as two bytes of a literal string (escaping what a parser would alter).
fn write_cid(out: &mut Vec<u8>, cid: u16) {
    for b in cid.to_be_bytes() {
        match b {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
}

// ---------------------------------------------------------------------------------------

/// Render a layout as a new A4 PDF. Deterministic: same layout → identical bytes.
pub fn render_pdf(layout: &Layout) -> Result<Vec<u8>, PdfError> {
    let blocks = layout.blocks();
    let mut ts = Typesetter::new()?;
    for (i, block) in blocks.iter().enumerate() {
        ts.block(block, blocks.get(i + 1));
    }
    ts.finish()
}

impl Typesetter {
    fn new() -> Result<Typesetter, PdfError> {
        let mut ts = Typesetter {
            pages: Vec::new(),
            y: TOP,
            regular: FontUse::new(font(&REGULAR)?),
            bold: FontUse::new(font(&BOLD)?),
        };
        ts.new_page();
        Ok(ts)
    }

    /// The PDF of the pages set.
    fn finish(self) -> Result<Vec<u8>, PdfError> {
        let ts = self;
        let (regular, bold) = (ts.regular.font, ts.bold.font);
        let mut doc = Document::with_version("1.7");
        doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
        let pages_id = doc.new_object_id();

        let used = |fu: &FontUse| !fu.chars.is_empty();
        let emb_regular =
            if used(&ts.regular) { Some(embed(&mut doc, &ts.regular)?) } else { None };
        let emb_bold = if used(&ts.bold) { Some(embed(&mut doc, &ts.bold)?) } else { None };
        let mut font_dict = Dictionary::new();
        if let Some(e) = &emb_regular {
            font_dict.set("F1", e.font_ref);
        }
        if let Some(e) = &emb_bold {
            font_dict.set("F2", e.font_ref);
        }

        let total = ts.pages.len();
        let mut hasher = Sha256::new();
        let mut kids = Vec::with_capacity(total);
        for (i, page) in ts.pages.iter().enumerate() {
            let content = page_content(
                page,
                i + 1,
                total,
                [regular, bold],
                [emb_regular.as_ref(), emb_bold.as_ref()],
            );
            hasher.update((content.len() as u64).to_be_bytes());
            hasher.update(&content);
            let mut stream = Stream::new(Dictionary::new(), content);
            deflate(&mut stream)?;
            let content_id = doc.add_object(stream);
            let page_id = doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => content_id,
            });
            kids.push(Object::Reference(page_id));
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => total as i64,
                "MediaBox" => vec![0.into(), 0.into(), real(PAGE_W), real(PAGE_H)],
                "Resources" => dictionary! { "Font" => font_dict },
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        // The same blocks give the same content streams (and fonts), hence the same /ID.
        for e in [&emb_regular, &emb_bold].into_iter().flatten() {
            for (c, cid) in e.cid_of.sorted() {
                hasher.update((c as u32).to_be_bytes());
                hasher.update(cid.to_be_bytes());
            }
        }
        let digest = hasher.finalize();
        let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
        doc.trailer.set("ID", vec![id.clone(), id]);

        let mut out = Vec::new();
        doc.save_to(&mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn to_unicode_map_uses_ranges_for_consecutive_characters() {
        let mut info = BTreeMap::new();
        for (i, c) in "abcde".chars().enumerate() {
            info.insert(10 + i as u16, (c, 500.0));
        }
        info.insert(15, ('x', 500.0)); // next CID, but not the next character
        info.insert(0xFF, ('y', 500.0));
        info.insert(0x100, ('z', 500.0)); // consecutive, but across a high byte
        info.insert(0x101, ('\u{1D11E}', 500.0)); // outside the BMP
        let m = to_unicode_cmap(&info);
        assert!(m.contains("1 beginbfrange\n<000A> <000E> <0061>\nendbfrange"), "{m}");
        for entry in ["<000F> <0078>", "<00FF> <0079>", "<0100> <007A>", "<0101> <D834DD1E>"] {
            assert!(m.contains(entry), "{entry} missing in {m}");
        }
        assert!(m.contains("4 beginbfchar"), "{m}");
    }

    use super::*;

    fn layout(text: &str) -> Layout {
        Layout::of_published_text(text)
    }

    fn render(text: &str) -> Vec<u8> {
        render_pdf(&layout(text)).expect("render")
    }

    fn no_ws(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// Text of every segment of every block, as the PDF must give it back.
    fn segment_text(text: &str) -> String {
        layout(text)
            .blocks()
            .iter()
            .flat_map(|b| b.lines.iter().flatten().map(|s| s.text.clone()))
            .collect()
    }

    /// `pdftotext -enc UTF-8 file -`, or None when pdftotext is not installed (outside CI).
    fn pdftotext(pdf: &[u8], name: &str) -> Option<String> {
        if !crate::testutil::require_tool("pdftotext") {
            return None;
        }
        let path = std::env::temp_dir()
            .join(format!("maskera-pdf-test-{}-{name}.pdf", std::process::id()));
        std::fs::write(&path, pdf).expect("write temp pdf");
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output();
        let _ = std::fs::remove_file(&path);
        match out {
            Ok(o) => {
                assert!(
                    o.status.success(),
                    "pdftotext failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                Some(String::from_utf8(o.stdout).expect("pdftotext output is UTF-8"))
            }
            Err(e) => panic!("running pdftotext: {e}"),
        }
    }

    fn assert_extracts(text: &str, name: &str) {
        if let Some(got) = pdftotext(&render(text), name) {
            assert_eq!(no_ws(&got), no_ws(&segment_text(text)), "extraction of {name}:\n{got}");
        }
    }

    fn long_text(paragraphs: usize) -> String {
        let mut t = String::from("Rapport om händelsen\n\nBakgrund\n\n");
        for i in 0..paragraphs {
            t.push_str(&format!(
                "Stycke {i}: [PERSON {}] ringde till växeln på Åsgatan och berättade att dörren \
                 till förrådet stod öppen. Vakten kontrollerade lokalen, gick runt byggnaden \
                 och skrev en rapport innan skiftet tog slut.\n\n",
                i % 7 + 1
            ));
        }
        t
    }

    fn content_streams(pdf: &[u8]) -> Vec<Vec<u8>> {
        let doc = Document::load_mem(pdf).expect("lopdf loads the PDF");
        doc.get_pages()
            .values()
            .map(|id| doc.get_page_content(*id).expect("page content"))
            .collect()
    }

    #[test]
    fn deterministic() {
        let text = long_text(40);
        let a = render(&text);
        let b = render(&text);
        assert!(a == b, "two renders of the same blocks differ");
        assert_ne!(a, render(&long_text(41)));
    }

    #[test]
    fn loads_back_paginates_and_has_no_metadata() {
        let pdf = render(&long_text(200));
        let doc = Document::load_mem(&pdf).expect("lopdf loads the PDF");
        let pages = doc.get_pages();
        assert!(pages.len() > 1, "200 paragraphs on {} page(s)", pages.len());
        assert!(doc.trailer.get(b"Info").is_err(), "trailer has /Info");
        let id = doc.trailer.get(b"ID").and_then(Object::as_array).expect("trailer /ID");
        assert_eq!(id.len(), 2);
        assert_eq!(id[0].as_str().expect("ID string").len(), 16);
        let catalog = doc.catalog().expect("catalog");
        assert!(catalog.get(b"Metadata").is_err(), "catalog has XMP /Metadata");
        let raw = String::from_utf8_lossy(&pdf);
        for key in ["/Producer", "/Creator", "/CreationDate", "/ModDate", "/Info"] {
            assert!(!raw.contains(key), "PDF contains {key}");
        }
        // Every page is A4.
        let pages_root = catalog.get(b"Pages").and_then(Object::as_reference).expect("pages ref");
        let media =
            doc.get_dictionary(pages_root).and_then(|d| d.get(b"MediaBox")).expect("MediaBox");
        let media: Vec<f32> =
            media.as_array().expect("array").iter().map(|o| o.as_float().expect("num")).collect();
        assert!((media[2] - 595.28).abs() < 0.01 && (media[3] - 841.89).abs() < 0.01, "{media:?}");
    }

    #[test]
    fn fonts_are_subset_type0_with_tounicode() {
        let pdf = render("Titel\n\nEn kort mening med åäö.");
        let doc = Document::load_mem(&pdf).expect("load");
        let mut type0 = 0;
        for obj in doc.objects.values() {
            let Ok(dict) = obj.as_dict() else { continue };
            if dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0".as_slice()) {
                type0 += 1;
                assert_eq!(
                    dict.get(b"Encoding").and_then(Object::as_name).expect("enc"),
                    b"Identity-H"
                );
                assert!(dict.get(b"ToUnicode").is_ok());
                let name = dict.get(b"BaseFont").and_then(Object::as_name).expect("BaseFont");
                assert_eq!(name[6], b'+', "subset tag in {}", String::from_utf8_lossy(name));
            }
            if let Ok(s) = obj.as_stream()
                && s.dict.get(b"Length1").is_ok()
            {
                let len = s.dict.get(b"Length1").and_then(Object::as_i64).expect("Length1");
                assert!(len < 100_000, "font file of {len} bytes is not a subset");
                assert!(s.dict.get(b"Filter").is_ok(), "font file not compressed");
            }
        }
        assert_eq!(type0, 2, "regular and bold");
    }

    #[test]
    fn page_numbers_and_placeholders_are_not_text() {
        // No blocks: one page whose only marks are the outlined page number.
        let pdf = render_pdf(&layout("")).expect("render");
        let content = content_streams(&pdf).remove(0);
        let s = String::from_utf8_lossy(&content);
        assert!(!s.contains("BT"), "text object on an empty page: {s}");
        assert!(
            s.contains(" m\n") && s.contains("\nf\n"),
            "page number not drawn as a filled path"
        );

        // Placeholders get a filled rectangle each.
        let pdf = render("Titel\n\nSamtal med [PERSON 1] och [PERSON 2] i [ORT 1].");
        let s = String::from_utf8_lossy(&content_streams(&pdf)[0]).into_owned();
        assert_eq!(s.matches(" re\n").count(), 3, "{s}");

        let text = long_text(120);
        let pdf = render(&text);
        let pages = content_streams(&pdf).len();
        assert!(pages >= 3);
        // Digits with curves ("3", "6", ...) come out as cubic Béziers converted from quadratics.
        assert!(content_streams(&pdf).iter().any(|c| String::from_utf8_lossy(c).contains(" c\n")));
        if let Some(got) = pdftotext(&pdf, "pagenumbers") {
            assert!(!got.contains(&format!("/ {pages}")), "page number extractable");
            assert!(!got.contains(&format!("/{pages}")), "page number extractable");
            assert_eq!(no_ws(&got), no_ws(&segment_text(&text)));
        }
    }

    #[test]
    fn placeholders_are_never_split_and_long_words_break() {
        let font = font(&REGULAR).expect("font");
        let mut fu = FontUse::new(font);
        let mut line = String::new();
        for i in 0..40 {
            line.push_str(&format!("ord{i} [PERSON {i}] "));
        }
        let segs = layout(&line).blocks()[0].lines[0].clone();
        let lines = wrap(&segs, &mut fu, 10.5, TEXT_W, TEXT_W);
        assert!(lines.len() > 3);
        let mut masked = 0;
        for l in &lines {
            assert!(l.width <= TEXT_W + 0.01, "line overflows: {}", l.width);
            for (_, p) in &l.pieces {
                if p.masked {
                    masked += 1;
                    assert!(p.text.starts_with('[') && p.text.ends_with(']'), "split: {}", p.text);
                }
            }
        }
        assert_eq!(masked, 40);

        let word = "x".repeat(200);
        let segs = layout(&format!("a {word} b")).blocks()[0].lines[0].clone();
        let lines = wrap(&segs, &mut fu, 10.5, TEXT_W, TEXT_W);
        assert!(lines.len() >= 3);
        let joined: String =
            lines.iter().flat_map(|l| l.pieces.iter().map(|(_, p)| p.text.clone())).collect();
        assert_eq!(no_ws(&joined), no_ws(&format!("a{word}b")), "no hyphen added, nothing lost");
        assert!(lines.iter().all(|l| l.width <= TEXT_W + 0.01));
    }

    #[test]
    fn extraction_keeps_every_letter() {
        let word = "Ö".to_string() + &"abcdefghij".repeat(20);
        let text = format!(
            "Händelserapport för Åsa Öberg\n\n\
             Bakgrund\n\n\
             Svenska: å ä ö Å Ä Ö. Andra: é ü ł ş ø æ ß č Œ. Kontakt: [PERSON 1] på [E-POST 1].\n\
             Kvarhållen rad\tmed tabb.\n\n\
             - första punkten med [PERSON 2]\n- andra punkten\n10. tionde punkten\n\n\
             Ett långt ord: {word} slut.\n\n\
             Pris 500:-\nStockholms- och Uppsalaområdet.\n\n\
             Utan glyf: 漢字 och \u{E000}."
        );
        assert_extracts(&text, "letters");
        assert_extracts(&long_text(150), "multipage");
        // Line-final hyphens where pdftotext would otherwise join lines and drop the '-'.
        for n in 70..82 {
            assert_extracts(&format!("Titel\n\n{}{}", "x".repeat(n), "-yyyy".repeat(30)), "hyphen");
        }
    }

    #[test]
    fn missing_glyphs_use_notdef_with_their_own_cid() {
        let pdf = render("Titel\n\nKinesiska 漢字 och privat \u{E000}.");
        let doc = Document::load_mem(&pdf).expect("load");
        let mut maps = 0;
        for obj in doc.objects.values() {
            let Ok(dict) = obj.as_dict() else { continue };
            if dict.get(b"Subtype").and_then(Object::as_name).ok()
                == Some(b"CIDFontType2".as_slice())
            {
                let map = dict.get(b"CIDToGIDMap").expect("CIDToGIDMap");
                if let Ok(r) = map.as_reference() {
                    maps += 1;
                    let s = doc.get_object(r).and_then(Object::as_stream).expect("map stream");
                    let bytes = s.decompressed_content().expect("decode");
                    // The three missing characters' CIDs all point at glyph 0 (.notdef).
                    let gids: Vec<u16> =
                        bytes.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                    assert_eq!(gids.iter().filter(|g| **g == 0).count(), 4, "{gids:?}");
                }
            }
        }
        assert_eq!(maps, 1, "regular font needs an explicit CIDToGIDMap");
    }

    #[test]
    fn flows_draw_figures_as_rectangles_and_text_and_keep_them_whole() {
        let bar = |i: usize| Figure {
            height: 300.0,
            marks: vec![
                Mark::Text { x: 0.0, y: 11.0, text: format!("stapel {i}"), bold: false, size: 9.0 },
                Mark::Rect { x: 100.0, y: 2.0, w: 50.0 + i as f32, h: 10.0, rgb: [0.2, 0.4, 0.6] },
                Mark::Text {
                    x: 160.0,
                    y: 11.0,
                    text: format!("{}", 40 + i),
                    bold: true,
                    size: 9.0,
                },
            ],
        };
        let flow = vec![
            Flow::Title("Sammanställning".into()),
            Flow::Paragraph("Inledande mening.".into()),
            Flow::Heading("Diagram".into()),
            Flow::Figure(bar(1)),
            Flow::Figure(bar(2)),
            Flow::Figure(bar(3)),
            Flow::Subheading("exempel".into()),
            Flow::List(vec!["Händelse med [PERSON 1].".into(), "En till.".into()]),
        ];
        let pdf = render_flow(&flow).expect("render");
        assert_eq!(pdf, render_flow(&flow).expect("render"), "deterministic");
        let pages = content_streams(&pdf);
        assert_eq!(pages.len(), 2, "the third figure does not fit on page 1 and is not split");
        let all: String = pages.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect();
        assert_eq!(all.matches("0.2 0.4 0.6 rg").count(), 3, "one filled rectangle per bar");
        assert!(all.contains("156 ") && all.contains(" re\n"), "a bar at the left margin + 100");
        if let Some(text) = pdftotext(&pdf, "flow") {
            for want in [
                "Sammanställning",
                "stapel 1",
                "41",
                "stapel 3",
                "43",
                "exempel",
                "Händelse med [PERSON 1].",
            ] {
                assert!(text.contains(want), "{want} missing in {text}");
            }
        }
        assert!(text_width("abc", true, 10.0).unwrap() > text_width("abc", false, 10.0).unwrap());
    }

    #[test]
    fn a_long_text_fills_many_pages_deterministically() {
        let l = layout(&long_text(130));
        let pdf = render_pdf(&l).expect("render");
        assert!(content_streams(&pdf).len() >= 8);
        assert_eq!(pdf, render_pdf(&l).expect("render"), "same layout, same bytes");
    }
}
