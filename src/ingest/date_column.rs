//! The date column of one load: its values read through a cache (a file has few distinct
//! dates), and its numeric day/month order inferred from the batches (see [`super::dates`]).
//!
//! A first pass settles the order from the first batch with numeric dates. If that batch
//! leaves both orders open (every day ≤ 12 so far), the pass stops and the loader reads the
//! whole file once for the dates alone ([`DateMode::Sniff`]), then loads it with the order
//! known ([`DateMode::Known`]); a column still open after the whole file is an error.
//!
//! Where the file has a `year` column, it gives two-digit years their century row by row
//! ([`super::dates::Dated::in_year`]).

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::dates::{
    is_numeric_day_month, DateError, DateReader, Dated, FieldOrder, OrderDecision, OrderEvidence,
};
use super::schema::{self, DateSource};
use super::spec::InputSpec;
use super::validate::{parse_int, Cols};
use super::FastMap;
use crate::error::{Error, Result};

/// At most this many distinct date strings are remembered (timestamps can make every value
/// distinct; the cache then restarts rather than grow with the file).
pub(super) const DATE_CACHE_MAX: usize = 1 << 20;

/// A date value as read once for a batch ([`DateColumn::read_value`]).
#[derive(Debug, Clone, Copy)]
pub(super) enum ValueDate {
    /// The same date on every row.
    Fixed(NaiveDate),
    /// A two-digit year whose century each row's `year` column gives.
    ByRow(Dated),
}

/// How the numeric day/month order of the date column is found.
#[derive(Debug, Clone)]
pub(super) enum DateMode {
    /// From the batches as they come (the first pass).
    Infer,
    /// From the whole file, reading only the dates.
    Sniff,
    /// Known from a sniff pass.
    Known(FieldOrder, OrderEvidence),
}

/// Where the order stands in this pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrderState {
    /// Not needed (a `--date-format`, or no text date column) or settled.
    Settled,
    /// No numeric dates seen yet.
    Pending,
    /// Numeric dates seen, and both orders read them all.
    Open,
}

/// The date column's reader, cache and order.
pub(super) struct DateColumn {
    reader: DateReader,
    cache: FastMap<String, std::result::Result<Dated, DateError>>,
    mode: DateMode,
    state: OrderState,
    evidence: OrderEvidence,
    /// The text date columns whose order is inferred.
    columns: Vec<String>,
    /// The file's `year` column, which gives two-digit years their century (and helps
    /// infer the order).
    year: Option<String>,
    /// The order was looked for in the current batch already.
    gathered: bool,
}

