//! Configuration contexts (the block a directive appears in) and module types.

use std::fmt;

/// Context bits as used by the tables (`generated.rs`, `third_party.rs`). One bit per
/// [`Context`], unlike nginx, where e.g. `NGX_EVENT_CONF` and `NGX_HTTP_MAIN_CONF` share a bit and
/// the module type tells them apart.
pub mod bits {
    pub const MAIN: u32 = 1 << 0;
    pub const EVENTS: u32 = 1 << 1;
    pub const HTTP: u32 = 1 << 2;
    pub const SRV: u32 = 1 << 3;
    pub const LOC: u32 = 1 << 4;
    pub const UPS: u32 = 1 << 5;
    pub const SIF: u32 = 1 << 6;
    pub const LIF: u32 = 1 << 7;
    pub const LMT: u32 = 1 << 8;
    pub const MAIL: u32 = 1 << 9;
    pub const MAIL_SRV: u32 = 1 << 10;
    pub const STREAM: u32 = 1 << 11;
    pub const STREAM_SRV: u32 = 1 << 12;
    pub const STREAM_UPS: u32 = 1 << 13;
    pub const RTMP: u32 = 1 << 14;
    pub const RTMP_SRV: u32 = 1 << 15;
    pub const RTMP_APP: u32 = 1 << 16;
    pub const RTMP_REC: u32 = 1 << 17;
    /// `NGX_ANY_CONF`: every context (only `include` has it).
    pub const ANY: u32 = (1 << 18) - 1;
}

/// The block a directive appears in, as nginx's `cf->cmd_type` sees it.
///
/// The `Rtmp*` variants are the contexts of the third-party nginx-rtmp-module (`rtmp { server {
/// application { recorder { } } } }`); they are full contexts, not unchecked bodies, so the
/// rtmp directives are checked like any other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Top level of nginx.conf (`NGX_MAIN_CONF`).
    Main,
    /// `events { }`
    Events,
    /// `http { }`
    Http,
    /// `server { }` in http.
    Server,
    /// `location { }` (also nested locations).
    Location,
    /// `upstream { }` in http.
    Upstream,
    /// `if { }` in an http server.
    IfInServer,
    /// `if { }` in a location.
    IfInLocation,
    /// `limit_except { }`
    LimitExcept,
    /// `mail { }`
    Mail,
    /// `server { }` in mail.
    MailServer,
    /// `stream { }`
    Stream,
    /// `server { }` in stream.
    StreamServer,
    /// `upstream { }` in stream.
    StreamUpstream,
    /// `rtmp { }` (nginx-rtmp-module).
    Rtmp,
    /// `server { }` in rtmp.
    RtmpServer,
    /// `application { }` in an rtmp server.
    RtmpApplication,
    /// `recorder { }` in rtmp.
    RtmpRecorder,
}

impl Context {
    pub const ALL: [Context; 18] = [
        Context::Main,
        Context::Events,
        Context::Http,
        Context::Server,
        Context::Location,
        Context::Upstream,
        Context::IfInServer,
        Context::IfInLocation,
        Context::LimitExcept,
        Context::Mail,
        Context::MailServer,
        Context::Stream,
        Context::StreamServer,
        Context::StreamUpstream,
        Context::Rtmp,
        Context::RtmpServer,
        Context::RtmpApplication,
        Context::RtmpRecorder,
    ];

    /// This context's bit in a [`ContextSet`].
    pub const fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The name the data files use (`if_in_location`, `stream_server`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Context::Main => "main",
            Context::Events => "events",
            Context::Http => "http",
            Context::Server => "server",
            Context::Location => "location",
            Context::Upstream => "upstream",
            Context::IfInServer => "if_in_server",
            Context::IfInLocation => "if_in_location",
            Context::LimitExcept => "limit_except",
            Context::Mail => "mail",
            Context::MailServer => "mail_server",
            Context::Stream => "stream",
            Context::StreamServer => "stream_server",
            Context::StreamUpstream => "stream_upstream",
            Context::Rtmp => "rtmp",
            Context::RtmpServer => "rtmp_server",
            Context::RtmpApplication => "rtmp_application",
            Context::RtmpRecorder => "rtmp_recorder",
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The module type nginx accepts directives from in this context: a directive of a module of
    /// another type is skipped (`NGX_CONF_MODULE`, i.e. `include`, is accepted everywhere).
    pub const fn module_type(self) -> ModuleType {
        match self {
            Context::Main => ModuleType::Core,
            Context::Events => ModuleType::Event,
            Context::Http
            | Context::Server
            | Context::Location
            | Context::Upstream
            | Context::IfInServer
            | Context::IfInLocation
            | Context::LimitExcept => ModuleType::Http,
            Context::Mail | Context::MailServer => ModuleType::Mail,
            Context::Stream | Context::StreamServer | Context::StreamUpstream => ModuleType::Stream,
            Context::Rtmp
            | Context::RtmpServer
            | Context::RtmpApplication
            | Context::RtmpRecorder => ModuleType::Rtmp,
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of [`Context`]s (a bitmask of [`Context::bit`]s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ContextSet(pub u32);

impl ContextSet {
    pub const EMPTY: ContextSet = ContextSet(0);
    pub const ANY: ContextSet = ContextSet(bits::ANY);

    pub const fn bits(self) -> u32 {
        self.0
    }
    pub const fn contains(self, ctx: Context) -> bool {
        self.0 & ctx.bit() != 0
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    pub const fn union(self, other: ContextSet) -> ContextSet {
        ContextSet(self.0 | other.0)
    }
    pub fn iter(self) -> impl Iterator<Item = Context> {
        Context::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl From<Context> for ContextSet {
    fn from(ctx: Context) -> Self {
        ContextSet(ctx.bit())
    }
}

impl FromIterator<Context> for ContextSet {
    fn from_iter<I: IntoIterator<Item = Context>>(iter: I) -> Self {
        ContextSet(iter.into_iter().fold(0, |acc, c| acc | c.bit()))
    }
}

impl fmt::Display for ContextSet {
    /// `http, server, location`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(c.name())?;
        }
        Ok(())
    }
}

/// nginx module types (`ngx_module_t.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModuleType {
    /// `NGX_CORE_MODULE`: directives of the main context (`worker_processes`, `http`, `events`...).
    Core,
    /// `NGX_CONF_MODULE`: `include`, accepted in every context.
    Conf,
    /// `NGX_EVENT_MODULE`
    Event,
    /// `NGX_HTTP_MODULE`
    Http,
    /// `NGX_MAIL_MODULE`
    Mail,
    /// `NGX_STREAM_MODULE`
    Stream,
    /// `NGX_RTMP_MODULE` (third-party nginx-rtmp-module).
    Rtmp,
}

impl ModuleType {
    pub const fn name(self) -> &'static str {
        match self {
            ModuleType::Core => "NGX_CORE_MODULE",
            ModuleType::Conf => "NGX_CONF_MODULE",
            ModuleType::Event => "NGX_EVENT_MODULE",
            ModuleType::Http => "NGX_HTTP_MODULE",
            ModuleType::Mail => "NGX_MAIL_MODULE",
            ModuleType::Stream => "NGX_STREAM_MODULE",
            ModuleType::Rtmp => "NGX_RTMP_MODULE",
        }
    }

    /// Whether nginx considers directives of a module of this type inside `ctx`.
    pub const fn serves(self, ctx: Context) -> bool {
        matches!(self, ModuleType::Conf) || self as u8 == ctx.module_type() as u8
    }
}
