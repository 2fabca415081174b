//! SARIF 2.1.0 (OASIS), as GitHub code scanning, Azure DevOps and editors' SARIF viewers read it:
//! one run; `tool.driver` names ngxlint with every rule that can appear (id = code, docs as
//! `help.markdown`, default level, tags with the category, and `security-severity` for security
//! rules); results with their rule, level, message, location (relative to the working directory,
//! `uriBaseId` SRCROOT), related locations for labels and fixes.
//!
//! Columns are UTF-16 code units (`columnKind: utf16CodeUnits`, SARIF's default), 1-based;
//! `endColumn` is exclusive. Levels: error -> `error`, warning -> `warning`, info -> `note`.
//!
//! `security-severity` (a "0.0"-"10.0" string GitHub sorts security alerts by: 9.0+ critical,
//! 7.0-8.9 high, 4.0-6.9 medium, below low) is given to rules of the `security` category from
//! their default severity: warning 7.5 (high: a hole someone can use: traversal, SSRF, header
//! injection, weak TLS), info 3.5 (low: hardening notes such as version disclosure), error 9.0.
//! For `diff`'s change-risk rules of the `security` and `tls` categories (tagged `security`) it is
//! the tier's base points divided by ten (traffic-loss 8.0, behaviour 6.0, hardening 3.0), the
//! scale the risk model scores with.

use super::{message_with_help, unique, Where};
use crate::output::Run;
use ngxlint::risk::{Finding, RiskLevel, Tier};
use ngxlint::{Comparison, Diagnostic, Severity, SourceSet, Span};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json";
pub const VERSION: &str = "2.1.0";
/// The base every relative `uri` is relative to: the working directory.
pub const SRCROOT: &str = "SRCROOT";

