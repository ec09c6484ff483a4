//! `uptick evaluate`: which method and alpha suit these data? Each method × alpha is run on
//! the user's own series three ways, and the results say, plainly, what a weekly report would
//! have shown:
//!
//! - on the **real series** as they are: alarms per region-year in the judged window (an upper
//!   bound on false alarms, since some rises are real) and the share of region-weeks alarming;
//! - on **null copies** ([`null`]: a parametric bootstrap from each region's own mean and
//!   dispersion, no rise): false alarms per region-year, the share of weeks with any alarm
//!   across regions, and the 95th percentile of alarms in a week;
//! - on **injected rises** ([`inject`]): sensitivity (the share of rises with an alarm in one of
//!   their weeks), median and 90th-percentile delay from the rise's first week to its first
//!   alarm, and the sensitivity in excess of the alarms the same weeks raise without injection,
//!   (s − h) / (1 − h) (Abbott 1925, J. Econ. Entomol. 18:265).
//!
//! Alpha means for each method what a level can mean: the p-value level (and the
//! Benjamini–Hochberg level across regions) for nb, Farrington, Noufaily and trend; the
//! one-sided level of the z threshold for EARS; one false alarm per region per 1/alpha weeks
//! for CUSUM ([`params_at`]).
//!
//! An injected region is judged with the others' real p-values of the same week, so the
//! Benjamini–Hochberg adjustment across regions is the weekly report's. The measures are those
//! of R surveillance's `algo.quality` and `algo.compare` (sensitivity, specificity, delay;
//! Höhle 2007, Computational Statistics 22:571–582). The same null copies and rises serve
//! every method and alpha (common random numbers), drawn from `seed`, so results are
//! deterministic and differences between methods are not noise between draws.

pub mod inject;
pub mod null;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::Serialize;

use crate::detect::{self, DetectParams, Method, Selection};
use crate::model::RegionKey;

/// Weeks in a year, for rates per region-year.
pub const WEEKS_PER_YEAR: f64 = 365.25 / 7.0;

/// What to evaluate and how.
#[derive(Debug, Clone)]
pub struct EvaluateSettings {
    /// The methods compared.
    pub methods: Vec<Method>,
    /// The significance levels compared.
    pub alphas: Vec<f64>,
    /// Rise factors injected (1 = no rise).
    pub factors: Vec<f64>,
    /// Length of each rise in weeks.
    pub inject_weeks: usize,
    /// Rises per region.
    pub injections: usize,
    /// The judged window: the last this many weeks.
    pub weeks: usize,
    /// Null copies of every region.
    pub null_copies: usize,
    /// Seed of every draw.
    pub seed: u64,
    /// The false-alert budget of the recommendation: alarms in a week across all regions, at
    /// the 95th percentile of null weeks.
    pub budget: f64,
    /// Every other detection parameter.
    pub detection: DetectParams,
}

/// One method × alpha × rise size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalRow {
    /// The method.
    pub method: Method,
    /// The level.
    pub alpha: f64,
    /// The rise factor injected.
    pub inject_factor: f64,
    /// The rise's length in weeks.
    pub inject_weeks: usize,
    /// Alarms per region-year on the real series (some may be real rises).
    pub alarms_per_region_year_real: f64,
    /// Share of real region-weeks alarming.
    pub alarm_share_real: f64,
    /// Alarms per region-year on null copies: false alarms.
    pub false_alarms_per_region_year_null: f64,
    /// Share of null weeks in which any region alarms.
    pub weeks_with_any_alarm_null: f64,
    /// 95th percentile of the number of regions alarming in a null week.
    pub alarms_per_week_p95_null: f64,
    /// Share of injected rises with an alarm in one of their weeks.
    pub sensitivity: Option<f64>,
    /// Sensitivity beyond the alarms the same weeks raise without injection.
    pub sensitivity_excess: Option<f64>,
    /// Median weeks from a rise's first week to its first alarm (detected rises).
    pub median_delay_weeks: Option<f64>,
    /// 90th percentile of that delay.
    pub p90_delay_weeks: Option<f64>,
    /// Rises injected.
    pub injections: usize,
}

