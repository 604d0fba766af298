//! The shape of the code: no `use crate::…` cycle between the top-level modules of the
//! library (each pipeline stage depends only on the stages before it and on shared types).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The source of a module without its comments and its unit tests.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read source");
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if !t.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every `.rs` file of a top-level module (a file or a folder).
fn files(src: &Path, module: &str) -> Vec<std::path::PathBuf> {
    let file = src.join(format!("{module}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut out = Vec::new();
    let mut stack = vec![src.join(module)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read module folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("tests.rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The top-level modules declared in `lib.rs`.
fn modules(src: &Path) -> Vec<String> {
    code(&src.join("lib.rs"))
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

/// The first path segments after every `crate::` in the code, also inside groups:
/// `use crate::{normalize, redact::X};` names `normalize` and `redact`.
fn referenced(code: &str) -> BTreeSet<String> {
    let ident =
        |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 0 => {
                        out.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

/// A cycle in the graph, if there is one (depth-first search).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&src);
    assert!(mods.len() > 10, "modules found in lib.rs: {mods:?}");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &mods {
        let deps = graph.entry(m.clone()).or_default();
        for f in files(&src, m) {
            deps.extend(referenced(&code(&f)).into_iter().filter(|o| o != m && mods.contains(o)));
        }
    }
    assert!(
        graph["document"].is_empty(),
        "document holds shared types only: {:?}",
        graph["document"]
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between top-level modules: {}", cycle.join(" → "));
    }
}

#[test]
fn references_are_found_in_paths_and_groups() {
    let r = referenced("use crate::{normalize, redact::{A, B}};\nlet x = crate::fold::key(s);");
    assert_eq!(r.into_iter().collect::<Vec<_>>(), ["fold", "normalize", "redact"]);
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let g = |edges: &[(&str, &str)]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            m.entry(a.to_string()).or_default().insert(b.to_string());
            m.entry(b.to_string()).or_default();
        }
        m
    };
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap().len(), 4);
    assert!(find_cycle(&g(&[("a", "b"), ("b", "c"), ("a", "c")])).is_none());
}

/// The packages `.ci/run` installs for maskera's run time and the ones the container image
/// installs must be the same list (CI cannot build the image here).
#[test]
fn the_container_image_installs_what_ci_installs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let value = |file: &str, key: &str| -> BTreeSet<String> {
        let text = std::fs::read_to_string(root.join(file)).expect("read");
        let line = text.lines().map(str::trim).find_map(|l| {
            l.strip_prefix(&format!("ARG {key}=")).or_else(|| l.strip_prefix(&format!("{key}=")))
        });
        let line = line.unwrap_or_else(|| panic!("{file} sets no {key}"));
        line.trim_matches('"').split_whitespace().map(String::from).collect()
    };
    let ci = value(".ci/run", "RUNTIME_PACKAGES");
    let image = value("Containerfile", "RUNTIME_PACKAGES");
    assert!(ci.contains("tesseract-ocr-swe") && ci.contains("poppler-utils"), "{ci:?}");
    assert_eq!(ci, image, "Containerfile and .ci/run install different run-time packages");
}
