//! Parquet: the series table with `week_start` as a date column.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::SeriesSet;

use super::{series_header, series_rows};

/// The series table as Parquet (week_start as a date column).
pub fn series_parquet(set: &SeriesSet) -> Result<Vec<u8>> {
    let cols = series_header(set);
    let table: Vec<Vec<String>> = series_rows(set).collect();
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
