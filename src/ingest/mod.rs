//! Ingest: read an incident export (CSV, TSV, gzip, Parquet, NDJSON) with Polars' lazy API,
//! map its columns through a preset, and validate every row into [`Incidents`]: dated,
//! located, weighted records plus a [`Quality`] ledger of what was kept, rejected or
//! excluded, and why.
//!
//! Polars reads only the columns the run needs, all as text; uptick then parses dates and
//! numbers itself, because real exports mix date formats in one column and each bad value
//! must be reported with its line, not turned into a silent null.

pub mod dates;
pub mod quality;
pub mod schema;

use std::collections::HashMap;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;
use regex::Regex;

use crate::error::{Error, Result};
use crate::model::{RegionKey, WeekStart};
pub use dates::{parse_date, DateError};
pub use quality::{Quality, ReasonCount};
pub use schema::{ColumnMap, DateSource, Preset};

/// Name of the record-number column added to every scan.
const RECORD_COL: &str = "__uptick_record";

/// Counts (fatalities, weights) above this are rejected as implausible: no incident record
/// reports more, and summing such values would swamp every series.
pub const MAX_COUNT: f64 = 1e9;

/// Dates before this year are rejected as implausible for incident data.
pub const MIN_YEAR: i32 = 1900;

/// The file formats uptick reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Comma-separated (or sniffed) text, optionally gzip-compressed.
    Csv,
    /// Tab-separated text, optionally gzip-compressed.
    Tsv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON, one object per line.
    Ndjson,
}

impl InputFormat {
    /// The format implied by a file name (`.csv`, `.csv.gz`, `.tsv`, `.parquet`, `.ndjson`, ...).
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit('.').next()?;
        match ext {
            "csv" | "txt" => Some(InputFormat::Csv),
            "tsv" | "tab" => Some(InputFormat::Tsv),
            "parquet" | "pq" => Some(InputFormat::Parquet),
            "ndjson" | "jsonl" | "json" => Some(InputFormat::Ndjson),
            _ => None,
        }
    }
}

/// What to do with GTD rows whose day is 0 ("unknown day").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownDay {
    /// Count the incident in the week of the 1st of its month.
    MonthStart,
    /// Reject the row.
    Reject,
}

/// Which day counts for events spanning several days (UCDP GED `date_start` != `date_end`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum MultiDay {
    /// The first day.
    Start,
    /// The last day.
    End,
    /// Leave such events out (counted as excluded).
    Drop,
}

/// What the weekly value counts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Number of incidents.
    Events,
    /// Sum of the preset's fatality column.
    Fatalities,
}

/// A `--where COL=VALUE` or `--where COL!=VALUE` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhereFilter {
    /// Column name (case-insensitive).
    pub column: String,
    /// Value compared with the trimmed cell, exactly.
    pub value: String,
    /// True for `!=`.
    pub negate: bool,
}

impl std::str::FromStr for WhereFilter {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (column, value, negate) = if let Some((c, v)) = s.split_once("!=") {
            (c, v, true)
        } else if let Some((c, v)) = s.split_once('=') {
            (c, v, false)
        } else {
            return Err(format!("'{s}' is not COL=VALUE or COL!=VALUE"));
        };
        if column.trim().is_empty() {
            return Err(format!("'{s}' names no column"));
        }
        Ok(WhereFilter {
            column: column.trim().to_string(),
            value: value.trim().to_string(),
            negate,
        })
    }
}

impl std::fmt::Display for WhereFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.column,
            if self.negate { "!=" } else { "=" },
            self.value
        )
    }
}

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// Bytes already in memory (the bundled demo data), with a display name and a format.
    Memory {
        /// Shown in messages and reports.
        name: String,
        /// The file's bytes (gzip allowed).
        bytes: &'static [u8],
    },
}

impl Source {
    /// The name shown in messages.
    pub fn display(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Memory { name, .. } => name.clone(),
        }
    }

    fn path(&self) -> PathBuf {
        PathBuf::from(self.display())
    }
}

