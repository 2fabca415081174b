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
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: before any allocation-heavy work and any thread. glibc otherwise raises its mmap
    // threshold to the size of the first large block freed (up to 32 MiB), after which the
    // analysis' large temporary vectors come from the heap and their freed pages stay resident:
    // a fixed threshold hands them back (peak RSS of `check` on 50 MB: 465 -> 451 MB; `diff` of
    // two 10 MB files: 214 -> 207 MB), at no measurable cost in time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
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
