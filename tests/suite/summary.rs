//! The learning summary (issue 14): a kategori with two reports shows its count nowhere —
//! not in the tables, the charts, the digests, nor in totals that would give it back — in
//! any format; and the PDF draws the same charts and tables as the HTML.

use std::path::Path;

use regex::Regex;
use serde_json::Value;

use crate::support::*;

/// Invented reports: (what happened, area, assessment, how many).
const KINDS: [(&str, &str, &str, usize); 4] = [
    (
        "Handläggaren skickade ett e-postmeddelande med en utredning till fel mottagare.",
        "Barn och unga – familjehemsenheten",
        "bedöms utgöra ett missförhållande",
        4,
    ),
    (
        "Ett aktskåp stod olåst över en helg i ett rum där hantverkare arbetade.",
        "Ekonomiskt bistånd – försörjningsstödsenheten",
        "bedöms utgöra en påtaglig risk för allvarligt missförhållande",
        6,
    ),
    (
        "Personalen bemötte den boende på ett kränkande och nedlåtande sätt.",
        "Äldreomsorg – hemtjänsten",
        "bedöms utgöra ett allvarligt missförhållande",
        5,
    ),
    // The small kategori: two reports; "kvällsmedicineringen" is only in these.
    (
        "En brukare fick en annan brukares läkemedel vid kvällsmedicineringen på avdelningen.",
        "Äldreomsorg – hemtjänsten",
        "bedöms inte utgöra ett missförhållande",
        2,
    ),
];
const SMALL: &str = "läkemedelshantering";
const SMALL_WORD: &str = "kvällsmedicineringen";

fn reports(root: &Path) -> std::path::PathBuf {
    let mut files = Vec::new();
    let mut i = 0;
    for (what, area, level, n) in KINDS {
        for j in 0..n {
            let year = 2021 + (i % 2);
            let text = format!(
                "Rapport enligt lex Sarah nr {i}\n\nVerksamhetsområde\n\n{area}\n\nVad har hänt?\n\n\
                 Den {year}-04-1{j} inträffade följande. {what}\n\nOrsaksanalys\n\nDet saknades en \
                 rutin.\n\nÅtgärder\n\nRutinen har reviderats.\n\nBedömning\n\nDet rapporterade \
                 {level}.\n"
            );
            files.push((format!("rapport-{i:02}.txt"), text));
            i += 1;
        }
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    folder(root, "in", &files)
}

/// (label, shown count) of the chart `title` in `summary.json`.
fn json_chart(s: &Value, key: &str) -> Vec<(String, String)> {
    s[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let label = c["value"].as_str().unwrap_or("uppgift saknas").to_string();
            (label, c["count"].as_u64().map_or("..".to_string(), |n| n.to_string()))
        })
        .collect()
}

/// The rows of a format's section `title` up to the next section, as `label count…` lines
/// read by `row`.
fn section<'a>(text: &'a str, title: &str, next: &str) -> &'a str {
    let start = text.find(title).unwrap_or_else(|| panic!("{title} missing"));
    let rest = &text[start + title.len()..];
    &rest[..rest.find(next).unwrap_or(rest.len())]
}

