//! Logging: what operators see when something goes wrong.

use super::{show, Context, Draft, LOGGING_REDUCED};
use crate::diff::ChangeKind;

/// error_log levels from most to least verbose.
const LEVELS: [&str; 8] = ["debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"];

fn error_level(v: &Option<Vec<String>>) -> Option<usize> {
    let a = v.as_ref()?;
    let level = a.get(1).map_or("error", String::as_str);
    LEVELS.iter().position(|l| *l == level)
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Draft>) {
    for (ci, c) in cx.changes() {
        if c.block {
            continue;
        }
        let off = |v: &Option<Vec<String>>| v.as_ref().and_then(|a| a.first()).is_some_and(|f| f == "off");
        let d = match c.directive.as_str() {
            "access_log" if off(&c.after) && !off(&c.before) => cx
                .for_change(LOGGING_REDUCED, ci, "access logging turned off".to_string())
                .explain("requests under this level leave no access log: incidents, abuse and billing lose their record"),
            "access_log" if c.kind == ChangeKind::Removed && c.after.is_none() => cx
                .for_change(LOGGING_REDUCED, ci, format!("access_log {} removed", show(&c.before)))
                .confidence(0.7)
                .explain("requests now log where the enclosing level says (or to the default log): dashboards reading the old file miss them"),
            "log_format" if c.kind != ChangeKind::Added => cx
                .for_change(LOGGING_REDUCED, ci, format!("log format {} changed", c.before.as_ref().and_then(|a| a.first()).map_or("", String::as_str)))
                .confidence(0.7)
                .explain("log shippers and parsers that expect the old fields break or mis-parse"),
            "error_log" => match (error_level(&c.before), error_level(&c.after)) {
                (Some(o), Some(n)) if n > o => cx
                    .for_change(LOGGING_REDUCED, ci, format!("error_log level {} -> {}", LEVELS[o], LEVELS[n]))
                    .explain("fewer errors are logged: upstream failures and client errors go unseen"),
                _ => continue,
            },
            _ => continue,
        };
        out.push(d.verify("check the log pipeline still receives lines for the affected hosts after the reload"));
    }
}
