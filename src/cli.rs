//! Command-line types (clap derive) and their conversion into resolved settings. No I/O
//! besides reading today's date once, when `--as-of` is not given.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::aggregate::SeriesStart;
use crate::compare::TestKind;
use crate::detect::{cusum, DetectParams, Method, DEFAULT_MIN_COUNT, DEFAULT_MIN_SIGMA};
use crate::error::{Error, Result};
use crate::ingest::{
    InputFormat, InputSpec, Metric, MultiDay, Preset, Source, UnknownDay, WhereFilter,
};
use crate::model::WeekStart;
use crate::render::ChartFormat;

/// uptick: where is conflict activity rising? Weekly incident series per region, tested
/// against each region's own rolling baseline.
#[derive(Debug, Parser)]
#[command(name = "uptick", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Options for every command.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors (no data-quality summary).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build complete weekly series per region from an incident export.
    Series(SeriesArgs),
    /// Test each region's latest week(s) against its own baseline: where is activity rising?
    Detect(DetectArgs),
    /// Compare two periods per region with an exact test (e.g. this quarter vs last year's).
    Compare(CompareArgs),
    /// Write the weekly report (markdown, JSON, charts) into OUT/YYYY-Www/; safe for cron.
    Report(ReportArgs),
    /// Print a commented starter configuration for `uptick report --config`.
    Init,
}

/// `uptick report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report configuration (TOML; see `uptick init`). Flags below override it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Use the bundled demo data (as of 2019-12-01 unless --as-of is given).
    #[arg(long)]
    pub demo: bool,
    /// Incident file (overrides the config's [input] path).
    #[arg(long, short, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// Output root; the report goes to OUT/YYYY-Www/ [default: the config's, or ./reports]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Report on the last complete week before DATE (default: today; backfill with a past date).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Region level (overrides the config).
    #[arg(long, value_name = "LEVEL")]
    pub by: Option<String>,
    /// What to count (overrides the config).
    #[arg(long, value_enum)]
    pub metric: Option<Metric>,
    /// Detection method (overrides the config).
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Significance level (overrides the config).
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<f64>,
    /// Chart image format (overrides the config).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub chart_format: Option<ChartFormat>,
    /// Exit with status 1 when any region alarms.
    #[arg(long)]
    pub fail_on_alarm: bool,
}

/// `uptick compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Where the data come from and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// The period of interest: DATE..DATE, YYYY, YYYY-Qn, YYYY-MM, YYYY-Www[..YYYY-Www], last-N-weeks.
    #[arg(long, value_name = "PERIOD", default_value = "last-4-weeks")]
    pub period: String,
    /// The period to compare with; also previous-N-weeks or same-period-last-year.
    #[arg(long, value_name = "PERIOD", default_value = "previous-12-weeks")]
    pub against: String,
    /// Significance level (on Benjamini-Hochberg q-values across regions); intervals are
    /// 1 - ALPHA.
    #[arg(long, value_name = "ALPHA", default_value_t = 0.05)]
    pub alpha: f64,
    /// The test: quasi-poisson allows for over-dispersed weekly counts (Wald t, calibrated);
    /// quasi-poisson-f is the same model with R's F test; exact-poisson is R's poisson.test on
    /// the totals (right only for Poisson counts).
    #[arg(long, value_enum, value_name = "TEST", default_value_t = TestKind::QuasiPoisson)]
    pub test: TestKind,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Output file, or - for stdout.
    #[arg(long, short, value_name = "PATH", default_value = "-")]
    pub output: PathBuf,
    /// Write the comparison chart (comparison.png/.svg) into this directory.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Image format of the chart.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
}

/// Output formats of `uptick compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// A table for the terminal.
    Table,
    /// Comma-separated values.
    Csv,
    /// JSON.
    Json,
    /// A markdown section.
    Md,
}

