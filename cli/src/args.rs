//! Command line definition (clap derive): subcommands, options and help texts.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "Parse, validate and audit nginx configuration, offline and without nginx.";

const LONG_ABOUT: &str = "\
Parse, validate and audit nginx configuration, offline and without nginx.

ngxlint reads a configuration the way nginx does (its tokenizer, its include rules, its error
messages) and reports what `nginx -t` would reject, without root, without nginx installed and
without touching the network.";

const EXAMPLES: &str = "\
Examples:
  ngxlint check /etc/nginx/nginx.conf       check a config and every file it includes
  nginx -T | ngxlint check                  check the output of `nginx -T`
  ngxlint check --format json nginx.conf    machine-readable diagnostics
  ngxlint parse nginx.conf                  print the parse tree as JSON
  ngxlint fmt --check conf.d/*.conf         list files that are not formatted
  ngxlint diff old/ new/                    score the risk of rolling out new/ where old/ runs

Settings are read from the nearest ngxlint.toml at or above the input (see `ngxlint check --help`).

Exit status: 0 nothing at or above --fail-on (check: errors by default, what nginx would refuse;
diff: high risk), 1 findings or risk at or above it, 2 usage, IO or configuration file error.";

const CHECK_HELP: &str = "\
Each FILE is checked as a main configuration (nginx.conf). Files reached through `include` are
read from disk: relative include paths resolve against the main file's directory (nginx's conf
prefix, see --prefix), glob patterns (`*`, `?`, `[`) expand as nginx's glob(3) does (sorted,
dotfiles only when named explicitly). A missing plain include is nginx's
`open() \"...\" failed (2: No such file or directory)` error; a missing absolute include outside the
checked tree is a note. An input holding `nginx -T` output (`# configuration file PATH:` sections)
is split into its files, the first being the main one, and nothing more is read from disk.
`-` (or no FILE) reads standard input, named <stdin>, whose relative includes resolve against the
current directory.

A DIR holding nginx.conf stands for it (its other files are checked through its includes). A DIR
without one is searched: every *.conf file below it (names starting with `.` skipped) that no
other file includes is a main configuration, and so is the nginx.conf of each subdirectory
holding one. Configurations are checked in parallel (--threads) and reported in a stable order.

Absolute paths (`include /etc/nginx/conf.d/*.conf;`) are read where they point, unless mapped:
`--root /etc/nginx=./etc-nginx` reads /etc/nginx/... from ./etc-nginx, `--root ./checkout` reads
every absolute path under ./checkout, `--mount /etc/nginx` reads each FILE's directory (or DIR) as
/etc/nginx. Reports name the files on disk.

Settings come from the nearest ngxlint.toml at or above each input (--config FILE, --no-config);
the command line wins. `--fix` applies the safe fixes rules propose (`--unsafe-fixes`: all) and
checks again; `--diff` prints them as a unified diff and writes nothing.

Examples:
  ngxlint check /etc/nginx/nginx.conf
  ngxlint check /etc/nginx
  ngxlint check deploy/ --mount /etc/nginx          a checkout of /etc/nginx
  ngxlint check . --fail-on warning --format concise  every configuration of a repository
  nginx -T 2>/dev/null | ngxlint check -
  ngxlint check --context http,server snippets/ssl.conf
  ngxlint check --diff nginx.conf                   the fixes, as a patch
  ngxlint check --format json nginx.conf | jq '.diagnostics[].message'

Exit status: 0 no finding at or above --fail-on (default: error, what nginx would refuse; warnings
and notes allowed), 1 at least one (0 with --exit-zero), 2 usage, IO or configuration file error.";

const PARSE_HELP: &str = "\
Prints the parse tree of FILE and of every file it includes (read from disk as `check` does).
`--format json` (default) is ngxlint's lossless tree: `{\"version\":1,\"files\":[{\"path\",\"mode\",
\"errors\",\"items\"}]}` with every directive's words (raw text, value, quoting), block, comments,
include targets and exact spans (byte offsets, 1-based line/column). `--format crossplane` prints
crossplane's `parse` payload (`status`, `errors`, `config[].parsed[]`), for tools built on it.

Examples:
  ngxlint parse nginx.conf
  ngxlint parse --format crossplane --include-comments nginx.conf
  ngxlint parse --context http,server --pretty snippet.conf

Exit status: 0 parsed without syntax errors, 1 syntax errors, 2 usage or IO error.";

const FMT_HELP: &str = "\
Rewrites files in a canonical layout: 4-space indentation, one statement per line, single spaces
between words, comments and single blank lines kept, every word exactly as written. Only
whitespace between tokens changes, so nginx reads the same configuration. Files are written only
when their formatting changes. A file with syntax errors is never touched: its errors are printed
(concise, on stderr) and the exit status is 1. `-` (or no FILE) formats standard input to standard
output.

Examples:
  ngxlint fmt nginx.conf conf.d/*.conf
  ngxlint fmt --check nginx.conf            list files that would change (exit 1 if any)
  ngxlint fmt --diff nginx.conf             show the changes, write nothing
  ngxlint fmt - < nginx.conf > formatted.conf

Exit status: 0 all files formatted (or written), 1 a file would change (--check) or has syntax
errors, 2 usage or IO error. `--diff` alone exits 0; with --check, 1 when something would change.";

#[derive(Debug, Parser)]
#[command(
    name = "ngxlint",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configurations for what nginx would reject (follows includes)
    #[command(after_long_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Print the parse tree as JSON (ngxlint's tree or crossplane's payload)
    #[command(after_long_help = PARSE_HELP)]
    Parse(ParseArgs),
    /// Format configuration files
    #[command(after_long_help = FMT_HELP)]
    Fmt(FmtArgs),
    /// Score the risk of a change: semantic diff of OLD and NEW, findings, rollout advice
    #[command(after_long_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Show which server and location nginx would use for a request
    #[command(after_long_help = ROUTE_HELP)]
    Route(RouteArgs),
    /// List every diagnostic code and rule
    Rules(RulesArgs),
    /// Print the documentation of a code or rule (e.g. SEC003 or alias-traversal)
    Explain(ExplainArgs),
}

pub(crate) const DIFF_HELP: &str = "\
Compares two configurations semantically (servers by their listen sockets and names, locations by
pattern, directives by meaning: reformatting, comments, moving a server to an include or writing
60s as 1m are no change) and scores the risk of rolling NEW out where OLD runs: a 0-100 score, a
level (low < 20, medium < 40, high < 65, critical), the findings with their reasons, blast radius
and a check to run, and a recommendation (ship, stage-first, canary, block). A NEW configuration
that nginx would refuse (on any --target version) is critical and blocking.

OLD and NEW are each a main file, a directory holding nginx.conf, an `nginx -T` dump, or `-`
(standard input, for one of them). Includes are read from disk relative to each side's main file,
as `check` reads them, so two checkouts (old/ and new/) compare file by file; absolute include
paths are read where they point, unless mapped: `--mount /etc/nginx` reads each side's directory
as /etc/nginx (`ngxlint diff base/etc/nginx etc/nginx --mount /etc/nginx`), `--root PATH=DIR`
maps PATH to DIR for both. The analysis options (--nginx-version, --profile, --module, --context,
--includes-from-environment, --select, --ignore, and --prefix, which then serves both sides)
apply to both sides. Findings are documented by `ngxlint explain RSK004`.

Settings come from the ngxlint.toml nearest NEW (or --config FILE, e.g. the base branch's, so a
change cannot relax its own gate): `[diff] fail_on` and the risk policy as `[risk]`, with the
same keys as the JSON below; --fail-on and --policy win over the file.

--policy FILE reads a JSON risk policy; every key is optional:
  {\"thresholds\": {\"medium\": 20, \"high\": 40, \"critical\": 65},
   \"tiers\": {\"traffic_loss\": 80, \"behaviour\": 60, \"limits\": 40},
   \"rules\": {\"listen-added\": {\"enabled\": false}, \"RSK025\": {\"points\": 30}},
   \"targets\": [\"1.22\", \"latest\"],
   \"traffic\": {\"api.example.com\": 10, \"static.example.com\": 1}}
Rules are named by name or code (`ngxlint rules`); --target adds to the policy's targets.

Examples:
  ngxlint diff old/ new/
  ngxlint diff /etc/nginx/nginx.conf new/nginx.conf --target 1.22,latest
  ssh web1 nginx -T 2>/dev/null | ngxlint diff - new/
  ngxlint diff --format json --fail-on critical old/ new/ | jq '.findings[0]'

Exit status: 0 risk below --fail-on (default: high), 1 risk at or above it, 2 usage, IO or
configuration file error.";

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The configuration running now: a main file, a directory holding nginx.conf, an `nginx -T`
    /// dump, or `-`
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The configuration to roll out (same forms as OLD)
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Output format [default: text, or github when GITHUB_ACTIONS=true]
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,
    /// Exit 1 when the risk level is at or above this: low, medium, high (default) or critical
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<ngxlint::risk::RiskLevel>,
    /// nginx versions the fleet runs (`1.22`, `latest`): NEW must load on each; repeatable
    #[arg(long = "target", value_name = "VERSION,...", value_delimiter = ',')]
    pub targets: Vec<ngxlint::spec::NginxVersion>,
    /// A JSON risk policy (thresholds, tiers, rules, targets, traffic); see below
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The verdict, findings with reasons and checks, then the semantic changes
    Text,
    /// The versioned JSON contract: `{"version":1,"score","level","findings":[...],...}`
    Json,
    /// SARIF 2.1.0: a result per finding (RSK rules), the verdict in the run's properties
    Sarif,
    /// GitHub Actions annotations, a finding each, then the verdict line
    Github,
}

impl DiffArgs {
    /// `--format`, else `github` in a GitHub Actions step, else `text`.
    pub fn format(&self) -> DiffFormat {
        self.format.unwrap_or(if crate::formats::github_actions() { DiffFormat::Github } else { DiffFormat::Text })
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print JSON (code, name, category, severity, summary, docs)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code (SEC003) or name (alias-traversal)
    pub rule: String,
}

const ROUTE_HELP: &str = "Examples:
  ngxlint route /etc/nginx/nginx.conf --host example.com --uri /api/v1/users
  ngxlint route nginx.conf --host example.com --uri /login --port 443 --format json

Exit status: 0 a server was found, 1 no server listens there (or the URI is invalid), 2 usage/IO error.";

#[derive(Debug, Args)]
pub struct RouteArgs {
    /// Main configuration file (its includes are read from disk)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// The request's Host header
    #[arg(long)]
    pub host: String,
    /// The request URI (query strings are ignored, as nginx does for matching)
    #[arg(long, default_value = "/")]
    pub uri: String,
    /// The port the request arrives on
    #[arg(long, default_value_t = 80)]
    pub port: u16,
    /// The local address the request arrives on (default: any)
    #[arg(long, default_value = "*")]
    pub addr: String,
    #[arg(long, value_enum, default_value_t = RouteFormat::Text)]
    pub format: RouteFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RouteFormat {
    Text,
    Json,
}

/// Options shared by commands that analyse a configuration.
#[derive(Debug, Args)]
pub struct AnalysisArgs {
    /// Read the input as a snippet included inside these blocks (e.g. `http,server`)
    #[arg(long, value_name = "BLOCK,...", value_delimiter = ',')]
    pub context: Vec<String>,
    /// Directory relative include paths resolve against (default: the main file's directory)
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<String>,
    /// Target nginx version: `1.22` (Debian 12's 1.22.1) or `latest` (default)
    #[arg(long, value_name = "VERSION")]
    pub nginx_version: Option<String>,
    /// Module set: `debian` (Debian 12's packages, the default), `openresty`, `plain` (a plain
    /// ./configure), `all`
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Also load these modules (module or package names, or a load_module .so path); repeatable
    #[arg(long = "module", value_name = "NAME")]
    pub modules: Vec<String>,
    /// Includes not found are the machine's business (notes), not errors: for partial checkouts
    #[arg(long)]
    pub includes_from_environment: bool,
    /// Run only these rules (codes, code prefixes like SEC, names, categories; ALL for every rule)
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never run these rules (codes, code prefixes, names, categories)
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Read absolute paths under PATH from DIR (`/etc/nginx=./etc-nginx`); a bare DIR stands for
    /// `/=DIR` (every absolute path is looked up under DIR); repeatable
    #[arg(long = "root", value_name = "[PATH=]DIR")]
    pub roots: Vec<String>,
    /// Read each input as installed at PATH: a directory argument (or a main file's directory)
    /// stands for PATH, so absolute includes under PATH are read from it (diff: on each side)
    #[arg(long, value_name = "PATH")]
    pub mount: Option<String>,
    /// Settings from this file instead of the nearest ngxlint.toml at or above the input
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read no ngxlint.toml
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("fixing").args(["fix", "diff"]).multiple(true)))]
pub struct CheckArgs {
    /// Main configuration files, directories (their nginx.conf, or the configurations found in
    /// them), `nginx -T` dumps, or `-` for standard input
    #[arg(value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Output format [default: text, or github when GITHUB_ACTIONS=true]
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,
    /// Exit 1 when a finding is at or above this severity: error (the default: nginx would
    /// refuse the configuration), warning or info
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Exit 0 even with findings at or above --fail-on (usage and IO errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Apply safe fixes in place, then check again and report what remains
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (they change behaviour on purpose: review the result)
    #[arg(long, requires = "fixing")]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them
    #[arg(long)]
    pub diff: bool,
    /// Configurations checked in parallel (default: one per CPU)
    #[arg(long, value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
}

impl CheckArgs {
    /// `--format`, else `github` in a GitHub Actions step, else `text`.
    pub fn format(&self) -> CheckFormat {
        self.format.unwrap_or(if crate::formats::github_actions() { CheckFormat::Github } else { CheckFormat::Text })
    }
}

/// The severity from which `check` findings fail (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Errors only: what nginx would refuse
    Error,
    /// Errors and warnings
    Warning,
    /// Every finding, notes included
    Info,
}

impl FailOn {
    /// True when a finding of severity `s` is at or above this threshold.
    pub fn fails(self, s: ngxlint::Severity) -> bool {
        use ngxlint::Severity;
        match self {
            FailOn::Error => s == Severity::Error,
            FailOn::Warning => s != Severity::Info,
            FailOn::Info => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Graphical reports with source excerpts, then a summary line
    Text,
    /// One line per diagnostic: `file:line:column: severity[CODE] message`
    Concise,
    /// The versioned JSON contract: `{"version":1,"diagnostics":[...]}`
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, editors), every rule's docs included
    Sarif,
    /// GitHub Actions annotations (`::error file=...::message`), then the summary line
    Github,
    /// Checkstyle XML: each file with its diagnostics
    Checkstyle,
    /// JUnit XML: a test suite per file, a failing test case per diagnostic
    Junit,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The main configuration file, or `-` (the default) for standard input
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
    pub format: ParseFormat,
    /// Include comments as `#` statements (crossplane format; the json tree always has them)
    #[arg(long)]
    pub include_comments: bool,
    /// Indent the JSON output
    #[arg(long)]
    pub pretty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// ngxlint's lossless tree with spans
    Json,
    /// crossplane's parse payload
    Crossplane,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files to format, or `-` for standard input (formatted to standard output)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if any
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print a unified diff of the changes
    #[arg(long)]
    pub diff: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn context_splits_on_commas() {
        let cli = Cli::try_parse_from(["ngxlint", "check", "--context", "http,server", "a.conf"])
            .unwrap();
        let Command::Check(c) = cli.command else {
            panic!()
        };
        assert_eq!(c.analysis.context, ["http", "server"]);
    }

    #[test]
    fn diff_defaults_and_lists() {
        let cli = Cli::try_parse_from(["ngxlint", "diff", "a", "b"]).unwrap();
        let Command::Diff(d) = cli.command else { panic!() };
        assert_eq!(d.fail_on, None, "the default (high) is applied after the config file");
        assert_eq!(d.format, None);
        let cli = Cli::try_parse_from(["ngxlint", "diff", "a", "b", "--target", "1.22,latest", "--target", "1.22", "--fail-on", "medium"])
            .unwrap();
        let Command::Diff(d) = cli.command else { panic!() };
        use ngxlint::spec::NginxVersion::{Latest, V1_22};
        assert_eq!(d.targets, [V1_22, Latest, V1_22]);
        assert!(Cli::try_parse_from(["ngxlint", "diff", "a", "b", "--target", "1.18"]).is_err());
        assert_eq!(d.fail_on, Some(ngxlint::risk::RiskLevel::Medium));
        assert!(Cli::try_parse_from(["ngxlint", "diff", "a", "b", "--fail-on", "severe"]).is_err());
        assert!(Cli::try_parse_from(["ngxlint", "diff", "a"]).is_err());
    }
}
