//! Every rule over the corpus files nginx accepts: how often each fires, with samples, so a rule
//! that fires on most real configurations for a non-problem shows up. `NGXLINT_RULE=SEC003` limits
//! the samples printed to one rule. Skips with a printed reason without ../shared/corpus.

use std::collections::BTreeMap;

#[test]
fn rule_findings_on_accepted_configs() {
    let Some(dir) = ngxlint_tests::corpus_dir() else { return };
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).expect("manifest");
    let only = std::env::var("NGXLINT_RULE").ok();
    let mut files_with: BTreeMap<String, usize> = BTreeMap::new();
    let mut findings: BTreeMap<String, usize> = BTreeMap::new();
    let mut samples: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut checked = 0;
    for line in manifest.lines() {
        let m: serde_json::Value = serde_json::from_str(line).unwrap();
        if m["oracle_relaxed"] != "ok" {
            continue;
        }
        let path = m["path"].as_str().unwrap();
        let wrap = m["wrap"].as_str().unwrap();
        let mut files = ngxlint::SourceSet::new();
        let main = files.add(format!("/corpus/{path}"), std::fs::read(dir.join(path)).unwrap());
        let mut opts = ngxlint_tests::wrap_options(wrap);
        opts.includes_from_environment = true;
        opts.rules.select = vec!["ALL".into()];
        let a = ngxlint::analyze(&files, main, &opts);
        checked += 1;
        let mut seen = std::collections::HashSet::new();
        for d in a.diagnostics() {
            if !(d.code.starts_with("SEC") || d.code.starts_with("AVL") || d.code.starts_with("PRF") || d.code.starts_with("COR") || d.code.starts_with("STY")) {
                continue;
            }
            assert_ne!(d.severity, ngxlint::Severity::Error, "{}: rules never report errors", d.code);
            *findings.entry(d.code.to_string()).or_default() += 1;
            if seen.insert(d.code) {
                *files_with.entry(d.code.to_string()).or_default() += 1;
            }
            let s = samples.entry(d.code.to_string()).or_default();
            if s.len() < 3 && only.as_deref().is_none_or(|o| o == d.code) {
                let (p, _) = files.range_of(d.span);
                s.push(format!("{path}:{}: {}", p.line, d.message));
            }
        }
    }
    println!("{checked} accepted corpus files; per rule: files with findings / findings");
    for r in ngxlint::rules::all() {
        let code = r.info.code;
        let n = files_with.get(code).copied().unwrap_or(0);
        println!("  {code} {:34} {:5} files ({:5.1}%) {:6} findings", r.info.name, n, 100.0 * n as f64 / checked as f64, findings.get(code).copied().unwrap_or(0));
        for s in samples.get(code).into_iter().flatten() {
            println!("      {s}");
        }
    }
}
