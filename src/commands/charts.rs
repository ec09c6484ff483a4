//! Builds chart specs from computed results (no statistics here beyond selecting and
//! arranging) and draws them, in parallel across regions.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::compare::Comparison;
use crate::detect::Finding;
use crate::model::{RegionKey, SeriesSet};
use crate::render::{
    self, ChartFormat, ComparisonRow, ComparisonSpec, HeatmapRow, HeatmapSpec, OverviewPanel,
    OverviewSpec, TrendSpec,
};

/// Display names for regions: coarse levels shared by every region (one country) are dropped,
/// and control characters (newlines, NUL) become spaces, as no font draws them.
pub fn display_names(regions: &[RegionKey]) -> HashMap<RegionKey, String> {
    let depth = regions.iter().map(Vec::len).min().unwrap_or(0);
    let mut skip = 0;
    while skip + 1 < depth && regions.iter().all(|r| r[skip] == regions[0][skip]) {
        skip += 1;
    }
    regions
        .iter()
        .map(|r| {
            let name = if r.is_empty() {
                "All".to_string()
            } else {
                r[skip..].join(" / ")
            };
            let name = name
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            (r.clone(), name)
        })
        .collect()
}

/// What the detect charts need besides the findings.
pub struct DetectCharts<'a> {
    /// The series (for observed values).
    pub set: &'a SeriesSet,
    /// Findings over the chart window (every region, every week of the window).
    pub findings: &'a [Finding],
    /// Method name and settings for subtitles.
    pub method_note: String,
    /// Image formats.
    pub format: ChartFormat,
    /// Draw trend charts only for these regions (all when `None`).
    pub trend_regions: Option<&'a [RegionKey]>,
}

/// The files `write_detect_charts` wrote.
#[derive(Debug, Default)]
pub struct ChartFiles {
    /// Each region's trend chart (the first format's file).
    pub trend: Vec<(RegionKey, PathBuf)>,
    /// The overview, in each format.
    pub overview: Vec<PathBuf>,
    /// The heat map, in each format.
    pub heatmap: Vec<PathBuf>,
}

/// A region's per-week values over the chart window.
struct WeekValues {
    expected: Vec<Option<f64>>,
    upper: Vec<Option<f64>>,
    alarm: Vec<bool>,
    /// The heat map's signal: (observed + ½)/(expected + ½), not the findings' ratio.
    signal: Vec<Option<f64>>,
}

