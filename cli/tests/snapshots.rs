//! Snapshots of what users read: the graphical and concise renderings of `check` on a fixture with
//! a check error, a warning-level rule finding and notes, and the CI formats (SARIF, GitHub
//! annotations, checkstyle, JUnit) of `check` and `diff`. Review changes with `cargo insta review`
//! (or set INSTA_UPDATE=always and read the diff).

use assert_cmd::Command;

fn check(format: &str, version: &str) -> String {
    let out = Command::cargo_bin("ngxlint")
        .unwrap()
        .args(["check", "--format", format, "--nginx-version", version, "tests/fixtures/snapshot.conf"])
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
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
    insta::assert_snapshot!(diff("text"));
}

#[test]
fn github_output() {
    insta::assert_snapshot!(check("github", "1.22"));
}

#[test]
fn checkstyle_output() {
    insta::assert_snapshot!(check("checkstyle", "1.22"));
}

#[test]
fn junit_output() {
    insta::assert_snapshot!(check("junit", "1.22"));
}

/// A SARIF log made stable: the working directory and version redacted, the driver's rules cut
/// down to those the results use (each checked against its result first; their docs, shown by
/// `ngxlint explain`, redacted), so adding a rule or editing docs does not move the snapshot.
fn stable_sarif(text: &str) -> String {
    let mut log: serde_json::Value = serde_json::from_str(text).unwrap();
    let run = &mut log["runs"][0];
    run["originalUriBaseIds"]["SRCROOT"]["uri"] = "file:///[working directory]/".into();
    let driver = &mut run["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    let rules = driver["rules"].as_array().unwrap().clone();
    let mut used = Vec::new();
    for r in run["results"].as_array_mut().unwrap() {
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        r["ruleIndex"] = "[index]".into();
        if !used.contains(rule) {
            used.push(rule.clone());
        }
    }
    for r in &mut used {
        r["help"]["text"] = "[docs]".into();
        r["help"]["markdown"] = "[docs]".into();
    }
    run["tool"]["driver"]["rules"] = used.into();
    serde_json::to_string_pretty(&log).unwrap()
}

#[test]
fn sarif_output() {
    insta::assert_snapshot!(stable_sarif(&check("sarif", "1.22")));
}

fn diff(format: &str) -> String {
    let out = Command::cargo_bin("ngxlint")
        .unwrap()
        .args(["diff", "--format", format, "../tests/replays/12-server-name-one-vhost/before", "../tests/replays/12-server-name-one-vhost/after"])
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn diff_sarif_output() {
    insta::assert_snapshot!(stable_sarif(&diff("sarif")));
}

#[test]
fn diff_github_output() {
    insta::assert_snapshot!(diff("github"));
}
