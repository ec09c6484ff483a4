//! Detection settings: the [`Method`]s and the resolved [`DetectParams`] of a run, with each
//! method's own parameters derived from them (baseline lengths, levels, presets).

use chrono::NaiveDate;
use serde::Serialize;

use super::{cusum, ears, farrington, nb};

/// Default false-discovery level across regions and, for p-value methods, the test level.
pub const DEFAULT_ALPHA: f64 = 0.05;
/// Default minimum events in the last [`MIN_COUNT_WEEKS`] weeks for an alarm (limit54).
pub const DEFAULT_MIN_COUNT: f64 = 5.0;
/// Weeks of the minimum-count window.
pub const MIN_COUNT_WEEKS: usize = 4;
/// Default weeks between the baseline and the judged week (nb, cusum).
pub const DEFAULT_GUARD_WEEKS: usize = 2;
/// Default Mann-Kendall window in weeks.
pub const DEFAULT_TREND_WEEKS: usize = 12;
/// Default EARS SD floor for weekly incident counts (Burkom: 0.5–1 for sparse data).
pub const DEFAULT_MIN_SIGMA: f64 = 1.0;

/// Detection methods.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The calibrated default: nb (predictive test with over-dispersion and estimation error).
    Auto,
    /// EARS C1: 7-week baseline, no guard.
    EarsC1,
    /// EARS C2: 7-week baseline after a 2-week guard.
    EarsC2,
    /// EARS C3 as CDC documents it (sum of C2 excesses over 3 weeks).
    EarsC3,
    /// Farrington (1996), the original farringtonFlexible preset.
    Farrington,
    /// Noufaily et al. (2013), the improved farringtonFlexible preset.
    Noufaily,
    /// Predictive negative-binomial test against the last 26 weeks (calibrated).
    Nb,
    /// CUSUM of predictive normal scores, for sustained rises.
    Cusum,
    /// Mann-Kendall trend test with Sen's slope over the last 12 weeks.
    Trend,
}

impl Method {
    /// Name as used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::EarsC1 => "ears-c1",
            Method::EarsC2 => "ears-c2",
            Method::EarsC3 => "ears-c3",
            Method::Farrington => "farrington",
            Method::Noufaily => "noufaily",
            Method::Nb => "nb",
            Method::Cusum => "cusum",
            Method::Trend => "trend",
        }
    }

    /// What the method's statistic column holds.
    pub fn statistic_name(self) -> &'static str {
        match self {
            Method::EarsC1 | Method::EarsC2 => "z-score",
            Method::EarsC3 => "C3",
            Method::Farrington | Method::Noufaily => "score",
            Method::Nb | Method::Auto => "",
            Method::Cusum => "cusum S",
            Method::Trend => "Sen slope per week",
        }
    }
}

/// Settings of a detection run.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectParams {
    /// The method (or `auto`).
    pub method: Method,
    /// Test level and FDR level of the p-value methods; `None` is [`DEFAULT_ALPHA`].
    pub alpha: Option<f64>,
    /// EARS's own one-sided level for its z threshold; `None` is CDC's (0.001 for C1/C2,
    /// 0.025 for C3). Separate from `alpha`: EARS has no p-values to adjust.
    pub ears_alpha: Option<f64>,
    /// CUSUM: in-control average run length in weeks (sets the decision interval).
    pub cusum_arl: f64,
    /// Baseline length: EARS 7, nb and cusum 26 by default.
    pub baseline_weeks: Option<usize>,
    /// EARS SD floor.
    pub min_sigma: f64,
    /// Guard weeks for nb and cusum.
    pub guard_weeks: usize,
    /// Trend window.
    pub trend_weeks: usize,
    /// Minimum events in the last 4 weeks for an alarm.
    pub min_count: f64,
}

impl Default for DetectParams {
    fn default() -> Self {
        DetectParams {
            method: Method::Auto,
            alpha: None,
            ears_alpha: None,
            cusum_arl: cusum::DEFAULT_ARL_WEEKS,
            baseline_weeks: None,
            min_sigma: DEFAULT_MIN_SIGMA,
            guard_weeks: DEFAULT_GUARD_WEEKS,
            trend_weeks: DEFAULT_TREND_WEEKS,
            min_count: DEFAULT_MIN_COUNT,
        }
    }
}

impl DetectParams {
    /// The level used for p-values and the FDR.
    pub fn level(&self) -> f64 {
        self.alpha.unwrap_or(DEFAULT_ALPHA)
    }

    pub(super) fn ears(&self) -> ears::Params {
        ears::Params {
            baseline: self.baseline_weeks.unwrap_or(7).max(3),
            min_sigma: self.min_sigma,
            alpha: self.ears_alpha,
        }
    }

    /// The one-sided level EARS uses for `variant` (its own, not `alpha`).
    pub fn ears_level(&self, variant: ears::Variant) -> f64 {
        self.ears_alpha.unwrap_or(match variant {
            ears::Variant::C3 => ears::ALPHA_C3,
            ears::Variant::C1 | ears::Variant::C2 => ears::ALPHA_C1_C2,
        })
    }

    /// The one-sided level of the upper bound `method` reports.
    pub fn bound_level(&self, method: Method) -> f64 {
        match method {
            Method::EarsC1 => self.ears_level(ears::Variant::C1),
            Method::EarsC2 => self.ears_level(ears::Variant::C2),
            Method::EarsC3 => self.ears_level(ears::Variant::C3),
            _ => self.level(),
        }
    }

    pub(super) fn nb(&self) -> nb::Params {
        nb::Params {
            baseline: self.baseline_weeks.unwrap_or(26).max(2),
            guard: self.guard_weeks,
            alpha: self.level(),
        }
    }

    pub(super) fn cusum(&self) -> cusum::Params {
        cusum::Params {
            baseline: self.baseline_weeks.unwrap_or(26).max(2),
            guard: self.guard_weeks,
            k: cusum::DEFAULT_K,
            h: cusum::decision_interval(cusum::DEFAULT_K, self.cusum_arl),
        }
    }

    pub(super) fn farrington(&self, method: Method) -> farrington::Params {
        let base = if method == Method::Noufaily {
            farrington::Params::noufaily()
        } else {
            farrington::Params::original()
        };
        farrington::Params {
            alpha: self.level(),
            limit_cases: self.min_count,
            ..base
        }
    }

    /// The first week index a (resolved) method can judge in a series of these dates.
    pub fn first_judgeable(&self, method: Method, dates: &[NaiveDate]) -> Option<usize> {
        let first = match method {
            Method::EarsC1 => ears::first_judgeable(ears::Variant::C1, self.ears().baseline),
            Method::EarsC2 => ears::first_judgeable(ears::Variant::C2, self.ears().baseline),
            Method::EarsC3 => ears::first_judgeable(ears::Variant::C3, self.ears().baseline),
            Method::Nb => nb::first_judgeable(&self.nb()),
            Method::Cusum => cusum::first_judgeable(&self.cusum()),
            Method::Trend => self.trend_weeks.max(3) - 1,
            Method::Farrington | Method::Noufaily => {
                let p = self.farrington(method);
                return (0..dates.len()).find(|&t| farrington::design_rows(dates, t, &p).is_some());
            }
            Method::Auto => return self.first_judgeable(Method::Nb, dates),
        };
        (first < dates.len()).then_some(first)
    }

    /// The method `auto` stands for: nb, whatever the history (noufaily's plug-in threshold
    /// is not calibrated on over-dispersed counts; see the module docs).
    pub fn resolve(&self, method: Method) -> Method {
        if method == Method::Auto {
            Method::Nb
        } else {
            method
        }
    }
}
