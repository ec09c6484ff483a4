//! The quasi-Poisson rate-ratio test: did a region's weekly rate change between two periods,
//! allowing for the over-dispersion of weekly conflict counts? The default test of `compare`.
//!
//! # Method
//! The weekly counts of both periods y_i (n weeks in all, each with exposure e_i in weeks: 1
//! for a whole week, less for a period's last partial block) and a period indicator d_i
//! (1 = the period of interest) enter a log-linear model, log E(y_i) = log e_i + a + b·d_i.
//! Its fit is the two period rates, so b = log(r1/r0) with r = Σy/Σe per period.
//! - Dispersion φ̂ = Pearson X²/(n − 2) = Σ (y_i − μ̂_i)²/μ̂_i / (n − 2), floored at 1 for the
//!   test (a Poisson-like series is never treated as less variable than Poisson).
//! - Rate ratio exp(b); interval exp(b ± t(1 − α/2, n − 2)·se), se = √(max(1, φ̂)(1/Σy₁ + 1/Σy₀)),
//!   so the level follows `--alpha`.
//! - p-value (`quasi-poisson`, the default): the Wald t test that this interval inverts,
//!   T = b/se against t(n − 2), two-sided; one-sided for a rise P(t > T). A region is
//!   significant exactly when its interval excludes 1.
//! - p-value (`quasi-poisson-f`, R's): F = (D0 − D1)/max(1, φ̂), D the Poisson deviances of the
//!   one-rate and two-rate models, p = P(F(1, n − 2) > F); one-sided p/2 where b > 0, else
//!   1 − p/2.
//!
//! The model, dispersion, ratio and interval are R's `glm(y ~ period, family = quasipoisson)`
//! with the dispersion floored (`summary(fit, dispersion = max(1, phi))`), and the F p-value is
//! `anova(fit, test = "F")`; `tests/reference.rs` matches R on
//! `fixtures/reference/expected/compare__quasi_poisson.csv` within 1e-6.
//!
//! # Why the Wald p-value by default
//! On negative-binomial nulls (4 weeks against 12, 40,000 draws a cell, `tests/calibration.rs`)
//! the F test on the deviance runs hot where counts are small and very over-dispersed: at a
//! mean of 2 a week and variance/mean 6, 0.062 / 0.015 / 0.0026 of p-values fall below
//! 0.05 / 0.01 / 0.001; at mean 5, 0.058 / 0.0125 / 0.0014. The deviance difference of such
//! skewed counts is not φ·χ²₁. The Wald statistic on the log ratio, with the same dispersion
//! and degrees of freedom, stays at or below nominal in every cell with a mean of 2 or more
//! (figures in docs/statistics.md), and it is the test the reported interval inverts.
//!
//! Sources: McCullagh & Nelder (1989), *Generalized Linear Models*, 2nd ed., §6.2
//! (quasi-likelihood, dispersion) and §12.5 (F tests with an estimated dispersion); Wedderburn
//! (1974), *Biometrika* 61:439.
//!
//! # Where the dispersion cannot be estimated
//! - Fewer than 3 weeks in all (n − 2 < 1): no test is possible. The result is p = 1, the
//!   interval (0, ∞), and `dispersion` is `None`; `compare` calls the region "too few weeks".
//! - A period with no events: b = ±∞ and the Wald interval is undefined (R's GLM reports a
//!   meaningless finite estimate). The period of zeros fits exactly and says nothing about
//!   the dispersion, so φ̂ comes from the other period alone, with its n_busy − 1 degrees of
//!   freedom (counting the zero weeks as residual degrees of freedom would shrink φ̂ and
//!   overstate the evidence; fewer than 2 busy weeks: no test). The ratio is reported as 0
//!   or ∞, and the interval's other end stays open (0 or ∞). The default p-value and the
//!   interval's finite end use Haldane's correction (half an event added to each period's
//!   total) in the Wald t statistic with those degrees of freedom; with `quasi-poisson-f`
//!   the F test on the deviances (still defined: the zero period fits exactly) gives p, and
//!   the finite end inverts it, {ρ : ΔD(ρ)/max(1, φ̂) ≤ t²(1 − α/2, df)}, ΔD(ρ) the deviance
//!   increase when the ratio is held at ρ (a profile interval).
//! - No events at all: p = 1, no ratio, interval (0, ∞).
//!
//! Never NaN: every case above is tested.

