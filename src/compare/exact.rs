//! The exact conditional test for the ratio of two Poisson rates, as R's
//! `poisson.test(c(x1, x2), c(t1, t2))` (R 4.2.2 `stats::poisson.test`, `binom.test`):
//!
//! - Given n = x1 + x2, x1 ~ Binomial(n, p0) with p0 = t1/(t1 + t2) under equal rates.
//! - One-sided p for an increase: P(X ≥ x1). Two-sided p: R's `binom.test` "minlike" rule,
//!   summing the probabilities of outcomes no more likely than x1 (relative fuzz 1 + 1e-7).
//! - Rate ratio (x1/t1)/(x2/t2) with its Clopper–Pearson interval mapped from the binomial
//!   proportion: RR = p/(1 − p)·t2/t1, p_L = qbeta(a, x1, n − x1 + 1) (0 if x1 = 0),
//!   p_U = qbeta(1 − a, x1 + 1, n − x1) (1 if x1 = n), a = (1 − level)/2.
//!
//! Right for genuinely Poisson counts. Weekly conflict counts are over-dispersed, and on them
//! this test calls about a quarter of unchanged regions up or down; `compare` uses it only
//! with `--test exact-poisson` (the default is [`super::quasi`]).
//!
//! Zero counts keep defined results: x1 = x2 = 0 gives p = 1, no ratio and CI (0, ∞); x2 = 0
//! gives RR = ∞; x1 = 0 gives RR = 0.

use serde::Serialize;

use crate::stats::{dbinom, pbinom, pbinom_upper_ge, qbeta};

/// R's relative tolerance in the two-sided binomial test.
const REL_ERR: f64 = 1.0 + 1e-7;

/// The result of one rate comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateTest {
    /// Rate ratio (x1/t1)/(x2/t2); ∞ when x2 = 0 < x1; `None` when both are 0.
    pub rate_ratio: Option<f64>,
    /// Two-sided exact p-value.
    pub p_two_sided: f64,
    /// One-sided p-value for "period 1 is higher".
    pub p_greater: f64,
    /// Lower end of the confidence interval of the ratio.
    pub ci_low: f64,
    /// Upper end (∞ when x2 = 0).
    pub ci_high: f64,
    /// The dispersion estimate (Pearson X²/df) the test allowed for, before flooring at 1;
    /// `None` for the exact test, which assumes Poisson counts.
    pub dispersion: Option<f64>,
}

/// `poisson.test(c(x1, x2), c(t1, t2))`: x events in t units of time (weeks) each, with a
/// 95% interval.
pub fn poisson_rate_test(x1: u64, t1: f64, x2: u64, t2: f64) -> RateTest {
    poisson_rate_test_at(x1, t1, x2, t2, 0.95)
}

/// [`poisson_rate_test`] with a `level` confidence interval (`conf.level`).
pub fn poisson_rate_test_at(x1: u64, t1: f64, x2: u64, t2: f64, level: f64) -> RateTest {
    let n = x1 + x2;
    let p0 = t1 / (t1 + t2);
    let rate_ratio = if n == 0 {
        None
    } else if x2 == 0 {
        Some(f64::INFINITY)
    } else {
        Some((x1 as f64 / t1) / (x2 as f64 / t2))
    };
    let p_greater = pbinom_upper_ge(x1 as i64, n, p0);
    let p_two_sided = two_sided_binomial(x1, n, p0);
    let a = (1.0 - level) / 2.0;
    let p_low = if x1 == 0 {
        0.0
    } else {
        qbeta(a, x1 as f64, (n - x1 + 1) as f64)
    };
    let p_high = if x1 == n {
        1.0
    } else {
        qbeta(1.0 - a, (x1 + 1) as f64, (n - x1) as f64)
    };
    let to_ratio = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            p / (1.0 - p) * t2 / t1
        }
    };
    RateTest {
        rate_ratio,
        p_two_sided,
        p_greater,
        ci_low: to_ratio(p_low),
        ci_high: to_ratio(p_high),
        dispersion: None,
    }
}

/// R's `binom.test(x, n, p)$p.value` (two-sided, "minlike").
fn two_sided_binomial(x: u64, n: u64, p: f64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let d = dbinom(x, n, p);
    let m = n as f64 * p;
    let xf = x as f64;
    if xf == m {
        return 1.0;
    }
    let p_value = if xf < m {
        let y = (m.ceil() as u64..=n)
            .filter(|&i| dbinom(i, n, p) <= d * REL_ERR)
            .count() as u64;
        pbinom(x as i64, n, p) + pbinom_upper_ge((n - y + 1) as i64, n, p)
    } else {
        let y = (0..=m.floor() as u64)
            .filter(|&i| dbinom(i, n, p) <= d * REL_ERR)
            .count() as i64;
        pbinom(y - 1, n, p) + pbinom_upper_ge(x as i64, n, p)
    };
    p_value.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn methods_worked_example() {
        // R: poisson.test(c(14, 30), c(4, 26)): 14 events in 4 weeks vs 30 in 26: RR 3.03, p 0.00125, CI 1.49–5.90.
        let t = poisson_rate_test(14, 4.0, 30, 26.0);
        assert_relative_eq!(t.rate_ratio.unwrap(), 3.03333333333333, max_relative = 1e-9);
        assert_relative_eq!(t.p_greater, 0.00125313670446185, max_relative = 1e-6);
        assert_relative_eq!(t.p_two_sided, 0.00125313670446185, max_relative = 1e-6);
        assert_relative_eq!(t.ci_low, 1.48622768572767, max_relative = 1e-6);
        assert_relative_eq!(t.ci_high, 5.89940793125743, max_relative = 1e-6);
    }

    #[test]
    fn zero_counts_stay_defined() {
        let t = poisson_rate_test(0, 4.0, 0, 4.0);
        assert_eq!(t.rate_ratio, None);
        assert_eq!(t.p_two_sided, 1.0);
        assert_eq!((t.ci_low, t.ci_high), (0.0, f64::INFINITY));
        // 1 in 1 week vs 0 in 8: p = 0.111, CI 0.205–∞ (R 4.2.2).
        let t = poisson_rate_test(1, 1.0, 0, 8.0);
        assert_eq!(t.rate_ratio, Some(f64::INFINITY));
        assert_eq!(t.ci_high, f64::INFINITY);
        assert_relative_eq!(t.p_two_sided, 1.0 / 9.0, max_relative = 1e-9);
    }

    #[test]
    fn interval_level_follows_the_argument() {
        let wide = poisson_rate_test_at(14, 4.0, 30, 26.0, 0.99);
        let usual = poisson_rate_test(14, 4.0, 30, 26.0);
        assert!(wide.ci_low < usual.ci_low && wide.ci_high > usual.ci_high);
        assert_eq!(wide.p_two_sided, usual.p_two_sided);
    }
}
