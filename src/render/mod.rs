//! Rendering: `&Redacted` → the published files of one report.
//!
//! The `.txt` is the redacted text itself; `.md` and `.html` come from tera templates
//! (embedded, overridable with `--templates DIR`), `.pdf` is written anew with lopdf
//! ([`pdf`]), and `.json` holds counts and fields, never a value.

pub mod layout;
pub mod pdf;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::redact::Redacted;

const HTML_TEMPLATE: &str = include_str!("../../templates/report.html.tera");
const MD_TEMPLATE: &str = include_str!("../../templates/report.md.tera");

/// A rendering problem.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template error: {0}")]
    Template(String),
    #[error("cannot read the template {path}: {source}")]
    TemplateFile { path: String, source: std::io::Error },
    #[error("PDF rendering failed: {0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("JSON rendering failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Compiled templates: the report's, the summary's or the review page's.
pub struct Templates {
    tera: tera::Tera,
    /// Fingerprint of the template sources (part of the rerun key).
    pub fingerprint: String,
}

impl Templates {
    /// The report templates (`report.html.tera`, `report.md.tera`).
    pub fn load(dir: Option<&Path>) -> Result<Templates, RenderError> {
        Templates::load_set(
            dir,
            &[("report.html.tera", HTML_TEMPLATE), ("report.md.tera", MD_TEMPLATE)],
        )
    }

    /// Compile templates from their built-in sources, or from files of the same names
    /// (`report.html.tera` …) in `dir` where present (`--templates DIR`). A template is
    /// registered under its file name without `.tera`; `.html` ones are autoescaped.
    pub(crate) fn load_set(
        dir: Option<&Path>,
        sources: &[(&str, &str)],
    ) -> Result<Templates, RenderError> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on([".html"]);
        let mut all = String::new();
        for (file, builtin) in sources {
            let path = dir.map(|d| d.join(file)).filter(|p| p.exists());
            let src = match path {
                Some(p) => std::fs::read_to_string(&p).map_err(|source| {
                    RenderError::TemplateFile { path: p.display().to_string(), source }
                })?,
                None => builtin.to_string(),
            };
            let name = file.trim_end_matches(".tera");
            tera.add_raw_template(name, &src).map_err(|e| RenderError::Template(e.to_string()))?;
            all.push_str(&src);
            all.push('\u{0}');
        }
        Ok(Templates { tera, fingerprint: crate::hash::sha256_hex(all.as_bytes()) })
    }

    /// Render the template `name` (`report.html` …).
    pub(crate) fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, RenderError> {
        self.tera.render(name, ctx).map_err(|e| RenderError::Template(e.to_string()))
    }
}

/// What the per-report JSON says besides the fields: never a detected value or a path.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInfo {
    pub id: String,
    pub maskera_version: &'static str,
    pub pages: u32,
    pub ocr: OcrInfo,
    /// Masked ranges per kind.
    pub redactions: BTreeMap<String, usize>,
    pub fields: serde_json::Value,
    /// Masked ranges per kind with their legal ground (`[grounds]`): counts, never values.
    pub masking_record: Vec<crate::record::RecordEntry>,
    /// One sentence per ground: "maskning enligt 26 kap. 1 § OSL: 7 uppgifter".
    pub masking_statement: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OcrInfo {
    /// Pages whose text came from OCR.
    pub pages: Vec<u32>,
    /// Of those, pages whose own text layer was replaced by a fresh OCR.
    pub reocr_pages: Vec<u32>,
    /// Whether OCR-damage repair changed the text.
    pub repaired: bool,
    /// Words OCR-damage repair changed.
    pub repaired_words: usize,
    /// Words of re-OCR'd pages that differ from the replaced text layer.
    pub reocr_words: usize,
}

/// The files of one report, in memory, as rendered from a [`Redacted`] (only [`render`]
/// makes one). Not yet publishable: [`crate::verify::verify`] turns it into a
/// [`crate::verify::Verified`].
pub struct Rendered {
    txt: String,
    md: String,
    html: String,
    pdf: Vec<u8>,
    json: String,
}

