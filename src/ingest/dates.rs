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
//! **Date-times** as open-data portals write them (`09/05/2015 01:30:00 PM`, `31/12/2019
//! 23:15`): a numeric date, one space and a time of day, with or without seconds, 12-hour with
//! AM/PM or 24-hour. The time is checked and dropped: the event counts on the date as
//! written, with no time-zone shift. ISO date-times (`2004-01-01T00:20:00Z`) are cut to their
//! date likewise.
//!
//! **Two-digit years** (`%y`, in numeric and text dates alike): where the file has a `year`
//! column, it gives the century, row by row, and a date whose two digits disagree with it is
//! rejected ([`DateError::YearMismatch`]). Otherwise a two-digit year is the latest year
//! ending in those digits that is not after the latest date the file can hold: today, or
//! `--as-of` when it is later (a backfill with `--as-of` in the past does not move events of
//! later years a century back). In 2026, `26` is 2026 and `27` is 1927. [`parse_date`], with
//! no such date, uses the POSIX rule (69–99 are 1969–1999, 00–68 are 2000–2068), which is the
//! same rule for a latest year of 2068.

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
    /// A date with a two-digit year whose digits are not those of the row's `year` column.
    YearMismatch,
}

/// A date as read, and whether its year was written with two digits (then a `year` column
/// gives its century: [`Dated::in_year`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    /// The date, two-digit years resolved by the reader's rule.
    pub date: NaiveDate,
    /// The year was written with two digits.
    pub two_digit_year: bool,
}

impl Dated {
    /// The date with its century taken from the row's `year` column (`year`), where its year
    /// was written with two digits; four-digit years stand as written.
    ///
    /// # Errors
    /// [`DateError::YearMismatch`] when the two digits are not the year column's, and
    /// [`DateError::Unparsable`] for 29 February in a year of the column's century that has
    /// none.
    pub fn in_year(self, year: Option<i64>) -> Result<NaiveDate, DateError> {
        let Some(year) = year.filter(|_| self.two_digit_year) else {
            return Ok(self.date);
        };
        if i64::from(self.date.year().rem_euclid(100)) != year.rem_euclid(100) {
            return Err(DateError::YearMismatch);
        }
        i32::try_from(year)
            .ok()
            .filter(|y| (1..=9999).contains(y))
            .and_then(|y| self.date.with_year(y))
            .ok_or(DateError::Unparsable)
    }
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
        let time = split_time(example.trim()).map_or("", |(_, t)| t);
        format!("{}{time}", fields.join(&sep.to_string()))
    }
}

/// A date followed by one space and a time of day (`09/05/2015 01:30:00 PM`, `31/12/2019
/// 23:15`): the date part and the strftime pattern of the time (` %I:%M:%S %p`, ` %H:%M`,
/// ...). Hours are 1–12 with AM/PM (either case, a space before it or not) and 0–23
/// without; minutes and seconds two digits, seconds optional.
fn split_time(s: &str) -> Option<(&str, &'static str)> {
    let (date, time) = s.split_once(' ')?;
    let b = time.as_bytes();
    let twelve = b.len() > 2
        && b[b.len() - 1].eq_ignore_ascii_case(&b'M')
        && matches!(b[b.len() - 2].to_ascii_uppercase(), b'A' | b'P');
    // The last two bytes are ASCII, so the cut is on a character boundary.
    let (clock, spaced) = if twelve {
        let clock = &time[..time.len() - 2];
        (clock.trim_end_matches(' '), clock.ends_with(' '))
    } else {
        (time, false)
    };
    let mut fields = clock.split(':');
    let (h, m, sec) = (fields.next()?, fields.next()?, fields.next());
    if fields.next().is_some() {
        return None;
    }
    let number = |f: &str, digits: std::ops::RangeInclusive<usize>, max: u32| {
        (digits.contains(&f.len()) && f.bytes().all(|c| c.is_ascii_digit()))
            .then(|| f.parse::<u32>().ok())
            .flatten()
            .filter(|v| *v <= max)
    };
    let hour = number(h, 1..=2, 23)?;
    number(m, 2..=2, 59)?;
    if let Some(sec) = sec {
        number(sec, 2..=2, 59)?;
    }
    if twelve && !(1..=12).contains(&hour) {
        return None;
    }
    Some((
        date,
        match (twelve, sec.is_some(), spaced) {
            (true, true, true) => " %I:%M:%S %p",
            (true, true, false) => " %I:%M:%S%p",
            (true, false, true) => " %I:%M %p",
            (true, false, false) => " %I:%M%p",
            (false, true, _) => " %H:%M:%S",
            (false, false, _) => " %H:%M",
        },
    ))
}

