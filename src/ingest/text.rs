//! Delimited text (CSV, TSV; plain or gzip): header and delimiter from the first chunk, then
//! every record-aligned chunk parsed by Polars (all columns as text) on a reader thread and
//! validated on the main one; and [`Lines`], which maps record numbers back to physical lines
//! for every text-like format.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use polars::io::csv::read::_csv_read_internal::read_chunk;
use polars::prelude::*;
use polars_buffer::Buffer;
use rayon::prelude::*;

use super::chunks;
use super::date_column::DateMode;
use super::mapped::TextChunks;
use super::prepare::{FirstIds, Prepared};
use super::schema::resolve_columns;
use super::spec::{InputFormat, InputSpec};
use super::stream::{chunk_error, finish_hash, open_stream, refuse_binary, start_of_file, to_utf8};
use super::validate::{Flow, Validator};
use super::{Scanned, MAX_RECORD_BYTES, RECORD_COL};
use crate::error::{Error, Result};

pub(super) fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let count = |c: u8| first_line.iter().filter(|&&b| b == c).count();
    let candidates = [
        (b',', count(b',')),
        (b'\t', count(b'\t')),
        (b';', count(b';')),
        (b'|', count(b'|')),
    ];
    candidates
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(c, _)| *c)
}

/// Makes header names usable: trimmed, empty ones named by position, duplicates numbered.
pub(super) fn clean_header(raw: Vec<String>, notes: &mut Vec<String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let mut name = name.trim().to_string();
        if name.is_empty() {
            name = format!("column_{}", i + 1);
        }
        let n = seen.entry(name.to_ascii_lowercase()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let renamed = format!("{name}_{n}");
            notes.push(format!(
                "duplicate column name '{name}': occurrence {n} renamed '{renamed}'"
            ));
            name = renamed;
        }
        out.push(name);
    }
    out
}

/// The delimiter and the column names of a delimited text file, from its first chunk (without
/// its byte-order mark): what every load reads and what `uptick sql` names its columns by.
/// Header names are cleaned ([`clean_header`]; renamed duplicates are noted), `--no-header`
/// names columns by position, and a one-field header holding another delimiter is refused.
pub(super) fn read_header(
    first: &[u8],
    spec: &InputSpec,
    format: InputFormat,
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<(u8, Vec<String>)> {
    let first_line_end = first
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(first.len());
    let delimiter = spec.delimiter.unwrap_or(match format {
        InputFormat::Tsv => b'\t',
        _ => sniff_delimiter(&first[..first_line_end]),
    });
    let header_record = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(first)
        .records()
        .next()
        .transpose()
        .map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            message: format!("line 1: {e}"),
        })?
        .unwrap_or_default();
    let header = if spec.no_header {
        (1..=header_record.len())
            .map(|i| format!("column_{i}"))
            .collect()
    } else {
        clean_header(header_record.iter().map(str::to_string).collect(), notes)
    };
    if let [only] = header.as_slice() {
        // uptick needs at least a date and a region column: one field means a wrong delimiter.
        let seen = [b',', b'\t', b';', b'|']
            .into_iter()
            .find(|&c| c != delimiter && only.as_bytes().contains(&c));
        if let Some(c) = seen {
            let shown = if c == b'\t' {
                "\\t".to_string()
            } else {
                (c as char).to_string()
            };
            return Err(Error::Parse {
                path: path.to_path_buf(),
                message: format!(
                    "line 1: the header is one field, but it contains '{shown}': is the delimiter wrong? (pass --delimiter '{shown}')"
                ),
            });
        }
    }
    Ok((delimiter, header))
}

/// A text file's first chunk as text: without its byte-order mark, decoded (Latin-1 where it
/// is not UTF-8, with a note), and refused where it is empty or binary.
fn first_text(first: Option<Vec<u8>>, path: &Path, notes: &mut Vec<String>) -> Result<Vec<u8>> {
    let first = to_utf8(start_of_file(first, path)?, 0, notes);
    refuse_binary(&first, 0, path)?;
    Ok(first)
}

