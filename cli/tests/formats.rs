//! The CI and editor formats end to end: SARIF 2.1.0 (validated against the official schema,
//! tests/schemas/), GitHub workflow annotations (and their automatic choice under GitHub
//! Actions), checkstyle and JUnit XML (read back with a strict XML parser), for `check` and, where
//! they apply, `diff`.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;
mod common;
use common::{ngxlint, repo, tree};




fn stdout(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A configuration with errors, warnings and notes in two files, labels, a fix, non-ASCII text
/// before a diagnostic on its line (UTF-16 columns differ from characters) and XML's special
/// characters in messages, plus a clean include.
fn mixed_tree() -> TempDir {
    tree(&[
        (
            "conf/nginx.conf",
            b"events {}\nhttp {\n    include sites/*.conf;\n    include clean.conf;\n}\n",
        ),
        (
            "conf/sites/a site.conf",
            "server {\n    listen 80;\n    location /img {\n        alias /srv/images/;\n    }\n    add_header X-Emoji \"\u{1F600}\u{e9}\"; bad&<\"dir\">;\n}\n"
                .as_bytes(),
        ),
        ("conf/clean.conf", b"server_tokens off;\n"),
    ])
}

// ---- SARIF ------------------------------------------------------------------------------------

fn sarif_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json")).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
    })
}

/// Validates a SARIF log against the official schema, listing every violation.
fn assert_valid_sarif(log: &Value) {
    let errors: Vec<String> = sarif_validator().iter_errors(log).map(|e| format!("{}: {e}", e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
}

#[test]
fn the_schema_check_catches_invalid_logs() {
    // The validator is not vacuous: a wrong version, a missing message, a bad level fail.
    let mut log = json(&stdout(ngxlint(&repo().join("cli")).args(["check", "--format", "sarif", "tests/fixtures/snapshot.conf"]), 1));
    assert_valid_sarif(&log);
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    log["runs"][0]["results"][1].as_object_mut().unwrap().remove("message");
    log["version"] = "2.0.0".into();
    let errors = sarif_validator().iter_errors(&log).count();
    assert!(errors >= 3, "{errors}");
    // Formats are checked too: `informationUri` must be an absolute URI.
    let mut log = json(&stdout(ngxlint(&repo().join("cli")).args(["check", "--format", "sarif", "tests/fixtures/snapshot.conf"]), 1));
    log["runs"][0]["tool"]["driver"]["informationUri"] = "not a uri".into();
    assert_eq!(sarif_validator().iter_errors(&log).count(), 1);
}

#[test]
fn sarif_check_is_valid_and_complete() {
    let dir = mixed_tree();
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "sarif", "conf/nginx.conf"]), 1);
    let log = json(&out);
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let root = run["originalUriBaseIds"]["SRCROOT"]["uri"].as_str().unwrap();
    assert!(root.starts_with("file:///") && root.ends_with('/'), "{root}");

    // The driver lists every code ngxlint has, with docs; security rules carry a severity.
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ngxlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    let all = ngxlint::api::rules();
    assert_eq!(rules.len(), all.len());
    for (r, info) in rules.iter().zip(&all) {
        assert_eq!(r["id"], info.code.as_str());
        assert_eq!(r["name"], info.name.as_str());
        assert_eq!(r["help"]["markdown"], info.docs.as_str());
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        let tags: Vec<&str> = r["properties"]["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert!(tags.contains(&info.category.as_str()), "{tags:?}");
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
        match r["properties"].get("security-severity") {
            Some(s) => {
                assert_eq!(info.category, "security", "{}", info.code);
                let v: f64 = s.as_str().unwrap().parse().unwrap();
                assert!((0.0..=10.0).contains(&v));
            }
            None => assert_ne!(info.category, "security", "{}", info.code),
        }
    }

    // Results point at their rule, in relative URIs against SRCROOT.
    let results = run["results"].as_array().unwrap();
    for r in results {
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(r["ruleId"], rule["id"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    let by_rule = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap_or_else(|| panic!("no {id} in {out}"));

    // An error in an include, its file name percent-encoded, columns in UTF-16 code units: the
    // emoji before it on the line counts 2, é 1 (characters would say 1 and 1).
    let unknown = by_rule("NGX101");
    assert_eq!(unknown["level"], "error");
    let loc = &unknown["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "conf/sites/a%20site.conf");
    let line = "    add_header X-Emoji \"\u{1F600}\u{e9}\"; ";
    let start = line.encode_utf16().count() + 1;
    assert_eq!(loc["region"], serde_json::json!({"startLine": 6, "startColumn": start, "endLine": 6, "endColumn": start + "bad&<\"dir\">".len()}));
    assert_eq!(unknown["message"]["text"], "unknown directive \"bad&<\"dir\">\"");

    // Labels are related locations; fixes are artifact changes.
    let alias = by_rule("SEC003");
    assert_eq!(alias["level"], "warning");
    let related = &alias["relatedLocations"][0];
    assert_eq!(related["message"]["text"], "this location");
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 3);
    let fix = &alias["fixes"][0];
    assert!(!fix["description"]["text"].as_str().unwrap().is_empty());
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "conf/sites/a%20site.conf");
    assert_eq!(change["replacements"][0]["insertedContent"]["text"], "/");
    assert_eq!(change["replacements"][0]["deletedRegion"], serde_json::json!({"startLine": 3, "startColumn": 18, "endLine": 3, "endColumn": 18}));
    assert_eq!(fix["properties"]["safe"], false);

    // Notes are notes.
    assert!(results.iter().any(|r| r["level"] == "note"));
}

#[test]
fn sarif_uris_outside_the_working_directory_are_absolute() {
    let dir = mixed_tree();
    let elsewhere = tempfile::tempdir().unwrap();
    let main = dir.path().join("conf/nginx.conf");
    let log = json(&stdout(ngxlint(elsewhere.path()).args(["check", "--format", "sarif"]).arg(&main), 1));
    assert_valid_sarif(&log);
    let loc = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(loc["uri"].as_str().unwrap().starts_with("file:///"), "{loc}");
    assert!(loc.get("uriBaseId").is_none());
    // Absolute paths under the working directory are relative.
    let log = json(&stdout(ngxlint(dir.path()).args(["check", "--format", "sarif"]).arg(&main), 1));
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.iter().all(|u| u.starts_with("conf/")), "{uris:?}");
}

#[test]
fn sarif_of_a_clean_config_and_of_stdin_is_valid() {
    let dir = tree(&[("nginx.conf", b"worker_processes auto;\nevents {}\nhttp { server_tokens off; }\n")]);
    let log = json(&stdout(ngxlint(dir.path()).args(["check", "--format", "sarif", "nginx.conf"]), 0));
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    let log = json(&stdout(ngxlint(dir.path()).args(["check", "--format", "sarif", "-"]).write_stdin("events {}\n}\n"), 1));
    assert_valid_sarif(&log);
    let loc = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "%3Cstdin%3E");
}

