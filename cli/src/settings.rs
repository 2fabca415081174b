//! Effective settings of one input: the configuration file (if any) merged with the command line,
//! which wins. Lists given on the command line (`--select`, `--ignore`, `--context`) replace the
//! file's; `--module` and `--root` add to them; `--target` adds to the policy's targets.

use crate::args::{AnalysisArgs, FailOn};
use crate::config::{self, ConfigFile};
use crate::error::CliError;
use crate::paths::{absolute, relative_to_cwd, Mapping, PathMap};
use ngxlint::risk::{Policy, RiskLevel};
use ngxlint::rules::RuleSelection;
use ngxlint::{Diagnostic, Options};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// Everything an input is analysed with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub options: Options,
    /// `--root` and `[root]` mappings.
    pub roots: PathMap,
    /// `--mount` / `mount`: the path each input directory stands for.
    pub mount: Option<String>,
    pub overrides: Overrides,
    /// `[check] fail_on`.
    pub check_fail_on: Option<FailOn>,
    /// `[diff] fail_on`.
    pub diff_fail_on: Option<RiskLevel>,
    /// `[risk]`.
    pub policy: Option<Policy>,
}

impl Settings {
    /// The path map for one input argument: the roots, plus the mount of the argument's
    /// directory (a file's directory) when `mount` is set.
    pub fn map_for(&self, arg: &Path) -> PathMap {
        let mut map = self.roots.clone();
        if let (Some(mount), false) = (&self.mount, crate::input::is_stdin(arg)) {
            let dir = if arg.is_dir() {
                arg.to_string_lossy().into_owned()
            } else {
                ngxlint::source::dir_name(&arg.to_string_lossy()).to_string()
            };
            if let Ok(m) = Mapping::new(mount, &dir) {
                // The mount is the most specific statement about this input: it goes first.
                let mut with = PathMap::default();
                with.push(m);
                for r in map.mappings() {
                    with.push(r.clone());
                }
                map = with;
            }
        }
        map
    }

    /// Options for one input whose files are named through `map`: a prefix given as a
    /// directory on disk becomes the path nginx sees there.
    pub fn options_for(&self, map: &PathMap) -> Options {
        let mut o = self.options.clone();
        if let Some(p) = &o.prefix {
            o.prefix = Some(map.to_virtual(p));
        }
        // Mapped trees are given in full: a missing include below one is nginx's error.
        o.given_dirs = map.mappings().iter().map(|m| m.virt.clone()).collect();
        o
    }

    /// [`Settings::options_for`] for `check`, whose findings go through the per-path overrides
    /// afterwards ([`Overrides::filter`]).
    pub fn check_options_for(&self, map: &PathMap) -> Options {
        let mut o = self.options_for(map);
        if !self.overrides.is_empty() {
            // Every rule runs; each finding is then kept or dropped with its file's selection.
            o.rules = RuleSelection {
                select: vec!["ALL".into()],
                ..Default::default()
            };
        }
        o
    }
}

/// Settings per configuration file, computed once each.
pub struct Resolver<'a> {
    args: &'a AnalysisArgs,
    cache: HashMap<Option<PathBuf>, Arc<Settings>>,
}

