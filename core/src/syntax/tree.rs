//! The lossless syntax tree. Nodes hold spans, not copies of the text: a word's raw text and its
//! nginx-unescaped value are read from the file bytes on demand, so parsing allocates per
//! directive, not per byte. Everything between tokens (whitespace) is recovered from the source,
//! which is what makes printing an untouched tree give back the input byte for byte.

use crate::source::{FileId, Span};
use serde::Serialize;
use std::borrow::Cow;

/// How a word was quoted in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quote {
    None,
    Single,
    Double,
}

/// One token of a directive: the name (word 0) or an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// The raw token, quotes included.
    pub span: Span,
    pub quote: Quote,
    /// The raw text holds a backslash, so the value may differ from the raw content.
    pub escaped: bool,
    /// A quoted word whose closing quote is missing (only at end of file).
    pub unterminated: bool,
}

impl Word {
    /// The source text, quotes included.
    pub fn raw<'a>(&self, src: &'a [u8]) -> &'a [u8] {
        src.get(self.span.range()).unwrap_or(&[])
    }

    /// The span of the content nginx stores: inside the quotes for a quoted word.
    pub fn content_span(&self) -> Span {
        let mut s = self.span;
        if self.quote != Quote::None && !s.is_empty() {
            s.start += 1;
            if !self.unterminated && s.end > s.start {
                s.end -= 1;
            }
        }
        s
    }

    /// The value nginx stores for this word: content unescaped (`\"` `\'` `\\` `\t` `\r` `\n`;
    /// any other `\x` stays as two bytes, so regexes survive).
    pub fn value<'a>(&self, src: &'a [u8]) -> Cow<'a, [u8]> {
        let content = src.get(self.content_span().range()).unwrap_or(&[]);
        if !self.escaped {
            return Cow::Borrowed(content);
        }
        unescaped(content)
    }

    /// The value as text (lossy for invalid UTF-8).
    pub fn text<'a>(&self, src: &'a [u8]) -> Cow<'a, str> {
        // `from_utf8` first: its ASCII fast path is much cheaper than the lossy decoder, and
        // almost every word is valid UTF-8.
        match self.value(src) {
            Cow::Borrowed(b) => match std::str::from_utf8(b) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(b),
            },
            Cow::Owned(v) => Cow::Owned(match String::from_utf8(v) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            }),
        }
    }

    /// [`Word::text`], given the file's text when it is valid UTF-8 (`SourceSet::text`): an
    /// unescaped word is then borrowed without validating it again.
    pub fn text_in<'a>(&self, src: &'a [u8], text: Option<&'a str>) -> Cow<'a, str> {
        if !self.escaped {
            if let Some(s) = text.and_then(|t| t.get(self.content_span().range())) {
                return Cow::Borrowed(s);
            }
        }
        self.text(src)
    }

    /// The value equals `s` (no allocation for unescaped words).
    pub fn is(&self, src: &[u8], s: &str) -> bool {
        if !self.escaped {
            return src.get(self.content_span().range()) == Some(s.as_bytes());
        }
        *self.value(src) == *s.as_bytes()
    }
}

/// Whether [`unescape`] would change `content`: a backslash before one of `"'\\trn` (regexes
/// such as `\.php$` keep their backslashes, and need no copy).
fn changes_on_unescape(content: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', content)
        .any(|i| matches!(content.get(i + 1), Some(b'"' | b'\'' | b'\\' | b't' | b'r' | b'n')))
}

/// [`unescape`], borrowing `content` when nothing changes (kept out of line: [`Word::value`]
/// runs for every argument, and most hold no backslash).
#[inline(never)]
fn unescaped(content: &[u8]) -> Cow<'_, [u8]> {
    if changes_on_unescape(content) {
        Cow::Owned(unescape(content))
    } else {
        Cow::Borrowed(content)
    }
}

