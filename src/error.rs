//! The library's error type. Each variant carries what a user needs to act on it: the file,
//! the line, the column, the flag. Messages are lower-case, quote user input, and do not
//! repeat their source (the chain is printed once, at the edge, by `main.rs`).

use std::path::PathBuf;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be opened or read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input is not in a format uptick can parse; `message` says where.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column where known.
        message: String,
    },
    /// A column the run needs is not in the file.
    #[error("{path}: no column '{column}' ({role}); found: {found}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column looked for.
        column: String,
        /// What the column is for (date, region, weight, ...).
        role: String,
        /// The columns the file has, comma-separated.
        found: String,
    },
    /// A row was rejected while `--strict` was on.
    #[error("{path}:{line}: column '{column}': {reason} (--strict)")]
    Strict {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the record.
        line: u64,
        /// The column at fault.
        column: String,
        /// Why the row was rejected.
        reason: String,
    },
    /// A command-line value or option combination is invalid.
    #[error("{0}")]
    Usage(String),
    /// Polars failed; `context` says what uptick was doing.
    #[error("{context}")]
    Polars {
        /// What uptick was doing.
        context: String,
        /// The Polars error.
        #[source]
        source: polars::error::PolarsError,
    },
    /// Drawing a chart failed.
    #[error("cannot draw chart {path}: {message}")]
    Chart {
        /// The chart file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Another report run holds the output root's lock.
    #[error("another uptick report is running on {} (pid {pid}); lock file {}", root.display(), lock.display())]
    Locked {
        /// The output root.
        root: PathBuf,
        /// The holder's process id, or "unknown".
        pid: String,
        /// The lock file.
        lock: PathBuf,
    },
    /// Writing an output failed.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The exit-code-relevant kind of the error, for messages.
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }
}

/// Shorthand for results of the library.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps a Polars error with what uptick was doing at the time.
    pub fn polars(context: impl Into<String>) -> impl FnOnce(polars::error::PolarsError) -> Error {
        let context = context.into();
        move |source| Error::Polars { context, source }
    }
}
