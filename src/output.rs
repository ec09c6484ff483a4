//! Writing results: atomic file writes, CSV cells safe to open in a spreadsheet, and the
//! `uptick series` table in CSV, JSON and Parquet.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::{json, Map, Value};

use crate::compare::{Comparison, ComparisonSetup};
use crate::detect::Finding;
use crate::error::{Error, Result};
use crate::ingest::Quality;
use crate::model::{iso_week_label, SeriesSet, WeekStart};
use crate::report::markdown;

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, then a rename,
/// so a killed run never leaves a half-written file. `-` writes to stdout.
///
/// # Errors
/// The directory is missing or not writable, or the disk is full.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return match out.write_all(bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            }),
        };
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp: PathBuf = dir.join(format!(".{name}.uptick-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Write {
            path: path.to_path_buf(),
            source,
        });
    }
    Ok(())
}

/// Makes a text cell safe for spreadsheets: a value that starts like a formula (`=`, `+`, `-`,
/// `@`, tab, carriage return) gets a leading apostrophe (OWASP "CSV injection").
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Formats a count: integers without decimals, others with up to 6 significant decimals.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The columns of the series table, in order.
fn header(set: &SeriesSet) -> Vec<String> {
    let mut cols = vec!["week_start".to_string()];
    if set.week_start == WeekStart::Mon {
        cols.push("iso_week".into());
    }
    cols.extend(set.region_columns.iter().cloned());
    cols.push("events".into());
    if set.series.first().is_some_and(|s| s.fatalities.is_some()) {
        cols.push("fatalities".into());
    }
    if let Some(w) = &set.weight_name {
        cols.push(w.clone());
    }
    cols
}

/// Rows of the series table as text cells (region names unescaped): each region from the
/// week its series starts (its coverage) to the last week.
fn rows(set: &SeriesSet) -> impl Iterator<Item = Vec<String>> + '_ {
    set.series.iter().flat_map(move |s| {
        set.weeks
            .iter()
            .enumerate()
            .skip(s.start)
            .map(move |(i, week)| {
                let mut row = vec![week.to_string()];
                if set.week_start == WeekStart::Mon {
                    row.push(iso_week_label(*week));
                }
                row.extend(s.region.iter().cloned());
                row.push(format_number(s.events[i]));
                if let Some(f) = &s.fatalities {
                    row.push(format_number(f[i]));
                }
                if let Some(w) = &s.weight {
                    row.push(format_number(w[i]));
                }
                row
            })
    })
}

