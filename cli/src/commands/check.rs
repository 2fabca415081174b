//! `ngxlint check`: analyse each input as a main configuration, with its includes read from
//! disk. Inputs are files, directories (see [`crate::scan`]), `nginx -T` dumps and standard
//! input; their configurations are checked in parallel and reported in input order.

use super::status;
use crate::args::{CheckArgs, CheckFormat, FailOn};
use crate::error::{self, CliError};
use crate::fix;
use crate::formats;
use crate::input;
use crate::output::{self, Run};
use crate::paths::{absolute, PathMap};
use crate::settings::{Resolver, Settings};
use ngxlint::FileId;
use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One main configuration to check.
struct Job {
    /// Where its report goes: the input's position, then the path (a directory's
    /// configurations in path order, whichever round found them).
    order: (usize, PathBuf),
    /// A file or directory on disk; None for standard input.
    path: Option<PathBuf>,
    /// Standard input, read once (a re-check after --fix reads the same bytes).
    stdin: Option<Arc<Vec<u8>>>,
    settings: Arc<Settings>,
    map: PathMap,
}

/// A checked configuration.
struct Checked {
    run: Run,
    /// Per file id: the path fixes may write (None for standard input and dumps).
    disk: Vec<Option<String>>,
    warnings: Vec<String>,
    /// The configuration file's `[check] fail_on`.
    fail_on: Option<FailOn>,
}

