//! `check --fix` / `--diff`: the fixes rules propose (edits on spans, each fix safe or unsafe),
//! gathered per file over every checked configuration, and applied or shown as a unified diff.
//!
//! - A fix is applied whole or not at all; the same fix met twice (a file included twice, or by
//!   two configurations) counts once.
//! - A file whose fixes overlap is not written at all (and every fix touching it is dropped,
//!   in every file), with a warning: which one should win is a human's call.
//! - A file is written only if it still holds exactly the bytes that were checked.
//! - Standard input and the files of an `nginx -T` dump are never written (`--diff` shows them).

use ngxlint::{Diagnostic, SourceSet};
use std::collections::{BTreeMap, BTreeSet};

/// One checked configuration's contribution: its files (display names) and, per file id, the
/// path to write (None for standard input and dumps).
pub struct Source<'a> {
    pub files: &'a SourceSet,
    pub disk: Vec<Option<String>>,
    pub diagnostics: &'a [Diagnostic],
}

/// A file's key: its path on disk, or its shown name for files that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct FileKey {
    name: String,
    writable: bool,
}

/// An edit on one file: byte range and replacement.
type Edit = (usize, usize, String);

/// What `--fix` would do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Original bytes and the fixes' edits, per file.
    files: BTreeMap<FileKey, (Vec<u8>, Vec<usize>)>,
    /// Each fix: its edits per file.
    fixes: Vec<BTreeMap<FileKey, Vec<Edit>>>,
    /// Each fix's diagnostic code.
    codes: Vec<&'static str>,
    /// Fixes dropped because they overlap in some file.
    dropped: BTreeSet<usize>,
    /// Unsafe fixes not taken (without --unsafe-fixes).
    pub unsafe_skipped: usize,
    /// Warnings for the user (overlaps).
    pub warnings: Vec<String>,
}

/// A file's new content.
pub struct Change {
    pub name: String,
    pub writable: bool,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
    /// Fixes applied to this file.
    pub fixes: usize,
}

