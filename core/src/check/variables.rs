//! Variables: what the configuration defines (`set`, `map`, `geo`, `split_clients`, `*_set`,
//! regex captures) and what it uses, so the check nginx runs after reading
//! (`unknown "x" variable`, which nginx prints without a location) can point at the use.

use super::codes;
use super::{Checker, Phase};
use crate::report::Diagnostic;
use crate::source::Span;
use crate::spec::{Context, DirectiveSpec, Spec};
use crate::syntax::Directive;
use rustc_hash::FxHashSet as HashSet;

#[derive(Default)]
pub(crate) struct Variables {
    defined: HashSet<String>,
    /// Each use as (id of its name in `name_ids`, where): a configuration uses a few names
    /// thousands of times, so each name is stored once.
    uses: Vec<(u32, Span)>,
    name_ids: rustc_hash::FxHashMap<String, u32>,
}

/// Directives whose Nth argument (0-based) names a variable they define.
fn defines(name: &str, nargs: usize) -> Option<usize> {
    Some(match name {
        "set" | "perl_set" | "js_set" | "js_var" | "auth_request_set" | "set_by_lua" | "set_by_lua_file"
        | "set_by_lua_block" => 0,
        "map" | "split_clients" => 1,
        "geo" | "geoip2" => nargs.checked_sub(1)?,
        n if n.starts_with("set_") => 0,
        _ => return None,
    })
}

/// Which arguments of a directive nginx reads as regexes or code, not as text with variables.
#[derive(Clone, Copy)]
enum Skip {
    None,
    All,
    First,
    /// Those starting with `~`.
    Tilde,
    /// The first, and `escape=...`.
    LogFormat,
}

impl Skip {
    fn of(name: &str) -> Skip {
        match name {
            "location" | "fastcgi_split_path_info" | "valid_referers" | "server_name" => Skip::All,
            "rewrite" => Skip::First,
            "proxy_redirect" | "proxy_cookie_path" | "proxy_cookie_domain" => Skip::Tilde,
            "log_format" => Skip::LogFormat,
            "if" => Skip::None,
            // (`contains("lua")` on bytes: a substring searcher costs more than these names.)
            n if n.starts_with("perl") || n.starts_with("js_") || n.as_bytes().windows(3).any(|w| w == b"lua") => Skip::All,
            _ => Skip::None,
        }
    }

    fn skips(self, i: usize, arg: &[u8]) -> bool {
        match self {
            Skip::None => false,
            Skip::All => true,
            Skip::First => i == 0,
            Skip::Tilde => arg.starts_with(b"~"),
            Skip::LogFormat => i == 0 || arg.starts_with(b"escape="),
        }
    }
}

/// `$name` / `${name}` references in an argument value, captures (`$1`) excluded: those are
/// resolved by the regex that set them, not by name.
pub(crate) fn references(arg: &[u8]) -> impl Iterator<Item = (usize, &str)> + '_ {
    crate::syntax::script::reference_spans(arg).filter(|(_, _, name)| !name.as_bytes()[0].is_ascii_digit()).map(|(start, _, name)| (start, name))
}

/// Named captures `(?<x>...)`, `(?P<x>...)`, `(?'x'...)` in a regex.
fn named_captures(arg: &[u8], out: &mut HashSet<String>) {
    let text = String::from_utf8_lossy(arg);
    for (i, _) in text.match_indices("(?") {
        let rest = &text[i + 2..];
        let rest = rest.strip_prefix('P').unwrap_or(rest);
        let (open, close) = match rest.chars().next() {
            Some('<') => ('<', '>'),
            Some('\'') => ('\'', '\''),
            _ => continue,
        };
        let body = &rest[open.len_utf8()..];
        if let Some(end) = body.find(close) {
            let name = &body[..end];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.insert(name.to_string());
            }
        }
    }
}

