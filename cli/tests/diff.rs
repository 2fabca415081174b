//! End-to-end tests of `ngxlint diff`: sides as directories, files, `nginx -T` dumps and standard
//! input; exit statuses and --fail-on; --target and --policy; the JSON contract; the outage
//! example's committed report; and the replay suite run through the binary (the CLI and the
//! library must agree on every case).

use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
mod common;
use common::{copy_dir, ngxlint, repo, write_text};





/// Runs `ngxlint diff --format json ARGS...` in `dir`, checks the exit status and returns the report.
fn report(dir: &Path, args: &[&str], code: i32) -> Value {
    let out = ngxlint(dir).args(["diff", "--format", "json"]).args(args).assert().code(code).get_output().clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON document on one line: {stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

const MAIN: &str = "events {}\nhttp {\n    include conf.d/*.conf;\n}\n";
const DEFAULT: &str = "server {\n    listen 80 default_server;\n    server_name _;\n    return 444;\n}\n";
const SITE: &str = "server {\n    listen 80;\n    server_name example.com;\n    location / {\n        root /srv/www;\n    }\n}\n";

/// old/ and new/ with the same layout; `new` overrides files of the new side.
fn sides(new: &[(&str, &str)]) -> TempDir {
    let base = [("nginx.conf", MAIN), ("conf.d/00-default.conf", DEFAULT), ("conf.d/site.conf", SITE)];
    let dir = tempfile::tempdir().unwrap();
    for (side, extra) in [("old", &[][..]), ("new", new)] {
        let root = dir.path().join(side);
        write_text(&root, &base);
        write_text(&root, extra);
    }
    dir
}

#[test]
fn two_copies_of_the_same_directory_score_zero() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/outage/before"), &dir.path().join("old"));
    copy_dir(&repo().join("examples/outage/before"), &dir.path().join("new"));
    let r = report(dir.path(), &["old", "new"], 0);
    assert_eq!(r["version"], 1);
    assert_eq!(r["score"], 0, "{r}");
    assert_eq!(r["level"], "low");
    assert_eq!(r["recommendation"], "ship");
    assert_eq!(r["findings"].as_array().unwrap().len(), 0, "{r}");
    assert_eq!(r["changes"].as_array().unwrap().len(), 0, "{r}");
    // Also in text, from another directory with absolute paths, and with --fail-on low.
    ngxlint(&std::env::temp_dir())
        .args(["diff", "--fail-on", "low"])
        .arg(dir.path().join("old"))
        .arg(dir.path().join("new/nginx.conf"))
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("risk: LOW (0/100) -> ship\n"));
    // Reformatting is no change either.
    let site = dir.path().join("new/conf.d/www.example.com.conf");
    let text = fs::read_to_string(&site).unwrap();
    fs::write(&site, format!("# reformatted\n{}", text.replace("    ", "\t").replace(";\n", " ;\n\n"))).unwrap();
    let r = report(dir.path(), &["old", "new"], 0);
    assert_eq!((r["score"].as_u64(), r["changes"].as_array().unwrap().len()), (Some(0), 0), "{r}");
}

#[test]
fn a_moved_listen_port_is_critical_and_fails_at_every_threshold() {
    let dir = sides(&[("conf.d/site.conf", &SITE.replace("listen 80;", "listen 8080;"))]);
    let r = report(dir.path(), &["old", "new"], 1);
    assert_eq!(r["level"], "critical", "{r}");
    assert_eq!(r["recommendation"], "block");
    assert_eq!(r["blocking"], false, "nginx loads it: not fatal");
    let top = &r["findings"][0];
    assert_eq!(top["rule"], "listen-removed", "{r}");
    assert_eq!(top["code"].as_str().unwrap().len(), 6);
    for key in ["category", "tier", "level", "score", "message", "path", "explanation", "verify"] {
        assert!(!top[key].is_null(), "finding without {key}: {top}");
    }
    assert!(r["changes"].as_array().unwrap().iter().any(|c| c["directive"] == "listen"), "{r}");
    for fail_on in ["low", "medium", "high", "critical"] {
        report(dir.path(), &["--fail-on", fail_on, "old", "new"], 1);
    }
}

