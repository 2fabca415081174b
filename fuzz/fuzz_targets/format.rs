//! The formatter only moves whitespace between tokens, so whenever it accepts a file:
//! - it is idempotent: format(format(x)) == format(x);
//! - the formatted file parses without errors;
//! - nginx would read the same directives: the sequence of (depth, name value, argument values,
//!   Lua body) is unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ngxlint::syntax::{self, BlockKind, ParseMode};
use ngxlint::{format, FileId, FormatOptions};

type Statement = (usize, Vec<u8>, Vec<Vec<u8>>, Option<Vec<u8>>);

fn statements(src: &[u8]) -> Vec<Statement> {
    let doc = syntax::parse(src, FileId(0), ParseMode::Directives);
    assert!(
        doc.errors.is_empty(),
        "formatted output has syntax errors: {:?}",
        doc.errors
    );
    let mut out = Vec::new();
    doc.walk(|d, depth| {
        let lua = d
            .block()
            .filter(|b| b.kind == BlockKind::Lua)
            .and_then(|b| b.lua)
            .map(|l| src[l.range()].to_vec());
        out.push((
            depth,
            d.name.value(src).into_owned(),
            d.args.iter().map(|w| w.value(src).into_owned()).collect(),
            lua,
        ));
    });
    out
}

fuzz_target!(|data: &[u8]| {
    let opts = FormatOptions::default();
    let Ok(once) = format(data, &opts) else {
        return;
    };
    let twice = format(&once, &opts).expect("formatted output is refused by the formatter");
    assert!(
        once == twice,
        "format is not idempotent:\n--- once ---\n{}\n--- twice ---\n{}",
        String::from_utf8_lossy(&once),
        String::from_utf8_lossy(&twice)
    );
    assert_eq!(
        statements(data),
        statements(&once),
        "formatting changed what nginx reads"
    );
});