impl Plan {
    /// Gathers the fixes of every diagnostic (unsafe ones only with `unsafe_ok`).
    pub fn collect(sources: &[Source<'_>], unsafe_ok: bool) -> Plan {
        let mut plan = Plan::default();
        let mut seen: BTreeSet<Vec<(FileKey, Edit)>> = BTreeSet::new();
        for src in sources {
            for d in src.diagnostics {
                let Some(fix) = &d.fix else { continue };
                if fix.edits.is_empty() {
                    continue;
                }
                if !fix.safe && !unsafe_ok {
                    plan.unsafe_skipped += 1;
                    continue;
                }
                let mut flat = Vec::new();
                let mut ok = true;
                for e in &fix.edits {
                    let id = e.span.file;
                    let Some(file) = src.files.get(id) else {
                        ok = false;
                        break;
                    };
                    let (start, end) = (e.span.start as usize, e.span.end as usize);
                    if start > end || end > file.bytes().len() {
                        ok = false;
                        break;
                    }
                    let disk = src.disk.get(id.0 as usize).cloned().flatten();
                    let key = FileKey {
                        writable: disk.is_some(),
                        name: disk.unwrap_or_else(|| file.path().to_string()),
                    };
                    plan.files
                        .entry(key.clone())
                        .or_insert_with(|| (file.bytes().to_vec(), Vec::new()));
                    flat.push((key, (start, end, e.replacement.clone())));
                }
                if !ok {
                    continue;
                }
                flat.sort();
                flat.dedup();
                if !seen.insert(flat.clone()) {
                    continue;
                }
                let index = plan.fixes.len();
                let mut per_file: BTreeMap<FileKey, Vec<Edit>> = BTreeMap::new();
                for (key, edit) in flat {
                    plan.files.get_mut(&key).expect("inserted above").1.push(index);
                    per_file.entry(key).or_default().push(edit);
                }
                plan.fixes.push(per_file);
                plan.codes.push(d.code);
            }
        }
        plan.drop_overlaps();
        plan
    }

    /// Drops every fix touching a file where two fixes' edits overlap (or insert at the same
    /// point, where their order would be a guess).
    fn drop_overlaps(&mut self) {
        for (key, (bytes, fixes)) in &self.files {
            let mut edits: Vec<(usize, usize, usize)> = Vec::new();
            for &f in fixes {
                for e in &self.fixes[f][key] {
                    edits.push((e.0, e.1, f));
                }
            }
            edits.sort();
            // The first edit that starts inside an earlier one (or where another fix inserts
            // or starts: their order would be a guess).
            let mut reach: Option<(usize, usize, usize)> = None; // (start, end, fix) reaching furthest
            let mut clash = None;
            for &(start, end, f) in &edits {
                if let Some((s0, e0, f0)) = reach {
                    if start < e0 || (start == s0 && f != f0) {
                        clash = Some((f0, f, start));
                        break;
                    }
                }
                if reach.map_or(true, |(_, e0, _)| end >= e0) {
                    reach = Some((start, end, f));
                }
            }
            let Some((a, b, at)) = clash else { continue };
            let line = bytes[..at.min(bytes.len())].iter().filter(|&&c| c == b'\n').count() + 1;
            let what = if a == b {
                format!("the edits of the {} fix overlap at line {line}", self.codes[a])
            } else {
                format!("the {} and {} fixes overlap at line {line}", self.codes[a], self.codes[b])
            };
            self.warnings.push(format!(
                "not fixing \"{}\": {what}; apply them by hand, or one rule at a time with --select",
                key.name
            ));
            self.dropped.extend(fixes.iter().copied());
        }
    }

    /// Number of fixes that will be applied.
    #[cfg(test)]
    pub fn applicable(&self) -> usize {
        self.fixes.len() - self.dropped.len()
    }

    /// The files that change, sorted by name.
    pub fn changes(&self) -> Vec<Change> {
        let mut out = Vec::new();
        for (key, (before, fixes)) in &self.files {
            let live: Vec<usize> = fixes
                .iter()
                .copied()
                .filter(|f| !self.dropped.contains(f))
                .collect();
            if live.is_empty() {
                continue;
            }
            let mut edits: Vec<&Edit> = live.iter().flat_map(|&f| &self.fixes[f][key]).collect();
            edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
            let mut after = before.clone();
            for (start, end, text) in edits {
                after.splice(*start..*end, text.bytes());
            }
            if &after != before {
                out.push(Change {
                    name: key.name.clone(),
                    writable: key.writable,
                    before: before.clone(),
                    after,
                    fixes: live.len(),
                });
            }
        }
        out
    }
}

/// A unified diff of one change, headed `a/NAME` and `b/NAME` (git's convention, so `git apply`
/// and `patch -p1` take it).
pub fn unified_diff(change: &Change) -> String {
    let (old, new) = (
        String::from_utf8_lossy(&change.before),
        String::from_utf8_lossy(&change.after),
    );
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", change.name), &format!("b/{}", change.name))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ngxlint::report::codes;
    use ngxlint::rules::{Edit as CoreEdit, Fix};
    use ngxlint::Span;

    fn diag(file: u32, edits: &[(usize, usize, &str)], safe: bool) -> Diagnostic {
        let mut d = Diagnostic::new(codes::SYNTAX, Span::new(ngxlint::FileId(file), 0, 0), "m");
        d.fix = Some(Fix {
            message: "f".into(),
            safe,
            edits: edits
                .iter()
                .map(|&(s, e, r)| CoreEdit {
                    span: Span::new(ngxlint::FileId(file), s, e),
                    replacement: r.into(),
                })
                .collect(),
        });
        d
    }

    fn set() -> SourceSet {
        let mut s = SourceSet::new();
        s.add("a.conf", "server_tokens on;\n");
        s.add("b.conf", "xyz;\n");
        s
    }

    #[test]
    fn fixes_apply_deduplicated_and_unsafe_ones_only_when_asked() {
        let files = set();
        let ds = vec![
            diag(0, &[(14, 16, "off")], true),
            diag(0, &[(14, 16, "off")], true),
            diag(1, &[(0, 3, "abc")], false),
        ];
        let src = [Source {
            files: &files,
            disk: vec![Some("a.conf".into()), Some("b.conf".into())],
            diagnostics: &ds,
        }];
        let plan = Plan::collect(&src, false);
        assert_eq!((plan.applicable(), plan.unsafe_skipped), (1, 1));
        let ch = plan.changes();
        assert_eq!(ch.len(), 1);
        assert_eq!(ch[0].after, b"server_tokens off;\n");
        assert!(unified_diff(&ch[0]).starts_with("--- a/a.conf\n+++ b/a.conf\n"));
        let plan = Plan::collect(&src, true);
        assert_eq!(plan.changes().len(), 2);
    }

    #[test]
    fn overlapping_fixes_leave_the_file_and_the_fixes_alone() {
        let files = set();
        let ds = vec![
            diag(0, &[(0, 5, "x")], true),
            diag(0, &[(3, 8, "y")], true),
            diag(1, &[(0, 1, "q")], true),
        ];
        let src = [Source {
            files: &files,
            disk: vec![Some("a.conf".into()), Some("b.conf".into())],
            diagnostics: &ds,
        }];
        let plan = Plan::collect(&src, false);
        assert_eq!(plan.applicable(), 1);
        assert!(
            plan.warnings[0].contains("not fixing \"a.conf\""),
            "{:?}",
            plan.warnings
        );
        let ch = plan.changes();
        assert_eq!((ch.len(), ch[0].name.as_str()), (1, "b.conf"));
        // Two insertions at one point: overlapping too.
        let ds = vec![diag(1, &[(0, 0, "a")], true), diag(1, &[(0, 0, "b")], true)];
        let src = [Source {
            files: &files,
            disk: vec![None, None],
            diagnostics: &ds,
        }];
        assert_eq!(Plan::collect(&src, false).applicable(), 0);
    }
}
