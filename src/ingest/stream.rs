//! Opening an input as a byte stream: gzip detection and decompression, hashing while
//! reading (the report's checksum needs no second read), UTF-8 or Latin-1, refusing binary
//! data, and the file-level errors of the first chunk.

use std::io::Read;
use std::path::Path;

use super::chunks;
use super::spec::{InputSpec, Source};
use crate::error::{Error, Result};

/// Passes bytes through while hashing them, so the report's input checksum needs no second
/// read (and holds even if the file is replaced or deleted during the run).
pub(super) struct Hashing<R> {
    inner: R,
    hasher: Option<SharedHasher>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &self.hasher {
            update_hash(hasher, &buf[..n]);
        }
        Ok(n)
    }
}

/// Adds the next bytes read to the input's hash.
pub(super) fn update_hash(hasher: &SharedHasher, bytes: &[u8]) {
    let mut h = hasher
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    sha2::Digest::update(&mut *h, bytes);
}

/// Whether bytes start like gzip data (its magic number).
pub(super) fn is_gzip(start: &[u8]) -> bool {
    start.starts_with(&[0x1f, 0x8b])
}

/// The hex SHA-256 of everything read through the hasher.
pub(super) fn finish_hash(hasher: SharedHasher) -> String {
    let h = std::mem::take(
        &mut *hasher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    hex(&sha2::Digest::finalize(h))
}

/// The SHA-256 of a source's stored bytes, read in a stream (inputs can be larger than
/// memory); for formats not hashed while loading (Parquet).
///
/// # Errors
/// The file cannot be read.
pub fn sha256_of(source: &Source) -> Result<String> {
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    match source {
        Source::File(p) if p.is_dir() => {
            // A dataset directory (Hive-partitioned Parquet): every file's path relative to
            // it and its bytes, in sorted order, so the same dataset has the same checksum.
            for file in files_below(p)? {
                let read = |source| Error::Read {
                    path: file.clone(),
                    source,
                };
                let rel = file.strip_prefix(p).unwrap_or(&file).to_string_lossy();
                sha2::Digest::update(&mut hasher, rel.as_bytes());
                sha2::Digest::update(&mut hasher, [0u8]);
                let mut f = std::fs::File::open(&file).map_err(read)?;
                std::io::copy(&mut f, &mut hasher).map_err(read)?;
            }
        }
        Source::File(p) => {
            let read = |source| Error::Read {
                path: p.clone(),
                source,
            };
            let mut file = std::fs::File::open(p).map_err(read)?;
            std::io::copy(&mut file, &mut hasher).map_err(read)?;
        }
        Source::Memory { bytes, .. } => sha2::Digest::update(&mut hasher, bytes),
    }
    Ok(hex(&sha2::Digest::finalize(hasher)))
}

/// Every regular file below `dir` (hidden ones, such as Spark's `.crc` and `_SUCCESS`
/// markers, left out), sorted.
pub(super) fn files_below(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let read = |source| Error::Read {
            path: d.clone(),
            source,
        };
        for entry in std::fs::read_dir(&d).map_err(read)? {
            let path = entry.map_err(read)?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if name
                .as_deref()
                .is_some_and(|n| n.starts_with('.') || n.starts_with('_'))
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shared handle on the hash of the bytes read so far.
pub(super) type SharedHasher = std::sync::Arc<std::sync::Mutex<sha2::Sha256>>;

/// A hasher for what is read, where the spec asks for the input's checksum.
pub(super) fn new_hasher(spec: &InputSpec) -> Option<SharedHasher> {
    spec.checksum
        .then(|| std::sync::Arc::new(std::sync::Mutex::new(<sha2::Sha256 as sha2::Digest>::new())))
}

/// The input as a byte stream, decompressed when it is gzip (the flag), hashed as it is read.
pub(super) fn open_stream(
    spec: &InputSpec,
) -> Result<(Box<dyn Read + Send + '_>, bool, Option<SharedHasher>)> {
    let hasher = new_hasher(spec);
    let file: Box<dyn Read + Send> = match &spec.source {
        Source::File(p) => Box::new(std::fs::File::open(p).map_err(|source| Error::Read {
            path: p.clone(),
            source,
        })?),
        Source::Memory { bytes, .. } => Box::new(std::io::Cursor::new(bytes.as_ref())),
    };
    let raw = Hashing {
        inner: file,
        hasher: hasher.clone(),
    };
    let mut raw = std::io::BufReader::with_capacity(1 << 16, raw);
    let magic = std::io::BufRead::fill_buf(&mut raw).map_err(|source| Error::Read {
        path: spec.source.path(),
        source,
    })?;
    if is_gzip(magic) {
        Ok((
            Box::new(flate2::read::MultiGzDecoder::new(raw)),
            true,
            hasher,
        ))
    } else {
        Ok((Box::new(raw), false, hasher))
    }
}

/// Returns UTF-8 text: decodes non-UTF-8 input as Latin-1 (with one note for the file).
/// `line_base` is the number of lines before `bytes`, for the note.
pub(super) fn to_utf8(bytes: Vec<u8>, line_base: u64, notes: &mut Vec<String>) -> Vec<u8> {
    match std::str::from_utf8(&bytes) {
        Ok(_) => bytes,
        Err(e) => {
            if !notes.iter().any(|n| n.contains("not valid UTF-8")) {
                let line = line_base + chunks::count_newlines(&bytes[..e.valid_up_to()]) + 1;
                notes.push(format!(
                    "the file is not valid UTF-8 (first at line {line}); it was read as Latin-1"
                ));
            }
            bytes
                .iter()
                .map(|&b| b as char)
                .collect::<String>()
                .into_bytes()
        }
    }
}

/// The first chunk of a text file without its UTF-8 byte-order mark; an empty (or blank)
/// file is an error.
pub(super) fn start_of_file(first: Option<Vec<u8>>, path: &Path) -> Result<Vec<u8>> {
    let mut first = first.unwrap_or_default();
    if first.starts_with(b"\xef\xbb\xbf") {
        first.drain(..3);
    }
    if first.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            message: "the file is empty".into(),
        });
    }
    Ok(first)
}

