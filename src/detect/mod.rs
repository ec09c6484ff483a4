//! Detect: is a region's latest week (or any week, in a backtest) significantly above what its
//! own history predicts? Pure functions over plain series; no I/O, no formatting.
//!
//! Each method judges one week of one series and returns a [`Judgement`] (observed, expected,
//! upper bound, p-value where the method has one, its own statistic, and its raw alarm).
//! [`detect`] then runs a method over every region, adjusts the p-values of the regions judged
//! in the same week for multiple testing (Benjamini-Hochberg, as R's `p.adjust(p, "BH")`), and
//! applies the alarm rule: `observed > upperbound` (C3 and CUSUM: their own ≥ rules), and where
//! a p-value exists `q ≤ alpha`, and at least `min_count` events in the last 4 weeks (the
//! `limit54` rule of surveillance's `farringtonFlexible`), so that one event in a quiet
//! province is not news. Every week that is not an alarm says why. Every p-value is one-sided:
//! it measures evidence of a rise.
//!
//! `auto` (the default) is [`nb`], whose predictive distribution carries the over-dispersion
//! of conflict counts and the estimation error of a short baseline ([`predictive`]); it is
//! calibrated on negative-binomial nulls in the tail that Benjamini-Hochberg uses
//! (`tests/calibration.rs`). `farrington` and `noufaily` reproduce R's `farringtonFlexible`
//! exactly, including its plug-in thresholds, which run hot on over-dispersed counts; `auto`
//! therefore never picks them.
//!
//! Series may start at different weeks (each region's coverage, see [`crate::aggregate`]):
//! a series shorter than the shared run of weeks is aligned at its end, and weeks before its
//! start are neither judged nor used as baseline.

pub mod cusum;
pub mod ears;
pub mod farrington;
pub mod glm;
pub mod nb;
pub mod outcome;
pub mod params;
pub mod predictive;
pub mod trend;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

pub use outcome::{Note, Outcome};
pub use params::{
    DetectParams, Method, DEFAULT_ALPHA, DEFAULT_GUARD_WEEKS, DEFAULT_MIN_COUNT, DEFAULT_MIN_SIGMA,
    DEFAULT_TREND_WEEKS, MIN_COUNT_WEEKS,
};

use crate::model::RegionKey;
use crate::stats::benjamini_hochberg;

/// Weeks looked back to count how many weeks in a row a region has been above its bound.
const STREAK_LOOKBACK: usize = 12;

/// The result of judging one week of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    /// Index of the week in the series.
    pub week: usize,
    /// The week's count.
    pub observed: f64,
    /// What the baseline predicts, where the method defines it.
    pub expected: Option<f64>,
    /// The alarm threshold in count units.
    pub upperbound: Option<f64>,
    /// Upper-tail p-value, where the method defines one.
    pub pvalue: Option<f64>,
    /// The method's own statistic (EARS score, Farrington score, CUSUM S, Sen's slope).
    pub statistic: Option<f64>,
    /// The method's raw alarm, before multiplicity control and minimum counts.
    pub alarm: bool,
    /// CUSUM: the week index where the current rise began.
    pub began: Option<usize>,
    /// Why the week could not be judged fully (short history, degenerate baseline, ...).
    pub note: Option<Note>,
}

impl Judgement {
    /// An empty judgement of week `week` with count `observed`.
    pub fn new(week: usize, observed: f64) -> Judgement {
        Judgement {
            week,
            observed,
            expected: None,
            upperbound: None,
            pvalue: None,
            statistic: None,
            alarm: false,
            began: None,
            note: None,
        }
    }
}

