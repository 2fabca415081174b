//! Taint rules, one per file: what client-controlled values reach (hosts, headers, redirects),
//! built on `crate::model::variables`.

mod header_injection;
mod host_spoofing;
mod multiline_header;
mod origin_referer_regex;
mod proxy_pass_decoded_uri;
mod ssrf;
mod valid_referers_none;

use crate::rules::Rule;

pub(crate) static RULES: &[Rule] = &[ssrf::RULE, header_injection::RULE, origin_referer_regex::RULE, valid_referers_none::RULE, host_spoofing::RULE, multiline_header::RULE, proxy_pass_decoded_uri::RULE];
