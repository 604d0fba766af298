//! Writing the summary: `summary.json`, `summary.md`, `summary.html` (tera templates,
//! embedded, overridable with `--templates DIR`; charts as inline SVG, no scripts, no
//! external assets) and `summary.pdf` (the crate's PDF renderer).

use std::path::Path;

use serde::Serialize;

use super::{Count, CrossTable, Summary};
use crate::render::layout::Layout;
use crate::render::{RenderError, Templates};

const HTML_TEMPLATE: &str = include_str!("../../templates/summary.html.tera");
const MD_TEMPLATE: &str = include_str!("../../templates/summary.md.tera");

/// Files of `public/summary/`.
pub const SUMMARY_FILES: [&str; 4] = ["summary.json", "summary.md", "summary.html", "summary.pdf"];

const NOT_STATED: &str = "uppgift saknas";
const BAR_MAX: f64 = 250.0;
const ROW_H: u32 = 22;

/// The summary templates: the built-in ones, or `summary.html.tera` / `summary.md.tera`
/// from `dir`.
pub fn load_templates(dir: Option<&Path>) -> Result<Templates, RenderError> {
    Templates::load_set(dir, &[("summary.html.tera", HTML_TEMPLATE), ("summary.md.tera", MD_TEMPLATE)])
}

#[derive(Serialize)]
struct BarView {
    label: String,
    label_md: String,
    count: usize,
    width: String,
    rect_y: u32,
    text_y: u32,
    text_x: String,
}

#[derive(Serialize)]
struct ChartView {
    title: String,
    bars: Vec<BarView>,
    height: u32,
}

#[derive(Serialize)]
struct ColumnView {
    label: String,
    count: usize,
    x: u32,
    height: String,
    y: String,
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
    meta: String,
    text: String,
    text_md: String,
}

fn label(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| NOT_STATED.to_string())
}

fn year_label(y: &Option<i32>) -> String {
    y.map(|y| y.to_string()).unwrap_or_else(|| NOT_STATED.to_string())
}

fn chart(title: &str, counts: &[Count]) -> ChartView {
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let bars: Vec<BarView> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| BarView {
            label: label(&c.value),
            label_md: crate::render::md_escape(&label(&c.value), false),
            count: c.count,
            width: format!("{:.1}", c.count as f64 / max as f64 * BAR_MAX),
            rect_y: i as u32 * ROW_H + 4,
            text_y: i as u32 * ROW_H + 15,
            text_x: format!("{:.1}", 346.0 + c.count as f64 / max as f64 * BAR_MAX),
        })
        .collect();
    ChartView { title: title.to_string(), height: bars.len() as u32 * ROW_H + 4, bars }
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
                label_md: crate::render::md_escape(&label(&r.value), false),
                cells: r.cells.iter().map(|c| c.as_str().map(String::from).unwrap_or_else(|| c.to_string())).collect(),
            })
            .collect(),
    }
}

fn context(s: &Summary) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("documents", &s.documents);
    ctx.insert("min_count", &s.min_count);
    ctx.insert("version", &s.maskera_version);
    ctx.insert(
        "charts",
        &vec![
            chart("Kategori", &s.kategori),
            chart("Bedömning", &s.bedomning),
            chart("Verksamhetsområde", &s.verksamhetsomrade),
            chart("Orsaker", &s.orsaker),
            chart("Åtgärder", &s.atgarder),
        ],
    );
    ctx.insert("ivo", &s.ivo_anmalan);
    ctx.insert("ivo_percent", &format!("{:.0}", s.ivo_anmalan.share * 100.0));
    let max = s.per_year.iter().map(|y| y.count).max().unwrap_or(0).max(1);
    let years: Vec<ColumnView> = s
        .per_year
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let h = y.count as f64 / max as f64 * 120.0;
            ColumnView {
                label: year_label(&y.year),
                count: y.count,
                x: 10 + i as u32 * 56,
                height: format!("{h:.1}"),
                y: format!("{:.1}", 140.0 - h),
            }
        })
        .collect();
    ctx.insert("years_width", &(20 + years.len() as u32 * 56));
    ctx.insert("years", &years);
    ctx.insert(
        "crosses",
        &vec![
            cross_view("Kategori per år", &s.kategori_per_year),
            cross_view("Verksamhetsområde per år", &s.verksamhetsomrade_per_year),
        ],
    );
    let digests: Vec<DigestView> = s
        .digests
        .iter()
        .map(|g| DigestView {
            kategori: label(&g.kategori),
            kategori_md: crate::render::md_escape(&label(&g.kategori), false),
            items: g
                .digests
                .iter()
                .map(|d| DigestItemView {
                    meta: format!(
                        "{}, {}",
                        year_label(&d.year),
                        d.bedomning.clone().unwrap_or_else(|| "bedömning saknas".into())
                    ),
                    text: d.text.clone(),
                    text_md: crate::render::md_escape(&d.text, false),
                })
                .collect(),
        })
        .collect();
    ctx.insert("digests", &digests);
    ctx
}

/// Plain text of the summary, in the block form the PDF renderer reads.
fn plain(s: &Summary) -> String {
    let mut t = String::from("Lärande sammanställning av lex Sarah-rapporter\n\n");
    t.push_str(&format!("Underlaget omfattar {} rapporter. Andelen som anmälts till IVO är {:.0} procent.\n\n", s.documents, s.ivo_anmalan.share * 100.0));
    for (title, counts) in [
        ("Kategori", &s.kategori),
        ("Bedömning", &s.bedomning),
        ("Verksamhetsområde", &s.verksamhetsomrade),
        ("Orsaker", &s.orsaker),
        ("Åtgärder", &s.atgarder),
    ] {
        t.push_str(&format!("{title}\n\n"));
        for c in counts {
            t.push_str(&format!("- {}: {}\n", label(&c.value), c.count));
        }
        t.push('\n');
    }
    t.push_str("Per år\n\n");
    for y in &s.per_year {
        t.push_str(&format!("- {}: {}\n", year_label(&y.year), y.count));
    }
    t.push('\n');
    for (title, table) in [("Kategori per år", &s.kategori_per_year), ("Verksamhetsområde per år", &s.verksamhetsomrade_per_year)] {
        let v = cross_view(title, table);
        t.push_str(&format!("{title}\n\n"));
        for r in &v.rows {
            let cells: Vec<String> = v.columns.iter().zip(&r.cells).map(|(c, n)| format!("{c}: {n}")).collect();
            t.push_str(&format!("- {}: {}\n", r.label, cells.join(", ")));
        }
        t.push('\n');
    }
    t.push_str("Exempel på händelser\n\n");
    for g in &s.digests {
        for d in &g.digests {
            t.push_str(&format!("- {} ({}): {}\n", label(&g.kategori), year_label(&d.year), d.text.replace('\n', " ")));
        }
    }
    t
}

/// The four summary files, in [`SUMMARY_FILES`] order.
pub fn render(s: &Summary, templates: &Templates) -> Result<[Vec<u8>; 4], RenderError> {
    let mut json = serde_json::to_string_pretty(s)?;
    json.push('\n');
    let ctx = context(s);
    let md = templates.render("summary.md", &ctx)?;
    let html = templates.render("summary.html", &ctx)?;
    let pdf = crate::render::pdf::render_pdf(&Layout::of_published_text(&plain(s)))?;
    Ok([json.into_bytes(), md.into_bytes(), html.into_bytes(), pdf])
}

