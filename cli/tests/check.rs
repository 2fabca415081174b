//! `ngxlint check` for CI gates and editors: directories, path maps, parallel runs,
//! ngxlint.toml (discovery, keys, errors with spans, per-path overrides), --fix/--diff,
//! --fail-on/--exit-zero and exit statuses.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use tempfile::TempDir;
mod common;
use common::{ngxlint, tree_text, write_text};




fn stdout(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn json(cmd: &mut Command, code: i32) -> Value {
    serde_json::from_str(&stdout(cmd, code)).unwrap()
}

/// `file:line:col: severity[CODE]` of every concise line (messages left out).
fn codes(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| {
            let (at, rest) = l.split_once(": ")?;
            Some(format!("{at}: {}", rest.split(' ').next()?))
        })
        .collect()
}

const EVENTS: &str = "events {}\n";

// ---- directories ---------------------------------------------------------------------------------

#[test]
fn a_directory_without_nginx_conf_checks_each_configuration_no_other_file_includes() {
    let dir = tree_text(&[
        ("repo/site.conf", "events {}\nhttp {\n    include vhosts/*.conf;\n    server_tokens off;\n}\n"),
        ("repo/vhosts/a.conf", "server {\n    listen 80;\n    root /srv }\n"),
        ("repo/lonely.conf", "events {}\nhttp { server_tokens off; server { listen 81; } }\n}\n"),
        ("repo/app/nginx.conf", "events {}\nhttp { include conf.d/*.conf; server_tokens off; }\n"),
        ("repo/app/conf.d/x.conf", "server { listen 82 }\n"),
        // Below a directory holding nginx.conf and not included by it: not a configuration.
        ("repo/app/unused/y.conf", "this is } not checked\n"),
        ("repo/.hidden/z.conf", "neither } is this\n"),
        ("repo/README.md", "}\n"),
    ]);
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "--select", "SEC001", "repo"]), 1);
    assert_eq!(
        codes(&out),
        [
            "repo/app/conf.d/x.conf:1:20: error[NGX001]",
            "repo/lonely.conf:3:1: error[NGX001]",
            "repo/vhosts/a.conf:3:15: error[NGX001]",
        ],
        "{out}"
    );
    // The summary counts the files reached and the configurations checked.
    let text = stdout(ngxlint(dir.path()).args(["check", "repo"]), 1);
    assert!(text.ends_with(" in 5 files (3 configurations)\n"), "{text}");
}

#[test]
fn a_file_only_an_unchecked_file_includes_is_checked_on_its_own() {
    // a.conf and b.conf include each other: neither is a main by the include rule, so both are
    // checked afterwards instead of being left out.
    let dir = tree_text(&[
        ("d/a.conf", "include b.conf;\n"),
        ("d/b.conf", "include a.conf;\n"),
        ("d/c.conf", "events {}\nhttp { server_tokens off; }\n}\n"),
    ]);
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "d"]), 1);
    assert!(out.contains("error[NGX003] include cycle"), "{out}");
    let files: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert!(files.contains(&"d/a.conf") && files.contains(&"d/b.conf"), "{out}");
    // Reported in path order (a, b, c), though c.conf was checked first.
    let first_c = files.iter().position(|f| *f == "d/c.conf").unwrap();
    assert!(files[first_c..].iter().all(|f| *f == "d/c.conf"), "{out}");
}

#[test]
fn parallel_runs_print_the_same_output_as_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..24 {
        let body = match i % 3 {
            0 => format!("events {{}}\nhttp {{ server {{ listen {}; server_tokens on; }} }}\n", 8000 + i),
            1 => format!("events {{}}\nhttp {{ server {{ listen {} }} }}\n", 8000 + i),
            _ => format!("http {{ server {{ listen {}; unknown_thing; }} }}\n", 8000 + i),
        };
        write_text(dir.path(), &[(&format!("many/c{i:02}.conf"), &body)]);
    }
    for format in ["concise", "json", "text"] {
        let one = stdout(ngxlint(dir.path()).args(["check", "many", "--threads", "1", "--format", format]), 1);
        for _ in 0..2 {
            let all = stdout(ngxlint(dir.path()).args(["check", "many", "--threads", "4", "--format", format]), 1);
            assert_eq!(one, all, "--format {format}");
        }
        if format == "concise" {
            let first: Vec<&str> = one.lines().map(|l| l.split(':').next().unwrap()).collect();
            let mut sorted = first.clone();
            sorted.sort();
            assert_eq!(first, sorted, "configurations are reported in path order");
        }
    }
    ngxlint(dir.path()).args(["check", "many", "--threads", "0"]).assert().code(2);
}

