//! Path maps: where nginx's absolute paths are found on this machine.
//!
//! A configuration written for `/etc/nginx` names its files absolutely (`include
//! /etc/nginx/conf.d/*.conf;`), but in a checkout they live somewhere else. A [`PathMap`] holds
//! mappings from an absolute PATH (as nginx sees it, "virtual") to a directory on disk:
//!
//! - `--root /etc/nginx=./etc-nginx`: paths under `/etc/nginx` are read from `./etc-nginx`;
//! - `--root ./checkout`: every absolute path is read under `./checkout` (`/` = `./checkout`),
//!   like a chroot;
//! - `--mount /etc/nginx`: each input (a directory, or a main file's directory) is read as
//!   `/etc/nginx` (one mapping per input, so the two sides of `diff` each map to their own tree).
//!
//! Files are analysed under their virtual names (so includes resolve as nginx resolves them on
//! the server) and reported under their disk names (so editors and CI annotations find them).
//! The longest matching PATH wins; paths no mapping covers are read where they point.

use ngxlint::source::normalize_path;
use std::path::Path;

/// One mapping: `virt` (absolute, normalised) is read from `disk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub virt: String,
    /// The directory as the user spelled it (normalised; relative to the current directory or
    /// absolute): how mapped files are named in reports.
    pub disk: String,
    /// `disk` made absolute, to recognise files given on the command line under it.
    disk_abs: String,
}

impl Mapping {
    pub fn new(virt: &str, disk: &str) -> Result<Mapping, String> {
        if !virt.starts_with('/') {
            return Err(format!(
                "invalid root \"{virt}={disk}\": the path nginx sees must be absolute, like /etc/nginx"
            ));
        }
        if disk.is_empty() {
            return Err(format!("invalid root \"{virt}=\": no directory after `=`"));
        }
        Ok(Mapping {
            virt: normalize_path(virt),
            disk: normalize_path(disk),
            disk_abs: absolute(disk),
        })
    }

    /// A `--root` argument: `PATH=DIR`, or a bare `DIR` standing for `/=DIR`.
    pub fn parse(spec: &str) -> Result<Mapping, String> {
        match spec.split_once('=') {
            Some((virt, disk)) => Mapping::new(virt, disk),
            None => Mapping::new("/", spec),
        }
    }
}

/// The mappings in force for one input, longest virtual path first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathMap {
    maps: Vec<Mapping>,
}

impl PathMap {
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// Adds a mapping; an earlier mapping of the same virtual path wins (command line first).
    pub fn push(&mut self, m: Mapping) {
        if self.maps.iter().any(|x| x.virt == m.virt) {
            return;
        }
        self.maps.push(m);
        self.maps
            .sort_by(|a, b| b.virt.len().cmp(&a.virt.len()).then_with(|| a.virt.cmp(&b.virt)));
    }

    pub fn mappings(&self) -> &[Mapping] {
        &self.maps
    }

    /// Where a virtual path (or glob pattern) is read on disk.
    pub fn to_disk(&self, virt: &str) -> String {
        for m in &self.maps {
            if let Some(rest) = under(virt, &m.virt) {
                return join(&m.disk, rest);
            }
        }
        virt.to_string()
    }

    /// The virtual name of a file on disk: under a mapping's directory, the mapped path; else
    /// the path as given.
    pub fn to_virtual(&self, disk: &str) -> String {
        if self.maps.is_empty() {
            return disk.to_string();
        }
        let abs = absolute(disk);
        // The longest directory wins (a checkout mapped at / and its etc/nginx mapped again).
        let best = self
            .maps
            .iter()
            .filter_map(|m| under(&abs, &m.disk_abs).map(|rest| (m, rest)))
            .max_by_key(|(m, _)| m.disk_abs.len());
        match best {
            Some((m, rest)) => join(&m.virt, rest),
            None => disk.to_string(),
        }
    }
}

/// The rest of `path` below directory `dir` (`""` for `dir` itself), component-wise.
fn under<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if dir == "/" {
        return path.strip_prefix('/');
    }
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

fn join(dir: &str, rest: &str) -> String {
    match (dir, rest) {
        (d, "") => d.to_string(),
        ("/", r) => format!("/{r}"),
        (".", r) => r.to_string(),
        (d, r) => format!("{d}/{r}"),
    }
}

/// A path made absolute against the current directory, normalised lexically (symlinks are not
/// resolved: the names stay the ones the user sees).
pub fn absolute(path: &str) -> String {
    if path.starts_with('/') {
        return normalize_path(path);
    }
    let cwd = std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "/".into());
    normalize_path(&format!("{cwd}/{path}"))
}

/// An absolute path shown relative to the current directory when it lies below it.
pub fn relative_to_cwd(abs: &Path) -> String {
    let text = abs.to_string_lossy();
    let norm = normalize_path(&text);
    if let Ok(cwd) = std::env::current_dir() {
        let cwd = normalize_path(&cwd.to_string_lossy());
        if let Some(rest) = under(&norm, &cwd) {
            return if rest.is_empty() {
                ".".into()
            } else {
                rest.to_string()
            };
        }
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(specs: &[&str]) -> PathMap {
        let mut m = PathMap::default();
        for s in specs {
            m.push(Mapping::parse(s).unwrap());
        }
        m
    }

    #[test]
    fn explicit_and_chroot_mappings() {
        let m = map(&["/etc/nginx=./etc-nginx"]);
        assert_eq!(m.to_disk("/etc/nginx/conf.d/*.conf"), "etc-nginx/conf.d/*.conf");
        assert_eq!(m.to_disk("/etc/nginx"), "etc-nginx");
        assert_eq!(m.to_disk("/etc/nginxx/a"), "/etc/nginxx/a");
        assert_eq!(m.to_disk("/usr/share/nginx/x"), "/usr/share/nginx/x");
        assert_eq!(m.to_virtual("etc-nginx/nginx.conf"), "/etc/nginx/nginx.conf");
        assert_eq!(
            m.to_virtual("./etc-nginx/sites/a.conf"),
            "/etc/nginx/sites/a.conf"
        );
        assert_eq!(m.to_virtual("other/nginx.conf"), "other/nginx.conf");
        let m = map(&["checkout"]);
        assert_eq!(
            m.to_disk("/etc/nginx/mime.types"),
            "checkout/etc/nginx/mime.types"
        );
        assert_eq!(
            m.to_virtual("checkout/etc/nginx/nginx.conf"),
            "/etc/nginx/nginx.conf"
        );
    }

    #[test]
    fn the_longest_path_wins() {
        let m = map(&["/=root", "/etc/nginx=conf"]);
        assert_eq!(m.to_disk("/etc/nginx/a.conf"), "conf/a.conf");
        assert_eq!(m.to_disk("/etc/ssl/a.pem"), "root/etc/ssl/a.pem");
        assert_eq!(m.to_virtual("conf/a.conf"), "/etc/nginx/a.conf");
        assert_eq!(m.to_virtual("root/etc/ssl/a.pem"), "/etc/ssl/a.pem");
    }

    #[test]
    fn bad_specs_are_explained() {
        assert!(Mapping::parse("etc/nginx=x")
            .unwrap_err()
            .contains("must be absolute"));
        assert!(Mapping::parse("/etc/nginx=")
            .unwrap_err()
            .contains("no directory"));
        // The first mapping of a path stays (the command line's comes first).
        let m = map(&["/etc/nginx=a", "/etc/nginx=b"]);
        assert_eq!(m.to_disk("/etc/nginx/x"), "a/x");
    }
}
