//! Compare: was a period worse than another? Per region, a test of the ratio of the weekly
//! rates in two periods, adjusted across regions by Benjamini-Hochberg, with a verdict in
//! words.
//!
//! Two tests ([`TestKind`]):
//! - `quasi-poisson` (default, [`quasi`]): a log-linear model on the weekly counts of both
//!   periods with the dispersion estimated from them (floored at 1) and a Wald t test, the
//!   test its interval inverts. Weekly conflict counts vary 2–40 times more than Poisson
//!   counts; this test allows for it, and is calibrated on such counts.
//! - `quasi-poisson-f`: the same model with R's F test on the deviance (the R reference's
//!   p-value), which runs somewhat hot for small, very over-dispersed counts.
//! - `exact-poisson` ([`exact`]): R's `poisson.test` on the two totals, right only for
//!   genuinely Poisson counts (on over-dispersed counts it calls about a quarter of unchanged
//!   regions up or down).
//!
//! Each period is cut into 7-day blocks from its first day (the last block may be shorter and
//! counts by its exposure). A region's blocks before its series starts (the source did not yet
//! cover it, see [`crate::aggregate`]) are left out; a period with no covered block gets the
//! verdict "not covered".

pub mod exact;
pub mod period;
pub mod quasi;

use serde::Serialize;

pub use exact::{poisson_rate_test, poisson_rate_test_at, RateTest};
pub use period::{parse_period, resolve_periods, Period, PeriodSpec};
pub use quasi::{quasi_poisson_test, Blocks};

use crate::model::RegionKey;
use crate::stats::benjamini_hochberg;

/// Which two-period test `compare` runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum TestKind {
    /// Quasi-Poisson rate ratio on the weekly counts, dispersion estimated, Wald t test (default).
    #[default]
    QuasiPoisson,
    /// The same model with R's F test on the deviance (anova(..., test = "F")).
    QuasiPoissonF,
    /// Exact conditional Poisson test on the totals (R's poisson.test).
    ExactPoisson,
}

impl TestKind {
    /// Name as used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            TestKind::QuasiPoisson => "quasi-poisson",
            TestKind::QuasiPoissonF => "quasi-poisson-f",
            TestKind::ExactPoisson => "exact-poisson",
        }
    }

    /// The test in words, for reports.
    pub fn description(self) -> &'static str {
        match self {
            TestKind::QuasiPoisson => "quasi-Poisson rate ratio on the weekly counts (dispersion estimated from both periods, at least Poisson; Wald t test and interval)",
            TestKind::QuasiPoissonF => "quasi-Poisson rate ratio on the weekly counts (dispersion estimated from both periods, at least Poisson; R's F test on the deviance, Wald t interval)",
            TestKind::ExactPoisson => "exact conditional Poisson test on the totals (R's poisson.test; assumes Poisson counts)",
        }
    }

    /// Runs the test on one region's blocks with a `level` interval.
    pub fn run(self, period: &Blocks, against: &Blocks, level: f64) -> RateTest {
        match self {
            TestKind::QuasiPoisson => quasi_poisson_test(period, against, level),
            TestKind::QuasiPoissonF => {
                quasi::quasi_poisson_test_with(period, against, level, quasi::QuasiP::F)
            }
            TestKind::ExactPoisson => {
                // Counts must be whole for an exact test; fractional sums (weights) are rounded.
                poisson_rate_test_at(
                    period.total().round() as u64,
                    period.weeks(),
                    against.total().round() as u64,
                    against.weeks(),
                    level,
                )
            }
        }
    }
}

/// A verdict in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly higher in the period.
    Up,
    /// Significantly lower.
    Down,
    /// Higher, significant on its own (p ≤ alpha) but not once the regions compared are
    /// allowed for (q > alpha): `detect`'s "above the bound, but not significant across
    /// regions".
    UpNotSignificant,
    /// Lower, significant on its own but not across the regions compared.
    DownNotSignificant,
    /// Not significant even on its own (p > alpha): an estimate consistent with no change.
    NoSignificantChange,
    /// Too few events to say anything.
    TooFewEvents,
    /// Too few weeks to estimate the dispersion (fewer than 3 in all).
    TooFewWeeks,
    /// The source does not cover the region in one of the periods.
    NotCovered,
}

