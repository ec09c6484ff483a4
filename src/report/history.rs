//! The previous report in the same output root, read back as a typed summary: which regions
//! alerted (for new/continuing/ended alerts, from its `report.json`) and its last weeks of
//! counts (to list data revisions, from its `series.csv.gz`). A missing or unreadable
//! previous report is simply no history; unreadable counts are no revisions.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::Revision;
use crate::model::{RegionKey, SeriesSet};

/// Weeks of counts compared with the previous report to find revisions.
pub const TAIL_WEEKS: usize = 12;

/// What this run needs from the previous report.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PreviousReport {
    /// Its week label (directory name).
    #[serde(skip)]
    pub label: String,
    /// Its alerts.
    #[serde(default)]
    pub alerts: Vec<PreviousAlert>,
    /// Its last [`TAIL_WEEKS`] weeks of counts of this run's measure, by region.
    #[serde(skip)]
    pub tail: BTreeMap<RegionKey, Vec<(NaiveDate, f64)>>,
}

/// One alert of the previous report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PreviousAlert {
    /// The region's display name.
    pub name: String,
}

/// The latest report in `root` before week `label`, if there is a readable one, with its
/// counts of `set`'s measure when its series were split by the same region columns.
pub fn previous_report(root: &Path, label: &str, set: &SeriesSet) -> Option<PreviousReport> {
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
    let dir = root.join(&prev);
    let text = std::fs::read_to_string(dir.join("report.json")).ok()?;
    let mut report: PreviousReport = serde_json::from_str(&text).ok()?;
    report.label = prev;
    report.tail = read_tail(&dir.join("series.csv.gz"), set).unwrap_or_default();
    Some(report)
}

/// The last [`TAIL_WEEKS`] weeks of `set`'s measure in a report's `series.csv.gz`; `None`
/// when it is missing, unreadable or split by other region columns.
fn read_tail(path: &Path, set: &SeriesSet) -> Option<BTreeMap<RegionKey, Vec<(NaiveDate, f64)>>> {
    let mut csv = csv::Reader::from_reader(flate2::read::GzDecoder::new(
        std::fs::File::open(path).ok()?,
    ));
    let header: Vec<String> = csv.headers().ok()?.iter().map(str::to_string).collect();
    let first = if header.get(1).is_some_and(|h| h == "iso_week") {
        2
    } else {
        1
    };
    let after = first + set.region_columns.len();
    if header.get(first..after)? != set.region_columns.as_slice() {
        return None;
    }
    let value = after
        + header[after..]
            .iter()
            .position(|h| *h == set.measure_name())?;
    let mut by_region: BTreeMap<RegionKey, Vec<(NaiveDate, f64)>> = BTreeMap::new();
    for row in csv.records() {
        let row = row.ok()?;
        let week = NaiveDate::parse_from_str(row.get(0)?, "%Y-%m-%d").ok()?;
        let v: f64 = row.get(value)?.parse().ok()?;
        let key = (first..after).map(|c| row[c].to_string()).collect();
        by_region.entry(key).or_default().push((week, v));
    }
    let mut weeks: Vec<NaiveDate> = by_region.values().flatten().map(|(w, _)| *w).collect();
    weeks.sort_unstable();
    weeks.dedup();
    let cut = *weeks.get(weeks.len().saturating_sub(TAIL_WEEKS))?;
    for rows in by_region.values_mut() {
        rows.retain(|(w, _)| *w >= cut);
    }
    Some(by_region)
}

/// Weeks whose count changed since the previous report (ACLED and UCDP revise past events),
/// among the last [`TAIL_WEEKS`] weeks of both, by region name and week.
pub fn revisions(
    prev: &PreviousReport,
    set: &SeriesSet,
    names: &std::collections::HashMap<RegionKey, String>,
) -> Vec<Revision> {
    let start = set.weeks.len().saturating_sub(TAIL_WEEKS);
    let weeks = &set.weeks[start..];
    let m = set.measure();
    let mut out = Vec::new();
    for s in &set.series {
        let Some(before) = prev.tail.get(&s.region) else {
            continue;
        };
        let now = &s.values(m)[start..];
        for &(week, value) in before {
            if let Ok(i) = weeks.binary_search(&week) {
                if (now[i] - value).abs() > 1e-9 {
                    out.push(Revision {
                        name: names[&s.region].clone(),
                        week,
                        before: value,
                        now: now[i],
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.week.cmp(&b.week)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{WeekStart, WeeklySeries};

    fn set(weeks: &[NaiveDate], idlib: Vec<f64>) -> SeriesSet {
        SeriesSet {
            region_columns: vec!["country".into(), "admin1".into()],
            weeks: weeks.to_vec(),
            week_start: WeekStart::Mon,
            weight_name: None,
            series: vec![WeeklySeries {
                region: vec!["Syria".into(), "Idlib".into()],
                start: 0,
                events: idlib,
                fatalities: None,
                weight: None,
            }],
        }
    }

    #[test]
    fn the_latest_earlier_report_is_read_and_revisions_found() {
        let root = tempfile::tempdir().unwrap();
        let monday = |d| NaiveDate::from_ymd_opt(2019, 11, d).unwrap();
        let weeks = [monday(4), monday(11)];
        for (label, count) in [("2019-W45", 3.0), ("2019-W46", 4.0), ("2019-W48", 9.0)] {
            let dir = root.path().join(label);
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(
                dir.join("report.json"),
                r#"{"alerts": [{"name": "Idlib", "observed": 3}], "other": 1}"#,
            )
            .unwrap();
            let csv = crate::export::csv::series_csv(&set(&weeks, vec![count, 1.0])).unwrap();
            std::fs::write(
                dir.join("series.csv.gz"),
                crate::export::gzip(&csv).unwrap(),
            )
            .unwrap();
        }
        // This week's data: 2019-11-04 revised from 4 to 6, 2019-11-11 unchanged.
        let now = set(&[monday(4), monday(11), monday(18)], vec![6.0, 1.0, 2.0]);
        let names =
            std::collections::HashMap::from([(now.series[0].region.clone(), "Idlib".to_string())]);
        let prev = previous_report(root.path(), "2019-W47", &now).unwrap();
        assert_eq!(prev.label, "2019-W46");
        assert_eq!(prev.alerts[0].name, "Idlib");
        let rev = revisions(&prev, &now, &names);
        assert_eq!(rev.len(), 1);
        assert_eq!(
            (rev[0].week, rev[0].before, rev[0].now),
            (monday(4), 4.0, 6.0)
        );
        assert!(previous_report(root.path(), "2019-W45", &now).is_none());
        // Series split by other columns give alerts but no revisions.
        let mut other = now.clone();
        other.region_columns = vec!["country".into(), "admin2".into()];
        let prev = previous_report(root.path(), "2019-W47", &other).unwrap();
        assert!(prev.tail.is_empty() && revisions(&prev, &other, &names).is_empty());
        // Unreadable counts are no revisions; an unreadable report is no history.
        std::fs::write(root.path().join("2019-W46/series.csv.gz"), "not gzip").unwrap();
        let prev = previous_report(root.path(), "2019-W47", &now).unwrap();
        assert!(revisions(&prev, &now, &names).is_empty());
        std::fs::write(root.path().join("2019-W46/report.json"), "not json").unwrap();
        assert!(previous_report(root.path(), "2019-W47", &now).is_none());
    }
}
