//! `uptick series` on every file in ../shared/data, with figures checked by an independent
//! route: a one-off Python (csv module) count over the same files, recorded beside each test,
//! and the weekly series that R made for ../shared/reference/series. Those counts include each
//! file's last, often partial, week, so these runs pass `--include-incomplete`; the rule that
//! leaves that week out is tested in `dates.rs` and `real_files_end_mid_week`.

use crate::{cell, csv_rows, fixture, run_ok, shared_data, stderr, uptick};

/// ACLED global 2020 export: the truncated last line (PHL10453, line 5072) is rejected and
/// reported; everything else is kept. Python: 5071 records, 1 with an empty country; Iraq /
/// Diyala has 1, 11, 0 events in the Saturday weeks of 2020-04-25, 05-02, 05-09.
#[test]
fn acled_global_truncated_line_is_reported() {
    let Some(input) = shared_data("acled_event_samples/acled_global_2020-04-27_2020-05-09.csv.gz")
    else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2020-05-16",
                "--by",
                "admin1",
                "-i",
            ])
            .arg(&input),
    );
    let err = stderr(&out);
    assert!(err.contains("5071 rows read"), "{err}");
    assert!(err.contains("5070 kept, 1 rejected, 0 excluded"), "{err}");
    assert!(
        err.contains("rejected: missing region (country): 1 (line 5072)"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(
        rows[0].keys().len(),
        4,
        "week_start, country, admin1, events"
    );
    let diyala = |w| {
        cell(
            &rows,
            &[("country", "Iraq"), ("admin1", "Diyala"), ("week_start", w)],
            "events",
        )
    };
    assert_eq!(
        [
            diyala("2020-04-25"),
            diyala("2020-05-02"),
            diyala("2020-05-09")
        ],
        ["1", "11", "0"]
    );
}

/// `--actor` over all actor columns. Python: 139 rows with "islamic state" in actor1,
/// assoc_actor_1, actor2 or assoc_actor_2 (case-insensitive); North Sinai 23.
#[test]
fn actor_filter_matches_any_actor_column() {
    let Some(input) = shared_data("acled_event_samples/acled_global_2020-04-27_2020-05-09.csv.gz")
    else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2020-05-16",
                "--actor",
                "Islamic State",
                "--format",
                "json",
                "-i",
            ])
            .arg(&input),
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["quality"]["kept"], 139);
    let sinai: f64 = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["admin1"] == "North Sinai")
        .map(|r| r["events"].as_f64().unwrap())
        .sum();
    assert_eq!(sinai, 23.0);
}