/// The recommendation in words, with the choice it names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The method recommended, if any stays within the budget.
    pub method: Option<Method>,
    /// Its level.
    pub alpha: Option<f64>,
    /// One paragraph.
    pub text: String,
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Weeks judged per region (at most).
    pub weeks_judged: usize,
    /// Regions.
    pub regions: usize,
    /// One row per method × alpha × rise size.
    pub results: Vec<EvalRow>,
    /// What to use.
    pub recommendation: Recommendation,
}

/// The detection parameters of `method` at level `alpha`. EARS has no p-values: alpha is the
/// one-sided level of its z threshold; CUSUM's is its in-control run length, 1/alpha weeks
/// per region. The p-value methods use alpha as `detect --alpha` does.
pub fn params_at(base: &DetectParams, method: Method, alpha: f64) -> DetectParams {
    let mut p = DetectParams {
        method,
        alpha: Some(alpha),
        ..base.clone()
    };
    match method {
        Method::EarsC1 | Method::EarsC2 | Method::EarsC3 => p.ears_alpha = Some(alpha),
        Method::Cusum => p.cusum_arl = 1.0 / alpha,
        _ => {}
    }
    p
}

/// A generator for one stage and task, independent of the order tasks run in.
fn rng_for(seed: u64, stage: u64, a: usize, b: usize) -> rand_chacha::ChaCha8Rng {
    // SplitMix64 over the task's coordinates.
    let mut z = seed
        ^ stage.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (a as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9)
        ^ (b as u64).wrapping_mul(0x94D0_49BB_1331_11EB);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    rand_chacha::ChaCha8Rng::seed_from_u64(z ^ (z >> 31))
}