/// Judges weeks `weeks` of one series with one (resolved) method.
pub fn judge_series(
    y: &[f64],
    dates: &[NaiveDate],
    weeks: &[usize],
    method: Method,
    p: &DetectParams,
) -> Vec<Judgement> {
    let Some(first) = p.first_judgeable(method, dates) else {
        return weeks.iter().map(|&t| short_history(y, t)).collect();
    };
    match method {
        Method::Cusum => {
            // The chart accumulates: run it from its first week up to the last asked for.
            let Some(&last) = weeks.iter().max() else {
                return Vec::new();
            };
            if last < first {
                return weeks.iter().map(|&t| short_history(y, t)).collect();
            }
            let bounds_from = weeks.iter().copied().min().unwrap_or(first);
            let all = cusum::run(y, first, last + 1, bounds_from, &p.cusum());
            weeks
                .iter()
                .map(|&t| {
                    if t < first {
                        short_history(y, t)
                    } else {
                        all[t - first].clone()
                    }
                })
                .collect()
        }
        _ => weeks
            .iter()
            .map(|&t| {
                if t < first {
                    return short_history(y, t);
                }
                match method {
                    Method::EarsC1 => ears::judge(y, t, ears::Variant::C1, &p.ears()),
                    Method::EarsC2 => ears::judge(y, t, ears::Variant::C2, &p.ears()),
                    Method::EarsC3 => ears::judge(y, t, ears::Variant::C3, &p.ears()),
                    Method::Farrington | Method::Noufaily => {
                        farrington::judge(y, dates, t, &p.farrington(method))
                    }
                    Method::Nb | Method::Auto => nb::judge(y, t, &p.nb()),
                    Method::Trend => trend::judge(y, t, p.trend_weeks.max(3), p.level()),
                    Method::Cusum => unreachable!("handled above"),
                }
            })
            .collect(),
    }
}

fn short_history(y: &[f64], t: usize) -> Judgement {
    Judgement {
        note: Some(Note::ShortHistory),
        ..Judgement::new(t, y[t])
    }
}

/// One region's result for one judged week, after multiplicity control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Region names, coarse to fine.
    pub region: RegionKey,
    /// First day of the judged week.
    pub week_start: NaiveDate,
    /// The method that judged it (auto resolved).
    pub method: Method,
    /// The method's judgement.
    pub judgement: Judgement,
    /// Benjamini-Hochberg q-value across the regions judged that week.
    pub qvalue: Option<f64>,
    /// observed / expected (∞ when expected is 0 and observed is not; `None` for 0/0).
    pub ratio: Option<f64>,
    /// Whether the week is an alarm (the same as `reason.is_alarm()`).
    pub alarm: bool,
    /// Why (not) an alarm; its `Display` is the sentence outputs show.
    pub reason: Outcome,
    /// Consecutive weeks, ending with this one, above the upper bound (0 if not above).
    pub weeks_in_row: usize,
    /// CUSUM: first week of the rise.
    pub began: Option<NaiveDate>,
    /// Events in the last 4 weeks (the minimum-count window), this week included.
    pub recent_events: f64,
}

/// Which weeks to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The last N weeks of the series.
    Last(usize),
    /// Every week the method can judge.
    Backtest,
}

/// Runs detection over regions. `regions` pairs each region with its weekly values; `dates`
/// are the week starts shared by all series. A region's values may be shorter than `dates`
/// (its series starts later, where the source begins covering it): they are aligned with the
/// last weeks of `dates`.
///
/// # Panics
/// If a region has more values than there are dates (a caller's bug).
pub fn detect(
    regions: &[(RegionKey, Vec<f64>)],
    dates: &[NaiveDate],
    selection: Selection,
    p: &DetectParams,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = regions
        .par_iter()
        .flat_map_iter(|(region, y)| {
            assert!(y.len() <= dates.len(), "a series longer than its weeks");
            let dates = &dates[dates.len() - y.len()..];
            let n = y.len();
            let weeks: Vec<usize> = match selection {
                Selection::Last(k) => (n.saturating_sub(k)..n).collect(),
                Selection::Backtest => (0..n).collect(),
            };
            judge_region(region, y, dates, &weeks, selection, p)
        })
        .collect();
    // Benjamini-Hochberg within each week, across regions.
    let mut by_week: std::collections::BTreeMap<NaiveDate, Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_week.entry(f.week_start).or_default().push(i);
    }
    for idx in by_week.values() {
        let ps: Vec<Option<f64>> = idx.iter().map(|&i| findings[i].judgement.pvalue).collect();
        for (&i, q) in idx.iter().zip(benjamini_hochberg(&ps)) {
            findings[i].qvalue = q;
        }
    }
    let level = p.level();
    for idx in by_week.values() {
        for &i in idx {
            decide(&mut findings[i], level, p.min_count, idx.len());
        }
    }
    findings
}

