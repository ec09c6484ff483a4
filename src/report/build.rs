//! From results to a [`ReportModel`]: the alerts (new or continuing against the previous
//! report), the summary in words, the comparison section with display names, data notes and
//! the methods. Pure: everything arrives computed (findings, comparison, chart paths).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::history::{revisions, PreviousReport};
use super::{
    Alert, ComparisonSection, Drivers, InputFile, NotableSection, RegionCounts, ReportModel,
    YearToDate,
};
use crate::compare::{Comparison, ComparisonSetup, Period, Verdict};
use crate::detect::{DetectParams, Finding};
use crate::format::{format_number, format_stat};
use crate::ingest::Quality;
use crate::model::{iso_week_label, RegionKey, SeriesSet};
use crate::settings::ReportSettings;

/// Paths (relative to the report folder) of the charts drawn for the report.
#[derive(Debug, Clone, Default)]
pub struct ChartPaths {
    /// The overview.
    pub overview: Option<String>,
    /// The heat map.
    pub heatmap: Option<String>,
    /// The comparison chart.
    pub comparison: Option<String>,
    /// Each alarming region's trend chart.
    pub trend: Vec<(RegionKey, String)>,
    /// The event map.
    pub map: Option<String>,
}

/// Everything the report is built from.
pub struct ReportInputs<'a> {
    /// The run's settings.
    pub settings: &'a ReportSettings,
    /// The weekly series.
    pub set: &'a SeriesSet,
    /// Display name of each region.
    pub names: &'a HashMap<RegionKey, String>,
    /// Every region's finding for the reported week, most significant first.
    pub latest: &'a [Finding],
    /// The comparison: per region and all together.
    pub comparison: (&'a [Comparison], &'a Comparison),
    /// The comparison's periods, test and level.
    pub setup: &'a ComparisonSetup,
    /// The previous report in the same root.
    pub previous: Option<&'a PreviousReport>,
    /// Chart paths.
    pub charts: &'a ChartPaths,
    /// What drove each alert.
    pub drivers: Vec<Drivers>,
    /// The column drivers break alerts down by (`None`: the input has no event-type column).
    pub drivers_column: Option<String>,
    /// What drove each alert, by actor.
    pub actor_drivers: Vec<Drivers>,
    /// The sub-regions behind each alert.
    pub drilldown: Vec<Drivers>,
    /// The notable events.
    pub notable: Vec<NotableSection>,
    /// What the data lack for the notable events.
    pub notable_missing: Vec<String>,
    /// The year to date against the same days last year: its periods and all regions'
    /// comparison.
    pub year_to_date: Option<(Period, Period, Comparison)>,
    /// The input's name and SHA-256.
    pub input: InputFile,
    /// The as-of date and the ledger.
    pub as_of: NaiveDate,
    /// The data-quality ledger.
    pub quality: &'a Quality,
    /// Notes on the data (periods, where series start, stale data).
    pub notes: Vec<String>,
    /// The space-time cluster scan, when it ran, and the notable events of each of its
    /// unusual clusters.
    pub clusters: Option<(
        &'a crate::clusters::ClusterScan,
        Vec<Vec<super::NotableEvent>>,
    )>,
}

/// The alerts of the reported week, flagged new or continuing against the previous report.
fn alerts(i: &ReportInputs<'_>, previous: &HashSet<String>) -> Vec<Alert> {
    i.latest
        .iter()
        .filter(|f| f.alarm)
        .map(|f| {
            let name = i.names[&f.region].clone();
            Alert {
                region: f.region.clone(),
                status: if previous.contains(&name) {
                    "continuing".into()
                } else {
                    "new".into()
                },
                chart: i
                    .charts
                    .trend
                    .iter()
                    .find(|(r, _)| *r == f.region)
                    .map(|(_, p)| p.clone()),
                name,
                observed: f.judgement.observed,
                expected: f.judgement.expected,
                upperbound: f.judgement.upperbound,
                ratio: f.ratio,
                pvalue: f.judgement.pvalue,
                qvalue: f.qvalue,
                weeks_in_row: f.weeks_in_row,
                method: f.method.name().into(),
            }
        })
        .collect()
}