#[test]
fn file_names_that_are_not_utf8_are_skipped_with_a_warning() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tree_text(&[("d/ok.conf", EVENTS)]);
    let odd = dir.path().join("d").join(std::ffi::OsStr::from_bytes(b"caf\xe9.conf"));
    fs::write(odd, "}").unwrap();
    ngxlint(dir.path())
        .args(["check", "d"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning: skipping").and(predicate::str::contains("the file name is not UTF-8")));
}

#[test]
fn unreadable_includes_and_missing_inputs_exit_2_naming_the_path() {
    let dir = tree_text(&[("main.conf", "events {}\ninclude sub.conf;\n")]);
    fs::create_dir(dir.path().join("sub.conf")).unwrap();
    ngxlint(dir.path())
        .args(["check", "main.conf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ngxlint: cannot read \"sub.conf\": Is a directory"));
    // --exit-zero does not hide that something could not be read.
    ngxlint(dir.path()).args(["check", "--exit-zero", "nope.conf"]).assert().code(2).stderr(
        predicate::str::contains("ngxlint: cannot read \"nope.conf\": No such file or directory"),
    );
}

// ---- path maps -----------------------------------------------------------------------------------

/// A checkout of /srv/ngxlint-test/etc/nginx (a path that does not exist on the machine).
fn checkout() -> TempDir {
    tree_text(&[
        (
            "etc-nginx/nginx.conf",
            "events {}\nhttp {\n    server_tokens off;\n    include /srv/ngxlint-test/nginx/sites/*.conf;\n    include /srv/ngxlint-test/nginx/extra.conf;\n}\n",
        ),
        ("etc-nginx/sites/a.conf", "server {\n    listen 80;\n    root /srv }\n"),
        ("etc-nginx/extra.conf", "gzip on;\n"),
    ])
}

#[test]
fn absolute_includes_are_read_where_root_maps_them_and_reported_on_disk() {
    let dir = checkout();
    // Unmapped: the absolute include names nothing on this machine (a note), the glob nothing.
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "etc-nginx"]), 0);
    assert!(out.contains("info[NGX006] include of \"/srv/ngxlint-test/nginx/extra.conf\" is outside the files given"), "{out}");
    let expected = "etc-nginx/sites/a.conf:3:15: error[NGX001] unexpected \"}\"\n";
    for args in [
        &["--root", "/srv/ngxlint-test/nginx=etc-nginx"][..],
        &["--root", "/srv/ngxlint-test/nginx=./etc-nginx/"],
        &["--mount", "/srv/ngxlint-test/nginx"],
    ] {
        let out = stdout(
            ngxlint(dir.path()).args(["check", "--format", "concise", "--select", "SEC001", "etc-nginx"]).args(args),
            1,
        );
        assert_eq!(out, expected, "{args:?}");
    }
    // A chroot-like root: every absolute path under the directory.
    let chroot = tree_text(&[]);
    let target = chroot.path().join("srv/ngxlint-test");
    fs::create_dir_all(&target).unwrap();
    fs::rename(dir.path().join("etc-nginx"), target.join("nginx")).unwrap();
    let out = stdout(
        ngxlint(chroot.path()).args(["check", "--format", "concise", "--select", "SEC001", "--root", ".", "srv/ngxlint-test/nginx"]),
        1,
    );
    assert_eq!(out, "srv/ngxlint-test/nginx/sites/a.conf:3:15: error[NGX001] unexpected \"}\"\n");
    // JSON names the files on disk as well.
    let v = json(
        ngxlint(chroot.path()).args(["check", "--format", "json", "--root", ".", "srv/ngxlint-test/nginx/nginx.conf"]),
        1,
    );
    assert_eq!(v["diagnostics"][0]["file"], "srv/ngxlint-test/nginx/sites/a.conf");
}

#[test]
fn a_missing_include_in_the_configurations_own_tree_is_an_error_however_it_is_named() {
    let dir = tree_text(&[(
        "c/nginx.conf",
        "events {}\nhttp {\n    server_tokens off;\n    include snipets/ssl.conf;\n    include /srv/ngxlint-test/elsewhere.conf;\n}\n",
    )]);
    let relative = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "c/nginx.conf"]), 1);
    assert!(relative.contains("c/nginx.conf:4:29: error[NGX002] open() \"c/snipets/ssl.conf\" failed"), "{relative}");
    // The same file by its absolute path, and read as /srv/ngxlint-test/nginx (a mount): the
    // typo stays nginx's error; the include outside the configuration's tree stays a note.
    let absolute = stdout(ngxlint(dir.path()).args(["check", "--format", "concise"]).arg(dir.path().join("c/nginx.conf")), 1);
    assert!(absolute.contains("error[NGX002] open() \""), "{absolute}");
    assert!(absolute.contains("/c/snipets/ssl.conf\" failed (2: No such file or directory)"), "{absolute}");
    let mounted = stdout(
        ngxlint(dir.path()).args(["check", "--format", "concise", "--mount", "/srv/ngxlint-test/nginx", "c"]),
        1,
    );
    assert!(
        mounted.contains("c/nginx.conf:4:29: error[NGX002] open() \"/srv/ngxlint-test/nginx/snipets/ssl.conf\" failed"),
        "{mounted}"
    );
    for out in [&relative, &absolute, &mounted] {
        assert!(out.contains("info[NGX006] include of \"/srv/ngxlint-test/elsewhere.conf\" is outside the files given"), "{out}");
    }
    // Unless the environment provides includes.
    ngxlint(dir.path())
        .args(["check", "--includes-from-environment", "--mount", "/srv/ngxlint-test/nginx", "c"])
        .assert()
        .code(0);
}

