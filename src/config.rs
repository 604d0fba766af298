//! Run configuration: what to mask, how placeholders read, limits, and what stays.
//!
//! Read from a TOML file (`--config maskera.toml`); every key is optional and unknown keys
//! are an error, so a typo never silently turns a rule off. The configuration takes part
//! in the fingerprint that decides whether a rerun may skip an unchanged input.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::document::Kind;

/// Everything a run can be told. `Default` gives the safe defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Kinds that are masked. A kind left out is detected but kept.
    pub mask: Vec<Kind>,
    /// Placeholder text per kind (inside the brackets); person kinds get a number appended.
    pub placeholders: BTreeMap<Kind, String>,
    /// Values that must stay even when a detector finds them (compared case-insensitively).
    pub allow: Vec<String>,
    /// Values that are always masked wherever they occur (case-insensitive, whole words).
    pub deny: Vec<String>,
    /// Organisation numbers (personnummer-shaped, month field 20 or more) are not personal
    /// data and stay; `false` masks them as PERSONNUMMER too.
    pub keep_organisation_numbers: bool,
    /// Mask a personnummer-shaped number only when its check digit is right. Off by default:
    /// a typo in a real personnummer must still be masked.
    pub require_personnummer_check_digit: bool,
    /// Resource limits for one document.
    pub limits: Limits,
    /// The learning summary (`public/summary/`).
    pub summary: SummaryConfig,
    /// Guards of the nightly batch.
    pub batch: BatchConfig,
    /// The learning fields.
    pub analyze: AnalyzeConfig,
    /// OCR of pages without a usable text layer.
    pub ocr: Ocr,
    /// Legal ground per kind for the masking record in `<id>.json` (kinds left out take
    /// [`DEFAULT_GROUND`]).
    pub grounds: BTreeMap<Kind, String>,
    /// The internal review pages (`OUT/review/`).
    pub review: ReviewConfig,
    /// The masked copy of every PDF input (`public/reports/<id>.masked.pdf`).
    pub masked_copy: MaskedCopyConfig,
    /// Pseudonyms of persons from a keyed hash, the same across the batch (`--link-persons`).
    pub link_persons: bool,
    /// The key file for `link_persons` (default: `OUT/.maskera/link.key`, made on first use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_key_file: Option<std::path::PathBuf>,
}

/// The legal ground of a masking unless `[grounds]` says otherwise: secrecy in the social
/// services (offentlighets- och sekretesslagen).
pub const DEFAULT_GROUND: &str = "26 kap. 1 § OSL";

/// `[review]`: the internal review pages.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// Write `OUT/review/<id>.html` for every document (same as `--review`).
    pub enabled: bool,
}

/// `[masked_copy]`: the original pages as images with the masked spans burned out
/// (see `docs/masked-copy.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaskedCopyConfig {
    /// Write `<id>.masked.pdf` for every PDF input (`--no-masked-copy` turns it off).
    pub enabled: bool,
    /// Resolution at which pages that are not a scan are rendered.
    pub dpi: u32,
    /// Stamp the masking statement on the first page's margin.
    pub stamp: bool,
    /// Print each box's legal ground in it, where it fits.
    pub labels: bool,
}

impl Default for MaskedCopyConfig {
    fn default() -> Self {
        MaskedCopyConfig { enabled: true, dpi: 150, stamp: true, labels: true }
    }
}

/// `[summary]`: the learning summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SummaryConfig {
    /// k: no count from 1 to k − 1 is published in the summary, nor one that would let such
    /// a count be recomputed (see `summary::protect`).
    pub min_count: usize,
    /// Case digests shown per kategori.
    pub digests_per_kategori: usize,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig { min_count: 3, digests_per_kategori: 3 }
    }
}

/// `[batch]`: what a run may do to an output folder without being told explicitly.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BatchConfig {
    /// The largest share (0.0–1.0) of the published reports a run may remove because their
    /// inputs are gone; a run that would remove more changes nothing and exits 2 unless
    /// `--allow-shrink` is given.
    pub max_shrink: f64,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig { max_shrink: 0.5 }
    }
}