/// Bangladesh: one row per (event, actor). Python: 4,006 distinct event_id_cnty, 724
/// fatalities over distinct events; Dhaka week of 2024-08-03: 85 events, 136 fatalities.
#[test]
fn acled_rows_per_actor_count_each_event_once() {
    let Some(input) = shared_data("acled_event_samples/acled_bangladesh_2022-12_2024-08.csv.gz")
    else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2024-08-10",
                "--metric",
                "fatalities",
                "-i",
            ])
            .arg(&input),
    );
    let err = stderr(&out);
    assert!(err.contains("5658 rows read"), "{err}");
    assert!(
        err.contains("4006 kept, 0 rejected, 1652 excluded"),
        "{err}"
    );
    assert!(
        err.contains("duplicate event id (counted once): 1652"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    let total: f64 = rows
        .iter()
        .map(|r| r["fatalities"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 724.0);
    assert_eq!(
        cell(
            &rows,
            &[("admin1", "Dhaka"), ("week_start", "2024-08-03")],
            "events"
        ),
        "85"
    );
    assert_eq!(
        cell(
            &rows,
            &[("admin1", "Dhaka"), ("week_start", "2024-08-03")],
            "fatalities"
        ),
        "136"
    );
}

/// Every ACLED generation and date format loads with no rejection (awk: the 20-column files
/// have 2 and 4 exact duplicate lines, at lines 31, 185 and 182, 189, 192, 981).
#[test]
fn every_acled_generation_loads() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "acled_afghanistan_2020-03.csv.gz",
            "496 rows read",
            "496 kept, 0 rejected, 0 excluded",
        ),
        (
            "acled_africa_2016-06_2016-07_sample500.csv.gz",
            "500 rows read",
            "500 kept, 0 rejected, 0 excluded",
        ),
        (
            "acled_bahrain_palestine_2016-2021_20cols.csv.gz",
            "362 rows read",
            "360 kept, 0 rejected, 2 excluded",
        ),
        (
            "acled_burkina_faso_2019-2022_15cols.csv.gz",
            "4999 rows read",
            "4999 kept, 0 rejected, 0 excluded",
        ),
        (
            "acled_mali_2017-06_2018-06_sample.csv.gz",
            "234 rows read",
            "234 kept, 0 rejected, 0 excluded",
        ),
        (
            "acled_middle_east_2022-01_2022-02_20cols.csv.gz",
            "985 rows read",
            "981 kept, 0 rejected, 4 excluded",
        ),
        (
            "acled_nigeria_2016_sample.csv.gz",
            "337 rows read",
            "337 kept, 0 rejected, 0 excluded",
        ),
        (
            "acled_south_asia_2015_old_schema.csv.gz",
            "10194 rows read",
            "10194 kept, 0 rejected, 0 excluded",
        ),
    ];
    for (file, read, kept) in cases {
        let Some(input) = shared_data(&format!("acled_event_samples/{file}")) else {
            return;
        };
        let out = run_ok(
            uptick()
                .args([
                    "series",
                    "--include-incomplete",
                    "--as-of",
                    "2026-11-22",
                    "-i",
                ])
                .arg(&input),
        );
        let err = stderr(&out);
        assert!(err.contains(read) && err.contains(kept), "{file}: {err}");
    }
    let Some(input) =
        shared_data("acled_event_samples/acled_middle_east_2022-01_2022-02_20cols.csv.gz")
    else {
        return;
    };
    let err = stderr(&run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2026-11-22",
                "-i",
            ])
            .arg(&input),
    ));
    assert!(
        err.contains("identical to an earlier row (duplicate): 4 (line 182, 189, 192, 981)"),
        "{err}"
    );
}

/// ACLED weekly aggregates reproduce, week for week, the Diyala series that R built from the
/// same file (../shared/reference/series/acled_iraq_diyala.csv, zero-filled Saturday weeks).
#[test]
fn acled_aggregates_match_the_r_series() {
    let Some(input) =
        shared_data("acled_me_weekly_agg/acled_middle_east_weekly_admin1_2015-2026.csv.gz")
    else {
        return;
    };
    let Some(reference) = shared_data("../reference/series/acled_iraq_diyala.csv") else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2026-11-22",
                "--country",
                "Iraq",
                "-i",
            ])
            .arg(&input),
    );
    let rows = csv_rows(&out.stdout);
    let expected = csv_rows(&std::fs::read(reference).unwrap());
    let ours: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r["admin1"] == "Diyala")
        .map(|r| (r["week_start"].clone(), r["events"].clone()))
        .collect();
    let theirs: Vec<(String, String)> = expected
        .iter()
        .map(|r| (r["week"].clone(), r["count"].clone()))
        .collect();
    assert_eq!(ours.len(), 526);
    assert_eq!(ours, theirs);
}

/// UCDP weekly battle deaths (ISO year + week columns) reproduce R's Monday-dated series.
#[test]
fn iso_year_week_input_matches_the_r_series() {
    let Some(input) = shared_data("ucdp_weekly_battle_deaths/iraq.csv.gz") else {
        return;
    };
    let Some(reference) = shared_data("../reference/series/ucdp_iraq_battle_deaths.csv") else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2026-11-22",
                "--date-col",
                "year",
                "--week-col",
                "week",
            ])
            .args(["--weight-col", "battle_deaths", "-i"])
            .arg(&input),
    );
    let rows = csv_rows(&out.stdout);
    let expected = csv_rows(&std::fs::read(reference).unwrap());
    assert_eq!(rows.len(), 1617);
    let ours: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["week_start"].as_str(), r["battle_deaths"].as_str()))
        .collect();
    let theirs: Vec<(&str, &str)> = expected
        .iter()
        .map(|r| (r["week"].as_str(), r["count"].as_str()))
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(
        rows.iter()
            .filter(|r| r["iso_week"].ends_with("W53"))
            .count(),
        5,
        "ISO years with 53 weeks 1989-2019"
    );
}

