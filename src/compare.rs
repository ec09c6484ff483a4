//! Compare: was a period worse than another? Per region, the exact conditional test for the
//! ratio of two Poisson rates, as R's `poisson.test(c(x1, x2), c(t1, t2))` (METHODS.md §7.1):
//!
//! - Given n = x1 + x2, x1 ~ Binomial(n, p0) with p0 = t1/(t1 + t2) under equal rates.
//! - One-sided p for an increase: P(X ≥ x1). Two-sided p: R's `binom.test` "minlike" rule,
//!   summing the probabilities of outcomes no more likely than x1 (relative fuzz 1 + 1e-7).
//! - Rate ratio (x1/t1)/(x2/t2) with its Clopper–Pearson interval mapped from the binomial
//!   proportion: RR = p/(1 − p)·t2/t1, p_L = qbeta(a, x1, n − x1 + 1) (0 if x1 = 0),
//!   p_U = qbeta(1 − a, x1 + 1, n − x1) (1 if x1 = n), a = 0.025.
//!
//! Zero counts keep defined results: x1 = x2 = 0 gives p = 1, no ratio and CI (0, ∞); x2 = 0
//! gives RR = ∞; x1 = 0 gives RR = 0. Also here: period syntax and its resolution.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::RegionKey;
use crate::stats::{benjamini_hochberg, dbinom, pbinom, pbinom_upper_ge, qbeta};

/// R's relative tolerance in the two-sided binomial test.
const REL_ERR: f64 = 1.0 + 1e-7;

/// The result of one rate comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateTest {
    /// Rate ratio (x1/t1)/(x2/t2); ∞ when x2 = 0 < x1; `None` when both are 0.
    pub rate_ratio: Option<f64>,
    /// Two-sided exact p-value.
    pub p_two_sided: f64,
    /// One-sided p-value for "period 1 is higher".
    pub p_greater: f64,
    /// Lower end of the 95% CI of the ratio.
    pub ci_low: f64,
    /// Upper end (∞ when x2 = 0).
    pub ci_high: f64,
}

/// `poisson.test(c(x1, x2), c(t1, t2))`: x events in t units of time (weeks) each.
pub fn poisson_rate_test(x1: u64, t1: f64, x2: u64, t2: f64) -> RateTest {
    let n = x1 + x2;
    let p0 = t1 / (t1 + t2);
    let rate_ratio = if n == 0 {
        None
    } else if x2 == 0 {
        Some(f64::INFINITY)
    } else {
        Some((x1 as f64 / t1) / (x2 as f64 / t2))
    };
    let p_greater = pbinom_upper_ge(x1 as i64, n, p0);
    let p_two_sided = two_sided_binomial(x1, n, p0);
    let a = 0.025;
    let p_low = if x1 == 0 {
        0.0
    } else {
        qbeta(a, x1 as f64, (n - x1 + 1) as f64)
    };
    let p_high = if x1 == n {
        1.0
    } else {
        qbeta(1.0 - a, (x1 + 1) as f64, (n - x1) as f64)
    };
    let to_ratio = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            p / (1.0 - p) * t2 / t1
        }
    };
    RateTest {
        rate_ratio,
        p_two_sided,
        p_greater,
        ci_low: to_ratio(p_low),
        ci_high: to_ratio(p_high),
    }
}

/// R's `binom.test(x, n, p)$p.value` (two-sided, "minlike").
fn two_sided_binomial(x: u64, n: u64, p: f64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let d = dbinom(x, n, p);
    let m = n as f64 * p;
    let xf = x as f64;
    if xf == m {
        return 1.0;
    }
    let p_value = if xf < m {
        let y = (m.ceil() as u64..=n)
            .filter(|&i| dbinom(i, n, p) <= d * REL_ERR)
            .count() as u64;
        pbinom(x as i64, n, p) + pbinom_upper_ge((n - y + 1) as i64, n, p)
    } else {
        let y = (0..=m.floor() as u64)
            .filter(|&i| dbinom(i, n, p) <= d * REL_ERR)
            .count() as i64;
        pbinom(y - 1, n, p) + pbinom_upper_ge(x as i64, n, p)
    };
    p_value.min(1.0)
}