/// What redaction needs to know: which kinds are masked and how their placeholders read.
#[derive(Debug, Clone)]
pub struct MaskPolicy {
    mask: Vec<Kind>,
    placeholders: BTreeMap<Kind, String>,
}

impl Default for MaskPolicy {
    fn default() -> Self {
        Config::default().mask_policy()
    }
}

impl MaskPolicy {
    /// The placeholder text for a kind (without brackets).
    pub fn placeholder(&self, kind: Kind) -> &str {
        self.placeholders.get(&kind).map(String::as_str).unwrap_or(kind.default_placeholder())
    }

    /// Whether detections of this kind are masked.
    pub fn masks(&self, kind: Kind) -> bool {
        self.mask.contains(&kind)
    }

    /// Only these kinds are masked.
    pub fn only(mut self, kinds: &[Kind]) -> MaskPolicy {
        self.mask = kinds.to_vec();
        self
    }
}

/// What the detectors need to know.
#[derive(Debug, Clone)]
pub struct DetectSettings {
    /// Values kept even when a detector finds them.
    pub allow: Vec<String>,
    /// Values always masked as whole words.
    pub deny: Vec<String>,
    pub keep_organisation_numbers: bool,
    pub require_personnummer_check_digit: bool,
}

impl Default for DetectSettings {
    fn default() -> Self {
        Config::default().detect_settings()
    }
}

/// What OCR needs to know: the `[ocr]` settings and the memory cap of its helpers.
#[derive(Debug, Clone)]
pub struct OcrSettings {
    pub ocr: Ocr,
    /// Address-space cap of Tesseract and pdftoppm (`limits.max_memory_mib`).
    pub max_memory_mib: u64,
}

impl Default for OcrSettings {
    fn default() -> Self {
        Config::default().ocr_settings()
    }
}

/// `[analyze]`: where the learning fields' taxonomy comes from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyzeConfig {
    /// A taxonomy file that extends the built-in `patterns/taxonomy.toml` (see its header).
    pub taxonomy: Option<std::path::PathBuf>,
}

/// OCR settings (see `extract::ocr`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ocr {
    /// The `tesseract` program; unset: `$MASKERA_TESSERACT`, else `tesseract` on `PATH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tesseract: Option<String>,
    /// The `pdftoppm` program (poppler-utils); unset: `$MASKERA_PDFTOPPM`, else `PATH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdftoppm: Option<String>,
    /// Tesseract language model(s), `+`-separated. (`swe+eng` would add the characters the
    /// Swedish model lacks, `@` and `§`, but costs Swedish letters; see `extract::ocr`.)
    pub language: String,
    /// Resolution at which pages without an embedded JPEG are rasterised.
    pub dpi: u32,
    /// Wall-clock seconds allowed for rasterising or recognising one page.
    pub seconds_per_page: u64,
    /// Which scanned pages that already have an (invisible) OCR text layer are read again
    /// with Tesseract instead of keeping and repairing that layer (`--reocr` = `always`).
    pub reocr: ReocrMode,
}

impl Default for Ocr {
    fn default() -> Self {
        Ocr {
            tesseract: None,
            pdftoppm: None,
            language: "swe".into(),
            dpi: 300,
            seconds_per_page: 300,
            reocr: ReocrMode::Auto,
        }
    }
}

/// `[ocr] reocr`: when a scan's own OCR text layer is replaced by a fresh OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReocrMode {
    /// Pages whose layer shows the damage of an engine without Swedish (see
    /// `normalize::ocr::damage`), when Tesseract is installed; else the layer is repaired.
    #[default]
    Auto,
    /// Every scanned page under an invisible text layer.
    Always,
    /// None: layers are kept (and repaired where damaged).
    Never,
}

impl ReocrMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReocrMode::Auto => "auto",
            ReocrMode::Always => "always",
            ReocrMode::Never => "never",
        }
    }
}

impl std::str::FromStr for ReocrMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(ReocrMode::Auto),
            "always" => Ok(ReocrMode::Always),
            "never" => Ok(ReocrMode::Never),
            _ => Err(format!("ocr.reocr must be \"auto\", \"always\" or \"never\", not \"{s}\"")),
        }
    }
}

