//! The full parse tree as plain serializable values: what `ngxlint parse --format json` prints and
//! what tools that want more than crossplane's shape (exact spans, quoting, raw text, comments
//! inside statements, Lua bodies, include targets) can read.
//!
//! ```text
//! {"version":1,"files":[{"path","mode","errors":[{"code","message","span"}],"items":[node...]}]}
//! node = {"type":"directive","name":word,"args":[word...],"terminator":";"|"block"|"missing",
//!         "block":{"kind":"directives"|"entries"|"lua","open":span,"close":span|null,
//!                  "items":[node...],"lua":text?}?,
//!         "comments":[{"text","span"}...],"includes":[path...]?,"span":span}
//!      | {"type":"comment","text","span"}
//!      | {"type":"orphan_block","block":block,"span"}      (a `{` with no directive before it)
//!      | {"type":"skipped","text","span"}                  (source skipped by error recovery)
//! word = {"raw","value","quote":"none"|"single"|"double","span"}
//! span = {"start","end","line","column","end_line","end_column"}
//! ```
//!
//! Offsets are bytes; lines and columns are 1-based, columns counted in characters. Text that is
//! not valid UTF-8 is decoded lossily (spans stay exact). One entry per parsed document: a file
//! included both as directives and as `map`/`types` entries appears once per mode. `includes`
//! (only on resolved `include` directives) lists the included files in nginx's order.