/// Writes the trend chart of every region, the overview and the heat map into `dir`.
///
/// # Errors
/// The directory cannot be created or a chart cannot be written.
pub fn write_detect_charts(dir: &Path, c: &DetectCharts<'_>) -> anyhow::Result<ChartFiles> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the chart directory {}", dir.display()))?;
    let unit = c.set.measure_name();
    let names = display_names(
        &c.set
            .series
            .iter()
            .map(|s| s.region.clone())
            .collect::<Vec<_>>(),
    );
    let mut windows: HashMap<&RegionKey, Vec<&Finding>> = HashMap::new();
    for f in c.findings {
        windows.entry(&f.region).or_default().push(f);
    }
    let Some(first) = c.findings.iter().map(|f| f.week_start).min() else {
        return Ok(ChartFiles::default());
    };
    let start = c.set.weeks.iter().position(|w| *w == first).unwrap_or(0);
    let weeks = c.set.weeks[start..].to_vec();
    let per_week = |region: &RegionKey| -> WeekValues {
        let mut expected = vec![None; weeks.len()];
        let mut upper = vec![None; weeks.len()];
        let mut alarm = vec![false; weeks.len()];
        let mut signal = vec![None; weeks.len()];
        if let Some(w) = windows.get(region) {
            for f in w {
                if let Some(i) = weeks.iter().position(|d| *d == f.week_start) {
                    expected[i] = f.judgement.expected;
                    upper[i] = f.judgement.upperbound;
                    alarm[i] = f.alarm;
                    // Smoothed for display: (observed + ½)/(expected + ½).
                    signal[i] = f
                        .judgement
                        .expected
                        .map(|e| (f.judgement.observed + 0.5) / (e + 0.5));
                }
            }
        }
        WeekValues {
            expected,
            upper,
            alarm,
            signal,
        }
    };
    let measure = c.set.measure();
    let mut taken = HashSet::new();
    let jobs: Vec<(RegionKey, String, TrendSpec)> = c
        .set
        .series
        .iter()
        .filter(|s| c.trend_regions.is_none_or(|only| only.contains(&s.region)))
        .map(|s| {
            let WeekValues {
                expected,
                upper,
                alarm,
                ..
            } = per_week(&s.region);
            let name = names[&s.region].clone();
            let stem = format!("trend-{}", render::file_stem(&name, &mut taken));
            let spec = TrendSpec {
                title: name,
                subtitle: format!(
                    "{unit} per week; method {}; {}; latest week {}",
                    windows
                        .get(&s.region)
                        .and_then(|w| w.last())
                        .map_or("none", |f| f.method.name()),
                    c.method_note,
                    weeks.last().map(|d| d.to_string()).unwrap_or_default()
                ),
                y_label: format!("{unit} per week"),
                weeks: weeks.clone(),
                observed: s.values(measure)[start..].to_vec(),
                expected,
                upper,
                alarm,
                as_of: weeks.len().checked_sub(1),
            };
            (s.region.clone(), stem, spec)
        })
        .collect();
    let trend: Vec<(RegionKey, PathBuf)> = jobs
        .par_iter()
        .map(|(region, stem, spec)| {
            render::draw_trend(spec, dir, stem, c.format)
                .map(|paths| (region.clone(), paths.into_iter().next().unwrap_or_default()))
        })
        .collect::<crate::Result<_>>()?;

    // Ordering by latest signal: alarms first, then by q/p, then by recent activity.
    let latest = *weeks.last().expect("non-empty window");
    let mut latest_findings: Vec<&Finding> = c
        .findings
        .iter()
        .filter(|f| f.week_start == latest)
        .collect();
    latest_findings.sort_by(|a, b| crate::detect::significance_cmp(a, b));
    // Each region's values over the window, looked up by region (not searched per use).
    let window_values: HashMap<&RegionKey, &[f64]> = c
        .set
        .series
        .iter()
        .map(|s| (&s.region, &s.values(measure)[start..]))
        .collect();
    let activity = |r: &RegionKey| -> f64 { window_values.get(r).map_or(0.0, |v| v.iter().sum()) };
    let mut order: Vec<&RegionKey> = latest_findings
        .iter()
        .filter(|f| f.alarm)
        .map(|f| &f.region)
        .collect();
    let mut rest: Vec<&RegionKey> = c
        .set
        .series
        .iter()
        .map(|s| &s.region)
        .filter(|r| !order.contains(r))
        .collect();
    rest.sort_by(|a, b| activity(b).total_cmp(&activity(a)).then(a.cmp(b)));
    order.extend(rest);

    let panels: Vec<OverviewPanel> = order
        .iter()
        .map(|r| {
            let WeekValues { upper, alarm, .. } = per_week(r);
            let latest_ratio = latest_findings
                .iter()
                .find(|f| &f.region == *r)
                .and_then(|f| f.ratio);
            let ratio = match latest_ratio {
                Some(x) if x.is_infinite() => " (latest ∞× expected)".to_string(),
                Some(x) => format!(" (latest {x:.1}× expected)"),
                None => String::new(),
            };
            OverviewPanel {
                title: format!("{}{ratio}", names[*r]),
                observed: window_values[*r].to_vec(),
                alarm,
                upper,
            }
        })
        .collect();
    let shown = panels.len().min(render::overview_max_panels());
    let overview = OverviewSpec {
        title: format!(
            "Regions with alarms, then the most active ({} weeks)",
            weeks.len()
        ),
        subtitle: format!(
            "{unit} per week; vermillion = alarm week, dashed = alarm threshold; {}",
            c.method_note
        ),
        weeks: weeks.clone(),
        not_shown: panels.len() - shown,
        panels,
    };
    let overview_paths = render::draw_overview(&overview, dir, "overview", c.format)?;

    let rows: Vec<HeatmapRow> = order
        .iter()
        .map(|r| {
            let WeekValues { alarm, signal, .. } = per_week(r);
            HeatmapRow {
                name: names[*r].clone(),
                signal,
                observed: window_values[*r].to_vec(),
                alarm,
            }
        })
        .collect();
    let shown = rows.len().min(render::heatmap_max_rows());
    let heat = HeatmapSpec {
        title: format!("Observed against expected, by region and week ({unit})"),
        subtitle: format!("rows sorted by the latest week's signal; {}", c.method_note),
        weeks,
        not_shown: rows.len() - shown,
        rows,
    };
    let heat_paths = render::draw_heatmap(&heat, dir, "heatmap", c.format)?;
    Ok(ChartFiles {
        trend,
        overview: overview_paths,
        heatmap: heat_paths,
    })
}

