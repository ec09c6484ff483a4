//! `uptick report` end to end: contents, idempotent reruns, new/continuing/ended alerts, the
//! lock, the config file, and the committed demo report (regenerated; fails on drift).

use std::path::Path;

use crate::{run_ok, stderr, uptick};

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// The README's first command, run in a fresh directory, reproduces reports/demo byte for byte.
#[test]
fn committed_demo_report_has_not_drifted() {
    let work = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .current_dir(work.path())
            .args(["report", "--demo", "--out", "reports/demo"]),
    );
    let fresh = work.path().join("reports/demo/2019-W41");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/demo/2019-W41");
    assert_eq!(files(&fresh), files(&committed));
    for f in files(&fresh) {
        assert!(
            std::fs::read(fresh.join(&f)).unwrap() == std::fs::read(committed.join(&f)).unwrap(),
            "{f} drifted: regenerate with `cargo run --release -- report --demo --out reports/demo`"
        );
    }
    // The archive index beside it.
    for f in ["index.md", "index.html", "index.png"] {
        assert!(
            std::fs::read(fresh.join("..").join(f)).unwrap()
                == std::fs::read(committed.join("..").join(f)).unwrap(),
            "{f} drifted: regenerate with `cargo run --release -- report --demo --out reports/demo`"
        );
    }
}

/// A week with alarms: plain-language summary first, alerts, charts linked by relative path,
/// comparison, drivers, data notes with the input's checksum, methods with the command.
#[test]
fn report_contents_and_idempotent_reruns() {
    let root = tempfile::tempdir().unwrap();
    let run = || {
        run_ok(
            uptick()
                .args(["report", "--demo", "--as-of", "2019-10-13", "--out"])
                .arg(root.path()),
        )
    };
    run();
    let dir = root.path().join("2019-W41");
    let md = read(&dir.join("report.md"));
    let summary = md.find("## Summary").unwrap();
    assert!(
        summary < md.find("## Alerts").unwrap()
            && md.find("## Methods").unwrap() > md.find("## Data notes").unwrap()
    );
    assert!(md.contains("3 of the 14 regions judged rose significantly above their expected range (Ar Raqqah, Al Hasakah, Aleppo)"), "{md}");
    // Every region is accounted for, including those too quiet to alert.
    assert!(md.contains("Of the 14 regions, 14 were judged; 6 of those judged had fewer than 5 events in the last 4 weeks, too few to raise an alert."), "{md}");
    assert!(md.contains("- Al Hasakah: 24 events in the week of 2019-10-07, 89.1× the expected 0.3 (q = 0.001057)."), "{md}");
    assert!(
        md.contains("quasi-Poisson rate ratio"),
        "the comparison names its test: {md}"
    );
    assert!(md.contains("![Weekly events in Al Hasakah](charts/trend-al-hasakah.png)"));
    assert!(
        dir.join("charts/trend-al-hasakah.png").exists()
            && dir.join("charts/overview.png").exists()
    );
    let drivers = &md[md.find("## What drove the rises").unwrap()..];
    let hasakah = &drivers[drivers.find("### Al Hasakah").unwrap()..];
    assert!(
        hasakah.contains("| By type of violence |")
            && hasakah.contains("| non-state conflict | 24 |"),
        "{md}"
    );
    // The drill-down names the districts that made the rise, and the summary says so.
    assert!(
        hasakah.contains("| By admin2 |") && hasakah.contains("| Ras al Ayn | 16 |"),
        "{md}"
    );
    assert!(
        hasakah.contains("| By actor |") && hasakah.contains("| SNA | 23 |"),
        "{md}"
    );
    assert!(
        md.contains("Mostly in Ras al Ayn (16 events, almost none expected)."),
        "{md}"
    );
    // Notable events: the deadliest of the week first, with the source's headline.
    let notable = &md[md.find("## Notable events").unwrap()..];
    assert!(
        notable.contains(
            "**Al Hasakah: 24 events in the week of 2019-10-07, 5 shown (deadliest first)**."
        ),
        "{md}"
    );
    assert!(notable.contains("| 2019-10-13 | Ras al Ayn town | non-state conflict | SNA; SDF | 35 | The SDF regain the control of Ras Al-Ayn city"), "{md}");
    // The map, the year to date, the web page and the machine-readable tables.
    assert!(md.contains(
        "![Map of the events of the last four weeks, alerting regions marked](charts/map.png)"
    ));
    assert!(dir.join("charts/map.png").exists());
    assert!(md.contains("Year to date (2019-01-01 to 2019-10-13): 1659 events against 2334 in the same days of 2018 (-29%)"), "{md}");
    for f in ["report.html", "comparison.csv", "series.csv.gz"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    assert!(
        md.contains("SHA-256 `1f83ede02228e7e9c959af097063e05cbc3a1e9bc0de7292b3373acb202ba81c`")
    );
    assert!(md.contains("uptick report --demo --as-of 2019-10-13 --out"));
    let json: serde_json::Value = serde_json::from_str(&read(&dir.join("report.json"))).unwrap();
    assert_eq!(json["alerts"].as_array().unwrap().len(), 3);
    assert_eq!(json["week_label"], "2019-W41");
    // A rerun for the same week replaces the directory with identical content.
    let before = read(&dir.join("report.md"));
    run();
    assert_eq!(read(&dir.join("report.md")), before);
    let leftovers: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("index."))
        .collect();
    assert_eq!(
        leftovers,
        ["2019-W41"],
        "no temporary directories or lock file left"
    );
}

