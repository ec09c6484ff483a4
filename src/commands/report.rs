//! `uptick report`: config → load → detect → compare → drivers → charts → report.md/json,
//! written into a temporary directory and moved into `ROOT/YYYY-Www/` in one rename, under a
//! lock file so two runs on one output root cannot interleave.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use sha2::{Digest, Sha256};

use crate::cli::{GlobalArgs, ReportArgs};
use crate::commands::ExitStatus;
use crate::config::Config;
use crate::detect::{self, Finding, Selection};
use crate::ingest::{Incidents, Preset, Source};
use crate::model::{iso_week_label, Measure, RegionKey, SeriesSet};
use crate::report::{
    self, Alert, ComparisonSection, DriverItem, Drivers, InputFile, ReportModel, Revision,
};
use crate::settings::ReportSettings;
use crate::{compare, export, format};

/// Weeks of counts kept in report.json to detect revisions in the next run.
const TAIL_WEEKS: usize = 12;
/// Baseline weeks used to apportion the expected count among categories (drivers).
const DRIVER_BASELINE_WEEKS: i64 = 26;

/// Holds the output root's lock file; removes it when dropped.
struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn lock(root: &Path) -> anyhow::Result<Lock> {
    let path = root.join(".uptick.lock");
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write;
                let _ = writeln!(f, "{}", std::process::id());
                return Ok(Lock(path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let pid = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|s| s.trim().parse::<u32>().ok());
                let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
                if alive || pid.is_none() && cfg!(not(target_os = "linux")) {
                    return Err(anyhow!(
                        "another uptick report is running on {} (pid {}); lock file {}",
                        root.display(),
                        pid.map_or("unknown".into(), |p| p.to_string()),
                        path.display()
                    ));
                }
                // The holder died (killed run): the lock is stale.
                let _ = std::fs::remove_file(&path);
            }
            Err(e) => {
                return Err(anyhow!(e).context(format!("creating the lock file {}", path.display())))
            }
        }
    }
    Err(anyhow!("could not take the lock file {}", path.display()))
}

