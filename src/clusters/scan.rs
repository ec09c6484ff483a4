//! The scan: every cylinder's count and expectation on the data, the maximum log-likelihood
//! ratio of each random permutation, and the clusters in order (see the module docs of
//! [`super`] for the statistic).
//!
//! Structure (what makes it fast): per centre, the locations within the maximum radius sorted
//! by distance once, cut into circles where the distance changes; per circle and window the
//! expected count, which a permutation does not change (both margins are kept). A replicate
//! draws which events receive the labels of the last `max_weeks` weeks (a partial
//! Fisher–Yates shuffle, undone afterwards, so no allocation and no O(events) work per
//! replicate), counts them per location and week, and walks the circles with running sums.
//! Replicates run in parallel, each with its own ChaCha stream (the replicate's index), so
//! the result does not depend on the number of threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::geo::{haversine_km, within_reach};

/// One circle around a centre: the first `end` entries of its neighbour list.
#[derive(Debug, Clone, Copy)]
pub(super) struct Circle {
    /// Entries of the centre's neighbour list in the circle.
    pub(super) end: u32,
    /// Events at its locations over the study period.
    pub(super) events: u64,
}

/// The neighbour lists and circles of every centre.
pub(super) struct Geometry<'a> {
    /// For each centre, the locations within the maximum radius, nearest first (ties by
    /// index), the centre itself first.
    pub(super) neighbours: Vec<Vec<u32>>,
    /// For each centre, its circles, smallest first.
    pub(super) circles: Vec<Vec<Circle>>,
    /// The locations, for radii on demand.
    locations: &'a [(f64, f64)],
}

impl<'a> Geometry<'a> {
    /// The circles of each location (`locations` as (lat, lon), sorted by latitude; `events`
    /// per location), up to `max_radius_km` and never holding more than half of the `total`
    /// events.
    pub(super) fn new(
        locations: &'a [(f64, f64)],
        events: &[u64],
        total: u64,
        max_radius_km: f64,
    ) -> Geometry<'a> {
        // Candidates come from a latitude band and a longitude bound (`geo::within_reach`); the
        // distance itself decides.
        let per_centre: Vec<(Vec<u32>, Vec<Circle>)> = (0..locations.len())
            .into_par_iter()
            .map(|i| {
                let (lat, lon) = locations[i];
                let mut near: Vec<(f64, u32)> = within_reach(locations, i, max_radius_km)
                    .filter_map(|j| {
                        let (la, lo2) = locations[j];
                        let d = if i == j {
                            0.0
                        } else {
                            haversine_km(lat, lon, la, lo2)
                        };
                        (d <= max_radius_km).then_some((d, j as u32))
                    })
                    .collect();
                near.sort_by(|a, b| {
                    a.0.total_cmp(&b.0)
                        .then((a.1 != i as u32).cmp(&(b.1 != i as u32)))
                        .then(a.1.cmp(&b.1))
                });
                let mut circles = Vec::new();
                let mut sum = 0u64;
                for k in 0..near.len() {
                    sum += events[near[k].1 as usize];
                    let last_at_distance = near.get(k + 1).is_none_or(|n| n.0 != near[k].0);
                    if !last_at_distance {
                        continue;
                    }
                    if 2 * sum > total {
                        break;
                    }
                    circles.push(Circle {
                        end: k as u32 + 1,
                        events: sum,
                    });
                }
                let keep = circles.last().map_or(0, |c| c.end as usize);
                near.truncate(keep);
                near.shrink_to_fit();
                circles.shrink_to_fit();
                (near.into_iter().map(|(_, j)| j).collect(), circles)
            })
            .collect();
        let (neighbours, circles) = per_centre.into_iter().unzip();
        Geometry {
            neighbours,
            circles,
            locations,
        }
    }

    /// A circle's radius: the distance from its centre to its farthest location, computed as
    /// when the circles were cut.
    pub(super) fn radius_km(&self, centre: u32, circle: u32) -> f64 {
        let c = self.circles[centre as usize][circle as usize];
        let far = self.neighbours[centre as usize][c.end as usize - 1];
        if far == centre {
            return 0.0;
        }
        let (a, b) = (
            self.locations[centre as usize],
            self.locations[far as usize],
        );
        haversine_km(a.0, a.1, b.0, b.1)
    }
}

