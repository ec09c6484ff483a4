//! JSON documents: the series, findings and comparisons with their context, in one schema
//! (`docs/uptick.schema.json`, version [`SCHEMA_VERSION`]).
//!
//! Every document has `schema_version` and `kind` (`series`, `findings`, `comparison`,
//! `report`). A finding and a comparison are the same record wherever they appear (`detect`,
//! `compare` and `report.json`): the fields are the CSV columns of the same name, the region
//! is an object from region column to name, numbers are full precision, and a value that is
//! undefined or infinite (a ratio over a zero baseline, an unbounded interval) is `null`.

use serde_json::{json, Map, Value};

use crate::compare::{Comparison, ComparisonSetup};
use crate::detect::Finding;
use crate::error::Result;
use crate::ingest::Quality;
use crate::model::SeriesSet;

use super::{json_bytes, series_header, series_rows};

/// The version of the JSON schema; raised when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 2;

/// A finite number, or `null`.
fn num(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite())
        .map_or(Value::Null, |v| json!(v))
}

/// The region as an object from region column to name (empty for a totals row).
pub fn region_object(region_columns: &[String], region: &[String]) -> Value {
    Value::Object(
        region_columns
            .iter()
            .cloned()
            .zip(region.iter().map(|r| Value::String(r.clone())))
            .collect(),
    )
}

/// The document envelope: version, kind, then `fields`.
pub fn document(kind: &str, fields: Value) -> Value {
    let mut doc = Map::new();
    doc.insert("schema_version".into(), json!(SCHEMA_VERSION));
    doc.insert("kind".into(), json!(kind));
    if let Value::Object(f) = fields {
        doc.extend(f);
    }
    Value::Object(doc)
}

/// One finding (schema `$defs/finding`).
pub fn finding_record(f: &Finding, region_columns: &[String], measure: &str) -> Value {
    let j = &f.judgement;
    json!({
        "week_start": f.week_start,
        "region": region_object(region_columns, &f.region),
        "observed": j.observed,
        "expected": num(j.expected),
        "upperbound": num(j.upperbound),
        "pvalue": num(j.pvalue),
        "qvalue": num(f.qvalue),
        "alarm": f.alarm,
        "method": f.method.name(),
        "ratio": num(f.ratio),
        "statistic": num(j.statistic),
        "statistic_name": f.method.statistic_name(),
        "weeks_in_row": f.weeks_in_row,
        "began": f.began,
        "reason": f.reason,
        "note": j.note,
        "recent_events": f.recent_events,
        "measure": measure,
    })
}

/// One comparison row (schema `$defs/comparison`).
pub fn comparison_record(c: &Comparison, region_columns: &[String]) -> Value {
    let rate = |x: f64, w: f64| num((w > 0.0).then(|| x / w));
    json!({
        "region": region_object(region_columns, &c.region),
        "count": c.count,
        "count_against": c.count_against,
        "weeks": c.weeks,
        "weeks_against": c.weeks_against,
        "rate_per_week": rate(c.count, c.weeks),
        "rate_per_week_against": rate(c.count_against, c.weeks_against),
        "rate_ratio": num(c.test.rate_ratio),
        "ci_low": num(Some(c.test.ci_low)),
        "ci_high": num(Some(c.test.ci_high)),
        "p_two_sided": num(Some(c.test.p_two_sided)),
        "p_increase": num(Some(c.test.p_greater)),
        "qvalue": num(c.qvalue),
        "dispersion": num(c.test.dispersion),
        "rate_change_per_week": num(Some(c.rate_change)),
        "percent_change": num(c.percent_change),
        "verdict": c.verdict,
    })
}

/// What every comparison document says about the test (schema `$defs/comparison_setup`).
pub fn comparison_setup(setup: &ComparisonSetup, unit: &str) -> Value {
    json!({
        "period": setup.period,
        "against": setup.against,
        "weeks": setup.period.days() as f64 / 7.0,
        "weeks_against": setup.against.days() as f64 / 7.0,
        "unit": unit,
        "test": setup.test.name(),
        "test_description": setup.test.description(),
        "alpha": setup.alpha,
        "ci_level": setup.level(),
    })
}

/// The series table as JSON: `{schema_version, kind, week_start_day, region_columns, rows,
/// quality}`.
pub fn series_json(set: &SeriesSet, quality: &Quality) -> Result<Vec<u8>> {
    let cols = series_header(set);
    let numeric_from = cols
        .iter()
        .position(|c| c == "events")
        .unwrap_or(cols.len());
    let rows: Vec<Value> = series_rows(set)
        .map(|row| {
            let mut obj = Map::new();
            for (i, (name, cell)) in cols.iter().zip(row).enumerate() {
                let v = if i >= numeric_from {
                    cell.parse::<f64>()
                        .map_or(Value::String(cell.clone()), |x| json!(x))
                } else {
                    Value::String(cell)
                };
                obj.insert(name.clone(), v);
            }
            Value::Object(obj)
        })
        .collect();
    let doc = document(
        "series",
        json!({
            "week_start_day": set.week_start,
            "region_columns": set.region_columns,
            "weeks": set.weeks.len(),
            "regions": set.series.len(),
            "rows": rows,
            "quality": quality,
        }),
    );
    json_bytes(&doc)
}

/// Findings as JSON, after the run's `context` (an object).
pub fn findings_json(
    findings: &[Finding],
    region_columns: &[String],
    measure: &str,
    context: Value,
) -> Result<Vec<u8>> {
    let mut doc = document("findings", context);
    doc["region_columns"] = json!(region_columns);
    doc["findings"] = findings
        .iter()
        .map(|f| finding_record(f, region_columns, measure))
        .collect();
    json_bytes(&doc)
}

/// The comparison as JSON.
pub fn comparison_json(
    rows: &[Comparison],
    total: &Comparison,
    region_columns: &[String],
    setup: &ComparisonSetup,
    unit: &str,
) -> Result<Vec<u8>> {
    let mut doc = document("comparison", comparison_setup(setup, unit));
    doc["region_columns"] = json!(region_columns);
    doc["regions"] = rows
        .iter()
        .map(|c| comparison_record(c, region_columns))
        .collect();
    doc["total"] = comparison_record(total, region_columns);
    json_bytes(&doc)
}