#[test]
fn bad_roots_and_mounts_are_usage_errors() {
    let dir = checkout();
    ngxlint(dir.path())
        .args(["check", "--root", "etc/nginx=x", "etc-nginx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the path nginx sees must be absolute"));
    ngxlint(dir.path())
        .args(["check", "--mount", "etc/nginx", "etc-nginx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid mount \"etc/nginx\""));
}

// ---- ngxlint.toml --------------------------------------------------------------------------------

const SITE: &str = "events {}\nhttp {\n    server_tokens on;\n    server {\n        listen 80;\n    }\n}\n";

#[test]
fn the_nearest_config_file_above_the_input_applies_and_flags_win() {
    let dir = tree_text(&[("proj/ngxlint.toml", "ignore = [\"SEC001\"]\n"), ("proj/deep/er/nginx.conf", SITE)]);
    let has_sec001 = |args: &[&str]| {
        let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "proj/deep/er"]).args(args), 0);
        out.contains("[SEC001]")
    };
    assert!(!has_sec001(&[]), "found upward from the input");
    assert!(has_sec001(&["--no-config"]));
    assert!(has_sec001(&["--ignore", "PRF"]), "--ignore replaces the file's list");
    // From inside the tree, and for standard input (found from the current directory).
    let out = stdout(ngxlint(&dir.path().join("proj/deep")).args(["check", "--format", "concise", "er/nginx.conf"]), 0);
    assert!(!out.contains("[SEC001]"), "{out}");
    let out = stdout(ngxlint(&dir.path().join("proj")).args(["check", "--format", "concise", "-"]).write_stdin(SITE), 0);
    assert!(!out.contains("[SEC001]"), "{out}");
    // --config names another file.
    write_text(dir.path(), &[("other.toml", "select = [\"PRF001\"]\n")]);
    let out = stdout(
        ngxlint(dir.path()).args(["check", "--format", "concise", "--config", "other.toml", "proj/deep/er"]),
        0,
    );
    assert_eq!(codes(&out), ["proj/deep/er/nginx.conf:1:1: info[PRF001]"], "{out}");
    ngxlint(dir.path())
        .args(["check", "--config", "none.toml", "proj/deep/er"])
        .assert()
        .code(2)
        .stderr("ngxlint: cannot read \"none.toml\": No such file or directory\n");
    ngxlint(dir.path()).args(["check", "--config", "other.toml", "--no-config", "proj"]).assert().code(2);
}

#[test]
fn config_keys_set_the_analysis_and_the_threshold() {
    let dir = tree_text(&[(
        "ngxlint.toml",
        r#"# every analysis key
select = ["SEC", "PRF001"]
ignore = ["SEC020"]
nginx_version = "1.22"
profile = "plain"
modules = ["http_ssl"]
includes_from_environment = true
prefix = "conf"

[severity]
SEC001 = "warning"

[check]
fail_on = "warning"
"#,
    )]);
    write_text(
        dir.path(),
        &[
            ("main.conf", "events {}\nhttp {\n    server_tokens on;\n    include snippets/x.conf;\n    include missing.conf;\n}\n"),
            ("conf/snippets/x.conf", "server { listen 80; http2 on; }\n"),
        ],
    );
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "main.conf"]), 1);
    // prefix: snippets/ resolve under conf/; 1.22 has no `http2` directive; the missing include
    // is the environment's; SEC001 raised to a warning, which fails with fail_on = "warning".
    assert!(out.contains("conf/snippets/x.conf:1:21: error[NGX101] unknown directive \"http2\""), "{out}");
    assert!(out.contains("main.conf:3:5: warning[SEC001]"), "{out}");
    assert!(out.contains("info[NGX006]"), "{out}");
    assert!(!out.contains("SEC020") && !out.contains("PRF002"), "{out}");
    // The command line wins.
    let out = stdout(
        ngxlint(dir.path()).args([
            "check", "--format", "concise", "--nginx-version", "latest", "--profile", "debian", "--fail-on", "error", "main.conf",
        ]),
        0,
    );
    assert!(!out.contains("NGX101"), "{out}");
    ngxlint(dir.path()).args(["check", "--exit-zero", "main.conf"]).assert().code(0);
}

