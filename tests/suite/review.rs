//! End-to-end tests of review before release (issue #10): review pages, decisions that
//! stick (`maskera decide`), the masking record, linked pseudonyms, and the review page in
//! headless Chromium. Every name and place here is invented for these tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{maskera, ok, read, require_tool, tree};

/// `maskera run INPUT --out OUT -q EXTRA…`.
fn run(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["-q"];
    args.extend_from_slice(extra);
    crate::support::run(&[input], out, &args)
}

/// A report with an ambiguous name (`Sten`, a given name and a word), a person found by
/// a form label, and a place the reviewer will deny.
const REPORT_A: &str = "Rapport enligt lex Sarah\n\nRapportör\nNamn: Tindra Kvarnström\n\nBeskrivning av händelsen\n\n\
Efter lunch kom Sten till mötet på Solgläntan. Tindra Kvarnström skrev ned vad som hänt.\n\n\
Åtgärder\n\nRutinen för överlämning har gåtts igenom.\n";

/// A second report: the same person, the same place, another person.
const REPORT_B: &str = "Utredning av händelse\n\nUtredare\nNamn: Tindra Kvarnström\n\nBakgrund\n\n\
Personalen på Solgläntan larmade. Kontaktperson Rasmus Hjortsberg kallades in.\n";

/// Input folder with both reports.
fn inputs(root: &Path) -> PathBuf {
    let input = root.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.txt"), REPORT_A).unwrap();
    std::fs::write(input.join("b.txt"), REPORT_B).unwrap();
    input
}

/// The ids of a.txt and b.txt from the manifest of `out`.
fn ids(out: &Path) -> (String, String) {
    let m = read(&out.join("manifest.jsonl"));
    let id = |name: &str| {
        m.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|v| v["source"].as_str().unwrap().ends_with(name))
            .map(|v| v["id"].as_str().unwrap().to_string())
            .unwrap()
    };
    (id("a.txt"), id("b.txt"))
}

/// The opening tag of the review page's `<mark>` around `value`, if any.
fn mark_of<'a>(html: &'a str, value: &str) -> Option<&'a str> {
    let close = format!(">{value}</mark>");
    let end = html.find(&close)?;
    let start = html[..end].rfind("<mark ")?;
    Some(&html[start..end + 1])
}

// --- review pages and decisions -------------------------------------------------------

#[test]
fn the_ambiguous_name_is_flagged_then_allowed_and_a_denied_term_is_masked_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path());
    let out = tmp.path().join("out");
    ok(&run(&input, &out, &["--review"]));
    let (a, b) = ids(&out);
    let page = out.join("review").join(format!("{a}.html"));
    let html = read(&page);
    assert!(html.contains("Innehåller personuppgifter – får inte publiceras"));
    let sten = mark_of(&html, "Sten").expect("Sten highlighted");
    assert!(
        sten.contains("data-kind=\"NAME\"")
            && sten.contains("data-low=\"true\"")
            && sten.contains("data-status=\"masked\""),
        "{sten}"
    );
    // Doubtful first: the first row of the table is Sten.
    let first_row = html.split("<tbody>").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(first_row.contains("Sten") && first_row.contains("data-low=\"true\""), "{first_row}");
    let txt_a = read(&out.join(format!("public/reports/{a}.txt")));
    assert!(!txt_a.contains("Sten") && !txt_a.contains("Kvarnström"), "{txt_a}");
    // Nothing of the review under public/, and no review page without a document.
    assert!(tree(&out.join("public")).iter().all(|(p, _)| !p.contains("review")));
    assert_eq!(std::fs::read_dir(out.join("review")).unwrap().count(), 2);

    // Keep "Sten": the rerun reprocesses and publishes it.
    let d = maskera(&["decide", "--out", out.to_str().unwrap(), "--allow", "Sten"]);
    ok(&d);
    assert!(!String::from_utf8_lossy(&d.stderr).contains("Sten"), "decide prints no terms");
    ok(&run(&input, &out, &["--review"]));
    let txt_a = read(&out.join(format!("public/reports/{a}.txt")));
    assert!(txt_a.contains("kom Sten till mötet"), "{txt_a}");
    let html = read(&page);
    let sten = mark_of(&html, "Sten").expect("Sten still shown");
    assert!(sten.contains("data-status=\"kept\"") && sten.contains("data-low=\"false\""), "{sten}");
    assert!(html.contains("data-list=\"allow\" data-source=\"batch\" data-applied=\"1\""));

    // Always mask "Solgläntan": masked in every published file of both reports.
    ok(&maskera(&["decide", "--out", out.to_str().unwrap(), "--deny", "Solgläntan"]));
    ok(&run(&input, &out, &["--review"]));
    for id in [&a, &b] {
        for ext in ["txt", "md", "html", "json"] {
            let text = read(&out.join(format!("public/reports/{id}.{ext}")));
            assert!(!text.to_lowercase().contains("solgläntan"), "{id}.{ext}");
            if ext != "json" {
                assert!(text.contains("MASKERAT"), "{id}.{ext}: {text}");
            }
        }
        if require_tool("pdftotext", &["-v"]) {
            let o = Command::new("pdftotext")
                .arg(out.join(format!("public/reports/{id}.pdf")))
                .arg("-")
                .output()
                .unwrap();
            let pdf = String::from_utf8_lossy(&o.stdout);
            assert!(
                pdf.contains("MASKERAT") && !pdf.to_lowercase().contains("solgläntan"),
                "{pdf}"
            );
        }
        let json: Value =
            serde_json::from_str(&read(&out.join(format!("public/reports/{id}.json")))).unwrap();
        assert!(
            json["masking_record"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "OTHER" && e["count"] == 1)
        );
    }
    let html_b = read(&out.join("review").join(format!("{b}.html")));
    assert!(html_b.contains("data-list=\"deny\" data-source=\"batch\" data-applied=\"1\""));
    // Still kept in A after the second decision.
    assert!(read(&out.join(format!("public/reports/{a}.txt"))).contains("Sten"));
    // The manifest holds no term.
    let manifest = read(&out.join("manifest.jsonl"));
    assert!(!manifest.contains("Solgläntan") && !manifest.contains("Sten"));
}

