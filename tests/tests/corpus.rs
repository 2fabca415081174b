//! The real-world corpus in ../shared/corpus against nginx's recorded verdicts (manifest.jsonl):
//! files nginx accepts parse without syntax errors, nginx's syntax errors are ngxlint's first
//! syntax error (same message, same line), the tree is lossless, and the formatter is idempotent
//! and keeps what nginx reads. Skips (passing) when ../shared/corpus is absent.
//!
//! `cargo test -p ngxlint-tests --test corpus -- --nocapture` shows the summary tables.

use ngxlint::syntax::{self, Document};
use ngxlint::FormatOptions;
use ngxlint_tests::*;
use std::path::Path;

struct CorpusFile {
    entry: ManifestEntry,
    bytes: Vec<u8>,
}

/// Every manifest entry with its bytes; `None` (skip) without the corpus.
fn corpus() -> Option<Vec<CorpusFile>> {
    let dir = corpus_dir()?;
    let entries = load_manifest(&dir);
    assert!(!entries.is_empty(), "empty manifest in {}", dir.display());
    let files = entries
        .into_iter()
        .map(|entry| {
            let path = dir.join(&entry.path);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            if let Some(n) = entry.bytes {
                assert_eq!(bytes.len() as u64, n, "{}: size differs from the manifest", entry.path);
            }
            CorpusFile { entry, bytes }
        })
        .collect();
    Some(files)
}

fn parse(f: &CorpusFile) -> Document {
    parse_bytes(&f.bytes)
}

#[test]
fn files_nginx_accepts_have_no_syntax_errors() {
    let Some(files) = corpus() else { return };
    let mut tally = Tally::new();
    let mut failures = Vec::new();
    for f in files.iter().filter(|f| f.entry.oracle_relaxed == "ok") {
        let (set, _, analysis) = analyze_one(&f.entry.path, &f.bytes, &f.entry.wrap);
        let errs = syntax_errors(&analysis);
        if errs.is_empty() {
            tally.add(f.entry.source(), "no syntax error");
        } else {
            tally.add(f.entry.source(), "SYNTAX ERROR");
            let d = errs[0];
            failures.push(format!(
                "{} (wrap {}): {}:{}: {} ({} syntax error(s) in all)",
                f.entry.path,
                f.entry.wrap,
                f.entry.path,
                line_of(&set, d),
                d.message,
                errs.len()
            ));
        }
    }
    tally.print("corpus: files nginx accepts (relaxed label ok), analysed in their wrap context", "source");
    print_failures("syntax errors in files nginx accepts", &failures, 50);
    assert!(tally.column_total("no syntax error") > 0, "no ok-labelled file was checked");
    assert!(failures.is_empty(), "{} file(s) nginx accepts have ngxlint syntax errors", failures.len());
}