/// The three fields of a numeric date `a<sep>b<sep>c` whose first field has at most two
/// digits (a four-digit year first is year-month-day, never ambiguous): digits only, one
/// separator (`-`, `/` or `.`) used twice, day and month of one or two digits, the year of
/// two or four; a time of day may follow ([`split_time`]).
fn numeric_parts(s: &str) -> Option<(char, [&str; 3])> {
    let s = split_time(s).map_or(s, |(date, _)| date);
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

/// The latest year ending in the two digits `yy` that is not after `latest_year`.
fn pivot_year(yy: i32, latest_year: i32) -> i32 {
    let candidate = latest_year.div_euclid(100) * 100 + yy;
    if candidate > latest_year {
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
    latest_year: i32,
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
        _ => pivot_year(year, latest_year),
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
    /// The first numeric value seen.
    first: Option<Example>,
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
        if self.first.is_none() {
            self.first = example();
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

    /// A numeric value of the column (the one that decided the order where one did), to
    /// write the order as a `--date-format`.
    pub fn first_example(&self) -> Option<(String, u64)> {
        self.decisive
            .as_ref()
            .or(self.first.as_ref())
            .map(Example::shown)
    }

    /// Gives the examples found since the last call their lines.
    pub fn locate(&mut self, line_of: impl Fn(u64) -> u64) {
        for e in [&mut self.ambiguous, &mut self.decisive, &mut self.first]
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
    latest_year: i32,
}

impl DateReader {
    /// A reader for `--date-format` (if any), with two-digit years the latest with their
    /// digits not after `latest_year` (see the module docs).
    pub fn new(format: Option<String>, latest_year: i32) -> Self {
        DateReader {
            format,
            order: None,
            latest_year,
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

    /// The year two-digit years are resolved against.
    pub fn latest_year(&self) -> i32 {
        self.latest_year
    }

    /// Parses one date (date-times are cut to their date).
    pub fn parse(&self, value: &str) -> Result<NaiveDate, DateError> {
        self.parse_dated(value).map(|d| d.date)
    }

    /// Parses one date, saying whether its year had two digits. Only years 1 to 9999 are
    /// dates here: chrono alone would read `-04/03/2` as 2 March of the year -4 (found by
    /// fuzzing).
    pub fn parse_dated(&self, value: &str) -> Result<Dated, DateError> {
        match self.parse_any_year(value.trim()) {
            Ok(d) if !(1..=9999).contains(&d.date.year()) => Err(DateError::Unparsable),
            other => other,
        }
    }

    /// A date parsed with `fmt`, its two-digit year (if `fmt` has one) pivoted.
    fn with_format(&self, s: &str, fmt: &str) -> Option<Dated> {
        let d = NaiveDate::parse_from_str(s, fmt)
            .or_else(|_| NaiveDateTime::parse_from_str(s, fmt).map(|dt| dt.date()))
            .ok()?;
        let two_digit_year = fmt.contains("%y");
        let date = if two_digit_year {
            d.with_year(pivot_year(d.year().rem_euclid(100), self.latest_year))?
        } else {
            d
        };
        Some(Dated {
            date,
            two_digit_year,
        })
    }

    fn parse_any_year(&self, s: &str) -> Result<Dated, DateError> {
        if let Some(fmt) = &self.format {
            return self.with_format(s, fmt).ok_or(DateError::Unparsable);
        }
        let four = |date| Dated {
            date,
            two_digit_year: false,
        };
        let b = s.as_bytes();
        // ISO 8601 date, optionally followed by a time (`2004-01-01T00:20:00Z`).
        if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit) {
            if b.len() == 10 || matches!(b[10], b'T' | b' ') {
                return NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d")
                    .map(four)
                    .map_err(|_| DateError::Unparsable);
            }
            return Err(DateError::Unparsable);
        }
        // Compact YYYYMMDD (GDELT SQLDATE).
        if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
            return NaiveDate::parse_from_str(s, "%Y%m%d")
                .map(four)
                .map_err(|_| DateError::Unparsable);
        }
        if let Some((_, parts)) = numeric_parts(s) {
            // The first field has at most two digits: only a four-digit last field is a
            // four-digit year.
            let two_digit_year = parts[2].len() != 4;
            return self.numeric(parts).map(|date| Dated {
                date,
                two_digit_year,
            });
        }
        TEXT_FORMATS
            .iter()
            .find_map(|fmt| self.with_format(s, fmt))
            .ok_or(DateError::Unparsable)
    }

    /// A numeric day/month date: in the column's order, or on its own when only one of
    /// day-first and month-first reads it.
    fn numeric(&self, parts: [&str; 3]) -> Result<NaiveDate, DateError> {
        let read = |order| read_numeric(parts, order, self.latest_year, None);
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
mod tests;