#[test]
fn config_errors_point_at_the_spot() {
    let dir = tree_text(&[("nginx.conf", EVENTS)]);
    let cases: &[(&str, &str)] = &[
        ("select = [\"SEC\"]\nselet = [\"SEC\"]\n", "ngxlint.toml:2:1: unknown field `selet`, expected one of `select`, `ignore`"),
        ("ignore = [\"SEC001\", \"SEC999\"]\n", "ngxlint.toml:1:21: unknown rule \"SEC999\" in ignore"),
        ("[severity]\nSEC001 = \"error\"\n", "ngxlint.toml:2:10: invalid severity \"error\" for SEC001"),
        ("[severity]\nNOPE = \"off\"\n", "ngxlint.toml:2:1: unknown rule \"NOPE\" in severity"),
        ("nginx_version = \"1.18\"\n", "ngxlint.toml:1:17: unknown nginx version \"1.18\""),
        ("profile = \"fedora\"\n", "ngxlint.toml:1:11: unknown profile \"fedora\""),
        ("modules = [\"nope\"]\n", "ngxlint.toml:1:12: unknown module"),
        ("[check]\nfail_on = \"fatal\"\n", "ngxlint.toml:2:11: unknown variant `fatal`, expected one of `error`, `warning`, `info`"),
        ("[risk.thresholds]\nhihg = 3\n", "ngxlint.toml:2:1: unknown field `hihg`"),
        ("[root]\n\"etc/nginx\" = \"x\"\n", "ngxlint.toml:2:1: invalid root \"etc/nginx="),
        ("mount = \"etc\"\n", "ngxlint.toml:1:9: invalid mount \"etc\""),
        ("[[overrides]]\npaths = [\"a/[b.conf\"]\n", "ngxlint.toml:2:10: invalid glob \"a/[b.conf\""),
        ("[[overrides]]\nignore = [\"SEC001\"]\n", "ngxlint.toml:1:1: missing field `paths`"),
        ("select = [\"SEC\"\n", "ngxlint.toml:1:"),
    ];
    for (text, message) in cases {
        fs::write(dir.path().join("ngxlint.toml"), text).unwrap();
        let out = ngxlint(dir.path()).args(["check", "nginx.conf"]).assert().code(2).get_output().clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with(&format!("ngxlint: invalid configuration file {message}")), "{text}\n{err}");
        // miette's snippet shows the line.
        let line_no: usize = message.split(':').nth(1).unwrap().parse().unwrap();
        let line = text.lines().nth(line_no - 1).unwrap();
        assert!(err.contains(&format!("{line_no} │ {line}")), "{text}\n{err}");
        assert!(out.stdout.is_empty(), "nothing is checked with a broken configuration file");
    }
    fs::write(dir.path().join("ngxlint.toml"), b"select = [\"\xff\"]\n").unwrap();
    ngxlint(dir.path())
        .args(["check", "nginx.conf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ngxlint.toml:1:12: the configuration file is not valid UTF-8"));
    // Unknown rules on the command line are usage errors too.
    fs::remove_file(dir.path().join("ngxlint.toml")).unwrap();
    ngxlint(dir.path())
        .args(["check", "--select", "SEC999", "nginx.conf"])
        .assert()
        .code(2)
        .stderr("ngxlint: unknown rule selector(s): SEC999 (see `ngxlint rules`)\n");
}

#[test]
fn per_path_overrides_apply_to_the_files_they_match() {
    let site = |tokens: &str| format!("server {{\n    listen 80;\n    server_tokens {tokens};\n}}\n");
    let dir = tree_text(&[
        (
            "ngxlint.toml",
            "[root]\n\"/srv/ngxlint-test/nginx\" = \"etc/nginx\"\n\n[[overrides]]\npaths = [\"etc/nginx/sites-enabled/legacy-*.conf\"]\nignore = [\"SEC001\"]\n\n[[overrides]]\npaths = [\"new-*.conf\"]\nseverity = { SEC001 = \"warning\" }\n",
        ),
        (
            "etc/nginx/nginx.conf",
            "events {}\nhttp {\n    server_tokens off;\n    include /srv/ngxlint-test/nginx/sites-enabled/*.conf;\n}\n",
        ),
        ("etc/nginx/sites-enabled/legacy-a.conf", &site("on")),
        ("etc/nginx/sites-enabled/new-b.conf", &site("on")),
        ("etc/nginx/sites-enabled/other.conf", &site("on")),
    ]);
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "--select", "SEC001", "etc/nginx"]), 0);
    assert_eq!(
        codes(&out),
        ["etc/nginx/sites-enabled/new-b.conf:3:5: warning[SEC001]", "etc/nginx/sites-enabled/other.conf:3:5: info[SEC001]"],
        "{out}"
    );
    // The same files in an nginx -T dump: paths below the configuration's directory match.
    let mut dump = String::new();
    for f in ["nginx.conf", "sites-enabled/legacy-a.conf", "sites-enabled/new-b.conf"] {
        let text = fs::read_to_string(dir.path().join("etc/nginx").join(f)).unwrap();
        dump.push_str(&format!("# configuration file /srv/ngxlint-test/nginx/{f}:\n{text}\n"));
    }
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "--select", "SEC001", "-"]).write_stdin(dump), 0);
    assert_eq!(codes(&out), ["/srv/ngxlint-test/nginx/sites-enabled/new-b.conf:3:5: warning[SEC001]"], "{out}");
}

