//! `ngxlint route`: server and location for a request, text and JSON, exit codes.

use assert_cmd::Command;
use std::fs;

fn config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n  include sites/*.conf;\n}\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("sites")).unwrap();
    fs::write(
        dir.path().join("sites/a.conf"),
        "server {\n  listen 80 default_server;\n  server_name a.test;\n  location / { }\n  location ^~ /static/ { }\n  location ~ \\.php$ { }\n}\nserver {\n  listen 80;\n  server_name *.b.test;\n}\n",
    )
    .unwrap();
    dir
}

#[test]
fn text_output_names_server_and_location() {
    let dir = config();
    let out = Command::cargo_bin("ngxlint")
        .unwrap()
        .args(["route", "nginx.conf", "--host", "a.test", "--uri", "/static/x.php"])
        .current_dir(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("server[listen 0.0.0.0:80; server_name a.test]"), "{out}");
    assert!(out.contains("chosen by exact name"), "{out}");
    assert!(out.contains("location ^~ /static/  (sites/a.conf:5:3)"), "{out}");
}

#[test]
fn json_output_and_default_server() {
    let dir = config();
    let out = Command::cargo_bin("ngxlint")
        .unwrap()
        .args(["route", "nginx.conf", "--host", "x.b.test:80", "--uri", "/a/../i.php?q=1", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["server_match"], "wildcard_prefix");
    assert_eq!(v["normalized_uri"], "/i.php");
    assert_eq!(v["locations"], serde_json::json!([]));
    let v: serde_json::Value = serde_json::from_slice(
        &Command::cargo_bin("ngxlint")
            .unwrap()
            .args(["route", "nginx.conf", "--host", "nobody.test", "--format", "json"])
            .current_dir(dir.path())
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["server_match"], "default_server");
}

#[test]
fn nothing_listening_exits_1() {
    let dir = config();
    Command::cargo_bin("ngxlint")
        .unwrap()
        .args(["route", "nginx.conf", "--host", "a.test", "--port", "8443"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stdout(predicates::str::contains("connection is refused"));
}
