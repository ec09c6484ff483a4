//! `nb`: a count prediction test against the last `B` weeks (default 26) before a guard gap of
//! `g` weeks (default 2). It works on short and sparse series, where GLM baselines cannot, and
//! its p-values hold on over-dispersed counts.
//!
//! The week's count is compared with the [`predictive`](super::predictive) distribution of
//! the baseline: a negative binomial whose mean **and** dispersion are both unknown and
//! integrated over (Jeffreys prior on the mean, half-Cauchy on 1/√size), so that a short
//! baseline's estimation error widens the tail as it should. For a Poisson-like baseline it
//! reduces to surveillance's `bayes` detector (Poisson–Gamma predictive under Jeffreys' prior).
//!
//! Expected = the baseline mean; upperbound U = the predictive (1 − α) quantile; p-value =
//! P(Y ≥ y) under the predictive, one-sided (a rise); alarm iff y > U.
//!
//! Before November 2026 `nb` plugged the sample variance into a negative binomial and ignored
//! the estimation error; on NB nulls with variance/mean 1.5–6 that put a false alert in about
//! one week in three across 300 quiet regions. Calibration figures: `tests/calibration.rs` and
//! docs/statistics.md ("How sure: measured false alarms and power").

use super::predictive::Predictive;
use super::Judgement;

/// Parameters of the `nb` test.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Baseline length in weeks.
    pub baseline: usize,
    /// Guard weeks between the baseline and the judged week.
    pub guard: usize,
    /// One-sided level of the upper bound.
    pub alpha: f64,
}

/// First judgeable week: a full baseline plus the guard.
pub fn first_judgeable(p: &Params) -> usize {
    p.baseline + p.guard
}

/// The baseline weeks of week `t` (`t >= first_judgeable`).
pub fn baseline(t: usize, p: &Params) -> std::ops::Range<usize> {
    t - p.guard - p.baseline..t - p.guard
}

/// Judges week `t` (`t >= first_judgeable`).
pub fn judge(y: &[f64], t: usize, p: &Params) -> Judgement {
    let base = &y[baseline(t, p)];
    let mean = base.iter().sum::<f64>() / base.len() as f64;
    let pred = Predictive::from_baseline(base);
    let upper = pred.quantile(1.0 - p.alpha);
    let pvalue = pred.upper_tail(y[t]);
    Judgement {
        expected: Some(mean),
        upperbound: Some(upper),
        pvalue: Some(pvalue),
        alarm: y[t] > upper,
        ..Judgement::new(t, y[t])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            baseline: 6,
            guard: 0,
            alpha: 0.05,
        }
    }

    #[test]
    fn all_zero_baseline_is_defined() {
        // 26 quiet weeks: one event is mildly unusual, ten clearly are, but less so than a
        // Poisson model would say: silent regions can be bursty, and 26 zeros cannot tell.
        let p = Params {
            baseline: 26,
            guard: 0,
            alpha: 0.05,
        };
        let mut y = vec![0.0; 26];
        y.push(1.0);
        let one = judge(&y, 26, &p);
        assert!(
            one.pvalue.unwrap() > 0.01 && one.pvalue.unwrap() < 0.05,
            "{one:?}"
        );
        assert_eq!(one.expected, Some(0.0));
        y[26] = 10.0;
        let ten = judge(&y, 26, &p);
        assert!(ten.alarm && ten.pvalue.unwrap() < 0.005, "{ten:?}");
        assert!(ten.pvalue.unwrap() > 1e-4, "{ten:?}");
    }

    #[test]
    fn over_dispersed_baseline_widens_the_bound() {
        let calm = [5.0, 5.0, 6.0, 4.0, 5.0, 5.0, 12.0];
        let wild = [0.0, 12.0, 1.0, 9.0, 0.0, 8.0, 12.0];
        let a = judge(&calm, 6, &params());
        let b = judge(&wild, 6, &params());
        assert!(a.alarm && !b.alarm);
        assert!(b.upperbound.unwrap() > a.upperbound.unwrap());
    }

    #[test]
    fn one_huge_spike_and_constant_series() {
        let mut y = vec![3.0; 26];
        y.push(50.0);
        let p = Params {
            baseline: 26,
            guard: 0,
            alpha: 0.05,
        };
        let j = judge(&y, 26, &p);
        assert!(j.alarm && j.pvalue.unwrap() < 1e-10, "{j:?}");
        let j = judge(&[3.0; 30], 29, &p);
        assert!(!j.alarm && j.pvalue.unwrap() > 0.3);
        // A spike inside the baseline makes the next spike of that size far less remarkable.
        let clean = judge(&y, 26, &p);
        let mut spiky = vec![3.0; 26];
        spiky[5] = 50.0;
        spiky.push(50.0);
        let j = judge(&spiky, 26, &p);
        assert!(
            j.pvalue.unwrap() > 1e4 * clean.pvalue.unwrap(),
            "{j:?} {clean:?}"
        );
        assert!(j.upperbound.unwrap() > clean.upperbound.unwrap());
    }

    #[test]
    fn short_history_of_two_weeks_is_still_a_distribution() {
        let p = Params {
            baseline: 2,
            guard: 0,
            alpha: 0.05,
        };
        let j = judge(&[4.0, 6.0, 9.0], 2, &p);
        let pv = j.pvalue.unwrap();
        assert!(pv > 0.0 && pv < 1.0 && j.upperbound.unwrap().is_finite());
    }
}
