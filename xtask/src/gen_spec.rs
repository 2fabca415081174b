//! `gen-spec`: turn the nginx directive/variable JSON extracted from nginx's source into the static
//! tables of `core/src/spec/generated.rs`.
//!
//! Both nginx versions are merged into one table per kind with a version mask. An entry is matched
//! across versions by (name, module) for directives and by (name, subsystem, module) for
//! variables; when the fields the spec keeps are equal, one row carries both versions, otherwise
//! each version gets its own row. Rows are sorted by name (byte order, the order the runtime binary
//! search relies on), then by data order: the latest file's entries first, each followed by its
//! differing 1.22 variant, then entries that only 1.22 has.
//!
//! The output is a pure function of the four input files: no timestamps, no hash-map order.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The input files, in the order (latest directives, 1.22 directives, latest variables, 1.22
/// variables).
pub const INPUTS: [&str; 4] = [
    "nginx-directives.json",
    "nginx-directives-1.22.1.json",
    "nginx-variables.json",
    "nginx-variables-1.22.1.json",
];

/// Output path relative to the workspace root.
pub const OUTPUT: &str = "core/src/spec/generated.rs";

const V_OLD: u8 = 1;
const V_LATEST: u8 = 2;

pub fn workspace_root() -> PathBuf {
    // CARGO_MANIFEST_DIR of xtask is <root>/xtask.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// `<root>/../shared/data`.
pub fn default_data_dir() -> PathBuf {
    let root = workspace_root();
    match root.parent() {
        Some(parent) => parent.join("shared").join("data"),
        None => root.join("..").join("shared").join("data"),
    }
}

pub fn output_path() -> PathBuf {
    workspace_root().join(OUTPUT)
}

pub fn run(data: &Path, check: bool) -> Result<(), String> {
    let generated = generate(data)?;
    let out = output_path();
    if check {
        let committed = std::fs::read_to_string(&out)
            .map_err(|e| format!("cannot read {}: {e}", out.display()))?;
        if committed != generated {
            let line = committed
                .lines()
                .zip(generated.lines())
                .position(|(a, b)| a != b)
                .map(|i| i + 1)
                .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()) + 1);
            return Err(format!(
                "{} is out of date (first difference at line {line}); run `cargo run -p xtask -- gen-spec`",
                out.display()
            ));
        }
        eprintln!("gen-spec: {} is up to date", out.display());
    } else {
        std::fs::write(&out, &generated)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        eprintln!(
            "gen-spec: wrote {} ({} bytes)",
            out.display(),
            generated.len()
        );
    }
    Ok(())
}

fn load(data: &Path, file: &str) -> Result<Value, String> {
    let path = data.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: invalid JSON: {e}", path.display()))
}

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&Value::Null)
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    field(v, key)
        .as_str()
        .ok_or_else(|| format!("missing string field `{key}` in {v}"))
}

fn bool_field(v: &Value, key: &str) -> Result<bool, String> {
    field(v, key)
        .as_bool()
        .ok_or_else(|| format!("missing bool field `{key}` in {v}"))
}

fn opt_str(v: &Value, key: &str) -> Option<String> {
    field(v, key).as_str().map(str::to_owned)
}

fn str_list(v: &Value, key: &str) -> Result<Vec<String>, String> {
    match field(v, key) {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`{key}`: non-string item"))
            })
            .collect(),
        other => Err(format!("`{key}`: expected a list, got {other}")),
    }
}

/// Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_lit(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("Some({})", lit(s)),
        None => "None".to_owned(),
    }
}

fn version_const(mask: u8) -> &'static str {
    match mask {
        V_OLD => "V_1_22",
        V_LATEST => "V_LATEST",
        _ => "V_ALL",
    }
}

/// `ngx_http_gzip_filter_module` -> `MOD_HTTP_GZIP_FILTER`.
fn module_const(name: &str) -> String {
    let s = name.strip_prefix("ngx_").unwrap_or(name);
    let s = s.strip_suffix("_module").unwrap_or(s);
    format!("MOD_{}", s.to_ascii_uppercase())
}

