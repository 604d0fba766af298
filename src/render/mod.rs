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

/// The compiled templates of a run.
pub struct Templates {
    tera: tera::Tera,
    /// Fingerprint of the template sources (part of the rerun key).
    pub fingerprint: String,
}

impl Templates {
    /// The built-in templates, or files of the same names in `dir` where present.
    pub fn load(dir: Option<&Path>) -> Result<Templates, RenderError> {
        let (tera, fingerprint) = load_html_md(dir, "report", HTML_TEMPLATE, MD_TEMPLATE)?;
        Ok(Templates { tera, fingerprint })
    }
}

/// Compile the pair `<stem>.html` / `<stem>.md` from the built-in sources, or from
/// `<stem>.html.tera` / `<stem>.md.tera` in `dir` where present. Returns the templates and
/// a fingerprint of their sources (part of the rerun key).
pub(crate) fn load_html_md(
    dir: Option<&Path>,
    stem: &str,
    builtin_html: &str,
    builtin_md: &str,
) -> Result<(tera::Tera, String), RenderError> {
    let mut html = builtin_html.to_string();
    let mut md = builtin_md.to_string();
    if let Some(dir) = dir {
        for (name, slot) in [(format!("{stem}.html.tera"), &mut html), (format!("{stem}.md.tera"), &mut md)] {
            let p = dir.join(name);
            if p.exists() {
                *slot = std::fs::read_to_string(&p)
                    .map_err(|source| RenderError::TemplateFile { path: p.display().to_string(), source })?;
            }
        }
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on([".html"]);
    tera.add_raw_template(&format!("{stem}.html"), &html).map_err(|e| RenderError::Template(e.to_string()))?;
    tera.add_raw_template(&format!("{stem}.md"), &md).map_err(|e| RenderError::Template(e.to_string()))?;
    let fingerprint = crate::hash::sha256_hex(format!("{html}\u{0}{md}").as_bytes());
    Ok((tera, fingerprint))
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

/// The files of one published report, in memory.
pub struct Rendered {
    pub txt: String,
    pub md: String,
    pub html: String,
    pub pdf: Vec<u8>,
    pub json: String,
}

impl Rendered {
    /// (extension, bytes) of every file, in a fixed order.
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
                                format!("{}{}", &s.text[..marker_len], md_escape(&s.text[marker_len..], false))
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
pub fn render(redacted: &Redacted, info: &ReportInfo, templates: &Templates) -> Result<Rendered, RenderError> {
    let txt = redacted.text().to_string();
    let blocks = layout::blocks(&txt);
    let title = blocks
        .iter()
        .find(|b| b.kind == layout::BlockKind::Title)
        .map(|b| b.plain())
        .unwrap_or_else(|| "Avidentifierad rapport".to_string());
    let mut ctx = tera::Context::new();
    ctx.insert("title", &title);
    ctx.insert("blocks", &views(&blocks));
    ctx.insert("id", &info.id);
    let html = templates.tera.render("report.html", &ctx).map_err(|e| RenderError::Template(e.to_string()))?;
    let md = templates.tera.render("report.md", &ctx).map_err(|e| RenderError::Template(e.to_string()))?;
    let pdf = pdf::render_pdf(&blocks)?;
    let mut json = serde_json::to_string_pretty(info)?;
    json.push('\n');
    Ok(Rendered { txt, md, html, pdf, json })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_syntax_but_marks_placeholders() {
        let blocks = layout::blocks("Titel\n\n# inte rubrik *x* [PERSON 1]\n\n- punkt_ett");
        let v = views(&blocks);
        assert_eq!(v[1].lines[0][0].md, "\\# inte rubrik \\*x\\* ");
        assert_eq!(v[1].lines[0][1].md, "**[PERSON 1]**");
        assert_eq!(v[2].lines[0][0].md, "- punkt\\_ett");
    }
}
