//! nginx's value grammars (`ngx_parse_size`, `ngx_parse_offset`, `ngx_parse_time`, `ngx_atoi`),
//! written as small nom parsers. Each returns the canonical value so later stages (diff, risk)
//! can compare `1m` with `1024k`.

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case};
use nom::character::complete::{digit1, one_of, space0};
use nom::combinator::{all_consuming, map_res, opt};
use nom::multi::many1;
use nom::sequence::{pair, preceded, terminated};
use nom::{IResult, Parser};

fn number(i: &str) -> IResult<&str, u64> {
    map_res(digit1, |d: &str| d.parse::<u64>()).parse(i)
}

/// `ngx_parse_size`: digits with an optional `k`/`m` suffix (either case), in bytes.
pub fn size(s: &str) -> Option<u64> {
    let p = pair(number, opt(one_of("kKmM")));
    let (_, (n, unit)) = all_consuming(p).parse(s).ok()?;
    n.checked_mul(match unit {
        Some('k' | 'K') => 1024,
        Some('m' | 'M') => 1024 * 1024,
        _ => 1,
    })
}

/// `ngx_parse_offset`: like a size, also with `g`/`G`.
pub fn offset(s: &str) -> Option<u64> {
    let p = pair(number, opt(one_of("kKmMgG")));
    let (_, (n, unit)) = all_consuming(p).parse(s).ok()?;
    n.checked_mul(match unit {
        Some('k' | 'K') => 1024,
        Some('m' | 'M') => 1024 * 1024,
        Some('g' | 'G') => 1024 * 1024 * 1024,
        _ => 1,
    })
}

/// `ngx_parse_time`: groups like `1h 30m`, units `y M w d h m s ms` in decreasing order (no
/// `y`/`M` in milliseconds mode), a bare number meaning seconds in both modes (nginx scales it by
/// 1000 for milliseconds slots: the documented default unit is the second). Returns milliseconds.
pub fn time(s: &str, is_sec: bool) -> Option<u64> {
    let unit = alt((
        tag("ms"),
        tag("y"),
        tag("M"),
        tag("w"),
        tag("d"),
        tag("h"),
        tag("m"),
        tag("s"),
    ));
    let group = terminated(pair(number, opt(unit)), space0);
    let (_, groups) = all_consuming(preceded(space0, many1(group))).parse(s).ok()?;
    let mut total: u64 = 0;
    let mut last_rank = usize::MAX;
    for (i, (n, u)) in groups.iter().enumerate() {
        let (rank, ms) = match *u {
            // Milliseconds mode starts past months (it would overflow a 32-bit ngx_int_t).
            Some("y" | "M") if !is_sec => return None,
            Some("y") => (8, 365 * 86_400_000u64),
            Some("M") => (7, 30 * 86_400_000),
            Some("w") => (6, 7 * 86_400_000),
            Some("d") => (5, 86_400_000),
            Some("h") => (4, 3_600_000),
            Some("m") => (3, 60_000),
            Some("s") => (2, 1000),
            Some("ms") if !is_sec => (1, 1),
            Some(_) => return None,
            // A bare number is only valid last.
            None if i + 1 == groups.len() => (0, 1000),
            None => return None,
        };
        if rank >= last_rank {
            return None;
        }
        last_rank = rank;
        total = total.checked_add(n.checked_mul(ms)?)?;
    }
    Some(total)
}

/// `ngx_atoi`: a non-negative decimal number.
pub fn num(s: &str) -> Option<u64> {
    all_consuming(number).parse(s).ok().map(|(_, n)| n)
}

/// On/off (nginx compares case-insensitively).
pub fn flag(s: &str) -> Option<bool> {
    let on = tag_no_case::<_, _, nom::error::Error<&str>>("on").map(|_| true);
    let off = tag_no_case("off").map(|_| false);
    all_consuming(alt((on, off))).parse(s).ok().map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size("1m"), Some(1 << 20));
        assert_eq!(size("1024K"), Some(1 << 20));
        assert_eq!(size("10"), Some(10));
        assert_eq!(size("1g"), None);
        assert_eq!(size("1 m"), None);
        assert_eq!(size(""), None);
        assert_eq!(offset("2G"), Some(2 << 30));
    }

    #[test]
    fn times() {
        assert_eq!(time("60s", true), Some(60_000));
        assert_eq!(time("1m", true), time("60", true));
        assert_eq!(time("1h 30m", true), Some(5_400_000));
        assert_eq!(time("500ms", false), Some(500));
        assert_eq!(time("500ms", true), None);
        assert_eq!(time("30m 1h", true), None);
        assert_eq!(time("1x", true), None);
        // `proxy_read_timeout 10;` is ten seconds.
        assert_eq!(time("10", false), Some(10_000));
        // nginx -t: `proxy_read_timeout 1y;` and `1M` are invalid values; `2w` is not.
        assert_eq!(time("1y", false), None);
        assert_eq!(time("1M", false), None);
        assert_eq!(time("2w", false), Some(14 * 86_400_000));
        assert_eq!(time("1y", true), Some(365 * 86_400_000));
    }

    #[test]
    fn flags_and_numbers() {
        assert_eq!(flag("ON"), Some(true));
        assert_eq!(flag("of"), None);
        assert_eq!(num("007"), Some(7));
        assert_eq!(num("-1"), None);
    }
}