// ---- --fix and --diff ----------------------------------------------------------------------------

/// SEC019's fix is safe (error_log off -> /dev/null); PRF001's (worker_processes auto) unsafe.
const FIXABLE: &str = "events {}\nhttp {\n    server_tokens off;\n    error_log off;\n}\n";

#[test]
fn diff_previews_what_fix_writes_and_the_recheck_reports_what_remains() {
    let dir = tree_text(&[("conf/nginx.conf", FIXABLE), ("conf/ro.conf", FIXABLE)]);
    let before = fs::read_to_string(dir.path().join("conf/nginx.conf")).unwrap();
    let diff = ngxlint(dir.path())
        .args(["check", "--diff", "conf/nginx.conf"])
        .assert()
        .code(0)
        .stderr("ngxlint: would fix 1 finding in 1 file; 1 more with --unsafe-fixes\n")
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(diff).unwrap(),
        "--- a/conf/nginx.conf\n+++ b/conf/nginx.conf\n@@ -1,5 +1,5 @@\n events {}\n http {\n     server_tokens off;\n-    error_log off;\n+    error_log /dev/null;\n }\n"
    );
    assert_eq!(fs::read_to_string(dir.path().join("conf/nginx.conf")).unwrap(), before, "--diff writes nothing");

    let out = ngxlint(dir.path())
        .args(["check", "--fix", "--format", "concise", "conf/nginx.conf"])
        .assert()
        .code(0)
        .stderr("ngxlint: fixed 1 finding in 1 file; 1 more with --unsafe-fixes\n")
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(codes(&out), ["conf/nginx.conf:1:1: info[PRF001]"], "only what remains: {out}");
    assert_eq!(
        fs::read_to_string(dir.path().join("conf/nginx.conf")).unwrap(),
        FIXABLE.replace("error_log off", "error_log /dev/null")
    );
    // Unsafe fixes on request; a second run has nothing left to fix.
    ngxlint(dir.path()).args(["check", "--fix", "--unsafe-fixes", "conf/nginx.conf"]).assert().code(0);
    assert!(fs::read_to_string(dir.path().join("conf/nginx.conf")).unwrap().starts_with("worker_processes auto;\nevents {}\n"));
    ngxlint(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "conf/nginx.conf"])
        .assert()
        .code(0)
        .stderr("ngxlint: fixed 0 findings in 0 files\n");
    // Untouched: the file nobody asked to fix.
    assert_eq!(fs::read_to_string(dir.path().join("conf/ro.conf")).unwrap(), FIXABLE);
}

#[test]
fn overlapping_fixes_leave_the_file_untouched() {
    // PRF001 and AVL003 both insert their directive before the first one.
    let text = "events {\n    worker_connections 4096;\n}\nhttp {\n    error_log off;\n}\n";
    let dir = tree_text(&[("o.conf", text)]);
    ngxlint(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "o.conf"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "ngxlint: warning: not fixing \"o.conf\": the AVL003 and PRF001 fixes overlap at line 1",
        ))
        .stderr(predicate::str::contains("fixed 0 findings in 0 files"));
    assert_eq!(fs::read_to_string(dir.path().join("o.conf")).unwrap(), text);
    // Without the unsafe ones there is no overlap.
    ngxlint(dir.path()).args(["check", "--fix", "o.conf"]).assert().code(0).stderr("ngxlint: fixed 1 finding in 1 file; 2 more with --unsafe-fixes\n");
}

#[test]
fn standard_input_is_shown_but_never_written() {
    let dir = tree_text(&[]);
    ngxlint(dir.path())
        .args(["check", "--diff", "-"])
        .write_stdin(FIXABLE)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("--- a/<stdin>\n+++ b/<stdin>\n"));
    ngxlint(dir.path())
        .args(["check", "--fix", "-"])
        .write_stdin(FIXABLE)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("not fixing \"<stdin>\": it is not a file on disk"));
}