/// A closed range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

impl Period {
    /// Length in days.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Whether two periods share a day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// A period as written on the command line, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodSpec {
    /// A fixed range of days.
    Fixed(Period),
    /// The last N complete weeks at as-of.
    LastWeeks(u32),
    /// The N weeks before the other period.
    PreviousWeeks(u32),
    /// The other period, one year earlier.
    SamePeriodLastYear,
}

fn ymd(y: i32, m: u32, d: u32, text: &str) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| Error::Usage(format!("period '{text}': no such date")))
}

fn iso_week_start(text: &str, s: &str) -> Result<NaiveDate> {
    // YYYY-Www
    let (y, w) = s
        .split_once("-W")
        .ok_or_else(|| Error::Usage(format!("period '{text}': expected YYYY-Www")))?;
    let (y, w): (i32, u32) = (
        y.parse()
            .map_err(|_| Error::Usage(format!("period '{text}': bad year")))?,
        w.parse()
            .map_err(|_| Error::Usage(format!("period '{text}': bad week")))?,
    );
    NaiveDate::from_isoywd_opt(y, w, Weekday::Mon)
        .ok_or_else(|| Error::Usage(format!("period '{text}': {y} has no ISO week {w}")))
}

fn last_day_of_month(y: i32, m: u32, text: &str) -> Result<NaiveDate> {
    let next = if m == 12 {
        ymd(y + 1, 1, 1, text)?
    } else {
        ymd(y, m + 1, 1, text)?
    };
    Ok(next - Days::new(1))
}

/// Parses the period syntax: `DATE..DATE`, `YYYY`, `YYYY-Qn`, `YYYY-MM`, `YYYY-Www..YYYY-Www`
/// (or a single `YYYY-Www`), `last-N-weeks`, `previous-N-weeks`, `same-period-last-year`.
///
/// # Errors
/// Anything else, with the reason.
pub fn parse_period(text: &str) -> Result<PeriodSpec> {
    let t = text.trim();
    let bad = |why: &str| Error::Usage(format!("period '{text}': {why}"));
    if let Some(n) = t
        .strip_prefix("last-")
        .and_then(|r| r.strip_suffix("-weeks"))
    {
        let n: u32 = n.parse().map_err(|_| bad("expected last-N-weeks"))?;
        return if n == 0 {
            Err(bad("N must be at least 1"))
        } else {
            Ok(PeriodSpec::LastWeeks(n))
        };
    }
    if let Some(n) = t
        .strip_prefix("previous-")
        .and_then(|r| r.strip_suffix("-weeks"))
    {
        let n: u32 = n.parse().map_err(|_| bad("expected previous-N-weeks"))?;
        return if n == 0 {
            Err(bad("N must be at least 1"))
        } else {
            Ok(PeriodSpec::PreviousWeeks(n))
        };
    }
    if t == "same-period-last-year" {
        return Ok(PeriodSpec::SamePeriodLastYear);
    }
    if let Some((a, b)) = t.split_once("..") {
        let (from, to) = if a.contains("-W") {
            (
                iso_week_start(text, a)?,
                iso_week_start(text, b)? + Days::new(6),
            )
        } else {
            let d = |s: &str| {
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| bad("expected YYYY-MM-DD..YYYY-MM-DD"))
            };
            (d(a)?, d(b)?)
        };
        if from > to {
            return Err(bad("starts after it ends"));
        }
        return Ok(PeriodSpec::Fixed(Period { from, to }));
    }
    if t.contains("-W") {
        let from = iso_week_start(text, t)?;
        return Ok(PeriodSpec::Fixed(Period {
            from,
            to: from + Days::new(6),
        }));
    }
    if let Some((y, q)) = t.split_once("-Q") {
        let y: i32 = y.parse().map_err(|_| bad("expected YYYY-Qn"))?;
        let q: u32 = q.parse().map_err(|_| bad("expected YYYY-Qn"))?;
        if !(1..=4).contains(&q) {
            return Err(bad("quarters are Q1 to Q4"));
        }
        let from = ymd(y, 3 * q - 2, 1, text)?;
        return Ok(PeriodSpec::Fixed(Period {
            from,
            to: last_day_of_month(y, 3 * q, text)?,
        }));
    }
    if t.len() == 7 && t.as_bytes()[4] == b'-' {
        let y: i32 = t[..4].parse().map_err(|_| bad("expected YYYY-MM"))?;
        let m: u32 = t[5..].parse().map_err(|_| bad("expected YYYY-MM"))?;
        if !(1..=12).contains(&m) {
            return Err(bad("months are 01 to 12"));
        }
        return Ok(PeriodSpec::Fixed(Period {
            from: ymd(y, m, 1, text)?,
            to: last_day_of_month(y, m, text)?,
        }));
    }
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = t.parse().map_err(|_| bad("expected YYYY"))?;
        return Ok(PeriodSpec::Fixed(Period {
            from: ymd(y, 1, 1, text)?,
            to: ymd(y, 12, 31, text)?,
        }));
    }
    Err(bad(
        "expected DATE..DATE, YYYY, YYYY-Qn, YYYY-MM, YYYY-Www[..YYYY-Www], last-N-weeks, previous-N-weeks or same-period-last-year",
    ))
}

