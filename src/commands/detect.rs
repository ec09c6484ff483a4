//! `uptick detect`: load → weekly series → detect → write findings.

use anyhow::Context;
use serde_json::json;

use crate::cli::{DetectArgs, FindingsFormat, GlobalArgs};
use crate::commands::ExitStatus;
use crate::detect::{self, Selection};
use crate::export;

/// Runs `uptick detect`.
///
/// # Errors
/// Loading, detection or writing failures.
pub fn run(args: DetectArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let settings = crate::settings::Settings::for_detect(&args)?;
    let params = &settings.detection;
    let charts = &settings.charts;
    let loaded = super::load(&settings.input, global.quiet)?;
    let set = &loaded.set;
    if !global.quiet {
        if let Some(note) = super::stale_data_note(&loaded) {
            crate::say!("note: {note}");
        }
    }
    let weeks = args.weeks.max(1);
    let chart_weeks = charts.dir.as_ref().map_or(0, |_| charts.weeks);
    let selection = if args.backtest {
        Selection::Backtest
    } else {
        Selection::Last(weeks.max(chart_weeks))
    };
    let all = detect::detect(&set.measured(), &set.weeks, selection, params);
    if let Some(dir) = &charts.dir {
        let cutoff = set.weeks.len().saturating_sub(chart_weeks);
        let window: Vec<_> = all
            .iter()
            .filter(|f| set.weeks[cutoff..].contains(&f.week_start))
            .cloned()
            .collect();
        let c = super::charts::DetectCharts {
            set,
            findings: &window,
            method_note: method_note(params),
            format: charts.format,
            trend_regions: None,
        };
        let files = super::charts::write_detect_charts(dir, &c)?;
        if !global.quiet {
            crate::say!(
                "wrote {} trend charts, the overview and the heat map to {}",
                files.trend.len(),
                dir.display()
            );
        }
    }
    let first_judged = if args.backtest {
        0
    } else {
        set.weeks.len().saturating_sub(weeks)
    };
    let mut findings: Vec<_> = all
        .into_iter()
        .filter(|f| set.weeks[first_judged..].contains(&f.week_start))
        .collect();
    detect::sort_by_significance(&mut findings);
    let measure = set.measure_name();
    let bytes = match args.format {
        FindingsFormat::Table => export::table::findings_table(&findings, &measure).into_bytes(),
        FindingsFormat::Csv => export::csv::findings_csv(&findings, &set.region_columns, &measure)?,
        FindingsFormat::Json => export::json::findings_json(
            &findings,
            &set.region_columns,
            &measure,
            json!({
                "as_of": loaded.spec.as_of,
                "measure": measure,
                "method": params.method.name(),
                "method_used": params.resolve(params.method).name(),
                "alpha": params.level(),
                "bound_level": params.bound_level(params.resolve(params.method)),
                "pvalue_sides": "one-sided: evidence of a rise",
                "min_count": params.min_count,
                "week_start_day": set.week_start,
                "weeks_judged": findings.iter().map(|f| f.week_start).collect::<std::collections::BTreeSet<_>>(),
                "quality": loaded.incidents.quality,
            }),
        )?,
    };
    export::write_atomic(&settings.output, &bytes)
        .with_context(|| format!("writing findings to {}", settings.output.display()))?;
    let alarms = findings.iter().filter(|f| f.alarm).count();
    Ok(if args.fail_on_alarm && alarms > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}

/// A short description of the method and its settings, for chart subtitles.
pub fn method_note(p: &crate::detect::DetectParams) -> String {
    let m = p.resolve(p.method);
    format!(
        "{}, bound at level {}, alarm needs {}+ events in 4 weeks",
        m.name(),
        p.bound_level(m),
        p.min_count
    )
}
