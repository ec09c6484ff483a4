//! `uptick detect` end to end.

use crate::{csv_rows, run_ok, shared_data, stderr, uptick};

/// The Turkish offensive in north-east Syria (from 2019-10-09) in the bundled UCDP data: the
/// week of 2019-10-07 alarms in Al Hasakah, Ar Raqqah (and Aleppo); --fail-on-alarm exits 1.
#[test]
fn demo_finds_the_october_2019_offensive() {
    let out = uptick()
        .args([
            "detect",
            "--demo",
            "--as-of",
            "2019-10-13",
            "--format",
            "csv",
            "--fail-on-alarm",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 14, "one row per governorate");
    let alarms: Vec<&str> = rows
        .iter()
        .filter(|r| r["alarm"] == "1")
        .map(|r| r["admin1"].as_str())
        .collect();
    assert!(
        alarms.contains(&"Al Hasakah") && alarms.contains(&"Ar Raqqah"),
        "{alarms:?}"
    );
    // Sorted by significance: alarms first.
    assert_eq!(rows[0]["alarm"], "1");
    let hasakah = rows.iter().find(|r| r["admin1"] == "Al Hasakah").unwrap();
    assert_eq!(hasakah["week_start"], "2019-10-07");
    assert_eq!(hasakah["observed"], "24");
    assert_eq!(hasakah["method"], "nb", "auto is nb");
    // 24 events against 7 in the 26 baseline weeks: clear, but with the dispersion unknown
    // from so few events, not the 1e-23 a Poisson model would claim.
    let q: f64 = hasakah["qvalue"].parse().unwrap();
    assert!(q < 0.01 && q > 1e-8, "{q}");
    // Without --fail-on-alarm the same run exits 0; a table is the default format.
    let out = run_ok(uptick().args(["detect", "--demo", "--as-of", "2019-10-13"]));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("3 alarm(s) among 14 judgement(s)"),
        "{table}"
    );
    assert!(table.lines().nth(2).unwrap().contains("ALARM"), "{table}");
}

/// The weekly ACLED aggregates run through the whole CLI reproduce R's Noufaily output for
/// Diyala (tests/fixtures/reference, made from the same file).
#[test]
fn noufaily_backtest_matches_r_end_to_end() {
    let Some(input) =
        shared_data("acled_me_weekly_agg/acled_middle_east_weekly_admin1_2015-2026.csv.gz")
    else {
        return;
    };
    let out = run_ok(
        uptick()
            .args([
                "detect",
                "--as-of",
                "2026-11-22",
                "--country",
                "Iraq",
                "--method",
                "noufaily",
                "--backtest",
            ])
            .args(["--format", "csv", "--where", "ADMIN1=Diyala", "-q", "-i"])
            .arg(&input),
    );
    let rows = csv_rows(&out.stdout);
    let reference = csv_rows(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/reference/expected/acled_iraq_diyala__farrington_noufaily.csv"
        ))
        .unwrap(),
    );
    let mut compared = 0;
    for want in &reference {
        let got = rows
            .iter()
            .find(|r| r["week_start"] == want["week"])
            .expect("week judged");
        assert_eq!(got["observed"], want["observed"]);
        if want["upperbound"] != "NA" {
            let (g, w): (f64, f64) = (
                got["upperbound"].parse().unwrap(),
                want["upperbound"].parse().unwrap(),
            );
            assert!(
                (g - w).abs() <= 1e-9 * w.max(1.0),
                "{}: {g} vs {w}",
                want["week"]
            );
            compared += 1;
        }
        // A single region: q equals p, so the alarm is R's alarm.
        assert_eq!(got["alarm"], want["alarm"], "{}", want["week"]);
    }
    assert!(compared > 250);
}

#[test]
fn bad_alpha_is_a_usage_error() {
    let out = uptick()
        .args(["detect", "--demo", "--alpha", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--alpha 2 must be between 0 and 1"),
        "{}",
        stderr(&out)
    );
}

/// JSON carries the run's parameters, the findings and the data quality.
#[test]
fn json_output_is_complete() {
    let out = run_ok(uptick().args([
        "detect",
        "--demo",
        "--as-of",
        "2019-10-13",
        "--weeks",
        "3",
        "--format",
        "json",
        "-q",
    ]));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 42);
    assert_eq!(doc["alpha"], 0.05);
    // Python: 15,891 rows with an adm_1 dated on or before 2019-10-13.
    assert_eq!(doc["quality"]["kept"], 15891);
    assert_eq!(doc["weeks_judged"].as_array().unwrap().len(), 3);
}
