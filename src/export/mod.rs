//! Writing results: one atomic file write for every output, and the exporters of series,
//! findings and comparisons as CSV ([`csv`]), JSON ([`json`]), Parquet ([`parquet`]), terminal
//! tables ([`table`]) and markdown ([`markdown`]). Exporters return bytes or text; callers
//! write them with [`write_atomic`].

pub mod clusters;
pub mod csv;
pub mod evaluation;
pub mod json;
pub mod markdown;
pub mod parquet;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::compare::Comparison;
use crate::detect::Finding;
use crate::error::{Error, Result};
use crate::format::format_full;
use crate::model::{iso_week_label, SeriesSet, WeekStart};

/// A table for people, before any layout: raw cell text (layouts escape it), which columns
/// are numbers (right-aligned), and whether the last row is a totals row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayTable {
    /// Column headings.
    pub header: Vec<String>,
    /// Per column: right-aligned (numbers).
    pub right: Vec<bool>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// The last row is the totals row.
    pub total_row: bool,
}

/// The comparison as a display table: the regions given, then the totals row ("All regions").
pub fn comparison_display(rows: &[Comparison], total: &Comparison, level: f64) -> DisplayTable {
    use crate::format::format_stat;
    let body: Vec<Vec<String>> = rows
        .iter()
        .chain(std::iter::once(total))
        .map(|c| {
            let cells = comparison_cells(c, format_stat, false);
            let name = if c.region.is_empty() {
                "All regions".to_string()
            } else {
                region_label(c)
            };
            vec![
                name,
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
                if cells[4].is_empty() {
                    "n/a".into()
                } else {
                    cells[4].replace("inf", "∞")
                },
                format!("{}–{}", cells[5], cells[6].replace("inf", "∞")),
                cells[7].clone(),
                cells[9].clone(),
                cells[11].clone(),
                cells[12].clone(),
            ]
        })
        .collect();
    let header = [
        "Region",
        "Count",
        "Count before",
        "Per week",
        "Per week before",
        "Rate ratio",
        &format!("{}% CI", format_stat(Some(100.0 * level))),
        "p (two-sided)",
        "q",
        "Change",
        "Verdict",
    ]
    .map(String::from)
    .to_vec();
    let mut right = vec![true; header.len()];
    right[0] = false;
    right[10] = false;
    DisplayTable {
        header,
        right,
        rows: body,
        total_row: true,
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, then a rename,
/// so a killed run never leaves a half-written file. `-` writes to stdout.
///
/// # Errors
/// The directory is missing or not writable, or the disk is full.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return match out.write_all(bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            }),
        };
    }
    // A device or pipe (`-o /dev/null`, a FIFO) is written in place: renaming a file over it
    // would replace the device with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            });
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp: PathBuf = dir.join(format!(".{name}.uptick-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Write {
            path: path.to_path_buf(),
            source,
        });
    }
    Ok(())
}

