//! Inputs: the files named on the command line or found in the folders named there, with
//! their content hashes, ids and shards.
//!
//! Nothing here reads a document's text. A path that the operator typed is theirs and may be
//! named in an error; paths found by walking a folder stay out of logs (file names often
//! carry a person's name), and ids come from the content only.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::hash::sha256_hex;

/// A readable input, hashed, with the id its published files get.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as given or found (the manifest's `source`).
    pub source: String,
    pub path: PathBuf,
    /// The published name: the first 16 hex digits of the content hash (`-2`, `-3` … for
    /// identical contents).
    pub id: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// An input as the walk found it: ready, or failed before any processing.
#[derive(Debug, Clone)]
pub enum Found {
    Ready(Input),
    /// Cannot be read (a symbolic-link loop, unreadable, too large …). The id is derived
    /// from the source path so that the manifest can still name the entry.
    Unreadable {
        source: String,
        id: String,
        reason: String,
    },
}

impl Found {
    pub fn id(&self) -> &str {
        match self {
            Found::Ready(i) => &i.id,
            Found::Unreadable { id, .. } => id,
        }
    }

    pub fn source(&self) -> &str {
        match self {
            Found::Ready(i) => &i.source,
            Found::Unreadable { source, .. } => source,
        }
    }
}

/// What discovery found: the inputs of this shard, and what identifies the whole input list.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// The inputs this run owns (all of them without `--shard`), sorted by source.
    pub inputs: Vec<Found>,
    /// Inputs found in all shards together.
    pub total: usize,
    /// A digest of the whole input list (every shard's inputs: content hashes, and the
    /// hashed paths of unreadable ones), the same in every shard of one batch.
    pub list_digest: String,
}

/// A path the operator named does not exist (a usage error: the path is theirs to see).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the input path {0} does not exist (an unmounted share? check the path)")]
pub struct MissingInput(pub String);

/// Check that every path named on the command line exists.
pub fn check_named(paths: &[PathBuf]) -> Result<(), MissingInput> {
    match paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        Some(p) => Err(MissingInput(p.display().to_string())),
        None => Ok(()),
    }
}

/// A deterministic share of the inputs: shard `index` of `count` (0-based) owns the inputs
/// whose content hash, read as a number, leaves remainder `index` when divided by `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole batch as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Parse `K/N` with 0 ≤ K < N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard takes K/N with 0 ≤ K < N (e.g. 0/4), not {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index = k.trim().parse::<u64>().map_err(|_| bad())?;
        let count = n.trim().parse::<u64>().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard owns the input with this hex hash.
    pub fn owns(&self, hex_hash: &str) -> bool {
        let n = u64::from_str_radix(&hex_hash[..16.min(hex_hash.len())], 16).unwrap_or(0);
        n % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One file named or found, before hashing.
#[derive(Debug, Clone)]
struct Listed {
    source: String,
    path: PathBuf,
    /// A problem found while listing (e.g. a symlink loop); the input then fails.
    problem: Option<String>,
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Files named or found under the given paths, sorted by source, each once. Hidden files
/// and folders inside a given folder are skipped, and so is the output folder.
fn list(paths: &[PathBuf], out: &Path) -> Vec<Listed> {
    let out_canon = out.canonicalize().ok();
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        if p.is_dir() {
            list_folder(p, out_canon.as_deref(), &mut seen, &mut inputs);
        } else {
            let canon = p.canonicalize().unwrap_or_else(|_| p.clone());
            if seen.insert(canon) {
                let problem = (!p.exists()).then(|| "no such file or folder".to_string());
                inputs.push(Listed { source: p.display().to_string(), path: p.clone(), problem });
            }
        }
    }
    inputs.sort_by(|a, b| a.source.cmp(&b.source));
    inputs.dedup_by(|a, b| a.source == b.source);
    inputs
}

fn list_folder(
    dir: &Path,
    out: Option<&Path>,
    seen: &mut HashSet<PathBuf>,
    inputs: &mut Vec<Listed>,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let canon = e.path().canonicalize().ok();
                if let (Some(c), Some(o)) = (&canon, out)
                    && c.starts_with(o)
                {
                    continue;
                }
                if seen.insert(canon.unwrap_or_else(|| e.path().to_path_buf())) {
                    let source = e.path().display().to_string();
                    inputs.push(Listed { source, path: e.path().to_path_buf(), problem: None });
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| dir.display().to_string());
                let reason = if err.loop_ancestor().is_some() {
                    "symbolic link loop in the input folder; the link was not followed".to_string()
                } else {
                    let kind = err.io_error().map(|e| e.kind().to_string()).unwrap_or_default();
                    format!("cannot read this folder entry: {kind}")
                };
                inputs.push(Listed {
                    source: path.clone(),
                    path: PathBuf::from(path),
                    problem: Some(reason),
                });
            }
        }
    }
}

