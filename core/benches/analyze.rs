//! Full-analysis throughput: `analyze` with every rule selected (`--select ALL`), on the
//! generated configurations of ~1 MB and ~5 MB that `bench/compare-audit.sh` also times.
//!
//!     cargo bench -p ngxlint --bench analyze
//!
//! Inputs come from `support/gen_config.rs` (byte-identical to `bench/gen_config.py`). The time
//! includes include resolution, the check stage, the model, every rule, sorting the diagnostics
//! and dropping the analysis. Under `cargo test` (no `--bench` argument) criterion runs each
//! benchmark once, on a 64 KB input, so the debug-build test run stays quick.

// A measuring program, not the library: it reads arguments and clocks, which core/clippy.toml
// bans for the pure crate itself.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

#[path = "support/gen_config.rs"]
#[allow(dead_code)]
mod gen_config;

fn benches(c: &mut Criterion) {
    let benching = std::env::args().any(|a| a == "--bench");
    let sizes: &[(&str, usize)] = if benching { &[("1MB", 1_000_000), ("5MB", 5_000_000)] } else { &[("64KB", 64_000)] };
    let mut opts = ngxlint::Options::default();
    opts.rules.select = vec!["ALL".into()];

    let mut g = c.benchmark_group("analyze-all-rules");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    for &(label, n) in sizes {
        let src = gen_config::generate(n, gen_config::SEED).into_bytes();
        let mut files = ngxlint::SourceSet::new();
        let main = files.add("/etc/nginx/nginx.conf", &src);
        // Sanity: a valid configuration (the error path would measure something else) on which
        // the rules have plenty to report.
        let a = ngxlint::analyze(&files, main, &opts);
        assert!(!a.has_errors(), "{label}: {:?}", a.first_error());
        assert!(a.diagnostics().len() > n / 2_000, "{label}: only {} findings", a.diagnostics().len());
        g.throughput(Throughput::Bytes(src.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(label), &files, |b, files| {
            b.iter(|| ngxlint::analyze(black_box(files), main, &opts))
        });
    }
    g.finish();
}

criterion_group!(analyze, benches);
criterion_main!(analyze);
