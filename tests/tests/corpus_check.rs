//! `nginx -t` agreement on ../shared/corpus: every file is analysed in the context nginx tested
//! it in (`wrap`), with its project's other files present, and ngxlint's first Error is compared
//! with nginx's verdict (the relaxed label: missing environment pieces supplied).
//!
//! - files nginx accepts (`ok`, `environment_error`): no Error at all;
//! - `syntax_error` / `semantic_error`: the first Error's message equals nginx's first message.
//!
//! Skips with a printed reason when ../shared/corpus is absent.

use std::collections::BTreeMap;
use std::path::Path;

struct Entry {
    path: String,
    wrap: String,
    label: String,
    message: Option<String>,
}

fn manifest(dir: &Path, latest: bool) -> Vec<Entry> {
    let (label, message) = if latest {
        ("oracle_mainline_relaxed", "mainline_relaxed_message")
    } else {
        ("oracle_relaxed", "relaxed_message")
    };
    std::fs::read_to_string(dir.join("manifest.jsonl"))
        .expect("manifest")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("manifest line");
            Entry {
                path: v["path"].as_str().unwrap_or_default().to_string(),
                wrap: v["wrap"].as_str().unwrap_or_default().to_string(),
                label: v[label].as_str().unwrap_or_default().to_string(),
                message: v[message].as_str().map(bare_message),
            }
        })
        .collect()
}

/// `[emerg] <message> in <file>:<line>` -> `<message>`.
fn bare_message(s: &str) -> String {
    let s = ["[emerg] ", "[alert] ", "[crit] "].iter().fold(s, |s, p| s.trim_start_matches(p));
    match s.rfind(" in ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

struct Outcome {
    agreed: bool,
    got: Option<String>,
}

fn run(dir: &Path, entries: &[Entry], e: &Entry, profile: ngxlint::spec::Profile) -> Outcome {
    let mut files = ngxlint::SourceSet::new();
    let main = files.add(format!("/corpus/{}", e.path), std::fs::read(dir.join(&e.path)).expect("corpus file"));
    // The project's other files, where nginx's includes found them.
    let project = e.path.split('/').next().unwrap_or_default();
    for other in entries.iter().filter(|o| o.path != e.path && o.path.starts_with(&format!("{project}/"))) {
        files.add(format!("/corpus/{}", other.path), std::fs::read(dir.join(&other.path)).expect("corpus file"));
    }
    let mut opts = ngxlint_tests::wrap_options(&e.wrap);
    opts.profile = profile;
    // The oracle supplied missing include files; relative includes resolved against its prefix
    // (the nginx test suite's directory, /etc/nginx for wrapped fragments).
    opts.includes_from_environment = true;
    opts.prefix = if e.path.starts_with("nginx-tests/") {
        Some("/tmp/nginx-test".into())
    } else if e.wrap != "none" {
        Some("/etc/nginx".into())
    } else {
        None
    };
    let analysis = ngxlint::analyze(&files, main, &opts);
    let got = analysis.first_error().map(|d| d.message.clone());
    let agreed = match e.label.as_str() {
        "ok" | "environment_error" => got.is_none(),
        _ => got.is_some() && got == e.message,
    };
    Outcome { agreed, got }
}

fn report(title: &str, dir: &Path, entries: &[Entry], profile: ngxlint::spec::Profile) -> (usize, usize, usize) {
    let mut by_label: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut by_source: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut false_errors = 0;
    let mut misses = Vec::new();
    for e in entries {
        let o = run(dir, entries, e, profile.clone());
        let source = e.path.split('/').next().unwrap_or_default();
        for (map, key) in [(&mut by_label, e.label.as_str()), (&mut by_source, source)] {
            let s = map.entry(key).or_default();
            s.0 += 1;
            s.1 += o.agreed as usize;
        }
        if !o.agreed {
            if matches!(e.label.as_str(), "ok" | "environment_error") {
                false_errors += 1;
            }
            misses.push(format!("  {} [{}] {}: nginx {:?}, ngxlint {:?}", e.label, e.wrap, e.path, e.message, o.got));
        }
    }
    let (n, k) = by_label.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("== {title}: {k}/{n} agree ({:.2}%), Errors on configs nginx accepts: {false_errors}", 100.0 * k as f64 / n as f64);
    println!("per label:");
    for (l, (n, k)) in &by_label {
        println!("  {l:18} {k:5}/{n:<5} {:6.2}%", 100.0 * *k as f64 / *n as f64);
    }
    println!("per source:");
    for (s, (n, k)) in &by_source {
        println!("  {s:34} {k:5}/{n:<5} {:6.2}%", 100.0 * *k as f64 / *n as f64);
    }
    println!("disagreements ({}):", misses.len());
    for m in &misses {
        println!("{m}");
    }
    (n, k, false_errors)
}

#[test]
fn corpus_agrees_with_nginx_1_22() {
    let Some(dir) = ngxlint_tests::corpus_dir() else { return };
    let entries = manifest(&dir, false);
    let (n, k, false_errors) =
        report("nginx 1.22.1 (Debian 12 modules)", &dir, &entries, ngxlint::spec::Profile::debian12());
    assert_eq!(false_errors, 0, "ngxlint reports an Error on configs nginx accepts");
    assert!(k as f64 >= 0.99 * n as f64, "agreement {k}/{n} is below 99%");
}
