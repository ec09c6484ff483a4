//! A delimited-text input as record-aligned chunks: a plain file through memory maps, any
//! other input (gzip, a pipe, bytes in memory) as a stream read into buffers
//! ([`super::chunks::RecordChunks`]).
//!
//! A mapped chunk is a window of the file mapped on its own and handed to the parser without
//! a copy; it is unmapped when its batch is done, so memory holds a few chunks, not the file.
//! Reading the same chunks with `read` copied every byte out of the page cache first: about
//! half of the reader thread's time on a 1M-row file (see `docs/performance.md`).
//!
//! A map shows the file as it is, not as it was when the run began: a file rewritten in place
//! during a run (rather than replaced by a rename, as exports should be) is read in part as
//! changed. Each window is checked against the file's length when it is mapped, so a file
//! cut short is an error naming it rather than a crash on the missing pages.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use memmap2::{Mmap, MmapOptions};
use polars_buffer::Buffer;

use super::chunks::{count_newlines, ChunkError, CutScan, RecordChunks};
use super::spec::{InputSpec, Source};
use super::stream::{chunk_error, is_gzip, new_hasher, open_stream, update_hash, SharedHasher};
use crate::error::{Error, Result};

/// Where a window of the file may start: a multiple of every page size and of Windows'
/// allocation granularity.
const ALIGN: u64 = 1 << 16;

/// A text input's chunks of whole records.
pub(super) enum TextChunks<'a> {
    /// A stream read into buffers; `gzip` says whether it is decompressed.
    Read {
        chunks: RecordChunks<Box<dyn Read + Send + 'a>>,
        gzip: bool,
    },
    /// A plain file, mapped a chunk at a time.
    Mapped(MappedChunks),
}

