//! EARS C1, C2 and C3: short-baseline Shewhart-type charts from the CDC's Early Aberration
//! Reporting System (Hutwagner et al. 2003, J Urban Health 80(2 Suppl 1):i89-96), as in R's
//! `surveillance::earsC` (cran/surveillance `R/earsC.R`).
//!
//! - C1: baseline the `b` = 7 weeks t−7..t−1; mean Ȳ and sample SD S (n − 1);
//!   U = Ȳ + z·max(S, minSigma), z = Φ⁻¹(1 − α), α = 0.001 by default (z ≈ 3.09).
//! - C2: the same with a two-week guard band: baseline t−9..t−3.
//! - C3, **as CDC documents it** (not `earsC`'s code, which ignores the current week and so
//!   alarms a week late): C3(t) = Σ_{i=t−2..t} max(0, C2(i) − 1), alarm iff C3 ≥ z with
//!   α = 0.025 (z ≈ 1.96). Its count threshold: with L = Σ_{i=t−2,t−1} max(0, C2(i) − 1),
//!   the week alarms iff y_t ≥ Ȳ2 + σ2·(1 + z − L) (or L ≥ z already).
//!
//! Degenerate cases: a zero SD with minSigma = 0 leaves C1/C2 scores undefined (the bound is
//! the mean, as in R); C2, hence C3, is then undefined and C3 raises no alarm. uptick's default
//! minSigma is 1 (Burkom's advice for sparse counts: one event after a quiet baseline does
//! not alarm); `--min-sigma 0` reproduces R's default. No p-values: EARS scores are not
//! calibrated probabilities.

use super::{Judgement, Note};
use crate::stats::qnorm;

/// The EARS variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// C1-MILD: baseline t−7..t−1.
    C1,
    /// C2-MEDIUM: baseline t−9..t−3.
    C2,
    /// C3-HIGH (CDC's documented definition).
    C3,
}

/// Default α of C1 and C2 ("Z(1-zAlpha) of about 3").
pub const ALPHA_C1_C2: f64 = 0.001;
/// Default α of C3 ("about 2").
pub const ALPHA_C3: f64 = 0.025;

/// Parameters of the EARS charts.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Baseline length in weeks (at least 3; 7 by default).
    pub baseline: usize,
    /// Floor for the SD.
    pub min_sigma: f64,
    /// α; `None` takes the variant's default.
    pub alpha: Option<f64>,
}

/// First week (0-based) the variant can judge.
pub fn first_judgeable(variant: Variant, baseline: usize) -> usize {
    match variant {
        Variant::C1 => baseline,
        Variant::C2 => baseline + 2,
        Variant::C3 => baseline + 4,
    }
}

