//! Null copies of a region's series: a parametric bootstrap (Efron & Tibshirani 1993, *An
//! Introduction to the Bootstrap*, ch. 6) from the region's own mean and dispersion, with no
//! rise. The weekly counts are drawn independently from a negative binomial fitted by moments
//! (mean μ, variance v: size k = μ² / (v − μ)), or Poisson where v ≤ μ; all zeros stay zeros.
//! Seasonality and autocorrelation are not reproduced: the copies answer "how often does the
//! method alarm on counts this noisy with no change at all".

use rand::Rng;
use rand_distr::{Distribution, Gamma, Poisson};

/// A region's fitted null: mean and negative-binomial size (`None`: Poisson).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NullFit {
    /// Mean weekly count.
    pub mean: f64,
    /// Negative-binomial size (`None` when the counts are not over-dispersed).
    pub size: Option<f64>,
}

/// Fits the null of `y` by moments.
pub fn fit(y: &[f64]) -> NullFit {
    let n = y.len() as f64;
    if y.is_empty() {
        return NullFit {
            mean: 0.0,
            size: None,
        };
    }
    let mean = y.iter().sum::<f64>() / n;
    let var = if y.len() > 1 {
        y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let size = (mean > 0.0 && var > mean).then(|| mean * mean / (var - mean));
    NullFit { mean, size }
}

/// One count from the fitted null.
pub fn draw(fit: NullFit, rng: &mut impl Rng) -> f64 {
    if fit.mean <= 0.0 {
        return 0.0;
    }
    let lambda = match fit.size {
        // NB(μ, k) as a Poisson with a Gamma(k, μ/k) rate.
        Some(k) => match Gamma::new(k, fit.mean / k) {
            Ok(g) => g.sample(rng),
            Err(_) => fit.mean,
        },
        None => fit.mean,
    };
    // A Gamma draw with a tiny size can be astronomically large: no week holds more than
    // the ingest's ceiling.
    poisson(lambda.min(crate::ingest::MAX_COUNT), rng)
}

/// A Poisson count with mean `lambda` (0 for a zero or invalid mean).
pub fn poisson(lambda: f64, rng: &mut impl Rng) -> f64 {
    if lambda.is_finite() && lambda > 0.0 {
        Poisson::new(lambda).map_or(0.0, |p| p.sample(rng))
    } else {
        0.0
    }
}

/// A null copy of `y`, as long as `y`.
pub fn copy(y: &[f64], rng: &mut impl Rng) -> Vec<f64> {
    let f = fit(y);
    (0..y.len()).map(|_| draw(f, rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_fit_recovers_mean_and_dispersion() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let truth = NullFit {
            mean: 8.0,
            size: Some(2.0),
        };
        let y: Vec<f64> = (0..40_000).map(|_| draw(truth, &mut rng)).collect();
        let f = fit(&y);
        assert!((f.mean - 8.0).abs() < 0.1, "{f:?}");
        // var = μ + μ²/k = 40.
        assert!((f.size.unwrap() - 2.0).abs() < 0.1, "{f:?}");
    }

    #[test]
    fn degenerate_series() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        assert_eq!(
            copy(&[0.0; 10], &mut rng),
            vec![0.0; 10],
            "all zeros stay zeros"
        );
        assert!(copy(&[], &mut rng).is_empty());
        let constant = fit(&[3.0; 20]);
        assert_eq!(constant.size, None, "no over-dispersion: Poisson");
        assert_eq!(constant.mean, 3.0);
        assert_eq!(fit(&[5.0]).size, None);
    }
}
