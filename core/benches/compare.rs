//! Diff + risk score of two ~5 MB configurations (the budget: well under a second on
//! one core), plus the diff alone on already-expanded trees.
//!
//!     cargo bench -p ngxlint --bench compare
//!
//! The "after" side is the generated config with edits spread through it (ports, backends,
//! limits, a removed server, reformatting), so matching works on a realistic mix of equal and
//! changed blocks. Under `cargo test` the inputs shrink to 64 KB.

#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

#[path = "support/gen_config.rs"]
#[allow(dead_code)]
mod gen_config;

/// Every 50th occurrence of a few directives edited, plus re-indentation everywhere.
fn edited(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 1024);
    let mut n = 0usize;
    for line in src.lines() {
        let t = line.trim_start();
        n += 1;
        let line = if n % 50 == 0 && t.starts_with("listen ") {
            line.replacen("listen ", "listen 8", 1)
        } else if n % 50 == 1 && t.starts_with("proxy_pass ") {
            line.replacen("proxy_pass http://", "proxy_pass http://10.9.", 1)
        } else if n % 40 == 0 && t.starts_with("client_max_body_size") {
            String::new()
        } else {
            format!("  {line}")
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn benches(c: &mut Criterion) {
    let benching = std::env::args().any(|a| a == "--bench");
    let size = if benching { 5_000_000 } else { 64_000 };
    let label = if benching { "5MB" } else { "64KB" };
    let before = gen_config::generate(size, gen_config::SEED);
    let after = edited(&before);
    let mut fa = ngxlint::SourceSet::new();
    let ma = fa.add("/etc/nginx/nginx.conf", &before);
    let mut fb = ngxlint::SourceSet::new();
    let mb = fb.add("/etc/nginx/nginx.conf", &after);
    let opts = ngxlint::CompareOptions::default();
    let sample = ngxlint::compare(&fa, ma, &fb, mb, &opts);
    assert!(!sample.changes().is_empty() && !sample.before().has_errors());
    eprintln!("{label}: {} changes, score {} ({})", sample.changes().len(), sample.score(), sample.level().as_str());

    let mut g = c.benchmark_group("compare");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes((before.len() + after.len()) as u64));
    g.bench_with_input(BenchmarkId::new("analyze-both+diff+risk", label), &(), |b, _| {
        b.iter(|| ngxlint::compare(black_box(&fa), ma, black_box(&fb), mb, &opts))
    });
    let (a, bb) = (sample.before(), sample.after());
    let (ta, tb) = (ngxlint::diff::tree::build(&fa, a.config()), ngxlint::diff::tree::build(&fb, bb.config()));
    g.bench_with_input(BenchmarkId::new("diff-only", label), &(), |b, _| {
        b.iter(|| ngxlint::diff::diff_trees(black_box(&ta), black_box(&tb), ngxlint::spec::NginxVersion::Latest))
    });
    g.finish();
}

criterion_group!(compare, benches);
criterion_main!(compare);