fn mean_sd(b: &[f64]) -> (f64, f64) {
    let n = b.len() as f64;
    let mean = b.iter().sum::<f64>() / n;
    let var = b.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Baseline mean and σ = max(sd, minSigma) for the week `t`, with `lag` guard weeks.
fn baseline(y: &[f64], t: usize, len: usize, lag: usize, min_sigma: f64) -> (f64, f64) {
    let (mean, sd) = mean_sd(&y[t - lag - len..t - lag]);
    (mean, sd.max(min_sigma))
}

/// C2 score of week t, `None` where σ = 0.
pub fn c2_score(y: &[f64], t: usize, p: &Params) -> Option<f64> {
    let (mean, sigma) = baseline(y, t, p.baseline, 2, p.min_sigma);
    (sigma > 0.0).then(|| (y[t] - mean) / sigma)
}

/// Judges week `t` (0-based, `t >= first_judgeable`).
pub fn judge(y: &[f64], t: usize, variant: Variant, p: &Params) -> Judgement {
    match variant {
        Variant::C1 | Variant::C2 => {
            let lag = if variant == Variant::C1 { 0 } else { 2 };
            let z = qnorm(1.0 - p.alpha.unwrap_or(ALPHA_C1_C2));
            let (mean, sigma) = baseline(y, t, p.baseline, lag, p.min_sigma);
            let upper = mean + z * sigma;
            Judgement {
                expected: Some(mean),
                upperbound: Some(upper),
                statistic: (sigma > 0.0).then(|| (y[t] - mean) / sigma),
                alarm: y[t] > upper,
                ..Judgement::new(t, y[t])
            }
        }
        Variant::C3 => {
            let z = qnorm(1.0 - p.alpha.unwrap_or(ALPHA_C3));
            let (mean, sigma) = baseline(y, t, p.baseline, 2, p.min_sigma);
            let scores = [
                c2_score(y, t - 2, p),
                c2_score(y, t - 1, p),
                c2_score(y, t, p),
            ];
            let mut j = Judgement {
                expected: Some(mean),
                ..Judgement::new(t, y[t])
            };
            if scores.iter().any(Option::is_none) {
                j.note = Some(Note::C3Undefined);
                return j;
            }
            let part = |s: Option<f64>| (s.unwrap_or(0.0) - 1.0).max(0.0);
            let lagged = part(scores[0]) + part(scores[1]);
            let c3 = lagged + part(scores[2]);
            j.statistic = Some(c3);
            j.alarm = c3 >= z;
            // The count this week needs for C3 ≥ z. When the two weeks before already reach z
            // the alarm holds whatever this week's count, so the threshold is 0 (never a bound
            // above a count that alarms).
            j.upperbound = Some(if lagged >= z {
                0.0
            } else {
                (mean + sigma * (1.0 + z - lagged)).max(0.0)
            });
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn params(min_sigma: f64) -> Params {
        Params {
            baseline: 7,
            min_sigma,
            alpha: None,
        }
    }

    #[test]
    fn sparse_data_examples_from_methods() {
        // R 4.2.2, surveillance 1.20.3, earsC(C1, minSigma = 0 | 0.5 | 1): 7 zero weeks then 1 event.
        let y = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let j = judge(&y, 7, Variant::C1, &params(0.0));
        assert_eq!(j.upperbound, Some(0.0));
        assert!(j.alarm);
        let j = judge(&y, 7, Variant::C1, &params(0.5));
        assert_relative_eq!(j.upperbound.unwrap(), 1.545, max_relative = 1e-3);
        assert!(!j.alarm);
        let j = judge(&y, 7, Variant::C1, &params(1.0));
        assert_relative_eq!(j.upperbound.unwrap(), 3.090, max_relative = 1e-3);
    }

    #[test]
    fn constant_series_never_alarms_and_stays_finite() {
        let y = [4.0; 20];
        for v in [Variant::C1, Variant::C2, Variant::C3] {
            for t in first_judgeable(v, 7)..20 {
                let j = judge(&y, t, v, &params(1.0));
                assert!(!j.alarm);
                assert!(j.upperbound.unwrap().is_finite());
            }
        }
        // With minSigma 0 C3 is undefined, with a reason.
        let j = judge(&y, 12, Variant::C3, &params(0.0));
        assert!(!j.alarm && j.note.is_some() && j.upperbound.is_none());
    }

    #[test]
    fn c3_carried_by_earlier_weeks_reports_a_consistent_bound() {
        // Two big weeks, then a quiet one: C3 still alarms (the documented definition), and
        // the bound it reports does not exceed the quiet week's count.
        let mut y = vec![2.0, 3.0, 2.0, 1.0, 3.0, 2.0, 2.0, 3.0, 2.0, 2.0, 3.0];
        y.extend([12.0, 14.0, 0.0]);
        let t = y.len() - 1;
        let j = judge(&y, t, Variant::C3, &params(1.0));
        assert!(j.alarm, "{j:?}");
        assert!(j.observed >= j.upperbound.unwrap(), "{j:?}");
        // Every C3 alarm on a noisy series satisfies observed >= upperbound.
        let noisy: Vec<f64> = (0..80)
            .map(|i| ((i * 37 % 11) as f64) + if i % 13 == 0 { 15.0 } else { 0.0 })
            .collect();
        for t in first_judgeable(Variant::C3, 7)..noisy.len() {
            let j = judge(&noisy, t, Variant::C3, &params(1.0));
            if j.alarm {
                assert!(j.observed >= j.upperbound.unwrap(), "{j:?}");
            }
        }
    }

    #[test]
    fn one_huge_spike_alarms_once_in_c1() {
        let mut y = vec![2.0, 3.0, 2.0, 1.0, 3.0, 2.0, 2.0, 3.0, 2.0, 2.0];
        y.push(40.0);
        y.extend([2.0, 3.0, 2.0]);
        let alarms: Vec<usize> = (7..y.len())
            .filter(|&t| judge(&y, t, Variant::C1, &params(1.0)).alarm)
            .collect();
        assert_eq!(alarms, vec![10]);
    }
}
