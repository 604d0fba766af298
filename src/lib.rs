//! maskera: a batch pipeline that anonymises Swedish social-services incident reports
//! (lex Sarah) for publication.
//!
//! ```text
//!  input bytes ──extract──▶ Extracted ──normalize──▶ Normalized ──detect──▶ Findings
//!           (pdf, OCR, text)   (pages)   (hygiene, reflow)        (per-kind detectors)
//!        ──redact──▶ Redacted ──render──▶ txt · md · html · pdf · json ──verify──▶ public/
//!                        └─analyze─▶ Fields (in <id>.json) ──summary──▶ public/summary/
//! ```
//!
//! Each stage is a plain function from one typed value to the next. [`batch`] runs the
//! stages over many inputs in parallel and writes the manifest. Only [`redact::redact`]
//! makes a [`redact::Redacted`], and renderers take nothing else, so unredacted text
//! cannot reach a published file by mistake.

pub mod analyze;
pub mod batch;
pub mod config;
pub mod decide;
pub mod detect;
pub mod document;
pub mod extract;
pub mod fold;
pub mod fsutil;
pub mod hash;
pub mod inputs;
pub mod link;
pub mod log;
pub mod manifest;
pub mod merge;
pub mod normalize;
pub mod out;
pub mod pipeline;
pub mod record;
pub mod redact;
pub mod render;
pub mod review;
pub mod summary;
#[cfg(test)]
mod testutil;
pub mod verify;
