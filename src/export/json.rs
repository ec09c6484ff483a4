//! JSON documents: the series, findings and comparisons with their context.

use serde_json::{json, Map, Value};

use crate::compare::{Comparison, ComparisonSetup};
use crate::detect::Finding;
use crate::error::Result;
use crate::ingest::Quality;
use crate::model::SeriesSet;

use super::{json_bytes, series_header, series_rows};

/// The series table as JSON: `{week_start_day, region_columns, rows: [...], quality}`.
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
    let doc = json!({
        "week_start_day": set.week_start,
        "region_columns": set.region_columns,
        "weeks": set.weeks.len(),
        "regions": set.series.len(),
        "rows": rows,
        "quality": quality,
    });
    json_bytes(&doc)
}

/// Findings as JSON, with the run's context.
pub fn findings_json(
    findings: &[Finding],
    region_columns: &[String],
    context: Value,
) -> Result<Vec<u8>> {
    let rows: Vec<Value> = findings
        .iter()
        .map(|f| {
            let j = &f.judgement;
            let num = |x: Option<f64>| x.filter(|v| v.is_finite()).map_or(Value::Null, |v| json!(v));
            let region: Map<String, Value> =
                region_columns.iter().cloned().zip(f.region.iter().map(|r| Value::String(r.clone()))).collect();
            json!({
                "week_start": f.week_start,
                "region": region,
                "observed": j.observed,
                "expected": num(j.expected),
                "upperbound": num(j.upperbound),
                "pvalue": num(j.pvalue),
                "qvalue": num(f.qvalue),
                "alarm": f.alarm,
                "method": f.method.name(),
                "ratio": f.ratio.map_or(Value::Null, |r| if r.is_infinite() { json!("inf") } else { json!(r) }),
                "statistic": num(j.statistic),
                "statistic_name": f.method.statistic_name(),
                "weeks_in_row": f.weeks_in_row,
                "began": f.began,
                "reason": f.reason,
            })
        })
        .collect();
    let mut doc = context;
    doc["findings"] = Value::Array(rows);
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
    let num = |x: f64| {
        if x.is_finite() {
            json!(x)
        } else if x > 0.0 {
            json!("inf")
        } else {
            Value::Null
        }
    };
    let row = |c: &Comparison| {
        let region: Map<String, Value> = region_columns
            .iter()
            .cloned()
            .zip(c.region.iter().map(|r| Value::String(r.clone())))
            .collect();
        let rate = |x: f64, w: f64| if w > 0.0 { json!(x / w) } else { Value::Null };
        json!({
            "region": region,
            "count": c.count,
            "count_against": c.count_against,
            "weeks": c.weeks,
            "weeks_against": c.weeks_against,
            "rate_per_week": rate(c.count, c.weeks),
            "rate_per_week_against": rate(c.count_against, c.weeks_against),
            "rate_ratio": c.test.rate_ratio.map_or(Value::Null, num),
            "ci": [num(c.test.ci_low), num(c.test.ci_high)],
            "p_two_sided": c.test.p_two_sided,
            "p_increase": c.test.p_greater,
            "qvalue": c.qvalue,
            "dispersion": c.test.dispersion,
            "rate_change_per_week": c.rate_change,
            "percent_change": c.percent_change,
            "verdict": c.verdict,
        })
    };
    let doc = json!({
        "period": setup.period,
        "against": setup.against,
        "weeks": setup.period.days() as f64 / 7.0,
        "weeks_against": setup.against.days() as f64 / 7.0,
        "unit": unit,
        "test": setup.test.name(),
        "test_description": setup.test.description(),
        "alpha": setup.alpha,
        "ci_level": setup.level(),
        "regions": rows.iter().map(row).collect::<Vec<_>>(),
        "total": row(total),
    });
    json_bytes(&doc)
}
