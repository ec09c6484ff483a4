//! Calibration of the p-value methods on seeded simulated series: under the null (no
//! outbreak) the share of weeks with p < α stays at or below α within Monte-Carlo error, for
//! Poisson and over-dispersed negative-binomial counts, sparse and busy; with injected
//! outbreaks the methods detect them.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, Gamma, Poisson};
use uptick::detect::{detect, judge_series, DetectParams, Method, Selection};

const ALPHA: f64 = 0.05;
const WEEKS: usize = 300;

fn dates() -> Vec<NaiveDate> {
    let s = NaiveDate::from_ymd_opt(2014, 1, 6).unwrap();
    (0..WEEKS)
        .map(|i| s + chrono::Duration::days(7 * i as i64))
        .collect()
}

/// Stationary counts with mean `mean`: Poisson if `size` is None, else NB(size) (a Gamma-Poisson
/// mixture). A null for every method: nothing changes over time.
fn simulate(rng: &mut StdRng, mean: f64, size: Option<f64>) -> Vec<f64> {
    (0..WEEKS)
        .map(|_| {
            let m = mean;
            let lambda = match size {
                None => m,
                Some(k) => Gamma::new(k, m / k).unwrap().sample(rng),
            };
            if lambda <= 0.0 {
                0.0
            } else {
                Poisson::new(lambda).unwrap().sample(rng)
            }
        })
        .collect()
}

/// Share of judged weeks with p < α, and the number judged.
fn false_alarm_rate(method: Method, mean: f64, size: Option<f64>, seed: u64) -> (f64, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let dates = dates();
    let params = DetectParams {
        method,
        alpha: Some(ALPHA),
        ..Default::default()
    };
    let (mut hits, mut n) = (0usize, 0usize);
    // Many series, few weeks each: weeks of one series share a baseline, so they are not
    // independent trials.
    for _ in 0..400 {
        let y = simulate(&mut rng, mean, size);
        // The last 5 weeks: every method has enough history there.
        let weeks: Vec<usize> = (WEEKS - 5..WEEKS).collect();
        for j in judge_series(&y, &dates, &weeks, method, &params) {
            if let Some(p) = j.pvalue {
                assert!((0.0..=1.0).contains(&p), "p-value {p} out of [0, 1]");
                n += 1;
                hits += usize::from(p < ALPHA);
            }
        }
    }
    (hits as f64 / n as f64, n)
}

fn assert_calibrated(method: Method) {
    assert_rate_at_most(method, 1.0);
}

/// Asserts the false-alarm rate is at most `factor`·α (plus Monte-Carlo error) in every scenario.
fn assert_rate_at_most(method: Method, factor: f64) {
    for (label, mean, size) in [
        ("sparse Poisson", 0.8, None),
        ("busy Poisson", 20.0, None),
        ("sparse NB(size 1)", 1.5, Some(1.0)),
        ("busy NB(size 4)", 25.0, Some(4.0)),
    ] {
        let (rate, n) = false_alarm_rate(method, mean, size, 42);
        let mc = 3.0 * (ALPHA * (1.0 - ALPHA) / n as f64).sqrt();
        assert!(n >= 1000, "{label}: only {n} p-values");
        let bound = factor * ALPHA + mc;
        assert!(
            rate <= bound,
            "{method:?} {label}: false alarm rate {rate:.4} > {bound:.4} (n = {n})"
        );
        eprintln!("{method:?} {label}: rate {rate:.4} over {n} weeks");
    }
}

#[test]
fn nb_is_calibrated() {
    assert_calibrated(Method::Nb);
}

#[test]
fn noufaily_is_calibrated() {
    assert_calibrated(Method::Noufaily);
}

/// The original Farrington preset reproduces R exactly, including its known excess of false
/// alarms (28 baseline weeks and a normal approximation on the 2/3-power scale; Noufaily et al.
/// 2013, Stat Med 32:1206, found the same). Measured here at α = 0.05: 0.0565 (sparse
/// Poisson), 0.0865 (busy Poisson), 0.0970 (sparse NB), 0.1195 (busy NB). uptick documents
/// this and never picks it automatically; the test pins the excess so it cannot grow unnoticed.
#[test]
fn farrington_original_runs_hot_but_bounded() {
    assert_rate_at_most(Method::Farrington, 2.5);
}

#[test]
fn trend_is_calibrated() {
    assert_calibrated(Method::Trend);
}

/// Outbreaks of +3 to +6 times the baseline SD injected at known weeks are found.
#[test]
fn injected_outbreaks_are_detected() {
    let dates = dates();
    let mut rng = StdRng::seed_from_u64(7);
    let mut regions = Vec::new();
    for r in 0..20 {
        let mut y = simulate(&mut rng, 4.0, Some(5.0));
        if r < 10 {
            // A surge in the last week: 4 a week becomes about 20.
            y[WEEKS - 1] += 16.0;
        }
        regions.push((vec![format!("R{r:02}")], y));
    }
    for method in [
        Method::Nb,
        Method::Noufaily,
        Method::Farrington,
        Method::EarsC1,
        Method::EarsC2,
        Method::EarsC3,
    ] {
        let params = DetectParams {
            method,
            ..Default::default()
        };
        let findings = detect(&regions, &dates, Selection::Last(1), &params);
        let hit = findings
            .iter()
            .filter(|f| f.alarm && f.region[0].as_str() < "R10")
            .count();
        let false_alarms = findings
            .iter()
            .filter(|f| f.alarm && f.region[0].as_str() >= "R10")
            .count();
        assert!(hit >= 8, "{method:?}: found {hit} of 10 outbreaks");
        assert!(false_alarms <= 1, "{method:?}: {false_alarms} false alarms");
    }
    // A sustained doubling over 6 weeks: CUSUM and trend catch it.
    let mut y = simulate(&mut StdRng::seed_from_u64(8), 6.0, None);
    for v in &mut y[WEEKS - 6..] {
        *v += 8.0;
    }
    let regions = vec![(vec!["Rising".to_string()], y)];
    for method in [Method::Cusum, Method::Trend] {
        let params = DetectParams {
            method,
            ..Default::default()
        };
        let f = detect(&regions, &dates, Selection::Last(3), &params);
        assert!(
            f.iter().any(|f| f.alarm),
            "{method:?} missed a sustained rise: {:?}",
            f.iter().map(|f| &f.reason).collect::<Vec<_>>()
        );
    }
}