/// A string, or for configurations written before the modes existed a boolean
/// (`true` = always, `false` = never).
impl<'de> Deserialize<'de> for ReocrMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Mode(String),
        }
        match Raw::deserialize(d)? {
            Raw::Flag(true) => Ok(ReocrMode::Always),
            Raw::Flag(false) => Ok(ReocrMode::Never),
            Raw::Mode(m) => m.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// Limits for one document; a document past a limit fails with a reason naming it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Wall-clock seconds allowed for one document's extraction.
    pub seconds_per_document: u64,
    /// Largest input file accepted, in bytes.
    pub max_input_bytes: u64,
    /// Most pages accepted in one PDF.
    pub max_pages: u32,
    /// Address-space cap for the isolated extraction process, in MiB.
    pub max_memory_mib: u64,
    /// Most bytes a PDF's compressed text streams may inflate to, in all.
    pub max_decompressed_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            seconds_per_document: 120,
            max_input_bytes: 512 * 1024 * 1024,
            max_pages: 2000,
            max_memory_mib: 4096,
            max_decompressed_bytes: 256 * 1024 * 1024,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mask: Kind::ALL.to_vec(),
            placeholders: Kind::ALL
                .iter()
                .map(|k| (*k, k.default_placeholder().to_string()))
                .collect(),
            allow: Vec::new(),
            deny: Vec::new(),
            keep_organisation_numbers: true,
            require_personnummer_check_digit: false,
            limits: Limits::default(),
            summary: SummaryConfig::default(),
            batch: BatchConfig::default(),
            analyze: AnalyzeConfig::default(),
            ocr: Ocr::default(),
            grounds: Kind::ALL.iter().map(|k| (*k, DEFAULT_GROUND.to_string())).collect(),
            review: ReviewConfig::default(),
            masked_copy: MaskedCopyConfig::default(),
            link_persons: false,
            link_key_file: None,
        }
    }
}

/// A configuration problem, reported before any document is read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("the configuration is not valid: {0}")]
    Invalid(String),
}