use super::exact::RateTest;
use crate::detect::glm::fit_poisson_offset;
use crate::stats::{pf_upper, pt_two_sided, qt};

/// The weekly counts of one period: counts per block and each block's exposure in weeks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Blocks {
    /// Events (or the measure) per block.
    pub counts: Vec<f64>,
    /// Length of each block in weeks (1 for a whole week).
    pub exposure: Vec<f64>,
}

impl Blocks {
    /// Whole weeks with these counts.
    pub fn weekly(counts: &[f64]) -> Blocks {
        Blocks {
            counts: counts.to_vec(),
            exposure: vec![1.0; counts.len()],
        }
    }

    /// The period's total.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }

    /// The period's length in weeks.
    pub fn weeks(&self) -> f64 {
        self.exposure.iter().sum()
    }
}

/// Poisson deviance of counts `y` against means `mu` (0·log 0 = 0; a zero mean fits only 0).
fn deviance(y: &[f64], mu: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .map(|(&y, &m)| {
            let log_term = if y > 0.0 { y * (y / m).ln() } else { 0.0 };
            2.0 * (log_term - (y - m))
        })
        .sum()
}

/// Fitted means of the blocks when the rate is `r1` in the period and `r0` in the other.
fn means(period: &Blocks, against: &Blocks, r1: f64, r0: f64) -> Vec<f64> {
    period
        .exposure
        .iter()
        .map(|e| e * r1)
        .chain(against.exposure.iter().map(|e| e * r0))
        .collect()
}

/// Which p-value the quasi-Poisson model reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuasiP {
    /// The Wald t test of the period coefficient, b/se against t(n − 2): the test its interval
    /// inverts (calibrated; the default).
    Wald,
    /// R's `anova(..., test = "F")` on the deviance difference (the reference p-value).
    F,
}

/// The quasi-Poisson comparison of `period` against `against` with a `level` interval and
/// the calibrated Wald t p-value.
pub fn quasi_poisson_test(period: &Blocks, against: &Blocks, level: f64) -> RateTest {
    quasi_poisson_test_with(period, against, level, QuasiP::Wald)
}