/// The opening paragraph: the week's alerts, then the period comparison of all regions.
fn summary(week: NaiveDate, judged: usize, alerts: &[Alert], i: &ReportInputs<'_>) -> String {
    let unit = i.set.measure_name();
    let mut summary = if judged == 1 && alerts.len() <= 1 {
        // One region (a country-level report): say it as one.
        match alerts.first() {
            Some(a) => format!(
                "In the week of {week}, the one region judged ({}) rose significantly above its expected range.",
                a.name
            ),
            None => format!(
                "In the week of {week}, the one region judged did not rise significantly above its expected range."
            ),
        }
    } else if alerts.is_empty() {
        format!("In the week of {week}, none of the {judged} regions judged rose significantly above its expected range.")
    } else {
        format!(
            "In the week of {week}, {} of the {judged} regions judged rose significantly above their expected range ({}).",
            alerts.len(),
            alerts.iter().map(|a| a.name.clone()).collect::<Vec<_>>().join(", ")
        )
    };
    summary.push_str(&coverage(i));
    let t = i.comparison.1;
    summary.push_str(&format!(
        " Across all regions, {} {unit} in {} compared with {} in {} ({} per week against {}): {}.",
        format_number(t.count),
        i.setup.period,
        format_number(t.count_against),
        i.setup.against,
        format_stat(Some(t.count / t.weeks)),
        format_stat(Some(t.count_against / t.weeks_against)),
        verdict_phrase(t)
    ));
    if let Some((p, a, y)) = &i.year_to_date {
        summary.push(' ');
        summary.push_str(&ytd_sentence(p, a, y, &unit));
    }
    summary
}

/// "a significant rise of 40%", "no significant change", ...
fn verdict_phrase(t: &Comparison) -> String {
    match t.verdict {
        Verdict::Up => format!(
            "a significant rise of {}",
            t.percent_change
                .map_or("n/a".into(), |p| format!("{p:.0}%"))
        ),
        Verdict::Down => format!(
            "a significant fall of {}",
            t.percent_change
                .map_or("n/a".into(), |p| format!("{:.0}%", -p))
        ),
        Verdict::UpNotSignificant | Verdict::DownNotSignificant => format!(
            "a {} of {} that is not significant across the regions compared (q = {})",
            if t.verdict == Verdict::UpNotSignificant {
                "rise"
            } else {
                "fall"
            },
            t.percent_change
                .map_or("n/a".into(), |p| format!("{:.0}%", p.abs())),
            format_stat(t.qvalue)
        ),
        Verdict::NoSignificantChange => "no significant change".into(),
        Verdict::TooFewEvents => "too few events to compare".into(),
        Verdict::TooFewWeeks => "too few weeks to compare".into(),
        Verdict::NotCovered => "not covered by the data in both periods".into(),
    }
}

/// "Year to date (2019-01-01 to 2019-10-13): 2,317 events against 3,010 in the same days of
/// 2018 (-23%): a significant fall of 23%."
fn ytd_sentence(period: &Period, against: &Period, t: &Comparison, unit: &str) -> String {
    let change = match t.percent_change {
        Some(p) if p.is_finite() => format!(" ({p:+.0}%)"),
        _ => String::new(),
    };
    format!(
        "Year to date ({} to {}): {} {unit} against {} in the same days of {}{change}: {}.",
        period.from,
        period.to,
        format_number(t.count),
        format_number(t.count_against),
        against.from.format("%Y"),
        verdict_phrase(t)
    )
}

/// What became of every region this week, when not all could alert: judged, too short a
/// history, too few recent events to raise an alert (the alarm rule's minimum).
fn coverage(i: &ReportInputs<'_>) -> String {
    let min = i.settings.run.detection.min_count;
    let RegionCounts {
        total,
        judged,
        short,
        other,
        few,
    } = RegionCounts::of(i.latest, min);
    if judged == total && few == 0 {
        return String::new();
    }
    let mut parts = Vec::new();
    if short > 0 {
        parts.push(format!("{short} had too short a history for the method"));
    }
    if other > 0 {
        parts.push(format!(
            "{other} could not be judged for other reasons (see the data notes)"
        ));
    }
    if few > 0 {
        parts.push(format!(
            "{few} of those judged had fewer than {} {} in the last 4 weeks, too few to raise an alert",
            format_number(min),
            i.set.measure_name()
        ));
    }
    format!(
        " Of the {total} regions, {judged} were judged; {}.",
        parts.join(", and ")
    )
}

