//! Include resolution over a virtual file set: the input is split on 0x00 into at most 8 files
//! named from a fixed list (globbable directories, hidden files, an absolute path outside the
//! prefix, a file including itself by name), then `analyze` runs on file 0 with one of a few
//! option sets chosen by the first byte.
//!
//! Invariants: never panic; every diagnostic and label span names a file of the set and lies
//! inside it; rendering the diagnostics (line/column look-up) does not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ngxlint::{analyze, Options, SourceSet, Span};

const SEPARATOR: u8 = 0;

/// Names for files 0..8. Seeds use directives like `include conf.d/*.conf;`,
/// `include /etc/nginx/sites-enabled/*;`, `include mime.types;`, `include snippets/[a-z]*.conf;`.
const NAMES: [&str; 8] = [
    "/etc/nginx/nginx.conf",
    "/etc/nginx/conf.d/a.conf",
    "/etc/nginx/conf.d/b.conf",
    "/etc/nginx/sites-enabled/default",
    "/etc/nginx/mime.types",
    "/etc/nginx/snippets/ssl.conf",
    "/etc/nginx/conf.d/.hidden.conf",
    "/opt/other/x.conf",
];

fn options(selector: u8) -> Options {
    match selector % 5 {
        0 | 1 => Options::default(),
        2 => Options::context(["http"]),
        3 => Options::context(["http", "server"]),
        _ => Options {
            prefix: Some("/etc/nginx/conf.d".into()),
            ..Options::context(["http", "map"])
        },
    }
}

fn in_bounds(files: &SourceSet, span: Span, what: &str) {
    let Some(f) = files.get(span.file) else {
        panic!("{what} span names unknown file {:?}", span.file);
    };
    let len = f.bytes().len();
    assert!(
        span.start <= span.end && span.end as usize <= len,
        "{what} span {}..{} out of bounds of {} (len {len})",
        span.start,
        span.end,
        f.path()
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut files = SourceSet::new();
    let mut main = None;
    for (i, part) in rest.splitn(NAMES.len(), |&b| b == SEPARATOR).enumerate() {
        let id = files.add(NAMES[i], part);
        main.get_or_insert(id);
    }
    let main = main.expect("splitn yields at least one part");
    let analysis = analyze(&files, main, &options(selector));
    for d in analysis.diagnostics() {
        in_bounds(&files, d.span, "diagnostic");
        for l in &d.labels {
            in_bounds(&files, l.span, "label");
        }
        let _ = d.nginx_message(&files);
    }
    let _ = ngxlint::report::concise::render(&files, analysis.diagnostics());
    // The expanded walk must terminate and only hand out directives of known documents.
    let config = analysis.config();
    let mut n = 0usize;
    config.walk(|doc, d, parents| {
        assert!(doc < config.docs.len());
        in_bounds(&files, d.span, "walked directive");
        assert!(parents.len() <= 10_000);
        n += 1;
    });
    let _ = n;
});
