//! The archive: `OUT/index.html` and `OUT/index.md` list every week's report in the output
//! root, newest first, with its alerts (how many, how many new, which regions) and links, above
//! a chart of alerts per week and of the total weekly count across all the weeks on record
//! (`OUT/index.png`).
//!
//! Rebuilt after every run from the week folders' `report.json` files alone, so deleting a
//! week's folder and rerunning gives an index of what exists. index.html is self-contained
//! like report.html (the chart as a `data:` URI, the same style and Content-Security-Policy);
//! it links to each week's report.html and report.md. Every file is written atomically.

use std::path::{Path, PathBuf};

use base64::Engine;
use chrono::NaiveDate;
use serde::Deserialize;

use super::html::{escape, page_start, Images, PAGE_END};
use crate::error::Result;
use crate::export::markdown::{self, Align};
use crate::render::{ArchiveSpec, ArchiveWeek, ChartFormat};

/// What the index needs of a report.json (older reports without a field still list).
#[derive(Debug, Deserialize)]
struct Stored {
    title: String,
    week: NaiveDate,
    week_label: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    alerts: Vec<StoredAlert>,
    #[serde(default)]
    findings: Vec<StoredFinding>,
}

#[derive(Debug, Deserialize)]
struct StoredAlert {
    name: String,
    #[serde(default)]
    status: String,
}

#[derive(Debug, Deserialize)]
struct StoredFinding {
    #[serde(default)]
    observed: f64,
}

/// One week's report on record.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The folder name (`2019-W41`).
    pub label: String,
    /// First day of the week.
    pub week: NaiveDate,
    /// The report's title.
    pub title: String,
    /// Unit of the counts.
    pub unit: String,
    /// Alerting regions, as the report names them, new ones marked.
    pub alerts: Vec<(String, bool)>,
    /// All regions' count that week.
    pub total: f64,
}

/// Whether `name` is a week folder's name (`YYYY-Www`).
fn is_week_label(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && &b[4..6] == b"-W"
        && b[6..].iter().all(u8::is_ascii_digit)
}

/// The reports on record in `root`, newest first; folders without a readable report.json
/// are left out.
pub fn entries(root: &Path) -> Vec<Entry> {
    let Ok(dir) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<Entry> = dir
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let label = e.file_name().to_str()?.to_string();
            if !is_week_label(&label) || !e.path().is_dir() {
                return None;
            }
            let bytes = std::fs::read(e.path().join("report.json")).ok()?;
            let s: Stored = serde_json::from_slice(&bytes).ok()?;
            (s.week_label == label).then(|| Entry {
                label,
                week: s.week,
                title: s.title,
                unit: if s.unit.is_empty() {
                    "events".into()
                } else {
                    s.unit
                },
                alerts: s
                    .alerts
                    .into_iter()
                    .map(|a| (a.name, a.status == "new"))
                    .collect(),
                total: s.findings.iter().map(|f| f.observed).sum(),
            })
        })
        .collect();
    out.sort_by(|a, b| b.week.cmp(&a.week).then(b.label.cmp(&a.label)));
    out
}

/// Rebuilds `root/index.md`, `root/index.html` and `root/index.png`; returns the paths
/// written (none when no report is on record: then stale index files are removed).
///
/// # Errors
/// A file cannot be written or the chart cannot be drawn.
pub fn rebuild(root: &Path) -> Result<Vec<PathBuf>> {
    let entries = entries(root);
    let files = [
        root.join("index.md"),
        root.join("index.html"),
        root.join("index.png"),
    ];
    if entries.is_empty() {
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        return Ok(Vec::new());
    }
    let title = &entries[0].title;
    let unit = &entries[0].unit;
    let spec = ArchiveSpec {
        title: format!("{title}: every weekly report"),
        subtitle: format!(
            "{} weeks on record, {} to {}",
            entries.len(),
            entries.last().map_or(String::new(), |e| e.week.to_string()),
            entries[0].week
        ),
        unit: unit.clone(),
        weeks: entries
            .iter()
            .rev()
            .map(|e| ArchiveWeek {
                week: e.week,
                alerts: e.alerts.len(),
                new: e.alerts.iter().filter(|a| a.1).count(),
                total: e.total,
            })
            .collect(),
    };
    crate::render::draw_archive(&spec, root, "index", ChartFormat::Png)?;
    let chart = std::fs::read(&files[2]).map_err(|source| crate::error::Error::Read {
        path: files[2].clone(),
        source,
    })?;
    crate::export::write_atomic(&files[0], markdown_index(&entries, &spec).as_bytes())?;
    crate::export::write_atomic(&files[1], html_index(&entries, &spec, &chart).as_bytes())?;
    Ok(files.to_vec())
}

