//! Builds the name lexicon's FST map from `patterns/names/` at compile time (see
//! `src/detect/names/table.rs`), so that no run spends its start sorting the lists.

#[allow(dead_code)]
#[path = "src/detect/names/table.rs"]
mod table;

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src/detect/names/table.rs");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns/names");
    for name in table::SOURCES {
        println!("cargo:rerun-if-changed={}", dir.join(name).display());
    }
    let bytes = table::build(&dir).unwrap_or_else(|e| panic!("{e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("names.fst"), bytes).expect("cannot write names.fst to OUT_DIR");
}