/// Alerts are flagged against the previous report in the same root.
#[test]
fn new_continuing_and_ended_alerts() {
    let root = tempfile::tempdir().unwrap();
    for as_of in ["2019-10-13", "2019-10-20"] {
        run_ok(
            uptick()
                .args(["report", "--demo", "--as-of", as_of, "--out"])
                .arg(root.path()),
        );
    }
    let md = read(&root.path().join("2019-W42/report.md"));
    assert!(
        md.contains("| Al Hasakah | 27 |") && md.contains("| 2 | nb | continuing |"),
        "{md}"
    );
    assert!(
        md.contains("Compared with the previous report (2019-W41): alerts that ended: Aleppo."),
        "{md}"
    );
    // --fail-on-alarm for cron.
    let out = uptick()
        .args([
            "report",
            "--demo",
            "--as-of",
            "2019-10-20",
            "--fail-on-alarm",
            "--out",
        ])
        .arg(root.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// A second run on a locked root fails cleanly and leaves the first report alone; a stale lock
/// (its process is gone) is taken over.
#[test]
fn lock_stops_a_concurrent_run() {
    let root = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args(["report", "--demo", "--out"])
            .arg(root.path()),
    );
    let report = root.path().join("2019-W41/report.md");
    let before = read(&report);
    // Our own (live) process id holds the lock.
    std::fs::write(
        root.path().join(".uptick.lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    let out = uptick()
        .args(["report", "--demo", "--out"])
        .arg(root.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("another uptick report is running on"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&report), before);
    // A lock whose process is gone is stale.
    std::fs::write(root.path().join(".uptick.lock"), "4194304\n").unwrap();
    run_ok(
        uptick()
            .args(["report", "--demo", "--out"])
            .arg(root.path()),
    );
}

/// The config file drives the run (paths relative to it); unknown keys name the closest key;
/// `uptick init` prints a config that works.
#[test]
fn config_files() {
    let dir = tempfile::tempdir().unwrap();
    let init = run_ok(uptick().arg("init"));
    let config = dir.path().join("my.toml");
    std::fs::write(&config, &init.stdout).unwrap();
    run_ok(
        uptick()
            .args(["report", "--as-of", "2019-10-13", "--config"])
            .arg(&config),
    );
    assert!(dir.path().join("reports/2019-W41/report.md").exists());
    std::fs::write(&config, "[detect]\nalpah = 0.01\n").unwrap();
    let out = uptick()
        .args(["report", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("my.toml: line 2: unknown key 'alpah' (did you mean 'alpha'?)"),
        "{}",
        stderr(&out)
    );
    // The example config in the repository parses and runs.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/demo.toml");
    let copy = dir.path().join("demo.toml");
    std::fs::copy(&example, &copy).unwrap();
    run_ok(
        uptick()
            .args(["report", "--as-of", "2019-10-13", "--config"])
            .arg(&copy),
    );
    assert!(dir.path().join("demo-config/2019-W41/report.md").exists());
}

/// An unwritable output root is a clear error, and nothing is half-written.
#[test]
fn unwritable_output_root() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = uptick()
        .args(["report", "--demo", "--out"])
        .arg(file.join("sub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("creating the output root"),
        "{}",
        stderr(&out)
    );
}

/// The README's crontab line, run as written (in a copy of the repository's reports/ folder).
#[test]
fn readme_cron_line_runs() {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let line = readme
        .lines()
        .find(|l| l.starts_with("0 6 * * 1"))
        .expect("crontab line in README");
    let command = line.split("&& ").nth(1).expect("cd ... && uptick ...");
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(args[0], "uptick");
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(work.path().join("reports")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/demo.toml"),
        work.path().join("reports/demo.toml"),
    )
    .unwrap();
    let out = run_ok(uptick().current_dir(work.path()).args(&args[1..]));
    assert!(out.stderr.is_empty(), "quiet: {}", stderr(&out));
    assert!(work
        .path()
        .join("reports/demo-config/2019-W41/report.md")
        .exists());
}

/// Region names are data: markup, HTML, pipes, paths and spreadsheet formulas in them stay
/// text in the report, the CSV and the chart file names.
#[test]
fn hostile_region_names() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "[click](http://evil.example)",
        "a|b",
        "<script>alert(1)</script>",
        "=cmd|' /C calc'!A0",
        "../../etc",
        "`rm -rf`",
        "North\nEast",
        "nul\0byte",
        "back\\slash\\..\\x",
        "same/name",
        "same?name",
        &"Very long name ".repeat(20),
    ];
    // NDJSON, so that a NUL byte can be part of a name (CSV with NUL is refused as binary).
    let mut ndjson = String::new();
    let start = chrono::NaiveDate::from_ymd_opt(2019, 1, 7).unwrap();
    for (k, name) in names.iter().enumerate() {
        for w in 0..40 {
            // A steady 1 or 2 a week, then a surge in the last week for every region.
            let n = if w == 39 { 30 } else { 1 + (w + k) % 2 };
            for _ in 0..n {
                let date = start + chrono::Duration::days(7 * w as i64);
                ndjson.push_str(&format!(
                    "{}\n",
                    serde_json::json!({"date": date.to_string(), "region": name})
                ));
            }
        }
    }
    std::fs::write(dir.path().join("hostile.ndjson"), ndjson).unwrap();
    std::fs::write(
        dir.path().join("hostile.toml"),
        "[input]\npath = \"hostile.ndjson\"\ndate_col = \"date\"\nregion_cols = [\"region\"]\n[output]\nroot = \"out\"\n",
    )
    .unwrap();
    run_ok(
        uptick()
            .args(["report", "--as-of", "2019-10-14", "--config"])
            .arg(dir.path().join("hostile.toml")),
    );
    let week = dir.path().join("out/2019-W41");
    let md = read(&week.join("report.md"));
    assert!(
        !md.contains("<script>") && md.contains("&lt;script>"),
        "{md}"
    );
    assert!(!md.contains("[click](http") && md.contains("\\[click\\](http://evil.example)"));
    assert!(md.contains("a\\|b"));
    // Every row of the alerts table has the header's number of cells.
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| Region | Observed"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(table.len(), 2 + names.len(), "{md}");
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    assert!(
        table.iter().all(|l| cells(l) == cells(table[0])),
        "{table:#?}"
    );
    // A table with only dates and regions: no map and no event details, each said once.
    assert!(
        md.contains(
            "- no map and no space-time clusters: the data have no latitude and longitude columns"
        ),
        "{md}"
    );
    assert!(md.contains("The data have no description column, no place-name column, no actor columns, no fatality column, so those details are missing above."), "{md}");
    let findings = read(&week.join("findings.csv"));
    assert!(
        findings.contains("'=cmd") && !findings.contains(",=cmd"),
        "{findings}"
    );
    assert!(!md.contains('\0'), "NUL in the markdown");
    let mut chart_names = Vec::new();
    for e in std::fs::read_dir(week.join("charts")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
            "{name}"
        );
        assert!(name.len() <= 100, "{name}");
        chart_names.push(name);
    }
    // One trend chart per region, names equal after sanitising kept apart.
    let trends = chart_names
        .iter()
        .filter(|n| n.starts_with("trend-"))
        .count();
    assert_eq!(trends, names.len(), "{chart_names:?}");
    assert!(!dir.path().join("etc").exists() && !dir.path().join("out/etc").exists());
}

/// SIGKILL at random points of report runs: the previous report for the week stays complete and
/// identical, and no partial report directory appears; the next run cleans up.
#[cfg(unix)]
#[test]
fn killed_runs_never_leave_a_partial_report() {
    use std::time::Duration;
    let root = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args(["report", "--demo", "--out"])
            .arg(root.path()),
    );
    let report = root.path().join("2019-W41");
    let md_before = read(&report.join("report.md"));
    let json_before = read(&report.join("report.json"));
    let bin = env!("CARGO_BIN_EXE_uptick");
    for i in 0..25u64 {
        let mut child = std::process::Command::new(bin)
            .args(["report", "--demo", "--quiet", "--out"])
            .arg(root.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the run (a full run takes a few hundred ms in debug builds).
        std::thread::sleep(Duration::from_millis((i * 37) % 400));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(read(&report.join("report.md")), md_before, "after kill {i}");
        assert_eq!(
            read(&report.join("report.json")),
            json_before,
            "after kill {i}"
        );
        for e in std::fs::read_dir(root.path()).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                name == "2019-W41" || name.starts_with("index.") || name.starts_with('.'),
                "unexpected {name} after kill {i}"
            );
        }
    }
    // The next run takes over the stale lock and removes the leftovers.
    run_ok(
        uptick()
            .args(["report", "--demo", "--out"])
            .arg(root.path()),
    );
    let mut names: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["2019-W41", "index.html", "index.md", "index.png"]);
}

