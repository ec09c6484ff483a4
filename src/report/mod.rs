//! Report: a [`ReportModel`] of already-decided content (findings, comparison, drivers, data
//! notes, methods), built from the results ([`build`]) with the previous report's history
//! ([`history`]), laid out as markdown ([`markdown`]) and published safely ([`publish`]).
//! `report.json` is the model itself.

pub mod archive;
pub mod build;
pub mod history;
pub mod html;
pub mod json;
pub mod markdown;
pub mod publish;
pub mod tables;

use chrono::NaiveDate;
use serde::Serialize;

use crate::compare::{Comparison, Period};
use crate::detect::Finding;
use crate::format::{format_number, format_stat};
use crate::ingest::Quality;

/// One alarming region in the alerts table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Region names, coarse to fine.
    pub region: Vec<String>,
    /// Display name.
    pub name: String,
    /// Observed this week.
    pub observed: f64,
    /// Expected.
    pub expected: Option<f64>,
    /// Upper bound.
    pub upperbound: Option<f64>,
    /// Ratio observed/expected.
    pub ratio: Option<f64>,
    /// p-value.
    pub pvalue: Option<f64>,
    /// q-value.
    pub qvalue: Option<f64>,
    /// Weeks in a row above the bound.
    pub weeks_in_row: usize,
    /// Method.
    pub method: String,
    /// "new" or "continuing" against the previous report.
    pub status: String,
    /// Relative path of its trend chart.
    pub chart: Option<String>,
}

/// A category's contribution to an alarming region's excess.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverItem {
    /// Event type (or other category).
    pub category: String,
    /// Observed this week.
    pub observed: f64,
    /// Expected from the region's expected value and the category's share of the baseline.
    pub expected: f64,
    /// observed − expected.
    pub excess: f64,
}

/// What drove one region's rise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drivers {
    /// Display name.
    pub name: String,
    /// The column the categories come from.
    pub column: String,
    /// Categories, largest excess first.
    pub items: Vec<DriverItem>,
}

/// One notable event, as the source describes it (raw text: layouts escape it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotableEvent {
    /// Its day.
    pub date: NaiveDate,
    /// Its region's display name.
    pub region: String,
    /// The finest place name the data give.
    pub place: Option<String>,
    /// Its event type, in words.
    pub event_type: Option<String>,
    /// Actors named (at most three, then "N more").
    pub actors: Vec<String>,
    /// Fatalities (`None`: unknown, or the data have no fatality column).
    pub fatalities: Option<f64>,
    /// The source's one-line description, shortened.
    pub description: Option<String>,
}

/// The notable events of one alert (or of all regions when nothing alarmed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotableSection {
    /// The alerting region's display name; `None`: all regions.
    pub name: Option<String>,
    /// First day of the week.
    pub week: NaiveDate,
    /// Events in that week (of which `events` are the most notable).
    pub total: usize,
    /// Most deadly first.
    pub events: Vec<NotableEvent>,
}

/// This year so far against the same days of last year, all regions together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearToDate {
    /// 1 January to the end of the report week.
    pub period: Period,
    /// The same days a year earlier.
    pub against: Period,
    /// The comparison of all regions together (same test as the period comparison).
    pub total: Comparison,
    /// The sentence the summary ends with.
    pub sentence: String,
}

/// A week whose count changed since the previous report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// Display name.
    pub name: String,
    /// The week.
    pub week: NaiveDate,
    /// Count in the previous report.
    pub before: f64,
    /// Count now.
    pub now: f64,
}

/// An input file and its checksum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputFile {
    /// Name as given.
    pub name: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// The comparison section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonSection {
    /// Period of interest.
    pub period: Period,
    /// Comparison period.
    pub against: Period,
    /// The test's name (`quasi-poisson`, `exact-poisson`).
    pub test: String,
    /// The test in words.
    pub test_description: String,
    /// Confidence level of the intervals.
    pub ci_level: f64,
    /// Per region, most significant first.
    pub regions: Vec<Comparison>,
    /// Each region's display name, in the order of `regions`.
    #[serde(skip)]
    pub names: Vec<String>,
    /// All regions together.
    pub total: Comparison,
    /// Chart path.
    pub chart: Option<String>,
}

