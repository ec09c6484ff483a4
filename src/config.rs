//! The report configuration file (TOML): input and column mapping, filters, region level,
//! metric, detection, comparison, charts, output. Unknown keys are an error naming the key
//! and the closest valid one. Paths are relative to the config file's directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::detect::Method;
use crate::error::{Error, Result};
use crate::ingest::{InputFormat, Metric, MultiDay, Preset, UnknownDay};
use crate::model::WeekStart;
use crate::render::ChartFormat;

/// A whole report configuration.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Report title.
    pub title: Option<String>,
    /// Where the data come from.
    #[serde(default)]
    pub input: InputConfig,
    /// Detection settings.
    #[serde(default)]
    pub detect: DetectConfig,
    /// Period comparison.
    #[serde(default)]
    pub compare: CompareConfig,
    /// Charts.
    #[serde(default)]
    pub charts: ChartsConfig,
    /// Output.
    #[serde(default)]
    pub output: OutputConfig,
    /// What the report shows.
    #[serde(default)]
    pub report: ReportConfig,
    /// The space-time cluster scan.
    #[serde(default)]
    pub clusters: ClustersConfig,
    /// Delivery of each report.
    #[serde(default)]
    pub notify: NotifyConfig,
}

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// E-mail over SMTP.
    Email,
    /// A JSON POST to an incoming webhook (Slack, Mattermost, Teams).
    Webhook,
    /// No delivery.
    None,
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
            Channel::None => "none",
        })
    }
}

/// When a report is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// Every week, alerts or not.
    Always,
    /// Weeks with any alert.
    Alerts,
    /// Weeks with an alert that was not in the previous week's report (a quiet week is quiet).
    #[default]
    NewAlerts,
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            When::Always => "always",
            When::Alerts => "alerts",
            When::NewAlerts => "new-alerts",
        })
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same machine only).
    None,
}

impl Tls {
    /// The usual port.
    pub fn default_port(self) -> u16 {
        match self {
            Tls::Starttls => 587,
            Tls::Tls => 465,
            Tls::None => 25,
        }
    }
}

impl std::fmt::Display for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tls::Starttls => "STARTTLS",
            Tls::Tls => "TLS",
            Tls::None => "no TLS",
        })
    }
}

/// `[notify]`: delivery after each report (the `notify` module).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The channels on (default: every channel that has a table below).
    pub channels: Option<Vec<Channel>>,
    /// When to deliver (default `new-alerts`).
    pub when: Option<When>,
    /// `[notify.email]`.
    pub email: Option<EmailConfig>,
    /// `[notify.webhook]`.
    pub webhook: Option<WebhookConfig>,
}

/// `[notify.email]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// SMTP server.
    pub host: String,
    /// SMTP port (default: 587 for STARTTLS, 465 for TLS, 25 for none).
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    pub tls: Option<Tls>,
    /// Sender mailbox ("uptick <uptick@example.org>").
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject template.
    pub subject: Option<String>,
    /// Environment variable holding the SMTP user name.
    pub user_env: Option<String>,
    /// Environment variable holding the SMTP password.
    pub password_env: Option<String>,
    /// A PEM certificate to trust besides the system's (relative to the config file).
    pub ca_file: Option<PathBuf>,
    /// Seconds before a stalled connection fails (default 30).
    pub timeout: Option<f64>,
}

/// `[notify.webhook]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Environment variable holding the URL (default `UPTICK_WEBHOOK_URL`).
    pub url_env: Option<String>,
    /// Seconds each attempt may take (default 10).
    pub timeout: Option<f64>,
    /// Attempts after the first on 5xx answers and connection errors (default 3).
    pub retries: Option<u32>,
    /// Seconds before the first retry, doubled before each next one (default 1).
    pub backoff: Option<f64>,
}

/// `[input]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Input file (relative to the config file).
    pub path: Option<PathBuf>,
    /// Use the bundled demo data.
    #[serde(default)]
    pub demo: bool,
    /// Input format.
    pub format: Option<InputFormat>,
    /// Column preset.
    pub preset: Option<Preset>,
    /// Date column.
    pub date_col: Option<String>,
    /// ISO week column (with date_col the ISO year).
    pub week_col: Option<String>,
    /// Region columns, coarse to fine.
    #[serde(default)]
    pub region_cols: Vec<String>,
    /// Actor columns.
    #[serde(default)]
    pub actor_cols: Vec<String>,
    /// Weight column.
    pub weight_col: Option<String>,
    /// Event id column.
    pub id_col: Option<String>,
    /// Date format.
    pub date_format: Option<String>,
    /// No header row.
    #[serde(default)]
    pub no_header: bool,
    /// Field separator.
    pub delimiter: Option<String>,
    /// `COL=VALUE` / `COL!=VALUE` filters.
    #[serde(default, rename = "where")]
    pub filters: Vec<String>,
    /// Actor regular expression.
    pub actor: Option<String>,
    /// First day.
    pub from: Option<chrono::NaiveDate>,
    /// Last day.
    pub to: Option<chrono::NaiveDate>,
    /// Country.
    pub country: Option<String>,
    /// Region level.
    pub by: Option<String>,
    /// Metric.
    pub metric: Option<Metric>,
    /// Week start.
    pub week_start: Option<WeekStart>,
    /// GTD day-0 policy.
    pub unknown_day: Option<UnknownDay>,
    /// UCDP multi-day policy.
    pub multi_day: Option<MultiDay>,
    /// Fail on any rejected row.
    #[serde(default)]
    pub strict: bool,
    /// The share of rejected rows above which a load fails.
    pub max_rejected: Option<f64>,
    /// Where each region's series starts.
    pub series_start: Option<crate::model::SeriesStart>,
}

