//! Farrington (1996) and Noufaily et al. (2013) outbreak detection, as R's
//! `surveillance::farringtonFlexible` implements it (Farrington et al. 1996, J. R. Stat. Soc.
//! A 159:547; Noufaily et al. 2013, Stat. Med. 32:1206; cran/surveillance
//! `R/farringtonFlexible.R`, checked against surveillance 1.20.3).
//!
//! For each judged week t0:
//! 1. Reference weeks r_i, i = 1..b: the week with t0's weekday nearest to the same date i
//!    calendar years earlier (R's `seq(by = "-1 year")`, Feb 29 → Mar 1).
//! 2. Seasonal levels: level p for t0−w..t0 and each r_i−w..r_i+w; with p > 1 each gap between
//!    windows is split into p−1 consecutive blocks labelled 1..p−1.
//! 3. Weeks t0−pastWeeksNotIncluded..t0 are left out; weeks before r_b − w are never used.
//! 4. Quasi-Poisson GLM `log μ = α + β·t (+ γ_level)` by IRLS ([`super::glm`]).
//! 5. φ = max(1, Pearson χ²/(n − k)).
//! 6. Anscombe residuals s_i; weights ω_i = γ s_i⁻² where s_i > weightsThreshold, else γ,
//!    with γ = n / Σ(...); refit; φ again.
//! 7. Keep the trend only if its t-test p < pThresholdTrend, b ≥ 3 and μ̂(t0) ≤ max(y).
//! 8. Threshold `delta` (Farrington): U = (μ0^{2/3} + z·se)^{3/2} with
//!    se = sqrt(4/9 μ0^{1/3} (φ + se(μ0)²/μ0)), p = P(N(μ0^{2/3}, se) ≥ y^{2/3}).
//! 9. Threshold `nbPlugin` (Noufaily): U = qnbinom(1 − α, μ0/(φ − 1), 1/φ) (Poisson if
//!    φ = 1), p = P(Y ≥ y).
//! 10. Alarm iff y > U, y ≠ 0 and at least 5 cases in the 4 weeks ending at t0 (`limit54`);
//!     without enough cases U and expected are blank (the p-value is still reported).
//!
//! **One deliberate difference from R**: where the rows of the judged week's seasonal level
//! (the windows around the same week in past years) hold no event at all, that level's
//! estimate is −∞; R's IRLS stops at a numerically zero rate and prints an expected value of
//! ~1e-10, a zero threshold and p ≈ 0, so every event alarms (UCDP Mali 1994, UCDP Iraq
//! 2004). uptick reports "baseline too sparse" there, with no threshold and no p-value;
//! `tests/reference.rs` checks that this happens exactly where R's expected value is
//! numerically zero and nowhere else.
//!
//! As in surveillance, after reweighting the standard errors (trend test, se(η0)) use the
//! dispersion Σ ω_i ((y_i − μ_i)/μ_i)²/(n − k) (the package overwrites the working weights
//! with ω before calling `summary.glm`/`predict.glm`), while φ enters τ, the NB size and the
//! residuals. Reproducing this is what makes the thresholds agree with R to ~1e-10.

use chrono::{Datelike, NaiveDate};

use super::glm::fit_poisson;
use super::{Judgement, Note};
use crate::stats::{
    pnbinom_upper_ge, pnorm_upper, ppois_upper_ge, pt_two_sided, qnbinom, qnorm, qpois,
};

/// How the threshold is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// Farrington's 2/3-power normal approximation.
    Delta,
    /// Noufaily's negative-binomial quantile with the fitted mean plugged in.
    NbPlugin,
}

/// farringtonFlexible's control parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Years back.
    pub b: usize,
    /// Half-width of the windows, in weeks.
    pub w: usize,
    /// Number of seasonal levels.
    pub no_periods: usize,
    /// Anscombe-residual threshold for down-weighting.
    pub weights_threshold: f64,
    /// Recent weeks left out of the fit (t0 included in addition).
    pub past_weeks_not_included: usize,
    /// p-value threshold for keeping the trend.
    pub p_threshold_trend: f64,
    /// Threshold method.
    pub threshold: Threshold,
    /// One-sided level.
    pub alpha: f64,
    /// Minimum cases in the last `limit_weeks` weeks (limit54).
    pub limit_cases: f64,
    /// Weeks of the minimum-case window.
    pub limit_weeks: usize,
}

