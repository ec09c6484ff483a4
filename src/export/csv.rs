//! CSV: one writer for every table, every cell made safe to open in a spreadsheet.

use crate::compare::{Comparison, ComparisonSetup};
use crate::detect::Finding;
use crate::error::{Error, Result};
use crate::format::format_full;
use crate::model::{iso_week_label, SeriesSet, WeekStart};

use super::{comparison_cells, finding_cells, findings_header, series_header};

/// Makes a text cell safe for spreadsheets: a value that starts like a formula (`=`, `+`, `-`,
/// `@`, tab, carriage return) gets a leading apostrophe (OWASP "CSV injection").
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    // A negative number (`-0.25`, `-1.5e-7`, `-inf`) is data, not a formula.
    if cell
        .strip_prefix('-')
        .is_some_and(|rest| !rest.starts_with(['+', '-']) && rest.parse::<f64>().is_ok())
    {
        return cell.into();
    }
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes a header and rows as CSV, every cell made spreadsheet-safe with [`csv_safe`]. The
/// one place uptick writes CSV.
pub(super) fn write_csv(
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(write_error)?;
    for row in rows {
        w.write_record(row.iter().map(|c| csv_safe(c).into_owned()))
            .map_err(write_error)?;
    }
    into_bytes(w)
}

/// A CSV writer's failure, as uptick's write error (to memory: no path yet).
fn write_error(e: csv::Error) -> Error {
    Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e),
    }
}

/// The bytes a CSV writer wrote.
fn into_bytes(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// The series table as CSV: the cells of `series_rows`, written field by field with each
/// week's labels and each region's names made once (the table has a row per region and week).
/// Regions are written on several threads, each into its own buffer, joined in order: the
/// bytes are those of one writer (a CSV writer keeps no state from one record to the next).
pub fn series_csv(set: &SeriesSet) -> Result<Vec<u8>> {
    use rayon::prelude::*;
    let safe = |c: String| csv_safe(&c).into_owned();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(series_header(set)).map_err(write_error)?;
    let weeks: Vec<String> = set.weeks.iter().map(|d| safe(d.to_string())).collect();
    let iso: Option<Vec<String>> = (set.week_start == WeekStart::Mon)
        .then(|| set.weeks.iter().map(|d| safe(iso_week_label(*d))).collect());
    let regions: Vec<Vec<u8>> = set
        .series
        .par_iter()
        .map(|s| {
            let mut w = csv::Writer::from_writer(Vec::new());
            let names: Vec<String> = s.region.iter().map(|c| safe(c.clone())).collect();
            for i in s.start..set.weeks.len() {
                w.write_field(&weeks[i]).map_err(write_error)?;
                if let Some(iso) = &iso {
                    w.write_field(&iso[i]).map_err(write_error)?;
                }
                for name in &names {
                    w.write_field(name).map_err(write_error)?;
                }
                let values = [Some(&s.events), s.fatalities.as_ref(), s.weight.as_ref()];
                for v in values.into_iter().flatten() {
                    let text = format_full(Some(v[i]));
                    w.write_field(csv_safe(&text).as_bytes())
                        .map_err(write_error)?;
                }
                w.write_record(None::<&[u8]>).map_err(write_error)?;
            }
            into_bytes(w)
        })
        .collect::<Result<_>>()?;
    let mut out = into_bytes(w)?;
    out.reserve(regions.iter().map(Vec::len).sum());
    for r in regions {
        out.extend_from_slice(&r);
    }
    Ok(out)
}

/// Findings as CSV, in the order given.
pub fn findings_csv(
    findings: &[Finding],
    region_columns: &[String],
    measure: &str,
) -> Result<Vec<u8>> {
    write_csv(
        &findings_header(region_columns, measure),
        findings.iter().map(|f| finding_cells(f, measure)),
    )
}

const COMPARISON_COLUMNS: [&str; 17] = [
    "count",
    "count_against",
    "rate_per_week",
    "rate_per_week_against",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "p_two_sided",
    "p_increase",
    "qvalue",
    "rate_change_per_week",
    "percent_change",
    "verdict",
    "dispersion",
    "ci_level",
    "weeks",
    "test",
];

/// The comparison as CSV: one row per region, then the totals row (region columns "ALL").
/// Every row names the test and the interval level.
pub fn comparison_csv(
    rows: &[Comparison],
    total: &Comparison,
    region_columns: &[String],
    setup: &ComparisonSetup,
) -> Result<Vec<u8>> {
    let mut header: Vec<String> = region_columns.to_vec();
    header.extend(COMPARISON_COLUMNS.iter().map(|c| c.to_string()));
    let rows = rows.iter().chain(std::iter::once(total)).map(|c| {
        let mut cells: Vec<String> = if c.region.is_empty() {
            vec!["ALL".into(); region_columns.len()]
        } else {
            c.region.clone()
        };
        cells.extend(comparison_cells(c, format_full, true));
        cells.push(format_full(Some(setup.level())));
        cells.push(format!(
            "{}/{}",
            format_full(Some(c.weeks)),
            format_full(Some(c.weeks_against))
        ));
        cells.push(setup.test.name().into());
        cells
    });
    write_csv(&header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_series_writer_gives_the_cells_of_the_series_rows() {
        use super::super::series_rows;
        use crate::model::WeeklySeries;
        let monday = chrono::NaiveDate::from_ymd_opt(2024, 12, 30).unwrap();
        for (week_start, weight) in [(WeekStart::Mon, true), (WeekStart::Sat, false)] {
            let weeks: Vec<_> = (0..4).map(|i| monday + chrono::Days::new(7 * i)).collect();
            let series = |region: &[&str], start: usize, values: [f64; 4]| WeeklySeries {
                region: region.iter().map(|r| r.to_string()).collect(),
                start,
                events: values.to_vec(),
                fatalities: Some(values.iter().map(|v| v * 2.5).collect()),
                weight: weight.then(|| values.iter().map(|v| -v / 3.0).collect()),
            };
            let set = SeriesSet {
                region_columns: vec!["country".into(), "admin1".into()],
                weeks,
                week_start,
                weight_name: weight.then(|| "=w".into()),
                series: vec![
                    series(&["Syria", "=Idlib, \"north\""], 0, [0.0, 1.0, 1e17, -0.0]),
                    series(&["Syria", "@x"], 2, [3.0, 0.1 + 0.2, 7.0, f64::NAN]),
                ],
            };
            let rows = write_csv(&series_header(&set), series_rows(&set)).unwrap();
            assert_eq!(series_csv(&set).unwrap(), rows, "{week_start:?}");
        }
    }

    #[test]
    fn neutralises_formula_prefixes() {
        assert_eq!(csv_safe("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("Deir ez Zor"), "Deir ez Zor");
        assert_eq!(csv_safe("-1+1"), "'-1+1");
        assert_eq!(csv_safe("--1"), "'--1");
        // Negative numbers stay numbers.
        assert_eq!(csv_safe("-0.25"), "-0.25");
        assert_eq!(csv_safe("-1.5e-7"), "-1.5e-7");
        assert_eq!(csv_safe("-inf"), "-inf");
    }
}
