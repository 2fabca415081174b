//! Correctness rules, one per file.

mod proxy_set_header_drops_host;
mod root_in_location;
mod unused_map;
mod unused_upstream;
mod uri_in_redirect;

use crate::rules::{Rule, RuleContext};

pub(crate) static RULES: &[Rule] =
    &[root_in_location::RULE, proxy_set_header_drops_host::RULE, uri_in_redirect::RULE, unused_map::RULE, unused_upstream::RULE];

/// Every loaded file's text with comments removed (a `#` at the start of a word to the end of
/// the line), for "is this name used anywhere" searches.
pub(super) fn code_text(cx: &RuleContext) -> String {
    let mut out = String::new();
    // Only the files the configuration reaches: a file handed over but never included (a site in
    // sites-available, another project's file in an editor workspace) is not read by nginx.
    let mut seen = std::collections::HashSet::new();
    for id in cx.config.docs.iter().map(|d| d.file).filter(|&f| seen.insert(f)) {
        let text = String::from_utf8_lossy(cx.files.bytes(id));
        for line in text.lines() {
            let mut prev = ' ';
            let mut cut = line.len();
            for (i, c) in line.char_indices() {
                if c == '#' && (prev.is_whitespace() || matches!(prev, ';' | '{' | '}')) {
                    cut = i;
                    break;
                }
                prev = c;
            }
            out.push_str(&line[..cut]);
            out.push('\n');
        }
    }
    out
}

/// Every maximal run of `word` characters in `hay`, counted: one pass, so "is this name used
/// anywhere" costs a lookup per name instead of a scan of the whole text.
pub(super) fn token_counts(hay: &str, word: impl Fn(char) -> bool) -> std::collections::HashMap<&str, usize> {
    let mut counts = std::collections::HashMap::new();
    let mut start = None;
    for (i, c) in hay.char_indices().chain(std::iter::once((hay.len(), ' '))) {
        match (word(c) && i < hay.len(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                *counts.entry(&hay[s..i]).or_insert(0) += 1;
                start = None;
            }
            _ => {}
        }
    }
    counts
}

/// Occurrences of `needle` in `hay` not surrounded by characters for which `word` is true (the
/// reference `token_counts` is tested against).
#[cfg(test)]
pub(super) fn count_tokens(hay: &str, needle: &str, word: impl Fn(char) -> bool) -> usize {
    if needle.is_empty() {
        return 0;
    }
    hay.match_indices(needle)
        .filter(|(i, _)| {
            let before = hay[..*i].chars().next_back();
            let after = hay[i + needle.len()..].chars().next();
            !before.is_some_and(&word) && !after.is_some_and(&word)
        })
        .count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_counts_agree_with_count_tokens() {
        let hay = "upstream a-b { } proxy_pass http://a-b; x.a-b a-bc a-b";
        let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        let counts = super::token_counts(hay, word);
        for needle in ["a-b", "a-bc", "http", "upstream"] {
            assert_eq!(counts.get(needle).copied().unwrap_or(0), super::count_tokens(hay, needle, word), "{needle}");
        }
    }

    #[test]
    fn examples_behave() {
        crate::rules::availability::examples_behave(super::RULES);
    }
}
