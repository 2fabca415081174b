//! Correctness rules, one per file.

use crate::rules::Rule;

pub(crate) static RULES: &[Rule] = &[];
