//! `uptick evaluate` on simulated series whose truth is known: negative-binomial counts with
//! no change (every alarm on the data is false), injected rises that should be caught, and
//! `--inject 1` (no rise at all), plus determinism for a fixed seed.

use rand::SeedableRng;
use rand_distr::{Distribution, Gamma, Poisson};

use crate::{run_ok, uptick};

/// Weekly counts of `regions` quiet regions over `weeks` Monday weeks from 2019-01-07:
/// negative binomial with mean `mean` and size 4 (variance/mean = 1 + mean/4), no change.
fn null_file(dir: &std::path::Path, regions: usize, weeks: usize, mean: f64) -> std::path::PathBuf {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20_261_123);
    let gamma = Gamma::new(4.0, mean / 4.0).unwrap();
    let mut text = String::from("week,region,events\n");
    let start = chrono::NaiveDate::from_ymd_opt(2019, 1, 7).unwrap();
    for r in 0..regions {
        for w in 0..weeks {
            let lambda: f64 = gamma.sample(&mut rng);
            let y: f64 = Poisson::new(lambda.max(1e-9)).unwrap().sample(&mut rng);
            let day = start + chrono::Days::new(7 * w as u64);
            text.push_str(&format!("{day},R{r:02},{y}\n"));
        }
    }
    let path = dir.join("null.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn evaluate(file: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = run_ok(
        uptick()
            .args(["evaluate", "--as-of", "2026-11-22", "--date-col", "week"])
            .args(["--region-col", "region", "--weight-col", "events"])
            .args(["--format", "json", "-q", "-i"])
            .arg(file)
            .args(extra),
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn row<'a>(doc: &'a serde_json::Value, method: &str, alpha: f64) -> &'a serde_json::Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == method && r["alpha"] == alpha)
        .unwrap_or_else(|| panic!("no row for {method} {alpha}"))
}

/// On data with no change, the real-data alarm rate is the rate `detect` gives over the same
/// weeks, and the simulated null copies give about the same rate (both are false alarms).
#[test]
fn on_null_data_the_real_and_simulated_rates_agree_with_detect() {
    let dir = tempfile::tempdir().unwrap();
    let file = null_file(dir.path(), 30, 260, 12.0);
    let doc = evaluate(&file, &["--methods", "nb,ears-c2", "--alpha", "0.05"]);
    assert_eq!(doc["kind"], "evaluation");
    assert_eq!(doc["regions"], 30);
    let out = run_ok(
        uptick()
            .args(["detect", "--as-of", "2026-11-22", "--date-col", "week"])
            .args(["--region-col", "region", "--weight-col", "events"])
            .args([
                "--method", "nb", "--weeks", "104", "--format", "json", "-q", "-i",
            ])
            .arg(&file),
    );
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = found["findings"].as_array().unwrap();
    let alarms = findings.iter().filter(|f| f["alarm"] == true).count() as f64;
    let per_year = alarms / (findings.len() as f64 / (365.25 / 7.0));
    let nb = row(&doc, "nb", 0.05);
    let real = nb["alarms_per_region_year_real"].as_f64().unwrap();
    assert!(
        (real - per_year).abs() < 1e-9,
        "evaluate {real} vs detect {per_year}"
    );
    // Both rates measure false alarms here: 30 regions × 2 years real, × 5 copies simulated.
    let null = nb["false_alarms_per_region_year_null"].as_f64().unwrap();
    assert!(
        null < 2.0,
        "nb is calibrated: {null} false alarms per region-year"
    );
    assert!(
        (real - null).abs() < 1.0,
        "real-data (no change) {real} vs simulated {null}"
    );
}

/// 5× rises over 3 weeks in busy regions are nearly all caught; with `--inject 1` there is no
/// rise, so what is "caught" is only what those weeks alarm anyway: the excess is about 0.
#[test]
fn big_rises_are_caught_and_no_rise_has_no_excess() {
    let dir = tempfile::tempdir().unwrap();
    let file = null_file(dir.path(), 12, 200, 20.0);
    let doc = evaluate(
        &file,
        &["--methods", "nb", "--alpha", "0.05", "--inject", "5,1"],
    );
    let rows = doc["results"].as_array().unwrap();
    let five = rows.iter().find(|r| r["inject_factor"] == 5.0).unwrap();
    let s5 = five["sensitivity"].as_f64().unwrap();
    assert!(s5 > 0.9, "5x rises caught: {s5}");
    assert_eq!(five["injections"], 12 * 20);
    assert!(
        five["median_delay_weeks"].as_f64().unwrap() <= 1.0,
        "{five}"
    );
    let one = rows.iter().find(|r| r["inject_factor"] == 1.0).unwrap();
    let s1 = one["sensitivity"].as_f64().unwrap();
    let excess = one["sensitivity_excess"].as_f64().unwrap();
    assert!(excess.abs() < 1e-12, "no rise, no excess: {excess}");
    // Three weeks at about 2% of region-weeks alarming each: well under 15%.
    assert!(s1 < 0.15, "no rise is rarely 'caught': {s1}");
}

#[test]
fn the_same_seed_gives_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let file = null_file(dir.path(), 6, 150, 8.0);
    let args = ["--methods", "nb,cusum", "--injections", "5"];
    let a = evaluate(&file, &args);
    let b = evaluate(&file, &args);
    assert_eq!(a, b);
    let c = evaluate(&file, &[args.as_slice(), &["--seed", "2"]].concat());
    assert_ne!(a["results"], c["results"], "another seed, other draws");
    assert!(a["recommendation"]["text"].as_str().unwrap().len() > 40);
}

/// The demo data: every output format, the chart, and bad options.
#[test]
fn demo_formats_chart_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        uptick()
            .args(["evaluate", "--demo", "-q", "--charts"])
            .arg(dir.path()),
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("sensitivity") && table.contains("nb"),
        "{table}"
    );
    assert!(dir.path().join("evaluation.png").exists());
    let csv = run_ok(uptick().args(["evaluate", "--demo", "-q", "--format", "csv"]));
    let rows = crate::csv_rows(&csv.stdout);
    assert_eq!(rows.len(), 4 * 2, "4 methods × 2 alphas × 1 rise size");
    let md = run_ok(uptick().args(["evaluate", "--demo", "-q", "--format", "md"]));
    assert!(String::from_utf8(md.stdout)
        .unwrap()
        .starts_with("## How the methods perform on these data"));
    for (flag, value, message) in [
        ("--inject", "0.5", "a rise factor must be at least 1"),
        ("--alpha", "2", "must be between 0 and 1"),
        ("--weeks", "0", "--weeks must be at least 1"),
    ] {
        let out = uptick()
            .args(["evaluate", "--demo", flag, value])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
