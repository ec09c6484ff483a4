//! Every JSON document uptick writes validates against `docs/uptick.schema.json`, and a finding
//! or comparison row has the same fields in `detect`, `compare` and `report.json`.

use crate::{run_ok, uptick};

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/uptick.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn check(v: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

fn json_of(args: &[&str]) -> serde_json::Value {
    let out = run_ok(uptick().args(args).args(["--format", "json", "-q"]));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn every_json_output_follows_the_one_schema() {
    let v = validator();
    let series = json_of(&["series", "--demo", "--by", "admin1"]);
    check(&v, &series, "series");
    let findings = json_of(&["detect", "--demo", "--as-of", "2019-10-13"]);
    check(&v, &findings, "detect");
    let comparison = json_of(&["compare", "--demo"]);
    check(&v, &comparison, "compare");
    let clusters = json_of(&["clusters", "--demo", "--replications", "99"]);
    check(&v, &clusters, "clusters");
    let evaluation = json_of(&[
        "evaluate",
        "--demo",
        "--injections",
        "3",
        "--null-copies",
        "1",
    ]);
    check(&v, &evaluation, "evaluate");
    let root = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args(["report", "--demo", "--as-of", "2019-10-13", "-q", "--out"])
            .arg(root.path()),
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.path().join("2019-W41/report.json")).unwrap())
            .unwrap();
    check(&v, &report, "report.json");
    assert_eq!(report["kind"], "report");
    assert_eq!(report["schema_version"], 2);
    // The same record shapes across commands.
    assert_eq!(
        keys(&findings["findings"][0]),
        keys(&report["findings"][0]),
        "finding records differ between detect and report.json"
    );
    assert_eq!(
        keys(&comparison["regions"][0]),
        keys(&report["comparison"]["regions"][0]),
        "comparison records differ between compare and report.json"
    );
    assert_eq!(report["findings"][0]["region"]["country"], "Syria");
    assert_eq!(comparison["total"]["region"], serde_json::json!({}));
}

#[test]
fn the_schema_rejects_drift() {
    let v = validator();
    let mut doc = json_of(&["compare", "--demo"]);
    check(&v, &doc, "compare");
    doc["regions"][0]["ci95"] = serde_json::json!([1.0, 2.0]);
    assert!(!v.is_valid(&doc), "an unknown field in a record must fail");
    let mut doc = json_of(&["compare", "--demo"]);
    doc["regions"][0]["region"] = serde_json::json!(["Syria", "Idlib"]);
    assert!(!v.is_valid(&doc), "a region as an array must fail");
    let mut doc = json_of(&["compare", "--demo"]);
    doc["schema_version"] = serde_json::json!(1);
    assert!(!v.is_valid(&doc), "another schema version must fail");
}
