//! The nightly batch as IT runs it: an empty or missing share never empties the library,
//! shards are checked before a merge, published files are readable as the umask says,
//! decisions reprocess only what they touch, and the same inputs give the same outputs
//! whatever the threads, the order and the load. Every report here is invented.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::*;

/// A report with an e-mail address and a person, numbered `i`.
fn report_text(i: usize) -> String {
    format!(
        "Rapport enligt lex Sarah nr {i}\n\nBeskrivning\n\nEnhetschef Maj-Britt Ekvall{i} skrev till \
         kontakt{i}@exempel.invalid om händelse nummer {i} på boendet.\n"
    )
}

/// A folder `root/name` with `n` reports.
fn reports(root: &Path, name: &str, n: usize) -> PathBuf {
    let files: Vec<(String, String)> =
        (0..n).map(|i| (format!("rapport-{i:02}.txt"), report_text(i))).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    folder(root, name, &refs)
}

/// Everything a run left in OUT that matters to a reader: the published tree, the review
/// pages and the manifest.
fn library(out: &Path) -> (std::collections::BTreeMap<String, Vec<u8>>, Vec<u8>) {
    let mut t = tree(&out.join("public"));
    t.extend(tree(&out.join("review")).into_iter().map(|(k, v)| (format!("review/{k}"), v)));
    (t, std::fs::read(out.join("manifest.jsonl")).unwrap_or_default())
}

fn published_count(out: &Path) -> usize {
    published_files(out).iter().filter(|p| p.extension().is_some_and(|e| e == "json")).count()
}

#[test]
fn an_empty_share_changes_nothing_and_exits_2_unless_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = reports(tmp.path(), "in", 4);
    let out = tmp.path().join("out");
    ok(&run(&[&input], &out, &["-q", "--review"]));
    assert_eq!(published_count(&out), 4);
    let before = library(&out);
    let empty = folder(tmp.path(), "empty", &[]);
    let o = run(&[&empty], &out, &["--review"]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("no input files were found"), "{}", stderr(&o));
    assert_eq!(library(&out), before, "nothing changed");
    // Allowed explicitly: the library follows the (empty) inputs.
    ok(&run(&[&empty], &out, &["-q", "--allow-shrink"]));
    assert_eq!(published_count(&out), 0);
    let summary: Value =
        serde_json::from_str(&read(&out.join("public/summary/summary.json"))).unwrap();
    assert_eq!(summary["documents"], 0);
}

#[cfg(unix)]
#[test]
fn a_share_whose_files_cannot_be_read_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = reports(tmp.path(), "in", 4);
    let out = tmp.path().join("out");
    ok(&run(&[&input], &out, &["-q"]));
    let before = library(&out);
    // The same names, but every file unreadable (links to a store that is not mounted).
    for i in 0..4 {
        let f = input.join(format!("rapport-{i:02}.txt"));
        std::fs::remove_file(&f).unwrap();
        std::os::unix::fs::symlink(tmp.path().join(format!("store/{i}")), &f).unwrap();
    }
    let o = run(&[&input], &out, &[]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("unreadable"), "{}", stderr(&o));
    assert_eq!(library(&out), before);
}

#[test]
fn a_missing_input_path_is_named_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = reports(tmp.path(), "in", 3);
    let out = tmp.path().join("out");
    ok(&run(&[&input], &out, &["-q"]));
    let before = library(&out);
    let missing = tmp.path().join("share-not-mounted");
    for extra in [&[][..], &["--allow-shrink"][..]] {
        let o = run(&[&input, &missing], &out, extra);
        assert_exit(&o, 2);
        assert!(
            stderr(&o).contains(missing.to_str().unwrap()),
            "the operator's path is named: {}",
            stderr(&o)
        );
        assert_eq!(library(&out), before);
    }
    // Into a new folder: nothing is created.
    let fresh = tmp.path().join("fresh");
    assert_exit(&run(&[&missing], &fresh, &["-q"]), 2);
    assert!(!fresh.exists());
}

