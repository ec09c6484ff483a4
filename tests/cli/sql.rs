//! `uptick sql` on real engines (DuckDB, PostgreSQL, Spark in local mode): the emitted query
//! runs over real exports from `../shared/data` loaded as tables of text columns, and the
//! engine's weekly counts, read back with `--preset counts`, must give exactly the series
//! `uptick series` gives on the export itself (same bytes), and the same findings.
//!
//! Engines: DuckDB and PySpark through Python (`tests/engines/run_sql.py`), PostgreSQL as a
//! server this test starts on a Unix socket in a temporary directory. Each test skips with a
//! notice where its engine is missing, unless `UPTICK_REQUIRE_<ENGINE>=1` (as `.ci/run` sets).

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::{notice, run_ok, shared_data, stderr, uptick};

/// One comparison: an export, the options, and how to read the counts back.
struct Case {
    name: &'static str,
    file: &'static str,
    as_of: &'static str,
    week_start: &'static str,
    args: &'static [&'static str],
}

impl Case {
    fn metric(&self) -> &'static str {
        if self.args.contains(&"fatalities") {
            "fatalities"
        } else {
            "events"
        }
    }
}

const BANGLADESH: &str = "acled_event_samples/acled_bangladesh_2022-12_2024-08.csv.gz";
const UCDP_SYRIA: &str = "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz";
const GTD_IRAQ: &str = "gtd_iraq_syria_1975_2016/gtd_iraq_1975-2016_19cols.csv.gz";

const CASES: &[Case] = &[
    // ACLED lists an event once per actor pair: 1,652 repeated ids; the last week is cut.
    Case {
        name: "acled-per-actor-rows",
        file: BANGLADESH,
        as_of: "2024-09-02",
        week_start: "sat",
        args: &[],
    },
    Case {
        name: "acled-where-country-admin2",
        file: BANGLADESH,
        as_of: "2024-06-01",
        week_start: "sat",
        args: &[
            "--where",
            "event_type=Protests",
            "--country",
            "bangladesh",
            "--by",
            "admin2",
        ],
    },
    // Filters select events, not coverage: series still start at the countries' first week.
    Case {
        name: "acled-actor-from",
        file: "acled_event_samples/acled_global_2020-04-27_2020-05-09.csv.gz",
        as_of: "2020-05-11",
        week_start: "sat",
        args: &[
            "--actor",
            "police|military",
            "--by",
            "country",
            "--from",
            "2020-04-28",
        ],
    },
    Case {
        name: "acled-fatalities",
        file: "acled_event_samples/acled_mali_2017-06_2018-06_sample.csv.gz",
        as_of: "2018-07-01",
        week_start: "sat",
        args: &["--metric", "fatalities"],
    },
    // The pre-2017 upper-case schema, dates like 01-January-2015.
    Case {
        name: "acled-old-schema",
        file: "acled_event_samples/acled_south_asia_2015_old_schema.csv.gz",
        as_of: "2015-12-31",
        week_start: "sat",
        args: &[],
    },
    // GTD: 20 rows with day 0 (counted in the week of the 1st), identical rows kept.
    Case {
        name: "gtd-day-0",
        file: GTD_IRAQ,
        as_of: "2017-01-02",
        week_start: "mon",
        args: &[],
    },
    Case {
        name: "gtd-day-0-rejected",
        file: "gtd_iraq_syria_1975_2016/gtd_syria_1974-2016_29cols.csv.gz",
        as_of: "2017-01-02",
        week_start: "mon",
        args: &["--unknown-day", "reject"],
    },
    // UCDP GED: 1,086 events span several days; region names lose " governorate".
    Case {
        name: "ucdp-multi-day-start",
        file: UCDP_SYRIA,
        as_of: "2019-12-02",
        week_start: "mon",
        args: &[],
    },
    Case {
        name: "ucdp-multi-day-drop-fatalities",
        file: UCDP_SYRIA,
        as_of: "2019-12-02",
        week_start: "mon",
        args: &["--multi-day", "drop", "--metric", "fatalities"],
    },
    Case {
        name: "ucdp-multi-day-end",
        file: UCDP_SYRIA,
        as_of: "2019-06-03",
        week_start: "mon",
        args: &["--multi-day", "end"],
    },
];

