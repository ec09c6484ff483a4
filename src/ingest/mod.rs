//! Ingest: read an incident export (CSV, TSV, gzip, Parquet, NDJSON) with Polars' lazy API,
//! map its columns through a preset, and validate every row into [`Incidents`]: dated,
//! located, weighted records plus a [`Quality`] ledger of what was kept, rejected or
//! excluded, and why.
//!
//! Polars reads only the columns the run needs, all as text; uptick then parses dates and
//! numbers itself, because real exports mix date formats in one column and each bad value
//! must be reported with its line, not turned into a silent null.

pub mod chunks;
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

/// Region values longer than this (in bytes) are rejected: no place name is this long, and
/// such a value (a runaway quoted field, a pasted document) would flood every output.
pub const MAX_NAME_BYTES: usize = 4096;

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
        bytes: std::borrow::Cow<'static, [u8]>,
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
    /// Text is read in chunks of about this many bytes ([`CHUNK_BYTES`]; tests make it small
    /// to cross many chunk boundaries).
    pub chunk_bytes: usize,
    /// Take the SHA-256 of delimited text while reading it ([`Incidents::sha256`]).
    pub checksum: bool,
    /// Where each region's series starts (coverage).
    pub series_start: crate::aggregate::SeriesStart,
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
            chunk_bytes: CHUNK_BYTES,
            checksum: false,
            series_start: crate::aggregate::SeriesStart::Top,
        }
    }
}

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
}

/// Text is read in record-aligned chunks of about this many bytes, so memory stays bounded
/// by the chunk, not the file.
pub const CHUNK_BYTES: usize = 16 << 20;

/// No record (one CSV row, quoted newlines included) may be longer than this: beyond it the
/// row is almost surely an unclosed quote swallowing the rest of the file.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// Parquet files are validated a batch of rows at a time: one row per this many bytes of the
/// text chunk size (262,144 rows for 16 MiB), so that small chunk sizes in tests also make
/// small batches.
const PARQUET_BYTES_PER_ROW: usize = 64;

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
    match format {
        InputFormat::Csv | InputFormat::Tsv => load_text(spec, format),
        InputFormat::Ndjson => load_ndjson(spec),
        InputFormat::Parquet => load_parquet(spec),
    }
}

/// Passes bytes through while hashing them, so the report's input checksum needs no second
/// read (and holds even if the file is replaced or deleted during the run).
struct Hashing<R> {
    inner: R,
    hasher: Option<SharedHasher>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &self.hasher {
            let mut h = hasher
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            sha2::Digest::update(&mut *h, &buf[..n]);
        }
        Ok(n)
    }
}

