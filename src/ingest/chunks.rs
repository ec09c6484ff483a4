//! Record-aligned chunks of delimited text, so that files larger than memory are read a
//! batch at a time.
//!
//! A chunk ends just after a newline that lies outside double quotes (RFC 4180: a quoted
//! field may hold newlines, and `""` inside quotes toggles the state twice), so every chunk
//! holds whole records and starts outside quotes. Chunks are about `target` bytes; a record
//! longer than that grows its chunk, up to `max_record` bytes, beyond which reading stops
//! with an error: an unclosed quote would otherwise swallow the rest of the file.

use std::io::{self, Read};

/// Why a chunk could not be read.
#[derive(Debug)]
pub enum ChunkError {
    /// The reader failed (a read error, or corrupt compressed data).
    Io(io::Error),
    /// One record is longer than the limit. Holds the 1-based line it starts on.
    RecordTooLong {
        /// Line where the record starts.
        line: u64,
        /// The limit in bytes.
        limit: usize,
    },
}

/// Splits a byte stream into chunks of whole records.
pub struct RecordChunks<R> {
    reader: R,
    target: usize,
    max_record: usize,
    /// Bytes read but not yet handed out (the start of the next record).
    carry: Vec<u8>,
    eof: bool,
    /// Newlines handed out so far, for naming lines in errors.
    lines_before: u64,
    /// Whether double quotes can hide newlines (CSV), or every newline ends a record (NDJSON).
    quotes: bool,
}

impl<R: Read> RecordChunks<R> {
    /// Chunks of about `target` bytes; no record may exceed `max_record` bytes.
    pub fn new(reader: R, target: usize, max_record: usize) -> Self {
        RecordChunks {
            reader,
            target: target.max(1),
            max_record: max_record.max(target),
            carry: Vec::new(),
            eof: false,
            lines_before: 0,
            quotes: true,
        }
    }

    /// Every newline ends a record (NDJSON, whose strings cannot hold a raw newline but can
    /// hold escaped quotes).
    pub fn lines_only(mut self) -> Self {
        self.quotes = false;
        self
    }

    /// The next chunk, or `None` at the end of the input.
    ///
    /// # Errors
    /// Read failures, and a record longer than the limit.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ChunkError> {
        let mut buf = std::mem::take(&mut self.carry);
        let mut want = self.target;
        // Scan state, kept across refills so that each byte is scanned once.
        let mut scanned = 0;
        let mut in_quotes = false;
        let mut cut = None;
        loop {
            self.fill(&mut buf, want).map_err(ChunkError::Io)?;
            for (i, &b) in buf.iter().enumerate().skip(scanned) {
                match b {
                    b'"' if self.quotes => in_quotes = !in_quotes,
                    b'\n' if !in_quotes => cut = Some(i + 1),
                    _ => {}
                }
            }
            scanned = buf.len();
            if self.eof {
                break;
            }
            if let Some(end) = cut {
                self.carry = buf.split_off(end);
                break;
            }
            if buf.len() >= self.max_record {
                return Err(ChunkError::RecordTooLong {
                    line: self.lines_before + 1,
                    limit: self.max_record,
                });
            }
            want = (buf.len() * 2).min(self.max_record);
        }
        if buf.is_empty() {
            return Ok(None);
        }
        self.lines_before += count_newlines(&buf);
        Ok(Some(buf))
    }

    /// Reads until `buf` holds `want` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
        while buf.len() < want && !self.eof {
            let have = buf.len();
            buf.resize(want, 0);
            match self.reader.read(&mut buf[have..]) {
                Ok(0) => {
                    buf.truncate(have);
                    self.eof = true;
                }
                Ok(n) => buf.truncate(have + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(have),
                Err(e) => {
                    buf.truncate(have);
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// Newlines in `bytes`.
pub fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_chunks(text: &[u8], target: usize, max: usize) -> Result<Vec<Vec<u8>>, ChunkError> {
        // A reader that hands out 3 bytes at a time, to exercise refills.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(out.len()).min(3);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut chunks = RecordChunks::new(Slow(text), target, max);
        let mut out = Vec::new();
        while let Some(c) = chunks.next_chunk()? {
            out.push(c);
        }
        Ok(out)
    }

    #[test]
    fn chunks_end_at_record_boundaries_and_rejoin_to_the_input() {
        let text = b"a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\"\n3,z\n4,w";
        for target in 1..text.len() + 2 {
            let chunks = all_chunks(text, target, 1 << 20).unwrap();
            assert_eq!(chunks.concat(), text.to_vec(), "target {target}");
            for c in &chunks[..chunks.len() - 1] {
                assert_eq!(c.last(), Some(&b'\n'));
                let quotes = c.iter().filter(|&&b| b == b'"').count();
                assert_eq!(quotes % 2, 0, "chunk splits a quoted field: {c:?}");
            }
        }
    }

    #[test]
    fn a_long_record_grows_its_chunk_up_to_the_limit() {
        let mut text = b"h\n\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', 1000));
        text.extend(b"\"\nnext\n");
        let chunks = all_chunks(&text, 16, 4096).unwrap();
        assert_eq!(chunks.concat(), text);
        match all_chunks(&text, 16, 256) {
            Err(ChunkError::RecordTooLong { line, limit }) => {
                assert_eq!((line, limit), (2, 256));
            }
            other => panic!("expected RecordTooLong, got {other:?}"),
        }
    }

    #[test]
    fn an_unclosed_quote_is_bounded_not_read_to_the_end() {
        let mut text = b"h\n\"never closed\n".to_vec();
        text.extend(std::iter::repeat_n(b"1,2\n".as_slice(), 1000).flatten());
        assert!(matches!(
            all_chunks(&text, 64, 512),
            Err(ChunkError::RecordTooLong { line: 2, .. })
        ));
    }

    #[test]
    fn empty_input_has_no_chunks() {
        assert!(all_chunks(b"", 8, 64).unwrap().is_empty());
    }
}