/// A replay case's sides.
fn replay(name: &str) -> (PathBuf, PathBuf) {
    let case = repo().join("tests/replays").join(name);
    (case.join("before"), case.join("after"))
}

#[test]
fn sarif_diff_is_valid_with_risk_rules_and_the_verdict() {
    let (before, after) = replay("12-server-name-one-vhost");
    let out = ngxlint(&repo()).args(["diff", "--format", "sarif"]).arg(&before).arg(&after).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = json(&String::from_utf8(out.stdout).unwrap());
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), ngxlint::api::risk_rules().len());
    assert!(rules.iter().all(|r| r["id"].as_str().unwrap().starts_with("RSK")));
    assert_eq!(run["properties"]["level"], "high");
    assert!(run["properties"]["score"].as_u64().unwrap() > 0);
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let top = &results[0];
    assert_eq!(top["ruleId"], "RSK006");
    assert_eq!(rules[top["ruleIndex"].as_u64().unwrap() as usize]["id"], "RSK006");
    assert_eq!(top["level"], "error");
    let uri = top["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("tests/replays/12-server-name-one-vhost/after/"), "{uri}");
    assert!(top["message"]["text"].as_str().unwrap().contains("\ncheck: "));
}

#[test]
fn sarif_diff_of_every_replay_is_valid() {
    let mut cases: Vec<PathBuf> = fs::read_dir(repo().join("tests/replays")).unwrap().flatten().map(|e| e.path()).filter(|p| p.join("before").is_dir()).collect();
    cases.sort();
    assert!(cases.len() > 40);
    for case in cases {
        let out = ngxlint(&repo()).args(["diff", "--format", "sarif", "--fail-on", "critical"]).arg(case.join("before")).arg(case.join("after")).output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}: {}", case.display(), String::from_utf8_lossy(&out.stderr));
        let log = json(&String::from_utf8(out.stdout).unwrap());
        let errors: Vec<String> = sarif_validator().iter_errors(&log).map(|e| format!("{}: {e}", e.instance_path)).collect();
        assert!(errors.is_empty(), "{}:\n{}", case.display(), errors.join("\n"));
        for r in log["runs"][0]["results"].as_array().unwrap() {
            assert!(r["ruleId"].as_str().unwrap().starts_with("RSK"));
        }
    }
}

