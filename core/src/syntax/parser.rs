//! Statement and block structure over the lexer's tokens (nginx's `ngx_conf_parse`), with error
//! recovery: nginx stops at its first error, we report it with nginx's wording and read on.
//!
//! The parser keeps an explicit stack of open blocks instead of recursing, so no input can
//! overflow the call stack; blocks nested deeper than [`MAX_DEPTH`] are kept as skipped text.

use super::lexer::{Lexer, Token};
use super::lua::{is_lua_block, scan_block, LuaScan};
use super::tree::*;
use crate::source::{FileId, Span};

/// Deepest block nesting kept in the tree.
pub const MAX_DEPTH: usize = 200;

/// Directives whose block body is read by a handler as entries rather than as directives.
pub const ENTRY_BLOCKS: &[&str] =
    &["types", "map", "geo", "split_clients", "charset_map", "match", "geoip2"];

fn is_entry_block(name: &[u8]) -> bool {
    ENTRY_BLOCKS.iter().any(|n| n.as_bytes() == name)
}

struct Frame {
    head: Option<(Word, Vec<Word>, Vec<Span>)>,
    kind: BlockKind,
    open: Span,
    /// Where this block's items start in `Parser::nodes`.
    start: usize,
}

/// Parses one file's bytes.
pub fn parse(src: &[u8], file: FileId, mode: ParseMode) -> Document {
    Parser::new(src, file).run(mode)
}

