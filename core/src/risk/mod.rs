//! Change risk: turns a semantic diff (plus what the analyses of both sides say) into explainable
//! findings, a 0–100 score, a level and rollout advice, following `RISK.md`.
//!
//! A finding scores `min(100, base x modifiers) x B x c`: `base` from its tier (fatal 100 …
//! additive 10), modifiers such as "hard to roll back" or the size of a limit cut, the blast
//! radius `B = 0.5 + 0.5 x share` of the traffic it touches (from the routing model), and the
//! confidence `c` of the fact behind it. The change scores `100 x (1 - Π(1 - s/100))` over the
//! best finding of its three highest-scoring rules.

pub mod policy;
mod rules;
mod traffic;

use crate::diff::{Change, Diff, Tree};
use crate::model::Model;
use crate::source::{SourceSet, Span};
use crate::spec::NginxVersion;
use crate::Analysis;
pub use policy::{Policy, RuleOverride, Thresholds, TierPoints};
pub use rules::{catalog, RiskRule};
use serde::Serialize;

/// What a change endangers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Availability,
    Routing,
    Security,
    Tls,
    Performance,
    Observability,
}

/// How bad the worst outcome of a finding is (RISK.md's tiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// nginx would refuse to load or start the new configuration.
    Fatal,
    /// Refused connections, 404/403/5xx, wrong site or certificate.
    TrafficLoss,
    /// A different backend, redirect, trust or header semantics.
    Behaviour,
    /// Timeouts, buffers, sizes, capacity: bites under load.
    Limits,
    /// A protection removed without an immediate traffic effect.
    Hardening,
    /// Logging or status reduced.
    Observability,
    /// A new, non-overlapping location or server.
    Additive,
    /// A change no rule knows; scored low, listed for review.
    Unclassified,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Availability => "availability",
            Category::Routing => "routing",
            Category::Security => "security",
            Category::Tls => "tls",
            Category::Performance => "performance",
            Category::Observability => "observability",
        }
    }
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Fatal => "fatal",
            Tier::TrafficLoss => "traffic-loss",
            Tier::Behaviour => "behaviour",
            Tier::Limits => "limits",
            Tier::Hardening => "hardening",
            Tier::Observability => "observability",
            Tier::Additive => "additive",
            Tier::Unclassified => "unclassified",
        }
    }
}

/// Risk level of a finding or of the whole change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }
    fn of(score: f64, t: &Thresholds) -> RiskLevel {
        if score >= t.critical {
            RiskLevel::Critical
        } else if score >= t.high {
            RiskLevel::High
        } else if score >= t.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

impl std::str::FromStr for RiskLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "low" => Ok(RiskLevel::Low),
            "medium" => Ok(RiskLevel::Medium),
            "high" => Ok(RiskLevel::High),
            "critical" => Ok(RiskLevel::Critical),
            _ => Err(format!("unknown risk level \"{s}\": expected low, medium, high or critical")),
        }
    }
}

/// How to roll the change out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recommendation {
    /// Validate with the target nginx, reload (never restart), probe the changed hosts/paths.
    Ship,
    /// Stage first, then one canary node, with automatic rollback on errors.
    StageFirst,
    /// Canary on ≤ 5% with a reviewer's approval, bake through peak, rollback tested.
    Canary,
    /// Do not ship as is.
    Block,
}

impl Recommendation {
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Ship => "ship",
            Recommendation::StageFirst => "stage-first",
            Recommendation::Canary => "canary",
            Recommendation::Block => "block",
        }
    }
    /// What to do, in a sentence.
    pub fn advice(self) -> &'static str {
        match self {
            Recommendation::Ship => "validate with the target nginx (`nginx -t`), reload (never restart), then probe the changed hosts and paths",
            Recommendation::StageFirst => "stage first, then one canary node, with automatic rollback on errors",
            Recommendation::Canary => "canary on at most 5% of traffic with a reviewer's approval, bake through peak, and test the rollback",
            Recommendation::Block => "block: fix it first; fatal findings cannot be overridden, others need a second approver, a written reason and a single-node canary with the restart path checked (ports free, certificates present, DNS)",
        }
    }
}

/// A multiplier applied to a finding's base points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Modifier {
    pub reason: String,
    pub factor: f64,
}

/// How much traffic a finding touches.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct BlastRadius {
    /// Estimated fraction of requests affected (0–1).
    pub share: f64,
    /// `0.5 + 0.5 x share`.
    pub factor: f64,
    /// How the share was estimated.
    pub scope: String,
}

/// One reason the change is risky.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Finding {
    /// Kebab-case rule name (`listen-removed`).
    pub rule: &'static str,
    /// Stable code (`RSK004`).
    pub code: &'static str,
    pub category: Category,
    pub tier: Tier,
    /// This finding's own level (from its score).
    pub level: RiskLevel,
    /// 0–100, one decimal.
    pub score: f64,
    pub message: String,
    /// Where: the semantic path of the change (or the file position of an error).
    pub path: String,
    pub base: f64,
    pub modifiers: Vec<Modifier>,
    pub blast_radius: BlastRadius,
    pub confidence: f64,
    /// Why this is dangerous, for a reviewer.
    pub explanation: String,
    /// How to check it before and after rolling out (a request, a command).
    pub verify: String,
    /// Where, on each side (the JSON contract gives these as `before_at`/`after_at` positions).
    #[serde(skip)]
    pub before_span: Option<Span>,
    #[serde(skip)]
    pub after_span: Option<Span>,
    /// Index into the comparison's changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<usize>,
}