impl<'a> Resolver<'a> {
    pub fn new(args: &'a AnalysisArgs) -> Resolver<'a> {
        Resolver {
            args,
            cache: HashMap::new(),
        }
    }

    /// The settings for a path argument (`-` for standard input).
    pub fn get(&mut self, arg: &Path) -> Result<Arc<Settings>, CliError> {
        let file = if self.args.no_config {
            None
        } else if let Some(p) = &self.args.config {
            Some(p.clone())
        } else {
            config::discover(&config::start_dir(arg))
        };
        if let Some(s) = self.cache.get(&file) {
            return Ok(s.clone());
        }
        let loaded = match &file {
            Some(p) => Some(config::load(p)?),
            None => None,
        };
        let s = Arc::new(merge(self.args, loaded.as_ref())?);
        self.cache.insert(file, s.clone());
        Ok(s)
    }
}

/// Settings for one path argument (commands with a single input).
pub fn resolve(args: &AnalysisArgs, arg: &Path) -> Result<Settings, CliError> {
    Ok((*Resolver::new(args).get(arg)?).clone())
}

const SEVERITIES: &[&str] = &["warning", "warn", "info", "note", "off"];
const PROFILES: &[&str] = &["debian", "debian12", "openresty", "plain", "all"];

fn strings(v: &[Spanned<String>]) -> Vec<String> {
    v.iter().map(|s| s.get_ref().clone()).collect()
}

/// Checks rule selectors written in the file, each at its own span.
fn check_selectors(file: &config::Loaded, key: &str, list: &[Spanned<String>]) -> Result<(), CliError> {
    for s in list {
        let probe = RuleSelection {
            select: vec![s.get_ref().clone()],
            ..Default::default()
        };
        if !probe.unknown_selectors().is_empty() {
            return Err(file.error_help(
                s.span(),
                format!("unknown rule \"{}\" in {key}", s.get_ref()),
                "rules are named by code (SEC003), code prefix (SEC), name (alias-traversal) or category (security); `ngxlint rules` lists them",
            ));
        }
    }
    Ok(())
}

fn severity_list(
    file: &config::Loaded,
    key: &str,
    map: &std::collections::BTreeMap<Spanned<String>, Spanned<String>>,
) -> Result<Vec<(String, String)>, CliError> {
    let keys: Vec<Spanned<String>> = map.keys().cloned().collect();
    check_selectors(file, key, &keys)?;
    let mut out = Vec::new();
    for (k, v) in map {
        if !SEVERITIES.contains(&v.get_ref().as_str()) {
            let help = if v.get_ref() == "error" {
                "rules never report errors: an error always means nginx would refuse the configuration"
            } else {
                "use \"warning\", \"info\" or \"off\""
            };
            return Err(file.error_help(
                v.span(),
                format!("invalid severity \"{}\" for {}", v.get_ref(), k.get_ref()),
                help,
            ));
        }
        out.push((k.get_ref().clone(), v.get_ref().clone()));
    }
    Ok(out)
}

/// A path written in the file, relative to the file's directory, as shown to the user.
fn file_relative(file: &config::Loaded, p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        relative_to_cwd(&file.dir.join(p))
    }
}

/// The configuration file's settings under the command line's.
pub fn merge(args: &AnalysisArgs, file: Option<&config::Loaded>) -> Result<Settings, CliError> {
    let empty = ConfigFile::default();
    let c = file.map_or(&empty, |f| &f.config);

    // Context: the command line's, else the file's.
    let (context_given, context_err) = if !args.context.is_empty() {
        (args.context.clone(), None)
    } else {
        let list = c.context.as_deref().unwrap_or(&[]);
        (
            strings(list),
            list.iter()
                .find(|s| s.get_ref().trim().is_empty() || s.get_ref().contains(char::is_whitespace)),
        )
    };
    let mut context = Vec::new();
    for ctx in &context_given {
        let ctx = ctx.trim();
        if ctx.is_empty() || ctx.contains(char::is_whitespace) {
            if let (Some(f), Some(bad)) = (file, context_err) {
                return Err(f.error(
                    bad.span(),
                    format!(
                        "invalid context \"{}\": expected block names like \"http\"",
                        bad.get_ref()
                    ),
                ));
            }
            return Err(CliError::Usage(format!(
                "invalid --context \"{}\": expected block names separated by commas, like http,server",
                args.context.join(",")
            )));
        }
        context.push(ctx.to_string());
    }

    // Version, profile and modules: the file's values are checked where they are written.
    if let (Some(f), Some(v)) = (file, &c.nginx_version) {
        if let Err(e) = v.get_ref().parse::<ngxlint::spec::NginxVersion>() {
            return Err(f.error(v.span(), e));
        }
    }
    if let (Some(f), Some(p)) = (file, &c.profile) {
        if !PROFILES.contains(&p.get_ref().as_str()) {
            return Err(f.error(
                p.span(),
                format!(
                    "unknown profile \"{}\": expected debian, openresty, plain or all",
                    p.get_ref()
                ),
            ));
        }
    }
    let mut modules = Vec::new();
    for m in c.modules.as_deref().unwrap_or(&[]) {
        if let (Some(f), Err(e)) = (
            file,
            ngxlint::spec::Profile::default().try_with_module(m.get_ref()),
        ) {
            return Err(f.error(m.span(), format!("unknown module: {e}")));
        }
        modules.push(m.get_ref().clone());
    }
    modules.extend(args.modules.iter().cloned());
    let version = args
        .nginx_version
        .clone()
        .or_else(|| c.nginx_version.as_ref().map(|v| v.get_ref().clone()));
    let profile_name = args
        .profile
        .clone()
        .or_else(|| c.profile.as_ref().map(|v| v.get_ref().clone()));
    let profile = ngxlint::api::profile(version.as_deref(), profile_name.as_deref(), &modules)
        .map_err(CliError::Usage)?;

    // Rules.
    let mut rules = RuleSelection::default();
    if let Some(f) = file {
        check_selectors(f, "select", c.select.as_deref().unwrap_or(&[]))?;
        check_selectors(f, "ignore", c.ignore.as_deref().unwrap_or(&[]))?;
        if let Some(sev) = &c.severity {
            rules.severity = severity_list(f, "severity", sev)?;
        }
    }
    rules.select = if args.select.is_empty() {
        strings(c.select.as_deref().unwrap_or(&[]))
    } else {
        args.select.clone()
    };
    rules.ignore = if args.ignore.is_empty() {
        strings(c.ignore.as_deref().unwrap_or(&[]))
    } else {
        args.ignore.clone()
    };
    let cli_rules = RuleSelection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        severity: Vec::new(),
    };
    let unknown = cli_rules.unknown_selectors();
    if !unknown.is_empty() {
        return Err(CliError::Usage(format!(
            "unknown rule selector(s): {} (see `ngxlint rules`)",
            unknown.join(", ")
        )));
    }

    // Paths.
    let prefix = match (&args.prefix, file, &c.prefix) {
        (Some(p), _, _) => Some(p.clone()),
        (None, Some(f), Some(p)) => Some(file_relative(f, p)),
        _ => None,
    };
    let mut roots = PathMap::default();
    for r in &args.roots {
        roots.push(Mapping::parse(r).map_err(|e| CliError::Usage(format!("{e} (--root)")))?);
    }
    if let (Some(f), Some(table)) = (file, &c.root) {
        for (virt, dir) in table {
            let m = Mapping::new(virt.get_ref(), &file_relative(f, dir.get_ref()))
                .map_err(|e| f.error(virt.span(), e))?;
            roots.push(m);
        }
    }
    let mount = match (&args.mount, file, &c.mount) {
        (Some(m), _, _) => Some(m.clone()),
        (None, Some(_), Some(m)) => Some(m.get_ref().clone()),
        _ => None,
    };
    if let Some(m) = &mount {
        if !m.starts_with('/') {
            let message =
                format!("invalid mount \"{m}\": the path nginx sees must be absolute, like /etc/nginx");
            return Err(match (&args.mount, file, &c.mount) {
                (None, Some(f), Some(s)) => f.error(s.span(), message),
                _ => CliError::Usage(message),
            });
        }
    }

    let overrides = match file {
        Some(f) => Overrides::build(f)?,
        None => Overrides::default(),
    };

    Ok(Settings {
        options: Options {
            context,
            prefix,
            profile,
            rules,
            includes_from_environment: args.includes_from_environment
                || c.includes_from_environment.unwrap_or(false),
            // Filled per input from its path map (`options_for`).
            given_dirs: Vec::new(),
        },
        roots,
        mount,
        overrides,
        check_fail_on: c.check.as_ref().and_then(|s| s.fail_on),
        diff_fail_on: c.diff.as_ref().and_then(|s| s.fail_on),
        policy: c.risk.clone(),
    })
}

