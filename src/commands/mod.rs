//! Orchestration of each subcommand: one line per pipeline step, no statistics or formatting.

pub mod charts;
pub mod clusters;
pub mod compare;
pub mod detect;
pub mod evaluate;
pub mod report;
pub mod series;
pub mod shell;
pub mod sql;

use anyhow::Context;

use crate::cli::{Cli, Command};
use crate::ingest::{Incidents, InputSpec};
use crate::model::SeriesSet;
use crate::{aggregate, export, ingest};

/// How a run ended, as a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Ran fine (for `detect`: found no upticks).
    Success = 0,
    /// `detect --fail-on-alarm` found upticks.
    Findings = 1,
    /// Anything failed, including usage errors.
    Error = 2,
    /// `report`: the report was published, but a delivery (e-mail, webhook) failed.
    Delivery = 3,
}

/// Runs the parsed command line.
///
/// # Errors
/// Whatever the command's steps fail with, with context.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Series(args) => series::run(args, &cli.global),
        Command::Detect(args) => detect::run(args, &cli.global),
        Command::Compare(args) => compare::run(args, &cli.global),
        Command::Clusters(args) => clusters::run(args, &cli.global),
        Command::Report(args) => report::run(args, &cli.global),
        Command::Evaluate(args) => evaluate::run(args, &cli.global),
        Command::Sql(args) => sql::run(args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man(args) => shell::man(&args),
        Command::Init => {
            export::write_atomic(std::path::Path::new("-"), crate::config::STARTER.as_bytes())?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Incidents loaded and aggregated into weekly series.
pub struct Loaded {
    /// The resolved input settings.
    pub spec: InputSpec,
    /// The validated incidents (with the quality ledger).
    pub incidents: Incidents,
    /// The weekly series.
    pub set: SeriesSet,
    /// Where the series start, in words (for the data notes).
    pub series_note: String,
}

/// Loads the input, prints the data-quality summary (unless `quiet`) and builds the series.
///
/// # Errors
/// Loading or aggregation failures, with the input named.
pub fn load(input: &InputSpec, quiet: bool) -> anyhow::Result<Loaded> {
    load_checked(input, quiet, false)
}

/// [`load`], also taking the input's SHA-256 while reading it when `checksum` is set.
///
/// # Errors
/// As [`load`].
pub fn load_checked(input: &InputSpec, quiet: bool, checksum: bool) -> anyhow::Result<Loaded> {
    let mut spec = input.clone();
    spec.checksum = checksum;
    let incidents = ingest::load_incidents(&spec)
        .with_context(|| format!("loading {}", spec.source.display()))?;
    if !quiet {
        crate::say!("{}", incidents.quality.summary());
    }
    let set = aggregate::weekly_series(&incidents, spec.from, spec.to, spec.series_start)?;
    let (series_note, differs) = aggregate::series_start_note(&set, spec.series_start);
    if differs && !quiet {
        crate::say!("note: {series_note}");
    }
    Ok(Loaded {
        spec,
        incidents,
        set,
        series_note,
    })
}

/// A note when the data end well before the last complete week at `--as-of` (the judged week
/// is then the data's last week, not the as-of week).
pub fn stale_data_note(loaded: &Loaded) -> Option<String> {
    let last = *loaded.set.weeks.last()?;
    let ws = loaded.incidents.week_start;
    let expected = if loaded.spec.include_incomplete {
        ws.week_of(loaded.spec.as_of)
    } else {
        ws.last_complete_week(loaded.spec.as_of)
    };
    let gap = (expected - last).num_days() / 7;
    // A last week left out as incomplete has its own note; only a longer gap is news.
    let cut = loaded.incidents.last_week < expected;
    (gap > i64::from(cut)).then(|| {
        format!(
            "the data end with the week of {last}, {gap} week(s) before the last complete week at --as-of {} ({expected}); the latest week judged is {last}",
            loaded.spec.as_of
        )
    })
}
