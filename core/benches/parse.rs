//! Parse and analyze throughput on generated configurations of ~1 MB and ~10 MB.
//!
//!     cargo bench -p ngxlint --bench parse
//!
//! The inputs come from `support/gen_config.rs` (byte-identical to `bench/gen_config.py`), so
//! these numbers and `bench/compare.sh` measure the same files. Under `cargo test` (no `--bench`
//! argument) criterion runs each benchmark once; the inputs are then shrunk to 64 KB so the
//! debug-build test run stays quick.
//!
//! `parse/<size>` times `syntax::parse` alone (the tree is dropped outside the timed loop, like
//! core/examples/parse_file.rs does); `parse/with-drop/<size>` includes dropping it; `analyze`
//! includes dropping the analysis.

// A measuring program, not the library: it reads files, arguments and clocks, which
// core/clippy.toml bans for the pure crate itself.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

#[path = "support/gen_config.rs"]
#[allow(dead_code)]
mod gen_config;

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let benching = std::env::args().any(|a| a == "--bench");
    let sizes: &[(&'static str, usize)] = if benching {
        &[("1MB", 1_000_000), ("10MB", 10_000_000)]
    } else {
        &[("64KB", 64_000)]
    };
    sizes
        .iter()
        .map(|&(label, n)| {
            (
                label,
                gen_config::generate(n, gen_config::SEED).into_bytes(),
            )
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let inputs = inputs();
    for (label, src) in &inputs {
        // Sanity: the generated config is valid for the parser (a bench of the error path would
        // measure something else).
        let doc = ngxlint::syntax::parse(
            src,
            ngxlint::FileId(0),
            ngxlint::syntax::ParseMode::Directives,
        );
        assert!(
            doc.errors.is_empty(),
            "{label}: {:?}",
            &doc.errors[..doc.errors.len().min(3)]
        );
    }

    let mut g = c.benchmark_group("parse");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (label, src) in &inputs {
        g.throughput(Throughput::Bytes(src.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(label), src, |b, src| {
            b.iter_with_large_drop(|| {
                ngxlint::syntax::parse(
                    black_box(src),
                    ngxlint::FileId(0),
                    ngxlint::syntax::ParseMode::Directives,
                )
            })
        });
    }
    // The same, with the tree dropped inside the timed loop: what parsing a file once costs.
    for (label, src) in &inputs {
        g.throughput(Throughput::Bytes(src.len() as u64));
        g.bench_with_input(BenchmarkId::new("with-drop", label), src, |b, src| {
            b.iter(|| {
                ngxlint::syntax::parse(
                    black_box(src),
                    ngxlint::FileId(0),
                    ngxlint::syntax::ParseMode::Directives,
                )
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("analyze");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (label, src) in &inputs {
        let mut files = ngxlint::SourceSet::new();
        let main = files.add("/etc/nginx/nginx.conf", src);
        let opts = ngxlint::Options::default();
        g.throughput(Throughput::Bytes(src.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(label), &files, |b, files| {
            b.iter(|| ngxlint::analyze(black_box(files), main, &opts))
        });
    }
    g.finish();
}

criterion_group!(parse, benches);
criterion_main!(parse);
