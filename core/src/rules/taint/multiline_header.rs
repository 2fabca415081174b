use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// A header value written over several lines (a quoted `add_header` value with line breaks, or
    /// `\n` in a quoted string):
    /// nginx sends the line breaks as they are, which HTTP/2 and HTTP/3 forbid and HTTP/1.1 only
    /// tolerates as obsolete line folding.
    ///
    /// ## Why
    /// Long `Content-Security-Policy` or `Permissions-Policy` values are often split across lines
    /// for readability. nginx does not fold them: the response carries a raw line feed inside the
    /// header. HTTP/2 and HTTP/3 clients treat a field value with CR/LF as malformed (browsers
    /// fail the request or drop the header), and HTTP/1.1 clients that do not support obsolete
    /// folding see a broken header, or a new header when the next line is not indented.
    ///
    /// ## Bad
    /// ```nginx
    /// add_header Content-Security-Policy "default-src 'self';
    ///     img-src 'self' data:";
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:";
    /// ```
    ///
    /// ## Fix
    /// Put the value on one line: each line break and the spaces around it become one space
    /// (safe fix: that is what a folding-aware client reads).
    ///
    /// ## Limits
    /// Checks `add_header`, `add_trailer`, `more_set_headers`, `more_set_input_headers`,
    /// `proxy_set_header` and `grpc_set_header`; values built at run time are not seen.
    pub(crate) RULE {
        code: "SEC045",
        name: "multiline-header",
        category: Security,
        severity: Warning,
        check: check,
    }
}

const HEADERS: &[&str] =
    &["add_header", "add_trailer", "more_set_headers", "more_set_input_headers", "proxy_set_header", "grpc_set_header"];

fn check(cx: &RuleContext, out: &mut Findings) {
    for it in cx.named_where(|n| HEADERS.contains(&n)).into_iter().map(|i| cx.item(i)) {
        let src = cx.files.bytes(cx.config.docs[it.doc()].file);
        for (k, v) in it.args.iter().enumerate() {
            if !v.contains('\n') && !v.contains('\r') {
                continue;
            }
            let word = it.directive.args[k];
            let header = if it.name.starts_with("more_") { v.split(':').next().unwrap_or("").trim().to_string() } else { it.arg(0).to_string() };
            let d = out.report(word.span, format!("the value of header \"{header}\" contains a line break: nginx sends it inside the header"));
            d.help = Some("write the value on one line".into());
            // Fix: each run of whitespace holding a line break becomes one space.
            let raw = word.raw(src);
            let mut edits = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                if raw[i] == b'\n' || raw[i] == b'\r' {
                    let mut s = i;
                    while s > 0 && matches!(raw[s - 1], b' ' | b'\t') {
                        s -= 1;
                    }
                    let mut e = i;
                    while e < raw.len() && matches!(raw[e], b' ' | b'\t' | b'\r' | b'\n') {
                        e += 1;
                    }
                    let base = word.span.start as usize;
                    edits.push(Edit { span: crate::source::Span::new(word.span.file, base + s, base + e), replacement: " ".into() });
                    i = e;
                } else {
                    i += 1;
                }
            }
            if !edits.is_empty() {
                d.fix = Some(Fix { message: "join the value into one line".into(), safe: true, edits });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("SEC045", "add_header Content-Security-Policy \"default-src 'self';\n    img-src 'self'\";");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].fix.as_ref().unwrap().edits.len(), 1);
        assert_eq!(findings("SEC045", "location / { more_set_headers 'X-A: a\nb'; }").len(), 1);
        // nginx turns `\n` in a quoted string into a line feed.
        assert_eq!(findings("SEC045", "add_header X-A \"a\\nb\";").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC045", "add_header Content-Security-Policy \"default-src 'self'; img-src 'self'\";").is_empty());
        assert!(findings("SEC045", "add_header\n    X-Frame-Options\n    DENY;").is_empty());
        assert!(findings("SEC045", "add_header X-A 'line one; line two';").is_empty());
    }
}
