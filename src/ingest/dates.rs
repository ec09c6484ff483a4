//! Date parsing for incident exports. Real exports mix conventions: ACLED writes `9-May-20`,
//! `05-Jan-22`, `21 March 2020`, `01-January-2015`, ISO dates, or (saved from a spreadsheet)
//! `31-12-19`, depending on the schema generation; UCDP and most tools write ISO; GDELT writes
//! `20191024`; SIGACTS writes ISO date-times with a `Z`. Each value is recognised on its own,
//! so one column may mix formats.
//!
//! **Numeric dates** (`31-12-19`, `12/31/2019`, `1.2.2020`: three numbers separated by `-`,
//! `/` or `.`, the year last) are day-first or month-first. A value with a field over 12
//! decides for itself; for the rest the order is a property of the column, inferred from its
//! values ([`OrderEvidence`]): the order that reads every numeric value as a valid date (and,
//! where the file has a `year` column, as a date in that year) wins; where the values
//! disagree, the order that reads most of them wins and the others are rejected as not
//! fitting it. A column where both orders read every value (every day ≤ 12) is ambiguous and
//! the load stops, showing a value read both ways and the `--date-format` that chooses.
//! Two-digit years first (`19-12-31`) are considered only where a `year` column shows them.
//!
//! **Two-digit years** (`%y`, in numeric and text dates alike) are the latest year ending in
//! those digits that is not after the `--as-of` year: with `--as-of` in 2026, `26` is 2026 and
//! `27` is 1927 (incident records are not dated in the future). [`parse_date`], with no as-of
//! date, uses the POSIX rule (69–99 are 1969–1999, 00–68 are 2000–2068), which is the same
//! rule for an as-of year of 2068.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Why a date string was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The value matches no known format (or not the one given with `--date-format`).
    Unparsable,
    /// A numeric date that reads both day-first and month-first, in a column whose order is
    /// not known.
    Ambiguous,
    /// A numeric date that is valid only in the other day/month order than its column's.
    OutOfOrder,
}

/// The order of the fields of a numeric date whose first field is not a four-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldOrder {
    /// Day, month, year (`31-12-19`, `31/12/2019`).
    DayFirst,
    /// Month, day, year (`12/31/2019`).
    MonthFirst,
    /// Two-digit year, month, day (`19-12-31`); chosen only where a `year` column shows it.
    YearFirst,
}

impl FieldOrder {
    const ALL: [FieldOrder; 3] = [
        FieldOrder::DayFirst,
        FieldOrder::MonthFirst,
        FieldOrder::YearFirst,
    ];

    fn index(self) -> usize {
        match self {
            FieldOrder::DayFirst => 0,
            FieldOrder::MonthFirst => 1,
            FieldOrder::YearFirst => 2,
        }
    }

    /// In words, for notes.
    pub fn describe(self) -> &'static str {
        match self {
            FieldOrder::DayFirst => "day first",
            FieldOrder::MonthFirst => "month first",
            FieldOrder::YearFirst => "two-digit year first",
        }
    }

    /// The `--date-format` pattern that reads `example` in this order (`%d-%m-%y`, ...).
    pub fn pattern_for(self, example: &str) -> String {
        let Some((sep, parts)) = numeric_parts(example) else {
            return String::new();
        };
        let year = |p: &str| if p.len() == 4 { "%Y" } else { "%y" };
        let fields = match self {
            FieldOrder::DayFirst => ["%d", "%m", year(parts[2])],
            FieldOrder::MonthFirst => ["%m", "%d", year(parts[2])],
            FieldOrder::YearFirst => [year(parts[0]), "%m", "%d"],
        };
        fields.join(&sep.to_string())
    }
}

/// The three fields of a numeric date `a<sep>b<sep>c` whose first field has at most two
/// digits (a four-digit year first is year-month-day, never ambiguous): digits only, one
/// separator (`-`, `/` or `.`) used twice, day and month of one or two digits, the year of
/// two or four.
fn numeric_parts(s: &str) -> Option<(char, [&str; 3])> {
    let sep = s.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, '-' | '/' | '.') {
        return None;
    }
    let mut it = s.split(sep);
    let parts = [it.next()?, it.next()?, it.next()?];
    if it.next().is_some()
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
        || parts[0].len() > 2
        || parts[1].len() > 2
        || parts[2].len() == 3
    {
        return None;
    }
    Some((sep, parts))
}