#[test]
fn a_large_shrink_is_refused_a_small_one_removes_its_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let input = reports(tmp.path(), "in", 6);
    let out = tmp.path().join("out");
    ok(&run(&[&input], &out, &["-q"]));
    // One of six gone: its report goes, the rest stays.
    std::fs::remove_file(input.join("rapport-05.txt")).unwrap();
    let o = run(&[&input], &out, &["--log-format", "json"]);
    ok(&o);
    assert_eq!(published_count(&out), 5);
    let summary = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["event"] == "summary")
        .unwrap();
    assert_eq!(
        (summary["removed"].as_u64(), summary["unchanged"].as_u64()),
        (Some(1), Some(5)),
        "{summary}"
    );
    // Four of five gone (more than half): refused, nothing changes.
    for i in 0..4 {
        std::fs::remove_file(input.join(format!("rapport-{i:02}.txt"))).unwrap();
    }
    let before = library(&out);
    let o = run(&[&input], &out, &[]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("--allow-shrink"), "{}", stderr(&o));
    assert_eq!(library(&out), before);
    // The threshold is configurable.
    let cfg = tmp.path().join("maskera.toml");
    std::fs::write(&cfg, "[batch]\nmax_shrink = 0.9\n").unwrap();
    ok(&run(&[&input], &out, &["-q", "--config", cfg.to_str().unwrap()]));
    assert_eq!(published_count(&out), 1);
}

/// Run shard `k` of `n` of `input` into `root/name`.
fn shard(input: &Path, root: &Path, name: &str, k: usize, n: usize, extra: &[&str]) -> PathBuf {
    let out = root.join(name);
    let spec = format!("{k}/{n}");
    let mut args = vec!["-q", "--shard", spec.as_str()];
    args.extend_from_slice(extra);
    ok(&run(&[input], &out, &args));
    out
}

fn merge(shards: &[&Path], out: &Path) -> std::process::Output {
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap(), "-q"]);
    maskera(&args)
}

#[test]
fn merge_refuses_missing_repeated_and_mismatched_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let input = reports(root, "in", 8);
    let s0 = shard(&input, root, "s0", 0, 2, &[]);
    let s1 = shard(&input, root, "s1", 1, 2, &[]);
    let t1 = shard(&input, root, "t1", 1, 3, &[]);
    let cfg = root.join("other.toml");
    std::fs::write(&cfg, "[placeholders]\nEMAIL = \"EPOST\"\n").unwrap();
    let c1 = shard(&input, root, "c1", 1, 2, &["--config", cfg.to_str().unwrap()]);
    let more = reports(root, "more", 9);
    let i1 = shard(&more, root, "i1", 1, 2, &[]);
    let m = root.join("merged");
    for (shards, why) in [
        (vec![&s0], "missing"),
        (vec![&s0, &s0], "twice"),
        (vec![&s0, &t1], "another split"),
        (vec![&s0, &c1], "configuration"),
        (vec![&s0, &i1], "list of inputs"),
    ] {
        let refs: Vec<&Path> = shards.iter().map(|p| p.as_path()).collect();
        let o = merge(&refs, &m);
        assert_exit(&o, 2);
        assert!(stderr(&o).contains(why), "{why}: {}", stderr(&o));
        assert!(!m.exists(), "nothing written ({why})");
    }
    // The whole set merges; again into the merged folder, nothing is lost.
    ok(&merge(&[&s0, &s1], &m));
    assert_eq!(published_count(&m), 8);
    ok(&merge(&[&s1, &s0], &m));
    assert_eq!(published_count(&m), 8);
    // A merge with a shard fewer into it is refused and loses nothing.
    assert_exit(&merge(&[&s0], &m), 2);
    assert_eq!(published_count(&m), 8);
    // A run's own output folder is no merge target.
    assert_exit(&merge(&[&s0, &s1], &t1), 2);
}

#[cfg(unix)]
#[test]
fn published_files_follow_the_umask_and_private_ones_stay_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let input = reports(tmp.path(), "in", 2);
    let out = tmp.path().join("out");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022; exec '{BIN}' run '{}' --out '{}' -q --review",
            input.display(),
            out.display()
        ))
        .output()
        .unwrap();
    ok(&o);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for f in tree(&out.join("public")).keys() {
        assert_eq!(mode(&out.join("public").join(f)), 0o644, "public/{f}");
    }
    for d in ["public", "public/reports", "public/summary"] {
        assert_eq!(mode(&out.join(d)), 0o755, "{d}");
    }
    for d in ["review", ".maskera"] {
        assert_eq!(mode(&out.join(d)), 0o700, "{d}");
        for f in tree(&out.join(d)).keys() {
            assert_eq!(mode(&out.join(d).join(f)), 0o600, "{d}/{f}");
        }
    }
    assert_eq!(mode(&out.join("manifest.jsonl")), 0o600, "the manifest names the input files");
}

#[test]
fn decide_refuses_a_folder_that_is_no_run_output() {
    let tmp = tempfile::tempdir().unwrap();
    let typo = tmp.path().join("utdata-typo");
    let o = maskera(&["decide", "--out", typo.to_str().unwrap(), "--allow", "Solgläntan"]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("not a maskera output folder"), "{}", stderr(&o));
    assert!(!typo.exists(), "no folder created");
}

