//! One resolved configuration per run: command-line flags over the report's config file over
//! the defaults below, validated once, with today's date resolved once. Every command takes
//! its [`Settings`]; nothing after this module reads a flag or a default.
//!
//! The two stages follow ripgrep's low-level/high-level arguments: `cli` holds raw values
//! (options are `None` when not given, so a flag can be told from a default), this module
//! turns them into the typed settings the pipeline runs on.

use std::path::PathBuf;

use crate::cli::{
    ClustersArgs, CompareArgs, DetectArgs, DetectionArgs, EvaluateArgs, InputArgs, OutputArgs,
    ReadArgs, ReportArgs, SeriesArgs,
};
use crate::compare::TestKind;
use crate::config::{Config, DetectConfig, InputConfig};
use crate::detect::{cusum, DetectParams, Method};
use crate::error::{Error, Result};
use crate::evaluate::EvaluateSettings;
use crate::ingest::{InputSpec, Source, WhereFilter};
use crate::render::ChartFormat;

/// Every default in one place.
pub mod defaults;
mod notify;

pub use notify::{notify_settings, EmailSettings, NotifySettings, WebhookSettings};

/// A comparison's periods, test and level.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareSettings {
    /// The period of interest, as written (resolved against the data later).
    pub period: String,
    /// The period it is compared with.
    pub against: String,
    /// The test.
    pub test: TestKind,
    /// Significance level across regions; intervals are 1 − alpha.
    pub alpha: f64,
}

/// Chart options.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSettings {
    /// Where to write charts (`None`: no charts; the report always writes its own).
    pub dir: Option<PathBuf>,
    /// PNG, SVG or both.
    pub format: ChartFormat,
    /// Weeks shown.
    pub weeks: usize,
}

/// Everything a run needs, resolved and validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What to read and how.
    pub input: InputSpec,
    /// How to judge each region.
    pub detection: DetectParams,
    /// How to compare two periods.
    pub comparison: CompareSettings,
    /// Charts.
    pub charts: ChartSettings,
    /// Where the command's result goes (`-`: standard output); the report writes under its
    /// root instead.
    pub output: PathBuf,
}

/// A report run's settings: the common ones plus where and how the report is written.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// Input, detection, comparison, charts.
    pub run: Settings,
    /// The report's title.
    pub title: String,
    /// Output root; the report goes to `ROOT/YYYY-Www/`.
    pub root: PathBuf,
    /// The command that reproduces the run, as the user would type it.
    pub command: String,
    /// Notable events listed per alert (`[report] notable`).
    pub notable: usize,
    /// Rows of each per-region table in the report (`[report] max_rows`).
    pub max_rows: usize,
    /// Whether the summary compares the year to date with the same days last year.
    pub year_to_date: bool,
    /// The space-time cluster scan (`[clusters]`), unless `[report] clusters = false`.
    pub clusters: Option<crate::clusters::ScanParams>,
    /// The most work ([`crate::clusters::estimated_work`]) the report's scan may take:
    /// [`defaults::REPORT_SCAN_WORK`] unless `[report] clusters = true` asks for it whatever
    /// it costs.
    pub clusters_work: f64,
}

impl Settings {
    /// `uptick series`.
    ///
    /// # Errors
    /// Invalid options (regular expressions, separators, date ranges).
    pub fn for_series(args: &SeriesArgs) -> Result<Settings> {
        let mut s = Settings::common(input_spec(&args.input, &InputConfig::default())?, None)?;
        s.output = args.output.clone();
        Ok(s)
    }

    /// `uptick detect`.
    ///
    /// # Errors
    /// Invalid input or detection options.
    pub fn for_detect(args: &DetectArgs) -> Result<Settings> {
        let mut s = Settings::common(
            input_spec(&args.input, &InputConfig::default())?,
            Some(&args.detection),
        )?;
        s.set_output(&args.output);
        s.charts.weeks = args.chart_weeks.unwrap_or(defaults::CHART_WEEKS).max(1);
        Ok(s)
    }

