//! Properties over generated configurations (proptest): the tree prints back to the input byte
//! for byte, the formatter is idempotent, and the semantic diff sees nothing between a
//! configuration and itself or its formatted self (score exactly 0), deterministically.

use ngxlint::{compare, syntax, CompareOptions, FileId, FormatOptions, SourceSet};
use proptest::prelude::*;

/// A word as a user might write it: bare, single- or double-quoted (same value for nginx).
fn word(value: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![Just(value.to_string()), Just(format!("'{value}'")), Just(format!("\"{value}\""))]
}

/// Layout between tokens: spaces, tabs, newlines, comments.
fn gap() -> impl Strategy<Value = String> {
    prop_oneof![Just(" ".to_string()), Just("  ".to_string()), Just("\t".to_string()), Just("\n    ".to_string()), Just(" # note\n ".to_string())]
}

fn directive() -> impl Strategy<Value = String> {
    let simple = prop_oneof![
        (word("client_max_body_size"), word("10m")).prop_map(|(a, b)| vec![a, b]),
        (word("proxy_read_timeout"), word("60s")).prop_map(|(a, b)| vec![a, b]),
        (word("add_header"), word("X-Frame-Options"), word("DENY")).prop_map(|(a, b, c)| vec![a, b, c]),
        (word("allow"), word("10.0.0.0/8")).prop_map(|(a, b)| vec![a, b]),
        (word("deny"), word("all")).prop_map(|(a, b)| vec![a, b]),
        (word("root"), word("/srv/www")).prop_map(|(a, b)| vec![a, b]),
        (word("proxy_pass"), word("http://10.0.0.1:8080")).prop_map(|(a, b)| vec![a, b]),
        (word("gzip"), word("on")).prop_map(|(a, b)| vec![a, b]),
    ];
    (simple, gap()).prop_map(|(words, g)| format!("{};{g}", words.join(" ")))
}

fn location() -> impl Strategy<Value = String> {
    let pattern = prop_oneof![Just("/"), Just("/api/"), Just("~ \\.php$"), Just("= /healthz"), Just("^~ /static/")];
    (pattern, prop::collection::vec(directive(), 0..4), gap()).prop_map(|(p, ds, g)| format!("location {p} {{{g}{}}}\n", ds.concat()))
}

fn server() -> impl Strategy<Value = String> {
    let name = prop_oneof![Just("a.example"), Just("b.example"), Just("_")];
    (name, prop::collection::vec(directive(), 0..3), prop::collection::vec(location(), 0..4), gap())
        .prop_map(|(n, ds, ls, g)| format!("server {{{g}listen 80;{g}server_name {n};\n{}{}}}\n", ds.concat(), ls.concat()))
}

fn config() -> impl Strategy<Value = String> {
    (prop::collection::vec(directive(), 0..3), prop::collection::vec(server(), 1..4), gap())
        .prop_map(|(ds, ss, g)| format!("events {{}}\nhttp {{{g}{}{}}}\n", ds.concat(), ss.concat()))
}

fn side(text: &[u8]) -> (SourceSet, FileId) {
    let mut files = SourceSet::new();
    let main = files.add("/etc/nginx/nginx.conf", text);
    (files, main)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn print_parse_is_identity(text in config()) {
        let doc = syntax::parse(text.as_bytes(), FileId(0), syntax::ParseMode::Directives);
        prop_assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        prop_assert_eq!(syntax::print(&doc, text.as_bytes()), text.as_bytes());
    }

    #[test]
    fn format_is_idempotent(text in config()) {
        let once = ngxlint::format(text.as_bytes(), &FormatOptions::default()).expect("valid");
        let twice = ngxlint::format(&once, &FormatOptions::default()).expect("valid");
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn a_config_equals_itself_and_its_formatted_self(text in config()) {
        let (fa, ma) = side(text.as_bytes());
        let same = compare(&fa, ma, &fa, ma, &CompareOptions::default());
        prop_assert!(same.changes().is_empty());
        // A configuration nginx refuses (the generator may write duplicate locations) stays
        // blocking however little changed; otherwise nothing changed scores exactly 0.
        let refused = same.after().has_errors();
        prop_assert_eq!(same.assessment().blocking, refused);
        prop_assert_eq!(same.score(), if refused { 100 } else { 0 });
        let pretty = ngxlint::format(text.as_bytes(), &FormatOptions::default()).expect("valid");
        let (fb, mb) = side(&pretty);
        let c = compare(&fa, ma, &fb, mb, &CompareOptions::default());
        prop_assert!(c.changes().is_empty(), "{:?}", c.changes().first().map(|ch| &ch.path));
        prop_assert_eq!(c.score(), if refused { 100 } else { 0 });
    }

    #[test]
    fn a_changed_value_is_a_change(text in config()) {
        prop_assume!(text.contains("10m"));
        let (fa, ma) = side(text.as_bytes());
        let edited = text.replacen("10m", "20m", 1);
        let (fb, mb) = side(edited.as_bytes());
        let c = compare(&fa, ma, &fb, mb, &CompareOptions::default());
        prop_assert!(c.changes().iter().any(|ch| ch.directive == "client_max_body_size"), "{:?}", c.changes());
    }

    #[test]
    fn compare_is_deterministic(a in config(), b in config()) {
        let (fa, ma) = side(a.as_bytes());
        let (fb, mb) = side(b.as_bytes());
        let render = || {
            let c = compare(&fa, ma, &fb, mb, &CompareOptions::default());
            serde_json::to_string(&ngxlint::report::compare::to_json(&c, &fa, &fb)).expect("json")
        };
        prop_assert_eq!(render(), render());
    }
}
