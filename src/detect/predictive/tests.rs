use super::*;
use crate::stats::ln_beta;
use approx::assert_relative_eq;

/// Found by `uptick evaluate` on simulated heavy-tailed counts: a count far beyond the
/// baseline made the mid-p cdf NaN, and CUSUM's normal score panicked on it; a count of
/// 1e300 made the downward tail sum loop for ever.
#[test]
fn mid_cdf_is_a_probability_for_any_count() {
    for base in [&[3.0, 0.0, 12.0, 1.0, 0.0, 40.0][..], &[0.0; 6], &[5.0; 6]] {
        let pred = Predictive::from_baseline(base);
        for y in [0.0, 1.0, 1e6, 1e12, 1e18, 1e300, f64::MAX] {
            let u = pred.mid_cdf(y);
            assert!((0.0..=1.0).contains(&u), "{base:?}, y = {y}: {u}");
        }
        assert!(pred.mid_cdf(1e300) > 0.999, "{base:?}");
    }
}

/// P(Y = j) of one component by the closed form, summed: the recurrence agrees.
#[test]
fn component_tail_matches_its_pmf() {
    let c = Component::new(1.0, 2.5, 64.5, 130.5, ln_beta(64.5, 130.5), ln_gamma(130.5));
    assert_eq!(c.ln_p0, ln_beta(67.0, 130.5) - ln_beta(64.5, 130.5));
    let direct: f64 = (0..12).map(|j| c.ln_pmf(j as f64).exp()).sum();
    assert_relative_eq!(1.0 - c.upper_tail(12.0, None), direct, max_relative = 1e-10);
    // Far in the tail the upward sum takes over; it continues the same function.
    let far = c.upper_tail(60.0, None);
    let step = c.upper_tail(59.0, None) - far;
    assert_relative_eq!(step, c.ln_pmf(59.0).exp(), max_relative = 1e-8);
}

/// The grid remembered per (weeks, total) gives the same predictive, to the last bit, as
/// a grid built afresh: for baselines met for the first time, met again, met again with
/// larger counts than the first (past the remembered table), and fractional ones.
#[test]
fn the_remembered_grid_changes_no_bit() {
    let bases: [&[f64]; 6] = [
        &[3.0, 7.0, 1.0, 0.0, 12.0, 4.0, 5.0, 2.0, 9.0, 6.0, 3.0, 4.0],
        &[4.0, 6.0, 2.0, 1.0, 11.0, 3.0, 5.0, 3.0, 8.0, 7.0, 2.0, 4.0],
        &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 56.0],
        &[0.0; 12],
        &[
            1.5, 0.25, 3.0, 7.75, 0.0, 2.0, 4.0, 5.0, 9.0, 6.0, 3.0, 14.25,
        ],
        &[
            300.0, 1.0, 2.0, 3.0, 4.0, 500.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0,
        ],
    ];
    for round in 0..2 {
        for base in bases {
            let sum: f64 = base.iter().sum();
            let fresh = Predictive::on_grid(&distinct(base), &grid::fresh(base.len(), sum));
            let remembered = Predictive::from_baseline(base);
            assert_eq!(remembered, fresh, "round {round}, {base:?}");
            for y in [0.0, 1.0, 5.0, 20.0, 400.0] {
                assert_eq!(
                    remembered.upper_tail(y).to_bits(),
                    fresh.upper_tail(y).to_bits()
                );
            }
        }
    }
}

/// A search keeps each component's forward sums between probes: the tails, mid-p values
/// and quantiles must be the same to the last bit as without them, probed in any order.
#[test]
fn kept_forward_sums_change_no_bit() {
    let bases: [&[f64]; 4] = [
        &[3.0, 7.0, 1.0, 0.0, 12.0, 4.0, 5.0, 2.0, 9.0, 6.0, 3.0, 4.0],
        &[0.0; 26],
        &[180.0, 240.0, 95.0, 310.0, 150.0, 200.0, 260.0, 170.0],
        &[0.0, 0.0, 40.0, 0.0, 25.0, 0.0, 1.0, 0.0],
    ];
    for base in bases {
        let p = Predictive::from_baseline(base);
        let mut prefixes = p.prefixes();
        for y in [17.0, 3.0, 0.0, 250.0, 1.0, 64.0, 4000.0, 5000.0, 2.0, 600.0] {
            let alone = p.upper_tail(y);
            assert_eq!(alone.to_bits(), p.upper_tail_in(y, &mut prefixes).to_bits());
            let mid = p.mid_cdf(y);
            assert_eq!(mid.to_bits(), p.mid_cdf_in(y, &mut prefixes).to_bits());
        }
        // The quantile searches (which keep the sums) land where probing without them does.
        for level in [0.5, 0.95, 0.999, 1.0 - 3.6e-4] {
            let target = 1.0 - level * (1.0 - 64.0 * f64::EPSILON);
            let u = p.quantile(level);
            assert!(p.upper_tail(u + 1.0) <= target, "{base:?} {level}");
            assert!(u == 0.0 || p.upper_tail(u) > target, "{base:?} {level}");
            let m = p.mid_quantile(level);
            assert!(p.mid_cdf(m) >= level, "{base:?} {level}");
            assert!(m == 0.0 || p.mid_cdf(m - 1.0) < level, "{base:?} {level}");
        }
    }
}