#[test]
fn json_log_lines_carry_a_utc_timestamp_and_the_summary_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let input = reports(tmp.path(), "in", 2);
    std::fs::write(input.join("tom.txt"), "").unwrap();
    let out = tmp.path().join("out");
    let o = run(&[&input], &out, &["--log-format", "json"]);
    assert_exit(&o, 1);
    let lines: Vec<Value> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 4, "three documents and the summary");
    for v in &lines {
        let t = v["time"].as_str().expect("time");
        // 2026-12-01T19:53:38.123Z
        let b = t.as_bytes();
        assert!(
            t.len() == 24 && t.ends_with('Z') && b[4] == b'-' && b[10] == b'T' && b[19] == b'.',
            "{t}"
        );
    }
    let s = lines.last().unwrap();
    assert_eq!(s["event"], "summary");
    for (k, n) in [("published", 2), ("unchanged", 0), ("failed", 1), ("removed", 0)] {
        assert_eq!(s[k], n, "{k}: {s}");
    }
}

#[test]
fn a_decision_reprocesses_only_the_documents_it_can_change() {
    let tmp = tempfile::tempdir().unwrap();
    let input = reports(tmp.path(), "in", 3);
    std::fs::write(
        input.join("annan.txt"),
        "Rapport\n\nPersonalen på Solgläntan larmade om natten.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    ok(&run(&[&input], &out, &["-q"]));
    let status = |out: &Path| -> Vec<(String, String)> {
        manifest(out)
            .iter()
            .map(|(k, v)| {
                (
                    Path::new(k).file_name().unwrap().to_string_lossy().to_string(),
                    v["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // A deny decision on a word only one document has.
    ok(&maskera(&["decide", "--out", out.to_str().unwrap(), "--deny", "Solgläntan", "-q"]));
    ok(&run(&[&input], &out, &["-q"]));
    let s = status(&out);
    assert!(s.iter().all(|(f, st)| (f == "annan.txt") == (st == "published")), "{s:?}");
    assert!(report(&out, &id_of(&out, "annan.txt"), "txt").contains("[MASKERAT]"));
    // An allow decision on a name that only one document masked.
    ok(&maskera(&[
        "decide",
        "--out",
        out.to_str().unwrap(),
        "--allow",
        "kontakt1@exempel.invalid",
        "-q",
    ]));
    ok(&run(&[&input], &out, &["-q"]));
    let s = status(&out);
    assert!(s.iter().all(|(f, st)| (f == "rapport-01.txt") == (st == "published")), "{s:?}");
    assert!(
        report(&out, &id_of(&out, "rapport-01.txt"), "txt").contains("kontakt1@exempel.invalid")
    );
    // Nothing changed: nothing is reprocessed.
    ok(&run(&[&input], &out, &["-q"]));
    assert!(status(&out).iter().all(|(_, st)| st == "unchanged"));
}

/// A copy of the fixtures and generated reports under other names, in another order.
fn shuffled_copy(root: &Path, name: &str, files: &[(String, Vec<u8>)], rotate: usize) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let n = files.len();
    for i in 0..n {
        let (_, bytes) = &files[(i + rotate) % n];
        std::fs::write(dir.join(format!("{name}-{i:03}.bin")), bytes).unwrap();
    }
    dir
}

#[test]
fn the_same_inputs_give_the_same_published_bytes_whatever_the_threads_order_or_load() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files.extend((0..12).map(|i| (format!("gen-{i}.txt"), report_text(i).into_bytes())));
    let a = shuffled_copy(tmp.path(), "a", &files, 0);
    let b = shuffled_copy(tmp.path(), "b", &files, 7);
    // Both runs at once (load), one on one thread and one on two.
    let spawn = |input: &Path, out: &Path, j: &str| {
        Command::new(BIN)
            .arg("run")
            .arg(input)
            .arg("--out")
            .arg(out)
            .args(["-q", "-j", j])
            .spawn()
            .unwrap()
    };
    let (oa, ob) = (tmp.path().join("oa"), tmp.path().join("ob"));
    let (mut ca, mut cb) = (spawn(&a, &oa, "1"), spawn(&b, &ob, "2"));
    assert!(ca.wait().unwrap().success() && cb.wait().unwrap().success());
    assert_eq!(tree(&oa.join("public")), tree(&ob.join("public")), "published trees differ");
    assert!(tree(&oa.join("public")).len() > 50);
}
