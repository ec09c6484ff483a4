//! Distribution functions with R's parameterisations (`pnorm`, `ppois`, `qpois`, `pnbinom`,
//! `qnbinom`, `pbinom`, `dbinom`, `qbeta`, `pt`), built on statrs, plus the
//! Benjamini-Hochberg adjustment. Everything statistical in uptick goes through here, so each
//! convention (lower/upper tail, quantile definition) is decided once.
//!
//! Quantiles of discrete distributions follow R: the smallest x with P(X <= x) >= p, with R's
//! relative fuzz of 64 machine epsilons so that exact ties land where R puts them.
//! `qbeta` inverts statrs' regularised incomplete beta by bisection to 1e-15 in p-space.
//!
//! Sources: R 4.2.2 `src/nmath/qpois.c`, `qnbinom.c` (search and fuzz); `stats::p.adjust`
//! (BH, METHODS.md §8).

use statrs::distribution::{
    Binomial, ContinuousCDF, Discrete, DiscreteCDF, NegativeBinomial, Normal, Poisson, StudentsT,
};
use statrs::function::beta::beta_reg;

/// R's fuzz for discrete quantile searches.
const QUANTILE_FUZZ: f64 = 64.0 * f64::EPSILON;

/// Upper tail of the standard normal, P(Z > z).
pub fn pnorm_upper(z: f64) -> f64 {
    Normal::standard().sf(z)
}

/// Standard normal quantile, Φ⁻¹(p).
pub fn qnorm(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Poisson lower tail P(X <= x) with mean `lambda` (x < 0 gives 0).
pub fn ppois(x: f64, lambda: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    Poisson::new(lambda).map_or(f64::NAN, |d| d.cdf(x.floor() as u64))
}

/// Poisson upper tail P(X >= x).
pub fn ppois_upper_ge(x: f64, lambda: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    Poisson::new(lambda).map_or(f64::NAN, |d| d.sf(x.ceil() as u64 - 1))
}

/// Smallest x >= 0 with `cdf(x) >= p` (R's quantile definition for counts).
fn discrete_quantile(p: f64, mean: f64, cdf: impl Fn(u64) -> f64) -> f64 {
    let target = p * (1.0 - QUANTILE_FUZZ);
    // Start near the mean and walk; counts here are small to moderate.
    let mut x = mean.max(0.0).floor() as u64;
    if cdf(x) >= target {
        while x > 0 && cdf(x - 1) >= target {
            x -= 1;
        }
    } else {
        // Gallop up, then bisect.
        let mut step = 1u64;
        let mut lo = x;
        while cdf(x) < target {
            lo = x;
            x = x.saturating_add(step);
            step = step.saturating_mul(2);
            if x > 1 << 40 {
                return f64::INFINITY;
            }
        }
        let mut hi = x;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if cdf(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        x = hi;
    }
    x as f64
}

/// Poisson quantile `qpois(p, lambda)`.
pub fn qpois(p: f64, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 0.0;
    }
    match Poisson::new(lambda) {
        Ok(d) => discrete_quantile(p, lambda, |x| d.cdf(x)),
        Err(_) => f64::NAN,
    }
}

/// Negative binomial lower tail `pnbinom(x, size, prob)`.
pub fn pnbinom(x: f64, size: f64, prob: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    NegativeBinomial::new(size, prob).map_or(f64::NAN, |d| d.cdf(x.floor() as u64))
}

/// Negative binomial upper tail P(X >= x).
pub fn pnbinom_upper_ge(x: f64, size: f64, prob: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    NegativeBinomial::new(size, prob).map_or(f64::NAN, |d| d.sf(x.ceil() as u64 - 1))
}

/// Negative binomial quantile `qnbinom(p, size, prob)`.
pub fn qnbinom(p: f64, size: f64, prob: f64) -> f64 {
    match NegativeBinomial::new(size, prob) {
        Ok(d) => discrete_quantile(p, size * (1.0 - prob) / prob, |x| d.cdf(x)),
        Err(_) => f64::NAN,
    }
}

/// Binomial probability `dbinom(x, n, p)`.
pub fn dbinom(x: u64, n: u64, p: f64) -> f64 {
    Binomial::new(p, n).map_or(f64::NAN, |d| d.pmf(x))
}

/// Binomial lower tail `pbinom(x, n, p)`; x < 0 gives 0.
pub fn pbinom(x: i64, n: u64, p: f64) -> f64 {
    if x < 0 {
        return 0.0;
    }
    if x as u64 >= n {
        return 1.0;
    }
    Binomial::new(p, n).map_or(f64::NAN, |d| d.cdf(x as u64))
}

/// Binomial upper tail P(X >= x).
pub fn pbinom_upper_ge(x: i64, n: u64, p: f64) -> f64 {
    if x <= 0 {
        return 1.0;
    }
    if x as u64 > n {
        return 0.0;
    }
    Binomial::new(p, n).map_or(f64::NAN, |d| d.sf(x as u64 - 1))
}

/// Beta quantile `qbeta(p, a, b)` by bisection on the regularised incomplete beta.
pub fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if beta_reg(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-17 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn pt_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| 2.0 * d.cdf(-t.abs()))
}

