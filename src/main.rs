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
        cli::Command::Extract { max_pages, images, path } => {
            ExitCode::from(maskera::extract::isolate::worker_main(&path, max_pages, images.as_deref()) as u8)
        }
        cli::Command::Run { inputs, out, config, templates, threads, quiet, log_format, force } => {
            let log = Log {
                format: match log_format {
                    cli::LogFormatArg::Text => LogFormat::Text,
                    cli::LogFormatArg::Json => LogFormat::Json,
                },
                quiet,
            };
            let config = match config.as_deref().map(Config::load).transpose() {
                Ok(c) => c.unwrap_or_default(),
                Err(e) => {
                    log.fatal(&e.to_string());
                    return ExitCode::from(2);
                }
            };
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
            let opts = RunOptions { inputs, out, threads, quiet, log_format: log.format, progress: true, force };
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
