//! One module per subcommand; each returns the process exit status.

pub mod check;
pub mod diff;
pub mod fmt;
pub mod parse;
pub mod route;
pub mod rules;


/// Exit statuses shared by every command.
pub mod status {
    /// Nothing found (check), parsed cleanly (parse), formatted (fmt), risk below --fail-on (diff).
    pub const OK: u8 = 0;
    /// Errors in the configuration (nginx would refuse it), files that are not formatted, or a
    /// change whose risk is at or above --fail-on (diff).
    pub const FINDINGS: u8 = 1;
    /// Usage or IO error: ngxlint could not do its job.
    pub const FAILURE: u8 = 2;
}