/// GTD extract without eventid: identical rows are distinct incidents and kept; day 0 goes to
/// the 1st of the month. Python: 2014 has 3,926 rows; Diyala in the ISO weeks from
/// 2014-06-09: 11, 6, 11, 12; Baghdad 2014-06-09: 25; nkill NA in 596 rows, sum 71,082.
#[test]
fn gtd_extract_keeps_identical_rows() {
    let Some(input) = shared_data("gtd_iraq_syria_1975_2016/gtd_iraq_1975-2016_19cols.csv.gz")
    else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2026-11-22",
                "--metric",
                "fatalities",
                "-i",
            ])
            .arg(&input),
    );
    let err = stderr(&out);
    assert!(err.contains("22130 kept, 0 rejected, 0 excluded"), "{err}");
    assert!(err.contains("20 rows with an unknown day (day 0)"), "{err}");
    assert!(
        err.contains("1143 rows are identical to an earlier row and were kept"),
        "{err}"
    );
    assert!(err.contains("596 rows have no fatality figure"), "{err}");
    let rows = csv_rows(&out.stdout);
    let in_2014: f64 = rows
        .iter()
        .filter(|r| r["iso_week"].starts_with("2014-"))
        .map(|r| r["events"].parse::<f64>().unwrap())
        .sum();
    // ISO year 2014 runs 2013-12-30..2014-12-28; Python over the same ISO weeks gives 3,929.
    assert_eq!(in_2014, 3929.0);
    let diyala: Vec<String> = ["2014-06-09", "2014-06-16", "2014-06-23", "2014-06-30"]
        .iter()
        .map(|w| cell(&rows, &[("admin1", "Diyala"), ("week_start", w)], "events"))
        .collect();
    assert_eq!(diyala, ["11", "6", "11", "12"]);
    assert_eq!(
        cell(
            &rows,
            &[("admin1", "Baghdad"), ("week_start", "2014-06-09")],
            "events"
        ),
        "25"
    );
    let fatalities: f64 = rows
        .iter()
        .map(|r| r["fatalities"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(fatalities, 71082.0);

    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2026-11-22",
                "--unknown-day",
                "reject",
                "-i",
            ])
            .arg(&input),
    );
    assert!(
        stderr(&out).contains("rejected: unknown day (day 0): 20"),
        "{}",
        stderr(&out)
    );
}

/// The other GTD files load completely.
#[test]
fn gtd_other_files_load() {
    for (file, kept) in [
        (
            "gtd_global_2012_2015/gtd_global_2012-2015_38cols.csv.gz",
            "52134 kept, 0 rejected",
        ),
        (
            "gtd_iraq_syria_1975_2016/gtd_syria_1974-2016_29cols.csv.gz",
            "1949 kept, 0 rejected",
        ),
        (
            "gtd_isil_iraq_2013_2017/gtd_isil_iraq_2013-2017.csv.gz",
            "4208 kept, 0 rejected",
        ),
    ] {
        let Some(input) = shared_data(file) else {
            return;
        };
        let err = stderr(&run_ok(
            uptick()
                .args([
                    "series",
                    "--include-incomplete",
                    "--as-of",
                    "2026-11-22",
                    "-i",
                ])
                .arg(&input),
        ));
        assert!(err.contains(kept), "{file}: {err}");
    }
    // GTD global: Iraq per ISO week year matches the README's yearly counts within the
    // weeks that straddle New Year; the country filter works on country_txt.
    let Some(input) = shared_data("gtd_global_2012_2015/gtd_global_2012-2015_38cols.csv.gz") else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2026-11-22",
                "--country",
                "iraq",
                "--by",
                "country",
                "-i",
            ])
            .arg(&input),
    );
    let rows = csv_rows(&out.stdout);
    let total: f64 = rows
        .iter()
        .map(|r| r["events"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 10955.0, "README: Iraq 10,955 events");
}