pub fn run(args: &CheckArgs) -> Result<u8, CliError> {
    let inputs: Vec<PathBuf> = if args.files.is_empty() {
        input::default_stdin_usable("check")?;
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    if inputs.iter().filter(|p| input::is_stdin(p)).count() > 1 {
        return Err(CliError::Usage(
            "standard input (`-`) can be read only once".into(),
        ));
    }

    // Settings first: a bad flag or configuration file stops everything (exit 2).
    let mut resolver = Resolver::new(&args.analysis);
    let mut settings = Vec::new();
    for arg in &inputs {
        settings.push(resolver.get(arg)?);
    }

    let threads = args
        .threads
        .map_or_else(crate::parallel::default_threads, |n| n.get());
    let mut failed = false;
    let mut jobs = Vec::new();
    // Files other files include: checked on their own only if no configuration reached them.
    let mut included = Vec::new();
    for (index, (arg, settings)) in inputs.iter().zip(settings).enumerate() {
        match expand(index, arg, settings, threads, &mut jobs, &mut included) {
            Ok(warnings) => warnings.iter().for_each(|w| eprintln!("ngxlint: warning: {w}")),
            Err(e) => {
                error::report(&e);
                failed = true;
            }
        }
    }

    let mut results = run_jobs(&jobs, threads);
    if !included.is_empty() {
        let reached: HashSet<String> = results
            .iter()
            .flatten()
            .flat_map(|c| c.run.reached.iter().map(|p| absolute(p)))
            .collect();
        let extra: Vec<Job> = included
            .into_iter()
            .filter(|j| {
                j.path
                    .as_ref()
                    .is_some_and(|p| !reached.contains(&absolute(&input::display(p))))
            })
            .collect();
        results.extend(run_jobs(&extra, threads));
        jobs.extend(extra);
        let mut both: Vec<(Job, Result<Checked, CliError>)> = jobs.into_iter().zip(results).collect();
        both.sort_by(|a, b| a.0.order.cmp(&b.0.order));
        (jobs, results) = both.into_iter().unzip();
    }

    if args.fix || args.diff {
        let rerun = apply_fixes(args, &results, &mut failed);
        if rerun {
            results = run_jobs(&jobs, threads);
        }
    }

    let mut runs = Vec::new();
    let mut fails = false;
    for r in results {
        match r {
            Ok(c) => {
                c.warnings.iter().for_each(|w| eprintln!("ngxlint: warning: {w}"));
                let fail_on = args.fail_on.or(c.fail_on).unwrap_or(FailOn::Error);
                fails |= c.run.diagnostics.iter().any(|d| fail_on.fails(d.severity));
                runs.push(c.run);
            }
            Err(e) => {
                error::report(&e);
                failed = true;
            }
        }
    }

    if !args.diff {
        let text = match args.format() {
            CheckFormat::Text => output::text(&runs, output::use_color()),
            CheckFormat::Concise => output::concise(&runs),
            CheckFormat::Json => output::json(&runs),
            CheckFormat::Sarif => formats::sarif::check(&runs),
            CheckFormat::Github => formats::github::check(&runs),
            CheckFormat::Checkstyle => formats::checkstyle::check(&runs),
            CheckFormat::Junit => formats::junit::check(&runs),
        };
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not worth a panic.
        let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
    }
    // Thousands of parsed configurations are freed by the process exit, much faster than one
    // by one.
    std::mem::forget(runs);
    std::mem::forget(jobs);

    Ok(if failed {
        status::FAILURE
    } else if fails && !args.exit_zero {
        status::FINDINGS
    } else {
        status::OK
    })
}

/// The jobs of one input argument; returns warnings met while looking for configurations.
fn expand(
    index: usize,
    arg: &Path,
    settings: Arc<Settings>,
    threads: usize,
    jobs: &mut Vec<Job>,
    included: &mut Vec<Job>,
) -> Result<Vec<String>, CliError> {
    let map = settings.map_for(arg);
    if input::is_stdin(arg) {
        let bytes = Arc::new(input::read_stdin()?);
        jobs.push(Job {
            order: (index, PathBuf::new()),
            path: None,
            stdin: Some(bytes),
            settings,
            map,
        });
        return Ok(Vec::new());
    }
    if !arg.is_dir() || arg.join("nginx.conf").is_file() {
        jobs.push(Job {
            order: (index, PathBuf::new()),
            path: Some(arg.to_path_buf()),
            stdin: None,
            settings,
            map,
        });
        return Ok(Vec::new());
    }
    let found = crate::scan::scan(arg, &map, settings.options.prefix.as_deref(), threads)?;
    let job = |p: PathBuf| Job {
        order: (index, p.clone()),
        path: Some(p),
        stdin: None,
        settings: settings.clone(),
        map: map.clone(),
    };
    jobs.extend(found.mains.into_iter().map(job));
    included.extend(found.included.into_iter().map(job));
    Ok(found.warnings)
}

/// Checks the jobs on `threads` workers; results in job order.
fn run_jobs(jobs: &[Job], threads: usize) -> Vec<Result<Checked, CliError>> {
    crate::parallel::map(jobs, threads, check_one)
}

fn check_one(job: &Job) -> Result<Checked, CliError> {
    let settings = &job.settings;
    let opts = settings.check_options_for(&job.map);
    let mut loaded = match (&job.stdin, &job.path) {
        (Some(bytes), _) => input::from_input(
            input::STDIN_NAME.to_string(),
            bytes.to_vec(),
            false,
            job.map.clone(),
        ),
        (None, Some(path)) => input::load_main_mapped(path, job.map.clone())?,
        (None, None) => unreachable!("a job reads a path or standard input"),
    };
    let mut warnings = Vec::new();
    let analysis = input::analyze_with_includes(&mut loaded, &opts, &mut |w| warnings.push(w))?;
    let mut diagnostics = analysis.diagnostics().to_vec();
    if !settings.overrides.is_empty() {
        let prefix = opts
            .prefix
            .clone()
            .unwrap_or_else(|| ngxlint::source::dir_name(loaded.files.path(loaded.main)).to_string());
        // Files of a dump have no disk path; where a root maps them, the mapped one stands in.
        let paths = |id: FileId| {
            let virt = loaded.files.path(id).to_string();
            let mapped = Some(loaded.map.to_disk(&virt)).filter(|d| *d != virt);
            (loaded.disk_path(id).map(String::from).or(mapped), virt)
        };
        diagnostics = settings
            .overrides
            .filter(&settings.options.rules, diagnostics, &paths, &prefix);
    }
    let files = loaded.display_files();
    let reached: BTreeSet<String> = analysis
        .config()
        .docs
        .iter()
        .map(|d| files.path(d.file).to_string())
        .collect();
    let disk = (0..files.len())
        .map(|i| loaded.disk_path(FileId(i as u32)).map(String::from))
        .collect();
    Ok(Checked {
        run: Run {
            files,
            diagnostics,
            reached: reached.into_iter().collect(),
        },
        disk,
        warnings,
        fail_on: settings.check_fail_on,
    })
}

/// `--fix` writes the fixes (true when a file was written: check again), `--diff` prints them.
fn apply_fixes(args: &CheckArgs, results: &[Result<Checked, CliError>], failed: &mut bool) -> bool {
    let sources: Vec<fix::Source<'_>> = results
        .iter()
        .flatten()
        .map(|c| fix::Source {
            files: &c.run.files,
            disk: c.disk.clone(),
            diagnostics: &c.run.diagnostics,
        })
        .collect();
    let plan = fix::Plan::collect(&sources, args.unsafe_fixes);
    plan.warnings
        .iter()
        .for_each(|w| eprintln!("ngxlint: warning: {w}"));
    let changes = plan.changes();
    let hint = if plan.unsafe_skipped > 0 {
        format!("; {} more with --unsafe-fixes", plan.unsafe_skipped)
    } else {
        String::new()
    };
    let count = |cs: &[&fix::Change]| cs.iter().map(|c| c.fixes).sum::<usize>();
    if args.diff {
        let mut stdout = std::io::stdout().lock();
        for c in &changes {
            let _ = stdout.write_all(fix::unified_diff(c).as_bytes());
        }
        let _ = stdout.flush();
        let all: Vec<&fix::Change> = changes.iter().collect();
        eprintln!(
            "ngxlint: would fix {} in {}{hint}",
            plural(count(&all), "finding", "findings"),
            plural(all.len(), "file", "files")
        );
        return false;
    }
    let mut written = Vec::new();
    for c in &changes {
        if !c.writable {
            eprintln!("ngxlint: warning: not fixing \"{}\": it is not a file on disk (standard input or part of an nginx -T dump); see --diff", c.name);
            continue;
        }
        match std::fs::read(&c.name) {
            Ok(now) if now == c.before => {}
            Ok(_) => {
                eprintln!(
                    "ngxlint: warning: not fixing \"{}\": it changed since it was checked",
                    c.name
                );
                continue;
            }
            Err(e) => {
                error::report(&CliError::read(c.name.clone(), e));
                *failed = true;
                continue;
            }
        }
        match std::fs::write(&c.name, &c.after) {
            Ok(()) => written.push(c),
            Err(e) => {
                error::report(&CliError::write(c.name.clone(), e));
                *failed = true;
            }
        }
    }
    eprintln!(
        "ngxlint: fixed {} in {}{hint}",
        plural(count(&written), "finding", "findings"),
        plural(written.len(), "file", "files")
    );
    !written.is_empty()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
