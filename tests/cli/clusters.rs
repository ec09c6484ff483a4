//! `uptick clusters` end to end: the demo's border clusters in every format, the map, and
//! inputs it cannot scan (no coordinate columns, unusable coordinates) said in one line.

use crate::{csv_rows, fixture, run_ok, stderr, uptick};

fn demo(format: &str) -> std::process::Output {
    run_ok(uptick().args([
        "clusters",
        "--demo",
        "--as-of",
        "2019-10-14",
        "-q",
        "--format",
        format,
    ]))
}

/// On the demo week (the Turkish offensive of October 2019) the two most likely clusters lie
/// on the border around Tall Abyad and Ras al Ayn, each with p = 0.001, and both formats for
/// machines carry the same figures at full precision.
#[test]
fn the_demo_clusters_in_every_format() {
    let doc: serde_json::Value = serde_json::from_slice(&demo("json").stdout).unwrap();
    assert_eq!(doc["kind"], "clusters");
    assert_eq!(doc["study_weeks"], 52);
    assert_eq!(doc["replications"], 999);
    assert_eq!(doc["week_start"], "2019-10-07");
    let clusters = doc["clusters"].as_array().unwrap();
    let places: Vec<&str> = clusters[..2]
        .iter()
        .map(|c| c["place"].as_str().unwrap())
        .collect();
    assert!(
        places.contains(&"Tall Abyad town") && places.contains(&"Ras al Ayn town"),
        "{places:?}"
    );
    for c in &clusters[..2] {
        assert_eq!(c["pvalue"], 0.001, "{c}");
        assert_eq!(c["recurrence_weeks"], 1000.0);
        assert_eq!(c["weeks"], 1);
        assert!(c["radius_km"].as_f64().unwrap() <= 50.0);
    }
    // Tall Abyad's cluster crosses a governorate border.
    let tall_abyad = clusters
        .iter()
        .find(|c| c["place"] == "Tall Abyad town")
        .unwrap();
    assert!(
        tall_abyad["regions"].as_array().unwrap().len() >= 2,
        "{tall_abyad}"
    );
    // The same shortest round-trip digits in CSV and JSON (compared as text: serde_json's
    // default parser may miss the last bit).
    let json_text = String::from_utf8(demo("json").stdout).unwrap();
    let csv = csv_rows(&demo("csv").stdout);
    assert_eq!(csv.len(), clusters.len());
    for row in &csv {
        for field in ["llr", "expected", "radius_km"] {
            let needle = format!("\"{field}\": {}", row[field]);
            assert!(json_text.contains(&needle), "{needle}");
        }
    }
    let md = String::from_utf8(demo("md").stdout).unwrap();
    assert!(
        md.contains("events within 49 km of Mattin village (8 at Tall Abyad town) in the last week (2019-10-07 to 2019-10-13)"),
        "{md}"
    );
    assert!(
        md.contains("by chance about once in 19 years of weekly reports"),
        "{md}"
    );
    let table = String::from_utf8(demo("table").stdout).unwrap();
    assert!(
        table.starts_with("10 cluster(s) among 2037 events at 589 locations"),
        "{table}"
    );
    // Deterministic: the same seed, the same bytes.
    assert_eq!(demo("json").stdout, demo("json").stdout);
}

/// `--charts DIR` draws the clusters as circles on the event map.
#[test]
fn charts_draw_the_clusters_on_the_map() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args(["clusters", "--demo", "-q", "--replications", "99"])
            .args(["--chart-format", "svg", "--charts"])
            .arg(dir.path()),
    );
    let svg = std::fs::read_to_string(dir.path().join("clusters.svg")).unwrap();
    assert!(svg.contains("Space-time clusters"), "title");
    assert!(svg.contains("1 Tall Abyad town (p = 0.01)"), "label");
    assert!(svg.contains("<polyline"), "circles");
}

/// Events without usable coordinates are counted by reason and left out, never silently; an
/// input without coordinate columns is a one-line error.
#[test]
fn unusable_coordinates_are_counted_and_missing_columns_are_an_error() {
    let out = run_ok(
        uptick()
            .args(["clusters", "--as-of", "2024-03-11", "--replications", "99"])
            .args([
                "--date-col",
                "date",
                "--region-col",
                "region",
                "--study-weeks",
                "10",
            ])
            .arg("-i")
            .arg(fixture("clusters_coords.csv")),
    );
    let err = stderr(&out);
    assert!(
        err.contains("note: 6 of the study period's events left out of the cluster scan: 1 without coordinates, 3 at (0, 0), which exports use for an unknown place, 2 with a latitude beyond ±90° or a longitude beyond ±180°"),
        "{err}"
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("among 67 events at 6 locations"), "{table}");
    assert!(
        table.contains("6 events without usable coordinates left out"),
        "{table}"
    );
    let out = uptick()
        .args(["clusters", "--as-of", "2024-02-01"])
        .args(["--date-col", "date", "--region-col", "province"])
        .arg("-i")
        .arg(fixture("tiny.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("the data have no latitude/longitude columns, which the cluster scan needs"),
        "{err}"
    );
}

/// Parameters out of range stop with the flag named.
#[test]
fn parameters_out_of_range_name_their_flag() {
    let out = uptick()
        .args(["clusters", "--demo", "--max-weeks", "52"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out)
        .contains("--max-weeks 52 must be at least 1 and shorter than --study-weeks 52"));
}
