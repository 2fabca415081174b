//! Plain-data entry points for the surfaces (wasm/JS, editors, CLI): options as they arrive from
//! JSON or JavaScript, validated into [`Options`], and results with positions in UTF-16 code units
//! (what CodeMirror, Monaco and LSP clients use) next to byte offsets.
//!
//! Everything here is a thin shape over the core; no analysis logic lives in it.

use crate::report::{self, Diagnostic, Severity};
use crate::source::{FileId, SourceSet, Span};
use crate::spec::{NginxVersion, Profile};
use crate::{FormatOptions as CoreFormatOptions, Options};
use serde::{Deserialize, Serialize};

/// A file handed in by a caller.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// Options of `analyze` as callers spell them (camelCase in JSON/JS).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AnalyzeOptions {
    /// Path of the main file (default: the first file).
    pub main: Option<String>,
    pub context: Vec<String>,
    /// `"1.22"` or `"latest"` (default).
    pub nginx_version: Option<String>,
    /// `"debian"` (default), `"openresty"`, `"plain"` or `"all"`.
    pub profile: Option<String>,
    pub modules: Vec<String>,
    pub prefix: Option<String>,
    pub includes_from_environment: bool,
    /// Rule selection: `{ select: [...], ignore: [...], severity: [[code, "warning"|"info"|"off"]] }`.
    pub rules: crate::rules::RuleSelection,
}

/// Builds a profile from its names (shared by the CLI flags and the JS options).
pub fn profile(version: Option<&str>, profile: Option<&str>, modules: &[String]) -> Result<Profile, String> {
    let version: NginxVersion = version.unwrap_or("latest").parse()?;
    let mut p = match profile.unwrap_or("debian") {
        "debian" | "debian12" => Profile::default(),
        "openresty" => Profile::openresty(),
        "plain" => Profile::plain_configure(version),
        "all" => Profile::everything(version),
        p => return Err(format!("unknown profile \"{p}\": expected debian, openresty, plain or all")),
    }
    .with_version(version);
    for m in modules {
        p = p.try_with_module(m).map_err(|e| format!("unknown module: {e}"))?;
    }
    Ok(p)
}

impl AnalyzeOptions {
    pub fn to_options(&self) -> Result<Options, String> {
        if let Some(c) = self.context.iter().find(|c| c.trim().is_empty() || c.contains(char::is_whitespace)) {
            return Err(format!("invalid context \"{c}\": expected block names like \"http\", \"server\""));
        }
        Ok(Options {
            context: self.context.clone(),
            prefix: self.prefix.clone(),
            profile: profile(self.nginx_version.as_deref(), self.profile.as_deref(), &self.modules)?,
            includes_from_environment: self.includes_from_environment,
            given_dirs: Vec::new(),
            rules: {
                let unknown = self.rules.unknown_selectors();
                if !unknown.is_empty() {
                    return Err(format!("unknown rule selector(s): {}", unknown.join(", ")));
                }
                self.rules.clone()
            },
        })
    }
}

/// A secondary location, UTF-16 based.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EditorLabel {
    pub message: String,
    pub file: String,
    pub from: usize,
    pub to: usize,
    pub line: usize,
    pub column: usize,
}

/// A diagnostic as editors want it: 1-based line/column in UTF-16 code units, UTF-16 offsets
/// (`from`/`to`, CodeMirror positions) and byte offsets.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EditorDiagnostic {
    pub code: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub from: usize,
    pub to: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub labels: Vec<EditorLabel>,
}