/// "Events" for "events".
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// "Homs (new), Idlib".
fn regions(alerts: &[(String, bool)]) -> Vec<String> {
    alerts
        .iter()
        .map(|(name, new)| {
            if *new {
                format!("{name} (new)")
            } else {
                name.clone()
            }
        })
        .collect()
}

fn markdown_index(entries: &[Entry], spec: &ArchiveSpec) -> String {
    let mut o = format!(
        "# {}\n\n{}.\n\n![Alerts per week and all regions' weekly count](index.png)\n\n",
        markdown::escape(&spec.title),
        markdown::escape(&spec.subtitle)
    );
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                format!("[{}]({}/report.md)", e.label, e.label),
                e.week.to_string(),
                e.alerts.len().to_string(),
                e.alerts.iter().filter(|a| a.1).count().to_string(),
                crate::format::format_number(e.total),
                regions(&e.alerts)
                    .iter()
                    .map(|r| markdown::escape(r))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    let total_header = format!(
        "{} (all regions)",
        markdown::escape(&capitalised(&spec.unit))
    );
    o.push_str(&markdown::table(
        &[
            "Report",
            "Week of",
            "Alerts",
            "New",
            &total_header,
            "Regions alerting",
        ],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
        &rows,
    ));
    o
}

fn html_index(entries: &[Entry], spec: &ArchiveSpec, chart: &[u8]) -> String {
    let mut o = page_start(&spec.title, Images::DataUri);
    o.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
        escape(&spec.title),
        escape(&spec.subtitle)
    ));
    o.push_str(&format!(
        "<figure><img src=\"data:image/png;base64,{}\" alt=\"Alerts per week and all regions' weekly count\"><figcaption>Alerts per week (new ones darker) and all regions' {} per week.</figcaption></figure>\n",
        base64::engine::general_purpose::STANDARD.encode(chart),
        escape(&spec.unit)
    ));
    o.push_str("<div class=\"table\"><table>\n<thead><tr><th>Report</th><th>Week of</th><th class=\"num\">Alerts</th><th class=\"num\">New</th>");
    o.push_str(&format!(
        "<th class=\"num\">{} (all regions)</th><th>Regions alerting</th></tr></thead>\n<tbody>\n",
        escape(&capitalised(&spec.unit))
    ));
    for e in entries {
        let names = regions(&e.alerts)
            .iter()
            .map(|r| escape(r))
            .collect::<Vec<_>>()
            .join(", ");
        o.push_str(&format!(
            "<tr><td class=\"d\"><a href=\"{l}/report.html\">{l}</a> (<a href=\"{l}/report.md\">md</a>)</td><td class=\"d\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{names}</td></tr>\n",
            e.week,
            e.alerts.len(),
            e.alerts.iter().filter(|a| a.1).count(),
            crate::format::format_number(e.total),
            l = e.label,
        ));
    }
    o.push_str("</tbody></table></div>\n");
    o.push_str(
        "<footer>Made by uptick. Rebuilt from each week's report.json after every run.</footer>\n",
    );
    o.push_str(PAGE_END);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_week_folders_count() {
        assert!(is_week_label("2019-W41"));
        assert!(!is_week_label("2019-W4"));
        assert!(!is_week_label(".2019-W41.tmp-1"));
        assert!(!is_week_label("index.md"));
    }

    #[test]
    fn names_are_escaped_in_both_pages() {
        let e = Entry {
            label: "2019-W41".into(),
            week: NaiveDate::from_ymd_opt(2019, 10, 12).unwrap(),
            title: "T".into(),
            unit: "events".into(),
            alerts: vec![("<b>x</b> | [y](z)".into(), true)],
            total: 12.0,
        };
        let spec = ArchiveSpec {
            title: "T".into(),
            subtitle: "s".into(),
            unit: "events".into(),
            weeks: vec![],
        };
        let h = html_index(std::slice::from_ref(&e), &spec, b"png");
        assert!(h.contains("&lt;b&gt;x&lt;/b&gt; | [y](z) (new)"), "{h}");
        let m = markdown_index(&[e], &spec);
        assert!(m.contains("&lt;b>x&lt;/b> \\| \\[y\\](z) (new)"), "{m}");
    }
}