#[test]
fn nginx_syntax_errors_are_ngxlints_first_syntax_error() {
    let Some(files) = corpus() else { return };
    let mut tally = Tally::new();
    let mut failures = Vec::new();
    for f in files.iter().filter(|f| f.entry.oracle_relaxed == "syntax_error") {
        let row = f.entry.path.as_str();
        let raw = f.entry.relaxed_message.as_deref().unwrap_or_else(|| panic!("{row}: syntax_error without message"));
        let (want, loc) = split_nginx_message(raw);
        let Some((where_, want_line)) = loc else {
            panic!("{row}: nginx's message has no location: {raw:?}");
        };
        if !where_.ends_with(&format!("/{}", f.entry.path)) {
            // nginx failed in the wrapper or another file: nothing of this file to compare.
            tally.add(row, "skipped (error in another file)");
            continue;
        }
        tally.add(row, "compared");
        let (set, _, analysis) = analyze_one(&f.entry.path, &f.bytes, &f.entry.wrap);
        let Some(d) = syntax_errors(&analysis).first().copied() else {
            failures.push(format!("{row}: no syntax error; nginx: {want:?} at line {want_line}"));
            continue;
        };
        let got_line = line_of(&set, d);
        let msg_ok = d.message == want;
        let line_ok = got_line == want_line;
        if msg_ok {
            tally.add(row, "message agrees");
        }
        if line_ok {
            tally.add(row, "line agrees");
        }
        if msg_ok && line_ok {
            tally.add(row, "both agree");
        } else {
            failures.push(format!(
                "{row} (wrap {}): ngxlint {:?} at line {got_line}; nginx {want:?} at line {want_line}",
                f.entry.wrap, d.message
            ));
        }
    }
    tally.print("corpus: nginx syntax errors (relaxed label syntax_error) vs ngxlint's first NGX001", "file");
    print_failures("syntax error disagreements", &failures, 50);
    // Info only: files whose first nginx error is something else but that have a later syntax
    // error nginx never reached.
    let mut later = Tally::new();
    for f in files.iter().filter(|f| !matches!(&*f.entry.oracle_relaxed, "ok" | "syntax_error")) {
        let (_, _, analysis) = analyze_one(&f.entry.path, &f.bytes, &f.entry.wrap);
        let col = if syntax_errors(&analysis).is_empty() { "no syntax error" } else { "has syntax error" };
        later.add(&f.entry.oracle_relaxed, col);
    }
    later.print("corpus (info): other labels, ngxlint syntax errors after nginx's first error", "relaxed label");
    assert!(tally.column_total("compared") > 0, "no syntax_error file was compared");
    assert!(failures.is_empty(), "{} syntax error disagreement(s)", failures.len());
}

#[test]
fn printing_the_tree_gives_back_every_file_byte_for_byte() {
    let Some(files) = corpus() else { return };
    let mut tally = Tally::new();
    let mut failures = Vec::new();
    for f in &files {
        let doc = parse(f);
        let label = f.entry.oracle_relaxed.as_str();
        let printed = syntax::print(&doc, &f.bytes);
        if printed == f.bytes {
            tally.add(label, "print == input");
        } else {
            tally.add(label, "PRINT DIFFERS");
            let at = printed.iter().zip(&f.bytes).position(|(a, b)| a != b).unwrap_or(printed.len().min(f.bytes.len()));
            failures.push(format!(
                "{}: print differs at byte {at} (input {} bytes, printed {})",
                f.entry.path,
                f.bytes.len(),
                printed.len()
            ));
        }
        if doc.errors.is_empty() {
            tally.add(label, "error-free");
            let gaps = syntax::uncovered(&doc, &f.bytes);
            if gaps.is_empty() {
                tally.add(label, "fully covered");
            } else {
                tally.add(label, "UNCOVERED");
                let g = gaps[0];
                failures.push(format!(
                    "{}: {} uncovered range(s), first {}..{}: {:?}",
                    f.entry.path,
                    gaps.len(),
                    g.start,
                    g.end,
                    show(&f.bytes[g.range()][..g.len().min(60)])
                ));
            }
        } else {
            tally.add(label, "with parse errors");
        }
    }
    tally.print("corpus: lossless tree (print(parse(x)) == x; uncovered(x) empty when error-free)", "relaxed label");
    print_failures("lossless tree failures", &failures, 50);
    assert_eq!(tally.column_total("print == input"), files.len(), "print(parse(x)) != x");
    assert!(failures.is_empty(), "{} lossless-tree failure(s)", failures.len());
}

