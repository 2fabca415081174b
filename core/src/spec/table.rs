//! Row types of the static tables and their accessors.
//!
//! The rows are built as plain struct literals by `generated.rs` (from nginx's source) and by
//! `third_party.rs` (by hand); fields are crate-private, the accessors are the API.

use super::context::{Context, ContextSet, ModuleType};
use super::generated;

/// Which nginx versions a row exists in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionSet(pub(crate) u8);

pub(crate) const V_1_22: VersionSet = VersionSet(1);
pub(crate) const V_LATEST: VersionSet = VersionSet(2);
pub(crate) const V_ALL: VersionSet = VersionSet(3);

/// `max` of a row without an upper bound (`1more`, `2more`, `any`).
pub(crate) const INF: u8 = u8::MAX;

/// The nginx versions the spec knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum NginxVersion {
    /// nginx 1.22.1 (Debian 12's nginx).
    V1_22,
    /// The newest nginx the data was extracted from (see [`NginxVersion::number`]).
    #[default]
    Latest,
}

impl NginxVersion {
    pub const ALL: [NginxVersion; 2] = [NginxVersion::V1_22, NginxVersion::Latest];

    const fn bit(self) -> u8 {
        match self {
            NginxVersion::V1_22 => V_1_22.0,
            NginxVersion::Latest => V_LATEST.0,
        }
    }

    /// The exact version number, e.g. `"1.22.1"`.
    pub const fn number(self) -> &'static str {
        match self {
            NginxVersion::V1_22 => generated::OLD_VERSION,
            NginxVersion::Latest => generated::LATEST_VERSION,
        }
    }
}

impl NginxVersion {
    /// The name users write: `"1.22"` or `"latest"`.
    pub const fn name(self) -> &'static str {
        match self {
            NginxVersion::V1_22 => "1.22",
            NginxVersion::Latest => "latest",
        }
    }
}

impl std::str::FromStr for NginxVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "1.22" | "1.22.1" => Ok(NginxVersion::V1_22),
            "latest" | "mainline" => Ok(NginxVersion::Latest),
            v => Err(format!("unknown nginx version \"{v}\": expected \"1.22\" or \"latest\"")),
        }
    }
}

impl serde::Serialize for NginxVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for NginxVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl VersionSet {
    pub const fn contains(self, v: NginxVersion) -> bool {
        self.0 & v.bit() != 0
    }
    /// The oldest version in the set.
    pub fn min_version(self) -> Option<NginxVersion> {
        NginxVersion::ALL.into_iter().find(|v| self.contains(*v))
    }
    /// The newest version in the set.
    pub fn max_version(self) -> Option<NginxVersion> {
        NginxVersion::ALL
            .into_iter()
            .rev()
            .find(|v| self.contains(*v))
    }
    pub fn iter(self) -> impl Iterator<Item = NginxVersion> {
        NginxVersion::ALL
            .into_iter()
            .filter(move |v| self.contains(*v))
    }
}

/// Whether Debian 12's nginx packages have a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Debian12 {
    /// Compiled into `/usr/sbin/nginx`.
    Static,
    /// A dynamic module (`load_module modules/<file>;`), from a `libnginx-mod-*` package.
    Dynamic(&'static str),
    /// Not packaged by Debian 12.
    Absent,
}

/// Argument-count rule of a directive, checked by nginx in this precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// `NGX_CONF_ANY`: any number of arguments.
    Any,
    /// `NGX_CONF_FLAG`: exactly one argument, `on` or `off`.
    Flag,
    /// `NGX_CONF_1MORE`: at least one argument.
    OneMore,
    /// `NGX_CONF_2MORE`: at least two arguments.
    TwoMore,
    /// `NGX_CONF_NOARGS`: no argument (blocks such as `http`).
    NoArgs,
    /// `NGX_CONF_TAKEn` combinations: the counts in [`DirectiveSpec::arg_counts`].
    Take,
}

/// What the `{ ... }` body of a block directive holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockBody {
    /// Not a block directive.
    None,
    /// Ordinary directives, checked in [`DirectiveSpec::opens_context`].
    Directives,
    /// nginx-tokenized lines parsed by the named handler, not directives (`map`, `geo`, `types`,
    /// `split_clients`, `charset_map`, `geoip2`...).
    Custom(&'static str),
    /// Not nginx syntax at all: the module reads the raw text up to the matching `}` with its own
    /// lexer (lua-nginx-module's `*_by_lua_block { <Lua code> }`). The nginx tokenizer must not
    /// be applied to the body.
    Verbatim(&'static str),
}

/// Variable subsystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subsystem {
    Http,
    Stream,
}

/// Index of a module in the combined module table (nginx's, then third-party ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub(crate) u16);

