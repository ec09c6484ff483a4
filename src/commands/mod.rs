//! Orchestration of each subcommand: one line per pipeline step, no statistics or formatting.

pub mod series;

use crate::cli::{Cli, Command};

/// How a run ended, as a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Ran fine (for `detect`: found no upticks).
    Success = 0,
    /// `detect --fail-on-alarm` found upticks.
    Findings = 1,
    /// Anything failed, including usage errors.
    Error = 2,
}

/// Runs the parsed command line.
///
/// # Errors
/// Whatever the command's steps fail with, with context.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Series(args) => series::run(args, &cli.global),
    }
}