/// UCDP GED Syria: suffixes stripped, rows without adm_1 rejected and reported, multi-day
/// events counted at their start. Python: 16,227 rows with adm_1, 87,586 best fatalities;
/// Deir ez Zor ISO weeks from 2019-04-01: 3, 6, 5 events and 4, 22, 13 fatalities.
#[test]
fn ucdp_ged_syria() {
    let Some(input) =
        shared_data("ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz")
    else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2019-12-31",
                "--metric",
                "fatalities",
                "-i",
            ])
            .arg(&input),
    );
    let err = stderr(&out);
    assert!(
        err.contains("16227 kept, 339 rejected, 0 excluded"),
        "{err}"
    );
    assert!(err.contains("1086 events span several days"), "{err}");
    let rows = csv_rows(&out.stdout);
    let total: f64 = rows
        .iter()
        .map(|r| r["fatalities"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 87586.0);
    let dez = |w, c| cell(&rows, &[("admin1", "Deir ez Zor"), ("week_start", w)], c);
    assert_eq!(
        [
            dez("2019-04-01", "events"),
            dez("2019-04-08", "events"),
            dez("2019-04-15", "events")
        ],
        ["3", "6", "5"]
    );
    assert_eq!(
        [
            dez("2019-04-01", "fatalities"),
            dez("2019-04-08", "fatalities"),
            dez("2019-04-15", "fatalities")
        ],
        ["4", "22", "13"]
    );
}

/// The bundled demo gives the same series as the full UCDP file it was trimmed from.
#[test]
fn demo_matches_its_source() {
    let demo = run_ok(uptick().args(["series", "--demo", "--as-of", "2019-12-31"]));
    let Some(input) =
        shared_data("ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz")
    else {
        return;
    };
    let full = run_ok(
        uptick()
            .args(["series", "--as-of", "2019-12-31", "-i"])
            .arg(&input),
    );
    assert_eq!(demo.stdout, full.stdout);
}

/// SIGACTS (generic): empty times and empty cities are counted rejections.
/// Python: 4,826 empty `time`; 85,802 rows with a time but no city.
#[test]
fn sigacts_generic_columns() {
    let Some(input) = shared_data("sigacts_iraq_2004_2007/sigacts_iraq_2004-2007.csv.gz") else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                // 56% of the rows have no city: allowed, and counted.
                "--max-rejected",
                "1",
                "--as-of",
                "2026-11-22",
                "--date-col",
                "time",
                "--region-col",
                "city",
                "-i",
            ])
            .arg(&input),
    );
    let err = stderr(&out);
    assert!(err.contains("162852 rows read"), "{err}");
    assert!(err.contains("rejected: missing date: 4826"), "{err}");
    assert!(
        err.contains("rejected: missing region (city): 85802"),
        "{err}"
    );
    assert!(err.contains("72224 kept"), "{err}");
}

/// GDELT: tab-separated, no header; SQLDATE is YYYYMMDD.
#[test]
fn gdelt_without_header() {
    let Some(input) = shared_data("gdelt_sample/20191024143000.export.CSV.gz") else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--include-incomplete",
                "--as-of",
                "2026-11-22",
                "--no-header",
                "--date-col",
                "column_2",
                "--region-col",
                "column_53",
                "-i",
            ])
            .arg(&input),
    );
    let err = stderr(&out);
    assert!(err.contains("2111 rows read"), "{err}");
    let rows = csv_rows(&out.stdout);
    let total: f64 = rows
        .iter()
        .map(|r| r["events"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 2073.0);
}