fn module_type(ty: &str) -> Result<&'static str, String> {
    Ok(match ty {
        "NGX_CORE_MODULE" => "T::Core",
        "NGX_CONF_MODULE" => "T::Conf",
        "NGX_EVENT_MODULE" => "T::Event",
        "NGX_HTTP_MODULE" => "T::Http",
        "NGX_MAIL_MODULE" => "T::Mail",
        "NGX_STREAM_MODULE" => "T::Stream",
        other => return Err(format!("unknown module type {other}")),
    })
}

fn context_const(ctx: &str) -> Result<&'static str, String> {
    Ok(match ctx {
        "main" => "MAIN",
        "events" => "EVENTS",
        "http" => "HTTP",
        "server" => "SRV",
        "location" => "LOC",
        "upstream" => "UPS",
        "if_in_server" => "SIF",
        "if_in_location" => "LIF",
        "limit_except" => "LMT",
        "mail" => "MAIL",
        "mail_server" => "MAIL_SRV",
        "stream" => "STREAM",
        "stream_server" => "STREAM_SRV",
        "stream_upstream" => "STREAM_UPS",
        "any" => "ANY",
        other => return Err(format!("unknown context {other}")),
    })
}

fn context_expr(list: &[String]) -> Result<String, String> {
    if list.is_empty() {
        return Ok("0".to_owned());
    }
    let parts: Result<Vec<_>, _> = list.iter().map(|c| context_const(c)).collect();
    Ok(parts?.join(" | "))
}

#[derive(Debug, Clone)]
struct Module {
    name: String,
    ty: &'static str,
    default_build: bool,
    /// `static`, `dynamic:<file>.so` or absent.
    debian12: Option<String>,
    versions: u8,
}

/// A directive entry reduced to the fields the spec keeps; `PartialEq` decides whether the two
/// versions share a row.
#[derive(Debug, Clone, PartialEq)]
struct Directive {
    name: String,
    module: String,
    contexts: Vec<String>,
    block: bool,
    kind: &'static str,
    min: u64,
    max: Option<u64>,
    counts: u16,
    handler: String,
    values: Vec<String>,
    opens: Vec<String>,
    body: String,
    condition: Option<String>,
    default_build: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Variable {
    name: String,
    subsystem: &'static str,
    module: String,
    prefix: bool,
    settable: bool,
    changeable: bool,
    condition: Option<String>,
}

fn parse_modules(file: &Value) -> Result<Vec<Module>, String> {
    let list = field(file, "modules")
        .as_array()
        .ok_or("`modules` is not a list")?;
    list.iter()
        .map(|m| {
            Ok(Module {
                name: str_field(m, "module")?.to_owned(),
                ty: module_type(str_field(m, "type")?)?,
                default_build: bool_field(m, "default_build")?,
                debian12: opt_str(m, "debian12"),
                versions: 0,
            })
        })
        .collect()
}

fn parse_directive(e: &Value) -> Result<Directive, String> {
    let name = str_field(e, "name")?.to_owned();
    let ctx = |msg: String| format!("directive {name}: {msg}");
    let kind = match str_field(e, "arg_kind")? {
        "noargs" => "K::NoArgs",
        "take" => "K::Take",
        "flag" => "K::Flag",
        "1more" => "K::OneMore",
        "2more" => "K::TwoMore",
        "any" => "K::Any",
        other => return Err(ctx(format!("unknown arg_kind {other}"))),
    };
    let min = field(e, "min_args")
        .as_u64()
        .ok_or_else(|| ctx("min_args".into()))?;
    let max = match field(e, "max_args") {
        Value::Null => None,
        v => Some(v.as_u64().ok_or_else(|| ctx("max_args".into()))?),
    };
    let mut counts: u16 = 0;
    match field(e, "arg_counts") {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                let n = item.as_u64().ok_or_else(|| ctx("arg_counts item".into()))?;
                if n > 15 {
                    return Err(ctx(format!("argument count {n} does not fit the u16 mask")));
                }
                counts |= 1 << n;
            }
        }
        other => return Err(ctx(format!("arg_counts: {other}"))),
    }
    let block = bool_field(e, "block")?;
    let body = match (
        field(e, "block_body").as_str(),
        opt_str(e, "block_body_handler"),
    ) {
        (None, _) if block => return Err(ctx("block without block_body".into())),
        (None, _) => "B::None".to_owned(),
        (Some("directives"), _) => "B::Directives".to_owned(),
        (Some("custom"), Some(handler)) => format!("B::Custom({})", lit(&handler)),
        (Some(other), _) => return Err(ctx(format!("unknown block_body {other}"))),
    };
    Ok(Directive {
        module: str_field(e, "module")?.to_owned(),
        contexts: str_list(e, "contexts")?,
        block,
        kind,
        min,
        max,
        counts,
        handler: str_field(e, "handler")?.to_owned(),
        values: str_list(e, "values")?,
        opens: str_list(e, "opens_context")?,
        body,
        condition: opt_str(e, "condition"),
        default_build: bool_field(e, "default_build")?,
        name,
    })
}

