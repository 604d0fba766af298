//! The `maskera` command: parse the arguments, run the command, exit with its status.
//!
//! Exit status: 0 every input published or unchanged; 1 at least one input failed (all
//! others were still processed); 2 usage or configuration error, or a run refused before
//! it changed anything; 3 the run itself could not complete (e.g. the output folder is not
//! writable).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ExitCode::from(commands::run(cli::Cli::parse()))
}