/// Run from a script (stderr not a terminal), `report` still says what it found and where the
/// report went; `--quiet` silences it.
#[test]
fn report_prints_its_summary_and_path_when_not_on_a_terminal() {
    let root = tempfile::tempdir().unwrap();
    let out = run_ok(
        uptick()
            .args(["report", "--demo", "--as-of", "2019-10-13", "--out"])
            .arg(root.path()),
    );
    let err = stderr(&out);
    let path = root.path().join("2019-W41/report.md");
    assert!(
        err.contains(&format!("report: {}", path.display())),
        "{err}"
    );
    assert!(
        err.contains("3 of the 14 regions judged rose significantly"),
        "{err}"
    );
    let out = run_ok(
        uptick()
            .args([
                "report",
                "--demo",
                "--as-of",
                "2019-10-13",
                "--quiet",
                "--out",
            ])
            .arg(root.path()),
    );
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

/// A thousand regions: report.md stays short (capped tables pointing at comparison.csv, which
/// has every region), every region is accounted for, and the folder stays small.
#[test]
fn a_thousand_regions_make_a_short_report() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("date,country,admin1\n");
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    // 1,000 provinces over 80 weeks: most see an event every few weeks; every 50th is busy;
    // three surge in the last week.
    for r in 0..1000u32 {
        for w in 0..80u32 {
            let busy = r % 50 == 0;
            let n = if w == 79 && r < 3 {
                40
            } else if busy {
                3 + (w + r) % 4
            } else {
                u32::from((w * 7 + r * 13) % 5 == 0)
            };
            for e in 0..n {
                let day = start + chrono::Duration::days(i64::from(7 * w + e % 7));
                writeln!(csv, "{day},Country{:02},Province{r:04}", r % 20).unwrap();
            }
        }
    }
    let input = dir.path().join("many.csv");
    std::fs::write(&input, csv).unwrap();
    run_ok(
        uptick()
            .args(["report", "--quiet", "--as-of", "2024-07-15", "--input"])
            .arg(&input)
            .args([
                "--date-col",
                "date",
                "--region-col",
                "country",
                "--region-col",
                "admin1",
                "--out",
            ])
            .arg(dir.path().join("out")),
    );
    let week = dir.path().join("out/2024-W28");
    let md = read(&week.join("report.md"));
    assert!(
        md.lines().count() < 150,
        "{} lines:\n{md}",
        md.lines().count()
    );
    // The comparison table: 25 regions and the totals row, then where the rest are.
    let rows = md
        .lines()
        .skip_while(|l| !l.starts_with("| Region | Count |"))
        .take_while(|l| l.starts_with('|'))
        .count();
    assert_eq!(rows, 2 + 25 + 1, "{md}");
    assert!(
        md.contains("975 more regions in [comparison.csv](comparison.csv)."),
        "{md}"
    );
    let comparison = read(&week.join("comparison.csv"));
    assert_eq!(
        comparison.lines().count(),
        1 + 1000 + 1,
        "header, regions, totals"
    );
    // Every region accounted for, in the summary and the data notes.
    let notes = md
        .lines()
        .find(|l| l.starts_with("- Regions: 1000 in the data; "))
        .unwrap_or_else(|| panic!("{md}"));
    let numbers: Vec<usize> = notes
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // 1000 in the data; J judged (F of them with fewer than 5 events in the last 4 weeks
    // ...); S with too short a history; O not judged for other reasons.
    let (judged, short, other) = (numbers[1], numbers[5], numbers[6]);
    assert_eq!(judged + short + other, 1000, "{notes}");
    assert!(
        md.contains(&format!("Of the 1000 regions, {judged} were judged;")),
        "{md}"
    );
    // report.json keeps every region, on one line.
    let json = read(&week.join("report.json"));
    assert_eq!(json.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["comparison"]["regions"].as_array().unwrap().len(), 1000);
    // Regions in report.json are keyed by their columns, as in detect and compare.
    let region = &v["comparison"]["regions"][0]["region"];
    assert!(
        region["country"].is_string() && region["admin1"].is_string(),
        "{region}"
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 1000);
    // The series kept are the 52 chart weeks, compressed.
    assert!(!week.join("series.csv").exists() && week.join("series.csv.gz").exists());
    let size: u64 = walk(&week)
        .iter()
        .map(|p| p.metadata().unwrap().len())
        .sum();
    assert!(size < 2_000_000, "{size} bytes");
    // Charts are indexed PNGs (a palette and a byte per pixel).
    let png = png::Decoder::new(std::fs::File::open(week.join("charts/heatmap.png")).unwrap())
        .read_info()
        .unwrap();
    assert_eq!(png.info().color_type, png::ColorType::Indexed);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A country-level report drills down to its provinces: "Syria …, mostly in Al Hasakah and Ar
/// Raqqah", and a single region reads as one.
#[test]
fn a_country_alert_names_the_provinces_behind_it() {
    let root = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args(["report", "--demo", "--quiet", "--by", "country", "--out"])
            .arg(root.path()),
    );
    let md = read(&root.path().join("2019-W41/report.md"));
    assert!(
        md.contains("In the week of 2019-10-07, the one region judged (Syria) rose significantly above its expected range."),
        "{md}"
    );
    assert!(
        md.contains(
            "Mostly in Al Hasakah (24 events, 0.3 expected) and Ar Raqqah (17, 0.6 expected)."
        ),
        "{md}"
    );
    assert!(
        md.contains("| By admin1 | Observed | Expected | Excess |"),
        "{md}"
    );
}