/// The closed-form rest of a heavy tail against summing ten million terms: heavy
/// components of the kind a baseline of zeros or a few bursts makes.
#[test]
fn power_law_rest_matches_a_long_sum() {
    for (r, a, b) in [
        (0.145, 3.27, 0.5),
        (0.0385, 0.5, 0.5),
        (0.189, 4.41, 1.5),
        (0.25, 1.2, 12.5),
        (1.5, 2.0, 3.5),
    ] {
        let c = Component::new(1.0, r, a, b, ln_beta(a, b), ln_gamma(b));
        for y in [20.0, 63.0, 255.0, 1000.0] {
            let fast = c.upward_sum(y, MAX_TERMS, POWER_LAW_AFTER);
            let long = c.upward_sum(y, 10_000_000, usize::MAX);
            // As close as summing 20,000 terms was (2.3e-6 and 1.1e-5 at worst here).
            assert_relative_eq!(fast, long, max_relative = 3e-6);

            assert!(fast > 0.0 && fast < 1.0, "{r} {a} {b} {y}: {fast}");
        }
    }
}

#[test]
fn tail_and_quantile_are_consistent() {
    let base = [3.0, 7.0, 1.0, 0.0, 12.0, 4.0, 5.0, 2.0, 9.0, 6.0, 3.0, 4.0];
    let p = Predictive::from_baseline(&base);
    let u = p.quantile(0.95);
    // P(Y > u) ≤ 0.05 < P(Y > u − 1).
    assert!(p.upper_tail(u + 1.0) <= 0.05);
    assert!(p.upper_tail(u) > 0.05);
    assert_eq!(p.upper_tail(0.0), 1.0);
    let total: f64 = p.components.iter().map(|c| c.weight).sum();
    assert_relative_eq!(total, 1.0, max_relative = 1e-12);
}

#[test]
fn poisson_like_baseline_approaches_bayes() {
    // A long, steady baseline: the posterior favours large k and the predictive is near
    // surveillance's bayes NB(S + ½, B/(B + 1)); with unknown dispersion it is a bit wider.
    let base = vec![
        4.0, 5.0, 3.0, 4.0, 6.0, 4.0, 5.0, 3.0, 4.0, 2.0, 4.0, 5.0, 4.0,
    ];
    let base: Vec<f64> = base.iter().cycle().take(104).copied().collect();
    let p = Predictive::from_baseline(&base);
    let sum: f64 = base.iter().sum();
    let bayes = crate::stats::qnbinom(0.95, sum + 0.5, 104.0 / 105.0);
    let u = p.quantile(0.95);
    assert!(u >= bayes && u <= bayes + 2.0, "{u} vs {bayes}");
}

#[test]
fn degenerate_baselines_stay_defined() {
    // All zeros: small, proper tail.
    let p = Predictive::from_baseline(&[0.0; 26]);
    assert!(p.upper_tail(1.0) < 0.1 && p.upper_tail(1.0) > 0.0);
    assert!(p.upper_tail(5.0) < p.upper_tail(2.0));
    assert!(p.quantile(0.95).is_finite());
    // Constant: finite and the constant itself unremarkable.
    let p = Predictive::from_baseline(&[3.0; 26]);
    assert!(p.upper_tail(3.0) > 0.3);
    assert!(p.upper_tail(30.0) < 1e-6);
    // One huge spike widens the tail.
    let mut spiky = vec![3.0; 26];
    spiky[10] = 400.0;
    let wide = Predictive::from_baseline(&spiky);
    assert!(wide.upper_tail(30.0) > 100.0 * p.upper_tail(30.0));
    // Every value is a probability.
    for y in [0.0, 1.0, 10.0, 1e3, 1e5] {
        let t = wide.upper_tail(y);
        assert!((0.0..=1.0).contains(&t), "{y}: {t}");
    }
}

#[test]
fn large_means_do_not_underflow() {
    // A busy baseline (mean 1500, variance/mean 33): P(Y = 0) underflows in every
    // component; the tail and the quantile must still sit near the data.
    let base: Vec<f64> = (0..26)
        .map(|i| 1500.0 + 60.0 * ((i * 7 % 13) as f64 - 6.0))
        .collect();
    let p = Predictive::from_baseline(&base);
    let q = p.quantile(0.95);
    assert!(q > 1500.0 && q < 2500.0, "{q}");
    assert!(p.upper_tail(3000.0) < 1e-3, "{}", p.upper_tail(3000.0));
    assert!(p.upper_tail(1000.0) > 0.9, "{}", p.upper_tail(1000.0));
    assert!(p.upper_tail(1500.0) > 0.3 && p.upper_tail(1500.0) < 0.7);
    let mid = p.mid_cdf(1500.0);
    assert!(mid > 0.3 && mid < 0.7, "{mid}");
}

#[test]
fn sparse_bursty_baselines_stay_finite() {
    // Mostly zeros with bursts: heavy-tailed components; tails and quantiles stay finite.
    // (Their speed is measured in benches/pipeline.rs.)
    let mut base = vec![0.0; 26];
    base[3] = 40.0;
    base[17] = 25.0;
    let p = Predictive::from_baseline(&base);
    let q = p.mid_quantile(1.0 - 3.6e-4);
    assert!(q.is_finite() && q > 0.0, "{q}");
    assert!(p.upper_tail(100.0) > 0.0 && p.upper_tail(100.0) < 0.2);
    let one_week = Predictive::from_baseline(&[3.0]);
    assert!(one_week.quantile(0.999).is_finite());
}

#[test]
fn mid_scores_and_quantiles_agree() {
    let p = Predictive::from_baseline(&[2.0, 5.0, 1.0, 3.0, 8.0, 2.0, 4.0, 3.0]);
    for y in 0..15 {
        let m = p.mid_cdf(y as f64);
        assert!(p.mid_quantile(m - 1e-12) <= y as f64);
    }
}