impl Params {
    /// The "original" preset (Farrington et al. 1996), as in the reference outputs.
    pub fn original() -> Params {
        Params {
            b: 4,
            w: 3,
            no_periods: 1,
            weights_threshold: 1.0,
            past_weeks_not_included: 3,
            p_threshold_trend: 0.05,
            threshold: Threshold::Delta,
            alpha: 0.05,
            limit_cases: 5.0,
            limit_weeks: 4,
        }
    }

    /// The "improved" preset (Noufaily et al. 2013).
    pub fn noufaily() -> Params {
        Params {
            no_periods: 10,
            weights_threshold: 2.58,
            past_weeks_not_included: 26,
            p_threshold_trend: 1.0,
            threshold: Threshold::NbPlugin,
            ..Params::original()
        }
    }
}

/// R's `seq(date, by = "-1 year")[i + 1]`: same month and day `years` earlier; Feb 29 in a
/// non-leap year rolls over to Mar 1.
fn years_back(date: NaiveDate, years: i32) -> NaiveDate {
    let y = date.year() - years;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, 3, 1))
        .expect("valid date")
}

/// Row index of the i-th reference week of `t0` (`algo.farrington.referencetimepoints`).
/// `None` where it falls before the series.
fn reference_row(dates: &[NaiveDate], t0: usize, years: usize) -> Option<usize> {
    let target = years_back(dates[t0], years as i32);
    // Same weekday as t0 near the target: A = target − (wd(target) − wd(t0)), B = A ± 7.
    let shift = target.weekday().num_days_from_sunday() as i64
        - dates[t0].weekday().num_days_from_sunday() as i64;
    let a = target - chrono::Duration::days(shift);
    let b = if a > target {
        a - chrono::Duration::days(7)
    } else {
        a + chrono::Duration::days(7)
    };
    let pick = if (a - target).num_days().abs() > (b - target).num_days().abs() {
        b
    } else {
        a
    };
    let back = (dates[t0] - pick).num_days();
    if back % 7 != 0 {
        return None;
    }
    let rows = (back / 7) as usize;
    (rows <= t0).then(|| t0 - rows)
}

/// The rows used for the fit and their seasonal level (1-based), per `blocks()` and
/// `algo.farrington.data.glm`. `None` where a reference week is missing.
pub fn design_rows(dates: &[NaiveDate], t0: usize, p: &Params) -> Option<Vec<(usize, usize)>> {
    let mut refs = vec![t0];
    for i in 1..=p.b {
        refs.push(reference_row(dates, t0, i)?);
    }
    let w = p.w;
    if refs[p.b] < w {
        return None;
    }
    let mut level: Vec<Option<usize>> = vec![None; t0 + 1];
    for slot in level.iter_mut().take(t0 + 1).skip(t0 - w) {
        *slot = Some(p.no_periods);
    }
    for i in 1..=p.b {
        let r = refs[i];
        for slot in level.iter_mut().take(r + w + 1).skip(r - w) {
            *slot = Some(p.no_periods);
        }
        if p.no_periods != 1 {
            let gap = refs[i - 1] as i64 - 2 * w as i64 - 1 - r as i64;
            if gap < p.no_periods as i64 - (2 * w as i64 + 1) || gap < 0 {
                return None; // "Number of factors too big!"
            }
            let gap = gap as usize;
            let base = gap / (p.no_periods - 1);
            let rest = gap % (p.no_periods - 1);
            let mut start = r + w + 1;
            for j in 1..p.no_periods {
                let len = base + usize::from(j <= rest);
                for slot in level.iter_mut().skip(start).take(len) {
                    *slot = Some(j);
                }
                start += len;
            }
        }
    }
    let cut = t0.saturating_sub(p.past_weeks_not_included);
    Some((0..cut).filter_map(|r| level[r].map(|l| (r, l))).collect())
}

struct Fitted {
    eta0: f64,
    /// x₀ᵀ(XᵀWX)⁻¹x₀ times the dispersion used by summary/predict.
    var_eta0: f64,
    phi: f64,
    trend_p: Option<f64>,
}

