//! End-to-end tests of the `ngxlint` binary: every subcommand and format, exit statuses, includes
//! read from disk, standard input and `nginx -T` dumps.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use tempfile::TempDir;
mod common;
use common::tree;

/// The binary, run inside `dir` (so paths in its output are the relative ones we pass).
fn ngxlint(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ngxlint"));
    // Outside GitHub Actions whatever runs the tests (GITHUB_ACTIONS=true picks annotations).
    cmd.current_dir(dir).env_remove("NO_COLOR").env_remove("GITHUB_ACTIONS");
    cmd
}


fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// The summary line closing `check`'s text output (warnings and notes are not pinned down, so
/// rules added later do not break these tests).
fn summary(errors: usize, files: usize) -> predicates::str::RegexPredicate {
    let e = if errors == 1 { "error" } else { "errors" };
    let f = if files == 1 { "file" } else { "files" };
    predicate::str::is_match(format!(
        r"(?:^|\n){errors} {e}, \d+ warnings?(?:, \d+ notes?)? in {files} {f}\n$"
    ))
    .unwrap()
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

const MAIN: &[u8] =
    b"events {}\nhttp {\n    include conf.d/*.conf;\n    include extra/plain.conf;\n}\n";
const SITE: &[u8] = b"server {\n    listen 80;\n    include snippets/common.conf;\n}\n";

fn valid_tree() -> TempDir {
    tree(&[
        ("conf/nginx.conf", MAIN),
        ("conf/conf.d/a.conf", SITE),
        ("conf/conf.d/b.conf", b"server { listen 81; }\n"),
        ("conf/conf.d/.hidden.conf", b"this is } not read\n"),
        ("conf/conf.d/notes.txt", b"neither } is this\n"),
        ("conf/extra/plain.conf", b"server_tokens off;\n"),
        // Relative to the main file's directory (nginx's prefix), not to conf.d/.
        ("conf/snippets/common.conf", b"root /srv;\n"),
    ])
}

// ---- check -------------------------------------------------------------------------------------

#[test]
fn check_reads_glob_and_plain_includes_relative_to_the_main_file() {
    let dir = valid_tree();
    ngxlint(dir.path())
        .args(["check", "conf/nginx.conf"])
        .assert()
        .code(0)
        .stdout(summary(0, 5));
    // The included files really are parsed: an error inside one is found.
    fs::write(
        dir.path().join("conf/snippets/common.conf"),
        "root /srv }\n",
    )
    .unwrap();
    ngxlint(dir.path())
        .args(["check", "--format", "concise", "conf/nginx.conf"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "conf/snippets/common.conf:1:11: error[NGX001] unexpected \"}\"\n",
        ));
}

#[test]
fn check_works_from_another_directory_and_with_absolute_paths() {
    let dir = valid_tree();
    let main = dir.path().join("conf/nginx.conf");
    let out = ngxlint(&std::env::temp_dir())
        .args(["check", "--format", "json"])
        .arg(&main)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["version"], 1);
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["severity"] != "error"),
        "{v}"
    );
    // A directory stands for its nginx.conf.
    ngxlint(dir.path())
        .args(["check", "conf"])
        .assert()
        .code(0)
        .stdout(summary(0, 5));
}

#[test]
fn missing_plain_include_is_nginx_open_error() {
    let dir = tree(&[(
        "conf/nginx.conf",
        b"events {}\nhttp {\n    include missing.conf;\n    include none/*.conf;\n}\n",
    )]);
    ngxlint(dir.path())
        .args(["check", "--format", "concise", "conf/nginx.conf"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "conf/nginx.conf:3:25: error[NGX002] open() \"conf/missing.conf\" failed (2: No such file or directory)\n",
        ))
        .stdout(predicate::str::contains("none/").not());
}

