//! The per-document pipeline, as values in and values out; it writes nothing under the
//! output folder (the batch does, through [`crate::out`]).
//!
//! ```text
//!  Input ─extract─▶ Extracted ─normalize─▶ Normalized ─detect─▶ Findings
//!        ─redact─▶ Redacted + MaskedValues ─analyze, render─▶ Rendered ─verify─▶ Verified
//!        (PDF inputs) ─masked_copy─▶ MaskedCopy, verified, added to Verified
//! ```
//!
//! [`Pipeline`] holds everything compiled once before the first document (detectors,
//! taxonomy, templates, extraction workers) and the fingerprint that decides whether an
//! earlier output still stands.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::analyze::Analyzer;
use crate::config::{Config, MaskPolicy};
use crate::detect::Detectors;
use crate::document::{Format, Kind};
use crate::extract::{Extractor, Isolation};
use crate::hash::sha256_hex;
use crate::inputs::Input;
use crate::link::LinkKey;
use crate::render::{OcrInfo, ReportInfo, Templates};
use crate::review::{DecisionsInForce, DocReview};
use crate::summary::{Summarizer, SummaryFiles};
use crate::verify::Verified;
use crate::{normalize, redact};

/// What a run adds to the configuration file: the output folder's review decisions and
/// the key of linked pseudonyms.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// `OUT/review/decisions.toml`, added to the configuration's allow/deny lists.
    pub batch_decisions: crate::decide::Decisions,
    /// Required when the configuration says `link_persons`.
    pub link: Option<LinkKey>,
}

/// A problem building the pipeline (bad configuration, patterns or templates).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Detect(#[from] crate::detect::DetectError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error(transparent)]
    Taxonomy(#[from] crate::analyze::taxonomy::TaxonomyError),
    #[error("the configuration is not valid: {0}")]
    Invalid(String),
}

/// Why a document was not published: a reason for the manifest (never document text),
/// and the review page when one was made before the failure.
#[derive(Debug, Clone)]
pub struct DocError {
    pub reason: String,
    pub review: Option<String>,
}

impl DocError {
    fn new(reason: impl Into<String>) -> DocError {
        DocError { reason: reason.into(), review: None }
    }
}

/// Which decisions can change a document (see [`crate::decide::DecisionIndex`]).
#[derive(Debug, Clone, Default)]
pub struct DecisionStamps {
    /// Stamp of all decisions in force.
    pub all: String,
    /// Stamp of the decisions that can touch this document (none without an index key).
    pub touching: Option<String>,
    /// Keyed tags of the words it masked.
    pub masked_words: Vec<String>,
}

/// A document through every stage: its verified files and what the manifest records.
pub struct Processed {
    pub verified: Verified,
    pub format: Format,
    pub pages: u32,
    pub ocr_pages: Vec<u32>,
    /// Pages whose own text layer was replaced by a fresh OCR, and notes of pages that kept
    /// their layer (see `docs/ocr.md`).
    pub reocr_pages: Vec<u32>,
    pub ocr_notes: Vec<String>,
    /// Masked ranges per kind.
    pub counts: BTreeMap<String, usize>,
    /// The review page, when the run writes them.
    pub review: Option<String>,
    pub decisions: DecisionStamps,
}

/// Everything compiled once before the first document.
pub struct Pipeline {
    config: Config,
    policy: MaskPolicy,
    analyzer: Analyzer,
    detectors: Detectors,
    extractor: Extractor,
    templates: Templates,
    review_templates: Templates,
    summarizer: Summarizer,
    /// The allow/deny decisions in force, with their origin (for review pages).
    decisions: DecisionsInForce,
    link: Option<LinkKey>,
    /// The output folder's key for its decision index (`OUT/.maskera/index.key`), set by
    /// the batch once the folder is open. Without it every change of the allow/deny
    /// decisions reprocesses every document.
    index_key: std::sync::OnceLock<LinkKey>,
    fingerprint: String,
    /// How the pages of masked copies are rendered (isolated like extraction).
    renderer: crate::masked_copy::Renderer,
    /// Tesseract processes for the masked copies' OCR read-back, reused across documents.
    read_back: crate::masked_copy::ReadBack,
}