impl ModuleId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// One nginx module (`ngx_module_t`).
#[derive(Debug, PartialEq, Eq)]
pub struct ModuleSpec {
    pub(crate) name: &'static str,
    pub(crate) ty: ModuleType,
    pub(crate) versions: VersionSet,
    pub(crate) default_build: bool,
    pub(crate) debian12: Debian12,
}

impl ModuleSpec {
    /// e.g. `ngx_http_gzip_filter_module`.
    pub const fn name(&self) -> &'static str {
        self.name
    }
    pub const fn module_type(&self) -> ModuleType {
        self.ty
    }
    /// nginx versions that have this module (third-party modules: all).
    pub const fn versions(&self) -> VersionSet {
        self.versions
    }
    /// Built by a plain `./configure` (always false for third-party modules).
    pub const fn default_build(&self) -> bool {
        self.default_build
    }
    pub const fn debian12(&self) -> Debian12 {
        self.debian12
    }
}

/// One directive entry (`ngx_command_t`). A name can have several entries (http `map` and stream
/// `map`; or one per version when they differ).
#[derive(Debug, PartialEq, Eq)]
pub struct DirectiveSpec {
    pub(crate) name: &'static str,
    pub(crate) module: u16,
    pub(crate) versions: VersionSet,
    /// [`super::context::bits`]
    pub(crate) contexts: u32,
    pub(crate) block: bool,
    pub(crate) kind: ArgKind,
    pub(crate) min: u8,
    /// [`INF`] = unbounded.
    pub(crate) max: u8,
    /// Bit n set = n arguments allowed (for `NoArgs`/`Take`/`Flag`; 0 for the unbounded kinds).
    pub(crate) counts: u16,
    pub(crate) handler: &'static str,
    pub(crate) values: &'static [&'static str],
    pub(crate) opens: u32,
    pub(crate) body: BlockBody,
    pub(crate) condition: Option<&'static str>,
    pub(crate) default_build: bool,
}

const ON_OFF: &[&str] = &["on", "off"];

impl DirectiveSpec {
    pub const fn name(&self) -> &'static str {
        self.name
    }
    pub const fn module_id(&self) -> ModuleId {
        ModuleId(self.module)
    }
    pub fn module(&self) -> &'static ModuleSpec {
        super::module(self.module_id())
    }
    pub fn is_third_party(&self) -> bool {
        self.module_id().index() >= generated::MODULES.len()
    }
    /// Contexts the directive is allowed in.
    pub const fn contexts(&self) -> ContextSet {
        ContextSet(self.contexts)
    }
    pub const fn allowed_in(&self, ctx: Context) -> bool {
        self.contexts & ctx.bit() != 0
    }
    /// Whether this entry applies in `ctx` the way nginx decides it: the module type serves the
    /// context and the context bit is set.
    pub fn matches(&self, ctx: Context) -> bool {
        self.allowed_in(ctx) && self.module().module_type().serves(ctx)
    }
    /// `NGX_CONF_BLOCK`: must be followed by `{`, not `;`.
    pub const fn is_block(&self) -> bool {
        self.block
    }
    pub const fn arg_kind(&self) -> ArgKind {
        self.kind
    }
    pub const fn min_args(&self) -> usize {
        self.min as usize
    }
    /// `None` = unbounded.
    pub const fn max_args(&self) -> Option<usize> {
        if self.max == INF {
            None
        } else {
            Some(self.max as usize)
        }
    }
    /// Allowed argument counts as a bitmask (bit n = n arguments) for `NoArgs`, `Take` and `Flag`;
    /// 0 for the unbounded kinds.
    pub const fn arg_counts(&self) -> u16 {
        self.counts
    }
    /// nginx's argument-count check (`ngx_conf_handler`): `n` excludes the directive name.
    pub const fn accepts_arg_count(&self, n: usize) -> bool {
        match self.kind {
            ArgKind::Any => true,
            ArgKind::Flag => n == 1,
            ArgKind::OneMore => n >= 1,
            ArgKind::TwoMore => n >= 2,
            // NGX_CONF_MAX_ARGS is 8: more than 7 arguments never matches a TAKEn bit.
            ArgKind::NoArgs | ArgKind::Take => n < 16 && self.counts & (1 << n) != 0,
        }
    }
    /// The C function that handles the directive (`ngx_conf_set_flag_slot`, `ngx_http_core_listen`,
    /// ...). The standard `ngx_conf_set_*_slot` handlers reject a second occurrence in the same
    /// block with `"x" directive is duplicate`. Empty for third-party handlers that are static
    /// functions of their module (the packaged binary does not export the name).
    pub const fn handler(&self) -> &'static str {
        self.handler
    }
    /// Whether the handler is one of nginx's generic `ngx_conf_set_*_slot` setters.
    pub fn is_standard_slot(&self) -> bool {
        self.handler.starts_with("ngx_conf_set_") && self.handler.ends_with("_slot")
    }
    /// Allowed values (case-insensitive in nginx) for enum, bitmask and flag handlers; empty when
    /// the argument is free-form or the data lacks the list. `ngx_conf_set_flag_slot` entries
    /// always report `["on", "off"]` (a few entries of the data omit them).
    pub fn values(&self) -> &'static [&'static str] {
        if self.values.is_empty() && self.handler == "ngx_conf_set_flag_slot" {
            ON_OFF
        } else {
            self.values
        }
    }
    /// For block directives whose body holds directives: the context(s) of the body. `if` has two
    /// (`if_in_server`, `if_in_location`): see [`DirectiveSpec::body_context`].
    pub const fn opens_context(&self) -> ContextSet {
        ContextSet(self.opens)
    }
    /// The context of this block's body when it appears in `parent`.
    pub fn body_context(&self, parent: Context) -> Option<Context> {
        let opens = self.opens_context();
        match opens.len() {
            0 => None,
            1 => opens.iter().next(),
            _ => {
                let wanted = match parent {
                    Context::Server | Context::IfInServer => Context::IfInServer,
                    Context::Location | Context::IfInLocation | Context::LimitExcept => {
                        Context::IfInLocation
                    }
                    _ => return None,
                };
                opens.contains(wanted).then_some(wanted)
            }
        }
    }
    pub const fn body(&self) -> BlockBody {
        self.body
    }
    /// The body is not a list of directives (parsed by a handler, or raw text).
    pub const fn is_custom_body(&self) -> bool {
        matches!(self.body, BlockBody::Custom(_) | BlockBody::Verbatim(_))
    }
    /// The body is not even nginx-tokenized (lua `*_by_lua_block`).
    pub const fn is_verbatim_body(&self) -> bool {
        matches!(self.body, BlockBody::Verbatim(_))
    }
    /// The handler of a custom body (`ngx_http_map`, ...).
    pub const fn body_handler(&self) -> Option<&'static str> {
        match self.body {
            BlockBody::Custom(h) | BlockBody::Verbatim(h) => Some(h),
            _ => None,
        }
    }
    /// C preprocessor condition around the entry in nginx's source (`NGX_HTTP_SSL`, ...).
    pub const fn condition(&self) -> Option<&'static str> {
        self.condition
    }
    /// Built by a plain `./configure` (module built and condition true).
    pub const fn default_build(&self) -> bool {
        self.default_build
    }
    pub const fn versions(&self) -> VersionSet {
        self.versions
    }
    pub const fn in_version(&self, v: NginxVersion) -> bool {
        self.versions.contains(v)
    }
    /// The oldest known version with this entry: `V1_22` = at least as old as 1.22.1; `Latest` =
    /// added (or changed) after 1.22.1.
    pub fn min_version(&self) -> NginxVersion {
        self.versions.min_version().unwrap_or(NginxVersion::Latest)
    }
}

