//! `uptick compare` end to end, with figures from Python (counts) and R (`poisson.test`).

use crate::{csv_rows, run_ok, stderr, uptick};

/// `uptick compare --demo --period 2019-Q3 --against same-period-last-year -q` plus `extra`.
fn quarter(extra: &[&str]) -> std::process::Output {
    run_ok(
        uptick()
            .args([
                "compare",
                "--demo",
                "--period",
                "2019-Q3",
                "--against",
                "same-period-last-year",
                "-q",
            ])
            .args(extra),
    )
}

/// Idlib, 2019-Q3 against 2018-Q3, in the bundled UCDP data, with the exact Poisson test.
/// Python: 202 vs 70 events, all regions 518 vs 442. R 4.2.2:
/// poisson.test(c(202, 70), c(92/7, 92/7)): ratio 2.885714286, p = 5.123981911e-16, CI
/// 2.188579536–3.843577214; all regions: p = 0.01545074421, CI 1.03026059757–1.33356314090.
#[test]
fn quarter_against_same_quarter_last_year_exact() {
    let out = quarter(&["--test", "exact-poisson", "--format", "csv"]);
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 15, "14 governorates and the totals row");
    let idlib = rows.iter().find(|r| r["admin1"] == "Idlib").unwrap();
    assert_eq!(
        (idlib["count"].as_str(), idlib["count_against"].as_str()),
        ("202", "70")
    );
    // CSV is for machines: full precision, matching R to 1e-9.
    let close = |row: &std::collections::HashMap<String, String>, k: &str, want: f64| {
        let got: f64 = row[k].parse().unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want.abs(),
            "{k}: {got} vs R {want}"
        );
    };
    close(idlib, "rate_ratio", 2.885714286);
    close(idlib, "p_two_sided", 5.123981911e-16);
    close(idlib, "ci_low", 2.188579536);
    close(idlib, "ci_high", 3.843577214);
    assert_eq!(idlib["rate_ratio"], "2.8857142857142857");
    assert_eq!(idlib["verdict"], "up");
    assert_eq!(idlib["test"], "exact-poisson");
    assert_eq!(idlib["dispersion"], "");
    assert_eq!(rows[0]["admin1"], "Idlib", "most significant first");
    let total = rows.last().unwrap();
    assert_eq!(total["admin1"], "ALL");
    assert_eq!(
        (total["count"].as_str(), total["count_against"].as_str()),
        ("518", "442")
    );
    close(total, "p_two_sided", 0.01545074421);
    close(total, "ci_low", 1.03026059757);
    close(total, "ci_high", 1.33356314090);
}

/// The same quarters with the default quasi-Poisson test. Python cut each quarter into
/// 7-day blocks from its first day (13 weeks and a 1-day block): Idlib 16 16 15 27 10 9 30 27
/// 31 3 12 4 1 | 1 against 3 12 5 5 1 5 8 3 2 13 5 5 3 | 0. R 4.2.2:
/// glm(y ~ d + offset(log(e)), quasipoisson), dispersion floored at 1: ratio 2.885714286,
/// dispersion 4.440468160, CI 1.582517384–5.262088759; Wald t p (the default) =
/// 2 * pt(-abs(b / se), 26) = 0.00122965228426; F test p (quasi-poisson-f) = 0.000638971716.
/// The over-dispersion (4.4) makes the evidence far weaker than the exact test's 5e-16.
#[test]
fn quarter_against_same_quarter_last_year_quasi_poisson() {
    let out = quarter(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["test"], "quasi-poisson");
    assert_eq!(doc["ci_level"], 0.95);
    let idlib = doc["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"]["admin1"] == "Idlib")
        .unwrap();
    let f = |k: &str| idlib[k].as_f64().unwrap();
    let close = |got: f64, want: f64| (got - want).abs() <= 1e-6 * want.abs();
    assert!(close(f("rate_ratio"), 2.885714285714291));
    assert!(close(f("dispersion"), 4.440468159845801), "{idlib}");
    assert!(close(f("p_two_sided"), 0.00122965228426), "{idlib}");
    assert!(close(f("ci_low"), 1.582517384375162), "{idlib}");
    assert!(close(f("ci_high"), 5.262088758704847), "{idlib}");
    assert_eq!(idlib["verdict"], "up");
    // R's F test on the same model.
    let out = quarter(&["--test", "quasi-poisson-f", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["test"], "quasi-poisson-f");
    let idlib = doc["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"]["admin1"] == "Idlib")
        .unwrap();
    assert!(
        close(idlib["p_two_sided"].as_f64().unwrap(), 0.000638971715917),
        "{idlib}"
    );
    // The table names the test.
    let out = quarter(&[]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table
            .lines()
            .next()
            .unwrap()
            .contains("test: quasi-poisson, 95% intervals"),
        "{table}"
    );
}

/// Relative periods resolve against the last complete week: the demo data end on Saturday
/// 2019-11-30, so with --as-of 2019-12-01 the last 4 weeks end on Sunday 2019-11-24. Zero
/// counts give defined ratios; JSON and markdown carry the same rows.
#[test]
fn relative_periods_json_and_markdown() {
    let args = [
        "compare",
        "--demo",
        "--as-of",
        "2019-12-01",
        "--period",
        "last-4-weeks",
        "--against",
        "previous-12-weeks",
        "-q",
    ];
    let out = run_ok(uptick().args(args).args(["--format", "json"]));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["kind"], "comparison");
    assert_eq!(doc["period"]["from"], "2019-10-28");
    assert_eq!(doc["period"]["to"], "2019-11-24");
    assert_eq!(doc["against"]["from"], "2019-08-05");
    assert_eq!(doc["weeks_against"], 12.0);
    let damascus = doc["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"]["admin1"] == "Damascus")
        .unwrap();
    assert_eq!(damascus["count_against"], 0.0);
    assert_eq!(
        damascus["rate_ratio"],
        serde_json::Value::Null,
        "infinite: null"
    );
    assert_eq!(damascus["verdict"], "too_few_events");
    let md =
        String::from_utf8(run_ok(uptick().args(args).args(["--format", "md"])).stdout).unwrap();
    assert!(md.contains("| Region | Count |"), "{md}");
    assert!(md.contains("| **All regions** |"), "{md}");
}

#[test]
fn overlapping_periods_are_an_error() {
    let out = uptick()
        .args([
            "compare",
            "--demo",
            "--period",
            "2019",
            "--against",
            "2019-Q2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the periods overlap"),
        "{}",
        stderr(&out)
    );
    let out = uptick()
        .args([
            "compare",
            "--demo",
            "--period",
            "2019-Q5",
            "--against",
            "2018",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("quarters are Q1 to Q4"),
        "{}",
        stderr(&out)
    );
    let out = uptick()
        .args([
            "compare",
            "--demo",
            "--as-of",
            "2019-06-01",
            "--period",
            "2019-Q3",
            "--against",
            "2018-Q3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ends after the last complete week"),
        "{}",
        stderr(&out)
    );
}
