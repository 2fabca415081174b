//! Availability rules (and the performance rules that keep a server responsive), one per file.

mod proxy_buffering_off;
mod proxy_timeouts;
mod regex_never_matches;
mod shadowed_location;
mod keepalive_requests;
mod tiny_client_max_body_size;
mod upstream_no_keepalive;
mod worker_connections_limit;
mod worker_processes_auto;

use crate::rules::{Rule, RuleContext};

pub(crate) static RULES: &[Rule] = &[
    shadowed_location::RULE,
    regex_never_matches::RULE,
    worker_connections_limit::RULE,
    proxy_timeouts::RULE,
    tiny_client_max_body_size::RULE,
    worker_processes_auto::RULE,
    keepalive_requests::RULE,
    proxy_buffering_off::RULE,
    upstream_no_keepalive::RULE,
];

/// Words in a location path that name streaming endpoints (WebSocket, SSE, long polling).
const STREAMING_WORDS: &[&str] =
    &["ws", "websocket", "socket", "sse", "stream", "event", "live", "push", "subscri", "realtime", "poll", "notif", "hub", "cable", "signalr", "sockjs", "chat"];

/// The block serves streaming responses: it (or a location inside it) forwards `Upgrade`, sets
/// `X-Accel-Buffering` or `chunked_transfer_encoding`, or its location path names a streaming
/// endpoint. Also true when an `include` in the block or around it was not found (what it sets
/// is unknown).
pub(super) fn streaming(cx: &RuleContext, block: Option<usize>) -> bool {
    if cx.unseen_includes(block) {
        return true;
    }
    let (_, headers) = cx.effective_one(block, "proxy_set_header");
    if headers.iter().any(|&h| cx.item(h).arg(0).eq_ignore_ascii_case("upgrade")) {
        return true;
    }
    let mut stack: Vec<usize> = cx.children(block).to_vec();
    while let Some(i) = stack.pop() {
        let it = cx.item(i);
        match it.name {
            "proxy_set_header" if it.arg(0).eq_ignore_ascii_case("upgrade") => return true,
            "add_header" | "proxy_hide_header" | "proxy_ignore_headers" if it.args.iter().any(|a| a.eq_ignore_ascii_case("x-accel-buffering")) => return true,
            "chunked_transfer_encoding" => return true,
            _ => {}
        }
        stack.extend_from_slice(cx.children(Some(i)));
    }
    let mut at = block;
    while let Some(b) = at {
        let it = cx.item(b);
        if it.name == "location" {
            let path = it.args.join(" ").to_ascii_lowercase();
            let words: Vec<&str> = path.split(|c: char| !c.is_ascii_alphanumeric()).collect();
            if words.iter().any(|w| STREAMING_WORDS.iter().any(|s| w.starts_with(s))) {
                return true;
            }
        }
        at = it.parent();
    }
    false
}

/// Each rule's `## Bad` example triggers it and its `## Good` example does not.
#[cfg(test)]
pub(crate) fn examples_behave(rules: &[Rule]) {
    for r in rules {
        let docs = r.info.markdown();
        for (section, fires) in [("## Bad", true), ("## Good", false)] {
            let example = docs.split(section).nth(1).and_then(|s| s.split("```nginx").nth(1)).and_then(|s| s.split("```").next());
            let example = example.unwrap_or_else(|| panic!("{}: no nginx example under {section}", r.info.code)).trim();
            let first = example.split_whitespace().next().unwrap_or("");
            let text = if ["upstream", "server", "map", "geo"].contains(&first) {
                format!("events {{}}\nhttp {{\n{example}\n}}\n")
            } else {
                example.to_string()
            };
            let found = crate::rules::tests::findings(r.info.code, &text);
            assert_eq!(!found.is_empty(), fires, "{}: its {section} example:\n{text}\n{found:?}", r.info.code);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn examples_behave() {
        super::examples_behave(super::RULES);
    }
}