/// One built-in variable, or a family of them when [`VariableSpec::is_prefix`].
#[derive(Debug, PartialEq, Eq)]
pub struct VariableSpec {
    pub(crate) name: &'static str,
    pub(crate) module: u16,
    pub(crate) versions: VersionSet,
    pub(crate) subsystem: Subsystem,
    pub(crate) prefix: bool,
    pub(crate) settable: bool,
    pub(crate) changeable: bool,
    pub(crate) condition: Option<&'static str>,
}

impl VariableSpec {
    /// The name without `$`; for a prefix family, the prefix (`http_`).
    pub const fn name(&self) -> &'static str {
        self.name
    }
    pub const fn module_id(&self) -> ModuleId {
        ModuleId(self.module)
    }
    pub fn module(&self) -> &'static ModuleSpec {
        super::module(self.module_id())
    }
    pub const fn subsystem(&self) -> Subsystem {
        self.subsystem
    }
    /// `NGX_*_VAR_PREFIX`: the name is a prefix (`http_` matches `$http_user_agent`).
    pub const fn is_prefix(&self) -> bool {
        self.prefix
    }
    /// Has a set handler (`set $args ...` / `set $limit_rate ...`).
    pub const fn is_settable(&self) -> bool {
        self.settable
    }
    /// `NGX_*_VAR_CHANGEABLE`: `set $name ...` may redefine it; `set` on any other built-in
    /// variable fails with `the duplicate "name" variable`.
    pub const fn is_changeable(&self) -> bool {
        self.changeable
    }
    pub const fn condition(&self) -> Option<&'static str> {
        self.condition
    }
    pub const fn versions(&self) -> VersionSet {
        self.versions
    }
    pub fn min_version(&self) -> NginxVersion {
        self.versions.min_version().unwrap_or(NginxVersion::Latest)
    }
    /// Whether this entry names `$name` (exactly, or as a prefix family).
    pub fn matches(&self, name: &str) -> bool {
        if self.prefix {
            name.starts_with(self.name)
        } else {
            name == self.name
        }
    }
}