/// The hex SHA-256 of everything read through the hasher.
fn finish_hash(hasher: SharedHasher) -> String {
    let h = std::mem::take(
        &mut *hasher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    hex(&sha2::Digest::finalize(h))
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shared handle on the hash of the bytes read so far.
type SharedHasher = std::sync::Arc<std::sync::Mutex<sha2::Sha256>>;

/// The input as a byte stream, decompressed when it is gzip (the flag), hashed as it is read.
fn open_stream(
    spec: &InputSpec,
) -> Result<(Box<dyn Read + Send + '_>, bool, Option<SharedHasher>)> {
    let hasher = spec
        .checksum
        .then(|| std::sync::Arc::new(std::sync::Mutex::new(<sha2::Sha256 as sha2::Digest>::new())));
    let file: Box<dyn Read + Send> = match &spec.source {
        Source::File(p) => Box::new(std::fs::File::open(p).map_err(|source| Error::Read {
            path: p.clone(),
            source,
        })?),
        Source::Memory { bytes, .. } => Box::new(std::io::Cursor::new(bytes.as_ref())),
    };
    let raw = Hashing {
        inner: file,
        hasher: hasher.clone(),
    };
    let mut raw = std::io::BufReader::with_capacity(1 << 16, raw);
    let magic = std::io::BufRead::fill_buf(&mut raw).map_err(|source| Error::Read {
        path: spec.source.path(),
        source,
    })?;
    if magic.starts_with(&[0x1f, 0x8b]) {
        Ok((
            Box::new(flate2::read::MultiGzDecoder::new(raw)),
            true,
            hasher,
        ))
    } else {
        Ok((Box::new(raw), false, hasher))
    }
}

/// Returns UTF-8 text: decodes non-UTF-8 input as Latin-1 (with one note for the file).
/// `line_base` is the number of lines before `bytes`, for the note.
fn to_utf8(bytes: Vec<u8>, line_base: u64, notes: &mut Vec<String>) -> Vec<u8> {
    match std::str::from_utf8(&bytes) {
        Ok(_) => bytes,
        Err(e) => {
            if !notes.iter().any(|n| n.contains("not valid UTF-8")) {
                let line = line_base + chunks::count_newlines(&bytes[..e.valid_up_to()]) + 1;
                notes.push(format!(
                    "the file is not valid UTF-8 (first at line {line}); it was read as Latin-1"
                ));
            }
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

/// Streams delimited text: header and delimiter from the first chunk, then every chunk
/// parsed by Polars and validated.
fn load_text(spec: &InputSpec, format: InputFormat) -> Result<Incidents> {
    let path = spec.source.path();
    let (stream, gzip, hasher) = open_stream(spec)?;
    let mut chunks = chunks::RecordChunks::new(stream, spec.chunk_bytes, MAX_RECORD_BYTES);
    let mut next = || chunks.next_chunk().map_err(|e| chunk_error(e, gzip, &path));
    let mut notes = Vec::new();
    let first = to_utf8(start_of_file(next()?, &path)?, 0, &mut notes);
    refuse_binary(&first, 0, &path)?;
    let first_line_end = first
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(first.len());
    let delimiter = spec.delimiter.unwrap_or(match format {
        InputFormat::Tsv => b'\t',
        _ => sniff_delimiter(&first[..first_line_end]),
    });
    let header_record = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&first[..])
        .records()
        .next()
        .transpose()
        .map_err(|e| Error::Parse {
            path: path.clone(),
            message: format!("line 1: {e}"),
        })?
        .unwrap_or_default();
    let header = if spec.no_header {
        (1..=header_record.len())
            .map(|i| format!("column_{i}"))
            .collect()
    } else {
        clean_header(
            header_record.iter().map(str::to_string).collect(),
            &mut notes,
        )
    };
    if let [only] = header.as_slice() {
        // uptick needs at least a date and a region column: one field means a wrong delimiter.
        let seen = [b',', b'\t', b';', b'|']
            .into_iter()
            .find(|&c| c != delimiter && only.as_bytes().contains(&c));
        if let Some(c) = seen {
            let shown = if c == b'\t' {
                "\\t".to_string()
            } else {
                (c as char).to_string()
            };
            return Err(Error::Parse {
                path,
                message: format!(
                    "line 1: the header is one field, but it contains '{shown}': is the delimiter wrong? (pass --delimiter '{shown}')"
                ),
            });
        }
    }
    let map = resolve_columns(spec, &header, &path)?;
    let schema: Arc<Schema> = Arc::new(
        header
            .iter()
            .map(|n| Field::new(n.as_str().into(), DataType::String))
            .collect(),
    );
    let mut validator = Validator::new(spec, map, header, path.clone());
    let needed = validator.needed().to_vec();
    // Two stages, one chunk apart: a reader thread cuts and parses chunk k + 1 while this
    // thread validates chunk k. The channel holds one parsed chunk, so at most three chunks
    // are in memory.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(TextBatch, DataFrame)>>(1);
    let reader_path = path.clone();
    let mut incidents = std::thread::scope(|scope| -> Result<Incidents> {
        let reader = scope.spawn(move || {
            let path = reader_path;
            let mut notes = Vec::new();
            let mut chunk = Some(first);
            let (mut line_base, mut first_record, mut index) = (0u64, 0u64, 0usize);
            while let Some(text) = chunk {
                let text = if index == 0 {
                    text
                } else {
                    to_utf8(text, line_base, &mut notes)
                };
                let lines_here = chunks::count_newlines(&text);
                let parsed = refuse_binary(&text, line_base, &path).and_then(|()| {
                    if text.iter().all(u8::is_ascii_whitespace) {
                        return Ok(None);
                    }
                    let batch = TextBatch {
                        text: polars_buffer::Buffer::from(text),
                        has_header: index == 0 && !spec.no_header,
                        delimiter,
                        line_base,
                        first_record,
                    };
                    let frame = batch.read(&schema, &needed, &path)?;
                    Ok(Some((batch, frame)))
                });
                match parsed {
                    Ok(Some((batch, frame))) => {
                        first_record += frame.height() as u64;
                        if tx.send(Ok((batch, frame))).is_err() {
                            break; // the validator stopped (an error); nothing more to do
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
                line_base += lines_here;
                index += 1;
                chunk = match next() {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                };
            }
            notes
        });
        for item in rx {
            let (batch, frame) = item?;
            validator.batch(&frame, &Lines::Text(&batch))?;
        }
        let more_notes = reader
            .join()
            .map_err(|_| Error::Usage("the reader thread failed".into()))?;
        notes.extend(more_notes);
        Ok(validator.finish(notes))
    })?;
    incidents.sha256 = hasher.map(finish_hash);
    Ok(incidents)
}

/// The first line of an NDJSON chunk that is not a JSON object, as "line N, column C: why";
/// `line_base` is the number of lines before the chunk.
fn first_json_error(text: &[u8], line_base: u64) -> Option<String> {
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = line_base + i as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => return Some(format!("line {line_no}: not a JSON object")),
            Err(e) => {
                return Some(format!(
                    "line {line_no}, column {}: not JSON ({e})",
                    e.column()
                ))
            }
        }
    }
    None
}

/// The first chunk of a text file without its UTF-8 byte-order mark; an empty (or blank)
/// file is an error.
fn start_of_file(first: Option<Vec<u8>>, path: &Path) -> Result<Vec<u8>> {
    let mut first = first.unwrap_or_default();
    if first.starts_with(b"\xef\xbb\xbf") {
        first.drain(..3);
    }
    if first.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            message: "the file is empty".into(),
        });
    }
    Ok(first)
}

/// The record-number column of a scan whose first record is number `first_record`.
fn record_index(first_record: u64) -> Option<RowIndex> {
    Some(RowIndex {
        name: RECORD_COL.into(),
        offset: u32::try_from(first_record).unwrap_or(u32::MAX),
    })
}

/// The error for a chunk that could not be read.
fn chunk_error(e: chunks::ChunkError, gzip: bool, path: &Path) -> Error {
    match e {
        chunks::ChunkError::Io(e) if gzip => Error::Parse {
            path: path.to_path_buf(),
            message: format!("corrupt or truncated gzip data ({e})"),
        },
        chunks::ChunkError::Io(source) => Error::Read {
            path: path.to_path_buf(),
            source,
        },
        chunks::ChunkError::RecordTooLong { line, limit } => Error::Parse {
            path: path.to_path_buf(),
            message: format!(
                "line {line}: one record is longer than {} MiB (an unclosed quote?)",
                limit >> 20
            ),
        },
    }
}

/// Streams NDJSON (plain or gzip) in chunks of whole lines, each parsed by Polars.
fn load_ndjson(spec: &InputSpec) -> Result<Incidents> {
    let path = spec.source.path();
    let (stream, gzip, hasher) = open_stream(spec)?;
    // JSON strings cannot hold a raw newline, so every newline ends a record.
    let mut chunks =
        chunks::RecordChunks::new(stream, spec.chunk_bytes, MAX_RECORD_BYTES).lines_only();
    let mut next = || chunks.next_chunk().map_err(|e| chunk_error(e, gzip, &path));
    let first = start_of_file(next()?, &path)?;
    let fail = |text: &[u8], line_base: u64, source: PolarsError| match first_json_error(
        text, line_base,
    ) {
        Some(message) => Error::Parse {
            path: path.clone(),
            message,
        },
        None => Error::Polars {
            context: format!("{}: cannot read as NDJSON", path.display()),
            source,
        },
    };
    // Every line of a chunk is used to learn its keys (the header is the first chunk's keys).
    let scan = |text: &polars_buffer::Buffer<u8>, offset: u64, line_base: u64| {
        let mut frame =
            LazyJsonLineReader::new_with_sources(ScanSources::Buffers(Arc::from(vec![
                text.clone()
            ])))
            .with_infer_schema_length(None)
            .with_row_index(record_index(offset))
            .finish()
            .map_err(|e| fail(text, line_base, e))?;
        let schema = frame
            .collect_schema()
            .map_err(|e| fail(text, line_base, e))?;
        Ok::<_, Error>((frame, schema))
    };
    let first = polars_buffer::Buffer::from(first);
    let (_, schema) = scan(&first, 0, 0)?;
    let header: Vec<String> = schema
        .iter_names()
        .map(|n| n.to_string())
        .filter(|n| n != RECORD_COL)
        .collect();
    let map = resolve_columns(spec, &header, &path)?;
    let mut validator = Validator::new(spec, map, header, path.clone());
    let needed = validator.needed().to_vec();
    let mut chunk = Some(first);
    let (mut line_base, mut first_record) = (0u64, 0u64);
    while let Some(text) = chunk {
        if !text.iter().all(u8::is_ascii_whitespace) {
            let (frame, schema) = scan(&text, first_record, line_base)?;
            // A key absent from every line of a chunk is a column of nulls there.
            let mut select = Vec::with_capacity(needed.len() + 1);
            for name in &needed {
                select.push(match schema.get(name.as_str()) {
                    Some(t) if t.is_nested() => return Err(nested_column(&path, name, t)),
                    Some(_) => col(name.as_str()).cast(DataType::String),
                    None => lit(NULL).cast(DataType::String).alias(name.as_str()),
                });
            }
            select.push(col(RECORD_COL));
            let batch = frame
                .select(select)
                .collect()
                .map_err(|e| fail(&text, line_base, e))?;
            let lines = Lines::Json {
                text: &text,
                line_base,
                first_record,
            };
            validator.batch(&batch, &lines)?;
            first_record += batch.height() as u64;
        }
        line_base += chunks::count_newlines(&text);
        chunk = next()?.map(polars_buffer::Buffer::from);
    }
    let mut incidents = validator.finish(Vec::new());
    incidents.sha256 = hasher.map(finish_hash);
    Ok(incidents)
}

/// A column that holds lists or structs cannot be a date, region or count.
fn nested_column(path: &Path, name: &str, dtype: &DataType) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        message: format!(
            "column '{name}' holds {dtype} values, which cannot be read as text, dates or counts"
        ),
    }
}

