//! Streaming must not change results: loading a file in many small chunks gives exactly the
//! incidents, ledger and line numbers of loading it in one chunk.
//!
//! Real exports from `../shared/data` (licensed for tests only) are skipped with a printed
//! notice where that folder is absent.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use uptick::ingest::{load_incidents, Incidents, InputSpec, Source};

/// Adjusts the input settings of one case.
type Tweak = dyn Fn(&mut InputSpec);

fn load(path: &Path, chunk_bytes: usize, tweak: &Tweak) -> Incidents {
    let mut spec = InputSpec::new(
        Source::File(path.to_path_buf()),
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    );
    spec.chunk_bytes = chunk_bytes;
    tweak(&mut spec);
    load_incidents(&spec).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()))
}

fn assert_same(a: &Incidents, b: &Incidents, what: &str) {
    // The same data under another name (plain and gzip) must give the same ledger.
    let mut bq = b.quality.clone();
    bq.source.clone_from(&a.quality.source);
    assert_eq!(a.quality, bq, "{what}: ledger differs");
    assert_eq!(a.regions, b.regions, "{what}: regions differ");
    assert_eq!(a.region, b.region, "{what}: cells differ");
    assert_eq!(a.date, b.date, "{what}: cell days differ");
    assert_eq!(a.kind, b.kind, "{what}: cell types differ");
    assert_eq!(a.rows, b.rows, "{what}: cell rows differ");
    assert_eq!(a.events, b.events, "{what}: events differ");
    assert_eq!(a.fatalities, b.fatalities, "{what}: fatalities differ");
    assert_eq!(a.event_types, b.event_types, "{what}: event types differ");
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn fixtures_give_the_same_result_in_any_chunking() {
    // Most fixtures end mid-week and hold a week or two: keep that week, or nothing is left.
    let generic = |s: &mut InputSpec| {
        s.date_col = Some("date".into());
        s.region_cols = vec!["region".into()];
        s.include_incomplete = true;
    };
    let cases: [(&str, &Tweak); 8] = [
        ("tiny.csv", &|s: &mut InputSpec| {
            s.date_col = Some("date".into());
            s.region_cols = vec!["province".into()];
            s.id_col = Some("id".into());
            s.include_incomplete = true;
        }),
        ("bad/quoted_newline.csv", &generic),
        ("bad/bom_crlf.csv", &generic),
        ("bad/latin1.csv", &generic),
        ("bad/dates_mixed.csv", &generic),
        ("bad/ragged.csv", &generic),
        // Month-first dates decided only after 40 rows: small chunks leave the first batch
        // open, so the whole file is sniffed first.
        ("dates/mmddyyyy.csv", &|s: &mut InputSpec| {
            s.date_col = Some("date".into());
            s.region_cols = vec!["region".into()];
        }),
        ("dates/acled_ddmmyy.csv", &|_: &mut InputSpec| {}),
    ];
    for (name, tweak) in cases {
        let path = fixture(name);
        let whole = load(&path, 1 << 30, tweak);
        assert!(whole.quality.rows_read > 0, "{name}: nothing read");
        for chunk in [1, 7, 64, 1000] {
            let parts = load(&path, chunk, tweak);
            assert_same(&whole, &parts, &format!("{name} in {chunk}-byte chunks"));
        }
    }
}

/// An id's first row may be rejected or filtered out: the next row holding it is then the one
/// kept, in whichever chunk (or format) the rows arrive.
#[test]
fn an_id_whose_first_row_is_not_kept_counts_at_its_next_row() {
    let rows = [
        ("A", "soon", "X", "State"),         // rejected: unparsable date
        ("A", "2020-01-06", "X", "State"),   // kept: A's first row that gets this far
        ("A", "2020-01-07", "X", "State"),   // duplicate
        ("B", "2020-01-08", "X", "Someone"), // excluded by --actor
        ("B", "2020-01-09", "Y", "State"),   // kept
        ("C", "2020-01-10", "Y", "State"),   // kept
        ("C", "2020-01-11", "Y", "State"),   // duplicate
        ("A", "2020-01-12", "Y", "State"),   // duplicate
        ("B", "2020-01-13", "X", "State"),   // duplicate
        ("D", "2020-01-14", "X", "Someone"), // excluded by --actor
        ("D", "2020-01-15", "X", "Someone"), // excluded by --actor (not a duplicate)
    ];
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ids.csv");
    let ndjson = dir.path().join("ids.ndjson");
    let mut text = String::from("id,date,region,actor\n");
    let mut lines = String::new();
    for (id, date, region, actor) in rows {
        text.push_str(&format!("{id},{date},{region},{actor}\n"));
        lines.push_str(&format!(
            "{{\"id\":\"{id}\",\"date\":\"{date}\",\"region\":\"{region}\",\"actor\":\"{actor}\"}}\n"
        ));
    }
    std::fs::write(&csv, text).unwrap();
    std::fs::write(&ndjson, lines).unwrap();
    let tweak = |s: &mut InputSpec| {
        s.date_col = Some("date".into());
        s.region_cols = vec!["region".into()];
        s.actor_cols = vec!["actor".into()];
        s.actor = Some(regex::Regex::new("(?i)state").unwrap());
        s.id_col = Some("id".into());
        s.max_rejected = 1.0;
    };
    for path in [&csv, &ndjson] {
        for chunk in [1, 20, 64, 1 << 30] {
            let i = load(path, chunk, &tweak);
            let what = format!("{} in {chunk}-byte chunks", path.display());
            assert_eq!(i.quality.rows_read, 11, "{what}");
            assert_eq!(i.quality.kept, 3, "{what}");
            assert_eq!(i.rows.iter().sum::<u64>(), 3, "{what}");
            let excluded = |reason: &str| {
                i.quality
                    .excluded
                    .iter()
                    .filter(|(r, _)| r.starts_with(reason))
                    .map(|(_, c)| c.count)
                    .sum::<u64>()
            };
            assert_eq!(excluded("duplicate event id"), 4, "{what}: {:?}", i.quality);
            assert_eq!(excluded("--actor"), 3, "{what}: {:?}", i.quality);
            let rejected: u64 = i.quality.rejected.values().map(|c| c.count).sum();
            assert_eq!(rejected, 1, "{what}");
            // The kept rows are A on 6 January, B on the 9th and C on the 10th.
            let mut days: Vec<String> = i.date.iter().map(|d| d.to_string()).collect();
            days.sort();
            assert_eq!(days, ["2020-01-06", "2020-01-09", "2020-01-10"], "{what}");
        }
    }
}

#[test]
fn real_exports_give_the_same_result_in_small_chunks() {
    let files = [
        // A truncated last record (rejected, with its line number), and duplicate ids.
        "acled_event_samples/acled_global_2020-04-27_2020-05-09.csv.gz",
        "acled_event_samples/acled_bangladesh_2022-12_2024-08.csv.gz",
        // Identical rows kept, day-0 dates.
        "gtd_iraq_syria_1975_2016/gtd_iraq_1975-2016_19cols.csv.gz",
    ];
    for rel in files {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data")
            .join(rel);
        if !path.exists() {
            use std::io::Write as _;
            let _ = writeln!(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/stderr")
                    .map_or_else(
                        |_| Box::new(std::io::stderr()) as Box<dyn std::io::Write>,
                        |f| Box::new(f)
                    ),
                "notice: skipped, {} not found (../shared is not beside this clone)",
                path.display()
            );
            continue;
        }
        let whole = load(&path, 1 << 30, &|_| {});
        let parts = load(&path, 50_000, &|_| {});
        assert!(whole.quality.rows_read > 1000, "{rel}: too few rows");
        assert_same(&whole, &parts, &format!("{rel} in 50 kB chunks"));
    }
}

/// A NUL byte or a Latin-1 byte deep in the file, where no first-chunk check sees it: the
/// file is refused (or decoded) naming the same line in any chunking, plain or gzip.
#[test]
fn a_bad_byte_deep_in_the_file_is_named_at_its_line_in_any_chunking() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"date,region\n".to_vec();
    for i in 0..300 {
        text.extend_from_slice(format!("2024-01-{:02},North\n", 1 + i % 28).as_bytes());
    }
    let at_line = |line: usize| {
        text.iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)
            .unwrap()
    };
    let mut binary = text.clone();
    binary.insert(at_line(250) + 5, 0);
    let mut latin1 = text.clone();
    latin1.splice(at_line(200) + 11..at_line(200) + 16, *b"Z\xfcrich");
    let spec = |path: &Path, chunk_bytes: usize| {
        let mut spec = InputSpec::new(
            Source::File(path.to_path_buf()),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        );
        spec.chunk_bytes = chunk_bytes;
        spec.date_col = Some("date".into());
        spec.region_cols = vec!["region".into()];
        spec
    };
    for (name, bytes) in [("bin.csv", &binary), ("lat.csv", &latin1)] {
        let plain = dir.path().join(name);
        std::fs::write(&plain, bytes).unwrap();
        let gz = dir.path().join(format!("{name}.gz"));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, bytes).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        for path in [&plain, &gz] {
            for chunk in [1, 7, 64, 1000, 1 << 30] {
                let what = format!("{} in {chunk}-byte chunks", path.display());
                let loaded = load_incidents(&spec(path, chunk));
                if name == "bin.csv" {
                    let err = format!(
                        "{:#}",
                        loaded.err().unwrap_or_else(|| panic!("{what}: loaded"))
                    );
                    assert!(
                        err.contains("line 250: the file is binary"),
                        "{what}: {err}"
                    );
                } else {
                    let i = loaded.unwrap_or_else(|e| panic!("{what}: {e:#}"));
                    assert!(
                        i.quality
                            .notes
                            .iter()
                            .any(|n| n.contains("not valid UTF-8 (first at line 200)")),
                        "{what}: {:?}",
                        i.quality.notes
                    );
                    let names: Vec<&str> = i.regions.iter().map(|r| r[0].as_str()).collect();
                    assert_eq!(names, ["North", "Zürich"], "{what}");
                    assert_eq!(i.quality.rows_read, 300, "{what}");
                }
            }
        }
    }
}

