//! Regex syntax errors nginx reports from PCRE2 (`pcre2_compile() failed: ...`), found with
//! regex-syntax's parser. Only error classes PCRE2 rejects the same way are reported (unclosed or
//! unopened groups and classes, a quantifier with nothing to repeat, counts out of order,
//! duplicate group names); PCRE-only syntax that regex-syntax does not know (look-around,
//! backreferences, possessive quantifiers, `\Q..\E`, comments) is never an error here.

use regex_syntax::ast::{parse::ParserBuilder, ErrorKind};

/// nginx's message for an invalid pattern, or None when PCRE2 would accept it (as far as we know).
pub(crate) fn pcre_error(pattern: &str) -> Option<String> {
    if let Some(at) = stacked_star(pattern) {
        return Some(format!(
            "pcre2_compile() failed: quantifier does not follow a repeatable item in \"{pattern}\" at \"{}\"",
            &pattern[at..]
        ));
    }
    let err = ParserBuilder::new().nest_limit(250).build().parse(pattern).err()?;
    let span = err.span();
    let (message, offset) = match err.kind() {
        ErrorKind::GroupUnclosed => ("missing closing parenthesis", pattern.len()),
        ErrorKind::ClassUnclosed => ("missing terminating ] for character class", pattern.len()),
        ErrorKind::GroupUnopened => ("unmatched closing parenthesis", span.start.offset),
        ErrorKind::RepetitionMissing => {
            let at = span.start.offset;
            let prev = pattern[..at].chars().next_back();
            let cur = pattern[at..].chars().next();
            // `a++` / `a*+` are possessive in PCRE.
            if matches!(prev, Some('*' | '+' | '?' | '}')) && cur == Some('+') {
                return None;
            }
            ("quantifier does not follow a repeatable item", at)
        }
        ErrorKind::RepetitionCountInvalid => ("numbers out of order in {} quantifier", span.end.offset.saturating_sub(1)),
        ErrorKind::GroupNameDuplicate { .. } => {
            ("two named subpatterns have the same name (PCRE2_DUPNAMES not set)", span.end.offset + 1)
        }
        _ => return None,
    };
    let at = pattern.get(offset..).filter(|rest| !rest.is_empty());
    Some(match at {
        Some(rest) => format!("pcre2_compile() failed: {message} in \"{pattern}\" at \"{rest}\""),
        None => format!("pcre2_compile() failed: {message} in \"{pattern}\""),
    })
}

/// [`pcre_error`] remembered per pattern: configurations repeat the same location and rewrite
/// regexes in server after server, and parsing one costs far more than a lookup.
#[derive(Default)]
pub(crate) struct Memo(rustc_hash::FxHashMap<String, Option<String>>);

impl Memo {
    pub(crate) fn pcre_error(&mut self, pattern: &str) -> Option<String> {
        if let Some(known) = self.0.get(pattern) {
            return known.clone();
        }
        let found = pcre_error(pattern);
        self.0.insert(pattern.to_string(), found.clone());
        found
    }
}

/// Offset of a `*` right after a quantifier (`a**`, `a+*`): PCRE2 rejects it, regex-syntax nests
/// it. (`+` and `?` after a quantifier are PCRE's possessive and lazy forms.)
fn stacked_star(pattern: &str) -> Option<usize> {
    let b = pattern.as_bytes();
    let (mut i, mut in_class, mut after_quantifier) = (0, false, false);
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                i += 2;
                after_quantifier = false;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            _ if in_class => {}
            b'*' if after_quantifier => return Some(i),
            b'*' | b'+' => after_quantifier = true,
            b'?' => after_quantifier = i > 0 && b[i - 1] != b'(',
            _ => after_quantifier = false,
        }
        if c != b'*' && c != b'+' && c != b'?' {
            after_quantifier = false;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::pcre_error;

    #[test]
    fn messages_match_nginx_with_pcre2() {
        // Each expectation was produced by nginx 1.22.1 (Debian 12, PCRE2).
        let cases = [
            ("^/(abc$", Some("pcre2_compile() failed: missing closing parenthesis in \"^/(abc$\"")),
            ("[abc", Some("pcre2_compile() failed: missing terminating ] for character class in \"[abc\"")),
            ("*x", Some("pcre2_compile() failed: quantifier does not follow a repeatable item in \"*x\" at \"*x\"")),
            ("a**", Some("pcre2_compile() failed: quantifier does not follow a repeatable item in \"a**\" at \"*\"")),
            ("a)", Some("pcre2_compile() failed: unmatched closing parenthesis in \"a)\" at \")\"")),
            ("a{2,1}", Some("pcre2_compile() failed: numbers out of order in {} quantifier in \"a{2,1}\" at \"}\"")),
            (
                "(?<n>a)(?<n>b)",
                Some("pcre2_compile() failed: two named subpatterns have the same name (PCRE2_DUPNAMES not set) in \"(?<n>a)(?<n>b)\" at \"b)\""),
            ),
            ("^/(?=x)", None),
            ("a++", None),
            ("\\Qa(\\E", None),
            ("(?#c(x)", None),
            ("x{", None),
            ("^/(?<user>[^/]+)/(\\d+)\\.php$", None),
            ("\\.(?:jpg|png)$", None),
        ];
        for (pattern, want) in cases {
            assert_eq!(pcre_error(pattern).as_deref(), want, "{pattern}");
        }
    }
}
