//! Benchmarks of the pipeline's hot paths on seeded synthetic data.
//!
//! `load_aggregate`: uptick's load + validation + weekly aggregation of an ACLED-shaped CSV
//! (1M and 10M rows), beside Polars' own bare scan + group-by of the same file, the yardstick
//! the loader aims to stay within 1.5x of. The generated files are kept in
//! `$CARGO_TARGET_DIR/uptick-bench/` so the scale runs in docs/performance.md can reuse them.
//!
//! Set `UPTICK_BENCH_ROWS=1000000` (comma-separated) to choose the sizes.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use polars::prelude::*;
use uptick::ingest::{load_incidents, InputSpec, Source};

/// A small, fast, seeded generator (xorshift64*), so every run sees the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const EVENT_TYPES: [&str; 4] = [
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
];
const ACTORS: [&str; 4] = [
    "Islamic State (Syria)",
    "Military Forces of Syria (2000-)",
    "SDF: Syrian Democratic Forces",
    "Protesters (Syria)",
];

/// Writes (once) an ACLED-shaped CSV of `rows` rows: 10 countries x 20 admin1 x 5 admin2,
/// dates over 2015-2024 in ACLED's `9-May-20` format.
fn acled_file(rows: usize) -> PathBuf {
    acled_file_dated(rows, false)
}

/// As [`acled_file`], with ISO dates (`2020-05-09`) where `iso`, as the 2023+ export writes.
fn acled_file_dated(rows: usize, iso: bool) -> PathBuf {
    let dir = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("uptick-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join(if iso {
        format!("acled_{rows}_iso.csv")
    } else {
        format!("acled_{rows}.csv")
    });
    if path.exists() {
        return path;
    }
    let tmp = path.with_extension("tmp");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).expect("bench file"));
    writeln!(
        out,
        "event_id_cnty,event_date,year,event_type,actor1,country,admin1,admin2,fatalities"
    )
    .unwrap();
    let mut rng = Rng(0x5EED_u64);
    for i in 0..rows {
        let country = rng.below(10);
        let admin1 = rng.below(20);
        let year = 2015 + rng.below(10);
        let (day, month) = (1 + rng.below(28), rng.below(12) as usize);
        let date = if iso {
            format!("{year}-{:02}-{day:02}", month + 1)
        } else {
            format!("{day}-{}-{:02}", MONTHS[month], year % 100)
        };
        writeln!(
            out,
            "EV{i},{date},{year},{},{},Country {country},Province {country}-{admin1},District {admin1}-{},{}",
            EVENT_TYPES[rng.below(4) as usize],
            ACTORS[rng.below(4) as usize],
            rng.below(5),
            rng.below(4),
        )
        .unwrap();
    }
    out.flush().unwrap();
    drop(out);
    std::fs::rename(&tmp, &path).expect("bench file");
    path
}

fn sizes() -> Vec<usize> {
    std::env::var("UPTICK_BENCH_ROWS")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000_000, 10_000_000])
}

fn load_aggregate(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_aggregate");
    group.sample_size(10);
    for rows in sizes() {
        let path = acled_file(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::new("uptick", rows), &path, |b, path| {
            b.iter(|| {
                let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
                let spec = InputSpec::new(Source::File(path.clone()), as_of);
                let incidents = load_incidents(&spec).expect("load");
                black_box(
                    uptick::aggregate::weekly_series(
                        &incidents,
                        None,
                        None,
                        uptick::model::SeriesStart::Data,
                    )
                    .expect("aggregate"),
                )
            })
        });
        group.bench_with_input(
            BenchmarkId::new("polars_scan_group_by", rows),
            &path,
            |b, path| {
                b.iter(|| {
                    let frame = LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
                        .with_has_header(true)
                        .finish()
                        .expect("scan")
                        .group_by([col("country"), col("admin1"), col("event_date")])
                        .agg([len()])
                        .collect()
                        .expect("group by");
                    black_box(frame)
                })
            },
        );
    }
    group.finish();
}

/// The validator alone (the column kernels and the row loop, no reading or parsing), in rows
/// per second, on rows already parsed as text: ACLED's `9-May-20` dates with a `year` column
/// (each row's century from its year) and ISO dates. `UPTICK_BENCH_CORE_ROWS` (default
/// 200000) sets the rows.
fn ingest_core(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest_core");
    group.sample_size(10);
    let rows = env_usize("UPTICK_BENCH_CORE_ROWS", 200_000);
    group.throughput(Throughput::Elements(rows as u64));
    for (name, iso) in [("acled_two_digit_years", false), ("iso_dates", true)] {
        let path = acled_file_dated(rows, iso);
        let mut frame = CsvReadOptions::default()
            .with_infer_schema_length(Some(0))
            .try_into_reader_with_file_path(Some(path.clone()))
            .and_then(|r| r.finish())
            .expect("parse the bench file");
        frame.rechunk_mut();
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let mut spec = InputSpec::new(Source::File(path), as_of);
        spec.by = Some("admin1".into());
        let kept = uptick::ingest::validate_parsed(&spec, &frame).expect("validate");
        assert!(kept.quality.kept > 0, "the bench rows are kept");
        group.bench_function(BenchmarkId::new(name, rows), |b| {
            b.iter(|| black_box(uptick::ingest::validate_parsed(&spec, &frame).expect("validate")))
        });
    }
    group.finish();
}

