//! From a load to a scan and back: the study period's events with their coordinates, and
//! each cluster described in the data's own terms (the place at its centre, its dates, the
//! regions it touches with their counts).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{geo, Cluster, ScanEvent, ScanParams, ScanResult};
use crate::ingest::{CoordinateIssue, Incidents};

/// Where the study period's events stand with respect to coordinates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CoordinateCounts {
    /// Events scanned.
    pub used: u64,
    /// Events without coordinates (empty or unreadable values).
    pub missing: u64,
    /// Events at (0, 0), which exports use for "unknown": treated as missing.
    pub zero: u64,
    /// Events with a latitude outside ±90° or a longitude outside ±180°: rejected from the
    /// scan.
    pub out_of_range: u64,
}

impl CoordinateCounts {
    /// Events of the study period without usable coordinates.
    pub fn without(&self) -> u64 {
        self.missing + self.zero + self.out_of_range
    }

    /// A note saying what was left out and why, when anything was.
    pub fn note(&self) -> Option<String> {
        if self.without() == 0 {
            return None;
        }
        let mut parts = Vec::new();
        if self.missing > 0 {
            parts.push(format!("{} without coordinates", self.missing));
        }
        if self.zero > 0 {
            parts.push(format!(
                "{} at (0, 0), which exports use for an unknown place",
                self.zero
            ));
        }
        if self.out_of_range > 0 {
            parts.push(format!(
                "{} with a latitude beyond ±90° or a longitude beyond ±180°",
                self.out_of_range
            ));
        }
        Some(format!(
            "{} of the study period's events left out of the cluster scan: {}",
            self.without(),
            parts.join(", ")
        ))
    }
}

/// One region a cluster touches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchedRegion {
    /// The region's names, coarse to fine.
    pub region: Vec<String>,
    /// Events of the cluster in it.
    pub events: u64,
}

/// A cluster in the data's terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescribedCluster {
    /// The scan's cluster.
    pub cluster: Cluster,
    /// The centre's coordinates.
    pub centre: (f64, f64),
    /// The place named most often among its events, with their number, where the data name
    /// places (the finer region where they do not).
    pub place: Option<(String, u64)>,
    /// The place named most often among its events at the centre.
    pub centre_place: Option<String>,
    /// First day of its first week.
    pub from: NaiveDate,
    /// Last day of the judged week.
    pub to: NaiveDate,
    /// The regions it touches, most events first.
    pub regions: Vec<TouchedRegion>,
    /// Whether any of those regions alarmed this week (set by the report).
    pub any_region_alarmed: bool,
    /// Its locations' rounded coordinates ([`DescribedCluster::holds`]).
    #[serde(skip)]
    places: Vec<(f64, f64)>,
}

impl DescribedCluster {
    /// Whether an event at (`lat`, `lon`) is at one of the cluster's locations (coordinates
    /// rounded as the scan rounds them). Its weeks are `from`..=`to`.
    pub fn holds(&self, lat: f64, lon: f64) -> bool {
        self.places.contains(&(geo::round4(lat), geo::round4(lon)))
    }
}

/// The scan of a load, described.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterScan {
    /// The parameters.
    pub params: ScanParams,
    /// The judged week's first day.
    pub week: NaiveDate,
    /// Events used and left out.
    pub coordinates: CoordinateCounts,
    /// The scan's result.
    pub result: ScanResult,
    /// Its clusters, described.
    pub clusters: Vec<DescribedCluster>,
}

/// Runs the scan over the study period ending with the week starting `week`, from the
/// details the load kept ([`crate::ingest::InputSpec::details`], for at least
/// `params.study_weeks` weeks).
pub fn scan_incidents(incidents: &Incidents, week: NaiveDate, params: &ScanParams) -> ClusterScan {
    scan_incidents_within(incidents, week, params, f64::INFINITY)
        .expect("no work limit: the scan runs")
}