/// One fit (steps 4–6) with or without trend; `None` if IRLS fails.
fn fit_once(
    y: &[f64],
    rows: &[(usize, usize)],
    dates: &[NaiveDate],
    t0: usize,
    trend: bool,
    p: &Params,
) -> Option<Fitted> {
    let n = rows.len();
    // Levels present, sorted: the first is the reference level of R's treatment contrasts.
    let mut levels: Vec<usize> = rows.iter().map(|&(_, l)| l).collect();
    levels.sort_unstable();
    levels.dedup();
    let k = 1 + usize::from(trend) + levels.len().saturating_sub(1);
    if n <= k {
        return None;
    }
    let first_date = dates[rows[0].0];
    let wtime = |r: usize| (dates[r] - first_date).num_days() as f64 / 7.0;
    // One row of the design: intercept, trend, indicators of the levels after the first.
    let design_row = |x: &mut Vec<f64>, row: usize, level: usize| {
        x.push(1.0);
        if trend {
            x.push(wtime(row));
        }
        x.extend(
            levels
                .iter()
                .skip(1)
                .map(|&l| if l == level { 1.0 } else { 0.0 }),
        );
    };
    let mut x: Vec<f64> = Vec::with_capacity(n * k);
    for &(r, l) in rows {
        design_row(&mut x, r, l);
    }
    let yy: Vec<f64> = rows.iter().map(|&(r, _)| y[r]).collect();
    let df = (n - k) as f64;
    let fit = fit_poisson(&x, k, &yy, &vec![1.0; n])?;
    // summary.glm's dispersion: working weights × working residuals², i.e. Pearson's χ² with
    // the weights of IRLS's last iteration (R's exact arithmetic matters for tail p-values).
    let pearson = |f: &super::glm::GlmFit| -> f64 {
        yy.iter()
            .zip(&f.mu)
            .zip(&f.working_weights)
            .map(|((y, m), w)| w * ((y - m) / m).powi(2))
            .sum::<f64>()
            / df
    };
    let mut phi = pearson(&fit).max(1.0);
    let (fit, dispersion) = {
        let s: Vec<f64> = yy
            .iter()
            .zip(&fit.mu)
            .zip(&fit.hat)
            .map(|((&y, &m), &h)| {
                1.5 * (y.powf(2.0 / 3.0) * m.powf(-1.0 / 6.0) - m.sqrt()) / (phi * (1.0 - h)).sqrt()
            })
            .collect();
        let thr = p.weights_threshold;
        let gamma = n as f64
            / s.iter()
                .map(|&s| if s > thr { s.powi(-2) } else { 1.0 })
                .sum::<f64>();
        let omega: Vec<f64> = s
            .iter()
            .map(|&s| if s > thr { gamma * s.powi(-2) } else { gamma })
            .collect();
        let refit = fit_poisson(&x, k, &yy, &omega)?;
        phi = pearson(&refit).max(1.0);
        let d_prime = yy
            .iter()
            .zip(&refit.mu)
            .zip(&omega)
            .map(|((y, m), w)| w * ((y - m) / m).powi(2))
            .sum::<f64>()
            / df;
        (refit, d_prime)
    };
    let mut x0 = Vec::with_capacity(k);
    design_row(&mut x0, t0, p.no_periods);
    let x0 = if levels.contains(&p.no_periods) {
        x0
    } else {
        return None;
    };
    let (eta0, q0) = fit.predict(&x0);
    let trend_p = trend.then(|| {
        let se = (dispersion * fit.xtwx_inv[k + 1]).sqrt();
        pt_two_sided(fit.beta[1] / se, df)
    });
    Some(Fitted {
        eta0,
        var_eta0: dispersion * q0,
        phi,
        trend_p,
    })
}