fn shift_year_back(d: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day())
        .or_else(|| d.checked_sub_days(Days::new(365)))
}

/// Resolves `period` and `against` to days. `last_week_start` is the first day of the last
/// complete week at as-of; `week_len` is 7. Relative specs resolve against it (`last-N-weeks`)
/// or against the other period (`previous-N-weeks`, `same-period-last-year`).
///
/// # Errors
/// Both periods relative to each other, or overlapping periods.
pub fn resolve_periods(
    period: &PeriodSpec,
    against: &PeriodSpec,
    last_week_start: NaiveDate,
) -> Result<(Period, Period)> {
    // Relative specs reaching past the calendar (last-999999999-weeks) are errors.
    let outside = || Error::Usage("a period reaches outside the calendar (years 1 to 9999)".into());
    let absolute = |s: &PeriodSpec| -> Result<Option<Period>> {
        match s {
            PeriodSpec::Fixed(p) => Ok(Some(*p)),
            PeriodSpec::LastWeeks(n) => Ok(Some(Period {
                from: last_week_start
                    .checked_sub_days(Days::new(7 * (u64::from(*n) - 1)))
                    .ok_or_else(outside)?,
                to: last_week_start + Days::new(6),
            })),
            _ => Ok(None),
        }
    };
    let relative = |s: &PeriodSpec, other: Period| -> Result<Period> {
        match s {
            PeriodSpec::PreviousWeeks(n) => Ok(Period {
                from: other
                    .from
                    .checked_sub_days(Days::new(7 * u64::from(*n)))
                    .ok_or_else(outside)?,
                to: other
                    .from
                    .checked_sub_days(Days::new(1))
                    .ok_or_else(outside)?,
            }),
            PeriodSpec::SamePeriodLastYear => Ok(Period {
                from: shift_year_back(other.from).ok_or_else(outside)?,
                to: shift_year_back(other.to).ok_or_else(outside)?,
            }),
            _ => Err(Error::Usage("a fixed period is not relative".into())),
        }
    };
    let (p, a) = match (absolute(period)?, absolute(against)?) {
        (Some(p), Some(a)) => (p, a),
        (Some(p), None) => (p, relative(against, p)?),
        (None, Some(a)) => (relative(period, a)?, a),
        (None, None) => {
            return Err(Error::Usage(
                "--period and --against cannot both be relative to each other".into(),
            ))
        }
    };
    if p.overlaps(&a) {
        return Err(Error::Usage(format!("the periods overlap: {p} and {a}")));
    }
    Ok((p, a))
}

/// A verdict in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly higher in the period.
    Up,
    /// Significantly lower.
    Down,
    /// Not significant.
    NoSignificantChange,
    /// Too few events to say anything.
    TooFewEvents,
}

impl Verdict {
    /// Plain words.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Up => "up",
            Verdict::Down => "down",
            Verdict::NoSignificantChange => "no significant change",
            Verdict::TooFewEvents => "too few events",
        }
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
    /// The exact test.
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

