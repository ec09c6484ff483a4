//! Space-time clusters as a terminal table, CSV, JSON (`kind: "clusters"`) and markdown, and
//! each cluster in plain words.

use serde_json::{json, Value};

use crate::clusters::{ClusterScan, DescribedCluster};
use crate::error::Result;
use crate::format::{ellipsize, format_full, format_number, format_stat, without_controls};

use super::csv::write_csv;
use super::json::{document, region_object};
use super::markdown::{display_table, escape};
use super::table::align;
use super::DisplayTable;

/// Clusters with p at most this are told in words; the table lists them all.
pub const SENTENCE_ALPHA: f64 = 0.05;

/// The CSV columns, one row per cluster.
pub const CLUSTER_COLUMNS: [&str; 16] = [
    "rank",
    "place",
    "latitude",
    "longitude",
    "radius_km",
    "weeks",
    "from",
    "to",
    "observed",
    "expected",
    "ratio",
    "llr",
    "pvalue",
    "recurrence_weeks",
    "locations",
    "regions",
];

/// The place most of its events are at, or the centre's coordinates where the data name no
/// place.
fn place(c: &DescribedCluster) -> String {
    c.place
        .as_ref()
        .map(|(p, _)| p.clone())
        .unwrap_or_else(|| centre_text(c))
}

/// The centre: its place, or its coordinates.
fn centre_text(c: &DescribedCluster) -> String {
    c.centre_place
        .clone()
        .unwrap_or_else(|| format!("{:.2}°N {:.2}°E", c.centre.0, c.centre.1))
}

