//! The data-quality ledger of one load: every row read is kept, rejected with a reason, or
//! excluded by a rule the user chose (filters, de-duplication, the incomplete week), so that
//! `rows_read = kept + rejected + excluded` always holds and nothing is dropped silently.

use serde::Serialize;
use std::collections::BTreeMap;

/// How many record numbers to keep per reason, to show the user where to look.
pub const EXAMPLES_PER_REASON: usize = 5;

/// One reason with its count and the first few places it happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReasonCount {
    /// Rows with this reason.
    pub count: u64,
    /// The column at fault, where there is one.
    pub column: Option<String>,
    /// 1-based line numbers of the first rows (filled in by the loader from record numbers).
    pub lines: Vec<u64>,
    /// 0-based record numbers of the first rows (header excluded).
    #[serde(skip)]
    pub records: Vec<u64>,
}

/// Counts of everything that happened to the rows of one input.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Quality {
    /// What was read (a path, or the demo data's name).
    pub source: String,
    /// The detected or chosen layout.
    pub layout: String,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows that made it into the series.
    pub kept: u64,
    /// Rows that could not be used, by reason.
    pub rejected: BTreeMap<String, ReasonCount>,
    /// Rows left out on purpose (filters, duplicates counted once, incomplete week), by reason.
    pub excluded: BTreeMap<String, ReasonCount>,
    /// Things worth knowing that did not remove rows (e.g. unknown days moved to the 1st).
    pub notes: Vec<String>,
}

impl Quality {
    /// Records a rejected row.
    pub fn reject(&mut self, reason: impl Into<String>, column: Option<&str>, record: u64) {
        bump(&mut self.rejected, reason.into(), column, record);
    }

    /// Records an excluded row.
    pub fn exclude(&mut self, reason: impl Into<String>, column: Option<&str>, record: u64) {
        bump(&mut self.excluded, reason.into(), column, record);
    }

    /// Total rejected rows.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().map(|r| r.count).sum()
    }

    /// Total excluded rows.
    pub fn excluded_total(&self) -> u64 {
        self.excluded.values().map(|r| r.count).sum()
    }

    /// Every record number listed under any reason (to be turned into line numbers).
    pub fn example_records(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self
            .rejected
            .values()
            .chain(self.excluded.values())
            .flat_map(|r| r.records.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Replaces record numbers by line numbers using `line_of`.
    pub fn fill_lines(&mut self, line_of: impl Fn(u64) -> u64) {
        for r in self.rejected.values_mut().chain(self.excluded.values_mut()) {
            r.lines = r.records.iter().map(|&rec| line_of(rec)).collect();
        }
    }

    /// A multi-line, human summary for stderr and the report's data notes.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{}: {} rows read ({}): {} kept, {} rejected, {} excluded",
            self.source,
            self.rows_read,
            self.layout,
            self.kept,
            self.rejected_total(),
            self.excluded_total()
        );
        for (title, map) in [("rejected", &self.rejected), ("excluded", &self.excluded)] {
            for (reason, r) in map {
                out.push_str(&format!("\n  {title}: {reason}: {}", r.count));
                if !r.lines.is_empty() {
                    let lines: Vec<String> = r.lines.iter().map(u64::to_string).collect();
                    let more = if r.count as usize > r.lines.len() {
                        ", ..."
                    } else {
                        ""
                    };
                    out.push_str(&format!(" (line {}{more})", lines.join(", ")));
                }
            }
        }
        for note in &self.notes {
            out.push_str(&format!("\n  note: {note}"));
        }
        out
    }
}

fn bump(
    map: &mut BTreeMap<String, ReasonCount>,
    reason: String,
    column: Option<&str>,
    record: u64,
) {
    let entry = map.entry(reason).or_default();
    entry.count += 1;
    if entry.column.is_none() {
        entry.column = column.map(str::to_string);
    }
    if entry.records.len() < EXAMPLES_PER_REASON {
        entry.records.push(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_keeps_the_first_examples() {
        let mut q = Quality {
            rows_read: 8,
            kept: 1,
            ..Default::default()
        };
        for rec in 0..6 {
            q.reject("unparsable date", Some("event_date"), rec);
        }
        q.exclude("outside --from/--to", None, 7);
        assert_eq!(q.rejected_total(), 6);
        assert_eq!(q.excluded_total(), 1);
        assert_eq!(q.rejected["unparsable date"].records, vec![0, 1, 2, 3, 4]);
        q.fill_lines(|r| r + 2);
        assert_eq!(q.rejected["unparsable date"].lines, vec![2, 3, 4, 5, 6]);
        assert!(q
            .summary()
            .contains("rejected: unparsable date: 6 (line 2, 3, 4, 5, 6, ...)"));
    }
}
