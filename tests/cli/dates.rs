//! Exports as users have them (tests/fixtures/dates): numeric dates whose day/month order is
//! inferred from the column, a file that ends mid-week, and loads that keep too little,
//! which stop with the reason, examples and the flag that fixes them.

use crate::{cell, csv_rows, fixture, run_ok, stderr, uptick};

const GENERIC: &[&str] = &["--date-col", "date", "--region-col", "region"];

fn series(file: &str, extra: &[&str]) -> std::process::Output {
    series_as_of("2026-11-01", file, extra)
}

fn series_as_of(as_of: &str, file: &str, extra: &[&str]) -> std::process::Output {
    uptick()
        .args(["series", "--as-of", as_of])
        .args(extra)
        .arg("-i")
        .arg(fixture(&format!("dates/{file}")))
        .output()
        .unwrap()
}

/// `series_as_of` that must succeed.
fn series_ok(as_of: &str, file: &str, extra: &[&str]) -> std::process::Output {
    let out = series_as_of(as_of, file, extra);
    assert!(out.status.success(), "{}", stderr(&out));
    out
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

/// A day-first `dd-mm-yy` export with a `year` column, 1997–2019, backfilled with `--as-of`
/// in 2008: the year column gives each row its century, so events of 2009–2019 are excluded
/// as dated after `--as-of` instead of being read as 1909–1919, and a date whose two digits
/// disagree with its year column is rejected with that reason.
#[test]
fn a_backfill_keeps_two_digit_years_in_the_century_of_their_year_column() {
    let out = series_ok(
        "2008-01-05",
        "acled_ddmmyy_century.csv",
        &["--by", "admin1"],
    );
    let err = stderr(&out);
    assert!(
        err.contains("646 rows read") && err.contains("309 kept, 1 rejected, 336 excluded"),
        "{err}"
    );
    assert!(
        err.contains("rejected: two-digit year disagrees with the 'year' column: 1 (line 647)"),
        "{err}"
    );
    assert!(
        err.contains("excluded: dated after --as-of 2008-01-05: 336"),
        "{err}"
    );
    assert!(
        err.contains("two-digit years take their century from the 'year' column"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    let weeks: Vec<&str> = rows.iter().map(|r| r["week_start"].as_str()).collect();
    assert_eq!(weeks.iter().min(), Some(&"1997-01-04"), "{weeks:?}");
    assert!(weeks.iter().all(|w| *w <= "2008-01-04"), "{weeks:?}");
    let events: f64 = rows
        .iter()
        .map(|r| r["events"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(events, 309.0);
}

/// Without a `year` column, two-digit years resolve against the latest date the file can
/// hold (today, or `--as-of` when later), never against a backfill's `--as-of`.
#[test]
fn without_a_year_column_a_backfill_does_not_move_later_years_a_century_back() {
    let file = "acled_ddmmyy_century_noyear.csv";
    let out = series_ok("2008-01-05", file, &["--by", "admin1"]);
    let err = stderr(&out);
    assert!(
        err.contains("645 rows read") && err.contains("309 kept, 0 rejected, 336 excluded"),
        "{err}"
    );
    assert!(
        err.contains("two-digit years are the latest year with those digits not after 20"),
        "{err}"
    );
    // The whole file, as of 2026: 1997 to 2019, nothing in the 1900s.
    let out = series_ok("2026-11-01", file, &["--by", "admin1"]);
    let rows = csv_rows(&out.stdout);
    let weeks: Vec<&str> = rows.iter().map(|r| r["week_start"].as_str()).collect();
    assert_eq!(weeks.iter().min(), Some(&"1997-01-04"));
    // The last event, Monday 2019-12-09, is in an incomplete (Saturday) week and cut; the
    // one before is on 2019-11-26.
    assert_eq!(weeks.iter().max(), Some(&"2019-11-23"), "{weeks:?}");
}

/// Chicago's crime export (Socrata): `09/05/2015 01:30:00 PM`. The order is inferred from the
/// column, the time of day is dropped, and each event counts on the date as written (a
/// Sunday 11:59 PM in its week, a Monday 12:05 AM in the next).
#[test]
fn portal_timestamps_with_a_12_hour_clock_count_on_their_date() {
    let out = series_ok(
        "2026-11-01",
        "chicago_timestamps.csv",
        &[
            "--date-col",
            "Date",
            "--region-col",
            "District",
            // The export ends on a Saturday: keep its last week.
            "--include-incomplete",
        ],
    );
    let err = stderr(&out);
    assert!(err.contains("43 kept, 0 rejected"), "{err}");
    assert!(
        err.contains("read month first (as --date-format %m/%d/%Y %I:%M:%S %p would), as values such as '09/14/2015 05:42:00 PM' (line 2) show\n"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    let got = |district: &str, week: &str| {
        cell(
            &rows,
            &[("District", district), ("week_start", week)],
            "events",
        )
    };
    // Counted by the generator of the fixture from the timestamps, Monday weeks.
    for (district, week, want) in [
        ("007", "2015-08-31", "9"),
        ("007", "2015-09-07", "4"),
        ("007", "2015-09-14", "3"),
        ("007", "2015-09-21", "5"),
        ("011", "2015-08-31", "9"),
        ("011", "2015-09-07", "2"),
        ("011", "2015-09-14", "6"),
        ("011", "2015-09-21", "5"),
    ] {
        assert_eq!(got(district, week), want, "{district} {week}");
    }
}

/// Day first with a 24-hour clock and no seconds (`31/12/2019 23:15`).
#[test]
fn day_first_timestamps_with_a_24_hour_clock_count_on_their_date() {
    let out = series_ok(
        "2026-11-01",
        "ddmmyyyy_hhmm.csv",
        &["--date-col", "date", "--region-col", "region"],
    );
    let err = stderr(&out);
    assert!(err.contains("7 kept, 0 rejected"), "{err}");
    assert!(
        err.contains("read day first (as --date-format %d/%m/%Y %H:%M would), as values such as '31/12/2019 23:15' (line 2) show\n"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    let got = |region: &str, week: &str| {
        cell(&rows, &[("region", region), ("week_start", week)], "events")
    };
    for (region, week, want) in [
        ("North", "2019-11-25", "2"),
        ("North", "2019-12-02", "0"),
        ("North", "2019-12-30", "2"),
        ("South", "2019-12-02", "1"),
        ("South", "2019-12-09", "1"),
        ("South", "2019-12-30", "1"),
    ] {
        assert_eq!(got(region, week), want, "{region} {week}");
    }
}