#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<RunObject>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunObject {
    pub tool: Tool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    pub column_kind: &'static str,
    pub results: Vec<ResultObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub information_uri: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Help,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Help {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RuleProperties {
    pub tags: Vec<String>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    pub security_severity: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultObject {
    pub rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    pub level: &'static str,
    pub message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<FixObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixObject {
    pub description: Text,
    pub artifact_changes: Vec<ArtifactChange>,
    pub properties: FixProperties,
}

#[derive(Debug, Serialize)]
pub struct FixProperties {
    /// ngxlint's `safe`: the fix keeps what nginx does for valid traffic.
    pub safe: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactChange {
    pub artifact_location: ArtifactLocation,
    pub replacements: Vec<Replacement>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replacement {
    pub deleted_region: Region,
    pub inserted_content: Text,
}

// ---- check -------------------------------------------------------------------------------------

/// The SARIF log of `check`: every lint and nginx rule, the diagnostics of every run.
pub fn check(runs: &[Run]) -> String {
    let cwd = super::working_dir();
    render(&check_log(runs, cwd.as_deref()))
}

pub fn check_log(runs: &[Run], cwd: Option<&Path>) -> Log {
    let infos = ngxlint::api::rules();
    let rules: Vec<Rule> = infos.iter().map(lint_rule).collect();
    let results = unique(runs)
        .into_iter()
        .map(|item| {
            let d = item.diagnostic;
            let index = infos.iter().position(|r| r.code == d.code);
            diagnostic_result(item.files, d, index, cwd)
        })
        .collect();
    log(rules, results, cwd, None)
}

fn lint_rule(r: &ngxlint::api::RuleInfo) -> Rule {
    let security = r.category == "security";
    Rule {
        id: r.code.clone(),
        name: r.name.clone(),
        short_description: Text { text: first_sentence(&r.summary) },
        full_description: Text { text: r.summary.clone() },
        help: Help { text: r.docs.clone(), markdown: r.docs.clone() },
        default_configuration: Configuration { level: level(r.severity) },
        properties: RuleProperties {
            tags: vec![r.category.clone()],
            security_severity: security.then(|| lint_security_severity(r.severity).to_string()),
        },
    }
}

/// `security-severity` of a `security` rule, from its default severity (see the module docs).
pub fn lint_security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "9.0",
        Severity::Warning => "7.5",
        Severity::Info => "3.5",
    }
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn diagnostic_result(files: &SourceSet, d: &Diagnostic, rule_index: Option<usize>, cwd: Option<&Path>) -> ResultObject {
    let related_locations = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| Location { id: Some(i + 1), message: Some(Text { text: l.message.clone() }), ..location(files, l.span, cwd) })
        .collect();
    let fixes = d
        .fix
        .iter()
        .map(|f| {
            // One artifactChange per file, its replacements in the fix's order.
            let mut changes: Vec<ArtifactChange> = Vec::new();
            for e in &f.edits {
                let artifact = artifact(files.path(e.span.file), cwd);
                let replacement = Replacement { deleted_region: region(files, e.span), inserted_content: Text { text: e.replacement.clone() } };
                match changes.iter_mut().find(|c| c.artifact_location == artifact) {
                    Some(c) => c.replacements.push(replacement),
                    None => changes.push(ArtifactChange { artifact_location: artifact, replacements: vec![replacement] }),
                }
            }
            FixObject { description: Text { text: f.message.clone() }, artifact_changes: changes, properties: FixProperties { safe: f.safe } }
        })
        .filter(|f| !f.artifact_changes.is_empty())
        .collect();
    ResultObject {
        rule_id: d.code.to_string(),
        rule_index,
        level: level(d.severity),
        message: Text { text: message_with_help(d) },
        locations: vec![location(files, d.span, cwd)],
        related_locations,
        fixes,
        properties: None,
    }
}

// ---- diff --------------------------------------------------------------------------------------

/// The SARIF log of `diff`: the change-risk rules, one result per finding, located in NEW where
/// the finding has a position there (else in OLD), with the other side as a related location.
/// The run's properties carry the verdict (score, level, recommendation, blocking).
pub fn diff(c: &Comparison, before: &SourceSet, after: &SourceSet) -> String {
    let cwd = super::working_dir();
    render(&diff_log(c, before, after, cwd.as_deref()))
}

pub fn diff_log(c: &Comparison, before: &SourceSet, after: &SourceSet, cwd: Option<&Path>) -> Log {
    let infos = ngxlint::api::risk_rules();
    let rules: Vec<Rule> = infos.iter().map(risk_rule).collect();
    let a = c.assessment();
    let results = a
        .findings
        .iter()
        .map(|f| {
            let index = infos.iter().position(|r| r.code == f.code);
            finding_result(f, index, before, after, cwd)
        })
        .collect();
    let properties = serde_json::json!({
        "score": a.score,
        "level": a.level.as_str(),
        "recommendation": a.recommendation.as_str(),
        "advice": a.recommendation.advice(),
        "blocking": a.blocking,
        "notChecked": a.not_checked,
    });
    log(rules, results, cwd, Some(properties))
}

fn risk_rule(r: &ngxlint::api::RiskRuleInfo) -> Rule {
    let category = r.category.as_str();
    let security = matches!(category, "security" | "tls");
    let mut tags: Vec<String> = vec!["change-risk".into(), category.into()];
    if category == "tls" {
        tags.push("security".into());
    }
    if r.tier.as_str() != category {
        tags.push(r.tier.as_str().into());
    }
    let doc = r.docs.split("\n\n").last().unwrap_or("").trim().to_string();
    Rule {
        id: r.code.clone(),
        name: r.name.clone(),
        // Not api::risk_rules()'s `summary`: it splits at the first ". ", inside "(e.g. ...)" too.
        short_description: Text { text: first_sentence(&doc) },
        full_description: Text { text: doc },
        help: Help { text: r.docs.clone(), markdown: r.docs.clone() },
        default_configuration: Configuration { level: tier_level(r.tier) },
        properties: RuleProperties {
            tags,
            security_severity: security.then(|| format!("{:.1}", r.points / 10.0)),
        },
    }
}

/// A risk rule's default level: what its tier usually scores.
fn tier_level(t: Tier) -> &'static str {
    match t {
        Tier::Fatal | Tier::TrafficLoss => "error",
        Tier::Behaviour | Tier::Limits | Tier::Hardening => "warning",
        Tier::Observability | Tier::Additive | Tier::Unclassified => "note",
    }
}

/// A finding's level, from its own risk level: high and critical fail `--fail-on high` (error).
pub fn risk_level(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Critical | RiskLevel::High => "error",
        RiskLevel::Medium => "warning",
        RiskLevel::Low => "note",
    }
}

/// A finding's text: the message, why it is risky and how to check it.
pub fn finding_text(f: &Finding) -> String {
    let mut text = f.message.clone();
    if !f.explanation.is_empty() {
        text.push_str("\nwhy: ");
        text.push_str(&f.explanation);
    }
    if !f.verify.is_empty() {
        text.push_str("\ncheck: ");
        text.push_str(&f.verify);
    }
    text
}

fn finding_result(f: &Finding, rule_index: Option<usize>, before: &SourceSet, after: &SourceSet, cwd: Option<&Path>) -> ResultObject {
    let at = |files: &SourceSet, span: Option<Span>| span.filter(|s| files.get(s.file).is_some()).map(|s| location(files, s, cwd));
    let (new, old) = (at(after, f.after_span), at(before, f.before_span));
    let labelled = |l: Location, id, text: &str| Location { id: Some(id), message: Some(Text { text: text.into() }), ..l };
    let (locations, related_locations) = match (new, old) {
        (Some(n), Some(o)) => (vec![n], vec![labelled(o, 1, "before the change (OLD)")]),
        (Some(n), None) => (vec![n], vec![]),
        (None, Some(o)) => (vec![o], vec![]),
        (None, None) => (vec![], vec![]),
    };
    ResultObject {
        rule_id: f.code.to_string(),
        rule_index,
        level: risk_level(f.level),
        message: Text { text: finding_text(f) },
        locations,
        related_locations,
        fixes: Vec::new(),
        properties: Some(serde_json::json!({
            "score": f.score,
            "riskLevel": f.level.as_str(),
            "tier": f.tier.as_str(),
            "path": f.path,
            "confidence": f.confidence,
        })),
    }
}

// ---- shared ------------------------------------------------------------------------------------

fn log(rules: Vec<Rule>, results: Vec<ResultObject>, cwd: Option<&Path>, properties: Option<serde_json::Value>) -> Log {
    let mut original_uri_base_ids = BTreeMap::new();
    if let Some(cwd) = cwd.filter(|c| c.is_absolute()) {
        let mut uri = file_uri(&super::lexical(cwd, false));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        original_uri_base_ids.insert(SRCROOT, ArtifactLocation { uri, uri_base_id: None });
    }
    Log {
        schema: SCHEMA,
        version: VERSION,
        runs: vec![RunObject {
            tool: Tool {
                driver: Driver {
                    name: "ngxlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            original_uri_base_ids,
            column_kind: "utf16CodeUnits",
            results,
            properties,
        }],
    }
}

fn render(log: &Log) -> String {
    let mut out = serde_json::to_string_pretty(log).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    out.push('\n');
    out
}

fn location(files: &SourceSet, span: Span, cwd: Option<&Path>) -> Location {
    Location {
        id: None,
        physical_location: PhysicalLocation { artifact_location: artifact(files.path(span.file), cwd), region: region(files, span) },
        message: None,
    }
}

fn region(files: &SourceSet, span: Span) -> Region {
    let (s, e) = files.range_of(span);
    Region { start_line: s.line, start_column: s.column_utf16, end_line: e.line, end_column: e.column_utf16 }
}

/// A relative URI against SRCROOT, or a `file://` URI for an absolute path elsewhere.
pub fn artifact(path: &str, cwd: Option<&Path>) -> ArtifactLocation {
    match Where::of(path, cwd) {
        Where::Relative(p) => ArtifactLocation { uri: encode_path(&p), uri_base_id: Some(SRCROOT) },
        Where::Absolute(p) => ArtifactLocation { uri: file_uri(&p), uri_base_id: None },
    }
}

fn file_uri(abs: &str) -> String {
    format!("file://{}", encode_path(abs))
}

/// Percent-encodes a `/`-separated path for a URI (RFC 3986 `pchar`s and `/` stay, except `:`,
/// which would read as a scheme in a relative reference; every other byte is `%XX`).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first sentence of a summary (a `. ` outside parentheses and backticks, and not after
/// `e.g`/`i.e`/`etc`), for `shortDescription`.
pub fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let (mut depth, mut code) = (0i32, false);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => code = !code,
            b'(' if !code => depth += 1,
            b')' if !code => depth -= 1,
            b'.' if !code && depth <= 0 && bytes.get(i + 1) == Some(&b' ') => {
                let before = &text[..i];
                if !["e.g", "i.e", "etc", "vs"].iter().any(|a| before.ends_with(a)) {
                    return text[..=i].to_string();
                }
            }
            _ => {}
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_srcroot_or_absolute_file_uris() {
        let cwd = Path::new("/work/repo");
        let a = artifact("conf/a b.conf", Some(cwd));
        assert_eq!((a.uri.as_str(), a.uri_base_id), ("conf/a%20b.conf", Some(SRCROOT)));
        assert_eq!(artifact("/work/repo/x:y.conf", Some(cwd)).uri, "x%3Ay.conf");
        let a = artifact("/etc/nginx/sites/é.conf", Some(cwd));
        assert_eq!((a.uri.as_str(), a.uri_base_id), ("file:///etc/nginx/sites/%C3%A9.conf", None));
        assert_eq!(artifact("<stdin>", Some(cwd)).uri, "%3Cstdin%3E");
        assert_eq!(artifact("a%b#c?.conf", None).uri, "a%25b%23c%3F.conf");
    }

    #[test]
    fn first_sentences_skip_abbreviations_code_and_parentheses() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("No end"), "No end");
        assert_eq!(first_sentence("Loads (e.g. `a. b` or c. d) then. More."), "Loads (e.g. `a. b` or c. d) then.");
        assert_eq!(first_sentence("Hosts, e.g. example.com. Rest."), "Hosts, e.g. example.com.");
    }

    #[test]
    fn security_rules_have_a_security_severity_and_others_none() {
        let rules: Vec<Rule> = ngxlint::api::rules().iter().map(lint_rule).collect();
        for r in &rules {
            let security = r.properties.tags.iter().any(|t| t == "security");
            assert_eq!(r.properties.security_severity.is_some(), security, "{}", r.id);
        }
        let sec003 = rules.iter().find(|r| r.id == "SEC003").unwrap();
        assert_eq!(sec003.properties.security_severity.as_deref(), Some("7.5"));
        let risk: Vec<Rule> = ngxlint::api::risk_rules().iter().map(risk_rule).collect();
        for r in &risk {
            let security = r.properties.tags.iter().any(|t| t == "security");
            assert_eq!(r.properties.security_severity.is_some(), security, "{}", r.id);
        }
        let rsk017 = risk.iter().find(|r| r.id == "RSK017").unwrap();
        assert_eq!(rsk017.properties.security_severity.as_deref(), Some("8.0"));
        assert!(risk.iter().find(|r| r.id == "RSK004").unwrap().properties.security_severity.is_none());
        assert!(risk.iter().all(|r| !r.short_description.text.is_empty() && !r.help.markdown.is_empty()));
        let rsk002 = risk.iter().find(|r| r.id == "RSK002").unwrap();
        assert!(rsk002.short_description.text.ends_with("before 1.25.1): the old machines refuse it."), "{}", rsk002.short_description.text);
    }
}