/// Everything the loader needs to know, resolved from the command line (and later a config).
#[derive(Debug, Clone)]
pub struct InputSpec {
    /// The input.
    pub source: Source,
    /// Forced format (otherwise from the extension).
    pub format: Option<InputFormat>,
    /// Forced preset (otherwise detected from the header).
    pub preset: Option<Preset>,
    /// Overrides: date column.
    pub date_col: Option<String>,
    /// ISO week-number column paired with `date_col` holding the ISO year.
    pub week_col: Option<String>,
    /// Overrides: region columns, coarse to fine.
    pub region_cols: Vec<String>,
    /// Overrides: actor columns.
    pub actor_cols: Vec<String>,
    /// A column to sum per week, reported beside the event count.
    pub weight_col: Option<String>,
    /// Overrides: event id column (rows repeating an id count once).
    pub id_col: Option<String>,
    /// A strftime pattern that every date must match.
    pub date_format: Option<String>,
    /// The file has no header row: columns are `column_1`, `column_2`, ...
    pub no_header: bool,
    /// Field separator (otherwise from the extension, or sniffed from the first line).
    pub delimiter: Option<u8>,
    /// `--where` filters.
    pub filters: Vec<WhereFilter>,
    /// `--actor` regular expression, matched against every actor column.
    pub actor: Option<Regex>,
    /// First day to include.
    pub from: Option<NaiveDate>,
    /// Last day to include.
    pub to: Option<NaiveDate>,
    /// Keep only this country (case-insensitive).
    pub country: Option<String>,
    /// Region level: `country`, `admin1`, `admin2`, or a column name.
    pub by: Option<String>,
    /// What to count.
    pub metric: Metric,
    /// Week convention (otherwise the preset's).
    pub week_start: Option<WeekStart>,
    /// The date the run pretends it is.
    pub as_of: NaiveDate,
    /// Keep the incomplete week that contains `as_of`.
    pub include_incomplete: bool,
    /// GTD day-0 policy.
    pub unknown_day: UnknownDay,
    /// UCDP multi-day policy.
    pub multi_day: MultiDay,
    /// Turn any rejection into an error.
    pub strict: bool,
}

impl InputSpec {
    /// A spec with defaults for everything but the source and the as-of date.
    pub fn new(source: Source, as_of: NaiveDate) -> InputSpec {
        InputSpec {
            source,
            format: None,
            preset: None,
            date_col: None,
            week_col: None,
            region_cols: Vec::new(),
            actor_cols: Vec::new(),
            weight_col: None,
            id_col: None,
            date_format: None,
            no_header: false,
            delimiter: None,
            filters: Vec::new(),
            actor: None,
            from: None,
            to: None,
            country: None,
            by: None,
            metric: Metric::Events,
            week_start: None,
            as_of,
            include_incomplete: false,
            unknown_day: UnknownDay::MonthStart,
            multi_day: MultiDay::Start,
            strict: false,
        }
    }
}

/// Validated incidents, one entry per kept row, in file order.
#[derive(Debug, Clone)]
pub struct Incidents {
    /// The column map in force.
    pub columns: ColumnMap,
    /// Output names of the region columns, coarse to fine.
    pub region_columns: Vec<String>,
    /// Distinct regions; `region` indexes into this.
    pub regions: Vec<RegionKey>,
    /// Region of each incident.
    pub region: Vec<u32>,
    /// Date of each incident.
    pub date: Vec<NaiveDate>,
    /// Events each row stands for (1, or the events column of aggregated input).
    pub events: Vec<f64>,
    /// Fatalities of each row (0 where unknown), when the metric is fatalities.
    pub fatalities: Option<Vec<f64>>,
    /// The weight column's value of each row, when asked for.
    pub weight: Option<Vec<f64>>,
    /// Event type of each row (finest available), when the source has one.
    pub event_type: Option<Vec<String>>,
    /// Week convention in force.
    pub week_start: WeekStart,
    /// Start of the last week included (the last complete week at as-of, unless the
    /// incomplete week is kept).
    pub last_week: NaiveDate,
    /// The ledger.
    pub quality: Quality,
}

/// Loads and validates one input.
///
/// # Errors
/// Unreadable or unparsable files, missing columns, bad options, and with `strict` the first
/// rejected row, each naming the file (and line and column where known).
pub fn load_incidents(spec: &InputSpec) -> Result<Incidents> {
    let path = spec.source.path();
    let format = match spec.format {
        Some(f) => f,
        None => match &spec.source {
            Source::File(p) => InputFormat::from_path(p).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: cannot tell the format from the file name; pass --format-in csv|tsv|parquet|ndjson",
                    p.display()
                ))
            })?,
            Source::Memory { name, .. } => InputFormat::from_path(Path::new(name)).unwrap_or(InputFormat::Csv),
        },
    };
    let mut notes = Vec::new();
    let table = match format {
        InputFormat::Csv | InputFormat::Tsv => open_text(spec, format, &mut notes)?,
        InputFormat::Parquet | InputFormat::Ndjson => open_binary(spec, format)?,
    };
    let columns = resolve_columns(spec, &table.header, &path)?;
    let mut incidents = validate(spec, &table, columns, &path)?;
    incidents.quality.notes.splice(0..0, notes);
    Ok(incidents)
}

/// A table opened lazily: its header and a plan that yields the needed columns as text.
struct OpenTable {
    header: Vec<String>,
    frame: LazyFrame,
    /// Raw text (shared with the scan, not copied), for turning record numbers into lines.
    text: Option<polars_buffer::Buffer<u8>>,
    has_header: bool,
    delimiter: u8,
    /// What a record number means when there is no text to count lines in.
    line_offset: u64,
}