#[test]
fn text_format_is_graphical_with_a_summary() {
    let dir = tree(&[(
        "bad.conf",
        b"events {}\nhttp {\n    server { listen 80 }\n}\n",
    )]);
    let out = ngxlint(dir.path())
        .args(["check", "bad.conf"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("NGX001(syntax-error)"), "{out}");
    assert!(out.contains("unexpected \"}\""), "{out}");
    assert!(out.contains("[bad.conf:3:24]"), "{out}");
    assert!(out.contains("server { listen 80 }"), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal: {out}"
    );
    assert!(summary(1, 1).eval(out.as_str()), "{out}");
}

#[test]
fn json_contract_fields_and_merged_runs() {
    let dir = tree(&[
        ("a.conf", b"events {}\n}\n"),
        ("b.conf", b"events {}\nhttp { include nope.conf; }\n"),
    ]);
    let out = ngxlint(dir.path())
        .args(["check", "--format", "json", "a.conf", "b.conf"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "one compact document: {text}");
    let v = json_of(&out);
    assert_eq!(v["version"], 1);
    let all = v["diagnostics"].as_array().unwrap();
    let diags: Vec<&Value> = all.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(diags.len(), 2, "{v}");
    let d = diags[0];
    for key in [
        "code",
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
    ] {
        assert!(d.get(key).is_some(), "missing {key}: {d}");
    }
    assert_eq!(d["code"], "NGX001");
    assert_eq!(d["rule"], "syntax-error");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "unexpected \"}\"");
    assert_eq!(d["file"], "a.conf");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(diags[1]["file"], "b.conf");
    assert_eq!(diags[1]["code"], "NGX002");
    for d in all {
        let m = d["message"].as_str().unwrap();
        assert!(
            !m.contains(" in a.conf:") && !m.contains(" in b.conf:"),
            "{m}"
        );
    }
}

#[test]
fn unreadable_input_is_an_io_error() {
    let dir = tree(&[("ok.conf", b"events {}\n")]);
    ngxlint(dir.path())
        .args(["check", "x.conf"])
        .assert()
        .code(2)
        .stdout(summary(0, 0))
        .stderr("ngxlint: cannot read \"x.conf\": No such file or directory\n");
    // The readable files are still checked; the status says something could not be read.
    ngxlint(dir.path())
        .args(["check", "--format", "concise", "ok.conf", "x.conf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read \"x.conf\""));
    // A directory without nginx.conf: its *.conf files are the configurations; none at all is
    // a usage error.
    ngxlint(dir.path()).args(["check", "."]).assert().code(0).stdout(summary(0, 1));
    fs::create_dir(dir.path().join("empty")).unwrap();
    ngxlint(dir.path())
        .args(["check", "empty"])
        .assert()
        .code(2)
        .stderr("ngxlint: \"empty\" holds no nginx configuration (no nginx.conf, no *.conf file); name the main configuration file\n");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tree(&[]);
    ngxlint(dir.path())
        .args(["check", "--format", "yaml", "a.conf"])
        .assert()
        .code(2);
    ngxlint(dir.path())
        .args(["check", "--bogus"])
        .assert()
        .code(2);
    ngxlint(dir.path()).args(["frobnicate"]).assert().code(2);
    ngxlint(dir.path())
        .args(["check", "-", "-"])
        .write_stdin("")
        .assert()
        .code(2);
    ngxlint(dir.path())
        .args(["check", "--context", "http,,server", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid --context"));
}

#[test]
fn stdin_input() {
    let dir = tree(&[]);
    ngxlint(dir.path())
        .args(["check", "--format", "concise"])
        .write_stdin("events {}\nhttp }\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "<stdin>:2:6: error[NGX001] unexpected \"}\"\n",
        ));
    ngxlint(dir.path())
        .args(["check", "-"])
        .write_stdin("events {}\n")
        .assert()
        .code(0);
}

#[test]
fn nginx_dump_on_stdin_is_split_into_its_files() {
    let dump = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n\
        nginx: configuration file /etc/nginx/nginx.conf test is successful\n\
        # configuration file /etc/nginx/nginx.conf:\n\
        events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n\n\
        # configuration file /etc/nginx/conf.d/site.conf:\n\
        server {\n    listen 80\n}\n\n";
    let dir = tree(&[]);
    ngxlint(dir.path())
        .args(["check", "--format", "concise"])
        .write_stdin(dump)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "/etc/nginx/conf.d/site.conf:3:1: error[NGX001] unexpected \"}\"\n",
        ));
    let fixed = dump.replace("listen 80\n", "listen 80;\n");
    ngxlint(dir.path())
        .args(["check"])
        .write_stdin(fixed)
        .assert()
        .code(0)
        .stdout(summary(0, 2));
}