/// A revised past week (an event added to it after the previous report) is listed, read from
/// the previous report's series.csv.gz; unchanged data say there are no revisions.
#[test]
fn revisions_since_the_previous_report_are_listed() {
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("events.csv");
    let mut rows = String::from("event_date,country,admin1\n");
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap();
    for day in 0..180 {
        let date = start + chrono::Days::new(day);
        for region in ["North", "South"] {
            if day % 3 == 0 {
                rows.push_str(&format!("{date},Xland,{region}\n"));
            }
        }
    }
    std::fs::write(&input, &rows).unwrap();
    let report = |as_of: &str| {
        run_ok(
            uptick()
                .args(["report", "--date-col", "event_date", "--by", "admin1", "-q"])
                .args(["--as-of", as_of, "--input"])
                .arg(&input)
                .arg("--out")
                .arg(root.path().join("out")),
        );
    };
    report("2023-05-29");
    report("2023-06-05");
    let md = read(&root.path().join("out/2023-W22/report.md"));
    assert!(
        md.contains("No data revisions since the previous report."),
        "{md}"
    );
    // Two late events for North in the week of 2023-05-08, one for South on 2023-05-22.
    rows.push_str("2023-05-09,Xland,North\n2023-05-10,Xland,North\n2023-05-23,Xland,South\n");
    std::fs::write(&input, &rows).unwrap();
    report("2023-06-12");
    let md = read(&root.path().join("out/2023-W23/report.md"));
    assert!(
        md.contains("Data revisions since the previous report (2 weeks changed):"),
        "{md}"
    );
    assert!(md.contains("North, week of 2023-05-08: 3 → 5"), "{md}");
    assert!(md.contains("South, week of 2023-05-22: 2 → 3"), "{md}");
}