/// Text with NUL bytes is not delimited text (it is a binary file named .csv).
fn refuse_binary(text: &[u8], line_base: u64, path: &Path) -> Result<()> {
    match text.iter().position(|&b| b == 0) {
        Some(at) => Err(Error::Parse {
            path: path.to_path_buf(),
            message: format!(
                "line {}: the file is binary (it contains NUL bytes), not delimited text",
                line_base + chunks::count_newlines(&text[..at]) + 1
            ),
        }),
        None => Ok(()),
    }
}

/// One chunk of delimited text, with what is needed to name its lines.
struct TextBatch {
    text: polars_buffer::Buffer<u8>,
    has_header: bool,
    delimiter: u8,
    /// Lines in the file before this chunk.
    line_base: u64,
    /// Record number of the chunk's first data record.
    first_record: u64,
}

impl TextBatch {
    /// Parses the chunk with Polars: the needed columns as text, plus record numbers.
    fn read(&self, schema: &Arc<Schema>, needed: &[String], path: &Path) -> Result<DataFrame> {
        let mut select: Vec<Expr> = needed.iter().map(|c| col(c.as_str())).collect();
        select.push(col(RECORD_COL));
        let frame = LazyCsvReader::new_with_sources(ScanSources::Buffers(Arc::from(vec![self
            .text
            .clone()])))
        .with_has_header(self.has_header)
        .with_schema(Some(schema.clone()))
        .with_separator(self.delimiter)
        .with_truncate_ragged_lines(true)
        .with_missing_is_null(true)
        .with_row_index(record_index(self.first_record))
        .finish()
        .and_then(|f| f.select(select).collect());
        frame.map_err(|e| match self.first_error() {
            Some(message) => Error::Parse {
                path: path.to_path_buf(),
                message,
            },
            None => Error::Polars {
                context: format!("{}: cannot read the table", path.display()),
                source: e,
            },
        })
    }

