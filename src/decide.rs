//! Review decisions that stick: terms to keep (allow) or always mask (deny).
//!
//! The global lists are the configuration's `allow` and `deny`. The per-batch lists live in
//! `OUT/review/decisions.toml` (`allow = [...]`, `deny = [...]`); `maskera run` into that
//! output folder reads them and adds them to the configuration's, so they take part in the
//! fingerprint and a rerun reprocesses what they affect. `maskera decide` edits either file
//! (a configuration file keeps its comments and layout), so nobody hand-edits TOML.
//!
//! Terms compare case-insensitively with whitespace collapsed, as the detectors compare
//! them. Allowing a term removes it from the same file's deny-list and the other way round;
//! a term in a deny-list is masked even when an allow-list also holds it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{Config, ConfigError};
use crate::fold::term as fold;

/// The per-batch decisions of one output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Decisions {
    /// Terms kept even when a detector finds them.
    pub allow: Vec<String>,
    /// Terms always masked wherever they occur as whole words.
    pub deny: Vec<String>,
}

/// What `maskera decide` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub remove: Vec<String>,
}

/// Which allow/deny decisions can change a document, so that a rerun after `maskera
/// decide` reprocesses only the documents a changed decision can touch.
///
/// A decision can touch a document only if each of its words occurs in the document: in
/// its published text, or among the words it masked. The index of a document keeps keyed
/// tags of its masked words (never the words) and a stamp of the decisions that touch it;
/// on a rerun with other decisions the same test is made on the published `.txt` and the
/// tags, and the document is reprocessed only when its stamp changes.
pub struct DecisionIndex<'a> {
    allow: Vec<String>,
    deny: Vec<String>,
    key: &'a crate::link::LinkKey,
}

/// The words of a text, folded as terms compare.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    use unicode_segmentation::UnicodeSegmentation;
    text.unicode_words().map(fold)
}

impl<'a> DecisionIndex<'a> {
    /// The index for the decisions in force (`allow`, `deny`), tagging words with `key`.
    pub fn new(
        allow: &[String],
        deny: &[String],
        key: &'a crate::link::LinkKey,
    ) -> DecisionIndex<'a> {
        let norm = |l: &[String]| {
            let mut v: Vec<String> = l.iter().map(|t| fold(t)).filter(|t| !t.is_empty()).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        DecisionIndex { allow: norm(allow), deny: norm(deny), key }
    }

    /// A stamp of all the decisions in force: a rerun with the same stamp changes nothing.
    pub fn all(&self) -> String {
        stamp(self.allow.iter().map(|t| ("allow", t)).chain(self.deny.iter().map(|t| ("deny", t))))
    }

    /// The keyed tags of the words of masked values, sorted.
    pub fn tags<'v>(&self, masked: impl Iterator<Item = &'v str>) -> Vec<String> {
        let mut tags: Vec<String> = masked
            .flat_map(|v| words(v).collect::<Vec<_>>())
            .map(|w| self.key.word_tag(&w))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        tags
    }

    /// The stamp of the decisions that can touch a document with this published text and
    /// these masked-word tags.
    pub fn touching(&self, published: &str, tags: &[String]) -> String {
        let present: std::collections::HashSet<String> = words(published).collect();
        let occurs = |term: &String| {
            words(term)
                .all(|w| present.contains(&w) || tags.binary_search(&self.key.word_tag(&w)).is_ok())
        };
        stamp(
            self.allow
                .iter()
                .filter(|t| occurs(t))
                .map(|t| ("allow", t))
                .chain(self.deny.iter().filter(|t| occurs(t)).map(|t| ("deny", t))),
        )
    }
}

/// A short hash of a list of (list, term) pairs.
fn stamp<'t>(terms: impl Iterator<Item = (&'static str, &'t String)>) -> String {
    let mut text = String::from("maskera decisions\0");
    for (list, t) in terms {
        text.push_str(list);
        text.push(':');
        text.push_str(t);
        text.push('\0');
    }
    crate::hash::sha256_hex(text.as_bytes())[..16].to_string()
}

/// What a change did, in numbers (terms are never printed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub allowed: usize,
    pub denied: usize,
    pub removed: usize,
}

/// A problem recording decisions.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("a term must be 1–200 characters on one line")]
    BadTerm,
    #[error("nothing to do: give --allow, --deny or --remove")]
    Nothing,
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