/// The quasi-Poisson comparison with the p-value of choice.
pub fn quasi_poisson_test_with(
    period: &Blocks,
    against: &Blocks,
    level: f64,
    which: QuasiP,
) -> RateTest {
    let n = period.counts.len() + against.counts.len();
    let (s1, s0) = (period.total(), against.total());
    let (e1, e0) = (period.weeks(), against.weeks());
    let rate_ratio = if s1 + s0 == 0.0 {
        None
    } else if s0 == 0.0 {
        Some(f64::INFINITY)
    } else {
        Some((s1 / e1) / (s0 / e0))
    };
    let undecided = RateTest {
        rate_ratio,
        p_two_sided: 1.0,
        p_greater: 1.0,
        ci_low: 0.0,
        ci_high: f64::INFINITY,
        dispersion: None,
    };
    if n < 3 || e1 <= 0.0 || e0 <= 0.0 {
        return undecided;
    }
    let df = (n - 2) as f64;
    let y: Vec<f64> = period
        .counts
        .iter()
        .chain(&against.counts)
        .copied()
        .collect();
    if s1 > 0.0 && s0 > 0.0 {
        // IRLS on two group means converges; should it ever not, no claim is made.
        return glm_test(period, against, &y, df, level, which)
            .map_or(undecided, |t| RateTest { rate_ratio, ..t });
    }
    // A period of zeros (or no events at all): closed forms, as the GLM's estimate is infinite.
    let (r1, r0) = (s1 / e1, s0 / e0);
    let mu1 = means(period, against, r1, r0);
    if s1 + s0 == 0.0 {
        return RateTest {
            dispersion: Some(pearson(&y, &mu1) / df),
            ..undecided
        };
    }
    // The period of zeros says nothing about the dispersion (it fits exactly): estimate it
    // from the other period alone, with that period's degrees of freedom.
    let busy = if s0 == 0.0 { period } else { against };
    let df = (busy.counts.len() as f64) - 1.0;
    if df < 1.0 {
        return undecided;
    }
    let busy_rate = busy.total() / busy.weeks();
    let busy_mu: Vec<f64> = busy.exposure.iter().map(|e| e * busy_rate).collect();
    let dispersion = pearson(&busy.counts, &busy_mu) / df;
    let phi = dispersion.max(1.0);
    let (p_two_sided, p_greater, bound) = match which {
        QuasiP::Wald => {
            // Haldane's correction: half an event added to each period gives a finite log
            // ratio and standard error (conservative where a period is empty).
            let b = ((s1 + 0.5) / e1 / ((s0 + 0.5) / e0)).ln();
            let se = (phi * (1.0 / (s1 + 0.5) + 1.0 / (s0 + 0.5))).sqrt();
            let p = pt_two_sided(b / se, df);
            let t = qt(1.0 - (1.0 - level) / 2.0, df);
            let bound = if s0 == 0.0 { b - t * se } else { b + t * se };
            (
                p,
                if b > 0.0 { p / 2.0 } else { 1.0 - p / 2.0 },
                bound.exp(),
            )
        }
        QuasiP::F => {
            let d1 = deviance(&y, &mu1);
            let pooled = (s1 + s0) / (e1 + e0);
            let d0 = deviance(&y, &means(period, against, pooled, pooled));
            let (p2, p1) = f_test(d0 - d1, phi, df, r1 > r0);
            // Invert the F test for the interval's finite end.
            let t = qt(1.0 - (1.0 - level) / 2.0, df);
            let critical = t * t * phi;
            let delta = |log_ratio: f64| -> f64 {
                let rho = log_ratio.exp();
                let c = (s1 + s0) / (e0 + rho * e1);
                deviance(&y, &means(period, against, c * rho, c)) - d1
            };
            (p2, p1, profile_bound(delta, critical, s0 == 0.0))
        }
    };
    let (ci_low, ci_high) = if s0 == 0.0 {
        (bound, f64::INFINITY)
    } else {
        (0.0, bound)
    };
    RateTest {
        rate_ratio,
        p_two_sided,
        p_greater,
        ci_low,
        ci_high,
        dispersion: Some(dispersion),
    }
}

/// Pearson's X² of counts `y` against means `mu` (a zero mean, which only fits zeros, adds 0).
fn pearson(y: &[f64], mu: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .filter(|(_, &m)| m > 0.0)
        .map(|(&y, &m)| (y - m).powi(2) / m)
        .sum()
}

/// The F test on a deviance drop with dispersion `phi`: (two-sided p, one-sided p for a rise).
fn f_test(drop: f64, phi: f64, df: f64, rising: bool) -> (f64, f64) {
    let p = pf_upper((drop / phi).max(0.0), 1.0, df);
    (p, if rising { p / 2.0 } else { 1.0 - p / 2.0 })
}