    /// The first record the strict CSV reader rejects, as "line N: message".
    fn first_error(&self) -> Option<String> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.text[..]);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    let line = self.line_base + e.position().map_or(1, |p| p.line());
                    return Some(format!("line {line}: {e}"));
                }
            }
        }
    }

    /// 1-based file line numbers of the given records (sorted or not), counting quoted
    /// newlines.
    fn line_numbers(&self, records: &[u64]) -> Vec<u64> {
        let text = &self.text[..];
        let mut wanted: Vec<(u64, usize)> = records
            .iter()
            .map(|r| r.saturating_sub(self.first_record))
            .zip(0..)
            .collect();
        wanted.sort_unstable();
        let mut out = vec![0; records.len()];
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(self.has_header)
            .flexible(true)
            .from_reader(text);
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
                        // Physical line: count newlines before the record's first byte (the
                        // csv crate's own line counter drifts on CRLF files).
                        out[slot] = record.position().map_or(want + 1, |p| {
                            let mut upto = (p.byte() as usize).min(text.len());
                            while upto < text.len() && matches!(text[upto], b'\r' | b'\n') {
                                upto += 1;
                            }
                            1 + chunks::count_newlines(&text[..upto])
                        }) + self.line_base;
                        next.next();
                    }
                    index += 1;
                }
                _ => break,
            }
        }
        for (want, slot) in next {
            out[*slot] = self.line_base + want + 1 + u64::from(self.has_header);
        }
        out
    }
}

