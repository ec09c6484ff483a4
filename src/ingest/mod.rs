//! Ingest: read an incident export (CSV, TSV, gzip, Parquet, NDJSON) with Polars, map its
//! columns through a preset, and validate every row into [`Incidents`]: dated, located,
//! weighted records plus a [`Quality`] ledger of what was kept, rejected or excluded, and why.
//!
//! Polars reads only the columns the run needs, all as text; uptick then parses dates and
//! numbers itself, because real exports mix date formats in one column and each bad value
//! must be reported with its line, not turned into a silent null.
//!
//! The parts, in the order a load uses them: [`spec`] (what to read and how), `stream`
//! (bytes: gzip, hashing, encoding), [`chunks`] (record-aligned pieces), `text`, `ndjson`
//! and `parquet` (one reader per format), [`schema`] (presets and column resolution),
//! `validate` (row by row into cells and the ledger), [`dates`] and [`quality`].

pub mod chunks;
mod date_column;
pub mod dates;
pub mod detail;
mod mapped;
mod ndjson;
mod parquet;
mod prepare;
pub mod quality;
pub mod schema;
pub mod spec;
mod stream;
mod text;
mod validate;

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame};

use crate::error::{Error, Result};
use crate::model::{Measure, RegionKey, WeekStart};
use date_column::DateMode;
pub use dates::{parse_date, DateError, DateReader, FieldOrder};
pub use detail::{CoordinateIssue, Detail};
pub use parquet::parquet_header;
pub use quality::{Quality, ReasonCount};
pub use schema::{ColumnMap, DateSource, Preset};
pub use spec::{InputFormat, InputSpec, Metric, MultiDay, Source, UnknownDay, WhereFilter};
pub use stream::{hex, sha256_of};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Name of the record-number column added to every scan.
const RECORD_COL: &str = "__uptick_record";

/// Counts (fatalities, weights) above this are rejected as implausible: no incident record
/// reports more, and summing such values would swamp every series.
pub const MAX_COUNT: f64 = 1e9;

/// Region values longer than this (in bytes) are rejected: no place name is this long, and
/// such a value (a runaway quoted field, a pasted document) would flood every output.
pub const MAX_NAME_BYTES: usize = 4096;

/// A load that rejects more than this share of the rows it read is an error: the file is
/// probably read wrongly (a date format, a column), and a series built from the rest would
/// mislead.
pub const DEFAULT_MAX_REJECTED: f64 = 0.5;

/// Dates before this year are rejected as implausible for incident data.
pub const MIN_YEAR: i32 = 1900;

/// Validated incidents, summed into cells: one per (region, day, event type) that has kept
/// rows, in first-seen order. Cells keep the day because periods compared need not align
/// with weeks; their number is bounded by the calendar, not by the file. The cell vectors
/// (`region` .. `weight`) all have one entry per cell.
#[derive(Debug, Clone)]
pub struct Incidents {
    /// The column map in force.
    pub columns: ColumnMap,
    /// Output names of the region columns, coarse to fine.
    pub region_columns: Vec<String>,
    /// Distinct regions; `region` indexes into this.
    pub regions: Vec<RegionKey>,
    /// Region of each cell.
    pub region: Vec<u32>,
    /// Day of each cell.
    pub date: Vec<NaiveDate>,
    /// Event type of each cell, indexing `event_types` (0 when the source has no type).
    pub kind: Vec<u32>,
    /// Kept rows in each cell.
    pub rows: Vec<u64>,
    /// Events each cell stands for (its rows, or the sum of the events column of aggregated
    /// input).
    pub events: Vec<f64>,
    /// Fatalities of each cell (unknown counted as 0), when the metric is fatalities.
    pub fatalities: Option<Vec<f64>>,
    /// The weight column's sum in each cell, when asked for.
    pub weight: Option<Vec<f64>>,
    /// Distinct event types (finest available, trimmed), when the source has a type column.
    pub event_types: Option<Vec<String>>,
    /// Week convention in force.
    pub week_start: WeekStart,
    /// Start of the last week included (the last complete week at as-of, unless the
    /// incomplete week is kept).
    pub last_week: NaiveDate,
    /// The ledger.
    pub quality: Quality,
    /// SHA-256 of the input's bytes as stored (before decompression), computed while reading
    /// text (CSV, TSV, NDJSON) when the spec asks for it; `None` otherwise and for Parquet.
    pub sha256: Option<String>,
    /// The first day with a valid record for each top-level region (the coarsest region
    /// column: the country, for ACLED, GTD and UCDP), counted before `--where`, `--actor` and
    /// `--country`: where the source begins covering it. Sorted by name.
    pub top_level_first: Vec<(String, NaiveDate)>,
    /// Each kept event of the recent weeks with its details, in file order, when the spec
    /// asked for them ([`InputSpec::details`]; see [`detail`]).
    pub details: Vec<Detail>,
}