/// The `q`-quantile of `v` (linear interpolation, R's type 7); `None` when empty.
fn quantile(v: &mut [f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// False alarms on null copies: (alarms per region-year, share of weeks with any alarm, p95
/// of alarms per week).
fn null_rates(
    copies: &[Vec<(RegionKey, Vec<f64>)>],
    dates: &[NaiveDate],
    weeks: usize,
    params: &DetectParams,
) -> (f64, f64, f64) {
    let mut alarms = 0usize;
    let mut judged = 0usize;
    let mut per_week: Vec<f64> = Vec::new();
    for copy in copies {
        let found = detect::detect(copy, dates, Selection::Last(weeks), params);
        judged += found.len();
        let mut count: HashMap<NaiveDate, usize> = HashMap::new();
        for f in &found {
            let c = count.entry(f.week_start).or_default();
            if f.alarm {
                *c += 1;
                alarms += 1;
            }
        }
        per_week.extend(count.values().map(|&c| c as f64));
    }
    let years = judged as f64 / WEEKS_PER_YEAR;
    let any = per_week.iter().filter(|&&c| c > 0.0).count() as f64 / per_week.len().max(1) as f64;
    let p95 = quantile(&mut per_week, 0.95).unwrap_or(0.0);
    (
        if years > 0.0 {
            alarms as f64 / years
        } else {
            0.0
        },
        any,
        p95,
    )
}

/// Runs the evaluation over `regions` (each aligned with the end of `dates`).
pub fn evaluate(
    regions: &[(RegionKey, Vec<f64>)],
    dates: &[NaiveDate],
    s: &EvaluateSettings,
) -> Evaluation {
    let weeks = s.weeks.max(1).min(dates.len());
    // Common random numbers: one set of null copies and rises for every method and alpha.
    let copies: Vec<Vec<(RegionKey, Vec<f64>)>> = (0..s.null_copies)
        .map(|c| {
            regions
                .iter()
                .enumerate()
                .map(|(r, (key, y))| (key.clone(), null::copy(y, &mut rng_for(s.seed, 1, c, r))))
                .collect()
        })
        .collect();
    let plans: Vec<Vec<(usize, inject::Injection)>> = s
        .factors
        .iter()
        .enumerate()
        .map(|(fi, &factor)| {
            regions
                .iter()
                .enumerate()
                .flat_map(|(r, (_, y))| {
                    let mut rng = rng_for(s.seed, 2 + fi as u64, 0, r);
                    inject::plan(y, weeks, s.inject_weeks, s.injections, factor, &mut rng)
                        .into_iter()
                        .map(move |inj| (r, inj))
                })
                .collect()
        })
        .collect();
    let index: HashMap<&RegionKey, usize> = regions
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k, i))
        .collect();
    let mut results = Vec::new();
    for &method in &s.methods {
        for &alpha in &s.alphas {
            let params = params_at(&s.detection, method, alpha);
            let real = detect::detect(regions, dates, Selection::Last(weeks), &params);
            let real_years = real.len() as f64 / WEEKS_PER_YEAR;
            let real_alarms = real.iter().filter(|f| f.alarm).count() as f64;
            let mut week_p: HashMap<NaiveDate, Vec<(usize, Option<f64>)>> = HashMap::new();
            let mut real_alarm_at: HashSet<(usize, NaiveDate)> = HashSet::new();
            for f in &real {
                let r = index[&f.region];
                week_p
                    .entry(f.week_start)
                    .or_default()
                    .push((r, f.judgement.pvalue));
                if f.alarm {
                    real_alarm_at.insert((r, f.week_start));
                }
            }
            let (null_rate, null_any, null_p95) = null_rates(&copies, dates, weeks, &params);
            for (fi, &factor) in s.factors.iter().enumerate() {
                let outcomes: Vec<(Option<usize>, bool)> = plans[fi]
                    .par_iter()
                    .map(|(r, inj)| {
                        let (key, y) = &regions[*r];
                        let injected = inject::apply(y, inj);
                        let offset = dates.len() - y.len();
                        let end = offset + injected.len();
                        let rise_dates = &dates[offset + inj.start..end];
                        let mut found = detect::detect(
                            &[(key.clone(), injected)],
                            &dates[..end],
                            Selection::Last(inj.added.len()),
                            &params,
                        );
                        found.sort_by_key(|f| f.week_start);
                        let mut first = None;
                        for (k, f) in found.iter_mut().enumerate() {
                            let others: Vec<Option<f64>> = week_p
                                .get(&f.week_start)
                                .map(|v| {
                                    v.iter().filter(|(o, _)| o != r).map(|(_, p)| *p).collect()
                                })
                                .unwrap_or_default();
                            detect::decide_among(f, &others, &params);
                            if f.alarm && first.is_none() {
                                first = Some(k);
                            }
                        }
                        let real_hit = rise_dates.iter().any(|d| real_alarm_at.contains(&(*r, *d)));
                        (first, real_hit)
                    })
                    .collect();
                let n = outcomes.len();
                let detected = outcomes.iter().filter(|(d, _)| d.is_some()).count();
                let hits = outcomes.iter().filter(|(_, h)| *h).count();
                let sensitivity = (n > 0).then(|| detected as f64 / n as f64);
                let h = (n > 0).then(|| hits as f64 / n as f64);
                let excess = match (sensitivity, h) {
                    (Some(s), Some(h)) if h < 1.0 => Some((s - h) / (1.0 - h)),
                    _ => None,
                };
                let mut delays: Vec<f64> = outcomes
                    .iter()
                    .filter_map(|(d, _)| d.map(|d| d as f64))
                    .collect();
                results.push(EvalRow {
                    method,
                    alpha,
                    inject_factor: factor,
                    inject_weeks: s.inject_weeks,
                    alarms_per_region_year_real: if real_years > 0.0 {
                        real_alarms / real_years
                    } else {
                        0.0
                    },
                    alarm_share_real: real_alarms / real.len().max(1) as f64,
                    false_alarms_per_region_year_null: null_rate,
                    weeks_with_any_alarm_null: null_any,
                    alarms_per_week_p95_null: null_p95,
                    sensitivity,
                    sensitivity_excess: excess,
                    median_delay_weeks: quantile(&mut delays, 0.5),
                    p90_delay_weeks: quantile(&mut delays, 0.9),
                    injections: n,
                });
            }
        }
    }
    let recommendation = recommend(&results, s, regions.len());
    Evaluation {
        weeks_judged: weeks,
        regions: regions.len(),
        results,
        recommendation,
    }
}

