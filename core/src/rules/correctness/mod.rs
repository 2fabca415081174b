//! Correctness rules, one per file.

mod proxy_set_header_drops_host;
mod root_in_location;
mod unused_map;
mod unused_upstream;
mod uri_in_redirect;

use rustc_hash::FxHashMap;
use crate::rules::{Rule, RuleContext};

pub(crate) static RULES: &[Rule] =
    &[root_in_location::RULE, proxy_set_header_drops_host::RULE, uri_in_redirect::RULE, unused_map::RULE, unused_upstream::RULE];

/// Every file the configuration reaches, its text with its comments removed (from a `#` at the
/// start of a word to the end of the line; line breaks stay), for "is this name used anywhere"
/// searches. Invalid UTF-8 reads as U+FFFD. Built once per analysis, on first use, and shared by
/// the rules that search it.
pub(super) fn code_texts<'c>(cx: &'c RuleContext) -> impl Iterator<Item = &'c str> + 'c {
    let pieces = cx.code_texts.get_or_init(|| {
        // Only the files the configuration reaches: a file handed over but never included (a
        // site in sites-available, another project's file in an editor workspace) is not read
        // by nginx.
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for id in cx.config.docs.iter().map(|d| d.file).filter(|&f| seen.insert(f)) {
            match cx.files.text(id) {
                // Ranges of the file, not a copy: the text can be tens of MB.
                Some(t) => out.extend(code_ranges(t).map(|r| CodePiece::Range(id, r.start as u32, r.end as u32))),
                None => {
                    let t = String::from_utf8_lossy(cx.files.bytes(id));
                    out.push(CodePiece::Owned(code_ranges(&t).map(|r| &t[r]).collect()));
                }
            }
        }
        out
    });
    pieces.iter().map(|p| match p {
        CodePiece::Range(id, s, e) => cx.files.text(*id).and_then(|t| t.get(*s as usize..*e as usize)).unwrap_or(""),
        CodePiece::Owned(t) => t.as_str(),
    })
}

/// A piece of loaded code outside comments: a byte range of a UTF-8 file, or the lossy text of
/// a file that is not valid UTF-8.
pub(crate) enum CodePiece {
    Range(crate::source::FileId, u32, u32),
    Owned(String),
}

/// The pieces of `text` outside its comments: a comment runs from each `#` that starts a word
/// (after whitespace, `;`, `{`, `}`, or at the start of the text) up to, not including, the end
/// of its line. A piece ends with a separator and the next starts with a line break, so no
/// token spans two pieces: searching them one by one finds what searching their concatenation
/// would.
fn code_ranges(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let b = text.as_bytes();
    let (mut kept, mut from, mut done) = (0, 0, false);
    std::iter::from_fn(move || {
        while !done {
            let Some(off) = memchr::memchr(b'#', &b[from..]) else {
                done = true;
                return Some(kept..b.len());
            };
            let i = from + off;
            let starts_word = match i.checked_sub(1).map(|p| b[p]) {
                None => true,
                // char::is_whitespace in ASCII: \t \n \x0B \x0C \r and space.
                Some(p) if p.is_ascii() => matches!(p, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | b';' | b'{' | b'}'),
                Some(_) => text[..i].chars().next_back().is_some_and(char::is_whitespace),
            };
            if starts_word {
                let piece = kept..i;
                kept = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                from = kept;
                if !piece.is_empty() {
                    return Some(piece);
                }
            } else {
                from = i + 1;
            }
        }
        None
    })
}

/// `text` without its comments (what the pieces of [`code_ranges`] make up).
#[cfg(test)]
fn strip_comments(text: &str) -> String {
    code_ranges(text).map(|r| &text[r]).collect()
}

/// `word` as a table over bytes.
pub(super) fn byte_table(word: impl Fn(u8) -> bool) -> [bool; 256] {
    std::array::from_fn(|b| word(b as u8))
}

/// Counts of the names in `counts` (its keys) occurring as whole tokens (maximal runs of `word`
/// bytes) in the loaded code.
pub(super) fn count_names(cx: &RuleContext, counts: &mut FxHashMap<&str, usize>, word: impl Fn(u8) -> bool) {
    if counts.is_empty() {
        return;
    }
    count_tokens_in(code_texts(cx), &byte_table(word), counts);
}

