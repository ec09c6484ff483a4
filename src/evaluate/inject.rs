//! Injected rises, in the manner of R surveillance's simulated outbreaks (`sim.pointSource`,
//! `sts_creation`; Höhle 2007, Computational Statistics 22:571–582): at random, non-overlapping
//! positions in the judged window, a rise of `weeks` weeks during which the count is the real
//! count plus a Poisson draw with mean (factor − 1) × the region's level (the mean of the 26
//! weeks before the rise, or of the whole series where those are all zero). The added count is
//! drawn, not rounded up, so a 1.5× rise in a quiet region may add nothing.

use rand::seq::SliceRandom;
use rand::Rng;

use super::null::poisson;

/// Weeks before a rise whose mean is the region's level.
pub const LEVEL_WEEKS: usize = 26;

/// One injected rise into one region's series.
#[derive(Debug, Clone, PartialEq)]
pub struct Injection {
    /// Index (in the region's series) of the rise's first week.
    pub start: usize,
    /// Counts added to each week of the rise.
    pub added: Vec<f64>,
}

/// Up to `count` rises of `weeks` weeks in the last `window` weeks of `y`, at distinct,
/// non-overlapping positions drawn at random.
pub fn plan(
    y: &[f64],
    window: usize,
    weeks: usize,
    count: usize,
    factor: f64,
    rng: &mut impl Rng,
) -> Vec<Injection> {
    let weeks = weeks.max(1);
    let first = y.len().saturating_sub(window);
    let slots: Vec<usize> = (first..y.len())
        .step_by(weeks)
        .filter(|s| s + weeks <= y.len())
        .collect();
    let mut chosen: Vec<usize> = slots
        .choose_multiple(rng, count.min(slots.len()))
        .copied()
        .collect();
    chosen.sort_unstable();
    let overall = if y.is_empty() {
        0.0
    } else {
        y.iter().sum::<f64>() / y.len() as f64
    };
    chosen
        .into_iter()
        .map(|start| {
            let before = &y[start.saturating_sub(LEVEL_WEEKS)..start];
            let level = if before.iter().any(|&v| v > 0.0) {
                before.iter().sum::<f64>() / before.len() as f64
            } else {
                overall
            };
            let added = (0..weeks)
                .map(|_| poisson((factor - 1.0).max(0.0) * level, rng))
                .collect();
            Injection { start, added }
        })
        .collect()
}

/// `y` up to the end of the rise, with the rise added.
pub fn apply(y: &[f64], inj: &Injection) -> Vec<f64> {
    let end = inj.start + inj.added.len();
    let mut out = y[..end.min(y.len())].to_vec();
    for (k, a) in inj.added.iter().enumerate() {
        if let Some(v) = out.get_mut(inj.start + k) {
            *v += a;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn rises_do_not_overlap_and_stay_in_the_window() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let y = vec![10.0; 200];
        let plan = plan(&y, 104, 3, 20, 2.0, &mut rng);
        assert_eq!(plan.len(), 20);
        for pair in plan.windows(2) {
            assert!(pair[0].start + 3 <= pair[1].start, "{pair:?}");
        }
        assert!(plan.iter().all(|i| i.start >= 96 && i.start + 3 <= 200));
        // A 2x rise adds about the level (10) a week.
        let mean: f64 = plan.iter().flat_map(|i| &i.added).sum::<f64>() / 60.0;
        assert!((mean - 10.0).abs() < 2.0, "{mean}");
        let out = apply(&y, &plan[0]);
        assert_eq!(out.len(), plan[0].start + 3);
        assert_eq!(out[plan[0].start], 10.0 + plan[0].added[0]);
    }

    #[test]
    fn no_rise_adds_nothing_and_short_windows_give_fewer_slots() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let y = vec![4.0; 10];
        let plan = plan(&y, 104, 3, 20, 1.0, &mut rng);
        assert_eq!(plan.len(), 3, "10 weeks hold 3 rises of 3 weeks");
        assert!(plan.iter().all(|i| i.added.iter().all(|&a| a == 0.0)));
        assert!(super::plan(&[], 104, 3, 20, 2.0, &mut rng).is_empty());
    }
}
