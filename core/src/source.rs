//! Virtual files: a [`SourceSet`] maps paths to bytes, [`Span`]s point into them, and a
//! [`LineIndex`] turns byte offsets into line/column in bytes, chars and UTF-16 code units.
//!
//! Files are bytes, not strings: nginx reads bytes, and a config with invalid UTF-8 must still get
//! diagnostics with valid spans.

use serde::Serialize;
use std::sync::Arc;

/// Index of a file in a [`SourceSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: clamp_u32(start), end: clamp_u32(end) }
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    /// Smallest span covering both (same file assumed; `self`'s file wins).
    pub fn cover(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Largest file the SourceSet accepts: spans are u32 byte offsets.
pub const MAX_FILE_SIZE: usize = u32::MAX as usize - 1;

/// One virtual file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: String,
    bytes: Arc<[u8]>,
    /// The same bytes as text (the same allocation), when they are valid UTF-8: validated once
    /// here, so words can be read as `&str` without validating each one again.
    text: Option<Arc<str>>,
    lines: LineIndex,
}

impl SourceFile {
    pub fn path(&self) -> &str {
        &self.path
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// The file as text when it is valid UTF-8.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
    /// The file as text, invalid UTF-8 replaced by U+FFFD (for display only; spans stay byte-based).
    pub fn text_lossy(&self) -> std::borrow::Cow<'_, str> {
        match self.text() {
            Some(t) => std::borrow::Cow::Borrowed(t),
            None => String::from_utf8_lossy(&self.bytes),
        }
    }
    pub fn line_index(&self) -> &LineIndex {
        &self.lines
    }
    /// Line/column of a byte offset in this file.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.bytes, offset)
    }
}

/// A set of named in-memory files. Paths are kept as given (use `/` separators); lookups normalise
/// `.` and `..` components lexically, as nginx would see them after path joining.
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
    /// Normalised path -> index, so adding and looking up stay O(1) for huge sets.
    by_path: rustc_hash::FxHashMap<String, u32>,
}

impl SourceSet {
    pub fn new() -> SourceSet {
        SourceSet::default()
    }

    /// Adds (or replaces) a file and returns its id. Files larger than [`MAX_FILE_SIZE`] are
    /// truncated to it; the parser reports files that large anyway.
    pub fn add(&mut self, path: impl Into<String>, bytes: impl AsRef<[u8]>) -> FileId {
        let path = normalize_path(&path.into());
        let bytes = bytes.as_ref();
        let bytes = &bytes[..bytes.len().min(MAX_FILE_SIZE)];
        let text: Option<Arc<str>> = std::str::from_utf8(bytes).ok().map(Arc::from);
        let bytes: Arc<[u8]> = match &text {
            Some(t) => Arc::from(Arc::clone(t)),
            None => Arc::from(bytes),
        };
        let lines = LineIndex::new(&bytes);
        let file = SourceFile { path: path.clone(), bytes, text, lines };
        if let Some(&i) = self.by_path.get(&path) {
            self.files[i as usize] = file;
            return FileId(i);
        }
        let id = self.files.len() as u32;
        self.files.push(file);
        self.by_path.insert(path, id);
        FileId(id)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The file behind `id`. Panics only on an id that did not come from this set (a programming
    /// error, never input-driven).
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn bytes(&self, id: FileId) -> &[u8] {
        self.get(id).map(|f| f.bytes()).unwrap_or(&[])
    }

    /// A file's text, when it is valid UTF-8 (see [`SourceFile::text`]).
    pub fn text(&self, id: FileId) -> Option<&str> {
        self.get(id).and_then(|f| f.text())
    }

    pub fn path(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.path()).unwrap_or("")
    }

    /// Source bytes under a span (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &[u8] {
        self.bytes(span.file).get(span.range()).unwrap_or(&[])
    }