/// Whether an engine can run here; panics where CI requires it and it cannot.
fn engine_ready(engine: &str, probe: &mut Process) -> bool {
    let ok = probe
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let var = format!("UPTICK_REQUIRE_{}", engine.to_uppercase());
        assert!(
            std::env::var(&var).as_deref() != Ok("1"),
            "{var}=1 but {engine} is not available"
        );
        notice(&format!("{engine} is not available"));
    }
    ok
}

fn python_has(module: &str) -> Process {
    let mut p = Process::new("python3");
    p.args(["-c", &format!("import {module}")]);
    p
}

/// Writes the query `uptick sql` prints for a case.
fn write_query(dir: &Path, case: &Case, export: &Path, dialect: &str, only: &str) -> PathBuf {
    let out = run_ok(
        uptick()
            .args([
                "sql",
                "--dialect",
                dialect,
                "--table",
                "events",
                "--only",
                only,
            ])
            .args(["--as-of", case.as_of, "--input"])
            .arg(export)
            .args(case.args),
    );
    let path = dir.join(format!("{}.{dialect}.{only}.sql", case.name));
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// `uptick series` of the export, and of the engine's counts read back: the same bytes.
fn assert_same_series(dir: &Path, case: &Case, export: &Path, counts: &Path, engine: &str) {
    let direct = direct_series(dir, case, export);
    assert_counts_give(dir, case, &direct, counts, engine);
}

/// `uptick series` of the export itself.
fn direct_series(dir: &Path, case: &Case, export: &Path) -> String {
    let direct = dir.join(format!("{}.direct.csv", case.name));
    run_ok(
        uptick()
            .args(["series", "-q", "--as-of", case.as_of, "--input"])
            .arg(export)
            .args(case.args)
            .arg("-o")
            .arg(&direct),
    );
    std::fs::read_to_string(&direct).unwrap()
}

/// The engine's counts, read back, give the series `a` (`uptick series` of the export).
fn assert_counts_give(dir: &Path, case: &Case, a: &str, counts: &Path, engine: &str) {
    let back = dir.join(format!("{}.{engine}.series.csv", case.name));
    run_ok(
        uptick()
            .args(["series", "-q", "--as-of", case.as_of])
            .args(["--week-start", case.week_start, "--metric", case.metric()])
            .arg("--input")
            .arg(counts)
            .arg("-o")
            .arg(&back),
    );
    let b = std::fs::read_to_string(&back).unwrap();
    assert!(
        a.lines().count() > 50,
        "{}: too few rows to mean much",
        case.name
    );
    if a != b {
        let first = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(a.lines().count().min(b.lines().count()));
        panic!(
            "{} on {engine}: the series differ from line {} ({} vs {} lines):\n uptick: {:?}\n {engine}: {:?}",
            case.name,
            first + 1,
            a.lines().count(),
            b.lines().count(),
            a.lines().nth(first),
            b.lines().nth(first)
        );
    }
}

/// Runs jobs through `tests/engines/run_sql.py`.
fn run_python_engine(engine: &str, dir: &Path, jobs: &[(PathBuf, PathBuf, PathBuf)]) {
    let list: Vec<serde_json::Value> = jobs
        .iter()
        .map(|(export, query, out)| {
            serde_json::json!({"export": export, "query": query, "out": out})
        })
        .collect();
    let jobs_path = dir.join(format!("{engine}-jobs.json"));
    std::fs::write(&jobs_path, serde_json::to_vec(&list).unwrap()).unwrap();
    run_engine_script("run_sql.py", &[engine.as_ref(), jobs_path.as_os_str()]);
}

/// Runs a Python script of `tests/engines` with `args`; fails the test with the script's
/// stderr if it fails.
fn run_engine_script(script: &str, args: &[&std::ffi::OsStr]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/engines")
        .join(script);
    let out = Process::new("python3")
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The cases whose files are here, with their paths.
fn available(names: &[&str]) -> Vec<(&'static Case, PathBuf)> {
    CASES
        .iter()
        .filter(|c| names.is_empty() || names.contains(&c.name))
        .filter_map(|c| shared_data(c.file).map(|p| (c, p)))
        .collect()
}

fn run_engine_cases(engine: &str, dialect: &str, names: &[&str]) {
    let cases = available(names);
    if cases.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let jobs: Vec<(PathBuf, PathBuf, PathBuf)> = cases
        .iter()
        .map(|(case, export)| {
            let query = write_query(dir.path(), case, export, dialect, "counts");
            let out = dir
                .path()
                .join(format!("{}.{engine}.counts.csv", case.name));
            (export.clone(), query, out)
        })
        .collect();
    run_python_engine(engine, dir.path(), &jobs);
    for ((case, export), (_, _, counts)) in cases.iter().zip(&jobs) {
        assert_same_series(dir.path(), case, export, counts, engine);
    }
}

#[test]
fn duckdb_counts_are_uptick_series_on_real_exports() {
    if !engine_ready("duckdb", &mut python_has("duckdb")) {
        return;
    }
    run_engine_cases("duckdb", "duckdb", &[]);
}

#[test]
fn spark_counts_are_uptick_series_on_real_exports() {
    if !engine_ready("spark", &mut python_has("pyspark")) {
        return;
    }
    run_engine_cases(
        "spark",
        "spark",
        &[
            "acled-per-actor-rows",
            "acled-actor-from",
            "acled-old-schema",
            "gtd-day-0",
            "ucdp-multi-day-drop-fatalities",
        ],
    );
}

/// A day-first `dd-mm-yy` export (ACLED saved from a spreadsheet, 1997–2019): the query reads
/// its dates in the order uptick infers from the file, says so in its header, and DuckDB's
/// counts give `uptick series` on the export, byte for byte. (Before, such a query returned
/// no rows at all.)
#[test]
fn duckdb_reads_day_first_dates_in_the_order_uptick_infers() {
    if !engine_ready("duckdb", &mut python_has("duckdb")) {
        return;
    }
    let export = crate::fixture("dates/acled_ddmmyy_century_noyear.csv");
    let case = Case {
        name: "acled-day-first",
        file: "",
        as_of: "2026-11-01",
        week_start: "sat",
        args: &["--by", "admin1"],
    };
    let dir = tempfile::tempdir().unwrap();
    let query = write_query(dir.path(), &case, &export, "duckdb", "counts");
    let text = std::fs::read_to_string(&query).unwrap();
    assert!(
        text.contains("-- numeric dates read as --date-format %d-%m-%y: the day/month order inferred from the input's dates"),
        "{text}"
    );
    let counts = dir.path().join("day-first.duckdb.counts.csv");
    run_python_engine(
        "duckdb",
        dir.path(),
        &[(export.clone(), query, counts.clone())],
    );
    assert_same_series(dir.path(), &case, &export, &counts, "duckdb");
}

/// A file whose numeric dates read both ways stops `uptick sql` with the loader's message.
#[test]
fn a_file_whose_date_order_cannot_be_inferred_stops_sql_as_it_stops_a_load() {
    let file = crate::fixture("dates/ambiguous.csv");
    let common = [
        "--as-of",
        "2026-11-01",
        "--date-col",
        "date",
        "--region-col",
        "region",
    ];
    let sql = uptick()
        .args(["sql", "--dialect", "duckdb", "--table", "events"])
        .args(common)
        .arg("--input")
        .arg(&file)
        .output()
        .unwrap();
    let series = uptick()
        .arg("series")
        .args(common)
        .arg("--input")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(sql.status.code(), Some(2));
    assert_eq!(series.status.code(), Some(2));
    let message = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .find(|l| l.contains("every date reads both day first and month first"))
            .map(|l| l[l.find("column").unwrap()..].to_string())
    };
    assert!(
        message(&sql).is_some(),
        "{}",
        String::from_utf8_lossy(&sql.stderr)
    );
    assert_eq!(message(&sql), message(&series));
    assert!(sql.stdout.is_empty());
}

/// The ledger query counts what `uptick series` reports: kept, duplicates, the cut week.
#[test]
fn duckdb_ledger_matches_the_data_quality_summary() {
    let Some(export) = shared_data(BANGLADESH) else {
        return;
    };
    if !engine_ready("duckdb", &mut python_has("duckdb")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let case = &CASES[0];
    let query = write_query(dir.path(), case, &export, "duckdb", "ledger");
    let out = dir.path().join("ledger.csv");
    run_python_engine(
        "duckdb",
        dir.path(),
        &[(export.clone(), query, out.clone())],
    );
    let ledger = std::fs::read_to_string(&out).unwrap();
    let summary = run_ok(
        uptick()
            .args(["series", "--as-of", case.as_of, "-o", "-", "--input"])
            .arg(&export),
    );
    let summary = String::from_utf8_lossy(&summary.stderr).to_string();
    assert!(
        summary.contains("3751 kept, 0 rejected, 1907 excluded"),
        "{summary}"
    );
    assert!(
        summary.contains("duplicate event id (counted once): 1652"),
        "{summary}"
    );
    for row in [
        "excluded,duplicate event id (counted once),1652",
        "excluded,in the incomplete last week of the data,255",
        "kept,,3751",
    ] {
        assert!(ledger.lines().any(|l| l == row), "{row} not in\n{ledger}");
    }
}

/// `detect` on DuckDB's counts of UCDP Syria finds what it finds on the export.
#[test]
fn detect_on_engine_counts_gives_the_same_findings() {
    let Some(export) = shared_data(UCDP_SYRIA) else {
        return;
    };
    if !engine_ready("duckdb", &mut python_has("duckdb")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let case = CASES
        .iter()
        .find(|c| c.name == "ucdp-multi-day-start")
        .unwrap();
    let query = write_query(dir.path(), case, &export, "duckdb", "counts");
    let counts = dir.path().join("counts.csv");
    run_python_engine(
        "duckdb",
        dir.path(),
        &[(export.clone(), query, counts.clone())],
    );
    let detect = |input: &Path| {
        let out = run_ok(
            uptick()
                .args(["detect", "-q", "--format", "csv", "--backtest"])
                .args(["--as-of", "2019-10-14", "--input"])
                .arg(input),
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let (a, b) = (detect(&export), detect(&counts));
    assert!(a.lines().count() > 1000, "{}", a.lines().count());
    assert!(a == b, "findings differ");
    // The report says where the aggregation ran, naming the query by its id.
    let sql = std::fs::read_to_string(dir.path().join(format!("{}.duckdb.counts.sql", case.name)))
        .unwrap();
    let id = sql
        .lines()
        .find_map(|l| l.strip_prefix("-- query id "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the query names its id");
    assert_eq!(id.len(), 16);
    run_ok(
        uptick()
            .args(["report", "-q", "--as-of", "2019-10-14", "--input"])
            .arg(&counts)
            .arg("--out")
            .arg(dir.path().join("reports")),
    );
    let md = std::fs::read_to_string(dir.path().join("reports/2019-W41/report.md")).unwrap();
    assert!(
        md.contains(&format!(
            "(preset counts: weekly counts aggregated before uptick read them, by the uptick sql query {id})"
        )),
        "{md}"
    );
}

/// A PostgreSQL server for one test, on a Unix socket in a temporary directory.
struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Postgres {
    fn start() -> Option<Postgres> {
        let bin = std::iter::once(PathBuf::from("/usr/local/bin"))
            .chain(
                std::fs::read_dir("/usr/lib/postgresql")
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path().join("bin")),
            )
            .find(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())?;
        // PostgreSQL refuses to run as root: run the server as the `postgres` user.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::tempdir().ok()?;
        let data = dir.path().join("data");
        std::fs::create_dir(&data).ok()?;
        if as_postgres {
            let ok = Process::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return None;
            }
        }
        let pg = Postgres {
            port: 20_000 + (std::process::id() % 30_000) as u16,
            dir,
            bin,
            as_postgres,
        };
        let init = pg
            .server_cmd("initdb")
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "-D"])
            .arg(&data)
            .output()
            .ok()?;
        if !init.status.success() {
            eprintln!("initdb: {}", String::from_utf8_lossy(&init.stderr));
            return None;
        }
        let opts = format!(
            "-k {} -p {} -c listen_addresses=''",
            pg.dir.path().display(),
            pg.port
        );
        let start = pg
            .server_cmd("pg_ctl")
            .args(["-w", "-D"])
            .arg(&data)
            .args(["-o", &opts, "-l"])
            .arg(pg.dir.path().join("log"))
            .arg("start")
            .output()
            .ok()?;
        if !start.status.success() {
            eprintln!("pg_ctl: {}", String::from_utf8_lossy(&start.stderr));
            return None;
        }
        Some(pg)
    }

    fn server_cmd(&self, tool: &str) -> Process {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut p = Process::new("runuser");
            p.args(["-u", "postgres", "--"]).arg(exe);
            p
        } else {
            Process::new(exe)
        }
    }

    /// Runs psql with a script; returns stdout.
    fn psql(&self, script: &str) -> String {
        let path = self.dir.path().join("script.sql");
        std::fs::write(&path, script).unwrap();
        let psql = ["/usr/bin/psql", "/usr/local/bin/psql"]
            .into_iter()
            .map(PathBuf::from)
            .chain(std::iter::once(self.bin.join("psql")))
            .find(|p| p.exists())
            .expect("psql");
        let out = Process::new(psql)
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .arg("-h")
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string(), "-f"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .server_cmd("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.path().join("data"))
            .arg("stop")
            .output();
    }
}

#[test]
fn postgres_counts_are_uptick_series_on_real_exports() {
    let cases = available(&[
        "acled-per-actor-rows",
        "acled-actor-from",
        "acled-fatalities",
        "gtd-day-0",
        "ucdp-multi-day-start",
        "ucdp-multi-day-drop-fatalities",
    ]);
    if cases.is_empty() {
        return;
    }
    let Some(pg) = Postgres::start() else {
        assert!(
            std::env::var("UPTICK_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "UPTICK_REQUIRE_POSTGRES=1 but no PostgreSQL server could be started"
        );
        notice("PostgreSQL (initdb, pg_ctl) is not available");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (case, export) in cases {
        // psql's \copy reads a plain file: unpack the export beside the queries.
        let plain = dir.path().join(format!("{}.csv", case.name));
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(&export).unwrap()),
            &mut text,
        )
        .unwrap();
        std::fs::write(&plain, &text).unwrap();
        let header: Vec<String> = csv::Reader::from_reader(text.as_bytes())
            .headers()
            .unwrap()
            .iter()
            .map(|h| format!("\"{}\" text", h.replace('"', "\"\"")))
            .collect();
        let query = write_query(dir.path(), case, &export, "postgres", "counts");
        let query = std::fs::read_to_string(query).unwrap();
        let query = query.trim().trim_end_matches(';');
        let counts = pg.psql(&format!(
            "DROP TABLE IF EXISTS events;\nCREATE TABLE events ({});\n\\copy events FROM '{}' WITH (FORMAT csv, HEADER true)\nCOPY (\n{query}\n) TO STDOUT WITH (FORMAT csv, HEADER true);\n",
            header.join(", "),
            plain.display()
        ));
        let path = dir
            .path()
            .join(format!("{}.postgres.counts.csv", case.name));
        std::fs::write(&path, counts).unwrap();
        assert_same_series(dir.path(), case, &export, &path, "postgres");
    }
}

/// BigQuery and Trino cannot run here: their queries are kept as golden text (a change
/// shows in review), and the parts they share with DuckDB ran above.
#[test]
fn bigquery_and_trino_queries_are_golden() {
    for dialect in ["bigquery", "trino"] {
        let out = run_ok(uptick().args([
            "sql",
            "--dialect",
            dialect,
            "--table",
            "project.dataset.acled",
            "--preset",
            "acled",
            "--as-of",
            "2024-09-02",
            "--actor",
            "Islamic State",
        ]));
        let text = String::from_utf8(out.stdout).unwrap();
        let text = text.replace(env!("CARGO_PKG_VERSION"), "VERSION");
        insta::assert_snapshot!(format!("sql_{dialect}_acled"), text);
    }
}

/// A generated Hive-partitioned Parquet lake: DuckDB's and Spark's counts from the emitted
/// query, read back, are `uptick series` on the lake itself, byte for byte; `--actor` and
/// `--from` prune and filter the same way. 200,000 rows prove it; 10M rows (with
/// `UPTICK_SCALE_TESTS=1`, which `.ci/run` sets) prove it at scale; `UPTICK_LAKE_ROWS` sets
/// any other size.
#[test]
fn a_partitioned_lake_gives_the_same_series_on_every_engine() {
    if !engine_ready("duckdb", &mut python_has("duckdb")) {
        return;
    }
    let rows: u64 = std::env::var("UPTICK_LAKE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if crate::scale_tests() {
            10_000_000
        } else {
            200_000
        });
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    run_engine_script(
        "gen_lake.py",
        &[rows.to_string().as_ref(), lake.as_os_str()],
    );
    assert!(lake.join("year=2019").is_dir());
    let with_spark = engine_ready("spark", &mut python_has("pyspark"));
    let variants: [(&str, &[&str]); 2] = [
        ("all", &[]),
        (
            "actor-from",
            &["--actor", "islamic state", "--from", "2020-03-01"],
        ),
    ];
    let cases: Vec<Case> = variants
        .iter()
        .map(|&(name, args)| Case {
            name,
            file: "",
            as_of: "2025-01-06",
            week_start: "sat",
            args,
        })
        .collect();
    let mut results = Vec::new();
    for engine in ["duckdb", "spark"] {
        if engine == "spark" && !with_spark {
            continue;
        }
        // One session per engine for every variant (Spark takes seconds to start).
        let jobs: Vec<(PathBuf, PathBuf, PathBuf)> = cases
            .iter()
            .map(|case| {
                let out = run_ok(
                    uptick()
                        .args(["sql", "--dialect", engine, "--table", "events", "--only"])
                        .args(["counts", "--as-of", case.as_of, "--input"])
                        .arg(&lake)
                        .args(case.args),
                );
                let query = dir.path().join(format!("{}.{engine}.sql", case.name));
                std::fs::write(&query, &out.stdout).unwrap();
                let counts = dir
                    .path()
                    .join(format!("{}.{engine}.counts.csv", case.name));
                (lake.clone(), query, counts)
            })
            .collect();
        run_python_engine(engine, dir.path(), &jobs);
        results.extend(jobs.into_iter().zip(&cases).map(|(j, c)| (engine, c, j.2)));
    }
    for case in &cases {
        let direct = direct_series(dir.path(), case, &lake);
        for (engine, _, counts) in results.iter().filter(|(_, c, _)| c.name == case.name) {
            assert_counts_give(dir.path(), case, &direct, counts, engine);
        }
    }
}

/// What `uptick sql` cannot write is a one-line usage error (exit 2), never a wrong query.
#[test]
fn sql_refuses_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("counts.csv");
    std::fs::write(&counts, "week_start,country,events\n2024-01-01,Iraq,3\n").unwrap();
    let cases: [(Vec<&str>, &str); 4] = [
        (vec![], "needs --preset"),
        (
            vec![
                "--date-col",
                "d",
                "--region-col",
                "r",
                "--date-format",
                "%j",
            ],
            "--date-format %j",
        ),
        (
            vec![
                "--preset",
                "acled",
                "--date-col",
                "year",
                "--week-col",
                "inter1",
            ],
            "--week-col",
        ),
        (
            vec!["--input", counts.to_str().unwrap()],
            "weekly counts already",
        ),
    ];
    for (args, needle) in cases {
        let out = uptick()
            .args(["sql", "--dialect", "duckdb", "--table", "events"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed a query");
    }
}

/// `uptick sql` names a file's columns as a load reads them, through the loader's own header
/// reader: a sniffed delimiter, a byte-order mark, padded and repeated names, gzip, and
/// `--no-header`; what the load refuses, sql refuses with the same message.
#[test]
fn sql_reads_a_header_as_a_load_does() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let semi = dir.path().join("semi.csv");
    std::fs::write(
        &semi,
        "\u{feff} when ;place;place;n\n2024-01-02;Diyala;x;1\n2024-01-03;Anbar;y;2\n",
    )
    .unwrap();
    let gz = dir.path().join("semi.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(&semi).unwrap()).unwrap();
    enc.finish().unwrap();
    let plain = dir.path().join("plain.csv");
    std::fs::write(&plain, "2024-01-02,Diyala\n2024-01-03,Anbar\n").unwrap();
    let sql = |args: &[&str]| {
        uptick()
            .args(["sql", "--dialect", "duckdb", "--table", "events"])
            .args(args)
            .output()
            .unwrap()
    };
    for file in [&semi, &gz] {
        let f = file.to_str().unwrap();
        // The second "place" is "place_2", as the load names it.
        let out = sql(&[
            "--input",
            f,
            "--date-col",
            "when",
            "--region-col",
            "place_2",
        ]);
        assert_eq!(out.status.code(), Some(0), "{f}: {}", stderr(&out));
        let query = String::from_utf8_lossy(&out.stdout);
        assert!(query.contains("place_2"), "{f}: {query}");
        let series = uptick()
            .args([
                "series",
                "--input",
                f,
                "--date-col",
                "when",
                "--region-col",
                "place_2",
            ])
            .args(["--as-of", "2024-02-01", "--include-incomplete"])
            .output()
            .unwrap();
        assert_eq!(series.status.code(), Some(0), "{f}: {}", stderr(&series));
    }
    let out = sql(&[
        "--input",
        plain.to_str().unwrap(),
        "--no-header",
        "--date-col",
        "column_1",
        "--region-col",
        "column_2",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A one-field header holding another delimiter: the load's message, naming the file.
    let out = sql(&[
        "--input",
        semi.to_str().unwrap(),
        "--delimiter",
        ",",
        "--date-col",
        "when",
        "--region-col",
        "place",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("semi.csv") && err.contains("line 1: the header is one field"),
        "{err}"
    );
}