/// The log-likelihood ratio of `c` events where `mu` were expected, `total` in all: Kulldorff
/// et al. (2005), eq. (3), in logs; 0 unless `c > mu`.
pub fn llr(c: u64, mu: f64, total: u64) -> f64 {
    let (c, total) = (c as f64, total as f64);
    if c <= mu {
        return 0.0;
    }
    let inside = c * (c / mu).ln();
    let rest = total - c;
    let outside = if rest > 0.0 {
        rest * (rest / (total - mu)).ln()
    } else {
        0.0
    };
    inside + outside
}

/// The expected count of a cylinder: `circle` events at its locations over the study period,
/// `window` events in its weeks over all locations, `total` in all. The product is exact
/// (integers), then divided once.
pub fn expected(circle: u64, window: u64, total: u64) -> f64 {
    (u128::from(circle) * u128::from(window)) as f64 / total as f64
}

/// One cylinder of the observed data with a positive log-likelihood ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Candidate {
    pub(super) llr: f64,
    pub(super) radius_km: f64,
    pub(super) centre: u32,
    /// Index into the centre's circles.
    pub(super) circle: u32,
    /// Window length in weeks (1 = the judged week alone).
    pub(super) weeks: u32,
    pub(super) observed: u64,
    pub(super) expected: f64,
}

/// The data as the scan sees them.
pub(super) struct Counts {
    /// Events in all.
    pub(super) total: u64,
    /// Events of the last `k` weeks, all locations, for k = 1..=max_weeks (index k − 1).
    pub(super) window: Vec<u64>,
    /// For each event, its location, in a fixed order (by location, then week).
    pub(super) location_of: Vec<u32>,
    /// For each event in that order, its week counted back from the judged week (0 = the
    /// judged week).
    pub(super) weeks_back: Vec<u32>,
    /// Weeks in a window at most.
    pub(super) max_weeks: usize,
    /// Locations.
    pub(super) locations: usize,
}

impl Counts {
    /// Per location, cumulative counts over the last 1..=max_weeks weeks of the events whose
    /// weeks back are given by `weeks_back(event)` (`table` is locations × max_weeks, zeroed
    /// by the caller).
    fn fill(&self, table: &mut [u64], events: impl Iterator<Item = (u32, u32)>) {
        let w = self.max_weeks;
        for (loc, back) in events {
            if (back as usize) < w {
                table[loc as usize * w + back as usize] += 1;
            }
        }
        for row in table.chunks_exact_mut(w) {
            for k in 1..w {
                row[k] += row[k - 1];
            }
        }
    }

    /// The observed table: per location, events in the last 1..=max_weeks weeks.
    pub(super) fn observed(&self) -> Vec<u64> {
        let mut table = vec![0u64; self.locations * self.max_weeks];
        self.fill(
            &mut table,
            self.location_of
                .iter()
                .copied()
                .zip(self.weeks_back.iter().copied()),
        );
        table
    }
}

/// Walks every cylinder of `geometry` over the cumulative `table`, calling `visit` with the
/// centre, circle index, window length, count and expectation of those with `c > μ`.
///
/// A circle whose window count did not grow since the centre's previous circle is skipped:
/// with the same c and a larger μ its LLR is lower (it falls with μ while c > μ), so it is
/// neither a maximum nor ever reported (it holds the smaller circle, which comes first in the
/// order and is reported or excluded with it). `scratch` holds 2 × max_weeks counters.
fn walk(
    geometry: &Geometry<'_>,
    counts: &Counts,
    table: &[u64],
    centres: std::ops::Range<usize>,
    scratch: &mut [u64],
    mut visit: impl FnMut(u32, u32, u32, u64, f64),
) {
    let w = counts.max_weeks;
    let (running, seen) = scratch.split_at_mut(w);
    for centre in centres {
        running.iter_mut().for_each(|r| *r = 0);
        seen.iter_mut().for_each(|r| *r = 0);
        let list = &geometry.neighbours[centre];
        let mut at = 0;
        for (ci, circle) in geometry.circles[centre].iter().enumerate() {
            let end = circle.end as usize;
            for &loc in &list[at..end] {
                let row = &table[loc as usize * w..(loc as usize + 1) * w];
                for (r, x) in running.iter_mut().zip(row) {
                    *r += x;
                }
            }
            at = end;
            let windows = running.iter().zip(seen.iter_mut()).zip(&counts.window);
            for (k, ((&c, seen), &window)) in windows.enumerate() {
                if c <= *seen {
                    continue;
                }
                *seen = c;
                let mu = expected(circle.events, window, counts.total);
                if c as f64 > mu {
                    visit(centre as u32, ci as u32, k as u32 + 1, c, mu);
                }
            }
        }
    }
}