/// How record numbers of a batch become line numbers.
enum Lines<'a> {
    /// Delimited text: count lines in the chunk.
    Text(&'a TextBatch),
    /// NDJSON text: record k of the chunk is its k-th non-blank line.
    Json {
        /// The chunk.
        text: &'a [u8],
        /// Lines in the file before the chunk.
        line_base: u64,
        /// Record number of the chunk's first record.
        first_record: u64,
    },
    /// No text (Parquet): the line is the record number plus this offset.
    Offset(u64),
}

impl Lines<'_> {
    fn of(&self, records: &[u64]) -> Vec<u64> {
        match self {
            Lines::Text(batch) => batch.line_numbers(records),
            Lines::Json {
                text,
                line_base,
                first_record,
            } => {
                // Line number of each non-blank line, in order.
                let filled: Vec<u64> = text
                    .split(|&b| b == b'\n')
                    .zip(1..)
                    .filter(|(l, _)| !l.iter().all(u8::is_ascii_whitespace))
                    .map(|(_, n)| line_base + n)
                    .collect();
                records
                    .iter()
                    .map(|r| {
                        let k = r.saturating_sub(*first_record) as usize;
                        filled.get(k).copied().unwrap_or(r + 1)
                    })
                    .collect()
            }
            Lines::Offset(o) => records.iter().map(|r| r + o).collect(),
        }
    }
}

/// Parquet through Polars' lazy scan, a batch of rows at a time.
fn load_parquet(spec: &InputSpec) -> Result<Incidents> {
    let path = spec.source.path();
    let Source::File(file) = &spec.source else {
        return Err(Error::Usage(
            "bundled data must be CSV, TSV or NDJSON".into(),
        ));
    };
    let file_ref = PlRefPath::new(file.to_string_lossy().as_ref());
    let ctx = format!("{}: cannot read as Parquet", path.display());
    let mut frame = LazyFrame::scan_parquet(file_ref, ScanArgsParquet::default())
        .map_err(Error::polars(ctx.clone()))?;
    let schema = frame.collect_schema().map_err(Error::polars(ctx.clone()))?;
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let map = resolve_columns(spec, &header, &path)?;
    let mut validator = Validator::new(spec, map, header, path.clone());
    let mut select = Vec::with_capacity(validator.needed().len() + 1);
    for name in validator.needed() {
        match schema.get(name.as_str()) {
            Some(t) if t.is_nested() => return Err(nested_column(&path, name, t)),
            _ => select.push(col(name.as_str()).cast(DataType::String)),
        }
    }
    select.push(col(RECORD_COL));
    let frame = frame.with_row_index(RECORD_COL, None).select(select);
    let batch_rows =
        u32::try_from((spec.chunk_bytes / PARQUET_BYTES_PER_ROW).max(1)).unwrap_or(u32::MAX);
    let mut offset = 0i64;
    loop {
        let batch = frame
            .clone()
            .slice(offset, batch_rows)
            .collect()
            .map_err(Error::polars(ctx.clone()))?;
        if batch.height() == 0 {
            break;
        }
        offset += batch.height() as i64;
        // Parquet has no lines: "line" means the 1-based row number.
        validator.batch(&batch, &Lines::Offset(1))?;
    }
    Ok(validator.finish(Vec::new()))
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

/// Column accessor over a collected batch: text values by row.
struct Cols<'a> {
    by_name: HashMap<&'a str, &'a StringChunked>,
}