/// Whether `value` is a numeric date whose day/month order matters (`31-12-19`, `1/2/2020`).
pub fn is_numeric_day_month(value: &str) -> bool {
    numeric_parts(value.trim()).is_some()
}

/// The latest year ending in the two digits `yy` that is not after `as_of_year`.
fn pivot_year(yy: i32, as_of_year: i32) -> i32 {
    let candidate = as_of_year.div_euclid(100) * 100 + yy;
    if candidate > as_of_year {
        candidate - 100
    } else {
        candidate
    }
}

/// Reads `parts` in `order`; `None` when that is not a valid date (or, with `year_hint`, not
/// a date in that year).
fn read_numeric(
    parts: [&str; 3],
    order: FieldOrder,
    as_of_year: i32,
    year_hint: Option<i64>,
) -> Option<NaiveDate> {
    let year_last = matches!(parts[2].len(), 2 | 4);
    let (y, m, d) = match order {
        FieldOrder::DayFirst if year_last => (parts[2], parts[1], parts[0]),
        FieldOrder::MonthFirst if year_last => (parts[2], parts[0], parts[1]),
        FieldOrder::YearFirst if parts[0].len() == 2 && parts[2].len() <= 2 => {
            (parts[0], parts[1], parts[2])
        }
        _ => return None,
    };
    let year: i32 = y.parse().ok()?;
    let year = match y.len() {
        4 => year,
        _ => pivot_year(year, as_of_year),
    };
    if let Some(hint) = year_hint {
        let matches = if y.len() == 4 {
            i64::from(year) == hint
        } else {
            i64::from(year) % 100 == hint.rem_euclid(100)
        };
        if !matches {
            return None;
        }
    }
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

/// A value of the column and where it is: its record number, and its line once known.
#[derive(Debug, Clone)]
struct Example {
    value: String,
    record: u64,
    line: Option<u64>,
}

impl Example {
    fn shown(&self) -> (String, u64) {
        (self.value.clone(), self.line.unwrap_or(self.record + 1))
    }
}

/// What a column's numeric dates say about their order, gathered value by value.
#[derive(Debug, Clone, Default)]
pub struct OrderEvidence {
    /// Numeric values seen.
    values: u64,
    /// How many of them each order reads as a valid date.
    fits: [u64; 3],
    /// A value that both day-first and month-first read.
    ambiguous: Option<Example>,
    /// A value that decided against the other order.
    decisive: Option<Example>,
}

/// Where the evidence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDecision {
    /// No numeric dates seen: nothing to decide.
    NotNeeded,
    /// Numeric dates seen, and more than one order reads them all.
    Open,
    /// This order reads them best.
    Settled(FieldOrder),
}

impl OrderEvidence {
    /// Takes one value (with the row's `year` column, if the file has one) and its 0-based
    /// record number; values that are not numeric day/month dates are ignored.
    pub fn observe(&mut self, value: &str, year_hint: Option<i64>, record: u64) {
        let value = value.trim();
        let Some((_, parts)) = numeric_parts(value) else {
            return;
        };
        self.values += 1;
        // Two-digit years first only where a year column says so.
        let mut read: Vec<NaiveDate> = Vec::with_capacity(3);
        for order in FieldOrder::ALL {
            let hint_needed = order == FieldOrder::YearFirst;
            if hint_needed && year_hint.is_none() {
                continue;
            }
            if let Some(date) = read_numeric(parts, order, 2068, year_hint) {
                read.push(date);
                self.fits[order.index()] += 1;
            }
        }
        let orders_fit = read.len();
        // Readings that agree (`03-03-20`) are not ambiguous.
        read.sort_unstable();
        read.dedup();
        let readings = read.len();
        let example = || {
            Some(Example {
                value: value.to_string(),
                record,
                line: None,
            })
        };
        if readings > 1 && self.ambiguous.is_none() {
            self.ambiguous = example();
        }
        if orders_fit == 1 && self.decisive.is_none() {
            self.decisive = example();
        }
    }

    /// The order the values seen so far support (see the module docs).
    pub fn decision(&self) -> OrderDecision {
        if self.values == 0 {
            return OrderDecision::NotNeeded;
        }
        let all: Vec<FieldOrder> = FieldOrder::ALL
            .into_iter()
            .filter(|o| self.fits[o.index()] == self.values)
            .collect();
        match all.as_slice() {
            [only] => OrderDecision::Settled(*only),
            [_, _, ..] => OrderDecision::Open,
            [] => {
                let best = *self.fits.iter().max().unwrap_or(&0);
                let winners: Vec<FieldOrder> = FieldOrder::ALL
                    .into_iter()
                    .filter(|o| self.fits[o.index()] == best)
                    .collect();
                match winners.as_slice() {
                    [only] if best > 0 => OrderDecision::Settled(*only),
                    _ => OrderDecision::Open,
                }
            }
        }
    }