impl Config {
    /// Load a TOML configuration file; missing keys take their defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        let cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Check values a parser cannot: placeholders must fit the output contract.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (kind, p) in &self.placeholders {
            if p.is_empty() || p.chars().count() > 32 || p.contains(['[', ']', '\n']) {
                return Err(ConfigError::Invalid(format!(
                    "placeholder for {kind:?} must be 1–32 characters without brackets or line breaks"
                )));
            }
        }
        if !(0.0..=1.0).contains(&self.batch.max_shrink) {
            return Err(ConfigError::Invalid(
                "batch.max_shrink must be between 0.0 and 1.0".into(),
            ));
        }
        if self.summary.min_count == 0 {
            return Err(ConfigError::Invalid("summary.min_count must be at least 1".into()));
        }
        if self.limits.seconds_per_document == 0 || self.limits.max_pages == 0 {
            return Err(ConfigError::Invalid("limits must be greater than zero".into()));
        }
        let lang_ok =
            !self.ocr.language.is_empty()
                && self.ocr.language.split('+').all(|l| {
                    !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
        if !lang_ok {
            return Err(ConfigError::Invalid(
                "ocr.language must be Tesseract model names such as \"swe\" or \"swe+eng\"".into(),
            ));
        }
        if !(70..=1200).contains(&self.ocr.dpi) || self.ocr.seconds_per_page == 0 {
            return Err(ConfigError::Invalid(
                "ocr.dpi must be 70–1200 and ocr.seconds_per_page greater than zero".into(),
            ));
        }
        if !(50..=600).contains(&self.masked_copy.dpi) {
            return Err(ConfigError::Invalid("masked_copy.dpi must be 50–600".into()));
        }
        for (kind, g) in &self.grounds {
            if g.trim().is_empty() || g.chars().count() > 120 || g.chars().any(char::is_control) {
                return Err(ConfigError::Invalid(format!(
                    "grounds.{} must be 1–120 characters on one line",
                    kind.as_str()
                )));
            }
        }
        Ok(())
    }

    /// The settings redaction uses.
    pub fn mask_policy(&self) -> MaskPolicy {
        MaskPolicy { mask: self.mask.clone(), placeholders: self.placeholders.clone() }
    }

    /// The settings the detectors use.
    pub fn detect_settings(&self) -> DetectSettings {
        DetectSettings {
            allow: self.allow.clone(),
            deny: self.deny.clone(),
            keep_organisation_numbers: self.keep_organisation_numbers,
            require_personnummer_check_digit: self.require_personnummer_check_digit,
        }
    }

    /// The settings OCR uses.
    pub fn ocr_settings(&self) -> OcrSettings {
        OcrSettings { ocr: self.ocr.clone(), max_memory_mib: self.limits.max_memory_mib }
    }

    /// The legal ground recorded for maskings of a kind.
    pub fn ground(&self, kind: Kind) -> &str {
        self.grounds.get(&kind).map(String::as_str).unwrap_or(DEFAULT_GROUND)
    }

    /// The placeholder text for a kind (without brackets).
    pub fn placeholder(&self, kind: Kind) -> &str {
        self.placeholders.get(&kind).map(String::as_str).unwrap_or(kind.default_placeholder())
    }

    /// Whether detections of this kind are masked.
    pub fn masks(&self, kind: Kind) -> bool {
        self.mask.contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<Config>("maks = []").unwrap_err();
        assert!(err.to_string().contains("unknown field"));
    }

    #[test]
    fn partial_file_keeps_defaults() {
        let cfg: Config = toml::from_str("allow = [\"Växeln\"]\n[limits]\nmax_pages = 5").unwrap();
        assert_eq!(cfg.allow, ["Växeln"]);
        assert_eq!(cfg.limits.max_pages, 5);
        assert_eq!(cfg.limits.seconds_per_document, Limits::default().seconds_per_document);
        assert_eq!(cfg.placeholder(Kind::Email), "E-POST");
    }

    #[test]
    fn summary_and_analyze_sections() {
        let cfg: Config =
            toml::from_str("[summary]\nmin_count = 5\n[analyze]\ntaxonomy = \"t.toml\"").unwrap();
        assert_eq!(cfg.summary.min_count, 5);
        assert_eq!(cfg.summary.digests_per_kategori, 3);
        assert_eq!(cfg.analyze.taxonomy.as_deref(), Some(Path::new("t.toml")));
        let zero: Config = toml::from_str("[summary]\nmin_count = 0").unwrap();
        assert!(zero.validate().is_err());
    }

    #[test]
    fn grounds_default_per_kind_and_can_be_set() {
        assert_eq!(Config::default().ground(Kind::Phone), DEFAULT_GROUND);
        let cfg: Config =
            toml::from_str("[grounds]\nNAME = \"21 kap. 1 § OSL\"\n[review]\nenabled = true")
                .unwrap();
        assert_eq!(cfg.ground(Kind::Name), "21 kap. 1 § OSL");
        assert_eq!(cfg.ground(Kind::Email), DEFAULT_GROUND);
        assert!(cfg.review.enabled && cfg.validate().is_ok());
        let bad: Config = toml::from_str("[grounds]\nNAME = \"\"").unwrap();
        assert!(bad.validate().is_err());
    }

    #[test]
    fn reocr_modes() {
        assert_eq!(Config::default().ocr.reocr, ReocrMode::Auto);
        for (toml, mode) in
            [("always", ReocrMode::Always), ("never", ReocrMode::Never), ("auto", ReocrMode::Auto)]
        {
            let cfg: Config = toml::from_str(&format!("[ocr]\nreocr = \"{toml}\"")).unwrap();
            assert_eq!(cfg.ocr.reocr, mode);
            assert_eq!(mode.as_str().parse::<ReocrMode>(), Ok(mode));
        }
        let old: Config = toml::from_str("[ocr]\nreocr = true").unwrap();
        assert_eq!(old.ocr.reocr, ReocrMode::Always);
        let err = toml::from_str::<Config>("[ocr]\nreocr = \"sometimes\"").unwrap_err();
        assert!(err.to_string().contains("\"auto\", \"always\" or \"never\""), "{err}");
    }

    #[test]
    fn bad_placeholder_is_invalid() {
        let cfg: Config = toml::from_str("[placeholders]\nEMAIL = \"[x]\"").unwrap();
        assert!(cfg.validate().is_err());
    }
}
