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
            let Ok(reocr) = reocr.parse() else { return ExitCode::from(2) };
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
        cli::Command::Decide { out, global, allow, deny, remove, quiet } => {
            let change = maskera::decide::Change { allow, deny, remove };
            let (done, file) = match (&global, &out) {
                (Some(g), _) => (maskera::decide::decide_global(g, &change), g.clone()),
                (None, Some(o)) => (maskera::decide::decide_batch(o, &change), maskera::decide::Decisions::path(o)),
                (None, None) => unreachable!("clap requires --out or --global"),
            };
            match done {
                Ok(d) => {
                    if !quiet {
                        eprintln!(
                            "maskera: {}: {} allowed, {} denied, {} removed; rerun to apply",
                            file.display(),
                            d.allowed,
                            d.denied,
                            d.removed
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    Log { format: LogFormat::Text, quiet }.fatal(&e.to_string());
                    ExitCode::from(2)
                }
            }
        }
        cli::Command::Run {
            inputs,
            out,
            config,
            templates,
            threads,
            quiet,
            log_format,
            force,
            shard,
            reocr,
            review,
            link_persons,
            link_key,
        } => {
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
            if reocr {
                config.ocr.reocr = maskera::config::ReocrMode::Always;
            }
            config.review.enabled |= review;
            config.link_persons |= link_persons || link_key.is_some();
            let extras = match run_extras(&config, &out, link_key.as_deref()) {
                Ok(x) => x,
                Err(e) => {
                    log.fatal(&e);
                    return ExitCode::from(2);
                }
            };
            let isolation = match std::env::current_exe() {
                Ok(exe) => Isolation::Subprocess(exe),
                Err(_) => Isolation::InProcess,
            };
            let review = config.review.enabled;
            let pipeline = match Pipeline::build_with(config, templates.as_deref(), isolation, extras) {
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
            let opts = RunOptions { inputs, out, threads, quiet, log_format: log.format, progress: true, force, shard, review };
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

/// The output folder's review decisions and, with linked pseudonyms, the key.
fn run_extras(config: &Config, out: &std::path::Path, link_key: Option<&std::path::Path>) -> Result<batch::Extras, String> {
    let batch_decisions = maskera::decide::Decisions::load(out).map_err(|e| e.to_string())?;
    let link = if config.link_persons {
        let explicit = link_key.or(config.link_key_file.as_deref());
        Some(maskera::link::LinkKey::for_run(explicit, out).map_err(|e| e.to_string())?)
    } else {
        None
    };
    Ok(batch::Extras { batch_decisions, link })
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
