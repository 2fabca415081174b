//! Output formats for CI systems and editors: SARIF 2.1.0 (code scanning, editors), GitHub
//! workflow annotations, checkstyle XML and JUnit XML. `check` renders its diagnostics in each;
//! `diff` renders its findings as SARIF and annotations.
//!
//! Paths are shown relative to the working directory where they can be (CI systems and editors
//! resolve them against the checkout): relative paths as given (`./` dropped), absolute paths
//! under the working directory made relative, other absolute paths (an `nginx -T` dump's
//! `/etc/nginx/...`) kept absolute.

pub mod checkstyle;
pub mod github;
pub mod junit;
pub mod sarif;

use crate::output::Run;
use ngxlint::{Diagnostic, SourceSet};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// True when running as a GitHub Actions step (the runner sets `GITHUB_ACTIONS=true`): `check`
/// and `diff` then print workflow annotations unless `--format` says otherwise.
pub fn github_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// The working directory paths are made relative to (None if it cannot be read).
pub fn working_dir() -> Option<PathBuf> {
    std::env::current_dir().ok()
}

/// Where a file is, for a report: relative to the working directory, or absolute elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// Relative to the working directory, `/`-separated, without `.` segments (may start with `..`).
    Relative(String),
    /// An absolute path outside the working directory.
    Absolute(String),
}

impl Where {
    pub fn of(path: &str, cwd: Option<&Path>) -> Where {
        let p = Path::new(path);
        if !p.is_absolute() {
            return Where::Relative(lexical(p, true));
        }
        let abs = lexical(p, false);
        if let Some(cwd) = cwd {
            if let Ok(rest) = Path::new(&abs).strip_prefix(lexical(cwd, false)) {
                let rest = lexical(rest, true);
                if !rest.is_empty() {
                    return Where::Relative(rest);
                }
            }
        }
        Where::Absolute(abs)
    }

    /// The path to show: relative, or absolute.
    pub fn path(&self) -> &str {
        match self {
            Where::Relative(p) | Where::Absolute(p) => p,
        }
    }
}

/// A path as a `/`-separated string without `.` segments and with `..` folded where a normal
/// segment precedes it (kept at the front of a relative path; never above `/`).
fn lexical(p: &Path, relative: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|l| l != "..") {
                    parts.pop();
                } else if relative {
                    parts.push("..".into());
                }
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if relative {
        joined
    } else {
        format!("/{joined}")
    }
}

/// One diagnostic and the file set its spans point into.
#[derive(Clone, Copy)]
pub struct Item<'a> {
    pub files: &'a SourceSet,
    pub diagnostic: &'a Diagnostic,
}

/// A file the check read (or that a diagnostic points into), with its diagnostics.
pub struct FileReport<'a> {
    pub path: &'a str,
    pub items: Vec<Item<'a>>,
}

/// Every file of every run, each once: the files each run reached (in its order), then any other
/// file a diagnostic points into; each file's diagnostics in report order. A diagnostic reported
/// identically by several runs (an include shared by two main files) is listed once.
pub fn by_file(runs: &[Run]) -> Vec<FileReport<'_>> {
    let mut out: Vec<FileReport<'_>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    fn entry<'a>(out: &mut Vec<FileReport<'a>>, index: &mut HashMap<&'a str, usize>, path: &'a str) -> usize {
        *index.entry(path).or_insert_with(|| {
            out.push(FileReport { path, items: Vec::new() });
            out.len() - 1
        })
    }
    for run in runs {
        for path in &run.reached {
            entry(&mut out, &mut index, path);
        }
    }
    let mut seen = HashSet::new();
    for item in items(runs) {
        let d = item.diagnostic;
        let path = item.files.path(d.span.file);
        if seen.insert((path, d.code, d.span.start, d.span.end, d.message.as_str())) {
            let i = entry(&mut out, &mut index, path);
            out[i].items.push(item);
        }
    }
    out
}

/// Every diagnostic of every run, in report order, duplicates (as [`by_file`] defines them)
/// dropped.
pub fn unique(runs: &[Run]) -> Vec<Item<'_>> {
    let mut seen = HashSet::new();
    items(runs)
        .filter(|i| {
            let d = i.diagnostic;
            seen.insert((i.files.path(d.span.file), d.code, d.span.start, d.span.end, d.message.as_str()))
        })
        .collect()
}

