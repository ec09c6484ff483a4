use super::*;
use crate::ingest::spec::{Source, WhereFilter};
use crate::ingest::RECORD_COL;

/// Judges rows of a generic `date,region,actor,fatalities,id` table under `spec`'s
/// options; returns each row's outcome in words.
/// The test table's header, and the settings that read it (as of 2020-06-30) with
/// `regions` as the region columns.
fn test_table(regions: &[&str]) -> (Vec<String>, InputSpec) {
    let header: Vec<String> = ["date", "region", "actor", "fatalities", "id"]
        .map(String::from)
        .to_vec();
    let mut spec = InputSpec::new(
        Source::File("t.csv".into()),
        NaiveDate::from_ymd_opt(2020, 6, 30).unwrap(),
    );
    spec.date_col = Some("date".into());
    spec.region_cols = regions.iter().map(|r| r.to_string()).collect();
    spec.actor_cols = vec!["actor".into()];
    spec.id_col = Some("id".into());
    (header, spec)
}

fn judge(tweak: impl Fn(&mut InputSpec), rows: &[[&str; 5]]) -> Vec<String> {
    let (header, mut spec) = test_table(&["region"]);
    tweak(&mut spec);
    let map = schema::resolve_columns(&spec, &header, std::path::Path::new("t.csv")).unwrap();
    let mut v = Validator::new(&spec, map, header.clone(), "t.csv".into(), DateMode::Infer);
    let columns: Vec<StringChunked> = (0..5)
        .map(|c| {
            StringChunked::from_iter_values(header[c].as_str().into(), rows.iter().map(|r| r[c]))
        })
        .collect();
    let records: Vec<u64> = (0..rows.len() as u64).collect();
    let cols = Cols {
        by_name: header
            .iter()
            .map(String::as_str)
            .zip(columns.iter())
            .collect(),
        records: &records,
    };
    (0..rows.len())
        .map(|row| {
            let mut key = Vec::new();
            match v.judge(&cols, row, &mut key) {
                RowOutcome::Keep(k) => {
                    format!("keep {} {} {}", k.date, key.join("/"), k.weight)
                }
                RowOutcome::Reject(why, col) => {
                    format!("reject {why} ({})", col.unwrap_or_default())
                }
                RowOutcome::Exclude(why, _) => format!("exclude {why}"),
            }
        })
        .collect()
}

#[test]
fn dates_are_checked_first() {
    let out = judge(
        |_| {},
        &[
            ["2020-01-06", "A", "", "0", "1"],
            ["", "A", "", "0", "2"],
            ["soon", "A", "", "0", "3"],
            ["1850-01-01", "A", "", "0", "4"],
            ["2020-07-06", "A", "", "0", "5"],
            ["2020-06-30", "A", "", "0", "6"],
        ],
    );
    assert_eq!(out[0], "keep 2020-01-06 A 0");
    assert_eq!(out[1], "reject missing date (date)");
    assert_eq!(out[2], "reject unparsable date (date)");
    assert_eq!(out[3], "reject date before 1900 (date)");
    assert!(
        out[4].starts_with("exclude dated after --as-of"),
        "{}",
        out[4]
    );
    assert!(
        out[5].starts_with("exclude in the incomplete week"),
        "{}",
        out[5]
    );
}

#[test]
fn filters_then_regions_then_numbers_then_duplicates() {
    let out = judge(
        |s| {
            s.actor = Some(regex::Regex::new("(?i)state").unwrap());
            s.filters = vec!["region!=Skip".parse::<WhereFilter>().unwrap()];
            s.weight_col = Some("fatalities".into());
        },
        &[
            ["2020-01-06", "A", "Islamic State", "3", "1"],
            ["2020-01-06", "A", "Someone else", "3", "2"],
            ["2020-01-06", "Skip", "State", "3", "3"],
            ["2020-01-06", "", "State", "3", "4"],
            ["2020-01-06", "B", "State", "-2", "5"],
            ["2020-01-06", "B", "State", "1", "1"],
            ["2020-01-06", "B", "State", "", "6"],
        ],
    );
    assert_eq!(out[0], "keep 2020-01-06 A 3");
    assert!(out[1].starts_with("exclude --actor"), "{}", out[1]);
    assert_eq!(out[2], "exclude --where region!=Skip");
    assert_eq!(out[3], "reject missing region (region) (region)");
    assert!(out[4].starts_with("reject negative weight"), "{}", out[4]);
    assert_eq!(out[5], "exclude duplicate event id (counted once)");
    assert_eq!(out[6], "reject missing weight (fatalities)");
}