const HEADER: &str = "# Review decisions for this output folder, read by `maskera run` (edit with `maskera decide`).\n\
# allow: terms kept even when detected; deny: terms always masked (whole words).\n";

impl Decisions {
    /// `OUT/review/decisions.toml`.
    pub fn path(out: &Path) -> PathBuf {
        out.join("review").join("decisions.toml")
    }

    /// The decisions of an output folder (none if it has no file).
    pub fn load(out: &Path) -> Result<Decisions, ConfigError> {
        let path = Self::path(out);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Decisions::default()),
            Err(source) => {
                return Err(ConfigError::Read { path: path.display().to_string(), source });
            }
        };
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Add these decisions to a configuration's lists (each term once).
    pub fn apply_to(&self, config: &mut Config) {
        for (from, to) in [(&self.allow, &mut config.allow), (&self.deny, &mut config.deny)] {
            for t in from {
                if !to.iter().any(|x| fold(x) == fold(t)) {
                    to.push(t.clone());
                }
            }
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }
}

fn check_term(t: &str) -> Result<String, DecideError> {
    let t = t.trim();
    if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
        return Err(DecideError::BadTerm);
    }
    Ok(t.to_string())
}

/// Apply a change to a pair of lists.
fn apply(
    allow: &mut Vec<String>,
    deny: &mut Vec<String>,
    change: &Change,
) -> Result<Applied, DecideError> {
    if change.allow.is_empty() && change.deny.is_empty() && change.remove.is_empty() {
        return Err(DecideError::Nothing);
    }
    let mut done = Applied::default();
    let drop = |list: &mut Vec<String>, t: &str| {
        let before = list.len();
        list.retain(|x| fold(x) != fold(t));
        before != list.len()
    };
    for t in &change.remove {
        let t = check_term(t)?;
        let (a, d) = (drop(allow, &t), drop(deny, &t));
        done.removed += usize::from(a || d);
    }
    for t in &change.allow {
        let t = check_term(t)?;
        drop(deny, &t);
        if !allow.iter().any(|x| fold(x) == fold(&t)) {
            allow.push(t);
            done.allowed += 1;
        }
    }
    for t in &change.deny {
        let t = check_term(t)?;
        drop(allow, &t);
        if !deny.iter().any(|x| fold(x) == fold(&t)) {
            deny.push(t);
            done.denied += 1;
        }
    }
    Ok(done)
}

/// Record a change in the per-batch decisions of `out`.
pub fn decide_batch(out: &Path, change: &Change) -> Result<Applied, DecideError> {
    let mut d = Decisions::load(out)?;
    let done = apply(&mut d.allow, &mut d.deny, change)?;
    let path = Decisions::path(out);
    let text = format!("{HEADER}{}", toml::to_string(&d).expect("decisions serialise"));
    let err = |source| DecideError::Write { path: path.display().to_string(), source };
    std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(err)?;
    crate::fsutil::write_atomic(&path, text.as_bytes()).map_err(err)?;
    Ok(done)
}