fn judge_region(
    region: &RegionKey,
    y: &[f64],
    dates: &[NaiveDate],
    weeks: &[usize],
    selection: Selection,
    p: &DetectParams,
) -> Vec<Finding> {
    let m = p.resolve(p.method);
    let Some(&first_asked) = weeks.first() else {
        return Vec::new();
    };
    // For the streak count, also judge the weeks just before the first one asked for.
    let lookback_from = match selection {
        Selection::Last(_) => first_asked.saturating_sub(STREAK_LOOKBACK),
        Selection::Backtest => first_asked,
    };
    let mut all: Vec<usize> = (lookback_from..first_asked).collect();
    all.extend(weeks);
    let js = judge_series(y, dates, &all, m, p);
    let mut above_in_row = 0usize;
    let mut out = Vec::with_capacity(weeks.len());
    for j in js {
        above_in_row = if j.alarm { above_in_row + 1 } else { 0 };
        if j.week < first_asked {
            continue;
        }
        let ratio = j.expected.and_then(|e| {
            if e > 0.0 {
                Some(j.observed / e)
            } else if j.observed > 0.0 {
                Some(f64::INFINITY)
            } else {
                None
            }
        });
        let recent_events = y[(j.week + 1).saturating_sub(MIN_COUNT_WEEKS)..=j.week]
            .iter()
            .sum();
        out.push(Finding {
            region: region.clone(),
            recent_events,
            week_start: dates[j.week],
            method: m,
            began: j.began.map(|b| dates[b]),
            qvalue: None,
            ratio,
            alarm: false,
            reason: Outcome::WithinRange,
            weeks_in_row: above_in_row,
            judgement: j,
        });
    }
    out.sort_by_key(|f| f.week_start);
    out
}

/// Applies the alarm rule to one region's finding as if it had been judged together with
/// regions whose p-values that week were `others` (Benjamini–Hochberg across them all):
/// `uptick evaluate` judges an injected rise in one region against the real p-values of the
/// rest, as the weekly report would.
pub fn decide_among(f: &mut Finding, others: &[Option<f64>], p: &DetectParams) {
    let mut ps = others.to_vec();
    ps.push(f.judgement.pvalue);
    f.qvalue = benjamini_hochberg(&ps).pop().flatten();
    decide(f, p.level(), p.min_count, ps.len());
}

/// Applies the alarm rule to one finding and writes its reason; `judged` is the number of
/// regions judged that week (the multiplicity BH adjusted for).
fn decide(f: &mut Finding, level: f64, min_count: f64, judged: usize) {
    let j = &f.judgement;
    let reason = if let Some(note) = j.note {
        Outcome::Unjudged(note)
    } else if !j.alarm {
        Outcome::WithinRange
    } else if let Some(q) = f.qvalue.filter(|&q| q > level) {
        Outcome::NotSignificant { q, judged, level }
    } else if f.recent_events < min_count {
        Outcome::TooFewEvents {
            min_count,
            weeks: MIN_COUNT_WEEKS,
        }
    } else {
        Outcome::Alarm
    };
    f.alarm = reason.is_alarm();
    f.reason = reason;
}

/// Orders findings for reading: alarms first, then by q-value, p-value (missing last), ratio
/// (largest first), region name and week — a total order, so output is deterministic.
pub fn sort_by_significance(findings: &mut [Finding]) {
    findings.sort_by(significance_cmp);
}