/// A missing column names the file, the column and what was found; exit 2.
#[test]
fn missing_column_is_a_clear_error() {
    let out = uptick()
        .args([
            "series",
            "--as-of",
            "2020-01-01",
            "--date-col",
            "when",
            "-i",
        ])
        .arg(fixture("tiny.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("tiny.csv: no column 'when' (date); found: date, province, kind, deaths, id"),
        "{err}"
    );
}

/// The tiny fixture: zero-filled weeks, Sunday weeks, --strict, the incomplete week, --where.
#[test]
fn tiny_fixture_end_to_end() {
    let base = || {
        let mut c = uptick();
        c.args([
            "series",
            "--date-col",
            "date",
            "--region-col",
            "province",
            "--id-col",
            "id",
            "-i",
        ])
        .arg(fixture("tiny.csv"));
        c
    };
    let out = run_ok(base().args(["--as-of", "2024-01-31"]));
    let err = stderr(&out);
    // 9 rows: one bad date, one duplicate id, one after --as-of... see tests/fixtures/README.md
    assert!(err.contains("9 rows read"), "{err}");
    assert!(
        err.contains("rejected: unparsable date: 1 (line 7)"),
        "{err}"
    );
    assert!(
        err.contains("excluded: duplicate event id (counted once): 1 (line 8)"),
        "{err}"
    );
    assert!(
        err.contains("excluded: dated after --as-of 2024-01-31: 1 (line 9)"),
        "{err}"
    );
    let rows = csv_rows(&out.stdout);
    let north: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["province"] == "North")
        .map(|r| (r["week_start"].as_str(), r["events"].as_str()))
        .collect();
    assert_eq!(
        north,
        [
            ("2024-01-01", "2"),
            ("2024-01-08", "0"),
            ("2024-01-15", "1"),
            ("2024-01-22", "0")
        ]
    );

    // The week of 2024-01-22..28 is incomplete on 2024-01-27: its rows are excluded.
    let out = run_ok(base().args(["--as-of", "2024-01-27"]));
    assert!(
        stderr(&out).contains("excluded: in the incomplete week of --as-of 2024-01-27"),
        "{}",
        stderr(&out)
    );
    let rows = csv_rows(&out.stdout);
    assert!(rows.iter().all(|r| r["week_start"].as_str() < "2024-01-22"));

    // --strict: the first rejection is an error with file, line and column.
    let out = base()
        .args(["--as-of", "2024-01-31", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("tiny.csv:7: column 'date': unparsable date (--strict)"),
        "{}",
        stderr(&out)
    );

    // --where and Sunday weeks.
    let out = run_ok(base().args([
        "--as-of",
        "2024-01-31",
        "--where",
        "kind=Battle",
        "--week-start",
        "sun",
    ]));
    let rows = csv_rows(&out.stdout);
    assert!(!rows[0].contains_key("iso_week"));
    assert_eq!(rows[0]["week_start"], "2023-12-31");
    let total: f64 = rows
        .iter()
        .map(|r| r["events"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 4.0);
}

/// JSON and Parquet carry the same numbers as CSV; files are written atomically.
#[test]
fn output_formats_agree() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "series",
        "--include-incomplete",
        "--demo",
        "--as-of",
        "2019-12-31",
        "--by",
        "admin1",
        "--metric",
        "fatalities",
    ];
    let csv_out = run_ok(uptick().args(args));
    let rows = csv_rows(&csv_out.stdout);
    let json_path = dir.path().join("s.json");
    run_ok(
        uptick()
            .args(args)
            .args(["--format", "json", "-o"])
            .arg(&json_path),
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let json_rows = doc["rows"].as_array().unwrap();
    assert_eq!(json_rows.len(), rows.len());
    assert_eq!(
        json_rows[100]["fatalities"].as_f64().unwrap(),
        rows[100]["fatalities"].parse::<f64>().unwrap()
    );
    assert_eq!(doc["quality"]["kept"], 16227);
    let pq = dir.path().join("s.parquet");
    run_ok(
        uptick()
            .args(args)
            .args(["--format", "parquet", "-o"])
            .arg(&pq),
    );
    let bytes = std::fs::read(&pq).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary files left"
    );
}