/// Regions with their weekly values, and the shared week starts.
type Series = (Vec<(Vec<String>, Vec<f64>)>, Vec<chrono::NaiveDate>);

/// Seeded weekly series: NB-like counts around a per-series mean with yearly seasonality.
fn weekly_series(n_series: usize, weeks: usize) -> Series {
    let mut rng = Rng(0xDE7EC7);
    let start = chrono::NaiveDate::from_ymd_opt(2010, 1, 4).unwrap();
    let dates = (0..weeks)
        .map(|i| start + chrono::Duration::days(7 * i as i64))
        .collect();
    let series = (0..n_series)
        .map(|s| {
            let mean = 0.5 + (rng.below(200) as f64) / 10.0;
            let y = (0..weeks)
                .map(|t| {
                    let m = mean * (1.0 + 0.3 * (t as f64 * std::f64::consts::TAU / 52.0).sin());
                    // Sum of uniform draws: a cheap, seeded count with the right mean.
                    let k = (2.0 * m).ceil() as u64;
                    (0..k)
                        .filter(|_| rng.below(1000) < (m / k as f64 * 1000.0) as u64)
                        .count() as f64
                })
                .collect();
            (vec![format!("R{s:05}")], y)
        })
        .collect();
    (series, dates)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every method over many 520-week series, full backtest, all cores (rayon across regions).
/// UPTICK_BENCH_SERIES (default 10000) sets the number of series; the GLM methods use
/// UPTICK_BENCH_GLM_SERIES (default 1000) so a run stays within minutes — throughput is
/// reported per judged week either way.
fn detect_methods(c: &mut Criterion) {
    use uptick::detect::{detect, DetectParams, Method, Selection};
    let mut group = c.benchmark_group("detect_backtest_520w");
    group.sample_size(10);
    for method in [
        Method::EarsC1,
        Method::EarsC3,
        Method::Nb,
        Method::Cusum,
        Method::Trend,
        Method::Farrington,
        Method::Noufaily,
    ] {
        let glm = matches!(method, Method::Farrington | Method::Noufaily);
        let n = if glm {
            env_usize("UPTICK_BENCH_GLM_SERIES", 1000)
        } else {
            env_usize("UPTICK_BENCH_SERIES", 10_000)
        };
        let (series, dates) = weekly_series(n, 520);
        let params = DetectParams {
            method,
            ..Default::default()
        };
        let judged = params
            .first_judgeable(method, &dates)
            .map_or(0, |f| 520 - f)
            * n;
        group.throughput(Throughput::Elements(judged as u64));
        group.bench_function(BenchmarkId::new(method.name(), n), |b| {
            b.iter(|| black_box(detect(&series, &dates, Selection::Backtest, &params)))
        });
    }
    group.finish();
}

/// 200 region trend charts in PNG (52 weeks each), drawn in parallel.
fn render_charts(c: &mut Criterion) {
    use rayon::prelude::*;
    use uptick::render::{draw_trend, ChartFormat, TrendSpec};
    let (series, dates) = weekly_series(200, 52);
    let dir = tempfile_dir();
    let specs: Vec<TrendSpec> = series
        .iter()
        .map(|(name, y)| TrendSpec {
            title: name[0].clone(),
            subtitle: "events per week; method nb".into(),
            y_label: "events per week".into(),
            weeks: dates.clone(),
            observed: y.clone(),
            expected: y.iter().map(|v| Some(v * 0.9)).collect(),
            upper: y.iter().map(|v| Some(v * 1.5 + 2.0)).collect(),
            alarm: y.iter().map(|v| *v > 25.0).collect(),
            as_of: Some(51),
        })
        .collect();
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    group.throughput(Throughput::Elements(200));
    group.bench_function("trend_png_200", |b| {
        b.iter(|| {
            specs.par_iter().enumerate().for_each(|(i, s)| {
                draw_trend(s, &dir, &format!("t{i}"), ChartFormat::Png).expect("chart");
            })
        })
    });
    group.finish();
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("uptick-bench-charts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench chart dir");
    dir
}

criterion_group!(
    benches,
    ingest_core,
    load_aggregate,
    detect_methods,
    render_charts
);
criterion_main!(benches);