fn read_bytes(spec: &InputSpec) -> Result<Vec<u8>> {
    let path = spec.source.path();
    let (raw, gz): (Vec<u8>, bool) = match &spec.source {
        Source::File(p) => {
            let raw = std::fs::read(p).map_err(|source| Error::Read {
                path: p.clone(),
                source,
            })?;
            let gz = raw.starts_with(&[0x1f, 0x8b]);
            (raw, gz)
        }
        Source::Memory { bytes, .. } => (bytes.to_vec(), bytes.starts_with(&[0x1f, 0x8b])),
    };
    if !gz {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity(raw.len() * 6);
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .map_err(|e| Error::Parse {
            path,
            message: format!("corrupt or truncated gzip data ({e})"),
        })?;
    Ok(out)
}

/// Returns UTF-8 text: strips a BOM, and decodes non-UTF-8 input as Latin-1 (with a note).
fn to_utf8(mut bytes: Vec<u8>, notes: &mut Vec<String>) -> Vec<u8> {
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    match std::str::from_utf8(&bytes) {
        Ok(_) => bytes,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            notes.push(format!(
                "the file is not valid UTF-8 (first at line {line}); it was read as Latin-1"
            ));
            bytes
                .iter()
                .map(|&b| b as char)
                .collect::<String>()
                .into_bytes()
        }
    }
}

fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let count = |c: u8| first_line.iter().filter(|&&b| b == c).count();
    let candidates = [
        (b',', count(b',')),
        (b'\t', count(b'\t')),
        (b';', count(b';')),
        (b'|', count(b'|')),
    ];
    candidates
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(c, _)| *c)
}

/// Makes header names usable: trimmed, empty ones named by position, duplicates numbered.
fn clean_header(raw: Vec<String>, notes: &mut Vec<String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let mut name = name.trim().to_string();
        if name.is_empty() {
            name = format!("column_{}", i + 1);
        }
        let n = seen.entry(name.to_ascii_lowercase()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let renamed = format!("{name}_{n}");
            notes.push(format!(
                "duplicate column name '{name}': occurrence {n} renamed '{renamed}'"
            ));
            name = renamed;
        }
        out.push(name);
    }
    out
}

fn open_text(spec: &InputSpec, format: InputFormat, notes: &mut Vec<String>) -> Result<OpenTable> {
    let path = spec.source.path();
    let bytes = to_utf8(read_bytes(spec)?, notes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Parse {
            path,
            message: "the file is empty".into(),
        });
    }
    if bytes.contains(&0) {
        return Err(Error::Parse {
            path,
            message: "the file is binary (it contains NUL bytes), not delimited text".into(),
        });
    }
    let first_line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let delimiter = spec.delimiter.unwrap_or(match format {
        InputFormat::Tsv => b'\t',
        _ => sniff_delimiter(&bytes[..first_line_end]),
    });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..]);
    let first = reader
        .records()
        .next()
        .transpose()
        .map_err(|e| Error::Parse {
            path: path.clone(),
            message: format!("line 1: {e}"),
        })?
        .unwrap_or_default();
    let header = if spec.no_header {
        (1..=first.len()).map(|i| format!("column_{i}")).collect()
    } else {
        clean_header(first.iter().map(str::to_string).collect(), notes)
    };
    let schema: Schema = header
        .iter()
        .map(|n| Field::new(n.as_str().into(), DataType::String))
        .collect();
    let text = polars_buffer::Buffer::from(bytes);
    let frame =
        LazyCsvReader::new_with_sources(ScanSources::Buffers(Arc::from(vec![text.clone()])))
            .with_has_header(!spec.no_header)
            .with_schema(Some(Arc::new(schema)))
            .with_separator(delimiter)
            .with_truncate_ragged_lines(true)
            .with_missing_is_null(true)
            .with_row_index(Some(RowIndex {
                name: RECORD_COL.into(),
                offset: 0,
            }))
            .finish()
            .map_err(Error::polars(format!(
                "{}: cannot read as delimited text",
                path.display()
            )))?;
    Ok(OpenTable {
        header,
        frame,
        text: Some(text),
        has_header: !spec.no_header,
        delimiter,
        line_offset: 0,
    })
}

