//! Writing the summary: `summary.json`, `summary.md`, `summary.html` (tera templates,
//! embedded, overridable with `--templates DIR`; charts as inline SVG, no scripts, no
//! external assets) and `summary.pdf` (the crate's PDF renderer, the same charts drawn as
//! vector graphics and the same tables).
//!
//! Every format is made from one view of the [`Summary`] ([`Views`]): the same opening
//! sentence, charts, tables and digests, a withheld count shown as [`WITHHELD`] and drawn
//! as no bar.

use std::path::Path;

use serde::Serialize;

use super::{Count, CrossTable, Summary};
use crate::render::pdf::{self, Figure, Flow, Mark};
use crate::render::{RenderError, Templates};

const HTML_TEMPLATE: &str = include_str!("../../templates/summary.html.tera");
const MD_TEMPLATE: &str = include_str!("../../templates/summary.md.tera");

/// Files of `public/summary/`.
pub const SUMMARY_FILES: [&str; 4] = ["summary.json", "summary.md", "summary.html", "summary.pdf"];

/// How a withheld count is shown.
pub const WITHHELD: &str = "..";
const TITLE: &str = "Lärande sammanställning av lex Sarah-rapporter";
const NOT_STATED: &str = "uppgift saknas";

// SVG geometry (px).
const BAR_X: f64 = 340.0;
const BAR_MAX: f64 = 250.0;
const ROW_H: u32 = 22;

/// The summary templates: the built-in ones, or `summary.html.tera` / `summary.md.tera`
/// from `dir`.
pub fn load_templates(dir: Option<&Path>) -> Result<Templates, RenderError> {
    Templates::load_set(
        dir,
        &[("summary.html.tera", HTML_TEMPLATE), ("summary.md.tera", MD_TEMPLATE)],
    )
}

#[derive(Serialize)]
struct BarView {
    label: String,
    label_md: String,
    /// The count, or [`WITHHELD`].
    count: String,
    /// Share of the longest bar (0 for a withheld count).
    #[serde(skip)]
    fraction: f64,
    width: String,
    rect_y: u32,
    text_y: u32,
    text_x: String,
}

#[derive(Serialize)]
struct ChartView {
    title: String,
    /// Header of the value column in tables.
    column: String,
    bars: Vec<BarView>,
    height: u32,
}

#[derive(Serialize)]
struct CrossView {
    title: String,
    columns: Vec<String>,
    rows: Vec<CrossRowView>,
}

#[derive(Serialize)]
struct CrossRowView {
    label: String,
    label_md: String,
    cells: Vec<String>,
}

#[derive(Serialize)]
struct DigestView {
    kategori: String,
    kategori_md: String,
    items: Vec<DigestItemView>,
}

#[derive(Serialize)]
struct DigestItemView {
    text: String,
    text_md: String,
}

/// What every format shows.
struct Views {
    opening: String,
    note: String,
    charts: Vec<ChartView>,
    crosses: Vec<CrossView>,
    digests: Vec<DigestView>,
    footer: String,
}

fn label(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| NOT_STATED.to_string())
}

fn year_label(y: &Option<i32>) -> String {
    y.map(|y| y.to_string()).unwrap_or_else(|| NOT_STATED.to_string())
}

fn shown(n: Option<usize>) -> String {
    n.map_or_else(|| WITHHELD.to_string(), |n| n.to_string())
}

fn md(s: &str) -> String {
    crate::render::md_escape(s, false)
}

/// A bar chart of `(label, count)`; bars are scaled to the largest published count.
fn chart(title: &str, column: &str, counts: &[(String, Option<usize>)]) -> ChartView {
    let max = counts.iter().filter_map(|(_, c)| *c).max().unwrap_or(0).max(1);
    let bars: Vec<BarView> = counts
        .iter()
        .enumerate()
        .map(|(i, (l, c))| {
            let fraction = c.map_or(0.0, |c| c as f64 / max as f64);
            BarView {
                label: l.clone(),
                label_md: md(l),
                count: shown(*c),
                fraction,
                width: format!("{:.1}", fraction * BAR_MAX),
                rect_y: i as u32 * ROW_H + 4,
                text_y: i as u32 * ROW_H + 15,
                text_x: format!("{:.1}", BAR_X + 6.0 + fraction * BAR_MAX),
            }
        })
        .collect();
    ChartView {
        title: title.to_string(),
        column: column.to_string(),
        height: bars.len() as u32 * ROW_H + 4,
        bars,
    }
}