/// `uptick detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Where the data come from and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// How to judge each region.
    #[command(flatten)]
    pub detection: DetectionArgs,
    /// Judge the last N weeks.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        conflicts_with = "backtest"
    )]
    pub weeks: usize,
    /// Judge every week the method can (history permitting).
    #[arg(long)]
    pub backtest: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Table)]
    pub format: FindingsFormat,
    /// Output file, or - for stdout.
    #[arg(long, short, value_name = "PATH", default_value = "-")]
    pub output: PathBuf,
    /// Exit with status 1 when any region alarms (for cron and scripts).
    #[arg(long)]
    pub fail_on_alarm: bool,
    /// Chart options.
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// Chart options shared by `detect`, `compare` and `report`.
#[derive(Debug, Args, Clone)]
pub struct ChartArgs {
    /// Write charts into this directory.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Image format of the charts.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
    /// Weeks shown in trend charts, the overview and the heat map.
    #[arg(long, value_name = "WEEKS", default_value_t = 52)]
    pub chart_weeks: usize,
}

/// Detection settings shared by `detect` and `report`.
#[derive(Debug, Args, Clone)]
pub struct DetectionArgs {
    /// Detection method; auto = nb, calibrated on over-dispersed counts.
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    pub method: Method,
    /// Significance and false-discovery level of the p-value methods [default: 0.05]
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<f64>,
    /// EARS: one-sided level of its z threshold [default: CDC's, 0.001 for C1/C2, 0.025 for C3]
    #[arg(long, value_name = "ALPHA")]
    pub ears_alpha: Option<f64>,
    /// cusum: in-control run length in weeks, i.e. one false alarm per region per this many
    /// weeks on average (sets the decision interval).
    #[arg(long, value_name = "WEEKS", default_value_t = cusum::DEFAULT_ARL_WEEKS)]
    pub cusum_arl: f64,
    /// Baseline length in weeks [default: 7 for EARS, 26 for nb and cusum]
    #[arg(long, value_name = "WEEKS")]
    pub baseline_weeks: Option<usize>,
    /// EARS: floor for the baseline SD (0 reproduces R's default).
    #[arg(long, value_name = "SIGMA", default_value_t = DEFAULT_MIN_SIGMA)]
    pub min_sigma: f64,
    /// nb and cusum: weeks left between the baseline and the judged week.
    #[arg(long, value_name = "WEEKS", default_value_t = 2)]
    pub guard_weeks: usize,
    /// trend: window of the Mann-Kendall test.
    #[arg(long, value_name = "WEEKS", default_value_t = 12)]
    pub trend_weeks: usize,
    /// An alarm needs at least this many events in the last 4 weeks.
    #[arg(long, value_name = "COUNT", default_value_t = DEFAULT_MIN_COUNT)]
    pub min_count: f64,
}

impl DetectionArgs {
    /// Validates the settings.
    ///
    /// # Errors
    /// An alpha outside (0, 1), a negative floor or count.
    pub fn into_params(self) -> Result<DetectParams> {
        for (flag, value) in [("--alpha", self.alpha), ("--ears-alpha", self.ears_alpha)] {
            if let Some(a) = value {
                if !(a > 0.0 && a < 1.0) {
                    return Err(Error::Usage(format!("{flag} {a} must be between 0 and 1")));
                }
            }
        }
        // Below Siegmund's run length at h = 0 (about 2.1 weeks) every week would alarm.
        let shortest = cusum::in_control_arl(cusum::DEFAULT_K, 0.0).ceil();
        if !(self.cusum_arl >= shortest && self.cusum_arl.is_finite()) {
            return Err(Error::Usage(format!(
                "--cusum-arl {} must be at least {shortest} weeks",
                self.cusum_arl
            )));
        }
        if self.min_sigma < 0.0 || self.min_sigma.is_nan() {
            return Err(Error::Usage("--min-sigma must be 0 or more".into()));
        }
        if self.min_count < 0.0 || self.min_count.is_nan() {
            return Err(Error::Usage("--min-count must be 0 or more".into()));
        }
        if self.baseline_weeks.is_some_and(|b| b < 3) {
            return Err(Error::Usage("--baseline-weeks must be at least 3".into()));
        }
        if self.trend_weeks < 4 {
            return Err(Error::Usage("--trend-weeks must be at least 4".into()));
        }
        Ok(DetectParams {
            method: self.method,
            alpha: self.alpha,
            ears_alpha: self.ears_alpha,
            cusum_arl: self.cusum_arl,
            baseline_weeks: self.baseline_weeks,
            min_sigma: self.min_sigma,
            guard_weeks: self.guard_weeks,
            trend_weeks: self.trend_weeks,
            min_count: self.min_count,
        })
    }
}