fn open_binary(spec: &InputSpec, format: InputFormat) -> Result<OpenTable> {
    let path = spec.source.path();
    let Source::File(file) = &spec.source else {
        return Err(Error::Usage("only CSV/TSV data can be bundled".into()));
    };
    let file_ref = PlRefPath::new(file.to_string_lossy().as_ref());
    let what = if format == InputFormat::Parquet {
        "Parquet"
    } else {
        "NDJSON"
    };
    let ctx = format!("{}: cannot read as {what}", path.display());
    let mut frame = match format {
        InputFormat::Parquet => LazyFrame::scan_parquet(file_ref, ScanArgsParquet::default()),
        _ => LazyJsonLineReader::new(file_ref).finish(),
    }
    .map_err(Error::polars(ctx.clone()))?;
    let schema = frame.collect_schema().map_err(Error::polars(ctx.clone()))?;
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let frame = frame.with_row_index(RECORD_COL, None).with_columns(
        header
            .iter()
            .map(|n| col(n.as_str()).cast(DataType::String))
            .collect::<Vec<_>>(),
    );
    // NDJSON: record r is on line r + 1; Parquet has no lines, so "line" means row number.
    Ok(OpenTable {
        header,
        frame,
        text: None,
        has_header: false,
        delimiter: b',',
        line_offset: 1,
    })
}

/// Combines the preset's columns with the command line's overrides, and checks they exist.
fn resolve_columns(spec: &InputSpec, header: &[String], path: &Path) -> Result<ColumnMap> {
    let preset = spec.preset.unwrap_or_else(|| schema::detect_preset(header));
    let mut map = schema::preset_columns(preset, header);
    let found = || header.join(", ");
    let need = |name: &str, role: &str| -> Result<String> {
        schema::find_column(header, name)
            .cloned()
            .ok_or_else(|| Error::MissingColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
                role: role.to_string(),
                found: found(),
            })
    };
    if let Some(date) = &spec.date_col {
        map.date = match &spec.week_col {
            Some(week) => DateSource::IsoYearWeek {
                year: need(date, "ISO year")?,
                week: need(week, "ISO week")?,
            },
            None => DateSource::Column(need(date, "date")?),
        };
    } else if spec.week_col.is_some() {
        return Err(Error::Usage(
            "--week-col needs --date-col naming the ISO year column".into(),
        ));
    }
    if !spec.region_cols.is_empty() {
        map.regions = spec
            .region_cols
            .iter()
            .map(|c| need(c, "region").map(|real| (real.clone(), real)))
            .collect::<Result<_>>()?;
    }
    if !spec.actor_cols.is_empty() {
        map.actors = spec
            .actor_cols
            .iter()
            .map(|c| need(c, "actor"))
            .collect::<Result<_>>()?;
    }
    if let Some(w) = &spec.weight_col {
        map.weight = Some(need(w, "weight")?);
    }
    if let Some(id) = &spec.id_col {
        map.id = Some(need(id, "event id")?);
        map.identical_rows_are_duplicates = false;
    }
    // Every column the map names must exist.
    match &map.date {
        DateSource::Column(c) if c.is_empty() => {
            return Err(Error::Usage(format!(
                "{}: the header matches no preset (acled, gtd, ucdp-ged); name the date column with --date-col (found: {})",
                path.display(),
                found()
            )))
        }
        DateSource::Column(c) => {
            need(c, "date")?;
        }
        DateSource::YearMonthDay { year, month, day } => {
            need(year, "year")?;
            need(month, "month")?;
            need(day, "day")?;
        }
        DateSource::IsoYearWeek { .. } => {}
        DateSource::Span { start, .. } => {
            need(start, "event start date")?;
        }
    }
    if let DateSource::Span { end, .. } = &map.date {
        if spec.multi_day != MultiDay::Start {
            need(end, "event end date")?;
        }
    }
    if spec.metric == Metric::Fatalities && map.fatalities.is_none() {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "fatalities".into(),
            role: format!(
                "--metric fatalities; the {} preset has no fatality column here",
                preset.name()
            ),
            found: found(),
        });
    }
    if let Some(level) = &spec.by {
        map.regions = pick_level(&map.regions, level, header, path)?;
    } else if let Some(pos) = map.regions.iter().position(|(n, _)| n == "admin1") {
        // Provinces are what analysts compare by default; admin2 is often empty.
        map.regions.truncate(pos + 1);
    }
    if spec.country.is_some() && !map.regions.iter().any(|(n, _)| n == "country") {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "country".into(),
            role: "--country".into(),
            found: found(),
        });
    }
    if spec.actor.is_some() && map.actors.is_empty() {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "actor".into(),
            role: "--actor needs actor columns; name them with --actor-col".into(),
            found: found(),
        });
    }
    for f in &spec.filters {
        need(&f.column, "--where")?;
    }
    Ok(map)
}

/// The region columns for `--by`: a level keeps the coarser levels before it (admin1 names
/// repeat across countries); any other name selects that column alone.
fn pick_level(
    regions: &[(String, String)],
    level: &str,
    header: &[String],
    path: &Path,
) -> Result<Vec<(String, String)>> {
    if let Some(pos) = regions.iter().position(|(name, real)| {
        name.eq_ignore_ascii_case(level) || real.eq_ignore_ascii_case(level)
    }) {
        return Ok(regions[..=pos].to_vec());
    }
    if let Some(real) = schema::find_column(header, level) {
        return Ok(vec![(real.clone(), real.clone())]);
    }
    Err(Error::MissingColumn {
        path: path.to_path_buf(),
        column: level.to_string(),
        role: "--by".into(),
        found: header.join(", "),
    })
}