/// Compares two periods for every region and for all regions together.
/// `values` pair each region with its sums in (period, against); `weeks` the two lengths.
pub fn compare_regions(
    values: &[(RegionKey, f64, f64)],
    weeks: (f64, f64),
    alpha: f64,
) -> (Vec<Comparison>, Comparison) {
    let one = |region: RegionKey, x1: f64, x2: f64| -> Comparison {
        // Counts must be whole for an exact test; fractional sums (weights) are rounded.
        let test = poisson_rate_test(x1.round() as u64, weeks.0, x2.round() as u64, weeks.1);
        let (r1, r2) = (x1 / weeks.0, x2 / weeks.1);
        Comparison {
            region,
            count: x1,
            count_against: x2,
            weeks: weeks.0,
            weeks_against: weeks.1,
            test,
            qvalue: None,
            rate_change: r1 - r2,
            percent_change: (r2 > 0.0).then(|| 100.0 * (r1 - r2) / r2),
            verdict: Verdict::NoSignificantChange,
        }
    };
    let mut rows: Vec<Comparison> = values
        .iter()
        .map(|(r, a, b)| one(r.clone(), *a, *b))
        .collect();
    let q = benjamini_hochberg(
        &rows
            .iter()
            .map(|c| Some(c.test.p_two_sided))
            .collect::<Vec<_>>(),
    );
    for (c, q) in rows.iter_mut().zip(q) {
        c.qvalue = q;
        c.verdict = verdict(c, q.unwrap_or(1.0), alpha);
    }
    let total_1: f64 = values.iter().map(|v| v.1).sum();
    let total_2: f64 = values.iter().map(|v| v.2).sum();
    let mut total = one(Vec::new(), total_1, total_2);
    total.verdict = verdict(&total, total.test.p_two_sided, alpha);
    rows.sort_by(|a, b| {
        a.qvalue
            .unwrap_or(1.0)
            .total_cmp(&b.qvalue.unwrap_or(1.0))
            .then(a.test.p_two_sided.total_cmp(&b.test.p_two_sided))
            .then(a.region.cmp(&b.region))
    });
    (rows, total)
}