#[test]
fn fixes_reach_included_files_through_path_maps() {
    let dir = tree_text(&[
        ("etc/nginx.conf", "events {}\nhttp {\n    server_tokens off;\n    include /srv/ngxlint-test/x/*.conf;\n}\n"),
        ("etc/inc/a.conf", "error_log off;\n"),
    ]);
    ngxlint(dir.path())
        .args(["check", "--fix", "--root", "/srv/ngxlint-test/x=etc/inc", "etc/nginx.conf"])
        .assert()
        .code(0)
        .stderr("ngxlint: fixed 1 finding in 1 file; 1 more with --unsafe-fixes\n");
    assert_eq!(fs::read_to_string(dir.path().join("etc/inc/a.conf")).unwrap(), "error_log /dev/null;\n");
}

#[test]
fn unsafe_fixes_need_fix_or_diff() {
    ngxlint(&std::env::temp_dir())
        .args(["check", "--unsafe-fixes", "x.conf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fix"));
}

// ---- exit statuses -------------------------------------------------------------------------------

#[test]
fn fail_on_and_exit_zero() {
    // A warning (SEC019) and a note (PRF001), no error.
    let dir = tree_text(&[("w.conf", FIXABLE), ("e.conf", "events {}\nhttp { listen 80; }\n")]);
    let status = |args: &[&str]| ngxlint(dir.path()).arg("check").args(args).output().unwrap().status.code().unwrap();
    assert_eq!(status(&["w.conf"]), 0, "default: errors only");
    assert_eq!(status(&["--fail-on", "error", "w.conf"]), 0);
    assert_eq!(status(&["--fail-on", "warning", "w.conf"]), 1);
    assert_eq!(status(&["--fail-on", "info", "--ignore", "SEC019", "w.conf"]), 1);
    assert_eq!(status(&["--fail-on", "warning", "--ignore", "SEC019", "w.conf"]), 0);
    assert_eq!(status(&["e.conf"]), 1);
    assert_eq!(status(&["--exit-zero", "e.conf"]), 0);
    assert_eq!(status(&["--exit-zero", "--fail-on", "info", "w.conf", "e.conf"]), 0);
    assert_eq!(status(&["--fail-on", "fatal", "w.conf"]), 2);
    assert_eq!(status(&["--exit-zero", "e.conf", "missing.conf"]), 2);
}

// ---- diff with settings and path maps ----------------------------------------------------------

const ABS_MAIN: &str = "events {}\nhttp {\n    include /srv/ngxlint-test/nginx/conf.d/*.conf;\n}\n";
const ABS_SITE: &str = "server {\n    listen 80;\n    server_name example.com;\n    location / {\n        root /srv/www;\n    }\n}\n";

/// base/etc/nginx (what runs) and head/etc/nginx (the change: the site moves to port 8080),
/// both written for /srv/ngxlint-test/nginx.
fn two_checkouts() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (side, site) in [("base", ABS_SITE.to_string()), ("head", ABS_SITE.replace("listen 80;", "listen 8080;"))] {
        write_text(
            &dir.path().join(side),
            &[("etc/nginx/nginx.conf", ABS_MAIN), ("etc/nginx/conf.d/site.conf", &site)],
        );
    }
    dir
}

fn level(dir: &Path, args: &[&str], code: i32) -> String {
    let v = json(ngxlint(dir).args(["diff", "--format", "json"]).args(args), code);
    v["level"].as_str().unwrap().to_string()
}

