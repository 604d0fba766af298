//! Atomic file writes: a killed run never leaves a half-written file in place.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to a temporary file beside `path`, then rename it over `path`. Readers
/// and a rerun after a killed process see the old file or the new one, never a mix. (No
/// fsync per file: a batch writes thousands, and a kill — unlike a power cut — cannot
/// lose data the kernel already has.)
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_via(path.parent().unwrap_or(Path::new(".")), path, bytes)
}

/// The same, with the temporary file in `tmp_dir` (on the same file system), so that not
/// even a temporary file appears in the folder of `path`.
pub fn write_atomic_via(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = tmp_dir;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_content() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.txt");
        super::write_atomic(&p, b"one").unwrap();
        super::write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
