//! Date parsing for incident exports. Real exports mix conventions: ACLED writes `9-May-20`,
//! `05-Jan-22`, `21 March 2020`, `01-January-2015` or ISO dates depending on the schema
//! generation; UCDP and most tools write ISO; GDELT writes `20191024`; SIGACTS writes ISO
//! date-times with a `Z`. Each value is recognised on its own, so one column may mix
//! formats. Day-first and month-first numeric dates (`01/02/2020`) are ambiguous and need
//! `--date-format`.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Why a date string was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The value matches no known format (or not the one given with `--date-format`).
    Unparsable,
    /// A numeric day/month order that cannot be decided without `--date-format`.
    Ambiguous,
}

/// Formats tried, in order, for values that are not ISO or 8-digit compact dates.
/// chrono's `%d` accepts one-digit days; `%b` takes only abbreviations and `%B` only full
/// month names, so both are listed.
const TEXT_FORMATS: &[&str] = &[
    "%d-%b-%y",  // 9-May-20, 05-Jan-22 (ACLED exports 2019+)
    "%d-%b-%Y",  // 01-Jan-2015
    "%d-%B-%Y",  // 01-January-2015 (ACLED pre-2017 schema)
    "%d %B %Y",  // 21 March 2020 (ACLED API / Excel exports)
    "%d %b %Y",  // 21 Mar 2020
    "%B %d, %Y", // March 21, 2020
    "%b %d, %Y", // Mar 21, 2020
    "%d.%m.%Y",  // 21.03.2020 (day-first is the only use of dots)
    "%Y/%m/%d",  // 2020/03/21
];

/// Parses one date. With `format` (a chrono/strftime pattern) only that format is accepted;
/// date-times in that format are accepted and cut to their date.
///
/// Only years 1 to 9999 are dates here: chrono alone would read `-04/03/2` as 2 March of
/// the year -4 (found by fuzzing).
pub fn parse_date(value: &str, format: Option<&str>) -> Result<NaiveDate, DateError> {
    match parse_any_year(value, format) {
        Ok(d) if !(1..=9999).contains(&d.year()) => Err(DateError::Unparsable),
        other => other,
    }
}

fn parse_any_year(value: &str, format: Option<&str>) -> Result<NaiveDate, DateError> {
    let s = value.trim();
    if let Some(fmt) = format {
        return NaiveDate::parse_from_str(s, fmt)
            .or_else(|_| NaiveDateTime::parse_from_str(s, fmt).map(|dt| dt.date()))
            .map_err(|_| DateError::Unparsable);
    }
    let b = s.as_bytes();
    // ISO 8601 date, optionally followed by a time (`2004-01-01T00:20:00Z`, `2020-01-01 10:00`).
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit) {
        if b.len() == 10 || matches!(b[10], b'T' | b' ') {
            return NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d")
                .map_err(|_| DateError::Unparsable);
        }
        return Err(DateError::Unparsable);
    }
    // Compact YYYYMMDD (GDELT SQLDATE).
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").map_err(|_| DateError::Unparsable);
    }
    // Numeric with slashes: only year-first is unambiguous.
    if b.contains(&b'/') && b.iter().all(|c| c.is_ascii_digit() || *c == b'/') {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y/%m/%d") {
            return Ok(d);
        }
        let parts: Vec<&str> = s.split('/').collect();
        if parts.len() == 3 {
            let first: u32 = parts[0].parse().unwrap_or(0);
            let second: u32 = parts[1].parse().unwrap_or(0);
            // Decidable only when one of the first two numbers cannot be a month.
            if first > 12 && second <= 12 {
                return NaiveDate::parse_from_str(s, "%d/%m/%Y").map_err(|_| DateError::Unparsable);
            }
            if second > 12 && first <= 12 {
                return NaiveDate::parse_from_str(s, "%m/%d/%Y").map_err(|_| DateError::Unparsable);
            }
            if first >= 1 && second >= 1 {
                return Err(DateError::Ambiguous);
            }
        }
        return Err(DateError::Unparsable);
    }
    for fmt in TEXT_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Ok(d);
        }
    }
    Err(DateError::Unparsable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Found by fuzzing: chrono reads a leading '-' as a negative year.
    #[test]
    fn signed_and_out_of_calendar_years_are_not_dates() {
        assert_eq!(parse_date("-04/03/2", None), Err(DateError::Unparsable));
        assert_eq!(parse_date("+2020-01-01", None), Err(DateError::Unparsable));
        assert_eq!(
            parse_date("-0004-03-02", Some("%Y-%m-%d")),
            Err(DateError::Unparsable)
        );
        assert_eq!(parse_date("0001-01-01", None), Ok(d(1, 1, 1)));
    }

    #[test]
    fn every_acled_generation() {
        assert_eq!(parse_date("9-May-20", None), Ok(d(2020, 5, 9)));
        assert_eq!(parse_date("05-Jan-22", None), Ok(d(2022, 1, 5)));
        assert_eq!(parse_date("01-January-2015", None), Ok(d(2015, 1, 1)));
        assert_eq!(parse_date("21 March 2020", None), Ok(d(2020, 3, 21)));
        assert_eq!(parse_date("2022-09-23", None), Ok(d(2022, 9, 23)));
        assert_eq!(parse_date(" 2022-09-23 ", None), Ok(d(2022, 9, 23)));
    }

    #[test]
    fn other_sources() {
        assert_eq!(parse_date("20191024", None), Ok(d(2019, 10, 24)));
        assert_eq!(parse_date("2004-01-01T00:20:00Z", None), Ok(d(2004, 1, 1)));
        assert_eq!(parse_date("2020/03/21", None), Ok(d(2020, 3, 21)));
        assert_eq!(parse_date("March 21, 2020", None), Ok(d(2020, 3, 21)));
        assert_eq!(parse_date("21.03.2020", None), Ok(d(2020, 3, 21)));
    }

    #[test]
    fn slashes_need_a_format_unless_decidable() {
        assert_eq!(parse_date("25/12/2020", None), Ok(d(2020, 12, 25)));
        assert_eq!(parse_date("12/25/2020", None), Ok(d(2020, 12, 25)));
        assert_eq!(parse_date("01/02/2020", None), Err(DateError::Ambiguous));
        assert_eq!(
            parse_date("01/02/2020", Some("%d/%m/%Y")),
            Ok(d(2020, 2, 1))
        );
        assert_eq!(
            parse_date("01/02/2020", Some("%m/%d/%Y")),
            Ok(d(2020, 1, 2))
        );
    }

    #[test]
    fn rejects_garbage_and_impossible_dates() {
        for bad in [
            "",
            "NA",
            "2020-02-30",
            "31-Feb-20",
            "tomorrow",
            "2020-13-01",
            "20201301",
            "2020-01-01x",
        ] {
            assert_eq!(parse_date(bad, None), Err(DateError::Unparsable), "{bad}");
        }
        assert_eq!(
            parse_date("2020-01-01", Some("%d/%m/%Y")),
            Err(DateError::Unparsable)
        );
    }

    #[test]
    fn leap_days() {
        assert_eq!(parse_date("29-Feb-20", None), Ok(d(2020, 2, 29)));
        assert_eq!(parse_date("2019-02-29", None), Err(DateError::Unparsable));
    }
}
