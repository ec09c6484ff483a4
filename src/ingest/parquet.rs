//! Parquet through Polars' lazy scan, validated in batches of rows; nested columns where
//! text, dates or counts are needed are an error naming the column.

use std::path::Path;

use polars::prelude::*;

use super::date_column::DateMode;
use super::schema::resolve_columns;
use super::spec::{InputSpec, Source};
use super::text::Lines;
use super::validate::{Flow, Validator};
use super::{Scanned, RECORD_COL};
use crate::error::{Error, Result};

/// Parquet files are validated a batch of rows at a time: one row per this many bytes of the
/// text chunk size (262,144 rows for 16 MiB), so that small chunk sizes in tests also make
/// small batches.
pub(super) const PARQUET_BYTES_PER_ROW: usize = 64;

/// A column that holds lists or structs cannot be a date, region or count.
pub(super) fn nested_column(path: &Path, name: &str, dtype: &DataType) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        message: format!(
            "column '{name}' holds {dtype} values, which cannot be read as text, dates or counts"
        ),
    }
}

/// The column names of a Parquet file, or of a directory of (Hive-partitioned) Parquet
/// files with its partition keys, without reading any rows.
///
/// # Errors
/// An unreadable file or dataset.
pub fn parquet_header(path: &Path) -> Result<Vec<String>> {
    let args = ScanArgsParquet {
        hive_options: if path.is_dir() {
            HiveOptions::new_enabled()
        } else {
            HiveOptions::new_disabled()
        },
        ..ScanArgsParquet::default()
    };
    let ctx = format!("{}: cannot read as Parquet", path.display());
    let mut frame = LazyFrame::scan_parquet(PlRefPath::new(path.to_string_lossy().as_ref()), args)
        .map_err(Error::polars(ctx.clone()))?;
    let schema = frame.collect_schema().map_err(Error::polars(ctx))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Parquet through Polars' lazy scan, a batch of rows at a time.
pub(super) fn load_parquet(spec: &InputSpec, dates: DateMode) -> Result<Scanned<'_>> {
    let path = spec.source.path();
    let Source::File(file) = &spec.source else {
        return Err(Error::Usage(
            "bundled data must be CSV, TSV or NDJSON".into(),
        ));
    };
    let dataset = file.is_dir();
    let file_ref = PlRefPath::new(file.to_string_lossy().as_ref());
    let ctx = format!("{}: cannot read as Parquet", path.display());
    let args = ScanArgsParquet {
        hive_options: if dataset {
            HiveOptions::new_enabled()
        } else {
            HiveOptions::new_disabled()
        },
        ..ScanArgsParquet::default()
    };
    let mut frame = LazyFrame::scan_parquet(file_ref, args).map_err(Error::polars(ctx.clone()))?;
    let schema = frame.collect_schema().map_err(Error::polars(ctx.clone()))?;
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let map = resolve_columns(spec, &header, &path)?;
    let mut notes = Vec::new();
    if dataset {
        if let Some((frame_pruned, note)) = prune_years(frame.clone(), spec, &header, &path) {
            frame = frame_pruned;
            notes.push(note);
        }
    }
    let mut validator = Validator::new(spec, map, header, path.clone(), dates);
    let mut select = Vec::with_capacity(validator.needed().len() + 1);
    for name in validator.needed() {
        match schema.get(name.as_str()) {
            Some(t) if t.is_nested() => return Err(nested_column(&path, name, t)),
            _ => select.push(col(name.as_str()).cast(DataType::String)),
        }
    }
    select.push(col(RECORD_COL));
    let frame = frame.with_row_index(RECORD_COL, None).select(select);
    let batch_rows =
        u32::try_from((spec.chunk_bytes / PARQUET_BYTES_PER_ROW).max(1)).unwrap_or(u32::MAX);
    let mut offset = 0i64;
    loop {
        let batch = frame
            .clone()
            .slice(offset, batch_rows)
            .collect()
            .map_err(|e| match dataset.then(|| broken_file(file)).flatten() {
                Some(err) => err,
                None => Error::polars(ctx.clone())(e),
            })?;
        if batch.height() == 0 {
            break;
        }
        offset += batch.height() as i64;
        // Parquet has no lines: "line" means the 1-based row number.
        if validator.batch(&batch, None, &Lines::Offset(1))? == Flow::Stop {
            break;
        }
    }
    Ok(Scanned {
        validator,
        notes,
        sha256: None,
    })
}

/// In a dataset that Polars could not read, the first file that is not Parquet at all (no
/// `PAR1` marker at its start and end), so the error names it.
fn broken_file(dir: &Path) -> Option<Error> {
    use std::io::{Read, Seek, SeekFrom};
    let files = super::stream::files_below(dir).ok()?;
    files.into_iter().find_map(|f| {
        let mut head = [0u8; 4];
        let mut tail = [0u8; 4];
        let ok = std::fs::File::open(&f)
            .and_then(|mut h| {
                h.read_exact(&mut head)?;
                h.seek(SeekFrom::End(-4))?;
                h.read_exact(&mut tail)
            })
            .is_ok();
        (!ok || &head != b"PAR1" || &tail != b"PAR1").then(|| Error::Parse {
            path: f.clone(),
            message: "not a Parquet file (no PAR1 marker at its start and end), in the dataset being read".into(),
        })
    })
}

/// With `--from`/`--to`, a dataset partitioned by `year=` reads only the partitions of those
/// years: the filter on the partition column lets Polars skip the other directories. Their
/// rows are not read (the ledger counts what was read), which the returned note says.
fn prune_years(
    frame: LazyFrame,
    spec: &InputSpec,
    header: &[String],
    path: &Path,
) -> Option<(LazyFrame, String)> {
    use chrono::Datelike;
    if spec.from.is_none() && spec.to.is_none() {
        return None;
    }
    let year = header.iter().find(|h| h.eq_ignore_ascii_case("year"))?;
    let y = col(year.as_str()).cast(DataType::Int64);
    let mut filter = lit(true);
    let mut range = Vec::new();
    if let Some(from) = spec.from {
        filter = filter.and(y.clone().gt_eq(lit(i64::from(from.year()))));
        range.push(format!("from {}", from.year()));
    }
    if let Some(to) = spec.to {
        filter = filter.and(y.lt_eq(lit(i64::from(to.year()))));
        range.push(format!("to {}", to.year()));
    }
    Some((
        frame.filter(filter),
        format!(
            "{}: only the {year}= partitions {} were read (--from/--to); rows of other years were not read",
            path.display(),
            range.join(" ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_column_is_named() {
        let err = nested_column(
            Path::new("x.parquet"),
            "region",
            &DataType::List(Box::new(DataType::Int32)),
        )
        .to_string();
        assert!(
            err.contains("x.parquet") && err.contains("'region'"),
            "{err}"
        );
        assert!(err.contains("list[i32]"), "{err}");
    }
}