/// nginx's unescaping of a stored word (ngx_conf_read_token).
pub fn unescape(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len());
    let mut i = 0;
    while i < content.len() {
        let c = content[i];
        if c == b'\\' && i + 1 < content.len() {
            match content[i + 1] {
                b'"' | b'\'' | b'\\' => {
                    out.push(content[i + 1]);
                    i += 2;
                    continue;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// What a block's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// Ordinary directives.
    Directives,
    /// Entries read by a handler (`map`, `types`, `geo`, `split_clients`, `charset_map`, ...):
    /// words ending in `;`, no nested blocks.
    Entries,
    /// Lua source of a `*_by_lua_block`, kept as text.
    Lua,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The `{`.
    pub open: Span,
    pub items: Vec<Node>,
    /// The `}`; `None` when the file ended first.
    pub close: Option<Span>,
    /// For [`BlockKind::Lua`]: the Lua source between the braces.
    pub lua: Option<Span>,
}

/// How a directive ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terminator {
    Semicolon(Span),
    Block(Box<Block>),
    /// End of file or an error cut the statement short.
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: Word,
    /// Boxed slices, not vectors: a tree holds one directive per ~50 bytes of source, and a
    /// parsed directive never grows.
    pub args: Box<[Word]>,
    pub terminator: Terminator,
    /// Comments between the name and the terminator.
    pub comments: Box<[Span]>,
    /// From the name to the `;` or the `}` of its block.
    pub span: Span,
}

impl Directive {
    pub fn block(&self) -> Option<&Block> {
        match &self.terminator {
            Terminator::Block(b) => Some(b),
            _ => None,
        }
    }
    pub fn block_mut(&mut self) -> Option<&mut Block> {
        match &mut self.terminator {
            Terminator::Block(b) => Some(b),
            _ => None,
        }
    }
    /// Where nginx reports this directive's errors: its `;` or `{` (or the last word when cut
    /// short).
    pub fn report_span(&self) -> Span {
        match &self.terminator {
            Terminator::Semicolon(s) => *s,
            Terminator::Block(b) => b.open,
            Terminator::Missing => self.args.last().map(|w| w.span).unwrap_or(self.name.span),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Directive(Directive),
    /// A `#` comment, without its line break.
    Comment(Span),
    /// A block with no directive name (`{` with no words before it), kept so braces balance.
    Orphan(Box<Block>),
    /// Source skipped by recovery (e.g. nesting beyond the depth limit); printed verbatim.
    Skipped(Span),
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Directive(d) => d.span,
            Node::Comment(s) | Node::Skipped(s) => *s,
            Node::Orphan(b) => b.close.map(|c| b.open.cover(c)).unwrap_or(b.open),
        }
    }
}

/// How the top level of a file is read: as directives, or as handler entries (a file included
/// inside `map`/`types`/`geo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParseMode {
    Directives,
    Entries,
}

/// A syntax error with nginx's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// Our own limit (nesting depth), not something nginx rejects.
    pub limit: bool,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub file: FileId,
    pub mode: ParseMode,
    pub items: Vec<Node>,
    /// In source order; the first is the one nginx reports.
    pub errors: Vec<SyntaxError>,
    /// Directives (entries included) the parser made: counted as it goes, since the include
    /// limit asks for every file's count and a walk costs as much as a fifth of the parse.
    directives: usize,
    /// The `include` directives, noted as they were parsed (the resolver needs them and a walk
    /// of a large tree costs about a tenth of its parse).
    pub(crate) include_sites: Vec<IncludeSite>,
}

/// An `include` directive with one argument ended by `;`, outside nameless blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IncludeSite {
    /// The whole directive.
    pub span: Span,
    /// Where nginx reports its errors (the `;`).
    pub report: Span,
    pub target: Word,
    /// The mode its files are read in: that of the block holding it.
    pub mode: ParseMode,
}

impl Document {
    /// Depth-first walk over every directive (entries included), parents before children.
    pub fn walk(&self, mut f: impl FnMut(&Directive, usize)) {
        let mut stack: Vec<(std::slice::Iter<'_, Node>, usize)> = vec![(self.items.iter(), 0)];
        while let Some((iter, depth)) = stack.last_mut() {
            let depth = *depth;
            match iter.next() {
                None => {
                    stack.pop();
                }
                Some(Node::Directive(d)) => {
                    f(d, depth);
                    if let Some(b) = d.block() {
                        stack.push((b.items.iter(), depth + 1));
                    }
                }
                Some(Node::Orphan(b)) => stack.push((b.items.iter(), depth + 1)),
                Some(_) => {}
            }
        }
    }

    /// Every directive, entries included, as parsed.
    pub fn directive_count(&self) -> usize {
        self.directives
    }

    pub(crate) fn new(file: FileId, mode: ParseMode, items: Vec<Node>, errors: Vec<SyntaxError>, directives: usize) -> Document {
        Document { file, mode, items, errors, directives, include_sites: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_in_agrees_with_text() {
        let inputs: [&[u8]; 3] = [
            "a 'b\\'c' \"d\\\"e\" caf\u{e9} \\.php$ x\\ty \"\" ''; m { k v; }".as_bytes(),
            b"a b\xff c;",
            b"x 'unterminated",
        ];
        for src in inputs {
            let text = std::str::from_utf8(src).ok();
            let doc = crate::syntax::parse(src, crate::FileId(0), crate::syntax::ParseMode::Directives);
            doc.walk(|d, _| {
                for w in std::iter::once(&d.name).chain(&d.args) {
                    assert_eq!(w.text_in(src, text), w.text(src));
                    assert_eq!(w.text_in(src, None), w.text(src));
                }
            });
        }
    }

    #[test]
    fn changes_on_unescape_is_exactly_when_unescape_changes_something() {
        let cases: [&[u8]; 12] = [b"", b"\\", b"a\\", b"\\.php$", b"\\d+\\.\\w", b"\\t", b"a\\nb", b"\\\\", b"\\\\.", b"\\\"x", b"\\'", b"\\r\\x"];
        for c in cases {
            assert_eq!(super::changes_on_unescape(c), super::unescape(c) != c, "{:?}", String::from_utf8_lossy(c));
        }
    }
}