// ---- GitHub annotations -----------------------------------------------------------------------

#[test]
fn github_annotations_escape_and_locate() {
    let dir = mixed_tree();
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "github", "conf/nginx.conf"]), 1);
    let lines: Vec<&str> = out.lines().collect();
    let (summary, annotations) = lines.split_last().unwrap();
    assert!(summary.starts_with("1 error, "), "{out}");
    assert!(annotations.iter().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ")), "{out}");
    // Columns in characters here (the emoji counts 1).
    let col = "    add_header X-Emoji \"\u{1F600}\u{e9}\"; ".chars().count() + 1;
    let end = col + "bad&<\"dir\">".len();
    let expected = format!(
        "::error file=conf/sites/a site.conf,line=6,col={col},endLine=6,endColumn={end},title=NGX101 unknown-directive::unknown directive \"bad&<\"dir\">\""
    );
    assert!(annotations.contains(&expected.as_str()), "{out}");
    // Help on a second line, escaped; `:` in the title is a property, escaped too.
    let alias = annotations.iter().find(|l| l.contains("title=SEC003 alias-traversal::")).unwrap();
    assert!(alias.starts_with("::warning file=conf/sites/a site.conf,line=4,"), "{alias}");
    assert!(alias.contains("escape the directory%0Ahelp: use `location /img/`"), "{alias}");
}

#[test]
fn github_actions_chooses_annotations_unless_a_format_is_given() {
    let fixture = repo().join("cli");
    let args = ["check", "--nginx-version", "1.22", "tests/fixtures/snapshot.conf"];
    let auto = stdout(ngxlint(&fixture).args(args).env("GITHUB_ACTIONS", "true"), 1);
    let github = stdout(ngxlint(&fixture).args(args).args(["--format", "github"]), 1);
    assert_eq!(auto, github);
    assert!(auto.starts_with("::notice file=tests/fixtures/snapshot.conf,line=2,"), "{auto}");
    // An explicit format wins; other values of the variable are not GitHub Actions.
    let concise = stdout(ngxlint(&fixture).args(args).args(["--format", "concise"]), 1);
    assert_eq!(stdout(ngxlint(&fixture).args(args).args(["--format", "concise"]).env("GITHUB_ACTIONS", "true"), 1), concise);
    let text = stdout(ngxlint(&fixture).args(args), 1);
    assert_eq!(stdout(ngxlint(&fixture).args(args).env("GITHUB_ACTIONS", "false"), 1), text);
    assert!(!text.contains("::"), "{text}");

    // diff too.
    let (before, after) = replay("12-server-name-one-vhost");
    let auto = stdout(ngxlint(&repo()).arg("diff").arg(&before).arg(&after).env("GITHUB_ACTIONS", "true"), 1);
    assert!(auto.starts_with("::error file=tests/replays/12-server-name-one-vhost/after/"), "{auto}");
    assert!(auto.contains("title=RSK006 server-name-changed [high "), "{auto}");
    assert!(auto.contains("\nrisk: HIGH ("), "{auto}");
    let json_out = stdout(ngxlint(&repo()).args(["diff", "--format", "json"]).arg(&before).arg(&after).env("GITHUB_ACTIONS", "true"), 1);
    assert_eq!(json(&json_out)["level"], "high");
}

// ---- checkstyle and JUnit ---------------------------------------------------------------------

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name).unwrap_or_else(|| panic!("no {name} on {n:?}"))
}

fn elements<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
    n.children().filter(move |c| c.has_tag_name(name))
}