impl Verdict {
    /// Plain words.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Up => "up",
            Verdict::Down => "down",
            Verdict::UpNotSignificant => "up (not significant across regions)",
            Verdict::DownNotSignificant => "down (not significant across regions)",
            Verdict::NoSignificantChange => "no significant change",
            Verdict::TooFewEvents => "too few events",
            Verdict::TooFewWeeks => "too few weeks",
            Verdict::NotCovered => "not covered",
        }
    }

    /// A significant rise or fall (after adjusting across regions).
    pub fn significant(self) -> bool {
        matches!(self, Verdict::Up | Verdict::Down)
    }
}

/// One region's comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Region names (empty for the totals row).
    pub region: RegionKey,
    /// Events (or the measure) in the period.
    pub count: f64,
    /// ... and in the comparison period.
    pub count_against: f64,
    /// Weeks in each.
    pub weeks: f64,
    /// Weeks in the comparison period.
    pub weeks_against: f64,
    /// The test's result.
    pub test: RateTest,
    /// BH q-value of the two-sided p across regions (not for the totals row).
    pub qvalue: Option<f64>,
    /// Weekly rate in the period minus that in the comparison period.
    pub rate_change: f64,
    /// Percent change of the weekly rate (`None` when the comparison rate is 0).
    pub percent_change: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
}

/// Fewer events than this in both periods together: "too few events".
pub const MIN_EVENTS: f64 = 5.0;

/// What a comparison compared, with which test and level: everything outputs need to name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComparisonSetup {
    /// The period of interest.
    pub period: Period,
    /// The comparison period.
    pub against: Period,
    /// The test.
    pub test: TestKind,
    /// The significance level (BH across regions); intervals are 1 − alpha.
    pub alpha: f64,
}

impl ComparisonSetup {
    /// The confidence level of the intervals.
    pub fn level(&self) -> f64 {
        1.0 - self.alpha
    }
}

/// One region's blocks in the two periods.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionBlocks {
    /// Region names.
    pub region: RegionKey,
    /// The period of interest.
    pub period: Blocks,
    /// The comparison period.
    pub against: Blocks,
    /// Whether the source covers the region for the whole of both periods.
    pub fully_covered: bool,
}

/// Compares two periods for every region and for all regions together (the totals row sums
/// the regions covered throughout both periods). `level` of the intervals is 1 − `alpha`.
pub fn compare_regions(
    values: &[RegionBlocks],
    test: TestKind,
    alpha: f64,
) -> (Vec<Comparison>, Comparison) {
    let mut rows: Vec<Comparison> = values
        .iter()
        .map(|v| compare_one(v.region.clone(), &v.period, &v.against, test, alpha))
        .collect();
    // Only regions with a test take part in the multiplicity adjustment.
    let testable: Vec<bool> = rows
        .iter()
        .map(|c| c.weeks > 0.0 && c.weeks_against > 0.0)
        .collect();
    let q = benjamini_hochberg(
        &rows
            .iter()
            .zip(&testable)
            .map(|(c, &t)| t.then_some(c.test.p_two_sided))
            .collect::<Vec<_>>(),
    );
    for (c, q) in rows.iter_mut().zip(q) {
        c.qvalue = q;
        c.verdict = verdict(c, q.unwrap_or(1.0), alpha, test);
    }
    rows.sort_by(|a, b| {
        a.qvalue
            .unwrap_or(1.0)
            .total_cmp(&b.qvalue.unwrap_or(1.0))
            .then(a.test.p_two_sided.total_cmp(&b.test.p_two_sided))
            .then(a.region.cmp(&b.region))
    });
    (rows, compare_total(values, test, alpha))
}

/// The totals row of [`compare_regions`] alone: all regions covered throughout both periods
/// together, without testing each region (the year-to-date sentence needs only this).
pub fn compare_total(values: &[RegionBlocks], test: TestKind, alpha: f64) -> Comparison {
    let mut total_period = Blocks::default();
    let mut total_against = Blocks::default();
    for v in values.iter().filter(|v| v.fully_covered) {
        add_blocks(&mut total_period, &v.period);
        add_blocks(&mut total_against, &v.against);
    }
    let mut total = compare_one(Vec::new(), &total_period, &total_against, test, alpha);
    total.verdict = verdict(&total, total.test.p_two_sided, alpha, test);
    total
}

