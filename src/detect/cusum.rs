//! `cusum`: a CUSUM for sustained rises (Page 1954; surveillance `algo.cusum`), on counts
//! standardised through the region's own over-dispersed baseline, with a decision interval
//! chosen for a stated in-control run length.
//!
//! # Standardisation
//! surveillance's `pearsonNegBin` transformation standardises a count by its negative-binomial
//! spread, z = (y − m)/√(m + αm²), instead of the Poisson √m that floods over-dispersed
//! series with alarms. uptick goes one step further and maps each week's count to a normal
//! score through the calibrated [`predictive`](super::predictive) distribution of its
//! baseline (the B = 26 weeks before a g = 2-week guard): z_t = Φ⁻¹(F*(y_t)), F* the mid-
//! distribution function P(Y < y) + ½P(Y = y). Like `pearsonNegBin` this scales by the
//! dispersion; unlike it, it also removes the skew of small counts and carries the estimation
//! error of the baseline's mean and dispersion, so z is close to N(0, 1) in control (a little
//! narrower for sparse counts, which is conservative). Normalising transforms for count
//! CUSUMs are surveillance's own idea too (`trans = "rossi"`, `"anscombe"`).
//!
//! # Chart
//! S_t = max(0, S_{t−1} + z_t − k), alarm iff S_t ≥ h, with k = [`DEFAULT_K`] = ½ (tuned to a
//! rise of one standard deviation). h is chosen so that the in-control average run length is
//! `arl` weeks (default [`DEFAULT_ARL_WEEKS`] = 104: one false alarm per region every two
//! years), by Siegmund's approximation for a normal CUSUM,
//! ARL₀ ≈ (e^{2kb} − 2kb − 1)/(2k²), b = h + 1.166 (Siegmund 1985, *Sequential Analysis*,
//! §X.2; Montgomery, *Introduction to Statistical Quality Control*, 6th ed., eq. 9.25; the
//! same problem surveillance's `find.kh` solves for Poisson counts). The measured in-control
//! rate on simulated series is in docs/statistics.md.
//!
//! # One rise, one alert
//! After an alarm S restarts at 0, so the chart needs fresh evidence and does not flood. The
//! rise is still considered under way while each new week keeps S above 0 (its score exceeds
//! k): those weeks stay alarms with the same onset, so a sustained rise reads as one
//! continuing alert rather than new/ended/new. The onset (`began`) is the first week of the
//! run of S > 0 that led to the first alarm of the rise.
//!
//! The upper bound is the count that would alarm (or continue the alert) this week: the
//! smallest y with S_{t−1} + z(y) − k ≥ h. The statistic is S_t. No p-value.

use super::predictive::Predictive;
use super::Judgement;
use crate::stats::{pnorm_upper, qnorm};

/// Parameters of the CUSUM.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Baseline length in weeks.
    pub baseline: usize,
    /// Guard weeks.
    pub guard: usize,
    /// Reference value k (allowance), in standard deviations.
    pub k: f64,
    /// Decision interval h.
    pub h: f64,
}

/// The reference value: half a standard deviation, the usual choice for a one-SD rise.
pub const DEFAULT_K: f64 = 0.5;
/// The default in-control average run length: one false alarm per region every two years.
pub const DEFAULT_ARL_WEEKS: f64 = 104.0;
/// Siegmund's correction to the decision interval.
const SIEGMUND_SHIFT: f64 = 1.166;

/// Siegmund's in-control average run length of a normal CUSUM with reference `k` and decision
/// interval `h`.
pub fn in_control_arl(k: f64, h: f64) -> f64 {
    let b = 2.0 * k * (h + SIEGMUND_SHIFT);
    (b.exp() - b - 1.0) / (2.0 * k * k)
}

