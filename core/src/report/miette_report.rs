//! miette integration: a [`Diagnostic`] paired with its source implements
//! `miette::Diagnostic`, so any miette handler can render it. Only the CLI enables miette's fancy
//! (graphical) handler; the core stays small for wasm.

use super::{Diagnostic, Severity};
use crate::source::{LineIndex, SourceSet};
use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::borrow::Cow;
use std::fmt;

/// Secondary labels rendered per diagnostic, at most.
const MAX_RENDERED_LABELS: usize = 16;

/// A diagnostic with the file it points into, ready for miette.
pub struct Report<'a> {
    diagnostic: Diagnostic,
    source: Source<'a>,
}

impl<'a> Report<'a> {
    pub fn new(files: &'a SourceSet, diagnostic: &Diagnostic) -> Report<'a> {
        let source = match files.get(diagnostic.span.file) {
            Some(f) => Source {
                name: f.path().to_string(),
                text: match f.text() {
                    Some(t) => Cow::Borrowed(t),
                    None => Cow::Owned(same_length_text(f.bytes())),
                },
                lines: Some(f.line_index()),
            },
            None => Source { name: String::new(), text: Cow::Borrowed(""), lines: None },
        };
        Report { diagnostic: diagnostic.clone(), source }
    }

    fn span(&self, span: crate::source::Span) -> SourceSpan {
        let text = &*self.source.text;
        let clamp = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (s, e) = (clamp(span.start as usize), clamp(span.end as usize));
        SourceSpan::new(s.into(), e.saturating_sub(s))
    }
}

/// The file miette reads context from. miette's own `[u8]` source counts lines from the start
/// of the file on every read, which made rendering N diagnostics of a big file O(N x size)
/// (7 s for the 2,000 diagnostics of a 1 MB file); this one hands miette a few lines around the
/// span, found with the file's line index, and shifts the answer back to file positions.
struct Source<'a> {
    name: String,
    /// Borrowed when the file is UTF-8; otherwise a copy with each invalid byte shown as `?`.
    text: Cow<'a, str>,
    lines: Option<&'a LineIndex>,
}

impl SourceCode for Source<'_> {
    fn read_span<'s>(&'s self, span: &SourceSpan, before: usize, after: usize) -> Result<Box<dyn SpanContents<'s> + 's>, MietteError> {
        let bytes = self.text.as_bytes();
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > bytes.len() {
            return Err(MietteError::OutOfBounds);
        }
        let Some(lines) = self.lines else {
            return bytes.read_span(span, before, after);
        };
        // Whole lines from `before` lines above the span to `after` lines below it, plus one
        // more each side, so miette's count over the window ends exactly where it would over
        // the whole file.
        let first = lines.line_of(start).saturating_sub(before + 1);
        let last = lines.line_of(end) + after + 2;
        let from = lines.line_start(first);
        let to = if last < lines.line_count() { lines.line_start(last) } else { bytes.len() };
        let local = SourceSpan::new((start - from).into(), span.len());
        let inner = bytes[from..to].read_span(&local, before, after)?;
        let data = inner.data();
        let offset = from + inner.span().offset();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(offset.into(), inner.span().len()),
            first + inner.line(),
            inner.column(),
            // miette's `[u8]` source reports the newlines counted from the start of the input
            // here, so its handler merged every later label into one snippet (hundreds of lines
            // between two labels far apart); the lines of this context keep them apart.
            inner.line_count().saturating_sub(inner.line()),
        )))
    }
}

/// The file as text with every byte of invalid UTF-8 shown as `?`, so byte offsets (our spans)
/// stay valid in the rendered source.
fn same_length_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                out.extend(std::iter::repeat('?').take(n));
                rest = &bad[n..];
            }
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("{}({})", self.diagnostic.code, self.diagnostic.rule)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.help.as_ref().map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(None, self.span(self.diagnostic.span));
        let rest = self
            .diagnostic
            .labels
            .iter()
            .filter(|l| l.span.file == self.diagnostic.span.file)
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), self.span(l.span)));
        // A backstop for the text rendering, which compares every label with every line: rules
        // keep their labels few, the JSON formats carry them all.
        Some(Box::new(std::iter::once(primary).chain(rest.take(MAX_RENDERED_LABELS))))
    }
}

#[cfg(test)]
mod tests {
    use super::{same_length_text, Source};
    use crate::source::SourceSet;
    use miette::{SourceCode, SourceSpan};
    use std::borrow::Cow;

    /// The windowed source answers as miette's whole-file source does (lines, columns, spans,
    /// the text shown), while reading only the lines around the span.
    #[test]
    fn windows_answer_like_the_whole_file() {
        let text: String = (0..400).map(|i| match i % 7 {
            0 => "\n".to_string(),
            1 => format!("  server_name s{i}.example;\r\n"),
            _ => format!("    location /p{i} {{ return 200 \"é{i}\"; }}\n"),
        }).collect();
        let mut files = SourceSet::new();
        let id = files.add("/t.conf", &text);
        let f = files.file(id);
        let source = Source { name: "/t.conf".into(), text: Cow::Borrowed(f.text().unwrap()), lines: Some(f.line_index()) };
        let whole = text.as_bytes();
        let mut checked = 0;
        for start in (0..text.len()).step_by(97).filter(|&s| text.is_char_boundary(s)) {
            for len in [0, 1, 5, 60, 400] {
                let end = (start + len).min(text.len());
                if !text.is_char_boundary(end) {
                    continue;
                }
                let span = SourceSpan::new(start.into(), end - start);
                for ctx in [0, 1, 2] {
                    let (a, b) = (whole.read_span(&span, ctx, ctx).unwrap(), source.read_span(&span, ctx, ctx).unwrap());
                    assert_eq!((a.line(), a.column(), a.span(), a.data()), (b.line(), b.column(), b.span(), b.data()), "{start}+{len} ctx {ctx}");
                    assert!(b.data().len() < 1000, "read {} bytes for {start}+{len}", b.data().len());
                    checked += 1;
                }
            }
        }
        assert!(checked > 500);
        assert!(source.read_span(&SourceSpan::new(text.len().into(), 1), 1, 1).is_err());
    }

    #[test]
    fn invalid_bytes_keep_offsets() {
        let t = same_length_text(b"a\xff\xfeb\xc3\xa9c\xe2\x82");
        assert_eq!(t, "a??béc??");
        assert_eq!(t.len(), 9);
    }
}
