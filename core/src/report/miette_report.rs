//! miette integration: a [`Diagnostic`] paired with its source implements
//! `miette::Diagnostic`, so any miette handler can render it. Only the CLI enables miette's fancy
//! (graphical) handler; the core stays small for wasm.

use super::{Diagnostic, Severity};
use crate::source::SourceSet;
use miette::{LabeledSpan, NamedSource, SourceCode, SourceSpan};
use std::fmt;

/// A diagnostic with the file it points into, ready for miette.
pub struct Report {
    diagnostic: Diagnostic,
    source: NamedSource<String>,
}

impl Report {
    pub fn new(files: &SourceSet, diagnostic: &Diagnostic) -> Report {
        let file = files.get(diagnostic.span.file);
        let (name, text) = match file {
            Some(f) => (f.path().to_string(), same_length_text(f.bytes())),
            None => (String::new(), String::new()),
        };
        Report { diagnostic: diagnostic.clone(), source: NamedSource::new(name, text) }
    }

    fn span(&self, span: crate::source::Span) -> SourceSpan {
        let text = self.source.inner();
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

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.diagnostic, f)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
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
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

#[cfg(test)]
mod tests {
    use super::same_length_text;

    #[test]
    fn invalid_bytes_keep_offsets() {
        let t = same_length_text(b"a\xff\xfeb\xc3\xa9c\xe2\x82");
        assert_eq!(t, "a??béc??");
        assert_eq!(t.len(), 9);
    }
}