fn parse_variable(v: &Value) -> Result<Variable, String> {
    Ok(Variable {
        name: str_field(v, "name")?.to_owned(),
        subsystem: match str_field(v, "subsystem")? {
            "http" => "S::Http",
            "stream" => "S::Stream",
            other => return Err(format!("variable: unknown subsystem {other}")),
        },
        module: str_field(v, "module")?.to_owned(),
        prefix: bool_field(v, "prefix")?,
        settable: field(v, "settable").as_bool().unwrap_or(false),
        changeable: str_list(v, "flags")?
            .iter()
            .any(|f| f.ends_with("_VAR_CHANGEABLE")),
        condition: opt_str(v, "condition"),
    })
}

/// Merge two versions of a list of entries keyed by `key`: see the module docs for the order.
fn merge<T: Clone + PartialEq>(
    latest: &[T],
    old: &[T],
    name: impl Fn(&T) -> &str,
    key: impl Fn(&T) -> String,
) -> Result<Vec<(T, u8)>, String> {
    let mut old_by_key: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in old.iter().enumerate() {
        if old_by_key.insert(key(e), i).is_some() {
            return Err(format!("duplicate entry {} in the 1.22 data", key(e)));
        }
    }
    let mut seen_latest: BTreeMap<String, ()> = BTreeMap::new();
    // name -> rows in output order
    let mut groups: BTreeMap<String, Vec<(T, u8)>> = BTreeMap::new();
    for e in latest {
        let k = key(e);
        if seen_latest.insert(k.clone(), ()).is_some() {
            return Err(format!("duplicate entry {k} in the latest data"));
        }
        let group = groups.entry(name(e).to_owned()).or_default();
        match old_by_key.get(&k) {
            Some(&i) if old[i] == *e => group.push((e.clone(), V_OLD | V_LATEST)),
            Some(&i) => {
                group.push((e.clone(), V_LATEST));
                group.push((old[i].clone(), V_OLD));
            }
            None => group.push((e.clone(), V_LATEST)),
        }
    }
    for e in old {
        if !seen_latest.contains_key(&key(e)) {
            groups
                .entry(name(e).to_owned())
                .or_default()
                .push((e.clone(), V_OLD));
        }
    }
    Ok(groups.into_values().flatten().collect())
}

