//! Command-line definitions (only `main.rs` uses clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// maskera — anonymise Swedish incident reports (lex Sarah) for publication.
#[derive(Debug, Parser)]
#[command(name = "maskera", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract, mask and republish every input; write OUT/public and OUT/manifest.jsonl.
    Run {
        /// Files or folders (walked recursively; hidden entries skipped). PDF and text.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Configuration file (TOML): masking policy, placeholders, allow/deny lists, limits.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Folder with templates overriding the built-in ones (report.html.tera, report.md.tera).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Worker threads (default: one per core).
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
        /// Print nothing (the manifest and the exit status tell what happened).
        #[arg(long, short)]
        quiet: bool,
        /// Log format on stderr.
        #[arg(long, value_enum, default_value = "text")]
        log_format: LogFormatArg,
        /// Process every input again, even when unchanged since the last run.
        #[arg(long)]
        force: bool,
        /// Process only shard K of N (0 ≤ K < N), chosen by content hash; combine the
        /// shards' output folders with `maskera merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Run even when no input is found, or when more than `batch.max_shrink` (default
        /// half) of the published reports would be removed because their inputs are gone.
        #[arg(long)]
        allow_shrink: bool,
        /// Re-OCR every scanned page under an OCR text layer with Tesseract's Swedish model
        /// (same as `[ocr] reocr = "always"`; the default, "auto", re-OCRs the pages whose
        /// layer is OCR-damaged).
        #[arg(long)]
        reocr: bool,
        /// Also write an internal review page per document to DIR/review/<id>.html
        /// (holds personal data: never publish it; same as `[review] enabled`).
        #[arg(long)]
        review: bool,
        /// Give each person a pseudonym from a keyed hash, the same in every report of the
        /// batch (`[PERSON KXQTRMB]`) instead of `[PERSON 1]` per report.
        #[arg(long)]
        link_persons: bool,
        /// The secret key file for linked pseudonyms; implies --link-persons (default: config
        /// `link_key_file`, else DIR/.maskera/link.key, created on first use).
        #[arg(long, value_name = "FILE")]
        link_key: Option<PathBuf>,
        /// Write no masked copy (`<id>.masked.pdf`, the original pages with the masked spans
        /// burned out) of PDF inputs (same as `[masked_copy] enabled = false`).
        #[arg(long)]
        no_masked_copy: bool,
    },
    /// Record review decisions that stick: terms to keep (allow) or always mask (deny), for
    /// one output folder (DIR/review/decisions.toml) or, with --global, a configuration file.
    Decide {
        /// The output folder whose batch decisions to change.
        #[arg(
            long,
            short,
            value_name = "DIR",
            required_unless_present = "global",
            conflicts_with = "global"
        )]
        out: Option<PathBuf>,
        /// Change the allow/deny lists of this configuration file instead (created if missing).
        #[arg(long, value_name = "FILE")]
        global: Option<PathBuf>,
        /// Keep this term even when a detector finds it (repeatable).
        #[arg(long, value_name = "TERM")]
        allow: Vec<String>,
        /// Always mask this term wherever it occurs as whole words (repeatable).
        #[arg(long, value_name = "TERM")]
        deny: Vec<String>,
        /// Take this term off both lists (repeatable).
        #[arg(long, value_name = "TERM")]
        remove: Vec<String>,
        /// Print nothing.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Combine the output folders of shard runs into one (reports, manifest, summary).
    Merge {
        /// Output folders of `maskera run --shard K/N`.
        #[arg(required = true, value_name = "OUT")]
        inputs: Vec<PathBuf>,
        /// The merged output folder.
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// The configuration the shards ran with (summary and taxonomy settings).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Folder with templates overriding the built-in ones (summary.html.tera, summary.md.tera).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Print nothing.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Internal: render the pages of a PDF for its masked copy in an isolated process.
    #[command(name = "__render", hide = true)]
    Render {
        /// Address-space cap the worker sets on itself, in MiB.
        #[arg(long)]
        max_memory_mib: u64,
    },
    /// Internal: extract PDFs in an isolated process (used by `run`); requests on stdin.
    #[command(name = "__extract", hide = true)]
    Extract {
        #[arg(long)]
        max_pages: u32,
        #[arg(long)]
        max_decompressed: u64,
        /// Address-space cap the worker sets on itself, in MiB.
        #[arg(long)]
        max_memory_mib: u64,
        /// Which scanned pages under an OCR text layer to plan OCR for: auto, always, never.
        #[arg(long, default_value = "auto")]
        reocr: String,
    },
}
