//! The replay suite (`tests/replays/`): before/after pairs modelled on public outage patterns,
//! each with the level and top finding ngxlint must give, and the verdict real `nginx -t`
//! gave on both sides (recorded by `tests/tools/record-replays.sh`). Every case must pass; the
//! summary printed at the end shows how many risky changes `nginx -t` alone would have let
//! through.

use ngxlint::risk::{Policy, RiskLevel};
use ngxlint::{compare, CompareOptions, FileId, SourceSet};
use ngxlint_tests::repo_root;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Case {
    title: String,
    level: RiskLevel,
    top_rule: Option<String>,
    score_zero: bool,
    #[serde(default)]
    targets: Vec<ngxlint::spec::NginxVersion>,
    nginx_t: NginxT,
    /// What a DNS-free analysis can know when nginx -t's verdict depends on the recording
    /// machine's DNS.
    offline: Option<Offline>,
}

#[derive(Deserialize)]
struct NginxT {
    before: String,
    after: String,
}

#[derive(Deserialize)]
struct Offline {
    level: RiskLevel,
    top_rule: Option<String>,
}

/// Every file under `dir`, mapped onto `/etc/nginx/` (both sides get the same paths, as on a
/// real machine).
fn load(dir: &Path) -> (SourceSet, FileId) {
    let mut files = SourceSet::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut paths = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                paths.push(p);
            }
        }
    }
    paths.sort();
    let mut main = None;
    for p in paths {
        let rel = p.strip_prefix(dir).expect("under dir").to_string_lossy().replace('\\', "/");
        let id = files.add(format!("/etc/nginx/{rel}"), std::fs::read(&p).expect("read"));
        if rel == "nginx.conf" {
            main = Some(id);
        }
    }
    (files, main.expect("nginx.conf"))
}

#[test]
fn every_replay_gets_its_expected_level_and_top_finding() {
    let root = repo_root().join("tests/replays");
    let mut dirs: Vec<_> = std::fs::read_dir(&root).expect("tests/replays").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 25, "the suite needs at least 25 cases, found {}", dirs.len());
    let mut failures = Vec::new();
    let (mut risky, mut risky_missed_by_nginx, mut refused) = (0, 0, 0);
    println!("{:<48} {:>5} {:<9} {:<26} nginx -t after", "case", "score", "level", "top finding");
    for dir in &dirs {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let case: Case = serde_json::from_slice(&std::fs::read(dir.join("case.json")).expect("case.json")).expect("valid case.json");
        let (fa, ma) = load(&dir.join("before"));
        let (fb, mb) = load(&dir.join("after"));
        let opts = CompareOptions { policy: Policy { targets: case.targets.clone(), ..Policy::default() }, ..CompareOptions::default() };
        let c = compare(&fa, ma, &fb, mb, &opts);
        let a = c.assessment();
        let top = a.findings.first().map(|f| f.rule.to_string());
        let (level, top_rule) = match &case.offline {
            Some(o) => (o.level, o.top_rule.clone()),
            None => (case.level, case.top_rule.clone()),
        };
        println!("{name:<48} {:>5} {:<9} {:<26} {}", a.score, a.level.as_str(), top.as_deref().unwrap_or("-"), case.nginx_t.after);
        let mut why = Vec::new();
        if a.level != level {
            why.push(format!("level {} (expected {})", a.level.as_str(), level.as_str()));
        }
        if top != top_rule {
            why.push(format!("top finding {:?} (expected {:?})", top, top_rule));
        }
        if case.score_zero && (a.score != 0 || !c.changes().is_empty()) {
            why.push(format!("score {} with {} change(s), expected exactly 0 and none", a.score, c.changes().len()));
        }
        if case.nginx_t.before != "ok" {
            why.push(format!("the before side must load (nginx -t said: {})", case.nginx_t.before));
        }
        if c.before().has_errors() {
            why.push(format!("ngxlint reports an error on the before side: {:?}", c.before().first_error().map(|e| &e.message)));
        }
        if !why.is_empty() {
            failures.push(format!("{name} ({}): {}\n{}", case.title, why.join("; "), ngxlint::report::compare::to_text(&c, &fa, &fb)));
        }
        if case.nginx_t.after != "ok" {
            refused += 1;
        }
        if case.level >= RiskLevel::High {
            risky += 1;
            if case.nginx_t.after == "ok" {
                risky_missed_by_nginx += 1;
            }
        }
    }
    println!(
        "\n{} cases; nginx -t refuses {refused} of the new configs; {risky} are high or critical, and nginx -t passes {risky_missed_by_nginx} of those",
        dirs.len()
    );
    assert!(failures.is_empty(), "{} of {} replays fail:\n\n{}", failures.len(), dirs.len(), failures.join("\n\n"));
}