/// Output formats of `uptick detect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// A table for the terminal, alarms first, most significant first.
    Table,
    /// Comma-separated values, one row per region and judged week.
    Csv,
    /// A JSON document with the findings and the data-quality summary.
    Json,
}

/// `uptick series`.
#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// Where the data come from and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
    pub format: OutputFormat,
    /// Output file, or - for stdout.
    #[arg(long, short, value_name = "PATH", default_value = "-")]
    pub output: PathBuf,
}

/// Output formats of `uptick series`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Comma-separated values, one row per region and week.
    Csv,
    /// A JSON document with the rows and the data-quality summary.
    Json,
    /// Apache Parquet, one row per region and week.
    Parquet,
}

/// Input options shared by every command that reads incidents.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Incident file: CSV, TSV (optionally .gz), Parquet or NDJSON.
    #[arg(
        long,
        short,
        value_name = "PATH",
        required_unless_present = "demo",
        conflicts_with = "demo"
    )]
    pub input: Option<PathBuf>,
    /// Use the bundled demo data: UCDP GED, Syria, 2016-01 to 2019-11 (CC BY 4.0).
    #[arg(long)]
    pub demo: bool,
    /// Input format, when the file name does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<InputFormat>,
    /// Column preset; detected from the header by default.
    #[arg(long, value_enum, value_name = "PRESET")]
    pub preset: Option<Preset>,
    /// Date column (overrides the preset). With --week-col: the ISO year column.
    #[arg(long, value_name = "COL")]
    pub date_col: Option<String>,
    /// ISO week-number column, for data that is already weekly (year in --date-col).
    #[arg(long, value_name = "COL")]
    pub week_col: Option<String>,
    /// Region column, coarse to fine; repeat for country, admin1, admin2.
    #[arg(long = "region-col", value_name = "COL")]
    pub region_cols: Vec<String>,
    /// Actor column searched by --actor; repeatable.
    #[arg(long = "actor-col", value_name = "COL")]
    pub actor_cols: Vec<String>,
    /// Column to sum per week (e.g. a count in pre-aggregated data).
    #[arg(long, value_name = "COL")]
    pub weight_col: Option<String>,
    /// Event id column: rows repeating an id count once.
    #[arg(long, value_name = "COL")]
    pub id_col: Option<String>,
    /// Date format (strftime, e.g. %d/%m/%Y); by default each value is recognised on its own.
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// The file has no header row; columns are named column_1, column_2, ...
    #[arg(long)]
    pub no_header: bool,
    /// Field separator (one character; `\t` for tab); by default from the extension or sniffed.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Keep rows where COL equals VALUE (or differs, with COL!=VALUE); repeatable.
    #[arg(long = "where", value_name = "COL=VALUE")]
    pub filters: Vec<WhereFilter>,
    /// Keep rows where any actor column matches this regular expression (case-insensitive).
    #[arg(long, value_name = "REGEX")]
    pub actor: Option<String>,
    /// First day to include (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Last day to include (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// Keep only this country.
    #[arg(long, value_name = "NAME")]
    pub country: Option<String>,
    /// Region level: country, admin1, admin2, or a column name [default: the finest the preset has]
    #[arg(long, value_name = "LEVEL")]
    pub by: Option<String>,
    /// What to count per week.
    #[arg(long, value_enum, default_value_t = Metric::Events)]
    pub metric: Metric,
    /// First day of the week [default: sat for ACLED, mon (ISO) otherwise]
    #[arg(long, value_enum, value_name = "DAY")]
    pub week_start: Option<WeekStart>,
    /// Pretend today is DATE: the last complete week before it is the last one used.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Keep the incomplete week that contains --as-of.
    #[arg(long)]
    pub include_incomplete: bool,
    /// GTD rows whose day is unknown (day 0): count in the week of the 1st of the month, or reject.
    #[arg(long, value_enum, default_value_t = UnknownDay::MonthStart)]
    pub unknown_day: UnknownDay,
    /// UCDP events spanning several days: count at the start, the end, or drop them.
    #[arg(long, value_enum, default_value_t = MultiDay::Start)]
    pub multi_day: MultiDay,
    /// Fail (exit 2) on the first rejected row instead of counting and reporting it.
    #[arg(long)]
    pub strict: bool,
    /// Where each region's series starts: where its country's (top-level region's) records
    /// start, its own first record, or the first week of the data.
    #[arg(long, value_enum, value_name = "RULE", default_value_t = SeriesStart::Top)]
    pub series_start: SeriesStart,
}

