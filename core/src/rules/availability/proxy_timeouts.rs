use crate::check::values;
use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// A proxy timeout is extreme: `proxy_connect_timeout` above 75s, `proxy_read_timeout` or
    /// `proxy_send_timeout` above 1 hour outside streaming locations, or any of them below 1s.
    ///
    /// ## Why
    /// A connect timeout "usually cannot exceed 75 seconds" (nginx's documentation: the kernel
    /// gives up on the handshake first), so a larger value only hides dead upstreams. Read and
    /// send timeouts of hours keep a worker connection (and a client) waiting on a hung backend
    /// and stop `proxy_next_upstream` from failing over. Below one second, ordinary slow
    /// responses, GC pauses or a cold cache turn into 504s.
    ///
    /// ## Bad
    /// ```nginx
    /// location /api/ {
    ///     proxy_connect_timeout 300s;
    ///     proxy_read_timeout 500ms;
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /api/ {
    ///     proxy_connect_timeout 5s;
    ///     proxy_read_timeout 60s;
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Keep connect timeouts to a few seconds, read/send timeouts to what the slowest legitimate
    /// response needs; long-lived connections belong in dedicated WebSocket/SSE locations.
    ///
    /// ## Limits
    /// Thresholds: connect > 75s; read/send > 1h; any < 1s. Long read/send timeouts are not
    /// reported where streaming is recognised (an `Upgrade` header is forwarded, `X-Accel-Buffering`
    /// is handled, or the location path names a streaming endpoint such as `/ws`, `/events`,
    /// `/stream`). Only `proxy_*` timeouts are judged, not `fastcgi_*`/`uwsgi_*`/`grpc_*`, and only in `http` (not `stream`).
    pub(crate) RULE {
        code: "AVL004",
        name: "proxy-timeouts",
        category: Availability,
        severity: Warning,
        check: check,
    }
}

const SECOND: u64 = 1000;

/// The value in one unit, in parentheses, when it reads differently from `raw`.
fn human(raw: &str, ms: u64) -> String {
    let h = human_ms(ms);
    if h == raw { String::new() } else { format!(" ({h})") }
}

fn human_ms(ms: u64) -> String {
    if ms % 3_600_000 == 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for name in ["proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout"] {
        for (i, it) in cx.named(name) {
            if cx.enclosing(i, "http").is_none() {
                continue;
            }
            let Some(ms) = values::time(it.arg(0), false) else { continue };
            let (msg, help) = if ms < SECOND {
                let effect = if name == "proxy_connect_timeout" { "a busy or distant upstream counts as down" } else { "ordinary slow responses fail with 504" };
                (format!("{name} {} is below one second: {effect}", it.arg(0)), "use a few seconds at least".to_string())
            } else if name == "proxy_connect_timeout" && ms > 75 * SECOND {
                (
                    format!("{name} {}{} is above 75s, which a connection attempt usually cannot last: it only delays failing over from a dead upstream", it.arg(0), human(it.arg(0), ms)),
                    "use a few seconds (5s-10s)".to_string(),
                )
            } else if name != "proxy_connect_timeout" && ms > 3600 * SECOND && !super::streaming(cx, it.parent()) {
                (
                    format!("{name} {}{} is above one hour: a hung upstream holds the connection that long", it.arg(0), human(it.arg(0), ms)),
                    "use what the slowest legitimate response needs; give WebSocket/SSE endpoints their own location".to_string(),
                )
            } else {
                continue;
            };
            out.report(it.span(), msg).with_help_mut(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("AVL004", "location / { proxy_connect_timeout 300s; proxy_pass http://a; }").len(), 1);
        assert_eq!(findings("AVL004", "location / { proxy_read_timeout 500ms; proxy_pass http://a; }").len(), 1);
        assert_eq!(findings("AVL004", "location /api/ { proxy_read_timeout 1d; proxy_pass http://a; }").len(), 1);
        // A bare number is seconds: two hours.
        assert_eq!(findings("AVL004", "location / { proxy_read_timeout 7200; proxy_pass http://a; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("AVL004", "location / { proxy_connect_timeout 75s; proxy_read_timeout 300s; proxy_pass http://a; }").is_empty());
        assert!(findings("AVL004", "location /ws/ { proxy_read_timeout 86400; proxy_pass http://a; }").is_empty());
        assert!(findings(
            "AVL004",
            "location /app/ { proxy_set_header Upgrade $http_upgrade; proxy_read_timeout 7d; proxy_pass http://a; }"
        )
        .is_empty());
        assert!(findings("AVL004", "location / { proxy_send_timeout 1s; proxy_pass http://a; }").is_empty());
        // A bare number is seconds (nginx's default unit), not milliseconds.
        assert!(findings("AVL004", "location / { proxy_read_timeout 30; proxy_send_timeout 60; proxy_pass http://a; }").is_empty());
    }
}