/// [`scan_incidents`] unless its estimated work ([`super::estimated_work`]) exceeds
/// `max_work` neighbour visits.
///
/// # Errors
/// The estimate, in words, when it is over the limit.
pub fn scan_incidents_within(
    incidents: &Incidents,
    week: NaiveDate,
    params: &ScanParams,
    max_work: f64,
) -> Result<ClusterScan, String> {
    let ws = incidents.week_start;
    let mut counts = CoordinateCounts::default();
    let mut events = Vec::new();
    // Which detail each scanned event came from, to describe the clusters.
    let mut source = Vec::new();
    for (k, d) in incidents.details.iter().enumerate() {
        let back = (week - ws.week_of(d.date)).num_days() / 7;
        if back < 0 || back >= params.study_weeks as i64 {
            continue;
        }
        let n = d.events.round().max(0.0) as u64;
        match (d.coordinates, d.coordinate_issue) {
            (Some((lat, lon)), _) => {
                counts.used += n;
                for _ in 0..n {
                    events.push(ScanEvent {
                        lat,
                        lon,
                        weeks_back: back as u32,
                    });
                    source.push(k);
                }
            }
            (None, Some(CoordinateIssue::Zero)) => counts.zero += n,
            (None, Some(CoordinateIssue::OutOfRange)) => counts.out_of_range += n,
            (None, _) => counts.missing += n,
        }
    }
    let work = super::estimated_work(&events, params);
    if work.visits > max_work {
        return Err(format!(
            "{} events at {} locations would take about {:.0e} neighbour visits over {} replications, more than a report waits for; run `uptick clusters` for them, or set [report] clusters = true",
            counts.used,
            work.locations,
            work.visits,
            params.replications
        ));
    }
    let result = super::scan(&events, params);
    let clusters = result
        .clusters
        .iter()
        .map(|c| describe(incidents, week, &events, &source, &result, c))
        .collect();
    Ok(ClusterScan {
        params: *params,
        week,
        coordinates: counts,
        result,
        clusters,
    })
}

/// One cluster in the data's terms.
fn describe(
    incidents: &Incidents,
    week: NaiveDate,
    events: &[ScanEvent],
    source: &[usize],
    result: &ScanResult,
    c: &Cluster,
) -> DescribedCluster {
    let (from, to) = super::window_dates(week, c.weeks);
    let at = |l: usize| (result.locations[l].latitude, result.locations[l].longitude);
    let places_of_cluster: Vec<(f64, f64)> = c.locations.iter().map(|&l| at(l)).collect();
    let centre = at(c.centre);
    let mut regions: BTreeMap<u32, u64> = BTreeMap::new();
    // Per place name: events in the cluster, and of those at its centre.
    let mut places: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (e, &k) in events.iter().zip(source) {
        let here = (geo::round4(e.lat), geo::round4(e.lon));
        if (e.weeks_back as usize) >= c.weeks || !places_of_cluster.contains(&here) {
            continue;
        }
        let d = &incidents.details[k];
        *regions.entry(d.region).or_default() += 1;
        if let Some(p) = d.place.as_deref().or(d.finer.as_deref()) {
            let n = places.entry(p).or_default();
            n.0 += 1;
            n.1 += u64::from(here == centre);
        }
    }
    // The most frequent (ties: more at the centre, then the first name), and the centre's.
    let place = places
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(p, n)| (p.to_string(), n.0));
    let centre_place = places
        .iter()
        .filter(|(_, n)| n.1 > 0)
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1).then(b.0.cmp(a.0)))
        .map(|(p, _)| p.to_string());
    let mut regions: Vec<TouchedRegion> = regions
        .into_iter()
        .map(|(r, events)| TouchedRegion {
            region: incidents.regions[r as usize].clone(),
            events,
        })
        .collect();
    regions.sort_by(|a, b| b.events.cmp(&a.events).then(a.region.cmp(&b.region)));
    DescribedCluster {
        cluster: c.clone(),
        centre,
        place,
        centre_place,
        from,
        to,
        regions,
        any_region_alarmed: false,
        places: places_of_cluster,
    }
}
