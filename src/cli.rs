//! Command-line types (clap derive): raw values only. The `settings` module validates them,
//! merges the report's config file, applies the defaults and resolves today's date, once.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::compare::TestKind;
use crate::detect::Method;
use crate::ingest::{InputFormat, Metric, MultiDay, Preset, UnknownDay, WhereFilter};
use crate::model::SeriesStart;
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
    /// Where are events rising together, whatever the borders? Space-time clusters (SaTScan's
    /// prospective space-time permutation scan) from the events' dates and coordinates.
    Clusters(ClustersArgs),
    /// Write the weekly report (markdown, JSON, charts) into OUT/YYYY-Www/; safe for cron.
    Report(ReportArgs),
    /// Which method and alpha suit these data? False alarms, sensitivity and delay, measured on
    /// the data, on simulated copies with no rise and on injected rises.
    Evaluate(EvaluateArgs),
    /// Print a commented starter configuration for `uptick report --config`.
    Init,
    /// Print the weekly aggregation as SQL for your engine (DuckDB, PostgreSQL, Spark,
    /// BigQuery, Trino), with uptick's rules, and the query of its ledger.
    ///
    /// Run the counts query where the events live, save its result as CSV, and give that file
    /// to `detect`, `compare`, `report` or `evaluate` with `--input` (preset counts).
    Sql(SqlArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell), e.g.
    /// `uptick completions bash > ~/.local/share/bash-completion/completions/uptick`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of uptick or of one command, e.g.
    /// `uptick man > ~/.local/share/man/man1/uptick.1`, then `man uptick`.
    Man(ManArgs),
}

/// `uptick completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `uptick man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`report` gives uptick-report(1)) [default: uptick(1)]
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// `uptick sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The engine's SQL dialect.
    #[arg(long, value_enum)]
    pub dialect: crate::sql::Dialect,
    /// The table (or view) holding one row per event record, as the engine names it
    /// (`schema.table`, `project.dataset.table`).
    #[arg(long, value_name = "NAME")]
    pub table: String,
    /// A file with the table's columns (CSV or TSV, optionally .gz, or Parquet, or a
    /// directory of Hive-partitioned Parquet); a file's dates are read for the day/month order
    /// of numeric dates. Without it, the preset's standard columns.
    #[arg(long, short, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// Which query to print [default: both, counts first]
    #[arg(long, value_enum, value_name = "QUERY")]
    pub only: Option<SqlQuery>,
    /// How the table's rows read.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// One of the two queries `uptick sql` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlQuery {
    /// Weekly counts per region.
    Counts,
    /// Rows kept, rejected and excluded, by reason.
    Ledger,
}

/// `uptick report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report configuration (TOML; see `uptick init`). Flags below override it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Use the bundled demo data (as of 2019-10-14 unless --as-of is given).
    #[arg(long)]
    pub demo: bool,
    /// Incident file (overrides the config's `[input]` path).
    #[arg(long, short, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// How to read the input (each overrides the config's `[input]`).
    #[command(flatten)]
    pub read: ReadArgs,
    /// How to judge each region (each overrides the config's `[detect]`).
    #[command(flatten)]
    pub detection: DetectionArgs,
    /// Output root; the report goes to OUT/YYYY-Www/ [default: the config's, or ./reports]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Chart image format (overrides the config).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub chart_format: Option<ChartFormat>,
    /// Exit with status 1 when any region alarms.
    #[arg(long)]
    pub fail_on_alarm: bool,
    /// Deliver the report through these channels, comma-separated (overrides the config's
    /// `[notify] channels`; email needs `[notify.email]`, the webhook's URL is read from
    /// UPTICK_WEBHOOK_URL unless `[notify.webhook] url_env` names another variable)
    #[arg(long, value_enum, value_name = "CHANNELS", value_delimiter = ',')]
    pub notify: Vec<crate::config::Channel>,
    /// When to deliver (overrides `[notify] when`) [default: new-alerts]
    #[arg(long, value_enum, value_name = "WHEN")]
    pub notify_when: Option<crate::config::When>,
    /// Deliver again what was already delivered for the week
    #[arg(long)]
    pub resend: bool,
    /// Send a short test message through the configured channels and say what happened
    /// (no report is made)
    #[arg(long)]
    pub notify_test: bool,
}