use crate::include::Config;
use crate::report::codes;
use crate::source::{SourceFile, SourceSet, Span};
use crate::syntax::{
    Block, BlockKind, Directive, Document, Node, ParseMode, Quote, Terminator, Word,
};
use serde::Serialize;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Tree {
    pub version: u32,
    pub files: Vec<TreeFile>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub mode: ParseMode,
    pub errors: Vec<TreeError>,
    pub items: Vec<TreeNode>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeError {
    /// `NGX001` for nginx's syntax errors, `NGX004` for ngxlint's own limits.
    pub code: &'static str,
    pub message: String,
    pub span: TreeSpan,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct TreeSpan {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TreeNode {
    Directive(TreeDirective),
    Comment { text: String, span: TreeSpan },
    OrphanBlock { block: TreeBlock, span: TreeSpan },
    Skipped { text: String, span: TreeSpan },
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeDirective {
    pub name: TreeWord,
    pub args: Vec<TreeWord>,
    pub terminator: TerminatorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<TreeBlock>,
    pub comments: Vec<TreeComment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub includes: Option<Vec<String>>,
    pub span: TreeSpan,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum TerminatorKind {
    #[serde(rename = ";")]
    Semicolon,
    #[serde(rename = "block")]
    Block,
    #[serde(rename = "missing")]
    Missing,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeBlock {
    pub kind: BlockKind,
    pub open: TreeSpan,
    /// `None` when the file ended before the `}`.
    pub close: Option<TreeSpan>,
    pub items: Vec<TreeNode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lua: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeComment {
    pub text: String,
    pub span: TreeSpan,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeWord {
    /// The source text, quotes and escapes included.
    pub raw: String,
    /// The value nginx stores (quotes removed, escapes resolved).
    pub value: String,
    pub quote: Quote,
    pub span: TreeSpan,
}

/// Every document of a resolved configuration, with include targets on include directives.
pub fn tree(files: &SourceSet, config: &Config) -> Tree {
    let files_out = config
        .docs
        .iter()
        .enumerate()
        .map(|(i, parsed)| {
            Builder {
                files,
                config: Some((config, i)),
                file: files.get(parsed.file),
            }
            .file(&parsed.doc)
        })
        .collect();
    Tree {
        version: VERSION,
        files: files_out,
    }
}

/// One document on its own (no include information).
pub fn document(files: &SourceSet, doc: &Document) -> TreeFile {
    Builder {
        files,
        config: None,
        file: files.get(doc.file),
    }
    .file(doc)
}

struct Builder<'a> {
    files: &'a SourceSet,
    config: Option<(&'a Config, usize)>,
    file: Option<&'a SourceFile>,
}

impl Builder<'_> {
    fn src(&self) -> &[u8] {
        self.file.map(|f| f.bytes()).unwrap_or(&[])
    }

    fn text(&self, span: Span) -> String {
        String::from_utf8_lossy(self.src().get(span.range()).unwrap_or(&[])).into_owned()
    }

    fn span(&self, span: Span) -> TreeSpan {
        let (s, e) = match self.file {
            Some(f) => (
                f.position(span.start as usize),
                f.position(span.end as usize),
            ),
            None => Default::default(),
        };
        TreeSpan {
            start: span.start as usize,
            end: span.end as usize,
            line: s.line,
            column: s.column,
            end_line: e.line,
            end_column: e.column,
        }
    }

    fn file(&self, doc: &Document) -> TreeFile {
        TreeFile {
            path: self.file.map(|f| f.path().to_string()).unwrap_or_default(),
            mode: doc.mode,
            errors: doc
                .errors
                .iter()
                .map(|e| TreeError {
                    code: if e.limit {
                        codes::LIMIT.code
                    } else {
                        codes::SYNTAX.code
                    },
                    message: e.message.clone(),
                    span: self.span(e.span),
                })
                .collect(),
            items: self.items(&doc.items),
        }
    }

    // Recursion depth is bounded by the parser's nesting limit (deeper input is `Skipped`).
    fn items(&self, items: &[Node]) -> Vec<TreeNode> {
        items
            .iter()
            .map(|node| match node {
                Node::Directive(d) => TreeNode::Directive(self.directive(d)),
                Node::Comment(s) => TreeNode::Comment {
                    text: self.text(*s),
                    span: self.span(*s),
                },
                Node::Orphan(b) => TreeNode::OrphanBlock {
                    block: self.block(b),
                    span: self.span(node.span()),
                },
                Node::Skipped(s) => TreeNode::Skipped {
                    text: self.text(*s),
                    span: self.span(*s),
                },
            })
            .collect()
    }

    fn word(&self, w: &Word) -> TreeWord {
        TreeWord {
            raw: String::from_utf8_lossy(w.raw(self.src())).into_owned(),
            value: w.text(self.src()).into_owned(),
            quote: w.quote,
            span: self.span(w.span),
        }
    }

    fn block(&self, b: &Block) -> TreeBlock {
        TreeBlock {
            kind: b.kind,
            open: self.span(b.open),
            close: b.close.map(|c| self.span(c)),
            items: self.items(&b.items),
            lua: if b.kind == BlockKind::Lua {
                Some(b.lua.map(|l| self.text(l)).unwrap_or_default())
            } else {
                None
            },
        }
    }

    fn directive(&self, d: &Directive) -> TreeDirective {
        let (terminator, block) = match &d.terminator {
            Terminator::Semicolon(_) => (TerminatorKind::Semicolon, None),
            Terminator::Block(b) => (TerminatorKind::Block, Some(self.block(b))),
            Terminator::Missing => (TerminatorKind::Missing, None),
        };
        let includes = self.config.and_then(|(config, doc)| {
            config.include_at(doc, d).map(|inc| {
                inc.targets
                    .iter()
                    .map(|&t| self.files.path(config.docs[t].file).to_string())
                    .collect()
            })
        });
        TreeDirective {
            name: self.word(&d.name),
            args: d.args.iter().map(|w| self.word(w)).collect(),
            terminator,
            block,
            comments: d
                .comments
                .iter()
                .map(|&c| TreeComment {
                    text: self.text(c),
                    span: self.span(c),
                })
                .collect(),
            includes,
            span: self.span(d.span),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, Options};
    use serde_json::{json, Value};

    fn tree_json(files: &[(&str, &[u8])]) -> Value {
        let mut set = SourceSet::new();
        for (p, b) in files {
            set.add(*p, b);
        }
        let a = analyze(&set, crate::FileId(0), &Options::default());
        serde_json::to_value(tree(&set, a.config())).unwrap()
    }

    #[test]
    fn directive_words_and_spans() {
        let v = tree_json(&[("n.conf", b"user  \"www data\";\n")]);
        assert_eq!(v["version"], 1);
        let f = &v["files"][0];
        assert_eq!(f["path"], "n.conf");
        assert_eq!(f["mode"], "directives");
        assert_eq!(f["errors"], json!([]));
        let d = &f["items"][0];
        assert_eq!(d["type"], "directive");
        assert_eq!(d["terminator"], ";");
        assert_eq!(
            d["name"],
            json!({"raw": "user", "value": "user", "quote": "none",
            "span": {"start": 0, "end": 4, "line": 1, "column": 1, "end_line": 1, "end_column": 5}})
        );
        assert_eq!(d["args"][0]["raw"], "\"www data\"");
        assert_eq!(d["args"][0]["value"], "www data");
        assert_eq!(d["args"][0]["quote"], "double");
        assert_eq!(d["span"]["end"], 17);
        assert!(d.get("block").is_none());
        assert!(d.get("includes").is_none());
    }

    #[test]
    fn blocks_comments_and_escapes() {
        let src = b"# top\nhttp { # inner\n  map $a $b { default 'x\\'y'; }\n  server_name a # why\n b;\n}\n";
        let v = tree_json(&[("n.conf", src)]);
        let items = &v["files"][0]["items"];
        assert_eq!(
            items[0],
            json!({"type": "comment", "text": "# top",
            "span": {"start": 0, "end": 5, "line": 1, "column": 1, "end_line": 1, "end_column": 6}})
        );
        let http = &items[1];
        assert_eq!(http["terminator"], "block");
        assert_eq!(http["block"]["kind"], "directives");
        assert_eq!(http["block"]["open"]["line"], 2);
        assert_eq!(http["block"]["close"]["line"], 6);
        assert!(http["block"].get("lua").is_none());
        let inner = &http["block"]["items"];
        assert_eq!(inner[0]["type"], "comment");
        let map = &inner[1];
        assert_eq!(map["block"]["kind"], "entries");
        let entry = &map["block"]["items"][0];
        assert_eq!(entry["args"][0]["raw"], "'x\\'y'");
        assert_eq!(entry["args"][0]["value"], "x'y");
        assert_eq!(entry["args"][0]["quote"], "single");
        let names = &inner[2];
        assert_eq!(names["comments"][0]["text"], "# why");
        assert_eq!(names["comments"][0]["span"]["line"], 4);
        assert_eq!(names["args"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn lua_blocks_keep_their_source() {
        let v = tree_json(&[("n.conf", b"content_by_lua_block { ngx.say('}') }")]);
        let b = &v["files"][0]["items"][0]["block"];
        assert_eq!(b["kind"], "lua");
        assert_eq!(b["lua"], " ngx.say('}') ");
        assert_eq!(b["items"], json!([]));
    }

    #[test]
    fn syntax_errors_and_missing_terminators() {
        let v = tree_json(&[("n.conf", b"events {}\nworker_processes 1")]);
        let f = &v["files"][0];
        assert_eq!(f["errors"][0]["code"], "NGX001");
        assert_eq!(
            f["errors"][0]["message"],
            "unexpected end of file, expecting \";\" or \"}\""
        );
        assert_eq!(f["items"][1]["terminator"], "missing");
        let v = tree_json(&[("n.conf", b"a { b; ")]);
        assert!(v["files"][0]["items"][0]["block"]["close"].is_null());
    }

    #[test]
    fn include_sites_list_their_targets_in_order() {
        let v = tree_json(&[
            (
                "/e/n.conf",
                b"http { include conf.d/*.conf; include missing.conf; }",
            ),
            ("/e/conf.d/b.conf", b"b;"),
            ("/e/conf.d/a.conf", b"a;"),
        ]);
        let files = v["files"].as_array().unwrap();
        assert_eq!(files.len(), 3);
        let http = &files[0]["items"][0]["block"]["items"];
        assert_eq!(
            http[0]["includes"],
            json!(["/e/conf.d/a.conf", "/e/conf.d/b.conf"])
        );
        assert_eq!(http[1]["includes"], json!([]));
        assert_eq!(files[1]["path"], "/e/conf.d/a.conf");
    }

    #[test]
    fn orphan_blocks_and_invalid_utf8() {
        let v = tree_json(&[("n.conf", b"{ a; }\n# caf\xe9\nx \"\xff\";\n")]);
        let items = &v["files"][0]["items"];
        assert_eq!(items[0]["type"], "orphan_block");
        assert_eq!(items[0]["block"]["items"][0]["name"]["value"], "a");
        assert_eq!(items[1]["text"], "# caf\u{FFFD}");
        assert_eq!(items[2]["args"][0]["value"], "\u{FFFD}");
        assert_eq!(items[2]["args"][0]["span"]["end"].as_u64(), Some(19));
    }

    #[test]
    fn single_documents_have_no_include_info() {
        let mut set = SourceSet::new();
        let id = set.add("n.conf", "include x.conf;");
        let f = document(&set, &crate::parse(&set, id));
        assert_eq!(f.items.len(), 1);
        let TreeNode::Directive(d) = &f.items[0] else {
            panic!()
        };
        assert!(d.includes.is_none());
    }
}
