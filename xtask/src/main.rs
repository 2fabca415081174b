//! Workspace automation. Run as `cargo run -p xtask -- <command>`.
//!
//! Commands:
//! - `gen-spec [--check] [--data DIR]`: regenerate `core/src/spec/generated.rs` from the nginx
//!   directive/variable JSON files in `../shared/data` (relative to the workspace root). With
//!   `--check`, write nothing and exit 1 if the committed file is not what would be generated.

mod gen_spec;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: cargo run -p xtask -- gen-spec [--check] [--data DIR]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen-spec") => {
            let mut check = false;
            let mut data: Option<PathBuf> = None;
            let mut rest = args[1..].iter();
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--check" => check = true,
                    "--data" => match rest.next() {
                        Some(dir) => data = Some(PathBuf::from(dir)),
                        None => return usage(),
                    },
                    _ => return usage(),
                }
            }
            let data = data.unwrap_or_else(gen_spec::default_data_dir);
            match gen_spec::run(&data, check) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("gen-spec: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}