/// Both periods have events: fit the GLMs by IRLS exactly as R's `glm.fit` does, so the
/// estimate, its standard error and the deviances carry R's arithmetic (to ~1e-10).
fn glm_test(
    period: &Blocks,
    against: &Blocks,
    y: &[f64],
    df: f64,
    level: f64,
    which: QuasiP,
) -> Option<RateTest> {
    let n = y.len();
    let offset: Vec<f64> = period
        .exposure
        .iter()
        .chain(&against.exposure)
        .map(|e| e.ln())
        .collect();
    let ones = vec![1.0; n];
    // Treatment contrasts: the comparison period is the reference level.
    let x: Vec<f64> = (0..n)
        .flat_map(|i| [1.0, if i < period.counts.len() { 1.0 } else { 0.0 }])
        .collect();
    let fit = fit_poisson_offset(&x, 2, y, &ones, Some(&offset))?;
    let fit0 = fit_poisson_offset(&ones, 1, y, &ones, Some(&offset))?;
    let dispersion = pearson(y, &fit.mu) / df;
    let phi = dispersion.max(1.0);
    let b = fit.beta[1];
    let se = (phi * fit.xtwx_inv[3]).sqrt();
    let (p_two_sided, p_greater) = match which {
        QuasiP::F => f_test(
            deviance(y, &fit0.mu) - deviance(y, &fit.mu),
            phi,
            df,
            b > 0.0,
        ),
        QuasiP::Wald => {
            let t = b / se;
            let p = pt_two_sided(t, df);
            (p, if t > 0.0 { p / 2.0 } else { 1.0 - p / 2.0 })
        }
    };
    let t = qt(1.0 - (1.0 - level) / 2.0, df);
    Some(RateTest {
        rate_ratio: Some(b.exp()),
        p_two_sided,
        p_greater,
        ci_low: (b - t * se).exp(),
        ci_high: (b + t * se).exp(),
        dispersion: Some(dispersion),
    })
}

