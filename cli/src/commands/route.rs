//! `ngxlint route`: which server and location nginx would pick for a request.

use super::status;
use crate::args::{RouteArgs, RouteFormat};
use crate::error::CliError;
use crate::input;
use ngxlint::model::{self, routing};

pub fn run(args: &RouteArgs) -> Result<u8, CliError> {
    let settings = crate::settings::resolve(&args.analysis, &args.file)?;
    let map = settings.map_for(&args.file);
    let opts = settings.options_for(&map);
    let mut loaded = input::load_main_mapped(&args.file, map)?;
    let analysis = input::analyze_with_includes(&mut loaded, &opts, &mut |w| eprintln!("ngxlint: warning: {w}"))?;
    let files = &loaded.files;
    let m = analysis.model();
    let req = routing::Request { addr: args.addr.clone(), port: args.port, host: args.host.clone(), uri: args.uri.clone() };
    let r = routing::route(m, &req);
    let at = |span: ngxlint::Span| {
        let (s, _) = files.range_of(span);
        (files.path(span.file).to_string(), s.line, s.column)
    };
    let server = r.server.map(|i| &m.servers[i]);
    let locations: Vec<&model::Location> = match server {
        Some(s) => r.locations.iter().filter_map(|p| routing::location_at(&s.locations, p)).collect(),
        None => Vec::new(),
    };
    match args.format {
        RouteFormat::Json => {
            let place = |label: String, span| {
                let (file, line, column) = at(span);
                serde_json::json!({ "label": label, "file": file, "line": line, "column": column })
            };
            let out = serde_json::json!({
                "version": 1,
                "request": { "addr": req.addr, "port": req.port, "host": req.host, "uri": req.uri },
                "normalized_uri": r.normalized_uri,
                "server": server.map(|s| place(s.label(), s.span)),
                "server_match": r.server_match,
                "locations": locations.iter().map(|l| place(l.label(), l.span)).collect::<Vec<_>>(),
                "notes": r.notes,
            });
            println!("{out}");
        }
        RouteFormat::Text => {
            println!("request  {} {}:{} Host: {} -> {}", req.uri, req.addr, req.port, req.host, r.normalized_uri);
            match server {
                Some(s) => {
                    let (f, l, c) = at(s.span);
                    let how = r.server_match.map(|m| format!("{m:?}")).unwrap_or_default();
                    println!("server   {}  ({f}:{l}:{c}, chosen by {})", s.label(), snake(&how));
                }
                None => println!("server   none"),
            }
            if server.is_some() && locations.is_empty() {
                println!("location none (the server's own settings apply)");
            }
            for loc in &locations {
                let (f, l, c) = at(loc.span);
                println!("location {}  ({f}:{l}:{c})", loc.label());
            }
            for n in &r.notes {
                println!("note     {n}");
            }
        }
    }
    Ok(if server.is_some() { status::OK } else { status::FINDINGS })
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