/// The regions a cluster touches, as "Name (events); ...", finest name of each.
fn regions_text(c: &DescribedCluster) -> String {
    c.regions
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                r.region.last().map_or("", String::as_str),
                r.events
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "about once in 20 years", "about once in 8 weeks", "about every week": the recurrence
/// interval of weekly reports in words.
pub fn recurrence_words(weeks: f64) -> String {
    let years = weeks / (365.2425 / 7.0);
    if years >= 1.0 {
        format!("about once in {} years", format_number(years.round()))
    } else if weeks >= 1.5 {
        format!("about once in {} weeks", format_number(weeks.round()))
    } else {
        "about every week".to_string()
    }
}

/// One cluster in plain words: "18 events within 49 km of Mattin village (16 at Tall Abyad
/// town) in the last week (2019-10-07 to 2019-10-13) against 0.75 expected (p = 0.001); by
/// chance about once in 19 years of weekly reports".
pub fn sentence(c: &DescribedCluster, unit: &str) -> String {
    let k = &c.cluster;
    let weeks = if k.weeks == 1 {
        "in the last week".to_string()
    } else {
        format!("in the last {} weeks", k.weeks)
    };
    let area = if k.radius_km > 0.0 {
        format!(
            "within {} km of {}",
            format_number(k.radius_km.round().max(1.0)),
            centre_text(c)
        )
    } else {
        format!("at {}", centre_text(c))
    };
    let most = match &c.place {
        Some((p, n)) if Some(p) != c.centre_place.as_ref() => format!(" ({n} at {p})"),
        _ => String::new(),
    };
    format!(
        "{} {unit} {} {weeks} ({} to {}) against {} expected (p = {}); by chance {} of weekly reports",
        format_number(k.observed as f64),
        without_controls(&format!("{area}{most}")),
        c.from,
        c.to,
        format_stat(Some(k.expected)),
        format_stat(Some(k.pvalue)),
        recurrence_words(k.recurrence_weeks())
    )
}

/// The cells of one cluster; `machine` keeps full precision.
fn cells(rank: usize, c: &DescribedCluster, machine: bool) -> Vec<String> {
    let k = &c.cluster;
    let number = if machine { format_full } else { format_stat };
    vec![
        rank.to_string(),
        place(c),
        format_full(Some(c.centre.0)),
        format_full(Some(c.centre.1)),
        number(Some(k.radius_km)),
        k.weeks.to_string(),
        c.from.to_string(),
        c.to.to_string(),
        k.observed.to_string(),
        number(Some(k.expected)),
        number(Some(k.ratio())),
        number(Some(k.llr)),
        number(Some(k.pvalue)),
        if machine || k.recurrence_weeks() < 100.0 {
            number(Some(k.recurrence_weeks()))
        } else {
            format_number(k.recurrence_weeks().round())
        },
        k.locations.len().to_string(),
        regions_text(c),
    ]
}

/// The first line of every format: what was scanned.
pub fn scan_summary(s: &ClusterScan) -> String {
    let p = &s.params;
    format!(
        "{} cluster(s) among {} events at {} locations; study period {} weeks ending with the week of {}, windows up to {} weeks, circles up to {} km, {} replications (seed {}){}",
        s.clusters.len(),
        s.coordinates.used,
        s.result.locations.len(),
        p.study_weeks,
        s.week,
        p.max_weeks,
        format_number(p.max_radius_km),
        p.replications,
        p.seed,
        if s.coordinates.without() > 0 {
            format!("; {} events without usable coordinates left out", s.coordinates.without())
        } else {
            String::new()
        }
    )
}

/// The clusters as a table for the terminal.
pub fn clusters_table(s: &ClusterScan) -> String {
    let header = [
        "#",
        "place",
        "radius km",
        "weeks",
        "observed",
        "expected",
        "ratio",
        "p",
        "recurrence wk",
        "regions",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for (i, c) in s.clusters.iter().enumerate() {
        let full = cells(i + 1, c, false);
        rows.push(vec![
            full[0].clone(),
            ellipsize(&without_controls(&full[1]), 32),
            full[4].clone(),
            full[5].clone(),
            full[8].clone(),
            full[9].clone(),
            full[10].clone(),
            full[12].clone(),
            full[13].clone(),
            ellipsize(&without_controls(&full[15]), 60),
        ]);
    }
    format!(
        "{}\n{}",
        scan_summary(s),
        align(&rows, |i| !matches!(i, 1 | 9))
    )
}

/// The clusters as CSV, full precision.
///
/// # Errors
/// Writing the CSV fails.
pub fn clusters_csv(s: &ClusterScan) -> Result<Vec<u8>> {
    let header: Vec<String> = CLUSTER_COLUMNS.iter().map(|c| c.to_string()).collect();
    write_csv(
        &header,
        s.clusters
            .iter()
            .enumerate()
            .map(|(i, c)| cells(i + 1, c, true)),
    )
}

/// One cluster (schema `$defs/cluster`).
pub fn cluster_record(c: &DescribedCluster, region_columns: &[String]) -> Value {
    let k = &c.cluster;
    json!({
        "place": c.place.as_ref().map(|(p, _)| p),
        "place_events": c.place.as_ref().map(|(_, n)| n),
        "centre_place": c.centre_place,
        "centre": {"latitude": c.centre.0, "longitude": c.centre.1},
        "radius_km": k.radius_km,
        "weeks": k.weeks,
        "from": c.from,
        "to": c.to,
        "observed": k.observed,
        "expected": k.expected,
        "ratio": k.ratio(),
        "llr": k.llr,
        "pvalue": k.pvalue,
        "recurrence_weeks": k.recurrence_weeks(),
        "locations": k.locations.len(),
        "regions": c.regions.iter().map(|r| json!({
            "region": region_object(region_columns, &r.region),
            "events": r.events,
        })).collect::<Vec<_>>(),
        "any_region_alarmed": c.any_region_alarmed,
    })
}

/// The fields of a scan (shared by `clusters --format json` and `report.json`).
pub fn scan_fields(s: &ClusterScan, region_columns: &[String]) -> Value {
    let p = &s.params;
    json!({
        "week_start": s.week,
        "study_weeks": p.study_weeks,
        "max_weeks": p.max_weeks,
        "max_radius_km": p.max_radius_km,
        "replications": p.replications,
        "seed": p.seed,
        "min_events": p.min_events,
        "events_used": s.coordinates.used,
        "events_without_coordinates": s.coordinates.without(),
        "locations": s.result.locations.len(),
        "statistic": s.result.statistic,
        "clusters": s.clusters.iter().map(|c| cluster_record(c, region_columns)).collect::<Vec<_>>(),
    })
}

/// The clusters as a JSON document (`kind: "clusters"`).
///
/// # Errors
/// Serialising fails.
pub fn clusters_json(s: &ClusterScan, region_columns: &[String], extra: Value) -> Result<Vec<u8>> {
    let mut fields = scan_fields(s, region_columns);
    if let (Value::Object(f), Value::Object(e)) = (&mut fields, extra) {
        f.extend(e);
    }
    super::json_bytes(&document("clusters", fields))
}

/// Every reported cluster as a display table (people's rounding).
pub fn clusters_display(s: &ClusterScan) -> DisplayTable {
    let header = [
        "#",
        "Place",
        "Radius (km)",
        "Weeks",
        "Observed",
        "Expected",
        "Ratio",
        "p",
        "Recurrence (weeks)",
        "Regions",
    ];
    let rows = s
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let f = cells(i + 1, c, false);
            vec![
                f[0].clone(),
                f[1].clone(),
                f[4].clone(),
                format!("{} to {}", f[6], f[7]),
                f[8].clone(),
                f[9].clone(),
                f[10].clone(),
                f[12].clone(),
                f[13].clone(),
                f[15].clone(),
            ]
        })
        .collect();
    let mut right = vec![true; header.len()];
    for text in [1, 3, 9] {
        right[text] = false;
    }
    DisplayTable {
        header: header.iter().map(|h| h.to_string()).collect(),
        right,
        rows,
        total_row: false,
    }
}

/// The clusters as a markdown section body: what was scanned, a sentence per unusual
/// cluster (p ≤ [`SENTENCE_ALPHA`]), then every cluster in a table.
pub fn clusters_markdown(s: &ClusterScan, unit: &str) -> String {
    let mut out = format!("{}.\n\n", escape(&scan_summary(s)));
    if s.clusters.is_empty() {
        out.push_str("No cluster of events stands out.\n");
        return out;
    }
    let unusual: Vec<(usize, &DescribedCluster)> = s
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.cluster.pvalue <= SENTENCE_ALPHA)
        .collect();
    if unusual.is_empty() {
        out.push_str(&format!(
            "No cluster is unusual at p ≤ {SENTENCE_ALPHA}; the most likely ones are below.\n"
        ));
    }
    for (i, c) in unusual {
        out.push_str(&format!("{}. {}.\n", i + 1, escape(&sentence(c, unit))));
    }
    out.push('\n');
    out.push_str(&display_table(&clusters_display(s)));
    out
}
