//! The previous report in the same output root, read back as a typed summary: which regions
//! alerted (for new/continuing/ended alerts) and the last weeks of counts (to list data
//! revisions). A missing or unreadable previous report is simply no history.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::Revision;
use crate::model::{RegionKey, SeriesSet};

/// Weeks of counts kept in report.json to detect revisions in the next run.
pub const TAIL_WEEKS: usize = 12;

/// What this run needs from the previous report's `report.json`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PreviousReport {
    /// Its week label (directory name).
    #[serde(skip)]
    pub label: String,
    /// Its alerts.
    #[serde(default)]
    pub alerts: Vec<PreviousAlert>,
    /// Its last weeks of counts per region (display name → (week, value)).
    #[serde(default)]
    pub series_tail: BTreeMap<String, Vec<(NaiveDate, f64)>>,
}

/// One alert of the previous report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PreviousAlert {
    /// The region's display name.
    pub name: String,
}

/// The latest report in `root` before week `label`, if there is a readable one.
pub fn previous_report(root: &Path, label: &str) -> Option<PreviousReport> {
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
    let mut report: PreviousReport = serde_json::from_str(&text).ok()?;
    report.label = prev;
    Some(report)
}

/// Every region's last [`TAIL_WEEKS`] weeks of counts, by display name.
pub fn series_tail(
    set: &SeriesSet,
    names: &std::collections::HashMap<RegionKey, String>,
) -> BTreeMap<String, Vec<(NaiveDate, f64)>> {
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

/// Weeks whose count changed since the previous report (ACLED and UCDP revise past events).
pub fn revisions(
    prev: &PreviousReport,
    tail: &BTreeMap<String, Vec<(NaiveDate, f64)>>,
) -> Vec<Revision> {
    let mut out = Vec::new();
    for (name, weeks) in tail {
        let Some(before) = prev.series_tail.get(name) else {
            continue;
        };
        for &(week, value) in before {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_earlier_report_is_read_and_revisions_found() {
        let root = tempfile::tempdir().unwrap();
        for (label, tail) in [("2019-W45", 3.0), ("2019-W46", 4.0), ("2019-W48", 9.0)] {
            let dir = root.path().join(label);
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(
                dir.join("report.json"),
                format!(
                    r#"{{"alerts": [{{"name": "Idlib", "observed": 3}}], "series_tail": {{"Idlib": [["2019-11-04", {tail}]]}}, "other": 1}}"#
                ),
            )
            .unwrap();
        }
        let prev = previous_report(root.path(), "2019-W47").unwrap();
        assert_eq!(prev.label, "2019-W46");
        assert_eq!(prev.alerts[0].name, "Idlib");
        let d = NaiveDate::from_ymd_opt(2019, 11, 4).unwrap();
        let now = BTreeMap::from([("Idlib".to_string(), vec![(d, 6.0)])]);
        let rev = revisions(&prev, &now);
        assert_eq!(rev.len(), 1);
        assert_eq!((rev[0].before, rev[0].now), (4.0, 6.0));
        assert!(previous_report(root.path(), "2019-W45").is_none());
        // An unreadable previous report is no history.
        std::fs::write(root.path().join("2019-W46/report.json"), "not json").unwrap();
        assert!(previous_report(root.path(), "2019-W47").is_none());
    }
}