/// The report's clusters section: the border clusters in words and in report.json, circles on
/// the map; `[report] clusters = false` leaves them out; an input without coordinates says so
/// in a data note.
#[test]
fn the_report_has_the_space_time_clusters() {
    let root = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args(["report", "--demo", "-q", "--out"])
            .arg(root.path()),
    );
    let week = root.path().join("2019-W41");
    let md = std::fs::read_to_string(week.join("report.md")).unwrap();
    assert!(
        md.contains("## Clusters: where events rose together, whatever the borders"),
        "{md}"
    );
    assert!(
        md.contains("1. 18 events within 49 km of Mattin village (8 at Tall Abyad town)"),
        "{md}"
    );
    assert!(md.contains("Space-time clusters: prospective space-time permutation scan"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(week.join("report.json")).unwrap()).unwrap();
    let clusters = &json["clusters"]["clusters"];
    assert_eq!(clusters[0]["place"], "Tall Abyad town");
    assert_eq!(clusters[1]["place"], "Ras al Ayn town");
    assert_eq!(clusters[0]["pvalue"], 0.001);
    assert_eq!(clusters[0]["any_region_alarmed"], true);
    let html = std::fs::read_to_string(week.join("report.html")).unwrap();
    assert!(
        html.contains("<h2>Clusters: where events rose together"),
        "html"
    );

    let off = tempfile::tempdir().unwrap();
    let config = off.path().join("c.toml");
    std::fs::write(
        &config,
        "[input]\ndemo = true\n\n[report]\nclusters = false\n",
    )
    .unwrap();
    run_ok(
        uptick()
            .args(["report", "-q", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(off.path()),
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(off.path().join("2019-W41/report.json")).unwrap())
            .unwrap();
    assert_eq!(json["clusters"], serde_json::Value::Null);
    let md = std::fs::read_to_string(off.path().join("2019-W41/report.md")).unwrap();
    assert!(!md.contains("## Clusters"));

    let plain = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args([
                "report",
                "-q",
                "--as-of",
                "2024-02-01",
                "--date-col",
                "date",
            ])
            .args(["--region-col", "province", "--out"])
            .arg(plain.path())
            .arg("-i")
            .arg(crate::fixture("tiny.csv")),
    );
    let md = std::fs::read_to_string(plain.path().join("2024-W04/report.md")).unwrap();
    assert!(
        md.contains(
            "no map and no space-time clusters: the data have no latitude and longitude columns"
        ),
        "{md}"
    );
    assert!(!md.contains("## Clusters"));
}
