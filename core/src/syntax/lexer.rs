//! nginx's configuration tokenizer, byte for byte (`ngx_conf_read_token`, src/core/ngx_conf_file.c).
//!
//! The lexer produces primitive tokens (words, `;`, `{`, `}`, comments); statement-level rules
//! ("unexpected ;" when no words are pending, ...) belong to the parser. Everything nginx decides
//! inside a token lives here: what ends a word, quotes and the byte that must follow them,
//! backslash escapes, `${`, and the 4096-byte buffer that makes long tokens an error.

use super::tree::{Quote, SyntaxError, Word};
use crate::source::{FileId, Span};

/// nginx's NGX_CONF_BUFFER: a token that does not fit in it is "too long".
pub const CONF_BUFFER: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Word(Word),
    Semicolon(Span),
    Open(Span),
    Close(Span),
    Comment(Span),
    Eof(Span),
}

pub struct Lexer<'a> {
    src: &'a [u8],
    file: FileId,
    pos: usize,
    /// A closing quote was just read: the next byte must be whitespace, `;`, `{` or `)`.
    need_space: bool,
    pub errors: Vec<SyntaxError>,
}

#[inline]
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Bytes that need attention inside an unquoted word.
static WORD_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[b';' as usize] = true;
    t[b'{' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'$' as usize] = true;
    t
};

/// Renders one byte the way nginx's `"%c"` shows it, escaping what cannot go into a `String`.
pub fn show_byte(c: u8) -> String {
    if c.is_ascii() && !c.is_ascii_control() {
        (c as char).to_string()
    } else {
        format!("\\x{c:02X}")
    }
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8], file: FileId) -> Lexer<'a> {
        Lexer { src, file, pos: 0, need_space: false, errors: Vec::new() }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Continues lexing at `pos` (after a Lua block the parser scanned itself).
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.src.len());
        self.need_space = false;
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&mut self, start: usize, end: usize, message: String) {
        self.errors.push(SyntaxError { span: self.span(start, end), message, limit: false });
    }

    pub fn next_token(&mut self) -> Token {
        let src = self.src;
        loop {
            let Some(&c) = src.get(self.pos) else {
                return Token::Eof(self.span(src.len(), src.len()));
            };
            if self.need_space {
                self.need_space = false;
                match c {
                    _ if is_space(c) => {
                        self.pos += 1;
                        continue;
                    }
                    b';' | b'{' | b')' => {}
                    _ => {
                        // nginx stops here; we read on as if a space had been there.
                        let end = self.pos + utf8_len_at(src, self.pos);
                        self.error(self.pos, end, format!("unexpected \"{}\"", show_byte(c)));
                    }
                }
            }
            match c {
                _ if is_space(c) => self.pos += 1,
                b';' => {
                    self.pos += 1;
                    return Token::Semicolon(self.span(self.pos - 1, self.pos));
                }
                b'{' => {
                    self.pos += 1;
                    return Token::Open(self.span(self.pos - 1, self.pos));
                }
                b'}' => {
                    self.pos += 1;
                    return Token::Close(self.span(self.pos - 1, self.pos));
                }
                b'#' => return self.comment(),
                b'"' | b'\'' => return self.quoted(c),
                _ => return self.unquoted(),
            }
        }
    }

    fn comment(&mut self) -> Token {
        let s = self.pos;
        let rest = &self.src[s..];
        let end = memchr::memchr(b'\n', rest).map(|i| s + i).unwrap_or(self.src.len());
        // The line break (or the last byte) is still read with the token start at '#'.
        let last_needed = if end < self.src.len() { end } else { self.src.len() - 1 };
        self.check_too_long(s, s, last_needed, end, None);
        self.pos = end;
        Token::Comment(self.span(s, end))
    }

    fn unquoted(&mut self) -> Token {
        let src = self.src;
        let s = self.pos;
        let first = src[s];
        let mut escaped = first == b'\\';
        let mut quoted = escaped;
        let mut variable = first == b'$';
        let mut i = s + 1;
        while i < src.len() {
            let c = src[i];
            if quoted {
                quoted = false;
                i += 1;
                continue;
            }
            if !WORD_SPECIAL[c as usize] {
                variable = false;
                i += 1;
                continue;
            }
            if c == b'{' && variable {
                i += 1;
                continue;
            }
            variable = false;
            match c {
                b'\\' => {
                    quoted = true;
                    escaped = true;
                }
                b'$' => variable = true,
                _ => break, // whitespace, ';' or '{'
            }
            i += 1;
        }
        let last_needed = match src.get(i) {
            None => src.len().saturating_sub(1),
            Some(b';') | Some(b'{') => i,
            Some(_) => (i + 1).min(src.len() - 1),
        };
        self.check_too_long(s, s, last_needed, i, None);
        self.pos = i;
        Token::Word(Word { span: self.span(s, i), quote: Quote::None, escaped, unterminated: false })
    }

    fn quoted(&mut self, q: u8) -> Token {
        let src = self.src;
        let s0 = self.pos;
        let s = s0 + 1; // nginx's token start is past the quote
        let mut escaped = false;
        let mut quoted = false;
        let mut variable = false;
        let mut i = s;
        let mut closed = None;
        while i < src.len() {
            let c = src[i];
            if quoted {
                quoted = false;
            } else if c == b'{' && variable {
            } else {
                variable = false;
                if c == b'\\' {
                    quoted = true;
                    escaped = true;
                } else if c == b'$' {
                    variable = true;
                } else if c == q {
                    closed = Some(i);
                    break;
                }
            }
            i += 1;
        }
        let quote = if q == b'"' { Quote::Double } else { Quote::Single };
        let Some(qi) = closed else {
            let last_needed = src.len() - 1;
            self.check_too_long(s, s0, last_needed, src.len(), Some(q));
            self.pos = src.len();
            return Token::Word(Word {
                span: self.span(s0, src.len()),
                quote,
                escaped,
                unterminated: true,
            });
        };
        let n = qi + 1;
        let last_needed = match src.get(n) {
            None => qi,
            Some(&c) if is_space(c) => (n + 1).min(src.len() - 1),
            Some(_) => n,
        };
        let open_quote = if qi >= s + CONF_BUFFER { Some(q) } else { None };
        self.check_too_long(s, s0, last_needed, n, open_quote);
        self.pos = n;
        self.need_space = true;
        Token::Word(Word { span: self.span(s0, n), quote, escaped, unterminated: false })
    }

    /// nginx refills its 4096-byte buffer with the current token moved to the front; if the token
    /// (from `start`, plus the bytes nginx must read before it moves `start` on) does not fit and
    /// the file has more bytes, nginx fails with "too long parameter".
    fn check_too_long(
        &mut self,
        start: usize,
        span_start: usize,
        last_needed: usize,
        span_end: usize,
        open_quote: Option<u8>,
    ) {
        if last_needed < start + CONF_BUFFER || start + CONF_BUFFER >= self.src.len() {
            return;
        }
        let message = match open_quote {
            Some(q) => format!(
                "too long parameter, probably missing terminating \"{}\" character",
                q as char
            ),
            None => {
                let head = &self.src[start..start + 10];
                format!("too long parameter \"{}...\" started", String::from_utf8_lossy(head))
            }
        };
        self.error(span_start, span_end.max(span_start), message);
    }
}