/// `uptick evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Where the data come from and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// Methods to compare, comma-separated [default: nb,ears-c2,cusum,trend]
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',')]
    pub methods: Vec<Method>,
    /// Significance levels to compare, comma-separated [default: 0.05,0.01]
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub alpha: Vec<f64>,
    /// Rise factors to inject, repeatable or comma-separated (1 = no rise) [default: 2]
    #[arg(long, value_name = "FACTOR", value_delimiter = ',')]
    pub inject: Vec<f64>,
    /// Length of each injected rise in weeks [default: 3]
    #[arg(long, value_name = "N")]
    pub inject_weeks: Option<usize>,
    /// Rises injected per region, at random non-overlapping places [default: 20]
    #[arg(long, value_name = "N")]
    pub injections: Option<usize>,
    /// The judged window: the last N weeks [default: 104]
    #[arg(long, value_name = "N")]
    pub weeks: Option<usize>,
    /// Simulated copies of every region with no rise [default: 5]
    #[arg(long, value_name = "N")]
    pub null_copies: Option<usize>,
    /// Seed of every random draw (the same seed and input give the same figures) [default: 1]
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// The recommendation's false-alert budget: alarms in a week across all regions, in 95% of
    /// weeks without any rise [default: 1]
    #[arg(long, value_name = "ALERTS")]
    pub budget: Option<f64>,
    /// Baseline length in weeks [default: 7 for EARS, 26 for nb and cusum]
    #[arg(long, value_name = "WEEKS")]
    pub baseline_weeks: Option<usize>,
    /// nb and cusum: weeks left between the baseline and the judged week [default: 2]
    #[arg(long, value_name = "WEEKS")]
    pub guard_weeks: Option<usize>,
    /// An alarm needs at least this many events in the last 4 weeks [default: 5]
    #[arg(long, value_name = "COUNT")]
    pub min_count: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Where the table goes and where its chart is drawn (sensitivity against false alarms:
    /// evaluation.png/.svg).
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `uptick compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Where the data come from and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// The period of interest: DATE..DATE, YYYY, YYYY-Qn, YYYY-MM, YYYY-Www[..YYYY-Www],
    /// last-N-weeks, ytd (1 January to the last complete week) [default: last-4-weeks]
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// The period to compare with; also previous-N-weeks or same-period-last-year
    /// [default: previous-12-weeks]
    #[arg(long, value_name = "PERIOD")]
    pub against: Option<String>,
    /// Significance level (on Benjamini-Hochberg q-values across regions); intervals are
    /// 1 - ALPHA [default: 0.05]
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<f64>,
    /// The test: quasi-poisson allows for over-dispersed weekly counts (Wald t, calibrated);
    /// quasi-poisson-f is the same model with R's F test; exact-poisson is R's poisson.test on
    /// the totals (right only for Poisson counts) [default: quasi-poisson]
    #[arg(long, value_enum, value_name = "TEST")]
    pub test: Option<TestKind>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Where the comparison goes and where its chart is drawn (comparison.png/.svg).
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `uptick clusters`.
#[derive(Debug, Args)]
pub struct ClustersArgs {
    /// Where the data come from and how to read them.
    #[command(flatten)]
    pub input: InputArgs,
    /// The scan's settings.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ClustersFormat::Table)]
    pub format: ClustersFormat,
    /// Where the clusters go and where they are drawn on the event map.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Settings of the space-time cluster scan, shared by `clusters` and `report` (defaults:
/// [`crate::clusters::ScanParams::default`]).
#[derive(Debug, Args, Clone, Default)]
pub struct ScanArgs {
    /// Weeks in the study period, ending with the judged week [default: 52]
    #[arg(long, value_name = "WEEKS")]
    pub study_weeks: Option<usize>,
    /// Longest cluster, in weeks ending with the judged week [default: 4]
    #[arg(long, value_name = "WEEKS")]
    pub max_weeks: Option<usize>,
    /// Largest cluster radius in km [default: 50]
    #[arg(long, value_name = "KM")]
    pub max_radius: Option<f64>,
    /// Random permutations behind the p-values [default: 999]
    #[arg(long, value_name = "N")]
    pub replications: Option<usize>,
    /// Seed of the permutations, for the same p-values on every run [default: 1]
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Fewest events in a reported cluster [default: 5]
    #[arg(long, value_name = "N")]
    pub min_events: Option<u64>,
    /// Most clusters reported, most likely first [default: 10]
    #[arg(long, value_name = "N")]
    pub max_clusters: Option<usize>,
}

/// Output formats of `uptick clusters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClustersFormat {
    /// A table for the terminal.
    Table,
    /// Comma-separated values, one row per cluster.
    Csv,
    /// JSON (`kind: "clusters"`).
    Json,
    /// A markdown section.
    Md,
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
    /// Where the findings go and where the charts are drawn.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Weeks shown in trend charts, the overview and the heat map [default: 52]
    #[arg(long, value_name = "WEEKS")]
    pub chart_weeks: Option<usize>,
    /// Exit with status 1 when any region alarms (for cron and scripts).
    #[arg(long)]
    pub fail_on_alarm: bool,
}

/// Where a command writes, shared by `detect`, `compare`, `clusters` and `evaluate`: its
/// result (a file or stdout) and, when asked for, its charts.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output file, or - for stdout.
    #[arg(long, short, value_name = "PATH", default_value = "-")]
    pub output: PathBuf,
    /// Write the command's charts into this directory.
    ///
    /// detect: a trend chart per region, the overview and the heat map; compare:
    /// comparison.png; clusters: the clusters on the event map; evaluate: evaluation.png,
    /// sensitivity against false alarms.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Image format of the charts.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
}