/// Record a change in the `allow` / `deny` lists of a configuration file, keeping its
/// comments and layout. The file is created if missing; the result must still be a valid
/// configuration, or nothing is written.
pub fn decide_global(file: &Path, change: &Change) -> Result<Applied, DecideError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ConfigError::Read { path: file.display().to_string(), source }.into());
        }
    };
    let parse_err =
        |message: String| ConfigError::Parse { path: file.display().to_string(), message };
    // The file must be a valid configuration before, so that nothing else is disturbed.
    let cfg: Config = toml::from_str(&text).map_err(|e| parse_err(e.to_string()))?;
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| parse_err(e.to_string()))?;
    let (mut allow, mut deny) = (cfg.allow.clone(), cfg.deny.clone());
    let done = apply(&mut allow, &mut deny, change)?;
    for (key, list) in [("allow", &allow), ("deny", &deny)] {
        let mut arr = toml_edit::Array::new();
        for t in list {
            arr.push(t.as_str());
        }
        match doc.get_mut(key).and_then(|i| i.as_value_mut()) {
            Some(v) => {
                let decor = v.decor().clone();
                *v = toml_edit::Value::Array(arr);
                *v.decor_mut() = decor;
            }
            None if !list.is_empty() => {
                doc.insert(key, toml_edit::value(arr));
            }
            None => {}
        }
    }
    let new = doc.to_string();
    let check: Config = toml::from_str(&new).map_err(|e| parse_err(e.to_string()))?;
    check.validate()?;
    crate::fsutil::write_atomic(file, new.as_bytes())
        .map_err(|source| DecideError::Write { path: file.display().to_string(), source })?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_touches_only_documents_with_all_its_words() {
        let key = crate::link::LinkKey::from_bytes(&[1u8; 32]);
        let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let none = DecisionIndex::new(&[], &[], &key);
        let idx = DecisionIndex::new(&s(&["Sten Ek"]), &s(&["Solgläntan"]), &key);
        let masked = idx.tags(["Sten Ek", "070-123"].into_iter());
        assert!(!masked.iter().any(|t| t.contains("sten")), "tags, not words");
        let text = "Mötet på Solgläntan med [PERSON 1].";
        // Both decisions touch this document: Solgläntan is in its text, Sten Ek was masked.
        assert_ne!(idx.touching(text, &masked), none.touching(text, &masked));
        let only_deny = DecisionIndex::new(&[], &s(&["solgläntan"]), &key);
        assert_ne!(idx.touching(text, &masked), only_deny.touching(text, &masked));
        // A document without those words is touched by neither: its stamp stays.
        let other = "Ett annat möte.";
        assert_eq!(idx.touching(other, &[]), none.touching(other, &[]));
        assert_ne!(idx.all(), none.all());
        assert_eq!(
            idx.all(),
            DecisionIndex::new(&s(&["sten  ek"]), &s(&["SOLGLÄNTAN"]), &key).all()
        );
    }

    fn change(allow: &[&str], deny: &[&str], remove: &[&str]) -> Change {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        Change { allow: v(allow), deny: v(deny), remove: v(remove) }
    }

    #[test]
    fn batch_decisions_stick_and_move_between_lists() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(Decisions::load(d.path()).unwrap(), Decisions::default());
        let done = decide_batch(d.path(), &change(&["Sten"], &["Solgläntan", " solgläntan "], &[]))
            .unwrap();
        assert_eq!(done, Applied { allowed: 1, denied: 1, removed: 0 });
        let got = Decisions::load(d.path()).unwrap();
        assert_eq!(
            (got.allow.as_slice(), got.deny.as_slice()),
            (&["Sten".to_string()][..], &["Solgläntan".to_string()][..])
        );
        // Denying an allowed term moves it; removing takes it out of both.
        decide_batch(d.path(), &change(&[], &["STEN"], &[])).unwrap();
        let got = Decisions::load(d.path()).unwrap();
        assert!(got.allow.is_empty() && got.deny.len() == 2);
        decide_batch(d.path(), &change(&[], &[], &["sten", "solgläntan"])).unwrap();
        assert!(Decisions::load(d.path()).unwrap().is_empty());
        assert!(matches!(
            decide_batch(d.path(), &change(&[" "], &[], &[])),
            Err(DecideError::BadTerm)
        ));
        assert!(matches!(decide_batch(d.path(), &Change::default()), Err(DecideError::Nothing)));
    }

    #[test]
    fn decisions_merge_into_the_configuration_once() {
        let mut cfg = Config { allow: vec!["Växeln".into()], ..Config::default() };
        Decisions {
            allow: vec!["växeln".into(), "Sten".into()], deny: vec!["Solgläntan".into()]
        }
        .apply_to(&mut cfg);
        assert_eq!(cfg.allow, ["Växeln", "Sten"]);
        assert_eq!(cfg.deny, ["Solgläntan"]);
    }

    #[test]
    fn a_global_file_keeps_its_comments() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("maskera.toml");
        std::fs::write(&f, "# our policy\nallow = [\"Växeln\"] # switchboard\n\n[placeholders]\nEMAIL = \"E-POST\"\n").unwrap();
        decide_global(&f, &change(&["Sten"], &["Solgläntan"], &[])).unwrap();
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.starts_with("# our policy\n") && text.contains("# switchboard"), "{text}");
        let cfg = Config::load(&f).unwrap();
        assert_eq!(cfg.allow, ["Växeln", "Sten"]);
        assert_eq!(cfg.deny, ["Solgläntan"]);
        // A new file is created; a broken one is left alone.
        let g = d.path().join("new.toml");
        decide_global(&g, &change(&[], &["Solgläntan"], &[])).unwrap();
        assert_eq!(Config::load(&g).unwrap().deny, ["Solgläntan"]);
        std::fs::write(&f, "allow = [").unwrap();
        assert!(decide_global(&f, &change(&["x"], &[], &[])).is_err());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "allow = [");
    }
}
