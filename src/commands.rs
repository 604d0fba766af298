//! The commands of the `maskera` program on top of the library: each returns its exit
//! status or a [`Fatal`] error, which [`run`] reports in one place.

use std::path::{Path, PathBuf};

use maskera::batch::{self, RunOptions};
use maskera::config::{Config, Limits};
use maskera::decide::{Change, Decisions};
use maskera::extract::Isolation;
use maskera::inputs::Shard;
use maskera::log::{Log, LogFormat};
use maskera::out::OutDir;
use maskera::pipeline::{Extras, Pipeline};

use crate::cli::{Cli, Command, LogFormatArg};

/// An error that ends a command: its exit status and what to tell the operator.
struct Fatal {
    code: u8,
    message: String,
}

impl Fatal {
    /// A usage or configuration error (exit status 2).
    fn usage(message: impl ToString) -> Fatal {
        Fatal { code: 2, message: message.to_string() }
    }
}

/// Run a command; returns the exit status. Fatal errors are logged here, once.
pub fn run(cli: Cli) -> u8 {
    let (log, result) = match cli.command {
        Command::Extract { max_pages, max_decompressed, max_memory_mib, reocr } => {
            let limits = Limits {
                max_pages,
                max_decompressed_bytes: max_decompressed,
                max_memory_mib,
                ..Default::default()
            };
            let Ok(reocr) = reocr.parse() else { return 2 };
            return maskera::extract::isolate::serve_main(&limits, reocr) as u8;
        }
        Command::Render { max_memory_mib } => {
            return maskera::masked_copy::raster::serve_main(max_memory_mib) as u8;
        }
        Command::Run { ref log_format, quiet, .. } => {
            let format = match log_format {
                LogFormatArg::Text => LogFormat::Text,
                LogFormatArg::Json => LogFormat::Json,
            };
            let log = Log { format, quiet };
            let result = run_batch(cli.command, &log);
            (log, result)
        }
        Command::Merge { inputs, out, config, templates, quiet } => {
            let log = Log { format: LogFormat::Text, quiet };
            let result = merge(&inputs, &out, config.as_deref(), templates.as_deref(), quiet);
            (log, result)
        }
        Command::Decide { out, global, allow, deny, remove, quiet } => {
            let log = Log { format: LogFormat::Text, quiet };
            let result =
                decide(out.as_deref(), global.as_deref(), Change { allow, deny, remove }, quiet);
            (log, result)
        }
    };
    match result {
        Ok(code) => code,
        Err(fatal) => {
            log.fatal(&fatal.message);
            fatal.code
        }
    }
}

/// The configuration file, or the defaults.
fn load_config(path: Option<&Path>) -> Result<Config, Fatal> {
    Ok(path.map(Config::load).transpose().map_err(Fatal::usage)?.unwrap_or_default())
}

/// Worker processes of this executable, when its path is known.
fn isolation() -> Isolation {
    match std::env::current_exe() {
        Ok(exe) => Isolation::Subprocess(exe),
        Err(_) => Isolation::InProcess,
    }
}

/// `maskera run`.
fn run_batch(command: Command, log: &Log) -> Result<u8, Fatal> {
    let Command::Run {
        inputs,
        out,
        config,
        templates,
        threads,
        quiet,
        force,
        shard,
        allow_shrink,
        reocr,
        review,
        link_persons,
        link_key,
        no_masked_copy,
        ..
    } = command
    else {
        unreachable!("run_batch is called for `run`")
    };
    let mut config = load_config(config.as_deref())?;
    if reocr {
        config.ocr.reocr = maskera::config::ReocrMode::Always;
    }
    config.review.enabled |= review;
    config.masked_copy.enabled &= !no_masked_copy;
    config.link_persons |= link_persons || link_key.is_some();
    let shard = shard.as_deref().map(Shard::parse).transpose().map_err(Fatal::usage)?;
    let extras = run_extras(&config, &out, link_key.as_deref()).map_err(Fatal::usage)?;
    let started = std::time::Instant::now();
    let pipeline = Pipeline::build_with(config, templates.as_deref(), isolation(), extras)
        .map_err(Fatal::usage)?;
    if std::env::var_os("MASKERA_TIMINGS").is_some() {
        eprintln!("maskera: timing: build the pipeline {:.3} s", started.elapsed().as_secs_f64());
    }
    let opts = RunOptions {
        threads,
        quiet,
        log_format: log.format,
        progress: true,
        force,
        shard,
        allow_shrink,
        ..RunOptions::new(inputs, out)
    };
    match batch::run(&pipeline, &opts, log) {
        Ok(o) => Ok(if o.failed == 0 { 0 } else { 1 }),
        Err(e) => Err(Fatal { code: e.exit_code(), message: e.to_string() }),
    }
}

/// The output folder's review decisions and, with linked pseudonyms, the key.
fn run_extras(config: &Config, out: &Path, link_key: Option<&Path>) -> Result<Extras, String> {
    let batch_decisions = Decisions::load(out).map_err(|e| e.to_string())?;
    let link = if config.link_persons {
        let explicit = link_key.or(config.link_key_file.as_deref());
        Some(maskera::link::LinkKey::for_run(explicit, out).map_err(|e| e.to_string())?)
    } else {
        None
    };
    Ok(Extras { batch_decisions, link })
}

/// `maskera merge`.
fn merge(
    inputs: &[PathBuf],
    out: &Path,
    config: Option<&Path>,
    templates: Option<&Path>,
    quiet: bool,
) -> Result<u8, Fatal> {
    let config = load_config(config)?;
    let pipeline =
        Pipeline::build(config, templates, Isolation::InProcess).map_err(Fatal::usage)?;
    let o = maskera::merge::merge(inputs, out, &pipeline)
        .map_err(|e| Fatal { code: e.exit_code(), message: e.to_string() })?;
    if !quiet {
        eprintln!(
            "maskera: merged {} reports ({} inputs failed in the shards)",
            o.reports, o.failed
        );
    }
    Ok(if o.failed == 0 { 0 } else { 1 })
}

/// `maskera decide`.
fn decide(
    out: Option<&Path>,
    global: Option<&Path>,
    change: Change,
    quiet: bool,
) -> Result<u8, Fatal> {
    let (done, file) = match (global, out) {
        (Some(g), _) => (maskera::decide::decide_global(g, &change), g.to_path_buf()),
        (None, Some(o)) => {
            if !OutDir::is_output(o) {
                return Err(Fatal::usage(format!(
                    "{} is not a maskera output folder (it has no manifest.jsonl): give the --out folder of \
                     `maskera run`, or --global FILE for a configuration file",
                    o.display()
                )));
            }
            (maskera::decide::decide_batch(o, &change), Decisions::path(o))
        }
        (None, None) => unreachable!("clap requires --out or --global"),
    };
    let d = done.map_err(Fatal::usage)?;
    if !quiet {
        eprintln!(
            "maskera: {}: {} allowed, {} denied, {} removed; rerun to apply",
            file.display(),
            d.allowed,
            d.denied,
            d.removed
        );
    }
    Ok(0)
}