/// The content hash of an input, or why it cannot be read.
fn hash(input: &Listed, limit: u64) -> Result<String, String> {
    if let Some(p) = &input.problem {
        return Err(p.clone());
    }
    let meta = std::fs::metadata(&input.path)
        .map_err(|e| format!("cannot read the file: {}", e.kind()))?;
    if meta.len() > limit {
        return Err(crate::extract::ExtractError::TooLarge { bytes: meta.len(), limit }.to_string());
    }
    let bytes =
        std::fs::read(&input.path).map_err(|e| format!("cannot read the file: {}", e.kind()))?;
    Ok(sha256_hex(&bytes))
}

/// The hash a shard decision and an unreadable input's id are based on.
fn source_hash(source: &str) -> String {
    sha256_hex(source.as_bytes())
}

/// Ids from content hashes: the first 16 hex digits, with `-2`, `-3` … for identical
/// contents in order of source. Nothing of the file name goes into an id.
fn assign_ids(hashes: &[Result<String, String>], inputs: &[Listed]) -> Vec<String> {
    let mut used: HashMap<String, usize> = HashMap::new();
    hashes
        .iter()
        .zip(inputs)
        .map(|(h, input)| {
            let base = match h {
                Ok(h) => h[..16].to_string(),
                Err(_) => format!("x{}", &source_hash(&input.source)[..15]),
            };
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        })
        .collect()
}

/// The digest of the whole input list, independent of the order and of where the files
/// are mounted: sorted content hashes (unreadable inputs by their path's hash).
fn list_digest(hashes: &[Result<String, String>], inputs: &[Listed]) -> String {
    let mut keys: Vec<String> = hashes
        .iter()
        .zip(inputs)
        .map(|(h, i)| match h {
            Ok(h) => h.clone(),
            Err(_) => format!("unreadable:{}", source_hash(&i.source)),
        })
        .collect();
    keys.sort_unstable();
    sha256_hex(keys.join("\n").as_bytes())[..32].to_string()
}

