//! Linked pseudonyms (`--link-persons`): the same person gets the same pseudonym in every
//! report of a batch, `[PERSON KXQTRMB]`, computed as HMAC-SHA256 under a secret key of the
//! person's entity key (the folded name the name detector gives every mention). Nothing
//! reversible is stored: without the key a pseudonym cannot be tied to a name, and the key
//! itself enters the run's fingerprint only through its hash.
//!
//! Labels use consonants only (no vowels, no digits), so a label can never read as a name,
//! a word or a registration number to the detectors that verify published files.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::document::Kind;

/// The letters of a label: 20 consonants.
const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Letters in a label; a collision inside one document lengthens the later label by one.
pub const LABEL_LEN: usize = 7;
/// Extra letters a label may take to resolve collisions inside one document.
pub const MAX_EXTRA: usize = 2;
/// Shortest key file accepted, in bytes.
const MIN_KEY_BYTES: usize = 16;

/// The secret key of linked pseudonyms.
#[derive(Clone)]
pub struct LinkKey {
    key: Vec<u8>,
}

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(…)")
    }
}

/// A problem with the key file (exit status 2: nothing was processed).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("cannot read the link key {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot create the link key {path}: {source}")]
    Create { path: String, source: std::io::Error },
    #[error("the link key {path} is too short (at least {MIN_KEY_BYTES} bytes)")]
    Short { path: String },
}

impl LinkKey {
    /// A key from its bytes (tests, library use).
    pub fn from_bytes(key: &[u8]) -> LinkKey {
        LinkKey { key: key.to_vec() }
    }

    /// The default key file of an output folder.
    pub fn default_path(out: &Path) -> PathBuf {
        out.join(".maskera").join("link.key")
    }

    /// The output folder's key for the keyed word tags of its decision index
    /// ([`crate::decide::DecisionIndex`]), created on first use.
    pub fn index_key(out: &Path) -> Result<LinkKey, LinkError> {
        let p = out.join(".maskera").join("index.key");
        if !p.exists() {
            Self::create(&p)?;
        }
        Self::read(&p)
    }

    /// The key for a run into `out`: the given file (which must exist), else the output
    /// folder's own key, created on first use (32 random bytes, mode 0600).
    pub fn for_run(explicit: Option<&Path>, out: &Path) -> Result<LinkKey, LinkError> {
        match explicit {
            Some(p) => Self::read(p),
            None => {
                let p = Self::default_path(out);
                if !p.exists() {
                    Self::create(&p)?;
                }
                Self::read(&p)
            }
        }
    }

    fn read(path: &Path) -> Result<LinkKey, LinkError> {
        let key = std::fs::read(path)
            .map_err(|source| LinkError::Read { path: path.display().to_string(), source })?;
        if key.len() < MIN_KEY_BYTES {
            return Err(LinkError::Short { path: path.display().to_string() });
        }
        Ok(LinkKey { key })
    }

    fn create(path: &Path) -> Result<(), LinkError> {
        let err = |source| LinkError::Create { path: path.display().to_string(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut random = [0u8; 32];
        {
            use std::io::Read;
            std::fs::File::open("/dev/urandom")
                .and_then(|mut f| f.read_exact(&mut random))
                .map_err(err)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(path) {
            Ok(mut f) => f.write_all(&random).map_err(err),
            // Another run created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(err(e)),
        }
    }

    /// A short hash of the key for the rerun fingerprint (never the key).
    pub fn fingerprint(&self) -> String {
        crate::hash::sha256_hex(&[b"maskera link key\0".as_slice(), &self.key].concat())[..16]
            .to_string()
    }

    /// A short keyed tag of a word (8 hex digits of HMAC-SHA256(key, "word" ‖ 0 ‖ word)):
    /// whether a document masked a word can be tested without storing the word.
    pub fn word_tag(&self, word: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes any key length");
        mac.update(b"word\0");
        mac.update(word.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..4])
    }

    /// The label of an entity: `len` consonants drawn from HMAC-SHA256(key, kind ‖ 0 ‖ entity).
    pub fn label(&self, kind: Kind, entity: &str, len: usize) -> String {
        let mut out = String::with_capacity(len);
        let mut block: u8 = 0;
        while out.len() < len {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
                .expect("HMAC takes any key length");
            mac.update(kind.as_str().as_bytes());
            mac.update(&[0]);
            mac.update(entity.as_bytes());
            mac.update(&[0, block]);
            for b in mac.finalize().into_bytes() {
                // Rejection sampling keeps the letters uniform (240 = 12 × 20).
                if b < 240 && out.len() < len {
                    out.push(ALPHABET[(b % 20) as usize] as char);
                }
            }
            block = block.wrapping_add(1);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable_keyed_and_consonants_only() {
        let k = LinkKey::from_bytes(&[7u8; 32]);
        let a = k.label(Kind::Name, "stina ekvall", LABEL_LEN);
        assert_eq!(a, k.label(Kind::Name, "stina ekvall", LABEL_LEN));
        assert_eq!(a.len(), LABEL_LEN);
        assert!(a.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(a, k.label(Kind::Name, "stina ekwall", LABEL_LEN));
        assert_ne!(a, LinkKey::from_bytes(&[8u8; 32]).label(Kind::Name, "stina ekvall", LABEL_LEN));
        // A longer label extends the shorter one.
        assert!(k.label(Kind::Name, "stina ekvall", 40).starts_with(&a));
        assert_ne!(k.fingerprint(), LinkKey::from_bytes(&[8u8; 32]).fingerprint());
    }

    #[test]
    fn the_default_key_is_created_once_private_and_reused() {
        let d = tempfile::tempdir().unwrap();
        let k1 = LinkKey::for_run(None, d.path()).unwrap();
        let p = LinkKey::default_path(d.path());
        assert_eq!(std::fs::read(&p).unwrap().len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let k2 = LinkKey::for_run(None, d.path()).unwrap();
        assert_eq!(k1.fingerprint(), k2.fingerprint());
        assert!(LinkKey::for_run(Some(&d.path().join("missing")), d.path()).is_err());
        std::fs::write(d.path().join("short"), b"abc").unwrap();
        assert!(matches!(
            LinkKey::for_run(Some(&d.path().join("short")), d.path()),
            Err(LinkError::Short { .. })
        ));
    }
}
