//! `uptick report`: settings → lock → load → detect → compare → charts → model → write →
//! swap into `ROOT/YYYY-Www/`. One line per step; the work is in `report` (model, history,
//! publishing), `analysis` (drivers) and the detectors.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{anyhow, Context};

use crate::analysis::{drivers, map, notable, AlertRegion};
use crate::cli::{GlobalArgs, ReportArgs};
use crate::commands::ExitStatus;
use crate::config::Config;
use crate::detect::{self, Finding, Selection};
use crate::model::{iso_week_label, RegionKey};
use crate::report::build::{self, ChartPaths, ReportInputs};
use crate::report::{self, history, publish, InputFile, ReportModel};
use crate::settings::ReportSettings;
use crate::{compare, export};

/// Runs `uptick report`.
///
/// # Errors
/// Configuration, loading, locking or writing failures; the previous report is never touched
/// unless the new one is complete.
pub fn run(args: ReportArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    // The summary and the report's path go to stderr unless --quiet (cron mails what a
    // script prints); the spinner only on a terminal.
    let quiet = global.quiet;
    let spinner = !quiet && std::io::stderr().is_terminal();
    let config = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let notify = crate::settings::notify_settings(&args, &config.notify)?;
    if args.notify_test {
        return Ok(notify_test(&notify));
    }
    let s = ReportSettings::resolve(&args, &config)?;
    std::fs::create_dir_all(&s.root)
        .with_context(|| format!("creating the output root {}", s.root.display()))?;
    let _lock = publish::lock(&s.root)?;
    publish::clean_leftovers(&s.root);
    // A spinner on a terminal for the long steps; hidden under cron (same code path).
    let progress = if !spinner {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new_spinner()
    };
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    progress.set_message("loading the incidents");
    let loaded = super::load_checked(&s.run.input, true, true)?;
    let set = &loaded.set;
    if set.weeks.is_empty() {
        return Err(anyhow!(
            "no complete week of data to report on (as of {})",
            loaded.spec.as_of
        ));
    }
    let week = *set.weeks.last().expect("non-empty");
    let label = iso_week_label(week);
    let names = super::charts::display_names(
        &set.series
            .iter()
            .map(|x| x.region.clone())
            .collect::<Vec<_>>(),
    );

    progress.set_message("judging every region");
    let all = detect::detect(
        &set.measured(),
        &set.weeks,
        Selection::Last(s.run.charts.weeks),
        &s.run.detection,
    );
    let mut latest: Vec<Finding> = all
        .iter()
        .filter(|f| f.week_start == week)
        .cloned()
        .collect();
    detect::sort_by_significance(&mut latest);
    let c = &s.run.comparison;
    let sums = super::compare::period_blocks(&loaded.incidents, set, &c.period, &c.against)?;
    let setup = compare::ComparisonSetup {
        period: sums.period,
        against: sums.against,
        test: c.test,
        alpha: c.alpha,
    };
    let (comp_rows, comp_total) = compare::compare_regions(&sums.values, c.test, c.alpha);
    let mut notes = sums.notes.clone();
    let year_to_date = if s.year_to_date {
        year_to_date(&loaded, c, &mut notes)
    } else {
        None
    };
    let previous = history::previous_report(&s.root, &label, set);
    let input = InputFile {
        name: loaded.spec.source.display(),
        sha256: match &loaded.incidents.sha256 {
            Some(sum) => sum.clone(),
            None => crate::ingest::sha256_of(&loaded.spec.source)?,
        },
    };

    // Everything is written into a temporary directory first.
    let tmp = s.root.join(format!(".{label}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    progress.set_message("drawing charts and writing the report");
    let result = (|| -> anyhow::Result<ReportModel> {
        let charts = draw_charts(
            &tmp.join("charts"),
            &s,
            set,
            &all,
            &latest,
            &comp_rows,
            &setup,
        )?;
        notes.push(loaded.series_note.clone());
        notes.extend(super::stale_data_note(&loaded));
        let incidents = &loaded.incidents;
        let alerts: Vec<AlertRegion> = latest
            .iter()
            .filter(|f| f.alarm)
            .filter_map(|f| {
                Some(AlertRegion {
                    id: incidents.region_index(&f.region)?,
                    name: names[&f.region].clone(),
                    expected: f.judgement.expected.unwrap_or(0.0),
                })
            })
            .collect();
        let region_names: Vec<String> = incidents
            .regions
            .iter()
            .map(|r| names.get(r).cloned().unwrap_or_else(|| r.join(" / ")))
            .collect();
        let alerting: Vec<&Vec<String>> = alerts
            .iter()
            .map(|a| &incidents.regions[a.id as usize])
            .collect();
        let clusters = match &s.clusters {
            // The map's note says the coordinates are missing, for both.
            Some(_) if incidents.columns.coordinates.is_none() => None,
            Some(params) => match super::clusters::scan(&loaded, params, s.clusters_work) {
                Ok(mut scanned) => {
                    for c in &mut scanned.clusters {
                        c.any_region_alarmed =
                            c.regions.iter().any(|r| alerting.contains(&&r.region));
                    }
                    notes.extend(scanned.coordinates.note());
                    Some(scanned)
                }
                Err(e) => {
                    notes.push(format!("no space-time cluster scan: {e:#}"));
                    None
                }
            },
            None => None,
        };
        let mut charts = charts;
        match map::map_spec(incidents, week, &alerts) {
            Ok(mut spec) => {
                if let Some(scanned) = &clusters {
                    map::add_clusters(&mut spec, scanned, super::charts::CLUSTER_ALPHA);
                }
                let files = crate::render::draw_map(
                    &spec,
                    &tmp.join("charts"),
                    "map",
                    s.run.charts.format,
                )?;
                charts.map = files
                    .first()
                    .and_then(|p| p.file_name())
                    .map(|n| format!("charts/{}", n.to_string_lossy()));
            }
            Err(why) => notes.push(why.note()),
        }
        let measure = set.measure();
        let model = build::build(ReportInputs {
            settings: &s,
            set,
            names: &names,
            latest: &latest,
            comparison: (&comp_rows, &comp_total),
            setup: &setup,
            previous: previous.as_ref(),
            charts: &charts,
            drivers: drivers::drivers(incidents, measure, &alerts, week),
            drivers_column: drivers::column(incidents),
            actor_drivers: drivers::by_actor(incidents, measure, &alerts, week),
            drilldown: drivers::drilldown(incidents, measure, &alerts, week),
            notable: notable::notable(incidents, week, s.notable, &alerts, &region_names),
            notable_missing: notable::missing(incidents),
            year_to_date: year_to_date.clone(),
            input,
            as_of: loaded.spec.as_of,
            quality: &loaded.incidents.quality,
            notes,
            clusters: clusters.as_ref().map(|c| {
                let notable = c
                    .clusters
                    .iter()
                    .filter(|k| k.cluster.pvalue <= crate::export::clusters::SENTENCE_ALPHA)
                    .map(|k| {
                        notable::cluster_notable(incidents, k, s.notable.min(3), &region_names).0
                    })
                    .collect();
                (c, notable)
            }),
        });
        let unit = set.measure_name();
        export::write_atomic(
            &tmp.join("report.md"),
            report::markdown::render(&model).as_bytes(),
        )?;
        export::write_atomic(
            &tmp.join("report.html"),
            report::html::render(&model, &tmp)?.as_bytes(),
        )?;
        export::write_atomic(
            &tmp.join("report.json"),
            &report::json::report_json(&model)?,
        )?;
        export::write_atomic(
            &tmp.join("findings.csv"),
            &export::csv::findings_csv(&latest, &set.region_columns, &unit)?,
        )?;
        export::write_atomic(
            &tmp.join("comparison.csv"),
            &export::csv::comparison_csv(&comp_rows, &comp_total, &set.region_columns, &setup)?,
        )?;
        // The weeks the report shows and judged, compressed; the whole history is the
        // input's (its checksum is in the report).
        export::write_atomic(
            &tmp.join("series.csv.gz"),
            &export::gzip(&export::csv::series_csv(
                &set.last_weeks(s.run.charts.weeks),
            )?)?,
        )?;
        Ok(model)
    })();
    let model = result.inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&tmp);
    });
    let model = model
        .with_context(|| format!("writing the report for {label} into {}", s.root.display()))?;
    let target = s.root.join(&label);
    // What was delivered for this week stays with the week across reruns.
    if let Ok(log) = std::fs::read(target.join(crate::notify::LOG_FILE)) {
        export::write_atomic(&tmp.join(crate::notify::LOG_FILE), &log)?;
    }
    publish::swap_into_place(
        &tmp,
        &target,
        &s.root.join(format!(".{label}.old-{}", std::process::id())),
    )?;
    progress.finish_and_clear();
    if !quiet {
        crate::say!("{}", loaded.incidents.quality.summary());
        crate::say!("{}", model.summary);
        crate::say!("report: {}", target.join("report.md").display());
    }
    // The index of every week on record: a failure is said, and leaves the report as it is.
    match report::archive::rebuild(&s.root) {
        Ok(files) if !quiet => {
            if let Some(index) = files.iter().find(|f| f.ends_with("index.html")) {
                crate::say!("index: {}", index.display());
            }
        }
        Ok(_) => {}
        Err(e) => crate::say!("uptick: warning: the archive index was not rebuilt: {e}"),
    }
    let delivered = crate::notify::deliver(
        &notify,
        &crate::notify::Delivery {
            model: &model,
            folder: &target,
        },
    );
    if say_outcomes(&delivered, quiet) {
        return Ok(ExitStatus::Delivery);
    }
    Ok(if args.fail_on_alarm && !model.alerts.is_empty() {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}

/// Prints one line per channel (failures even when `quiet`); whether any failed.
fn say_outcomes(
    outcomes: &[(crate::notify::Channel, crate::notify::Outcome)],
    quiet: bool,
) -> bool {
    use crate::notify::Outcome;
    let mut failed = false;
    for (channel, outcome) in outcomes {
        match outcome {
            Outcome::Sent(said) if !quiet => crate::say!("{channel}: {said}"),
            Outcome::Skipped(why) if !quiet => crate::say!("{channel}: not sent: {why}"),
            Outcome::Failed(why) => {
                failed = true;
                crate::say!("uptick: delivery failed: {channel}: {why}");
            }
            _ => {}
        }
    }
    failed
}

/// `report --notify-test`: a test message through each configured channel.
fn notify_test(s: &crate::notify::NotifySettings) -> ExitStatus {
    if s.channels().is_empty() {
        crate::say!(
            "uptick: error: no delivery channel is configured: add [notify.email] or [notify.webhook] to the config, or pass --notify"
        );
        return ExitStatus::Error;
    }
    if say_outcomes(&crate::notify::test(s), false) {
        ExitStatus::Delivery
    } else {
        ExitStatus::Success
    }
}

/// This year to date against the same days last year, all regions together; `None` (with a
/// note) when last year's days are not all in the data.
fn year_to_date(
    loaded: &super::Loaded,
    c: &crate::settings::CompareSettings,
    notes: &mut Vec<String>,
) -> Option<(compare::Period, compare::Period, compare::Comparison)> {
    let sums = match super::compare::period_blocks(
        &loaded.incidents,
        &loaded.set,
        "ytd",
        "same-period-last-year",
    ) {
        Ok(sums) => sums,
        Err(e) => {
            notes.push(format!("no year-to-date comparison: {e}"));
            return None;
        }
    };
    if !sums.notes.is_empty() {
        notes.push(format!(
            "no year-to-date comparison: the data do not cover {} (the same days last year) in full",
            sums.against
        ));
        return None;
    }
    let total = compare::compare_total(&sums.values, c.test, c.alpha);
    Some((sums.period, sums.against, total))
}

/// Draws the report's charts into `dir`: trend charts of the alarming regions, the overview,
/// the heat map and the comparison; returns their paths relative to the report folder.
fn draw_charts(
    dir: &Path,
    s: &ReportSettings,
    set: &crate::model::SeriesSet,
    all: &[Finding],
    latest: &[Finding],
    comparison: &[compare::Comparison],
    setup: &compare::ComparisonSetup,
) -> anyhow::Result<ChartPaths> {
    let alarm_regions: Vec<RegionKey> = latest
        .iter()
        .filter(|f| f.alarm)
        .map(|f| f.region.clone())
        .collect();
    let files = super::charts::write_detect_charts(
        dir,
        &super::charts::DetectCharts {
            set,
            findings: all,
            method_note: super::detect::method_note(&s.run.detection),
            format: s.run.charts.format,
            trend_regions: Some(&alarm_regions),
        },
    )?;
    let comparison_chart = super::charts::write_comparison_chart(
        dir,
        comparison,
        &format!(
            "Rate ratio by region, {} against {}",
            setup.period, setup.against
        ),
        &super::compare::comparison_subtitle(setup, &set.measure_name()),
        s.run.charts.format,
    )?;
    let rel = |p: &Path| -> Option<String> {
        p.file_name()
            .map(|n| format!("charts/{}", n.to_string_lossy()))
    };
    Ok(ChartPaths {
        overview: files.overview.first().and_then(|p| rel(p)),
        heatmap: files.heatmap.first().and_then(|p| rel(p)),
        comparison: comparison_chart.first().and_then(|p| rel(p)),
        trend: files
            .trend
            .iter()
            .filter_map(|(r, p)| Some((r.clone(), rel(p)?)))
            .collect(),
        map: None,
    })
}
