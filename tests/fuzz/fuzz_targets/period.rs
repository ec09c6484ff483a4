//! Period syntax: any text either parses or is refused with a message; parsed periods resolve
//! to ordered, non-overlapping day ranges or a message, never a panic.
#![no_main]
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use uptick::compare::{parse_period, resolve_periods};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text
        .split_once('\n')
        .unwrap_or((&text, "same-period-last-year"));
    let (Ok(pa), Ok(pb)) = (parse_period(a), parse_period(b)) else {
        return;
    };
    let last_week = NaiveDate::from_ymd_opt(2019, 11, 25).unwrap();
    if let Ok((p, q)) = resolve_periods(&pa, &pb, last_week) {
        assert!(
            p.from <= p.to && q.from <= q.to,
            "{a:?} / {b:?}: unordered period"
        );
        assert!(!p.overlaps(&q), "{a:?} / {b:?}: periods overlap");
    }
});
