//! The predictive distribution of next week's count given a baseline of weekly counts, allowing
//! for over-dispersion **and** for the uncertainty of estimating the mean and the dispersion
//! from a short baseline. It is what makes `nb` (and the CUSUM's standardisation) calibrated
//! on real conflict counts, whose variance is 2–40 times their mean.
//!
//! # Model
//! Baseline weeks y_1..y_B and next week's count are independent negative binomial draws with
//! mean μ and size k (variance μ + μ²/k; k → ∞ is Poisson). Neither is known:
//! - μ has Jeffreys' prior for a rate, p(μ) ∝ μ^(−½) (as in surveillance's `bayes` detector).
//!   Given k this integrates in closed form: with p = k/(k + μ) the posterior is
//!   p ~ Beta(Bk − ½, S + ½), S = Σ y_i, and next week's count is **beta–negative-binomial**,
//!   BNB(r = k, α = Bk − ½, β = S + ½) (Johnson, Kemp & Kotz, *Univariate Discrete
//!   Distributions*, 3rd ed., §6.2.3, "beta–Pascal"). As k → ∞ this is the Poisson–Gamma
//!   predictive NB(S + ½, B/(B + 1)) of surveillance's `bayes`.
//! - 1/√k has a half-Cauchy prior with scale [`DISPERSION_PRIOR_SCALE`] (a weakly informative
//!   choice for an over-dispersion parameter; Gelman 2006, *Bayesian Analysis* 1:515). k is
//!   integrated numerically over [`GRID`] points evenly spaced in log k between
//!   [`k_min`](Predictive::from_baseline) = 1/B and max(10⁴, 10⁴·ȳ). The marginal likelihood
//!   of k is k^½ · Π Γ(y_i + k)/Γ(k) · B(Bk − ½, S + ½).
//!
//! The predictive is the posterior-weighted mixture of the BNB components: upper tail
//! P(Y ≥ y) (the p-value) and quantiles (the upper bound) are exact sums over it. This is the
//! fully Bayesian counterpart of a plug-in NB threshold (Noufaily et al. 2013's `nbPlugin`),
//! in the spirit of surveillance's `boda` (Manitz & Höhle 2013, *Bioinformatics* 29:2252),
//! but with only the mean and dispersion to integrate, so it runs in microseconds.
//!
//! # Why not a plug-in
//! A plug-in NB (mean and size estimated from 26 weeks, then treated as known) is too narrow
//! in the tail: simulated NB nulls with variance/mean 3–6 put 1.5–3 times too many weeks
//! below p = 0.001, exactly where Benjamini-Hochberg works across hundreds of regions. The
//! prior scale 2 was chosen by simulation so that the share of p-values below 0.05, 0.01,
//! 0.001 and 1/6000 stays at or below nominal for means of 2–50 events a week and
//! variance/mean 1–6 (`tests/calibration.rs`); genuinely Poisson counts come out conservative
//! (about 0.6–0.8 of nominal at 0.05), the price of not knowing the dispersion.
//!
//! # Degenerate baselines
//! All zeros: S = 0; the predictive still has a proper, small upper tail (one or two events
//! are unremarkable, more is news; the minimum-count rule decides what is reported). A
//! constant baseline: the likelihood favours large k (Poisson-like) and the predictive is
//! close to the Poisson–Gamma one. One huge spike in the baseline: the likelihood favours
//! small k, the tail widens, and later spikes of the same size are not called unusual.

use crate::stats::ln_gamma;

mod grid;

