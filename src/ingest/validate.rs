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
use super::prepare::{PrepPlan, Prepared};
use super::quality::Quality;
use super::schema::{self, needed_columns, ColumnMap, DateSource, Preset};
use super::spec::{InputSpec, Metric, MultiDay, UnknownDay};
use super::text::Lines;
use super::{FastMap, FastSet, Incidents, MAX_COUNT, MAX_NAME_BYTES, MIN_YEAR, RECORD_COL};
use crate::error::{Error, Result};
use crate::model::{RegionKey, WeekStart};

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
    cell_ids: FastMap<(u32, NaiveDate, u32), usize>,
    seen_ids: FastSet<u128>,
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

/// Where a distinct value of a batch stands for the row loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Not looked at yet.
    Unseen,
    /// Its rows take the row-by-row path (which says why they are not kept).
    RowPath,
    /// Valid, not kept yet (a global id is given at the first kept row, as the row path
    /// does).
    Valid,
    /// Kept, with this global id.
    Id(u32),
}

/// The batch's distinct values as judged once for the row loop.
struct Tables {
    /// Per distinct date value: its day where every row holding it passes the date checks,
    /// or the value to be dated row by row (a two-digit year and a `year` column).
    date: Vec<Option<ValueDate>>,
    region: Vec<Slot>,
    /// Per distinct region tuple: the earliest day of its rows that passed the date checks.
    region_first: Vec<Option<NaiveDate>>,
    kind: Vec<Slot>,
}

/// What the row loop's integer path made of a row.
enum Fast {
    /// Kept and added to its cell.
    Kept,
    /// Judged: a duplicate.
    Judged(RowOutcome),
    /// For the row-by-row path.
    RowPath,
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
            cell_ids: FastMap::default(),
            seen_ids: FastSet::default(),
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
        let prepared = match prepared {
            Some(p) => p,
            None => self.plan.prepare(std::slice::from_ref(&frame))?,
        };
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

    /// Makes room for the event ids of about `rows` rows (an estimate of the file's rows).
    pub(super) fn expect_rows(&mut self, rows: u64) {
        if self.rules.map.id.is_some() && !self.dates.sniffing() {
            let rows = usize::try_from(rows).unwrap_or(usize::MAX);
            self.seen_ids
                .reserve(rows.saturating_sub(self.seen_ids.len()));
        }
    }

    /// The global id of a region, given at its first kept row.
    fn region_id(&mut self, key: &[&str]) -> u32 {
        let owned: RegionKey = key.iter().map(|s| s.to_string()).collect();
        let next = self.out.regions.len() as u32;
        *self.region_ids.entry(owned.clone()).or_insert_with(|| {
            self.out.regions.push(owned);
            next
        })
    }

    /// The global id of an event type (trimmed), given at its first kept row.
    fn type_id(&mut self, value: &str) -> u32 {
        let types = self.out.event_types.get_or_insert_with(Vec::new);
        let next = types.len() as u32;
        *self.type_ids.entry(value.to_string()).or_insert_with(|| {
            types.push(value.to_string());
            next
        })
    }

    /// The batch's distinct dates read and checked once (the checks that depend on the date
    /// alone), and empty tables for its regions and event types.
    fn tables(&mut self, cols: &Cols<'_>, prepared: &Prepared) -> Tables {
        let mut date = Vec::new();
        if let (Some(dict), Some(c)) = (&prepared.date, self.plan.date.clone()) {
            date.reserve(dict.firsts.len());
            for &first in &dict.firsts {
                let value = cols
                    .get(&c, first as usize)
                    .filter(|v| !is_missing(Some(v), &self.rules.na));
                let read = value.and_then(|v| self.dates.read_value(cols, &self.rules.na, v).ok());
                date.push(match read {
                    Some(ValueDate::Fixed(d)) => {
                        // As the row path notes every row's date (idempotent).
                        self.note_end(d);
                        self.check_date_range(d)
                            .is_ok()
                            .then_some(ValueDate::Fixed(d))
                    }
                    other => other,
                });
            }
        }
        let regions = prepared.region.firsts.len();
        Tables {
            date,
            region: vec![Slot::Unseen; regions],
            region_first: vec![None; regions],
            kind: vec![Slot::Unseen; prepared.kind.as_ref().map_or(0, |k| k.firsts.len())],
        }
    }

