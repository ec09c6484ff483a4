//! Input options: the file formats, presets' policies (unknown days, multi-day events), the
//! metric, row filters, the source, and [`InputSpec`], everything a load needs to know.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use regex::Regex;

use super::schema::Preset;
use super::CHUNK_BYTES;
use crate::model::WeekStart;

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

    pub(super) fn path(&self) -> PathBuf {
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
    /// The calendar date of the run: with `as_of`, the latest date the file can hold
    /// ([`InputSpec::latest_date`]), which places two-digit years.
    pub today: NaiveDate,
    /// Keep the incomplete week that contains `as_of`.
    pub include_incomplete: bool,
    /// GTD day-0 policy.
    pub unknown_day: UnknownDay,
    /// UCDP multi-day policy.
    pub multi_day: MultiDay,
    /// Turn any rejection into an error.
    pub strict: bool,
    /// A load that rejects more than this share of the rows read is an error (1 allows any).
    pub max_rejected: f64,
    /// Text is read in chunks of about this many bytes ([`CHUNK_BYTES`]; tests make it small
    /// to cross many chunk boundaries).
    pub chunk_bytes: usize,
    /// Take the SHA-256 of delimited text while reading it ([`super::Incidents::sha256`]).
    pub checksum: bool,
    /// Where each region's series starts (coverage).
    pub series_start: crate::model::SeriesStart,
    /// Keep each event's details (place, actors, description, coordinates) for the recent
    /// weeks the report describes ([`super::Incidents::details`]).
    pub details: bool,
    /// With `details`: keep them for at least this many weeks before the last week (the
    /// cluster scan's study period; the report needs [`super::detail::DETAIL_WEEKS`]).
    pub detail_weeks: u64,
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
            today: chrono::Local::now().date_naive(),
            include_incomplete: false,
            unknown_day: UnknownDay::MonthStart,
            multi_day: MultiDay::Start,
            strict: false,
            max_rejected: super::DEFAULT_MAX_REJECTED,
            chunk_bytes: CHUNK_BYTES,
            checksum: false,
            details: false,
            detail_weeks: 0,
            series_start: crate::model::SeriesStart::Top,
        }
    }
}

impl InputSpec {
    /// The latest date the file can hold: today, or `--as-of` when it is later. Two-digit
    /// years without a `year` column resolve against its year, never against a backfill's
    /// `--as-of` (see [`super::dates`]).
    pub fn latest_date(&self) -> NaiveDate {
        self.as_of.max(self.today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_file_names() {
        for (name, want) in [
            ("a.csv", Some(InputFormat::Csv)),
            ("a.CSV.GZ", Some(InputFormat::Csv)),
            ("a.tsv.gz", Some(InputFormat::Tsv)),
            ("a.parquet", Some(InputFormat::Parquet)),
            ("a.ndjson", Some(InputFormat::Ndjson)),
            ("a.xlsx", None),
        ] {
            assert_eq!(InputFormat::from_path(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn where_filters_round_trip() {
        let f: WhereFilter = "event_type!=Protests".parse().unwrap();
        assert!(f.negate);
        assert_eq!(f.to_string(), "event_type!=Protests");
        assert!("=x".parse::<WhereFilter>().is_err());
    }
}