impl<'a> TextChunks<'a> {
    /// The input's chunks, of about `spec.chunk_bytes` each (no record over `max_record`
    /// bytes), and the hash of what is read where the spec asks for a checksum.
    ///
    /// # Errors
    /// The input cannot be opened or read.
    pub(super) fn open(
        spec: &'a InputSpec,
        max_record: usize,
    ) -> Result<(Self, Option<SharedHasher>)> {
        if let Source::File(path) = &spec.source {
            let hasher = new_hasher(spec);
            if let Some(mapped) = MappedChunks::open(path, spec.chunk_bytes, max_record, &hasher)
                .map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                })?
            {
                return Ok((TextChunks::Mapped(mapped), hasher));
            }
        }
        let (stream, gzip, hasher) = open_stream(spec)?;
        let chunks = RecordChunks::new(stream, spec.chunk_bytes, max_record);
        Ok((TextChunks::Read { chunks, gzip }, hasher))
    }

    /// The size of a plain file (a mapped one), whose rows can be estimated from it.
    pub(super) fn plain_len(&self) -> Option<u64> {
        match self {
            TextChunks::Mapped(m) => Some(m.len),
            TextChunks::Read { .. } => None,
        }
    }

    /// The next chunk, or `None` at the end; a stream reads into `spare` where the consumer
    /// handed one back.
    ///
    /// # Errors
    /// Read failures, and a record longer than the limit, as errors naming `path`.
    pub(super) fn next(
        &mut self,
        spare: Option<Vec<u8>>,
        path: &Path,
    ) -> Result<Option<Buffer<u8>>> {
        match self {
            TextChunks::Read { chunks, gzip } => chunks
                .next_chunk_reusing(spare)
                .map(|c| c.map(Buffer::from))
                .map_err(|e| chunk_error(e, *gzip, path)),
            TextChunks::Mapped(m) => m.next_chunk().map_err(|e| chunk_error(e, false, path)),
        }
    }

    /// Ends the reading: waits until the input's checksum covers every chunk handed out.
    ///
    /// # Errors
    /// The checksum could not be completed.
    pub(super) fn finish(&mut self, path: &Path) -> Result<()> {
        match self {
            TextChunks::Read { .. } => Ok(()),
            TextChunks::Mapped(m) => m.finish().map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

/// A plain file cut into chunks of whole records, each mapped on its own.
pub(super) struct MappedChunks {
    file: File,
    /// The file's length when it was opened.
    len: u64,
    /// Where the next chunk starts.
    pos: u64,
    target: usize,
    max_record: usize,
    hashing: ChunkHasher,
}

/// Where the chunks handed out are hashed, for the input's checksum.
enum ChunkHasher {
    /// No checksum is asked for.
    Off,
    /// On a thread of its own, in order, while the chunks are parsed (hashing on the
    /// reader's thread was a twentieth of a report's samples, on the load's critical path).
    Thread {
        tx: std::sync::mpsc::SyncSender<Buffer<u8>>,
        worker: std::thread::JoinHandle<()>,
    },
    /// Here, where no thread could be started.
    Inline(SharedHasher),
}

impl ChunkHasher {
    fn start(hasher: &Option<SharedHasher>) -> Self {
        let Some(hasher) = hasher.clone() else {
            return ChunkHasher::Off;
        };
        // A few chunks in flight: each holds its mapped window until it is hashed.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Buffer<u8>>(4);
        let shared = hasher.clone();
        let worker = std::thread::Builder::new()
            .name("uptick-sha256".into())
            .spawn(move || {
                for chunk in rx {
                    update_hash(&shared, &chunk);
                }
            });
        match worker {
            Ok(worker) => ChunkHasher::Thread { tx, worker },
            Err(_) => ChunkHasher::Inline(hasher),
        }
    }
}

impl MappedChunks {
    /// The file's chunks, or `None` where it is not a regular file of plain (not gzip) bytes:
    /// a pipe or device cannot be mapped, and gzip is read as a stream.
    fn open(
        path: &Path,
        target: usize,
        max_record: usize,
        hasher: &Option<SharedHasher>,
    ) -> io::Result<Option<Self>> {
        // Looked at before opening: opening a pipe (`<(zcat ...)`, a FIFO) and closing it
        // again would throw away what its writer sent.
        if !std::fs::metadata(path)?.is_file() {
            return Ok(None);
        }
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        let mut magic = Vec::with_capacity(2);
        (&mut file).take(2).read_to_end(&mut magic)?;
        if is_gzip(&magic) {
            return Ok(None);
        }
        let target = target.max(1);
        Ok(Some(MappedChunks {
            file,
            len: meta.len(),
            pos: 0,
            target,
            max_record: max_record.max(target),
            hashing: ChunkHasher::start(hasher),
        }))
    }

    /// The next chunk: about `target` bytes ending just after a newline outside quotes (the
    /// rest of the file at its end), as [`RecordChunks::next_chunk`] cuts them.
    fn next_chunk(&mut self) -> std::result::Result<Option<Buffer<u8>>, ChunkError> {
        if self.pos >= self.len {
            return Ok(None);
        }
        let start = self.pos - self.pos % ALIGN;
        let skip = (self.pos - start) as usize; // below ALIGN
        let mut want = self.target;
        let mut scan = CutScan::default();
        loop {
            let end = self
                .pos
                .saturating_add(u64::try_from(want).unwrap_or(u64::MAX))
                .min(self.len);
            let map = self.map(start, end).map_err(ChunkError::Io)?;
            let window = &map[skip..];
            let cut = scan.scan(window, true);
            let take = if end == self.len {
                Some(window.len())
            } else {
                cut
            };
            if let Some(n) = take {
                let chunk = Buffer::from_owner(map).sliced(skip..skip + n);
                match &self.hashing {
                    ChunkHasher::Off => {}
                    ChunkHasher::Inline(hasher) => update_hash(hasher, &chunk),
                    ChunkHasher::Thread { tx, .. } => {
                        // A closed channel means the thread is gone: `finish` says so.
                        let _ = tx.send(chunk.clone());
                    }
                }
                self.pos += n as u64;
                return Ok(Some(chunk));
            }
            if window.len() >= self.max_record {
                return Err(ChunkError::RecordTooLong {
                    line: self.lines_before(self.pos).map_err(ChunkError::Io)? + 1,
                    limit: self.max_record,
                });
            }
            want = (window.len() * 2).min(self.max_record);
        }
    }

    /// Waits until every chunk handed out is hashed.
    ///
    /// # Errors
    /// The hashing thread failed (the checksum would be wrong).
    fn finish(&mut self) -> io::Result<()> {
        match std::mem::replace(&mut self.hashing, ChunkHasher::Off) {
            ChunkHasher::Thread { tx, worker } => {
                drop(tx);
                worker
                    .join()
                    .map_err(|_| io::Error::other("hashing the input failed"))
            }
            _ => Ok(()),
        }
    }

    /// The bytes `start..end` of the file, read in at once; refused where the file is no
    /// longer that long (touching a page past its end would end the process).
    fn map(&self, start: u64, end: u64) -> io::Result<Mmap> {
        if self.file.metadata()?.len() < end {
            return Err(io::Error::other("the file was cut short while it was read"));
        }
        let len = usize::try_from(end - start).map_err(io_error)?;
        // SAFETY: the map is read only, and the file's length was checked just above; a file
        // rewritten in place is read as it then is (see the module docs).
        unsafe {
            MmapOptions::new()
                .offset(start)
                .len(len)
                .populate()
                .map(&self.file)
        }
    }

    /// Newlines before byte `pos` (to name a line in an error).
    fn lines_before(&self, pos: u64) -> io::Result<u64> {
        if pos == 0 {
            return Ok(0);
        }
        Ok(count_newlines(&self.map(0, pos)?))
    }
}

fn io_error(e: std::num::TryFromIntError) -> io::Error {
    io::Error::other(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks_of(bytes: &[u8], target: usize, max: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let dir = std::env::temp_dir().join(format!(
            "uptick-mapped-{}-{target}-{}",
            std::process::id(),
            bytes.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut mapped = MappedChunks::open(&path, target, max, &None)
            .unwrap()
            .unwrap();
        let mut read = RecordChunks::new(bytes, target, max);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        while let Some(c) = mapped.next_chunk().unwrap() {
            a.push(c.to_vec());
        }
        while let Some(c) = read.next_chunk().unwrap() {
            b.push(c);
        }
        std::fs::remove_dir_all(&dir).unwrap();
        (a, b)
    }

    #[test]
    fn mapped_chunks_are_the_chunks_a_stream_gives() {
        // Quoted newlines, a record longer than the target, no final newline, CRLF, and
        // chunks that start past the first window's alignment.
        let mut text = b"id,note\r\n1,\"two\nlines\"\r\n2,\"a \"\"quoted\"\" \nword\"\n".to_vec();
        for i in 0..20_000 {
            text.extend_from_slice(format!("{i},\"row {i}\nwith a newline\"\n").as_bytes());
        }
        text.extend_from_slice(b"last,row without newline");
        for target in [1, 7, 64, 4096, 70_000, 1 << 20] {
            let (mapped, read) = chunks_of(&text, target, 4 << 20);
            assert_eq!(mapped, read, "target {target}");
            assert_eq!(mapped.concat(), text);
        }
    }

    #[test]
    fn a_record_over_the_limit_names_its_line() {
        let text = b"a,b\n1,2\n3,\"never closed\n4,5\n6,7\n";
        let dir = std::env::temp_dir().join(format!("uptick-mapped-long-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        std::fs::write(&path, text).unwrap();
        let mut mapped = MappedChunks::open(&path, 4, 8, &None).unwrap().unwrap();
        let mut lines = None;
        loop {
            match mapped.next_chunk() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(ChunkError::RecordTooLong { line, limit }) => {
                    lines = Some((line, limit));
                    break;
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(lines, Some((3, 8)));
    }

    #[test]
    fn a_file_cut_short_while_it_is_read_is_an_error_not_a_crash() {
        let dir = std::env::temp_dir().join(format!("uptick-mapped-cut-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        std::fs::write(&path, "a,b\n".repeat(100_000)).unwrap();
        let mut mapped = MappedChunks::open(&path, 1 << 16, 1 << 20, &None)
            .unwrap()
            .unwrap();
        assert!(mapped.next_chunk().unwrap().is_some());
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(1000)
            .unwrap();
        let err = match mapped.next_chunk() {
            Err(ChunkError::Io(e)) => e.to_string(),
            other => panic!("{:?}", other.map(|c| c.map(|c| c.len()))),
        };
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("cut short"), "{err}");
    }

    #[test]
    fn gzip_and_non_files_are_not_mapped() {
        let dir = std::env::temp_dir().join(format!("uptick-mapped-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gz = dir.join("t.csv.gz");
        std::fs::write(&gz, [0x1f, 0x8b, 8, 0]).unwrap();
        assert!(MappedChunks::open(&gz, 16, 16, &None).unwrap().is_none());
        assert!(MappedChunks::open(&dir, 16, 16, &None).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