/// Points of the numerical integration over the dispersion.
pub const GRID: usize = 48;
/// Scale of the half-Cauchy prior on 1/√k (chosen by simulation; see the module docs).
pub const DISPERSION_PRIOR_SCALE: f64 = 2.0;
/// The Jeffreys exponent for the mean: p(μ) ∝ μ^(JEFFREYS − 1).
const JEFFREYS: f64 = 0.5;
/// Components whose posterior weight is below this share of the largest are dropped.
const NEGLIGIBLE_WEIGHT: f64 = 1e-12;
/// Past this many terms an upper-tail sum stops and adds its power-law remainder.
const MAX_TERMS: usize = 20_000;
/// An upward-tail sum still going after this many terms, in the power-law part of the tail
/// (beyond [`POWER_LAW_SCALE`] × (a + b + r)), adds the rest in closed form (heavy tails: a
/// baseline of zeros, small dispersion sizes).
const POWER_LAW_AFTER: usize = 1_000;
/// Where a component's tail has become a power law, in units of a + b + r.
const POWER_LAW_SCALE: f64 = 10.0;
/// Forward sums from P(Y = 0) run while it is at least e^MIN_LN_P0 (no underflow) ...
const MIN_LN_P0: f64 = -600.0;
/// ... and the count is at most this.
const FORWARD_MAX: f64 = 4096.0;
/// Beyond the mode, a count whose own probability is below e^-30 is far in the tail.
const FAR_LN_PMF: f64 = -30.0;

/// One beta–negative-binomial component BNB(r, a, b) with its posterior weight.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Component {
    weight: f64,
    r: f64,
    a: f64,
    b: f64,
    /// ln P(Y = 0) = ln B(a + r, b) − ln B(a, b).
    ln_p0: f64,
    /// The parts of ln P(Y = y) that do not depend on y: ln Γ(r), ln Γ(a + r), ln B(a, b).
    ln_gamma_r: f64,
    ln_gamma_ar: f64,
    ln_beta_ab: f64,
}

/// The forward sum P(Y < j) of one component, a term at a time: the one loop behind both a
/// single tail and a search's kept sums, so that both give the same bits.
#[derive(Debug, Clone, Copy)]
struct Forward {
    /// P(Y < j).
    lower: f64,
    /// P(Y = j), by the recurrence.
    pmf: f64,
    j: f64,
}

impl Forward {
    fn start(c: &Component) -> Forward {
        Forward {
            lower: 0.0,
            pmf: c.ln_p0.exp(),
            j: 0.0,
        }
    }

    fn step(&mut self, c: &Component) {
        self.lower += self.pmf;
        self.pmf *= c.ratio(self.j);
        self.j += 1.0;
    }
}

/// The forward partial sums P(Y < j), j = 0, 1, ..., of one component, extended as far as a
/// quantile search asks: each term is computed once per search instead of once per probe.
#[derive(Debug, Default)]
struct Prefix {
    lower: Vec<f64>,
    state: Option<Forward>,
}

impl Prefix {
    /// P(Y < y) summed forwards from P(Y = 0), for a whole number y ≥ 0.
    fn lower(&mut self, c: &Component, y: f64) -> f64 {
        let state = self.state.get_or_insert_with(|| {
            self.lower.push(0.0);
            Forward::start(c)
        });
        // y ≤ FORWARD_MAX here, so the index is small and exact.
        let want = y as usize;
        while self.lower.len() <= want {
            state.step(c);
            self.lower.push(state.lower);
        }
        self.lower[want]
    }
}

impl Component {
    fn new(weight: f64, r: f64, a: f64, b: f64, ln_beta_ab: f64, ln_gamma_b: f64) -> Component {
        let ln_gamma_ar = ln_gamma(a + r);
        // ln B(a + r, b) − ln B(a, b), with ln B's three terms in `stats::ln_beta`'s order.
        let ln_p0 = ln_gamma_ar + ln_gamma_b - ln_gamma(a + r + b) - ln_beta_ab;
        Component {
            weight,
            r,
            a,
            b,
            ln_p0,
            ln_gamma_r: ln_gamma(r),
            ln_gamma_ar,
            ln_beta_ab,
        }
    }

    /// P(Y = j + 1) / P(Y = j).
    fn ratio(&self, j: f64) -> f64 {
        (self.r + j) * (self.b + j) / ((j + 1.0) * (self.a + self.r + self.b + j))
    }

