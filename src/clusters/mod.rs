//! Clusters: where are events rising, whatever the borders? The prospective space-time
//! permutation scan statistic.
//!
//! Sources: Kulldorff M, Heffernan R, Hartman J, Assunção R, Mostashari F (2005), "A
//! space-time permutation scan statistic for disease outbreak detection", *PLoS Medicine*
//! 2(3): e59; Kulldorff M (2001), "Prospective time periodic geographical disease surveillance
//! using a scan statistic", *JRSS A* 164(1): 61–72 (prospective windows, recurrence
//! intervals); the SaTScan User Guide (v10), "Space-Time Permutation Model", "Recurrence
//! Interval", "Secondary Clusters".
//!
//! It needs only each event's place and week. The expected count of a place and week comes
//! from the data's own margins, so a rise everywhere at once is not a cluster: the scan looks
//! for the rise one area has and the rest do not, whatever administrative boxes it crosses.
//!
//! # The statistic, pinned down
//! - **Study period**: the last `study_weeks` complete weeks, ending with the judged week.
//!   Events without coordinates are counted and reported, not used.
//! - **Locations**: distinct (latitude, longitude) pairs rounded to 4 decimals
//!   ([`geo::round4`]), numbered by latitude, then longitude. Distances are great-circle
//!   distances between the rounded locations ([`geo::haversine_km`]).
//! - **Circles**: centred on each location, one per distinct distance from the centre to a
//!   location (the centre alone, radius 0, first; a circle holds every location within its
//!   radius, so locations at the same distance join together), up to `max_radius_km` and
//!   never holding more than half of the study period's events.
//! - **Windows** (prospective): the last 1..=`max_weeks` weeks ending with the judged week.
//! - **Counts**: C events in all; C_z at location z over the period; C_d in week d over all
//!   locations; c_zd at z in week d. A cylinder A (circle × window) observes
//!   c_A = Σ_{(z,d)∈A} c_zd.
//! - **Expected** (eq. 1–2 of the paper): μ_zd = C_z·C_d/C, so
//!   μ_A = Σ_{z,d∈A} C_z·C_d/C = (Σ_z C_z)(Σ_d C_d)/C, computed as the exact integer product
//!   divided once by C ([`expected`]).
//! - **Log-likelihood ratio** (eq. 3, in logs): c·ln(c/μ) + (C−c)·ln((C−c)/(C−μ)) when c > μ,
//!   else 0 ([`llr`]); the scan statistic is its maximum over all cylinders.
//! - **Order**: cylinders by LLR (largest first), then smaller radius, shorter window, then
//!   centre by latitude and longitude. The most likely cluster is the first; secondary
//!   clusters are the next cylinders in that order sharing no location with one already
//!   reported. Only cylinders of at least `min_events` events are reported.
//! - **Inference**: `replications` random permutations of the weeks among the events (both
//!   margins kept); p = (1 + #{replicate maxima ≥ observed LLR}) / (R + 1), each secondary
//!   cluster against the same maxima (SaTScan's conservative default). Replicate r draws from
//!   ChaCha8 seeded with `seed` on stream r. The recurrence interval of a weekly prospective
//!   analysis is 1/p weeks.

mod describe;
pub mod geo;
mod scan;

pub use describe::{
    scan_incidents, scan_incidents_within, ClusterScan, CoordinateCounts, DescribedCluster,
    TouchedRegion,
};

use chrono::NaiveDate;
use serde::Serialize;

pub use scan::{expected, llr};

/// The scan's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScanParams {
    /// Weeks in the study period, ending with the judged week.
    pub study_weeks: usize,
    /// The longest window, in weeks (shorter than the study period).
    pub max_weeks: usize,
    /// The largest circle's radius in km.
    pub max_radius_km: f64,
    /// Random permutations for the p-values.
    pub replications: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Fewest events in a reported cluster.
    pub min_events: u64,
    /// Most clusters reported.
    pub max_clusters: usize,
}

impl Default for ScanParams {
    fn default() -> Self {
        ScanParams {
            study_weeks: 52,
            max_weeks: 4,
            max_radius_km: 50.0,
            replications: 999,
            seed: 1,
            min_events: 5,
            max_clusters: 10,
        }
    }
}

