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
    /// A buffer handed back by the consumer, filled next instead of fresh memory.
    spare: Option<Vec<u8>>,
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
            spare: None,
        }
    }

    /// Hands back a chunk the consumer is done with: the next chunk is read into it, so a
    /// long file reuses the same pages rather than having fresh ones zeroed for each chunk.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        self.spare = Some(buf);
    }

    /// The next chunk, read into `spare` where the consumer handed one back ([`Self::recycle`]).
    ///
    /// # Errors
    /// As [`Self::next_chunk`].
    pub fn next_chunk_reusing(
        &mut self,
        spare: Option<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>, ChunkError> {
        if let Some(buf) = spare {
            self.recycle(buf);
        }
        self.next_chunk()
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
        // The carry moves to the front of the spare (or of a new buffer) and keeps its own
        // allocation for the next cut.
        let mut buf = self.spare.take().unwrap_or_default();
        buf.clear();
        buf.append(&mut self.carry);
        let mut want = self.target;
        let mut scan = CutScan::default();
        loop {
            self.fill(&mut buf, want).map_err(ChunkError::Io)?;
            let cut = scan.scan(&buf, self.quotes);
            if self.eof {
                break;
            }
            if let Some(end) = cut {
                self.carry.clear();
                self.carry.extend_from_slice(&buf[end..]);
                buf.truncate(end);
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

    /// Reads until `buf` holds `want` bytes or the input ends. The new room is zeroed once:
    /// a decompressing reader hands out a few hundred KiB a call, and zeroing what is left
    /// of the room before each call cost many times the chunk's own bytes.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
        let mut have = buf.len();
        if have >= want || self.eof {
            return Ok(());
        }
        buf.resize(want, 0);
        let result = loop {
            if have == want {
                break Ok(());
            }
            match self.reader.read(&mut buf[have..]) {
                Ok(0) => {
                    self.eof = true;
                    break Ok(());
                }
                Ok(n) => have += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        buf.truncate(have);
        result
    }
}

/// The search for where a chunk ends, kept across refills of a growing window so that each
/// byte is scanned once.
#[derive(Debug, Default)]
pub(super) struct CutScan {
    scanned: usize,
    in_quotes: bool,
    cut: Option<usize>,
}

impl CutScan {
    /// Scans what `window` holds beyond the last call (the same window, grown), and returns
    /// the offset just after its last record boundary so far: the last newline outside
    /// quotes, or with `quotes` off the last newline.
    pub(super) fn scan(&mut self, window: &[u8], quotes: bool) -> Option<usize> {
        let fresh = &window[self.scanned..];
        if quotes {
            let (at, after) = last_cut_outside_quotes(fresh, self.in_quotes);
            self.cut = at.map(|at| self.scanned + at).or(self.cut);
            self.in_quotes = after;
        } else if let Some(at) = memchr::memrchr(b'\n', fresh) {
            self.cut = Some(self.scanned + at + 1);
        }
        self.scanned = window.len();
        self.cut
    }
}

/// In `bytes`, entered inside quotes or not (`in_quotes`): the offset just after the last
/// newline outside quotes, and whether the end of `bytes` is inside quotes. Quotes are
/// counted with SIMD searches rather than a byte-by-byte state machine: the state at a
/// newline is the state at the end flipped once per quote after it, so only the newlines
/// from the end back to the first one outside quotes are visited.
fn last_cut_outside_quotes(bytes: &[u8], in_quotes: bool) -> (Option<usize>, bool) {
    let odd = |b: &[u8]| memchr::memchr_iter(b'"', b).count() % 2 == 1;
    let at_end = in_quotes ^ odd(bytes);
    let mut state = at_end;
    let mut upto = bytes.len();
    while let Some(nl) = memchr::memrchr(b'\n', &bytes[..upto]) {
        state ^= odd(&bytes[nl + 1..upto]);
        if !state {
            return (Some(nl + 1), at_end);
        }
        upto = nl;
    }
    (None, at_end)
}

/// `text` (whole records, starting outside quotes) cut into at most `pieces` runs of whole
/// records, for parsing in parallel: run k ends at the last record boundary before k/pieces
/// of the bytes (a record longer than a share makes one run longer and another absent).
/// Returns the end offset of each run; the last is `text.len()`.
pub fn record_runs(text: &[u8], pieces: usize) -> Vec<usize> {
    let pieces = pieces.max(1);
    let mut ends = Vec::with_capacity(pieces);
    let mut start = 0;
    for k in 1..pieces {
        let target = text.len() * k / pieces;
        if target <= start {
            continue;
        }
        if let Some(cut) = last_cut_outside_quotes(&text[start..target], false).0 {
            start += cut;
            ends.push(start);
        }
    }
    if start < text.len() {
        ends.push(text.len());
    }
    ends
}

/// Newlines in `bytes`.
pub fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
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
    fn recycled_buffers_give_the_same_chunks() {
        let text = b"a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\"\n3,z\n4,w";
        for target in 1..text.len() + 2 {
            let plain = all_chunks(text, target, 1 << 20).unwrap();
            let mut chunks = RecordChunks::new(&text[..], target, 1 << 20);
            let mut recycled = Vec::new();
            while let Some(c) = chunks.next_chunk().unwrap() {
                recycled.push(c.clone());
                // A spare with stale bytes and room to spare.
                let mut spare = c;
                spare.extend_from_slice(b"stale\n\"");
                chunks.recycle(spare);
            }
            assert_eq!(recycled, plain, "target {target}");
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
    fn the_cut_is_the_last_newline_outside_quotes() {
        // The byte-by-byte state machine the SIMD search replaces, as the oracle.
        fn oracle(bytes: &[u8], mut in_quotes: bool) -> (Option<usize>, bool) {
            let mut cut = None;
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b'"' => in_quotes = !in_quotes,
                    b'\n' if !in_quotes => cut = Some(i + 1),
                    _ => {}
                }
            }
            (cut, in_quotes)
        }
        // Every string of up to 7 bytes over {a, ", newline}, entered both ways.
        let alphabet = [b'a', b'"', b'\n'];
        let mut checked = 0;
        for len in 0..=7u32 {
            for code in 0..3usize.pow(len) {
                let mut c = code;
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[c % 3];
                        c /= 3;
                        b
                    })
                    .collect();
                for in_quotes in [false, true] {
                    assert_eq!(
                        last_cut_outside_quotes(&bytes, in_quotes),
                        oracle(&bytes, in_quotes),
                        "{:?} entered in quotes: {in_quotes}",
                        String::from_utf8_lossy(&bytes)
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2 * (0..=7).map(|n| 3usize.pow(n)).sum::<usize>());
        assert_eq!(count_newlines(b"a\nb\n\nc"), 3);
    }

    #[test]
    fn record_runs_rejoin_at_record_boundaries() {
        let text = b"1,\"x\ny\"\n2,\"say \"\"hi\"\"\"\n3,z\n4,w\n5,\"\n\n\"\n6";
        for pieces in 1..=text.len() + 1 {
            let ends = record_runs(text, pieces);
            assert!(ends.len() <= pieces, "{pieces}: {ends:?}");
            assert_eq!(ends.last(), Some(&text.len()));
            let mut start = 0;
            for &end in &ends {
                assert!(end > start, "{pieces}: {ends:?}");
                let run = &text[start..end];
                if end < text.len() {
                    assert_eq!(run.last(), Some(&b'\n'));
                }
                let quotes = run.iter().filter(|&&b| b == b'"').count();
                assert_eq!(
                    quotes % 2,
                    0,
                    "{pieces}: run splits a quoted field: {run:?}"
                );
                start = end;
            }
        }
        assert!(record_runs(b"", 4).is_empty());
    }

    #[test]
    fn empty_input_has_no_chunks() {
        assert!(all_chunks(b"", 8, 64).unwrap().is_empty());
    }
}
