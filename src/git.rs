//! `--changed-since REV`: asks the `git` on PATH which files changed since a revision. Changed
//! means committed since the merge base of REV and HEAD, staged, unstaged, or untracked but not
//! ignored; deleted files are left out. The caller still walks its paths as usual and keeps only
//! the files in this set, so ignore files and extension rules apply unchanged.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why the changed files could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("--changed-since needs git, and running it failed: {0}")]
    NotRunnable(std::io::Error),
    #[error("--changed-since needs a git repository, and {} is not inside one", dir.display())]
    NotARepository { dir: PathBuf },
    #[error("--changed-since: `{rev}` is not a revision git knows: {message}")]
    BadRevision { rev: String, message: String },
    #[error("--changed-since: `git {command}` failed: {message}")]
    Failed { command: String, message: String },
}

/// The files (absolute, canonical where they exist) changed since `rev` in the repository that
/// holds `cwd`.
pub fn changed_since(cwd: &Path, rev: &str) -> Result<HashSet<PathBuf>, GitError> {
    let top = git(cwd, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
        GitError::Failed { .. } => GitError::NotARepository {
            dir: cwd.to_owned(),
        },
        other => other,
    })?;
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
    // `--end-of-options` keeps a revision that starts with `-` from being read as an option.
    let commit = format!("{rev}^{{commit}}");
    git(
        cwd,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &commit,
        ],
    )
    .map_err(|e| match e {
        GitError::Failed { message, .. } => GitError::BadRevision {
            rev: rev.to_owned(),
            message: if message.is_empty() {
                "unknown revision".to_owned()
            } else {
                message
            },
        },
        other => other,
    })?;
    // Against the merge base, so a branch compared with `main` lists its own changes only.
    let base = git(cwd, &["merge-base", "--end-of-options", &commit, "HEAD"])?;
    let base = base.trim();
    let mut names = git(
        cwd,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=d",
            base,
            "--",
        ],
    )?;
    names.push_str(&git(
        cwd,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--full-name",
        ],
    )?);
    Ok(names
        .split('\0')
        .filter(|n| !n.is_empty())
        .map(|n| {
            let path = top.join(n);
            path.canonicalize().unwrap_or(path)
        })
        .collect())
}

/// Runs git in `dir` and returns its standard output.
fn git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        // Paths are read with -z; keep messages in English for the error text.
        .env("LC_ALL", "C")
        .output()
        .map_err(GitError::NotRunnable)?;
    if !output.status.success() {
        return Err(GitError::Failed {
            command: args.join(" "),
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_repository_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = changed_since(dir.path(), "HEAD").unwrap_err();
        assert!(matches!(err, GitError::NotARepository { .. }), "{err}");
    }
}
