//! `cusum`: a Poisson CUSUM for sustained rises (Page 1954; surveillance `algo.cusum`,
//! METHODS.md §4, standard transformation), with an in-control mean that rolls with the
//! region's own baseline and a reset after every alarm.
//!
//! For each week t: m_t = the Poisson–Gamma posterior mean of the baseline, (Σy + ½)/B over
//! the B weeks before a g-week guard gap (never zero, so an all-zero baseline stays defined);
//! z_t = (y_t − m_t)/sqrt(m_t); S_t = max(0, S_{t−1} + z_t − k); alarm iff S_t ≥ h, after
//! which S restarts at 0. Defaults k = 1.04, h = 2.26 (surveillance's). The upper bound is the
//! count that would alarm this week, ceil(sqrt(m)(h + k − S_{t−1}) + m); the statistic is S_t.
//! The week the rise began is the first week of the current run of S > 0. No p-value.

use super::Judgement;

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

/// surveillance's default reference value.
pub const DEFAULT_K: f64 = 1.04;
/// surveillance's default decision interval.
pub const DEFAULT_H: f64 = 2.26;

/// First judgeable week.
pub fn first_judgeable(p: &Params) -> usize {
    p.baseline + p.guard
}

/// Runs the chart over weeks `from..to` (from ≥ first_judgeable); one judgement per week,
/// with `began` set to the week index where the current rise started.
pub fn run(y: &[f64], from: usize, to: usize, p: &Params) -> Vec<Judgement> {
    let mut s_prev = 0.0f64;
    let mut run_start: Option<usize> = None;
    (from..to)
        .map(|t| {
            let base = &y[t - p.guard - p.baseline..t - p.guard];
            let m = (base.iter().sum::<f64>() + 0.5) / base.len() as f64;
            let z = (y[t] - m) / m.sqrt();
            let s = (s_prev + z - p.k).max(0.0);
            let upper = (m.sqrt() * (p.h + p.k - s_prev) + m).ceil().max(0.0);
            if s > 0.0 && run_start.is_none() {
                run_start = Some(t);
            }
            let alarm = s >= p.h;
            let j = Judgement {
                expected: Some(m),
                upperbound: Some(upper),
                statistic: Some(s),
                alarm,
                began: if s > 0.0 { run_start } else { None },
                ..Judgement::new(t, y[t])
            };
            s_prev = if alarm { 0.0 } else { s };
            if alarm || s == 0.0 {
                run_start = None;
            }
            j
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            baseline: 8,
            guard: 2,
            k: DEFAULT_K,
            h: DEFAULT_H,
        }
    }

    #[test]
    fn sustained_moderate_rise_alarms_and_dates_its_start() {
        // Calm at 4 a week, then 8 a week from week 20: each week alone is unremarkable for a
        // Shewhart chart, the sum is not.
        let mut y = vec![
            4.0, 5.0, 3.0, 4.0, 4.0, 5.0, 3.0, 4.0, 4.0, 4.0, 5.0, 3.0, 4.0, 4.0, 5.0, 3.0, 4.0,
            4.0, 4.0, 4.0,
        ];
        y.extend([8.0, 8.0, 8.0, 8.0]);
        let js = run(&y, 10, y.len(), &params());
        let first_alarm = js.iter().find(|j| j.alarm).expect("alarm");
        assert!(first_alarm.week >= 20 && first_alarm.week <= 22);
        assert_eq!(first_alarm.began, Some(20));
        // The count that would have alarmed is reported and the week is above it.
        assert!(first_alarm.observed >= first_alarm.upperbound.unwrap());
    }

    #[test]
    fn constant_and_zero_series_stay_quiet_and_finite() {
        for level in [0.0, 3.0] {
            let y = vec![level; 40];
            let js = run(&y, 10, 40, &params());
            assert!(js
                .iter()
                .all(|j| !j.alarm && j.statistic.unwrap().is_finite()));
        }
    }

    #[test]
    fn resets_after_an_alarm() {
        let mut y = vec![2.0; 12];
        y.push(30.0);
        y.extend([2.0; 5]);
        let js = run(&y, 10, y.len(), &params());
        let alarms: Vec<usize> = js.iter().filter(|j| j.alarm).map(|j| j.week).collect();
        assert_eq!(alarms, vec![12]);
        assert_eq!(js[3].statistic, Some(0.0));
    }
}
