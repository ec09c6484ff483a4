//! `trend`: the Mann-Kendall test with tie correction and Sen's slope over the last `W`
//! weeks (default 12), for "is activity climbing?" rather than "is this week a spike?"
//! (METHODS.md §6; Mann 1945, Kendall 1975, Sen 1968; pyMannKendall `original_test`).
//!
//! S = Σ_{k<j} sign(x_j − x_k); Var(S) = [n(n−1)(2n+5) − Σ_p t_p(t_p−1)(2t_p+5)]/18 over tie
//! groups; Z = (S − 1)/sqrt(Var S) if S > 0, 0 if S = 0, (S + 1)/sqrt(Var S) if S < 0.
//! uptick looks for rises, so the p-value is one-sided, P(N(0,1) ≥ Z); alarm iff p < α and
//! Z > 0. Sen's slope (median pairwise slope, events per week) is the statistic; expected is
//! the Sen line's value at the judged week. A constant window has Var(S) = 0: Z is then 0
//! and p = 0.5 (reported, never NaN).

use super::Judgement;
use crate::stats::pnorm_upper;

/// Mann-Kendall results for one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// The S statistic.
    pub s: f64,
    /// Its variance with tie correction.
    pub var_s: f64,
    /// The normal score.
    pub z: f64,
    /// Sen's slope.
    pub slope: f64,
    /// Sen's intercept (median of x_i − slope·i).
    pub intercept: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Mann-Kendall S, Var(S), Z and Sen's slope of `x`.
pub fn mann_kendall(x: &[f64]) -> MannKendall {
    let n = x.len();
    let mut s = 0.0;
    let mut slopes = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            s += (x[j] - x[i]).signum() * f64::from(u8::from(x[j] != x[i]));
            slopes.push((x[j] - x[i]) / (j - i) as f64);
        }
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && sorted[j + 1] == sorted[i] {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        i = j + 1;
    }
    let nf = n as f64;
    let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let z = if s > 0.0 && var_s > 0.0 {
        (s - 1.0) / var_s.sqrt()
    } else if s < 0.0 && var_s > 0.0 {
        (s + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    let slope = median(&mut slopes);
    let mut resid: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v - slope * i as f64)
        .collect();
    MannKendall {
        s,
        var_s,
        z,
        slope,
        intercept: median(&mut resid),
    }
}

/// Judges week `t` on the window of `window` weeks ending at t.
pub fn judge(y: &[f64], t: usize, window: usize, alpha: f64) -> Judgement {
    let x = &y[t + 1 - window..=t];
    let mk = mann_kendall(x);
    let pvalue = pnorm_upper(mk.z);
    Judgement {
        expected: Some((mk.intercept + mk.slope * (window - 1) as f64).max(0.0)),
        pvalue: Some(pvalue),
        statistic: Some(mk.slope),
        alarm: mk.z > 0.0 && pvalue < alpha,
        ..Judgement::new(t, y[t])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn closed_form_without_ties() {
        // Strictly increasing n = 5: S = 10, Var = 5·4·15/18 = 16.667, Z = 9/4.0825 = 2.2045.
        let mk = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(mk.s, 10.0);
        assert_relative_eq!(mk.var_s, 50.0 / 3.0, max_relative = 1e-12);
        assert_relative_eq!(mk.z, 9.0 / (50.0f64 / 3.0).sqrt(), max_relative = 1e-12);
        assert_eq!(mk.slope, 1.0);
        // One-sided p = 1 − Φ(2.2045) = 0.01374 (R: pnorm(9/sqrt(50/3), lower = FALSE)).
        assert_relative_eq!(pnorm_upper(mk.z), 0.013745, max_relative = 1e-3);
    }

    #[test]
    fn ties_shrink_the_variance() {
        // x = 0,0,1,1,2: S = 8; ties: two groups of 2 → Σ = 2·(2·1·9) = 36;
        // Var = (5·4·15 − 36)/18 = 14.667.
        let mk = mann_kendall(&[0.0, 0.0, 1.0, 1.0, 2.0]);
        assert_eq!(mk.s, 8.0);
        assert_relative_eq!(mk.var_s, 264.0 / 18.0, max_relative = 1e-12);
    }

    #[test]
    fn constant_window_is_defined() {
        let j = judge(&[3.0; 12], 11, 12, 0.05);
        assert_eq!(j.pvalue, Some(0.5));
        assert!(!j.alarm);
        assert_eq!(j.statistic, Some(0.0));
    }
}