fn value_chart(title: &str, counts: &[Count]) -> ChartView {
    let rows: Vec<(String, Option<usize>)> =
        counts.iter().map(|c| (label(&c.value), c.count)).collect();
    chart(title, "Värde", &rows)
}

fn cross_view(title: &str, t: &CrossTable) -> CrossView {
    CrossView {
        title: title.to_string(),
        columns: t.columns.iter().map(year_label).collect(),
        rows: t
            .rows
            .iter()
            .map(|r| CrossRowView {
                label: label(&r.value),
                label_md: md(&label(&r.value)),
                cells: r.cells.iter().map(|c| shown(*c)).collect(),
            })
            .collect(),
    }
}

/// The opening sentence: how many reports, how many reported to IVO (published parts only).
fn opening(s: &Summary) -> String {
    let k = s.min_count;
    let mut t = match s.documents {
        Some(n) => format!("Underlaget omfattar {n} rapporter."),
        None => format!("Underlaget omfattar färre än {k} rapporter."),
    };
    let ivo = &s.ivo_anmalan;
    let rest: Vec<String> = [(ivo.no, "nej"), (ivo.unknown, NOT_STATED)]
        .iter()
        .filter_map(|(n, what)| n.map(|n| format!("{n} {what}")))
        .collect();
    let rest = if rest.is_empty() { String::new() } else { format!(" ({})", rest.join(", ")) };
    match (ivo.yes, ivo.share) {
        (Some(yes), Some(share)) => t.push_str(&format!(
            " {yes} av dem ({:.0}\u{a0}%) har anmälts eller ska anmälas till IVO{rest}.",
            share * 100.0
        )),
        _ => {
            t.push_str(&format!(" Hur många av dem som har anmälts till IVO redovisas inte{rest}."))
        }
    }
    t
}

fn views(s: &Summary) -> Views {
    let k = s.min_count;
    let ivo = &s.ivo_anmalan;
    let ivo_rows = [
        ("ja".to_string(), ivo.yes),
        ("nej".to_string(), ivo.no),
        (NOT_STATED.to_string(), ivo.unknown),
    ];
    let years: Vec<(String, Option<usize>)> =
        s.per_year.iter().map(|y| (year_label(&y.year), y.count)).collect();
    Views {
        opening: opening(s),
        note: format!(
            "Antal under {k} redovisas inte, och inte heller antal som skulle göra det möjligt att \
             räkna fram dem; de visas som {WITHHELD} och ritas utan stapel. Exempel visas bara för \
             kategorier vars antal redovisas."
        ),
        charts: vec![
            value_chart("Kategori", &s.kategori),
            value_chart("Bedömning", &s.bedomning),
            chart("Anmälan till IVO", "Värde", &ivo_rows),
            value_chart("Verksamhetsområde", &s.verksamhetsomrade),
            value_chart("Orsaker", &s.orsaker),
            value_chart("Åtgärder", &s.atgarder),
            chart("Per år", "År", &years),
        ],
        crosses: vec![
            cross_view("Kategori per år", &s.kategori_per_year),
            cross_view("Verksamhetsområde per år", &s.verksamhetsomrade_per_year),
        ],
        digests: s
            .digests
            .iter()
            .map(|g| DigestView {
                kategori: label(&g.kategori),
                kategori_md: md(&label(&g.kategori)),
                items: g
                    .digests
                    .iter()
                    .map(|d| DigestItemView { text: d.text.clone(), text_md: md(&d.text) })
                    .collect(),
            })
            .collect(),
        footer: format!(
            "Sammanställd av maskera {} ur avidentifierade rapporter. Uppgifter inom hakparentes har maskerats.",
            s.maskera_version
        ),
    }
}

