//! The formatter: canonical indentation, one statement per line, single spaces between words,
//! comments and (collapsed) blank lines kept, every word printed exactly as written (quotes and
//! escapes included), Lua bodies verbatim. Only whitespace between tokens changes, so nginx reads
//! the same words in the same blocks; files with syntax errors are refused rather than guessed at.

use crate::source::FileId;
use crate::syntax::{self, Block, BlockKind, Directive, Node, ParseMode, SyntaxError, Terminator};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatOptions {
    /// Spaces per nesting level.
    pub indent: usize,
    /// Most consecutive blank lines kept.
    pub max_blank_lines: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions { indent: 4, max_blank_lines: 1 }
    }
}

/// Formats one file. Errs with the file's syntax errors (nothing is formatted then).
pub fn format(src: &[u8], opts: &FormatOptions) -> Result<Vec<u8>, Vec<SyntaxError>> {
    format_mode(src, ParseMode::Directives, opts)
}

/// Formats a file read in the given mode (entries for a file included inside `map`/`types`).
pub fn format_mode(src: &[u8], mode: ParseMode, opts: &FormatOptions) -> Result<Vec<u8>, Vec<SyntaxError>> {
    let doc = syntax::parse(src, FileId(0), mode);
    if !doc.errors.is_empty() {
        return Err(doc.errors);
    }
    let mut p = Printer { src, opts, out: Vec::with_capacity(src.len() + src.len() / 8), last: 0, line_open: false };
    p.items(&doc.items, 0);
    if p.line_open {
        p.out.push(b'\n');
    }
    Ok(p.out)
}

struct Printer<'a> {
    src: &'a [u8],
    opts: &'a FormatOptions,
    out: Vec<u8>,
    /// End offset of the last token printed.
    last: usize,
    /// Something was printed on the current output line.
    line_open: bool,
}

impl Printer<'_> {
    fn newlines_before(&self, start: usize) -> usize {
        if start < self.last {
            return 0;
        }
        self.src[self.last..start].iter().filter(|&&c| c == b'\n').count()
    }

    fn new_line(&mut self, depth: usize) {
        if self.line_open {
            self.out.push(b'\n');
        }
        self.out.extend(std::iter::repeat(b' ').take(depth * self.opts.indent));
        self.line_open = true;
    }

    fn token(&mut self, start: usize, end: usize) {
        self.out.extend_from_slice(&self.src[start..end]);
        self.last = end;
    }

    fn comment_text(&self, start: usize, end: usize) -> (usize, usize) {
        let mut e = end;
        while e > start && matches!(self.src[e - 1], b' ' | b'\t' | b'\r') {
            e -= 1;
        }
        (start, e)
    }

    fn items(&mut self, items: &[Node], depth: usize) {
        for (i, node) in items.iter().enumerate() {
            let span = node.span();
            let start = span.start as usize;
            let breaks = self.newlines_before(start);
            if let Node::Comment(c) = node {
                if breaks == 0 && self.line_open && self.last > 0 {
                    // A trailing comment stays on its line.
                    self.out.push(b' ');
                } else {
                    if breaks > 1 && i > 0 {
                        self.blank_lines(breaks - 1);
                    }
                    self.new_line(depth);
                }
                let (s, e) = self.comment_text(c.start as usize, c.end as usize);
                self.token(s, e);
                self.last = c.end as usize;
                continue;
            }
            if breaks > 1 && i > 0 {
                self.blank_lines(breaks - 1);
            }
            self.new_line(depth);
            match node {
                Node::Directive(d) => self.directive(d, depth),
                _ => {
                    // Files with orphans or skipped text have syntax errors and are refused.
                    self.token(start, span.end as usize);
                }
            }
        }
    }

    fn blank_lines(&mut self, n: usize) {
        if self.line_open {
            self.out.push(b'\n');
            self.line_open = false;
        }
        for _ in 0..n.min(self.opts.max_blank_lines) {
            self.out.push(b'\n');
        }
    }

    fn directive(&mut self, d: &Directive, depth: usize) {
        self.token(d.name.span.start as usize, d.name.span.end as usize);
        // Arguments and inner comments in source order.
        let mut parts: Vec<(usize, usize, bool)> = d
            .args
            .iter()
            .map(|w| (w.span.start as usize, w.span.end as usize, false))
            .chain(d.comments.iter().map(|c| (c.start as usize, c.end as usize, true)))
            .collect();
        parts.sort_unstable();
        let mut after_comment = false;
        for (s, e, is_comment) in parts {
            if after_comment || self.newlines_before(s) > 0 {
                self.new_line(depth + 1);
            } else {
                self.out.push(b' ');
            }
            if is_comment {
                let (cs, ce) = self.comment_text(s, e);
                self.token(cs, ce);
                self.last = e;
            } else {
                self.token(s, e);
            }
            after_comment = is_comment;
        }
        match &d.terminator {
            Terminator::Semicolon(s) => {
                if after_comment {
                    self.new_line(depth + 1);
                }
                self.token(s.start as usize, s.end as usize);
            }
            Terminator::Block(b) => {
                if after_comment {
                    self.new_line(depth);
                } else {
                    self.out.push(b' ');
                }
                self.block(b, depth);
            }
            Terminator::Missing => {}
        }
    }

    fn block(&mut self, b: &Block, depth: usize) {
        self.token(b.open.start as usize, b.open.end as usize);
        if b.kind == BlockKind::Lua {
            if let Some(l) = b.lua {
                self.token(l.start as usize, l.end as usize);
            }
        } else if !b.items.is_empty() {
            self.items(&b.items, depth + 1);
            self.new_line(depth);
        }
        if let Some(c) = b.close {
            self.token(c.start as usize, c.end as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        String::from_utf8(format(s.as_bytes(), &FormatOptions::default()).unwrap()).unwrap()
    }

    #[test]
    fn indents_and_spaces_canonically() {
        let got = fmt("http{server  {listen   80;   # main\n\n\n\nlocation / {return 200 \"a  b\";}}}\nevents{}");
        assert_eq!(
            got,
            "http {\n    server {\n        listen 80; # main\n\n        location / {\n            return 200 \"a  b\";\n        }\n    }\n}\nevents {}\n"
        );
    }

    #[test]
    fn continuation_lines_and_inner_comments_are_kept() {
        let got = fmt("log_format main '$a'\n  '$b' # why\n  '$c';\n");
        assert_eq!(got, "log_format main '$a'\n    '$b' # why\n    '$c';\n");
    }

    #[test]
    fn lua_bodies_are_verbatim() {
        let src = "location / {\ncontent_by_lua_block {\n  ngx.say('}')\n}\n}\n";
        assert_eq!(fmt(src), "location / {\n    content_by_lua_block {\n  ngx.say('}')\n}\n}\n");
    }

    #[test]
    fn idempotent() {
        let src = "# a\nhttp { # b\n include x; map $a $b { default 0; } }\n\n\n# c\n";
        let once = fmt(src);
        assert_eq!(fmt(&once), once);
    }

    #[test]
    fn refuses_files_with_syntax_errors() {
        assert!(format(b"http {", &FormatOptions::default()).is_err());
    }
}
