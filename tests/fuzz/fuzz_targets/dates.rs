//! Date parsing: any text, with and without a --date-format pattern, must give a date or an
//! error, never a panic. A parsed date must survive a round trip through ISO 8601.
#![no_main]
use libfuzzer_sys::fuzz_target;
use uptick::ingest::parse_date;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = parse_date(&text, None) {
        let iso = d.format("%Y-%m-%d").to_string();
        assert_eq!(parse_date(&iso, None), Ok(d), "{iso} does not round-trip");
    }
    // First line: a strftime pattern; the rest: the value.
    if let Some((format, value)) = text.split_once('\n') {
        let _ = parse_date(value, Some(format));
    }
});