impl InputArgs {
    /// Validates the options and resolves the environment (today's date) once.
    ///
    /// # Errors
    /// Invalid regular expressions, separators, or date ranges.
    pub fn into_spec(self, demo: Source) -> Result<InputSpec> {
        // Demo data are historical: without --as-of they are seen from the day after they end.
        let as_of = self.as_of.unwrap_or_else(|| {
            if self.demo {
                crate::demo::DEMO_AS_OF
                    .parse()
                    .expect("valid constant date")
            } else {
                chrono::Local::now().date_naive()
            }
        });
        let source = match self.input {
            Some(path) => Source::File(path),
            None => demo,
        };
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("\\t") | Some("tab") => Some(b'\t'),
            Some(s) if s.len() == 1 => Some(s.as_bytes()[0]),
            Some(s) => {
                return Err(Error::Usage(format!(
                    "--delimiter '{s}' must be one ASCII character (or \\t)"
                )))
            }
        };
        let actor = self
            .actor
            .map(|re| {
                regex::RegexBuilder::new(&re)
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| {
                        Error::Usage(format!(
                            "--actor '{re}' is not a valid regular expression: {e}"
                        ))
                    })
            })
            .transpose()?;
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(Error::Usage(format!("--from {from} is after --to {to}")));
            }
        }
        let mut spec = InputSpec::new(source, as_of);
        spec.format = self.format_in;
        spec.preset = self.preset;
        spec.date_col = self.date_col;
        spec.week_col = self.week_col;
        spec.region_cols = self.region_cols;
        spec.actor_cols = self.actor_cols;
        spec.weight_col = self.weight_col;
        spec.id_col = self.id_col;
        spec.date_format = self.date_format;
        spec.no_header = self.no_header;
        spec.delimiter = delimiter;
        spec.filters = self.filters;
        spec.actor = actor;
        spec.from = self.from;
        spec.to = self.to;
        spec.country = self.country;
        spec.by = self.by;
        spec.metric = self.metric;
        spec.week_start = self.week_start;
        spec.include_incomplete = self.include_incomplete;
        spec.unknown_day = self.unknown_day;
        spec.multi_day = self.multi_day;
        spec.strict = self.strict;
        spec.series_start = self.series_start;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn where_filters_parse() {
        let f: WhereFilter = "event_type=Battles".parse().unwrap();
        assert!(!f.negate && f.column == "event_type" && f.value == "Battles");
        let f: WhereFilter = "country!=Iraq".parse().unwrap();
        assert!(f.negate && f.column == "country" && f.value == "Iraq");
        assert!("novalue".parse::<WhereFilter>().is_err());
        assert!("=x".parse::<WhereFilter>().is_err());
    }
}
