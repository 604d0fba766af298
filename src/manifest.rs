//! The manifest: one JSON object per input, the operator's record of a run.
//!
//! It holds paths, ids, statuses, reasons, hashes and counts — never document text or a
//! detected value. It is also the memory that lets a rerun skip unchanged inputs.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::document::Format;

/// What happened to an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Published,
    Unchanged,
    Failed,
}

/// One manifest line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The input path as given on the command line (or found in a given folder).
    pub source: String,
    /// The published name (`public/reports/<id>.*`), derived from the content.
    pub id: Option<String>,
    pub status: Status,
    /// Why the document was not published (no document text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Pages whose text came from OCR.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocr_pages: Vec<u32>,
    /// Of those, the pages that had a text layer of their own, replaced by a fresh OCR.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reocr_pages: Vec<u32>,
    /// Pages where OCR was tried and the text layer kept, and why (e.g. Tesseract missing:
    /// the layer was repaired instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocr_notes: Vec<String>,
    /// Masked ranges per kind.
    #[serde(default)]
    pub counts: BTreeMap<String, usize>,
    /// Fingerprint of the program, configuration, patterns and templates that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Stamp of all the allow/deny decisions in force when it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions_all: Option<String>,
    /// Stamp of the decisions that could touch this document (see `decide::DecisionIndex`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<String>,
    /// Keyed tags of the words this document masked (never the words).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub masked_words: Vec<String>,
}

impl Entry {
    pub fn failed(
        source: String,
        id: Option<String>,
        sha256: Option<String>,
        error: String,
    ) -> Entry {
        Entry {
            source,
            id,
            status: Status::Failed,
            error: Some(error),
            sha256,
            format: None,
            pages: None,
            ocr_pages: Vec::new(),
            reocr_pages: Vec::new(),
            ocr_notes: Vec::new(),
            counts: BTreeMap::new(),
            fingerprint: None,
            decisions_all: None,
            decisions: None,
            masked_words: Vec::new(),
        }
    }
}

/// Read a JSON-lines file of entries; unreadable lines are skipped (a killed run may have
/// left half a line).
pub fn read(path: &Path) -> Vec<Entry> {
    let Ok(f) = std::fs::File::open(path) else { return Vec::new() };
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect()
}

/// Serialise one entry as a JSON line.
pub fn line(entry: &Entry) -> String {
    let mut s = serde_json::to_string(entry).expect("manifest entries serialise");
    s.push('\n');
    s
}

/// Write all entries, sorted by source, atomically.
pub fn write(path: &Path, entries: &mut [Entry]) -> std::io::Result<()> {
    entries.sort_by(|a, b| a.source.cmp(&b.source));
    let mut buf = Vec::new();
    for e in entries.iter() {
        buf.write_all(line(e).as_bytes())?;
    }
    crate::fsutil::write_atomic(path, &buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_skip_broken_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("manifest.jsonl");
        let mut entries = vec![
            Entry::failed("b.pdf".into(), Some("x".into()), None, "the file is empty".into()),
            Entry::failed("a.pdf".into(), None, None, "r".into()),
        ];
        write(&p, &mut entries).unwrap();
        let mut text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("{\"source\":\"a.pdf\""));
        text.push_str("{\"source\": \"half");
        std::fs::write(&p, text).unwrap();
        let back = read(&p);
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].error.as_deref(), Some("the file is empty"));
    }
}