    /// ln P(Y = y) in closed form: ln Γ(r + y) − ln Γ(y + 1) − ln Γ(r) + ln B(a + r, b + y)
    /// − ln B(a, b), with the terms that do not depend on y computed once.
    fn ln_pmf(&self, y: f64) -> f64 {
        let ar = self.a + self.r;
        let by = self.b + y;
        let ln_beta_ar_by = self.ln_gamma_ar + ln_gamma(by) - ln_gamma(ar + by);
        ln_gamma(self.r + y) - ln_gamma(y + 1.0) - self.ln_gamma_r + ln_beta_ar_by - self.ln_beta_ab
    }

    /// P(Y ≥ y) for a whole number y ≥ 1: 1 − P(Y < y), summed forwards from P(Y = 0) where
    /// that is representable, else downwards from P(Y = y − 1) in log space (large means, where
    /// P(Y = 0) underflows); where that leaves under 1e-6 (far in the tail) the tail itself is
    /// summed upwards from P(Y = y) instead. With a `prefix`, the forward sums are kept for
    /// the next call (a search); the result is the same to the last bit.
    fn upper_tail(&self, y: f64, prefix: Option<&mut Prefix>) -> f64 {
        if self.ln_p0 > MIN_LN_P0 && y <= FORWARD_MAX {
            // The common case: P(Y = 0) is representable, so sum forwards from it (no ln Γ).
            let lower = match prefix {
                Some(prefix) => prefix.lower(self, y),
                None => {
                    let mut forward = Forward::start(self);
                    while forward.j < y {
                        forward.step(self);
                    }
                    forward.lower
                }
            };
            if 1.0 - lower > 1e-6 {
                return (1.0 - lower).clamp(0.0, 1.0);
            }
        } else if !(self.ratio(y - 1.0) < 1.0 && self.ln_pmf(y) < FAR_LN_PMF) {
            let lower = self.lower_sum(y);
            if 1.0 - lower > 1e-6 {
                return (1.0 - lower).clamp(0.0, 1.0);
            }
        }
        self.upward_sum(y, MAX_TERMS, POWER_LAW_AFTER)
    }

    /// P(Y ≥ y) summed upwards from P(Y = y): at most `max_terms` terms, and once `power_law_after`
    /// terms have not converged and the terms fall as a power law, the rest in closed form.
    fn upward_sum(&self, y: f64, max_terms: usize, power_law_after: usize) -> f64 {
        let mut term = self.ln_pmf(y).exp();
        let mut sum = 0.0;
        let mut j = y;
        // Past this count the ratio of successive terms is 1 − (a + 1)/j to within a few per
        // cent: the terms fall like a power of j.
        let power_law_from = POWER_LAW_SCALE * (self.a + self.b + self.r);
        for n in 1..=max_terms {
            sum += term;
            let next = term * self.ratio(j);
            j += 1.0;
            // A term that underflowed to 0 leaves only zeros to add.
            if next < sum * 1e-17 || next == 0.0 {
                return sum.min(1.0);
            }
            term = next;
            if n >= power_law_after && j >= power_law_from {
                if let Some(rest) = self.power_law_rest(term, j) {
                    return (sum + rest).min(1.0);
                }
            }
        }
        // A heavy tail: far out the terms fall like j^-(a+1), so the rest is about
        // term·(j/a + 1/2) (the integral plus half the first term).
        let rest = self
            .power_law_rest(term, j)
            .unwrap_or(term * (j / self.a.max(1e-3) + 0.5));
        (sum + rest).min(1.0)
    }

    /// Σ_{i ≥ j} P(Y = i) from `term` = P(Y = j), far out where the terms fall like a power.
    /// From Stirling's series, ln P(Y = i) = C − (a + 1) ln i + D/i + O(1/i²) with
    /// D = [r(r − 1) + (b − c)(b + c − 1)]/2, c = a + r + b; Euler–Maclaurin then gives
    /// Σ_{i ≥ j} P(Y = i) = P(Y = j)·(j/a + ½ − D/(a(a + 1)) + O(1/j)).
    fn power_law_rest(&self, term: f64, j: f64) -> Option<f64> {
        let (a, b, r) = (self.a, self.b, self.r);
        let c = a + r + b;
        let d = (r * (r - 1.0) + (b - c) * (b + c - 1.0)) / 2.0;
        let factor = j / a + 0.5 - d / (a * (a + 1.0));
        (a > 1e-3 && factor > 0.0).then_some(term * factor)
    }

