//! Helpers shared by the CLI integration tests (each test file includes this module).
#![allow(dead_code)]

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The binary, run inside `dir` (so paths in its output are the relative ones we pass),
/// without colour and outside GitHub Actions whatever runs the tests (GITHUB_ACTIONS=true picks
/// annotations).
pub fn ngxlint(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ngxlint"));
    cmd.current_dir(dir).env("NO_COLOR", "1").env_remove("GITHUB_ACTIONS");
    cmd
}

/// Writes the files (paths relative to `root`, directories created).
pub fn write(root: &Path, files: &[(&str, &[u8])]) {
    for (path, content) in files {
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
}

/// [`write`] for text files.
pub fn write_text(root: &Path, files: &[(&str, &str)]) {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
    write(root, &bytes);
}

/// A temporary directory holding the given files.
pub fn tree(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    dir
}

/// [`tree`] for text files.
pub fn tree_text(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_text(dir.path(), files);
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}