/// Writes the comparison chart into `dir`.
///
/// # Errors
/// The directory cannot be created or the chart cannot be written.
pub fn write_comparison_chart(
    dir: &Path,
    rows: &[Comparison],
    title: &str,
    subtitle: &str,
    format: ChartFormat,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the chart directory {}", dir.display()))?;
    let names = display_names(&rows.iter().map(|r| r.region.clone()).collect::<Vec<_>>());
    // Only regions with enough events to say something (the threshold of the "too few
    // events" verdict), significant ones first; the subtitle says how many were left out.
    use crate::compare::Verdict;
    let significant = |r: &Comparison| r.verdict.significant();
    let drawable: Vec<&Comparison> = rows
        .iter()
        .filter(|r| {
            !matches!(
                r.verdict,
                Verdict::TooFewEvents | Verdict::TooFewWeeks | Verdict::NotCovered
            )
        })
        .collect();
    let left_out = rows.len() - drawable.len();
    let ordered: Vec<&Comparison> = drawable
        .iter()
        .filter(|r| significant(r))
        .chain(drawable.iter().filter(|r| !significant(r)))
        .copied()
        .collect();
    let subtitle = if left_out > 0 {
        format!(
            "{subtitle}; {left_out} region{} with too few events left out",
            if left_out == 1 { "" } else { "s" }
        )
    } else {
        subtitle.to_string()
    };
    let chart_rows: Vec<ComparisonRow> = ordered
        .into_iter()
        .map(|r| ComparisonRow {
            name: match r.test.rate_ratio {
                Some(x) if x.is_infinite() => format!("{} (none before)", names[&r.region]),
                Some(0.0) => format!("{} (none in period)", names[&r.region]),
                _ => names[&r.region].clone(),
            },
            ratio: r.test.rate_ratio,
            low: r.test.ci_low,
            high: r.test.ci_high,
            significant: r.verdict.significant(),
        })
        .collect();
    let shown = chart_rows.len().min(render::comparison_max_rows());
    let spec = ComparisonSpec {
        title: title.into(),
        subtitle,
        not_shown: chart_rows.len() - shown,
        rows: chart_rows,
    };
    Ok(render::draw_comparison(&spec, dir, "comparison", format)?)
}

/// Draws the cluster scan on the event map (`clusters.png`/`.svg` in `dir`); returns the first
/// file written.
///
/// # Errors
/// No event with coordinates, or drawing fails.
pub fn write_cluster_map(
    dir: &Path,
    loaded: &super::Loaded,
    scanned: &crate::clusters::ClusterScan,
    format: ChartFormat,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the chart directory {}", dir.display()))?;
    let spec = crate::analysis::map::cluster_map_spec(&loaded.incidents, scanned, CLUSTER_ALPHA)
        .map_err(|e| anyhow::anyhow!(e.note()))?;
    let files = crate::render::draw_map(&spec, dir, "clusters", format)?;
    files.into_iter().next().context("no chart format to write")
}

/// Clusters drawn on maps have p at most this.
pub const CLUSTER_ALPHA: f64 = 0.05;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_drop_shared_levels_and_control_characters() {
        let regions: Vec<RegionKey> = vec![
            vec!["Syria".into(), "North\nEast".into()],
            vec!["Syria".into(), "nul\0byte".into()],
        ];
        let names = display_names(&regions);
        assert_eq!(names[&regions[0]], "North East");
        assert_eq!(names[&regions[1]], "nul byte");
    }
}
