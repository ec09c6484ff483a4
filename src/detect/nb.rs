//! `nb`: a count prediction test against the last `B` weeks (default 26) before a guard gap of
//! `g` weeks (default 2). It works on short and sparse series, where GLM baselines cannot.
//!
//! The week's count is compared with a predictive distribution built from the baseline:
//! - not over-dispersed (sample variance ≤ mean): the Poisson–Gamma posterior predictive
//!   under Jeffreys' prior, NB(size = Σy + ½, prob = B/(B + 1)), as surveillance's `bayes`
//!   detector (METHODS.md §10.2). It accounts for the uncertainty of the baseline mean and
//!   stays defined for an all-zero baseline (then U = 1 at α = 0.05: two events alarm).
//! - over-dispersed: a negative binomial with the baseline mean m and variance
//!   s²·(1 + 1/B) (the variance of a new week plus that of the estimated mean), i.e.
//!   size = m²/(s²(1 + 1/B) − m), prob = m/(s²(1 + 1/B)).
//!
//! Expected = the baseline mean; upperbound U = the predictive (1 − α) quantile; p-value =
//! P(Y ≥ y), exact under the predictive distribution; alarm iff y > U.

use super::Judgement;
use crate::stats::{pnbinom_upper_ge, qnbinom};

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

/// The predictive negative binomial (size, prob) for a baseline.
pub fn predictive(base: &[f64]) -> (f64, f64) {
    let n = base.len() as f64;
    let sum: f64 = base.iter().sum();
    let mean = sum / n;
    let var = if base.len() > 1 {
        base.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let var_pred = var * (1.0 + 1.0 / n);
    if var > mean && var_pred > mean && mean > 0.0 {
        (mean * mean / (var_pred - mean), mean / var_pred)
    } else {
        (sum + 0.5, n / (n + 1.0))
    }
}

/// Judges week `t` (`t >= first_judgeable`).
pub fn judge(y: &[f64], t: usize, p: &Params) -> Judgement {
    let base = &y[t - p.guard - p.baseline..t - p.guard];
    let mean = base.iter().sum::<f64>() / base.len() as f64;
    let (size, prob) = predictive(base);
    let upper = qnbinom(1.0 - p.alpha, size, prob);
    let pvalue = pnbinom_upper_ge(y[t], size, prob);
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
    use approx::assert_relative_eq;

    fn params() -> Params {
        Params {
            baseline: 6,
            guard: 0,
            alpha: 0.05,
        }
    }

    #[test]
    fn poisson_gamma_predictive_matches_bayes_examples() {
        // METHODS.md §10.2 (R, surveillance `bayes`, b = 0, w = 6): an all-zero 6-week baseline
        // gives U = qnbinom(0.95, 0.5, 6/7) = 1; a baseline sum of 6 gives U = 3.
        let y = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0];
        let j = judge(&y, 6, &params());
        assert_eq!(j.upperbound, Some(1.0));
        assert!(j.alarm);
        let y = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0];
        let j = judge(&y, 6, &params());
        assert_eq!(j.upperbound, Some(3.0));
        assert!(!j.alarm);
        // p = P(Y >= 3) under NB(6.5, 6/7): 1 - pnbinom(2, 6.5, 6/7) = 0.0779 (closed form).
        let p0 = (6.0f64 / 7.0).powf(6.5);
        let p1 = p0 * 6.5 / 7.0;
        let p2 = p1 * 7.5 / 2.0 / 7.0;
        assert_relative_eq!(j.pvalue.unwrap(), 1.0 - p0 - p1 - p2, max_relative = 1e-9);
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
        let mut y = vec![3.0; 10];
        y.push(50.0);
        let j = judge(&y, 10, &params());
        assert!(j.alarm && j.pvalue.unwrap() < 1e-10);
        let j = judge(&[3.0; 10], 9, &params());
        assert!(!j.alarm && j.pvalue.unwrap() > 0.3);
    }
}
