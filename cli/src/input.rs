//! Reading inputs: a main file (or standard input, or an `nginx -T` dump) and every file its
//! includes reach on disk. The core does no IO; this is where bytes come from.
//!
//! Include discovery iterates: analyse, take the include patterns the core computed (already
//! joined with the conf prefix), read what they name from disk, and analyse again until nothing
//! new turns up. Newly read files are first scanned on their own (cheap, linear), then the whole
//! configuration is analysed once more to confirm; only that last analysis is reported.

use crate::error::CliError;
use crate::paths::PathMap;
use ngxlint::include::{glob_matches, is_glob};
use ngxlint::source::dir_name;
use ngxlint::{analyze, Analysis, FileId, Options, SourceSet};
use std::collections::HashSet;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// Most files read for one main configuration (main and includes).
pub const MAX_FILES: usize = 10_000;

/// The name standard input gets in diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// A main configuration and the files loaded so far.
pub struct Loaded {
    /// Files under the names nginx sees (virtual names when a path map applies).
    pub files: SourceSet,
    pub main: FileId,
    /// The input was `nginx -T` output: its files are the whole configuration; nothing is read
    /// from disk.
    pub dump: bool,
    /// Where absolute paths are read from (see [`crate::paths`]).
    pub map: PathMap,
    /// Per file (by id): the name shown in reports (its path on disk), and whether it is a file
    /// on disk that fixes may write (not standard input, not a part of a dump).
    shown: Vec<(String, bool)>,
}

impl Loaded {
    /// Adds a file read from `shown` (on disk when `on_disk`) under its virtual name.
    pub fn add(&mut self, virt: String, bytes: Vec<u8>, shown: String, on_disk: bool) -> FileId {
        let before = self.files.len();
        let id = self.files.add(virt, bytes);
        let shown = ngxlint::source::normalize_path(&shown);
        if self.files.len() > before {
            self.shown.push((shown, on_disk));
        } else {
            self.shown[id.0 as usize] = (shown, on_disk);
        }
        id
    }

    /// The path of a file on disk (to write fixes to), or None for standard input and dumps.
    pub fn disk_path(&self, id: FileId) -> Option<&str> {
        self.shown.get(id.0 as usize).filter(|s| s.1).map(|s| s.0.as_str())
    }

    /// The files under the names reports show (disk names), with the same ids as
    /// [`Loaded::files`]. Without a path map these are the same names.
    pub fn display_files(&self) -> SourceSet {
        if self.map.is_empty() {
            return self.files.clone();
        }
        let mut out = SourceSet::new();
        for (id, f) in self.files.files() {
            let name = self.shown.get(id.0 as usize).map_or(f.path(), |s| s.0.as_str());
            out.add(name, f.bytes());
        }
        // Two virtual files shown under one disk name would shift ids: keep the virtual names.
        if out.len() == self.files.len() {
            out
        } else {
            self.files.clone()
        }
    }
}

/// True for the `-` argument.
pub fn is_stdin(arg: &Path) -> bool {
    arg.as_os_str() == "-"
}

/// Refuses to wait on an interactive terminal when no FILE was given.
pub fn default_stdin_usable(command: &str) -> Result<(), CliError> {
    if std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "no input: give a FILE (or `-` to type a config), or pipe one in; see `ngxlint {command} --help`"
        )));
    }
    Ok(())
}

pub fn read_stdin() -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::read(STDIN_NAME, e))?;
    Ok(bytes)
}

/// Display form of a path argument.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Reads a file, naming it in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::read(display(path), e))
}

/// Reads the main input: a file, a directory's nginx.conf, or standard input (`-`). With a path
/// map, the main file gets its virtual name and includes are read through the map.
pub fn load_main_mapped(arg: &Path, map: PathMap) -> Result<Loaded, CliError> {
    if is_stdin(arg) {
        return Ok(from_input(STDIN_NAME.to_string(), read_stdin()?, false, map));
    }
    let path = main_path(arg)?;
    let bytes = read_file(&path)?;
    Ok(from_input(display(&path), bytes, true, map))
}

/// A main input from bytes already read (standard input read once, a file): `name` is its path
/// on disk (or `<stdin>`), `on_disk` whether fixes may write it.
pub fn from_input(name: String, bytes: Vec<u8>, on_disk: bool, map: PathMap) -> Loaded {
    let mut loaded = from_bytes(name.clone(), bytes);
    if !loaded.dump {
        let virt = if on_disk { map.to_virtual(&name) } else { name.clone() };
        let bytes = loaded.files.bytes(loaded.main).to_vec();
        loaded.files = SourceSet::new();
        loaded.shown.clear();
        loaded.main = loaded.add(virt, bytes, name, on_disk);
    }
    loaded.map = map;
    loaded
}