/// The space-time clusters section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClustersSection {
    /// What was scanned, in one sentence.
    pub summary: String,
    /// The unusual clusters (p ≤ 0.05) in plain words, each saying whether a region it touches
    /// alarmed.
    pub sentences: Vec<String>,
    /// Every reported cluster as a table.
    #[serde(skip)]
    pub table: crate::export::DisplayTable,
    /// The notable events of each unusual cluster, in the order of `sentences`.
    pub notable: Vec<Vec<NotableEvent>>,
    /// The scan as `uptick clusters --format json` writes it.
    #[serde(flatten)]
    pub scan: serde_json::Value,
}

/// Everything the report says, decided and formatted once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportModel {
    /// Title.
    pub title: String,
    /// The as-of date.
    pub as_of: NaiveDate,
    /// First day of the judged week.
    pub week: NaiveDate,
    /// Week label (directory name), e.g. 2019-W48.
    pub week_label: String,
    /// The data source in words.
    pub source: String,
    /// Unit of the measure ("events").
    pub unit: String,
    /// The region columns, coarse to fine (the keys of each record's `region`).
    pub region_columns: Vec<String>,
    /// Number of regions judged.
    pub regions_judged: usize,
    /// The opening paragraph.
    pub summary: String,
    /// The strongest findings as sentences.
    pub highlights: Vec<String>,
    /// Alerts this week.
    pub alerts: Vec<Alert>,
    /// Regions that alarmed in the previous report but not now.
    pub ended: Vec<String>,
    /// Week label of the previous report, if any.
    pub previous_report: Option<String>,
    /// Overview chart path.
    pub overview_chart: Option<String>,
    /// Heat map path.
    pub heatmap_chart: Option<String>,
    /// The period comparison.
    pub comparison: ComparisonSection,
    /// Drivers of each alert.
    pub drivers: Vec<Drivers>,
    /// The column drivers break alerts down by (`None`: the input has no event-type column).
    pub drivers_column: Option<String>,
    /// Which actors' events drove each alert (empty: no actor columns, or no alert).
    pub actor_drivers: Vec<Drivers>,
    /// The sub-regions that made each alert's excess (empty: no finer level, or no alert).
    pub drilldown: Vec<Drivers>,
    /// The notable events of each alert, or of the week when nothing alarmed.
    pub notable: Vec<NotableSection>,
    /// What the data lack for the notable events (e.g. "no `notes` column").
    pub notable_missing: Vec<String>,
    /// The event map (the report week and the three before it).
    pub map_chart: Option<String>,
    /// The space-time clusters (where the data have coordinates and the scan is on).
    pub clusters: Option<ClustersSection>,
    /// The year to date against the same days last year.
    pub year_to_date: Option<YearToDate>,
    /// Rows shown in each per-region table (the CSV files beside the report have all).
    pub max_rows: usize,
    /// The alarm rule's minimum of recent events (for the region accounting).
    pub min_count: f64,
    /// Inputs with checksums.
    pub inputs: Vec<InputFile>,
    /// Data quality ledger.
    pub quality: Quality,
    /// Regions without enough history for their method this week.
    pub short_history: Vec<String>,
    /// Data revisions since the previous report.
    pub revisions: Vec<Revision>,
    /// Other notes (e.g. data ending before the as-of week).
    pub notes: Vec<String>,
    /// Method and parameters, as `name = value` lines.
    pub parameters: Vec<(String, String)>,
    /// uptick's version.
    pub version: String,
    /// The command that reproduces this report.
    pub command: String,
    /// Every region's verdict this week.
    pub findings: Vec<Finding>,
}

