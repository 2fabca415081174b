//! The rule engine: one rule per file, declared with [`declare_rule!`] (code, kebab-case name,
//! category, default severity, and its documentation: the doc comment), run over a
//! [`RuleContext`] that gives every directive of the expanded configuration with its context,
//! its parents and nginx's inheritance. Rules report warnings and notes, never errors (an error
//! means nginx would refuse the configuration).
//!
//! Configuration ([`RuleSelection`]): select/ignore by code, code prefix or name; per-rule
//! severity. Inline suppression with a required reason: `# ngxlint: ignore[SEC003] reason`
//! before a directive (or a block: then the whole block); unused suppressions are reported.

mod availability;
mod context;
mod correctness;
mod registry;
pub(crate) mod security;
mod suppress;
mod taint;

pub use crate::report::{Edit, Fix};
pub use context::{Item, RuleArena, RuleContext};
pub use registry::all;
pub use suppress::{UNUSED, WITHOUT_REASON};

use crate::report::{Code, Diagnostic, Severity};
use crate::source::Span;
use serde::{Deserialize, Serialize};

/// What a rule protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Correctness,
    Security,
    Availability,
    Performance,
    Style,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Security => "security",
            Category::Availability => "availability",
            Category::Performance => "performance",
            Category::Style => "style",
        }
    }
}

/// A rule's metadata and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// Markdown: what it finds, why it matters, bad and good examples, fix, limits.
    pub docs: &'static str,
    /// Only meaningful on a whole configuration (e.g. "X is missing").
    pub whole_config: bool,
}

impl RuleInfo {
    pub fn code(&self) -> Code {
        let summary = self.docs.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        Code { code: self.code, rule: self.name, severity: self.severity, summary }
    }
    /// The documentation as Markdown (doc comments keep one leading space per line).
    pub fn markdown(&self) -> String {
        self.docs.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
    }

    /// The first paragraph of the docs.
    pub fn summary(&self) -> String {
        self.docs.split("\n\n").next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// A rule: metadata plus the function that checks a configuration.
#[derive(Clone, Copy)]
pub struct Rule {
    pub info: RuleInfo,
    pub check: fn(&RuleContext, &mut Findings),
}

/// What a rule reports; the engine applies codes, severities and suppressions.
#[derive(Default)]
pub struct Findings {
    current: Option<RuleInfo>,
    out: Vec<Diagnostic>,
}

impl Findings {
    /// Reports a finding of the running rule at `span`.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let info = self.current.expect("findings are reported while a rule runs");
        self.out.push(Diagnostic::new(info.code(), span, message));
        self.out.last_mut().expect("just pushed")
    }
}

/// Which rules run, and how loud they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RuleSelection {
    /// Codes, code prefixes (`SEC`) or names; empty = every rule except the `style` category.
    pub select: Vec<String>,
    /// Codes, prefixes or names never run.
    pub ignore: Vec<String>,
    /// Per code/prefix/name: `"warning"`, `"info"` or `"off"`.
    pub severity: Vec<(String, String)>,
}

fn selector_matches(sel: &str, info: &RuleInfo) -> bool {
    sel == info.name || info.code.starts_with(sel) || sel.eq_ignore_ascii_case(info.category.as_str())
}

impl RuleSelection {
    /// Checks every selector names a rule; returns the unknown ones.
    pub fn unknown_selectors(&self) -> Vec<String> {
        let known = |s: &String| s == "ALL" || all().any(|r| selector_matches(s, &r.info));
        self.select
            .iter()
            .chain(&self.ignore)
            .chain(self.severity.iter().map(|(s, _)| s))
            .filter(|s| !known(s))
            .cloned()
            .collect()
    }

    /// The severity a rule runs at, or None when it does not run.
    pub fn severity_of(&self, info: &RuleInfo) -> Option<Severity> {
        let selected = if self.select.is_empty() {
            info.category != Category::Style
        } else {
            self.select.iter().any(|s| s == "ALL" || selector_matches(s, info))
        };
        if !selected || self.ignore.iter().any(|s| selector_matches(s, info)) {
            return None;
        }
        // The most specific override wins: name or full code, then the longest prefix.
        let mut best: Option<(usize, &str)> = None;
        for (sel, sev) in &self.severity {
            if selector_matches(sel, info) {
                let weight = if sel == info.name || sel == info.code { usize::MAX } else { sel.len() };
                if best.map_or(true, |(b, _)| weight >= b) {
                    best = Some((weight, sev.as_str()));
                }
            }
        }
        match best.map(|b| b.1) {
            Some("off") => None,
            Some("info" | "note") => Some(Severity::Info),
            Some("warning" | "warn") => Some(Severity::Warning),
            _ => Some(info.severity),
        }
    }
}