    /// A value read both ways and its line, for the ambiguity error.
    pub fn ambiguous_example(&self) -> Option<(String, u64)> {
        self.ambiguous.as_ref().map(Example::shown)
    }

    /// A value only one order reads, and its line, for the note saying what was inferred.
    pub fn decisive_example(&self) -> Option<(String, u64)> {
        self.decisive.as_ref().map(Example::shown)
    }

    /// Gives the examples found since the last call their lines.
    pub fn locate(&mut self, line_of: impl Fn(u64) -> u64) {
        for e in [&mut self.ambiguous, &mut self.decisive]
            .into_iter()
            .flatten()
        {
            if e.line.is_none() {
                e.line = Some(line_of(e.record));
            }
        }
    }

    /// The one-line error for a column that stays ambiguous: a value read both ways and the
    /// flags that choose.
    pub fn ambiguity_message(&self, column: &str) -> String {
        let (value, line) = self.ambiguous_example().unwrap_or_default();
        let show = |order: FieldOrder| {
            numeric_parts(&value)
                .and_then(|(_, p)| read_numeric(p, order, 2068, None))
                .map_or_else(|| "?".to_string(), |d| d.format("%-d %B %Y").to_string())
        };
        format!(
            "column '{column}': every date reads both day first and month first (line {line}: '{value}' is {} day first, {} month first); pass --date-format {} (day first) or --date-format {} (month first)",
            show(FieldOrder::DayFirst),
            show(FieldOrder::MonthFirst),
            FieldOrder::DayFirst.pattern_for(&value),
            FieldOrder::MonthFirst.pattern_for(&value),
        )
    }
}

/// Formats tried, in order, for values that are not ISO, compact or numeric day/month dates.
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
    "%Y/%m/%d",  // 2020/03/21
    "%Y.%m.%d",  // 2020.03.21
];

/// Reads the dates of one column: with a `--date-format`, only that format; otherwise every
/// known format, numeric day/month dates in the column's order once it is known.
#[derive(Debug, Clone)]
pub struct DateReader {
    format: Option<String>,
    order: Option<FieldOrder>,
    as_of_year: i32,
}

impl DateReader {
    /// A reader for `--date-format` (if any), with two-digit years pivoted on `as_of_year`.
    pub fn new(format: Option<String>, as_of_year: i32) -> Self {
        DateReader {
            format,
            order: None,
            as_of_year,
        }
    }

    /// Sets the column's numeric day/month order.
    pub fn set_order(&mut self, order: Option<FieldOrder>) {
        self.order = order;
    }

    /// The column's numeric order, once known.
    pub fn order(&self) -> Option<FieldOrder> {
        self.order
    }

    /// Parses one date (date-times are cut to their date). Only years 1 to 9999 are dates
    /// here: chrono alone would read `-04/03/2` as 2 March of the year -4 (found by fuzzing).
    pub fn parse(&self, value: &str) -> Result<NaiveDate, DateError> {
        match self.parse_any_year(value.trim()) {
            Ok(d) if !(1..=9999).contains(&d.year()) => Err(DateError::Unparsable),
            other => other,
        }
    }

    /// A date parsed with `fmt`, its two-digit year (if `fmt` has one) pivoted.
    fn with_format(&self, s: &str, fmt: &str) -> Option<NaiveDate> {
        let d = NaiveDate::parse_from_str(s, fmt)
            .or_else(|_| NaiveDateTime::parse_from_str(s, fmt).map(|dt| dt.date()))
            .ok()?;
        if fmt.contains("%y") {
            d.with_year(pivot_year(d.year().rem_euclid(100), self.as_of_year))
        } else {
            Some(d)
        }
    }

    fn parse_any_year(&self, s: &str) -> Result<NaiveDate, DateError> {
        if let Some(fmt) = &self.format {
            return self.with_format(s, fmt).ok_or(DateError::Unparsable);
        }
        let b = s.as_bytes();
        // ISO 8601 date, optionally followed by a time (`2004-01-01T00:20:00Z`).
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
        if let Some((_, parts)) = numeric_parts(s) {
            return self.numeric(parts);
        }
        TEXT_FORMATS
            .iter()
            .find_map(|fmt| self.with_format(s, fmt))
            .ok_or(DateError::Unparsable)
    }

