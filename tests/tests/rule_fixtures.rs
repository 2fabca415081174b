//! Per-rule fixtures: `tests/fixtures/rules/<CODE>/` holds whole configurations that must
//! trigger the rule (`bad-*.conf`) and look-alikes that must not (`good-*.conf`), analysed with
//! default options. Every registered rule needs at least two of each, so a new rule without
//! fixtures fails here. Fixtures are configurations nginx accepts: an Error-severity diagnostic
//! in one means the fixture is wrong.
//!
//! Other files in a rule's directory (not `bad-*`/`good-*` at its top) are not fixtures but are
//! available to `include`, relative to the fixture as nginx resolves them. The first line of a
//! fixture is a comment saying what it shows and why it must (not) trigger the rule.
//!
//! All failures are collected and reported together.

use ngxlint::{Options, Severity, SourceSet};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MIN_PER_KIND: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Bad,
    Good,
}

fn kind_of(name: &str) -> Option<Kind> {
    if !name.ends_with(".conf") {
        return None;
    }
    if name.starts_with("bad-") {
        Some(Kind::Bad)
    } else if name.starts_with("good-") {
        Some(Kind::Good)
    } else {
        None
    }
}

/// Every regular file under `dir`, recursively, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Analyses one fixture with default options; the other non-fixture files of its rule
/// directory are in the source set so its includes resolve. Returns failure messages.
fn check_fixture(code: &str, kind: Kind, fixture: &Path, helpers: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    let name = fixture.strip_prefix(ngxlint_tests::repo_root()).unwrap_or(fixture).display().to_string();
    let bytes = std::fs::read(fixture).unwrap_or_else(|e| panic!("{name}: {e}"));
    if !bytes.starts_with(b"#") {
        failures.push(format!("{name}: the first line must be a comment saying what the fixture shows"));
    }
    let mut files = SourceSet::new();
    let main = files.add(fixture.to_string_lossy(), &bytes);
    for h in helpers {
        files.add(h.to_string_lossy(), std::fs::read(h).unwrap_or_else(|e| panic!("{}: {e}", h.display())));
    }
    let analysis = ngxlint::analyze(&files, main, &Options::default());
    let diags = analysis.diagnostics();
    let at = |d: &ngxlint::Diagnostic| {
        let (p, _) = files.range_of(d.span);
        let path = files.path(d.span.file);
        let short = Path::new(path).file_name().map_or(path.into(), |f| f.to_string_lossy());
        format!("{short}:{}:{} {} {}", p.line, p.column, d.code, d.message)
    };

    for d in diags.iter().filter(|d| d.severity == Severity::Error) {
        failures.push(format!("{name}: error (nginx would refuse the fixture): {}", at(d)));
    }
    let mine: Vec<_> = diags.iter().filter(|d| d.code == code).collect();
    match kind {
        Kind::Bad if mine.is_empty() => {
            let others: Vec<String> = diags.iter().map(at).collect();
            failures.push(format!("{name}: expected {code}, got none; other diagnostics: {others:#?}"));
        }
        Kind::Bad => {
            // Each finding must point into the fixture or a file it includes, within its bytes.
            let owned: Vec<ngxlint::Diagnostic> = mine.iter().map(|d| (*d).clone()).collect();
            if let Err(e) = ngxlint_tests::check_spans(&files, &owned) {
                failures.push(format!("{name}: {e}"));
            }
            for d in &mine {
                if analysis.config().doc_of_file(d.span.file).is_none() {
                    failures.push(format!("{name}: {code} points into {}, which the fixture does not load", files.path(d.span.file)));
                }
            }
        }
        Kind::Good => {
            for d in mine {
                failures.push(format!("{name}: must not trigger {code}: {}", at(d)));
            }
        }
    }
    failures
}

#[test]
fn every_rule_has_fixtures_that_behave() {
    let root = ngxlint_tests::repo_root().join("tests/fixtures/rules");
    let mut failures = Vec::new();
    // code -> (bad count, good count)
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let codes: Vec<&str> = ngxlint::rules::all().map(|r| r.info.code).collect();

    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in &dirs {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !codes.contains(&code.as_str()) {
            failures.push(format!("{}: no registered rule has this code", dir.display()));
            continue;
        }
        let all = files_under(dir);
        let (fixtures, helpers): (Vec<PathBuf>, Vec<PathBuf>) = all.into_iter().partition(|p| {
            p.parent() == Some(dir.as_path()) && kind_of(&p.file_name().unwrap().to_string_lossy()).is_some()
        });
        let entry = counts.entry(code.clone()).or_default();
        for f in &fixtures {
            let kind = kind_of(&f.file_name().unwrap().to_string_lossy()).expect("partitioned on kind");
            match kind {
                Kind::Bad => entry.0 += 1,
                Kind::Good => entry.1 += 1,
            }
            failures.extend(check_fixture(&code, kind, f, &helpers));
        }
    }

    // A rule without enough fixtures fails, so new rules come with them.
    for code in &codes {
        let (bad, good) = counts.get(*code).copied().unwrap_or_default();
        if bad < MIN_PER_KIND || good < MIN_PER_KIND {
            failures.push(format!(
                "{code}: needs at least {MIN_PER_KIND} bad-*.conf and {MIN_PER_KIND} good-*.conf in tests/fixtures/rules/{code}/ (has {bad} and {good})"
            ));
        }
    }

    let (bad, good) = counts.values().fold((0, 0), |(b, g), (b2, g2)| (b + b2, g + g2));
    eprintln!("rule fixtures: {} rules, {bad} bad and {good} good fixtures", counts.len());
    if !failures.is_empty() {
        panic!("{} fixture failure(s):\n{}", failures.len(), failures.join("\n"));
    }
}