/// Writes a header and rows as CSV, every cell made spreadsheet-safe with [`csv_safe`]. The
/// one place uptick writes CSV.
fn write_csv(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>> {
    let to_err = |e: csv::Error| Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(to_err)?;
    for row in rows {
        w.write_record(row.iter().map(|c| csv_safe(c).into_owned()))
            .map_err(to_err)?;
    }
    w.into_inner().map_err(|e| Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// The series table as CSV.
pub fn series_csv(set: &SeriesSet) -> Result<Vec<u8>> {
    write_csv(&header(set), rows(set))
}

/// The series table as JSON: `{week_start_day, region_columns, rows: [...], quality}`.
pub fn series_json(set: &SeriesSet, quality: &Quality) -> Result<Vec<u8>> {
    let cols = header(set);
    let numeric_from = cols
        .iter()
        .position(|c| c == "events")
        .unwrap_or(cols.len());
    let rows: Vec<Value> = rows(set)
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
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| Error::Write {
        path: "-".into(),
        source: e.into(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The series table as Parquet (week_start as a date column).
pub fn series_parquet(set: &SeriesSet) -> Result<Vec<u8>> {
    let cols = header(set);
    let table: Vec<Vec<String>> = rows(set).collect();
    let numeric_from = cols
        .iter()
        .position(|c| c == "events")
        .unwrap_or(cols.len());
    let mut columns = Vec::with_capacity(cols.len());
    for (i, name) in cols.iter().enumerate() {
        let column = if i == 0 {
            let days: Vec<i32> = table
                .iter()
                .map(|r| {
                    let d = chrono::NaiveDate::parse_from_str(&r[0], "%Y-%m-%d")
                        .expect("week_start is ISO");
                    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid")).num_days()
                        as i32
                })
                .collect();
            Column::new(name.as_str().into(), days)
                .cast(&DataType::Date)
                .map_err(Error::polars("building the Parquet table"))?
        } else if i >= numeric_from {
            Column::new(
                name.as_str().into(),
                table
                    .iter()
                    .map(|r| r[i].parse::<f64>().unwrap_or(0.0))
                    .collect::<Vec<_>>(),
            )
        } else {
            Column::new(
                name.as_str().into(),
                table.iter().map(|r| r[i].clone()).collect::<Vec<_>>(),
            )
        };
        columns.push(column);
    }
    let mut frame = DataFrame::new_infer_height(columns)
        .map_err(Error::polars("building the Parquet table"))?;
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .finish(&mut frame)
        .map_err(Error::polars("writing Parquet"))?;
    Ok(buf)
}

/// Formats a statistic for tables and CSV: 4 significant digits in plain notation where
/// that reads well, scientific below 1e-4; `inf` for infinity, empty for none.
pub fn format_stat(x: Option<f64>) -> String {
    match x {
        None => String::new(),
        Some(v) if v.is_infinite() => {
            if v > 0.0 {
                "inf".into()
            } else {
                "-inf".into()
            }
        }
        Some(v) if v.is_nan() => String::new(),
        Some(0.0) => "0".into(),
        Some(v) if v.abs() < 1e-4 => format!("{v:.3e}"),
        Some(v) if v.abs() >= 1000.0 => format!("{v:.1}"),
        Some(v) => {
            let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
            let s = format!("{v:.digits$}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        }
    }
}

/// Column names of the findings table.
fn findings_header(region_columns: &[String], measure: &str) -> Vec<String> {
    let mut h = vec!["week_start".to_string()];
    h.extend(region_columns.iter().cloned());
    for c in [
        "observed",
        "expected",
        "upperbound",
        "pvalue",
        "qvalue",
        "alarm",
        "method",
        "ratio",
        "statistic",
        "statistic_name",
        "weeks_in_row",
        "began",
        "reason",
        "measure",
    ] {
        h.push(c.into());
    }
    let _ = measure;
    h
}

fn finding_cells(f: &Finding, measure: &str) -> Vec<String> {
    let j = &f.judgement;
    let mut row = vec![f.week_start.to_string()];
    row.extend(f.region.iter().cloned());
    row.extend([
        format_number(j.observed),
        format_stat(j.expected),
        format_stat(j.upperbound),
        format_stat(j.pvalue),
        format_stat(f.qvalue),
        u8::from(f.alarm).to_string(),
        f.method.name().to_string(),
        format_stat(f.ratio),
        format_stat(j.statistic),
        f.method.statistic_name().to_string(),
        f.weeks_in_row.to_string(),
        f.began.map(|d| d.to_string()).unwrap_or_default(),
        f.reason.clone(),
        measure.to_string(),
    ]);
    row
}

/// Findings as CSV, in the order given.
pub fn findings_csv(
    findings: &[Finding],
    region_columns: &[String],
    measure: &str,
) -> Result<Vec<u8>> {
    write_csv(
        &findings_header(region_columns, measure),
        findings.iter().map(|f| finding_cells(f, measure)),
    )
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
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| Error::Write {
        path: "-".into(),
        source: e.into(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Shortens a name to `max` characters with an ellipsis, on a character boundary.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Findings as a plain-text table for the terminal (control characters in names replaced).
pub fn findings_table(findings: &[Finding], measure: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    };
    let header = [
        "region", "week", "observed", "expected", "upper", "ratio", "p", "q", "alarm", "in row",
        "method", "why",
    ];
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            let j = &f.judgement;
            vec![
                ellipsize(&clean(&f.region.join(" / ")), 40),
                f.week_start.to_string(),
                format_number(j.observed),
                format_stat(j.expected),
                format_stat(j.upperbound),
                format_stat(f.ratio).replace("inf", "∞"),
                format_stat(j.pvalue),
                format_stat(f.qvalue),
                if f.alarm {
                    "ALARM".into()
                } else {
                    String::new()
                },
                if f.weeks_in_row > 0 {
                    f.weeks_in_row.to_string()
                } else {
                    String::new()
                },
                f.method.name().into(),
                clean(&f.reason),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - c.chars().count();
            let right = (2..=7).contains(&i);
            if i > 0 {
                s.push_str("  ");
            }
            if right {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let alarms = findings.iter().filter(|f| f.alarm).count();
    let mut out = format!(
        "{alarms} alarm(s) among {} judgement(s); observed and expected are {measure} per week; p is one-sided (a rise), q adjusts p across regions (Benjamini-Hochberg)\n",
        findings.len()
    );
    out.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

fn region_label(c: &Comparison) -> String {
    if c.region.is_empty() {
        "All regions".into()
    } else {
        c.region.join(" / ")
    }
}

/// Text cells of one comparison row (region excluded).
fn comparison_cells(c: &Comparison) -> Vec<String> {
    let t = &c.test;
    vec![
        format_number(c.count),
        format_number(c.count_against),
        format_stat((c.weeks > 0.0).then(|| c.count / c.weeks)),
        format_stat((c.weeks_against > 0.0).then(|| c.count_against / c.weeks_against)),
        format_stat(t.rate_ratio),
        format_stat(Some(t.ci_low)),
        format_stat(Some(t.ci_high)),
        format_stat(Some(t.p_two_sided)),
        format_stat(Some(t.p_greater)),
        format_stat(c.qvalue),
        format_stat(Some(c.rate_change)),
        c.percent_change
            .map_or_else(|| "n/a".into(), |p| format!("{p:+.0}%")),
        c.verdict.words().into(),
        format_stat(t.dispersion),
    ]
}

const COMPARISON_COLUMNS: [&str; 17] = [
    "count",
    "count_against",
    "rate_per_week",
    "rate_per_week_against",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "p_two_sided",
    "p_increase",
    "qvalue",
    "rate_change_per_week",
    "percent_change",
    "verdict",
    "dispersion",
    "ci_level",
    "weeks",
    "test",
];

/// The comparison as CSV: one row per region, then the totals row (region columns "ALL").
/// Every row names the test and the interval level.
pub fn comparison_csv(
    rows: &[Comparison],
    total: &Comparison,
    region_columns: &[String],
    setup: &ComparisonSetup,
) -> Result<Vec<u8>> {
    let mut header: Vec<String> = region_columns.to_vec();
    header.extend(COMPARISON_COLUMNS.iter().map(|c| c.to_string()));
    let rows = rows.iter().chain(std::iter::once(total)).map(|c| {
        let mut cells: Vec<String> = if c.region.is_empty() {
            vec!["ALL".into(); region_columns.len()]
        } else {
            c.region.clone()
        };
        cells.extend(comparison_cells(c));
        cells.push(format_stat(Some(setup.level())));
        cells.push(format!(
            "{}/{}",
            format_stat(Some(c.weeks)),
            format_stat(Some(c.weeks_against))
        ));
        cells.push(setup.test.name().into());
        cells
    });
    write_csv(&header, rows)
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
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| Error::Write {
        path: "-".into(),
        source: e.into(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The comparison's heading: unit, periods, test and interval level.
pub fn comparison_title(setup: &ComparisonSetup, unit: &str) -> String {
    format!(
        "{unit} per week, {} ({:.1} weeks) against {} ({:.1} weeks); test: {}, {}% intervals",
        setup.period,
        setup.period.days() as f64 / 7.0,
        setup.against,
        setup.against.days() as f64 / 7.0,
        setup.test.name(),
        format_stat(Some(100.0 * setup.level())),
    )
}

/// The comparison as a terminal table.
pub fn comparison_table(
    rows: &[Comparison],
    total: &Comparison,
    setup: &ComparisonSetup,
    unit: &str,
) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    };
    let ci = format!("{}% CI", format_stat(Some(100.0 * setup.level())));
    let header = [
        "region",
        "count",
        "before",
        "rate/wk",
        "before/wk",
        "ratio",
        ci.as_str(),
        "p",
        "q",
        "change",
        "verdict",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for c in rows.iter().chain(std::iter::once(total)) {
        let cells = comparison_cells(c);
        table.push(vec![
            ellipsize(&clean(&region_label(c)), 40),
            cells[0].clone(),
            cells[1].clone(),
            cells[2].clone(),
            cells[3].clone(),
            cells[4].clone(),
            format!("{}–{}", cells[5], cells[6]),
            cells[7].clone(),
            cells[9].clone(),
            cells[11].clone(),
            cells[12].clone(),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{}\n", comparison_title(setup, unit));
    for r in &table {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w - c.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if i == 0 || i + 1 == r.len() {
                line.push_str(c);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The comparison's table in markdown (region names escaped).
pub fn comparison_markdown_table(rows: &[Comparison], total: &Comparison, level: f64) -> String {
    use markdown::Align::{Left, Right};
    let body: Vec<Vec<String>> = rows
        .iter()
        .chain(std::iter::once(total))
        .map(|c| {
            let cells = comparison_cells(c);
            let name = if c.region.is_empty() {
                "**All regions**".to_string()
            } else {
                markdown::escape(&region_label(c))
            };
            vec![
                name,
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
                if cells[4].is_empty() {
                    "n/a".into()
                } else {
                    cells[4].replace("inf", "∞")
                },
                format!("{}–{}", cells[5], cells[6].replace("inf", "∞")),
                cells[7].clone(),
                cells[9].clone(),
                cells[11].clone(),
                cells[12].clone(),
            ]
        })
        .collect();
    let ci = format!("{}% CI", format_stat(Some(100.0 * level)));
    let header = [
        "Region",
        "Count",
        "Count before",
        "Per week",
        "Per week before",
        "Rate ratio",
        ci.as_str(),
        "p (two-sided)",
        "q",
        "Change",
        "Verdict",
    ];
    let align = [
        Left, Right, Right, Right, Right, Right, Right, Right, Right, Right, Left,
    ];
    markdown::table(&header, &align, &body)
}

/// The comparison as a markdown section (region names escaped).
pub fn comparison_markdown(
    rows: &[Comparison],
    total: &Comparison,
    setup: &ComparisonSetup,
    unit: &str,
) -> String {
    format!(
        "Comparison of {}.\n\nTest: {}.\n\n{}",
        comparison_title(setup, unit),
        setup.test.description(),
        comparison_markdown_table(rows, total, setup.level())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_prefixes() {
        assert_eq!(csv_safe("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("Deir ez Zor"), "Deir ez Zor");
    }

    #[test]
    fn statistics_read_well() {
        assert_eq!(format_stat(Some(2.90421)), "2.904");
        assert_eq!(format_stat(Some(0.012345)), "0.01235");
        assert_eq!(format_stat(Some(0.00001234)), "1.234e-5");
        assert_eq!(format_stat(Some(f64::INFINITY)), "inf");
        assert_eq!(format_stat(Some(19.0)), "19");
        assert_eq!(format_stat(Some(1234.5)), "1234.5");
        assert_eq!(format_stat(None), "");
        assert_eq!(ellipsize("Deir ez Zor", 5), "Deir…");
    }

    #[test]
    fn numbers_read_like_counts() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("missing/out.csv"), b"x").is_err());
    }
}
