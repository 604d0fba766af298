//! The `maskera` command: parse arguments, load the configuration, run the library,
//! and map the outcome to an exit status.
//!
//! Exit status: 0 every input published or unchanged; 1 at least one input failed (all
//! others were still processed); 2 usage or configuration error; 3 the run itself could
//! not complete (e.g. the output folder is not writable).

mod cli;

use std::process::ExitCode;

use clap::Parser;
use maskera::batch::{self, Isolation, LogFormat, Pipeline, RunOptions};
use maskera::config::Config;
use maskera::log::Log;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match args.command {
        cli::Command::Extract { max_pages, max_decompressed, max_memory_mib, reocr } => {
            let limits = maskera::config::Limits {
                max_pages,
                max_decompressed_bytes: max_decompressed,
                max_memory_mib,
                ..Default::default()
            };
            ExitCode::from(maskera::extract::isolate::serve_main(&limits, reocr) as u8)
        }
        cli::Command::Merge { inputs, out, config, templates, quiet } => {
            let log = Log { format: LogFormat::Text, quiet };
            match merge(&inputs, &out, config.as_deref(), templates.as_deref()) {
                Ok(o) => {
                    if !quiet {
                        eprintln!("maskera: merged {} reports ({} inputs failed in the shards)", o.reports, o.failed);
                    }
                    if o.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
                }
                Err((code, msg)) => {
                    log.fatal(&msg);
                    ExitCode::from(code)
                }
            }
        }
        cli::Command::Run { inputs, out, config, templates, threads, quiet, log_format, force, shard, reocr } => {
            let log = Log {
                format: match log_format {
                    cli::LogFormatArg::Text => LogFormat::Text,
                    cli::LogFormatArg::Json => LogFormat::Json,
                },
                quiet,
            };
            let mut config = match config.as_deref().map(Config::load).transpose() {
                Ok(c) => c.unwrap_or_default(),
                Err(e) => {
                    log.fatal(&e.to_string());
                    return ExitCode::from(2);
                }
            };
            config.ocr.reocr |= reocr;
            let isolation = match std::env::current_exe() {
                Ok(exe) => Isolation::Subprocess(exe),
                Err(_) => Isolation::InProcess,
            };
            let pipeline = match Pipeline::build(config, templates.as_deref(), isolation) {
                Ok(p) => p,
                Err(e) => {
                    log.fatal(&e.to_string());
                    return ExitCode::from(2);
                }
            };
            let shard = match shard.as_deref().map(batch::Shard::parse).transpose() {
                Ok(s) => s,
                Err(e) => {
                    log.fatal(&e);
                    return ExitCode::from(2);
                }
            };
            let opts = RunOptions { inputs, out, threads, quiet, log_format: log.format, progress: true, force, shard };
            match batch::run(&pipeline, &opts, &log) {
                Ok(o) if o.failed == 0 => ExitCode::SUCCESS,
                Ok(_) => ExitCode::from(1),
                Err(e) => {
                    log.fatal(&e.to_string());
                    ExitCode::from(3)
                }
            }
        }
    }
}

/// `maskera merge`: (exit code, message) on failure.
fn merge(
    inputs: &[std::path::PathBuf],
    out: &std::path::Path,
    config: Option<&std::path::Path>,
    templates: Option<&std::path::Path>,
) -> Result<maskera::merge::MergeOutcome, (u8, String)> {
    let config = config.map(Config::load).transpose().map_err(|e| (2, e.to_string()))?.unwrap_or_default();
    let analyzer = maskera::analyze::Analyzer::build(config.analyze.taxonomy.as_deref()).map_err(|e| (2, e.to_string()))?;
    let detectors = maskera::detect::Detectors::build(&config).map_err(|e| (2, e.to_string()))?;
    let tpl = maskera::summary::render::SummaryTemplates::load(templates).map_err(|e| (2, e.to_string()))?;
    let write = |root: &std::path::Path, ids: &[String]| {
        maskera::summary::publish(root, ids, &analyzer, &config.summary, &tpl, &|t| detectors.detect_str(t).is_empty())
            .map(|_| ())
    };
    maskera::merge::merge(inputs, out, &write).map_err(|e| {
        let code = match e {
            maskera::merge::MergeError::NotOutput { .. } | maskera::merge::MergeError::OutIsInput { .. } => 2,
            _ => 3,
        };
        (code, e.to_string())
    })
}
