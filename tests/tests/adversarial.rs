//! Generated adversarial inputs: absurd nesting, huge lines, random bytes, every byte value,
//! invalid UTF-8 everywhere, include cycles and include fan-out. Every input must come back from
//! parse(), analyze() and format() (no panic, no stack overflow: tests run on the test harness's
//! 2 MiB thread stacks), with diagnostics whose spans lie inside their files, a tree that prints
//! back to the input byte for byte, and a formatter that is idempotent and keeps the directives.
//! No timing assertions; inputs are generated with a fixed-seed xorshift, so runs are
//! reproducible.

use ngxlint::report::{concise, json, miette_report};
use ngxlint::syntax::{self, MAX_DEPTH};
use ngxlint::{analyze, Analysis, FormatOptions, Options, Severity, SourceSet};
use ngxlint_tests::*;

/// What every input must satisfy. Returns the analysis for further checks.
fn robust(name: &str, src: &[u8], opts: &Options) -> Analysis {
    let doc = parse_bytes(src);
    for e in &doc.errors {
        assert!(
            e.span.start <= e.span.end && e.span.end as usize <= src.len(),
            "{name}: syntax error span {}..{} outside {} bytes ({})",
            e.span.start,
            e.span.end,
            src.len(),
            e.message
        );
    }
    let mut walked = 0;
    doc.walk(|_, _| walked += 1);
    assert_eq!(doc.directive_count(), walked, "{name}: the parser's directive count disagrees with a walk of its tree");
    let printed = syntax::print(&doc, src);
    assert!(printed == src, "{name}: print(parse(x)) != x ({} vs {} bytes)", printed.len(), src.len());
    if doc.errors.is_empty() {
        let gaps = syntax::uncovered(&doc, src);
        assert!(gaps.is_empty(), "{name}: error-free but {} uncovered range(s), first {:?}", gaps.len(), gaps[0]);
    }
    format_checks(name, src, doc.errors.is_empty());

    let mut files = SourceSet::new();
    let id = files.add(name, src);
    let analysis = analyze(&files, id, opts);
    if let Err(e) = check_spans(&files, analysis.diagnostics()) {
        panic!("{name}: {e}");
    }
    let has_syntax = analysis.diagnostics().iter().any(|d| d.code == SYNTAX && d.span.file == id);
    assert_eq!(
        has_syntax,
        doc.errors.iter().any(|e| !e.limit),
        "{name}: analyze() and parse() disagree on syntax errors"
    );
    render_all(&files, &analysis);
    analysis
}

/// format(x) is refused exactly when x has errors; otherwise it is idempotent and keeps the
/// (depth, name, args) sequence and the Lua bodies.
fn format_checks(name: &str, src: &[u8], error_free: bool) {
    let opts = FormatOptions::default();
    match ngxlint::format(src, &opts) {
        Err(errs) => assert!(!error_free && !errs.is_empty(), "{name}: format refused an error-free file"),
        Ok(once) => {
            assert!(error_free, "{name}: formatted a file with errors");
            let after = parse_bytes(&once);
            assert!(after.errors.is_empty(), "{name}: fmt(x) has errors: {:?}", after.errors[0].message);
            let before = parse_bytes(src);
            assert!(shape(&before, src) == shape(&after, &once), "{name}: formatting changed the directives");
            assert!(lua_bodies(&before, src) == lua_bodies(&after, &once), "{name}: formatting changed Lua bodies");
            assert!(comments(&before, src) == comments(&after, &once), "{name}: formatting changed comments");
            let twice = ngxlint::format(&once, &opts).expect("fmt(x) parses");
            assert!(twice == once, "{name}: fmt(fmt(x)) != fmt(x)");
        }
    }
}

/// Every rendering of the diagnostics works on whatever bytes the files hold.
fn render_all(files: &SourceSet, a: &Analysis) {
    let _ = concise::render(files, a.diagnostics());
    let report = json::report(files, a.diagnostics());
    serde_json::to_string(&report).expect("JSON report serialises");
    for d in a.diagnostics().iter().take(50) {
        let _ = miette_report::Report::new(files, d);
        let _ = d.nginx_message(files);
    }
}

fn codes(a: &Analysis) -> Vec<&'static str> {
    a.diagnostics().iter().map(|d| d.code).collect()
}

fn max_depth(src: &[u8]) -> usize {
    let mut max = 0;
    parse_bytes(src).walk(|_, d| max = max.max(d));
    max
}

// ---------------------------------------------------------------------------------------------
// Nesting

const DEEP: usize = 1_000_000;