/// Parquet (with typed date and number columns) and NDJSON holding the rows of `tiny.csv`
/// give the same series as the CSV.
#[test]
fn parquet_and_ndjson_match_csv() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("tiny.csv")).unwrap();
    let lines: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    // Parquet cannot hold the impossible date 2024-13-01 as a date: keep dates as text there,
    // but store deaths as integers.
    let column = |i: usize| lines.iter().map(|l| l[i].to_string()).collect::<Vec<_>>();
    let deaths: Vec<i64> = lines.iter().map(|l| l[3].parse().unwrap()).collect();
    let mut frame = DataFrame::new_infer_height(vec![
        Column::new("date".into(), column(0)),
        Column::new("province".into(), column(1)),
        Column::new("kind".into(), column(2)),
        Column::new("deaths".into(), deaths),
        Column::new("id".into(), column(4)),
    ])
    .unwrap();
    let pq = dir.path().join("tiny.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut frame)
        .unwrap();
    let nd = dir.path().join("tiny.ndjson");
    let ndjson: String = lines
        .iter()
        .map(|l| format!("{{\"date\":\"{}\",\"province\":\"{}\",\"kind\":\"{}\",\"deaths\":{},\"id\":\"{}\"}}\n", l[0], l[1], l[2], l[3], l[4]))
        .collect();
    std::fs::write(&nd, ndjson).unwrap();
    let run = |path: &std::path::Path| {
        run_ok(
            uptick()
                .args([
                    "series",
                    "--include-incomplete",
                    "--as-of",
                    "2024-01-31",
                    "--date-col",
                    "date",
                    "--region-col",
                    "province",
                    "--id-col",
                    "id",
                ])
                .args(["--weight-col", "deaths", "-i"])
                .arg(path),
        )
    };
    let from_csv = run(&fixture("tiny.csv"));
    for other in [&pq, &nd] {
        let out = run(other);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&from_csv.stdout),
            "{}",
            other.display()
        );
        assert!(
            stderr(&out).contains("rejected: unparsable date: 1"),
            "{}",
            stderr(&out)
        );
    }
}

/// All ten UCDP weekly battle-death files (ISO year + week): 1,617 weeks each (data README),
/// every row kept, none rejected.
#[test]
fn every_ucdp_weekly_file_loads() {
    for country in [
        "colombia", "congo", "ethiopia", "iraq", "mali", "myanmar", "nigeria", "pakistan",
        "sleone", "uganda",
    ] {
        let Some(input) = shared_data(&format!("ucdp_weekly_battle_deaths/{country}.csv.gz"))
        else {
            return;
        };
        let out = run_ok(
            uptick()
                .args([
                    "series",
                    "--as-of",
                    "2026-11-22",
                    "--date-col",
                    "year",
                    "--week-col",
                    "week",
                    "--weight-col",
                    "battle_deaths",
                    "-i",
                ])
                .arg(&input),
        );
        assert!(
            stderr(&out).contains(
                "1617 rows read (preset generic: generic table): 1617 kept, 0 rejected, 0 excluded"
            ),
            "{country}: {}",
            stderr(&out)
        );
        assert_eq!(csv_rows(&out.stdout).len(), 1617, "{country}");
    }
}

/// Real exports end mid-week: ACLED Bangladesh ends on Monday 2024-08-05, two days into its
/// Saturday week, whose 255 rows (Python: event dates 2024-08-03..05, ids counted once) are
/// left out with a note; UCDP GED Syria ends on Saturday 2019-11-30, a day short of its Monday
/// week. Weekly counts dated by week start (UCDP weekly battle deaths) are complete weeks.
#[test]
fn real_files_end_mid_week() {
    let Some(acled) = shared_data("acled_event_samples/acled_bangladesh_2022-12_2024-08.csv.gz")
    else {
        return;
    };
    let out = run_ok(
        uptick()
            .args(["series", "--as-of", "2026-11-01", "-i"])
            .arg(&acled),
    );
    let err = stderr(&out);
    assert!(
        err.contains(
            "excluded: in the incomplete last week of the data (week starting 2024-08-03): 255"
        ),
        "{err}"
    );
    assert!(err.contains("the data end on Mon 2024-08-05"), "{err}");
    let rows = csv_rows(&out.stdout);
    assert_eq!(
        rows.iter().map(|r| r["week_start"].as_str()).max(),
        Some("2024-07-27")
    );
    let out = run_ok(uptick().args([
        "series",
        "--demo",
        "--by",
        "country",
        "--as-of",
        "2019-12-01",
    ]));
    let err = stderr(&out);
    assert!(
        err.contains("the data end on Sat 2019-11-30, before the end of their last week (2019-11-25 to 2019-12-01)"),
        "{err}"
    );
    // every_ucdp_weekly_file_loads: weekly counts keep their last week without the flag.
}

