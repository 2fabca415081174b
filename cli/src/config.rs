//! `ngxlint.toml`: the configuration file. Found upward from the checked path (the nearest one
//! wins; `--config FILE` names one, `--no-config` ignores them). Every key is optional; unknown
//! keys, unknown rules, bad versions and bad globs are errors shown with the file, line, column
//! and a snippet, so a typo never silently leaves the defaults in place.
//!
//! ```toml
//! select = ["ALL"]                 # rules: codes, prefixes (SEC), names, categories
//! ignore = ["PRF"]
//! nginx_version = "1.22"           # or "latest"
//! profile = "debian"               # debian, openresty, plain, all
//! modules = ["brotli"]
//! includes_from_environment = false
//! context = []                     # e.g. ["http", "server"] for a repository of snippets
//! prefix = "etc/nginx"             # relative to this file
//! mount = "/etc/nginx"             # each checked directory is read as /etc/nginx
//!
//! [severity]
//! SEC020 = "info"                  # "warning", "info" or "off"
//!
//! [root]
//! "/etc/nginx" = "etc/nginx"       # absolute paths under /etc/nginx are read here
//!
//! [check]
//! fail_on = "warning"              # error (default), warning, info
//!
//! [diff]
//! fail_on = "high"                 # low, medium, high (default), critical
//!
//! [risk]                           # the risk policy of `ngxlint diff`, as `--policy` reads it
//! targets = ["1.22", "latest"]
//! thresholds = { medium = 20, high = 40, critical = 65 }
//!
//! [[overrides]]
//! paths = ["sites-enabled/legacy-*.conf"]
//! ignore = ["SEC001"]
//! ```

use crate::args::FailOn;
use crate::error::CliError;
use crate::paths::absolute;
use ngxlint::risk::{Policy, RiskLevel};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file name looked for in the checked path's directory and every directory above it.
pub const FILE_NAME: &str = "ngxlint.toml";

/// The file as written. Every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub select: Option<Vec<Spanned<String>>>,
    pub ignore: Option<Vec<Spanned<String>>>,
    pub severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    pub nginx_version: Option<Spanned<String>>,
    pub profile: Option<Spanned<String>>,
    pub modules: Option<Vec<Spanned<String>>>,
    pub context: Option<Vec<Spanned<String>>>,
    pub includes_from_environment: Option<bool>,
    pub prefix: Option<String>,
    pub mount: Option<Spanned<String>>,
    pub root: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    pub check: Option<CheckSection>,
    pub diff: Option<DiffSection>,
    pub risk: Option<Policy>,
    #[serde(default)]
    pub overrides: Vec<OverrideSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSection {
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffSection {
    pub fail_on: Option<RiskLevel>,
}

/// `[[overrides]]`: rule settings for the files matching `paths` (globs relative to the
/// configuration file's directory).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideSection {
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    pub select: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// A configuration file read and parsed, with what is needed to report errors in it.
#[derive(Debug)]
pub struct Loaded {
    /// The file as named to the user (relative to the current directory when below it).
    pub path: String,
    /// Its directory, absolute: relative paths in the file resolve against it.
    pub dir: PathBuf,
    pub text: String,
    pub config: ConfigFile,
}

impl Loaded {
    /// An error at `span` of this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> CliError {
        CliError::Config(render(&self.path, &self.text, Some(span), &message.into(), None))
    }
    pub fn error_help(&self, span: Range<usize>, message: impl Into<String>, help: &str) -> CliError {
        CliError::Config(render(
            &self.path,
            &self.text,
            Some(span),
            &message.into(),
            Some(help),
        ))
    }
}

/// The nearest `ngxlint.toml` at or above `start` (a directory).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = PathBuf::from(absolute(&start.to_string_lossy()));
    abs.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// Where discovery starts for a path argument: a directory itself, a file's directory, the
/// current directory for standard input.
pub fn start_dir(arg: &Path) -> PathBuf {
    if crate::input::is_stdin(arg) {
        return PathBuf::from(".");
    }
    if arg.is_dir() {
        return arg.to_path_buf();
    }
    match arg.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads and parses a configuration file.
pub fn load(path: &Path) -> Result<Loaded, CliError> {
    let shown = crate::paths::relative_to_cwd(Path::new(&absolute(&path.to_string_lossy())));
    let bytes = std::fs::read(path).map_err(|e| CliError::read(shown.clone(), e))?;
    let dir = Path::new(&absolute(&path.to_string_lossy()))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text has U+FFFD (3 bytes) where the bad byte was: same start offset.
            return Err(CliError::Config(render(
                &shown,
                &lossy,
                Some(at..at + 3),
                "the configuration file is not valid UTF-8 (TOML files must be)",
                None,
            )));
        }
    };
    let config: ConfigFile = match toml::from_str(&text) {
        Ok(c) => c,
        Err(e) => {
            let message = e.message().trim_end().to_string();
            return Err(CliError::Config(render(
                &shown,
                &text,
                e.span(),
                &message,
                Some(HELP),
            )));
        }
    };
    Ok(Loaded {
        path: shown,
        dir,
        text,
        config,
    })
}