#[test]
fn checkstyle_lists_every_file_and_its_diagnostics() {
    let dir = mixed_tree();
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "checkstyle", "conf/nginx.conf"]), 1);
    let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "checkstyle");
    let files: Vec<_> = elements(root, "file").collect();
    let names: Vec<&str> = files.iter().map(|f| attr(*f, "name")).collect();
    assert_eq!(names, ["conf/clean.conf", "conf/nginx.conf", "conf/sites/a site.conf"]);
    let clean = files[0];
    assert_eq!(elements(clean, "error").count(), 0);
    let site: Vec<_> = elements(files[2], "error").collect();
    let unknown = site.iter().find(|e| attr(**e, "source") == "ngxlint.NGX101").unwrap();
    assert_eq!(attr(*unknown, "severity"), "error");
    assert_eq!(attr(*unknown, "line"), "6");
    assert_eq!(attr(*unknown, "message"), "unknown directive \"bad&<\"dir\">\"");
    let alias = site.iter().find(|e| attr(**e, "source") == "ngxlint.SEC003").unwrap();
    assert_eq!(attr(*alias, "severity"), "warning");
    assert!(attr(*alias, "message").contains("directory\nhelp: "), "{out}");
    assert!(elements(files[1], "error").any(|e| attr(e, "severity") == "info"));
}

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_diagnostic() {
    let dir = mixed_tree();
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "junit", "conf/nginx.conf"]), 1);
    let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = elements(root, "testsuite").collect();
    assert_eq!(suites.iter().map(|s| attr(*s, "name")).collect::<Vec<_>>(), ["conf/clean.conf", "conf/nginx.conf", "conf/sites/a site.conf"]);
    let mut tests = 0;
    let mut failures = 0;
    for s in &suites {
        let cases: Vec<_> = elements(*s, "testcase").collect();
        let failed = cases.iter().filter(|c| elements(**c, "failure").count() == 1).count();
        assert_eq!(attr(*s, "tests"), cases.len().to_string());
        assert_eq!(attr(*s, "failures"), failed.to_string());
        tests += cases.len();
        failures += failed;
        for c in &cases {
            assert_eq!(attr(*c, "classname"), attr(*s, "name"));
        }
    }
    assert_eq!(attr(root, "tests"), tests.to_string());
    assert_eq!(attr(root, "failures"), failures.to_string());
    // The clean include passes; each diagnostic is a failing case with its severity and text.
    let clean: Vec<_> = elements(suites[0], "testcase").collect();
    assert_eq!(clean.len(), 1);
    assert_eq!(elements(clean[0], "failure").count(), 0);
    let site = suites[2];
    let unknown = elements(site, "testcase").find(|c| attr(*c, "name").starts_with("NGX101 unknown-directive at 6:")).unwrap();
    let failure = elements(unknown, "failure").next().unwrap();
    assert_eq!(attr(failure, "type"), "error");
    assert_eq!(attr(failure, "message"), "unknown directive \"bad&<\"dir\">\"");
    assert!(failure.text().unwrap().starts_with("conf/sites/a site.conf:6:"), "{out}");
}

#[test]
fn xml_formats_survive_characters_xml_cannot_carry() {
    // A control character in a directive name reaches the message; XML 1.0 cannot hold it.
    let dir = tree(&[("nginx.conf", b"events {}\nhttp { a\x01b\x1b; }\n")]);
    for format in ["checkstyle", "junit"] {
        let out = stdout(ngxlint(dir.path()).args(["check", "--format", format, "nginx.conf"]), 1);
        let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{format}: {e}: {out}"));
        assert!(doc.descendants().any(|n| n.attributes().any(|a| a.value().contains("a\u{fffd}b\u{fffd}"))), "{out}");
    }
}

#[test]
fn clean_configs_pass_in_every_format() {
    let dir = tree(&[("nginx.conf", b"worker_processes auto;\nevents {}\nhttp { server_tokens off; }\n")]);
    let junit = stdout(ngxlint(dir.path()).args(["check", "--format", "junit", "nginx.conf"]), 0);
    assert!(junit.contains("<testsuites name=\"ngxlint\" tests=\"1\" failures=\"0\" errors=\"0\">"), "{junit}");
    let checkstyle = stdout(ngxlint(dir.path()).args(["check", "--format", "checkstyle", "nginx.conf"]), 0);
    assert!(checkstyle.contains("<file name=\"nginx.conf\"/>"), "{checkstyle}");
    let github = stdout(ngxlint(dir.path()).args(["check", "--format", "github", "nginx.conf"]), 0);
    assert_eq!(github, "0 errors, 0 warnings in 1 file\n");
}
