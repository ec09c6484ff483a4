//! Row validation: each row of a batch is kept (with its day and weights), rejected with a
//! reason (bad date, missing region, bad number, ...) or excluded by a rule the user chose
//! (filters, duplicates, the incomplete week); kept rows are summed into (region, day, event
//! type) cells and every other row is counted in the ledger with its line.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use polars::prelude::*;

use super::date_column::{DateColumn, DateMode, ValueDate};
use super::detail::{Detail, DetailRules, DETAIL_WEEKS, TEXT_WEEKS};
use super::prepare::{FirstIds, PrepPlan, Prepared};
use super::quality::Quality;
use super::schema::{self, needed_columns, ColumnMap, DateSource, Preset};
use super::spec::{InputSpec, Metric, MultiDay, UnknownDay};
use super::text::Lines;
use super::{FastMap, FastSet, Incidents, MAX_COUNT, MAX_NAME_BYTES, MIN_YEAR, RECORD_COL};
use crate::error::{Error, Result};
use crate::model::{RegionKey, WeekStart};

mod cells;
mod checks;
mod fast;
mod finish;

use cells::{CellTable, KeptRow};
use fast::Fast;

/// Parses a non-negative number; `Ok(None)` for a missing value.
pub(super) fn parse_count(
    value: Option<&str>,
    na: &[String],
) -> std::result::Result<Option<f64>, &'static str> {
    let Some(v) = value
        .map(str::trim)
        .filter(|v| !v.is_empty() && !na.iter().any(|n| n == v))
    else {
        return Ok(None);
    };
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x > MAX_COUNT => Err("implausibly large"),
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
        Ok(x) if x < 0.0 => Err("negative"),
        _ => Err("non-numeric"),
    }
}

pub(super) fn is_missing(value: Option<&str>, na: &[String]) -> bool {
    value
        .map(str::trim)
        .is_none_or(|v| v.is_empty() || na.iter().any(|n| n == v))
}

pub(super) fn parse_int(value: Option<&str>, na: &[String]) -> Option<i64> {
    if is_missing(value, na) {
        return None;
    }
    let v = value?.trim();
    v.parse::<i64>().ok().or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
    })
}

/// Column accessor over a collected batch: text values by row, and each row's record number.
/// Several columns are read per row, so the lookup by name uses a fast hash (the standard
/// SipHash was 3% of a load's time).
pub(super) struct Cols<'a> {
    by_name: FastMap<&'a str, &'a StringChunked>,
    records: &'a [u64],
}

impl<'a> Cols<'a> {
    pub(super) fn get(&self, name: &str, row: usize) -> Option<&'a str> {
        self.by_name.get(name).and_then(|ca| ca.get(row))
    }

    /// Rows in the batch.
    pub(super) fn rows(&self) -> usize {
        self.records.len()
    }

    pub(super) fn record(&self, row: usize) -> u64 {
        self.records.get(row).copied().unwrap_or(row as u64)
    }
}

/// Whether a loader should go on reading after a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    /// Read the next batch.
    Continue,
    /// Stop reading: the sniff pass has what it needs, or the first pass found the date
    /// column's day/month order open and the whole file must be sniffed first.
    Stop,
}

/// The values of a kept row.
pub(super) struct Kept {
    date: NaiveDate,
    events: f64,
    fatalities: f64,
    weight: f64,
}

/// The outcome of checking one row.
pub(super) enum RowOutcome {
    /// Kept, with its day and weights.
    Keep(Kept),
    /// Bad data: a reason and the column it was found in.
    Reject(String, Option<String>),
    /// Left out by a rule the user chose (a filter, de-duplication, the incomplete week).
    Exclude(String, Option<String>),
}

impl RowOutcome {
    fn reject(reason: &str, column: Option<&String>) -> RowOutcome {
        RowOutcome::Reject(reason.to_string(), column.cloned())
    }

    fn exclude(reason: &str, column: Option<&String>) -> RowOutcome {
        RowOutcome::Exclude(reason.to_string(), column.cloned())
    }
}

/// A check's result: its value, or the outcome that ends the row's judgement.
type Check<T> = std::result::Result<T, RowOutcome>;