/// One comparison of `period` against `against`, before any multiplicity adjustment (no
/// q-value; the verdict is set by the caller).
fn compare_one(
    region: RegionKey,
    period: &Blocks,
    against: &Blocks,
    test: TestKind,
    alpha: f64,
) -> Comparison {
    let (x1, x2) = (period.total(), against.total());
    let (w1, w2) = (period.weeks(), against.weeks());
    let covered = w1 > 0.0 && w2 > 0.0;
    let result = if covered {
        test.run(period, against, 1.0 - alpha)
    } else {
        RateTest {
            rate_ratio: None,
            p_two_sided: 1.0,
            p_greater: 1.0,
            ci_low: 0.0,
            ci_high: f64::INFINITY,
            dispersion: None,
        }
    };
    let rate = |x: f64, w: f64| if w > 0.0 { x / w } else { 0.0 };
    let (r1, r2) = (rate(x1, w1), rate(x2, w2));
    Comparison {
        region,
        count: x1,
        count_against: x2,
        weeks: w1,
        weeks_against: w2,
        test: result,
        qvalue: None,
        rate_change: r1 - r2,
        percent_change: (covered && r2 > 0.0).then(|| 100.0 * (r1 - r2) / r2),
        verdict: Verdict::NoSignificantChange,
    }
}

/// Adds `b` block by block into `sum` (same block layout: regions covered throughout).
fn add_blocks(sum: &mut Blocks, b: &Blocks) {
    if sum.counts.is_empty() {
        *sum = b.clone();
        return;
    }
    for (s, x) in sum.counts.iter_mut().zip(&b.counts) {
        *s += x;
    }
}

