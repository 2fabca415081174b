use super::level_label;
use crate::declare_rule;
use crate::report::Label;
use crate::rules::{Findings, RuleContext};
use crate::spec::Context;

/// Directives of the rewrite module: they run in the rewrite phase and are safe in an `if`.
const REWRITE_MODULE: &[&str] = &["return", "rewrite", "set", "break", "if", "rewrite_log", "uninitialized_variable_warn"];

/// Does the block end the request in the rewrite phase (return, redirect, or `rewrite ... last`)?
fn ends_request(cx: &RuleContext, block: usize) -> bool {
    cx.children(Some(block)).iter().any(|&c| {
        let it = cx.item(c);
        it.name == "return" || (it.name == "rewrite" && matches!(it.arg(2), "last" | "redirect" | "permanent"))
    })
}

declare_rule! {
    /// An `if` in a location holds directives other than `return`, `rewrite`, `set` and `break`
    /// ("if is evil"): when the condition is true the request is served with the `if`'s own,
    /// partial configuration.
    ///
    /// ## Why
    /// `if` in a location creates a nested, implicit location. When the condition matches,
    /// the request is handled by that inner configuration: `try_files` and inherited array
    /// directives behave unexpectedly, `add_header` replaces the outer headers, and some
    /// combinations (`proxy_pass` plus other handlers, `try_files` in `if`) are documented to
    /// misbehave or crash. Only the rewrite module's directives are reliable there.
    ///
    /// ## Bad
    /// ```nginx
    /// location / {
    ///     if ($http_user_agent ~ Mobile) {
    ///         proxy_pass http://mobile;
    ///     }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// map $http_user_agent $backend {
    ///     default  desktop;
    ///     ~Mobile  mobile;
    /// }
    /// server {
    ///     location / {
    ///         proxy_pass http://$backend;
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Move the decision into a `map` (a variable used by the directive), a separate location,
    /// or end the `if` with `return`/`rewrite ... last` so the request leaves it.
    ///
    /// ## Limits
    /// Only `if` inside a location (not in `server`). An `if` that ends with `return` or
    /// `rewrite ... last|redirect|permanent` is not reported: its other directives (often
    /// `add_header` for the response) then behave as written.
    pub(crate) RULE {
        code: "SEC017",
        name: "if-is-evil",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named("if") {
        if it.ctx != Some(Context::Location) || !it.is_block() || ends_request(cx, i) {
            continue;
        }
        let bad: Vec<usize> =
            cx.children(Some(i)).iter().copied().filter(|&c| !REWRITE_MODULE.contains(&cx.item(c).name)).collect();
        let Some(&first) = bad.first() else { continue };
        let names: Vec<&str> = bad.iter().map(|&c| cx.item(c).name).collect();
        let d = out.report(
            cx.item(first).span(),
            format!(
                "{} inside `{}` in {}: only return, rewrite, set and break are reliable in an if in a location",
                names.join(", "),
                level_label(cx, Some(i)),
                level_label(cx, it.parent())
            ),
        );
        for &c in &bad[1..] {
            d.labels.push(Label { span: cx.item(c).span(), message: "also in the if".into() });
        }
        d.help = Some("decide through a map variable or a separate location, or end the if with `return`".into());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("SEC017", "location / { if ($http_user_agent ~ Mobile) { proxy_pass http://127.0.0.1:81; add_header X-M 1; } }");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("proxy_pass, add_header inside `if ($http_user_agent ~ Mobile)`"), "{}", f[0].message);
        assert_eq!(findings("SEC017", "location / { if (!-f $request_filename) { expires 1d; break; } }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC017", "location / { if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin *; return 204; } }").is_empty());
        assert!(findings("SEC017", "location / { if ($x) { set $y 1; rewrite ^ /a last; } }").is_empty());
        assert!(findings("SEC017", "if ($host = old.example.com) { rewrite ^ https://new.example.com$request_uri permanent; }\nlocation / { if ($z) { set $a b; } }").is_empty());
    }
}