struct Parser<'a> {
    src: &'a [u8],
    file: FileId,
    lexer: Lexer<'a>,
    errors: Vec<SyntaxError>,
    words: Vec<Word>,
    comments: Vec<Span>,
    /// The items of every open block, innermost last: a block's items are moved out in one
    /// exact-size allocation when it closes, so no block keeps a grown vector's spare capacity.
    nodes: Vec<Node>,
    depth_reported: bool,
    directives: usize,
    /// `include` directives met so far, for the resolver.
    include_sites: Vec<IncludeSite>,
    /// Open blocks without a directive name: nothing inside them is an include site.
    orphans: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a [u8], file: FileId) -> Parser<'a> {
        Parser {
            src,
            file,
            lexer: Lexer::new(src, file),
            errors: Vec::new(),
            words: Vec::new(),
            comments: Vec::new(),
            nodes: Vec::new(),
            depth_reported: false,
            directives: 0,
            include_sites: Vec::new(),
            orphans: 0,
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(SyntaxError { span, message: message.into(), limit: false });
    }

    /// Turns the pending words into a directive.
    fn take_directive(&mut self, terminator: Terminator) -> Directive {
        self.directives += 1;
        let name = self.words[0];
        let args: Box<[Word]> = self.words[1..].into();
        self.words.clear();
        let end = match &terminator {
            Terminator::Semicolon(s) => s.end,
            Terminator::Block(b) => b.close.map(|c| c.end).unwrap_or_else(|| {
                b.items.last().map(|n| n.span().end).unwrap_or(b.open.end).max(
                    b.lua.map(|l| l.end).unwrap_or(0),
                )
            }),
            Terminator::Missing => args.last().map(|w| w.span.end).unwrap_or(name.span.end),
        };
        Directive {
            name,
            args,
            terminator,
            comments: std::mem::take(&mut self.comments).into_boxed_slice(),
            span: Span { file: self.file, start: name.span.start, end },
        }
    }

    fn run(mut self, mode: ParseMode) -> Document {
        let root_kind =
            if mode == ParseMode::Entries { BlockKind::Entries } else { BlockKind::Directives };
        let mut stack = vec![Frame {
            head: None,
            kind: root_kind,
            open: Span::new(self.file, 0, 0),
            start: 0,
        }];
        loop {
            match self.lexer.next_token() {
                Token::Word(w) => self.words.push(w),
                Token::Comment(s) => {
                    if self.words.is_empty() {
                        self.nodes.push(Node::Comment(s));
                    } else {
                        self.comments.push(s);
                    }
                }
                Token::Semicolon(s) => {
                    if self.words.is_empty() {
                        self.error(s, "unexpected \";\"");
                    } else {
                        let site = self.words.len() == 2 && self.orphans == 0 && self.words[0].is(self.src, "include");
                        let d = self.take_directive(Terminator::Semicolon(s));
                        if site {
                            // A block's items are read in its kind's mode, the file's own in `mode`.
                            let in_mode = match (stack.len(), top(&mut stack).kind) {
                                (1, _) => mode,
                                (_, BlockKind::Entries) => ParseMode::Entries,
                                _ => ParseMode::Directives,
                            };
                            self.include_sites.push(IncludeSite { span: d.span, report: s, target: d.args[0], mode: in_mode });
                        }
                        self.nodes.push(Node::Directive(d));
                    }
                }
                Token::Open(s) => self.open_block(&mut stack, s),
                Token::Close(s) => {
                    if !self.words.is_empty() {
                        self.error(s, "unexpected \"}\"");
                        let d = self.take_directive(Terminator::Missing);
                        self.nodes.push(Node::Directive(d));
                    }
                    if stack.len() == 1 {
                        self.error(s, "unexpected \"}\"");
                    } else {
                        self.close_frame(&mut stack, Some(s));
                    }
                }
                Token::Eof(s) => {
                    if !self.words.is_empty() {
                        self.error(s, "unexpected end of file, expecting \";\" or \"}\"");
                        let d = self.take_directive(Terminator::Missing);
                        self.nodes.push(Node::Directive(d));
                    } else if stack.len() > 1 {
                        self.error(s, "unexpected end of file, expecting \"}\"");
                    }
                    while stack.len() > 1 {
                        self.close_frame(&mut stack, None);
                    }
                    break;
                }
            }
        }
        let mut errors = self.lexer.errors;
        errors.append(&mut self.errors);
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        errors.dedup_by(|a, b| a.span == b.span && a.message == b.message);
        let items = self.nodes.drain(..).collect();
        let mut doc = Document::new(self.file, mode, items, errors, self.directives);
        doc.include_sites = self.include_sites;
        doc
    }

    fn open_block(&mut self, stack: &mut Vec<Frame>, open: Span) {
        if self.words.is_empty() {
            self.error(open, "unexpected \"{\"");
            self.orphans += 1;
            stack.push(Frame { head: None, kind: BlockKind::Directives, open, start: self.nodes.len() });
            return self.check_depth(stack);
        }
        if top(stack).kind == BlockKind::Entries {
            self.error(open, "unexpected \"{\"");
        }
        let name = self.words[0].value(self.src);
        if is_lua_block(&name) {
            let (close, lua_end) = match scan_block(self.src, open.end as usize) {
                LuaScan::Closed(c) => (Some(Span::new(self.file, c, c + 1)), c),
                LuaScan::Unclosed { at, message } => {
                    self.error(Span::new(self.file, at, self.src.len()), message);
                    (None, self.src.len())
                }
            };
            self.lexer.seek(close.map(|c| c.end as usize).unwrap_or(self.src.len()));
            let block = Box::new(Block {
                kind: BlockKind::Lua,
                open,
                items: Vec::new(),
                close,
                lua: Some(Span::new(self.file, open.end as usize, lua_end)),
            });
            let d = self.take_directive(Terminator::Block(block));
            self.nodes.push(Node::Directive(d));
            return;
        }
        let kind = if is_entry_block(&name) { BlockKind::Entries } else { BlockKind::Directives };
        let name = self.words[0];
        let args = self.words[1..].to_vec();
        self.words.clear();
        let comments = std::mem::take(&mut self.comments);
        stack.push(Frame { head: Some((name, args, comments)), kind, open, start: self.nodes.len() });
        self.check_depth(stack);
    }

    /// Past the depth limit, the new block's body is skipped (braces still counted) and kept as
    /// verbatim text.
    fn check_depth(&mut self, stack: &mut Vec<Frame>) {
        if stack.len() <= MAX_DEPTH + 1 {
            return;
        }
        let open = top(stack).open;
        if !self.depth_reported {
            self.depth_reported = true;
            self.errors.push(SyntaxError {
                span: open,
                message: format!(
                    "blocks are nested too deeply (more than {MAX_DEPTH} levels); the rest is not analysed"
                ),
                limit: true,
            });
        }
        let mut depth = 0usize;
        let close = loop {
            match self.lexer.next_token() {
                Token::Open(_) => depth += 1,
                Token::Close(c) if depth == 0 => break Some(c),
                Token::Close(_) => depth -= 1,
                Token::Eof(_) => break None,
                _ => {}
            }
        };
        let end = close.map(|c| c.start as usize).unwrap_or(self.src.len());
        let body = Span::new(self.file, open.end as usize, end);
        if !body.is_empty() {
            self.nodes.push(Node::Skipped(body));
        }
        if close.is_none() {
            self.error(
                Span::new(self.file, self.src.len(), self.src.len()),
                "unexpected end of file, expecting \"}\"",
            );
        }
        self.close_frame(stack, close);
    }

    fn close_frame(&mut self, stack: &mut Vec<Frame>, close: Option<Span>) {
        let Some(frame) = stack.pop() else { return };
        let items = self.nodes.drain(frame.start.min(self.nodes.len())..).collect();
        let block = Box::new(Block { kind: frame.kind, open: frame.open, items, close, lua: None });
        let node = match frame.head {
            None => {
                self.orphans -= 1;
                Node::Orphan(block)
            }
            Some((name, args, comments)) => {
                self.words.clear();
                self.words.push(name);
                self.words.extend(args);
                let saved = std::mem::replace(&mut self.comments, comments);
                let d = self.take_directive(Terminator::Block(block));
                self.comments = saved;
                Node::Directive(d)
            }
        };
        self.nodes.push(node);
    }
}

