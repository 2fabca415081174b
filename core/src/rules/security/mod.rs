//! Security rules about the configuration's structure, one per file.

mod alias_traversal;
mod server_tokens;

use crate::rules::Rule;

pub(crate) static RULES: &[Rule] = &[server_tokens::RULE, alias_traversal::RULE];