fn verdict(c: &Comparison, q: f64, alpha: f64) -> Verdict {
    if c.count + c.count_against < MIN_EVENTS {
        Verdict::TooFewEvents
    } else if q > alpha {
        Verdict::NoSignificantChange
    } else if c.rate_change > 0.0 {
        Verdict::Up
    } else {
        Verdict::Down
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fixed(s: &str) -> Period {
        match parse_period(s).unwrap() {
            PeriodSpec::Fixed(p) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn methods_worked_example() {
        // METHODS.md §7.1: 14 events in 4 weeks vs 30 in 26: RR 3.03, p 0.00125, CI 1.49–5.90.
        let t = poisson_rate_test(14, 4.0, 30, 26.0);
        assert_relative_eq!(t.rate_ratio.unwrap(), 3.03333333333333, max_relative = 1e-9);
        assert_relative_eq!(t.p_greater, 0.00125313670446185, max_relative = 1e-6);
        assert_relative_eq!(t.p_two_sided, 0.00125313670446185, max_relative = 1e-6);
        assert_relative_eq!(t.ci_low, 1.48622768572767, max_relative = 1e-6);
        assert_relative_eq!(t.ci_high, 5.89940793125743, max_relative = 1e-6);
    }

    #[test]
    fn zero_counts_stay_defined() {
        let t = poisson_rate_test(0, 4.0, 0, 4.0);
        assert_eq!(t.rate_ratio, None);
        assert_eq!(t.p_two_sided, 1.0);
        assert_eq!((t.ci_low, t.ci_high), (0.0, f64::INFINITY));
        // 1 in 1 week vs 0 in 8: p = 0.111, CI 0.205–∞ (METHODS.md §7.1).
        let t = poisson_rate_test(1, 1.0, 0, 8.0);
        assert_eq!(t.rate_ratio, Some(f64::INFINITY));
        assert_eq!(t.ci_high, f64::INFINITY);
        assert_relative_eq!(t.p_two_sided, 1.0 / 9.0, max_relative = 1e-9);
    }

    #[test]
    fn period_syntax_at_boundaries() {
        assert_eq!(
            fixed("2019"),
            Period {
                from: d("2019-01-01"),
                to: d("2019-12-31")
            }
        );
        assert_eq!(
            fixed("2019-Q4"),
            Period {
                from: d("2019-10-01"),
                to: d("2019-12-31")
            }
        );
        assert_eq!(
            fixed("2020-Q1"),
            Period {
                from: d("2020-01-01"),
                to: d("2020-03-31")
            }
        );
        assert_eq!(
            fixed("2020-02"),
            Period {
                from: d("2020-02-01"),
                to: d("2020-02-29")
            }
        );
        assert_eq!(
            fixed("2019-02"),
            Period {
                from: d("2019-02-01"),
                to: d("2019-02-28")
            }
        );
        assert_eq!(fixed("2019-10-01..2019-12-31").days(), 92);
        // ISO weeks: 2020-W53 exists and starts 2020-12-28; 2021-W01 starts 2021-01-04.
        assert_eq!(
            fixed("2020-W53"),
            Period {
                from: d("2020-12-28"),
                to: d("2021-01-03")
            }
        );
        assert_eq!(
            fixed("2020-W52..2021-W01"),
            Period {
                from: d("2020-12-21"),
                to: d("2021-01-10")
            }
        );
        assert!(parse_period("2019-W53").is_err(), "2019 has 52 ISO weeks");
        for bad in [
            "2019-Q5",
            "2019-13",
            "last-0-weeks",
            "2019-12-31..2019-01-01",
            "soon",
            "2019-02-30..2019-03-01",
        ] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }

    /// Found by fuzzing: `last-171058795-weeks` reached before year 1 and panicked.
    #[test]
    fn periods_past_the_calendar_are_errors() {
        let last = d("2019-11-25");
        let huge = parse_period("last-171058795-weeks").unwrap();
        let err = resolve_periods(&huge, &PeriodSpec::SamePeriodLastYear, last).unwrap_err();
        assert!(err.to_string().contains("outside the calendar"), "{err}");
        let back = parse_period("previous-4000000000-weeks").unwrap();
        assert!(resolve_periods(&PeriodSpec::LastWeeks(4), &back, last).is_err());
    }

    #[test]
    fn relative_periods_resolve() {
        let last = d("2019-11-25"); // a Monday
        let (p, a) = resolve_periods(
            &PeriodSpec::LastWeeks(4),
            &PeriodSpec::PreviousWeeks(12),
            last,
        )
        .unwrap();
        assert_eq!(
            p,
            Period {
                from: d("2019-11-04"),
                to: d("2019-12-01")
            }
        );
        assert_eq!(
            a,
            Period {
                from: d("2019-08-12"),
                to: d("2019-11-03")
            }
        );
        assert_eq!(p.days(), 28);
        assert_eq!(a.days(), 84);
        let (p, a) = resolve_periods(
            &parse_period("2019-Q3").unwrap(),
            &PeriodSpec::SamePeriodLastYear,
            last,
        )
        .unwrap();
        assert_eq!(
            a,
            Period {
                from: d("2018-07-01"),
                to: d("2018-09-30")
            }
        );
        assert_eq!(p.days(), a.days());
        let err = resolve_periods(
            &parse_period("2019").unwrap(),
            &parse_period("2019-Q2").unwrap(),
            last,
        )
        .unwrap_err();
        assert!(err.to_string().contains("overlap"));
        assert!(resolve_periods(
            &PeriodSpec::PreviousWeeks(3),
            &PeriodSpec::SamePeriodLastYear,
            last
        )
        .is_err());
    }

    #[test]
    fn verdicts() {
        let values = vec![
            (vec!["A".to_string()], 40.0, 10.0),
            (vec!["B".to_string()], 1.0, 2.0),
            (vec!["C".to_string()], 10.0, 11.0),
        ];
        let (rows, total) = compare_regions(&values, (4.0, 4.0), 0.05);
        assert_eq!(rows[0].region, vec!["A".to_string()]);
        assert_eq!(rows[0].verdict, Verdict::Up);
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
    }
}