fn context(v: &Views) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("title", TITLE);
    ctx.insert("opening", &v.opening);
    ctx.insert("note", &v.note);
    ctx.insert("charts", &v.charts);
    ctx.insert("crosses", &v.crosses);
    ctx.insert("digests", &v.digests);
    ctx.insert("footer", &v.footer);
    ctx
}

// ---------------------------------------------------------------------------------------
// The PDF: the same charts and tables as figures (points; y down from the figure's top).

const FONT: f32 = 9.0;
const PDF_ROW: f32 = 16.0;
const PDF_BAR_H: f32 = 10.0;
/// The widest label column; a longer label is set smaller.
const LABEL_MAX: f32 = 200.0;
const BAR_RGB: [f32; 3] = [0.227, 0.431, 0.647];
const RULE_GREY: f32 = 0.73;
const TABLE_ROW: f32 = 15.0;
/// Rows per figure (a figure is kept on one page).
const ROWS_PER_FIGURE: usize = 40;

/// A label at `x`, set smaller when it is wider than `max`.
fn fitted(text: &str, x: f32, y: f32, max: f32, bold: bool) -> Result<Mark, RenderError> {
    let w = pdf::text_width(text, bold, FONT)?;
    let size = if w > max { (FONT * max / w).max(5.0) } else { FONT };
    Ok(Mark::Text { x, y, text: text.to_string(), bold, size })
}

fn label_column(labels: &[&str], bold: bool) -> Result<f32, RenderError> {
    let mut w: f32 = 0.0;
    for l in labels {
        w = w.max(pdf::text_width(l, bold, FONT)?);
    }
    Ok((w + 10.0).min(LABEL_MAX + 10.0))
}

fn pdf_chart(c: &ChartView) -> Result<Vec<Figure>, RenderError> {
    // One label column for every chart, as in the HTML.
    let x0 = LABEL_MAX + 10.0;
    let bar_max = pdf::CONTENT_WIDTH - x0 - 40.0;
    let mut figures = Vec::new();
    for chunk in c.bars.chunks(ROWS_PER_FIGURE) {
        let mut marks = Vec::new();
        for (i, b) in chunk.iter().enumerate() {
            let top = i as f32 * PDF_ROW;
            let baseline = top + 11.5;
            marks.push(fitted(&b.label, 0.0, baseline, x0 - 10.0, false)?);
            let len = b.fraction as f32 * bar_max;
            if len > 0.0 {
                marks.push(Mark::Rect { x: x0, y: top + 3.0, w: len, h: PDF_BAR_H, rgb: BAR_RGB });
            }
            marks.push(Mark::Text {
                x: x0 + len + 4.0,
                y: baseline,
                text: b.count.clone(),
                bold: false,
                size: FONT,
            });
        }
        figures.push(Figure { height: chunk.len() as f32 * PDF_ROW + 2.0, marks });
    }
    Ok(figures)
}