/// The column names of a delimited text file (plain or gzip) as a load reads them.
pub(super) fn text_header(spec: &InputSpec, format: InputFormat) -> Result<Vec<String>> {
    let path = spec.source.path();
    let (stream, gzip, _) = open_stream(spec)?;
    let mut chunks = chunks::RecordChunks::new(stream, 1 << 16, MAX_RECORD_BYTES);
    let first = chunks
        .next_chunk()
        .map_err(|e| chunk_error(e, gzip, &path))?;
    let mut notes = Vec::new();
    let first = first_text(first, &path, &mut notes)?;
    Ok(read_header(&first, spec, format, &path, &mut notes)?.1)
}

/// Streams delimited text: header and delimiter from the first chunk, then every chunk
/// parsed by Polars and validated.
pub(super) fn load_text(
    spec: &InputSpec,
    format: InputFormat,
    dates: DateMode,
) -> Result<Scanned<'_>> {
    let path = spec.source.path();
    let (mut chunks, hasher) = TextChunks::open(spec, MAX_RECORD_BYTES)?;
    // The rows a plain file holds, estimated from its size and the first chunk, so that the
    // event-id set is made once at its final size instead of growing by copies.
    let file_bytes = chunks.plain_len();
    // Each call may hand back a chunk the validator is done with, to be read into.
    let mut next = |spare: Option<Vec<u8>>| chunks.next(spare, &path);
    let mut notes = Vec::new();
    let first = first_text(next(None)?.map(Buffer::to_vec), &path, &mut notes)?;
    let (delimiter, header) = read_header(&first, spec, format, &path, &mut notes)?;
    let map = resolve_columns(spec, &header, &path)?;
    let schema: Arc<Schema> = Arc::new(
        header
            .iter()
            .map(|n| Field::new(n.as_str().into(), DataType::String))
            .collect(),
    );
    let mut validator = Validator::new(spec, map, header, path.clone(), dates);
    let parser = ChunkParser::new(&schema, validator.needed(), delimiter);
    let plan = validator.prep_plan();
    // Two stages, one chunk apart: a reader thread cuts and parses chunk k + 1 while this
    // thread validates chunk k. The channel holds one parsed chunk, so at most three chunks
    // are in memory.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Parsed>>(1);
    // Validated chunks' buffers go back to the reader, to be read into again.
    let (back_tx, back_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let reader_path = path.clone();
    // Which rows first hold their event id, marked here in file order (one chunk ahead of the
    // validator, on the reader's core).
    let mut first_ids = FirstIds::default();
    let notes = std::thread::scope(|scope| -> Result<Vec<String>> {
        let reader = scope.spawn(move || {
            let path = reader_path;
            let mut notes = Vec::new();
            let mut chunk = Some(Buffer::from(first));
            let (mut line_base, mut first_record, mut index) = (0u64, 0u64, 0usize);
            while let Some(text) = chunk {
                let mut lines_here = None;
                let parsed = if text.iter().all(u8::is_ascii_whitespace) {
                    lines_here = Some(chunks::count_newlines(&text));
                    Ok(None)
                } else {
                    let mut batch = TextBatch {
                        text,
                        has_header: index == 0 && !spec.no_header,
                        delimiter,
                        line_base,
                        first_record,
                    };
                    let mut read = parser.read(&batch, &path);
                    if let Ok(ChunkRead::NotUtf8) = read {
                        let text = std::mem::take(&mut batch.text).to_vec();
                        batch.text = Buffer::from(to_utf8(text, line_base, &mut notes));
                        read = parser.read(&batch, &path);
                    }
                    read.and_then(|read| {
                        let ChunkRead::Frames(runs, newlines) = read else {
                            return Err(Error::Usage(format!(
                                "internal: {} was decoded as Latin-1 and is still not UTF-8",
                                path.display()
                            )));
                        };
                        lines_here = Some(newlines);
                        // The column kernels run here, on the parser's threads, while the
                        // validator judges the previous chunk.
                        let mut prepared = plan.as_ref().map(|p| p.prepare(&runs)).transpose()?;
                        if let Some(p) = prepared.as_mut() {
                            if let (0, Some(total), Some(ids)) = (index, file_bytes, &p.id) {
                                let bytes = batch.text.len() as u64;
                                if ids.len() >= 1000 && bytes > 0 {
                                    let rows = total.saturating_mul(ids.len() as u64) / bytes;
                                    first_ids.reserve(usize::try_from(rows).unwrap_or(usize::MAX));
                                }
                            }
                            first_ids.mark(p);
                        }
                        let frame = stack(runs, &path)?;
                        Ok(Some((batch, frame, prepared)))
                    })
                };
                // (Unknown only after an error, which ends the reading.)
                let lines_here = lines_here.unwrap_or(0);
                match parsed {
                    Ok(Some(parsed)) => {
                        first_record += parsed.1.height() as u64;
                        if tx.send(Ok(parsed)).is_err() {
                            break; // the validator stopped (an error); nothing more to do
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
                line_base += lines_here;
                index += 1;
                chunk = match next(back_rx.try_recv().ok()) {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                };
            }
            notes
        });
        for item in rx {
            let (batch, frame, prepared) = item?;
            if validator.batch(&frame, prepared, &Lines::Text(&batch))? == Flow::Stop {
                break; // dropping the receiver stops the reader
            }
            drop(frame);
            if let Some(buf) = batch.text.into_mut().right() {
                let _ = back_tx.try_send(buf); // a full channel: the reader has spares
            }
        }
        let more_notes = reader
            .join()
            .map_err(|_| Error::Usage("the reader thread failed".into()))?;
        notes.extend(more_notes);
        Ok(notes)
    })?;
    chunks.finish(&path)?;
    Ok(Scanned {
        validator,
        notes,
        sha256: hasher.map(finish_hash),
    })
}

/// A parsed chunk: its text, its needed columns, and their kernels' output.
type Parsed = (TextBatch, DataFrame, Option<Prepared>);

/// The runs of a chunk as one frame.
fn stack(runs: Vec<DataFrame>, path: &Path) -> Result<DataFrame> {
    let mut runs = runs.into_iter();
    let mut frame = runs.next().unwrap_or_default();
    for run in runs {
        frame.vstack_mut_owned(run).map_err(Error::polars(format!(
            "{}: cannot read the table",
            path.display()
        )))?;
    }
    Ok(frame)
}

/// The record-number column of a scan whose first record is number `first_record`.
pub(super) fn record_index(first_record: u64) -> Option<RowIndex> {
    Some(RowIndex {
        name: RECORD_COL.into(),
        offset: u32::try_from(first_record).unwrap_or(u32::MAX),
    })
}

/// One chunk of delimited text, with what is needed to name its lines.
pub(super) struct TextBatch {
    text: Buffer<u8>,
    has_header: bool,
    delimiter: u8,
    /// Lines in the file before this chunk.
    line_base: u64,
    /// Record number of the chunk's first data record.
    first_record: u64,
}

/// Parses chunks with Polars' own chunk parser (all columns as text, the needed ones kept),
/// in runs of whole records on several threads. The loader has cut the file at record
/// boundaries already, so Polars' whole-buffer reader, which counts every chunk's lines
/// again to split it, is not needed.
pub(super) struct ChunkParser {
    options: CsvParseOptions,
    schema: Arc<Schema>,
    /// The needed columns' positions in the header, ascending.
    projection: Vec<usize>,
    threads: usize,
}

impl ChunkParser {
    pub(super) fn new(schema: &Arc<Schema>, needed: &[String], delimiter: u8) -> Self {
        let mut projection: Vec<usize> = needed
            .iter()
            .filter_map(|n| schema.index_of(n.as_str()))
            .collect();
        projection.sort_unstable();
        projection.dedup();
        let options = CsvParseOptions::default()
            .with_separator(delimiter)
            .with_truncate_ragged_lines(true)
            .with_missing_is_null(true);
        ChunkParser {
            options,
            schema: schema.clone(),
            projection,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// Parses the chunk: the needed columns as text, plus record numbers, as one frame per
    /// run of records (each column of a run in one chunk), in order. Each run is also
    /// checked on its thread, where the reader's thread used to pass over the whole chunk
    /// three times: its newlines counted, and refused where it holds a NUL byte or is not
    /// UTF-8 (which the caller decodes as Latin-1 and hands back).
    ///
    /// # Errors
    /// A NUL byte (binary data), or a record Polars cannot read.
    pub(super) fn read(&self, batch: &TextBatch, path: &Path) -> Result<ChunkRead> {
        let text = &batch.text[..];
        let header = batch.header_len().min(text.len());
        let body = &text[header..];
        let ends = chunks::record_runs(body, self.threads);
        let starts = std::iter::once(0).chain(ends.iter().copied());
        let mut runs: Vec<&[u8]> = starts.zip(&ends).map(|(a, &b)| &body[a..b]).collect();
        if runs.is_empty() {
            // A chunk of the header alone: an empty frame with the columns still.
            runs.push(&body[..0]);
        }
        let parsed: Vec<PolarsResult<RunRead>> = runs
            .par_iter()
            .map(|run| {
                if memchr::memchr(0, run).is_some() {
                    return Ok(RunRead::Binary);
                }
                if std::str::from_utf8(run).is_err() {
                    return Ok(RunRead::NotUtf8);
                }
                let newlines = chunks::count_newlines(run);
                let frame = read_chunk(
                    run,
                    &self.options,
                    &self.schema,
                    false,
                    &self.projection,
                    0,
                    newlines as usize + 1,
                    None,
                    usize::MAX,
                    run.len(),
                    Some(0),
                )?;
                Ok(RunRead::Frame(frame, newlines))
            })
            .collect();
        let mut frames = Vec::with_capacity(parsed.len());
        let mut newlines = chunks::count_newlines(&text[..header]);
        let mut first = batch.first_record;
        let mut failed = None;
        let mut not_utf8 = false;
        for run in parsed {
            match run {
                Ok(RunRead::Binary) => {
                    refuse_binary(text, batch.line_base, path)?;
                }
                Ok(RunRead::NotUtf8) => not_utf8 = true,
                Ok(RunRead::Frame(mut f, lines)) if failed.is_none() => {
                    newlines += lines;
                    let records: Vec<u64> = (first..first + f.height() as u64).collect();
                    first += f.height() as u64;
                    match f.with_column(Column::new(RECORD_COL.into(), records)) {
                        Ok(_) => frames.push(f),
                        Err(e) => failed = Some(e),
                    }
                }
                Ok(RunRead::Frame(..)) => {}
                Err(e) => failed = failed.or(Some(e)),
            }
        }
        if not_utf8 {
            return Ok(ChunkRead::NotUtf8);
        }
        match failed {
            None => Ok(ChunkRead::Frames(frames, newlines)),
            Some(e) => Err(match batch.first_error() {
                Some(message) => Error::Parse {
                    path: path.to_path_buf(),
                    message,
                },
                None => Error::Polars {
                    context: format!("{}: cannot read the table", path.display()),
                    source: e,
                },
            }),
        }
    }
}

/// What one run of a chunk holds.
enum RunRead {
    /// Its frame and its newlines.
    Frame(DataFrame, u64),
    /// A NUL byte.
    Binary,
    /// Bytes that are not UTF-8.
    NotUtf8,
}

/// What reading a chunk gave.
pub(super) enum ChunkRead {
    /// One frame per run, in order, and the chunk's newlines.
    Frames(Vec<DataFrame>, u64),
    /// The chunk is not UTF-8: it is to be decoded (as Latin-1) and read again.
    NotUtf8,
}

impl TextBatch {
    /// The strict CSV reader over the chunk, for what Polars does not say: where the header
    /// ends, the first malformed record, the line of a record.
    fn csv_reader(&self, has_headers: bool) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(has_headers)
            .flexible(true)
            .from_reader(&self.text[..])
    }

    /// Bytes of the header record at the start of the chunk (0 without one).
    fn header_len(&self) -> usize {
        if !self.has_header {
            return 0;
        }
        let mut reader = self.csv_reader(false);
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                // The reader stops inside a CRLF terminator; the rest of it is not a record
                // (a blank line after it is: Polars reads it as a row of missing values).
                let end = (reader.position().byte() as usize).min(self.text.len());
                let text = &self.text[..];
                if end > 0 && text[end - 1] == b'\r' && text.get(end) == Some(&b'\n') {
                    end + 1
                } else {
                    end
                }
            }
            _ => self.text.len(),
        }
    }

    /// The first record the strict CSV reader rejects, as "line N: message".
    pub(super) fn first_error(&self) -> Option<String> {
        let mut reader = self.csv_reader(false);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    let line = self.line_base + e.position().map_or(1, |p| p.line());
                    return Some(format!("line {line}: {e}"));
                }
            }
        }
    }

    /// 1-based file line numbers of the given records (sorted or not), counting quoted
    /// newlines.
    pub(super) fn line_numbers(&self, records: &[u64]) -> Vec<u64> {
        let text = &self.text[..];
        let mut wanted: Vec<(u64, usize)> = records
            .iter()
            .map(|r| r.saturating_sub(self.first_record))
            .zip(0..)
            .collect();
        wanted.sort_unstable();
        let mut out = vec![0; records.len()];
        let mut reader = self.csv_reader(self.has_header);
        let mut next = wanted.iter().peekable();
        let mut record = csv::ByteRecord::new();
        let mut index = 0u64;
        while next.peek().is_some() {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {
                    while let Some(&&(want, slot)) = next.peek() {
                        if want != index {
                            break;
                        }
                        // Physical line: count newlines before the record's first byte (the
                        // csv crate's own line counter drifts on CRLF files).
                        out[slot] = record.position().map_or(want + 1, |p| {
                            let mut upto = (p.byte() as usize).min(text.len());
                            while upto < text.len() && matches!(text[upto], b'\r' | b'\n') {
                                upto += 1;
                            }
                            1 + chunks::count_newlines(&text[..upto])
                        }) + self.line_base;
                        next.next();
                    }
                    index += 1;
                }
                _ => break,
            }
        }
        for (want, slot) in next {
            out[*slot] = self.line_base + want + 1 + u64::from(self.has_header);
        }
        out
    }
}