/// The columns to read, in a fixed order, without repeats.
fn needed_columns(spec: &InputSpec, map: &ColumnMap, header: &[String]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    let mut add = |c: &str| {
        if !cols.iter().any(|x| x == c) {
            cols.push(c.to_string());
        }
    };
    if map.identical_rows_are_duplicates || (map.preset == Preset::Gtd && map.id.is_none()) {
        header.iter().for_each(|c| add(c));
    }
    match &map.date {
        DateSource::Column(c) => add(c),
        DateSource::YearMonthDay { year, month, day } => {
            add(year);
            add(month);
            add(day);
        }
        DateSource::IsoYearWeek { year, week } => {
            add(year);
            add(week);
        }
        DateSource::Span { start, end } => {
            add(start);
            if schema::find_column(header, end).is_some() {
                add(end);
            }
        }
    }
    map.regions.iter().for_each(|(_, c)| add(c));
    if spec.actor.is_some() {
        map.actors.iter().for_each(|c| add(c));
    }
    for c in [&map.fatalities, &map.events_count, &map.weight, &map.id]
        .into_iter()
        .flatten()
    {
        add(c);
    }
    if let Some(c) = map.event_types.last() {
        add(c);
    }
    spec.filters
        .iter()
        .for_each(|f| add(schema::find_column(header, &f.column).map_or(&f.column, |s| s)));
    cols
}

/// Parses a non-negative number; `Ok(None)` for a missing value.
fn parse_count(
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

fn is_missing(value: Option<&str>, na: &[String]) -> bool {
    value
        .map(str::trim)
        .is_none_or(|v| v.is_empty() || na.iter().any(|n| n == v))
}

fn parse_int(value: Option<&str>, na: &[String]) -> Option<i64> {
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

/// Column accessor over the collected frame: text values by row.
struct Cols<'a> {
    by_name: HashMap<&'a str, &'a StringChunked>,
}

impl<'a> Cols<'a> {
    fn get(&self, name: &str, row: usize) -> Option<&'a str> {
        self.by_name.get(name).and_then(|ca| ca.get(row))
    }
}

/// The outcome of checking one row.
enum Verdict {
    Keep,
    Reject(String, Option<String>),
    Exclude(String, Option<String>),
}