impl ScanParams {
    /// Checks the parameters.
    ///
    /// # Errors
    /// A one-line message naming the flag.
    pub fn validate(&self) -> Result<(), String> {
        if self.study_weeks < 2 {
            return Err(format!(
                "--study-weeks {} must be at least 2",
                self.study_weeks
            ));
        }
        if self.max_weeks == 0 || self.max_weeks >= self.study_weeks {
            return Err(format!(
                "--max-weeks {} must be at least 1 and shorter than --study-weeks {} (a window of the whole study period is not prospective)",
                self.max_weeks, self.study_weeks
            ));
        }
        if !(self.max_radius_km.is_finite() && self.max_radius_km >= 0.0) {
            return Err(format!(
                "--max-radius {} must be a distance in km, 0 or more",
                self.max_radius_km
            ));
        }
        if self.replications == 0 {
            return Err("--replications must be at least 1 (999 is usual)".into());
        }
        Ok(())
    }
}

/// One event for the scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanEvent {
    /// Latitude in degrees (rounded to 4 decimals by the scan).
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Its week in the study period, counted back from the judged week (0 = the judged week).
    pub weeks_back: u32,
}

/// A location of the study period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Location {
    /// Latitude, rounded to 4 decimals.
    pub latitude: f64,
    /// Longitude, rounded to 4 decimals.
    pub longitude: f64,
    /// Events there over the study period.
    pub events: u64,
}

/// A cluster: a cylinder with its place in the order and its p-value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// The centre (index into [`ScanResult::locations`]).
    pub centre: usize,
    /// The circle's radius in km.
    pub radius_km: f64,
    /// The window's length in weeks, ending with the judged week.
    pub weeks: usize,
    /// Its locations (indices into [`ScanResult::locations`]), nearest the centre first.
    pub locations: Vec<usize>,
    /// Events observed in the cylinder.
    pub observed: u64,
    /// Events expected under no space-time interaction.
    pub expected: f64,
    /// The log-likelihood ratio.
    pub llr: f64,
    /// The Monte Carlo p-value.
    pub pvalue: f64,
}

impl Cluster {
    /// Observed over expected.
    pub fn ratio(&self) -> f64 {
        self.observed as f64 / self.expected
    }

    /// The recurrence interval in weeks (1/p): how often a cluster this unusual would arise by
    /// chance in weekly analyses.
    pub fn recurrence_weeks(&self) -> f64 {
        1.0 / self.pvalue
    }
}

/// What a scan found.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanResult {
    /// The locations, by latitude then longitude.
    pub locations: Vec<Location>,
    /// Events scanned.
    pub events: u64,
    /// The clusters, most likely first.
    pub clusters: Vec<Cluster>,
    /// The maximum LLR of the data (the scan statistic; 0 when no cylinder has more events
    /// than expected).
    pub statistic: f64,
    /// Each replicate's maximum LLR, in replicate order.
    pub maxima: Vec<f64>,
}