    /// `uptick compare`.
    ///
    /// # Errors
    /// Invalid input options or an alpha outside (0, 1).
    pub fn for_compare(args: &CompareArgs) -> Result<Settings> {
        let mut s = Settings::common(input_spec(&args.input, &InputConfig::default())?, None)?;
        let alpha = check_level("--alpha", args.alpha)?.unwrap_or(defaults::ALPHA);
        s.comparison = CompareSettings {
            period: args.period.clone().unwrap_or(defaults::PERIOD.into()),
            against: args.against.clone().unwrap_or(defaults::AGAINST.into()),
            test: args.test.unwrap_or(defaults::TEST),
            alpha,
        };
        s.set_output(&args.output);
        Ok(s)
    }

    /// `uptick clusters`: the common settings and the scan's.
    ///
    /// # Errors
    /// Invalid input or scan options.
    pub fn for_clusters(args: &ClustersArgs) -> Result<(Settings, crate::clusters::ScanParams)> {
        let scan = scan_params(&args.scan, &Default::default())?;
        let mut input = input_spec(&args.input, &InputConfig::default())?;
        // The scan needs each event of the study period with its coordinates.
        input.details = true;
        input.detail_weeks = scan.study_weeks as u64;
        let mut s = Settings::common(input, None)?;
        s.set_output(&args.output);
        Ok((s, scan))
    }

    /// `uptick evaluate`: the common settings and what to evaluate.
    ///
    /// # Errors
    /// Invalid input options, a level outside (0, 1), a rise factor below 1, zero weeks,
    /// copies or rise length, or a negative budget.
    pub fn for_evaluate(args: &EvaluateArgs) -> Result<(Settings, EvaluateSettings)> {
        let tuning = DetectionArgs {
            baseline_weeks: args.baseline_weeks,
            guard_weeks: args.guard_weeks,
            min_count: args.min_count,
            ..DetectionArgs::default()
        };
        let mut s = Settings::common(
            input_spec(&args.input, &InputConfig::default())?,
            Some(&tuning),
        )?;
        s.set_output(&args.output);
        let alphas = if args.alpha.is_empty() {
            defaults::EVALUATE_ALPHAS.to_vec()
        } else {
            args.alpha.clone()
        };
        for &a in &alphas {
            check_level("--alpha", Some(a))?;
        }
        let factors = if args.inject.is_empty() {
            vec![defaults::INJECT]
        } else {
            args.inject.clone()
        };
        if let Some(f) = factors.iter().find(|f| !(f.is_finite() && **f >= 1.0)) {
            return Err(Error::Usage(format!(
                "--inject {f}: a rise factor must be at least 1 (1 = no rise)"
            )));
        }
        let positive = |flag: &str, v: Option<usize>, default: usize| match v {
            Some(0) => Err(Error::Usage(format!("{flag} must be at least 1"))),
            other => Ok(other.unwrap_or(default)),
        };
        let budget = args.budget.unwrap_or(defaults::BUDGET);
        if !(budget.is_finite() && budget >= 0.0) {
            return Err(Error::Usage(format!(
                "--budget {budget} must be a number of alerts, 0 or more"
            )));
        }
        let evaluation = EvaluateSettings {
            methods: if args.methods.is_empty() {
                defaults::EVALUATE_METHODS.to_vec()
            } else {
                args.methods.clone()
            },
            alphas,
            factors,
            inject_weeks: positive("--inject-weeks", args.inject_weeks, defaults::INJECT_WEEKS)?,
            injections: args.injections.unwrap_or(defaults::INJECTIONS),
            weeks: positive("--weeks", args.weeks, defaults::EVALUATE_WEEKS)?,
            null_copies: positive("--null-copies", args.null_copies, defaults::NULL_COPIES)?,
            seed: args.seed.unwrap_or(defaults::SEED),
            budget,
            detection: s.detection.clone(),
        };
        Ok((s, evaluation))
    }

    /// The result file and the charts' directory and format, as given.
    fn set_output(&mut self, args: &OutputArgs) {
        self.output = args.output.clone();
        self.charts.dir = args.charts.clone();
        self.charts.format = args.chart_format;
    }