#[test]
fn fail_on_sets_the_threshold() {
    // A medium change: a proxy timeout lowered on the only site (replay 36 has the calibrated one).
    let case = repo().join("tests/replays/36-proxy-timeout-lowered");
    let r = report(&case, &["before", "after"], 0);
    assert_eq!(r["level"], "medium", "{r}");
    report(&case, &["--fail-on", "high", "before", "after"], 0);
    report(&case, &["--fail-on", "critical", "before", "after"], 0);
    report(&case, &["--fail-on", "medium", "before", "after"], 1);
    report(&case, &["--fail-on", "low", "before", "after"], 1);
    // A high one: exit 1 by default, 0 with --fail-on critical.
    let case = repo().join("tests/replays/12-server-name-one-vhost");
    let r = report(&case, &["before", "after"], 1);
    assert_eq!((r["level"].as_str(), r["findings"][0]["rule"].as_str()), (Some("high"), Some("server-name-changed")), "{r}");
    report(&case, &["--fail-on", "critical", "before", "after"], 0);
    ngxlint(&case)
        .args(["diff", "--fail-on", "severe", "before", "after"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown risk level \"severe\""));
}

#[test]
fn a_config_nginx_refuses_is_critical_and_blocking() {
    let dir = sides(&[("conf.d/site.conf", &SITE.replace("root /srv/www;", "root /srv/www"))]);
    let r = report(dir.path(), &["old", "new"], 1);
    assert_eq!((r["level"].as_str(), r["blocking"].as_bool()), (Some("critical"), Some(true)), "{r}");
    assert_eq!(r["findings"][0]["rule"], "config-refused");
    assert_eq!(r["after"]["errors"], 1);
    assert_eq!(r["after"]["first_error"]["file"], "new/conf.d/site.conf", "{r}");
    assert_eq!(r["before"]["errors"], 0);
    // The text report names the file and line.
    ngxlint(dir.path())
        .args(["diff", "old", "new"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("risk: CRITICAL (100/100) -> block\n"))
        .stdout(predicate::str::contains("RSK001 config-refused"))
        .stdout(predicate::str::contains("at new/conf.d/site.conf:"));
}

#[test]
fn an_old_side_that_does_not_load_is_said_on_stderr() {
    let dir = sides(&[]);
    write_text(&dir.path().join("old"), &[("conf.d/site.conf", "server { listen 80 }\n")]);
    ngxlint(dir.path())
        .args(["diff", "old", "new"])
        .assert()
        .stderr(predicate::str::contains("warning: OLD does not load either (old: unexpected \"}\")"));
}

/// `nginx -T` output of a side directory: its files under /etc/nginx, main file first.
fn dump(side: &Path) -> String {
    let mut paths = Vec::new();
    let mut stack = vec![side.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                paths.push(e.path());
            }
        }
    }
    paths.sort_by_key(|p| (p.file_name().unwrap() != "nginx.conf", p.clone()));
    let mut out = String::from("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n");
    for p in paths {
        let rel = p.strip_prefix(side).unwrap().display();
        out.push_str(&format!("# configuration file /etc/nginx/{rel}:\n{}\n", fs::read_to_string(&p).unwrap()));
    }
    out
}

#[test]
fn an_nginx_t_dump_on_either_side_from_a_file_or_stdin() {
    let dir = sides(&[("conf.d/site.conf", &SITE.replace("example.com", "www.example.com"))]);
    fs::write(dir.path().join("old.dump"), dump(&dir.path().join("old"))).unwrap();
    // The dump against the directory it was taken from: nothing changed.
    let r = report(dir.path(), &["old.dump", "old"], 0);
    assert_eq!((r["score"].as_u64(), r["changes"].as_array().unwrap().len()), (Some(0), 0), "{r}");
    let r = report(dir.path(), &["old", "old.dump"], 0);
    assert_eq!(r["score"], 0, "{r}");
    // Against the new checkout: the renamed server.
    let r = report(dir.path(), &["old.dump", "new"], 1);
    assert_eq!(r["findings"][0]["rule"], "server-name-changed", "{r}");
    // From standard input (what `ssh web1 nginx -T | ngxlint diff - new/` does).
    let out = ngxlint(dir.path())
        .args(["diff", "--format", "json", "-", "new"])
        .write_stdin(dump(&dir.path().join("old")))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["findings"][0]["rule"], "server-name-changed", "{v}");
    assert_eq!(v["before"]["errors"], 0, "{v}");
    // The dump's positions are its own file names.
    assert!(v["findings"][0]["before_at"]["file"].as_str().map_or(true, |f| f.starts_with("/etc/nginx/")), "{v}");
}