/// A directory stands for its nginx.conf.
fn main_path(arg: &Path) -> Result<PathBuf, CliError> {
    if arg.is_dir() {
        let conf = arg.join("nginx.conf");
        if conf.is_file() {
            return Ok(conf);
        }
        return Err(CliError::Usage(format!(
            "\"{}\" is a directory without an nginx.conf; name the main configuration file",
            display(arg)
        )));
    }
    Ok(arg.to_path_buf())
}

/// A source set from an input's bytes: an `nginx -T` dump is split into its files.
pub fn from_bytes(name: String, bytes: Vec<u8>) -> Loaded {
    let mut loaded = Loaded {
        files: SourceSet::new(),
        main: FileId(0),
        dump: false,
        map: PathMap::default(),
        shown: Vec::new(),
    };
    if let Some(parts) = ngxlint::include::split_dump(&bytes) {
        let mut main = None;
        for (path, content) in parts {
            let id = loaded.add(path.clone(), content, path, false);
            main.get_or_insert(id);
        }
        if let Some(main) = main {
            loaded.main = main;
            loaded.dump = true;
            return loaded;
        }
    }
    loaded.main = loaded.add(name.clone(), bytes, name, true);
    loaded
}

/// Analyses the main file after reading from disk every file its includes reach. `warn` receives
/// non-fatal notices (the file limit). Fails on a file that exists but cannot be read.
pub fn analyze_with_includes(
    loaded: &mut Loaded,
    opts: &Options,
    warn: &mut dyn FnMut(String),
) -> Result<Analysis, CliError> {
    // The last resolution of the discovery is the analysis' own: not parsed a second time.
    Ok(match read_includes(loaded, opts, warn)? {
        Some(resolved) => ngxlint::analyze_resolved(&loaded.files, resolved, opts),
        None => analyze(&loaded.files, loaded.main, opts),
    })
}

/// Reads from disk every file the main file's includes reach (includes resolved only, no
/// analysis: the caller analyses once every file is in). Returns the main file's resolution
/// with every file in (None for a dump, which holds its files already).
pub fn read_includes(loaded: &mut Loaded, opts: &Options, warn: &mut dyn FnMut(String)) -> Result<Option<ngxlint::Resolved>, CliError> {
    if loaded.dump {
        return Ok(None);
    }
    let mut resolved = ngxlint::resolve(&loaded.files, loaded.main, opts);
    let prefix = opts
        .prefix
        .clone()
        .unwrap_or_else(|| dir_name(loaded.files.path(loaded.main)).to_string());
    // Other files are scanned as whole files with the main file's prefix: the patterns they yield
    // are the ones the full analysis computes (the prefix is global in nginx).
    let scan_opts = Options {
        context: Vec::new(),
        prefix: Some(prefix),
        ..opts.clone()
    };
    let mut loader = Loader {
        seen: HashSet::new(),
        warned: false,
    };
    loop {
        let mut added = loader.collect(loaded, resolved.config(), warn)?;
        if added.is_empty() {
            return Ok(Some(resolved));
        }
        while !added.is_empty() {
            let mut next = Vec::new();
            for file in added {
                let scan = ngxlint::resolve_includes(&loaded.files, file, &scan_opts);
                next.extend(loader.collect(loaded, &scan, warn)?);
            }
            added = next;
        }
        resolved = ngxlint::resolve(&loaded.files, loaded.main, opts);
    }
}

struct Loader {
    /// Include patterns already looked up on disk.
    seen: HashSet<String>,
    warned: bool,
}

impl Loader {
    /// Reads from disk the files named by the configuration's include patterns that the set lacks.
    fn collect(
        &mut self,
        loaded: &mut Loaded,
        config: &ngxlint::Config,
        warn: &mut dyn FnMut(String),
    ) -> Result<Vec<FileId>, CliError> {
        let mut added = Vec::new();
        for inc in &config.includes {
            if !self.seen.insert(inc.pattern.to_string()) {
                continue;
            }
            // (virtual name, path on disk) of each file the pattern names.
            let on_disk = loaded.map.to_disk(&inc.pattern);
            let paths: Vec<(String, String)> = if inc.glob {
                expand_glob(&on_disk, MAX_FILES)
                    .into_iter()
                    .map(|disk| (loaded.map.to_virtual(&disk), disk))
                    .collect()
            } else if loaded.files.lookup(&inc.pattern).is_none() && Path::new(&on_disk).exists() {
                // Exists but may still be unreadable (a directory, no permission): an IO error.
                vec![(inc.pattern.to_string(), on_disk)]
            } else {
                Vec::new()
            };
            for (path, disk) in paths {
                if loaded.files.lookup(&path).is_some() {
                    continue;
                }
                if loaded.files.len() >= MAX_FILES {
                    if !self.warned {
                        self.warned = true;
                        warn(format!(
                            "stopped reading includes after {MAX_FILES} files; the files beyond are not checked"
                        ));
                    }
                    return Ok(added);
                }
                let bytes = read_file(Path::new(&disk))?;
                added.push(loaded.add(path, bytes, disk, true));
            }
        }
        Ok(added)
    }
}

