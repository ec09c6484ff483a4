//! `uptick completions` and `uptick man`: the shell completion scripts (clap_complete) and
//! the manual pages (clap_mangen), generated from the same command definitions as `--help`,
//! so they never fall behind the options.

use anyhow::anyhow;
use clap::CommandFactory;

use super::ExitStatus;
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::export;

/// Prints the completion script for the shell asked for.
///
/// # Errors
/// Writing to stdout fails.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitStatus> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "uptick", &mut out);
    export::write_atomic(std::path::Path::new("-"), &out)?;
    Ok(ExitStatus::Success)
}

/// Prints uptick(1), or uptick-COMMAND(1) for one command.
///
/// # Errors
/// An unknown command, or writing fails.
pub fn man(args: &ManArgs) -> anyhow::Result<ExitStatus> {
    let root = Cli::command();
    let page = match &args.command {
        None => root,
        Some(name) => {
            let names: Vec<String> = root
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let sub = root
                .find_subcommand(name)
                .cloned()
                .ok_or_else(|| anyhow!("no command '{name}' (one of: {})", names.join(", ")))?;
            // uptick-report(1), titled as git's pages are.
            sub.name(format!("uptick-{name}"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    export::write_atomic(std::path::Path::new("-"), &out)?;
    Ok(ExitStatus::Success)
}