fn deep_checks(name: &str, src: &[u8], closed: bool) {
    let doc = parse_bytes(src);
    let limits: Vec<_> = doc.errors.iter().filter(|e| e.limit).collect();
    assert_eq!(limits.len(), 1, "{name}: one depth-limit diagnostic expected, got {:?}", doc.errors);
    assert!(limits[0].message.contains("nested too deeply"), "{name}: {:?}", limits[0].message);
    let eof = doc.errors.iter().any(|e| e.message == "unexpected end of file, expecting \"}\"");
    assert_eq!(eof, !closed, "{name}: end-of-file error {:?}", doc.errors);
    assert!(max_depth(src) <= MAX_DEPTH, "{name}: tree deeper than the limit");
    drop(doc);
    for opts in [Options::default(), Options::context(["http", "server", "location"])] {
        let a = robust(name, src, &opts);
        let limit = a.diagnostics().iter().find(|d| d.code == "NGX004").expect("NGX004 for the depth limit");
        assert_eq!(limit.severity, Severity::Warning);
    }
    let errs = ngxlint::format(src, &FormatOptions::default()).expect_err("format refuses too-deep input");
    assert!(errs.iter().any(|e| e.limit), "{name}: format's errors lack the depth limit");
}

#[test]
fn a_million_nested_blocks() {
    let open = "a {".repeat(DEEP);
    deep_checks("open.conf", open.as_bytes(), false);
    let closed = format!("{open}{}", "}".repeat(DEEP));
    drop(open);
    deep_checks("closed.conf", closed.as_bytes(), true);
    eprintln!("adversarial: {DEEP}-deep nesting, {} bytes closed: parse/analyze/format returned", closed.len());
}

#[test]
fn a_million_nested_anonymous_and_glued_blocks() {
    // `{` with no directive name (orphan blocks) and glued `a{`.
    let anon = "{".repeat(DEEP);
    let doc = parse_bytes(anon.as_bytes());
    assert!(doc.errors.iter().any(|e| e.limit));
    assert!(doc.errors.iter().any(|e| e.message == "unexpected \"{\""));
    robust("anon.conf", anon.as_bytes(), &Options::default());
    let glued = format!("{}{}", "a{".repeat(DEEP), "}".repeat(DEEP));
    deep_checks("glued.conf", glued.as_bytes(), true);
    // Inside a handler block (entries: every nested `{` is an error too).
    let map = format!("http {{ map $a $b {{ {} }}", "x {".repeat(DEEP));
    let doc = parse_bytes(map.as_bytes());
    assert!(doc.errors.iter().any(|e| e.limit));
    robust("map.conf", map.as_bytes(), &Options::default());
}

#[test]
fn a_million_braces_inside_a_lua_block() {
    let src = format!("location / {{ content_by_lua_block {}", "{".repeat(DEEP));
    let a = robust("lua-open.conf", src.as_bytes(), &Options::context(["http", "server"]));
    assert!(a.first_error().is_some(), "unclosed Lua block must be an error");
    let src = format!("location / {{ content_by_lua_block {}{} }}", "{".repeat(DEEP), "}".repeat(DEEP + 1));
    robust("lua-closed.conf", src.as_bytes(), &Options::context(["http", "server"]));
}

// ---------------------------------------------------------------------------------------------
// Huge lines

const HUGE: usize = 20 * 1024 * 1024;

#[test]
fn a_20_mb_line_of_arguments() {
    let mut src = b"gzip_types".to_vec();
    while src.len() < HUGE {
        src.extend_from_slice(b" text/x-a");
    }
    src.extend_from_slice(b";");
    let a = robust("args.conf", &src, &Options::context(["http"]));
    assert!(a.first_error().is_none(), "{:?}", a.first_error());
    let doc = parse_bytes(&src);
    assert_eq!(doc.directive_count(), 1);
    eprintln!("adversarial: one directive with {} arguments on a {} byte line", (src.len() - 11) / 9, src.len());
}

#[test]
fn a_20_mb_word_comment_and_quoted_string() {
    let word = [b"a ".as_slice(), &vec![b'w'; HUGE], b";"].concat();
    let a = robust("word.conf", &word, &Options::default());
    let first = a.first_error().expect("a 20 MB word is too long for nginx");
    assert!(first.message.starts_with("too long parameter \"wwwwwwwwww...\""), "{}", first.message);

    let comment = [b"#".as_slice(), &vec![b'c'; HUGE]].concat();
    let a = robust("comment.conf", &comment, &Options::default());
    let first = a.first_error().expect("a 20 MB comment is too long for nginx");
    assert!(first.message.starts_with("too long parameter \"#ccccccccc...\""), "{}", first.message);

    for q in [b'"', b'\''] {
        let quoted = [b"a ".as_slice(), &[q], &vec![b'q'; HUGE]].concat();
        let a = robust("quoted.conf", &quoted, &Options::default());
        let want = format!("too long parameter, probably missing terminating \"{}\" character", q as char);
        assert_eq!(a.first_error().map(|d| d.message.as_str()), Some(want.as_str()));
    }
}

