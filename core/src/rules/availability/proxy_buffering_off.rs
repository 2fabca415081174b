use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// `proxy_buffering off` where nothing streams: each response is fed to the client at the
    /// client's pace while the upstream connection (and often an application worker) stays busy.
    ///
    /// ## Why
    /// With buffering on, nginx reads the upstream response quickly into memory or a temporary
    /// file and frees the backend; slow clients then only cost nginx. Turning it off is right for
    /// Server-Sent Events, long polling and other streamed responses, and wasteful everywhere
    /// else (it also disables `proxy_cache`).
    ///
    /// ## Bad
    /// ```nginx
    /// location / {
    ///     proxy_buffering off;
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location / {
    ///     proxy_pass http://app;
    /// }
    /// location /events/ {
    ///     proxy_buffering off;
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Remove it, and turn buffering off only in the streaming locations (or let the application
    /// send `X-Accel-Buffering: no` on streamed responses).
    ///
    /// ## Limits
    /// Not reported where streaming is recognised: an `Upgrade` header is forwarded (WebSocket)
    /// in the block or in a location inside it, `X-Accel-Buffering` is handled, or a location
    /// path names a streaming endpoint (`/ws`, `/socket.io`, `/events`, `/sse`, `/stream`,
    /// `/live`, `/push`, `/subscribe`, `/poll`, `/hub`, `/cable`...), `chunked_transfer_encoding`
    /// is set, or an `include` in or around the block was not found (it may forward `Upgrade`).
    /// Streams nothing reveals are reported; suppress them with the reason.
    pub(crate) RULE {
        code: "PRF003",
        name: "proxy-buffering-off",
        category: Performance,
        severity: Info,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (_, it) in cx.named("proxy_buffering") {
        if it.arg(0).eq_ignore_ascii_case("off") && !super::streaming(cx, it.parent()) {
            out.report(it.span(), "proxy_buffering off outside a streaming location: upstream connections stay busy while slow clients read")
                .with_help_mut("remove it here; turn buffering off only where responses stream (SSE, long polling), or send `X-Accel-Buffering: no` from the application");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("PRF003", "location / { proxy_buffering off; proxy_pass http://a; }").len(), 1);
        assert_eq!(findings("PRF003", "proxy_buffering off;\nlocation /api/ { proxy_pass http://a; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("PRF003", "location /events/ { proxy_buffering off; proxy_pass http://a; }").is_empty());
        assert!(findings(
            "PRF003",
            "location /app/ { proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_buffering off; proxy_pass http://a; }"
        )
        .is_empty());
        assert!(findings("PRF003", "location / { proxy_buffering on; proxy_pass http://a; }").is_empty());
        assert!(findings("PRF003", "location / { include /nonexistent/proxy.conf; proxy_buffering off; proxy_pass http://a; }").is_empty());
    }
}