pub fn editor_diagnostic(files: &SourceSet, d: &Diagnostic) -> EditorDiagnostic {
    let (s, e) = files.range_of(d.span);
    let label = |span: Span, message: &str| {
        let (ls, le) = files.range_of(span);
        EditorLabel {
            message: message.to_string(),
            file: files.path(span.file).to_string(),
            from: ls.offset_utf16,
            to: le.offset_utf16,
            line: ls.line,
            column: ls.column_utf16,
        }
    };
    EditorDiagnostic {
        code: d.code.to_string(),
        rule: d.rule.to_string(),
        severity: d.severity,
        message: d.message.clone(),
        help: d.help.clone(),
        file: files.path(d.span.file).to_string(),
        line: s.line,
        column: s.column_utf16,
        end_line: e.line,
        end_column: e.column_utf16,
        from: s.offset_utf16,
        to: e.offset_utf16,
        byte_start: s.offset,
        byte_end: e.offset,
        labels: d.labels.iter().map(|l| label(l.span, &l.message)).collect(),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AnalyzeResult {
    pub diagnostics: Vec<EditorDiagnostic>,
    pub files: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// Analyses in-memory files (`options.main`, else the first, is the main file).
pub fn analyze(files_in: &[SourceFile], opts: &AnalyzeOptions) -> Result<AnalyzeResult, String> {
    let options = opts.to_options()?;
    let (files, main) = file_set(files_in, opts.main.as_deref())?;
    let analysis = crate::analyze(&files, main, &options);
    Ok(analyze_result(&files, &analysis))
}

/// The in-memory files as a source set, and the main file (`main`, else the first).
fn file_set(files_in: &[SourceFile], main: Option<&str>) -> Result<(SourceSet, FileId), String> {
    let mut files = SourceSet::new();
    let mut first = None;
    for f in files_in {
        let id = files.add(f.path.clone(), f.text.as_bytes());
        first.get_or_insert(id);
    }
    let main = match main {
        Some(m) => files.lookup(m).ok_or_else(|| format!("main file \"{m}\" is not among the files"))?,
        None => first.ok_or("no files to analyse")?,
    };
    Ok((files, main))
}

fn analyze_result(files: &SourceSet, analysis: &crate::Analysis) -> AnalyzeResult {
    let diagnostics: Vec<EditorDiagnostic> = analysis.diagnostics().iter().map(|d| editor_diagnostic(files, d)).collect();
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    AnalyzeResult {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        files: analysis.config().docs.iter().map(|d| files.path(d.file).to_string()).collect(),
        diagnostics,
    }
}

/// Options of [`compare`]: the analysis options both sides share, and the risk policy.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CompareOptions {
    pub options: AnalyzeOptions,
    pub policy: crate::risk::Policy,
}

/// The result of [`compare`]: the report (the JSON contract of `ngxlint diff --format json`)
/// and each side's diagnostics, for editors.
#[derive(Debug, Clone, Serialize)]
pub struct CompareResult {
    pub report: serde_json::Value,
    pub before: AnalyzeResult,
    pub after: AnalyzeResult,
}

/// Compares two in-memory configurations: semantic diff and risk assessment.
pub fn compare(before: &[SourceFile], after: &[SourceFile], opts: &CompareOptions) -> Result<CompareResult, String> {
    let options = opts.options.to_options()?;
    let (fa, ma) = file_set(before, opts.options.main.as_deref()).map_err(|e| format!("before: {e}"))?;
    let (fb, mb) = file_set(after, opts.options.main.as_deref()).map_err(|e| format!("after: {e}"))?;
    let c = crate::compare(&fa, ma, &fb, mb, &crate::CompareOptions { options, policy: opts.policy.clone() });
    let report = serde_json::to_value(report::compare::to_json(&c, &fa, &fb)).map_err(|e| e.to_string())?;
    Ok(CompareResult { report, before: analyze_result(&fa, c.before()), after: analyze_result(&fb, c.after()) })
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ParseOptions {
    pub include_comments: bool,
    pub context: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParseResult {
    pub tree: report::tree::Tree,
    pub crossplane: report::crossplane::Payload,
    pub diagnostics: Vec<EditorDiagnostic>,
}

/// Parses one text (no includes are followed): the full tree, the crossplane payload and the
/// syntax diagnostics.
pub fn parse(text: &str, opts: &ParseOptions) -> Result<ParseResult, String> {
    let options = AnalyzeOptions { context: opts.context.clone(), ..Default::default() }.to_options()?;
    let mut files = SourceSet::new();
    let main = files.add("nginx.conf", text.as_bytes());
    let analysis = crate::analyze(&files, main, &Options { includes_from_environment: true, ..options });
    let syntax: Vec<Diagnostic> = analysis
        .diagnostics()
        .iter()
        .filter(|d| d.code == report::codes::SYNTAX.code || d.code == report::codes::LIMIT.code)
        .cloned()
        .collect();
    let cp = report::crossplane::CrossplaneOptions { include_comments: opts.include_comments };
    Ok(ParseResult {
        tree: report::tree::tree(&files, analysis.config()),
        crossplane: report::crossplane::payload(&files, analysis.config(), &syntax, cp),
        diagnostics: syntax.iter().map(|d| editor_diagnostic(&files, d)).collect(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FormatOptions {
    pub indent: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FormatResult {
    /// `None` when the text has syntax errors (nothing is formatted then).
    pub formatted: Option<String>,
    pub changed: bool,
    pub diagnostics: Vec<EditorDiagnostic>,
}

pub fn format(text: &str, opts: &FormatOptions) -> Result<FormatResult, String> {
    let indent = opts.indent.unwrap_or(4);
    if indent > 16 {
        return Err(format!("indent {indent} is out of range (0..=16)"));
    }
    let core_opts = CoreFormatOptions { indent, ..CoreFormatOptions::default() };
    match crate::fmt::format(text.as_bytes(), &core_opts) {
        Ok(out) => {
            let formatted = String::from_utf8_lossy(&out).into_owned();
            Ok(FormatResult { changed: formatted != text, formatted: Some(formatted), diagnostics: Vec::new() })
        }
        Err(errors) => {
            let mut files = SourceSet::new();
            let id = files.add("nginx.conf", text.as_bytes());
            let diagnostics = errors
                .iter()
                .map(|e| {
                    let span = Span { file: id, ..e.span };
                    editor_diagnostic(&files, &Diagnostic::new(report::codes::SYNTAX, span, e.message.clone()))
                })
                .collect();
            Ok(FormatResult { formatted: None, changed: false, diagnostics })
        }
    }
}

/// A request to route (`ngxlint route`, wasm `route`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteRequest {
    pub host: String,
    pub uri: String,
    /// Default 80.
    #[serde(default)]
    pub port: Option<u16>,
    /// Local address the request arrives on; default `*` (any).
    #[serde(default)]
    pub addr: Option<String>,
}

/// Where a routed request lands, with source positions (UTF-16 based, as everywhere in the API).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RoutePlace {
    pub label: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub from: usize,
    pub to: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RouteResult {
    pub server: Option<RoutePlace>,
    /// exact_name, wildcard_prefix, wildcard_suffix, regex, default_server.
    pub server_match: Option<crate::model::routing::ServerMatch>,
    /// Matched locations, outermost first.
    pub locations: Vec<RoutePlace>,
    pub normalized_uri: String,
    pub notes: Vec<String>,
}

/// Which server and location nginx would use for a request.
pub fn route(files_in: &[SourceFile], opts: &AnalyzeOptions, req: &RouteRequest) -> Result<RouteResult, String> {
    let options = opts.to_options()?;
    let mut files = SourceSet::new();
    let mut first = None;
    for f in files_in {
        first.get_or_insert(files.add(f.path.clone(), f.text.as_bytes()));
    }
    let main = match &opts.main {
        Some(m) => files.lookup(m).ok_or_else(|| format!("main file \"{m}\" is not among the files"))?,
        None => first.ok_or("no files to route through")?,
    };
    let analysis = crate::analyze(&files, main, &options);
    let model = analysis.model();
    let request = crate::model::routing::Request {
        addr: req.addr.clone().unwrap_or_else(|| "*".into()),
        port: req.port.unwrap_or(80),
        host: req.host.clone(),
        uri: req.uri.clone(),
    };
    let r = crate::model::routing::route(model, &request);
    let place = |label: String, span: Span| {
        let (s, e) = files.range_of(span);
        RoutePlace { label, file: files.path(span.file).to_string(), line: s.line, column: s.column_utf16, from: s.offset_utf16, to: e.offset_utf16 }
    };
    let server = r.server.map(|i| &model.servers[i]);
    let locations = match server {
        Some(srv) => r
            .locations
            .iter()
            .filter_map(|path| crate::model::routing::location_at(&srv.locations, path))
            .map(|l| place(l.label(), l.span))
            .collect(),
        None => Vec::new(),
    };
    let mut notes = r.notes.clone();
    if analysis.has_errors() {
        notes.push("the configuration has errors nginx would refuse; the answer describes it as written".into());
    }
    Ok(RouteResult {
        server: server.map(|s| place(s.label(), s.span)),
        server_match: r.server_match,
        locations,
        normalized_uri: r.normalized_uri,
        notes,
    })
}

/// Metadata of a diagnostic code or rule.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    /// `nginx` for what nginx itself rejects or warns about; a rule category otherwise.
    pub category: String,
    pub severity: Severity,
    pub summary: String,
    /// Markdown documentation (what, why, bad, good, fix, limits for rules).
    pub docs: String,
}

/// Every diagnostic code: nginx's checks, then the rules with their full documentation.
pub fn rules() -> Vec<RuleInfo> {
    let rule_docs: Vec<&crate::rules::Rule> = crate::rules::all().collect();
    crate::codes()
        .into_iter()
        .map(|c| {
            let rule = rule_docs.iter().find(|r| r.info.code == c.code);
            RuleInfo {
                code: c.code.to_string(),
                name: c.rule.to_string(),
                category: rule.map(|r| r.info.category.as_str()).unwrap_or(if c.code.starts_with("LNT") { "suppression" } else { "nginx" }).to_string(),
                severity: c.severity,
                summary: rule.map(|r| r.info.summary()).unwrap_or_else(|| c.summary.to_string()),
                docs: rule.map(|r| r.info.markdown()).unwrap_or_else(|| c.summary.to_string()),
            }
        })
        .collect()
}

/// A change-risk rule (what `compare` scores), with its documentation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RiskRuleInfo {
    pub code: String,
    pub name: String,
    pub category: crate::risk::Category,
    pub tier: crate::risk::Tier,
    /// Base points of the tier under the default policy.
    pub points: f64,
    /// The first sentence of the docs, plain text.
    pub summary: String,
    pub docs: String,
}

/// The first sentence: up to a ". " or ": " that does not end an abbreviation like "e.g.".
fn first_sentence(text: &str) -> String {
    let mut end = text.len();
    let mut from = 0;
    while let Some(i) = text[from..].find(". ") {
        let at = from + i;
        let word = text[..at].rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
        if !matches!(word, "e.g" | "i.e" | "etc" | "vs") {
            end = at;
            break;
        }
        from = at + 2;
    }
    text[..end].trim_end_matches('.').to_string()
}

/// Every change-risk rule (RSK codes), in code order.
pub fn risk_rules() -> Vec<RiskRuleInfo> {
    let points = crate::risk::TierPoints::default();
    crate::risk::catalog()
        .iter()
        .map(|r| {
            let doc: String = r.doc.lines().map(str::trim).collect::<Vec<_>>().join(" ");
            RiskRuleInfo {
                code: r.code.to_string(),
                name: r.name.to_string(),
                category: r.category,
                tier: r.tier,
                points: points.of(r.tier),
                summary: first_sentence(doc.trim()),
                docs: format!(
                    "# {} {}\n\nChange risk rule (`ngxlint diff`). Category: {}; tier: {} ({} points before blast radius and confidence).\n\n{}\n",
                    r.code,
                    r.name,
                    r.category.as_str(),
                    r.tier.as_str(),
                    points.of(r.tier),
                    doc.trim()
                ),
            }
        })
        .collect()
}

/// Splits `nginx -T` output into files (`None` when the text is not such a dump).
pub fn split_dump(text: &str) -> Option<Vec<SourceFile>> {
    crate::include::split_dump(text.as_bytes()).map(|files| {
        files
            .into_iter()
            .map(|(path, bytes)| SourceFile { path, text: String::from_utf8_lossy(&bytes).into_owned() })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_utf16() {
        let files = [SourceFile { path: "n.conf".into(), text: "# 😀é\nevents {}\nfoo;\n".into() }];
        let r = analyze(&files, &AnalyzeOptions::default()).unwrap();
        let d = &r.diagnostics[0];
        assert_eq!(d.message, "unknown directive \"foo\"");
        assert_eq!((d.line, d.column), (3, 1));
        // "# 😀é\n" is 5 UTF-16 units + newline, "events {}\n" 10.
        assert_eq!(d.from, 6 + 10);
        assert_eq!(d.byte_start, 9 + 10);
        assert_eq!(r.errors, 1);
    }

    #[test]
    fn bad_options_are_errors_not_panics() {
        let files = [SourceFile { path: "n.conf".into(), text: String::new() }];
        let bad = AnalyzeOptions { nginx_version: Some("0.1".into()), ..Default::default() };
        assert!(analyze(&files, &bad).unwrap_err().contains("0.1"));
        let missing = AnalyzeOptions { main: Some("x.conf".into()), ..Default::default() };
        assert!(analyze(&files, &missing).is_err());
        assert!(analyze(&[], &AnalyzeOptions::default()).is_err());
    }

    #[test]
    fn routes_a_request() {
        let files = [SourceFile {
            path: "/e/nginx.conf".into(),
            text: "events {}\nhttp { server { listen 80; server_name a.test; location /x/ { } location ~ \\.php$ { } } }\n".into(),
        }];
        let req = RouteRequest { host: "a.test".into(), uri: "/x/i.php".into(), port: None, addr: None };
        let r = route(&files, &AnalyzeOptions::default(), &req).unwrap();
        assert_eq!(r.server.unwrap().label, "server[listen 0.0.0.0:80; server_name a.test]");
        let labels: Vec<&str> = r.locations.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["location ~ \\.php$"]);
        assert_eq!(r.locations[0].line, 2);
    }

    #[test]
    fn format_and_parse_shapes() {
        let f = format("http{}", &FormatOptions::default()).unwrap();
        assert_eq!(f.formatted.as_deref(), Some("http {}\n"));
        assert!(f.changed);
        let broken = format("http{", &FormatOptions::default()).unwrap();
        assert!(broken.formatted.is_none() && broken.diagnostics.len() == 1);
        let p = parse("events {}\nhttp { }", &ParseOptions::default()).unwrap();
        assert_eq!(p.crossplane.config[0].parsed[0].directive, "events");
        assert!(p.diagnostics.is_empty());
    }
}