/// The method and alpha that catch the most of the first real rise size (factor > 1) beyond
/// what the same weeks alarm anyway (the excess sensitivity), among those whose null alarms
/// per week (95th percentile) stay within the budget; ties go to fewer false alarms.
fn recommend(rows: &[EvalRow], s: &EvaluateSettings, regions: usize) -> Recommendation {
    let Some(&factor) = s.factors.iter().find(|&&f| f > 1.0) else {
        return Recommendation {
            method: None,
            alpha: None,
            text: "No rise was injected (every --inject factor is 1), so nothing can be recommended; the rows show the alarm rates alone.".into(),
        };
    };
    let budget = format!(
        "at most {} false alert{} a week across the {regions} regions (in 95% of weeks simulated without any rise)",
        crate::format::format_number(s.budget),
        if s.budget == 1.0 { "" } else { "s" }
    );
    let candidates: Vec<&EvalRow> = rows
        .iter()
        .filter(|r| r.inject_factor == factor && r.alarms_per_week_p95_null <= s.budget)
        .collect();
    let caught = |r: &EvalRow| r.sensitivity_excess.or(r.sensitivity).unwrap_or(0.0);
    let best = candidates.iter().copied().max_by(|a, b| {
        caught(a).total_cmp(&caught(b)).then(
            b.false_alarms_per_region_year_null
                .total_cmp(&a.false_alarms_per_region_year_null),
        )
    });
    let Some(best) = best else {
        let quietest = rows
            .iter()
            .filter(|r| r.inject_factor == factor)
            .min_by(|a, b| {
                a.alarms_per_week_p95_null
                    .total_cmp(&b.alarms_per_week_p95_null)
            });
        let text = match quietest {
            Some(q) => format!(
                "No method and alpha keeps to {budget}. The quietest is {} at alpha {}, with {} false alerts per region-year; raise --budget or judge fewer regions.",
                q.method.name(),
                q.alpha,
                crate::format::format_stat(Some(q.false_alarms_per_region_year_null))
            ),
            None => "Nothing was evaluated.".into(),
        };
        return Recommendation {
            method: None,
            alpha: None,
            text,
        };
    };
    let pct = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{:.0}%", 100.0 * v));
    let delay = best.median_delay_weeks.map_or(String::new(), |d| {
        format!(
            ", after a median of {} week{} from the rise's first week",
            crate::format::format_stat(Some(d)),
            if d == 1.0 { "" } else { "s" }
        )
    });
    let text = format!(
        "Use {} at alpha {}: of the methods and levels that keep to {budget}, it caught the most injected rises of {}× lasting {} week{} beyond what the same weeks alarm without a rise: {} of {}{delay} ({} beyond). On the data as they are it alarms {} times per region-year, against {} on simulated data with no rise.",
        best.method.name(),
        best.alpha,
        crate::format::format_number(factor),
        s.inject_weeks,
        if s.inject_weeks == 1 { "" } else { "s" },
        pct(best.sensitivity),
        best.injections,
        pct(best.sensitivity_excess),
        crate::format::format_stat(Some(best.alarms_per_region_year_real)),
        crate::format::format_stat(Some(best.false_alarms_per_region_year_null)),
    );
    Recommendation {
        method: Some(best.method),
        alpha: Some(best.alpha),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_follow_r_type_7() {
        let mut v = vec![3.0, 1.0, 2.0, 4.0];
        assert_eq!(quantile(&mut v, 0.5), Some(2.5));
        assert_eq!(quantile(&mut v, 0.9), Some(3.7));
        assert_eq!(quantile(&mut [], 0.5), None);
    }

    #[test]
    fn task_generators_do_not_depend_on_order() {
        use rand::Rng;
        let a: u64 = rng_for(7, 1, 2, 3).gen();
        let b: u64 = rng_for(7, 1, 2, 3).gen();
        let c: u64 = rng_for(7, 1, 3, 2).gen();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
