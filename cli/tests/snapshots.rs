//! Snapshots of what users read: the graphical and concise renderings of `check` on a fixture with
//! a check error, a warning-level rule finding and notes. Review changes with `cargo insta review`
//! (or set INSTA_UPDATE=always and read the diff).

use assert_cmd::Command;

fn check(format: &str, version: &str) -> String {
    let out = Command::cargo_bin("ngxlint")
        .unwrap()
        .args(["check", "--format", format, "--nginx-version", version, "tests/fixtures/snapshot.conf"])
        .env("NO_COLOR", "1")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn concise_output() {
    insta::assert_snapshot!(check("concise", "1.22"));
}

#[test]
fn graphical_output() {
    insta::assert_snapshot!(check("text", "1.22"));
}

/// `ngxlint diff`'s text report on a replay case: a server name changed on one vhost (high).
#[test]
fn diff_text_output() {
    let out = Command::cargo_bin("ngxlint")
        .unwrap()
        .args(["diff", "../tests/replays/12-server-name-one-vhost/before", "../tests/replays/12-server-name-one-vhost/after"])
        .env("NO_COLOR", "1")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}
