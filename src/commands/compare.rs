//! `uptick compare`: load → resolve the periods → sum per region → exact tests → write.

use anyhow::Context;

use crate::cli::{CompareArgs, CompareFormat, GlobalArgs};
use crate::commands::ExitStatus;
use crate::compare::{self, parse_period, resolve_periods, Period};
use crate::error::Error;
use crate::ingest::Incidents;
use crate::model::{Measure, RegionKey};
use crate::output;

/// The periods and per-region sums of a comparison, ready for the tests.
pub struct PeriodSums {
    /// The period of interest.
    pub period: Period,
    /// The comparison period.
    pub against: Period,
    /// (region, sum in period, sum in against), every region, sorted.
    pub values: Vec<(RegionKey, f64, f64)>,
    /// Warnings (e.g. a period reaching before the data).
    pub notes: Vec<String>,
}

/// Resolves the periods against the data and sums the measure per region.
///
/// # Errors
/// Bad period syntax, overlapping periods, or a period past the last complete week.
pub fn period_sums(
    incidents: &Incidents,
    measure: Measure,
    period: &str,
    against: &str,
) -> crate::Result<PeriodSums> {
    // Relative periods end with the last complete week that has data (not a stale as-of week).
    let data_last = incidents
        .date
        .iter()
        .max()
        .map(|d| incidents.week_start.week_of(*d));
    let anchor = data_last.map_or(incidents.last_week, |d| d.min(incidents.last_week));
    let (p, a) = resolve_periods(&parse_period(period)?, &parse_period(against)?, anchor)?;
    let last_day = incidents.last_week + chrono::Days::new(6);
    for (name, per) in [("--period", p), ("--against", a)] {
        if per.to > last_day {
            return Err(Error::Usage(format!(
                "{name} {per} ends after the last complete week in the data (ending {last_day}); use an earlier period or a later --as-of"
            )));
        }
    }
    let mut notes = Vec::new();
    if let Some(first) = incidents.date.iter().min() {
        for (name, per) in [("--period", p), ("--against", a)] {
            if per.from < *first {
                notes.push(format!("{name} {per} starts before the first incident in the data ({first}): its counts may be incomplete"));
            }
        }
    }
    let values_of: &[f64] = match measure {
        Measure::Events => &incidents.events,
        Measure::Fatalities => incidents.fatalities.as_deref().unwrap_or(&incidents.events),
        Measure::Weight => incidents.weight.as_deref().unwrap_or(&incidents.events),
    };
    let mut sums = vec![(0.0, 0.0); incidents.regions.len()];
    for ((&r, &d), &v) in incidents.region.iter().zip(&incidents.date).zip(values_of) {
        if d >= p.from && d <= p.to {
            sums[r as usize].0 += v;
        } else if d >= a.from && d <= a.to {
            sums[r as usize].1 += v;
        }
    }
    let mut values: Vec<(RegionKey, f64, f64)> = incidents
        .regions
        .iter()
        .cloned()
        .zip(sums)
        .map(|(r, (x, y))| (r, x, y))
        .collect();
    values.sort_by(|x, y| x.0.cmp(&y.0));
    Ok(PeriodSums {
        period: p,
        against: a,
        values,
        notes,
    })
}

/// Runs `uptick compare`.
///
/// # Errors
/// Loading, period or writing failures.
pub fn run(args: CompareArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        return Err(Error::Usage(format!("--alpha {} must be between 0 and 1", args.alpha)).into());
    }
    let loaded = super::load(args.input, global.quiet)?;
    let measure = loaded.set.measure();
    let sums = period_sums(&loaded.incidents, measure, &args.period, &args.against)?;
    if !global.quiet {
        for note in &sums.notes {
            crate::say!("note: {note}");
        }
    }
    let weeks = (
        sums.period.days() as f64 / 7.0,
        sums.against.days() as f64 / 7.0,
    );
    let (rows, total) = compare::compare_regions(&sums.values, weeks, args.alpha);
    let unit = loaded.set.measure_name();
    let columns = &loaded.set.region_columns;
    let bytes = match args.format {
        CompareFormat::Table => {
            output::comparison_table(&rows, &total, &sums.period, &sums.against, &unit).into_bytes()
        }
        CompareFormat::Csv => output::comparison_csv(&rows, &total, columns)?,
        CompareFormat::Json => output::comparison_json(
            &rows,
            &total,
            columns,
            &sums.period,
            &sums.against,
            &unit,
            args.alpha,
        )?,
        CompareFormat::Md => {
            output::comparison_markdown(&rows, &total, &sums.period, &sums.against, &unit)
                .into_bytes()
        }
    };
    output::write_atomic(&args.output, &bytes)
        .with_context(|| format!("writing the comparison to {}", args.output.display()))?;
    if let Some(dir) = &args.charts {
        let title = format!(
            "Rate ratio by region, {} against {}",
            sums.period, sums.against
        );
        let subtitle = format!("{unit} per week; dots = ratio, bars = exact 95% CI; vermillion = significant (q <= {})", args.alpha);
        let paths = super::charts::write_comparison_chart(
            dir,
            &rows,
            &title,
            &subtitle,
            args.chart_format,
        )?;
        if !global.quiet {
            crate::say!(
                "wrote {}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(ExitStatus::Success)
}
