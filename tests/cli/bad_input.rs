//! The bad-input corpus (tests/fixtures/bad, described in its README): each file gives a clear
//! error naming the file (exit 2) or counted, reported rejections — never a panic or a hang.

use crate::{csv_rows, fixture, stderr, uptick};

fn series(file: &str, extra: &[&str]) -> std::process::Output {
    let mut cmd = uptick();
    // The files hold a week or two ending mid-week: keep it (the rule is tested in dates.rs).
    cmd.args(["series", "--as-of", "2024-02-01", "--include-incomplete"])
        .args(extra)
        .arg("-i")
        .arg(fixture(&format!("bad/{file}")));
    cmd.timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap()
}

const GENERIC: &[&str] = &["--date-col", "date", "--region-col", "region"];

fn error(file: &str, extra: &[&str], message: &str) {
    let out = series(file, extra);
    assert_eq!(out.status.code(), Some(2), "{file}: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(file) && err.contains(message), "{file}: {err}");
    assert!(!err.contains("panicked"), "{file}: {err}");
}

fn ok(
    file: &str,
    extra: &[&str],
    summary: &[&str],
) -> Vec<std::collections::HashMap<String, String>> {
    let out = series(file, extra);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{file}: {err}");
    for s in summary {
        assert!(err.contains(s), "{file}: expected '{s}' in:\n{err}");
    }
    csv_rows(&out.stdout)
}

#[test]
fn files_that_cannot_be_read_are_one_line_errors() {
    error("empty.csv", GENERIC, "the file is empty");
    error(
        "binary.csv",
        GENERIC,
        "the file is binary (it contains NUL bytes)",
    );
    error(
        "truncated.csv.gz",
        GENERIC,
        "corrupt or truncated gzip data",
    );
    error("corrupt.csv.gz", GENERIC, "corrupt or truncated gzip data");
    error(
        "bad_line.ndjson",
        GENERIC,
        "bad_line.ndjson: line 2, column 10: not JSON",
    );
    error(
        "fatalities_bad.csv",
        &["--date-col", "when"],
        "no column 'when' (date); found: event_id_cnty, event_date",
    );
}

#[test]
fn odd_but_readable_files_load() {
    // A run that keeps nothing is an error, not an empty success.
    error("header_only.csv", GENERIC, "no data rows (only a header)");
    let rows = ok("semicolon.csv", GENERIC, &["2 rows read", "2 kept"]);
    assert_eq!(rows.len(), 2);
    let rows = ok("bom_crlf.csv", GENERIC, &["2 kept, 0 rejected"]);
    assert!(
        rows[0].contains_key("week_start"),
        "the BOM is not part of the first column name"
    );
    let rows = ok(
        "latin1.csv",
        GENERIC,
        &[
            "2 kept",
            "not valid UTF-8 (first at line 3); it was read as Latin-1",
        ],
    );
    assert!(rows.iter().any(|r| r["region"] == "Tékyé"), "{rows:?}");
    let rows = ok("quoted_newline.csv", GENERIC, &["2 rows read", "2 kept"]);
    assert!(rows.iter().any(|r| r["region"] == "North\nEast"));
    ok(
        "duplicate_columns.csv",
        GENERIC,
        &["duplicate column name 'region': occurrence 2 renamed 'region_2'"],
    );
    ok("ragged.csv", GENERIC, &["2 rows read", "2 kept"]);
}

#[test]
fn bad_values_are_counted_rejections_with_lines() {
    // A load that keeps nothing is an error with examples and the fix.
    error(
        "dates_unparsable.csv",
        GENERIC,
        "no rows kept: all 2 rows rejected; the main reason is 'unparsable date' in column 'date' (2 rows), e.g. line 2: 'soon', line 3: 'later'; pass --date-format",
    );
    let rows = ok("dates_mixed.csv", GENERIC, &["4 kept, 0 rejected"]);
    assert_eq!(
        rows[0]["events"], "4",
        "all four formats fall in the week of 2024-01-01"
    );
    ok(
        "dates_out_of_range.csv",
        GENERIC,
        &[
            "rejected: date before 1900: 1 (line 2)",
            "excluded: dated after --as-of 2024-02-01: 1 (line 4)",
            "1 kept",
        ],
    );
    let rows = ok(
        "fatalities_bad.csv",
        // Four of five rows are bad: allowed here to see each counted.
        &["--metric", "fatalities", "--max-rejected", "1"],
        &[
            "rejected: negative fatalities: 1 (line 2)",
            "rejected: implausibly large fatalities: 1 (line 4)",
            "rejected: non-numeric fatalities: 1 (line 5)",
            "rejected: missing fatalities (truncated or broken record): 1 (line 6)",
            "1 kept, 4 rejected",
        ],
    );
    assert_eq!(
        rows[0]["fatalities"], "2.5",
        "fractional counts are kept as given"
    );
    // --strict makes the first rejection an error naming file, line and column.
    let out = series(
        "fatalities_bad.csv",
        &["--metric", "fatalities", "--strict"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("fatalities_bad.csv:2: column 'fatalities': negative fatalities (--strict)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_wrong_delimiter_is_named() {
    // A ';' file read as comma-separated, and a comma file forced to TSV.
    error(
        "semicolon.csv",
        &["--delimiter", ",", "--date-col", "date", "--region-col", "region"],
        "line 1: the header is one field, but it contains ';': is the delimiter wrong? (pass --delimiter ';')",
    );
    error(
        "dates_mixed.csv",
        &["--format-in", "tsv", "--date-col", "date", "--region-col", "region"],
        "the header is one field, but it contains ',': is the delimiter wrong? (pass --delimiter ',')",
    );
}

/// A 100 MB field is one counted rejection (names over 4096 bytes are not place names), read
/// without holding more than that record and its chunk; the rows around it are kept.
#[test]
fn a_100_mb_field_is_a_counted_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge_field.csv");
    let mut text = Vec::with_capacity(101 << 20);
    text.extend_from_slice(b"date,region\n2024-01-01,North\n2024-01-02,\"");
    text.resize(text.len() + (100 << 20), b'x');
    text.extend_from_slice(b"\"\n2024-01-03,South\n");
    std::fs::write(&path, text).unwrap();
    let (_, err) = series_ok_at(&path);
    assert!(
        err.contains("rejected: region name longer than 4096 bytes (region): 1 (line 3)"),
        "{err}"
    );
    assert!(
        err.contains("3 rows read") && err.contains("2 kept"),
        "{err}"
    );
}

/// Runs `series` (generic columns) on a generated file; asserts success.
fn series_ok_at(path: &std::path::Path) -> (std::process::Output, String) {
    let out = uptick()
        .args(["series", "--as-of", "2024-02-01", "--include-incomplete"])
        .args(GENERIC)
        .arg("-i")
        .arg(path)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    (out, err)
}

/// Distinct regions by the hundred thousand (a million with `UPTICK_SCALE_TESTS=1`) load and
/// aggregate: one series each, every row accounted for.
#[test]
fn a_million_regions() {
    let n: u32 = if crate::scale_tests() {
        1_000_000
    } else {
        100_000
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("regions.csv");
    let mut text = String::with_capacity(30 << 20);
    text.push_str("date,region\n");
    for i in 0..n {
        text.push_str(&format!("2024-01-0{},Region {i}\n", 1 + i % 7));
    }
    std::fs::write(&path, text).unwrap();
    let (out, err) = series_ok_at(&path);
    assert!(
        err.contains(&format!("{n} rows read")) && err.contains(&format!("{n} kept")),
        "{err}"
    );
    assert!(err.contains(&format!("{n} regions x 1 weeks")), "{err}");
    let lines = out.stdout.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(lines, n as usize + 1, "header plus one row per region");
}

/// Writes a Parquet file from columns.
fn parquet(path: &std::path::Path, columns: Vec<polars::prelude::Column>) {
    use polars::prelude::*;
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

/// Parquet columns of the wrong type: numbers and dates where text is expected are read as
/// their text; a bad count is a counted rejection with its row; a nested column is a one-line
/// error; a file that is not Parquet is a one-line error.
#[test]
fn parquet_with_wrong_types() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        uptick()
            .args(["series", "--as-of", "2024-02-01", "--include-incomplete"])
            .args(["--date-col", "date"])
            .args(["--region-col", "region"])
            .args(extra)
            .arg("-i")
            .arg(dir.path().join(name))
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap()
    };
    // Dates as integers (yyyymmdd), regions as integers, deaths as text with one bad value.
    parquet(
        &dir.path().join("numbers.parquet"),
        vec![
            Column::new("date".into(), [20240101i64, 20240102, 20240103]),
            Column::new("region".into(), [7i32, 7, 8]),
            Column::new("deaths".into(), ["1", "lots", "2"]),
        ],
    );
    let out = run("numbers.parquet", &["--weight-col", "deaths"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("3 rows read") && err.contains("2 kept, 1 rejected"),
        "{err}"
    );
    assert!(
        err.contains("non-numeric weight: 1 (line 2)"),
        "Parquet rows are numbered from 1: {err}"
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|r| r["region"] == "7"), "{rows:?}");

    // A real date column.
    let dates = Column::new("date".into(), [19723i32, 19724])
        .cast(&DataType::Date)
        .unwrap();
    parquet(
        &dir.path().join("dates.parquet"),
        vec![dates, Column::new("region".into(), ["A", "B"])],
    );
    let out = run("dates.parquet", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 kept"), "{}", stderr(&out));

    // A nested (list) region column cannot be a region.
    let lists = Series::new(
        "region".into(),
        [
            Series::new("".into(), [1i32, 2]),
            Series::new("".into(), [3i32]),
        ],
    );
    parquet(
        &dir.path().join("nested.parquet"),
        vec![
            Column::new("date".into(), ["2024-01-01", "2024-01-02"]),
            lists.into(),
        ],
    );
    let out = run("nested.parquet", &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("nested.parquet: column 'region' holds list[i32] values")
            && !err.contains("panicked"),
        "{err}"
    );

    // Not Parquet at all.
    std::fs::write(
        dir.path().join("fake.parquet"),
        "date,region\n2024-01-01,A\n",
    )
    .unwrap();
    let out = run("fake.parquet", &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("fake.parquet: cannot read as Parquet"),
        "{err}"
    );
}
