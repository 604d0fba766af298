//! Atomic file writes with chosen permissions: a killed run never leaves a half-written
//! file in place, published files are readable as the umask says, private ones are not.

use std::io::Write;
use std::path::Path;

/// Who may read a file maskera writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Files meant for others (`public/`): mode 0666 less the process umask (0644 under
    /// umask 022).
    Public,
    /// Files holding personal data or secrets (`review/`, `.maskera/`): mode 0600.
    Private,
}

/// The process umask (read once; Unix).
#[cfg(unix)]
#[allow(unsafe_code)]
fn umask() -> u32 {
    static UMASK: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        // SAFETY: umask only swaps the process's file-mode mask; it is read and put back at
        // once, before any file of this run is created.
        unsafe {
            let old = libc::umask(0o077);
            libc::umask(old);
            old
        }
    })
}

impl Access {
    /// The permission bits of a file with this access.
    #[cfg(unix)]
    pub fn mode(self) -> u32 {
        match self {
            Access::Public => 0o666 & !umask(),
            Access::Private => 0o600,
        }
    }

    /// Give an existing file these permissions.
    pub fn apply(self, path: &Path) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(self.mode()))?;
        }
        #[cfg(not(unix))]
        let _ = path;
        Ok(())
    }
}

/// Create a folder (and its parents); a private one gets mode 0700.
pub fn create_dir(path: &Path, access: Access) -> std::io::Result<()> {
    std::fs::create_dir_all(path)?;
    if access == Access::Private {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Write `bytes` to a private temporary file beside `path`, then rename it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_via(path.parent().unwrap_or(Path::new(".")), path, bytes, Access::Private)
}

/// Write `bytes` to a temporary file in `tmp_dir` (on the same file system), give it the
/// permissions of `access`, then rename it over `path`. Readers and a rerun after a killed
/// process see the old file or the new one, never a mix, and no temporary file appears in
/// the folder of `path`. (No fsync per file: a batch writes thousands, and a kill — unlike
/// a power cut — cannot lose data the kernel already has.)
pub fn write_atomic_via(
    tmp_dir: &Path,
    path: &Path,
    bytes: &[u8],
    access: Access,
) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(tmp_dir)?;
    tmp.write_all(bytes)?;
    if access == Access::Public {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file().set_permissions(std::fs::Permissions::from_mode(access.mode()))?;
        }
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn public_files_follow_the_umask_and_private_ones_do_not() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        write_atomic_via(d.path(), &d.path().join("pub"), b"x", Access::Public).unwrap();
        write_atomic_via(d.path(), &d.path().join("priv"), b"x", Access::Private).unwrap();
        assert_eq!(mode(&d.path().join("pub")), 0o666 & !umask());
        assert_eq!(mode(&d.path().join("priv")), 0o600);
        create_dir(&d.path().join("state/tmp"), Access::Private).unwrap();
        assert_eq!(mode(&d.path().join("state/tmp")), 0o700);
    }
}
