//! Times ngxlint on one file, in-process, for bench/compare.sh (and by hand):
//!
//!     cargo run --release -p ngxlint --example parse_file -- FILE [RUNS] [--analyze] [--all-rules] [--once] [--diagnostics]
//!     cargo run --release -p ngxlint --example parse_file -- --gen SIZE_MB OUT
//!
//! Reads FILE once, then parses it RUNS times (default 20) with `syntax::parse` (or `analyze`
//! with --analyze; `--all-rules` selects every rule, as `check --select ALL` does), and prints one line of `key=value` pairs: bytes, runs, best and median
//! seconds per run, and MB/s (decimal: 10^6 bytes) from the median. `--diagnostics` also prints the analysis' diagnostics, counted by
//! message, to stderr. `--once` parses a single time
//! and prints nothing but the directive count (for a max-RSS measurement of one parse).
//! `--gen` writes the Rust generator's output, which compare.sh checks is byte-identical to
//! bench/gen_config.py's.

// A measuring program, not the library: it reads files, arguments and clocks, which
// core/clippy.toml bans for the pure crate itself.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::time::Instant;

#[path = "../benches/support/gen_config.rs"]
mod gen_config;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--gen") {
        let mb: f64 = args
            .get(1)
            .and_then(|s| s.parse().ok())
            .expect("--gen SIZE_MB OUT");
        let out = args.get(2).expect("--gen SIZE_MB OUT");
        let text = gen_config::generate((mb * 1_000_000.0) as usize, gen_config::SEED);
        std::fs::write(out, text).expect("write");
        return;
    }
    let analyze = args.iter().any(|a| a == "--analyze");
    let once = args.iter().any(|a| a == "--once");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let path = pos
        .first()
        .expect("usage: parse_file FILE [RUNS] [--analyze] [--once]");
    let runs: usize = if once {
        1
    } else {
        pos.get(1).and_then(|s| s.parse().ok()).unwrap_or(20)
    };
    // Handed over, not copied: the max-RSS measurement counts the input once, as the CLI does.
    let bytes = std::fs::read(path).expect("read FILE");
    let mut files = ngxlint::SourceSet::new();
    let main = files.add(path.as_str(), bytes);
    let len = files.bytes(main).len();
    let mut opts = ngxlint::Options::default();
    if args.iter().any(|a| a == "--all-rules") {
        opts.rules.select = vec!["ALL".into()];
    }

    let mut times = Vec::with_capacity(runs);
    let mut directives = 0;
    let mut errors = 0;
    for _ in 0..runs {
        // Timed: the call alone (not the drop of its result, nor the counting below).
        if analyze {
            let t = Instant::now();
            let a = ngxlint::analyze(&files, main, &opts);
            times.push(t.elapsed().as_secs_f64());
            directives = a.config().main_doc().directive_count();
            errors = a.diagnostics().len();
            std::hint::black_box(&a);
        } else {
            let t = Instant::now();
            let doc = ngxlint::syntax::parse(
                files.bytes(main),
                main,
                ngxlint::syntax::ParseMode::Directives,
            );
            times.push(t.elapsed().as_secs_f64());
            directives = doc.directive_count();
            errors = doc.errors.len();
            std::hint::black_box(&doc);
        }
    }
    if args.iter().any(|a| a == "--diagnostics") {
        let a = ngxlint::analyze(&files, main, &opts);
        let mut counts: Vec<(String, usize)> = Vec::new();
        for d in a.diagnostics() {
            let key = format!("{} {}", d.code, d.message);
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => counts.push((key, 1)),
            }
        }
        for (k, n) in counts {
            eprintln!("{n:6} {k}");
        }
    }
    if once {
        println!("directives={directives} errors={errors}");
        return;
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let best = times[0];
    let median = times[times.len() / 2];
    println!(
        "bytes={} runs={runs} mode={} best_s={best:.6} median_s={median:.6} mb_per_s={:.1} directives={directives} errors={errors}",
        len,
        if analyze { "analyze" } else { "parse" },
        len as f64 / median / 1e6,
    );
}