/// The error for a chunk that could not be read.
pub(super) fn chunk_error(e: chunks::ChunkError, gzip: bool, path: &Path) -> Error {
    match e {
        chunks::ChunkError::Io(e) if gzip => Error::Parse {
            path: path.to_path_buf(),
            message: format!("corrupt or truncated gzip data ({e})"),
        },
        chunks::ChunkError::Io(source) => Error::Read {
            path: path.to_path_buf(),
            source,
        },
        chunks::ChunkError::RecordTooLong { line, limit } => Error::Parse {
            path: path.to_path_buf(),
            message: format!(
                "line {line}: one record is longer than {} MiB (an unclosed quote?)",
                limit >> 20
            ),
        },
    }
}

/// Text with NUL bytes is not delimited text (it is a binary file named .csv).
pub(super) fn refuse_binary(text: &[u8], line_base: u64, path: &Path) -> Result<()> {
    match memchr::memchr(0, text) {
        Some(at) => Err(Error::Parse {
            path: path.to_path_buf(),
            message: format!(
                "line {}: the file is binary (it contains NUL bytes), not delimited text",
                line_base + chunks::count_newlines(&text[..at]) + 1
            ),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_of_file_drops_the_bom_and_refuses_empty_files() {
        let p = Path::new("x.csv");
        assert_eq!(
            start_of_file(Some(b"\xef\xbb\xbfa,b\n".to_vec()), p).unwrap(),
            b"a,b\n"
        );
        for empty in [None, Some(Vec::new()), Some(b" \n\t\n".to_vec())] {
            let err = start_of_file(empty, p).unwrap_err().to_string();
            assert!(err.contains("x.csv") && err.contains("empty"), "{err}");
        }
    }

    #[test]
    fn latin1_is_decoded_once_with_a_note_naming_the_line() {
        let mut notes = Vec::new();
        let text = to_utf8(b"a,b\nZ\xfcrich,1\n".to_vec(), 10, &mut notes);
        assert_eq!(String::from_utf8(text).unwrap(), "a,b\nZürich,1\n");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("line 12"), "{notes:?}");
        to_utf8(b"\xe9".to_vec(), 20, &mut notes);
        assert_eq!(notes.len(), 1, "one note per file");
        assert_eq!(to_utf8(b"ok".to_vec(), 0, &mut notes), b"ok");
    }

    #[test]
    fn binary_input_is_refused_at_its_line() {
        let err = refuse_binary(b"a\nb\n\0", 4, Path::new("f.csv"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 7") && err.contains("binary"), "{err}");
        assert!(refuse_binary(b"a,b", 0, Path::new("f.csv")).is_ok());
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
