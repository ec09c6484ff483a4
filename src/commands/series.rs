//! `uptick series`: load → aggregate → write the weekly table.

use anyhow::Context;

use crate::cli::{GlobalArgs, OutputFormat, SeriesArgs};
use crate::commands::ExitStatus;
use crate::export;

/// Runs `uptick series`.
///
/// # Errors
/// Loading, aggregation or writing failures.
pub fn run(args: SeriesArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let settings = crate::settings::Settings::for_series(&args)?;
    let super::Loaded { incidents, set, .. } = super::load(&settings.input, global.quiet)?;
    let bytes = match args.format {
        OutputFormat::Csv => export::csv::series_csv(&set)?,
        OutputFormat::Json => export::json::series_json(&set, &incidents.quality)?,
        OutputFormat::Parquet => export::parquet::series_parquet(&set)?,
    };
    export::write_atomic(&settings.output, &bytes)
        .with_context(|| format!("writing the weekly series to {}", settings.output.display()))?;
    if !global.quiet {
        crate::say!(
            "{} regions x {} weeks ({} to {}, weeks start on {})",
            set.series.len(),
            set.weeks.len(),
            set.weeks.first().map_or("-".into(), |w| w.to_string()),
            set.weeks.last().map_or("-".into(), |w| w.to_string()),
            set.week_start.name()
        );
    }
    Ok(ExitStatus::Success)
}