/// Loads `rows` of a generic `date,region,actor,fatalities,id` table in one batch, by
/// the integer path or row by row only, with rows marked by whether they first hold their id
/// or not; the cells, regions, types and ledger.
fn load(tweak: &dyn Fn(&mut InputSpec), rows: &[[String; 5]], fast: bool, marked: bool) -> String {
    let (header, mut spec) = test_table(&["region", "actor"]);
    spec.max_rejected = 1.0;
    tweak(&mut spec);
    let map = schema::resolve_columns(&spec, &header, std::path::Path::new("t.csv")).unwrap();
    let mut v = Validator::new(&spec, map, header.clone(), "t.csv".into(), DateMode::Infer);
    v.fast_path = fast;
    v.mark_ids = marked;
    let mut columns: Vec<Column> = (0..5)
        .map(|c| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| Some(r[c].as_str()).filter(|v| *v != "<null>"))
                .collect();
            Column::new(header[c].as_str().into(), values)
        })
        .collect();
    columns.push(Column::new(
        RECORD_COL.into(),
        (0..rows.len() as u64).collect::<Vec<u64>>(),
    ));
    let frame = DataFrame::new_infer_height(columns).unwrap();
    let flow = v.batch(&frame, None, &Lines::Offset(2)).unwrap();
    let i = v.finish(Vec::new());
    format!(
        "{flow:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        i.regions,
        i.event_types,
        i.region,
        i.date,
        i.kind,
        i.rows,
        i.events,
        i.fatalities,
        i.top_level_first,
        i.quality
    )
}

#[test]
fn the_integer_path_gives_what_the_row_path_gives() {
    // Values drawn from pools with every kind of trouble: missing, unparsable, too old,
    // after --as-of, in the incomplete week, two-digit years, NA, padded, duplicated ids.
    let dates = [
        "2020-01-06",
        "2020-01-07",
        " 2020-02-03",
        "2019-12-31",
        "",
        "<null>",
        "soon",
        "1850-01-01",
        "2020-07-06",
        "2020-06-30",
        "2020-03-15",
        "NA",
        "2020-02-30",
    ];
    let regions = ["A", "B", " A", "", "<null>", "NA", "C", "b"];
    let actors = [
        "Islamic State",
        "State",
        "Someone",
        "",
        "<null>",
        "islamic state",
    ];
    let fatalities = ["0", "3", "", "<null>", "-1", "x", "2.5", "NA"];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut draw = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    type Tweak<'t> = &'t dyn Fn(&mut InputSpec);
    let tweaks: [(&str, Tweak<'_>); 5] = [
        ("plain", &|_| {}),
        ("filters", &|s| {
            s.actor = Some(regex::Regex::new("(?i)state").unwrap());
            s.filters = vec!["region!=B".parse::<WhereFilter>().unwrap()];
        }),
        ("from-to", &|s| {
            s.from = NaiveDate::from_ymd_opt(2020, 1, 7);
            s.to = NaiveDate::from_ymd_opt(2020, 3, 1);
        }),
        ("incomplete", &|s| s.include_incomplete = true),
        ("weight", &|s| s.weight_col = Some("fatalities".into())),
    ];
    for round in 0..40 {
        let rows: Vec<[String; 5]> = (0..200)
            .map(|_| {
                let id = match draw(10) {
                    0 => String::new(),
                    1 => "NA".into(),
                    2 => " 7 ".into(),
                    _ => draw(150).to_string(),
                };
                [
                    dates[draw(dates.len())].to_string(),
                    regions[draw(regions.len())].to_string(),
                    actors[draw(actors.len())].to_string(),
                    fatalities[draw(fatalities.len())].to_string(),
                    id,
                ]
            })
            .collect();
        for (name, tweak) in &tweaks {
            // The reference: row by row, every id that reaches the duplicate check
            // remembered.
            let reference = load(*tweak, &rows, false, false);
            for (fast, marked) in [(true, true), (false, true), (true, false)] {
                assert_eq!(
                    load(*tweak, &rows, fast, marked),
                    reference,
                    "round {round}, {name}, fast {fast}, marked {marked}"
                );
            }
        }
    }
}

#[test]
fn over_long_region_names_are_rejected_not_kept() {
    let long = "x".repeat(MAX_NAME_BYTES + 1);
    let out = judge(|_| {}, &[["2020-01-06", long.as_str(), "", "0", "1"]]);
    assert!(
        out[0].starts_with("reject region name longer than"),
        "{}",
        out[0]
    );
}
