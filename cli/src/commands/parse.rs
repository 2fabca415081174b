//! `ngxlint parse`: the parse tree of a configuration (and its includes) as JSON.

use super::status;
use crate::args::{ParseArgs, ParseFormat};
use crate::error::CliError;
use crate::input;
use ngxlint::report::crossplane::{self, CrossplaneOptions};
use ngxlint::report::tree;
use std::io::Write;

pub fn run(args: &ParseArgs) -> Result<u8, CliError> {
    let file = match &args.file {
        Some(f) => f.clone(),
        None => {
            input::default_stdin_usable("parse")?;
            std::path::PathBuf::from("-")
        }
    };
    let settings = crate::settings::resolve(&args.analysis, &file)?;
    let map = settings.map_for(&file);
    let opts = settings.options_for(&map);
    let mut loaded = input::load_main_mapped(&file, map)?;
    let analysis = input::analyze_with_includes(&mut loaded, &opts, &mut |w| {
        eprintln!("ngxlint: warning: {w}")
    })?;
    let config = analysis.config();
    let json = match args.format {
        ParseFormat::Json => to_json(&tree::tree(&loaded.files, config), args.pretty),
        ParseFormat::Crossplane => {
            let copts = CrossplaneOptions {
                include_comments: args.include_comments,
            };
            to_json(
                &crossplane::payload(&loaded.files, config, analysis.diagnostics(), copts),
                args.pretty,
            )
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(json.as_bytes())
        .and_then(|_| stdout.write_all(b"\n"))
        .and_then(|_| stdout.flush());
    let syntax_errors = config
        .docs
        .iter()
        .flat_map(|d| &d.doc.errors)
        .any(|e| !e.limit);
    Ok(if syntax_errors {
        status::FINDINGS
    } else {
        status::OK
    })
}

fn to_json<T: serde::Serialize>(value: &T, pretty: bool) -> String {
    let result = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    // Our values are plain structs with string keys: serialization cannot fail.
    result.unwrap_or_default()
}
