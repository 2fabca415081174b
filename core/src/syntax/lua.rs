//! Lua-aware scanning of `*_by_lua_block { ... }` bodies, as lua-nginx-module reads them: braces
//! are counted only outside Lua strings, `--` comments and long brackets (`[[ ]]`, `[==[ ]==]`,
//! `--[[ ]]`), so `ngx.say("}")` does not close the block.

/// Result of scanning a Lua block body that starts right after its `{`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LuaScan {
    /// Index of the closing `}`.
    Closed(usize),
    /// The file ended first; the message uses lua-nginx-module's wording.
    Unclosed { at: usize, message: String },
}

/// True for directive names whose block holds Lua source.
pub fn is_lua_block(name: &[u8]) -> bool {
    name.ends_with(b"_by_lua_block")
}

/// `[`, `=`*, `[` at `i`: the level (number of `=`) and the index after the opener.
fn long_bracket_open(src: &[u8], i: usize) -> Option<(usize, usize)> {
    if src.get(i) != Some(&b'[') {
        return None;
    }
    let mut j = i + 1;
    while src.get(j) == Some(&b'=') {
        j += 1;
    }
    (src.get(j) == Some(&b'[')).then(|| (j - i - 1, j + 1))
}

/// Index after the `]=*]` of the given level, searching from `i`.
fn long_bracket_close(src: &[u8], mut i: usize, level: usize) -> Option<usize> {
    while let Some(off) = memchr::memchr(b']', &src[i.min(src.len())..]) {
        let j = i + off + 1;
        let mut k = j;
        while k < src.len() && src[k] == b'=' && k - j < level {
            k += 1;
        }
        if k - j == level && src.get(k) == Some(&b']') {
            return Some(k + 1);
        }
        i = j;
    }
    None
}

fn missing_close(level: usize) -> String {
    format!(
        "Lua code block missing the closing long bracket \"]{}]\", the inlined Lua code may be too long",
        "=".repeat(level)
    )
}

/// Scans Lua source from `start` (just past the block's `{`) to its matching `}`.
pub fn scan_block(src: &[u8], start: usize) -> LuaScan {
    let mut depth = 0usize;
    let mut i = start;
    while i < src.len() {
        match src[i] {
            b'{' => depth += 1,
            b'}' => {
                if depth == 0 {
                    return LuaScan::Closed(i);
                }
                depth -= 1;
            }
            b'-' if src.get(i + 1) == Some(&b'-') => {
                if let Some((level, body)) = long_bracket_open(src, i + 2) {
                    match long_bracket_close(src, body, level) {
                        Some(end) => i = end,
                        None => return LuaScan::Unclosed { at: i, message: missing_close(level) },
                    }
                } else {
                    i = memchr::memchr(b'\n', &src[i..]).map(|n| i + n).unwrap_or(src.len());
                }
                continue;
            }
            b'[' => {
                if let Some((level, body)) = long_bracket_open(src, i) {
                    match long_bracket_close(src, body, level) {
                        Some(end) => i = end,
                        None => return LuaScan::Unclosed { at: i, message: missing_close(level) },
                    }
                    continue;
                }
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < src.len() && src[i] != q && src[i] != b'\n' {
                    if src[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    LuaScan::Unclosed {
        at: src.len(),
        message: "Lua code block missing the \"}\" character".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close_of(body: &str) -> LuaScan {
        scan_block(body.as_bytes(), 0)
    }

    #[test]
    fn braces_in_strings_comments_and_long_brackets_do_not_count() {
        let body = "ngx.say(\"}\") -- }\n local t = { a = '}' } x = [[ } ]] --[==[ } ]==]\n}";
        assert_eq!(close_of(body), LuaScan::Closed(body.len() - 1));
    }

    #[test]
    fn long_bracket_levels_must_match() {
        let body = "x = [==[ ]] ]=] } ]==] }";
        assert_eq!(close_of(body), LuaScan::Closed(body.len() - 1));
    }

    #[test]
    fn unclosed_blocks_use_lua_nginx_module_wording() {
        match close_of("ngx.say([[hi) }") {
            LuaScan::Unclosed { message, .. } => assert!(message.contains("\"]]\""), "{message}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(close_of("x = 1"), LuaScan::Unclosed { .. }));
    }
}