    fn common(input: InputSpec, detection: Option<&DetectionArgs>) -> Result<Settings> {
        Ok(Settings {
            input,
            detection: detection_params(
                detection.unwrap_or(&DetectionArgs::default()),
                &DetectConfig::default(),
            )?,
            comparison: CompareSettings {
                period: defaults::PERIOD.into(),
                against: defaults::AGAINST.into(),
                test: defaults::TEST,
                alpha: defaults::ALPHA,
            },
            charts: ChartSettings {
                dir: None,
                format: defaults::CHART_FORMAT,
                weeks: defaults::CHART_WEEKS,
            },
            output: PathBuf::from("-"),
        })
    }
}

impl ReportSettings {
    /// `uptick report`: flags over the config file (`config`, already read) over defaults.
    ///
    /// # Errors
    /// No input at all, or invalid options in either place.
    pub fn resolve(args: &ReportArgs, config: &Config) -> Result<ReportSettings> {
        let ci = &config.input;
        let demo = args.demo || (args.input.is_none() && ci.demo);
        let path = args.input.clone().or_else(|| ci.path.clone());
        if !demo && path.is_none() {
            return Err(Error::Usage(
                "no input: pass --input PATH, --demo, or a --config with [input] path or demo = true"
                    .into(),
            ));
        }
        let input = InputArgs {
            input: if demo { None } else { path },
            demo,
            read: args.read.clone(),
        };
        let detection = detection_params(&args.detection, &config.detect)?;
        let cc = &config.compare;
        let mut input = input_spec(&input, ci)?;
        // The notable events, the map, the drill-down and the drivers by actor need each
        // recent event's details; the cluster scan, for its whole study period.
        input.details = true;
        let clusters = if config.report.clusters.unwrap_or(true) {
            let p = scan_params(&crate::cli::ScanArgs::default(), &config.clusters)?;
            input.detail_weeks = p.study_weeks as u64;
            Some(p)
        } else {
            None
        };
        let run = Settings {
            input,
            comparison: CompareSettings {
                period: cc.period.clone().unwrap_or(defaults::PERIOD.into()),
                against: cc.against.clone().unwrap_or(defaults::AGAINST.into()),
                test: cc.test.unwrap_or(defaults::TEST),
                alpha: detection.level(),
            },
            detection,
            charts: ChartSettings {
                dir: None,
                format: args
                    .chart_format
                    .or(config.charts.format)
                    .unwrap_or(defaults::CHART_FORMAT),
                weeks: config
                    .charts
                    .weeks
                    .unwrap_or(defaults::CHART_WEEKS)
                    .max(defaults::MIN_REPORT_CHART_WEEKS),
            },
            output: PathBuf::from("-"),
        };
        Ok(ReportSettings {
            title: config.title.clone().unwrap_or_else(|| {
                if demo {
                    "Syria: weekly conflict events by governorate (UCDP GED demo data)".into()
                } else {
                    "Weekly incident report".into()
                }
            }),
            root: args
                .out
                .clone()
                .or_else(|| config.output.root.clone())
                .unwrap_or_else(|| PathBuf::from(defaults::REPORT_ROOT)),
            command: report_command(args),
            notable: config.report.notable.unwrap_or(defaults::NOTABLE),
            max_rows: config.report.max_rows.unwrap_or(defaults::MAX_ROWS).max(1),
            year_to_date: config.report.year_to_date.unwrap_or(true),
            clusters,
            clusters_work: if config.report.clusters == Some(true) {
                f64::INFINITY
            } else {
                defaults::REPORT_SCAN_WORK
            },
            run,
        })
    }
}

/// The command that reproduces a report run, as the user would type it (the flags given).
fn report_command(args: &ReportArgs) -> String {
    let mut command = String::from("uptick report");
    if let Some(c) = &args.config {
        command.push_str(&format!(" --config {}", c.display()));
    }
    if args.demo {
        command.push_str(" --demo");
    }
    if let Some(i) = &args.input {
        command.push_str(&format!(" --input {}", i.display()));
    }
    if let Some(a) = args.read.as_of {
        command.push_str(&format!(" --as-of {a}"));
    }
    if let Some(o) = &args.out {
        command.push_str(&format!(" --out {}", o.display()));
    }
    for (flag, value) in [
        ("--by", args.read.by.clone()),
        (
            "--metric",
            args.read.metric.map(|m| format!("{m:?}").to_lowercase()),
        ),
        (
            "--method",
            args.detection.method.map(|m| m.name().to_string()),
        ),
        ("--alpha", args.detection.alpha.map(|a| a.to_string())),
    ] {
        if let Some(v) = value {
            command.push_str(&format!(" {flag} {v}"));
        }
    }
    command
}