#[test]
fn usage_and_io_errors_exit_2_and_name_the_path() {
    let dir = sides(&[]);
    ngxlint(dir.path())
        .args(["diff", "old", "missing"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("ngxlint: cannot read \"missing\": No such file or directory"));
    ngxlint(dir.path())
        .args(["diff", "gone/nginx.conf", "new"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"gone/nginx.conf\""));
    fs::create_dir(dir.path().join("empty")).unwrap();
    ngxlint(dir.path())
        .args(["diff", "old", "empty"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"empty\" is a directory without an nginx.conf"));
    ngxlint(dir.path())
        .args(["diff", "-", "-"])
        .write_stdin("events {}\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("standard input (`-`) can be read only once"));
    ngxlint(dir.path()).args(["diff", "old"]).assert().code(2).stderr(predicate::str::contains("<NEW>"));
    ngxlint(dir.path())
        .args(["diff", "--target", "1.18", "old", "new"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown nginx version \"1.18\""));
    // A missing include on the new side is nginx's error, not ngxlint's: critical, exit 1.
    write_text(&dir.path().join("new"), &[("nginx.conf", "events {}\nhttp {\n    include conf.d/*.conf;\n    include extra.conf;\n}\n")]);
    let r = report(dir.path(), &["old", "new"], 1);
    assert_eq!(r["findings"][0]["rule"], "config-refused", "{r}");
}

#[test]
fn policy_files_are_read_and_bad_ones_named() {
    let dir = sides(&[("conf.d/site.conf", &SITE.replace("example.com", "www.example.com"))]);
    let r = report(dir.path(), &["old", "new"], 1);
    assert_eq!(r["level"], "critical", "the only site: {r}");
    // Raised thresholds: the same change is medium and passes the default --fail-on.
    write_text(dir.path(), &[("policy.json", r#"{"thresholds": {"medium": 20, "high": 90, "critical": 95}}"#)]);
    let r = report(dir.path(), &["--policy", "policy.json", "old", "new"], 0);
    assert_eq!(r["level"], "medium", "{r}");
    // A rule switched off by name.
    write_text(dir.path(), &[("policy.json", r#"{"rules": {"server-name-changed": {"enabled": false}}}"#)]);
    let r = report(dir.path(), &["--policy", "policy.json", "old", "new"], 0);
    assert!(r["findings"].as_array().unwrap().iter().all(|f| f["rule"] != "server-name-changed"), "{r}");
    // Unknown keys, wrong types and broken JSON: exit 2, naming the file and what serde says.
    for (text, says) in [
        (r#"{"treshold": {}}"#, "unknown field `treshold`"),
        (r#"{"targets": ["1.18"]}"#, "unknown nginx version \\\"1.18\\\""),
        (r#"{"thresholds": {"high": "forty"}}"#, "invalid type: string \"forty\""),
        ("{", "EOF while parsing an object"),
    ] {
        write_text(dir.path(), &[("bad.json", text)]);
        ngxlint(dir.path())
            .args(["diff", "--policy", "bad.json", "old", "new"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("ngxlint: invalid policy \"bad.json\": "))
            .stderr(predicate::str::contains(says.replace("\\\"", "\"")));
    }
    ngxlint(dir.path())
        .args(["diff", "--policy", "nope.json", "old", "new"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read \"nope.json\": No such file or directory"));
}

#[test]
fn targets_catch_directives_an_older_fleet_lacks() {
    let ssl = "    listen 443 ssl;\n    ssl_certificate /etc/ssl/example.com.crt;\n    ssl_certificate_key /etc/ssl/example.com.key;\n";
    let old = SITE.replace("    listen 80;\n", &format!("    listen 80;\n{}", ssl.replace("ssl;", "ssl http2;")));
    let new = SITE.replace("    listen 80;\n", &format!("    listen 80;\n{ssl}    http2 on;\n"));
    let dir = sides(&[("conf.d/site.conf", &new)]);
    write_text(&dir.path().join("old"), &[("conf.d/site.conf", &old)]);
    // nginx 1.31 knows `http2 on;`: not fatal.
    let r = report(dir.path(), &["old", "new"], 0);
    assert_ne!(r["level"], "critical", "{r}");
    // A fleet still on 1.22 does not.
    for args in [&["--target", "1.22,latest"][..], &["--target", "1.22", "--target", "latest"], &["--nginx-version", "1.22"]] {
        let r = report(dir.path(), &[args, &["old", "new"]].concat(), 1);
        assert_eq!(r["level"], "critical", "{args:?}: {r}");
        assert_eq!(r["blocking"], true, "{r}");
        let top = r["findings"][0]["rule"].as_str().unwrap();
        assert!(top == "version-skew" || top == "config-refused", "{args:?}: {r}");
    }
    let r = report(dir.path(), &["--target", "1.22,latest", "old", "new"], 1);
    assert_eq!(r["findings"][0]["rule"], "version-skew", "{r}");
    // The same targets from a policy file.
    write_text(dir.path(), &[("policy.json", r#"{"targets": ["1.22", "latest"]}"#)]);
    let r = report(dir.path(), &["--policy", "policy.json", "old", "new"], 1);
    assert_eq!(r["findings"][0]["rule"], "version-skew", "{r}");
}

#[test]
fn the_outage_example_report_is_the_committed_one() {
    let root = repo();
    let out = ngxlint(&root)
        .args(["diff", "examples/outage/before", "examples/outage/after"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let got = String::from_utf8(out).unwrap();
    let expected = fs::read_to_string(root.join("examples/outage/expected.txt")).unwrap();
    assert!(
        got == expected,
        "examples/outage/expected.txt is stale; regenerate it with\n  cargo run -q -p ngxlint-cli -- diff examples/outage/before examples/outage/after > examples/outage/expected.txt\n\ngot:\n{got}"
    );
    // The story's point: with the typo fixed, nginx -t passes, and the change still fails the gate
    // (the load balancer's health check now lands on www.example.com, which has no /healthz).
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("examples/outage/after"), &dir.path().join("after"));
    let batch = dir.path().join("after/conf.d/batch.api.example.com.conf");
    fs::write(&batch, fs::read_to_string(&batch).unwrap().replace("proxy_read_timout", "proxy_read_timeout")).unwrap();
    let r = report(&root, &["examples/outage/before", dir.path().join("after").to_str().unwrap()], 1);
    assert_eq!((r["level"].as_str(), r["after"]["errors"].as_u64()), (Some("critical"), Some(0)), "{r}");
    assert_eq!(r["findings"][0]["rule"], "default-server-changed", "{r}");
    assert_eq!(r["blocking"], false, "not fatal: a reviewer may override with a written reason");
}

#[derive(serde::Deserialize)]
struct Case {
    level: String,
    top_rule: Option<String>,
    #[serde(default)]
    targets: Vec<String>,
    offline: Option<Offline>,
}

#[derive(serde::Deserialize)]
struct Offline {
    level: String,
    top_rule: Option<String>,
}

/// The replay suite through the binary: the same levels and top findings as the library harness
/// (tests/tests/replays.rs), with each side read from disk as users run it.
#[test]
fn every_replay_case_gets_its_level_through_the_cli() {
    let root = repo().join("tests/replays");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 25, "found {} cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case: Case = serde_json::from_slice(&fs::read(dir.join("case.json")).unwrap()).unwrap();
        let (level, top_rule) = match case.offline {
            Some(o) => (o.level, o.top_rule),
            None => (case.level, case.top_rule),
        };
        let mut cmd = ngxlint(dir);
        cmd.args(["diff", "--format", "json"]);
        if !case.targets.is_empty() {
            cmd.args(["--target", &case.targets.join(",")]);
        }
        let out = cmd.args(["before", "after"]).output().unwrap();
        let r: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: {e}; stderr: {}", String::from_utf8_lossy(&out.stderr)));
                continue;
            }
        };
        let at_or_above_high = level == "high" || level == "critical";
        let top = r["findings"][0]["rule"].as_str().map(str::to_string);
        if r["level"] != level.as_str() || top != top_rule || out.status.code() != Some(at_or_above_high as i32) {
            failures.push(format!(
                "{name}: level {} top {:?} exit {:?} (expected {level} {top_rule:?} exit {})",
                r["level"],
                top,
                out.status.code(),
                at_or_above_high as i32
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} replays differ through the CLI:\n{}", failures.len(), dirs.len(), failures.join("\n"));
}

#[test]
fn every_finding_code_is_explained_and_listed() {
    let r = report(&repo(), &["examples/outage/before", "examples/outage/after"], 1);
    let rules = String::from_utf8(ngxlint(&repo()).arg("rules").assert().code(0).get_output().stdout.clone()).unwrap();
    for f in r["findings"].as_array().unwrap() {
        let (code, name) = (f["code"].as_str().unwrap(), f["rule"].as_str().unwrap());
        assert!(rules.lines().any(|l| l.starts_with(code) && l.contains(name)), "{code} not in `ngxlint rules`");
        for key in [code, name, &code.to_lowercase()] {
            ngxlint(&repo())
                .args(["explain", key])
                .assert()
                .code(0)
                .stdout(predicate::str::starts_with(format!("# {code} {name}\n")))
                .stdout(predicate::str::contains("ngxlint diff"));
        }
    }
    ngxlint(&repo()).args(["explain", "RSK999"]).assert().code(2);
}
