//! CSV: one writer for every table, every cell made safe to open in a spreadsheet.

use crate::compare::{Comparison, ComparisonSetup};
use crate::detect::Finding;
use crate::error::{Error, Result};
use crate::format::format_full;
use crate::model::SeriesSet;

use super::{comparison_cells, finding_cells, findings_header, series_header, series_rows};

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
    let to_err = |e: csv::Error| Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(to_err)?;
    for row in rows {
        w.write_record(row.iter().map(|c| csv_safe(c).into_owned()))
            .map_err(to_err)?;
    }
    w.into_inner().map_err(|e| Error::Write {
        path: "-".into(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// The series table as CSV.
pub fn series_csv(set: &SeriesSet) -> Result<Vec<u8>> {
    write_csv(&series_header(set), series_rows(set))
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