/// Checks a level flag lies in (0, 1).
fn check_level(flag: &str, value: Option<f64>) -> Result<Option<f64>> {
    match value {
        Some(a) if !(a > 0.0 && a < 1.0) => {
            Err(Error::Usage(format!("{flag} {a} must be between 0 and 1")))
        }
        other => Ok(other),
    }
}

/// Detection parameters: flags over the config's `[detect]` over defaults, validated.
///
/// # Errors
/// An alpha outside (0, 1), a negative floor or count, too short a baseline or window, a
/// CUSUM run length that would alarm every week.
pub fn detection_params(args: &DetectionArgs, config: &DetectConfig) -> Result<DetectParams> {
    let alpha = check_level("--alpha", args.alpha.or(config.alpha))?;
    let ears_alpha = check_level("--ears-alpha", args.ears_alpha.or(config.ears_alpha))?;
    let cusum_arl = args
        .cusum_arl
        .or(config.cusum_arl)
        .unwrap_or(defaults::CUSUM_ARL);
    // Below Siegmund's run length at h = 0 (about 2.1 weeks) every week would alarm.
    let shortest = cusum::in_control_arl(cusum::DEFAULT_K, 0.0).ceil();
    if !(cusum_arl >= shortest && cusum_arl.is_finite()) {
        return Err(Error::Usage(format!(
            "--cusum-arl {cusum_arl} must be at least {shortest} weeks"
        )));
    }
    let min_sigma = args
        .min_sigma
        .or(config.min_sigma)
        .unwrap_or(defaults::MIN_SIGMA);
    if min_sigma < 0.0 || min_sigma.is_nan() {
        return Err(Error::Usage("--min-sigma must be 0 or more".into()));
    }
    let min_count = args
        .min_count
        .or(config.min_count)
        .unwrap_or(defaults::MIN_COUNT);
    if min_count < 0.0 || min_count.is_nan() {
        return Err(Error::Usage("--min-count must be 0 or more".into()));
    }
    let baseline_weeks = args.baseline_weeks.or(config.baseline_weeks);
    if baseline_weeks.is_some_and(|b| b < 3) {
        return Err(Error::Usage("--baseline-weeks must be at least 3".into()));
    }
    let trend_weeks = args
        .trend_weeks
        .or(config.trend_weeks)
        .unwrap_or(defaults::TREND_WEEKS);
    if trend_weeks < 4 {
        return Err(Error::Usage("--trend-weeks must be at least 4".into()));
    }
    Ok(DetectParams {
        method: args.method.or(config.method).unwrap_or(Method::Auto),
        alpha,
        ears_alpha,
        cusum_arl,
        baseline_weeks,
        min_sigma,
        guard_weeks: args
            .guard_weeks
            .or(config.guard_weeks)
            .unwrap_or(defaults::GUARD_WEEKS),
        trend_weeks,
        min_count,
    })
}

/// The cluster scan's parameters: flags over the config's `[clusters]` over the defaults,
/// checked.
///
/// # Errors
/// A parameter out of range, naming its flag.
pub fn scan_params(
    args: &crate::cli::ScanArgs,
    config: &crate::config::ClustersConfig,
) -> Result<crate::clusters::ScanParams> {
    let d = crate::clusters::ScanParams::default();
    let p = crate::clusters::ScanParams {
        study_weeks: args
            .study_weeks
            .or(config.study_weeks)
            .unwrap_or(d.study_weeks),
        max_weeks: args.max_weeks.or(config.max_weeks).unwrap_or(d.max_weeks),
        max_radius_km: args
            .max_radius
            .or(config.max_radius)
            .unwrap_or(d.max_radius_km),
        replications: args
            .replications
            .or(config.replications)
            .unwrap_or(d.replications),
        seed: args.seed.or(config.seed).unwrap_or(d.seed),
        min_events: args
            .min_events
            .or(config.min_events)
            .unwrap_or(d.min_events),
        max_clusters: args
            .max_clusters
            .or(config.max_clusters)
            .unwrap_or(d.max_clusters),
    };
    p.validate().map_err(Error::Usage)?;
    Ok(p)
}