/// The order of [`sort_by_significance`].
pub fn significance_cmp(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    fn key(x: Option<f64>) -> f64 {
        x.filter(|v| !v.is_nan()).unwrap_or(f64::INFINITY)
    }
    b.alarm
        .cmp(&a.alarm)
        .then(key(a.qvalue).total_cmp(&key(b.qvalue)))
        .then(key(a.judgement.pvalue).total_cmp(&key(b.judgement.pvalue)))
        .then(
            b.ratio
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.ratio.unwrap_or(f64::NEG_INFINITY)),
        )
        .then(a.region.cmp(&b.region))
        .then(b.week_start.cmp(&a.week_start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly(n: usize) -> Vec<NaiveDate> {
        let s = NaiveDate::from_ymd_opt(2015, 1, 5).unwrap();
        (0..n)
            .map(|i| s + chrono::Duration::days(7 * i as i64))
            .collect()
    }

    #[test]
    fn auto_is_the_calibrated_nb_at_any_history() {
        let p = DetectParams::default();
        assert_eq!(p.resolve(Method::Auto), Method::Nb);
        assert_eq!(p.resolve(Method::Noufaily), Method::Noufaily);
    }

    #[test]
    fn a_later_series_is_aligned_at_its_end() {
        // Region B is covered only for the last 40 of 100 weeks: its judged week is the
        // shared last week, and its baseline never reaches before its start.
        let dates = weekly(100);
        let a: Vec<f64> = (0..100).map(|i| 4.0 + (i % 3) as f64).collect();
        let b: Vec<f64> = (0..40).map(|i| 4.0 + (i % 3) as f64).collect();
        let regions = vec![(vec!["A".to_string()], a), (vec!["B".to_string()], b)];
        let p = DetectParams::default();
        let f = detect(&regions, &dates, Selection::Last(1), &p);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.week_start == dates[99]));
        let back = detect(&regions, &dates, Selection::Backtest, &p);
        let b_weeks: Vec<_> = back.iter().filter(|f| f.region[0] == "B").collect();
        assert_eq!(b_weeks.len(), 40);
        assert_eq!(b_weeks[0].week_start, dates[60]);
        assert!(b_weeks[..28].iter().all(|f| f.reason.is_short_history()));
    }

    #[test]
    fn results_do_not_depend_on_region_order() {
        let dates = weekly(60);
        let mk = |name: &str, spike: f64| {
            let mut y: Vec<f64> = (0..60).map(|i| 3.0 + (i % 3) as f64).collect();
            y[59] = spike;
            (vec![name.to_string()], y)
        };
        let a = vec![mk("A", 20.0), mk("B", 4.0), mk("C", 12.0)];
        let b = vec![mk("C", 12.0), mk("A", 20.0), mk("B", 4.0)];
        let p = DetectParams {
            method: Method::Nb,
            ..Default::default()
        };
        let mut fa = detect(&a, &dates, Selection::Last(1), &p);
        let mut fb = detect(&b, &dates, Selection::Last(1), &p);
        fa.sort_by(|x, y| x.region.cmp(&y.region));
        fb.sort_by(|x, y| x.region.cmp(&y.region));
        assert_eq!(fa, fb);
        assert!(fa[0].alarm && !fa[1].alarm);
    }

    #[test]
    fn min_count_blocks_tiny_alarms() {
        let dates = weekly(40);
        let mut y = vec![0.0; 40];
        y[39] = 3.0;
        let regions = vec![(vec!["Quiet".to_string()], y)];
        let p = DetectParams {
            method: Method::Nb,
            ..Default::default()
        };
        let f = &detect(&regions, &dates, Selection::Last(1), &p)[0];
        assert!(
            f.judgement.alarm,
            "3 events over an all-zero baseline exceed the bound"
        );
        assert!(!f.alarm && f.reason.to_string().contains("fewer than 5 events"));
    }

    #[test]
    fn ears_keeps_its_own_level_whatever_alpha_says() {
        // A smaller --alpha must not make EARS more sensitive: its z comes from ears_alpha.
        let dates = weekly(30);
        let mut y: Vec<f64> = (0..30).map(|i| 5.0 + (i % 4) as f64).collect();
        y[29] = 11.0;
        let regions = vec![(vec!["R".to_string()], y)];
        let strict = DetectParams {
            method: Method::EarsC1,
            alpha: Some(0.01),
            ..Default::default()
        };
        let loose = DetectParams {
            alpha: Some(0.2),
            ..strict.clone()
        };
        let a = &detect(&regions, &dates, Selection::Last(1), &strict)[0];
        let b = &detect(&regions, &dates, Selection::Last(1), &loose)[0];
        assert_eq!(a.judgement.upperbound, b.judgement.upperbound);
        assert_eq!(strict.bound_level(Method::EarsC1), 0.001);
        assert_eq!(strict.bound_level(Method::EarsC3), 0.025);
        let own = DetectParams {
            ears_alpha: Some(0.05),
            ..strict
        };
        let c = &detect(&regions, &dates, Selection::Last(1), &own)[0];
        assert!(c.judgement.upperbound < a.judgement.upperbound);
        assert_eq!(own.bound_level(Method::EarsC2), 0.05);
    }

    #[test]
    fn short_history_is_a_reason_not_a_panic() {
        let dates = weekly(5);
        let regions = vec![(vec!["New".to_string()], vec![1.0, 0.0, 2.0, 9.0, 30.0])];
        for m in [
            Method::Auto,
            Method::EarsC1,
            Method::EarsC3,
            Method::Farrington,
            Method::Nb,
            Method::Cusum,
            Method::Trend,
        ] {
            let p = DetectParams {
                method: m,
                ..Default::default()
            };
            let f = detect(&regions, &dates, Selection::Last(2), &p);
            assert_eq!(f.len(), 2);
            assert!(
                f.iter().all(|f| !f.alarm && f.reason.is_short_history()),
                "{m:?}: {:?}",
                f[1].reason
            );
        }
    }
}