    /// P(Y < y), summed downwards from y − 1 relative to P(Y = y − 1) (rescaled as it grows).
    fn lower_sum(&self, y: f64) -> f64 {
        let mut ln_scale = self.ln_pmf(y - 1.0);
        let (mut sum, mut term) = (0.0f64, 1.0f64);
        let mut j = y - 1.0;
        loop {
            sum += term;
            if j <= 0.0 {
                break;
            }
            j -= 1.0;
            term /= self.ratio(j);
            if term < sum * 1e-17 {
                break;
            }
            if sum > 1e200 {
                sum *= 1e-200;
                term *= 1e-200;
                ln_scale += 200.0 * std::f64::consts::LN_10;
            }
        }
        (ln_scale + sum.ln()).exp()
    }

    /// The mean, where finite (a > 1).
    fn mean(&self) -> Option<f64> {
        (self.a > 1.0).then(|| self.r * self.b / (self.a - 1.0))
    }
}

/// The predictive distribution of one week's count given its baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    components: Vec<Component>,
}

impl Predictive {
    /// Builds the predictive from baseline counts (non-negative; fractional weights allowed).
    ///
    /// # Panics
    /// Never for a non-empty baseline of finite values; an empty baseline is a caller's bug.
    pub fn from_baseline(base: &[f64]) -> Predictive {
        assert!(!base.is_empty(), "a baseline needs weeks");
        let sum: f64 = base.iter().sum();
        let distinct = distinct(base);
        let largest = distinct.last().map_or(0.0, |d| d.0);
        Predictive::on_grid(&distinct, &grid::frame(base.len(), sum, largest))
    }

    /// The posterior-weighted mixture over the grid `frame` of a baseline whose distinct
    /// values and their multiplicities are `distinct`.
    fn on_grid(distinct: &[(f64, f64)], frame: &grid::Frame) -> Predictive {
        let mut comps: Vec<(f64, Component)> = frame
            .points
            .iter()
            .enumerate()
            .map(|(g, point)| {
                let ln_lik_y: f64 = distinct
                    .iter()
                    .filter(|(v, _)| *v > 0.0)
                    .map(|&(v, m)| m * (frame.ln_gamma_plus_k(g, v) - point.ln_gamma_k))
                    .sum();
                let ln_w = point.prior + ln_lik_y + point.ln_beta_ab;
                (ln_w, point.component)
            })
            .collect();
        let top = comps
            .iter()
            .map(|(w, _)| *w)
            .fold(f64::NEG_INFINITY, f64::max);
        comps.retain(|(w, _)| (*w - top).exp() >= NEGLIGIBLE_WEIGHT);
        let total: f64 = comps.iter().map(|(w, _)| (*w - top).exp()).sum();
        let components = comps
            .into_iter()
            .map(|(w, c)| Component {
                weight: (w - top).exp() / total,
                ..c
            })
            .collect();
        Predictive { components }
    }

    /// P(Y ≥ y): the one-sided p-value of observing y. Fractional y rounds up.
    pub fn upper_tail(&self, y: f64) -> f64 {
        self.upper_tail_in(y, &mut [])
    }