/// The checksum made while loading (the report's, which needs no second read) is the file's
/// SHA-256, plain (mapped, hashed on a thread of its own) or gzip (streamed), in any chunking.
#[test]
fn the_checksum_made_while_loading_is_the_files_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("date,region\n");
    for i in 0..5000 {
        text.push_str(&format!("2024-01-{:02},R{}\n", 1 + i % 28, i % 7));
    }
    let plain = dir.path().join("t.csv");
    std::fs::write(&plain, &text).unwrap();
    let gz = dir.path().join("t.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    for path in [&plain, &gz] {
        let source = Source::File(path.clone());
        let expected = uptick::ingest::sha256_of(&source).unwrap();
        for chunk in [7, 1000, 1 << 30] {
            let mut spec = InputSpec::new(
                source.clone(),
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            );
            spec.chunk_bytes = chunk;
            spec.checksum = true;
            spec.date_col = Some("date".into());
            spec.region_cols = vec!["region".into()];
            let loaded = load_incidents(&spec).unwrap();
            assert_eq!(
                loaded.sha256.as_deref(),
                Some(expected.as_str()),
                "{} in {chunk}-byte chunks",
                path.display()
            );
        }
    }
}

#[test]
fn line_numbers_stay_right_across_chunk_boundaries() {
    // 3000 rows; every 7th region spans two lines; every 101st date is bad. The generator
    // knows each row's line, so the ledger's lines can be checked, not only compared.
    let mut text = String::from("date,region,deaths\r\n");
    let mut line = 2u64;
    let mut bad_lines = Vec::new();
    for i in 0..3000u64 {
        let date = if i % 101 == 50 {
            bad_lines.push(line);
            "not a date".to_string()
        } else {
            format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28)
        };
        let region = if i % 7 == 0 {
            format!("\"Region\n{}\"", i % 13)
        } else {
            format!("Region {}", i % 13)
        };
        text.push_str(&format!("{date},{region},{}\r\n", i % 5));
        line += if i % 7 == 0 { 2 } else { 1 };
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.csv");
    std::fs::write(&path, text).unwrap();
    // Most fixtures end mid-week and hold a week or two: keep that week, or nothing is left.
    let generic = |s: &mut InputSpec| {
        s.date_col = Some("date".into());
        s.region_cols = vec!["region".into()];
        s.include_incomplete = true;
    };
    let whole = load(&path, 1 << 30, &generic);
    let bad = &whole.quality.rejected["unparsable date"];
    assert_eq!(bad.count, bad_lines.len() as u64);
    assert_eq!(bad.lines, bad_lines[..bad.lines.len()].to_vec());
    for chunk in [100, 1000, 4096] {
        let parts = load(&path, chunk, &generic);
        assert_same(&whole, &parts, &format!("many.csv in {chunk}-byte chunks"));
    }
}