/// " Mostly in Ras al Ain (12 events, 1.1 expected) and Al Hasakah (6, 0.4)." from a
/// drill-down: the sub-regions that hold most of the excess (at most three, each with a
/// positive excess, together at least half of it).
fn mostly(d: &Drivers, unit: &str) -> String {
    let total: f64 = d.items.iter().map(|x| x.excess.max(0.0)).sum();
    if total <= 0.0 {
        return String::new();
    }
    let mut picked = Vec::new();
    let mut covered = 0.0;
    for x in d.items.iter().filter(|x| x.excess > 0.0).take(3) {
        picked.push(x);
        covered += x.excess;
        if covered >= 0.5 * total {
            break;
        }
    }
    let expected = |e: f64| {
        if e < 0.05 {
            "almost none expected".to_string()
        } else {
            format!("{e:.1} expected")
        }
    };
    let parts: Vec<String> = picked
        .iter()
        .enumerate()
        .map(|(k, x)| {
            let u = if k == 0 {
                format!(" {unit}")
            } else {
                String::new()
            };
            format!(
                "{} ({}{u}, {})",
                x.category,
                format_number(x.observed),
                expected(x.expected)
            )
        })
        .collect();
    let list = match parts.len() {
        1 => parts[0].clone(),
        _ => format!(
            "{} and {}",
            parts[..parts.len() - 1].join(", "),
            parts[parts.len() - 1]
        ),
    };
    format!(" Mostly in {list}.")
}

/// The clusters section: the scan in a sentence, the unusual clusters in words (saying when no
/// region they touch alarmed: what the region alerts miss), and the table.
fn clusters_section(
    c: &crate::clusters::ClusterScan,
    notable: Vec<Vec<super::NotableEvent>>,
    region_columns: &[String],
    unit: &str,
) -> super::ClustersSection {
    use crate::export::clusters as ex;
    let sentences = c
        .clusters
        .iter()
        .filter(|k| k.cluster.pvalue <= ex::SENTENCE_ALPHA)
        .map(|k| {
            let regions: Vec<&str> = k
                .regions
                .iter()
                .filter_map(|r| r.region.last().map(String::as_str))
                .collect();
            let alarm = if k.any_region_alarmed {
                String::new()
            } else {
                format!(
                    "; no region it touches ({}) alarmed this week",
                    regions.join(", ")
                )
            };
            format!("{}{alarm}.", ex::sentence(k, unit))
        })
        .collect();
    super::ClustersSection {
        summary: format!("{}.", ex::scan_summary(c)),
        sentences,
        table: ex::clusters_display(c),
        notable,
        scan: ex::scan_fields(c, region_columns),
    }
}

/// The methods and parameters, as name = value lines, so the run can be reproduced.
fn parameters(i: &ReportInputs<'_>) -> Vec<(String, String)> {
    let p: &DetectParams = &i.settings.run.detection;
    let c = &i.settings.run.comparison;
    let unit = i.set.measure_name();
    let mut lines = vec![
        ("Method".to_string(), format!("{} (auto = nb: predictive negative binomial with estimated dispersion)", p.method.name())),
        ("Significance and false-discovery level (alpha)".into(), p.level().to_string()),
        ("Multiple testing".into(), "Benjamini-Hochberg across the regions judged each week".into()),
        ("Alarm rule".into(), format!("observed above the upper bound, q <= alpha, and at least {} {unit} in the last 4 weeks", p.min_count)),
        ("nb baseline".into(), format!("{} weeks after a {}-week guard", p.baseline_weeks.unwrap_or(26), p.guard_weeks)),
        ("Noufaily / Farrington".into(), "b = 4 years, w = 3, surveillance's improved / original presets".into()),
        ("Region level".into(), i.set.region_columns.join(" > ")),
        ("Week".into(), format!("starts on {}", i.set.week_start.name())),
        ("Comparison".into(), format!("{} against {}: {}, test {}, {}% intervals", c.period, c.against, c.test.description(), c.test.name(), format_stat(Some(100.0 * i.setup.level())))),
    ];
    if let Some(k) = &i.settings.clusters {
        lines.push(("Space-time clusters".into(), format!("prospective space-time permutation scan (Kulldorff et al. 2005, as SaTScan): study period {} weeks, windows up to {} weeks, circles up to {} km and half the events, {} replications, seed {}, at least {} events", k.study_weeks, k.max_weeks, format_number(k.max_radius_km), k.replications, k.seed, k.min_events)));
    }
    lines
}