/// `[detect]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DetectConfig {
    /// Method.
    pub method: Option<Method>,
    /// Level.
    pub alpha: Option<f64>,
    /// Baseline weeks.
    pub baseline_weeks: Option<usize>,
    /// EARS SD floor.
    pub min_sigma: Option<f64>,
    /// Guard weeks.
    pub guard_weeks: Option<usize>,
    /// Trend window.
    pub trend_weeks: Option<usize>,
    /// Minimum events in 4 weeks.
    pub min_count: Option<f64>,
    /// EARS's own level.
    pub ears_alpha: Option<f64>,
    /// CUSUM in-control run length in weeks.
    pub cusum_arl: Option<f64>,
}

/// `[compare]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompareConfig {
    /// Period of interest (default last-4-weeks).
    pub period: Option<String>,
    /// Comparison period (default previous-12-weeks).
    pub against: Option<String>,
    /// The test (default quasi-poisson).
    pub test: Option<crate::compare::TestKind>,
}

/// `[charts]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChartsConfig {
    /// Image format.
    pub format: Option<ChartFormat>,
    /// Weeks shown.
    pub weeks: Option<usize>,
}

/// `[output]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Output root (relative to the config file); reports go to ROOT/YYYY-Www/.
    pub root: Option<PathBuf>,
}

/// `[report]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Notable events listed per alert (0 leaves the section out).
    pub notable: Option<usize>,
    /// Rows shown in each per-region table of report.md and report.html; the rest are in
    /// the CSV files beside them.
    pub max_rows: Option<usize>,
    /// The year-to-date sentence (this year against the same days last year).
    pub year_to_date: Option<bool>,
    /// The space-time clusters section (where the data have coordinates).
    pub clusters: Option<bool>,
}

/// `[clusters]`: the space-time cluster scan (defaults in
/// [`crate::clusters::ScanParams::default`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClustersConfig {
    /// Weeks in the study period.
    pub study_weeks: Option<usize>,
    /// Longest window in weeks.
    pub max_weeks: Option<usize>,
    /// Largest radius in km.
    pub max_radius: Option<f64>,
    /// Random permutations.
    pub replications: Option<usize>,
    /// Seed of the permutations.
    pub seed: Option<u64>,
    /// Fewest events in a reported cluster.
    pub min_events: Option<u64>,
    /// Most clusters reported.
    pub max_clusters: Option<usize>,
}

/// Every valid key, by table, for "did you mean" suggestions.
const KEYS: &[&str] = &[
    "title",
    "input",
    "detect",
    "compare",
    "charts",
    "output",
    "report",
    "notable",
    "max_rows",
    "year_to_date",
    "clusters",
    "study_weeks",
    "max_weeks",
    "max_radius",
    "replications",
    "seed",
    "min_events",
    "max_clusters",
    "path",
    "demo",
    "format",
    "preset",
    "date_col",
    "week_col",
    "region_cols",
    "actor_cols",
    "weight_col",
    "id_col",
    "date_format",
    "no_header",
    "delimiter",
    "where",
    "actor",
    "from",
    "to",
    "country",
    "by",
    "metric",
    "week_start",
    "unknown_day",
    "multi_day",
    "strict",
    "max_rejected",
    "series_start",
    "method",
    "alpha",
    "baseline_weeks",
    "min_sigma",
    "guard_weeks",
    "trend_weeks",
    "min_count",
    "ears_alpha",
    "cusum_arl",
    "period",
    "against",
    "test",
    "weeks",
    "root",
    "notify",
    "channels",
    "when",
    "email",
    "webhook",
    "host",
    "port",
    "tls",
    "to",
    "subject",
    "user_env",
    "password_env",
    "ca_file",
    "timeout",
    "url_env",
    "retries",
    "backoff",
];

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The valid key closest to `key`.
pub fn closest_key(key: &str) -> &'static str {
    KEYS.iter()
        .min_by_key(|k| edit_distance(key, k))
        .copied()
        .unwrap_or("title")
}