impl Pipeline {
    pub fn build(
        config: Config,
        templates_dir: Option<&Path>,
        isolation: Isolation,
    ) -> Result<Pipeline, BuildError> {
        Self::build_with(config, templates_dir, isolation, Extras::default())
    }

    /// [`Pipeline::build`] with the output folder's decisions and a link key.
    pub fn build_with(
        global: Config,
        templates_dir: Option<&Path>,
        isolation: Isolation,
        extras: Extras,
    ) -> Result<Pipeline, BuildError> {
        let decisions = DecisionsInForce::new(&global, &extras.batch_decisions);
        let mut config = global;
        extras.batch_decisions.apply_to(&mut config);
        let link = if config.link_persons {
            let Some(key) = extras.link else {
                return Err(BuildError::Invalid("link_persons needs a link key".into()));
            };
            // `[NAME LABEL]` stays within 42 characters even with the longest label.
            let room = 40 - 1 - crate::link::LABEL_LEN - crate::link::MAX_EXTRA;
            if config.placeholder(Kind::Name).chars().count() > room {
                return Err(BuildError::Invalid(format!(
                    "with linked pseudonyms the NAME placeholder may have at most {room} characters"
                )));
            }
            Some(key)
        } else {
            None
        };
        // The two costly builds (word lists, lexicon, patterns; the taxonomy) side by side.
        let settings = config.detect_settings();
        let taxonomy = config.analyze.taxonomy.clone();
        let (detectors, analyzer) =
            rayon::join(|| Detectors::build(&settings), || Analyzer::build(taxonomy.as_deref()));
        let (detectors, analyzer) = (detectors?, analyzer?);
        // A legal ground is published in every report's JSON: it must not read as personal data.
        for (kind, g) in &config.grounds {
            if !detectors.detect_str(&format!("maskning enligt {g}: 7 uppgifter")).is_empty() {
                return Err(BuildError::Invalid(format!(
                    "grounds.{} reads as personal data to the detectors; reword it",
                    kind.as_str()
                )));
            }
        }
        let templates = Templates::load(templates_dir)?;
        let review_templates = crate::review::load_templates(templates_dir)?;
        let summarizer = Summarizer::new(&config.summary, templates_dir)?;
        let fingerprint = fingerprint(&config, &templates, &analyzer, link.as_ref());
        let extractor = Extractor::new(&isolation, &config.limits, &config.ocr_settings());
        let renderer = match &isolation {
            Isolation::Subprocess(exe) => crate::masked_copy::Renderer::Subprocess {
                exe: exe.clone(),
                max_memory_mib: config.limits.max_memory_mib,
                seconds: config.limits.seconds_per_document,
            },
            Isolation::InProcess => crate::masked_copy::Renderer::InProcess,
        };
        Ok(Pipeline {
            policy: config.mask_policy(),
            config,
            analyzer,
            detectors,
            extractor,
            templates,
            review_templates,
            summarizer,
            decisions,
            link,
            index_key: std::sync::OnceLock::new(),
            fingerprint,
            renderer,
            read_back: crate::masked_copy::ReadBack::new(),
        })
    }

    /// Use this key for the decision index (the output folder's; set once).
    pub fn use_index_key(&self, key: LinkKey) {
        let _ = self.index_key.set(key);
    }

