//! CSV ingestion end to end (load, validate, aggregate): any bytes give weekly series with a
//! consistent ledger, or an error; never a panic or a hang.
//!
//! The first byte picks how the bytes are read: after a fixed ACLED header (so the validator,
//! not the header check, sees most inputs), as headerless text with the first two columns as
//! date and region, as-is (preset detection), or as NDJSON with `date` and `region` keys.
//! Small chunks make every input cross chunk boundaries.
#![no_main]
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use std::borrow::Cow;
use uptick::aggregate::weekly_series;
use uptick::ingest::{load_incidents, InputSpec, Source};

const ACLED_HEADER: &[u8] =
    b"event_id_cnty,event_date,year,event_type,sub_event_type,country,admin1,admin2,fatalities\n";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = Vec::new();
    if mode % 4 == 0 {
        bytes.extend_from_slice(ACLED_HEADER);
    }
    bytes.extend_from_slice(rest);
    let source = Source::Memory {
        name: if mode % 4 == 3 {
            "fuzz.ndjson"
        } else {
            "fuzz.csv"
        }
        .into(),
        bytes: Cow::Owned(bytes),
    };
    let mut spec = InputSpec::new(source, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
    spec.chunk_bytes = 64;
    match mode % 4 {
        1 => {
            spec.no_header = true;
            spec.date_col = Some("column_1".into());
            spec.region_cols = vec!["column_2".into()];
        }
        3 => {
            spec.date_col = Some("date".into());
            spec.region_cols = vec!["region".into()];
        }
        _ => {}
    }
    if let Ok(incidents) = load_incidents(&spec) {
        let q = &incidents.quality;
        assert_eq!(
            q.kept + q.rejected_total() + q.excluded_total(),
            q.rows_read,
            "ledger does not add up"
        );
        let set = weekly_series(&incidents, None, None, uptick::model::SeriesStart::Data).expect("aggregation");
        let total: f64 = set.series.iter().flat_map(|s| s.events.iter()).sum();
        assert!(total.is_finite() && total >= 0.0);
    }
});