/// Weekly counts aggregated elsewhere (here: uptick's own `series` output) are read back with
/// `--preset counts`, detected from the header: the same series and the same findings.
#[test]
fn weekly_counts_read_back_give_the_same_series_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("counts.csv");
    run_ok(
        uptick()
            .args([
                "series",
                "--demo",
                "--quiet",
                "--metric",
                "fatalities",
                "--output",
            ])
            .arg(&counts),
    );
    let again = run_ok(
        uptick()
            .args([
                "series",
                "--metric",
                "fatalities",
                "--as-of",
                "2019-10-14",
                "--output",
                "-",
                "--input",
            ])
            .arg(&counts),
    );
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        std::fs::read_to_string(&counts).unwrap()
    );
    assert!(
        stderr(&again).contains("preset counts"),
        "{}",
        stderr(&again)
    );
    let direct = run_ok(uptick().args(["detect", "--demo", "--quiet", "--format", "csv"]));
    let via_counts = run_ok(
        uptick()
            .args([
                "detect",
                "--quiet",
                "--format",
                "csv",
                "--preset",
                "counts",
                "--as-of",
                "2019-10-14",
                "--input",
            ])
            .arg(&counts),
    );
    assert_eq!(direct.stdout, via_counts.stdout);
    // Counts dated by Saturdays need --week-start sat, said in one line.
    let sat = dir.path().join("sat.csv");
    std::fs::write(
        &sat,
        "week_start,admin1,events\n2024-01-06,A,3\n2024-01-13,A,4\n2024-01-20,A,2\n",
    )
    .unwrap();
    let out = uptick()
        .args(["series", "--as-of", "2024-02-01", "--input"])
        .arg(&sat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("the week_start dates are all Saturdays (weekly counts with Saturday weeks); pass --week-start sat"), "{err}");
    let out = run_ok(
        uptick()
            .args([
                "series",
                "--week-start",
                "sat",
                "--as-of",
                "2024-02-01",
                "--output",
                "-",
                "--input",
            ])
            .arg(&sat),
    );
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["events"], "2");
}