#[test]
fn diff_mounts_each_side_at_the_path_nginx_sees() {
    let dir = two_checkouts();
    let sides = ["base/etc/nginx", "head/etc/nginx"];
    // Unmapped, the absolute include reads nothing on either side: no change seen.
    assert_eq!(level(dir.path(), &sides, 0), "low");
    let mounted = [&sides[..], &["--mount", "/srv/ngxlint-test/nginx"]].concat();
    assert_eq!(level(dir.path(), &mounted, 1), "critical");
    // Findings name the files on disk, side by side.
    let v = json(ngxlint(dir.path()).args(["diff", "--format", "json"]).args(&mounted), 1);
    let at = v["findings"][0]["before_at"]["file"].as_str().unwrap_or_default().to_string()
        + " "
        + v["findings"][0]["after_at"]["file"].as_str().unwrap_or_default();
    assert!(at.contains("base/etc/nginx/conf.d/site.conf") || at.contains("head/etc/nginx/conf.d/site.conf"), "{v}");
    // The same from the change's ngxlint.toml, with its threshold and risk policy.
    write_text(dir.path(), &[("head/ngxlint.toml", "mount = \"/srv/ngxlint-test/nginx\"\n[diff]\nfail_on = \"critical\"\n")]);
    assert_eq!(level(dir.path(), &sides, 1), "critical");
    assert_eq!(level(dir.path(), &[&sides[..], &["--fail-on", "low"]].concat(), 1), "critical");
    write_text(
        dir.path(),
        &[(
            "head/ngxlint.toml",
            "mount = \"/srv/ngxlint-test/nginx\"\n[diff]\nfail_on = \"critical\"\n[risk]\nthresholds = { medium = 97, high = 98, critical = 101 }\n",
        )],
    );
    assert_eq!(level(dir.path(), &sides, 0), "high");
    // --policy replaces the file's [risk].
    write_text(dir.path(), &[("policy.json", "{}")]);
    assert_eq!(level(dir.path(), &[&sides[..], &["--policy", "policy.json"]].concat(), 1), "critical");
    // A broken configuration file stops diff too.
    write_text(dir.path(), &[("head/ngxlint.toml", "[diff]\nfail_on = \"severe\"\n")]);
    ngxlint(dir.path())
        .args(["diff"])
        .args(sides)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("head/ngxlint.toml:2:11: unknown variant `severe`"));
}

#[test]
fn diff_with_a_mount_still_blocks_a_typo_in_a_new_include() {
    let dir = two_checkouts();
    // The change adds a relative include with a typo: nginx would refuse it.
    let head = dir.path().join("head/etc/nginx/nginx.conf");
    fs::write(&head, ABS_MAIN.replace("http {\n", "http {\n    include snipets/ssl.conf;\n")).unwrap();
    fs::write(dir.path().join("head/etc/nginx/conf.d/site.conf"), ABS_SITE).unwrap();
    let v = json(
        ngxlint(dir.path()).args(["diff", "--format", "json", "--mount", "/srv/ngxlint-test/nginx", "base/etc/nginx", "head/etc/nginx"]),
        1,
    );
    assert_eq!((v["level"].as_str(), v["blocking"].as_bool()), (Some("critical"), Some(true)), "{v}");
    let first = v["after"]["first_error"]["message"].as_str().unwrap_or_default();
    assert_eq!(first, "open() \"/srv/ngxlint-test/nginx/snipets/ssl.conf\" failed (2: No such file or directory)", "{v}");
}