/// Builds the report model.
///
/// # Panics
/// If the series have no weeks (the caller checks first).
pub fn build(i: ReportInputs<'_>) -> ReportModel {
    let week = *i.set.weeks.last().expect("a week to report on");
    let unit = i.set.measure_name();
    let previous_alerts: HashSet<String> = i
        .previous
        .map(|p| p.alerts.iter().map(|a| a.name.clone()).collect())
        .unwrap_or_default();
    let alerts = alerts(&i, &previous_alerts);
    let current: HashSet<&str> = alerts.iter().map(|a| a.name.as_str()).collect();
    let mut ended: Vec<String> = previous_alerts
        .iter()
        .filter(|n| !current.contains(n.as_str()))
        .cloned()
        .collect();
    ended.sort();
    let judged = RegionCounts::of(i.latest, i.settings.run.detection.min_count).judged;
    let (rows, total) = i.comparison;
    ReportModel {
        title: i.settings.title.clone(),
        as_of: i.as_of,
        week,
        week_label: iso_week_label(week),
        source: i.input.name.clone(),
        unit: unit.clone(),
        region_columns: i.set.region_columns.clone(),
        regions_judged: judged,
        summary: summary(week, judged, &alerts, &i),
        highlights: alerts
            .iter()
            .take(5)
            .map(|a| {
                let mut s = super::alert_sentence(a, week, &unit);
                if let Some(d) = i.drilldown.iter().find(|d| d.name == a.name) {
                    s.push_str(&mostly(d, &unit));
                }
                s
            })
            .collect(),
        ended,
        previous_report: i.previous.map(|p| p.label.clone()),
        overview_chart: i.charts.overview.clone(),
        heatmap_chart: i.charts.heatmap.clone(),
        comparison: ComparisonSection {
            period: i.setup.period,
            against: i.setup.against,
            test: i.setup.test.name().into(),
            test_description: i.setup.test.description().into(),
            ci_level: i.setup.level(),
            regions: rows.to_vec(),
            // Display names (a constant country level is dropped) for the report's table.
            names: rows.iter().map(|c| i.names[&c.region].clone()).collect(),
            total: total.clone(),
            chart: i.charts.comparison.clone(),
        },
        parameters: parameters(&i),
        drivers: i.drivers,
        drivers_column: i.drivers_column,
        actor_drivers: i.actor_drivers,
        drilldown: i.drilldown,
        notable: i.notable,
        notable_missing: i.notable_missing,
        map_chart: i.charts.map.clone(),
        clusters: i
            .clusters
            .map(|(c, notable)| clusters_section(c, notable, &i.set.region_columns, &unit)),
        year_to_date: i.year_to_date.map(|(period, against, total)| YearToDate {
            sentence: ytd_sentence(&period, &against, &total, &unit),
            period,
            against,
            total,
        }),
        max_rows: i.settings.max_rows,
        min_count: i.settings.run.detection.min_count,
        inputs: vec![i.input],
        quality: i.quality.clone(),
        short_history: i
            .latest
            .iter()
            .filter(|f| f.reason.is_short_history())
            .map(|f| i.names[&f.region].clone())
            .collect(),
        revisions: i
            .previous
            .map(|p| revisions(p, i.set, i.names))
            .unwrap_or_default(),
        notes: i.notes,
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: i.settings.command.clone(),
        findings: i.latest.to_vec(),
        alerts,
    }
}