impl Config {
    /// Parses a config's text; `path` names it in errors.
    ///
    /// # Errors
    /// Invalid TOML, unknown keys (with the closest valid one), wrong value types.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            let mut message = e.message().to_string();
            if let Some(rest) = message.strip_prefix("unknown field `") {
                if let Some(key) = rest.split('`').next() {
                    message = format!("unknown key '{key}' (did you mean '{}'?)", closest_key(key));
                }
            }
            let location = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            Error::Parse {
                path: path.to_path_buf(),
                message: format!("{location}{message}"),
            }
        })
    }

    /// Reads and parses a config file; relative paths in it are resolved against its directory.
    ///
    /// # Errors
    /// Unreadable file or [`Config::parse`] errors.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text, path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &mut Option<PathBuf>| {
            if let Some(v) = p.as_mut() {
                if v.is_relative() {
                    *v = base.join(&*v);
                }
            }
        };
        resolve(&mut config.input.path);
        resolve(&mut config.output.root);
        if let Some(email) = config.notify.email.as_mut() {
            resolve(&mut email.ca_file);
        }
        Ok(config)
    }
}

/// The commented starter config that `uptick init` prints.
pub const STARTER: &str = r#"# uptick report configuration. Paths are relative to this file.
# Run: uptick report --config THIS_FILE            (cron: add --quiet)
#      uptick report --config THIS_FILE --as-of 2019-06-30   (backfill a past week)

title = "Weekly conflict activity"

[input]
# path = "acled_export.csv"       # CSV/TSV (.gz), Parquet or NDJSON
demo = true                       # the bundled UCDP GED Syria 2016-2019 data
# preset = "acled"                # acled | gtd | ucdp-ged | generic (detected by default)
# date_col = "event_date"         # generic tables: name the columns
# region_cols = ["country", "admin1"]
# actor = "Islamic State"         # regular expression over the actor columns
# where = ["event_type=Battles"]  # COL=VALUE or COL!=VALUE
# country = "Syria"
by = "admin1"                     # country | admin1 | admin2 | a column name
metric = "events"                 # events | fatalities
# week_start = "sat"              # mon | sat | sun (ACLED: sat, others: mon)
# series_start = "top"            # top (where the country's records start) | region | data

[detect]
method = "auto"                   # auto (= nb) | noufaily | farrington | nb | ears-c1 | ears-c2 | ears-c3 | cusum | trend
alpha = 0.05                      # significance and false-discovery level
min_count = 5                     # an alarm needs this many events in the last 4 weeks

[compare]
period = "last-4-weeks"
against = "previous-12-weeks"
test = "quasi-poisson"            # quasi-poisson | exact-poisson (R's poisson.test, Poisson counts only)

[charts]
format = "png"                    # png | svg | both
weeks = 52

[report]
notable = 5                       # notable events listed per alert (0: none)
max_rows = 25                     # rows of each per-region table; the rest are in comparison.csv
year_to_date = true               # this year so far against the same days last year
clusters = true                   # the space-time clusters section (needs coordinates)

[clusters]
study_weeks = 52                  # weeks the scan compares, ending with the judged week
max_weeks = 4                     # longest cluster, in weeks ending with the judged week
max_radius = 50.0                 # largest circle, km
replications = 999                # random permutations behind each p-value
seed = 1

[output]
root = "reports"                  # each run writes ROOT/YYYY-Www/

# Delivery after each report (exit code 3 if it fails; the report is kept either way).
# Secrets come from environment variables, never from this file.
# [notify]
# when = "new-alerts"             # always | alerts | new-alerts (a quiet week sends nothing)
# [notify.email]
# host = "smtp.example.org"
# tls = "starttls"                # starttls (port 587) | tls (465) | none (a local relay)
# from = "uptick <uptick@example.org>"
# to = ["desk@example.org", "analysts@example.org"]
# user_env = "UPTICK_SMTP_USER"
# password_env = "UPTICK_SMTP_PASSWORD"
# [notify.webhook]
# url_env = "UPTICK_WEBHOOK_URL"  # a Slack, Mattermost or Teams incoming webhook
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_config_parses() {
        let c = Config::parse(STARTER, Path::new("starter.toml")).unwrap();
        assert!(c.input.demo);
        assert_eq!(c.detect.method, Some(Method::Auto));
        assert_eq!(c.charts.weeks, Some(52));
        assert_eq!(c.report.max_rows, Some(25));
        assert_eq!(c.report.notable, Some(5));
    }

    #[test]
    fn unknown_keys_name_the_closest() {
        let err = Config::parse("[detect]\nalpah = 0.01\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown key 'alpah' (did you mean 'alpha'?)"),
            "{err}"
        );
        assert!(err.contains("line 2"), "{err}");
        let err = Config::parse("titel = \"x\"\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean 'title'"), "{err}");
        let err = Config::parse("[detect]\nmethod = \"magic\"\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.toml: line 2"), "{err}");
    }
}