// ---- the CI recipes (examples/ci, .pre-commit-hooks.yaml), run for real --------------------------

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The block of lines under `key` (a `run: |` or `- |` scalar, or a `script:` list), dedented.
fn yaml_block(text: &str, after: &str, key: &str) -> String {
    let start = text.find(after).unwrap_or_else(|| panic!("no {after:?}"));
    let mut lines = text[start..].lines().skip_while(|l| !l.trim_start().starts_with(key));
    let head = lines.next().unwrap();
    let indent = head.len() - head.trim_start().len();
    let body: Vec<&str> = lines.take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent).collect();
    let cut = body.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    body.iter().map(|l| l.get(cut..).unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository whose etc/nginx is written for /etc/nginx; the working tree moves the site to
/// port 8080 (critical: port 80 is left closed). Returns the directory and the base commit.
fn ci_repo() -> (TempDir, String) {
    let dir = tree_text(&[
        ("etc/nginx/nginx.conf", "events {}\nhttp {\n    server_tokens off;\n    include /etc/nginx/conf.d/*.conf;\n}\n"),
        ("etc/nginx/conf.d/site.conf", ABS_SITE),
        // Every command run in the repository (pre-commit, an editor) reads /etc/nginx from here;
        // the CI recipes' --mount maps each side of a diff to its own tree before this.
        ("ngxlint.toml", "[root]\n\"/etc/nginx\" = \"etc/nginx\"\n\n[check]\nfail_on = \"error\"\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "base"]);
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    write_text(dir.path(), &[("etc/nginx/conf.d/site.conf", &ABS_SITE.replace("listen 80;", "listen 8080;"))]);
    git(dir.path(), &["commit", "-qam", "change"]);
    (dir, base)
}

fn shell(dir: &Path, script: &str, env: &[(&str, &str)]) -> std::process::Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ngxlint")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = std::process::Command::new("bash");
    cmd.current_dir(dir).arg("-c").arg(script).env("PATH", path).env_remove("GITHUB_ACTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn the_github_workflow_checks_and_gates_a_risky_pull_request() {
    let workflow = fs::read_to_string(repo().join("examples/ci/github-workflow.yml")).unwrap();
    let (dir, base) = ci_repo();
    let runner = tempfile::tempdir().unwrap();
    let summary = runner.path().join("summary.md");
    let env = [
        ("CONF", "etc/nginx"),
        ("INSTALLED_AT", "/etc/nginx"),
        ("RUNNER_TEMP", runner.path().to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    // The check step's one-line `run:`.
    let at = workflow.find("- name: Check\n").unwrap();
    let check = workflow[at..].lines().find_map(|l| l.trim().strip_prefix("run: ")).unwrap().to_string();
    assert!(check.starts_with("ngxlint check"), "{check}");
    let out = shell(dir.path(), &check, &env);
    assert_eq!(out.status.code(), Some(0), "{check}\n{}", String::from_utf8_lossy(&out.stderr));

    let script = yaml_block(&workflow, "- name: Risk of the change", "run: |")
        .replace("${{ github.event.pull_request.base.sha }}", &base);
    let out = shell(dir.path(), &script, &env);
    assert_eq!(out.status.code(), Some(1), "{script}\n{}", String::from_utf8_lossy(&out.stderr));
    let report = fs::read_to_string(&summary).unwrap();
    assert!(report.starts_with("risk: CRITICAL"), "{report}");
    assert!(report.contains("listen-removed"), "{report}");
}

#[test]
fn the_gitlab_job_checks_and_gates_a_risky_merge_request() {
    let job = fs::read_to_string(repo().join("examples/ci/gitlab-ci.yml")).unwrap();
    let (dir, base) = ci_repo();
    let script = yaml_block(&job, "ngxlint:\n", "script:");
    // The list items, each run as the job runs them (in order, stopping at the first failure).
    let mut items: Vec<String> = Vec::new();
    for line in script.lines().filter(|l| !l.starts_with('#')) {
        match line.strip_prefix("- ") {
            Some(item) => items.push(item.trim_start_matches('|').trim().to_string()),
            None => {
                let last = items.last_mut().unwrap();
                last.push('\n');
                last.push_str(line.strip_prefix("  ").unwrap_or(line));
            }
        }
    }
    assert_eq!(items.len(), 3, "{script}");
    let env = [("CONF", "etc/nginx"), ("INSTALLED_AT", "/etc/nginx"), ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str())];
    let codes: Vec<Option<i32>> = items.iter().map(|s| shell(dir.path(), &format!("set -e\n{s}"), &env).status.code()).collect();
    assert_eq!(codes, [Some(0), Some(0), Some(1)], "{items:#?}");
    let junit = fs::read_to_string(dir.path().join("ngxlint-junit.xml")).unwrap();
    assert!(junit.starts_with("<?xml"), "{junit}");
}

#[test]
fn the_pre_commit_hooks_run() {
    let hooks = fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let field = |id: &str, key: &str| {
        let start = hooks.find(&format!("\n- id: {id}\n")).unwrap();
        let line = hooks[start..].lines().find(|l| l.trim_start().starts_with(&format!("{key}:"))).unwrap();
        line.split_once(':').unwrap().1.trim().to_string()
    };
    assert_eq!(field("ngxlint-check", "args"), "[\".\"]");
    assert_eq!(field("ngxlint-check", "pass_filenames"), "false");
    let (dir, _) = ci_repo();
    let check = format!("{} .", field("ngxlint-check", "entry"));
    let out = shell(dir.path(), &check, &[]);
    assert_eq!(out.status.code(), Some(0), "{check}: {}", String::from_utf8_lossy(&out.stdout));
    write_text(dir.path(), &[("etc/nginx/conf.d/bad.conf", "server { listen 81 }\n")]);
    assert_eq!(shell(dir.path(), &check, &[]).status.code(), Some(1));
    // fmt gets the changed files.
    let fmt = format!("{} etc/nginx/conf.d/site.conf", field("ngxlint-fmt", "entry"));
    write_text(dir.path(), &[("etc/nginx/conf.d/site.conf", "server {\nlisten 80;\n}\n")]);
    let out = shell(dir.path(), &fmt, &[]);
    assert_eq!(out.status.code(), Some(0), "{fmt}: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(fs::read_to_string(dir.path().join("etc/nginx/conf.d/site.conf")).unwrap(), "server {\n    listen 80;\n}\n");
}

#[test]
fn the_readme_example_configuration_is_valid_and_applies() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme.find("```toml\n# ngxlint.toml").expect("the README's ngxlint.toml example") + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = tree_text(&[("ngxlint.toml", example), ("etc/nginx/nginx.conf", &SITE.replace("http {", "http {\n    error_log off;"))]);
    // [check] fail_on = "warning": SEC019 (a warning) fails the check; the command line wins.
    let out = stdout(ngxlint(dir.path()).args(["check", "--format", "concise", "etc/nginx"]), 1);
    assert!(out.contains("warning[SEC019]"), "{out}");
    ngxlint(dir.path()).args(["check", "--fail-on", "error", "etc/nginx"]).assert().code(0);
}
