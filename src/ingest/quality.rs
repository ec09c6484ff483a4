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
    /// The offending values of the first rows (for rejections in one column), shortened to
    /// [`EXAMPLE_CHARS`] characters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// Example values are cut to this many characters.
pub const EXAMPLE_CHARS: usize = 60;

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
    /// Records a rejected row, with the offending value where there is one.
    pub fn reject(
        &mut self,
        reason: impl Into<String>,
        column: Option<&str>,
        record: u64,
        value: Option<&str>,
    ) {
        bump(&mut self.rejected, reason.into(), column, record, value);
    }

    /// Records an excluded row.
    pub fn exclude(&mut self, reason: impl Into<String>, column: Option<&str>, record: u64) {
        bump(&mut self.excluded, reason.into(), column, record, None);
    }

    /// Records an excluded row with the value that excluded it (a `--where` column's).
    pub fn exclude_with(
        &mut self,
        reason: impl Into<String>,
        column: Option<&str>,
        record: u64,
        value: Option<&str>,
    ) {
        bump(&mut self.excluded, reason.into(), column, record, value);
    }

    /// Records `rows` excluded rows at once, without examples (rows dropped after summing).
    pub fn exclude_many(&mut self, reason: impl Into<String>, rows: u64) {
        if rows > 0 {
            self.excluded.entry(reason.into()).or_default().count += rows;
        }
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

    /// Whether the load kept enough to go on: an error message (one line: the main reason,
    /// three example values with their lines, the flag that would fix it) when it kept no
    /// rows, or rejected more than `max_rejected` of the rows read.
    ///
    /// # Errors
    /// The message, for the caller to put behind the file's name.
    pub fn usable(&self, max_rejected: f64) -> Result<(), String> {
        let rejected = self.rejected_total();
        let too_many = self.rows_read > 0 && rejected as f64 > max_rejected * self.rows_read as f64;
        if self.kept > 0 && !too_many {
            return Ok(());
        }
        if self.rows_read == 0 {
            return Err("no data rows (only a header)".into());
        }
        let excluded = self.excluded_total();
        let head = match (self.kept, rejected, excluded) {
            (0, _, 0) => format!("no rows kept: all {} rows rejected", self.rows_read),
            (0, 0, _) => format!("no rows kept: all {} rows excluded", self.rows_read),
            (0, _, _) => format!(
                "no rows kept: {rejected} rejected and {excluded} excluded of {} rows",
                self.rows_read
            ),
            _ => format!(
                "{rejected} of {} rows ({:.0}%) rejected, more than --max-rejected {max_rejected} allows",
                self.rows_read,
                100.0 * rejected as f64 / self.rows_read as f64
            ),
        };
        // The main reason: the commonest rejection, or, when nothing was kept, the commonest
        // of all.
        let candidates = self
            .rejected
            .iter()
            .chain(self.excluded.iter().filter(|_| self.kept == 0));
        let Some((reason, r)) = candidates.max_by_key(|(_, r)| r.count) else {
            return Err(head);
        };
        let column = r
            .column
            .as_ref()
            .map(|c| format!(" in column '{c}'"))
            .unwrap_or_default();
        let examples: Vec<String> = r
            .lines
            .iter()
            .zip(r.values.iter().map(Some).chain(std::iter::repeat(None)))
            .take(3)
            .map(|(line, value)| match value {
                Some(v) => format!("line {line}: '{v}'"),
                None => format!("line {line}"),
            })
            .collect();
        let examples = if examples.is_empty() {
            String::new()
        } else {
            format!(", e.g. {}", examples.join(", "))
        };
        let mut hint = fix_for(reason).to_string();
        if self.kept > 0 {
            hint.push_str(", or raise --max-rejected");
        }
        Err(format!(
            "{head}; the main reason is '{reason}'{column} ({} rows){examples}; {hint}",
            r.count
        ))
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

/// The flag that would most likely fix rows rejected or excluded for `reason`.
fn fix_for(reason: &str) -> &'static str {
    let has = |s: &str| reason.contains(s);
    if has("ambiguous date") || has("unparsable date") || has("date valid only") {
        "pass --date-format with the file's pattern (e.g. %d-%m-%y), or --date-col if this is not the date column"
    } else if has("missing date") || has("year/month/day") || has("ISO") {
        "choose the date column with --date-col (and --week-col for ISO weeks)"
    } else if has("date before") {
        "check the date column (--date-col) and its format (--date-format)"
    } else if has("missing region") || has("region name") {
        "choose the region columns with --by or --region-col"
    } else if has("after --as-of") {
        "pass an --as-of on or after the data's dates"
    } else if has("--from/--to") {
        "widen --from/--to"
    } else if has("--country") || has("--where") || has("--actor") {
        "check the value given to that flag against the data"
    } else if has("incomplete") {
        "pass --include-incomplete to keep incomplete weeks"
    } else if has("fatalities") || has("weight") || has("event count") {
        "choose another column with --weight-col, or count events (--metric events)"
    } else if has("duplicate") {
        "check --id-col names a column of event ids"
    } else {
        "run with --strict to stop at the first such row"
    }
}

fn bump(
    map: &mut BTreeMap<String, ReasonCount>,
    reason: String,
    column: Option<&str>,
    record: u64,
    value: Option<&str>,
) {
    let entry = map.entry(reason).or_default();
    entry.count += 1;
    if entry.column.is_none() {
        entry.column = column.map(str::to_string);
    }
    if entry.records.len() < EXAMPLES_PER_REASON {
        entry.records.push(record);
        if let Some(v) = value {
            let mut shown: String = v.chars().take(EXAMPLE_CHARS).collect();
            if v.chars().count() > EXAMPLE_CHARS {
                shown.push('…');
            }
            entry.values.push(shown);
        }
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
            q.reject("unparsable date", Some("event_date"), rec, Some("31-12-19"));
        }
        q.exclude("outside --from/--to", None, 7);
        assert_eq!(q.rejected_total(), 6);
        assert_eq!(q.excluded_total(), 1);
        assert_eq!(q.rejected["unparsable date"].records, vec![0, 1, 2, 3, 4]);
        assert_eq!(q.rejected["unparsable date"].values.len(), 5);
        q.fill_lines(|r| r + 2);
        assert_eq!(q.rejected["unparsable date"].lines, vec![2, 3, 4, 5, 6]);
        assert!(q
            .summary()
            .contains("rejected: unparsable date: 6 (line 2, 3, 4, 5, 6, ...)"));
    }

    #[test]
    fn a_load_that_keeps_nothing_or_rejects_most_rows_is_refused_with_a_fix() {
        let mut q = Quality {
            rows_read: 4,
            ..Default::default()
        };
        for (rec, v) in ["31-12-19", "30-12-19", "29-12-19", "28-12-19"]
            .into_iter()
            .enumerate()
        {
            q.reject("unparsable date", Some("event_date"), rec as u64, Some(v));
        }
        q.fill_lines(|r| r + 2);
        let err = q.usable(0.5).unwrap_err();
        assert!(
            err.starts_with("no rows kept: all 4 rows rejected"),
            "{err}"
        );
        assert!(
            err.contains("'unparsable date' in column 'event_date' (4 rows), e.g. line 2: '31-12-19', line 3: '30-12-19', line 4: '29-12-19';"),
            "{err}"
        );
        assert!(err.contains("--date-format"), "{err}");
        // Three of four rejected: over half.
        q.kept = 1;
        q.rejected.get_mut("unparsable date").unwrap().count = 3;
        let err = q.usable(0.5).unwrap_err();
        assert!(
            err.contains("3 of 4 rows (75%) rejected, more than --max-rejected 0.5"),
            "{err}"
        );
        assert!(err.ends_with("or raise --max-rejected"), "{err}");
        assert_eq!(q.usable(0.75), Ok(()));
        // Two of four is not more than half.
        q.rejected.get_mut("unparsable date").unwrap().count = 2;
        assert_eq!(q.usable(0.5), Ok(()));
        // Everything filtered out: the filter is named.
        let mut q = Quality {
            rows_read: 3,
            ..Default::default()
        };
        for rec in 0..3 {
            q.exclude("--country Kenyaa", None, rec);
        }
        q.fill_lines(|r| r + 2);
        let err = q.usable(0.5).unwrap_err();
        assert!(
            err.starts_with("no rows kept: all 3 rows excluded"),
            "{err}"
        );
        assert!(
            err.contains("'--country Kenyaa' (3 rows), e.g. line 2, line 3, line 4"),
            "{err}"
        );
        assert!(err.contains("check the value given to that flag"), "{err}");
    }
}
