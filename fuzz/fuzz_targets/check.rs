//! The whole check: byte 0 picks the target (nginx version, module profile, snippet context),
//! the rest is one file analysed with every rule selected (`check --select ALL`).
//!
//! Invariants: never panic; every diagnostic, label and fix-edit span lies in the file; a fix's
//! edits do not overlap; the JSON report and every routing lookup complete; and applying one
//! safe fix to a file nginx accepts keeps it acceptable (a safe fix must not make `nginx -t`
//! fail) and its re-analysis does not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ngxlint::model::routing::{route, Request};
use ngxlint::spec::{NginxVersion, Profile};
use ngxlint::{analyze, Options, Severity, SourceSet, Span};

const NAME: &str = "/etc/nginx/nginx.conf";

fn options(selector: u8) -> Options {
    let version = if selector & 1 == 0 { NginxVersion::Latest } else { NginxVersion::V1_22 };
    let profile = match (selector >> 1) % 4 {
        0 => Profile::default(),
        1 => Profile::plain_configure(version),
        2 => Profile::everything(version),
        _ => Profile::openresty(),
    }
    .with_version(version);
    let context: &[&str] = match (selector >> 3) % 4 {
        0 | 1 => &[],
        2 => &["http"],
        _ => &["http", "server"],
    };
    let mut opts = Options::context(context.iter().copied());
    opts.profile = profile;
    opts.rules.select = vec!["ALL".into()];
    opts
}

fn in_bounds(len: usize, span: Span, what: &str) {
    assert!(span.file.0 == 0, "{what} span names another file: {span:?}");
    assert!(span.start <= span.end && span.end as usize <= len, "{what} span {span:?} out of bounds (len {len})");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, src)) = data.split_first() else {
        return;
    };
    let opts = options(selector);
    let mut files = SourceSet::new();
    let main = files.add(NAME, src);
    let len = files.bytes(main).len();
    let analysis = analyze(&files, main, &opts);
    let accepted = analysis.first_error().is_none();
    for d in analysis.diagnostics() {
        in_bounds(len, d.span, "diagnostic");
        for l in &d.labels {
            in_bounds(len, l.span, "label");
        }
        let Some(fix) = &d.fix else { continue };
        let mut edits: Vec<Span> = fix.edits.iter().map(|e| e.span).collect();
        for &e in &edits {
            in_bounds(len, e, "fix edit");
        }
        edits.sort_by_key(|e| (e.start, e.end));
        for w in edits.windows(2) {
            assert!(w[0].end <= w[1].start, "{}: overlapping edits {:?} and {:?}", d.code, w[0], w[1]);
        }
        if !fix.safe {
            continue;
        }
        // Apply this fix alone, back to front, and analyse the result.
        let mut sorted = fix.edits.clone();
        sorted.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut fixed = files.bytes(main).to_vec();
        for e in &sorted {
            fixed.splice(e.span.start as usize..e.span.end as usize, e.replacement.bytes());
        }
        let mut after = SourceSet::new();
        let m = after.add(NAME, &fixed);
        let again = analyze(&after, m, &opts);
        if accepted {
            if let Some(err) = again.diagnostics().iter().find(|x| x.severity == Severity::Error) {
                panic!(
                    "safe fix of {} makes an accepted file fail: {} {}\n--- fixed:\n{}",
                    d.code,
                    err.code,
                    err.message,
                    String::from_utf8_lossy(&fixed)
                );
            }
        }
    }
    let _ = ngxlint::report::json::report(&files, analysis.diagnostics());
    let _ = ngxlint::report::concise::render(&files, analysis.diagnostics());
    for (host, uri) in [("example.com", "/"), ("", "/a/../b?x=1"), ("x.example.org", "/%2e%2e/")] {
        for port in [80, 443] {
            let _ = route(analysis.model(), &Request { addr: "*".into(), port, host: host.into(), uri: uri.into() });
        }
    }
});