#[test]
fn a_kategori_of_two_reports_shows_its_count_nowhere() {
    if !require_tool("pdftotext", &["-v"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&run(&[&reports(tmp.path())], &out, &["-q"]));
    let dir = out.join("public/summary");
    let s: Value = serde_json::from_str(&read(&dir.join("summary.json"))).unwrap();

    // The fixtures are read as meant (else the test would prove nothing).
    let docs = s["documents"].as_u64().unwrap();
    assert_eq!(docs, 17);
    let kategori = json_chart(&s, "kategori");
    let by_label = |l: &str| kategori.iter().find(|(k, _)| k == l).unwrap().1.clone();
    assert_eq!(by_label(SMALL), "..", "the small kategori is withheld");
    assert_eq!(by_label("olåst förvaring"), "6");
    // Totals do not give it back: the withheld counts are at least two.
    let withheld = kategori.iter().filter(|(_, c)| c == "..").count();
    assert!(withheld >= 2, "{kategori:?}");
    let row = s["kategori_per_year"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == SMALL)
        .unwrap();
    assert!(row["cells"].as_array().unwrap().iter().all(Value::is_null), "{row}");
    let rows = s["kategori_per_year"]["rows"].as_array().unwrap();
    for (j, y) in s["per_year"].as_array().unwrap().iter().enumerate() {
        let col: Vec<&Value> = rows.iter().map(|r| &r["cells"][j]).collect();
        assert_ne!(col.iter().filter(|c| c.is_null()).count(), 1, "year {} column", y["year"]);
    }
    assert!(s["digests"].as_array().unwrap().iter().all(|g| g["kategori"] != SMALL));

    let md = read(&dir.join("summary.md"));
    let html = read(&dir.join("summary.html"));
    let pdf = pdftotext_layout(&dir.join("summary.pdf"));
    for (name, text) in [
        ("json", read(&dir.join("summary.json"))),
        ("md", md.clone()),
        ("html", html.clone()),
        ("pdf", pdf.clone()),
    ] {
        assert!(!text.contains(SMALL_WORD), "a digest of the small kategori in summary.{name}");
        assert!(
            !text.contains("2021-04") && !text.contains("2022-04"),
            "a digest's date in summary.{name}"
        );
    }

    // Every format shows exactly the counts of the JSON, in the same order.
    let md_rows = |title: &str, next: &str| -> Vec<(String, String)> {
        let re = Regex::new(r"(?m)^\| (.+?) \| (\S+) \|$").unwrap();
        re.captures_iter(section(&md, title, next))
            .skip(1)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect()
    };
    let html_rows = |title: &str| -> Vec<(String, String)> {
        let re = Regex::new(r#"<text x="0" y="\d+">([^<]+)</text>(<rect [^>]+/>)?<text x="[\d.]+" y="\d+">([^<]+)</text>"#).unwrap();
        let sec = section(&html, &format!("<h2>{title}</h2>"), "</figure>");
        re.captures_iter(sec).map(|c| (c[1].to_string(), c[3].to_string())).collect()
    };
    let pdf_rows = |title: &str, next: &str| -> Vec<(String, String)> {
        let re = Regex::new(r"(?m)^\s*(\S.*?\S)\s{2,}(\S+)\s*$").unwrap();
        let sec = section(&pdf, &format!("\n{title}\n"), &format!("\n{next}\n"));
        re.captures_iter(sec).map(|c| (c[1].to_string(), c[2].to_string())).collect()
    };
    for (key, title, next) in
        [("kategori", "Kategori", "Bedömning"), ("bedomning", "Bedömning", "Anmälan till IVO")]
    {
        let want = json_chart(&s, key);
        assert_eq!(md_rows(&format!("## {title}\n"), "\n## "), want, "md {title}");
        assert_eq!(html_rows(title), want, "html {title}");
        assert_eq!(pdf_rows(title, next), want, "pdf {title}:\n{pdf}");
    }
    // A withheld count is drawn without a bar.
    let bars = Regex::new(r#"<text x="0" y="\d+">läkemedelshantering</text><text"#).unwrap();
    assert!(bars.is_match(&html), "no bar for the small kategori");

    // The cross table: the small kategori's row is withheld in every format.
    let hidden = |cells: Vec<&str>| cells.iter().all(|c| *c == ".." || *c == "0");
    let md_row =
        md.lines().filter(|l| l.starts_with(&format!("| {SMALL} |"))).nth(1).expect("md cross row");
    let md_cells: Vec<&str> =
        md_row.split('|').map(str::trim).filter(|c| !c.is_empty()).skip(1).collect();
    assert!(!md_cells.is_empty() && hidden(md_cells), "{md_row}");
    let html_row = Regex::new(&format!(r"<tr><td>{SMALL}</td>(.*?)</tr>")).unwrap();
    let cells = &html_row.captures(&html).expect("html cross row")[1];
    assert!(Regex::new(r"<td>[1-9]").unwrap().find(cells).is_none(), "{cells}");
    let pdf_cross = section(&pdf, "\nKategori per år\n", "\nVerksamhetsområde per år\n");
    let pdf_row = pdf_cross.lines().find(|l| l.contains(SMALL)).expect("pdf cross row");
    let pdf_cells: Vec<&str> = pdf_row.split_whitespace().skip(1).collect();
    assert!(!pdf_cells.is_empty() && hidden(pdf_cells), "{pdf_row}");

    // The same opening sentence everywhere.
    let opening = format!("Underlaget omfattar {docs} rapporter.");
    assert!(md.contains(&opening) && html.contains(&opening) && pdf.contains(&opening));
}

#[test]
fn the_pdf_draws_the_charts_of_the_html() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&run(&[&reports(tmp.path())], &out, &["-q"]));
    let dir = out.join("public/summary");
    let html = read(&dir.join("summary.html"));
    let html_bars = html.matches(r#"<rect class="bar""#).count();
    let doc = lopdf::Document::load_mem(&std::fs::read(dir.join("summary.pdf")).unwrap()).unwrap();
    let content: String = doc
        .get_pages()
        .values()
        .map(|id| String::from_utf8_lossy(&doc.get_page_content(*id).unwrap()).into_owned())
        .collect();
    let pdf_bars = content.matches("0.227 0.431 0.647 rg").count();
    assert!(html_bars > 10, "{html_bars} bars in the HTML");
    assert_eq!(pdf_bars, html_bars, "one filled bar in the PDF for each bar of the HTML");
    let headings: Vec<&str> = Regex::new(r"<h2>([^<]+)</h2>")
        .unwrap()
        .captures_iter(&html)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    if require_tool("pdftotext", &["-v"]) {
        let text = pdftotext(&dir.join("summary.pdf"));
        for h in headings {
            assert!(text.contains(h), "{h} missing in the PDF");
        }
    }
}

/// `pdftotext -layout`: a chart's label and count stay on one line.
fn pdftotext_layout(pdf: &Path) -> String {
    let o = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).to_string()
}
