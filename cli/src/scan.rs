//! Finding the configurations in a directory argument of `check`.
//!
//! - A directory holding `nginx.conf` is one configuration: its nginx.conf is the main file and
//!   the other files below it are checked through its includes only (as nginx reads
//!   /etc/nginx: sites-available/ is not loaded unless included).
//! - Otherwise every `*.conf` file below it is a candidate (recursively, names sorted, names
//!   starting with `.` skipped, symbolic links to directories not followed), and so is the
//!   nginx.conf of each subdirectory holding one (which then stands for that subdirectory). A
//!   candidate is a main configuration unless another file includes it: include directives are
//!   read from each file, relative paths resolved against the including file's directory (or
//!   `--prefix`), absolute ones through the path map.
//! - A candidate that some file includes but that no checked configuration reached after all
//!   (an include cycle, a prefix that differs) is checked as a main configuration afterwards, so
//!   no file is left out silently.

use crate::error::CliError;
use crate::input::expand_glob;
use crate::paths::PathMap;
use ngxlint::include::{resolve, IncludeOptions};
use ngxlint::source::{dir_name, normalize_path};
use ngxlint::SourceSet;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The configurations found in a directory.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// Main files to check, sorted.
    pub mains: Vec<PathBuf>,
    /// Candidates another file includes: checked on their own only if no main reached them.
    pub included: Vec<PathBuf>,
    /// Non-fatal notices (unreadable entries, names that are not UTF-8).
    pub warnings: Vec<String>,
}

/// Scans `dir` (see the module documentation).
pub fn scan(dir: &Path, map: &PathMap, prefix: Option<&str>, threads: usize) -> Result<Found, CliError> {
    let top = dir.join("nginx.conf");
    if top.is_file() {
        return Ok(Found {
            mains: vec![top],
            ..Default::default()
        });
    }
    let mut found = Found::default();
    let mut roots = Vec::new(); // nginx.conf of subdirectories
    let mut candidates = Vec::new();
    walk(dir, &mut roots, &mut candidates, &mut found.warnings)?;
    if roots.is_empty() && candidates.is_empty() {
        return Err(CliError::Usage(format!(
            "\"{}\" holds no nginx configuration (no nginx.conf, no *.conf file); name the main configuration file",
            crate::input::display(dir)
        )));
    }

    // Which candidates another file includes (each file read and its includes resolved on
    // the worker threads; the globs expanded on disk as the check itself expands them).
    let virt = |p: &Path| normalize_path(&map.to_virtual(&crate::input::display(p)));
    let names: HashSet<String> = candidates.iter().map(|c| virt(c)).collect();
    let files: Vec<&PathBuf> = roots.iter().chain(&candidates).collect();
    let targets = crate::parallel::map(&files, threads, |file| {
        let Ok(bytes) = std::fs::read(file) else {
            return Vec::new();
        }; // reported when checked
        if ngxlint::include::split_dump(&bytes).is_some() {
            return Vec::new();
        }
        let name = virt(file);
        let mut one = SourceSet::new();
        let id = one.add(name.clone(), bytes);
        let opts = IncludeOptions {
            prefix: Some(
                prefix
                    .map(|p| map.to_virtual(p))
                    .unwrap_or_else(|| dir_name(&name).to_string()),
            ),
            main_mode_entries: false,
            missing_is_environment: true,
            ..IncludeOptions::default()
        };
        let (config, _) = resolve(&one, id, &opts);
        let mut out = Vec::new();
        for inc in &config.includes {
            if inc.glob {
                let on_disk = map.to_disk(&inc.pattern);
                out.extend(
                    expand_glob(&on_disk, crate::input::MAX_FILES)
                        .into_iter()
                        .map(|d| normalize_path(&map.to_virtual(&d))),
                );
            } else {
                out.push(normalize_path(&inc.pattern));
            }
        }
        out.retain(|t| *t != name && names.contains(t));
        out
    });
    let included: HashSet<String> = targets.into_iter().flatten().collect();
    for c in candidates {
        if included.contains(&virt(&c)) {
            found.included.push(c);
        } else {
            found.mains.push(c);
        }
    }
    found.mains.extend(roots);
    found.mains.sort();
    Ok(found)
}

fn walk(
    dir: &Path,
    roots: &mut Vec<PathBuf>,
    candidates: &mut Vec<PathBuf>,
    warnings: &mut Vec<String>,
) -> Result<(), CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CliError::read(crate::input::display(dir), e))?;
    let mut list: Vec<(Vec<u8>, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| CliError::read(crate::input::display(dir), e))?;
        let name = entry.file_name();
        let Some(text) = name.to_str() else {
            warnings.push(format!(
                "skipping \"{}\": the file name is not UTF-8",
                entry.path().to_string_lossy()
            ));
            continue;
        };
        if text.starts_with('.') {
            continue;
        }
        list.push((text.as_bytes().to_vec(), entry.path()));
    }
    list.sort();
    for (name, path) in list {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if path.join("nginx.conf").is_file() {
                roots.push(path.join("nginx.conf"));
            } else {
                walk(&path, roots, candidates, warnings)?;
            }
        } else if name.ends_with(b".conf") && path.is_file() {
            candidates.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (f, text) in files {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    fn names(dir: &Path, paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_directory_with_nginx_conf_is_one_configuration() {
        let d = tree(&[("nginx.conf", "events {}\n"), ("sites/a.conf", "server {}\n")]);
        let f = scan(d.path(), &PathMap::default(), None, 2).unwrap();
        assert_eq!(names(d.path(), &f.mains), ["nginx.conf"]);
    }

    #[test]
    fn files_no_other_file_includes_are_mains() {
        let d = tree(&[
            (
                "a.conf",
                "events {}\nhttp { include sites/*.conf; include snip.conf; }\n",
            ),
            ("sites/x.conf", "server { include ../snip2.conf; }\n"),
            ("snip.conf", "gzip on;\n"),
            ("snip2.conf", "gzip on;\n"),
            ("lonely.conf", "server {}\n"),
            ("app/nginx.conf", "events {}\n"),
            ("app/conf.d/s.conf", "server {}\n"),
            (".git/x.conf", "x\n"),
            ("notes.txt", "x\n"),
        ]);
        let f = scan(d.path(), &PathMap::default(), None, 2).unwrap();
        assert_eq!(
            names(d.path(), &f.mains),
            ["a.conf", "app/nginx.conf", "lonely.conf"]
        );
        assert_eq!(
            names(d.path(), &f.included),
            ["sites/x.conf", "snip.conf", "snip2.conf"]
        );
    }

    #[test]
    fn absolute_includes_go_through_the_path_map() {
        let d = tree(&[
            ("main.conf", "include /etc/nginx/inc/*.conf;\n"),
            ("inc/a.conf", "x;\n"),
        ]);
        let mut map = PathMap::default();
        map.push(crate::paths::Mapping::new("/etc/nginx", &d.path().to_string_lossy()).unwrap());
        let f = scan(d.path(), &map, None, 2).unwrap();
        assert_eq!(names(d.path(), &f.mains), ["main.conf"]);
        let f = scan(d.path(), &PathMap::default(), None, 2).unwrap();
        assert_eq!(names(d.path(), &f.mains), ["inc/a.conf", "main.conf"]);
    }

    #[test]
    fn an_empty_directory_is_a_usage_error() {
        let d = tree(&[("readme.txt", "x")]);
        let e = scan(d.path(), &PathMap::default(), None, 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds no nginx configuration"), "{e}");
    }
}