fn verdict(c: &Comparison, q: f64, alpha: f64, test: TestKind) -> Verdict {
    if c.weeks <= 0.0 || c.weeks_against <= 0.0 {
        Verdict::NotCovered
    } else if c.count + c.count_against < MIN_EVENTS {
        Verdict::TooFewEvents
    } else if test != TestKind::ExactPoisson && c.test.dispersion.is_none() {
        Verdict::TooFewWeeks
    } else if q > alpha {
        match (c.test.p_two_sided <= alpha, c.rate_change > 0.0) {
            (false, _) => Verdict::NoSignificantChange,
            (true, true) => Verdict::UpNotSignificant,
            (true, false) => Verdict::DownNotSignificant,
        }
    } else if c.rate_change > 0.0 {
        Verdict::Up
    } else {
        Verdict::Down
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str, period: &[f64], against: &[f64]) -> RegionBlocks {
        RegionBlocks {
            region: vec![name.to_string()],
            period: Blocks::weekly(period),
            against: Blocks::weekly(against),
            fully_covered: true,
        }
    }

    #[test]
    fn verdicts() {
        let values = vec![
            region("A", &[10.0, 9.0, 11.0, 10.0], &[2.0, 3.0, 2.0, 3.0]),
            region("B", &[1.0, 0.0, 0.0, 0.0], &[1.0, 0.0, 1.0, 0.0]),
            region("C", &[3.0, 2.0, 3.0, 2.0], &[3.0, 3.0, 2.0, 3.0]),
        ];
        for test in [TestKind::QuasiPoisson, TestKind::ExactPoisson] {
            let (rows, total) = compare_regions(&values, test, 0.05);
            assert_eq!(rows[0].region, vec!["A".to_string()]);
            assert_eq!(rows[0].verdict, Verdict::Up, "{test:?}");
            assert_eq!(
                rows.iter().find(|r| r.region[0] == "B").unwrap().verdict,
                Verdict::TooFewEvents
            );
            assert_eq!(
                rows.iter().find(|r| r.region[0] == "C").unwrap().verdict,
                Verdict::NoSignificantChange
            );
            assert_eq!(total.count, 51.0);
            assert_eq!(total.verdict, Verdict::Up);
            assert_eq!(
                rows[0].test.dispersion.is_some(),
                test == TestKind::QuasiPoisson
            );
        }
    }

    #[test]
    fn uncovered_regions_are_said_so_and_left_out_of_the_totals() {
        let mut late = region("Late", &[5.0, 6.0, 7.0, 8.0], &[]);
        late.fully_covered = false;
        let busy = region("Busy", &[9.0, 8.0, 10.0, 9.0], &[8.0, 9.0, 9.0, 10.0]);
        let (rows, total) = compare_regions(&[late, busy], TestKind::QuasiPoisson, 0.05);
        let get = |n: &str| rows.iter().find(|r| r.region[0] == n).unwrap();
        assert_eq!(get("Late").verdict, Verdict::NotCovered);
        assert_eq!(get("Late").qvalue, None);
        assert_eq!(get("Busy").verdict, Verdict::NoSignificantChange);
        assert_eq!(total.count, 36.0);
        assert_eq!(total.count_against, 36.0);
    }

    #[test]
    fn the_total_alone_is_the_total_of_the_whole_comparison() {
        let mut late = region("Late", &[5.0, 6.0, 7.0, 8.0], &[]);
        late.fully_covered = false;
        let values = [
            late,
            region("Busy", &[19.0, 8.0, 30.0, 9.0], &[8.0, 9.0, 9.0, 10.0]),
            region("Calm", &[1.0, 0.0, 2.0, 1.0], &[0.0, 1.0, 3.0, 1.0]),
        ];
        for test in [TestKind::QuasiPoisson, TestKind::ExactPoisson] {
            let (_, total) = compare_regions(&values, test, 0.05);
            assert_eq!(compare_total(&values, test, 0.05), total);
            assert_eq!(total.count, 70.0);
        }
    }

    #[test]
    fn one_week_against_one_week_is_too_few_weeks() {
        let values = [region("A", &[30.0], &[3.0]), region("B", &[2.0], &[9.0])];
        let (rows, total) = compare_regions(&values, TestKind::QuasiPoisson, 0.05);
        assert!(rows.iter().all(|r| r.verdict == Verdict::TooFewWeeks));
        assert_eq!(total.verdict, Verdict::TooFewWeeks);
        // The exact test, which assumes Poisson counts, does decide.
        let (rows, _) = compare_regions(&values, TestKind::ExactPoisson, 0.05);
        assert_eq!(rows[0].verdict, Verdict::Up);
    }

    /// A region with a large rise that is significant on its own but not once 31 regions are
    /// allowed for says so, rather than "no significant change"; the same rise compared alone
    /// is a significant rise; the quiet regions, whose estimates are close to no change, keep
    /// "no significant change".
    #[test]
    fn a_rise_significant_alone_but_not_across_regions_says_so() {
        let against = [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        let mut values = vec![region("Rising", &[2.0, 8.0, 0.0, 7.0], &against)];
        let falling_against = [6.0, 8.0, 5.0, 9.0, 7.0, 6.0, 8.0, 7.0, 6.0, 9.0, 5.0, 7.0];
        values.push(region("Falling", &[3.0, 2.0, 5.0, 3.0], &falling_against));
        for k in 0..29 {
            values.push(region(
                &format!("Quiet {k:02}"),
                &[2.0, 3.0, 2.0, 3.0],
                &[3.0, 2.0, 2.0, 3.0, 2.0, 3.0, 2.0, 3.0, 3.0, 2.0, 2.0, 3.0],
            ));
        }
        let (rows, _) = compare_regions(&values, TestKind::QuasiPoisson, 0.05);
        let get = |n: &str| rows.iter().find(|r| r.region[0] == n).unwrap();
        for (name, want) in [
            ("Rising", Verdict::UpNotSignificant),
            ("Falling", Verdict::DownNotSignificant),
        ] {
            let c = get(name);
            let q = c.qvalue.unwrap();
            assert!(
                c.test.p_two_sided <= 0.05 && q > 0.05,
                "{name}: the case needs p <= 0.05 < q (p = {}, q = {q})",
                c.test.p_two_sided
            );
            assert_eq!(c.verdict, want, "{name}");
            assert!(!c.verdict.significant());
        }
        assert!(get("Rising").percent_change.unwrap() > 1000.0);
        let quiet = get("Quiet 00");
        assert!(quiet.test.p_two_sided > 0.05);
        assert_eq!(quiet.verdict, Verdict::NoSignificantChange);
        let (alone, _) = compare_regions(&values[..1], TestKind::QuasiPoisson, 0.05);
        assert_eq!(alone[0].verdict, Verdict::Up);
        assert!(alone[0].verdict.significant());
    }
}
