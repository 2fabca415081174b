//! `ngxlint`: the command line surface of the ngxlint core. Reads files (the core does no IO),
//! follows includes on disk, renders diagnostics and sets the exit status:
//! 0 clean, 1 findings (errors in the config, unformatted files, a risky change), 2 usage or IO
//! error.

mod args;
mod commands;
mod config;
mod error;
mod fix;
mod formats;
mod input;
mod output;
mod parallel;
mod paths;
mod scan;
mod settings;

use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(unix)]
    // SAFETY: called first thing, before any thread exists; restores the default action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Usage errors exit with 2, --help and --version with 0 (clap's conventions match ours).
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check(a) => commands::check::run(a),
        Command::Parse(a) => commands::parse::run(a),
        Command::Route(a) => commands::route::run(a),
        Command::Rules(a) => commands::rules::list(a),
        Command::Explain(a) => commands::rules::explain(a),
        Command::Fmt(a) => commands::fmt::run(a),
        Command::Diff(a) => commands::diff::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            error::report(&e);
            ExitCode::from(commands::status::FAILURE)
        }
    }
}
