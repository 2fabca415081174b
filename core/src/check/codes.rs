//! Codes of what `nginx -t` rejects after tokenizing (NGX1xx), and of what nginx only warns
//! about or needs from the machine at load time.

use crate::report::{Code, Severity};

const fn err(code: &'static str, rule: &'static str, summary: &'static str) -> Code {
    Code { code, rule, severity: Severity::Error, summary }
}

pub const UNKNOWN_DIRECTIVE: Code =
    err("NGX101", "unknown-directive", "no loaded module has a directive of that name (for the target nginx version)");
pub const NOT_ALLOWED_HERE: Code =
    err("NGX102", "directive-not-allowed-here", "the directive exists but not in this block");
pub const TERMINATOR: Code = err(
    "NGX103",
    "directive-terminator",
    "a simple directive followed by `{`, or a block directive without one",
);
pub const ARG_COUNT: Code =
    err("NGX104", "invalid-argument-count", "wrong number of arguments for the directive");
pub const INVALID_VALUE: Code = err(
    "NGX105",
    "invalid-value",
    "an argument nginx cannot read: on/off flags, enumerations, sizes, times, numbers, return codes, conditions, handler entries",
);
pub const DUPLICATE: Code = err(
    "NGX106",
    "duplicate",
    "a single-value directive, location, default server, upstream or log format defined twice",
);
pub const LISTEN: Code =
    err("NGX107", "invalid-listen", "a `listen` address or parameter nginx rejects");
pub const UNKNOWN_VARIABLE: Code = err(
    "NGX108",
    "unknown-variable",
    "a `$variable` that is neither built in nor defined by set/map/geo/... anywhere",
);
pub const MISSING: Code = err(
    "NGX109",
    "missing-required",
    "something nginx requires is absent: an events block, servers in an upstream, a certificate for `listen ... ssl`, a log format",
);
pub const LOCATION: Code = err(
    "NGX110",
    "invalid-location",
    "location modifiers, nesting rules, and URI parts nginx forbids in regex/named locations",
);
pub const REGEX: Code = err(
    "NGX111",
    "invalid-regex",
    "a regular expression PCRE2 cannot compile (location, rewrite, if, map, server_name)",
);
pub const NGINX_WARNING: Code = Code {
    code: "NGX120",
    rule: "nginx-warning",
    severity: Severity::Warning,
    summary: "nginx loads the configuration but prints a warning (conflicting server names, deprecated syntax)",
};
pub const LOAD_TIME: Code = Code {
    code: "NGX121",
    rule: "load-time-requirement",
    severity: Severity::Info,
    summary: "nginx will need this from the machine at load time (files, certificates, DNS names, users)",
};

pub const ALL: &[Code] = &[
    UNKNOWN_DIRECTIVE,
    NOT_ALLOWED_HERE,
    TERMINATOR,
    ARG_COUNT,
    INVALID_VALUE,
    DUPLICATE,
    LISTEN,
    UNKNOWN_VARIABLE,
    MISSING,
    LOCATION,
    REGEX,
    NGINX_WARNING,
    LOAD_TIME,
];