impl Incidents {
    /// Each cell's value in `measure` (its events where the input has no such column).
    pub fn values(&self, measure: Measure) -> &[f64] {
        match measure {
            Measure::Events => &self.events,
            Measure::Fatalities => self.fatalities.as_deref().unwrap_or(&self.events),
            Measure::Weight => self.weight.as_deref().unwrap_or(&self.events),
        }
    }

    /// The index of `region` in [`Incidents::regions`] (what `region` and the details hold).
    pub fn region_index(&self, region: &RegionKey) -> Option<u32> {
        self.regions
            .iter()
            .position(|r| r == region)
            .map(|i| i as u32)
    }
}

/// Text is read in record-aligned chunks of about this many bytes, so memory stays bounded
/// by the chunk, not the file.
pub const CHUNK_BYTES: usize = 16 << 20;

/// No record (one CSV row, quoted newlines included) may be longer than this: beyond it the
/// row is almost surely an unclosed quote swallowing the rest of the file.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// Loads and validates one input.
///
/// Text (CSV, TSV, NDJSON; plain or gzip) is streamed: it is cut into record-aligned chunks
/// of about [`CHUNK_BYTES`], each parsed by Polars and validated, and the kept rows are summed
/// into (region, day, event type) cells as they go; Parquet is read in batches of rows.
/// Memory therefore grows with the number of cells and distinct event ids, not with the file.
///
/// # Errors
/// Unreadable or unparsable files, missing columns, bad options, and with `strict` the first
/// rejected row, each naming the file (and line and column where known).
pub fn load_incidents(spec: &InputSpec) -> Result<Incidents> {
    let format = input_format(spec)?;
    let first = scan(spec, format, DateMode::Infer)?;
    if !first.validator.order_open() {
        return first.finish();
    }
    // The first batch with numeric dates left day-first and month-first open: read the
    // dates of the whole file, then load it with the order known.
    drop(first);
    let known = scan(spec, format, DateMode::Sniff)?.validator.sniffed()?;
    scan(spec, format, known)?.finish()
}

/// The validator alone over rows already parsed (every column text, in one chunk each):
/// the column kernels and the row loop, without reading or parsing, for the benchmarks.
/// Line numbers are record numbers + 2 (a header line, then the rows).
///
/// # Errors
/// As a load: missing columns, bad options, too many rejected rows.
#[doc(hidden)]
pub fn validate_parsed(spec: &InputSpec, frame: &DataFrame) -> Result<Incidents> {
    let path = spec.source.path();
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let map = schema::resolve_columns(spec, &header, &path)?;
    let mut validator = validate::Validator::new(spec, map, header, path.clone(), DateMode::Infer);
    let mut batch = frame
        .select(validator.needed().iter().map(String::as_str))
        .map_err(Error::polars("selecting the needed columns"))?;
    let records: Vec<u64> = (0..batch.height() as u64).collect();
    batch
        .with_column(Column::new(RECORD_COL.into(), records))
        .map_err(Error::polars("numbering the rows"))?;
    validator.batch(&batch, None, &text::Lines::Offset(2))?;
    Scanned {
        validator,
        notes: Vec::new(),
        sha256: None,
    }
    .finish()
}

/// The `--date-format` a load infers for the input's numeric day/month dates (`%d-%m-%y` for
/// a column of `31-12-19`), found as a load finds it (see [`dates`]), for tools that must
/// name the format (`uptick sql`). `None` when the date column holds no numeric day/month
/// dates, or a `--date-format` is given.
///
/// # Errors
/// As a load: an unreadable file, missing columns, and a column whose order stays ambiguous
/// (the same message a load gives).
pub fn inferred_date_format(spec: &InputSpec) -> Result<Option<String>> {
    if spec.date_format.is_some() {
        return Ok(None);
    }
    let format = input_format(spec)?;
    let sniff = scan(spec, format, DateMode::Sniff)?;
    Ok(match sniff.validator.sniffed()? {
        DateMode::Known(order, evidence) => evidence
            .first_example()
            .map(|(value, _)| order.pattern_for(&value)),
        DateMode::Infer | DateMode::Sniff => None,
    })
}

