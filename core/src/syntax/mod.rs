//! Syntax: nginx's tokenizer ([`lexer`]), the lossless tree ([`tree`]), statement/block parsing
//! with recovery ([`parser`]) and Lua block scanning ([`lua`]).

pub mod lexer;
pub mod lua;
pub mod parser;
pub mod script;
pub mod tree;

pub use parser::{parse, ENTRY_BLOCKS, MAX_DEPTH};
pub use tree::*;

use crate::source::Span;
use std::borrow::Cow;

/// ASCII-lowercased, as nginx compares host and server names; unchanged (not copied) when it
/// already is.
pub(crate) fn ascii_lowercase(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        s
    }
}

/// Every token of the tree in source order: names, arguments, comments, terminators, braces,
/// Lua bodies and skipped text.
pub fn tokens(doc: &Document) -> Vec<Span> {
    let mut out = Vec::new();
    push_items(&doc.items, &mut out);
    out
}

fn push_items(items: &[Node], out: &mut Vec<Span>) {
    // Explicit stack: blocks are bounded by MAX_DEPTH, but iteration keeps this cheap anyway.
    enum Step<'a> {
        Items(&'a [Node]),
        Span(Span),
    }
    let mut stack = vec![Step::Items(items)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Span(s) => out.push(s),
            Step::Items(items) => {
                for node in items.iter().rev() {
                    match node {
                        Node::Comment(s) | Node::Skipped(s) => stack.push(Step::Span(*s)),
                        Node::Orphan(b) => push_block(b, &mut stack),
                        Node::Directive(d) => {
                            let mut parts: Vec<Step> = Vec::new();
                            let mut head: Vec<Span> = Vec::with_capacity(1 + d.args.len());
                            head.push(d.name.span);
                            head.extend(d.args.iter().map(|w| w.span));
                            head.extend(d.comments.iter().copied());
                            head.sort_by_key(|s| s.start);
                            parts.extend(head.into_iter().map(Step::Span));
                            match &d.terminator {
                                Terminator::Semicolon(s) => parts.push(Step::Span(*s)),
                                Terminator::Missing => {}
                                Terminator::Block(b) => {
                                    parts.push(Step::Span(b.open));
                                    if let Some(l) = b.lua {
                                        parts.push(Step::Span(l));
                                    }
                                    parts.push(Step::Items(&b.items));
                                    if let Some(c) = b.close {
                                        parts.push(Step::Span(c));
                                    }
                                }
                            }
                            stack.extend(parts.into_iter().rev());
                        }
                    }
                }
            }
        }
    }

    fn push_block<'a>(b: &'a Block, stack: &mut Vec<Step<'a>>) {
        if let Some(c) = b.close {
            stack.push(Step::Span(c));
        }
        stack.push(Step::Items(&b.items));
        stack.push(Step::Span(b.open));
    }
}

/// Prints a tree back to bytes: its tokens, with the source between them (whitespace, and in a
/// file with syntax errors whatever recovery stepped over). An untouched tree prints as its input,
/// byte for byte.
pub fn print(doc: &Document, src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len());
    let mut at = 0usize;
    for span in tokens(doc) {
        let (s, e) = (span.start as usize, span.end as usize);
        if s < at || e > src.len() {
            continue;
        }
        out.extend_from_slice(&src[at..s]);
        out.extend_from_slice(&src[s..e]);
        at = e;
    }
    out.extend_from_slice(&src[at.min(src.len())..]);
    out
}

/// Bytes between tokens that are not whitespace: empty for any error-free file (the tree holds
/// every token). Used by tests to show the tree is lossless rather than merely copied.
pub fn uncovered(doc: &Document, src: &[u8]) -> Vec<Span> {
    let mut gaps = Vec::new();
    let mut at = 0usize;
    let ends = tokens(doc).into_iter().map(|s| (s.start as usize, s.end as usize));
    for (s, e) in ends.chain(std::iter::once((src.len(), src.len()))) {
        if s > at && src[at..s].iter().any(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n')) {
            gaps.push(Span::new(doc.file, at, s));
        }
        at = at.max(e);
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn untouched_tree_prints_as_input_and_covers_every_byte() {
        let src = b"# top\r\nhttp {\n  server { listen 80 # why\n default_server; }\n\n\n  map $a $b { default 0; ~x 1; }\n  location / { content_by_lua_block { ngx.say('}') } }\n}\n# end";
        let doc = parse(src, FileId(0), ParseMode::Directives);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert_eq!(print(&doc, src), src.to_vec());
        assert!(uncovered(&doc, src).is_empty());
    }
}