/// Runs the scan over `events` (see the module docs).
///
/// # Panics
/// Never for valid parameters ([`ScanParams::validate`]); an event's `weeks_back` beyond the
/// study period is a caller's bug.
pub fn scan(events: &[ScanEvent], params: &ScanParams) -> ScanResult {
    // Locations by (lat, lon); events by (location, week): the input's order plays no part.
    let mut keyed: Vec<((f64, f64), u32)> = events
        .iter()
        .map(|e| {
            assert!(
                (e.weeks_back as usize) < params.study_weeks,
                "event outside the study period"
            );
            ((geo::round4(e.lat), geo::round4(e.lon)), e.weeks_back)
        })
        .collect();
    keyed.sort_by(|a, b| {
        a.0 .0
            .total_cmp(&b.0 .0)
            .then(a.0 .1.total_cmp(&b.0 .1))
            .then(a.1.cmp(&b.1))
    });
    let mut locations: Vec<Location> = Vec::new();
    let mut location_of = Vec::with_capacity(keyed.len());
    let mut weeks_back = Vec::with_capacity(keyed.len());
    for ((lat, lon), back) in &keyed {
        match locations.last_mut() {
            Some(l) if l.latitude == *lat && l.longitude == *lon => l.events += 1,
            _ => locations.push(Location {
                latitude: *lat,
                longitude: *lon,
                events: 1,
            }),
        }
        location_of.push(locations.len() as u32 - 1);
        weeks_back.push(*back);
    }
    let total = keyed.len() as u64;
    let mut window = vec![0u64; params.max_weeks];
    for &b in &weeks_back {
        if (b as usize) < params.max_weeks {
            window[b as usize] += 1;
        }
    }
    for k in 1..window.len() {
        window[k] += window[k - 1];
    }
    let counts = scan::Counts {
        total,
        window,
        location_of,
        weeks_back,
        max_weeks: params.max_weeks,
        locations: locations.len(),
    };
    if total == 0 {
        return ScanResult {
            locations,
            events: 0,
            clusters: Vec::new(),
            statistic: 0.0,
            maxima: vec![0.0; params.replications],
        };
    }
    let coords: Vec<(f64, f64)> = locations
        .iter()
        .map(|l| (l.latitude, l.longitude))
        .collect();
    let per_location: Vec<u64> = locations.iter().map(|l| l.events).collect();
    let geometry = scan::Geometry::new(&coords, &per_location, total, params.max_radius_km);
    let mut found = scan::candidates(&geometry, &counts);
    found.sort_by(|a, b| {
        b.llr
            .total_cmp(&a.llr)
            .then(a.radius_km.total_cmp(&b.radius_km))
            .then(a.weeks.cmp(&b.weeks))
            .then(a.centre.cmp(&b.centre))
    });
    let statistic = found.first().map_or(0.0, |c| c.llr);
    let maxima = scan::replicate_maxima(&geometry, &counts, params.replications, params.seed);
    let mut sorted = maxima.clone();
    sorted.sort_by(f64::total_cmp);
    let pvalue = |llr: f64| {
        let below = sorted.partition_point(|&m| m < llr);
        (1 + sorted.len() - below) as f64 / (sorted.len() + 1) as f64
    };
    let mut taken = vec![false; locations.len()];
    let mut clusters = Vec::new();
    for c in found.iter().filter(|c| c.observed >= params.min_events) {
        if clusters.len() >= params.max_clusters {
            break;
        }
        let circle = geometry.circles[c.centre as usize][c.circle as usize];
        let members = &geometry.neighbours[c.centre as usize][..circle.end as usize];
        if members.iter().any(|&m| taken[m as usize]) {
            continue;
        }
        for &m in members {
            taken[m as usize] = true;
        }
        clusters.push(Cluster {
            centre: c.centre as usize,
            radius_km: c.radius_km,
            weeks: c.weeks as usize,
            locations: members.iter().map(|&m| m as usize).collect(),
            observed: c.observed,
            expected: c.expected,
            llr: c.llr,
            pvalue: pvalue(c.llr),
        });
    }
    ScanResult {
        locations,
        events: total,
        clusters,
        statistic,
        maxima,
    }
}

/// How much a scan would do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Work {
    /// Distinct locations.
    pub locations: usize,
    /// Estimated neighbour visits of the data and every replicate: the locations within
    /// the radius of up to 256 centres spread over all of them, scaled to all, times
    /// replications + 1 (the half-of-the-events cap ignored, so an upper estimate).
    pub visits: f64,
}

/// Estimates a scan's work before running it (a report skips a scan that would take too long).
pub fn estimated_work(events: &[ScanEvent], params: &ScanParams) -> Work {
    use rayon::prelude::*;
    let mut locations: Vec<(f64, f64)> = events
        .iter()
        .map(|e| (geo::round4(e.lat), geo::round4(e.lon)))
        .collect();
    locations.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    locations.dedup();
    let n = locations.len();
    if n == 0 {
        return Work {
            locations: 0,
            visits: 0.0,
        };
    }
    let sampled: Vec<usize> = (0..n).step_by((n / 256).max(1)).collect();
    let pairs: usize = sampled
        .par_iter()
        .map(|&i| {
            let (lat, lon) = locations[i];
            geo::within_reach(&locations, i, params.max_radius_km)
                .filter(|&j| {
                    let (la, lo) = locations[j];
                    geo::haversine_km(lat, lon, la, lo) <= params.max_radius_km
                })
                .count()
        })
        .sum();
    Work {
        locations: n,
        visits: pairs as f64 / sampled.len() as f64 * n as f64 * (params.replications + 1) as f64,
    }
}