/// A directory of Hive-partitioned Parquet (`year=2019/part-….parquet`, as Spark writes it) is
/// one input: the same series as the same rows in one CSV, and `--from` reads only the
/// partitions of the years asked for (a broken partition outside them is never opened).
#[test]
fn hive_partitioned_parquet_is_one_input_with_partition_pruning() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let mut csv = String::from("date,admin1,id\n");
    for year in 2017..=2019 {
        let (mut dates, mut regions, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..300u32 {
            let day = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap()
                + chrono::Duration::days(i64::from((k * 7919) % 360));
            let region = format!("P{}", (k * 31 + year as u32) % 4);
            // Every 50th event is listed twice, as per-actor exports do.
            let id = format!("E{year}-{}", if k % 50 == 1 { k - 1 } else { k });
            csv.push_str(&format!("{day},{region},{id}\n"));
            dates.push(day.to_string());
            regions.push(region);
            ids.push(id);
        }
        let mut df = df!("date" => dates, "admin1" => regions, "id" => ids).unwrap();
        let part = lake.join(format!("year={year}"));
        std::fs::create_dir_all(&part).unwrap();
        ParquetWriter::new(std::fs::File::create(part.join("part-00000.parquet")).unwrap())
            .finish(&mut df)
            .unwrap();
    }
    // Spark's marker files are not data.
    std::fs::write(lake.join("_SUCCESS"), "").unwrap();
    let flat = dir.path().join("flat.csv");
    std::fs::write(&flat, csv).unwrap();
    let series = |input: &std::path::Path, extra: &[&str]| {
        uptick()
            .args([
                "series",
                "--date-col",
                "date",
                "--region-col",
                "admin1",
                "--id-col",
                "id",
            ])
            .args(["--as-of", "2020-01-06", "--output", "-", "--input"])
            .arg(input)
            .args(extra)
            .output()
            .unwrap()
    };
    let from_lake = series(&lake, &[]);
    assert!(from_lake.status.success(), "{}", stderr(&from_lake));
    let from_flat = series(&flat, &[]);
    assert_eq!(from_lake.stdout, from_flat.stdout);
    assert!(!from_lake.stdout.is_empty());
    // Break the 2018 partition: a full read fails naming it; --from 2019 never opens it.
    std::fs::write(lake.join("year=2018/part-00000.parquet"), b"not parquet").unwrap();
    let broken = series(&lake, &[]);
    assert_eq!(broken.status.code(), Some(2), "{}", stderr(&broken));
    assert!(
        stderr(&broken).contains("year=2018/part-00000.parquet: not a Parquet file"),
        "{}",
        stderr(&broken)
    );
    let pruned = series(&lake, &["--from", "2019-01-01"]);
    assert!(pruned.status.success(), "{}", stderr(&pruned));
    assert!(
        stderr(&pruned).contains("only the year= partitions from 2019 were read"),
        "{}",
        stderr(&pruned)
    );
    let flat_2019 = series(&flat, &["--from", "2019-01-01"]);
    assert_eq!(pruned.stdout, flat_2019.stdout);
}

/// The DuckDB query in `docs/sql/` (shown in docs/scaling-out.md) run on a real ACLED
/// export with real DuckDB: uptick's findings on the engine's weekly counts equal its findings
/// on the export itself. Skips with a notice without ../shared or Python's duckdb, unless
/// `UPTICK_REQUIRE_DUCKDB=1` (set by `.ci/run`, which installs it).
#[test]
fn duckdb_counts_give_the_same_findings_as_the_export() {
    let Some(gz) = shared_data("acled_event_samples/acled_bangladesh_2022-12_2024-08.csv.gz")
    else {
        return;
    };
    let has_duckdb = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_duckdb {
        assert!(
            std::env::var("UPTICK_REQUIRE_DUCKDB").as_deref() != Ok("1"),
            "UPTICK_REQUIRE_DUCKDB=1 but python3 cannot import duckdb"
        );
        crate::notice("python3 -c 'import duckdb' failed (pip install duckdb)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("acled.csv");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()),
        &mut text,
    )
    .unwrap();
    std::fs::write(&export, text).unwrap();
    let counts = dir.path().join("counts.csv");
    let sql = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sql/duckdb_acled_counts.sql"),
    )
    .unwrap()
    .replace("'acled.csv'", &format!("'{}'", export.display()))
    .replace("'counts.csv'", &format!("'{}'", counts.display()));
    let out = std::process::Command::new("python3")
        .args(["-c", "import duckdb, sys; duckdb.sql(sys.stdin.read())"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(sql.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let detect = |input: &std::path::Path, extra: &[&str]| {
        run_ok(
            uptick()
                .args([
                    "detect",
                    "--quiet",
                    "--format",
                    "csv",
                    "--as-of",
                    "2024-08-31",
                    "--input",
                ])
                .arg(input)
                .args(extra),
        )
        .stdout
    };
    let direct = detect(&export, &[]);
    let via_engine = detect(&counts, &["--week-start", "sat"]);
    assert!(String::from_utf8_lossy(&direct).lines().count() > 5);
    assert_eq!(
        String::from_utf8_lossy(&via_engine),
        String::from_utf8_lossy(&direct)
    );
}