#[test]
fn a_global_decision_applies_to_every_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path());
    let cfg = tmp.path().join("maskera.toml");
    ok(&maskera(&[
        "decide",
        "--global",
        cfg.to_str().unwrap(),
        "--deny",
        "Solgläntan",
        "--allow",
        "Sten",
    ]));
    let out = tmp.path().join("out");
    ok(&run(&input, &out, &["--review", "--config", cfg.to_str().unwrap()]));
    let (a, _) = ids(&out);
    let txt = read(&out.join(format!("public/reports/{a}.txt")));
    assert!(txt.contains("Sten") && !txt.contains("Solgläntan"), "{txt}");
    let html = read(&out.join("review").join(format!("{a}.html")));
    assert!(
        html.contains("data-list=\"allow\" data-source=\"global\" data-applied=\"1\""),
        "{html}"
    );
}

#[test]
fn public_files_are_the_same_with_and_without_review() {
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path());
    let with = tmp.path().join("with");
    let without = tmp.path().join("without");
    ok(&run(&input, &with, &["--review"]));
    let (a, _) = ids(&with);
    ok(&run(&input, &without, &[]));
    assert_eq!(tree(&with.join("public")), tree(&without.join("public")));
    assert!(!without.join("review").exists());
    // A rerun with --review into the folder made without it writes the missing pages,
    // and the public files do not change.
    ok(&run(&input, &without, &["--review"]));
    assert!(without.join("review").join(format!("{a}.html")).is_file());
    assert_eq!(tree(&with.join("public")), tree(&without.join("public")));
    // An unchanged rerun leaves the pages; a deleted page is made again.
    std::fs::remove_file(without.join("review").join(format!("{a}.html"))).unwrap();
    ok(&run(&input, &without, &["--review"]));
    assert_eq!(
        read(&without.join("review").join(format!("{a}.html"))),
        read(&with.join("review").join(format!("{a}.html")))
    );
    // A document gone from the batch loses its page; decisions stay.
    ok(&maskera(&["decide", "--out", without.to_str().unwrap(), "--allow", "Sten"]));
    std::fs::remove_file(input.join("a.txt")).unwrap();
    ok(&run(&input, &without, &["--review"]));
    assert!(!without.join("review").join(format!("{a}.html")).exists());
    assert!(without.join("review").join("decisions.toml").is_file());
    // The JSON carries the masking record: counts and grounds, no values.
    let json: Value =
        serde_json::from_str(&read(&with.join(format!("public/reports/{a}.json")))).unwrap();
    let names =
        json["masking_record"].as_array().unwrap().iter().find(|e| e["kind"] == "NAME").unwrap();
    assert_eq!(names["ground"], "26 kap. 1 § OSL");
    assert_eq!(names["count"], json["redactions"]["NAME"]);
    let st = json["masking_statement"][0].as_str().unwrap();
    assert!(
        st.starts_with("maskning enligt 26 kap. 1 § OSL: ") && st.ends_with(" uppgifter"),
        "{st}"
    );
}