/// The issue's size: one 100 MB line, as a word and as a comment.
#[test]
fn a_100_mb_single_line() {
    const LINE: usize = 100 * 1024 * 1024;
    let word = [b"a ".as_slice(), &vec![b'w'; LINE], b";"].concat();
    let a = robust("word.conf", &word, &Options::default());
    assert!(a.first_error().is_some_and(|d| d.message.starts_with("too long parameter")));
    drop(word);
    let comment = [b"events {}\n#".as_slice(), &vec![b'c'; LINE]].concat();
    let a = robust("comment.conf", &comment, &Options::default());
    assert!(a.first_error().is_some_and(|d| d.message.starts_with("too long parameter \"#ccccccccc...\"")));
}

fn many_directives_on_one_line(n: usize) {
    // Every one is an unknown directive: n diagnostics on one line, rendered in every format.
    let src = "x;".repeat(n);
    let a = robust("many.conf", src.as_bytes(), &Options::context(["http"]));
    assert!(!a.diagnostics().iter().any(|d| d.code == SYNTAX));
    assert_eq!(parse_bytes(src.as_bytes()).directive_count(), n);
}

#[test]
fn a_line_of_5_000_directives() {
    many_directives_on_one_line(5_000);
}

#[test]
fn a_line_of_200_000_directives() {
    many_directives_on_one_line(200_000);
}

// ---------------------------------------------------------------------------------------------
// Random bytes

#[test]
fn random_bytes() {
    let mut rng = XorShift::new(0x6e67_786c_696e_7421);
    let big = rng.bytes(1 << 20);
    robust("random-1mb.conf", &big, &Options::default());
    robust("random-1mb.conf", &big, &Options::context(["http", "server"]));
    for i in 0..300 {
        let n = rng.below(4096);
        let src = rng.bytes(n);
        robust(&format!("random-{i}.conf"), &src, &Options::default());
    }
}

#[test]
fn random_syntax_soup() {
    // Mostly the bytes the tokenizer cares about, so the parser's recovery paths are exercised.
    const ALPHABET: &[&[u8]] = &[
        b"{", b"}", b";", b"\"", b"'", b"\\", b"#", b"$", b"(", b")", b" ", b"\t", b"\n", b"\r\n", b"\r",
        b"a", b"location", b"if", b"map", b"types", b"content_by_lua_block", b"include", b"x.conf", b"\xff",
        b"\xc3\xa9", b"\0", b"--[[", b"]]", b"[==[", b"]==]", b"--", b"${", b"\\\n",
    ];
    let mut rng = XorShift::new(42);
    let mut error_free = 0;
    for i in 0..3000 {
        let parts = 1 + rng.below(60);
        let mut src = Vec::new();
        for _ in 0..parts {
            src.extend_from_slice(ALPHABET[rng.below(ALPHABET.len())]);
        }
        let name = format!("soup-{i}.conf");
        let a = robust(&name, &src, &Options::default());
        if !a.diagnostics().iter().any(|d| d.code == SYNTAX) {
            error_free += 1;
        }
    }
    eprintln!("adversarial: syntax soup: 3000 inputs, {error_free} without syntax errors (formatted and re-checked)");
    assert!(error_free > 0, "the soup never produced a valid file: the generator is too harsh");
}