fn items(runs: &[Run]) -> impl Iterator<Item = Item<'_>> {
    runs.iter().flat_map(|r| r.diagnostics.iter().map(move |d| Item { files: &r.files, diagnostic: d }))
}

/// A diagnostic's message with its help, as one text: `message\nhelp: ...`.
pub fn message_with_help(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    }
}

/// Escapes an XML 1.0 attribute value: the five markup characters, and line breaks and tabs as
/// character references (so attribute-value normalisation keeps them); the characters XML 1.0
/// cannot carry at all (other C0 controls, U+FFFE, U+FFFF) become U+FFFD. A tiny escaper rather
/// than an XML crate: the two XML formats are flat, and the writers we know do not replace the
/// characters XML forbids, which a configuration's bytes (and so messages) can hold.
pub fn xml_attr(s: &str) -> String {
    xml_escape(s, true)
}

/// Escapes XML 1.0 character data: as [`xml_attr`], but `\n` and `\t` stay as they are.
pub fn xml_text(s: &str) -> String {
    xml_escape(s, false)
}

fn xml_escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' if !attr => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ngxlint::report::codes;
    use ngxlint::Span;

    #[test]
    fn paths_are_relative_to_the_working_directory_where_they_can_be() {
        let cwd = Path::new("/work/repo");
        let of = |p| Where::of(p, Some(cwd));
        assert_eq!(of("conf/nginx.conf"), Where::Relative("conf/nginx.conf".into()));
        assert_eq!(of("./conf/./a.conf"), Where::Relative("conf/a.conf".into()));
        assert_eq!(of("../other/x.conf"), Where::Relative("../other/x.conf".into()));
        assert_eq!(of("a/../../b.conf"), Where::Relative("../b.conf".into()));
        assert_eq!(of("/work/repo/conf/nginx.conf"), Where::Relative("conf/nginx.conf".into()));
        assert_eq!(of("/work/repo/x/../y.conf"), Where::Relative("y.conf".into()));
        assert_eq!(of("/work/repository/y.conf"), Where::Absolute("/work/repository/y.conf".into()));
        assert_eq!(of("/etc/nginx/nginx.conf"), Where::Absolute("/etc/nginx/nginx.conf".into()));
        assert_eq!(of("/work/repo"), Where::Absolute("/work/repo".into()));
        assert_eq!(Where::of("/etc/nginx.conf", None).path(), "/etc/nginx.conf");
        assert_eq!(of("<stdin>").path(), "<stdin>");
    }

    fn run(files: &[(&str, &[(usize, &str)])]) -> Run {
        let mut set = SourceSet::new();
        let mut diagnostics = Vec::new();
        let mut reached = Vec::new();
        for (path, ds) in files {
            let id = set.add(*path, "events {}\nhttp {}\n");
            reached.push(path.to_string());
            for (at, msg) in *ds {
                diagnostics.push(Diagnostic::new(codes::SYNTAX, Span::new(id, *at, *at + 1), *msg));
            }
        }
        Run { files: set, diagnostics, reached }
    }

    #[test]
    fn xml_escaping_covers_markup_breaks_and_forbidden_characters() {
        assert_eq!(xml_attr("a<b>&\"c\" 'd'"), "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;");
        assert_eq!(xml_attr("1\n2\r\t3"), "1&#10;2&#13;&#9;3");
        assert_eq!(xml_text("1\n2\r\t3<"), "1\n2&#13;\t3&lt;");
        assert_eq!(xml_attr("x\u{0}\u{1b}\u{7f}\u{fffe}é😀"), "x\u{fffd}\u{fffd}\u{7f}\u{fffd}é😀");
    }

    #[test]
    fn files_are_listed_once_and_shared_diagnostics_once() {
        let runs = [
            run(&[("a.conf", &[(0, "x")]), ("shared.conf", &[(1, "y")])]),
            run(&[("b.conf", &[]), ("shared.conf", &[(1, "y"), (2, "z")])]),
        ];
        let files = by_file(&runs);
        let listed: Vec<(&str, Vec<&str>)> =
            files.iter().map(|f| (f.path, f.items.iter().map(|i| i.diagnostic.message.as_str()).collect())).collect();
        assert_eq!(listed, [("a.conf", vec!["x"]), ("shared.conf", vec!["y", "z"]), ("b.conf", vec![])]);
        assert_eq!(unique(&runs).len(), 3);
    }
}
