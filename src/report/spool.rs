//! Rendered report parts that must wait for the end of the run (JUnit's suites and the HTML
//! report's sections follow totals known only then): held in memory up to a limit, and in an
//! anonymous temporary file beyond it, so a report over any number of files needs bounded memory.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;

/// Bytes kept in memory before the spool moves to a temporary file.
pub const MEMORY_LIMIT: usize = 8 * 1024 * 1024;

/// An append-only store of report parts, each read back once by the place `append` gave it.
pub struct Spool {
    limit: usize,
    memory: Vec<u8>,
    /// The temporary file, once the parts outgrew `limit` (deleted by the system when closed).
    file: Option<BufWriter<File>>,
    len: u64,
}

/// Where a part is in its spool.
pub type Piece = Range<u64>;

impl Default for Spool {
    fn default() -> Self {
        Spool::with_limit(MEMORY_LIMIT)
    }
}

impl Spool {
    /// A spool that moves to a file past `limit` bytes.
    pub fn with_limit(limit: usize) -> Self {
        Spool {
            limit,
            memory: Vec::new(),
            file: None,
            len: 0,
        }
    }

    /// Stores `bytes`; returns where they are.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<Piece> {
        let start = self.len;
        if self.file.is_none() && self.memory.len() + bytes.len() > self.limit {
            let file = tempfile::tempfile().map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create a temporary file to hold the report ({e}); \
                         set TMPDIR to a writable directory"
                    ),
                )
            })?;
            let mut file = BufWriter::new(file);
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        match &mut self.file {
            Some(file) => file.write_all(bytes)?,
            None => self.memory.extend_from_slice(bytes),
        }
        self.len += bytes.len() as u64;
        Ok(start..self.len)
    }

    /// Writes the part at `piece` to `out`.
    pub fn copy_to(&mut self, piece: &Piece, out: &mut dyn Write) -> io::Result<()> {
        match &mut self.file {
            None => {
                let range = usize::try_from(piece.start).unwrap_or(usize::MAX)
                    ..usize::try_from(piece.end).unwrap_or(usize::MAX);
                let bytes = self.memory.get(range).ok_or_else(|| {
                    io::Error::other(format!("report part {piece:?} is not in the spool"))
                })?;
                out.write_all(bytes)
            }
            Some(writer) => {
                writer.flush()?;
                let file = writer.get_mut();
                file.seek(SeekFrom::Start(piece.start))?;
                let length = piece.end - piece.start;
                let copied = io::copy(&mut Read::by_ref(file).take(length), out)?;
                // Later appends go to the end again.
                file.seek(SeekFrom::End(0))?;
                if copied == length {
                    Ok(())
                } else {
                    Err(io::Error::other(format!(
                        "report part {piece:?} was cut short in the temporary file"
                    )))
                }
            }
        }
    }

    /// Whether the parts moved to a temporary file.
    #[cfg(test)]
    pub fn on_disk(&self) -> bool {
        self.file.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(spool: &mut Spool, piece: &Piece) -> Vec<u8> {
        let mut out = Vec::new();
        spool.copy_to(piece, &mut out).unwrap();
        out
    }

    #[test]
    fn parts_read_back_from_memory() {
        let mut spool = Spool::with_limit(100);
        let a = spool.append(b"first").unwrap();
        let b = spool.append(b"second part").unwrap();
        assert!(!spool.on_disk());
        assert_eq!(read(&mut spool, &b), b"second part");
        assert_eq!(read(&mut spool, &a), b"first");
    }

    #[test]
    fn parts_past_the_limit_go_to_a_file_and_read_back_in_any_order() {
        let mut spool = Spool::with_limit(32);
        let parts: Vec<Vec<u8>> = (0..50)
            .map(|i| format!("part {i} ").repeat(i % 4 + 1).into_bytes())
            .collect();
        let mut pieces = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            pieces.push(spool.append(part).unwrap());
            if i == 1 {
                assert!(!spool.on_disk(), "two short parts stay in memory");
            }
            // Reading between appends must not make later appends overwrite earlier parts.
            if i % 7 == 0 {
                assert_eq!(read(&mut spool, &pieces[i / 2]), parts[i / 2]);
            }
        }
        assert!(spool.on_disk());
        for (piece, part) in pieces.iter().zip(&parts).rev() {
            assert_eq!(&read(&mut spool, piece), part);
        }
        assert!(spool.append(b"").unwrap().is_empty());
    }

    #[test]
    fn a_piece_not_in_the_spool_is_an_error() {
        let mut spool = Spool::with_limit(100);
        spool.append(b"abc").unwrap();
        let mut out = Vec::new();
        assert!(spool.copy_to(&(2..10), &mut out).is_err());
    }
}