#[test]
fn formatting_is_idempotent_and_keeps_what_nginx_reads() {
    let Some(files) = corpus() else { return };
    let opts = FormatOptions::default();
    let mut tally = Tally::new();
    let mut failures = Vec::new();
    for f in &files {
        let label = f.entry.oracle_relaxed.as_str();
        let doc = parse(f);
        if !doc.errors.is_empty() {
            tally.add(label, "skipped (syntax errors)");
            assert!(ngxlint::format(&f.bytes, &opts).is_err(), "{}: formatted despite syntax errors", f.entry.path);
            continue;
        }
        let name = &f.entry.path;
        let once = match ngxlint::format(&f.bytes, &opts) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{name}: format refused an error-free file: {:?}", e.first().map(|e| &e.message)));
                continue;
            }
        };
        tally.add(label, "formatted");
        if once == f.bytes {
            tally.add(label, "already canonical");
        }
        let mut ok = true;
        match ngxlint::format(&once, &opts) {
            Ok(twice) if twice == once => {}
            Ok(twice) => {
                ok = false;
                failures.push(format!("{name}: fmt(fmt(x)) != fmt(x) {}", first_diff(&once, &twice)));
            }
            Err(e) => {
                ok = false;
                failures.push(format!("{name}: fmt(x) does not parse: {:?}", e.first().map(|e| &e.message)));
            }
        }
        let after = parse_bytes(&once);
        if !after.errors.is_empty() {
            ok = false;
            failures.push(format!("{name}: fmt(x) has syntax errors: {:?}", after.errors[0].message));
        }
        let (s0, s1) = (shape(&doc, &f.bytes), shape(&after, &once));
        if s0 != s1 {
            ok = false;
            let i = s0.iter().zip(&s1).position(|(a, b)| a != b).unwrap_or(s0.len().min(s1.len()));
            failures.push(format!(
                "{name}: directives differ after formatting at #{i}: {:?} vs {:?} ({} vs {} directives)",
                s0.get(i).map(show_shape),
                s1.get(i).map(show_shape),
                s0.len(),
                s1.len()
            ));
        }
        let (l0, l1) = (lua_bodies(&doc, &f.bytes), lua_bodies(&after, &once));
        if !l0.is_empty() {
            tally.add(label, "with Lua blocks");
        }
        if l0 != l1 {
            ok = false;
            failures.push(format!("{name}: Lua bodies changed by formatting ({} vs {} blocks)", l0.len(), l1.len()));
        }
        let (c0, c1) = (comments(&doc, &f.bytes), comments(&after, &once));
        if c0 != c1 {
            ok = false;
            let i = c0.iter().zip(&c1).position(|(a, b)| a != b).unwrap_or(c0.len().min(c1.len()));
            failures.push(format!(
                "{name}: comments changed by formatting at #{i}: {:?} vs {:?}",
                c0.get(i).map(|c| show(c)),
                c1.get(i).map(|c| show(c))
            ));
        }
        tally.add(label, if ok { "idempotent+same tree" } else { "FAILED" });
    }
    tally.print("corpus: formatter (fmt(fmt(x)) == fmt(x), same (depth, name, args), Lua bodies and comments kept)", "relaxed label");
    print_failures("formatter failures", &failures, 50);
    assert!(tally.column_total("formatted") > 0, "nothing was formatted");
    assert!(failures.is_empty(), "{} formatter failure(s)", failures.len());
}

fn show_shape(s: &Shape) -> String {
    let args: Vec<String> = s.2.iter().map(|a| show(a)).collect();
    format!("depth {} {} [{}]", s.0, show(&s.1), args.join(", "))
}

fn first_diff(a: &[u8], b: &[u8]) -> String {
    let i = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let ctx = |x: &[u8]| show(&x[i.saturating_sub(20)..(i + 40).min(x.len())]);
    format!("at byte {i}: {:?} vs {:?}", ctx(a), ctx(b))
}

#[test]
fn corpus_summary_by_source_and_label() {
    let Some(dir) = corpus_dir() else { return };
    let entries = load_manifest(&dir);
    let mut by_source = Tally::new();
    let mut by_wrap = Tally::new();
    for e in &entries {
        by_source.add(e.source(), &e.oracle_relaxed);
        by_wrap.add(&e.wrap, &e.oracle_relaxed);
        assert!(Path::new(&dir).join(&e.path).is_file(), "{}: listed in the manifest but missing", e.path);
    }
    by_source.print(&format!("corpus: {} files by source and relaxed label", entries.len()), "source");
    by_wrap.print("corpus: files by wrap and relaxed label", "wrap");
}