fn validate(spec: &InputSpec, table: &OpenTable, map: ColumnMap, path: &Path) -> Result<Incidents> {
    let needed = needed_columns(spec, &map, &table.header);
    let mut select: Vec<Expr> = needed.iter().map(|c| col(c.as_str())).collect();
    select.push(col(RECORD_COL));
    let frame = table.frame.clone().select(select).collect().map_err(|e| {
        let located = table
            .text
            .as_ref()
            .and_then(|t| first_csv_error(t, table.delimiter));
        match located {
            Some(message) => Error::Parse {
                path: path.to_path_buf(),
                message,
            },
            None => Error::Polars {
                context: format!("{}: cannot read the table", path.display()),
                source: e,
            },
        }
    })?;
    // One chunk per column: row access into a many-chunk array costs a search per call.
    let mut frame = frame;
    frame.rechunk_mut_par();
    let columns: Vec<&Column> = needed
        .iter()
        .map(|c| frame.column(c.as_str()))
        .collect::<PolarsResult<_>>()
        .map_err(Error::polars(format!(
            "{}: reading columns",
            path.display()
        )))?;
    let mut by_name = HashMap::new();
    for (name, column) in needed.iter().zip(&columns) {
        let ca = column.str().map_err(Error::polars(format!(
            "{}: column '{name}' is not text",
            path.display()
        )))?;
        by_name.insert(name.as_str(), ca);
    }
    let cols = Cols { by_name };
    let records: Vec<u64> = frame
        .column(RECORD_COL)
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(Error::polars("reading record numbers"))?
        .u64()
        .map_err(Error::polars("reading record numbers"))?
        .into_no_null_iter()
        .collect();

    let week_start = spec.week_start.unwrap_or(map.preset.default_week_start());
    let last_complete = week_start.last_complete_week(spec.as_of);
    let last_week = if spec.include_incomplete {
        week_start.week_of(spec.as_of)
    } else {
        last_complete
    };
    let min_date = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).expect("valid constant date");
    let na = map.na_values.clone();
    let mut quality = Quality {
        source: spec.source.display(),
        layout: format!("preset {}: {}", map.preset.name(), map.layout),
        rows_read: records.len() as u64,
        ..Default::default()
    };
    let want_fatalities = spec.metric == Metric::Fatalities;
    let country_idx = map.regions.iter().position(|(n, _)| n == "country");
    let strip_suffix = map.preset == Preset::UcdpGed;
    let fingerprint_all =
        map.identical_rows_are_duplicates || (map.preset == Preset::Gtd && map.id.is_none());
    let event_type_col = map.event_types.last().cloned();

    // Fast, non-cryptographic hashing: these maps see every row (10M-row files spend most of
    // their time here with SipHash).
    let mut date_cache: FastMap<&str, std::result::Result<NaiveDate, DateError>> =
        FastMap::default();
    let mut region_ids: FastMap<Vec<&str>, u32> = FastMap::default();
    let mut region_key: Vec<&str> = Vec::with_capacity(map.regions.len());
    let mut out = Incidents {
        region_columns: map.regions.iter().map(|(n, _)| n.clone()).collect(),
        columns: map.clone(),
        regions: Vec::new(),
        region: Vec::new(),
        date: Vec::new(),
        events: Vec::new(),
        fatalities: want_fatalities.then(Vec::new),
        weight: map.weight.as_ref().map(|_| Vec::new()),
        event_type: event_type_col.as_ref().map(|_| Vec::new()),
        week_start,
        last_week,
        quality: Quality::default(),
    };
    let mut seen_ids: FastSet<&str> = FastSet::default();
    if map.id.is_some() {
        seen_ids.reserve(records.len());
    }
    let mut seen_rows: FastSet<u64> = FastSet::default();
    let (
        mut unknown_days,
        mut multi_days,
        mut unknown_fatalities,
        mut missing_ids,
        mut identical_kept,
    ) = (0u64, 0u64, 0u64, 0u64, 0u64);

    for (row, &record) in records.iter().enumerate() {
        region_key.clear();
        let mut fatalities = 0.0;
        let mut events = 1.0;
        let mut weight = 0.0;
        let verdict = (|| -> Verdict {
            // 1. Date.
            let date = match &map.date {
                DateSource::Column(c) => {
                    let Some(v) = cols.get(c, row).filter(|v| !is_missing(Some(v), &na)) else {
                        return Verdict::Reject("missing date".into(), Some(c.clone()));
                    };
                    match date_cache
                        .entry(v)
                        .or_insert_with(|| parse_date(v, spec.date_format.as_deref()))
                    {
                        Ok(d) => *d,
                        Err(DateError::Ambiguous) => {
                            return Verdict::Reject(
                                "ambiguous date (pass --date-format)".into(),
                                Some(c.clone()),
                            )
                        }
                        Err(DateError::Unparsable) => {
                            return Verdict::Reject("unparsable date".into(), Some(c.clone()))
                        }
                    }
                }
                DateSource::YearMonthDay { year, month, day } => {
                    let (Some(y), Some(m), Some(d)) = (
                        parse_int(cols.get(year, row), &na),
                        parse_int(cols.get(month, row), &na),
                        parse_int(cols.get(day, row), &na),
                    ) else {
                        return Verdict::Reject(
                            "missing or non-numeric year/month/day".into(),
                            Some(year.clone()),
                        );
                    };
                    if m == 0 {
                        return Verdict::Reject(
                            "unknown month (month 0)".into(),
                            Some(month.clone()),
                        );
                    }
                    let d = if d == 0 {
                        if spec.unknown_day == UnknownDay::Reject {
                            return Verdict::Reject(
                                "unknown day (day 0)".into(),
                                Some(day.clone()),
                            );
                        }
                        unknown_days += 1;
                        1
                    } else {
                        d
                    };
                    match NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
                        .filter(|_| (1..=12).contains(&m))
                    {
                        Some(date) => date,
                        None => return Verdict::Reject("invalid date".into(), Some(day.clone())),
                    }
                }
                DateSource::IsoYearWeek { year, week } => {
                    let (Some(y), Some(w)) = (
                        parse_int(cols.get(year, row), &na),
                        parse_int(cols.get(week, row), &na),
                    ) else {
                        return Verdict::Reject(
                            "missing or non-numeric ISO year/week".into(),
                            Some(week.clone()),
                        );
                    };
                    match NaiveDate::from_isoywd_opt(y as i32, w as u32, chrono::Weekday::Mon) {
                        Some(date) => date,
                        None => {
                            return Verdict::Reject("invalid ISO week".into(), Some(week.clone()))
                        }
                    }
                }
                DateSource::Span { start, end } => {
                    let Some(s) = cols.get(start, row).filter(|v| !is_missing(Some(v), &na)) else {
                        return Verdict::Reject("missing date".into(), Some(start.clone()));
                    };
                    let Ok(s) = parse_date(s, spec.date_format.as_deref()) else {
                        return Verdict::Reject("unparsable date".into(), Some(start.clone()));
                    };
                    let e = cols
                        .get(end, row)
                        .and_then(|v| parse_date(v, spec.date_format.as_deref()).ok());
                    match e {
                        Some(e) if e != s => {
                            multi_days += 1;
                            match spec.multi_day {
                                MultiDay::Start => s,
                                MultiDay::End => e,
                                MultiDay::Drop => {
                                    return Verdict::Exclude(
                                        "spans several days (--multi-day drop)".into(),
                                        Some(end.clone()),
                                    )
                                }
                            }
                        }
                        None if spec.multi_day == MultiDay::End => {
                            return Verdict::Reject(
                                "missing or unparsable end date".into(),
                                Some(end.clone()),
                            )
                        }
                        _ => s,
                    }
                }
            };
            let date_col = match &map.date {
                DateSource::Column(c) => c.clone(),
                DateSource::YearMonthDay { year, .. } | DateSource::IsoYearWeek { year, .. } => {
                    year.clone()
                }
                DateSource::Span { start, .. } => start.clone(),
            };
            if date < min_date {
                return Verdict::Reject(format!("date before {MIN_YEAR}"), Some(date_col));
            }
            if date > spec.as_of {
                // Not bad data: a backfill run (--as-of in the past) leaves later rows out.
                return Verdict::Exclude(
                    format!("dated after --as-of {}", spec.as_of),
                    Some(date_col),
                );
            }
            // 2. Range and filters.
            if spec.from.is_some_and(|f| date < f) || spec.to.is_some_and(|t| date > t) {
                return Verdict::Exclude("outside --from/--to".into(), Some(date_col));
            }
            if week_start.week_of(date) > last_week {
                return Verdict::Exclude(
                    format!(
                        "in the incomplete week of --as-of {} (week starting {})",
                        spec.as_of,
                        week_start.week_of(spec.as_of)
                    ),
                    Some(date_col),
                );
            }
            if let (Some(want), Some(i)) = (&spec.country, country_idx) {
                let got = cols
                    .get(&map.regions[i].1, row)
                    .map(str::trim)
                    .unwrap_or("");
                if !got.eq_ignore_ascii_case(want) {
                    return Verdict::Exclude(format!("--country {want}"), None);
                }
            }
            for f in &spec.filters {
                let column = schema::find_column(&table.header, &f.column)
                    .map_or(f.column.as_str(), |s| s.as_str());
                let got = cols.get(column, row).map(str::trim).unwrap_or("");
                if (got == f.value) == f.negate {
                    return Verdict::Exclude(format!("--where {f}"), None);
                }
            }
            if let Some(re) = &spec.actor {
                if !map
                    .actors
                    .iter()
                    .any(|c| cols.get(c, row).is_some_and(|v| re.is_match(v)))
                {
                    return Verdict::Exclude(format!("--actor {}", re.as_str()), None);
                }
            }
            // 3. Region.
            for (name, column) in &map.regions {
                let v = cols.get(column, row).map(str::trim).unwrap_or("");
                if v.is_empty() || na.iter().any(|n| n == v) {
                    return Verdict::Reject(
                        format!("missing region ({name})"),
                        Some(column.clone()),
                    );
                }
                region_key.push(if strip_suffix {
                    schema::strip_unit_suffix(v)
                } else {
                    v
                });
            }
            // 4. Numbers.
            if let Some(c) = &map.fatalities {
                if want_fatalities || map.fatalities_required {
                    match parse_count(cols.get(c, row), &na) {
                        Ok(Some(x)) => fatalities = x,
                        Ok(None) if map.fatalities_required => {
                            return Verdict::Reject(
                                "missing fatalities (truncated or broken record)".into(),
                                Some(c.clone()),
                            )
                        }
                        Ok(None) => unknown_fatalities += 1,
                        Err(kind) => {
                            return Verdict::Reject(format!("{kind} fatalities"), Some(c.clone()))
                        }
                    }
                }
            }
            for (column, slot, what) in [
                (&map.events_count, &mut events, "event count"),
                (&map.weight, &mut weight, "weight"),
            ] {
                if let Some(c) = column {
                    match parse_count(cols.get(c, row), &na) {
                        Ok(Some(x)) => *slot = x,
                        Ok(None) => {
                            return Verdict::Reject(format!("missing {what}"), Some(c.clone()))
                        }
                        Err(kind) => {
                            return Verdict::Reject(format!("{kind} {what}"), Some(c.clone()))
                        }
                    }
                }
            }
            // 5. Duplicates, after filters, so that an event listed once per actor counts when
            // any of its rows matches.
            if let Some(c) = &map.id {
                match cols
                    .get(c, row)
                    .map(str::trim)
                    .filter(|v| !v.is_empty() && !na.iter().any(|n| n == v))
                {
                    Some(id) => {
                        if !seen_ids.insert(id) {
                            return Verdict::Exclude(
                                "duplicate event id (counted once)".into(),
                                Some(c.clone()),
                            );
                        }
                    }
                    None => missing_ids += 1,
                }
            }
            if fingerprint_all {
                let fp = row_fingerprint(&table.header, &cols, row);
                if !seen_rows.insert(fp) {
                    if map.identical_rows_are_duplicates {
                        return Verdict::Exclude(
                            "identical to an earlier row (duplicate)".into(),
                            None,
                        );
                    }
                    identical_kept += 1;
                }
            }
            out.date.push(date);
            Verdict::Keep
        })();
        match verdict {
            Verdict::Keep => {
                let id = match region_ids.get(region_key.as_slice()) {
                    Some(&id) => id,
                    None => {
                        let id = region_ids.len() as u32;
                        region_ids.insert(region_key.clone(), id);
                        out.regions
                            .push(region_key.iter().map(|s| s.to_string()).collect());
                        id
                    }
                };
                out.region.push(id);
                out.events.push(events);
                if let Some(f) = out.fatalities.as_mut() {
                    f.push(fatalities);
                }
                if let Some(w) = out.weight.as_mut() {
                    w.push(weight);
                }
                if let (Some(types), Some(c)) = (out.event_type.as_mut(), &event_type_col) {
                    types.push(cols.get(c, row).map(str::trim).unwrap_or("").to_string());
                }
            }
            Verdict::Reject(reason, column) => {
                if spec.strict {
                    let line = line_numbers(table, &[record])
                        .first()
                        .copied()
                        .unwrap_or(record + 1);
                    return Err(Error::Strict {
                        path: path.to_path_buf(),
                        line,
                        column: column.unwrap_or_default(),
                        reason,
                    });
                }
                quality.reject(reason, column.as_deref(), record);
            }
            Verdict::Exclude(reason, column) => quality.exclude(reason, column.as_deref(), record),
        }
    }
    quality.kept = out.date.len() as u64;
    let examples = quality.example_records();
    let lines = line_numbers(table, &examples);
    let line_of: HashMap<u64, u64> = examples.into_iter().zip(lines).collect();
    quality.fill_lines(|r| line_of.get(&r).copied().unwrap_or(r + 1));
    let counted_notes = [
        (unknown_days, "rows with an unknown day (day 0) were counted in the week of the 1st of their month"),
        (multi_days, match spec.multi_day {
            MultiDay::Start => "events span several days and were counted once, at their start",
            MultiDay::End => "events span several days and were counted once, at their end",
            MultiDay::Drop => "events span several days",
        }),
        (unknown_fatalities, "rows have no fatality figure (NA); counted as 0 fatalities"),
        (missing_ids, "rows have no event id and could not be checked for duplicates"),
        (identical_kept, "rows are identical to an earlier row and were kept: GTD extracts without eventid list distinct incidents"),
    ];
    for (n, text) in counted_notes {
        if n > 0 {
            quality.notes.push(format!("{n} {text}"));
        }
    }
    if !spec.include_incomplete {
        quality.notes.push(format!(
            "series end with the last complete week (starting {last_complete}); the week of --as-of {} is incomplete and left out",
            spec.as_of
        ));
    }
    out.quality = quality;
    Ok(out)
}