/// The input spec: flags (`input`) over the config's `[input]` over defaults, validated, with
/// today's date resolved when `--as-of` is not given (demo runs: the day after the data end).
///
/// # Errors
/// Invalid regular expressions, separators, filters or date ranges.
pub fn input_spec(input: &InputArgs, config: &InputConfig) -> Result<InputSpec> {
    let r: &ReadArgs = &input.read;
    let as_of = r.as_of.unwrap_or_else(|| {
        if input.demo {
            crate::demo::DEMO_AS_OF
                .parse()
                .expect("valid constant date")
        } else {
            chrono::Local::now().date_naive()
        }
    });
    let source = match &input.input {
        Some(path) => Source::File(path.clone()),
        None => crate::demo::demo_source(),
    };
    let text = |flag: &Option<String>, conf: &Option<String>| flag.clone().or_else(|| conf.clone());
    let list = |flag: &Vec<String>, conf: &Vec<String>| {
        if flag.is_empty() {
            conf.clone()
        } else {
            flag.clone()
        }
    };
    let delimiter = match text(&r.delimiter, &config.delimiter).as_deref() {
        None => None,
        Some("\\t") | Some("tab") => Some(b'\t'),
        Some(s) if s.len() == 1 => Some(s.as_bytes()[0]),
        Some(s) => {
            return Err(Error::Usage(format!(
                "--delimiter '{s}' must be one ASCII character (or \\t)"
            )))
        }
    };
    let actor = text(&r.actor, &config.actor)
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
    let filters = if r.filters.is_empty() {
        config
            .filters
            .iter()
            .map(|f| {
                f.parse::<WhereFilter>()
                    .map_err(|e| Error::Usage(format!("[input] where: {e}")))
            })
            .collect::<Result<Vec<_>>>()?
    } else {
        r.filters.clone()
    };
    let from = r.from.or(config.from);
    let to = r.to.or(config.to);
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(Error::Usage(format!("--from {from} is after --to {to}")));
        }
    }
    let mut spec = InputSpec::new(source, as_of);
    spec.format = r.format_in.or(config.format);
    spec.preset = r.preset.or(config.preset);
    spec.date_col = text(&r.date_col, &config.date_col);
    spec.week_col = text(&r.week_col, &config.week_col);
    spec.region_cols = list(&r.region_cols, &config.region_cols);
    spec.actor_cols = list(&r.actor_cols, &config.actor_cols);
    spec.weight_col = text(&r.weight_col, &config.weight_col);
    spec.id_col = text(&r.id_col, &config.id_col);
    spec.date_format = text(&r.date_format, &config.date_format);
    spec.no_header = r.no_header || config.no_header;
    spec.delimiter = delimiter;
    spec.filters = filters;
    spec.actor = actor;
    spec.from = from;
    spec.to = to;
    spec.country = text(&r.country, &config.country);
    spec.by = text(&r.by, &config.by);
    spec.metric = r.metric.or(config.metric).unwrap_or(defaults::METRIC);
    spec.week_start = r.week_start.or(config.week_start);
    spec.include_incomplete = r.include_incomplete;
    spec.unknown_day = r
        .unknown_day
        .or(config.unknown_day)
        .unwrap_or(defaults::UNKNOWN_DAY);
    spec.multi_day = r
        .multi_day
        .or(config.multi_day)
        .unwrap_or(defaults::MULTI_DAY);
    spec.strict = r.strict || config.strict;
    spec.max_rejected = r
        .max_rejected
        .or(config.max_rejected)
        .unwrap_or(defaults::MAX_REJECTED);
    if !(0.0..=1.0).contains(&spec.max_rejected) {
        return Err(Error::Usage(format!(
            "--max-rejected {} is not a share between 0 and 1",
            spec.max_rejected
        )));
    }
    spec.series_start = r
        .series_start
        .or(config.series_start)
        .unwrap_or(defaults::SERIES_START);
    Ok(spec)
}

#[cfg(test)]
mod tests;