impl DateColumn {
    pub(super) fn new(
        spec: &InputSpec,
        date: &DateSource,
        header: &[String],
        mode: DateMode,
    ) -> Self {
        let columns: Vec<String> = match (date, &spec.date_format) {
            (_, Some(_)) => Vec::new(),
            (DateSource::Column(c), None) => vec![c.clone()],
            (DateSource::Span { start, end }, None) => std::iter::once(start)
                .chain(schema::find_column(header, end))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let text_dates: Vec<&String> = match date {
            DateSource::Column(c) => vec![c],
            DateSource::Span { start, end } => vec![start, end],
            _ => Vec::new(),
        };
        let year = (!text_dates.is_empty())
            .then(|| schema::find_column(header, "year").cloned())
            .flatten()
            .filter(|y| !text_dates.contains(&y));
        let mut reader = DateReader::new(spec.date_format.clone(), spec.latest_date().year());
        let (state, evidence) = match (&mode, columns.is_empty()) {
            (_, true) => (OrderState::Settled, OrderEvidence::default()),
            (DateMode::Known(order, evidence), false) => {
                reader.set_order(Some(*order));
                (OrderState::Settled, evidence.clone())
            }
            _ => (OrderState::Pending, OrderEvidence::default()),
        };
        DateColumn {
            reader,
            cache: FastMap::default(),
            mode,
            state,
            evidence,
            columns,
            year,
            gathered: false,
        }
    }

    /// A column the batches must hold besides the preset's: the `year` column.
    pub(super) fn extra_column(&self) -> Option<&String> {
        self.year.as_ref()
    }

    /// Whether this pass only sniffs the order.
    pub(super) fn sniffing(&self) -> bool {
        matches!(self.mode, DateMode::Sniff)
    }

    /// Whether the order is settled (or not needed).
    pub(super) fn settled(&self) -> bool {
        self.state == OrderState::Settled
    }

    /// Whether this pass found the order open and must give way to a sniff of the file.
    pub(super) fn open(&self) -> bool {
        self.state == OrderState::Open && !self.sniffing()
    }

    /// A new batch begins.
    pub(super) fn next_batch(&mut self) {
        self.gathered = false;
    }

    /// One value of row `row`: numeric day/month dates first settle the column's order from
    /// the whole batch; a two-digit year takes its century from the row's `year` column.
    pub(super) fn read(
        &mut self,
        cols: &Cols<'_>,
        row: usize,
        na: &[String],
        value: &str,
    ) -> std::result::Result<NaiveDate, DateError> {
        let dated = self.dated(cols, na, value)?;
        self.in_row_year(cols, row, na, dated)
    }

    /// A value's date on row `row`: a two-digit year takes its century from the row's
    /// `year` column.
    pub(super) fn in_row_year(
        &self,
        cols: &Cols<'_>,
        row: usize,
        na: &[String],
        dated: Dated,
    ) -> std::result::Result<NaiveDate, DateError> {
        if !dated.two_digit_year {
            return Ok(dated.date);
        }
        let year = self
            .year
            .as_ref()
            .and_then(|y| parse_int(cols.get(y, row), na));
        dated.in_year(year)
    }

    /// A value read once for all the rows holding it: its date where that is the same on
    /// every row, else what [`Self::in_row_year`] turns into each row's date (a two-digit
    /// year, with a `year` column to give its century).
    pub(super) fn read_value(
        &mut self,
        cols: &Cols<'_>,
        na: &[String],
        value: &str,
    ) -> std::result::Result<ValueDate, DateError> {
        let dated = self.dated(cols, na, value)?;
        Ok(if dated.two_digit_year && self.year.is_some() {
            ValueDate::ByRow(dated)
        } else {
            ValueDate::Fixed(dated.date)
        })
    }

    /// A value read through the cache (the batch's order settled first, where it is open).
    fn dated(
        &mut self,
        cols: &Cols<'_>,
        na: &[String],
        value: &str,
    ) -> std::result::Result<Dated, DateError> {
        match self.cache.get(value) {
            Some(hit) => hit.clone(),
            None => {
                if self.state == OrderState::Pending && is_numeric_day_month(value) {
                    self.gather(cols, cols.rows(), na);
                }
                let parsed = self.reader.parse_dated(value);
                if self.cache.len() >= DATE_CACHE_MAX {
                    self.cache.clear();
                }
                self.cache.insert(value.to_string(), parsed.clone());
                parsed
            }
        }
    }

    /// Observes every date of the batch and settles the order if the evidence is enough.
    pub(super) fn gather(&mut self, cols: &Cols<'_>, rows: usize, na: &[String]) {
        if self.state != OrderState::Pending || self.gathered {
            return;
        }
        self.gathered = true;
        for row in 0..rows {
            let hint = self
                .year
                .as_ref()
                .and_then(|y| parse_int(cols.get(y, row), na));
            for c in &self.columns {
                if let Some(v) = cols.get(c, row) {
                    self.evidence.observe(v, hint, cols.record(row));
                }
            }
        }
        match self.evidence.decision() {
            OrderDecision::Settled(order) => {
                self.reader.set_order(Some(order));
                self.cache.clear();
                self.state = OrderState::Settled;
            }
            // A sniff reads on; a first pass gives way to a sniff.
            OrderDecision::Open if !self.sniffing() => self.state = OrderState::Open,
            OrderDecision::Open | OrderDecision::NotNeeded => {}
        }
    }

    /// Turns the record numbers of the evidence's examples into lines.
    pub(super) fn locate(&mut self, line_of: impl Fn(u64) -> u64) {
        self.evidence.locate(line_of);
    }

    /// The reason for a row whose date could not be read.
    pub(super) fn reason(&self, e: &DateError) -> String {
        match (e, self.reader.order()) {
            (DateError::Ambiguous, _) => "ambiguous date (pass --date-format)".into(),
            (DateError::YearMismatch, _) => format!(
                "two-digit year disagrees with the '{}' column",
                self.year.as_deref().unwrap_or("year")
            ),
            (DateError::OutOfOrder, Some(order)) => format!(
                "date valid only {} while the column reads {}",
                match order {
                    FieldOrder::DayFirst => "month first",
                    _ => "day first",
                },
                order.describe()
            ),
            _ => "unparsable date".into(),
        }
    }

    /// The mode a sniff pass found.
    ///
    /// # Errors
    /// The column stays ambiguous over the whole file: the error shows a value read both
    /// ways and the `--date-format` that chooses.
    pub(super) fn sniffed(&self, path: &Path) -> Result<DateMode> {
        match self.evidence.decision() {
            OrderDecision::Settled(order) => Ok(DateMode::Known(order, self.evidence.clone())),
            // Every value reads the same both ways (`03-03-20`): the order does not matter.
            _ if self.evidence.ambiguous_example().is_none() => {
                Ok(DateMode::Known(FieldOrder::DayFirst, self.evidence.clone()))
            }
            _ => Err(Error::Parse {
                path: path.to_path_buf(),
                message: self
                    .evidence
                    .ambiguity_message(self.columns.first().map_or("date", String::as_str)),
            }),
        }
    }

    /// A note saying how numeric dates were read, when the order was inferred.
    pub(super) fn note(&self) -> Option<String> {
        let order = self.reader.order()?;
        let column = self.columns.first()?;
        let (value, line) = self.evidence.decisive_example()?;
        let pattern = order.pattern_for(&value);
        let years = match &self.year {
            _ if !pattern.contains("%y") => String::new(),
            Some(y) => format!("; two-digit years take their century from the '{y}' column"),
            None => format!(
                "; two-digit years are the latest year with those digits not after {}",
                self.reader.latest_year()
            ),
        };
        Some(format!(
            "numeric dates in column '{column}' were read {} (as --date-format {pattern} would), as values such as '{value}' (line {line}) show{years}",
            order.describe(),
        ))
    }
}
