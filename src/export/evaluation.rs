//! `uptick evaluate`'s results as CSV, JSON (`kind: "evaluation"`), a terminal table and
//! markdown: one row per method × alpha × rise size, the same columns everywhere, then the
//! recommendation in words.

use serde_json::json;

use crate::error::Result;
use crate::evaluate::{EvalRow, Evaluation};
use crate::format::{format_full, format_stat};

use super::csv::write_csv;
use super::json::document;
use super::json_bytes;
use super::markdown::{table, Align};

/// The columns, in order (the JSON record's fields).
pub const COLUMNS: [&str; 14] = [
    "method",
    "alpha",
    "inject_factor",
    "inject_weeks",
    "alarms_per_region_year_real",
    "alarm_share_real",
    "false_alarms_per_region_year_null",
    "weeks_with_any_alarm_null",
    "alarms_per_week_p95_null",
    "sensitivity",
    "sensitivity_excess",
    "median_delay_weeks",
    "p90_delay_weeks",
    "injections",
];

fn cells(r: &EvalRow, number: fn(Option<f64>) -> String) -> Vec<String> {
    vec![
        r.method.name().to_string(),
        number(Some(r.alpha)),
        number(Some(r.inject_factor)),
        r.inject_weeks.to_string(),
        number(Some(r.alarms_per_region_year_real)),
        number(Some(r.alarm_share_real)),
        number(Some(r.false_alarms_per_region_year_null)),
        number(Some(r.weeks_with_any_alarm_null)),
        number(Some(r.alarms_per_week_p95_null)),
        number(r.sensitivity),
        number(r.sensitivity_excess),
        number(r.median_delay_weeks),
        number(r.p90_delay_weeks),
        r.injections.to_string(),
    ]
}

/// CSV, full precision.
pub fn evaluation_csv(e: &Evaluation) -> Result<Vec<u8>> {
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    write_csv(&header, e.results.iter().map(|r| cells(r, format_full)))
}

/// JSON: the run's `context` (input, settings), the rows and the recommendation.
pub fn evaluation_json(e: &Evaluation, context: serde_json::Value) -> Result<Vec<u8>> {
    let mut doc = document("evaluation", context);
    doc["weeks_judged"] = json!(e.weeks_judged);
    doc["regions"] = json!(e.regions);
    doc["results"] = json!(e.results);
    doc["recommendation"] = json!(e.recommendation);
    json_bytes(&doc)
}

fn rounded(e: &Evaluation) -> Vec<Vec<String>> {
    e.results.iter().map(|r| cells(r, format_stat)).collect()
}

const SHORT: [&str; 14] = [
    "method",
    "alpha",
    "rise",
    "weeks",
    "alarms/region-yr (real)",
    "share (real)",
    "false alarms/region-yr",
    "weeks any alarm",
    "p95 alarms/week",
    "sensitivity",
    "excess",
    "median delay",
    "p90 delay",
    "rises",
];

/// A table for the terminal, then the recommendation.
pub fn evaluation_table(e: &Evaluation) -> String {
    let mut rows = vec![SHORT.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    rows.extend(rounded(e));
    format!(
        "{} regions, last {} weeks judged; null = simulated with no rise, rises injected into the real series\n{}\n{}\n",
        e.regions,
        e.weeks_judged,
        super::table::align(&rows, |i| i != 0),
        e.recommendation.text
    )
}

/// A markdown section.
pub fn evaluation_markdown(e: &Evaluation) -> String {
    let align: Vec<Align> = (0..SHORT.len())
        .map(|i| if i == 0 { Align::Left } else { Align::Right })
        .collect();
    format!(
        "## How the methods perform on these data\n\n{}\n\n{}\n{} regions, last {} weeks judged.\n",
        e.recommendation.text,
        table(&SHORT, &align, &rounded(e)),
        e.regions,
        e.weeks_judged
    )
}