/// A table: label column and number columns, ruled; split into several tables, one under
/// the other, when the columns do not fit the page width (and every 40 rows).
fn pdf_table(x: &CrossView) -> Result<Vec<Figure>, RenderError> {
    let labels: Vec<&str> = x.rows.iter().map(|r| r.label.as_str()).collect();
    let label_w = label_column(&labels, false)?;
    let mut widths = Vec::new();
    for (j, c) in x.columns.iter().enumerate() {
        let mut w = pdf::text_width(c, true, FONT)?;
        for r in &x.rows {
            w = w.max(pdf::text_width(&r.cells[j], false, FONT)?);
        }
        widths.push((w + 10.0).max(34.0));
    }
    // Groups of columns that fit beside the label column.
    let mut groups: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = label_w;
    for (j, w) in widths.iter().enumerate() {
        let g = groups.last_mut().expect("a group");
        if !g.is_empty() && used + w > pdf::CONTENT_WIDTH {
            groups.push(vec![j]);
            used = label_w + w;
        } else {
            g.push(j);
            used += w;
        }
    }
    let mut figures = Vec::new();
    for cols in groups.iter().filter(|g| !g.is_empty()) {
        let width = label_w + cols.iter().map(|j| widths[*j]).sum::<f32>();
        let header: Vec<(String, bool)> = std::iter::once((String::new(), true))
            .chain(cols.iter().map(|j| (x.columns[*j].clone(), true)))
            .collect();
        let mut rows: Vec<Vec<(String, bool)>> = vec![header];
        for r in &x.rows {
            let mut row = vec![(r.label.clone(), false)];
            row.extend(cols.iter().map(|j| (r.cells[*j].clone(), false)));
            rows.push(row);
        }
        // The header goes again on top of every part of a long table.
        let header = rows.remove(0);
        for chunk in rows.chunks(ROWS_PER_FIGURE) {
            let mut marks = Vec::new();
            let all: Vec<&Vec<(String, bool)>> =
                std::iter::once(&header).chain(chunk.iter()).collect();
            for (i, row) in all.iter().enumerate() {
                let top = i as f32 * TABLE_ROW;
                let baseline = top + 10.5;
                let mut cx = 0.0;
                for (j, (text, bold)) in row.iter().enumerate() {
                    if j == 0 {
                        marks.push(fitted(text, 4.0, baseline, label_w - 8.0, *bold)?);
                        cx = label_w;
                    } else {
                        let w = widths[cols[j - 1]];
                        let tw = pdf::text_width(text, *bold, FONT)?;
                        marks.push(Mark::Text {
                            x: cx + w - 5.0 - tw,
                            y: baseline,
                            text: text.clone(),
                            bold: *bold,
                            size: FONT,
                        });
                        cx += w;
                    }
                }
            }
            let height = all.len() as f32 * TABLE_ROW;
            let rule = |marks: &mut Vec<Mark>, x: f32, y: f32, w: f32, h: f32| {
                marks.push(Mark::Rect { x, y, w, h, rgb: [RULE_GREY; 3] });
            };
            for i in 0..=all.len() {
                rule(&mut marks, 0.0, i as f32 * TABLE_ROW - 0.25, width, 0.5);
            }
            let mut cx = 0.0;
            rule(&mut marks, -0.25, 0.0, 0.5, height);
            for w in std::iter::once(label_w).chain(cols.iter().map(|j| widths[*j])) {
                cx += w;
                rule(&mut marks, cx - 0.25, 0.0, 0.5, height);
            }
            figures.push(Figure { height: height + 2.0, marks });
        }
    }
    Ok(figures)
}

fn pdf_flow(v: &Views) -> Result<Vec<Flow>, RenderError> {
    let mut flow = vec![
        Flow::Title(TITLE.to_string()),
        Flow::Paragraph(v.opening.clone()),
        Flow::Paragraph(v.note.clone()),
    ];
    for c in &v.charts {
        flow.push(Flow::Heading(c.title.clone()));
        flow.extend(pdf_chart(c)?.into_iter().map(Flow::Figure));
    }
    for x in &v.crosses {
        flow.push(Flow::Heading(x.title.clone()));
        flow.extend(pdf_table(x)?.into_iter().map(Flow::Figure));
    }
    flow.push(Flow::Heading("Exempel på händelser".to_string()));
    for g in &v.digests {
        flow.push(Flow::Subheading(g.kategori.clone()));
        flow.push(Flow::List(g.items.iter().map(|d| d.text.clone()).collect()));
    }
    flow.push(Flow::Paragraph(v.footer.clone()));
    Ok(flow)
}

/// The four summary files, in [`SUMMARY_FILES`] order.
pub fn render(s: &Summary, templates: &Templates) -> Result<[Vec<u8>; 4], RenderError> {
    let mut json = serde_json::to_string_pretty(s)?;
    json.push('\n');
    let v = views(s);
    let ctx = context(&v);
    let md = templates.render("summary.md", &ctx)?;
    let html = templates.render("summary.html", &ctx)?;
    let pdf = pdf::render_flow(&pdf_flow(&v)?)?;
    Ok([json.into_bytes(), md.into_bytes(), html.into_bytes(), pdf])
}