impl<'a> Cols<'a> {
    fn get(&self, name: &str, row: usize) -> Option<&'a str> {
        self.by_name.get(name).and_then(|ca| ca.get(row))
    }
}

/// The values of a kept row.
struct Kept {
    date: NaiveDate,
    events: f64,
    fatalities: f64,
    weight: f64,
}

/// The outcome of checking one row.
enum Verdict {
    Keep(Kept),
    Reject(String, Option<String>),
    Exclude(String, Option<String>),
}

/// What does not change while rows are checked.
struct Rules<'s> {
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

/// At most this many distinct date strings are remembered (timestamps can make every value
/// distinct; the cache then restarts rather than grow with the file).
const DATE_CACHE_MAX: usize = 1 << 20;

fn cached_date(
    cache: &mut FastMap<String, std::result::Result<NaiveDate, DateError>>,
    value: &str,
    format: Option<&str>,
) -> std::result::Result<NaiveDate, DateError> {
    if let Some(hit) = cache.get(value) {
        return hit.clone();
    }
    let parsed = parse_date(value, format);
    if cache.len() >= DATE_CACHE_MAX {
        cache.clear();
    }
    cache.insert(value.to_string(), parsed.clone());
    parsed
}

/// A 128-bit hash: event ids and row fingerprints are remembered as hashes, so memory does
/// not hold every id's text. With 128 bits, a false "duplicate" among even 10^9 distinct
/// values has a probability below 10^-20.
fn hash128<T: std::hash::Hash + ?Sized>(value: &T) -> u128 {
    use std::hash::BuildHasher;
    let a = foldhash::quality::FixedState::with_seed(0x5eed_0001).hash_one(value);
    let b = foldhash::quality::FixedState::with_seed(0x5eed_0002).hash_one(value);
    (u128::from(a) << 64) | u128::from(b)
}

/// Checks rows batch by batch and sums the kept ones into (region, day, event type) cells.
struct Validator<'s> {
    rules: Rules<'s>,
    path: PathBuf,
    needed: Vec<String>,
    event_type_col: Option<String>,
    date_cache: FastMap<String, std::result::Result<NaiveDate, DateError>>,
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
    /// First valid day per top-level region value, before the filters.
    top_level_first: FastMap<String, NaiveDate>,
}

