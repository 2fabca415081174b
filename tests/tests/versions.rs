//! `--nginx-version 1.22` and `latest` differ exactly where the data says a directive is new: every
//! directive is placed in one of its contexts with an accepted argument count, and
//! `unknown directive` must appear for the 1.22 target if and only if no 1.22 entry exists.

use ngxlint::spec::{Context, NginxVersion, Profile, Spec};

/// A whole configuration with `line` inside `ctx`, or None for contexts we do not wrap.
fn wrap(ctx: Context, line: &str) -> Option<String> {
    let (pre, post) = match ctx {
        Context::Main => ("", ""),
        Context::Events => ("events {\n", "}\n"),
        Context::Http => ("http {\n", "}\n"),
        Context::Server => ("http {\nserver {\n", "}\n}\n"),
        Context::Location => ("http {\nserver {\nlocation / {\n", "}\n}\n}\n"),
        Context::Upstream => ("http {\nupstream u {\nserver 127.0.0.1;\n", "}\n}\n"),
        Context::Stream => ("stream {\n", "}\n"),
        Context::StreamServer => ("stream {\nserver {\nlisten 127.0.0.1:9000;\n", "}\n}\n"),
        Context::StreamUpstream => ("stream {\nupstream u {\nserver 127.0.0.1:1;\n", "}\n}\n"),
        Context::Mail => ("mail {\n", "}\n"),
        _ => return None,
    };
    let events = if ctx == Context::Events { "" } else { "events {}\n" };
    Some(format!("{events}{pre}{line}\n{post}"))
}

fn unknown(text: &str, name: &str, version: NginxVersion) -> bool {
    let mut files = ngxlint::SourceSet::new();
    let main = files.add("/t/nginx.conf", text);
    let opts = ngxlint::Options { profile: Profile::everything(version), ..Default::default() };
    let msg = format!("unknown directive \"{name}\"");
    ngxlint::analyze(&files, main, &opts).diagnostics().iter().any(|d| d.message == msg)
}

#[test]
fn versions_differ_exactly_on_new_directives() {
    let mut checked = 0;
    let mut newer = Vec::new();
    for name in ngxlint::spec::directive_names() {
        let Some(entry) = Spec::all_directives(name).find(|d| !d.is_third_party()) else { continue };
        let Some(ctx) = entry.contexts().iter().find(|c| wrap(*c, "").is_some()) else { continue };
        let Some(n) = (0..9).find(|&n| entry.accepts_arg_count(n)) else { continue };
        let args = vec!["x"; n].join(" ");
        let line = if entry.is_block() { format!("{name} {args} {{}}") } else { format!("{name} {args};") };
        let Some(text) = wrap(ctx, &line) else { continue };
        let in_old = Spec::all_directives(name).any(|d| d.in_version(NginxVersion::V1_22));
        let in_latest = Spec::all_directives(name).any(|d| d.in_version(NginxVersion::Latest));
        assert_eq!(unknown(&text, name, NginxVersion::V1_22), !in_old, "1.22 verdict for {name}:\n{text}");
        assert_eq!(unknown(&text, name, NginxVersion::Latest), !in_latest, "latest verdict for {name}:\n{text}");
        if in_latest && !in_old {
            newer.push(name);
        }
        checked += 1;
    }
    println!("{checked} directives placed; {} are new since 1.22: {}", newer.len(), newer.join(" "));
    assert!(newer.contains(&"http2"), "`http2 on;` is the canonical example of a new directive");
    assert!(checked > 500);
}
