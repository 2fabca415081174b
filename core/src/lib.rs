//! ngxlint: parse, validate and audit nginx configuration, and score how risky a change is.
//!
//! Pure: no file system, network, clock, threads or environment. Files come in as bytes through a
//! [`SourceSet`]; everything else is a plain value.

pub mod source;
pub mod syntax;

pub use source::{FileId, LineIndex, Position, SourceSet, Span};