#[test]
fn parquet_gives_the_same_result_in_small_batches() {
    use polars::prelude::*;
    let n = 1000;
    let dates: Vec<String> = (0..n)
        .map(|i| {
            if i % 97 == 13 {
                "bad".to_string()
            } else {
                format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28)
            }
        })
        .collect();
    let regions: Vec<String> = (0..n).map(|i| format!("R{}", i % 17)).collect();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("date".into(), dates),
        Column::new("region".into(), regions),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    // Most fixtures end mid-week and hold a week or two: keep that week, or nothing is left.
    let generic = |s: &mut InputSpec| {
        s.date_col = Some("date".into());
        s.region_cols = vec!["region".into()];
        s.include_incomplete = true;
    };
    let whole = load(&path, 1 << 30, &generic);
    assert_eq!(whole.quality.rows_read, n as u64);
    assert_eq!(whole.quality.rejected["unparsable date"].lines[0], 14);
    // 64 bytes per row: batches of 1, 7 and 100 rows.
    for chunk in [64, 7 * 64, 100 * 64] {
        let parts = load(&path, chunk, &generic);
        assert_same(
            &whole,
            &parts,
            &format!("Parquet in batches of {} rows", chunk / 64),
        );
    }
}

#[test]
fn ndjson_gives_the_same_result_in_any_chunking_with_right_lines() {
    // Blank lines, a key missing from some lines, escaped quotes, bad dates; plain and gzip.
    let mut text = String::new();
    let mut line = 1u64;
    let mut bad_lines = Vec::new();
    for i in 0..600u64 {
        if i % 50 == 7 {
            text.push('\n');
            line += 1;
        }
        let date = if i % 61 == 3 {
            bad_lines.push(line);
            "never".to_string()
        } else {
            format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28)
        };
        // Keys are learnt from the first chunk: the first line has them all.
        let deaths = if i % 5 == 4 {
            String::new()
        } else {
            format!(",\"deaths\":{}", i % 4)
        };
        text.push_str(&format!(
            "{{\"date\":\"{date}\",\"region\":\"R \\\"{}\\\"\"{deaths}}}\n",
            i % 9
        ));
        line += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("rows.ndjson");
    std::fs::write(&plain, &text).unwrap();
    let gz = dir.path().join("rows.ndjson.gz");
    {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap();
    }
    let generic = |s: &mut InputSpec| {
        s.date_col = Some("date".into());
        s.region_cols = vec!["region".into()];
        s.weight_col = Some("deaths".into());
    };
    let whole = load(&plain, 1 << 30, &generic);
    assert_eq!(whole.quality.rows_read, 600);
    let bad = &whole.quality.rejected["unparsable date"];
    assert_eq!(bad.lines, bad_lines[..bad.lines.len()].to_vec());
    assert!(whole.regions.iter().any(|r| r[0] == "R \"3\""));
    for chunk in [1, 100, 5000] {
        for path in [&plain, &gz] {
            let parts = load(path, chunk, &generic);
            assert_same(
                &whole,
                &parts,
                &format!("{} in {chunk}-byte chunks", path.display()),
            );
        }
    }
}
