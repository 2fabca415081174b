//! The scoring policy: everything a team may tune, with RISK.md's calibrated defaults.

use super::Tier;
use crate::spec::NginxVersion;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Level thresholds on the 0–100 score: low below `medium`, critical from `critical` up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct Thresholds {
    pub medium: f64,
    pub high: f64,
    pub critical: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { medium: 20.0, high: 40.0, critical: 65.0 }
    }
}

/// Base points per tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct TierPoints {
    pub fatal: f64,
    pub traffic_loss: f64,
    pub behaviour: f64,
    pub limits: f64,
    pub hardening: f64,
    pub observability: f64,
    pub additive: f64,
    pub unclassified: f64,
}

impl Default for TierPoints {
    fn default() -> Self {
        TierPoints {
            fatal: 100.0,
            traffic_loss: 80.0,
            behaviour: 60.0,
            limits: 40.0,
            hardening: 30.0,
            observability: 15.0,
            additive: 10.0,
            unclassified: 20.0,
        }
    }
}

impl TierPoints {
    pub fn of(&self, tier: Tier) -> f64 {
        match tier {
            Tier::Fatal => self.fatal,
            Tier::TrafficLoss => self.traffic_loss,
            Tier::Behaviour => self.behaviour,
            Tier::Limits => self.limits,
            Tier::Hardening => self.hardening,
            Tier::Observability => self.observability,
            Tier::Additive => self.additive,
            Tier::Unclassified => self.unclassified,
        }
    }
}

/// Per-rule adjustments, by rule name (`listen-removed`) or code (`RSK004`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct RuleOverride {
    /// `false` turns the rule off (fatal rules cannot be turned off).
    pub enabled: Option<bool>,
    /// Replaces the tier's base points for this rule.
    pub points: Option<f64>,
}

/// How changes are scored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct Policy {
    pub thresholds: Thresholds,
    pub tiers: TierPoints,
    pub rules: BTreeMap<String, RuleOverride>,
    /// The nginx versions the fleet runs; the new configuration must load on every one.
    /// Empty: the analysis profile's version only.
    pub targets: Vec<NginxVersion>,
    /// Relative traffic per server name (`{"api.example.com": 10, "static.example.com": 1}`);
    /// servers not listed weigh 1. Empty: traffic is assumed uniform over serving servers.
    pub traffic: BTreeMap<String, f64>,
}

impl Policy {
    pub fn rule(&self, name: &str, code: &str) -> Option<&RuleOverride> {
        self.rules.get(name).or_else(|| self.rules.get(code))
    }
}
