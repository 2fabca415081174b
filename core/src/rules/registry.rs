//! Every rule, by group. Each group directory owns its list (one file per rule), so groups grow
//! independently.

use super::{availability, correctness, security, taint, Rule};

static GROUPS: &[&[Rule]] = &[security::RULES, taint::RULES, availability::RULES, correctness::RULES];

/// Every rule, in a stable order (group, then the group's list).
pub fn all() -> impl Iterator<Item = &'static Rule> {
    GROUPS.iter().flat_map(|g| g.iter())
}
