//! Integration tests: run the real `uptick` binary. One test target for every subcommand.
//!
//! Tests that read real data from `../shared/data` (licensed for tests only, not bundled) skip
//! with a printed notice where that folder is absent.

mod bad_input;
mod build;
mod charts;
mod clusters;
mod compare;
mod dates;
mod detect;
mod evaluate;
mod faults;
mod html;
mod notify;
mod report;
mod schema;
mod series;
mod shell;
mod snapshots;
mod sql;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// Whether the tests that only prove scale run at full size (`UPTICK_SCALE_TESTS=1`, set by
/// `.ci/run`); a newcomer's `cargo test` runs them small, proving the same behaviour.
pub fn scale_tests() -> bool {
    std::env::var("UPTICK_SCALE_TESTS").as_deref() == Ok("1")
}

/// The `uptick` binary with a clean environment.
pub fn uptick() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_uptick"));
    cmd.env_clear();
    cmd
}

/// A file under `../shared/data`, or `None` (with a printed notice) where it is absent.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        notice(&format!(
            "{} not found (../shared is not beside this clone)",
            p.display()
        ));
        None
    }
}

/// Prints "notice: skipped, WHY" to the process's stderr directly, past the test harness's
/// capture, so the notice shows in CI logs.
pub fn notice(why: &str) {
    use std::io::Write as _;
    let msg = format!("notice: skipped, {why}");
    match std::fs::OpenOptions::new().write(true).open("/dev/stderr") {
        Ok(mut f) => {
            let _ = writeln!(f, "{msg}");
        }
        Err(_) => eprintln!("{msg}"),
    }
}

/// A fixture under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Runs and asserts success; returns the output.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("uptick runs");
    assert!(
        out.status.success(),
        "uptick failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// CSV text as rows of column → value.
pub fn csv_rows(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The value of `column` in the row matching every (column, value) in `key`.
pub fn cell(rows: &[HashMap<String, String>], key: &[(&str, &str)], column: &str) -> String {
    let found: Vec<_> = rows
        .iter()
        .filter(|r| {
            key.iter()
                .all(|(k, v)| r.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one row for {key:?}, found {}",
        found.len()
    );
    found[0][column].clone()
}
