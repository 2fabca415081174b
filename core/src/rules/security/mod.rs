//! Security rules about the configuration's structure, one per file.

pub(crate) mod add_header_inheritance;
mod alias_traversal;
mod allow_without_deny;
mod autoindex_sensitive;
mod error_log_off;
mod hsts_missing;
mod if_is_evil;
mod implicit_default_server;
mod map_without_default;
mod resolver_public_dns;
mod return_bypasses_access;
mod server_tokens;
mod stale_dns;
mod status_page_exposed;
mod try_files_proxy_pass;
mod weak_tls;

use crate::rules::{Rule, RuleContext};
use crate::source::Span;

pub(crate) static RULES: &[Rule] = &[
    server_tokens::RULE,
    alias_traversal::RULE,
    add_header_inheritance::RULE,
    return_bypasses_access::RULE,
    allow_without_deny::RULE,
    resolver_public_dns::RULE,
    stale_dns::RULE,
    status_page_exposed::RULE,
    autoindex_sensitive::RULE,
    if_is_evil::RULE,
    try_files_proxy_pass::RULE,
    error_log_off::RULE,
    implicit_default_server::RULE,
    map_without_default::RULE,
    weak_tls::RULE,
    hsts_missing::RULE,
];

/// A readable name for a configuration level: `http`, `server example.com`, `location /x`,
/// `if ($a = b)`; None = the top level (of a whole configuration or of a snippet).
pub(crate) fn level_label(cx: &RuleContext, level: Option<usize>) -> String {
    let Some(l) = level else { return "the top level".into() };
    let it = cx.item(l);
    match it.name {
        "server" => match cx.child(Some(l), "server_name").map(|s| cx.item(s).arg(0)) {
            Some(n) if !n.is_empty() && n != "_" => format!("server {n}"),
            _ => match cx.child(Some(l), "listen") {
                Some(li) => format!("server (listen {})", cx.item(li).arg(0)),
                None => "server".into(),
            },
        },
        name if it.args.is_empty() => name.to_string(),
        name => format!("{name} {}", it.args.join(" ")),
    }
}

/// The source text of a whole directive (name to `;`), for messages.
pub(crate) fn directive_text(cx: &RuleContext, i: usize) -> String {
    String::from_utf8_lossy(cx.src(i).get(cx.item(i).directive.span.range()).unwrap_or(&[])).into_owned()
}

/// The exact source text of a directive, for fixes that copy it: none when it is not UTF-8,
/// since a lossy copy would write U+FFFD where the original has other bytes.
pub(crate) fn directive_text_exact<'a>(cx: &RuleContext<'a>, i: usize) -> Option<&'a str> {
    std::str::from_utf8(cx.src(i).get(cx.item(i).directive.span.range())?).ok()
}

/// The whitespace before a directive on its line (for inserting siblings).
pub(crate) fn indent_of(cx: &RuleContext, i: usize) -> String {
    let src = cx.src(i);
    let start = cx.item(i).directive.span.start as usize;
    let line_start = src[..start.min(src.len())].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let ws = &src[line_start..start.min(src.len())];
    if ws.iter().all(|b| *b == b' ' || *b == b'\t') {
        String::from_utf8_lossy(ws).into_owned()
    } else {
        String::new()
    }
}

/// An empty span at the start of a directive (insert before it).
pub(crate) fn before(cx: &RuleContext, i: usize) -> Span {
    let s = cx.item(i).directive.span;
    Span { start: s.start, end: s.start, ..s }
}

/// An empty span at the end of a directive (insert after its `;` or `}`).
pub(crate) fn after(cx: &RuleContext, i: usize) -> Span {
    let s = cx.item(i).directive.span;
    Span { start: s.end, end: s.end, ..s }
}

/// Does the access phase at `block` restrict who gets in: an effective allow/deny list with a
/// `deny`, `auth_basic`, `auth_request` or `auth_jwt` (not off)? Returns the restricting
/// directive.
pub(crate) fn access_guard(cx: &RuleContext, block: usize) -> Option<usize> {
    let (_, acl) = cx.effective(Some(block), &["allow", "deny"]);
    if let Some(&d) = acl.iter().find(|&&d| cx.item(d).name == "deny") {
        return Some(d);
    }
    for name in ["auth_basic", "auth_request", "auth_jwt"] {
        if let Some(a) = cx.inherited(Some(block), name) {
            if cx.item(a).arg(0) != "off" {
                return Some(a);
            }
        }
    }
    None
}

/// Could `block` hold directives we do not see: an `include` that found no file anywhere inside
/// `block`, or (with `outer`) directly in one of its enclosing blocks? Always false on a whole
/// configuration (every include found).
pub(crate) fn opaque(cx: &RuleContext, block: usize, outer: bool) -> bool {
    use crate::syntax::Node;
    fn unresolved(cx: &RuleContext, doc: usize, src: &[u8], nodes: &[Node], deep: bool) -> bool {
        nodes.iter().any(|n| match n {
            Node::Directive(d) if d.name.is(src, "include") => cx.config.include_at(doc, d).map_or(true, |inc| inc.targets.is_empty()),
            Node::Directive(d) if deep => d.block().is_some_and(|b| unresolved(cx, doc, src, &b.items, true)),
            _ => false,
        })
    }
    if cx.whole {
        return false;
    }
    std::iter::once(block).chain(cx.ancestors(block).filter(|_| outer)).any(|b| {
        let it = cx.item(b);
        it.directive.block().is_some_and(|blk| unresolved(cx, it.doc(), cx.src(b), &blk.items, b == block))
    })
}