/// Benjamini-Hochberg adjusted p-values, as R's `p.adjust(p, "BH")`. `None` entries (tests
/// with no p-value) are left out of the count and stay `None`.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    let m = idx.len() as f64;
    idx.sort_by(|&a, &b| p[b].partial_cmp(&p[a]).unwrap_or(std::cmp::Ordering::Equal));
    let mut out = vec![None; p.len()];
    let mut running = 1.0f64;
    for (k, &i) in idx.iter().enumerate() {
        let rank = m - k as f64;
        let q = (m / rank * p[i].unwrap_or(1.0)).min(running);
        running = q;
        out[i] = Some(q.min(1.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn poisson_tails_match_scipy() {
        // SciPy special.pdtrc(1, 1) and pdtrc(10, 1) (STYLE.md §11).
        assert_relative_eq!(ppois_upper_ge(2.0, 1.0), 0.264241118, max_relative = 1e-6);
        assert_relative_eq!(
            ppois_upper_ge(11.0, 1.0),
            1.00477664e-08,
            max_relative = 1e-6
        );
    }

    #[test]
    fn discrete_quantiles_match_r() {
        // R 4.2.2: qpois(0.95, 3) = 6; qpois(0.999, 0.5) = 4; qnbinom(0.95, 2, 0.4) = 8;
        // qnbinom(0.95, size = 0.5, prob = 6/7) = 1 (METHODS.md §10.2, bayes).
        assert_eq!(qpois(0.95, 3.0), 6.0);
        assert_eq!(qpois(0.999, 0.5), 4.0);
        assert_eq!(qnbinom(0.95, 2.0, 0.4), 8.0);
        assert_eq!(qnbinom(0.95, 0.5, 6.0 / 7.0), 1.0);
        assert_eq!(qpois(0.5, 0.0), 0.0);
        // Exact tie: ppois(2, 2) = 0.6766764; qpois of that value is 2, not 3.
        assert_eq!(qpois(ppois(2.0, 2.0), 2.0), 2.0);
    }

    #[test]
    fn beta_quantile_inverts_the_cdf() {
        // R 4.2.2: qbeta(0.025, 14, 31) = 0.1860988372.
        let q = qbeta(0.025, 14.0, 31.0);
        assert_relative_eq!(q, 0.1860988372, max_relative = 1e-9);
        assert_relative_eq!(beta_reg(14.0, 31.0, q), 0.025, max_relative = 1e-12);
        assert_eq!(qbeta(0.0, 1.0, 1.0), 0.0);
    }

    #[test]
    fn bh_matches_methods_example() {
        // METHODS.md §8: p.adjust(c(.001,.008,.039,.041,.042,.06,.074,.205), "BH").
        let p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205].map(Some);
        let q = benjamini_hochberg(&p);
        let want = [
            0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.08, 0.08457143, 0.205,
        ];
        for (got, want) in q.iter().zip(want) {
            assert_relative_eq!(got.unwrap(), want, max_relative = 1e-6);
        }
        assert_eq!(
            benjamini_hochberg(&[None, Some(0.5)]),
            vec![None, Some(0.5)]
        );
        assert!(benjamini_hochberg(&[]).is_empty());
    }
}
