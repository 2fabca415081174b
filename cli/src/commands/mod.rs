//! One module per subcommand; each returns the process exit status.

pub mod check;
pub mod diff;
pub mod fmt;
pub mod parse;
pub mod route;
pub mod rules;

use crate::args::AnalysisArgs;
use crate::error::CliError;

/// Exit statuses shared by every command.
pub mod status {
    /// Nothing found (check), parsed cleanly (parse), formatted (fmt), risk below --fail-on (diff).
    pub const OK: u8 = 0;
    /// Errors in the configuration (nginx would refuse it), files that are not formatted, or a
    /// change whose risk is at or above --fail-on (diff).
    pub const FINDINGS: u8 = 1;
    /// Usage or IO error: ngxlint could not do its job.
    pub const FAILURE: u8 = 2;
}

/// Core options from the shared command line options.
pub fn options(args: &AnalysisArgs) -> Result<ngxlint::Options, CliError> {
    let mut context = Vec::new();
    for c in &args.context {
        let c = c.trim();
        if c.is_empty() || c.contains(char::is_whitespace) {
            return Err(CliError::Usage(format!(
                "invalid --context \"{}\": expected block names separated by commas, like http,server",
                args.context.join(",")
            )));
        }
        context.push(c.to_string());
    }
    let profile = ngxlint::api::profile(Some(&args.nginx_version), Some(&args.profile), &args.modules)
        .map_err(CliError::Usage)?;
    let rules = ngxlint::rules::RuleSelection { select: args.select.clone(), ignore: args.ignore.clone(), severity: Vec::new() };
    let unknown = rules.unknown_selectors();
    if !unknown.is_empty() {
        return Err(CliError::Usage(format!("unknown rule selector(s): {} (see `ngxlint rules`)", unknown.join(", "))));
    }
    Ok(ngxlint::Options {
        context,
        prefix: args.prefix.clone(),
        profile,
        rules,
        includes_from_environment: args.includes_from_environment,
        ..Default::default()
    })
}