/// A random but well-formed configuration: odd whitespace, comments between words, quoting and
/// escapes, glued braces, handler blocks and Lua blocks with braces in strings and comments.
fn random_config(rng: &mut XorShift, out: &mut Vec<u8>, depth: usize) {
    const NAMES: &[&[u8]] = &[b"a", b"location", b"server", b"if", b"set", b"return", b"x_y", b"\\gzip", b"\"q n\"", b"'s'"];
    const WORDS: &[&[u8]] = &[
        b"a", b"$v", b"${v}", b"/p/a/t/h", b"~^/x(\\d+)$", b"a\\;b", b"a\\\"b", b"a\\{b", b"(x)", b"\"a b\"",
        b"\"a\\\"b\"", b"\"{;}#\"", b"'c d'", b"'it\\'s'", b"\"\"", b"''", b"\"l1\nl2\"", b"\xc3\xa9", b"\xff",
        b"a#b", b"a}b",
    ];
    const SPACE: &[&[u8]] = &[b" ", b"  ", b"\t", b"\n", b"\r\n", b"\n\n\n\n", b" # note {;}\n", b"\n  # own line\n  "];
    const LUA: &[&[u8]] = &[
        b" ngx.say(\"}\") ",
        b"\n  local t = { a = '{', b = \"}\" }\n",
        b" -- } a comment\n",
        b" local s = [[ } ]] ",
        b" local s = [==[ ]] } ]==] ",
        b"",
    ];
    let pick = |rng: &mut XorShift, xs: &[&'static [u8]]| xs[rng.below(xs.len())];
    let n = rng.below(5) + usize::from(depth == 0);
    for _ in 0..n {
        out.extend_from_slice(pick(rng, SPACE));
        match rng.below(10) {
            0 if depth < 4 => {
                out.extend_from_slice(b"content_by_lua_block");
                out.extend_from_slice(pick(rng, SPACE));
                out.push(b'{');
                out.extend_from_slice(pick(rng, LUA));
                out.push(b'}');
            }
            1 => {
                out.extend_from_slice(b"map $a $b {");
                for _ in 0..rng.below(4) {
                    out.extend_from_slice(pick(rng, SPACE));
                    out.extend_from_slice(pick(rng, WORDS));
                    out.push(b' ');
                    out.extend_from_slice(pick(rng, WORDS));
                    out.push(b';');
                }
                out.extend_from_slice(pick(rng, SPACE));
                out.push(b'}');
            }
            _ => {
                out.extend_from_slice(pick(rng, NAMES));
                let mut last: &[u8] = b"";
                for _ in 0..rng.below(4) {
                    out.extend_from_slice(pick(rng, SPACE));
                    last = pick(rng, WORDS);
                    out.extend_from_slice(last);
                }
                if depth < 4 && rng.below(3) == 0 {
                    // `${` would start a variable name, not a block.
                    if rng.below(2) == 0 || last.ends_with(b"$") {
                        out.extend_from_slice(pick(rng, SPACE));
                    }
                    out.push(b'{');
                    random_config(rng, out, depth + 1);
                    out.extend_from_slice(pick(rng, SPACE));
                    out.push(b'}');
                } else {
                    if rng.below(2) == 0 {
                        out.extend_from_slice(pick(rng, SPACE));
                    }
                    out.push(b';');
                }
            }
        }
    }
    if depth == 0 && rng.below(2) == 0 {
        out.extend_from_slice(b"\n# trailing comment without newline");
    }
}

#[test]
fn random_well_formed_configs_format_and_round_trip() {
    let mut rng = XorShift::new(2024);
    let mut formatted = 0;
    let mut bytes = 0;
    for i in 0..2000 {
        let mut src = Vec::new();
        random_config(&mut rng, &mut src, 0);
        bytes += src.len();
        let name = format!("config-{i}.conf");
        let doc = parse_bytes(&src);
        assert!(
            doc.errors.is_empty(),
            "{name}: generated config has errors {:?}:\n{}",
            doc.errors.iter().map(|e| (&e.message, e.span.start)).collect::<Vec<_>>(),
            show(&src)
        );
        robust(&name, &src, &Options::context(["http", "server"]));
        formatted += 1;
    }
    eprintln!("adversarial: {formatted} random well-formed configs ({bytes} bytes) parsed, printed, formatted twice");
}

// ---------------------------------------------------------------------------------------------
// Every byte value

#[test]
fn all_256_byte_values() {
    let every: Vec<u8> = (0..=255u8).collect();
    robust("every.conf", &every, &Options::default());
    let mut rev = every.clone();
    rev.reverse();
    robust("every-rev.conf", &rev, &Options::default());
    let mut cases = 0;
    for b in 0..=255u8 {
        let c = [b];
        let variants: Vec<Vec<u8>> = vec![
            c.to_vec(),
            [b"na".as_slice(), &c, b"me arg;\n"].concat(),
            [b"name a".as_slice(), &c, b"g;\n"].concat(),
            [b"name \"".as_slice(), &c, b"\";\n"].concat(),
            [b"name '".as_slice(), &c, b"';\n"].concat(),
            [b"name \\".as_slice(), &c, b";\n"].concat(),
            [b"name \"a\"".as_slice(), &c, b";\n"].concat(),
            [b"# ".as_slice(), &c, b"\nname arg;\n"].concat(),
            [b"location / {".as_slice(), &c, b"}\n"].concat(),
            [b"content_by_lua_block {".as_slice(), &c, b"}\n"].concat(),
        ];
        for (i, v) in variants.iter().enumerate() {
            robust(&format!("byte-{b:02x}-{i}.conf"), v, &Options::context(["http", "server"]));
            cases += 1;
        }
    }
    eprintln!("adversarial: every byte value in {cases} positions");
}

// ---------------------------------------------------------------------------------------------
// Invalid UTF-8

#[test]
fn invalid_utf8_everywhere_keeps_spans_valid() {
    let bad: &[&[u8]] = &[b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf", b"\x80"];
    let mut n = 0;
    for (i, x) in bad.iter().enumerate() {
        let x = *x;
        let variants: Vec<Vec<u8>> = vec![
            [b"events {}\nna".as_slice(), x, b"me arg;\n"].concat(),
            [b"events {}\nname a".as_slice(), x, b"rg;\n"].concat(),
            [b"events {}\n# comment ".as_slice(), x, b"\nname arg;\n"].concat(),
            [b"events {}\nname \"".as_slice(), x, b"\" '".as_slice(), x, b"';\n"].concat(),
            [b"events {}\nhttp { server { location /".as_slice(), x, b" { return 200 ".as_slice(), x, b"; } } }\n"].concat(),
            [b"events {}\ninclude ".as_slice(), x, b".conf;\n"].concat(),
            [b"events {}\ninclude /etc/".as_slice(), x, b"/*.conf;\n"].concat(),
            [b"events {}\nname \"a\"".as_slice(), x, b";\n"].concat(),
            [b"events {}\n".as_slice(), x, b" {\n"].concat(),
            [b"events {}\nhttp { server { location / { content_by_lua_block { -- ".as_slice(), x, b"\n ngx.say('".as_slice(), x, b"') } } } }\n"].concat(),
            [b"events {}\nname arg;".as_slice(), x].concat(),
            [x, b"events {}\n".as_slice()].concat(),
            x.to_vec(),
            [x, x, x, b"\n", x, b"\r\n", x].concat(),
        ];
        for (j, v) in variants.iter().enumerate() {
            let name = format!("utf8-{i}-{j}.conf");
            let a = robust(&name, v, &Options::default());
            assert!(codes(&a).contains(&"NGX005"), "{name}: no invalid-UTF-8 note: {:?}", codes(&a));
            // The same bytes as a file name.
            let mut files = SourceSet::new();
            let path = String::from_utf8_lossy(&[b"dir/".as_slice(), x, b".conf"].concat()).into_owned();
            let id = files.add(path, v);
            let a = analyze(&files, id, &Options::default());
            check_spans(&files, a.diagnostics()).unwrap_or_else(|e| panic!("{name} (odd path): {e}"));
            render_all(&files, &a);
            n += 1;
        }
    }
    eprintln!("adversarial: invalid UTF-8 in {n} files (names, args, comments, quotes, includes, Lua)");
}

// ---------------------------------------------------------------------------------------------
// Includes

fn set(files: &[(&str, &str)]) -> SourceSet {
    let mut s = SourceSet::new();
    for (p, t) in files {
        s.add(*p, *t);
    }
    s
}

fn walk_count(a: &Analysis) -> usize {
    let mut n = 0;
    a.config().walk(|_, _, _| n += 1);
    n
}

fn cycle_checks(name: &str, files: &SourceSet, opts: &Options) -> Analysis {
    let a = analyze(files, ngxlint::FileId(0), opts);
    check_spans(files, a.diagnostics()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(codes(&a).contains(&"NGX003"), "{name}: no include-cycle diagnostic: {:?}", a.diagnostics());
    let n = walk_count(&a);
    assert!(n < 1000, "{name}: walk visited {n} directives");
    render_all(files, &a);
    a
}

#[test]
fn include_cycles_are_reported_and_analysis_returns() {
    let files = set(&[("/e/a.conf", "events {}\ninclude b.conf;\n"), ("/e/b.conf", "include a.conf;\nx;\n")]);
    cycle_checks("a->b->a", &files, &Options::default());

    let files = set(&[("/e/self.conf", "events {}\ninclude self.conf;\n")]);
    cycle_checks("self", &files, &Options::default());

    let files = set(&[("/e/self.conf", "events {}\ninclude /e/./self.conf;\n")]);
    cycle_checks("self via ./", &files, &Options::default());

    let files = set(&[
        ("/e/nginx.conf", "events {}\nhttp { include conf.d/*.conf; }\n"),
        ("/e/conf.d/a.conf", "server { include conf.d/*.conf; }\n"),
        ("/e/conf.d/b.conf", "server { listen 80; }\n"),
    ]);
    cycle_checks("glob including itself", &files, &Options::default());

    let files = set(&[("/e/main.conf", "events {}\ninclude *.conf;\n"), ("/e/other.conf", "x;\n")]);
    cycle_checks("main matched by its own glob", &files, &Options::default());

    let files = set(&[
        ("/e/m.map", "default 0;\ninclude m.map;\n"),
    ]);
    cycle_checks("cycle inside a map body", &files, &Options::context(["http", "map"]));

    // A longer ring: f0 -> f1 -> ... -> f99 -> f0.
    let mut ring = SourceSet::new();
    for i in 0..100 {
        ring.add(format!("/e/f{i}.conf"), format!("x{i};\ninclude f{}.conf;\n", (i + 1) % 100));
    }
    let a = cycle_checks("ring of 100", &ring, &Options::context(["http"]));
    assert_eq!(codes(&a).iter().filter(|c| **c == "NGX003").count(), 1);
}

#[test]
fn ten_thousand_files_through_one_glob() {
    const N: usize = 10_000;
    let mut files = SourceSet::new();
    // Each server opens its own socket: nginx needs a connection per socket, plus one.
    let main = files.add("/etc/nginx/nginx.conf", "events { worker_connections 20000; }\nhttp {\n    include conf.d/*.conf;\n}\n");
    for i in 0..N {
        files.add(format!("/etc/nginx/conf.d/site{i:05}.conf"), format!("server {{ listen {}; }}\n", 1000 + i));
    }
    let a = analyze(&files, main, &Options::default());
    check_spans(&files, a.diagnostics()).unwrap();
    assert!(a.first_error().is_none(), "{:?}", a.first_error());
    let inc = &a.config().includes[0];
    assert!(inc.glob);
    assert_eq!(inc.targets.len(), N);
    // nginx reads glob matches in sorted order.
    let paths: Vec<&str> = inc.targets.iter().map(|&t| files.path(a.config().docs[t].file)).collect();
    assert!(paths.windows(2).all(|w| w[0] < w[1]), "glob matches are not sorted");
    // events, worker_connections, http, include, then server + listen per file.
    assert_eq!(walk_count(&a), 4 + 2 * N);
    eprintln!("adversarial: {N} files through one glob: {} documents", a.config().docs.len());
}

#[test]
fn a_million_include_sites() {
    // One small file included a million times (as `include snippets/x.conf;` lines in generated
    // configs): every site is resolved and expanded, a repeated argument is resolved once.
    const N: usize = 1_000_000;
    let mut main = String::with_capacity(N * 16 + 200);
    main.push_str("events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n");
    for _ in 0..N {
        main.push_str("include x.conf;\n");
    }
    main.push_str("        }\n    }\n}\n");
    let mut files = SourceSet::new();
    let m = files.add("/etc/nginx/nginx.conf", main);
    files.add("/etc/nginx/x.conf", "add_header X-A 1;\n");
    let a = analyze(&files, m, &Options::default());
    check_spans(&files, a.diagnostics()).unwrap();
    assert!(a.first_error().is_none(), "{:?}", a.first_error());
    assert_eq!(a.config().includes.len(), N);
    assert_eq!(a.config().docs.len(), 2, "x.conf is parsed once");
    // events, http, server, listen, location, then each include and its add_header.
    assert_eq!(walk_count(&a), 5 + 2 * N);

    // The same missing file a thousand times: nginx's error at each site, in order.
    let mut main = String::from("events {}\nhttp {\n");
    for _ in 0..1000 {
        main.push_str("include missing.conf;\ninclude conf.d/*.conf;\n");
    }
    main.push_str("}\n");
    let files = set(&[("/etc/nginx/nginx.conf", &main), ("/etc/nginx/conf.d/a.conf", "map $uri $a { default 1; }\n")]);
    let a = analyze(&files, ngxlint::FileId(0), &Options::default());
    check_spans(&files, a.diagnostics()).unwrap();
    let missing: Vec<_> = a.diagnostics().iter().filter(|d| d.code == "NGX002").collect();
    assert_eq!(missing.len(), 1000, "{:?}", a.diagnostics().first());
    assert!(missing.windows(2).all(|w| w[0].span.start < w[1].span.start));
    // nginx points at the `;` of each `include missing.conf;` line.
    let src = files.bytes(ngxlint::FileId(0));
    let line_of = |d: &&ngxlint::Diagnostic| {
        let start = src[..d.span.start as usize].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
        &src[start..=d.span.start as usize]
    };
    assert!(missing.iter().all(|d| line_of(d) == b"include missing.conf;"), "{:?}", missing[1]);
    assert!(a.config().includes.iter().filter(|i| i.glob).all(|i| i.targets.len() == 1));
    eprintln!("adversarial: {N} include sites of one file, 1000 of a missing file and 1000 of a glob");
}

#[test]
fn exponential_include_fan_out_is_cut_for_every_walker() {
    // f0 includes f1 twice, f1 includes f2 twice, ... : 2^40 inclusions if followed. The cut is
    // made once, at resolution, so the check, the model, the rules and the diff all stop.
    let mut files = SourceSet::new();
    let main = files.add("/etc/nginx/nginx.conf", "events {}\nhttp {\n    server { listen 80; include f0.conf; }\n}\n");
    for i in 0..40 {
        files.add(format!("/etc/nginx/f{i}.conf"), format!("include f{}.conf;\ninclude f{}.conf;\n", i + 1, i + 1));
    }
    files.add("/etc/nginx/f40.conf", "add_header X-A 1;\n");
    let a = analyze(&files, main, &Options::default());
    check_spans(&files, a.diagnostics()).unwrap();
    assert!(codes(&a).contains(&"NGX004"), "{:?}", a.diagnostics());
    assert!(walk_count(&a) <= ngxlint::include::MAX_EXPANSION);
    render_all(&files, &a);
    let c = ngxlint::compare(&files, main, &files, main, &Default::default());
    assert!(c.changes().is_empty() && c.score() == 0, "{:?}", c.changes().first());
    eprintln!("adversarial: 2^40 include fan-out cut to {} directives", walk_count(&a));
}

fn include_chain(n: usize, last: &str) -> SourceSet {
    let mut files = SourceSet::new();
    for i in 0..n {
        let body = if i + 1 < n { format!("add_header X-F{i} v;\ninclude f{}.conf;\n", i + 1) } else { last.to_string() };
        files.add(format!("/c/f{i}.conf"), body);
    }
    files
}

#[test]
fn a_ten_thousand_file_include_chain() {
    // f0 includes f1 includes f2 ... : deep include nesting must not recurse without bound.
    const N: usize = 10_000;
    let files = include_chain(N, "add_header X-Last v;\n");
    let a = analyze(&files, ngxlint::FileId(0), &Options::context(["http"]));
    check_spans(&files, a.diagnostics()).unwrap();
    let bad: Vec<_> = a.diagnostics().iter().filter(|d| matches!(d.code, "NGX001" | "NGX002" | "NGX003")).collect();
    assert!(bad.is_empty(), "{:?}", bad.first());
    assert_eq!(a.config().docs.len(), N);
    let walked = walk_count(&a);
    assert!(walked < 2 * N);
    render_all(&files, &a);
    eprintln!("adversarial: {N}-file include chain: {} documents parsed, {walked} directives walked", a.config().docs.len());
}

#[test]
fn a_deep_include_chain_is_analysed_or_reported() {
    // nginx has no include depth limit (only open files): with 100 nested includes it still
    // reports `unknown directive "bogus_directive"` in the last file. ngxlint must either analyse
    // that far or say with NGX004 that it stopped.
    const N: usize = 100;
    let files = include_chain(N, "bogus_directive;\n");
    let last = files.lookup(&format!("/c/f{}.conf", N - 1)).unwrap();
    let a = analyze(&files, ngxlint::FileId(0), &Options::context(["http"]));
    let reported_last = a.diagnostics().iter().any(|d| d.span.file == last && d.severity == Severity::Error);
    let limit = codes(&a).contains(&"NGX004");
    assert!(reported_last || limit, "nothing reported for the last file and no NGX004: {:?}", a.diagnostics());
    let walked = walk_count(&a);
    assert!(walked == 2 * N - 1 || limit, "walk visited {walked} of {} directives without an NGX004", 2 * N - 1);
}

// ---------------------------------------------------------------------------------------------
// Pathological regexes: our own matching (routing, rules, risk) must not backtrack
// exponentially. regex-lite and regex-syntax are linear-time; these inputs would take PCRE-style
// backtracking engines ages.

#[test]
fn pathological_regexes_in_location_map_and_if() {
    let evil = "^(a+)+$";
    let conf = format!(
        "events {{}}\nhttp {{\n map $uri $m {{ ~(x+x+)+y 1; default 0; }}\n server {{ listen 80; server_name ~^(\\w+\\.)*(\\w+)*$;\n  if ($uri ~ \"(a|aa)+$\") {{ return 403; }}\n  location ~ {evil} {{ return 200; }}\n  location / {{ return 204; }}\n }}\n}}\n"
    );
    let mut files = SourceSet::new();
    let main = files.add("/etc/nginx/nginx.conf", conf.as_bytes());
    let a = analyze(&files, main, &Options::default());
    assert!(a.first_error().is_none(), "{:?}", a.first_error());
    // A long URI that makes backtracking engines explode on `^(a+)+$`.
    let uri = format!("/{}!", "a".repeat(50_000));
    let r = ngxlint::model::routing::route(a.model(), &ngxlint::model::routing::Request { addr: "*".into(), port: 80, host: "a".repeat(10_000), uri });
    assert!(r.server.is_some());
    // The risk engine flags the nested quantifier when it is added.
    let before = conf.replace(&format!("  location ~ {evil} {{ return 200; }}\n"), "");
    let mut fb = SourceSet::new();
    let mb = fb.add("/etc/nginx/nginx.conf", before.as_bytes());
    let c = ngxlint::compare(&fb, mb, &files, main, &ngxlint::CompareOptions::default());
    assert!(c.assessment().findings.iter().any(|f| f.rule == "regex-cost"), "{:?}", c.assessment().findings);
}

// ---------------------------------------------------------------------------------------------
// Wide configurations: the post-read checks (certificates per ssl socket, server names per
// socket, zones) look things up in sets; scanning lists made 40,000 servers take minutes.

#[test]
fn forty_thousand_servers_with_their_own_sockets_names_and_zones() {
    let n = 40_000;
    let mut conf = String::from("events {}\nhttp {\n");
    for i in 0..n {
        // Every server: its own ssl port and no certificate (nginx refuses the default server
        // of each ssl socket), its own name, and an undefined zone.
        conf.push_str(&format!(
            " server {{ listen {}  ssl; server_name s{i}.example; limit_req zone=z{i}; ssl_certificate_key k.pem; }}\n",
            10_000 + i
        ));
    }
    conf.push_str(" server { listen 80; server_name s0.example; }\n server { listen 80; server_name s0.example; }\n}\n");
    let a = robust("wide.conf", conf.as_bytes(), &Options::default());
    let count = |m: &str| a.diagnostics().iter().filter(|d| d.message.contains(m)).count();
    assert_eq!(count("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive"), n);
    assert_eq!(count("zero size shared memory zone"), n);
    assert_eq!(count("conflicting server name \"s0.example\" on 0.0.0.0:80"), 1);
}

#[test]
fn twenty_thousand_locations_regexes_and_suppressions_in_one_server() {
    let n = 20_000;
    let mut conf = String::from("events {}\nhttp {\n");
    // 20,000 log formats, the last one used.
    for i in 0..n {
        conf.push_str(&format!(" log_format f{i} '$remote_addr {i}';\n"));
    }
    conf.push_str(&format!(" access_log /var/log/a f{};\n", n - 1));
    // One server: distinct regex locations, one repeated pattern (shadowed), and suppressed
    // findings: each location drops the server's security header (SEC010), and says so.
    conf.push_str(" server { listen 80; server_name a.example; add_header X-Frame-Options DENY;\n");
    conf.push_str("  location ~ ^/dup/ { return 200; }\n");
    for i in 0..n {
        conf.push_str(&format!("  location ~ ^/r{i}/(.*)$ {{ return 200 $1; }}\n"));
        conf.push_str(&format!("  # ngxlint: ignore[SEC010] reviewed\n  location /s{i}/ {{ add_header X-A b; }}\n"));
    }
    conf.push_str("  location ~ ^/dup/ { return 204; }\n }\n");
    // Another server: a catch-all regex before 20,000 prefixes, each one shadowed (and each
    // proof cross-checked with the router).
    conf.push_str(" server { listen 80; server_name b.example;\n  location ~ ^/ { return 200; }\n");
    for i in 0..n {
        conf.push_str(&format!("  location /p{i} {{ return 204; }}\n"));
    }
    conf.push_str(" }\n}\n");
    let a = robust("locations.conf", conf.as_bytes(), &Options::default());
    let count = |code: &str| a.diagnostics().iter().filter(|d| d.code == code).count();
    assert_eq!(count("SEC010"), 0, "every SEC010 finding is suppressed");
    assert_eq!(count("LNT002"), 0, "every suppression is used");
    assert!(a.first_error().is_none(), "{:?}", a.first_error());
    let shadowed: Vec<&str> = a.diagnostics().iter().filter(|d| d.code == "AVL001").map(|d| d.message.as_str()).collect();
    assert_eq!(shadowed.len(), n + 1);
    assert_eq!(shadowed.iter().filter(|m| m.contains("has the same pattern")).count(), 1);
    assert_eq!(shadowed.iter().filter(|m| m.contains("regexes win over prefixes")).count(), n);
}

#[test]
fn diffing_twenty_thousand_servers_that_all_move_port() {
    // Every server moves from port 80 to 8080 (identity pairing fails for all of them: they
    // pair by name), and one server with 5,000 listens drops 10. Pairing, socket and
    // default-server questions must not be asked per pair.
    let n = 20_000;
    let side = |port: u16, skip: usize| {
        let mut conf = String::from("events {}\nhttp {\n");
        for i in 0..n {
            conf.push_str(&format!(" server {{ listen {port}; server_name h{i}.example; location / {{ return 200; }} }}\n"));
        }
        conf.push_str(" server { server_name many.example;\n");
        for p in skip..5_000 {
            conf.push_str(&format!("  listen {};\n", 20_000 + p));
        }
        conf.push_str(" }\n}\n");
        conf
    };
    let (before, after) = (side(80, 0), side(8080, 10));
    let mut fb = SourceSet::new();
    let mb = fb.add("/etc/nginx/nginx.conf", before.as_bytes());
    let mut fa = SourceSet::new();
    let ma = fa.add("/etc/nginx/nginx.conf", after.as_bytes());
    let c = ngxlint::compare(&fb, mb, &fa, ma, &ngxlint::CompareOptions::default());
    // Servers pair with themselves: no server removed or added.
    assert!(!c.changes().iter().any(|ch| ch.block && ch.directive == "server"), "servers were not paired");
    let messages: Vec<&str> = c.assessment().findings.iter().map(|f| f.message.as_str()).collect();
    let gone = messages.iter().find(|m| m.starts_with("nothing listens on 0.0.0.0:80 any more")).expect("port 80 is gone");
    assert!(gone.ends_with(&format!("and {} more servers)", n - 5)), "{gone}");
    assert!(messages.iter().any(|m| m.starts_with("new socket 0.0.0.0:8080")));
    assert_eq!(messages.iter().filter(|m| m.starts_with("nothing listens on 0.0.0.0:2000")).count(), 10);
}