/// The decision interval h that gives an in-control run length of `arl` weeks with
/// reference `k` (bisection on [`in_control_arl`], which increases with h).
pub fn decision_interval(k: f64, arl: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 50.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if in_control_arl(k, mid) < arl {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// First judgeable week.
pub fn first_judgeable(p: &Params) -> usize {
    p.baseline + p.guard
}

/// Scores beyond this many standard deviations are clamped (one absurd week must not hold
/// the chart up for a year).
const MAX_SCORE: f64 = 8.0;

/// The normal score of count `y` under a baseline's predictive distribution.
fn score(pred: &Predictive, y: f64) -> f64 {
    let u = pred.mid_cdf(y);
    if u <= 0.0 {
        -MAX_SCORE
    } else if u >= 1.0 {
        MAX_SCORE
    } else {
        qnorm(u).clamp(-MAX_SCORE, MAX_SCORE)
    }
}

/// Runs the chart over weeks `from..to` (from ≥ first_judgeable); one judgement per week,
/// with `began` set to the week index where the current rise started. The upper bound (a
/// quantile search) is computed only from week `bounds_from` on: the weeks before it only
/// carry the chart's state.
pub fn run(y: &[f64], from: usize, to: usize, bounds_from: usize, p: &Params) -> Vec<Judgement> {
    let mut s_prev = 0.0f64;
    // First week of the current run of S > 0, and whether that run has alarmed.
    let mut run_start: Option<usize> = None;
    let mut in_alert = false;
    (from..to)
        .map(|t| {
            let base = &y[t - p.guard - p.baseline..t - p.guard];
            let mean = base.iter().sum::<f64>() / base.len() as f64;
            let pred = Predictive::from_baseline(base);
            let z = score(&pred, y[t]);
            let s = (s_prev + z - p.k).max(0.0);
            // The count that would alarm this week (or keep an alert going).
            let needed = if in_alert { p.k } else { p.h + p.k } - s_prev;
            let upper = if t < bounds_from {
                None
            } else if needed <= -MAX_SCORE {
                Some(0.0)
            } else {
                Some(pred.mid_quantile(1.0 - pnorm_upper(needed.min(MAX_SCORE))))
            };
            if s > 0.0 && run_start.is_none() {
                run_start = Some(t);
            }
            let alarm = s >= p.h || (in_alert && s > 0.0);
            let j = Judgement {
                expected: Some(mean),
                upperbound: upper,
                statistic: Some(s),
                alarm,
                began: if alarm { run_start } else { None },
                ..Judgement::new(t, y[t])
            };
            if s >= p.h {
                // Restart the statistic, keep the rise and its onset.
                in_alert = true;
                s_prev = 0.0;
            } else if s == 0.0 {
                in_alert = false;
                run_start = None;
                s_prev = 0.0;
            } else {
                s_prev = s;
            }
            j
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn params() -> Params {
        Params {
            baseline: 8,
            guard: 2,
            k: DEFAULT_K,
            h: decision_interval(DEFAULT_K, DEFAULT_ARL_WEEKS),
        }
    }

    #[test]
    fn siegmund_decision_interval() {
        // k = 0.5, ARL 104: e^b − b − 1 = 52 with b = h + 1.166 → b = 4.0437, h = 2.8777.
        let h = decision_interval(0.5, 104.0);
        assert_relative_eq!(in_control_arl(0.5, h), 104.0, max_relative = 1e-9);
        assert_relative_eq!(h, 2.8777, max_relative = 1e-3);
        // surveillance's defaults k = 1.04, h = 2.26 are a normal ARL of about 570 weeks.
        let arl = in_control_arl(1.04, 2.26);
        assert!(arl > 550.0 && arl < 590.0, "{arl}");
    }

    #[test]
    fn sustained_moderate_rise_is_one_alert_with_its_onset() {
        // Calm at about 4 a week, then 8 a week from week 20: each week alone is unremarkable
        // for a Shewhart chart, the sum is not.
        let mut y = vec![
            4.0, 5.0, 3.0, 4.0, 4.0, 5.0, 3.0, 4.0, 4.0, 4.0, 5.0, 3.0, 4.0, 4.0, 5.0, 3.0, 4.0,
            4.0, 4.0, 4.0,
        ];
        y.extend([8.0, 9.0, 8.0, 9.0, 8.0, 9.0]);
        let js = run(&y, 10, y.len(), 10, &params());
        let first = js.iter().position(|j| j.alarm).expect("alarm");
        assert!(
            js[first].week >= 20 && js[first].week <= 23,
            "{}",
            js[first].week
        );
        // Every week from the first alarm to the end continues the same alert.
        for j in &js[first..] {
            assert!(j.alarm, "week {} ended the alert: {j:?}", j.week);
            assert_eq!(j.began, Some(20), "week {}", j.week);
        }
        // The count that would have alarmed is reported and the week reaches it.
        assert!(js[first].observed >= js[first].upperbound.unwrap());
    }

    #[test]
    fn constant_and_zero_series_stay_quiet_and_finite() {
        for level in [0.0, 3.0] {
            let y = vec![level; 40];
            let js = run(&y, 10, 40, 10, &params());
            assert!(js
                .iter()
                .all(|j| !j.alarm && j.statistic.unwrap().is_finite()));
        }
    }

    #[test]
    fn one_spike_alarms_once_and_the_alert_ends() {
        let mut y = vec![2.0, 3.0, 1.0, 2.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 2.0];
        y.push(30.0);
        y.extend([2.0, 1.0, 2.0, 3.0, 2.0]);
        let js = run(&y, 10, y.len(), 10, &params());
        let alarms: Vec<usize> = js.iter().filter(|j| j.alarm).map(|j| j.week).collect();
        assert_eq!(alarms, vec![12]);
        assert_eq!(js[3].statistic, Some(0.0));
        // One absurd week does not hold the chart up: the statistic is clamped.
        assert!(js[2].statistic.unwrap() <= MAX_SCORE);
    }
}