const HELP: &str = "the keys are documented in the README (Configuration file) and in `ngxlint check --help`";

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// `invalid configuration "path:line:col": message`, then miette's snippet of the spot.
pub fn render(
    path: &str,
    text: &str,
    span: Option<Range<usize>>,
    message: &str,
    help: Option<&str>,
) -> String {
    let Some(span) = span else {
        return format!("invalid configuration file {path}: {message}");
    };
    let (line, col) = line_col(text, span.start);
    let mut out = format!("invalid configuration file {path}:{line}:{col}: {message}\n");
    // The label says the first clause; the full message is on the first line.
    let short = message.split(", expected").next().unwrap_or(message).to_string();
    let start = span.start.min(text.len());
    let len = span.end.min(text.len()).saturating_sub(start);
    let mut diag = miette::MietteDiagnostic::new("invalid configuration")
        .with_label(miette::LabeledSpan::at(start..start + len, short));
    if let Some(h) = help {
        diag = diag.with_help(h);
    }
    let report = miette::Report::new(diag).with_source_code(miette::NamedSource::new(path, text.to_string()));
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let mut snippet = String::new();
    if handler.render_report(&mut snippet, report.as_ref()).is_ok() {
        out.push_str(snippet.trim_end());
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, String> {
        toml::from_str(text).map_err(|e| format!("{:?} {}", e.span(), e.message()))
    }

    #[test]
    fn every_key_parses() {
        let c = parse(
            r#"
select = ["ALL"]
ignore = ["PRF"]
nginx_version = "1.22"
profile = "debian"
modules = ["brotli"]
includes_from_environment = true
context = ["http"]
prefix = "etc/nginx"
mount = "/etc/nginx"
[severity]
SEC020 = "info"
[root]
"/etc/nginx" = "etc/nginx"
[check]
fail_on = "warning"
[diff]
fail_on = "critical"
[risk]
targets = ["1.22", "latest"]
thresholds = { medium = 10, high = 30, critical = 60 }
rules = { listen-added = { enabled = false } }
[[overrides]]
paths = ["sites-enabled/legacy-*.conf"]
ignore = ["SEC001"]
severity = { SEC010 = "off" }
"#,
        )
        .unwrap();
        assert_eq!(c.check.unwrap().fail_on, Some(FailOn::Warning));
        assert_eq!(c.diff.unwrap().fail_on, Some(RiskLevel::Critical));
        let risk = c.risk.unwrap();
        assert_eq!(risk.thresholds.high, 30.0);
        assert_eq!(risk.rules["listen-added"].enabled, Some(false));
        assert_eq!(c.overrides[0].ignore[0].get_ref(), "SEC001");
        assert_eq!(c.severity.unwrap().values().next().unwrap().get_ref(), "info");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_span() {
        let text = "select = [\"SEC\"]\nselet = [\"SEC\"]\n";
        let e = toml::from_str::<ConfigFile>(text).unwrap_err();
        assert!(e.message().contains("unknown field `selet`"), "{}", e.message());
        assert_eq!(line_col(text, e.span().unwrap().start), (2, 1));
        let e = toml::from_str::<ConfigFile>("[risk.thresholds]\nhihg = 3\n").unwrap_err();
        assert!(e.message().contains("unknown field `hihg`"), "{}", e.message());
        let e = toml::from_str::<ConfigFile>("[check]\nfail_on = \"severe\"\n").unwrap_err();
        assert!(
            e.message().contains("unknown variant `severe`"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn rendering_names_file_line_and_column_and_shows_the_spot() {
        let text = "ignore = [\"PRF\"]\nnginx_version = \"1.18\"\n";
        let r = render(
            "x/ngxlint.toml",
            text,
            Some(33..39),
            "unknown nginx version \"1.18\"",
            None,
        );
        assert!(
            r.starts_with("invalid configuration file x/ngxlint.toml:2:17: unknown nginx version \"1.18\"\n"),
            "{r}"
        );
        assert!(r.contains("nginx_version = \"1.18\""), "{r}");
        assert!(r.contains("[x/ngxlint.toml:2:17]"), "{r}");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("a\nbé c", 6), (2, 4));
        assert_eq!(line_col("", 10), (1, 1));
    }
}