/// The input's format: as given, or from the file name (a directory is a Parquet dataset).
fn input_format(spec: &InputSpec) -> Result<InputFormat> {
    Ok(match spec.format {
        Some(f) => f,
        None => match &spec.source {
            // A directory is a Parquet dataset (Hive-partitioned, as Spark writes it).
            Source::File(p) if p.is_dir() => InputFormat::Parquet,
            Source::File(p) => InputFormat::from_path(p).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: cannot tell the format from the file name; pass --format-in csv|tsv|parquet|ndjson",
                    p.display()
                ))
            })?,
            Source::Memory { name, .. } => InputFormat::from_path(Path::new(name)).unwrap_or(InputFormat::Csv),
        },
    })
}

/// The input's column names as a load reads them (a text file's first record, cleaned as
/// the text loader cleans it; a Parquet file's or dataset's schema, partition keys included):
/// what `uptick sql` resolves its columns from.
///
/// # Errors
/// An unknown format, an unreadable or empty file, or NDJSON (whose records need not share
/// their keys).
pub fn header(spec: &InputSpec) -> Result<Vec<String>> {
    match input_format(spec)? {
        InputFormat::Csv => text::text_header(spec, InputFormat::Csv),
        InputFormat::Tsv => text::text_header(spec, InputFormat::Tsv),
        InputFormat::Parquet => parquet_header(&spec.source.path()),
        InputFormat::Ndjson => Err(Error::Usage(format!(
            "{}: uptick sql reads the columns of CSV, TSV and Parquet; name them with --date-col/--region-col or a --preset instead",
            spec.source.path().display()
        ))),
    }
}

/// One pass over the input with the date column's order found as `dates` says.
fn scan(spec: &InputSpec, format: InputFormat, dates: DateMode) -> Result<Scanned<'_>> {
    match format {
        InputFormat::Csv | InputFormat::Tsv => text::load_text(spec, format, dates),
        InputFormat::Ndjson => ndjson::load_ndjson(spec, dates),
        InputFormat::Parquet => parquet::load_parquet(spec, dates),
    }
}

/// Weekly counts dated by a week start other than the one in force would each land in the
/// week before and make the last week look incomplete: an error naming the flag to pass.
fn counts_week_start(incidents: &Incidents, spec: &InputSpec, path: &Path) -> Result<()> {
    if incidents.columns.preset != Preset::Counts || spec.week_start.is_some() {
        return Ok(());
    }
    let mut days = incidents.date.iter().map(chrono::Datelike::weekday);
    let Some(first) = days.next() else {
        return Ok(());
    };
    if first != incidents.week_start.weekday() && days.all(|d| d == first) {
        let day = match first {
            chrono::Weekday::Mon => "Monday",
            chrono::Weekday::Tue => "Tuesday",
            chrono::Weekday::Wed => "Wednesday",
            chrono::Weekday::Thu => "Thursday",
            chrono::Weekday::Fri => "Friday",
            chrono::Weekday::Sat => "Saturday",
            chrono::Weekday::Sun => "Sunday",
        };
        let fix = match first {
            chrono::Weekday::Sat => "pass --week-start sat".to_string(),
            chrono::Weekday::Sun => "pass --week-start sun".to_string(),
            _ => "no --week-start (mon, sat, sun) matches them".to_string(),
        };
        return Err(Error::Usage(format!(
            "{}: the week_start dates are all {day}s (weekly counts with {day} weeks); {fix}",
            path.display()
        )));
    }
    Ok(())
}

/// One pass over an input: the validator with its result, the reader's notes, the checksum.
struct Scanned<'s> {
    validator: validate::Validator<'s>,
    notes: Vec<String>,
    sha256: Option<String>,
}

impl Scanned<'_> {
    /// The incidents, if the load kept enough of the rows ([`Quality::usable`]).
    fn finish(self) -> Result<Incidents> {
        let spec = self.validator.spec();
        let path = spec.source.path();
        let max_rejected = spec.max_rejected;
        let mut incidents = self.validator.finish(self.notes);
        incidents.sha256 = self.sha256;
        incidents
            .quality
            .usable(max_rejected)
            .map_err(|message| Error::Parse {
                path: path.clone(),
                message,
            })?;
        counts_week_start(&incidents, spec, &path)?;
        Ok(incidents)
    }
}
