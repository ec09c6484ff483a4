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

/// A region whose events rose from 3 in 12 weeks to 17 in 4 (+1458%, p = 0.003) among 31
/// regions is not significant once they are allowed for (q = 0.087): every output says it
/// is a rise that is not significant across the regions, with its q, not "no significant
/// change", which stays for the regions whose estimates are close to no change.
#[test]
fn a_large_rise_not_significant_across_regions_is_called_a_rise() {
    let file = crate::fixture("compare_rise_not_across.csv");
    let args = [
        "--date-col",
        "date",
        "--region-col",
        "region",
        "--as-of",
        "2024-04-01",
        "-q",
    ];
    let compare = |format: &str| {
        run_ok(
            uptick()
                .args(["compare", "--period", "2024-03-04..2024-03-31"])
                .args(["--against", "2023-12-11..2024-03-03", "--format", format])
                .args(args)
                .arg("-i")
                .arg(&file),
        )
        .stdout
    };
    let doc: serde_json::Value = serde_json::from_slice(&compare("json")).unwrap();
    let region = |name: &str| {
        doc["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["region"]["region"] == name)
            .unwrap()
            .clone()
    };
    let rising = region("Rising");
    assert_eq!(rising["verdict"], "up_not_significant");
    assert!(rising["p_two_sided"].as_f64().unwrap() < 0.01, "{rising}");
    assert!(rising["qvalue"].as_f64().unwrap() > 0.05, "{rising}");
    assert_eq!(region("Falling")["verdict"], "down_not_significant");
    assert_eq!(region("Quiet 00")["verdict"], "no_significant_change");
    let csv = crate::csv_rows(&compare("csv"));
    let verdict = |name: &str| crate::cell(&csv, &[("region", name)], "verdict");
    assert_eq!(verdict("Rising"), "up (not significant across regions)");
    assert_eq!(verdict("Quiet 00"), "no significant change");
    let table = String::from_utf8(compare("table")).unwrap();
    assert!(
        table.lines().any(|l| l.starts_with("Rising")
            && l.trim_end()
                .ends_with("up (not significant across regions)")),
        "{table}"
    );
    // The report: the rise is in its table (before the larger quiet regions), in the same
    // words, and in report.json.
    let out = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .arg("report")
            .args(args)
            .arg("-i")
            .arg(&file)
            .arg("--out")
            .arg(out.path()),
    );
    let week = out.path().join("2024-W13");
    let md = std::fs::read_to_string(week.join("report.md")).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| Rising |"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(
        row.ends_with("| up (not significant across regions) |"),
        "{row}"
    );
    let json = std::fs::read_to_string(week.join("report.json")).unwrap();
    assert!(
        json.contains("\"verdict\":\"up_not_significant\""),
        "{json}"
    );
}
