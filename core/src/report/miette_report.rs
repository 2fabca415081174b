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
            Some(f) => (f.path().to_string(), f.text_lossy().into_owned()),
            None => (String::new(), String::new()),
        };
        // Lossy decoding may change byte lengths; spans are clamped to char boundaries below.
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