/// What does not change while rows are checked.
pub(super) struct Rules<'s> {
    spec: &'s InputSpec,
    map: ColumnMap,
    header: Vec<String>,
    na: Vec<String>,
    min_date: NaiveDate,
    week_start: WeekStart,
    last_week: NaiveDate,
    country_idx: Option<usize>,
    strip_suffix: bool,
    fingerprint_all: bool,
    want_fatalities: bool,
}

/// A 128-bit hash: event ids and row fingerprints are remembered as hashes, so memory does
/// not hold every id's text. With 128 bits, a false "duplicate" among even 10^9 distinct
/// values has a probability below 10^-20.
pub(super) fn hash128<T: std::hash::Hash + ?Sized>(value: &T) -> u128 {
    use std::hash::BuildHasher;
    let a = foldhash::quality::FixedState::with_seed(0x5eed_0001).hash_one(value);
    let b = foldhash::quality::FixedState::with_seed(0x5eed_0002).hash_one(value);
    (u128::from(a) << 64) | u128::from(b)
}

/// The hash an event id is de-duplicated by (its trimmed text), or `None` where it is
/// missing (empty or an NA value).
pub(super) fn id_hash(value: Option<&str>, na: &[String]) -> Option<u128> {
    let v = value.map(str::trim);
    (!is_missing(v, na)).then(|| hash128(v.unwrap_or_default()))
}

/// Checks rows batch by batch and sums the kept ones into (region, day, event type) cells.
pub(super) struct Validator<'s> {
    rules: Rules<'s>,
    path: PathBuf,
    needed: Vec<String>,
    event_type_col: Option<String>,
    dates: DateColumn,
    region_ids: FastMap<RegionKey, u32>,
    type_ids: FastMap<String, u32>,
    /// The cells kept rows are summed into.
    cells: CellTable,
    /// Ids whose first row in the file (see [`FirstIds`]) was not kept: rejected, filtered
    /// out or otherwise left before the duplicate check.
    unkept_first_ids: FastSet<u128>,
    /// Ids kept from a row that was not their first in the file (and, for rows judged
    /// without marks, every id that reached the duplicate check).
    kept_later_ids: FastSet<u128>,
    /// The first-row marks of batches no loader marked.
    first_ids: FirstIds,
    /// Whether batches are marked ([`FirstIds`]; off only in tests, which check that marked
    /// and unmarked judging agree).
    mark_ids: bool,
    /// The row being judged: whether it is the first of the file to hold its id (`None`:
    /// not marked), and whether it reached the duplicate check.
    row_first: Option<bool>,
    row_reached_ids: bool,
    seen_rows: FastSet<u128>,
    /// The result so far, its ledger included.
    out: Incidents,
    /// Line numbers of the example records, filled batch by batch.
    line_of: HashMap<u64, u64>,
    records: u64,
    unknown_days: u64,
    multi_days: u64,
    unknown_fatalities: u64,
    missing_ids: u64,
    identical_kept: u64,
    last_complete: NaiveDate,
    /// The latest plausible date of any row (after --as-of too, before the filters): where
    /// the data end.
    coverage_end: Option<NaiveDate>,
    /// First valid day per top-level region value, before the filters.
    top_level_first: FastMap<String, NaiveDate>,
    /// First day whose kept rows keep their details (`None`: no details asked for).
    details_from: Option<NaiveDate>,
    /// Whether the id of the `uptick sql` query behind counts is in the layout already.
    query_noted: bool,
    /// The columns the batch kernels read.
    plan: PrepPlan,
    /// Whether the row loop takes the integer path where it can (off only in tests, which
    /// check that both paths give the same result).
    fast_path: bool,
}