    /// A numeric day/month date: in the column's order, or on its own when only one of
    /// day-first and month-first reads it.
    fn numeric(&self, parts: [&str; 3]) -> Result<NaiveDate, DateError> {
        let read = |order| read_numeric(parts, order, self.as_of_year, None);
        if let Some(order) = self.order {
            return read(order).ok_or_else(|| {
                if FieldOrder::ALL
                    .into_iter()
                    .filter(|o| *o != order && *o != FieldOrder::YearFirst)
                    .any(|o| read(o).is_some())
                {
                    DateError::OutOfOrder
                } else {
                    DateError::Unparsable
                }
            });
        }
        match (read(FieldOrder::DayFirst), read(FieldOrder::MonthFirst)) {
            (Some(d), None) | (None, Some(d)) => Ok(d),
            (Some(a), Some(b)) if a == b => Ok(a),
            (Some(_), Some(_)) => Err(DateError::Ambiguous),
            (None, None) => Err(DateError::Unparsable),
        }
    }
}

/// Parses one date on its own (no column order, two-digit years by the POSIX rule). With
/// `format` (a chrono/strftime pattern) only that format is accepted.
pub fn parse_date(value: &str, format: Option<&str>) -> Result<NaiveDate, DateError> {
    DateReader::new(format.map(str::to_string), 2068).parse(value)
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
        // Saved from a spreadsheet: day-month-two-digit-year, decidable when the day is > 12.
        assert_eq!(parse_date("31-12-19", None), Ok(d(2019, 12, 31)));
    }

    #[test]
    fn other_sources() {
        assert_eq!(parse_date("20191024", None), Ok(d(2019, 10, 24)));
        assert_eq!(parse_date("2004-01-01T00:20:00Z", None), Ok(d(2004, 1, 1)));
        assert_eq!(parse_date("2020/03/21", None), Ok(d(2020, 3, 21)));
        assert_eq!(parse_date("2020.03.21", None), Ok(d(2020, 3, 21)));
        assert_eq!(parse_date("March 21, 2020", None), Ok(d(2020, 3, 21)));
        assert_eq!(parse_date("21.03.2020", None), Ok(d(2020, 3, 21)));
    }

    #[test]
    fn numeric_dates_need_an_order_unless_decidable() {
        assert_eq!(parse_date("25/12/2020", None), Ok(d(2020, 12, 25)));
        assert_eq!(parse_date("12/25/2020", None), Ok(d(2020, 12, 25)));
        assert_eq!(parse_date("5.1.2020", None), Err(DateError::Ambiguous));
        assert_eq!(parse_date("01/02/2020", None), Err(DateError::Ambiguous));
        assert_eq!(
            parse_date("03-03-20", None),
            Ok(d(2020, 3, 3)),
            "same both ways"
        );
        assert_eq!(
            parse_date("01/02/2020", Some("%d/%m/%Y")),
            Ok(d(2020, 2, 1))
        );
        assert_eq!(
            parse_date("01/02/2020", Some("%m/%d/%Y")),
            Ok(d(2020, 1, 2))
        );
        let mut r = DateReader::new(None, 2026);
        r.set_order(Some(FieldOrder::MonthFirst));
        assert_eq!(r.parse("01/02/2020"), Ok(d(2020, 1, 2)));
        assert_eq!(r.parse("1/2/20"), Ok(d(2020, 1, 2)));
        assert_eq!(r.parse("25/12/2020"), Err(DateError::OutOfOrder));
        assert_eq!(r.parse("13/13/2020"), Err(DateError::Unparsable));
        // ISO and text dates are read whatever the numeric order.
        assert_eq!(r.parse("2020-01-02"), Ok(d(2020, 1, 2)));
        assert_eq!(r.parse("2-Jan-20"), Ok(d(2020, 1, 2)));
    }

    #[test]
    fn two_digit_years_are_the_latest_not_after_the_as_of_year() {
        let r = DateReader::new(None, 2026);
        assert_eq!(r.parse("31-12-26"), Ok(d(2026, 12, 31)));
        assert_eq!(r.parse("31-12-27"), Ok(d(1927, 12, 31)));
        assert_eq!(r.parse("9-May-70"), Ok(d(1970, 5, 9)));
        assert_eq!(
            r.parse("9-May-50"),
            Ok(d(1950, 5, 9)),
            "chrono alone says 2050"
        );
        let fixed = DateReader::new(Some("%d/%m/%y".into()), 2026);
        assert_eq!(fixed.parse("01/02/30"), Ok(d(1930, 2, 1)));
        // Without an as-of year: POSIX.
        assert_eq!(parse_date("1-Jan-68", None), Ok(d(2068, 1, 1)));
        assert_eq!(parse_date("1-Jan-69", None), Ok(d(1969, 1, 1)));
        assert_eq!(pivot_year(0, 2000), 2000);
        assert_eq!(pivot_year(1, 2000), 1901);
        // 29 February of a two-digit year follows the pivoted year.
        assert_eq!(r.parse("29-02-24"), Ok(d(2024, 2, 29)));
        assert_eq!(r.parse("29-02-28"), Ok(d(1928, 2, 29)));
        assert_eq!(r.parse("29-02-27"), Err(DateError::Unparsable));
    }

    #[test]
    fn a_column_settles_on_the_order_that_reads_every_value() {
        let mut e = OrderEvidence::default();
        assert_eq!(e.decision(), OrderDecision::NotNeeded);
        e.observe("2020-01-05", None, 0);
        e.observe("9-May-20", None, 1);
        assert_eq!(e.decision(), OrderDecision::NotNeeded, "not numeric");
        e.observe("03-03-19", None, 2);
        assert_eq!(e.ambiguous_example(), None, "read the same both ways");
        e.observe("01-02-19", None, 2);
        e.observe("05-06-19", None, 3);
        assert_eq!(e.decision(), OrderDecision::Open);
        e.observe("31-12-19", None, 4);
        assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::DayFirst));
        assert_eq!(e.decisive_example(), Some(("31-12-19".to_string(), 5)));
        assert_eq!(e.ambiguous_example(), Some(("01-02-19".to_string(), 3)));
        e.locate(|r| r + 10);
        assert_eq!(e.ambiguous_example(), Some(("01-02-19".to_string(), 12)));
        // A few values in the other order do not overturn the column: the majority wins
        // (day first reads 4 + 5, month first 3 + 3).
        for _ in 0..5 {
            e.observe("25-12-19", None, 9);
        }
        for _ in 0..3 {
            e.observe("12/31/2019", None, 9);
        }
        assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::DayFirst));
        for _ in 0..4 {
            e.observe("12/30/2019", None, 9);
        }
        assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::MonthFirst));
    }

    #[test]
    fn a_year_column_places_two_digit_years() {
        // `19-12-31` alone reads day first (19 December 2031, pivoted to 1931); a year column
        // of 2019 shows the year comes first.
        let mut e = OrderEvidence::default();
        e.observe("19-12-31", Some(2019), 1);
        e.observe("19-01-05", Some(2019), 2);
        assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::YearFirst));
        let mut r = DateReader::new(None, 2026);
        r.set_order(Some(FieldOrder::YearFirst));
        assert_eq!(r.parse("19-01-05"), Ok(d(2019, 1, 5)));
        // With the year last, the year column rules out nothing but the year-first reading.
        let mut e = OrderEvidence::default();
        e.observe("01-02-19", Some(2019), 1);
        assert_eq!(e.decision(), OrderDecision::Open);
        e.observe("13-02-19", Some(2019), 2);
        assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::DayFirst));
    }

    #[test]
    fn an_ambiguous_column_names_a_value_both_ways_and_the_flags() {
        let mut e = OrderEvidence::default();
        e.observe("01-02-19", None, 6);
        let msg = e.ambiguity_message("event_date");
        assert!(msg.contains("line 7: '01-02-19'"), "{msg}");
        assert!(msg.contains("1 February 2019 day first"), "{msg}");
        assert!(msg.contains("2 January 2019 month first"), "{msg}");
        assert!(msg.contains("--date-format %d-%m-%y (day first)"), "{msg}");
        assert!(
            msg.contains("--date-format %m-%d-%y (month first)"),
            "{msg}"
        );
        assert_eq!(FieldOrder::MonthFirst.pattern_for("1/2/2020"), "%m/%d/%Y");
        assert_eq!(FieldOrder::YearFirst.pattern_for("19.12.31"), "%y.%m.%d");
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
            "1-2-3",
            "01-02-201",
            "01/02-2020",
            "1.2.3.4",
            "31/31/2020",
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
