use crate::declare_rule;
use crate::report::Label;
use crate::rules::{Findings, Item, RuleContext};
use crate::syntax::script::reference_spans;
use rustc_hash::FxHashMap;

/// Does `text` use variable `var` (without `$`): `$var` or `${var}` as a whole name?
fn uses(text: &str, var: &str) -> bool {
    let braced = format!("${{{var}}}");
    if text.contains(&braced) {
        return true;
    }
    let plain = format!("${var}");
    text.match_indices(&plain).any(|(at, _)| {
        text[at + plain.len()..].chars().next().map_or(true, |c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// The arguments of a directive that decide on a variable (`if`, `auth_basic`, a zone key).
fn decider_texts<'a>(u: &Item<'a>) -> &'a [&'a str] {
    match u.name {
        "if" | "auth_basic" => u.args,
        "limit_req_zone" | "limit_conn_zone" => &u.args[..u.args.len().min(1)],
        _ => &[],
    }
}

/// Deciding directives by the variables their texts reference, each list in reading order.
fn deciders_by_variable<'a>(cx: &RuleContext<'a>) -> FxHashMap<&'a str, Vec<usize>> {
    let mut by: FxHashMap<&'a str, Vec<usize>> = Default::default();
    for j in cx.named_where(|n| matches!(n, "if" | "auth_basic" | "limit_req_zone" | "limit_conn_zone")) {
        for &a in decider_texts(cx.item(j)) {
            for (_, _, name) in reference_spans(a.as_bytes()) {
                let list = by.entry(name).or_default();
                if list.last() != Some(&j) {
                    list.push(j);
                }
            }
        }
    }
    by
}

declare_rule! {
    /// A `map` or `geo` has no `default` and its variable decides access: an `if` condition,
    /// `auth_basic`, or a `limit_req_zone`/`limit_conn_zone` key. Requests matching no entry get
    /// an empty value.
    ///
    /// ## Why
    /// Without `default`, unmatched requests get `""`. In `if ($blocked)` the empty string is
    /// false, so anything the map's author did not foresee passes; an empty `limit_req_zone` key
    /// means the request is not limited at all; `auth_basic` with an empty realm still
    /// authenticates but hides the mistake. Writing the default makes the unmatched case a
    /// decision.
    ///
    /// ## Bad
    /// ```nginx
    /// map $http_user_agent $allowed {
    ///     ~Monitoring 1;
    /// }
    /// server {
    ///     if ($allowed != 1) { return 403; }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// map $http_user_agent $allowed {
    ///     default     0;
    ///     ~Monitoring 1;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add `default <value>;` stating what unmatched requests get.
    ///
    /// ## Limits
    /// Maps whose variable is not used in an `if` condition, `auth_basic` or a
    /// `limit_req_zone`/`limit_conn_zone` key are not reported (an empty default is often
    /// intended there). Uses through other variables are not followed.
    pub(crate) RULE {
        code: "SEC021",
        name: "map-without-default",
        category: Security,
        severity: Info,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let mut deciders = None;
    for (i, it) in cx.named_where(|n| matches!(n, "map" | "geo")).into_iter().map(|i| (i, cx.item(i))) {
        if !it.is_block() || it.args.is_empty() {
            continue;
        }
        if cx.children(Some(i)).iter().any(|&c| cx.item(c).name == "default") {
            continue;
        }
        let Some(var) = it.args.last().and_then(|v| v.strip_prefix('$')) else { continue };
        // The directives that decide on a variable, indexed once by the variables they mention:
        // asking every one of them about every map is quadratic.
        let deciders = deciders.get_or_insert_with(|| deciders_by_variable(cx));
        let decisions: Vec<usize> = deciders
            .get(var)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&j| decider_texts(cx.item(j)).iter().any(|a| uses(a, var)))
            .collect();
        let Some(&first) = decisions.first() else { continue };
        let d = out.report(
            it.span(),
            format!("{} ${var} has no default: unmatched requests get \"\", and `{}` decides on it", it.name, cx.item(first).name),
        );
        for &u in &decisions {
            d.labels.push(Label { span: cx.item(u).span(), message: format!("uses ${var}") });
        }
        d.help = Some(format!("add `default <value>;` to the {} block", it.name));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let conf = "events {}\nhttp {\nmap $http_user_agent $allowed { ~Monitoring 1; }\nserver { listen 80; if ($allowed != 1) { return 403; } }\n}\n";
        assert_eq!(findings("SEC021", conf).len(), 1);
        let conf = "events {}\nhttp {\ngeo $limit { 10.0.0.0/8 \"\"; }\nlimit_req_zone $limit zone=z:1m rate=1r/s;\n}\n";
        assert_eq!(findings("SEC021", conf).len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        let conf = "events {}\nhttp {\nmap $http_user_agent $allowed { default 0; ~Monitoring 1; }\nserver { listen 80; if ($allowed != 1) { return 403; } }\n}\n";
        assert!(findings("SEC021", conf).is_empty());
        let conf = "events {}\nhttp {\nmap $uri $allowed_x { /a 1; }\nmap $uri $new { /old /new; }\nserver { listen 80; if ($allowed_x2) { return 403; } location / { proxy_set_header X $new; } }\n}\n";
        assert!(findings("SEC021", conf).is_empty());
    }
}
