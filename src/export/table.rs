//! Tables for the terminal: findings and comparisons, aligned by one helper (text left,
//! numbers right, two spaces between columns, nothing trailing).

use crate::compare::{Comparison, ComparisonSetup};
use crate::detect::Finding;
use crate::format::{ellipsize, format_number, format_stat, without_controls};

use super::{comparison_cells, region_label};

/// Lays out rows (the first is the header) in columns; `right(i)` right-aligns column i.
pub(super) fn align(rows: &[Vec<String>], right: impl Fn(usize) -> bool) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w - c.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if right(i) {
                line.push_str(&pad);
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Findings as a plain-text table for the terminal (control characters in names replaced).
pub fn findings_table(findings: &[Finding], measure: &str) -> String {
    let header = [
        "region", "week", "observed", "expected", "upper", "ratio", "p", "q", "alarm", "in row",
        "method", "why",
    ];
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            let j = &f.judgement;
            vec![
                ellipsize(&without_controls(&f.region.join(" / ")), 40),
                f.week_start.to_string(),
                format_number(j.observed),
                format_stat(j.expected),
                format_stat(j.upperbound),
                format_stat(f.ratio).replace("inf", "∞"),
                format_stat(j.pvalue),
                format_stat(f.qvalue),
                if f.alarm {
                    "ALARM".into()
                } else {
                    String::new()
                },
                if f.weeks_in_row > 0 {
                    f.weeks_in_row.to_string()
                } else {
                    String::new()
                },
                f.method.name().into(),
                without_controls(&f.reason.to_string()),
            ]
        })
        .collect();
    let alarms = findings.iter().filter(|f| f.alarm).count();
    let mut out = format!(
        "{alarms} alarm(s) among {} judgement(s); observed and expected are {measure} per week; p is one-sided (a rise), q adjusts p across regions (Benjamini-Hochberg)\n",
        findings.len()
    );
    let mut table = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    table.extend(rows);
    out.push_str(&align(&table, |i| (2..=7).contains(&i)));
    out
}

/// The comparison's heading: unit, periods, test and interval level.
pub fn comparison_title(setup: &ComparisonSetup, unit: &str) -> String {
    format!(
        "{unit} per week, {} ({:.1} weeks) against {} ({:.1} weeks); test: {}, {}% intervals",
        setup.period,
        setup.period.days() as f64 / 7.0,
        setup.against,
        setup.against.days() as f64 / 7.0,
        setup.test.name(),
        format_stat(Some(100.0 * setup.level())),
    )
}

/// The comparison as a terminal table.
pub fn comparison_table(
    rows: &[Comparison],
    total: &Comparison,
    setup: &ComparisonSetup,
    unit: &str,
) -> String {
    let ci = format!("{}% CI", format_stat(Some(100.0 * setup.level())));
    let header = [
        "region",
        "count",
        "before",
        "rate/wk",
        "before/wk",
        "ratio",
        ci.as_str(),
        "p",
        "q",
        "change",
        "verdict",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for c in rows.iter().chain(std::iter::once(total)) {
        let cells = comparison_cells(c, format_stat, false);
        table.push(vec![
            ellipsize(&without_controls(&region_label(c)), 40),
            cells[0].clone(),
            cells[1].clone(),
            cells[2].clone(),
            cells[3].clone(),
            cells[4].clone(),
            format!("{}–{}", cells[5], cells[6]),
            cells[7].clone(),
            cells[9].clone(),
            cells[11].clone(),
            cells[12].clone(),
        ]);
    }
    let mut out = format!("{}\n", comparison_title(setup, unit));
    let last = header.len() - 1;
    out.push_str(&align(&table, |i| i > 0 && i < last));
    out
}
