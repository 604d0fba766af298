//! Golden files: the published files of the project's fixtures, checked byte for byte
//! against the snapshots in `tests/suite/snapshots/` (insta). A change in any output shows
//! up in review as a snapshot diff; accept an intended one with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test main golden`) and commit the snapshots.

use std::path::Path;

use crate::support::*;

#[test]
fn fixtures_publish_the_golden_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&run(&[&fixtures()], &out, &["-q"]));
    let mut digests = Vec::new();
    for (source, e) in manifest(&out) {
        let name = Path::new(&source).file_name().unwrap().to_string_lossy().to_string();
        let stem: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
            .collect();
        let id = e["id"].as_str().unwrap();
        for ext in ["txt", "md", "html", "json"] {
            insta::assert_snapshot!(format!("{stem}.{ext}"), report(&out, id, ext));
        }
        let pdf = std::fs::read(out.join("public/reports").join(format!("{id}.pdf"))).unwrap();
        digests.push(format!("{stem}.pdf {}", maskera::hash::sha256_hex(&pdf)));
    }
    for f in ["summary.json", "summary.md", "summary.html"] {
        insta::assert_snapshot!(f, read(&out.join("public/summary").join(f)));
    }
    let pdf = std::fs::read(out.join("public/summary/summary.pdf")).unwrap();
    digests.push(format!("summary.pdf {}", maskera::hash::sha256_hex(&pdf)));
    insta::assert_snapshot!("pdf-digests", digests.join("\n"));
}