/// JSON text of `value`, pretty-printed, with a final newline.
///
/// # Errors
/// Only if serde fails, which would be a bug.
pub fn json_bytes(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Write {
        path: "-".into(),
        source: e.into(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A value as compact JSON (one line), for documents of many records (`report.json`).
///
/// # Errors
/// Only if serde fails, which would be a bug.
pub fn json_compact(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec(value).map_err(|e| Error::Write {
        path: "-".into(),
        source: e.into(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Gzip-compresses bytes reproducibly (no timestamp or file name in the header).
///
/// # Errors
/// Only on an allocation failure inside the compressor.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use flate2::write::GzEncoder;
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)
        .and_then(|()| enc.finish())
        .map_err(|source| Error::Write {
            path: "-".into(),
            source,
        })
}

/// The columns of the series table, in order.
pub(super) fn series_header(set: &SeriesSet) -> Vec<String> {
    let mut cols = vec!["week_start".to_string()];
    if set.week_start == WeekStart::Mon {
        cols.push("iso_week".into());
    }
    cols.extend(set.region_columns.iter().cloned());
    cols.push("events".into());
    if set.series.first().is_some_and(|s| s.fatalities.is_some()) {
        cols.push("fatalities".into());
    }
    if let Some(w) = &set.weight_name {
        cols.push(w.clone());
    }
    cols
}

/// Rows of the series table as text cells (region names unescaped): each region from the
/// week its series starts (its coverage) to the last week.
pub(super) fn series_rows(set: &SeriesSet) -> impl Iterator<Item = Vec<String>> + '_ {
    set.series.iter().flat_map(move |s| {
        set.weeks
            .iter()
            .enumerate()
            .skip(s.start)
            .map(move |(i, week)| {
                let mut row = vec![week.to_string()];
                if set.week_start == WeekStart::Mon {
                    row.push(iso_week_label(*week));
                }
                row.extend(s.region.iter().cloned());
                row.push(format_full(Some(s.events[i])));
                if let Some(f) = &s.fatalities {
                    row.push(format_full(Some(f[i])));
                }
                if let Some(w) = &s.weight {
                    row.push(format_full(Some(w[i])));
                }
                row
            })
    })
}

/// Column names of the findings table.
pub(super) fn findings_header(region_columns: &[String], measure: &str) -> Vec<String> {
    let mut h = vec!["week_start".to_string()];
    h.extend(region_columns.iter().cloned());
    for c in [
        "observed",
        "expected",
        "upperbound",
        "pvalue",
        "qvalue",
        "alarm",
        "method",
        "ratio",
        "statistic",
        "statistic_name",
        "weeks_in_row",
        "began",
        "reason",
        "measure",
    ] {
        h.push(c.into());
    }
    let _ = measure;
    h
}

/// Cells of one finding for CSV, numbers in full precision.
pub(super) fn finding_cells(f: &Finding, measure: &str) -> Vec<String> {
    let j = &f.judgement;
    let mut row = vec![f.week_start.to_string()];
    row.extend(f.region.iter().cloned());
    row.extend([
        format_full(Some(j.observed)),
        format_full(j.expected),
        format_full(j.upperbound),
        format_full(j.pvalue),
        format_full(f.qvalue),
        u8::from(f.alarm).to_string(),
        f.method.name().to_string(),
        format_full(f.ratio),
        format_full(j.statistic),
        f.method.statistic_name().to_string(),
        f.weeks_in_row.to_string(),
        f.began.map(|d| d.to_string()).unwrap_or_default(),
        f.reason.to_string(),
        measure.to_string(),
    ]);
    row
}

pub(super) fn region_label(c: &Comparison) -> String {
    if c.region.is_empty() {
        "All regions".into()
    } else {
        c.region.join(" / ")
    }
}

/// Text cells of one comparison row (region excluded), numbers through `number` (full
/// precision for CSV, rounded for people); the percent change is a number for CSV
/// (`machine`) and "+45%" for people.
pub(super) fn comparison_cells(
    c: &Comparison,
    number: fn(Option<f64>) -> String,
    machine: bool,
) -> Vec<String> {
    let t = &c.test;
    let percent = if machine {
        number(c.percent_change)
    } else {
        c.percent_change
            .map_or_else(|| "n/a".into(), |p| format!("{p:+.0}%"))
    };
    vec![
        number(Some(c.count)),
        number(Some(c.count_against)),
        number((c.weeks > 0.0).then(|| c.count / c.weeks)),
        number((c.weeks_against > 0.0).then(|| c.count_against / c.weeks_against)),
        number(t.rate_ratio),
        number(Some(t.ci_low)),
        number(Some(t.ci_high)),
        number(Some(t.p_two_sided)),
        number(Some(t.p_greater)),
        number(c.qvalue),
        number(Some(c.rate_change)),
        percent,
        c.verdict.words().into(),
        number(t.dispersion),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_is_written_in_place_not_replaced() {
        // `-o /dev/null` once replaced the device with a regular file: write into a FIFO and
        // check it is still one, and that the reader got the bytes.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"week_start,events\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"week_start,events\n");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("missing/out.csv"), b"x").is_err());
    }
}
