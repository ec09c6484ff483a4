//! Writing results: atomic file writes, CSV cells safe to open in a spreadsheet, and the
//! `uptick series` table in CSV, JSON and Parquet.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::ingest::Quality;
use crate::model::{iso_week_label, SeriesSet, WeekStart};

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

/// Rows of the series table as text cells (region names unescaped).
fn rows(set: &SeriesSet) -> impl Iterator<Item = Vec<String>> + '_ {
    set.series.iter().flat_map(move |s| {
        set.weeks.iter().enumerate().map(move |(i, week)| {
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

/// The series table as CSV.
pub fn series_csv(set: &SeriesSet) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let to_err = |e: csv::Error| Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e),
    };
    w.write_record(header(set)).map_err(to_err)?;
    for row in rows(set) {
        w.write_record(row.iter().map(|c| csv_safe(c).into_owned()))
            .map_err(to_err)?;
    }
    w.into_inner().map_err(|e| Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e.to_string()),
    })
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