/// The verdict on a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Assessment {
    /// 0–100.
    pub score: u32,
    pub level: RiskLevel,
    pub recommendation: Recommendation,
    /// A fatal finding: nginx would refuse the new configuration on some target.
    pub blocking: bool,
    /// Highest score first.
    pub findings: Vec<Finding>,
    /// What this assessment did not (and cannot) check.
    pub not_checked: Vec<String>,
    /// The level thresholds the policy used.
    pub thresholds: Thresholds,
}

/// Everything the rules may look at.
pub struct Inputs<'a> {
    pub before: Side<'a>,
    pub after: Side<'a>,
    pub diff: &'a Diff,
    pub policy: &'a Policy,
    /// Versions the new configuration must load on, with the errors each one has.
    pub targets: Vec<(NginxVersion, &'a Analysis)>,
    /// The version the analysis profile targets.
    pub primary: NginxVersion,
}

/// One side of the comparison as the risk rules see it.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub files: &'a SourceSet,
    pub analysis: &'a Analysis,
    pub tree: &'a Tree<'a>,
}

impl<'a> Side<'a> {
    pub fn model(&self) -> &'a Model {
        self.analysis.model()
    }
}

/// Scores a diff.
pub fn assess(inputs: &Inputs<'_>) -> Assessment {
    let cx = rules::Context::new(inputs);
    let mut findings = rules::run(&cx);
    for f in &mut findings {
        f.score = round1(f.score);
        f.level = RiskLevel::of(f.score, &inputs.policy.thresholds);
    }
    findings.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.tier.cmp(&b.tier))
            .then(a.code.cmp(b.code))
            .then(a.path.cmp(&b.path))
    });
    let blocking = findings.iter().any(|f| f.tier == Tier::Fatal);
    let score = combine(&findings);
    // Security, observability and additive findings alone cannot lift the level above medium.
    let soft = |t: Tier| matches!(t, Tier::Hardening | Tier::Observability | Tier::Additive | Tier::Unclassified);
    let capped = if !findings.is_empty() && findings.iter().all(|f| soft(f.tier)) {
        score.min(inputs.policy.thresholds.high - 1.0)
    } else {
        score
    };
    let mut level = RiskLevel::of(capped, &inputs.policy.thresholds);
    if blocking {
        level = RiskLevel::Critical;
    }
    let recommendation = match level {
        RiskLevel::Low => Recommendation::Ship,
        RiskLevel::Medium => Recommendation::StageFirst,
        RiskLevel::High => Recommendation::Canary,
        RiskLevel::Critical => Recommendation::Block,
    };
    let score = if blocking { 100 } else { capped.round().clamp(0.0, 100.0) as u32 };
    Assessment { score, level, recommendation, blocking, findings, not_checked: not_checked(inputs), thresholds: inputs.policy.thresholds }
}

/// `100 x (1 - Π(1 - s/100))` over the best finding of each of the top three rules.
fn combine(sorted: &[Finding]) -> f64 {
    let mut seen: Vec<&str> = Vec::new();
    let mut keep = 1.0;
    for f in sorted {
        if seen.contains(&f.rule) {
            continue;
        }
        seen.push(f.rule);
        keep *= 1.0 - (f.score / 100.0).clamp(0.0, 1.0);
        if seen.len() == 3 {
            break;
        }
    }
    100.0 * (1.0 - keep)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn not_checked(inputs: &Inputs<'_>) -> Vec<String> {
    let mut v = vec![
        "certificate and key files (presence, validity, names they cover): only their paths are compared".to_string(),
        "DNS: host names in proxy_pass/upstream are not resolved".to_string(),
        "whether new listen addresses and ports are free and assignable on the target machines".to_string(),
        "what backends answer: upstream health, capacity and application behaviour".to_string(),
    ];
    if inputs.policy.traffic.is_empty() {
        v.push("real traffic shares: blast radius assumes traffic spread evenly over serving servers (give `traffic` weights in the policy)".to_string());
    }
    let lua = |t: &Tree| {
        let mut any = false;
        let mut stack: Vec<&crate::diff::Node> = t.items.iter().collect();
        while let Some(n) = stack.pop() {
            if matches!(n.body, crate::diff::Body::Lua(_)) || n.name.ends_with("_by_lua") || n.name.starts_with("js_") {
                any = true;
                break;
            }
            stack.extend(n.children());
        }
        any
    };
    if lua(inputs.before.tree) || lua(inputs.after.tree) {
        v.push("Lua and njs code: compared as text, not analysed".to_string());
    }
    let env = |a: &Analysis| a.diagnostics().iter().any(|d| d.code == crate::report::codes::INCLUDE_EXTERNAL.code);
    if env(inputs.before.analysis) || env(inputs.after.analysis) {
        v.push("includes outside the given files: their content is unknown on both sides".to_string());
    }
    v
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Assessment>();
    is::<Change>();
}

#[cfg(test)]
mod tests;