fn top(stack: &mut [Frame]) -> &mut Frame {
    // The root frame is never popped while parsing.
    let n = stack.len() - 1;
    &mut stack[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The include sites as a walk of the finished tree finds them: one-argument `include;`
    /// directives inside directive blocks (not nameless ones), in source order, with the mode of
    /// the block holding them.
    fn walked_sites(doc: &Document, src: &[u8]) -> Vec<IncludeSite> {
        let mut out = Vec::new();
        let mut stack: Vec<(&[Node], ParseMode)> = vec![(&doc.items, doc.mode)];
        while let Some((items, mode)) = stack.pop() {
            for node in items {
                let Node::Directive(d) = node else { continue };
                if let (true, 1, Terminator::Semicolon(report)) = (d.name.is(src, "include"), d.args.len(), &d.terminator) {
                    out.push(IncludeSite { span: d.span, report: *report, target: d.args[0], mode });
                }
                if let Some(b) = d.block() {
                    let m = if b.kind == BlockKind::Entries { ParseMode::Entries } else { ParseMode::Directives };
                    stack.push((&b.items, m));
                }
            }
        }
        out.sort_by_key(|s| s.span.start);
        out
    }

    #[test]
    fn include_sites_noted_while_parsing_are_those_of_the_tree() {
        let cases = [
            "include a;\nhttp { include b; server { include c d; include; location / { include 'e'; } } }\n",
            "map $a $b { include m; default 0; }\ntypes { include t; }\n",
            "{ include orphan; x { include in_orphan; } }\ninclude after;\n",
            "\"inc\\lude\" escaped;\ninclude x { }\ninclude y\n",
            "content_by_lua_block { include not_lua; }\ninclude z;\nhttp { include",
            "a { b { c { include deep; } } }\n}\ninclude after_stray_close;\n",
        ];
        for src in cases {
            for mode in [ParseMode::Directives, ParseMode::Entries] {
                let doc = parse(src.as_bytes(), FileId(0), mode);
                assert_eq!(doc.include_sites, walked_sites(&doc, src.as_bytes()), "{src:?} in {mode:?}");
            }
        }
        // Past the depth limit the body is skipped text: no sites inside.
        let deep = format!("{}include deep;{}", "a {".repeat(MAX_DEPTH + 5), "}".repeat(MAX_DEPTH + 5));
        let doc = parse(deep.as_bytes(), FileId(0), ParseMode::Directives);
        assert_eq!(doc.include_sites, walked_sites(&doc, deep.as_bytes()));
        assert!(doc.include_sites.is_empty());
        let n = parse(b"include a; http { include b; map $x $y { include c; } }", FileId(0), ParseMode::Directives).include_sites;
        assert_eq!(n.iter().map(|s| s.mode).collect::<Vec<_>>(), [ParseMode::Directives, ParseMode::Directives, ParseMode::Entries]);
    }

    fn errors(src: &str) -> Vec<String> {
        parse(src.as_bytes(), FileId(0), ParseMode::Directives)
            .errors
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn statement_level_errors_use_nginx_wording() {
        assert_eq!(errors("a;\n;"), ["unexpected \";\""]);
        assert_eq!(errors("{ a; }"), ["unexpected \"{\""]);
        assert_eq!(errors("a b }"), ["unexpected \"}\""]);
        assert_eq!(errors("}"), ["unexpected \"}\""]);
        assert_eq!(errors("a"), ["unexpected end of file, expecting \";\" or \"}\""]);
        assert_eq!(errors("a {"), ["unexpected end of file, expecting \"}\""]);
        assert_eq!(errors("map $a $b { x { } }"), ["unexpected \"{\""]);
    }

    #[test]
    fn recovery_reports_every_error() {
        let errs = errors("a \"x\"y;\n;\nb {\n c\n}\n}\n");
        assert_eq!(errs, ["unexpected \"y\"", "unexpected \";\"", "unexpected \"}\"", "unexpected \"}\""]);
    }

    #[test]
    fn tree_shape() {
        let src = b"http { # c\n server { listen 80; } }\nevents{}";
        let doc = parse(src, FileId(0), ParseMode::Directives);
        assert!(doc.errors.is_empty());
        let mut seen = Vec::new();
        doc.walk(|d, depth| seen.push((String::from_utf8_lossy(d.name.raw(src)).into_owned(), depth)));
        assert_eq!(
            seen,
            [("http".into(), 0), ("server".into(), 1), ("listen".into(), 2), ("events".into(), 0)]
        );
    }

    #[test]
    fn lua_blocks_are_scanned_as_lua() {
        let src = b"location / { content_by_lua_block { ngx.say(\"}\") } set_by_lua_block $v { return 1 } }";
        let doc = parse(src, FileId(0), ParseMode::Directives);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let mut names = Vec::new();
        doc.walk(|d, _| names.push((d.name.text(src).into_owned(), d.args.len())));
        assert_eq!(names, [("location".into(), 1), ("content_by_lua_block".into(), 0), ("set_by_lua_block".into(), 1)]);
    }

    #[test]
    fn deep_nesting_is_bounded_and_reported() {
        let depth = 100_000;
        let src = format!("{}{}", "a {".repeat(depth), "}".repeat(depth));
        let doc = parse(src.as_bytes(), FileId(0), ParseMode::Directives);
        assert_eq!(doc.errors.len(), 1);
        assert!(doc.errors[0].limit);
        let mut max = 0;
        doc.walk(|_, d| max = max.max(d));
        assert!(max <= MAX_DEPTH);
    }
}
