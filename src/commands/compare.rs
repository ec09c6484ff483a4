//! `uptick compare`: load → resolve the periods → sum per region → exact tests → write.

use anyhow::Context;

use crate::cli::{CompareArgs, CompareFormat, GlobalArgs};
use crate::commands::ExitStatus;
use std::collections::HashMap;

use chrono::NaiveDate;

use crate::compare::{
    self, parse_period, resolve_periods, Blocks, ComparisonSetup, Period, RegionBlocks,
};
use crate::error::Error;
use crate::ingest::Incidents;
use crate::model::{RegionKey, SeriesSet};
use crate::{export, format};

/// The periods and per-region weekly blocks of a comparison, ready for the tests.
pub struct PeriodBlocks {
    /// The period of interest.
    pub period: Period,
    /// The comparison period.
    pub against: Period,
    /// Every region's blocks, sorted by region.
    pub values: Vec<RegionBlocks>,
    /// Warnings (e.g. a period reaching before the data).
    pub notes: Vec<String>,
}

/// Days in a block: a week.
const BLOCK_DAYS: i64 = 7;

/// The 7-day blocks of `period` from its first day, as (first day, days) pairs.
fn block_days(period: &Period) -> Vec<(NaiveDate, i64)> {
    let days = period.days();
    (0..(days + BLOCK_DAYS - 1) / BLOCK_DAYS)
        .map(|b| {
            let first = period.from + chrono::Days::new((b * BLOCK_DAYS) as u64);
            (first, (days - b * BLOCK_DAYS).min(BLOCK_DAYS))
        })
        .collect()
}

/// Resolves the periods against the data and cuts each region's measure into 7-day blocks
/// of both periods, leaving out the days before the region's series starts (coverage).
///
/// # Errors
/// Bad period syntax, overlapping periods, or a period past the last complete week.
pub fn period_blocks(
    incidents: &Incidents,
    set: &SeriesSet,
    period: &str,
    against: &str,
) -> crate::Result<PeriodBlocks> {
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
    let measure = set.measure();
    let values_of = incidents.values(measure);
    let (p_blocks, a_blocks) = (block_days(&p), block_days(&a));
    // Sums per (region, block) for both periods.
    let mut sums =
        vec![(vec![0.0; p_blocks.len()], vec![0.0; a_blocks.len()]); incidents.regions.len()];
    for ((&r, &d), &v) in incidents.region.iter().zip(&incidents.date).zip(values_of) {
        if d >= p.from && d <= p.to {
            sums[r as usize].0[((d - p.from).num_days() / BLOCK_DAYS) as usize] += v;
        } else if d >= a.from && d <= a.to {
            sums[r as usize].1[((d - a.from).num_days() / BLOCK_DAYS) as usize] += v;
        }
    }
    // Coverage: the first day of each region's series.
    let starts: HashMap<&RegionKey, NaiveDate> = set
        .series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((&s.region, set.start_week(i)?)))
        .collect();
    let cut = |blocks: &[(NaiveDate, i64)], counts: &[f64], start: Option<NaiveDate>| -> Blocks {
        let mut out = Blocks::default();
        for (&(first, days), &c) in blocks.iter().zip(counts) {
            let last = first + chrono::Days::new(days as u64 - 1);
            let covered_from = start.map_or(first, |s| s.max(first));
            if covered_from > last {
                continue;
            }
            let covered = (last - covered_from).num_days() + 1;
            out.counts.push(c);
            out.exposure.push(covered as f64 / BLOCK_DAYS as f64);
        }
        out
    };
    // A region starting with the data's first week is covered as far as the data go: periods
    // reaching before the data affect every region alike (a note says so).
    let data_first = set.weeks.first().copied();
    let mut values: Vec<RegionBlocks> = incidents
        .regions
        .iter()
        .zip(sums)
        .map(|(region, (in_p, in_a))| {
            let start = starts.get(region).copied();
            RegionBlocks {
                region: region.clone(),
                period: cut(&p_blocks, &in_p, start),
                against: cut(&a_blocks, &in_a, start),
                fully_covered: start
                    .is_none_or(|s| s <= p.from.min(a.from) || Some(s) <= data_first),
            }
        })
        .collect();
    values.sort_by(|x, y| x.region.cmp(&y.region));
    let partly = values.iter().filter(|v| !v.fully_covered).count();
    if partly > 0 {
        notes.push(format!(
            "{partly} region(s) are not covered by the data for all of both periods (their series start later); they are compared on the weeks covered and left out of the totals"
        ));
    }
    Ok(PeriodBlocks {
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
    let settings = crate::settings::Settings::for_compare(&args)?;
    let c = &settings.comparison;
    let loaded = super::load(&settings.input, global.quiet)?;
    let sums = period_blocks(&loaded.incidents, &loaded.set, &c.period, &c.against)?;
    if !global.quiet {
        for note in &sums.notes {
            crate::say!("note: {note}");
        }
    }
    let (rows, total) = compare::compare_regions(&sums.values, c.test, c.alpha);
    let setup = ComparisonSetup {
        period: sums.period,
        against: sums.against,
        test: c.test,
        alpha: c.alpha,
    };
    let unit = loaded.set.measure_name();
    let columns = &loaded.set.region_columns;
    let bytes = match args.format {
        CompareFormat::Table => {
            export::table::comparison_table(&rows, &total, &setup, &unit).into_bytes()
        }
        CompareFormat::Csv => export::csv::comparison_csv(&rows, &total, columns, &setup)?,
        CompareFormat::Json => {
            export::json::comparison_json(&rows, &total, columns, &setup, &unit)?
        }
        CompareFormat::Md => {
            export::markdown::comparison_markdown(&rows, &total, &setup, &unit).into_bytes()
        }
    };
    export::write_atomic(&settings.output, &bytes)
        .with_context(|| format!("writing the comparison to {}", settings.output.display()))?;
    if let Some(dir) = &settings.charts.dir {
        let title = format!(
            "Rate ratio by region, {} against {}",
            sums.period, sums.against
        );
        let subtitle = comparison_subtitle(&setup, &unit);
        let paths = super::charts::write_comparison_chart(
            dir,
            &rows,
            &title,
            &subtitle,
            settings.charts.format,
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

/// The comparison chart's subtitle: unit, interval, test and what the colour means.
pub fn comparison_subtitle(setup: &ComparisonSetup, unit: &str) -> String {
    format!(
        "{unit} per week; dots = ratio, bars = {}% interval ({}); vermillion = significant (q <= {})",
        format::format_stat(Some(100.0 * setup.level())),
        setup.test.name(),
        setup.alpha
    )
}