    pub fn lookup(&self, path: &str) -> Option<FileId> {
        self.by_path.get(&normalize_path(path)).map(|&i| FileId(i))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).map(|i| FileId(i as u32))
    }
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> + '_ {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// Line/column of the start and end of a span.
    pub fn range_of(&self, span: Span) -> (Position, Position) {
        match self.get(span.file) {
            Some(f) => (f.position(span.start as usize), f.position(span.end as usize)),
            None => (Position::default(), Position::default()),
        }
    }
}

/// Lexically normalises a path: collapses `//`, `.` and `..` (never above the root of an absolute
/// path; kept at the front of a relative one).
pub fn normalize_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&p) if p != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// Joins `rel` onto directory `dir` the way nginx builds full names: an absolute `rel` wins.
pub fn join_path(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || dir.is_empty() || dir == "." {
        normalize_path(rel)
    } else {
        normalize_path(&format!("{dir}/{rel}"))
    }
}

/// Directory part of a path (`"."` for a bare file name).
pub fn dir_name(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

/// A position in a file. Lines and columns are 1-based; `column` counts Unicode scalar values
/// (an invalid UTF-8 byte counts as one), `column_byte` bytes and `column_utf16` UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Position {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub column_byte: usize,
    pub column_utf16: usize,
    /// Offset from the start of the file in UTF-16 code units.
    pub offset_utf16: usize,
}

/// Start offsets of every line, plus what makes columns cheap: for an all-ASCII file a column is a
/// byte distance; otherwise cumulative char and UTF-16 counts at checkpoints every
/// [`CHECKPOINT`] bytes, so any position costs at most one checkpoint's worth of decoding
/// (no quadratic cost for many diagnostics on one long line).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    ascii: bool,
    /// (byte offset, chars before it, UTF-16 units before it); offsets never split a character.
    checkpoints: Vec<(u32, u64, u64)>,
}

const CHECKPOINT: usize = 1024;

impl LineIndex {
    pub fn new(bytes: &[u8]) -> LineIndex {
        let mut starts = vec![0u32];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| (i + 1) as u32));
        let ascii = bytes.is_ascii();
        let mut checkpoints = vec![(0u32, 0u64, 0u64)];
        if !ascii {
            let (mut at, mut chars, mut units) = (0usize, 0u64, 0u64);
            while at + CHECKPOINT < bytes.len() {
                let mut next = at + CHECKPOINT;
                // Back off continuation bytes: a checkpoint starts a character (or an invalid byte).
                while next > at + 1 && (bytes[next] & 0xC0) == 0x80 {
                    next -= 1;
                }
                let (c, u) = decode_units(&bytes[at..next]);
                chars += c as u64;
                units += u as u64;
                checkpoints.push((next as u32, chars, units));
                at = next;
            }
        }
        LineIndex { starts, ascii, checkpoints }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&(offset.min(u32::MAX as usize) as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).map(|&s| s as usize).unwrap_or(0)
    }

    /// Chars and UTF-16 units before `offset` in the whole file.
    fn units_before(&self, bytes: &[u8], offset: usize) -> (usize, usize) {
        if self.ascii {
            return (offset, offset);
        }
        let i = self.checkpoints.partition_point(|c| c.0 as usize <= offset).saturating_sub(1);
        let (at, chars, units) = self.checkpoints[i];
        let (c, u) = decode_units(&bytes[at as usize..offset]);
        (chars as usize + c, units as usize + u)
    }

    pub fn position(&self, bytes: &[u8], offset: usize) -> Position {
        let offset = offset.min(bytes.len());
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let (c0, u0) = self.units_before(bytes, start);
        let (c1, u1) = self.units_before(bytes, offset);
        Position {
            offset,
            line: line + 1,
            column: c1 - c0 + 1,
            column_byte: offset - start + 1,
            column_utf16: u1 - u0 + 1,
            offset_utf16: u1,
        }
    }
}

/// Number of chars in possibly-invalid UTF-8 (each invalid byte counts as one U+FFFD).
pub fn char_len(bytes: &[u8]) -> usize {
    decode_units(bytes).0
}

