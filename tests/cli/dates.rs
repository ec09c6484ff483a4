//! Exports as users have them (tests/fixtures/dates): numeric dates whose day/month order is
//! inferred from the column, a file that ends mid-week, and loads that keep too little,
//! which stop with the reason, examples and the flag that fixes them.

use crate::{cell, csv_rows, fixture, run_ok, stderr, uptick};

const GENERIC: &[&str] = &["--date-col", "date", "--region-col", "region"];

fn series(file: &str, extra: &[&str]) -> std::process::Output {
    uptick()
        .args(["series", "--as-of", "2026-11-01"])
        .args(extra)
        .arg("-i")
        .arg(fixture(&format!("dates/{file}")))
        .output()
        .unwrap()
}

#[test]
fn an_acled_export_with_day_month_two_digit_years_loads() {
    // Every date is dd-mm-yy; the newest first, so the first value (31-12-19) decides.
    let out = run_ok(uptick().args([
        "series",
        "--as-of",
        "2026-11-01",
        "--by",
        "admin1",
        "-i",
        fixture("dates/acled_ddmmyy.csv").to_str().unwrap(),
    ]));
    let err = stderr(&out);
    assert!(
        err.contains("93 rows read") && err.contains("0 rejected"),
        "{err}"
    );
    assert!(
        err.contains("numeric dates in column 'event_date' were read day first (as --date-format %d-%m-%y would), as values such as '31-12-19' (line 2) show"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    // Dates landed where they belong: the first week (Saturday 2019-09-28) holds 1 October.
    let weeks: Vec<&str> = rows.iter().map(|r| r["week_start"].as_str()).collect();
    assert_eq!(weeks.first(), Some(&"2019-09-28"), "{weeks:?}");
    assert_eq!(
        cell(
            &rows,
            &[("admin1", "Nairobi"), ("week_start", "2019-12-21")],
            "week_start"
        ),
        "2019-12-21"
    );
}

#[test]
fn a_file_that_ends_mid_week_leaves_that_week_out_with_a_note() {
    // The export ends on Tuesday 2019-12-31; ACLED weeks start on Saturday 2019-12-28.
    let args = ["--by", "admin1"];
    let out = series("acled_ddmmyy.csv", &args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "excluded: in the incomplete last week of the data (week starting 2019-12-28): 5"
        ),
        "{err}"
    );
    assert!(
        err.contains("the data end on Tue 2019-12-31, before the end of their last week (2019-12-28 to 2020-01-03)"),
        "{err}"
    );
    assert!(
        !err.contains("last complete week (starting 2026"),
        "no as-of week note for data that end in 2019: {err}"
    );
    let rows = csv_rows(&out.stdout);
    assert!(
        rows.iter()
            .all(|r| r["week_start"].as_str() <= "2019-12-21"),
        "{rows:?}"
    );
    // --include-incomplete keeps it.
    let out = series(
        "acled_ddmmyy.csv",
        &["--by", "admin1", "--include-incomplete"],
    );
    let rows = csv_rows(&out.stdout);
    let last: u32 = rows
        .iter()
        .filter(|r| r["week_start"] == "2019-12-28")
        .map(|r| r["events"].parse::<u32>().unwrap())
        .sum();
    assert_eq!(last, 5, "{}", stderr(&out));
}

#[test]
fn month_first_dates_are_inferred_from_the_first_decisive_value() {
    // The first 40 rows read both ways; 05/13/2024 (line 48) shows month first.
    let out = series("mmddyyyy.csv", GENERIC);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("62 rows read") && err.contains("0 rejected"),
        "{err}"
    );
    assert!(
        err.contains("read month first (as --date-format %m/%d/%Y would), as values such as '05/13/2024' (line 48)"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    // 01/02/2024 is 2 January: the first ISO week holds 1, 2, 4, 5, 6 and 7 January.
    assert_eq!(
        cell(
            &rows,
            &[("region", "South"), ("week_start", "2024-01-01")],
            "events"
        ),
        "3"
    );
    assert_eq!(
        cell(
            &rows,
            &[("region", "North"), ("week_start", "2024-01-01")],
            "events"
        ),
        "3"
    );
}

#[test]
fn an_ambiguous_column_stops_with_a_value_read_both_ways() {
    let out = series("ambiguous.csv", GENERIC);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("ambiguous.csv"), "{err}");
    assert!(
        err.contains("column 'date': every date reads both day first and month first (line 3: '05-01-24' is 5 January 2024 day first, 1 May 2024 month first); pass --date-format %d-%m-%y (day first) or --date-format %m-%d-%y (month first)"),
        "{err}"
    );
    // Choosing fixes it.
    let out = series(
        "ambiguous.csv",
        &[GENERIC, &["--date-format", "%d-%m-%y"]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("11 kept"), "{}", stderr(&out));
}

#[test]
fn a_load_that_keeps_nothing_is_an_error_with_the_fix() {
    // The ambiguous file read with the wrong pattern keeps nothing.
    let out = series(
        "ambiguous.csv",
        &[GENERIC, &["--date-format", "%d/%m/%Y"]].concat(),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no rows kept: all 12 rows rejected; the main reason is 'unparsable date' in column 'date' (12 rows), e.g. line 2: '01-01-24', line 3: '05-01-24', line 4: '09-01-24'; pass --date-format"),
        "{err}"
    );
    // A filter that matches nothing names itself.
    let out = series(
        "mmddyyyy.csv",
        &[GENERIC, &["--where", "region=Nowhere"]].concat(),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no rows kept") && err.contains("'--where region=Nowhere'"),
        "{err}"
    );
}

#[test]
fn rejecting_more_than_half_is_an_error_unless_allowed() {
    // Three of five dates are bad (the good two are kept although their week is incomplete).
    let out = series(
        "mostly_bad.csv",
        &[GENERIC, &["--include-incomplete"]].concat(),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("3 of 5 rows (60%) rejected, more than --max-rejected 0.5 allows; the main reason is 'unparsable date' in column 'date' (3 rows), e.g. line 4: 'soon', line 5: '2024-13-45', line 6: '32/01/2024'"),
        "{err}"
    );
    assert!(err.contains("or raise --max-rejected"), "{err}");
    let allow = [GENERIC, &["--max-rejected", "1", "--include-incomplete"]].concat();
    let out = series("mostly_bad.csv", &allow);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 kept, 3 rejected"),
        "{}",
        stderr(&out)
    );
    // Without --include-incomplete nothing is kept: both counts are named.
    let out = series("mostly_bad.csv", GENERIC);
    assert!(
        stderr(&out).contains("no rows kept: 3 rejected and 2 excluded of 5 rows; the main reason is 'unparsable date'"),
        "{}",
        stderr(&out)
    );
    let out = series(
        "mostly_bad.csv",
        &[GENERIC, &["--max-rejected", "2"]].concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--max-rejected 2 is not a share"),
        "{}",
        stderr(&out)
    );
}
