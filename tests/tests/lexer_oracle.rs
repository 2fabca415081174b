//! The tokenizer cases of tests/fixtures/lexer against the verdicts real nginx 1.22.1 gave on
//! them (cases.json, recorded by tests/tools/record-lexer-cases.sh):
//! - nginx accepts the file: ngxlint reports no syntax error;
//! - nginx's tokenizer rejects it: ngxlint's first syntax error has nginx's message and line;
//! - nginx rejects a directive (semantic error): ngxlint reports no syntax error, and where the
//!   message shows a token value (`unknown directive "X"`, `invalid value "X" in "gzip"`), a
//!   directive at nginx's line has that value once unescaped.
//!
//! `cargo test -p ngxlint-tests --test lexer_oracle -- --nocapture` shows the agreement table.

use ngxlint_tests::*;
use std::collections::BTreeSet;

#[test]
fn ngxlint_agrees_with_the_recorded_nginx_verdicts() {
    let cases = load_lexer_cases();
    let dir = lexer_fixtures_dir();
    assert!(!cases.cases.is_empty(), "no lexer cases");
    // Every fixture on disk is a case, and every case has its fixture.
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("reading the lexer fixtures")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".conf"))
        .collect();
    let listed: BTreeSet<String> = cases.cases.iter().map(|c| c.file.clone()).collect();
    assert_eq!(on_disk, listed, "fixtures on disk and cases in cases.json differ");

    let mut by_kind = Tally::with_columns(&["cases", "all checks agree", "DISAGREE"]);
    let mut checks = Tally::with_columns(&["agreed", "disagreed", "skipped"]);
    let mut skips = Tally::new();
    let mut failures = Vec::new();
    for case in &cases.cases {
        let src = std::fs::read(dir.join(&case.file)).unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let kind = VerdictKind::of(&case.nginx);
        let results = compare_with_nginx(&case.file, &src, &case.wrap, &case.nginx);
        let all_agree = results.iter().all(|(_, c)| !matches!(c, Check::Disagreed(_)));
        by_kind.add(kind.name(), "cases");
        by_kind.add(kind.name(), if all_agree { "all checks agree" } else { "DISAGREE" });
        tally_case(&case.file, &results, kind, &mut checks, &mut skips, &mut failures);
    }
    eprintln!(
        "lexer oracle: {} cases recorded from {}",
        cases.cases.len(),
        cases.nginx_version.as_deref().unwrap_or("an unknown nginx")
    );
    by_kind.print("lexer oracle: cases by nginx verdict", "nginx verdict");
    checks.print("lexer oracle: checks (ngxlint vs recorded nginx)", "verdict / check");
    skips.print("lexer oracle: skipped checks by reason", "reason");
    print_failures("lexer oracle disagreements", &failures, 200);
    assert_eq!(by_kind.column_total("cases"), cases.cases.len());
    assert!(failures.is_empty(), "{} disagreement(s) with nginx", failures.len());
}