/// Find, hash and name the inputs (hashing in parallel on the current rayon pool), and keep
/// those of `shard`. Files larger than `max_bytes` are listed as unreadable.
pub fn discover(paths: &[PathBuf], out: &Path, max_bytes: u64, shard: Shard) -> Discovered {
    let listed = list(paths, out);
    let hashes: Vec<Result<String, String>> =
        listed.par_iter().map(|i| hash(i, max_bytes)).collect();
    let ids = assign_ids(&hashes, &listed);
    let list_digest = list_digest(&hashes, &listed);
    let total = listed.len();
    let inputs = listed
        .into_iter()
        .zip(hashes)
        .zip(ids)
        .filter(|((l, h), _)| match h {
            Ok(h) => shard.owns(h),
            Err(_) => shard.owns(&source_hash(&l.source)),
        })
        .map(|((l, h), id)| match h {
            Ok(sha256) => Found::Ready(Input { source: l.source, path: l.path, id, sha256 }),
            Err(reason) => Found::Unreadable { source: l.source, id, reason },
        })
        .collect();
    Discovered { inputs, total, list_digest }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(s: &str) -> Listed {
        Listed { source: s.into(), path: s.into(), problem: None }
    }

    #[test]
    fn ids_come_from_content_and_duplicates_are_numbered() {
        let h = vec![Ok("a".repeat(64)), Ok("a".repeat(64)), Ok("b".repeat(64))];
        let ids = assign_ids(
            &h,
            &[listed("Rapport Anna Andersson.pdf"), listed("kopia.pdf"), listed("c.txt")],
        );
        assert_eq!(ids, ["aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa-2", "bbbbbbbbbbbbbbbb"]);
        assert!(!ids.iter().any(|i| i.contains("Anna")));
    }

    #[test]
    fn inputs_are_sorted_deduplicated_and_skip_hidden_and_output() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("in/sub")).unwrap();
        std::fs::create_dir_all(root.join("in/.hidden")).unwrap();
        std::fs::create_dir_all(root.join("in/out/public")).unwrap();
        for f in
            ["in/b.txt", "in/sub/a.txt", "in/.hidden/x.txt", "in/.DS_Store", "in/out/public/y.txt"]
        {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let got = list(&[root.join("in"), root.join("in/b.txt")], &root.join("in/out"));
        let names: Vec<_> =
            got.iter().map(|i| i.path.strip_prefix(root).unwrap().display().to_string()).collect();
        assert_eq!(names, ["in/b.txt", "in/sub/a.txt"]);
    }

    #[test]
    fn the_list_digest_is_the_same_in_every_shard_and_ignores_mount_points() {
        let d = tempfile::tempdir().unwrap();
        for (dir, names) in [("a", ["x.txt", "y.txt", "z.txt"]), ("b", ["3.txt", "1.txt", "2.txt"])]
        {
            std::fs::create_dir_all(d.path().join(dir)).unwrap();
            for (n, content) in names.iter().zip(["ett", "två", "tre"]) {
                std::fs::write(d.path().join(dir).join(n), content).unwrap();
            }
        }
        let out = d.path().join("out");
        let a: Vec<Discovered> = (0..2)
            .map(|k| discover(&[d.path().join("a")], &out, 1 << 20, Shard { index: k, count: 2 }))
            .collect();
        let b = discover(&[d.path().join("b")], &out, 1 << 20, Shard::WHOLE);
        assert_eq!(a[0].list_digest, a[1].list_digest);
        assert_eq!(a[0].list_digest, b.list_digest, "same contents, other names");
        assert_eq!(a[0].inputs.len() + a[1].inputs.len(), 3);
        assert_eq!(a[0].total, 3);
        std::fs::write(d.path().join("b/4.txt"), "fyra").unwrap();
        assert_ne!(
            discover(&[d.path().join("b")], &out, 1 << 20, Shard::WHOLE).list_digest,
            b.list_digest
        );
    }

    #[test]
    fn a_missing_named_path_is_named() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("share/rapporter");
        assert_eq!(
            check_named(&[d.path().to_path_buf(), missing.clone()]),
            Err(MissingInput(missing.display().to_string()))
        );
        assert_eq!(check_named(&[d.path().to_path_buf()]), Ok(()));
    }

    #[test]
    fn shards_parse_and_split() {
        assert_eq!(Shard::parse("1/3"), Ok(Shard { index: 1, count: 3 }));
        assert!(
            Shard::parse("3/3").is_err()
                && Shard::parse("0/0").is_err()
                && Shard::parse("x").is_err()
        );
        assert_eq!(Shard { index: 2, count: 4 }.to_string(), "2/4");
        let hashes = ["00000000000000ff", "0000000000000001", "0000000000000002"];
        for h in hashes {
            assert_eq!((0..3).filter(|k| Shard { index: *k, count: 3 }.owns(h)).count(), 1);
        }
    }
}