    /// The row loop's integer path: a row whose date, region and event type were judged
    /// once for the batch is kept (or found a duplicate) with the row path's checks in the
    /// row path's order; anything else goes to the row path, which records why. Only
    /// idempotent notes (coverage, the latest date) are made before a row is handed over.
    fn fast(
        &mut self,
        cols: &Cols<'_>,
        prepared: &Prepared,
        t: &mut Tables,
        row: usize,
        record: u64,
    ) -> Fast {
        if !self.fast_path || (self.rules.map.query.is_some() && !self.query_noted) {
            return Fast::RowPath;
        }
        let Some(dates) = &prepared.date else {
            return Fast::RowPath;
        };
        let date = match t.date[dates.keys[row] as usize] {
            Some(ValueDate::Fixed(d)) => d,
            Some(ValueDate::ByRow(dated)) => {
                let Ok(d) = self.dates.in_row_year(cols, row, &self.rules.na, dated) else {
                    return Fast::RowPath;
                };
                self.note_end(d);
                if self.check_date_range(d).is_err() {
                    return Fast::RowPath;
                }
                d
            }
            None => return Fast::RowPath,
        };
        let rk = prepared.region.keys[row] as usize;
        let first = &mut t.region_first[rk];
        *first = Some(first.map_or(date, |f| f.min(date)));
        if self.check_filters(cols, row).is_err() {
            return Fast::RowPath;
        }
        let region_row = prepared.region.firsts[rk] as usize;
        let mut key = Vec::new();
        if t.region[rk] == Slot::Unseen {
            t.region[rk] = match self.row_region(cols, region_row, &mut key) {
                Ok(()) => Slot::Valid,
                Err(_) => Slot::RowPath,
            };
        }
        if t.region[rk] == Slot::RowPath {
            return Fast::RowPath;
        }
        let Ok(mut kept) = self.row_numbers(cols, row) else {
            return Fast::RowPath;
        };
        let id = prepared.id.as_ref().map(|ids| ids[row]);
        if let Err(outcome) = self.check_duplicates(cols, row, id) {
            return Fast::Judged(outcome);
        }
        kept.date = date;
        let region = match t.region[rk] {
            Slot::Id(id) => id,
            _ => {
                key.clear();
                let _ = self.row_region(cols, region_row, &mut key);
                let id = self.region_id(&key);
                t.region[rk] = Slot::Id(id);
                id
            }
        };
        let kind = match (&self.event_type_col, &prepared.kind) {
            (Some(c), Some(dict)) => {
                let k = dict.keys[row] as usize;
                match t.kind[k] {
                    Slot::Id(id) => id,
                    _ => {
                        let v = cols
                            .get(c, dict.firsts[k] as usize)
                            .map(str::trim)
                            .unwrap_or("");
                        let id = self.type_id(v);
                        t.kind[k] = Slot::Id(id);
                        id
                    }
                }
            }
            _ => 0,
        };
        if self.details_from.is_some_and(|from| kept.date >= from) {
            self.capture(cols, row, record, region, kind, &kept);
        }
        self.add(region, kind, &kept);
        Fast::Kept
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

    /// Adds a kept row to its (region, day, event type) cell.
    pub(super) fn add(&mut self, region: u32, kind: u32, kept: &Kept) {
        let out = &mut self.out;
        let i = *self
            .cell_ids
            .entry((region, kept.date, kind))
            .or_insert_with(|| {
                out.region.push(region);
                out.date.push(kept.date);
                out.kind.push(kind);
                out.rows.push(0);
                out.events.push(0.0);
                if let Some(f) = out.fatalities.as_mut() {
                    f.push(0.0);
                }
                if let Some(w) = out.weight.as_mut() {
                    w.push(0.0);
                }
                out.region.len() - 1
            });
        out.rows[i] += 1;
        out.events[i] += kept.events;
        if let Some(f) = out.fatalities.as_mut() {
            f[i] += kept.fatalities;
        }
        if let Some(w) = out.weight.as_mut() {
            w[i] += kept.weight;
        }
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

    /// The row's day, from whichever date layout the preset has.
    fn row_date(&mut self, cols: &Cols<'_>, row: usize) -> Check<NaiveDate> {
        let Validator {
            rules,
            dates,
            unknown_days,
            multi_days,
            ..
        } = self;
        let Rules { spec, map, na, .. } = rules;
        let reject = |why: &str, column: &String| RowOutcome::reject(why, Some(column));
        match &map.date {
            DateSource::Column(c) => {
                let Some(v) = cols.get(c, row).filter(|v| !is_missing(Some(v), na)) else {
                    return Err(reject("missing date", c));
                };
                dates
                    .read(cols, row, na, v)
                    .map_err(|e| reject(&dates.reason(&e), c))
            }
            DateSource::YearMonthDay { year, month, day } => {
                let (Some(y), Some(m), Some(d)) = (
                    parse_int(cols.get(year, row), na),
                    parse_int(cols.get(month, row), na),
                    parse_int(cols.get(day, row), na),
                ) else {
                    return Err(reject("missing or non-numeric year/month/day", year));
                };
                if m == 0 {
                    return Err(reject("unknown month (month 0)", month));
                }
                let d = if d == 0 {
                    if spec.unknown_day == UnknownDay::Reject {
                        return Err(reject("unknown day (day 0)", day));
                    }
                    *unknown_days += 1;
                    1
                } else {
                    d
                };
                NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
                    .filter(|_| (1..=12).contains(&m))
                    .ok_or_else(|| reject("invalid date", day))
            }
            DateSource::IsoYearWeek { year, week } => {
                let (Some(y), Some(w)) = (
                    parse_int(cols.get(year, row), na),
                    parse_int(cols.get(week, row), na),
                ) else {
                    return Err(reject("missing or non-numeric ISO year/week", week));
                };
                NaiveDate::from_isoywd_opt(y as i32, w as u32, chrono::Weekday::Mon)
                    .ok_or_else(|| reject("invalid ISO week", week))
            }
            DateSource::Span { start, end } => {
                let Some(s) = cols.get(start, row).filter(|v| !is_missing(Some(v), na)) else {
                    return Err(reject("missing date", start));
                };
                let s = match dates.read(cols, row, na, s) {
                    Ok(d) => d,
                    Err(e) => return Err(reject(&dates.reason(&e), start)),
                };
                let e = cols
                    .get(end, row)
                    .and_then(|v| dates.read(cols, row, na, v).ok());
                match e {
                    Some(e) if e != s => {
                        *multi_days += 1;
                        match spec.multi_day {
                            MultiDay::Start => Ok(s),
                            MultiDay::End => Ok(e),
                            MultiDay::Drop => Err(RowOutcome::exclude(
                                "spans several days (--multi-day drop)",
                                Some(end),
                            )),
                        }
                    }
                    None if spec.multi_day == MultiDay::End => {
                        Err(reject("missing or unparsable end date", end))
                    }
                    _ => Ok(s),
                }
            }
        }
    }

    /// Plausible, not after `--as-of`, inside `--from`/`--to`, not in the incomplete week.
    fn check_date_range(&self, date: NaiveDate) -> Check<()> {
        let Rules {
            spec,
            map,
            min_date,
            week_start,
            last_week,
            ..
        } = &self.rules;
        let date_col = match &map.date {
            DateSource::Column(c) => c,
            DateSource::YearMonthDay { year, .. } | DateSource::IsoYearWeek { year, .. } => year,
            DateSource::Span { start, .. } => start,
        };
        if date < *min_date {
            return Err(RowOutcome::reject(
                &format!("date before {MIN_YEAR}"),
                Some(date_col),
            ));
        }
        if date > spec.as_of {
            // Not bad data: a backfill run (--as-of in the past) leaves later rows out.
            return Err(RowOutcome::exclude(
                &format!("dated after --as-of {}", spec.as_of),
                Some(date_col),
            ));
        }
        if spec.from.is_some_and(|f| date < f) || spec.to.is_some_and(|t| date > t) {
            return Err(RowOutcome::exclude("outside --from/--to", Some(date_col)));
        }
        if week_start.week_of(date) > *last_week {
            return Err(RowOutcome::exclude(
                &format!(
                    "in the incomplete week of --as-of {} (week starting {})",
                    spec.as_of,
                    week_start.week_of(spec.as_of)
                ),
                Some(date_col),
            ));
        }
        Ok(())
    }

    /// Coverage: the source has a valid record for this top-level region on this day (before
    /// the filters, which select events, not coverage).
    fn note_coverage(&mut self, cols: &Cols<'_>, row: usize, date: NaiveDate) {
        let Rules {
            map,
            na,
            strip_suffix,
            ..
        } = &self.rules;
        let Some((_, column)) = map.regions.first() else {
            return;
        };
        let v = cols.get(column, row).map(str::trim).unwrap_or("");
        if v.is_empty() || v.len() > MAX_NAME_BYTES || na.iter().any(|n| n == v) {
            return;
        }
        let v = if *strip_suffix {
            schema::strip_unit_suffix(v)
        } else {
            v
        };
        match self.top_level_first.get_mut(v) {
            Some(first) => *first = (*first).min(date),
            None => {
                self.top_level_first.insert(v.to_string(), date);
            }
        }
    }

    /// `--country`, `--where` and `--actor`.
    fn check_filters(&self, cols: &Cols<'_>, row: usize) -> Check<()> {
        let Rules {
            spec,
            map,
            country_idx,
            header,
            ..
        } = &self.rules;
        if let (Some(want), Some(i)) = (&spec.country, country_idx) {
            let got = cols
                .get(&map.regions[*i].1, row)
                .map(str::trim)
                .unwrap_or("");
            if !got.eq_ignore_ascii_case(want) {
                return Err(RowOutcome::exclude(
                    &format!("--country {want}"),
                    Some(&map.regions[*i].1),
                ));
            }
        }
        for f in &spec.filters {
            let column =
                schema::find_column(header, &f.column).map_or(f.column.as_str(), |s| s.as_str());
            let got = cols.get(column, row).map(str::trim).unwrap_or("");
            if (got == f.value) == f.negate {
                let column = column.to_string();
                return Err(RowOutcome::exclude(&format!("--where {f}"), Some(&column)));
            }
        }
        if let Some(re) = &spec.actor {
            if !map
                .actors
                .iter()
                .any(|c| cols.get(c, row).is_some_and(|v| re.is_match(v)))
            {
                return Err(RowOutcome::exclude(
                    &format!("--actor {}", re.as_str()),
                    None,
                ));
            }
        }
        Ok(())
    }

    /// The region's names, coarse to fine, pushed onto `key`.
    fn row_region<'a>(&self, cols: &Cols<'a>, row: usize, key: &mut Vec<&'a str>) -> Check<()> {
        let Rules {
            map,
            na,
            strip_suffix,
            ..
        } = &self.rules;
        for (name, column) in &map.regions {
            let v = cols.get(column, row).map(str::trim).unwrap_or("");
            if v.is_empty() || na.iter().any(|n| n == v) {
                return Err(RowOutcome::reject(
                    &format!("missing region ({name})"),
                    Some(column),
                ));
            }
            if v.len() > MAX_NAME_BYTES {
                return Err(RowOutcome::reject(
                    &format!("region name longer than {MAX_NAME_BYTES} bytes ({name})"),
                    Some(column),
                ));
            }
            key.push(if *strip_suffix {
                schema::strip_unit_suffix(v)
            } else {
                v
            });
        }
        Ok(())
    }

    /// Fatalities, the events column of aggregated data, and the weight.
    fn row_numbers(&mut self, cols: &Cols<'_>, row: usize) -> Check<Kept> {
        let Rules {
            map,
            na,
            min_date,
            want_fatalities,
            ..
        } = &self.rules;
        let mut kept = Kept {
            date: *min_date,
            events: 1.0,
            fatalities: 0.0,
            weight: 0.0,
        };
        if let Some(c) = &map.fatalities {
            if *want_fatalities || map.fatalities_required {
                match parse_count(cols.get(c, row), na) {
                    Ok(Some(x)) => kept.fatalities = x,
                    Ok(None) if map.fatalities_required => {
                        return Err(RowOutcome::reject(
                            "missing fatalities (truncated or broken record)",
                            Some(c),
                        ))
                    }
                    Ok(None) => self.unknown_fatalities += 1,
                    Err(kind) => {
                        return Err(RowOutcome::reject(&format!("{kind} fatalities"), Some(c)))
                    }
                }
            }
        }
        for (column, slot, what) in [
            (&map.events_count, &mut kept.events, "event count"),
            (&map.weight, &mut kept.weight, "weight"),
        ] {
            if let Some(c) = column {
                match parse_count(cols.get(c, row), na) {
                    Ok(Some(x)) => *slot = x,
                    Ok(None) => {
                        return Err(RowOutcome::reject(&format!("missing {what}"), Some(c)))
                    }
                    Err(kind) => {
                        return Err(RowOutcome::reject(&format!("{kind} {what}"), Some(c)))
                    }
                }
            }
        }
        Ok(kept)
    }

    /// Repeated event ids count once; identical rows are duplicates where the preset says so.
    /// `id` is the row's id hash where a kernel computed it already (`Some(None)`: missing).
    fn check_duplicates(
        &mut self,
        cols: &Cols<'_>,
        row: usize,
        id: Option<Option<u128>>,
    ) -> Check<()> {
        let Rules {
            map,
            na,
            header,
            fingerprint_all,
            ..
        } = &self.rules;
        if let Some(c) = &map.id {
            let hashed = id.unwrap_or_else(|| id_hash(cols.get(c, row), na));
            match hashed {
                Some(id) => {
                    if !self.seen_ids.insert(id) {
                        return Err(RowOutcome::exclude(
                            "duplicate event id (counted once)",
                            Some(c),
                        ));
                    }
                }
                None => self.missing_ids += 1,
            }
        }
        if *fingerprint_all {
            let fp = row_fingerprint(header, cols, row);
            if !self.seen_rows.insert(fp) {
                if map.identical_rows_are_duplicates {
                    return Err(RowOutcome::exclude(
                        "identical to an earlier row (duplicate)",
                        None,
                    ));
                }
                self.identical_kept += 1;
            }
        }
        Ok(())
    }

    /// The incidents, with the ledger completed.
    pub(super) fn finish(mut self, notes: Vec<String>) -> Incidents {
        let spec = self.rules.spec;
        let cut_note = self.cut_incomplete_last_week();
        let mut quality = std::mem::take(&mut self.out.quality);
        quality.rows_read = self.records;
        quality.kept = self.out.rows.iter().sum();
        let line_of = &self.line_of;
        quality.fill_lines(|r| line_of.get(&r).copied().unwrap_or(r + 1));
        let counted_notes = [
            (self.unknown_days, "rows with an unknown day (day 0) were counted in the week of the 1st of their month"),
            (self.multi_days, match spec.multi_day {
                MultiDay::Start => "events span several days and were counted once, at their start",
                MultiDay::End => "events span several days and were counted once, at their end",
                MultiDay::Drop => "events span several days",
            }),
            (self.unknown_fatalities, "rows have no fatality figure (NA); counted as 0 fatalities"),
            (self.missing_ids, "rows have no event id and could not be checked for duplicates"),
            (self.identical_kept, "rows are identical to an earlier row and were kept: GTD extracts without eventid list distinct incidents"),
        ];
        quality.notes = notes;
        for (n, text) in counted_notes {
            if n > 0 {
                quality.notes.push(format!("{n} {text}"));
            }
        }
        if let Some(note) = self.dates.note() {
            quality.notes.push(note);
        }
        // The as-of week is cut only when it is incomplete and the data reach into it.
        let as_of_week = self.rules.week_start.week_of(spec.as_of);
        let as_of_week_cut =
            self.last_complete < as_of_week && self.coverage_end.is_some_and(|e| e >= as_of_week);
        if !spec.include_incomplete && as_of_week_cut {
            quality.notes.push(format!(
                "series end with the last complete week (starting {}); the week of --as-of {} is incomplete and left out",
                self.last_complete, spec.as_of
            ));
        }
        quality.notes.extend(cut_note);
        self.out.quality = quality;
        let mut firsts: Vec<(String, NaiveDate)> = self.top_level_first.into_iter().collect();
        firsts.sort();
        self.out.top_level_first = firsts;
        self.out
    }
}

impl Validator<'_> {
    /// When the data end before the last day of their last week (and before the week of
    /// --as-of, which has its own rule), that week is incomplete: its cells are dropped and
    /// counted as excluded, unless --include-incomplete. Weekly counts dated by week start
    /// are complete weeks. Returns the note saying so.
    fn cut_incomplete_last_week(&mut self) -> Option<String> {
        let spec = self.rules.spec;
        let end = self.coverage_end?;
        let ws = self.rules.week_start;
        let week = ws.week_of(end);
        let last_day = week + chrono::Days::new(6);
        if spec.include_incomplete || end >= last_day || week > self.out.last_week {
            return None;
        }
        let out = &mut self.out;
        // Weekly counts dated by their week's first day (every date a week start, over more
        // than one week): the last date stands for a whole week.
        let weekly =
            out.date.iter().all(|&d| ws.week_of(d) == d) && out.date.iter().any(|&d| d != end);
        if weekly {
            return None;
        }
        let keep: Vec<bool> = out.date.iter().map(|&d| ws.week_of(d) < week).collect();
        let dropped: u64 = out
            .rows
            .iter()
            .zip(&keep)
            .filter(|(_, k)| !**k)
            .map(|(r, _)| r)
            .sum();
        fn retain<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        retain(&mut out.region, &keep);
        retain(&mut out.date, &keep);
        retain(&mut out.kind, &keep);
        retain(&mut out.rows, &keep);
        retain(&mut out.events, &keep);
        if let Some(f) = out.fatalities.as_mut() {
            retain(f, &keep);
        }
        if let Some(w) = out.weight.as_mut() {
            retain(w, &keep);
        }
        out.details.retain(|d| ws.week_of(d.date) < week);
        out.last_week = week - chrono::Days::new(7);
        let reason = format!("in the incomplete last week of the data (week starting {week})");
        out.quality.exclude_many(reason, dropped);
        Some(format!(
            "the data end on {} {end}, before the end of their last week ({week} to {last_day}): that week is incomplete and left out ({dropped} rows); the series end with the week starting {}; --include-incomplete keeps it",
            end.format("%a"),
            out.last_week
        ))
    }
}

