//! Writing a file atomically (`--output FILE`, baselines): the content goes to a temporary file in
//! the same directory, which is renamed over the target only once it is complete and flushed.
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
#[error("cannot write the report to {}", path.display())]
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
            // Reports run to megabytes: fewer, larger writes than the default 8 KB.
            temp: BufWriter::with_capacity(128 * 1024, temp),
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
        // tempfile creates files readable by their owner only; a report or baseline is shared,
        // so keep the replaced file's permissions, or give a new one the usual 0644.
        let permissions = match std::fs::metadata(&target) {
            Ok(meta) => meta.permissions(),
            Err(_) => readable_permissions(temp.as_file()).map_err(fail)?,
        };
        temp.as_file().set_permissions(permissions).map_err(fail)?;
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

#[cfg(unix)]
fn readable_permissions(file: &std::fs::File) -> io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = file.metadata()?.permissions();
    permissions.set_mode(0o644);
    Ok(permissions)
}

#[cfg(not(unix))]
fn readable_permissions(file: &std::fs::File) -> io::Result<std::fs::Permissions> {
    Ok(file.metadata()?.permissions())
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

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_0644_and_a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("report.html");
        AtomicFile::create(&new).unwrap().commit().unwrap();
        assert_eq!(mode(&new), 0o644);
        let kept = dir.path().join("baseline.json");
        std::fs::write(&kept, "old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o664)).unwrap();
        AtomicFile::create(&kept).unwrap().commit().unwrap();
        assert_eq!(mode(&kept), 0o664);
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