impl<'s> Validator<'s> {
    pub(super) fn new(
        spec: &'s InputSpec,
        map: ColumnMap,
        header: Vec<String>,
        path: PathBuf,
        date_mode: DateMode,
    ) -> Self {
        let mut needed = needed_columns(spec, &map, &header);
        let dates = DateColumn::new(spec, &map.date, &header, date_mode);
        if let Some(year) = dates.extra_column() {
            if !needed.contains(year) {
                needed.push(year.clone());
            }
        }
        let week_start = spec.week_start.unwrap_or(map.preset.default_week_start());
        let last_complete = week_start.last_complete_week(spec.as_of);
        let last_week = if spec.include_incomplete {
            week_start.week_of(spec.as_of)
        } else {
            last_complete
        };
        let event_type_col = map.event_types.last().cloned();
        let plan = PrepPlan {
            date: match &map.date {
                DateSource::Column(c) => Some(c.clone()),
                _ => None,
            },
            regions: map.regions.iter().map(|(_, c)| c.clone()).collect(),
            kind: event_type_col.clone(),
            id: map.id.clone(),
            na: map.na_values.clone(),
        };
        let want_fatalities = spec.metric == Metric::Fatalities;
        let want_weight = map.weight.is_some();
        let out = Incidents {
            region_columns: map.regions.iter().map(|(n, _)| n.clone()).collect(),
            columns: map.clone(),
            regions: Vec::new(),
            region: Vec::new(),
            date: Vec::new(),
            kind: Vec::new(),
            rows: Vec::new(),
            events: Vec::new(),
            fatalities: want_fatalities.then(Vec::new),
            weight: map.weight.as_ref().map(|_| Vec::new()),
            event_types: event_type_col.as_ref().map(|_| Vec::new()),
            week_start,
            last_week,
            quality: Quality {
                source: spec.source.display(),
                layout: format!("preset {}: {}", map.preset.name(), map.layout),
                ..Default::default()
            },
            sha256: None,
            top_level_first: Vec::new(),
            details: Vec::new(),
        };
        Validator {
            rules: Rules {
                spec,
                na: map.na_values.clone(),
                min_date: NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).expect("valid constant date"),
                week_start,
                last_week,
                country_idx: map.regions.iter().position(|(n, _)| n == "country"),
                strip_suffix: map.preset == Preset::UcdpGed,
                fingerprint_all: map.identical_rows_are_duplicates
                    || (map.preset == Preset::Gtd && map.id.is_none()),
                want_fatalities,
                map,
                header,
            },
            path,
            needed,
            event_type_col,
            dates,
            region_ids: FastMap::default(),
            type_ids: FastMap::default(),
            cells: CellTable::new(want_fatalities, want_weight),
            unkept_first_ids: FastSet::default(),
            kept_later_ids: FastSet::default(),
            first_ids: FirstIds::default(),
            mark_ids: true,
            row_first: None,
            row_reached_ids: false,
            seen_rows: FastSet::default(),
            out,
            line_of: HashMap::new(),
            records: 0,
            unknown_days: 0,
            multi_days: 0,
            unknown_fatalities: 0,
            missing_ids: 0,
            identical_kept: 0,
            last_complete,
            coverage_end: None,
            top_level_first: FastMap::default(),
            details_from: spec
                .details
                .then(|| last_week - chrono::Days::new(7 * spec.detail_weeks.max(DETAIL_WEEKS))),
            query_noted: false,
            plan,
            fast_path: true,
        }
    }

    /// The columns the batch kernels read ([`PrepPlan::prepare`]); `None` in a sniff pass,
    /// which reads dates only.
    pub(super) fn prep_plan(&self) -> Option<PrepPlan> {
        (!self.dates.sniffing()).then(|| self.plan.clone())
    }

    /// Keeps the details of a kept row of the detail window.
    fn capture(
        &mut self,
        cols: &Cols<'_>,
        row: usize,
        record: u64,
        region: u32,
        kind: u32,
        kept: &Kept,
    ) {
        let rules = DetailRules {
            map: &self.rules.map,
            na: &self.rules.na,
            text_from: self.rules.last_week - chrono::Days::new(7 * (TEXT_WEEKS - 1)),
        };
        let base = Detail {
            region,
            date: kept.date,
            record,
            kind,
            events: kept.events,
            weight: kept.weight,
            fatalities: None,
            actors: Vec::new(),
            finer: None,
            place: None,
            description: None,
            coordinates: None,
            coordinate_issue: None,
        };
        let detail = rules.capture(cols, row, base);
        self.out.details.push(detail);
    }

    /// What is being loaded.
    pub(super) fn spec(&self) -> &'s InputSpec {
        self.rules.spec
    }

    /// The columns each batch must hold (as text), besides the record number.
    pub(super) fn needed(&self) -> &[String] {
        &self.needed
    }

    /// Checks one batch of rows and folds the kept ones into the cells (in a sniff pass,
    /// only gathers the date order); says whether to read on. `prepared` holds the batch's
    /// kernels where the loader ran them ([`Self::prep_plan`]); otherwise they run here.
    pub(super) fn batch(
        &mut self,
        frame: &DataFrame,
        prepared: Option<Prepared>,
        lines: &Lines<'_>,
    ) -> Result<Flow> {
        let path = self.path.clone();
        // Row access into a many-chunk array costs a search per call: the text loader's few
        // runs (one per core, prepared already) are read as they are, anything else is made
        // one chunk per column (which the kernels need).
        let mut frame = frame.clone();
        if prepared.is_none() || frame.max_n_chunks() > 8 {
            frame.rechunk_mut_par();
        }
        let needed = self.needed.clone();
        let mut by_name = FastMap::default();
        for name in &needed {
            let ca = frame
                .column(name.as_str())
                .and_then(|c| c.str())
                .map_err(Error::polars(format!(
                    "{}: column '{name}' is not text",
                    path.display()
                )))?;
            by_name.insert(name.as_str(), ca);
        }
        let records: Vec<u64> = frame
            .column(RECORD_COL)
            .and_then(|c| c.cast(&DataType::UInt64))
            .map_err(Error::polars("reading record numbers"))?
            .u64()
            .map_err(Error::polars("reading record numbers"))?
            .into_no_null_iter()
            .collect();
        let cols = Cols {
            by_name,
            records: &records,
        };
        self.dates.next_batch();
        if self.dates.sniffing() {
            self.dates.gather(&cols, records.len(), &self.rules.na);
            self.dates.locate(|r| lines.of(&[r])[0]);
            return Ok(if self.dates.settled() {
                Flow::Stop
            } else {
                Flow::Continue
            });
        }
        let first_record = self.records;
        self.records += records.len() as u64;
        let mut prepared = match prepared {
            Some(p) => p,
            None => self.plan.prepare(std::slice::from_ref(&frame))?,
        };
        if prepared.first.is_none() && self.mark_ids {
            self.first_ids.mark(&mut prepared);
        }
        let mut tables = self.tables(&cols, &prepared);
        if self.dates.open() {
            // The whole file must be sniffed for the order; this pass is void.
            return Ok(Flow::Stop);
        }

        // Per-batch lookups by borrowed text, in front of the owned maps.
        let mut region_cache: FastMap<Vec<&str>, u32> = FastMap::default();
        let mut type_cache: FastMap<&str, u32> = FastMap::default();
        let mut key: Vec<&str> = Vec::with_capacity(self.rules.map.regions.len());
        for (row, &record) in records.iter().enumerate() {
            self.row_first = prepared.first.as_ref().map(|f| f[row]);
            self.row_reached_ids = false;
            let outcome = match self.fast(&cols, &prepared, &mut tables, row, record) {
                Fast::Kept => continue,
                Fast::Judged(outcome) => Some(outcome),
                Fast::RowPath => None,
            };
            key.clear();
            let outcome = match outcome {
                Some(outcome) => outcome,
                None => self.judge(&cols, row, &mut key),
            };
            if self.row_first == Some(true) && !self.row_reached_ids {
                // The first row of its id is not kept: a later row with it may be.
                if let Some(Some(id)) = prepared.id.as_ref().map(|ids| ids[row]) {
                    self.unkept_first_ids.insert(id);
                }
            }
            if self.dates.open() {
                // The whole file must be sniffed for the order; this pass is void.
                return Ok(Flow::Stop);
            }
            match outcome {
                RowOutcome::Keep(kept) => {
                    let region = match region_cache.get(key.as_slice()) {
                        Some(&id) => id,
                        None => {
                            let id = self.region_id(&key);
                            region_cache.insert(key.clone(), id);
                            id
                        }
                    };
                    let kind = match &self.event_type_col {
                        Some(c) => {
                            let v = cols.get(c, row).map(str::trim).unwrap_or("");
                            match type_cache.get(v) {
                                Some(&id) => id,
                                None => {
                                    let id = self.type_id(v);
                                    type_cache.insert(v, id);
                                    id
                                }
                            }
                        }
                        None => 0,
                    };
                    if self.details_from.is_some_and(|from| kept.date >= from) {
                        self.capture(&cols, row, record, region, kind, &kept);
                    }
                    self.add(region, kind, &kept);
                }
                RowOutcome::Reject(reason, column) => {
                    if self.rules.spec.strict {
                        let line = lines.of(&[record])[0];
                        return Err(Error::Strict {
                            path,
                            line,
                            column: column.unwrap_or_default(),
                            reason,
                        });
                    }
                    let value = column.as_deref().and_then(|c| cols.get(c, row));
                    self.out
                        .quality
                        .reject(reason, column.as_deref(), record, value);
                }
                RowOutcome::Exclude(reason, column) => {
                    let value = column.as_deref().and_then(|c| cols.get(c, row));
                    self.out
                        .quality
                        .exclude_with(reason, column.as_deref(), record, value);
                }
            }
        }
        self.cells.flush();
        for (k, first) in tables.region_first.iter().enumerate() {
            if let Some(date) = *first {
                self.note_coverage(&cols, prepared.region.firsts[k] as usize, date);
            }
        }
        // Examples first seen in this batch get their lines while its text is at hand.
        let fresh: Vec<u64> = self
            .out
            .quality
            .example_records()
            .into_iter()
            .filter(|r| *r >= first_record && !self.line_of.contains_key(r))
            .collect();
        for (r, line) in fresh.iter().zip(lines.of(&fresh)) {
            self.line_of.insert(*r, line);
        }
        self.dates.locate(|r| lines.of(&[r])[0]);
        Ok(Flow::Continue)
    }

    /// Where the data end: the latest plausible date of any row.
    fn note_end(&mut self, date: NaiveDate) {
        if date >= self.rules.min_date && self.coverage_end.is_none_or(|e| date > e) {
            self.coverage_end = Some(date);
        }
    }

    /// The date mode a sniff pass found.
    ///
    /// # Errors
    /// The date column stays ambiguous over the whole file.
    pub(super) fn sniffed(&self) -> Result<DateMode> {
        self.dates.sniffed(&self.path)
    }

    /// Whether this pass stopped because the date order is open (the file must be sniffed).
    pub(super) fn order_open(&self) -> bool {
        self.dates.open()
    }

    /// Adds a kept row to its (region, day, event type) cell (summed at the end of the
    /// batch, see [`CellTable`]).
    pub(super) fn add(&mut self, region: u32, kind: u32, kept: &Kept) {
        self.cells.push(KeptRow {
            region,
            kind,
            date: kept.date,
            events: kept.events,
            fatalities: kept.fatalities,
            weight: kept.weight,
        });
    }

    /// Judges one row: each check in turn, the first that fails decides (see [`RowOutcome`]).
    pub(super) fn judge<'a>(
        &mut self,
        cols: &Cols<'a>,
        row: usize,
        key: &mut Vec<&'a str>,
    ) -> RowOutcome {
        match self.check_row(cols, row, key) {
            Ok(kept) => RowOutcome::Keep(kept),
            Err(outcome) => outcome,
        }
    }

    fn check_row<'a>(
        &mut self,
        cols: &Cols<'a>,
        row: usize,
        key: &mut Vec<&'a str>,
    ) -> Check<Kept> {
        if let Some(c) = self.rules.map.query.as_ref().filter(|_| !self.query_noted) {
            if let Some(id) = cols.get(c, row).map(str::trim).filter(|v| !v.is_empty()) {
                self.out.quality.layout.push_str(&format!(
                    ", by the uptick sql query {}",
                    id.chars().take(64).collect::<String>()
                ));
                self.query_noted = true;
            }
        }
        let date = self.row_date(cols, row)?;
        self.note_end(date);
        self.check_date_range(date)?;
        self.note_coverage(cols, row, date);
        self.check_filters(cols, row)?;
        self.row_region(cols, row, key)?;
        let mut kept = self.row_numbers(cols, row)?;
        // Duplicates after the filters, so that an event listed once per actor counts when any
        // of its rows matches.
        self.check_duplicates(cols, row, None)?;
        kept.date = date;
        Ok(kept)
    }
}

#[cfg(test)]
mod tests;
