//! A parse payload compatible with crossplane's JSON schema (`crossplane parse`): `status`,
//! `errors`, and `config[]` with `file`, `status`, `errors` and `parsed[]` statements
//! (`directive`, `line`, `args`, `block`, `includes`, `comment`). Arguments are shaped as
//! crossplane shapes them: quotes stripped with only the escaped quote unescaped, other escapes
//! kept; `if` parentheses stripped; a Lua block's body as one argument.

use crate::include::Config;
use crate::report::Diagnostic;
use crate::source::SourceSet;
use crate::syntax::{BlockKind, Directive, Node, Quote, Word};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default)]
pub struct CrossplaneOptions {
    pub include_comments: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Payload {
    pub status: &'static str,
    pub errors: Vec<PayloadError>,
    pub config: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PayloadError {
    pub file: String,
    pub line: Option<usize>,
    pub error: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileError {
    pub error: String,
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileEntry {
    pub file: String,
    pub status: &'static str,
    pub errors: Vec<FileError>,
    pub parsed: Vec<Statement>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Statement {
    pub directive: String,
    pub line: usize,
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub includes: Option<Vec<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<Vec<Statement>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// crossplane's view of one argument.
fn arg(w: &Word, src: &[u8]) -> String {
    let content = src.get(w.content_span().range()).unwrap_or(&[]);
    let text = String::from_utf8_lossy(content);
    match w.quote {
        Quote::None => text.into_owned(),
        Quote::Double => text.replace("\\\"", "\""),
        Quote::Single => text.replace("\\'", "'"),
    }
}

pub fn payload(
    files: &SourceSet,
    config: &Config,
    diagnostics: &[Diagnostic],
    opts: CrossplaneOptions,
) -> Payload {
    // One entry per file (crossplane parses a file once), in the order files were reached.
    let mut entry_of_doc = vec![0usize; config.docs.len()];
    let mut first_docs: Vec<usize> = Vec::new();
    for (i, d) in config.docs.iter().enumerate() {
        match first_docs.iter().position(|&f| config.docs[f].file == d.file) {
            Some(e) => entry_of_doc[i] = e,
            None => {
                entry_of_doc[i] = first_docs.len();
                first_docs.push(i);
            }
        }
    }
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for &di in &first_docs {
        let file = config.docs[di].file;
        let path = files.path(file).to_string();
        let file_errors: Vec<FileError> = diagnostics
            .iter()
            .filter(|d| d.span.file == file && d.severity == super::Severity::Error)
            .map(|d| {
                let line = files.range_of(d.span).0.line;
                errors.push(PayloadError {
                    file: path.clone(),
                    line: Some(line),
                    error: d.nginx_message(files),
                });
                FileError { error: d.nginx_message(files), line: Some(line) }
            })
            .collect();
        let ctx = Ctx { files, config, doc: di, entry_of_doc: &entry_of_doc, opts };
        entries.push(FileEntry {
            file: path,
            status: if file_errors.is_empty() { "ok" } else { "failed" },
            errors: file_errors,
            parsed: ctx.statements(&config.docs[di].doc.items),
        });
    }
    Payload { status: if errors.is_empty() { "ok" } else { "failed" }, errors, config: entries }
}

struct Ctx<'a> {
    files: &'a SourceSet,
    config: &'a Config,
    doc: usize,
    entry_of_doc: &'a [usize],
    opts: CrossplaneOptions,
}

impl Ctx<'_> {
    fn src(&self) -> &[u8] {
        self.files.bytes(self.config.docs[self.doc].file)
    }

    fn line(&self, offset: u32) -> usize {
        let f = self.files.file(self.config.docs[self.doc].file);
        f.line_index().line_of(offset as usize) + 1
    }

    fn statements(&self, items: &[Node]) -> Vec<Statement> {
        let mut out = Vec::new();
        for node in items {
            match node {
                Node::Directive(d) => {
                    if self.opts.include_comments {
                        // crossplane emits comments inside a statement before it.
                        for c in &d.comments {
                            out.push(self.comment(*c));
                        }
                    }
                    out.push(self.directive(d));
                }
                Node::Comment(c) if self.opts.include_comments => out.push(self.comment(*c)),
                Node::Orphan(b) => out.extend(self.statements(&b.items)),
                _ => {}
            }
        }
        out
    }

    fn comment(&self, span: crate::source::Span) -> Statement {
        let text = self.files.slice(span);
        Statement {
            directive: "#".into(),
            line: self.line(span.start),
            args: Vec::new(),
            includes: None,
            block: None,
            comment: Some(String::from_utf8_lossy(text.get(1..).unwrap_or(&[])).into_owned()),
        }
    }

    fn directive(&self, d: &Directive) -> Statement {
        let src = self.src();
        let name = arg(&d.name, src);
        let mut args: Vec<String> = d.args.iter().map(|w| arg(w, src)).collect();
        if name == "if" {
            strip_if_parens(&mut args);
        }
        let mut block = None;
        if let Some(b) = d.block() {
            if b.kind == BlockKind::Lua {
                let body = b.lua.map(|l| self.files.slice(l)).unwrap_or(&[]);
                args.push(String::from_utf8_lossy(body).into_owned());
            } else {
                block = Some(self.statements(&b.items));
            }
        }
        let includes = self.config.include_at(self.doc, d).map(|inc| {
            let mut v: Vec<usize> = inc.targets.iter().map(|&t| self.entry_of_doc[t]).collect();
            v.dedup();
            v
        });
        Statement { directive: name, line: self.line(d.name.span.start), args, includes, block, comment: None }
    }
}

fn strip_if_parens(args: &mut Vec<String>) {
    if let Some(first) = args.first_mut() {
        if let Some(rest) = first.strip_prefix('(') {
            *first = rest.trim_start().to_string();
        }
    }
    if let Some(last) = args.last_mut() {
        if let Some(rest) = last.strip_suffix(')') {
            *last = rest.trim_end().to_string();
        }
    }
    args.retain(|a| !a.is_empty());
}
