//! Diff and risk over two configurations: the input is split at the first 0x00 into a before
//! and an after text (both named /etc/nginx/nginx.conf, as two checkouts of one machine), then
//! `compare` runs with default options or with a 1.22 + latest fleet (chosen by the first byte).
//!
//! Invariants: never panic; a side compared with itself has no change and scores 0; the score
//! is 0..=100 and a blocking assessment is critical; every change span lies inside its side's
//! file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ngxlint::risk::{Policy, RiskLevel};
use ngxlint::spec::NginxVersion;
use ngxlint::{compare, CompareOptions, SourceSet};

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&c| c == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let mut opts = CompareOptions::default();
    if data.first().is_some_and(|c| c & 1 == 1) {
        opts.policy = Policy { targets: vec![NginxVersion::V1_22, NginxVersion::Latest], ..Policy::default() };
    }
    let mut fa = SourceSet::new();
    let ma = fa.add("/etc/nginx/nginx.conf", a);
    let mut fb = SourceSet::new();
    let mb = fb.add("/etc/nginx/nginx.conf", b);
    let c = compare(&fa, ma, &fb, mb, &opts);
    assert!(c.score() <= 100);
    if c.assessment().blocking {
        assert_eq!(c.level(), RiskLevel::Critical);
    }
    for ch in c.changes() {
        if let Some(s) = ch.before_span {
            assert!(s.end as usize <= fa.bytes(s.file).len() && s.start <= s.end);
        }
        if let Some(s) = ch.after_span {
            assert!(s.end as usize <= fb.bytes(s.file).len() && s.start <= s.end);
        }
    }
    let same = compare(&fa, ma, &fa, ma, &opts);
    assert!(same.changes().is_empty(), "a config differs from itself: {:?}", same.changes().first());
    if !same.assessment().blocking {
        assert_eq!(same.score(), 0);
    }
    let _ = ngxlint::report::compare::to_text(&c, &fa, &fb);
});
