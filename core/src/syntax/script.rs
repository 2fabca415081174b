//! nginx's script syntax inside argument values: variable references (`$name`, `${name}`, and
//! the one-digit captures `$1`..`$9`, as ngx_http_script_compile reads them).

/// References in a value: (byte offset of `$`, end offset, name) for `$name`, `${name}`, `$1`.
pub fn references(value: impl AsRef<[u8]>) -> Vec<(usize, usize, String)> {
    reference_spans(value.as_ref()).map(|(s, e, n)| (s, e, n.to_owned())).collect()
}

/// [`references`] without allocating: the names borrow from the value (they are ASCII).
pub fn reference_spans(b: &[u8]) -> impl Iterator<Item = (usize, usize, &str)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(off) = memchr::memchr(b'$', &b[i..]) {
            let start = i + off;
            i = start + 1;
            let braced = b.get(i) == Some(&b'{');
            if braced {
                i += 1;
            }
            let n0 = i;
            if b.get(i).is_some_and(|c| (b'1'..=b'9').contains(c)) {
                i += 1; // nginx captures are one digit: `$12` is `$1` then `2`
            } else {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            }
            // Only ASCII was consumed, so the name is valid UTF-8.
            let name = std::str::from_utf8(&b[n0..i]).unwrap_or_default();
            if braced && b.get(i) == Some(&b'}') {
                i += 1;
            }
            if !name.is_empty() {
                return Some((start, i, name));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn finds_references() {
        let r: Vec<String> = references("$a-${b}c $12 $ x$d_e").into_iter().map(|x| x.2).collect();
        assert_eq!(r, ["a", "b", "1", "d_e"]);
        assert_eq!(references(b"x${ab}y\xff$c"), [(1, 6, "ab".to_string()), (8, 10, "c".to_string())]);
    }
}