/// The ratio ρ where the deviance increase `delta(log ρ)` reaches `critical`. `delta` falls
/// towards 0 as log ρ grows when the estimate is infinite (`estimate_is_infinite`), and rises
/// from 0 as log ρ grows when the estimate is 0.
fn profile_bound(delta: impl Fn(f64) -> f64, critical: f64, estimate_is_infinite: bool) -> f64 {
    // g(x) > 0 outside the interval, ≤ 0 inside; `towards` moves into the interval.
    let g = |x: f64| delta(x) - critical;
    let towards = if estimate_is_infinite { 1.0 } else { -1.0 };
    let limit = 600.0;
    // The open end of the interval where the search runs out of range: 0 or ∞.
    let open = if estimate_is_infinite {
        0.0
    } else {
        f64::INFINITY
    };
    let (mut inside, mut outside) = (0.0f64, 0.0f64);
    if g(0.0) > 0.0 {
        while g(inside) > 0.0 {
            if inside.abs() >= limit {
                // Never inside within e^±600: the estimate's side is all the data allow.
                return if estimate_is_infinite {
                    f64::INFINITY
                } else {
                    0.0
                };
            }
            outside = inside;
            inside += towards;
        }
    } else {
        while g(outside) <= 0.0 {
            if outside.abs() >= limit {
                return open;
            }
            inside = outside;
            outside -= towards;
        }
    }
    for _ in 0..100 {
        let mid = 0.5 * (inside + outside);
        if g(mid) > 0.0 {
            outside = mid;
        } else {
            inside = mid;
        }
    }
    (0.5 * (inside + outside)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn w(c: &[f64]) -> Blocks {
        Blocks::weekly(c)
    }

    #[test]
    fn first_reference_case_matches_r() {
        // compare__quasi_poisson.csv, acled_iraq_diyala 2018-01-13 (R 4.2.2).
        let t = quasi_poisson_test_with(
            &w(&[10.0, 10.0, 18.0, 10.0]),
            &w(&[
                22.0, 10.0, 7.0, 6.0, 10.0, 16.0, 17.0, 11.0, 15.0, 18.0, 13.0, 15.0,
            ]),
            0.95,
            QuasiP::F,
        );
        assert_relative_eq!(
            t.rate_ratio.unwrap(),
            0.899999999999137,
            max_relative = 1e-9
        );
        assert_relative_eq!(t.dispersion.unwrap(), 1.59642857142727, max_relative = 1e-9);
        assert_relative_eq!(t.p_two_sided, 0.617005829889528, max_relative = 1e-6);
        assert_relative_eq!(t.ci_low, 0.576180222919314, max_relative = 1e-6);
        assert_relative_eq!(t.ci_high, 1.4058101402621, max_relative = 1e-6);
        assert!(t.p_greater > 0.5, "a fall is not evidence of a rise");
    }

    #[test]
    fn dispersion_below_one_is_floored() {
        // Steady counts (Pearson X²/df < 1): the test is the Poisson likelihood-ratio F test.
        // R 4.2.2: y <- c(10,10,10,10,rep(5,8)); d <- factor(c(rep(1,4),rep(0,8)));
        // F with dispersion max(1, 0) = 1 on 1 and 10 df: p = 0.0118482443016;
        // exp(b ± qt(0.975, 10) se) = 1.21521399571, 3.29160132629 (R's IRLS arithmetic,
        // which the closed form misses in the 9th digit).
        let t = quasi_poisson_test_with(
            &w(&[10.0, 10.0, 10.0, 10.0]),
            &w(&[5.0; 8]),
            0.95,
            QuasiP::F,
        );
        assert!(t.dispersion.unwrap() < 1e-12);
        assert_relative_eq!(t.rate_ratio.unwrap(), 2.0);
        assert_relative_eq!(t.p_two_sided, 0.0118482443016, max_relative = 1e-9);
        assert_relative_eq!(t.ci_low, 1.21521399571, max_relative = 1e-9);
        assert_relative_eq!(t.ci_high, 3.29160132629, max_relative = 1e-9);
    }

    #[test]
    fn wald_p_agrees_with_the_interval() {
        // Significant at 5% exactly when the 95% interval excludes 1.
        let a = w(&[6.0, 8.0, 5.0, 7.0, 9.0, 4.0, 6.0, 7.0]);
        for extra in 0..12 {
            let p = w(&[9.0 + extra as f64, 12.0, 8.0 + extra as f64, 11.0]);
            let t = quasi_poisson_test(&p, &a, 0.95);
            assert_eq!(t.p_two_sided < 0.05, t.ci_low > 1.0, "{t:?}");
        }
        // R 4.2.2, the Diyala reference case: b/se with the floored dispersion,
        // s <- summary(fit, dispersion = 1.59642857143)$coefficients[2, ];
        // 2 * pt(-abs(s[1] / s[2]), 14) = 0.620250532741.
        let t = quasi_poisson_test(
            &w(&[10.0, 10.0, 18.0, 10.0]),
            &w(&[
                22.0, 10.0, 7.0, 6.0, 10.0, 16.0, 17.0, 11.0, 15.0, 18.0, 13.0, 15.0,
            ]),
            0.95,
        );
        assert_relative_eq!(t.p_two_sided, 0.620250532741, max_relative = 1e-8);
    }

    #[test]
    fn over_dispersion_weakens_the_evidence() {
        let calm = quasi_poisson_test(
            &w(&[9.0, 11.0, 10.0, 10.0]),
            &w(&[5.0, 6.0, 4.0, 5.0, 5.0, 5.0, 6.0, 4.0]),
            0.95,
        );
        let wild = quasi_poisson_test(
            &w(&[0.0, 25.0, 2.0, 13.0]),
            &w(&[0.0, 14.0, 1.0, 0.0, 9.0, 12.0, 0.0, 4.0]),
            0.95,
        );
        assert_eq!(calm.rate_ratio, wild.rate_ratio);
        assert!(
            wild.p_two_sided > 10.0 * calm.p_two_sided,
            "{calm:?} {wild:?}"
        );
        assert!(wild.ci_high - wild.ci_low > calm.ci_high - calm.ci_low);
    }

    #[test]
    fn a_period_without_events_gives_a_finite_end_and_no_nan() {
        // 14 events in 4 weeks after 12 empty weeks. The dispersion comes from the 4 busy
        // weeks alone (3 degrees of freedom), so the evidence is moderate, not Poisson's.
        let busy = w(&[3.0, 5.0, 2.0, 4.0]);
        let t = quasi_poisson_test(&busy, &w(&[0.0; 12]), 0.95);
        assert_eq!(t.rate_ratio, Some(f64::INFINITY));
        assert!(t.p_two_sided < 0.1 && t.p_two_sided > 0.01, "{t:?}");
        assert!(t.p_greater < t.p_two_sided);
        assert!(t.ci_low.is_finite() && t.ci_low > 0.5, "{t:?}");
        assert_eq!(t.ci_high, f64::INFINITY);
        // Haldane's correction by hand: b = ln((14.5/4)/(0.5/12)), se² = 1/14.5 + 1/0.5
        // (dispersion 0.476 floored at 1), T = b/se against t(3).
        let b = ((14.5f64 / 4.0) / (0.5 / 12.0)).ln();
        let se = (1.0 / 14.5 + 1.0 / 0.5f64).sqrt();
        assert_relative_eq!(
            t.p_two_sided,
            pt_two_sided(b / se, 3.0),
            max_relative = 1e-12
        );
        // R's F test on the same data is the bolder claim; its profile bound is finite too.
        let f = quasi_poisson_test_with(&busy, &w(&[0.0; 12]), 0.95, QuasiP::F);
        assert!(f.p_two_sided < 0.01 && f.ci_low > 1.0, "{f:?}");
        let down = quasi_poisson_test(&w(&[0.0; 4]), &w(&[3.0, 5.0, 2.0, 4.0, 3.0, 2.0]), 0.95);
        assert_eq!(down.rate_ratio, Some(0.0));
        assert!(down.ci_high.is_finite(), "{down:?}");
        assert_eq!(down.ci_low, 0.0);
        assert!(down.p_greater > 0.5);
        for r in [t, f, down] {
            assert!(!r.p_two_sided.is_nan() && !r.p_greater.is_nan());
        }
    }

    #[test]
    fn a_bound_out_of_range_is_open_not_astronomical() {
        // One degree of freedom and a 99.9% level: the F-inverted bound leaves any finite range.
        let t = quasi_poisson_test_with(&w(&[6.0, 4.0]), &w(&[0.0; 10]), 0.999, QuasiP::F);
        assert!(t.ci_low == 0.0 || t.ci_low > 1e-250, "{t:?}");
        let t = quasi_poisson_test_with(&w(&[0.0; 10]), &w(&[6.0, 4.0]), 0.999, QuasiP::F);
        assert!(t.ci_high.is_infinite() || t.ci_high < 1e250, "{t:?}");
    }

    #[test]
    fn nothing_to_compare_is_not_a_claim() {
        let none = quasi_poisson_test(&w(&[0.0; 4]), &w(&[0.0; 12]), 0.95);
        assert_eq!((none.rate_ratio, none.p_two_sided), (None, 1.0));
        // Two weeks in all: no degrees of freedom for the dispersion.
        let two = quasi_poisson_test(&w(&[30.0]), &w(&[2.0]), 0.95);
        assert_eq!(two.p_two_sided, 1.0);
        assert_eq!(two.dispersion, None);
        assert_eq!((two.ci_low, two.ci_high), (0.0, f64::INFINITY));
    }

    #[test]
    fn partial_blocks_count_by_exposure() {
        // A quarter of 13 weeks and a day: the last block is 1/7 of a week.
        let mut counts = vec![7.0; 13];
        counts.push(1.0);
        let mut exposure = vec![1.0; 13];
        exposure.push(1.0 / 7.0);
        let p = Blocks { counts, exposure };
        let t = quasi_poisson_test(&p, &p.clone(), 0.95);
        assert_relative_eq!(t.rate_ratio.unwrap(), 1.0, max_relative = 1e-12);
        assert_relative_eq!(t.p_two_sided, 1.0, max_relative = 1e-9);
    }

    #[test]
    fn level_follows_alpha() {
        let p = w(&[12.0, 9.0, 15.0, 11.0]);
        let a = w(&[6.0, 8.0, 5.0, 7.0, 9.0, 4.0]);
        let t95 = quasi_poisson_test(&p, &a, 0.95);
        let t99 = quasi_poisson_test(&p, &a, 0.99);
        assert!(t99.ci_low < t95.ci_low && t99.ci_high > t95.ci_high);
        assert_eq!(t95.p_two_sided, t99.p_two_sided);
    }
}