/// Length of the UTF-8 sequence starting at `i` (1 for an invalid or ASCII byte), so an error span
/// never splits a character.
fn utf8_len_at(src: &[u8], i: usize) -> usize {
    let want = match src[i] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    };
    if want > 1 && i + want <= src.len() && std::str::from_utf8(&src[i..i + want]).is_ok() {
        want
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(src: &str) -> (Vec<String>, Vec<String>) {
        let mut lx = Lexer::new(src.as_bytes(), FileId(0));
        let mut out = Vec::new();
        loop {
            match lx.next_token() {
                Token::Word(w) => {
                    out.push(format!("W({})", String::from_utf8_lossy(&w.value(src.as_bytes()))))
                }
                Token::Semicolon(_) => out.push(";".into()),
                Token::Open(_) => out.push("{".into()),
                Token::Close(_) => out.push("}".into()),
                Token::Comment(s) => out.push(format!("C({})", &src[s.range()])),
                Token::Eof(_) => break,
            }
        }
        (out, lx.errors.into_iter().map(|e| e.message).collect())
    }

    #[test]
    fn braces_hashes_and_quotes_inside_words_do_not_split_them() {
        let (t, e) = lex("a}b a#b a\"b ${x}y;");
        assert_eq!(t, ["W(a}b)", "W(a#b)", "W(a\"b)", "W(${x}y)", ";"]);
        assert!(e.is_empty());
    }

    #[test]
    fn quoted_word_must_be_followed_by_space_semicolon_brace_or_paren() {
        let (t, e) = lex("if ($a = \"b\") { x \"a\"b; }");
        assert!(t.contains(&"W())".to_string()), "{t:?}");
        assert_eq!(e, ["unexpected \"b\""]);
    }

    #[test]
    fn escapes_are_unescaped_like_nginx() {
        let (t, _) = lex(r#"x "a\"b\n\d" 'c\'\\' \;e;"#);
        assert_eq!(t, ["W(x)", "W(a\"b\n\\d)", "W(c'\\)", "W(\\;e)", ";"]);
    }

    #[test]
    fn comments_run_to_end_of_line() {
        let (t, _) = lex("a # c { ; }\nb;");
        assert_eq!(t, ["W(a)", "C(# c { ; })", "W(b)", ";"]);
    }

    #[test]
    fn long_words_follow_the_buffer_rule() {
        let w = "x".repeat(4096);
        let (_, e) = lex(&format!("{w};\ny;"));
        assert_eq!(e, ["too long parameter \"xxxxxxxxxx...\" started"]);
        let w = "x".repeat(4095);
        assert!(lex(&format!("{w};\ny;")).1.is_empty());
        // A space terminator costs one more byte of buffer than ';' does.
        assert_eq!(lex(&format!("{w} y;")).1.len(), 1);
        let q = format!("\"{}", "x".repeat(5000));
        assert_eq!(
            lex(&format!("{q}\n;")).1,
            ["too long parameter, probably missing terminating \"\"\" character"]
        );
    }
}