impl Rendered {
    /// A file's text as a reader gets it (the PDF is read back by verification itself).
    pub(crate) fn text_of(&self, ext: &str) -> Option<&str> {
        match ext {
            "txt" => Some(&self.txt),
            "md" => Some(&self.md),
            "html" => Some(&self.html),
            "json" => Some(&self.json),
            _ => None,
        }
    }

    pub(crate) fn pdf(&self) -> &[u8] {
        &self.pdf
    }

    /// Change a rendered file, to test that verification catches it.
    #[cfg(test)]
    pub(crate) fn tamper(&mut self, ext: &str, f: impl FnOnce(&mut String)) {
        match ext {
            "txt" => f(&mut self.txt),
            "md" => f(&mut self.md),
            "html" => f(&mut self.html),
            "json" => f(&mut self.json),
            _ => panic!("no such file"),
        }
    }

    #[cfg(test)]
    pub(crate) fn replace_pdf(&mut self, pdf: Vec<u8>) {
        self.pdf = pdf;
    }

    /// (extension, bytes) of every file, in a fixed order. (Only a [`crate::verify::Verified`]
    /// report is ever written to the output folder.)
    pub fn files(&self) -> [(&'static str, &[u8]); 5] {
        [
            ("txt", self.txt.as_bytes()),
            ("md", self.md.as_bytes()),
            ("html", self.html.as_bytes()),
            ("pdf", &self.pdf),
            ("json", self.json.as_bytes()),
        ]
    }
}

#[derive(Serialize)]
struct SegmentView<'a> {
    text: &'a str,
    md: String,
    masked: bool,
}

#[derive(Serialize)]
struct BlockView<'a> {
    kind: layout::BlockKind,
    lines: Vec<Vec<SegmentView<'a>>>,
}

/// Escape Markdown syntax in ordinary text. At the start of a line (`line_start`), also
/// what would turn the line into a heading, list item or quote.
pub(crate) fn md_escape(text: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|')
            || (i == 0 && line_start && matches!(c, '#' | '+' | '-' | '='))
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn views(blocks: &[layout::Block]) -> Vec<BlockView<'_>> {
    blocks
        .iter()
        .map(|b| BlockView {
            kind: b.kind,
            lines: b
                .lines
                .iter()
                .map(|line| {
                    line.iter()
                        .enumerate()
                        .map(|(i, s)| SegmentView {
                            text: &s.text,
                            md: if s.masked {
                                format!("**{}**", s.text)
                            } else if b.kind == layout::BlockKind::ListItem && i == 0 {
                                // keep the list marker, escape the rest
                                let marker_len = s.text.find(' ').map_or(0, |p| p + 1);
                                format!(
                                    "{}{}",
                                    &s.text[..marker_len],
                                    md_escape(&s.text[marker_len..], false)
                                )
                            } else {
                                md_escape(&s.text, i == 0)
                            },
                            masked: s.masked,
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

/// Render every published file of a report.
pub fn render(
    redacted: &Redacted,
    info: &ReportInfo,
    templates: &Templates,
) -> Result<Rendered, RenderError> {
    let layout = layout::Layout::of(redacted);
    let txt = layout.text().to_string();
    let blocks = layout.blocks();
    let title = blocks
        .iter()
        .find(|b| b.kind == layout::BlockKind::Title)
        .map(|b| b.plain())
        .unwrap_or_else(|| "Avidentifierad rapport".to_string());
    let mut ctx = tera::Context::new();
    ctx.insert("title", &title);
    ctx.insert("blocks", &views(blocks));
    ctx.insert("id", &info.id);
    let html = templates.render("report.html", &ctx)?;
    let md = templates.render("report.md", &ctx)?;
    let pdf = pdf::render_pdf(&layout)?;
    let mut json = serde_json::to_string_pretty(info)?;
    json.push('\n');
    Ok(Rendered { txt, md, html, pdf, json })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_syntax_but_marks_placeholders() {
        let l =
            layout::tests::layout("Titel\n\n# inte rubrik *x* Ada Ek\n\n- punkt_ett", &["Ada Ek"]);
        let v = views(l.blocks());
        assert_eq!(v[1].lines[0][0].md, "\\# inte rubrik \\*x\\* ");
        assert_eq!(v[1].lines[0][1].md, "**[PERSON 1]**");
        assert_eq!(v[2].lines[0][0].md, "- punkt\\_ett");
    }
}
