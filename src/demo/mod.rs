//! The bundled demo data: UCDP GED events in Syria, 2016-01-01 to 2019-11-30, trimmed to the
//! columns uptick uses (ids, dates, places, sides, type, deaths, coordinates and the source
//! headline) and gzip-compressed into the binary, so `--demo` works from any directory after
//! `cargo install`.
//!
//! Source: UCDP Georeferenced Event Dataset (GED), licensed CC BY 4.0. Sundberg, Ralph, and
//! Erik Melander (2013), "Introducing the UCDP Georeferenced Event Dataset", Journal of Peace
//! Research 50(4); Högbladh (2023), UCDP GED Codebook. See NOTICE.

use crate::ingest::Source;

/// The demo file's bytes (gzip-compressed CSV).
pub const DEMO_BYTES: &[u8] = include_bytes!("ucdp_ged_syria_2016-2019.csv.gz");

/// The name shown for the demo data in messages and reports.
pub const DEMO_NAME: &str = "demo: UCDP GED Syria 2016-01-01..2019-11-30 (CC BY 4.0).csv.gz";

/// The demo data as an input source.
pub fn demo_source() -> Source {
    Source::Memory {
        name: DEMO_NAME.to_string(),
        bytes: std::borrow::Cow::Borrowed(DEMO_BYTES),
    }
}

/// The as-of date of demo runs without `--as-of`, so demo outputs are the same on every
/// machine and every day: Monday 14 October 2019, when the last complete week is the one in
/// which Turkey's offensive into north-east Syria began (9 October 2019). `--as-of 2019-12-01`
/// judges the last week of the data instead.
pub const DEMO_AS_OF: &str = "2019-10-14";