/// Detection settings shared by `detect` and `report` (defaults: `settings::defaults`).
#[derive(Debug, Args, Clone, Default)]
pub struct DetectionArgs {
    /// Detection method [default: auto = nb, calibrated on over-dispersed counts]
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Significance and false-discovery level of the p-value methods [default: 0.05]
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<f64>,
    /// EARS: one-sided level of its z threshold [default: CDC's, 0.001 for C1/C2, 0.025 for C3]
    #[arg(long, value_name = "ALPHA")]
    pub ears_alpha: Option<f64>,
    /// cusum: in-control run length in weeks, i.e. one false alarm per region per this many
    /// weeks on average (sets the decision interval) [default: 104]
    #[arg(long, value_name = "WEEKS")]
    pub cusum_arl: Option<f64>,
    /// Baseline length in weeks [default: 7 for EARS, 26 for nb and cusum]
    #[arg(long, value_name = "WEEKS")]
    pub baseline_weeks: Option<usize>,
    /// EARS: floor for the baseline SD (0 reproduces R's default) [default: 1]
    #[arg(long, value_name = "SIGMA")]
    pub min_sigma: Option<f64>,
    /// nb and cusum: weeks left between the baseline and the judged week [default: 2]
    #[arg(long, value_name = "WEEKS")]
    pub guard_weeks: Option<usize>,
    /// trend: window of the Mann-Kendall test [default: 12]
    #[arg(long, value_name = "WEEKS")]
    pub trend_weeks: Option<usize>,
    /// An alarm needs at least this many events in the last 4 weeks [default: 5]
    #[arg(long, value_name = "COUNT")]
    pub min_count: Option<f64>,
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

/// Input options of `series`, `detect` and `compare`: the source (required) and how to read it.
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
    /// How to read it.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How to read an input: format, columns, filters, region level, metric, weeks. Shared by
/// every command that reads incidents, `report` included (where each overrides the config).
/// Unset options take the config's value or the default in the `settings` module.
#[derive(Debug, Args, Clone, Default)]
pub struct ReadArgs {
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
    /// What to count per week [default: events]
    #[arg(long, value_enum)]
    pub metric: Option<Metric>,
    /// First day of the week [default: sat for ACLED, mon (ISO) otherwise]
    #[arg(long, value_enum, value_name = "DAY")]
    pub week_start: Option<WeekStart>,
    /// Pretend today is DATE: the last complete week before it is the last one used.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Keep the incomplete week that contains --as-of.
    #[arg(long)]
    pub include_incomplete: bool,
    /// GTD rows whose day is unknown (day 0): count in the week of the 1st of the month, or
    /// reject [default: month-start]
    #[arg(long, value_enum)]
    pub unknown_day: Option<UnknownDay>,
    /// UCDP events spanning several days: count at the start, the end, or drop them [default: start]
    #[arg(long, value_enum)]
    pub multi_day: Option<MultiDay>,
    /// Fail (exit 2) on the first rejected row instead of counting and reporting it.
    #[arg(long)]
    pub strict: bool,
    /// Fail (exit 2) when more than this share of the rows is rejected (a run that keeps no
    /// rows always fails); 1 allows any share [default: 0.5]
    #[arg(long, value_name = "SHARE")]
    pub max_rejected: Option<f64>,
    /// Where each region's series starts: where its country's (top-level region's) records
    /// start, its own first record, or the first week of the data [default: top]
    #[arg(long, value_enum, value_name = "RULE")]
    pub series_start: Option<SeriesStart>,
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