/// Judges week `t0` of `y` (dates consecutive weeks).
pub fn judge(y: &[f64], dates: &[NaiveDate], t0: usize, p: &Params) -> Judgement {
    let mut j = Judgement::new(t0, y[t0]);
    let Some(rows) = design_rows(dates, t0, p) else {
        j.note = Some(Note::ShortHistoryYears { years: p.b });
        return j;
    };
    // The judged week's seasonal level (the same weeks in past years) without a single event:
    // its coefficient's estimate is −∞, so the "fit" is IRLS stopping on a numerically zero
    // rate, and the threshold and p-value R prints there are artefacts (expected ~1e-10,
    // p ~ 0). uptick says so instead (a documented difference from R).
    let level_events: f64 = rows
        .iter()
        .filter(|&&(_, l)| l == p.no_periods)
        .map(|&(r, _)| y[r])
        .sum();
    if level_events == 0.0 {
        j.note = Some(Note::TooSparse { years: p.b });
        return j;
    }
    let max_y = rows.iter().map(|&(r, _)| y[r]).fold(0.0, f64::max);
    let mut fitted = fit_once(y, &rows, dates, t0, true, p);
    if let Some(f) = &fitted {
        let keep = p.b >= 3
            && f.trend_p.is_some_and(|pv| pv < p.p_threshold_trend)
            && f.eta0.exp() <= max_y;
        if !keep {
            fitted = None;
        }
    }
    let Some(f) = fitted.or_else(|| fit_once(y, &rows, dates, t0, false, p)) else {
        j.note = Some(Note::NoFit);
        return j;
    };
    let mu0 = f.eta0.exp();
    let obs = y[t0];
    let (upper, pvalue, score) = match p.threshold {
        Threshold::Delta => {
            let se_mu = mu0 * f.var_eta0.sqrt();
            let tau = f.phi + se_mu * se_mu / mu0;
            let se = (4.0 / 9.0 * mu0.powf(1.0 / 3.0) * tau).sqrt();
            let upper = (mu0.powf(2.0 / 3.0) + qnorm(1.0 - p.alpha) * se).powf(1.5);
            let pvalue = pnorm_upper((obs.powf(2.0 / 3.0) - mu0.powf(2.0 / 3.0)) / se);
            (upper, pvalue, (obs - mu0) / (upper - mu0))
        }
        Threshold::NbPlugin => {
            let (upper, pvalue) = if f.phi > 1.0 {
                let size = mu0 / (f.phi - 1.0);
                let prob = 1.0 / f.phi;
                (
                    qnbinom(1.0 - p.alpha, size, prob),
                    pnbinom_upper_ge(obs, size, prob),
                )
            } else {
                (qpois(1.0 - p.alpha, mu0), ppois_upper_ge(obs, mu0))
            };
            (upper, pvalue, (obs - f.eta0) / (upper - f.eta0))
        }
    };
    if !(upper.is_finite() && pvalue.is_finite() && mu0.is_finite()) {
        j.note = Some(Note::Degenerate);
        return j;
    }
    let window_start = (t0 + 1).saturating_sub(p.limit_weeks);
    let enough = y[window_start..=t0].iter().sum::<f64>() >= p.limit_cases;
    j.pvalue = Some(pvalue);
    if enough {
        j.expected = Some(mu0);
        j.upperbound = Some(upper);
        j.statistic = Some(score);
        j.alarm = score > 1.0 && obs != 0.0;
    } else {
        j.note = Some(Note::FewCases {
            cases: p.limit_cases,
            weeks: p.limit_weeks,
        });
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly(start: &str, n: usize) -> Vec<NaiveDate> {
        let s = NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
        (0..n)
            .map(|i| s + chrono::Duration::days(7 * i as i64))
            .collect()
    }

    #[test]
    fn reference_rows_follow_r_dates() {
        // Saturday weeks; offsets 52, 104, 156 or 157, 209 (R's `algo.farrington.referencetimepoints` by date).
        let dates = weekly("2015-12-26", 600);
        let t0 = 500;
        let offs: Vec<usize> = (1..=4)
            .map(|i| t0 - reference_row(&dates, t0, i).unwrap())
            .collect();
        assert_eq!(offs[0], 52);
        assert_eq!(offs[1], 104);
        assert!(offs[2] == 156 || offs[2] == 157);
        assert_eq!(offs[3], 209);
        assert_eq!(
            years_back(NaiveDate::from_ymd_opt(2020, 2, 29).unwrap(), 1),
            NaiveDate::from_ymd_opt(2019, 3, 1).unwrap()
        );
    }

    #[test]
    fn noufaily_rows_span_from_the_oldest_window_to_27_weeks_back() {
        let dates = weekly("2010-01-04", 400);
        let t0 = 300;
        let rows = design_rows(&dates, t0, &Params::noufaily()).unwrap();
        let r4 = reference_row(&dates, t0, 4).unwrap();
        assert_eq!(rows.first().unwrap().0, r4 - 3);
        assert_eq!(rows.last().unwrap().0, t0 - 27);
        assert_eq!(rows.len(), t0 - 27 - (r4 - 3) + 1);
        // Original preset: four windows of 7 weeks.
        assert_eq!(
            design_rows(&dates, t0, &Params::original()).unwrap().len(),
            28
        );
        assert!(design_rows(&dates, 100, &Params::original()).is_none());
    }
}
