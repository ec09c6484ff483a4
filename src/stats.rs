//! Distribution functions with R's parameterisations (`pnorm`, `ppois`, `qpois`, `pnbinom`,
//! `qnbinom`, `pbinom`, `dbinom`, `qbeta`, `pt`, `qt`, `pf`), built on statrs, plus the
//! Benjamini-Hochberg adjustment. Everything statistical in uptick goes through here, so each
//! convention (lower/upper tail, quantile definition) is decided once.
//!
//! Quantiles of discrete distributions follow R: the smallest x with P(X <= x) >= p, with R's
//! relative fuzz of 64 machine epsilons so that exact ties land where R puts them.
//! `qbeta` inverts statrs' regularised incomplete beta by bisection to 1e-15 in p-space.
//!
//! Sources: R 4.2.2 `src/nmath/qpois.c`, `qnbinom.c` (search and fuzz); `stats::p.adjust`
//! (BH: Benjamini & Hochberg 1995, J. R. Stat. Soc. B 57:289).

use statrs::distribution::{
    Binomial, ContinuousCDF, Discrete, DiscreteCDF, NegativeBinomial, Normal, Poisson, StudentsT,
};
use statrs::function::beta::beta_reg;

/// ln Γ(x), x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// ln B(a, b), a, b > 0.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

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

/// Student t quantile `qt(p, df)`, through [`qbeta`] (accurate to ~1e-15 in p).
///
/// Remembered per thread: a comparison of a thousand regions asks for the same quantile (one
/// level, one number of weeks) a thousand times, and each search evaluates the incomplete
/// beta function dozens of times. The answer is the same bits either way.
pub fn qt(p: f64, df: f64) -> f64 {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static KNOWN: RefCell<HashMap<(u64, u64), f64>> = RefCell::new(HashMap::new());
    }
    /// More distinct quantiles than this per thread start the memory afresh.
    const REMEMBERED: usize = 4096;
    let key = (p.to_bits(), df.to_bits());
    if let Some(t) = KNOWN.with(|m| m.borrow().get(&key).copied()) {
        return t;
    }
    let t = qt_searched(p, df);
    KNOWN.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= REMEMBERED {
            m.clear();
        }
        m.insert(key, t);
    });
    t
}

/// [`qt`] without the memory.
fn qt_searched(p: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2).
    let tail = if p > 0.5 { 1.0 - p } else { p };
    let x = qbeta(2.0 * tail, df / 2.0, 0.5);
    let t = (df * (1.0 - x) / x).sqrt();
    if p > 0.5 {
        t
    } else {
        -t
    }
}

/// Upper tail of the F distribution, `pf(f, d1, d2, lower.tail = FALSE)`.
pub fn pf_upper(f: f64, d1: f64, d2: f64) -> f64 {
    if f.is_nan() || !(d1 > 0.0 && d2 > 0.0) {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    if f.is_infinite() {
        return 0.0;
    }
    // P(F > f) = I_{d2/(d2 + d1 f)}(d2/2, d1/2).
    beta_reg(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))
}

/// Benjamini-Hochberg adjusted p-values, as R's `p.adjust(p, "BH")`. `None` entries (tests
/// with no p-value) are left out of the count and stay `None`; a NaN p-value (never produced
/// on purpose) is treated as 1, so the order is total and the result defined.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let clean = |v: Option<f64>| v.map(|x| if x.is_nan() { 1.0 } else { x.clamp(0.0, 1.0) });
    let p: Vec<Option<f64>> = p.iter().map(|&v| clean(v)).collect();
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    let m = idx.len() as f64;
    idx.sort_by(|&a, &b| {
        p[b].unwrap_or(1.0)
            .total_cmp(&p[a].unwrap_or(1.0))
            .then(a.cmp(&b))
    });
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
        // qnbinom(0.95, size = 0.5, prob = 6/7) = 1 (surveillance's `bayes`, all-zero 6-week baseline).
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
        // R 4.2.2: p.adjust(c(.001,.008,.039,.041,.042,.06,.074,.205), "BH").
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

    #[test]
    fn bh_survives_nan() {
        // A NaN counts as p = 1: the others are adjusted over m = 3, nothing panics.
        let q = benjamini_hochberg(&[Some(0.01), Some(f64::NAN), Some(0.02)]);
        assert_relative_eq!(q[0].unwrap(), 0.03, max_relative = 1e-12);
        assert_relative_eq!(q[2].unwrap(), 0.03, max_relative = 1e-12);
        assert_eq!(q[1], Some(1.0));
    }

    #[test]
    fn remembered_t_quantiles_are_the_searched_ones() {
        // Interleaved so that a memory keyed on the wrong thing would answer with another
        // quantile.
        for _ in 0..2 {
            for (p, df) in [(0.975, 14.0), (0.975, 3.0), (0.995, 14.0), (0.025, 14.0)] {
                assert_eq!(qt(p, df).to_bits(), qt_searched(p, df).to_bits());
            }
        }
        assert_ne!(qt(0.975, 14.0), qt(0.975, 3.0));
    }

    #[test]
    fn t_and_f_match_r() {
        // R 4.2.2: qt(0.975, 14) = 2.14478668792; qt(0.995, 3) = 5.84090930973;
        // pf(4.2, 1, 14, lower.tail = FALSE) = 0.05964616576.
        assert_relative_eq!(qt(0.975, 14.0), 2.14478668792, max_relative = 1e-9);
        assert_relative_eq!(qt(0.995, 3.0), 5.84090930973, max_relative = 1e-9);
        assert_relative_eq!(qt(0.025, 14.0), -2.14478668792, max_relative = 1e-9);
        assert_relative_eq!(pf_upper(4.2, 1.0, 14.0), 0.05964616576, max_relative = 1e-9);
        // F(1, d2) = T² with d2 df: pf(t², 1, d2) upper = two-sided t p-value.
        assert_relative_eq!(
            pf_upper(2.5f64.powi(2), 1.0, 7.0),
            pt_two_sided(2.5, 7.0),
            max_relative = 1e-9
        );
        assert_eq!(pf_upper(0.0, 1.0, 5.0), 1.0);
    }
}