#[test]
fn context_reads_snippets_inside_blocks() {
    let dir = tree(&[
        ("server.snippet", b"location / {\n    return 200;\n}\n"),
        ("entries.map", b"default 0;\n~^x {\n"),
    ]);
    ngxlint(dir.path())
        .args(["check", "--context", "http,server", "server.snippet"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args([
            "check",
            "--format",
            "concise",
            "--context",
            "http,map",
            "entries.map",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "entries.map:2:5: error[NGX001] unexpected \"{\"",
        ));
}

#[test]
fn prefix_sets_where_relative_includes_resolve() {
    let dir = tree(&[
        ("etc/nginx/snippets/x.conf", b"events {}\n"),
        ("main.conf", b"include snippets/x.conf;\n"),
    ]);
    ngxlint(dir.path())
        .args(["check", "--format", "concise", "main.conf"])
        .assert()
        .code(1);
    ngxlint(dir.path())
        .args(["check", "--prefix", "etc/nginx", "main.conf"])
        .assert()
        .code(0);
}

#[test]
fn invalid_utf8_does_not_crash() {
    let dir = tree(&[(
        "latin1.conf",
        b"events {}\n# caf\xe9\nhttp { server { server_name \"\xff\xfe\"; } }\n",
    )]);
    ngxlint(dir.path())
        .args(["check", "latin1.conf"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("invalid UTF-8 byte 0xE9"));
    ngxlint(dir.path())
        .args(["check", "--format", "json", "latin1.conf"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args(["check", "--format", "concise", "latin1.conf"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args(["parse", "latin1.conf"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args(["parse", "--format", "crossplane", "latin1.conf"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args(["fmt", "--diff", "latin1.conf"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args(["fmt", "latin1.conf"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args(["check", "latin1.conf"])
        .assert()
        .code(0);
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    ngxlint(dir.path())
        .args(["check", "-"])
        .write_stdin(binary.clone())
        .assert()
        .code(predicate::in_iter([0, 1]));
    ngxlint(dir.path())
        .args(["parse", "-"])
        .write_stdin(binary.clone())
        .assert()
        .code(predicate::in_iter([0, 1]));
    ngxlint(dir.path())
        .args(["fmt", "-"])
        .write_stdin(binary)
        .assert()
        .code(predicate::in_iter([0, 1]));
}

#[test]
fn include_cycles_are_reported_not_followed_forever() {
    let dir = tree(&[
        ("a.conf", b"events {}\ninclude b.conf;\n"),
        ("b.conf", b"include a.conf;\n"),
    ]);
    ngxlint(dir.path())
        .args(["check", "--format", "concise", "a.conf"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[NGX003] include cycle"));
}

// ---- parse -------------------------------------------------------------------------------------

#[test]
fn parse_prints_the_tree_with_includes() {
    let dir = valid_tree();
    let out = ngxlint(dir.path())
        .args(["parse", "conf/nginx.conf"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["version"], 1);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files[0]["path"], "conf/nginx.conf");
    assert_eq!(files.len(), 5);
    let events = &files[0]["items"][0];
    assert_eq!(events["type"], "directive");
    assert_eq!(events["name"]["value"], "events");
    assert_eq!(events["terminator"], "block");
    assert_eq!(events["block"]["kind"], "directives");
    let include = &files[0]["items"][1]["block"]["items"][0];
    assert_eq!(include["name"]["raw"], "include");
    assert_eq!(
        include["args"][0],
        serde_json::json!({"raw": "conf.d/*.conf", "value": "conf.d/*.conf", "quote": "none",
        "span": {"start": 29, "end": 42, "line": 3, "column": 13, "end_line": 3, "end_column": 26}})
    );
    assert_eq!(
        include["includes"],
        serde_json::json!(["conf/conf.d/a.conf", "conf/conf.d/b.conf"])
    );
    assert_eq!(include["terminator"], ";");
    // Pretty output is the same document.
    let pretty = ngxlint(dir.path())
        .args(["parse", "--pretty", "conf/nginx.conf"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(pretty.len() > out.len());
    assert_eq!(json_of(&pretty), v);
}

#[test]
fn parse_exits_1_on_syntax_errors() {
    let dir = tree(&[]);
    let out = ngxlint(dir.path())
        .args(["parse", "-"])
        .write_stdin("events {\n# note\nworker_connections 10\n")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let f = &v["files"][0];
    assert_eq!(f["path"], "<stdin>");
    assert_eq!(f["errors"][0]["code"], "NGX001");
    assert_eq!(
        f["errors"][0]["message"],
        "unexpected end of file, expecting \";\" or \"}\""
    );
    assert_eq!(
        f["items"][0]["block"]["items"][0],
        serde_json::json!({"type": "comment", "text": "# note",
        "span": {"start": 9, "end": 15, "line": 2, "column": 1, "end_line": 2, "end_column": 7}})
    );
    // A missing include is not a syntax error.
    ngxlint(dir.path())
        .args(["parse"])
        .write_stdin("include nope.conf;")
        .assert()
        .code(0);
}

#[test]
fn parse_crossplane_payload() {
    let dir = valid_tree();
    let out = ngxlint(dir.path())
        .args(["parse", "--format", "crossplane", "conf/nginx.conf"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["errors"], serde_json::json!([]));
    let cfg = v["config"].as_array().unwrap();
    assert_eq!(cfg[0]["file"], "conf/nginx.conf");
    assert_eq!(cfg[0]["status"], "ok");
    assert_eq!(cfg[0]["parsed"][0]["directive"], "events");
    assert_eq!(cfg[0]["parsed"][0]["line"], 1);
    assert_eq!(cfg[0]["parsed"][0]["args"], serde_json::json!([]));
    let http = &cfg[0]["parsed"][1];
    assert_eq!(http["block"][0]["directive"], "include");
    assert_eq!(
        http["block"][0]["args"],
        serde_json::json!(["conf.d/*.conf"])
    );
    assert_eq!(http["block"][0]["includes"], serde_json::json!([1, 2]));
    assert_eq!(cfg[1]["file"], "conf/conf.d/a.conf");

    let bad = tree(&[("n.conf", b"# top\nevents {}\nhttp }\n")]);
    let out = ngxlint(bad.path())
        .args([
            "parse",
            "--format",
            "crossplane",
            "--include-comments",
            "n.conf",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["status"], "failed");
    assert_eq!(v["errors"][0]["error"], "unexpected \"}\" in n.conf:3");
    assert_eq!(v["errors"][0]["line"], 3);
    assert_eq!(v["config"][0]["status"], "failed");
    assert_eq!(v["config"][0]["parsed"][0]["directive"], "#");
    assert_eq!(v["config"][0]["parsed"][0]["comment"], " top");
}

// ---- fmt ---------------------------------------------------------------------------------------

const UGLY: &[u8] = b"events{}\nhttp {\nserver {   listen 80;\n  server_name  a   b; }\n}\n";
const PRETTY: &[u8] =
    b"events {}\nhttp {\n    server {\n        listen 80;\n        server_name a b;\n    }\n}\n";

#[test]
fn fmt_writes_changed_files_in_place_and_is_idempotent() {
    let dir = tree(&[("a.conf", UGLY), ("b.conf", PRETTY)]);
    let b_before = fs::metadata(dir.path().join("b.conf"))
        .unwrap()
        .modified()
        .unwrap();
    ngxlint(dir.path())
        .args(["fmt", "a.conf", "b.conf"])
        .assert()
        .code(0)
        .stdout("");
    assert_eq!(fs::read(dir.path().join("a.conf")).unwrap(), PRETTY);
    assert_eq!(
        fs::metadata(dir.path().join("b.conf"))
            .unwrap()
            .modified()
            .unwrap(),
        b_before
    );
    // Formatting formatted output changes nothing.
    ngxlint(dir.path())
        .args(["fmt", "--check", "a.conf", "b.conf"])
        .assert()
        .code(0)
        .stdout("");
    ngxlint(dir.path()).args(["fmt", "a.conf"]).assert().code(0);
    assert_eq!(fs::read(dir.path().join("a.conf")).unwrap(), PRETTY);
}

#[test]
fn fmt_check_lists_files_that_would_change() {
    let dir = tree(&[("a.conf", UGLY), ("b.conf", PRETTY)]);
    ngxlint(dir.path())
        .args(["fmt", "--check", "a.conf", "b.conf"])
        .assert()
        .code(1)
        .stdout("a.conf\n");
    assert_eq!(
        fs::read(dir.path().join("a.conf")).unwrap(),
        UGLY,
        "--check writes nothing"
    );
}

#[test]
fn fmt_diff_prints_a_unified_diff_without_writing() {
    let dir = tree(&[("a.conf", UGLY)]);
    let out = stdout_of(ngxlint(dir.path()).args(["fmt", "--diff", "a.conf"]));
    assert!(
        out.starts_with("--- a.conf\n+++ a.conf\n@@ -1,5 +1,7 @@\n"),
        "{out}"
    );
    assert!(out.contains("\n-events{}\n"), "{out}");
    assert!(out.contains("\n+    server {\n"), "{out}");
    assert_eq!(
        fs::read(dir.path().join("a.conf")).unwrap(),
        UGLY,
        "--diff writes nothing"
    );
    ngxlint(dir.path())
        .args(["fmt", "--diff", "a.conf"])
        .assert()
        .code(0);
    ngxlint(dir.path())
        .args(["fmt", "--diff", "--check", "a.conf"])
        .assert()
        .code(1);
}

#[test]
fn fmt_stdin_to_stdout() {
    let dir = tree(&[]);
    ngxlint(dir.path())
        .args(["fmt", "-"])
        .write_stdin(UGLY)
        .assert()
        .code(0)
        .stdout(std::str::from_utf8(PRETTY).unwrap());
    ngxlint(dir.path())
        .args(["fmt"])
        .write_stdin(PRETTY)
        .assert()
        .code(0)
        .stdout(std::str::from_utf8(PRETTY).unwrap());
    ngxlint(dir.path())
        .args(["fmt", "--check"])
        .write_stdin(UGLY)
        .assert()
        .code(1)
        .stdout("<stdin>\n");
}

#[test]
fn fmt_refuses_files_with_syntax_errors() {
    let broken: &[u8] = b"events{}\nhttp {\nserver { listen 80 }\n}\n";
    let dir = tree(&[("bad.conf", broken), ("a.conf", UGLY)]);
    ngxlint(dir.path())
        .args(["fmt", "bad.conf", "a.conf"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "bad.conf:3:20: error[NGX001] unexpected \"}\"\n",
        ))
        .stderr(predicate::str::contains(
            "\"bad.conf\" not formatted: it has syntax errors",
        ));
    assert_eq!(
        fs::read(dir.path().join("bad.conf")).unwrap(),
        broken,
        "left untouched"
    );
    assert_eq!(
        fs::read(dir.path().join("a.conf")).unwrap(),
        PRETTY,
        "the other file is still formatted"
    );
    ngxlint(dir.path())
        .args(["fmt", "-"])
        .write_stdin(broken)
        .assert()
        .code(1)
        .stdout("");
    ngxlint(dir.path())
        .args(["fmt", "nope.conf"])
        .assert()
        .code(2)
        .stderr("ngxlint: cannot read \"nope.conf\": No such file or directory\n");
}

// ---- global ------------------------------------------------------------------------------------

#[test]
fn version_and_help() {
    let dir = tree(&[]);
    ngxlint(dir.path())
        .arg("--version")
        .assert()
        .code(0)
        .stdout(format!("ngxlint {}\n", env!("CARGO_PKG_VERSION")));
    ngxlint(dir.path())
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"));
    for sub in ["check", "parse", "fmt", "diff"] {
        ngxlint(dir.path())
            .args([sub, "--help"])
            .assert()
            .code(0)
            .stdout(
                predicate::str::contains("Examples:").and(predicate::str::contains("Exit status")),
            );
    }
    ngxlint(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage:"));
}

#[test]
fn bundled_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    ngxlint(root)
        .args(["check", "examples/configs/nginx.conf"])
        .assert()
        .code(0)
        .stdout(summary(0, 2));
    ngxlint(root)
        .args([
            "check",
            "--format",
            "concise",
            "examples/configs/broken.conf",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "examples/configs/broken.conf:24:49: error[NGX001] unexpected \"}\"\n",
        ));
    ngxlint(root)
        .args([
            "fmt",
            "--check",
            "examples/configs/nginx.conf",
            "examples/configs/conf.d/site.conf",
        ])
        .assert()
        .code(0);
}