#[test]
fn legal_grounds_come_from_the_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path());
    let cfg = tmp.path().join("maskera.toml");
    std::fs::write(&cfg, "[grounds]\nNAME = \"21 kap. 1 § OSL\"\n").unwrap();
    let out = tmp.path().join("out");
    ok(&run(&input, &out, &["--config", cfg.to_str().unwrap()]));
    let (a, _) = ids(&out);
    let json: Value =
        serde_json::from_str(&read(&out.join(format!("public/reports/{a}.json")))).unwrap();
    let st: Vec<&str> =
        json["masking_statement"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(st.iter().any(|s| s.starts_with("maskning enligt 21 kap. 1 § OSL: ")), "{st:?}");
    // A ground that reads as personal data is refused before any document is read.
    std::fs::write(&cfg, "[grounds]\nNAME = \"ring 070-123 45 67\"\n").unwrap();
    assert_eq!(
        run(&input, &tmp.path().join("o2"), &["--config", cfg.to_str().unwrap()]).status.code(),
        Some(2)
    );
}

// --- linked pseudonyms ----------------------------------------------------------------

/// The person placeholders of a text, in order.
fn persons(text: &str) -> Vec<String> {
    text.match_indices("[PERSON ")
        .map(|(i, _)| text[i..i + text[i..].find(']').unwrap() + 1].to_string())
        .collect()
}

#[test]
fn linked_pseudonyms_are_the_same_across_reports_and_keyed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path());
    let out = tmp.path().join("out");
    ok(&run(&input, &out, &["--link-persons", "--review"]));
    let (a, b) = ids(&out);
    let key = out.join(".maskera/link.key");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (pa, pb) = (
        persons(&read(&out.join(format!("public/reports/{a}.txt")))),
        persons(&read(&out.join(format!("public/reports/{b}.txt")))),
    );
    assert!(!pa.is_empty() && !pb.is_empty());
    // The label person: the first placeholder of each report (after "Namn:").
    assert_eq!(pa[0], pb[0], "{pa:?} {pb:?}");
    assert!(pa[0].len() <= 42 && !pa[0].contains(char::is_numeric), "{}", pa[0]);
    assert!(pb.iter().any(|p| p != &pb[0]), "another person, another pseudonym: {pb:?}");
    // Stable across runs with the same key; another key changes every pseudonym.
    ok(&run(&input, &out, &["--link-persons", "--force"]));
    assert_eq!(persons(&read(&out.join(format!("public/reports/{a}.txt")))), pa);
    let other = tmp.path().join("other.key");
    std::fs::write(&other, [9u8; 32]).unwrap();
    ok(&run(&input, &out, &["--link-persons", "--link-key", other.to_str().unwrap()]));
    let pa2 = persons(&read(&out.join(format!("public/reports/{a}.txt"))));
    assert_ne!(pa2[0], pa[0]);
    // Without the option the numbering is back.
    ok(&run(&input, &out, &[]));
    assert_eq!(persons(&read(&out.join(format!("public/reports/{a}.txt"))))[0], "[PERSON 1]");
    // A missing key file is a usage error.
    let o = run(
        &input,
        &out,
        &["--link-persons", "--link-key", tmp.path().join("nope").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
}

// --- the page in a browser ------------------------------------------------------------

fn chromium() -> Option<&'static str> {
    let installed =
        |c: &str| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success());
    if let Some(c) =
        ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|c| installed(c))
    {
        return Some(c);
    }
    require_tool("chromium", &["--version"]);
    None
}

#[test]
fn review_pages_open_in_headless_chromium_with_the_highlights() {
    let Some(browser) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path());
    let out = tmp.path().join("out");
    ok(&run(&input, &out, &["--review"]));
    let (a, _) = ids(&out);
    let page = out.join("review").join(format!("{a}.html")).canonicalize().unwrap();
    let url = format!("file://{}", page.display());
    let profile = tmp.path().join("profile");
    let base = |cmd: &mut Command| {
        cmd.args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--enable-logging=stderr",
            "--v=0",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=2000"]);
    };
    let mut cmd = Command::new(browser);
    base(&mut cmd);
    let o = cmd.arg("--dump-dom").arg(&url).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dom = String::from_utf8_lossy(&o.stdout);
    // No console message at all: no CSP violation, no blocked resource, no script error.
    let err = String::from_utf8_lossy(&o.stderr);
    let console: Vec<&str> = err.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "{console:?}");
    assert!(dom.contains("id=\"banner\"") && dom.contains("Innehåller personuppgifter"));
    assert!(dom.contains("<table id=\"detections\""));
    let marks = dom.matches("<mark ").count();
    assert!(marks >= 3, "{marks} marks");
    assert!(dom.contains("data-kind=\"NAME\"") && dom.contains("data-low=\"true\""));
    assert!(
        dom.contains("class=\"det k-NAME masked low\""),
        "the ambiguous name is highlighted as doubtful"
    );
    // A screenshot renders (a PNG, non-trivial).
    let png = tmp.path().join("shot.png");
    let mut cmd = Command::new(browser);
    base(&mut cmd);
    let o = cmd
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1280,1600")
        .arg(&url)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        "{} bytes",
        bytes.len()
    );
}