fn join(dir: &str, name: &str) -> String {
    match dir {
        "" => name.to_string(),
        "/" => format!("/{name}"),
        _ => format!("{dir}/{name}"),
    }
}

/// Files on disk matching an include glob, sorted, with the core's glob(3) semantics: each
/// pattern component is matched against directory entries (a leading dot only by a literal dot,
/// `/` never by a wildcard), and the final candidates go through [`glob_matches`] itself so the
/// result is exactly what the core would include. At most `limit` paths.
pub fn expand_glob(pattern: &str, limit: usize) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let mut candidates = vec![if absolute {
        "/".to_string()
    } else {
        String::new()
    }];
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if !is_glob(part) {
            candidates = candidates.iter().map(|c| join(c, part)).collect();
            continue;
        }
        let Some(matcher) = component_matcher(part) else {
            return Vec::new();
        };
        let mut next = Vec::new();
        for dir in &candidates {
            let Ok(entries) = std::fs::read_dir(if dir.is_empty() { "." } else { dir }) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.starts_with('.') && !part.starts_with('.') {
                    continue;
                }
                if !matcher.is_match(name) {
                    continue;
                }
                let path = join(dir, name);
                // Directories only where more components follow (symlinks followed).
                if !last && !Path::new(&path).is_dir() {
                    continue;
                }
                next.push(path);
                if next.len() > limit {
                    break;
                }
            }
        }
        candidates = next;
        if candidates.is_empty() {
            return Vec::new();
        }
    }
    let found: Vec<String> = candidates
        .into_iter()
        .filter(|c| Path::new(c).is_file())
        .take(limit)
        .collect();
    // The core's matcher has the last word.
    let mut scratch = SourceSet::new();
    for path in &found {
        scratch.add(path.clone(), b"");
    }
    glob_matches(&scratch, pattern)
        .unwrap_or_default()
        .into_iter()
        .map(|id| scratch.path(id).to_string())
        .collect()
}

/// A matcher for one path component, configured as the core configures its glob matcher.
fn component_matcher(part: &str) -> Option<globset::GlobMatcher> {
    let escaped = part.replace('{', "\\{").replace('}', "\\}");
    let glob = globset::GlobBuilder::new(&escaped)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .ok()?;
    Some(glob.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "x;\n").unwrap();
        }
        dir
    }

    fn rel(dir: &tempfile::TempDir, paths: Vec<String>) -> Vec<String> {
        let base = format!("{}/", dir.path().display());
        paths
            .into_iter()
            .map(|p| p.strip_prefix(&base).unwrap().to_string())
            .collect()
    }

    #[test]
    fn globs_expand_sorted_without_dotfiles_or_directories() {
        let dir = tree(&[
            "c/b.conf",
            "c/a.conf",
            "c/.h.conf",
            "c/sub/x.conf",
            "c/a.txt",
        ]);
        fs::create_dir_all(dir.path().join("c/d.conf")).unwrap();
        let pat = format!("{}/c/*.conf", dir.path().display());
        assert_eq!(rel(&dir, expand_glob(&pat, 100)), ["c/a.conf", "c/b.conf"]);
        let pat = format!("{}/c/.*.conf", dir.path().display());
        assert_eq!(rel(&dir, expand_glob(&pat, 100)), ["c/.h.conf"]);
    }

    #[test]
    fn wildcards_in_directories_and_brackets() {
        let dir = tree(&["s-1/a.conf", "s-2/a.conf", "t-1/a.conf", "s-1/b.conf"]);
        let pat = format!("{}/s-[0-9]/a.conf", dir.path().display());
        assert_eq!(
            rel(&dir, expand_glob(&pat, 100)),
            ["s-1/a.conf", "s-2/a.conf"]
        );
        let pat = format!("{}/nothing/*.conf", dir.path().display());
        assert!(expand_glob(&pat, 100).is_empty());
    }

    #[test]
    fn dumps_become_their_files() {
        let dump = b"# configuration file /e/n.conf:\nevents {}\n\n# configuration file /e/x.conf:\nx;\n\n";
        let l = from_bytes("<stdin>".into(), dump.to_vec());
        assert!(l.dump);
        assert_eq!(l.files.path(l.main), "/e/n.conf");
        assert_eq!(l.files.len(), 2);
        let l = from_bytes("<stdin>".into(), b"events {}".to_vec());
        assert!(!l.dump);
        assert_eq!(l.files.path(l.main), "<stdin>");
    }
}