/// Adds to `counts` the occurrences of its keys as whole tokens of the texts. Only tokens
/// starting with a byte some key starts with are looked up; with at most three such bytes,
/// memchr jumps from one candidate start to the next. The keys are summarised once for all
/// texts: a file has a piece per comment and a config can have a key per upstream, and
/// summarising per piece made the search quadratic.
fn count_tokens_in<'t>(texts: impl IntoIterator<Item = &'t str>, word: &[bool; 256], counts: &mut FxHashMap<&str, usize>) {
    let mut first = [false; 256];
    let (mut min, mut max) = (usize::MAX, 0);
    for k in counts.keys().filter(|k| !k.is_empty()) {
        first[k.as_bytes()[0] as usize] = true;
        min = min.min(k.len());
        max = max.max(k.len());
    }
    let starts: Vec<u8> = (0..=255u8).filter(|&c| first[c as usize] && word[c as usize]).collect();
    for text in texts {
        let b = text.as_bytes();
        let next = |from: usize| match starts.as_slice() {
            [] => None,
            [a] => memchr::memchr(*a, &b[from..]),
            [a, c] => memchr::memchr2(*a, *c, &b[from..]),
            [a, c, d] => memchr::memchr3(*a, *c, *d, &b[from..]),
            _ => b[from..].iter().position(|&x| first[x as usize] && word[x as usize]),
        };
        let mut i = 0;
        while let Some(off) = next(i) {
            let s = i + off;
            let mut e = s + 1;
            while e < b.len() && word[b[e] as usize] {
                e += 1;
            }
            // A token starts after a non-word byte; inside a longer token, skip past its end.
            if (s == 0 || !word[b[s - 1] as usize]) && (min..=max).contains(&(e - s)) {
                if let Some(n) = counts.get_mut(&text[s..e]) {
                    *n += 1;
                }
            }
            i = e;
        }
    }
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
    fn count_tokens_in_agrees_with_token_counts() {
        let word_b = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
        let word_c = |c: char| c.is_ascii() && word_b(c as u8);
        let table = super::byte_table(word_b);
        let hays = ["upstream a-b { } proxy_pass http://a-b; x.a-b a-bc a-b", "", "  ", "a", "é-x\u{fffd}y日z ", "-a-", "ba b bab a.b\nb"];
        let name_sets: [&[&str]; 5] = [&["a-b", "a-bc"], &["a", "b", "bab"], &["a", "b", "x", "y", "z", "-a-", "a-b"], &["日"], &["", "b"]];
        for hay in hays {
            let all = super::token_counts(hay, word_c);
            for names in name_sets {
                let mut got: rustc_hash::FxHashMap<&str, usize> = names.iter().map(|n| (*n, 0)).collect();
                super::count_tokens_in([hay], &table, &mut got);
                for n in names {
                    assert_eq!(got[n], all.get(n).copied().unwrap_or(0), "{hay:?} {n:?}");
                }
            }
        }
    }

    /// The text `code_text` built before `strip_comments`: per line, cut at the first `#` that
    /// starts a word, then a line break.
    fn code_text_reference(text: &str) -> String {
        let mut out = String::new();
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
        out
    }

    /// The searches treat whitespace as a separator and nothing else: the same non-whitespace
    /// runs, in order, mean the same findings.
    #[test]
    fn strip_comments_agrees_with_the_line_by_line_cut() {
        let texts = [
            "", "#", "a#b", "a #b", "a\t#b", "a\x0b#b", "a\x0c#b", "a\r#b", "a;#b", "a{#b", "a}#b", "a\x1c#b",
            "a\u{a0}#b", "a\u{3000}#b", "a\u{85}#b", "é#b", "\u{fffd}#b", "x#y #z", "'#' \"a #b\"", "##", "a##b #",
            "a #c\nb\r\n#d\r\ne f #g", "no newline #at end", "x\n\n#\n${a}#b\n", "a\r\n", "#x\ny", "\n#x",
        ];
        for t in texts {
            let (new, old) = (super::strip_comments(t), code_text_reference(t));
            assert!(new.split_whitespace().eq(old.split_whitespace()), "{t:?}: {new:?} vs {old:?}");
        }
    }

    #[test]
    fn examples_behave() {
        crate::rules::availability::examples_behave(super::RULES);
    }
}