/// Runs the selected rules and applies inline suppressions.
pub fn run(cx: &RuleContext, selection: &RuleSelection) -> Vec<Diagnostic> {
    let mut findings = Findings::default();
    for rule in all() {
        if rule.info.whole_config && !cx.whole {
            continue;
        }
        let Some(severity) = selection.severity_of(&rule.info) else { continue };
        findings.current = Some(rule.info);
        let start = findings.out.len();
        (rule.check)(cx, &mut findings);
        for d in &mut findings.out[start..] {
            d.severity = severity;
        }
    }
    suppress::apply(cx, findings.out)
}

/// Declares a rule. The doc comment is the rule's documentation (`ngxlint explain`, `rules()`):
/// first paragraph = summary, then `## Why`, `## Bad`, `## Good`, `## Fix`, `## Limits`.
///
/// ```ignore
/// declare_rule! {
///     /// Finds ...
///     pub(crate) RULE {
///         code: "SEC003",
///         name: "alias-traversal",
///         category: Security,
///         severity: Warning,
///         check: check,
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis $konst:ident {
            code: $code:literal,
            name: $name:literal,
            category: $category:ident,
            severity: $severity:ident,
            $(whole_config: $whole:literal,)?
            check: $check:path $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis const $konst: $crate::rules::Rule = $crate::rules::Rule {
            info: $crate::rules::RuleInfo {
                code: $code,
                name: $name,
                category: $crate::rules::Category::$category,
                severity: $crate::report::Severity::$severity,
                docs: concat!($($doc, "\n"),*),
                whole_config: $crate::declare_rule!(@whole $($whole)?),
            },
            check: $check,
        };
    };
    (@whole) => { false };
    (@whole $w:literal) => { $w };
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::{analyze, Diagnostic, Options, SourceSet};

    /// A fixed-seed xorshift: `rnd(n)` is in `0..n`. For randomized tests that compare an
    /// indexed algorithm with its all-pairs definition.
    pub(crate) fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut x = seed;
        move |n| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        }
    }

    /// Findings of one rule. A text starting with `events`/`http`/`user`/`worker` is a whole
    /// configuration; anything else is server-level content, wrapped in a whole configuration.
    pub(crate) fn findings(code: &str, text: impl AsRef<[u8]>) -> Vec<Diagnostic> {
        findings_in(code, text).1
    }

    /// The findings of one rule with the text they were found in (a snippet is wrapped in a server).
    pub(crate) fn findings_in(code: &str, text: impl AsRef<[u8]>) -> (Vec<u8>, Vec<Diagnostic>) {
        let text = text.as_ref();
        let whole = ["events", "http", "user", "worker", "#"].iter().any(|p| text.trim_ascii_start().starts_with(p.as_bytes()));
        let text = if whole { text.to_vec() } else { [b"events {}\nhttp {\nserver {\nlisten 80;\n", text, b"\n}\n}\n"].concat() };
        let mut files = SourceSet::new();
        let main = files.add("/t/nginx.conf", &text);
        let mut opts = Options::default();
        opts.rules.select = vec!["ALL".into()];
        let found = analyze(&files, main, &opts).diagnostics().iter().filter(|d| d.code == code).cloned().collect();
        (text, found)
    }

    /// The text with every edit of the finding's fix applied.
    pub(crate) fn apply_fix(text: &[u8], d: &Diagnostic) -> Vec<u8> {
        let mut edits = d.fix.as_ref().map(|f| f.edits.clone()).unwrap_or_default();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut out = text.to_vec();
        for e in edits {
            assert!(e.span.end as usize <= out.len(), "{}: edit {:?} past the end ({})", d.code, e.span, out.len());
            out.splice(e.span.range(), e.replacement.bytes());
        }
        out
    }

    /// Fixes work on bytes: an edit never lands past the file or rewrites bytes that are not
    /// UTF-8 (fuzz `check` found SEC044's offsets shifted by a lossy decoding).
    #[test]
    fn fixes_keep_bytes_that_are_not_utf8() {
        let cases: [(&str, &[u8]); 4] = [
            ("SEC044", b"return 301 https://$http_host\xff\xff\xff\xff/$http_host$request_uri;"),
            ("COR003", b"return 301 https://$host/\xff$uri;"),
            ("COR002", b"proxy_set_header Host \"$host\xff\";\nlocation / { proxy_set_header X-A 1; proxy_pass http://127.0.0.1; }"),
            ("SEC010", b"add_header X-Frame-Options \"DENY\xff\";\nlocation / { add_header X-B 1; }"),
        ];
        let bad = |t: &[u8]| t.iter().filter(|&&b| b == 0xff).count();
        for (code, snippet) in cases {
            let (text, found) = findings_in(code, snippet);
            assert!(!found.is_empty(), "{code} does not fire on {:?}", String::from_utf8_lossy(snippet));
            for d in &found {
                let fixed = apply_fix(&text, d);
                assert!(bad(&fixed) >= bad(&text), "{code}: the fix lost bytes that are not UTF-8: {:?}", String::from_utf8_lossy(&fixed));
            }
        }
        // SEC044 still fixes both spellings around the bad bytes.
        let (text, found) = findings_in("SEC044", b"return 301 https://$http_host\xff\xff/$http_host$request_uri;");
        let fixed = apply_fix(&text, &found[0]);
        let want: &[u8] = b"https://$host\xff\xff/$host$request_uri;";
        assert!(fixed.windows(want.len()).any(|w| w == want), "{:?}", String::from_utf8_lossy(&fixed));
    }

    #[test]
    fn suppressions_need_a_reason_and_must_be_used() {
        let hidden = "# ngxlint: ignore[SEC003] static assets only, reviewed\nlocation /img { alias /data/images/; }";
        assert!(findings("SEC003", hidden).is_empty());
        assert!(findings("LNT002", hidden).is_empty());
        let block = "# ngxlint: ignore[alias-traversal] legacy paths\nlocation /a { location /a/img { alias /d/; } }";
        assert!(findings("SEC003", block).is_empty());
        let trailing = "location /img { alias /data/images/; } # ngxlint: ignore[SEC003] reviewed";
        assert!(findings("SEC003", trailing).is_empty());
        let no_reason = "# ngxlint: ignore[SEC003]\nlocation /img { alias /data/images/; }";
        assert_eq!(findings("SEC003", no_reason).len(), 1);
        assert_eq!(findings("LNT001", no_reason).len(), 1);
        let unused = "# ngxlint: ignore[SEC003] was a problem once\nlocation /img/ { alias /data/images/; }";
        assert_eq!(findings("LNT002", unused)[0].message, "unused suppression: no SEC003 finding here");
        let unknown = "# ngxlint: ignore[SEC999] typo\nlocation / { }";
        assert_eq!(findings("LNT002", unknown)[0].message, "unused suppression: no rule is called \"SEC999\"");
    }

    #[test]
    fn selection_by_code_prefix_name_and_severity() {
        use super::{all, RuleSelection};
        use crate::report::Severity;
        let info = all().find(|r| r.info.code == "SEC003").unwrap().info;
        let sel = |select: &[&str], ignore: &[&str], sev: &[(&str, &str)]| RuleSelection {
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            severity: sev.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        };
        assert_eq!(sel(&[], &[], &[]).severity_of(&info), Some(Severity::Warning));
        assert_eq!(sel(&["SEC"], &[], &[]).severity_of(&info), Some(Severity::Warning));
        assert_eq!(sel(&["security"], &[], &[]).severity_of(&info), Some(Severity::Warning));
        assert_eq!(sel(&["COR"], &[], &[]).severity_of(&info), None);
        assert_eq!(sel(&[], &["alias-traversal"], &[]).severity_of(&info), None);
        assert_eq!(sel(&[], &[], &[("SEC", "off"), ("SEC003", "info")]).severity_of(&info), Some(Severity::Info));
        assert_eq!(sel(&[], &[], &[("SEC", "info"), ("alias-traversal", "off")]).severity_of(&info), None);
        assert_eq!(sel(&["NOPE"], &[], &[]).unknown_selectors(), ["NOPE"]);
    }

    /// Each rule's documented `## Bad` example triggers it and its `## Good` example does not:
    /// the documentation doubles as a fixture for every rule.
    #[test]
    fn every_rules_documented_examples_behave() {
        let rules: Vec<super::Rule> = super::all().copied().collect();
        super::availability::examples_behave(&rules);
    }

    #[test]
    fn every_rule_is_documented_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in super::all() {
            let i = r.info;
            assert!(seen.insert(i.code) && seen.insert(i.name), "duplicate {}", i.code);
            assert!(i.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{} is not kebab-case", i.name);
            assert_ne!(i.severity, crate::report::Severity::Error, "{}: rules never report errors", i.code);
            for section in ["## Why", "## Bad", "## Good", "## Fix", "## Limits"] {
                assert!(i.docs.contains(section), "{} lacks {section}", i.code);
            }
        }
    }
}