/// Removes temporary directories left by killed runs. A previous report that a killed run had
/// moved aside (only possible where the atomic exchange is unsupported) is put back first.
fn clean_leftovers(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(label) = name
            .strip_prefix('.')
            .and_then(|n| n.split_once(".old-"))
            .map(|(l, _)| l.to_string())
        {
            let target = root.join(&label);
            if !target.exists() && std::fs::rename(e.path(), &target).is_ok() {
                continue;
            }
        }
        if name.starts_with('.') && (name.contains(".tmp-") || name.contains(".old-")) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`); false where the
/// kernel or filesystem does not support it.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(a), Ok(b)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: both arguments are valid NUL-terminated paths for the duration of the call.
    unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        ) == 0
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// Puts the finished directory `tmp` at `target`. With a previous report there, the two are
/// exchanged in one atomic step where possible, so at every instant `target` is a complete
/// report; otherwise the old one is moved aside first (and restored by the next run if this
/// one is killed in between).
fn swap_into_place(tmp: &Path, target: &Path, aside: &Path) -> anyhow::Result<()> {
    if !target.exists() {
        return std::fs::rename(tmp, target)
            .with_context(|| format!("moving the new report into {}", target.display()));
    }
    if exchange(tmp, target) {
        let _ = std::fs::remove_dir_all(tmp);
        return Ok(());
    }
    std::fs::rename(target, aside)
        .with_context(|| format!("moving the previous {} aside", target.display()))?;
    if let Err(e) = std::fs::rename(tmp, target) {
        let _ = std::fs::rename(aside, target);
        return Err(anyhow!(e).context(format!("moving the new report into {}", target.display())));
    }
    let _ = std::fs::remove_dir_all(aside);
    Ok(())
}

fn sha256_of(source: &Source) -> anyhow::Result<String> {
    // Streamed: inputs can be larger than memory.
    let mut hasher = Sha256::new();
    match source {
        Source::File(p) => {
            let mut file = std::fs::File::open(p)
                .with_context(|| format!("reading {} for its checksum", p.display()))?;
            std::io::copy(&mut file, &mut hasher)
                .with_context(|| format!("reading {} for its checksum", p.display()))?;
        }
        Source::Memory { bytes, .. } => hasher.update(bytes),
    }
    Ok(crate::ingest::hex(&hasher.finalize()))
}

/// The previous report in the same root (the latest week label before this one), as JSON.
fn previous_report(root: &Path, label: &str) -> Option<(String, serde_json::Value)> {
    let mut labels: Vec<String> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.len() == 8 && n.as_bytes()[4] == b'-' && n.as_bytes()[5] == b'W' && n.as_str() < label
        })
        .collect();
    labels.sort();
    let prev = labels.pop()?;
    let text = std::fs::read_to_string(root.join(&prev).join("report.json")).ok()?;
    Some((prev, serde_json::from_str(&text).ok()?))
}

fn category_label(preset: Preset, column: &str, value: &str) -> String {
    if preset == Preset::UcdpGed && column == "type_of_violence" {
        match value {
            "1" => return "state-based conflict".into(),
            "2" => return "non-state conflict".into(),
            "3" => return "one-sided violence".into(),
            _ => {}
        }
    }
    if value.is_empty() {
        "(none)".into()
    } else {
        value.to_string()
    }
}

/// For each alarming region: observed per category this week against the region's expected
/// value split by each category's share of the previous 26 weeks.
fn drivers(
    incidents: &Incidents,
    measure: Measure,
    alerts: &[(RegionKey, String, f64)],
    week: chrono::NaiveDate,
) -> Vec<Drivers> {
    let (Some(types), Some(column)) =
        (&incidents.event_types, incidents.columns.event_types.last())
    else {
        return Vec::new();
    };
    let values: &[f64] = match measure {
        Measure::Events => &incidents.events,
        Measure::Fatalities => incidents.fatalities.as_deref().unwrap_or(&incidents.events),
        Measure::Weight => incidents.weight.as_deref().unwrap_or(&incidents.events),
    };
    let ws = incidents.week_start;
    let base_from = week - chrono::Duration::days(7 * DRIVER_BASELINE_WEEKS);
    alerts
        .iter()
        .filter_map(|(region, name, expected)| {
            let id = incidents.regions.iter().position(|r| r == region)? as u32;
            let mut now: BTreeMap<String, f64> = BTreeMap::new();
            let mut base: BTreeMap<String, f64> = BTreeMap::new();
            for i in 0..incidents.date.len() {
                if incidents.region[i] != id {
                    continue;
                }
                let w = ws.week_of(incidents.date[i]);
                let cat = category_label(
                    incidents.columns.preset,
                    column,
                    &types[incidents.kind[i] as usize],
                );
                if w == week {
                    *now.entry(cat).or_default() += values[i];
                } else if w >= base_from && w < week {
                    *base.entry(cat).or_default() += values[i];
                }
            }
            let base_total: f64 = base.values().sum();
            let cats: std::collections::BTreeSet<String> =
                now.keys().chain(base.keys()).cloned().collect();
            let mut items: Vec<DriverItem> = cats
                .into_iter()
                .map(|cat| {
                    let share = if base_total > 0.0 {
                        base.get(&cat).copied().unwrap_or(0.0) / base_total
                    } else {
                        0.0
                    };
                    let observed = now.get(&cat).copied().unwrap_or(0.0);
                    let exp = expected * share;
                    DriverItem {
                        category: cat,
                        observed,
                        expected: exp,
                        excess: observed - exp,
                    }
                })
                .collect();
            items.sort_by(|a, b| {
                b.excess
                    .total_cmp(&a.excess)
                    .then(a.category.cmp(&b.category))
            });
            items.truncate(6);
            Some(Drivers {
                name: name.clone(),
                column: column.clone(),
                items,
            })
        })
        .collect()
}

fn series_tail(
    set: &SeriesSet,
    names: &std::collections::HashMap<RegionKey, String>,
) -> BTreeMap<String, Vec<(chrono::NaiveDate, f64)>> {
    let start = set.weeks.len().saturating_sub(TAIL_WEEKS);
    let m = set.measure();
    set.series
        .iter()
        .map(|s| {
            (
                names[&s.region].clone(),
                set.weeks[start..]
                    .iter()
                    .copied()
                    .zip(s.values(m)[start..].iter().copied())
                    .collect(),
            )
        })
        .collect()
}

fn revisions(
    prev: &serde_json::Value,
    tail: &BTreeMap<String, Vec<(chrono::NaiveDate, f64)>>,
) -> Vec<Revision> {
    let mut out = Vec::new();
    let Some(prev_tail) = prev.get("series_tail").and_then(|t| t.as_object()) else {
        return out;
    };
    for (name, weeks) in tail {
        let Some(before) = prev_tail.get(name).and_then(|v| v.as_array()) else {
            continue;
        };
        for entry in before {
            let (Some(week), Some(value)) = (
                entry
                    .get(0)
                    .and_then(|w| w.as_str())
                    .and_then(|w| w.parse::<chrono::NaiveDate>().ok()),
                entry.get(1).and_then(serde_json::Value::as_f64),
            ) else {
                continue;
            };
            if let Some((_, now)) = weeks.iter().find(|(w, _)| *w == week) {
                if (now - value).abs() > 1e-9 {
                    out.push(Revision {
                        name: name.clone(),
                        week,
                        before: value,
                        now: *now,
                    });
                }
            }
        }
    }
    out
}

/// Runs `uptick report`.
///
/// # Errors
/// Configuration, loading, locking or writing failures; the previous report is never touched
/// unless the new one is complete.
pub fn run(args: ReportArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let quiet = global.quiet || !std::io::stderr().is_terminal();
    let config = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let s = ReportSettings::resolve(&args, &config)?;
    std::fs::create_dir_all(&s.root)
        .with_context(|| format!("creating the output root {}", s.root.display()))?;
    let _lock = lock(&s.root)?;
    clean_leftovers(&s.root);
    // A spinner on a terminal for the long steps; hidden under cron (same code path).
    let progress = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new_spinner()
    };
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    progress.set_message("loading the incidents");
    let loaded = super::load_checked(&s.run.input, true, true)?;
    progress.set_message("judging every region");
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
    let unit = set.measure_name();

    // Statistics first.
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
    let sums = super::compare::period_blocks(
        &loaded.incidents,
        set,
        &s.run.comparison.period,
        &s.run.comparison.against,
    )?;
    let setup = compare::ComparisonSetup {
        period: sums.period,
        against: sums.against,
        test: s.run.comparison.test,
        alpha: s.run.detection.level(),
    };
    let (comp_rows, comp_total) =
        compare::compare_regions(&sums.values, s.run.comparison.test, setup.alpha);
    let previous = previous_report(&s.root, &label);
    let prev_alerts: HashSet<String> = previous
        .as_ref()
        .and_then(|(_, v)| v.get("alerts")?.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a.get("name")?.as_str().map(str::to_string))
        .collect();

    // Everything is written into a temporary directory first.
    let tmp = s.root.join(format!(".{label}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    progress.set_message("drawing charts and writing the report");
    let result = (|| -> anyhow::Result<(ReportModel, usize)> {
        let charts_dir = tmp.join("charts");
        let alarm_regions: Vec<RegionKey> = latest
            .iter()
            .filter(|f| f.alarm)
            .map(|f| f.region.clone())
            .collect();
        let c = super::charts::DetectCharts {
            set,
            findings: &all,
            method_note: super::detect::method_note(&s.run.detection),
            format: s.run.charts.format,
            trend_regions: Some(&alarm_regions),
        };
        let files = super::charts::write_detect_charts(&charts_dir, &c)?;
        let comparison_chart = super::charts::write_comparison_chart(
            &charts_dir,
            &comp_rows,
            &format!(
                "Rate ratio by region, {} against {}",
                sums.period, sums.against
            ),
            &super::compare::comparison_subtitle(&setup, &unit),
            s.run.charts.format,
        )?;
        let rel = |p: &Path| -> Option<String> {
            p.file_name()
                .map(|n| format!("charts/{}", n.to_string_lossy()))
        };
        let alerts: Vec<Alert> = latest
            .iter()
            .filter(|f| f.alarm)
            .map(|f| {
                let name = names[&f.region].clone();
                Alert {
                    region: f.region.clone(),
                    status: if prev_alerts.contains(&name) {
                        "continuing".into()
                    } else {
                        "new".into()
                    },
                    chart: files
                        .trend
                        .iter()
                        .find(|(r, _)| *r == f.region)
                        .and_then(|(_, p)| rel(p)),
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
            .collect();
        let current: HashSet<&str> = alerts.iter().map(|a| a.name.as_str()).collect();
        let mut ended: Vec<String> = prev_alerts
            .iter()
            .filter(|n| !current.contains(n.as_str()))
            .cloned()
            .collect();
        ended.sort();
        let judged = latest.iter().filter(|f| f.judgement.note.is_none()).count();
        let mut summary = if alerts.is_empty() {
            format!("In the week of {week}, none of the {judged} regions judged rose significantly above its expected range.")
        } else {
            format!(
                "In the week of {week}, {} of the {judged} regions judged rose significantly above their expected range ({}).",
                alerts.len(),
                alerts.iter().map(|a| a.name.clone()).collect::<Vec<_>>().join(", ")
            )
        };
        let t = &comp_total;
        summary.push_str(&format!(
            " Across all regions, {} {unit} in {} compared with {} in {} ({} per week against {}): {}.",
            format::format_number(t.count),
            sums.period,
            format::format_number(t.count_against),
            sums.against,
            format::format_stat(Some(t.count / t.weeks)),
            format::format_stat(Some(t.count_against / t.weeks_against)),
            match t.verdict {
                compare::Verdict::Up => format!("a significant rise of {}", t.percent_change.map_or("n/a".into(), |p| format!("{p:.0}%"))),
                compare::Verdict::Down => format!("a significant fall of {}", t.percent_change.map_or("n/a".into(), |p| format!("{:.0}%", -p))),
                compare::Verdict::NoSignificantChange => "no significant change".into(),
                compare::Verdict::TooFewEvents => "too few events to compare".into(),
                compare::Verdict::TooFewWeeks => "too few weeks to compare".into(),
                compare::Verdict::NotCovered => "not covered by the data in both periods".into(),
            }
        ));
        let highlights: Vec<String> = alerts
            .iter()
            .take(5)
            .map(|a| report::alert_sentence(a, week, &unit))
            .collect();
        let alert_keys: Vec<(RegionKey, String, f64)> = alerts
            .iter()
            .map(|a| (a.region.clone(), a.name.clone(), a.expected.unwrap_or(0.0)))
            .collect();
        let tail = series_tail(set, &names);
        let mut notes = sums.notes.clone();
        notes.push(loaded.series_note.clone());
        if let Some(n) = super::stale_data_note(&loaded) {
            notes.push(n);
        }
        let p = &s.run.detection;
        let parameters = vec![
            ("Method".to_string(), format!("{} (auto = nb: predictive negative binomial with estimated dispersion)", p.method.name())),
            ("Significance and false-discovery level (alpha)".into(), p.level().to_string()),
            ("Multiple testing".into(), "Benjamini-Hochberg across the regions judged each week".into()),
            ("Alarm rule".into(), format!("observed above the upper bound, q <= alpha, and at least {} {unit} in the last 4 weeks", p.min_count)),
            ("nb baseline".into(), format!("{} weeks after a {}-week guard", p.baseline_weeks.unwrap_or(26), p.guard_weeks)),
            ("Noufaily / Farrington".into(), "b = 4 years, w = 3, surveillance's improved / original presets".into()),
            ("Region level".into(), set.region_columns.join(" > ")),
            ("Week".into(), format!("starts on {}", set.week_start.name())),
            ("Comparison".into(), format!("{} against {}: {}, test {}, {}% intervals", s.run.comparison.period, s.run.comparison.against, s.run.comparison.test.description(), s.run.comparison.test.name(), format::format_stat(Some(100.0 * setup.level())))),
        ];
        let model = ReportModel {
            title: s.title.clone(),
            as_of: loaded.spec.as_of,
            week,
            week_label: label.clone(),
            source: loaded.spec.source.display(),
            unit: unit.clone(),
            regions_judged: judged,
            summary,
            highlights,
            ended,
            previous_report: previous.as_ref().map(|(l, _)| l.clone()),
            overview_chart: files.overview.first().and_then(|p| rel(p)),
            heatmap_chart: files.heatmap.first().and_then(|p| rel(p)),
            comparison: ComparisonSection {
                period: sums.period,
                against: sums.against,
                test: s.run.comparison.test.name().into(),
                test_description: s.run.comparison.test.description().into(),
                ci_level: setup.level(),
                // Display names (a constant country level is dropped) for the report's table.
                regions: comp_rows
                    .iter()
                    .map(|c| compare::Comparison {
                        region: vec![names[&c.region].clone()],
                        ..c.clone()
                    })
                    .collect(),
                total: comp_total.clone(),
                chart: comparison_chart.first().and_then(|p| rel(p)),
            },
            drivers: drivers(&loaded.incidents, set.measure(), &alert_keys, week),
            inputs: vec![InputFile {
                name: loaded.spec.source.display(),
                sha256: match &loaded.incidents.sha256 {
                    Some(sum) => sum.clone(),
                    None => sha256_of(&loaded.spec.source)?,
                },
            }],
            quality: loaded.incidents.quality.clone(),
            short_history: latest
                .iter()
                .filter(|f| f.reason.is_short_history())
                .map(|f| names[&f.region].clone())
                .collect(),
            revisions: previous
                .as_ref()
                .map(|(_, v)| revisions(v, &tail))
                .unwrap_or_default(),
            notes,
            parameters,
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: s.command.clone(),
            findings: latest.clone(),
            series_tail: tail,
            alerts,
        };
        let md = crate::report::markdown::render(&model);
        export::write_atomic(&tmp.join("report.md"), md.as_bytes())?;
        export::write_atomic(&tmp.join("report.json"), &export::json_bytes(&model)?)?;
        export::write_atomic(
            &tmp.join("findings.csv"),
            &export::csv::findings_csv(&latest, &set.region_columns, &unit)?,
        )?;
        export::write_atomic(&tmp.join("series.csv"), &export::csv::series_csv(set)?)?;
        let n_alerts = model.alerts.len();
        Ok((model, n_alerts))
    })();
    let (model, n_alerts) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e.context(format!(
                "writing the report for {label} into {}",
                s.root.display()
            )));
        }
    };
    // Swap the finished directory into place.
    let target = s.root.join(&label);
    swap_into_place(
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
    Ok(if args.fail_on_alarm && n_alerts > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