impl Variables {
    pub(crate) fn collect(&mut self, _spec: &Spec, d: &Directive, name: &str, dspec: &DirectiveSpec, src: &[u8], _ctx: Context) {
        // One pass over the arguments, each value read once (borrowed unless escaped).
        let def = defines(name, d.args.len());
        // Third-party modules read their arguments their own way; only nginx's are checked.
        let skip = if dspec.is_third_party() { Skip::All } else { Skip::of(name) };
        let is_if = name == "if";
        let mut if_regex_at = None;
        for (i, w) in d.args.iter().enumerate() {
            let v = w.value(src);
            let (mut paren, mut dollar) = (false, false);
            for &b in v.iter() {
                paren |= b == b'(';
                dollar |= b == b'$';
            }
            if paren {
                named_captures(&v, &mut self.defined);
            }
            if Some(i) == def {
                if let Some(n) = v.strip_prefix(b"$") {
                    let n = String::from_utf8_lossy(n);
                    if !self.defined.contains(&*n) {
                        self.defined.insert(n.into_owned());
                    }
                }
            }
            if is_if && if_regex_at.is_none() && matches!(&*v, b"~" | b"~*" | b"!~" | b"!~*") {
                if_regex_at = Some(i + 1);
            }
            if !dollar || Some(i) == def || Some(i) == if_regex_at || skip.skips(i, &v) {
                continue;
            }
            for (off, r) in references(&v) {
                let start = (w.content_span().start as usize + off).min(w.span.end as usize);
                let span = Span::new(w.span.file, start, (start + 1 + r.len()).min(w.span.end as usize));
                self.used(r, span);
            }
        }
    }

    fn used(&mut self, name: &str, at: Span) {
        let id = match self.name_ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.name_ids.len() as u32;
                self.name_ids.insert(name.to_owned(), id);
                id
            }
        };
        self.uses.push((id, at));
    }

    /// Entries of handler blocks: map values may use variables; geoip2 entries define them.
    pub(crate) fn entry(&mut self, block: &str, e: &Directive, words: &[String], _src: &[u8], _ctx: Context) {
        match block {
            "geoip2" => {
                if let Some(n) = words[0].strip_prefix('$') {
                    self.defined.insert(n.to_string());
                }
            }
            "map" if words.len() == 2 && !matches!(words[0].as_str(), "include") => {
                named_captures(words[0].as_bytes(), &mut self.defined);
                for (_, r) in references(words[1].as_bytes()) {
                    self.used(r, e.args[0].span);
                }
            }
            _ => {}
        }
    }
}

impl Checker<'_> {
    pub(super) fn unknown_variables(&mut self, whole: bool) {
        let uses = std::mem::take(&mut self.vars.uses);
        let mut names = vec![String::new(); self.vars.name_ids.len()];
        for (name, id) in std::mem::take(&mut self.vars.name_ids) {
            names[id as usize] = name;
        }
        // Whether each name is known, decided once per name: the spec's prefix variables are a
        // linear scan. A name is reported at its first use only.
        let mut unknown: Vec<bool> = names.iter().map(|n| !self.vars.defined.contains(n) && self.spec.variable(n).is_none()).collect();
        for (id, at) in uses {
            if !std::mem::take(&mut unknown[id as usize]) {
                continue;
            }
            let name = &names[id as usize];
            let mut diag = Diagnostic::new(codes::UNKNOWN_VARIABLE, at, format!("unknown \"{name}\" variable"))
                .with_phase(Phase::Variables as u8);
            if Spec::is_variable_known_anywhere(name) {
                diag = diag.with_help(format!("\"${name}\" exists in another nginx version or in a module not loaded"));
            }
            if !whole {
                diag = diag
                    .with_severity(super::snippet_severity(false))
                    .with_help("may be defined by the file that includes this one (set, map, geo...)");
            }
            self.emit(diag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references() {
        let r: Vec<&str> = references(b"$a-${b}c $1 $ x$d_e").map(|x| x.1).collect();
        assert_eq!(r, ["a", "b", "d_e"]);
    }

    #[test]
    fn finds_named_captures() {
        let mut s = HashSet::default();
        named_captures(b"^/(?<user>[^/]+)/(?P<id>\\d+)", &mut s);
        assert!(s.contains("user") && s.contains("id"));
    }
}