/// `[[overrides]]`: rule settings per path glob.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The configuration file's directory, absolute: globs are relative to it.
    dir: String,
    items: Vec<Override>,
}

#[derive(Debug, Clone)]
struct Override {
    globs: globset::GlobSet,
    select: Vec<String>,
    ignore: Vec<String>,
    severity: Vec<(String, String)>,
}

/// Categories run by default (every one but style), spelled as selectors.
const DEFAULT_SELECT: &[&str] = &["correctness", "security", "availability", "performance"];

impl Overrides {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn build(file: &config::Loaded) -> Result<Overrides, CliError> {
        let mut items = Vec::new();
        for o in &file.config.overrides {
            if o.paths.is_empty() {
                return Err(CliError::Config(config::render(
                    &file.path,
                    &file.text,
                    None,
                    "an [[overrides]] entry has an empty `paths`",
                    None,
                )));
            }
            let mut set = globset::GlobSetBuilder::new();
            for p in &o.paths {
                set.add(
                    glob(p.get_ref()).map_err(|e| {
                        file.error(p.span(), format!("invalid glob \"{}\": {e}", p.get_ref()))
                    })?,
                );
            }
            let globs = set.build().map_err(|e| CliError::Usage(e.to_string()))?;
            check_selectors(file, "overrides.select", &o.select)?;
            check_selectors(file, "overrides.ignore", &o.ignore)?;
            let severity = severity_list(file, "overrides.severity", &o.severity)?;
            items.push(Override {
                globs,
                select: strings(&o.select),
                ignore: strings(&o.ignore),
                severity,
            });
        }
        Ok(Overrides {
            dir: absolute(&file.dir.to_string_lossy()),
            items,
        })
    }