    /// The decision index of the allow/deny lists in force, when there is an index key.
    pub fn decision_index(&self) -> Option<crate::decide::DecisionIndex<'_>> {
        let key = self.index_key.get()?;
        Some(crate::decide::DecisionIndex::new(&self.config.allow, &self.config.deny, key))
    }

    /// Stamp of all allow/deny decisions in force.
    pub fn decisions_stamp(&self) -> String {
        let zero = LinkKey::from_bytes(&[0; 32]);
        crate::decide::DecisionIndex::new(&self.config.allow, &self.config.deny, &zero).all()
    }

    /// The configuration in force (the file's, with the output folder's decisions).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Program, configuration, templates, taxonomy and link key, hashed: an earlier
    /// output made under another fingerprint is made again.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether review pages are made.
    pub fn reviews(&self) -> bool {
        self.config.review.enabled
    }

    /// The learning summary of the published reports `ids` in `reports_dir`. Writes nothing.
    pub fn summary(
        &self,
        reports_dir: &Path,
        ids: &[String],
    ) -> Result<SummaryFiles, crate::render::RenderError> {
        let clean = |t: &str| self.detectors.detect_str(t).is_empty();
        Ok(self.summarizer.summarize(reports_dir, ids, &self.analyzer, &clean)?.1)
    }

    /// One document through every stage. Page images for OCR go to a private folder under
    /// `scratch`. A panic in any stage is caught and fails the document.
    pub fn process(&self, input: &Input, scratch: &Path) -> Result<Processed, DocError> {
        catch_unwind(AssertUnwindSafe(|| self.stages(input, scratch))).unwrap_or_else(|_| {
            Err(DocError::new("internal error while processing this document (a bug in maskera; please report it)"))
        })
    }

    fn stages(&self, input: &Input, scratch: &Path) -> Result<Processed, DocError> {
        let bytes = std::fs::read(&input.path)
            .map_err(|e| DocError::new(format!("cannot read the file: {}", e.kind())))?;
        if sha256_hex(&bytes) != input.sha256 {
            return Err(DocError::new("the file changed while the batch was running; run again"));
        }
        let extracted = self
            .extractor
            .extract(&input.path, &bytes, scratch)
            .map_err(|e| DocError::new(e.to_string()))?;
        drop(bytes);
        let normalized = normalize::normalize(&extracted);
        let (findings, allowed) = match self.reviews() {
            true => self.detectors.detect_for_review(&normalized),
            false => (self.detectors.detect(&normalized), Vec::new()),
        };
        let (redacted, values) = redact::redact_settled(
            &normalized,
            &findings,
            &self.detectors,
            &self.policy,
            self.link.as_ref(),
        );
        let counts: BTreeMap<String, usize> =
            redacted.counts().into_iter().map(|(k, n)| (k.as_str().to_string(), n)).collect();
        // The masked copy of a PDF: published with the text files or not at all. It is
        // started first so that Tesseract reads its line bands while the text files are
        // rendered and verified; a text file that fails refuses the document first.
        let started = (extracted.format == Format::Pdf && self.config.masked_copy.enabled)
            .then(|| self.masked_copy(input, scratch, &extracted, &normalized, &redacted, &values));
        let verified = self.render_and_verify(&input.id, &redacted, &values, counts.clone());
        let copy = match (&verified, started) {
            (Ok(_), Some(Ok((work, copy)))) => {
                let copy = copy.finish().map_err(|e| e.to_string());
                drop(work);
                Some(copy)
            }
            (Ok(_), Some(Err(reason))) => Some(Err(reason)),
            _ => None,
        };
        let mut thumbnails = Vec::new();
        let verified = match copy {
            Some(Ok(mut copy)) => {
                thumbnails = std::mem::take(&mut copy.thumbnails);
                verified.map(|v| v.with_masked_copy(copy.pdf))
            }
            Some(Err(reason)) => Err(reason),
            None => verified,
        };
        let review = match self.reviews() {
            false => None,
            true => {
                let failure = verified.as_ref().err().map(String::as_str);
                let page = DocReview {
                    id: &input.id,
                    normalized: &normalized,
                    findings: &findings,
                    allowed: &allowed,
                    redacted: &redacted,
                    policy: &self.policy,
                    decisions: &self.decisions,
                    failure,
                    linked: self.link.is_some(),
                    copy_pages: &thumbnails,
                };
                let html = crate::review::render_review(&page, &self.review_templates)
                    .map_err(|e| DocError::new(format!("cannot render the review page: {e}")))?;
                Some(html)
            }
        };
        match verified {
            Ok(verified) => Ok(Processed {
                decisions: self.stamps(&verified, &values),
                verified,
                format: extracted.format,
                pages: redacted.page_count(),
                ocr_pages: redacted.ocr_pages().to_vec(),
                reocr_pages: redacted.ocr().reocr_pages.clone(),
                ocr_notes: redacted.ocr().notes.clone(),
                counts,
                review,
            }),
            Err(reason) => Err(DocError { reason, review }),
        }
    }

    /// The masked copy of a PDF input, made and checked but for the end of its OCR
    /// read-back (page images go through a private folder under `scratch`, returned with it:
    /// it must stay until the copy is finished).
    fn masked_copy(
        &self,
        input: &Input,
        scratch: &Path,
        extracted: &crate::document::Extracted,
        normalized: &crate::document::Normalized,
        redacted: &redact::Redacted,
        values: &redact::MaskedValues,
    ) -> Result<(tempfile::TempDir, crate::masked_copy::Unfinished<'_>), String> {
        let work = tempfile::Builder::new()
            .prefix("copy-")
            .tempdir_in(scratch)
            .map_err(|e| format!("masked copy: cannot use the temporary folder: {}", e.kind()))?;
        let (_, statement) =
            crate::record::masking_record(&redacted.counts(), &self.config.grounds);
        let copy_input = crate::masked_copy::CopyInput {
            path: &input.path,
            work: work.path(),
            extracted,
            text: normalized.text(),
            redacted,
            values: values.values(),
            word_names: &crate::verify::name_words_that_are_words(values),
            statement: &statement,
            config: &self.config,
            thumbnails: self.reviews(),
        };
        let copy = crate::masked_copy::start(&copy_input, &self.renderer, &self.read_back)
            .map_err(|e| e.to_string())?;
        Ok((work, copy))
    }

    /// Which decisions can change this document: computed from what is published and the
    /// keyed tags of what was masked, exactly as a rerun will compute it.
    fn stamps(&self, verified: &Verified, values: &redact::MaskedValues) -> DecisionStamps {
        let all = self.decisions_stamp();
        let Some(index) = self.decision_index() else {
            return DecisionStamps { all, ..DecisionStamps::default() };
        };
        let masked_words = index.tags(values.values().iter().map(String::as_str));
        let txt = std::str::from_utf8(verified.files()[0].1).unwrap_or_default();
        DecisionStamps { all, touching: Some(index.touching(txt, &masked_words)), masked_words }
    }

    /// The learning fields and the published files of a redacted document, verified.
    fn render_and_verify(
        &self,
        id: &str,
        redacted: &redact::Redacted,
        values: &redact::MaskedValues,
        counts: BTreeMap<String, usize>,
    ) -> Result<Verified, String> {
        let (masking_record, masking_statement) =
            crate::record::masking_record(&redacted.counts(), &self.config.grounds);
        let info = ReportInfo {
            id: id.to_string(),
            maskera_version: env!("CARGO_PKG_VERSION"),
            pages: redacted.page_count(),
            ocr: OcrInfo {
                pages: redacted.ocr_pages().to_vec(),
                reocr_pages: redacted.ocr().reocr_pages.clone(),
                repaired: redacted.ocr_repaired(),
                repaired_words: redacted.ocr().repaired_words,
                reocr_words: redacted.ocr().reocr_words,
            },
            redactions: counts,
            fields: serde_json::to_value(self.analyzer.analyze(redacted))
                .map_err(|e| e.to_string())?,
            masking_record,
            masking_statement,
        };
        let rendered =
            crate::render::render(redacted, &info, &self.templates).map_err(|e| e.to_string())?;
        crate::verify::verify(rendered, values, &self.detectors).map_err(|e| e.to_string())
    }
}

/// The fingerprint of what makes the published files: program version, configuration
/// (without what changes nothing under `public/`: review pages, where the key file lies),
/// templates, taxonomy and the link key's hash.
fn fingerprint(
    config: &Config,
    templates: &Templates,
    analyzer: &Analyzer,
    link: Option<&LinkKey>,
) -> String {
    let mut for_fingerprint = config.clone();
    for_fingerprint.review = Default::default();
    for_fingerprint.link_key_file = None;
    for_fingerprint.batch = Default::default();
    // Allow/deny decisions are followed per document (`crate::decide::DecisionIndex`).
    for_fingerprint.allow = Vec::new();
    for_fingerprint.deny = Vec::new();
    let config_json = serde_json::to_string(&for_fingerprint).expect("config serialises");
    let link_fp = link.map(|k| k.fingerprint()).unwrap_or_default();
    let text = format!(
        "maskera {}\u{0}{config_json}\u{0}{}\u{0}{}\u{0}{link_fp}",
        env!("CARGO_PKG_VERSION"),
        templates.fingerprint,
        analyzer.taxonomy().fingerprint
    );
    sha256_hex(text.as_bytes())[..16].to_string()
}