impl<'s> Validator<'s> {
    fn new(spec: &'s InputSpec, map: ColumnMap, header: Vec<String>, path: PathBuf) -> Self {
        let needed = needed_columns(spec, &map, &header);
        let week_start = spec.week_start.unwrap_or(map.preset.default_week_start());
        let last_complete = week_start.last_complete_week(spec.as_of);
        let last_week = if spec.include_incomplete {
            week_start.week_of(spec.as_of)
        } else {
            last_complete
        };
        let event_type_col = map.event_types.last().cloned();
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
            date_cache: FastMap::default(),
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
            top_level_first: FastMap::default(),
        }
    }

    /// The columns each batch must hold (as text), besides the record number.
    fn needed(&self) -> &[String] {
        &self.needed
    }

    /// Checks one batch of rows and folds the kept ones into the cells.
    fn batch(&mut self, frame: &DataFrame, lines: &Lines<'_>) -> Result<()> {
        let path = self.path.clone();
        // One chunk per column: row access into a many-chunk array costs a search per call.
        let mut frame = frame.clone();
        frame.rechunk_mut_par();
        let needed = self.needed.clone();
        let mut by_name = HashMap::new();
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
        let cols = Cols { by_name };
        let records: Vec<u64> = frame
            .column(RECORD_COL)
            .and_then(|c| c.cast(&DataType::UInt64))
            .map_err(Error::polars("reading record numbers"))?
            .u64()
            .map_err(Error::polars("reading record numbers"))?
            .into_no_null_iter()
            .collect();
        let first_record = self.records;
        self.records += records.len() as u64;

        // Per-batch lookups by borrowed text, in front of the owned maps.
        let mut region_cache: FastMap<Vec<&str>, u32> = FastMap::default();
        let mut type_cache: FastMap<&str, u32> = FastMap::default();
        let mut key: Vec<&str> = Vec::with_capacity(self.rules.map.regions.len());
        for (row, &record) in records.iter().enumerate() {
            key.clear();
            match self.judge(&cols, row, &mut key) {
                Verdict::Keep(kept) => {
                    let region = match region_cache.get(key.as_slice()) {
                        Some(&id) => id,
                        None => {
                            let owned: RegionKey = key.iter().map(|s| s.to_string()).collect();
                            let next = self.out.regions.len() as u32;
                            let id = *self.region_ids.entry(owned.clone()).or_insert_with(|| {
                                self.out.regions.push(owned);
                                next
                            });
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
                                    let types = self.out.event_types.get_or_insert_with(Vec::new);
                                    let next = types.len() as u32;
                                    let id =
                                        *self.type_ids.entry(v.to_string()).or_insert_with(|| {
                                            types.push(v.to_string());
                                            next
                                        });
                                    type_cache.insert(v, id);
                                    id
                                }
                            }
                        }
                        None => 0,
                    };
                    self.add(region, kind, &kept);
                }
                Verdict::Reject(reason, column) => {
                    if self.rules.spec.strict {
                        let line = lines.of(&[record])[0];
                        return Err(Error::Strict {
                            path,
                            line,
                            column: column.unwrap_or_default(),
                            reason,
                        });
                    }
                    self.out.quality.reject(reason, column.as_deref(), record);
                }
                Verdict::Exclude(reason, column) => {
                    self.out.quality.exclude(reason, column.as_deref(), record);
                }
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
        Ok(())
    }

    /// Adds a kept row to its (region, day, event type) cell.
    fn add(&mut self, region: u32, kind: u32, kept: &Kept) {
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

    /// Checks one row; on success `key` holds its region names.
    fn judge<'a>(&mut self, cols: &Cols<'a>, row: usize, key: &mut Vec<&'a str>) -> Verdict {
        let Rules {
            spec,
            map,
            na,
            min_date,
            week_start,
            last_week,
            country_idx,
            strip_suffix,
            fingerprint_all,
            want_fatalities,
            ..
        } = &self.rules;
        let (spec, min_date, week_start, last_week) = (*spec, *min_date, *week_start, *last_week);
        let (country_idx, strip_suffix, fingerprint_all, want_fatalities) = (
            *country_idx,
            *strip_suffix,
            *fingerprint_all,
            *want_fatalities,
        );
        let mut kept = Kept {
            date: min_date,
            events: 1.0,
            fatalities: 0.0,
            weight: 0.0,
        };
        // 1. Date.
        let date = match &map.date {
            DateSource::Column(c) => {
                let Some(v) = cols.get(c, row).filter(|v| !is_missing(Some(v), na)) else {
                    return Verdict::Reject("missing date".into(), Some(c.clone()));
                };
                match cached_date(&mut self.date_cache, v, spec.date_format.as_deref()) {
                    Ok(d) => d,
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
                    parse_int(cols.get(year, row), na),
                    parse_int(cols.get(month, row), na),
                    parse_int(cols.get(day, row), na),
                ) else {
                    return Verdict::Reject(
                        "missing or non-numeric year/month/day".into(),
                        Some(year.clone()),
                    );
                };
                if m == 0 {
                    return Verdict::Reject("unknown month (month 0)".into(), Some(month.clone()));
                }
                let d = if d == 0 {
                    if spec.unknown_day == UnknownDay::Reject {
                        return Verdict::Reject("unknown day (day 0)".into(), Some(day.clone()));
                    }
                    self.unknown_days += 1;
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
                    parse_int(cols.get(year, row), na),
                    parse_int(cols.get(week, row), na),
                ) else {
                    return Verdict::Reject(
                        "missing or non-numeric ISO year/week".into(),
                        Some(week.clone()),
                    );
                };
                match NaiveDate::from_isoywd_opt(y as i32, w as u32, chrono::Weekday::Mon) {
                    Some(date) => date,
                    None => return Verdict::Reject("invalid ISO week".into(), Some(week.clone())),
                }
            }
            DateSource::Span { start, end } => {
                let Some(s) = cols.get(start, row).filter(|v| !is_missing(Some(v), na)) else {
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
                        self.multi_days += 1;
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
        // Coverage: the source has a valid record for this top-level region on this day.
        if let Some((_, column)) = map.regions.first() {
            let v = cols.get(column, row).map(str::trim).unwrap_or("");
            if !v.is_empty() && v.len() <= MAX_NAME_BYTES && !na.iter().any(|n| n == v) {
                let v = if strip_suffix {
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
            let column = schema::find_column(&self.rules.header, &f.column)
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
                return Verdict::Reject(format!("missing region ({name})"), Some(column.clone()));
            }
            if v.len() > MAX_NAME_BYTES {
                return Verdict::Reject(
                    format!("region name longer than {MAX_NAME_BYTES} bytes ({name})"),
                    Some(column.clone()),
                );
            }
            key.push(if strip_suffix {
                schema::strip_unit_suffix(v)
            } else {
                v
            });
        }
        // 4. Numbers.
        if let Some(c) = &map.fatalities {
            if want_fatalities || map.fatalities_required {
                match parse_count(cols.get(c, row), na) {
                    Ok(Some(x)) => kept.fatalities = x,
                    Ok(None) if map.fatalities_required => {
                        return Verdict::Reject(
                            "missing fatalities (truncated or broken record)".into(),
                            Some(c.clone()),
                        )
                    }
                    Ok(None) => self.unknown_fatalities += 1,
                    Err(kind) => {
                        return Verdict::Reject(format!("{kind} fatalities"), Some(c.clone()))
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
                    Ok(None) => return Verdict::Reject(format!("missing {what}"), Some(c.clone())),
                    Err(kind) => return Verdict::Reject(format!("{kind} {what}"), Some(c.clone())),
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
                    if !self.seen_ids.insert(hash128(id)) {
                        return Verdict::Exclude(
                            "duplicate event id (counted once)".into(),
                            Some(c.clone()),
                        );
                    }
                }
                None => self.missing_ids += 1,
            }
        }
        if fingerprint_all {
            let fp = row_fingerprint(&self.rules.header, cols, row);
            if !self.seen_rows.insert(fp) {
                if map.identical_rows_are_duplicates {
                    return Verdict::Exclude(
                        "identical to an earlier row (duplicate)".into(),
                        None,
                    );
                }
                self.identical_kept += 1;
            }
        }
        kept.date = date;
        Verdict::Keep(kept)
    }

    /// The incidents, with the ledger completed.
    fn finish(mut self, notes: Vec<String>) -> Incidents {
        let spec = self.rules.spec;
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
        if !spec.include_incomplete {
            quality.notes.push(format!(
                "series end with the last complete week (starting {}); the week of --as-of {} is incomplete and left out",
                self.last_complete, spec.as_of
            ));
        }
        self.out.quality = quality;
        let mut firsts: Vec<(String, NaiveDate)> = self.top_level_first.into_iter().collect();
        firsts.sort();
        self.out.top_level_first = firsts;
        self.out
    }
}

fn row_fingerprint(header: &[String], cols: &Cols<'_>, row: usize) -> u128 {
    let values: Vec<Option<&str>> = header.iter().map(|c| cols.get(c, row)).collect();
    hash128(&values)
}