    /// The selection for a file: `base` with every matching override added in file order.
    /// `disk` is the file's path on disk (None for standard input and dumps), `virt` the path
    /// nginx sees and `prefix` the configuration's directory as nginx sees it.
    pub fn selection_for(
        &self,
        base: &RuleSelection,
        disk: Option<&str>,
        virt: &str,
        prefix: &str,
    ) -> RuleSelection {
        let mut candidates: Vec<String> = Vec::new();
        if let Some(d) = disk {
            if let Some(rest) = below(&absolute(d), &self.dir) {
                candidates.push(rest.to_string());
            }
        }
        if prefix == "." && !virt.starts_with('/') {
            candidates.push(virt.to_string());
        } else if let Some(rest) = below(virt, prefix) {
            candidates.push(rest.to_string());
        }
        if virt.starts_with('/') {
            candidates.push(virt.to_string());
        }
        let mut sel = base.clone();
        for o in &self.items {
            if !candidates.iter().any(|c| o.globs.is_match(c)) {
                continue;
            }
            if !o.select.is_empty() {
                if sel.select.is_empty() {
                    sel.select = DEFAULT_SELECT.iter().map(|s| s.to_string()).collect();
                }
                sel.select.extend(o.select.iter().cloned());
            }
            sel.ignore.extend(o.ignore.iter().cloned());
            sel.severity.extend(o.severity.iter().cloned());
        }
        sel
    }

    /// Keeps, and sets the severity of, each rule finding with its file's selection (the
    /// analysis ran every rule). Other diagnostics (what nginx rejects) are kept as they are.
    pub fn filter(
        &self,
        base: &RuleSelection,
        diagnostics: Vec<Diagnostic>,
        paths: &dyn Fn(ngxlint::FileId) -> (Option<String>, String),
        prefix: &str,
    ) -> Vec<Diagnostic> {
        let rules: HashMap<&str, ngxlint::rules::RuleInfo> =
            ngxlint::rules::all().map(|r| (r.info.code, r.info)).collect();
        let mut per_file: HashMap<ngxlint::FileId, RuleSelection> = HashMap::new();
        diagnostics
            .into_iter()
            .filter_map(|mut d| {
                let Some(info) = rules.get(d.code) else {
                    return Some(d);
                };
                let sel = per_file.entry(d.span.file).or_insert_with(|| {
                    let (disk, virt) = paths(d.span.file);
                    self.selection_for(base, disk.as_deref(), &virt, prefix)
                });
                d.severity = sel.severity_of(info)?;
                Some(d)
            })
            .collect()
    }
}

/// The rest of `path` below directory `dir`.
fn below<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if dir == "/" {
        return path.strip_prefix('/');
    }
    path.strip_prefix(dir)?.strip_prefix('/')
}

/// An override glob: `*` stays within a path component, `**` crosses them; a pattern without a
/// `/` matches a file name in any directory (as in .gitignore).
fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    let p = pattern.strip_prefix("./").unwrap_or(pattern);
    let p = if p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    globset::GlobBuilder::new(&p).literal_separator(true).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(paths: &[&str], ignore: &[&str]) -> Overrides {
        let mut set = globset::GlobSetBuilder::new();
        for p in paths {
            set.add(glob(p).unwrap());
        }
        Overrides {
            dir: "/repo".into(),
            items: vec![Override {
                globs: set.build().unwrap(),
                select: Vec::new(),
                ignore: ignore.iter().map(|s| s.to_string()).collect(),
                severity: Vec::new(),
            }],
        }
    }

    #[test]
    fn overrides_match_disk_paths_below_the_file_and_paths_below_the_prefix() {
        let o = overrides(&["sites-enabled/legacy-*.conf"], &["SEC001"]);
        let base = RuleSelection::default();
        let hit = |disk: Option<&str>, virt: &str| {
            o.selection_for(&base, disk, virt, "/etc/nginx").ignore == ["SEC001"]
        };
        assert!(hit(Some("/repo/sites-enabled/legacy-a.conf"), "/x/legacy-a.conf"));
        assert!(!hit(Some("/repo/sites-enabled/new.conf"), "/x/new.conf"));
        assert!(
            !hit(Some("/repo/sites-enabled/sub/legacy-a.conf"), "/x/a.conf"),
            "* stays in one directory"
        );
        // A dump or a mapped tree: the path below the configuration's directory.
        assert!(hit(None, "/etc/nginx/sites-enabled/legacy-b.conf"));
        let o = overrides(&["legacy-*.conf"], &["SEC001"]);
        assert!(
            o.selection_for(&base, Some("/repo/a/b/legacy-1.conf"), "a/b/legacy-1.conf", ".")
                .ignore
                == ["SEC001"]
        );
    }

    #[test]
    fn override_select_adds_to_the_default_set() {
        let mut o = overrides(&["*.conf"], &[]);
        o.items[0].select = vec!["style".into()];
        let sel = o.selection_for(&RuleSelection::default(), Some("/repo/a.conf"), "a.conf", ".");
        assert!(sel.select.contains(&"security".to_string()) && sel.select.contains(&"style".to_string()));
    }
}
