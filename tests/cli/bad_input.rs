//! The bad-input corpus (tests/fixtures/bad, described in its README): each file gives a clear
//! error naming the file (exit 2) or counted, reported rejections — never a panic or a hang.

use crate::{csv_rows, fixture, stderr, uptick};

fn series(file: &str, extra: &[&str]) -> std::process::Output {
    let mut cmd = uptick();
    cmd.args(["series", "--as-of", "2024-02-01"])
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
    error("bad_line.ndjson", GENERIC, "cannot read as NDJSON");
    error(
        "fatalities_bad.csv",
        &["--date-col", "when"],
        "no column 'when' (date); found: event_id_cnty, event_date",
    );
}

#[test]
fn odd_but_readable_files_load() {
    ok(
        "header_only.csv",
        GENERIC,
        &["0 rows read", "0 kept, 0 rejected, 0 excluded"],
    );
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
    ok(
        "dates_unparsable.csv",
        GENERIC,
        &[
            "0 kept, 2 rejected",
            "rejected: unparsable date: 2 (line 2, 3)",
        ],
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
        &["--metric", "fatalities"],
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
