//! Facts the generated tables cannot know, each checked against the real binary (Debian 12's
//! nginx 1.22.1-9+deb12u11 through `../shared/tools/nginx-check`):
//! - Debian's security updates backport `max_headers` (upstream: newer nginx only), so a
//!   1.22 profile accepts it.
//! - `ssl_ocsp` already takes `leaf` in 1.22 (its enum has three values; the 1.22 data lists two).

use super::context::bits::*;
use super::generated::{MOD_HTTP_CORE, MOD_HTTP_SSL, MOD_STREAM_SSL};
use super::table::{ArgKind as K, BlockBody as B, DirectiveSpec, V_1_22};

/// Rows looked up before the generated table (same row shape).
pub(crate) static DIRECTIVES: [DirectiveSpec; 3] = [
    DirectiveSpec { name: "max_headers", module: MOD_HTTP_CORE, versions: V_1_22, contexts: HTTP | SRV, block: false, kind: K::Take, min: 1, max: 1, counts: 0x0002, handler: "ngx_conf_set_num_slot", values: &[], opens: 0, body: B::None, condition: None, default_build: true },
    DirectiveSpec { name: "ssl_ocsp", module: MOD_HTTP_SSL, versions: V_1_22, contexts: HTTP | SRV, block: false, kind: K::Flag, min: 1, max: 1, counts: 0x0002, handler: "ngx_conf_set_enum_slot", values: &["off", "on", "leaf"], opens: 0, body: B::None, condition: None, default_build: false },
    DirectiveSpec { name: "ssl_ocsp", module: MOD_STREAM_SSL, versions: V_1_22, contexts: STREAM | STREAM_SRV, block: false, kind: K::Flag, min: 1, max: 1, counts: 0x0002, handler: "ngx_conf_set_enum_slot", values: &["off", "on", "leaf"], opens: 0, body: B::None, condition: None, default_build: false },
];
