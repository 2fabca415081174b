//! Arbitrary bytes through the tokenizer and parser, in both top-level modes.
//!
//! Invariants: never panic; printing the untouched tree gives the input back byte for byte; every
//! span (errors, words, comments, terminators, blocks) lies inside the input with start <= end;
//! the token stream is in source order without overlaps; an error-free file is fully covered by
//! its tokens (only whitespace between them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ngxlint::syntax::{self, Document, ParseMode};
use ngxlint::{FileId, Span};

fn in_bounds(span: Span, len: usize, what: &str) {
    assert!(
        span.start <= span.end && span.end as usize <= len,
        "{what} span {}..{} out of bounds (len {len})",
        span.start,
        span.end
    );
    assert_eq!(span.file, FileId(0), "{what} span has the wrong file");
}

fn check(doc: &Document, src: &[u8]) {
    let len = src.len();
    for e in &doc.errors {
        in_bounds(e.span, len, "error");
        assert!(!e.message.is_empty(), "empty error message");
    }
    // Errors are documented as being in source order.
    assert!(
        doc.errors
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start),
        "errors not in source order"
    );
    doc.walk(|d, _| {
        in_bounds(d.span, len, "directive");
        in_bounds(d.name.span, len, "name");
        for w in &d.args {
            in_bounds(w.span, len, "argument");
            // Reading values must not panic either.
            let _ = w.value(src);
        }
        let _ = d.name.value(src);
        in_bounds(d.report_span(), len, "report");
    });
    let tokens = syntax::tokens(doc);
    let mut at = 0u32;
    for t in &tokens {
        in_bounds(*t, len, "token");
        assert!(
            t.start >= at,
            "token {}..{} overlaps or precedes the previous one (ends {at})",
            t.start,
            t.end
        );
        at = t.end;
    }
    assert_eq!(syntax::print(doc, src), src, "print(parse(x)) != x");
    if doc.errors.is_empty() {
        let gaps = syntax::uncovered(doc, src);
        assert!(
            gaps.is_empty(),
            "error-free file has non-whitespace outside tokens: {gaps:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    for mode in [ParseMode::Directives, ParseMode::Entries] {
        let doc = syntax::parse(data, FileId(0), mode);
        assert_eq!(doc.mode, mode);
        check(&doc, data);
    }
});