/// The weeks of a cluster: from the first day of its first week to the last day of the
/// judged week (`judged` is the judged week's first day).
pub fn window_dates(judged: NaiveDate, weeks: usize) -> (NaiveDate, NaiveDate) {
    let from = judged - chrono::Duration::weeks(weeks as i64 - 1);
    (from, judged + chrono::Duration::days(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(lat: f64, lon: f64, weeks_back: u32) -> ScanEvent {
        ScanEvent {
            lat,
            lon,
            weeks_back,
        }
    }

    fn params(replications: usize) -> ScanParams {
        ScanParams {
            study_weeks: 10,
            max_weeks: 3,
            max_radius_km: 50.0,
            replications,
            seed: 7,
            min_events: 1,
            max_clusters: 10,
        }
    }

    #[test]
    fn the_llr_is_kulldorffs_and_zero_below_expectation() {
        // c = 10, μ = 2, C = 100: 10 ln 5 + 90 ln(90/98).
        let want = 10.0 * 5f64.ln() + 90.0 * (90.0f64 / 98.0).ln();
        assert_eq!(llr(10, 2.0, 100), want);
        assert_eq!(llr(2, 2.0, 100), 0.0);
        assert_eq!(llr(1, 2.0, 100), 0.0);
        // Every event in the cylinder: the outside term is 0 ln 0 = 0.
        assert_eq!(llr(5, 2.5, 5), 5.0 * 2f64.ln());
        assert_eq!(expected(3, 7, 10), 2.1);
    }

    #[test]
    fn no_events_or_one_location_finds_nothing() {
        let r = scan(&[], &params(9));
        assert!(r.clusters.is_empty());
        assert_eq!(r.statistic, 0.0);
        // One location: a circle would hold every event (more than half): no cylinder.
        let one: Vec<ScanEvent> = (0..20).map(|i| ev(36.5, 40.1, i % 10)).collect();
        let r = scan(&one, &params(9));
        assert_eq!(r.locations.len(), 1);
        assert!(r.clusters.is_empty());
        assert_eq!(r.statistic, 0.0);
    }

    #[test]
    fn all_events_in_one_week_have_no_interaction() {
        // Every event in the judged week: μ = c for every cylinder of that week.
        let events: Vec<ScanEvent> = (0..40)
            .map(|i| ev(36.0 + f64::from(i % 8) * 0.1, 40.0, 0))
            .collect();
        let r = scan(&events, &params(19));
        assert_eq!(r.statistic, 0.0);
        assert!(r.clusters.is_empty());
    }

    #[test]
    fn a_planted_rise_is_found_where_it_was_planted() {
        // A grid of places 0.2° apart with one event per place and week; then 20 extra
        // events in the judged week at two neighbouring places.
        let mut events = Vec::new();
        for a in 0..6 {
            for b in 0..6 {
                for w in 0..10 {
                    events.push(ev(35.0 + f64::from(a) * 0.2, 39.0 + f64::from(b) * 0.2, w));
                }
            }
        }
        for _ in 0..10 {
            events.push(ev(35.4, 39.4, 0));
            events.push(ev(35.4, 39.6, 0));
        }
        let r = scan(&events, &params(99));
        let top = &r.clusters[0];
        assert_eq!(top.weeks, 1);
        let places: Vec<(f64, f64)> = top
            .locations
            .iter()
            .map(|&l| (r.locations[l].latitude, r.locations[l].longitude))
            .collect();
        assert!(places.contains(&(35.4, 39.4)) && places.contains(&(35.4, 39.6)));
        assert!(top.pvalue <= 0.02, "{top:?}");
        assert_eq!(top.llr, r.statistic);
        // Deterministic, and independent of the input's order.
        let mut shuffled = events.clone();
        shuffled.reverse();
        shuffled.rotate_left(17);
        assert_eq!(scan(&shuffled, &params(99)), r);
    }

    #[test]
    fn the_work_estimate_counts_neighbour_pairs_per_replicate() {
        // Three places a few km apart and one 200 km away: 3 × 3 + 1 pairs within 50 km.
        let events = [
            ev(36.0, 40.0, 0),
            ev(36.0, 40.0, 1),
            ev(36.01, 40.0, 0),
            ev(36.02, 40.0, 2),
            ev(37.8, 40.0, 0),
        ];
        let w = estimated_work(&events, &params(9));
        assert_eq!(w.locations, 4);
        assert_eq!(w.visits, 10.0 * 10.0);
        assert_eq!(estimated_work(&[], &params(9)).visits, 0.0);
    }

    #[test]
    fn parameters_are_checked() {
        let mut p = ScanParams::default();
        assert!(p.validate().is_ok());
        p.max_weeks = 52;
        assert!(p.validate().unwrap_err().contains("--max-weeks 52"));
        p = ScanParams {
            replications: 0,
            ..ScanParams::default()
        };
        assert!(p.validate().is_err());
    }
}