/// The comparison rows a report shows (indices into `regions`): the regions that changed
/// significantly, then those whose change is significant on its own but not across the
/// regions (in the comparison's order, by q and p), then the largest by count (both periods
/// together), at most `max`; and how many are left out (they are in `comparison.csv`).
pub fn shown_comparisons(regions: &[Comparison], max: usize) -> (Vec<usize>, usize) {
    use crate::compare::Verdict;
    let rank = |c: &Comparison| match c.verdict {
        v if v.significant() => 0,
        Verdict::UpNotSignificant | Verdict::DownNotSignificant => 1,
        _ => 2,
    };
    let mut rest: Vec<usize> = (0..regions.len())
        .filter(|&k| rank(&regions[k]) == 2)
        .collect();
    rest.sort_by(|&a, &b| {
        let (a, b) = (&regions[a], &regions[b]);
        (b.count + b.count_against)
            .total_cmp(&(a.count + a.count_against))
            .then(a.region.cmp(&b.region))
    });
    let shown: Vec<usize> = (0..regions.len())
        .filter(|&k| rank(&regions[k]) == 0)
        .chain((0..regions.len()).filter(|&k| rank(&regions[k]) == 1))
        .chain(rest)
        .take(max)
        .collect();
    let more = regions.len() - shown.len();
    (shown, more)
}

/// What became of every region this week: counted once for the summary and the data notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionCounts {
    /// Regions with a finding this week.
    pub total: usize,
    /// Judged by their method.
    pub judged: usize,
    /// Not judged: too short a history for the method.
    pub short: usize,
    /// Not judged for other reasons.
    pub other: usize,
    /// Judged, but with fewer recent events than the alarm rule's minimum.
    pub few: usize,
}

impl RegionCounts {
    /// Counts `findings` (one per region) against the alarm rule's minimum of recent events.
    pub fn of(findings: &[Finding], min_count: f64) -> RegionCounts {
        let total = findings.len();
        let short = findings
            .iter()
            .filter(|f| f.reason.is_short_history())
            .count();
        let not_judged = findings
            .iter()
            .filter(|f| f.judgement.note.is_some())
            .count();
        let few = findings
            .iter()
            .filter(|f| f.judgement.note.is_none() && f.recent_events < min_count)
            .count();
        RegionCounts {
            total,
            judged: total - not_judged,
            short,
            other: not_judged.saturating_sub(short),
            few,
        }
    }
}

/// Fatalities as a table cell: the number, or "?" when unknown.
pub fn fatalities_cell(f: Option<f64>) -> String {
    f.map_or("?".into(), format_number)
}

/// "second", "third", ... for weeks in a row.
pub fn ordinal(n: usize) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        4 => "fourth".into(),
        5 => "fifth".into(),
        6 => "sixth".into(),
        7 => "seventh".into(),
        8 => "eighth".into(),
        9 => "ninth".into(),
        10 => "tenth".into(),
        n => format!("{n}th"),
    }
}

/// "q < 0.001" or "q = 0.012".
pub fn q_phrase(q: Option<f64>) -> String {
    match q {
        Some(q) if q < 0.001 => "q below 0.001".into(),
        Some(q) => format!("q = {}", format_stat(Some(q))),
        None => "no p-value for this method".into(),
    }
}

/// The sentence for one alert: "Deir ez Zor: 23 events in the week of 2019-04-06, 2.9× the
/// expected 7.9 (q < 0.001); third week in a row above threshold."
pub fn alert_sentence(a: &Alert, week: NaiveDate, unit: &str) -> String {
    let ratio = match a.ratio {
        Some(r) if r.is_infinite() => ", where none were expected".to_string(),
        Some(r) => format!(
            ", {:.1}× the expected {}",
            r,
            format_stat(a.expected.map(|e| (e * 10.0).round() / 10.0))
        ),
        None => String::new(),
    };
    let streak = if a.weeks_in_row >= 2 {
        format!(
            "; {} week in a row above threshold",
            ordinal(a.weeks_in_row)
        )
    } else {
        String::new()
    };
    format!(
        "{}: {} {unit} in the week of {week}{ratio} ({}){streak}.",
        a.name,
        format_number(a.observed),
        q_phrase(a.qvalue)
    )
}
