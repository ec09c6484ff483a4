//! Period syntax (`2019-Q3`, `last-4-weeks`, `same-period-last-year`, ...) and its
//! resolution into two closed ranges of days.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

use crate::error::{Error, Result};

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
    /// From 1 January of the year of the last complete week to the end of that week.
    YearToDate,
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
/// (or a single `YYYY-Www`), `last-N-weeks`, `previous-N-weeks`, `same-period-last-year`,
/// `ytd` (year to date).
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
    if t == "ytd" {
        return Ok(PeriodSpec::YearToDate);
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
        "expected DATE..DATE, YYYY, YYYY-Qn, YYYY-MM, YYYY-Www[..YYYY-Www], last-N-weeks, previous-N-weeks, same-period-last-year or ytd",
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
            PeriodSpec::YearToDate => Ok(Some(Period {
                from: NaiveDate::from_ymd_opt(last_week_start.year(), 1, 1).ok_or_else(outside)?,
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn year_to_date_runs_from_new_year_to_the_last_week() {
        assert_eq!(parse_period(" ytd ").unwrap(), PeriodSpec::YearToDate);
        let (p, a) = resolve_periods(
            &PeriodSpec::YearToDate,
            &PeriodSpec::SamePeriodLastYear,
            d("2019-10-07"),
        )
        .unwrap();
        assert_eq!((p.from, p.to), (d("2019-01-01"), d("2019-10-13")));
        assert_eq!((a.from, a.to), (d("2018-01-01"), d("2018-10-13")));
        // A last week that starts on 1 January is a year to date of one week.
        let (p, _) = resolve_periods(
            &PeriodSpec::YearToDate,
            &PeriodSpec::PreviousWeeks(4),
            d("2024-01-01"),
        )
        .unwrap();
        assert_eq!((p.from, p.to), (d("2024-01-01"), d("2024-01-07")));
    }
}
