//! Errors that stop the CLI from doing its job (exit status 2): unreadable inputs, bad usage.

use std::fmt;
use std::io;

#[derive(Debug)]
pub enum CliError {
    /// A file (or standard input) could not be read or written.
    Io {
        action: &'static str,
        path: String,
        error: io::Error,
    },
    /// Arguments that parse but make no sense together.
    Usage(String),
    /// An invalid configuration file: the message with the file, line and column, then a
    /// snippet of the spot (already rendered).
    Config(String),
}

impl CliError {
    pub fn read(path: impl Into<String>, error: io::Error) -> CliError {
        CliError::Io {
            action: "read",
            path: path.into(),
            error,
        }
    }
    pub fn write(path: impl Into<String>, error: io::Error) -> CliError {
        CliError::Io {
            action: "write",
            path: path.into(),
            error,
        }
    }
}

/// `No such file or directory`, without std's ` (os error 2)` suffix.
pub fn io_message(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Io {
                action,
                path,
                error,
            } => {
                write!(f, "cannot {action} \"{path}\": {}", io_message(error))
            }
            CliError::Usage(m) | CliError::Config(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliError {}

/// Prints an error the way every ngxlint error is printed: `ngxlint: <message>` on stderr.
pub fn report(error: &CliError) {
    eprintln!("ngxlint: {error}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_path_without_os_error_codes() {
        let e = CliError::read("x.conf", io::Error::from_raw_os_error(2));
        assert_eq!(
            e.to_string(),
            "cannot read \"x.conf\": No such file or directory"
        );
    }
}
