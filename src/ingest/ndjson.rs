//! NDJSON (plain or gzip), streamed in chunks of whole lines: keys learnt from the first
//! chunk, each chunk parsed by Polars, a bad line located by line and column.

use std::path::Path;

use polars::prelude::*;

use super::chunks;
use super::date_column::DateMode;
use super::parquet::nested_column;
use super::schema::resolve_columns;
use super::spec::InputSpec;
use super::stream::{chunk_error, finish_hash, open_stream, start_of_file};
use super::text::{record_index, Lines};
use super::validate::{Flow, Validator};
use super::{Scanned, MAX_RECORD_BYTES, RECORD_COL};
use crate::error::{Error, Result};

/// The first line of an NDJSON chunk that is not a JSON object, as "line N, column C: why";
/// `line_base` is the number of lines before the chunk.
pub(super) fn first_json_error(text: &[u8], line_base: u64) -> Option<String> {
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = line_base + i as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => return Some(format!("line {line_no}: not a JSON object")),
            Err(e) => {
                return Some(format!(
                    "line {line_no}, column {}: not JSON ({e})",
                    e.column()
                ))
            }
        }
    }
    None
}

/// A chunk Polars could not read: the first bad line where one is found.
fn fail(path: &Path, text: &[u8], line_base: u64, source: PolarsError) -> Error {
    match first_json_error(text, line_base) {
        Some(message) => Error::Parse {
            path: path.to_path_buf(),
            message,
        },
        None => Error::Polars {
            context: format!("{}: cannot read as NDJSON", path.display()),
            source,
        },
    }
}

/// A chunk's lines as a lazy frame numbered from `offset`, and its keys (every line of the
/// chunk is used to learn them; the header is the first chunk's keys).
fn scan(
    text: &polars_buffer::Buffer<u8>,
    offset: u64,
    line_base: u64,
    path: &Path,
) -> Result<(LazyFrame, SchemaRef)> {
    let mut frame =
        LazyJsonLineReader::new_with_sources(ScanSources::Buffers(Arc::from(vec![text.clone()])))
            .with_infer_schema_length(None)
            .with_row_index(record_index(offset))
            .finish()
            .map_err(|e| fail(path, text, line_base, e))?;
    let schema = frame
        .collect_schema()
        .map_err(|e| fail(path, text, line_base, e))?;
    Ok((frame, schema))
}

/// A chunk's needed columns as text, with the record numbers: a key absent from every line
/// of the chunk is a column of nulls there, a nested value is refused.
fn read_batch(
    text: &polars_buffer::Buffer<u8>,
    first_record: u64,
    line_base: u64,
    needed: &[String],
    path: &Path,
) -> Result<DataFrame> {
    let (frame, schema) = scan(text, first_record, line_base, path)?;
    let mut select = Vec::with_capacity(needed.len() + 1);
    for name in needed {
        select.push(match schema.get(name.as_str()) {
            Some(t) if t.is_nested() => return Err(nested_column(path, name, t)),
            Some(_) => col(name.as_str()).cast(DataType::String),
            None => lit(NULL).cast(DataType::String).alias(name.as_str()),
        });
    }
    select.push(col(RECORD_COL));
    frame
        .select(select)
        .collect()
        .map_err(|e| fail(path, text, line_base, e))
}

/// Streams NDJSON (plain or gzip) in chunks of whole lines, each parsed by Polars.
pub(super) fn load_ndjson(spec: &InputSpec, dates: DateMode) -> Result<Scanned<'_>> {
    let path = spec.source.path();
    let (stream, gzip, hasher) = open_stream(spec)?;
    // JSON strings cannot hold a raw newline, so every newline ends a record.
    let mut chunks =
        chunks::RecordChunks::new(stream, spec.chunk_bytes, MAX_RECORD_BYTES).lines_only();
    // Each call may hand back a chunk the validator is done with, to be read into (as the
    // text loader does: one allocation serves every chunk).
    let mut next = |spare: Option<Vec<u8>>| {
        chunks
            .next_chunk_reusing(spare)
            .map_err(|e| chunk_error(e, gzip, &path))
    };
    let first = start_of_file(next(None)?, &path)?;
    let first = polars_buffer::Buffer::from(first);
    let (_, schema) = scan(&first, 0, 0, &path)?;
    let header: Vec<String> = schema
        .iter_names()
        .map(|n| n.to_string())
        .filter(|n| n != RECORD_COL)
        .collect();
    let map = resolve_columns(spec, &header, &path)?;
    let mut validator = Validator::new(spec, map, header, path.clone(), dates);
    let needed = validator.needed().to_vec();
    let mut chunk = Some(first);
    let (mut line_base, mut first_record) = (0u64, 0u64);
    while let Some(text) = chunk {
        if !text.iter().all(u8::is_ascii_whitespace) {
            let batch = read_batch(&text, first_record, line_base, &needed, &path)?;
            let lines = Lines::Json {
                text: &text,
                line_base,
                first_record,
            };
            if validator.batch(&batch, None, &lines)? == Flow::Stop {
                break;
            }
            first_record += batch.height() as u64;
        }
        line_base += chunks::count_newlines(&text);
        // The frames are gone, so the chunk's bytes are ours again unless Polars kept them.
        chunk = next(text.into_mut().right())?.map(polars_buffer::Buffer::from);
    }
    Ok(Scanned {
        validator,
        notes: Vec::new(),
        sha256: hasher.map(finish_hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_line_is_located() {
        let text = b"{\"a\": 1}\n\n[1, 2]\n{\"a\": }\n";
        assert_eq!(
            first_json_error(text, 0).as_deref(),
            Some("line 3: not a JSON object")
        );
        let err = first_json_error(b"{\"a\": }\n", 41).unwrap();
        assert!(err.starts_with("line 42, column"), "{err}");
        assert_eq!(first_json_error(b"{\"a\": 1}\n  \n", 0), None);
    }

    /// The loader hands each chunk's bytes back to be read into: Polars keeps no reference to
    /// them once the batch is dropped, so the buffer is ours again (no fresh allocation per
    /// chunk).
    #[test]
    fn a_read_chunk_gives_its_buffer_back() {
        let bytes = b"{\"a\": \"x\", \"b\": 1}\n{\"a\": \"y\"}\n".to_vec();
        let at = bytes.as_ptr();
        let text = polars_buffer::Buffer::from(bytes);
        let needed = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let batch = read_batch(&text, 10, 0, &needed, Path::new("x.ndjson")).unwrap();
        assert_eq!(batch.height(), 2);
        assert_eq!(batch.column("c").unwrap().null_count(), 2);
        drop(batch);
        let back = text
            .into_mut()
            .right()
            .expect("the chunk's buffer is free again");
        assert_eq!(back.as_ptr(), at, "the same allocation");
    }
}
