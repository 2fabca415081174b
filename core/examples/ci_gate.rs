//! A CI gate on nginx config changes, with the library alone:
//!
//!     cargo run -p ngxlint --example ci_gate -- OLD_DIR NEW_DIR
//!
//! Reads every file of both directories (e.g. two checkouts of /etc/nginx) as if each were
//! /etc/nginx, compares them, prints the risk level and the top findings with the check to run
//! for each, and exits 1 when the change is high risk or worse (2 on bad usage).

// An example program, not the library: it reads files, which core/clippy.toml bans for the crate.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use ngxlint::risk::RiskLevel;
use ngxlint::{compare, CompareOptions, FileId, SourceSet};
use std::path::Path;
use std::process::ExitCode;

/// Every file under `dir` (dot files and directories skipped), at /etc/nginx/<its relative path>,
/// so both sides have the same paths, absolute includes of /etc/nginx/... included.
fn load(dir: &Path) -> Result<(SourceSet, FileId), String> {
    read_side(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn read_side(dir: &Path) -> std::io::Result<(SourceSet, FileId)> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut files = SourceSet::new();
    let mut main = None;
    for path in paths {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let id = files.add(format!("/etc/nginx/{rel}"), std::fs::read(&path)?);
        if rel == "nginx.conf" {
            main = Some(id);
        }
    }
    let main = main.ok_or_else(|| std::io::Error::other("no nginx.conf in it"))?;
    Ok((files, main))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [old, new] = args.as_slice() else {
        eprintln!("usage: ci_gate OLD_DIR NEW_DIR");
        return ExitCode::from(2);
    };
    let (before, before_main, after, after_main) = match (load(Path::new(old)), load(Path::new(new))) {
        (Ok((b, bm)), Ok((a, am))) => (b, bm, a, am),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("ci_gate: {e}");
            return ExitCode::from(2);
        }
    };

    // The fleet still has machines on nginx 1.22: the new config must load there too.
    let mut opts = CompareOptions::default();
    opts.policy.targets = vec!["1.22".parse().unwrap(), "latest".parse().unwrap()];
    let c = compare(&before, before_main, &after, after_main, &opts);

    println!("risk: {} ({}/100), {}", c.level().as_str(), c.score(), c.recommendation().as_str());
    for f in c.assessment().findings.iter().take(5) {
        println!("  {} {} [{}]: {}", f.code, f.rule, f.level.as_str(), f.message);
        println!("    check: {}", f.verify);
    }
    if c.level() >= RiskLevel::High {
        println!("gate: failed (high risk or worse): {}", c.recommendation().advice());
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
