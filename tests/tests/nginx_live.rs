//! Live oracle: re-runs the real `nginx -t` (through ../shared/tools/nginx-check) on every lexer
//! fixture, checks that nginx still says exactly what tests/fixtures/lexer/cases.json recorded
//! (status, message, line), and compares ngxlint with the live verdict as lexer_oracle.rs does.
//!
//! Skips (passing, with a printed reason) when nginx is not installed, ../shared/tools/nginx-check
//! is absent, or the test does not run as root (nginx -t needs it for its default temp paths).
//! CI installs nginx (.ci/run), so there it runs.

use ngxlint_tests::*;
use std::process::Command;
use std::time::Instant;

#[test]
fn recorded_nginx_verdicts_still_hold_and_ngxlint_agrees_with_live_nginx() {
    let Some(nginx) = nginx_dir() else {
        eprintln!("skipping: nginx not installed");
        return;
    };
    let Some(shared) = shared_dir() else { return };
    let check = shared.join("tools").join("nginx-check");
    if !check.is_file() {
        eprintln!("skipping: {} not found", check.display());
        return;
    }
    if !is_root() {
        eprintln!("skipping: nginx-check runs nginx -t, which needs root");
        return;
    }
    let path_env = path_with(&nginx);
    let version = Command::new(nginx.join("nginx")).arg("-v").output().ok().map(|o| {
        let text = if o.stderr.is_empty() { o.stdout } else { o.stderr };
        let text = String::from_utf8_lossy(&text).trim().to_string();
        text.rsplit(':').next().unwrap_or(&text).trim().to_string()
    });
    let cases = load_lexer_cases();
    let dir = lexer_fixtures_dir();
    eprintln!(
        "nginx live: {} from {}, recorded with {}",
        version.as_deref().unwrap_or("unknown version"),
        nginx.display(),
        cases.nginx_version.as_deref().unwrap_or("unknown")
    );

    let started = Instant::now();
    let mut oracle = Tally::with_columns(&["cases", "same as recorded", "CHANGED"]);
    let mut checks = Tally::with_columns(&["agreed", "disagreed", "skipped"]);
    let mut skips = Tally::new();
    let mut changed = Vec::new();
    let mut failures = Vec::new();
    for case in &cases.cases {
        let fixture = std::fs::canonicalize(dir.join(&case.file)).unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let out = Command::new("bash")
            .arg(&check)
            .arg(&fixture)
            .arg(&case.wrap)
            .env("PATH", &path_env)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", check.display()));
        let live = verdict_from_check(&out.stdout, out.status.success(), &fixture);
        let kind = VerdictKind::of(&case.nginx);
        oracle.add(kind.name(), "cases");
        if live == case.nginx {
            oracle.add(kind.name(), "same as recorded");
        } else {
            oracle.add(kind.name(), "CHANGED");
            changed.push(format!(
                "{}: recorded {:?}, live {:?} (stderr {:?})",
                case.file,
                case.nginx,
                live,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let src = std::fs::read(&fixture).unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let results = compare_with_nginx(&case.file, &src, &case.wrap, &live);
        tally_case(&case.file, &results, VerdictKind::of(&live), &mut checks, &mut skips, &mut failures);
    }
    let elapsed = started.elapsed();
    eprintln!("nginx live: {} nginx -t runs in {:.1} s", cases.cases.len(), elapsed.as_secs_f64());
    oracle.print("nginx live: live nginx verdict vs recorded cases.json", "recorded verdict");
    checks.print("nginx live: checks (ngxlint vs live nginx)", "verdict / check");
    skips.print("nginx live: skipped checks by reason", "reason");
    print_failures("nginx verdicts that changed since recording", &changed, 50);
    print_failures("ngxlint disagreements with live nginx", &failures, 200);
    assert!(changed.is_empty(), "{} recorded verdict(s) no longer match live nginx", changed.len());
    assert!(failures.is_empty(), "{} disagreement(s) with live nginx", failures.len());
}