/// Generate the whole of `generated.rs` from the data directory.
pub fn generate(data: &Path) -> Result<String, String> {
    let [dl, d_old, vl, v_old] = INPUTS;
    let dir_latest = load(data, dl)?;
    let dir_old = load(data, d_old)?;
    let var_latest = load(data, vl)?;
    let var_old = load(data, v_old)?;

    let version = |v: &Value| str_field(v, "nginx_version").map(str::to_owned);
    let commit = |v: &Value| {
        field(field(v, "source"), "commit")
            .as_str()
            .unwrap_or("?")
            .to_owned()
    };
    let (latest_version, old_version) = (version(&dir_latest)?, version(&dir_old)?);
    if version(&var_latest)? != latest_version || version(&var_old)? != old_version {
        return Err("directive and variable files disagree on the nginx versions".into());
    }

    // Modules: latest data order, then modules only 1.22 has.
    let mut modules: Vec<Module> = Vec::new();
    let mut module_index: BTreeMap<String, usize> = BTreeMap::new();
    for (file, mask) in [(&dir_latest, V_LATEST), (&dir_old, V_OLD)] {
        for m in parse_modules(file)? {
            match module_index.get(&m.name) {
                Some(&i) => {
                    let prev = &mut modules[i];
                    if (prev.ty, prev.default_build, &prev.debian12)
                        != (m.ty, m.default_build, &m.debian12)
                    {
                        return Err(format!("module {} differs between versions", m.name));
                    }
                    prev.versions |= mask;
                }
                None => {
                    module_index.insert(m.name.clone(), modules.len());
                    modules.push(Module {
                        versions: mask,
                        ..m
                    });
                }
            }
        }
    }

    let directives = |file: &Value| -> Result<Vec<Directive>, String> {
        field(file, "directives")
            .as_array()
            .ok_or("`directives` is not a list")?
            .iter()
            .map(parse_directive)
            .collect()
    };
    let variables = |file: &Value| -> Result<Vec<Variable>, String> {
        field(file, "variables")
            .as_array()
            .ok_or("`variables` is not a list")?
            .iter()
            .map(parse_variable)
            .collect()
    };
    let dirs = merge(
        &directives(&dir_latest)?,
        &directives(&dir_old)?,
        |d| &d.name,
        |d| format!("{}/{}", d.name, d.module),
    )?;
    let vars = merge(
        &variables(&var_latest)?,
        &variables(&var_old)?,
        |v| &v.name,
        |v| format!("{}/{}/{}", v.name, v.subsystem, v.module),
    )?;
    for m in dirs
        .iter()
        .map(|(d, _)| &d.module)
        .chain(vars.iter().map(|(v, _)| &v.module))
    {
        if !module_index.contains_key(m) {
            return Err(format!("module {m} is used but not in the module table"));
        }
    }

    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "// @generated by `cargo run -p xtask -- gen-spec` (xtask/src/gen_spec.rs). DO NOT EDIT."
    );
    let _ = writeln!(
        w,
        "// Check that it is current: `cargo run -p xtask -- gen-spec --check`."
    );
    let _ = writeln!(w, "//");
    let _ = writeln!(
        w,
        "// Inputs, in ../shared/data relative to the workspace root:"
    );
    for (file, v) in [
        (dl, &dir_latest),
        (d_old, &dir_old),
        (vl, &var_latest),
        (v_old, &var_old),
    ] {
        let _ = writeln!(
            w,
            "//   {file:<30} nginx {} (nginx/nginx {})",
            version(v)?,
            commit(v)
        );
    }
    let _ = writeln!(w, "//");
    let _ = writeln!(
        w,
        "// {} modules, {} directive rows, {} variable rows. Rows are sorted by name, then data order.",
        modules.len(),
        dirs.len(),
        vars.len()
    );
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "#![allow(dead_code)] // a MOD_* id exists for every module, used by a row or not"
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "use super::context::bits::*;");
    let _ = writeln!(
        w,
        "use super::table::{{ArgKind as K, BlockBody as B, Debian12 as D, Subsystem as S}};"
    );
    let _ = writeln!(w, "use super::table::{{DirectiveSpec, ModuleSpec, VariableSpec, INF, V_1_22, V_ALL, V_LATEST}};");
    let _ = writeln!(w, "use super::ModuleType as T;");
    let _ = writeln!(w);
    let _ = writeln!(w, "/// nginx version of the \"latest\" data.");
    let _ = writeln!(
        w,
        "pub const LATEST_VERSION: &str = {};",
        lit(&latest_version)
    );
    let _ = writeln!(
        w,
        "/// nginx version of the older data (Debian 12's nginx)."
    );
    let _ = writeln!(w, "pub const OLD_VERSION: &str = {};", lit(&old_version));
    let _ = writeln!(w);
    for (i, m) in modules.iter().enumerate() {
        let _ = writeln!(w, "pub const {}: u16 = {i};", module_const(&m.name));
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "pub static MODULES: [ModuleSpec; {}] = [", modules.len());
    for m in &modules {
        let deb = match m.debian12.as_deref() {
            None => "D::Absent".to_owned(),
            Some("static") => "D::Static".to_owned(),
            Some(other) => match other.strip_prefix("dynamic:") {
                Some(so) => format!("D::Dynamic({})", lit(so)),
                None => return Err(format!("module {}: unknown debian12 value {other}", m.name)),
            },
        };
        let _ = writeln!(
            w,
            "    ModuleSpec {{ name: {}, ty: {}, versions: {}, default_build: {}, debian12: {deb} }},",
            lit(&m.name),
            m.ty,
            version_const(m.versions),
            m.default_build,
        );
    }
    let _ = writeln!(w, "];");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "pub static DIRECTIVES: [DirectiveSpec; {}] = [",
        dirs.len()
    );
    for (d, mask) in &dirs {
        let values = if d.values.is_empty() {
            "&[]".to_owned()
        } else {
            format!(
                "&[{}]",
                d.values
                    .iter()
                    .map(|v| lit(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let max = match d.max {
            Some(n) => n.to_string(),
            None => "INF".to_owned(),
        };
        let _ = writeln!(
            w,
            "    DirectiveSpec {{ name: {}, module: {}, versions: {}, contexts: {}, block: {}, kind: {}, min: {}, max: {max}, counts: {:#06x}, handler: {}, values: {values}, opens: {}, body: {}, condition: {}, default_build: {} }},",
            lit(&d.name),
            module_const(&d.module),
            version_const(*mask),
            context_expr(&d.contexts)?,
            d.block,
            d.kind,
            d.min,
            d.counts,
            lit(&d.handler),
            context_expr(&d.opens)?,
            d.body,
            opt_lit(&d.condition),
            d.default_build,
        );
    }
    let _ = writeln!(w, "];");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "pub static VARIABLES: [VariableSpec; {}] = [",
        vars.len()
    );
    for (v, mask) in &vars {
        let _ = writeln!(
            w,
            "    VariableSpec {{ name: {}, module: {}, versions: {}, subsystem: {}, prefix: {}, settable: {}, changeable: {}, condition: {} }},",
            lit(&v.name),
            module_const(&v.module),
            version_const(*mask),
            v.subsystem,
            v.prefix,
            v.settable,
            v.changeable,
            opt_lit(&v.condition),
        );
    }
    let _ = writeln!(w, "];");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed `core/src/spec/generated.rs` must be exactly what the generator produces.
    #[test]
    fn committed_generated_rs_is_current() {
        let data = default_data_dir();
        if !INPUTS.iter().all(|f| data.join(f).is_file()) {
            eprintln!(
                "SKIP committed_generated_rs_is_current: nginx data not found in {}",
                data.display()
            );
            return;
        }
        let generated = generate(&data).expect("generation succeeds");
        let committed = std::fs::read_to_string(output_path()).expect("generated.rs is committed");
        assert!(
            committed == generated,
            "core/src/spec/generated.rs is stale: run `cargo run -p xtask -- gen-spec`"
        );
    }

    #[test]
    fn module_const_names() {
        assert_eq!(
            module_const("ngx_http_gzip_filter_module"),
            "MOD_HTTP_GZIP_FILTER"
        );
        assert_eq!(module_const("ngx_core_module"), "MOD_CORE");
    }

    #[test]
    fn merge_keeps_differing_versions_apart() {
        #[derive(Clone, PartialEq, Debug)]
        struct E(&'static str, &'static str, u8);
        let latest = [E("b", "m1", 1), E("a", "m1", 1), E("b", "m2", 1)];
        let old = [E("b", "m1", 2), E("a", "m1", 1), E("c", "m1", 1)];
        let merged = merge(&latest, &old, |e| e.0, |e| format!("{}/{}", e.0, e.1)).unwrap();
        let got: Vec<_> = merged.iter().map(|(e, m)| (e.0, e.1, e.2, *m)).collect();
        assert_eq!(
            got,
            vec![
                ("a", "m1", 1, V_OLD | V_LATEST),
                ("b", "m1", 1, V_LATEST),
                ("b", "m1", 2, V_OLD),
                ("b", "m2", 1, V_LATEST),
                ("c", "m1", 1, V_OLD),
            ]
        );
    }
}
