//! Snapshots of what users read: every command's `--help`, and the demo's terminal tables.
//! A wording change shows up here as a diff to review (`cargo insta review`, or rerun with
//! `INSTA_UPDATE=always` and read the diff), never by accident.

use crate::{run_ok, uptick};

fn stdout(args: &[&str]) -> String {
    String::from_utf8(run_ok(uptick().args(args)).stdout).unwrap()
}

#[test]
fn help_of_every_command() {
    for command in [
        "series", "detect", "compare", "clusters", "report", "evaluate", "init",
    ] {
        insta::assert_snapshot!(format!("help_{command}"), stdout(&[command, "--help"]));
    }
    insta::assert_snapshot!("help", stdout(&["--help"]));
}

#[test]
fn demo_tables() {
    insta::assert_snapshot!(
        "detect_demo_offensive",
        stdout(&["detect", "--demo", "--as-of", "2019-10-13", "-q"])
    );
    insta::assert_snapshot!(
        "compare_demo_quarter",
        stdout(&[
            "compare",
            "--demo",
            "--period",
            "2019-Q3",
            "--against",
            "same-period-last-year",
            "-q"
        ])
    );
    insta::assert_snapshot!(
        "series_demo_head",
        stdout(&["series", "--demo", "-q"])
            .lines()
            .take(8)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