/// Every cylinder of the data with a positive log-likelihood ratio.
pub(super) fn candidates(geometry: &Geometry<'_>, counts: &Counts) -> Vec<Candidate> {
    let table = counts.observed();
    let n = geometry.neighbours.len();
    let chunk = n.div_ceil(rayon::current_num_threads().max(1) * 8).max(1);
    (0..n.div_ceil(chunk))
        .into_par_iter()
        .flat_map_iter(|part| {
            let mut found = Vec::new();
            let mut running = vec![0u64; 2 * counts.max_weeks];
            let range = part * chunk..((part + 1) * chunk).min(n);
            walk(
                geometry,
                counts,
                &table,
                range,
                &mut running,
                |centre, circle, weeks, c, mu| {
                    found.push(Candidate {
                        llr: llr(c, mu, counts.total),
                        radius_km: geometry.radius_km(centre, circle),
                        centre,
                        circle,
                        weeks,
                        observed: c,
                        expected: mu,
                    });
                },
            );
            found
        })
        .collect()
}

/// The maximum log-likelihood ratio of each of `replications` random permutations of the
/// weeks among the events, replicate `r` drawn from ChaCha8 seeded with `seed` on stream `r`.
pub(super) fn replicate_maxima(
    geometry: &Geometry<'_>,
    counts: &Counts,
    replications: usize,
    seed: u64,
) -> Vec<f64> {
    // The labels of the recent weeks, in the fixed event order; the permutation hands them
    // to randomly chosen events.
    let recent: Vec<u32> = counts
        .weeks_back
        .iter()
        .copied()
        .filter(|&b| (b as usize) < counts.max_weeks)
        .collect();
    let total = counts.location_of.len();
    (0..replications)
        .into_par_iter()
        .map_init(
            || Scratch {
                order: (0..total as u32).collect(),
                swaps: Vec::with_capacity(recent.len()),
                table: vec![0u64; counts.locations * counts.max_weeks],
                running: vec![0u64; 2 * counts.max_weeks],
            },
            |s, r| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(r as u64);
                // Partial Fisher–Yates: positions 0..recent.len() receive a uniformly random
                // ordered sample of the events.
                s.swaps.clear();
                for i in 0..recent.len() {
                    let j = rng.gen_range(i..total);
                    s.order.swap(i, j);
                    s.swaps.push(j as u32);
                }
                s.table.iter_mut().for_each(|x| *x = 0);
                let picked = s.order[..recent.len()]
                    .iter()
                    .map(|&e| counts.location_of[e as usize])
                    .zip(recent.iter().copied());
                counts.fill(&mut s.table, picked);
                // Undo the swaps so the next replicate starts from the same order.
                for (i, &j) in s.swaps.iter().enumerate().rev() {
                    s.order.swap(i, j as usize);
                }
                let mut best = 0.0f64;
                walk(
                    geometry,
                    counts,
                    &s.table,
                    0..geometry.neighbours.len(),
                    &mut s.running,
                    |_, _, _, c, mu| {
                        let v = llr(c, mu, counts.total);
                        if v > best {
                            best = v;
                        }
                    },
                );
                best
            },
        )
        .collect()
}

/// A worker's buffers, reused across its replicates.
struct Scratch {
    order: Vec<u32>,
    swaps: Vec<u32>,
    table: Vec<u64>,
    running: Vec<u64>,
}