/// Number of UTF-16 code units of possibly-invalid UTF-8 (invalid bytes count as one U+FFFD).
pub fn utf16_len(bytes: &[u8]) -> usize {
    decode_units(bytes).1
}

fn decode_units(mut bytes: &[u8]) -> (usize, usize) {
    let (mut chars, mut units) = (0usize, 0usize);
    if bytes.is_ascii() {
        return (bytes.len(), bytes.len());
    }
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                chars += s.chars().count();
                units += s.chars().map(char::len_utf16).sum::<usize>();
                return (chars, units);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                // Safe: from_utf8 just validated this prefix.
                let s = std::str::from_utf8(good).unwrap_or("");
                chars += s.chars().count();
                units += s.chars().map(char::len_utf16).sum::<usize>();
                let bad = e.error_len().unwrap_or(rest.len()).max(1).min(rest.len());
                chars += 1;
                units += 1;
                bytes = &rest[bad..];
                if bytes.is_empty() {
                    return (chars, units);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_bytes_chars_and_utf16() {
        let src = "a\néx😀y\n".as_bytes();
        let idx = LineIndex::new(src);
        let y = src.iter().position(|&b| b == b'y').unwrap();
        let p = idx.position(src, y);
        assert_eq!((p.line, p.column, p.column_byte, p.column_utf16), (2, 4, 8, 5));
        assert_eq!(p.offset_utf16, 2 + 4);
    }

    #[test]
    fn invalid_utf8_counts_one_unit_per_bad_byte() {
        let src = b"ab\xff\xfecd";
        let p = LineIndex::new(src).position(src, 5);
        assert_eq!((p.column, p.column_utf16, p.column_byte), (6, 6, 6));
    }

    #[test]
    fn checkpoints_agree_with_decoding_from_the_start() {
        // Long lines mixing multi-byte characters and invalid bytes across checkpoint boundaries.
        let mut src = Vec::new();
        for i in 0..5000u32 {
            src.extend_from_slice(match i % 7 {
                0 => "é".as_bytes(),
                1 => "😀".as_bytes(),
                2 => b"\xff",
                3 => b"\xe2\x82",
                4 => b"\n",
                _ => b"ab",
            });
        }
        let idx = LineIndex::new(&src);
        for off in (0..src.len()).step_by(37) {
            if off > 0 && (src[off] & 0xC0) == 0x80 {
                continue;
            }
            let p = idx.position(&src, off);
            let line_start = src[..off].iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(0);
            assert_eq!(p.column, char_len(&src[line_start..off]) + 1, "offset {off}");
            assert_eq!(p.column_utf16, utf16_len(&src[line_start..off]) + 1, "offset {off}");
            assert_eq!(p.offset_utf16, utf16_len(&src[..off]), "offset {off}");
        }
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let src = b"abc";
        let p = LineIndex::new(src).position(src, 99);
        assert_eq!((p.offset, p.line, p.column), (3, 1, 4));
    }

    #[test]
    fn paths_normalise_and_join() {
        assert_eq!(normalize_path("/etc//nginx/./conf.d/../nginx.conf"), "/etc/nginx/nginx.conf");
        assert_eq!(normalize_path("../a/./b"), "../a/b");
        assert_eq!(normalize_path("/../x"), "/x");
        assert_eq!(join_path("/etc/nginx", "sites/*.conf"), "/etc/nginx/sites/*.conf");
        assert_eq!(join_path("/etc/nginx", "/abs/x"), "/abs/x");
        assert_eq!(join_path(".", "x.conf"), "x.conf");
        assert_eq!(dir_name("conf/nginx.conf"), "conf");
        assert_eq!(dir_name("nginx.conf"), ".");
        assert_eq!(dir_name("/nginx.conf"), "/");
    }

    #[test]
    fn adding_the_same_path_replaces_the_file() {
        let mut set = SourceSet::new();
        let a = set.add("x/../n.conf", "a");
        let b = set.add("n.conf", "b");
        assert_eq!(a, b);
        assert_eq!(set.bytes(a), b"b");
        assert_eq!(set.len(), 1);
    }
}
