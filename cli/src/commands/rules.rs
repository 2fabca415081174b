//! `ngxlint rules` and `ngxlint explain CODE`: diagnostic codes, lint rules and the change risk
//! rules of `ngxlint diff`. `rules --json` lists the lint rules only (its shape is unchanged).

use super::status;
use crate::args::{ExplainArgs, RulesArgs};
use crate::error::CliError;

pub fn list(args: &RulesArgs) -> Result<u8, CliError> {
    let rules = ngxlint::api::rules();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rules).unwrap_or_default());
        return Ok(status::OK);
    }
    for r in &rules {
        let severity = serde_json::to_value(r.severity).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        println!("{:7} {:36} {:13} {:8} {}", r.code, r.name, r.category, severity, r.summary);
    }
    println!("\nChange risk rules (`ngxlint diff`; base points before blast radius and confidence):");
    let points = ngxlint::risk::TierPoints::default();
    for r in ngxlint::risk::catalog() {
        let summary = r.doc.split_whitespace().collect::<Vec<_>>().join(" ");
        let tier = format!("{} {}", r.tier.as_str(), points.of(r.tier));
        println!("{:7} {:36} {:13} {:18} {}", r.code, r.name, r.category.as_str(), tier, summary);
    }
    Ok(status::OK)
}

pub fn explain(args: &ExplainArgs) -> Result<u8, CliError> {
    let rules = ngxlint::api::rules();
    let want = args.rule.trim();
    let Some(r) = rules.iter().find(|r| r.code.eq_ignore_ascii_case(want) || r.name == want) else {
        // Change risk rules (RSK codes, named in `ngxlint diff` reports).
        if let Some(r) = ngxlint::api::risk_rules().iter().find(|r| r.code.eq_ignore_ascii_case(want) || r.name == want) {
            println!("{}", r.docs.trim_end());
            return Ok(status::OK);
        }
        return Err(CliError::Usage(format!("no code or rule \"{want}\" (see `ngxlint rules`)")));
    };
    let severity = serde_json::to_value(r.severity).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    println!("# {} {}\n", r.code, r.name);
    println!("category: {}, default severity: {}\n", r.category, severity);
    println!("{}", r.docs.trim_end());
    Ok(status::OK)
}
