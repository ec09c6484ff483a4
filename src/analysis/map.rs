//! The event map's content: one point per event with coordinates in the report week and the
//! three weeks before it, alerting regions' events of the report week marked, and a label at
//! the median position of each alerting region's events. Drawing is in `render::map`.

use chrono::{Duration, NaiveDate};

use super::AlertRegion;
use crate::ingest::Incidents;
use crate::render::{MapLabel, MapPoint, MapSpec};

/// Weeks the map shows: the report week and the ones before it.
pub const MAP_WEEKS: i64 = 4;

/// Why there is no map, for the data notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMap {
    /// The input has no latitude/longitude columns.
    NoCoordinates,
    /// It has them, but no event of the map's weeks has valid ones.
    NoPoints,
}

impl NoMap {
    /// The data note.
    pub fn note(&self) -> String {
        match self {
            NoMap::NoCoordinates => {
                "no map and no space-time clusters: the data have no latitude and longitude columns"
                    .into()
            }
            NoMap::NoPoints => {
                format!("no map: no event of the last {MAP_WEEKS} weeks has valid coordinates")
            }
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The map of the weeks up to the one starting `week`, the `alerts` marked and labelled.
///
/// # Errors
/// Why there is no map ([`NoMap`]).
pub fn map_spec(
    incidents: &Incidents,
    week: NaiveDate,
    alerts: &[AlertRegion],
) -> Result<MapSpec, NoMap> {
    if incidents.columns.coordinates.is_none() {
        return Err(NoMap::NoCoordinates);
    }
    let ws = incidents.week_start;
    let from = week - Duration::days(7 * (MAP_WEEKS - 1));
    let alerting = |r: u32| alerts.iter().any(|a| a.id == r);
    let mut points = Vec::new();
    for d in &incidents.details {
        let w = ws.week_of(d.date);
        let Some((lat, lon)) = d.coordinates else {
            continue;
        };
        if w < from || w > week {
            continue;
        }
        points.push(MapPoint {
            lon,
            lat,
            fatalities: d.fatalities.unwrap_or(0.0),
            alarm: w == week && alerting(d.region),
        });
    }
    if points.is_empty() {
        return Err(NoMap::NoPoints);
    }
    let labels = alerts
        .iter()
        .filter_map(|a| {
            let here: Vec<(f64, f64)> = incidents
                .details
                .iter()
                .filter(|d| d.region == a.id && ws.week_of(d.date) == week)
                .filter_map(|d| d.coordinates)
                .collect();
            (!here.is_empty()).then(|| MapLabel {
                lat: median(here.iter().map(|p| p.0).collect()),
                lon: median(here.iter().map(|p| p.1).collect()),
                text: crate::format::without_controls(&a.name),
            })
        })
        .collect();
    let alarmed = points.iter().filter(|p| p.alarm).count();
    let last_day = week + Duration::days(6);
    Ok(MapSpec {
        title: format!("Where: events from {from} to {last_day}"),
        subtitle: format!(
            "{} events with coordinates, {alarmed} of them in alerting regions in the week of {week}; dot area shows fatalities",
            points.len()
        ),
        alarm_legend: format!("alerting regions, week of {week}"),
        other_legend: "other events".into(),
        points,
        labels,
        circles: Vec::new(),
    })
}

/// Clusters drawn on the map: at most this many, the most likely first.
pub const MAP_CLUSTERS: usize = 5;

/// Points along each circle's ring.
const RING_POINTS: usize = 72;

/// The clusters drawn on a map: at most [`MAP_CLUSTERS`] with p ≤ `alpha`, most likely first.
fn drawn_clusters(
    scanned: &crate::clusters::ClusterScan,
    alpha: f64,
) -> Vec<&crate::clusters::DescribedCluster> {
    scanned
        .clusters
        .iter()
        .filter(|c| c.cluster.pvalue <= alpha)
        .take(MAP_CLUSTERS)
        .collect()
}

/// Each cluster's circle (its radius, at least 3 km so a one-place cluster shows) and its
/// label at the centre, "1 Tall Abyad town (p = 0.001)".
fn circles_and_labels(
    drawn: &[&crate::clusters::DescribedCluster],
) -> (Vec<crate::render::MapCircle>, Vec<MapLabel>) {
    use crate::clusters::geo::destination;
    let circles = drawn
        .iter()
        .map(|c| {
            let radius = c.cluster.radius_km.max(3.0);
            crate::render::MapCircle {
                ring: (0..RING_POINTS)
                    .map(|k| {
                        let bearing = 360.0 * k as f64 / RING_POINTS as f64;
                        let (lat, lon) = destination(c.centre.0, c.centre.1, bearing, radius);
                        (lon, lat)
                    })
                    .collect(),
            }
        })
        .collect();
    let labels = drawn
        .iter()
        .enumerate()
        .map(|(i, c)| MapLabel {
            lat: c.centre.0,
            lon: c.centre.1,
            text: crate::format::without_controls(&format!(
                "{} {} (p = {})",
                i + 1,
                c.place.as_ref().map_or("cluster", |(p, _)| p.as_str()),
                crate::format::format_stat(Some(c.cluster.pvalue))
            )),
        })
        .collect();
    (circles, labels)
}

/// Adds the clusters with p ≤ `alpha` to a map as labelled circles (the report's map).
pub fn add_clusters(spec: &mut MapSpec, scanned: &crate::clusters::ClusterScan, alpha: f64) {
    let (circles, labels) = circles_and_labels(&drawn_clusters(scanned, alpha));
    if circles.is_empty() {
        return;
    }
    spec.subtitle.push_str(&format!(
        "; circled: {} space-time cluster(s) with p ≤ {alpha}",
        circles.len()
    ));
    spec.circles.extend(circles);
    spec.labels.extend(labels);
}

/// The map of the cluster scan: the events of its longest window (those inside a drawn
/// cluster marked), the clusters with p ≤ `alpha` as circles of their radius (at least 3 km,
/// so a one-place cluster shows), labelled "1 Tall Abyad town (p = 0.001)".
///
/// # Errors
/// Why there is no map ([`NoMap`]).
pub fn cluster_map_spec(
    incidents: &Incidents,
    scanned: &crate::clusters::ClusterScan,
    alpha: f64,
) -> Result<MapSpec, NoMap> {
    if incidents.columns.coordinates.is_none() {
        return Err(NoMap::NoCoordinates);
    }
    let ws = incidents.week_start;
    let week = scanned.week;
    let weeks = scanned.params.max_weeks as i64;
    let from = week - Duration::days(7 * (weeks - 1));
    let drawn = drawn_clusters(scanned, alpha);
    let inside =
        |lat: f64, lon: f64, w: NaiveDate| drawn.iter().any(|c| c.from <= w && c.holds(lat, lon));
    let points: Vec<MapPoint> = incidents
        .details
        .iter()
        .filter_map(|d| {
            let w = ws.week_of(d.date);
            let (lat, lon) = d.coordinates?;
            (w >= from && w <= week).then(|| MapPoint {
                lon,
                lat,
                fatalities: d.fatalities.unwrap_or(0.0),
                alarm: inside(lat, lon, w),
            })
        })
        .collect();
    if points.is_empty() {
        return Err(NoMap::NoPoints);
    }
    let (circles, labels) = circles_and_labels(&drawn);
    let marked = points.iter().filter(|p| p.alarm).count();
    Ok(MapSpec {
        title: format!(
            "Space-time clusters: events from {from} to {}",
            week + Duration::days(6)
        ),
        subtitle: format!(
            "{} events with coordinates; {} cluster(s) with p ≤ {alpha} circled ({marked} events in them); dot area shows fatalities",
            points.len(),
            drawn.len()
        ),
        alarm_legend: "events in a cluster".into(),
        other_legend: "other events".into(),
        points,
        labels,
        circles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
