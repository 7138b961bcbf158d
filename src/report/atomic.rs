//! Writing a report to a file atomically (`--output FILE`): the report goes to a temporary file
//! in the same directory, which is renamed over the target only once it is complete and flushed.
//! A run that fails part-way (a write error, a full disk, a target that is a directory) leaves
//! neither a half-written target nor the temporary file behind: dropping an uncommitted
//! `AtomicFile` removes its temporary file.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A report file being written. Write to it, then `commit`.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: BufWriter<NamedTempFile>,
}

/// An I/O error that names the report file it concerns.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the report to {}: {source}", path.display())]
pub struct OutputError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl AtomicFile {
    /// Creates the temporary file next to `target` (same directory, so the final rename does not
    /// cross file systems).
    pub fn create(target: &Path) -> Result<Self, OutputError> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|source| OutputError {
                path: target.to_owned(),
                source,
            })?;
        Ok(AtomicFile {
            target: target.to_owned(),
            temp: BufWriter::new(temp),
        })
    }

    /// Flushes, syncs and renames the temporary file over the target. On failure the temporary
    /// file is removed and the target is untouched.
    pub fn commit(self) -> Result<(), OutputError> {
        let target = self.target;
        let fail = |source: io::Error| OutputError {
            path: target.clone(),
            source,
        };
        let temp = self.temp.into_inner().map_err(|e| fail(e.into_error()))?;
        temp.as_file().sync_all().map_err(fail)?;
        // A failed persist hands the temporary file back inside the error; dropping it deletes it.
        temp.persist(&target).map_err(|e| fail(e.error))?;
        Ok(())
    }

    /// The underlying file, for tests that inspect the temporary file.
    #[cfg(test)]
    fn temp_path(&self) -> PathBuf {
        self.temp.get_ref().path().to_owned()
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_renames_and_drop_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"report").unwrap();
        let temp = file.temp_path();
        assert!(temp.exists() && !target.exists());
        file.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"report");
        assert!(!temp.exists());

        let mut abandoned = AtomicFile::create(&dir.path().join("other.txt")).unwrap();
        abandoned.write_all(b"half").unwrap();
        let temp = abandoned.temp_path();
        drop(abandoned);
        assert!(!temp.exists());
        assert!(!dir.path().join("other.txt").exists());
    }

    #[test]
    fn a_directory_target_fails_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("taken")).unwrap();
        let mut file = AtomicFile::create(&dir.path().join("taken")).unwrap();
        file.write_all(b"x").unwrap();
        let err = file.commit().unwrap_err();
        assert!(err.to_string().contains("taken"), "{err}");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the directory is left");
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_path() {
        let err =
            AtomicFile::create(Path::new("/nonexistent-dir-claimlint/out.sarif")).unwrap_err();
        assert!(
            err.to_string()
                .contains("/nonexistent-dir-claimlint/out.sarif")
        );
    }
}
