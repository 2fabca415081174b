use crate::declare_rule;
use crate::rules::{Findings, Item, RuleContext};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

declare_rule! {
    /// A `map` (or `geo`, `split_clients`) defines a variable that nothing in the configuration
    /// uses.
    ///
    /// ## Why
    /// An unused map is usually a leftover or a typo: the directive meant to use it spells the
    /// variable differently (and gets an empty or unrelated variable), or the feature it was
    /// written for (rate-limit keys, log filters, upgrade headers) was never wired up.
    ///
    /// ## Bad
    /// ```nginx
    /// map $http_upgrade $connection_upgrade {
    ///     default upgrade;
    ///     ''      close;
    /// }
    /// # ... but the location sends: proxy_set_header Connection $connection_upgrad;
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// map $http_upgrade $connection_upgrade {
    ///     default upgrade;
    ///     ''      close;
    /// }
    /// proxy_set_header Connection $connection_upgrade;
    /// ```
    ///
    /// ## Fix
    /// Use the variable where it was meant to be used, or delete the block.
    ///
    /// ## Limits
    /// Only on a whole configuration. Any `$name`/`${name}` outside comments in any loaded file
    /// counts as a use, as do `var.name`, `var["name"]` and `variables.name` (Lua, njs, Perl);
    /// uses in files nginx does not load (Lua files, njs modules) are not seen.
    pub(crate) RULE {
        code: "COR004",
        name: "unused-map",
        category: Correctness,
        severity: Info,
        whole_config: true,
        check: check,
    }
}

fn word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The variables a map (geo, split_clients) item defines, without the `$`.
fn defined<'s>(it: &'s Item) -> Option<&'s str> {
    let var = match (it.name, it.ctx) {
        ("map" | "split_clients", Some(_)) if it.is_block() => it.arg(1),
        ("geo", Some(_)) if it.is_block() => it.args.last().map(|a| &**a).unwrap_or(""),
        _ => return None,
    };
    var.strip_prefix('$').filter(|n| !n.is_empty())
}

/// Counts `$name` and `${name}` references to the names in `counts` in `text`.
fn dollar_refs(text: &str, counts: &mut HashMap<&str, usize>) {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'$', &b[i..]) {
        let s = i + off + 1;
        let braced = b.get(s) == Some(&b'{');
        let n0 = if braced { s + 1 } else { s };
        let mut e = n0;
        while e < b.len() && word(b[e]) {
            e += 1;
        }
        if e > n0 && (!braced || b.get(e) == Some(&b'}')) {
            if let Some(n) = counts.get_mut(&text[n0..e]) {
                *n += 1;
            }
        }
        i = e.max(s);
    }
}

/// Names read by scripting modules (`var.name`, `variables.name`, `var["name"]`) in `text`
/// that are keys of `counts`.
fn scripted_names<'k>(text: &str, var: &memchr::memmem::Finder, counts: &HashMap<&'k str, usize>, names: &mut HashSet<&'k str>) {
    let b = text.as_bytes();
    for i in var.find_iter(b) {
        if i > 0 && word(b[i - 1]) {
            continue;
        }
        let after = &text[i + 3..];
        let Some(rest) = ["iables.", ".", "[\"", "['"].iter().find_map(|p| after.strip_prefix(p)) else { continue };
        let end = rest.bytes().position(|c| !word(c)).unwrap_or(rest.len());
        if let Some((k, _)) = counts.get_key_value(&rest[..end]) {
            names.insert(k);
        }
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let blocks = cx.named_where(|n| matches!(n, "map" | "split_clients" | "geo"));
    let mut refs: HashMap<&str, usize> = blocks.iter().filter_map(|&i| defined(cx.item(i))).map(|n| (n, 0)).collect();
    if refs.is_empty() {
        return;
    }
    let mut scripted_uses = HashSet::default();
    let var = memchr::memmem::Finder::new("var");
    for text in super::code_texts(cx) {
        dollar_refs(text, &mut refs);
        scripted_names(text, &var, &refs, &mut scripted_uses);
    }
    for it in blocks.iter().map(|&i| cx.item(i)) {
        let Some(name) = defined(it) else { continue };
        // `$name` ends at a non-word character (what precedes the `$` does not matter).
        let uses = refs.get(name).copied().unwrap_or(0);
        let scripted = scripted_uses.contains(name);
        // The definition itself is one occurrence.
        if uses <= 1 && !scripted {
            out.report(it.span(), format!("{} defines ${name}, but nothing uses ${name}", it.name))
                .with_help_mut(format!("use ${name} where it was meant to be used (check its spelling there), or remove the block"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    fn conf(http: &str) -> String {
        format!("events {{}}\nhttp {{\n{http}\n}}\n")
    }

    #[test]
    fn triggers() {
        let map = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
        let f = findings("COR004", conf(&format!("{map}\nserver {{ listen 80; proxy_set_header Connection $connection_upgrad; }}")));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("$connection_upgrade"));
        assert_eq!(findings("COR004", conf("geo $bad { default 0; 10.0.0.0/8 1; }\n# if ($bad) { return 403; }")).len(), 1);
    }

    /// A use in a file that is in the source set but not included anywhere does not count.
    #[test]
    fn uses_in_files_nginx_does_not_load_do_not_count() {
        let mut files = crate::SourceSet::new();
        let main = files.add("/etc/nginx/nginx.conf", conf("map $http_upgrade $connection_upgrade { default upgrade; '' close; }"));
        files.add("/etc/nginx/sites-available/old", "server { listen 80; proxy_set_header Connection $connection_upgrade; }\n");
        let a = crate::analyze(&files, main, &crate::Options::default());
        assert_eq!(a.diagnostics().iter().filter(|d| d.code == "COR004").count(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        let map = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
        assert!(findings("COR004", conf(&format!("{map}\nserver {{ listen 80; proxy_set_header Connection $connection_upgrade; }}"))).is_empty());
        assert!(findings("COR004", conf("map $uri $x { default 1; }\nlog_format l \"${x}ms\";")).is_empty());
        assert!(findings("COR004", conf("map $pid $b { default 1; }\nlog_format l $a$b$pid;")).is_empty());
        assert!(findings("COR004", conf("map $uri $loggable { default 1; }\naccess_log /var/log/a.log combined if=$loggable;")).is_empty());
    }
}
