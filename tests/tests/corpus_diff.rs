//! The diff's negative controls on every real-world config nginx accepts (../shared/corpus): a
//! config compared with itself, and with its formatted self, has no semantic change and scores
//! exactly 0. Skips (passing) when ../shared/corpus is absent.

use ngxlint::{compare, CompareOptions, FormatOptions, SourceSet};
use ngxlint_tests::*;

#[test]
fn identical_and_formatted_configs_score_zero() {
    let Some(dir) = corpus_dir() else { return };
    let mut failures = Vec::new();
    let (mut n, mut formatted, mut skipped) = (0, 0, 0);
    for e in load_manifest(&dir).into_iter().filter(|e| e.oracle_relaxed == "ok") {
        let bytes = std::fs::read(dir.join(&e.path)).expect("corpus file");
        // As the corpus check reads them: Debian's nginx, includes outside the file supplied by
        // the machine.
        let mut options = wrap_options(&e.wrap);
        options.profile = ngxlint::spec::Profile::debian12();
        options.includes_from_environment = true;
        options.prefix = Some(if e.path.starts_with("nginx-tests/") { "/tmp/nginx-test".into() } else { "/etc/nginx".into() });
        let opts = CompareOptions { options, ..CompareOptions::default() };
        let side = |b: &[u8]| {
            let mut s = SourceSet::new();
            let id = s.add(format!("/etc/nginx/{}", e.path), b);
            (s, id)
        };
        let (fa, ma) = side(&bytes);
        if ngxlint::analyze(&fa, ma, &opts.options).has_errors() {
            skipped += 1;
            continue;
        }
        let same = compare(&fa, ma, &fa, ma, &opts);
        if same.score() != 0 || !same.changes().is_empty() {
            failures.push(format!("{}: compared with itself: score {}, {} change(s)", e.path, same.score(), same.changes().len()));
        }
        n += 1;
        let Ok(pretty) = ngxlint::format(&bytes, &FormatOptions::default()) else { continue };
        let (fb, mb) = side(&pretty);
        let c = compare(&fa, ma, &fb, mb, &opts);
        formatted += 1;
        if c.score() != 0 || !c.changes().is_empty() {
            let first = c.changes().first().map(|ch| ch.path.clone()).unwrap_or_default();
            failures.push(format!("{}: compared with its formatted self: score {}, {} change(s), first: {first}", e.path, c.score(), c.changes().len()));
        }
    }
    println!("{n} configs compared with themselves, {formatted} with their formatted selves ({skipped} skipped: an error under these options)");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
