//! Builds the name lexicon's FST map from `patterns/names/` at compile time (see
//! `src/detect/names/table.rs`), so that no run spends its start sorting the lists.

#[allow(dead_code)]
#[path = "src/detect/names/table.rs"]
mod table;

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/detect/names/table.rs");
    let dir = PathBuf::from("patterns/names");
    let texts: Vec<String> = table::SOURCES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            println!("cargo:rerun-if-changed={}", path.display());
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        })
        .collect();
    let sources: [&str; 6] = std::array::from_fn(|i| texts[i].as_str());
    let bytes = table::build(sources).unwrap_or_else(|e| panic!("{e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("names.fst"), bytes).expect("cannot write names.fst to OUT_DIR");
}