fn row_fingerprint(header: &[String], cols: &Cols<'_>, row: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for c in header {
        cols.get(c, row).hash(&mut h);
    }
    h.finish()
}

/// 1-based line numbers of the given records (sorted ascending), counting quoted newlines.
fn line_numbers(table: &OpenTable, records: &[u64]) -> Vec<u64> {
    let Some(text) = &table.text else {
        return records.iter().map(|r| r + table.line_offset).collect();
    };
    let mut wanted: Vec<(u64, usize)> = records.iter().copied().zip(0..).collect();
    wanted.sort_unstable();
    let mut out = vec![0; records.len()];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(table.delimiter)
        .has_headers(table.has_header)
        .flexible(true)
        .from_reader(&text[..]);
    let mut next = wanted.iter().peekable();
    let mut record = csv::ByteRecord::new();
    let mut index = 0u64;
    while next.peek().is_some() {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                while let Some(&&(want, slot)) = next.peek() {
                    if want != index {
                        break;
                    }
                    // Physical line: count newlines before the record's first byte (the csv
                    // crate's own line counter drifts on CRLF files).
                    out[slot] = record.position().map_or(want + 1, |p| {
                        let mut upto = (p.byte() as usize).min(text.len());
                        while upto < text.len() && matches!(text[upto], b'\r' | b'\n') {
                            upto += 1;
                        }
                        1 + text[..upto].iter().filter(|&&b| b == b'\n').count() as u64
                    });
                    next.next();
                }
                index += 1;
            }
            _ => break,
        }
    }
    for (want, slot) in next {
        out[*slot] = want + 2;
    }
    out
}

/// Finds the first record the strict CSV reader rejects, as "line N: message".
fn first_csv_error(text: &[u8], delimiter: u8) -> Option<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Some(format!("line {line}: {e}"));
            }
        }
    }
}