/// How record numbers of a batch become line numbers.
pub(super) enum Lines<'a> {
    /// Delimited text: count lines in the chunk.
    Text(&'a TextBatch),
    /// NDJSON text: record k of the chunk is its k-th non-blank line.
    Json {
        /// The chunk.
        text: &'a [u8],
        /// Lines in the file before the chunk.
        line_base: u64,
        /// Record number of the chunk's first record.
        first_record: u64,
    },
    /// No text (Parquet): the line is the record number plus this offset.
    Offset(u64),
}

impl Lines<'_> {
    pub(super) fn of(&self, records: &[u64]) -> Vec<u64> {
        match self {
            Lines::Text(batch) => batch.line_numbers(records),
            Lines::Json {
                text,
                line_base,
                first_record,
            } => {
                // Line number of each non-blank line, in order.
                let filled: Vec<u64> = text
                    .split(|&b| b == b'\n')
                    .zip(1..)
                    .filter(|(l, _)| !l.iter().all(u8::is_ascii_whitespace))
                    .map(|(_, n)| line_base + n)
                    .collect();
                records
                    .iter()
                    .map(|r| {
                        let k = r.saturating_sub(*first_record) as usize;
                        filled.get(k).copied().unwrap_or(r + 1)
                    })
                    .collect()
            }
            Lines::Offset(o) => records.iter().map(|r| r + o).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_the_most_frequent_candidate() {
        assert_eq!(sniff_delimiter(b"a,b,c"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc,d"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;c"), b';');
        assert_eq!(sniff_delimiter(b"single"), b',', "no candidate: comma");
    }

    #[test]
    fn header_names_are_trimmed_filled_and_made_unique() {
        let mut notes = Vec::new();
        let h = clean_header(
            vec![" date ".into(), "".into(), "Region".into(), "region".into()],
            &mut notes,
        );
        assert_eq!(h, ["date", "column_2", "Region", "region_2"]);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("renamed 'region_2'"), "{notes:?}");
    }

    #[test]
    fn record_numbers_map_to_physical_lines() {
        assert_eq!(Lines::Offset(2).of(&[0, 5]), vec![2, 7]);
    }
}
