//! Correctness rules, one per file.

mod proxy_set_header_drops_host;
mod root_in_location;
mod unused_map;
mod unused_upstream;
mod uri_in_redirect;

use crate::rules::{Rule, RuleContext};

pub(crate) static RULES: &[Rule] =
    &[root_in_location::RULE, proxy_set_header_drops_host::RULE, uri_in_redirect::RULE, unused_map::RULE, unused_upstream::RULE];

/// Every line of every file the configuration reaches with its comment removed (from a `#` at
/// the start of a word to the end of the line), for "is this name used anywhere" searches. Lines
/// are handed out one by one, borrowed from the files (invalid UTF-8 read as U+FFFD): the
/// searches never build the text, and nothing they look for spans a line break.
pub(super) fn code_lines(cx: &RuleContext, mut f: impl FnMut(&str)) {
    // Only the files the configuration reaches: a file handed over but never included (a site in
    // sites-available, another project's file in an editor workspace) is not read by nginx.
    let mut seen = std::collections::HashSet::new();
    for id in cx.config.docs.iter().map(|d| d.file).filter(|&f| seen.insert(f)) {
        let bytes = cx.files.bytes(id);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        for line in text.lines() {
            f(strip_comment(line));
        }
    }
}

/// `line` up to its first `#` that starts a word (after whitespace, `;`, `{`, `}` or at the start).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut from = 0;
    while let Some(off) = memchr::memchr(b'#', &b[from..]) {
        let i = from + off;
        let starts_word = match i.checked_sub(1).map(|p| b[p]) {
            None => true,
            // char::is_whitespace in ASCII: \t \n \x0B \x0C \r and space.
            Some(p) if p.is_ascii() => matches!(p, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | b';' | b'{' | b'}'),
            Some(_) => line[..i].chars().next_back().is_some_and(char::is_whitespace),
        };
        if starts_word {
            return &line[..i];
        }
        from = i + 1;
    }
    line
}

/// Every maximal run of `word` bytes (ASCII) in `hay`, in order.
pub(super) fn tokens<'h, 'w>(hay: &'h str, word: &'w [bool; 256]) -> impl Iterator<Item = &'h str> + 'w
where
    'h: 'w,
{
    let b = hay.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !word[b[i] as usize] {
            i += 1;
        }
        if i == b.len() {
            return None;
        }
        let s = i;
        while i < b.len() && word[b[i] as usize] {
            i += 1;
        }
        Some(&hay[s..i])
    })
}

/// `word` as a table over bytes.
pub(super) fn byte_table(word: impl Fn(u8) -> bool) -> [bool; 256] {
    std::array::from_fn(|b| word(b as u8))
}

/// Counts of the names in `counts` (its keys) occurring as whole tokens (maximal runs of `word`
/// bytes) in the loaded code: only tokens that could be one of the names are looked up.
pub(super) fn count_names(cx: &RuleContext, counts: &mut std::collections::HashMap<&str, usize>, word: impl Fn(u8) -> bool) {
    if counts.is_empty() {
        return;
    }
    let word = byte_table(word);
    let mut first = [false; 256];
    let (mut min, mut max) = (usize::MAX, 0);
    for k in counts.keys() {
        first[k.as_bytes()[0] as usize] = true;
        min = min.min(k.len());
        max = max.max(k.len());
    }
    code_lines(cx, |line| {
        for t in tokens(line, &word) {
            if first[t.as_bytes()[0] as usize] && (min..=max).contains(&t.len()) {
                if let Some(n) = counts.get_mut(t) {
                    *n += 1;
                }
            }
        }
    });
}

/// Every maximal run of `word` characters in `hay`, counted (the reference `tokens` and
/// `count_names` are tested against).
#[cfg(test)]
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
    fn tokens_agree_with_token_counts() {
        let word_b = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
        let word_c = |c: char| c.is_ascii() && word_b(c as u8);
        for hay in ["upstream a-b { } proxy_pass http://a-b; x.a-b a-bc a-b", "", "  ", "a", "é-x\u{fffd}y日z ", "-a-"] {
            let mut got = std::collections::HashMap::new();
            for t in super::tokens(hay, &super::byte_table(word_b)) {
                *got.entry(t).or_insert(0) += 1;
            }
            assert_eq!(got, super::token_counts(hay, word_c), "{hay:?}");
        }
    }

    /// The per-character comment cut `code_text` used before `strip_comment`.
    fn strip_comment_reference(line: &str) -> &str {
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            if c == '#' && (prev.is_whitespace() || matches!(prev, ';' | '{' | '}')) {
                return &line[..i];
            }
            prev = c;
        }
        line
    }

    #[test]
    fn strip_comment_agrees_with_the_character_scan() {
        let lines = [
            "", "#", "a#b", "a #b", "a\t#b", "a\x0b#b", "a\x0c#b", "a\r#b", "a;#b", "a{#b", "a}#b", "a\x1c#b",
            "a\u{a0}#b", "a\u{3000}#b", "a\u{85}#b", "é#b", "\u{fffd}#b", "x#y #z", "'#' \"a #b\"", "##", "a##b #",
        ];
        for l in lines {
            assert_eq!(super::strip_comment(l), strip_comment_reference(l), "{l:?}");
        }
    }

    #[test]
    fn examples_behave() {
        crate::rules::availability::examples_behave(super::RULES);
    }
}