pub(super) fn row_fingerprint(header: &[String], cols: &Cols<'_>, row: usize) -> u128 {
    let values: Vec<Option<&str>> = header.iter().map(|c| cols.get(c, row)).collect();
    hash128(&values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::spec::{Source, WhereFilter};
    use crate::ingest::RECORD_COL;

    /// Judges rows of a generic `date,region,actor,fatalities,id` table under `spec`'s
    /// options; returns each row's outcome in words.
    /// The test table's header, and the settings that read it (as of 2020-06-30) with
    /// `regions` as the region columns.
    fn test_table(regions: &[&str]) -> (Vec<String>, InputSpec) {
        let header: Vec<String> = ["date", "region", "actor", "fatalities", "id"]
            .map(String::from)
            .to_vec();
        let mut spec = InputSpec::new(
            Source::File("t.csv".into()),
            NaiveDate::from_ymd_opt(2020, 6, 30).unwrap(),
        );
        spec.date_col = Some("date".into());
        spec.region_cols = regions.iter().map(|r| r.to_string()).collect();
        spec.actor_cols = vec!["actor".into()];
        spec.id_col = Some("id".into());
        (header, spec)
    }

    fn judge(tweak: impl Fn(&mut InputSpec), rows: &[[&str; 5]]) -> Vec<String> {
        let (header, mut spec) = test_table(&["region"]);
        tweak(&mut spec);
        let map = schema::resolve_columns(&spec, &header, std::path::Path::new("t.csv")).unwrap();
        let mut v = Validator::new(&spec, map, header.clone(), "t.csv".into(), DateMode::Infer);
        let columns: Vec<StringChunked> = (0..5)
            .map(|c| {
                StringChunked::from_iter_values(
                    header[c].as_str().into(),
                    rows.iter().map(|r| r[c]),
                )
            })
            .collect();
        let records: Vec<u64> = (0..rows.len() as u64).collect();
        let cols = Cols {
            by_name: header
                .iter()
                .map(String::as_str)
                .zip(columns.iter())
                .collect(),
            records: &records,
        };
        (0..rows.len())
            .map(|row| {
                let mut key = Vec::new();
                match v.judge(&cols, row, &mut key) {
                    RowOutcome::Keep(k) => {
                        format!("keep {} {} {}", k.date, key.join("/"), k.weight)
                    }
                    RowOutcome::Reject(why, col) => {
                        format!("reject {why} ({})", col.unwrap_or_default())
                    }
                    RowOutcome::Exclude(why, _) => format!("exclude {why}"),
                }
            })
            .collect()
    }

    #[test]
    fn dates_are_checked_first() {
        let out = judge(
            |_| {},
            &[
                ["2020-01-06", "A", "", "0", "1"],
                ["", "A", "", "0", "2"],
                ["soon", "A", "", "0", "3"],
                ["1850-01-01", "A", "", "0", "4"],
                ["2020-07-06", "A", "", "0", "5"],
                ["2020-06-30", "A", "", "0", "6"],
            ],
        );
        assert_eq!(out[0], "keep 2020-01-06 A 0");
        assert_eq!(out[1], "reject missing date (date)");
        assert_eq!(out[2], "reject unparsable date (date)");
        assert_eq!(out[3], "reject date before 1900 (date)");
        assert!(
            out[4].starts_with("exclude dated after --as-of"),
            "{}",
            out[4]
        );
        assert!(
            out[5].starts_with("exclude in the incomplete week"),
            "{}",
            out[5]
        );
    }

    #[test]
    fn filters_then_regions_then_numbers_then_duplicates() {
        let out = judge(
            |s| {
                s.actor = Some(regex::Regex::new("(?i)state").unwrap());
                s.filters = vec!["region!=Skip".parse::<WhereFilter>().unwrap()];
                s.weight_col = Some("fatalities".into());
            },
            &[
                ["2020-01-06", "A", "Islamic State", "3", "1"],
                ["2020-01-06", "A", "Someone else", "3", "2"],
                ["2020-01-06", "Skip", "State", "3", "3"],
                ["2020-01-06", "", "State", "3", "4"],
                ["2020-01-06", "B", "State", "-2", "5"],
                ["2020-01-06", "B", "State", "1", "1"],
                ["2020-01-06", "B", "State", "", "6"],
            ],
        );
        assert_eq!(out[0], "keep 2020-01-06 A 3");
        assert!(out[1].starts_with("exclude --actor"), "{}", out[1]);
        assert_eq!(out[2], "exclude --where region!=Skip");
        assert_eq!(out[3], "reject missing region (region) (region)");
        assert!(out[4].starts_with("reject negative weight"), "{}", out[4]);
        assert_eq!(out[5], "exclude duplicate event id (counted once)");
        assert_eq!(out[6], "reject missing weight (fatalities)");
    }

    /// Loads `rows` of a generic `date,region,actor,fatalities,id` table in one batch, by
    /// the integer path or row by row only; the cells, regions, types and ledger.
    fn load(tweak: &dyn Fn(&mut InputSpec), rows: &[[String; 5]], fast: bool) -> String {
        let (header, mut spec) = test_table(&["region", "actor"]);
        spec.max_rejected = 1.0;
        tweak(&mut spec);
        let map = schema::resolve_columns(&spec, &header, std::path::Path::new("t.csv")).unwrap();
        let mut v = Validator::new(&spec, map, header.clone(), "t.csv".into(), DateMode::Infer);
        v.fast_path = fast;
        let mut columns: Vec<Column> = (0..5)
            .map(|c| {
                let values: Vec<Option<&str>> = rows
                    .iter()
                    .map(|r| Some(r[c].as_str()).filter(|v| *v != "<null>"))
                    .collect();
                Column::new(header[c].as_str().into(), values)
            })
            .collect();
        columns.push(Column::new(
            RECORD_COL.into(),
            (0..rows.len() as u64).collect::<Vec<u64>>(),
        ));
        let frame = DataFrame::new_infer_height(columns).unwrap();
        let flow = v.batch(&frame, None, &Lines::Offset(2)).unwrap();
        let i = v.finish(Vec::new());
        format!(
            "{flow:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            i.regions,
            i.event_types,
            i.region,
            i.date,
            i.kind,
            i.rows,
            i.events,
            i.fatalities,
            i.top_level_first,
            i.quality
        )
    }

    #[test]
    fn the_integer_path_gives_what_the_row_path_gives() {
        // Values drawn from pools with every kind of trouble: missing, unparsable, too old,
        // after --as-of, in the incomplete week, two-digit years, NA, padded, duplicated ids.
        let dates = [
            "2020-01-06",
            "2020-01-07",
            " 2020-02-03",
            "2019-12-31",
            "",
            "<null>",
            "soon",
            "1850-01-01",
            "2020-07-06",
            "2020-06-30",
            "2020-03-15",
            "NA",
            "2020-02-30",
        ];
        let regions = ["A", "B", " A", "", "<null>", "NA", "C", "b"];
        let actors = [
            "Islamic State",
            "State",
            "Someone",
            "",
            "<null>",
            "islamic state",
        ];
        let fatalities = ["0", "3", "", "<null>", "-1", "x", "2.5", "NA"];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut draw = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        type Tweak<'t> = &'t dyn Fn(&mut InputSpec);
        let tweaks: [(&str, Tweak<'_>); 5] = [
            ("plain", &|_| {}),
            ("filters", &|s| {
                s.actor = Some(regex::Regex::new("(?i)state").unwrap());
                s.filters = vec!["region!=B".parse::<WhereFilter>().unwrap()];
            }),
            ("from-to", &|s| {
                s.from = NaiveDate::from_ymd_opt(2020, 1, 7);
                s.to = NaiveDate::from_ymd_opt(2020, 3, 1);
            }),
            ("incomplete", &|s| s.include_incomplete = true),
            ("weight", &|s| s.weight_col = Some("fatalities".into())),
        ];
        for round in 0..40 {
            let rows: Vec<[String; 5]> = (0..200)
                .map(|_| {
                    let id = match draw(10) {
                        0 => String::new(),
                        1 => "NA".into(),
                        2 => " 7 ".into(),
                        _ => draw(150).to_string(),
                    };
                    [
                        dates[draw(dates.len())].to_string(),
                        regions[draw(regions.len())].to_string(),
                        actors[draw(actors.len())].to_string(),
                        fatalities[draw(fatalities.len())].to_string(),
                        id,
                    ]
                })
                .collect();
            for (name, tweak) in &tweaks {
                assert_eq!(
                    load(*tweak, &rows, true),
                    load(*tweak, &rows, false),
                    "round {round}, {name}"
                );
            }
        }
    }

    #[test]
    fn over_long_region_names_are_rejected_not_kept() {
        let long = "x".repeat(MAX_NAME_BYTES + 1);
        let out = judge(|_| {}, &[["2020-01-06", long.as_str(), "", "0", "1"]]);
        assert!(
            out[0].starts_with("reject region name longer than"),
            "{}",
            out[0]
        );
    }
}