    /// [`upper_tail`](Self::upper_tail), keeping each component's forward sums in `prefixes`
    /// (one per component; empty: keep nothing).
    fn upper_tail_in(&self, y: f64, prefixes: &mut [Prefix]) -> f64 {
        // No count exceeds the ingest's ceiling; beyond it the tail sums would not end.
        let y = y.ceil().min(MAX_COUNT);
        if y <= 0.0 {
            return 1.0;
        }
        let p: f64 = self
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| c.weight * c.upper_tail(y, prefixes.get_mut(i)))
            .sum();
        p.clamp(0.0, 1.0)
    }

    /// P(Y < y) + ½ P(Y = y): the mid-distribution function at a whole number y, which maps
    /// counts to roughly uniform scores under the baseline.
    pub fn mid_cdf(&self, y: f64) -> f64 {
        self.mid_cdf_in(y, &mut [])
    }

    /// [`mid_cdf`](Self::mid_cdf), keeping each component's forward sums in `prefixes`.
    fn mid_cdf_in(&self, y: f64, prefixes: &mut [Prefix]) -> f64 {
        let y = y.ceil().clamp(0.0, MAX_COUNT);
        let m: f64 = self
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let tail = if y <= 0.0 {
                    1.0
                } else {
                    c.upper_tail(y, prefixes.get_mut(i))
                };
                c.weight * (1.0 - tail + 0.5 * c.ln_pmf(y).exp())
            })
            .sum();
        if m.is_nan() {
            // Tails that cannot be evaluated (counts far beyond any component's reach, such
            // as 1e300): the count is in the upper tail if it is above the mean.
            return if y > self.guess() { 1.0 } else { 0.0 };
        }
        m.clamp(0.0, 1.0)
    }

    /// A starting point for quantile searches: the weighted mean of the components with a
    /// finite mean.
    fn guess(&self) -> f64 {
        let (sum, weight) = self
            .components
            .iter()
            .filter_map(|c| c.mean().map(|m| (c.weight * m.min(MAX_COUNT), c.weight)))
            .fold((0.0, 0.0), |acc, (m, w)| (acc.0 + m, acc.1 + w));
        if weight > 0.0 {
            (sum / weight).floor()
        } else {
            0.0
        }
    }

    /// The smallest whole number u with P(Y ≤ u) ≥ `p` (R's quantile convention, with R's
    /// relative fuzz so exact ties land as R's); ∞ beyond [`MAX_COUNT`].
    pub fn quantile(&self, p: f64) -> f64 {
        let target = 1.0 - p * (1.0 - 64.0 * f64::EPSILON);
        let mut prefixes = self.prefixes();
        first_whole(
            |u| self.upper_tail_in(u + 1.0, &mut prefixes) <= target,
            self.guess(),
        )
    }

    /// One empty [`Prefix`] per component, for a search.
    fn prefixes(&self) -> Vec<Prefix> {
        self.components.iter().map(|_| Prefix::default()).collect()
    }

    /// The smallest whole number u whose mid-distribution value reaches `q`; ∞ beyond
    /// [`MAX_COUNT`].
    pub fn mid_quantile(&self, q: f64) -> f64 {
        let mut prefixes = self.prefixes();
        first_whole(|u| self.mid_cdf_in(u, &mut prefixes) >= q, self.guess())
    }
}

/// The distinct values of `base`, ascending, with their multiplicity: the likelihood needs
/// Γ(y + k) once per value.
fn distinct(base: &[f64]) -> Vec<(f64, f64)> {
    let mut values: Vec<f64> = base.to_vec();
    values.sort_by(f64::total_cmp);
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    for v in values {
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1.0,
            _ => distinct.push((v, 1.0)),
        }
    }
    distinct
}

/// Quantiles past this count are reported as ∞ (no realistic week reaches them).
pub const MAX_COUNT: f64 = 1e9;

/// The smallest whole number u ≥ 0 where the monotone predicate holds: gallop from `guess`
/// (down if it already holds, up if not), then bisect.
fn first_whole(mut holds: impl FnMut(f64) -> bool, guess: f64) -> f64 {
    let start = guess.clamp(0.0, MAX_COUNT);
    // Bracket: !holds(lo) (or lo = −1) and holds(hi).
    let (mut lo, mut hi);
    if holds(start) {
        hi = start;
        let mut step = 1.0;
        loop {
            let next = hi - step;
            if next < 0.0 {
                lo = -1.0;
                break;
            }
            if !holds(next) {
                lo = next;
                break;
            }
            hi = next;
            step *= 2.0;
        }
    } else {
        lo = start;
        let mut step = 1.0;
        loop {
            let next = lo + step;
            if next > MAX_COUNT {
                return f64::INFINITY;
            }
            if holds(next) {
                hi = next;
                break;
            }
            lo = next;
            step *= 2.0;
        }
    }
    while hi - lo > 1.0 {
        let mid = (lo + (hi - lo) / 2.0).floor();
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests;
