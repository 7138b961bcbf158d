//! Provenance of a run, for reviewers: when it ran, which claimlint, which rulesets and config
//! (each with a content hash) and the command line, plus the SHA-256 of each linted file's bytes,
//! so a report can prove which text was reviewed against which rules.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::rules::Ruleset;
use crate::source::{Encoding, SourceFile};

/// What a report says about the run that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// When the report was made, `YYYY-MM-DD HH:MM:SS UTC`.
    pub generated: String,
    /// The claimlint version.
    pub version: String,
    /// The command line, as typed (arguments with spaces or quotes are single-quoted).
    pub command_line: String,
    /// The loaded rulesets' names, and the files of those read from disk as they were loaded;
    /// `rulesets()` hashes them when a report first asks (only the HTML report does, and hashing
    /// every embedded ruleset file is a noticeable part of start-up).
    ruleset_sources: Vec<(String, Vec<(String, String)>)>,
    ruleset_digests: OnceLock<Vec<Digest256>>,
    /// The config file and its hash, or `None` when the run used none.
    pub config: Option<Digest256>,
}

/// A named thing and the SHA-256 of its content, in lowercase hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest256 {
    pub name: String,
    pub sha256: String,
}

impl RunInfo {
    /// Provenance of a run with `rules` and the config file `(display name, text)`, at
    /// `unix_seconds`.
    pub fn new(
        rules: &Ruleset,
        config: Option<(&str, &str)>,
        command_line: String,
        unix_seconds: i64,
    ) -> RunInfo {
        RunInfo {
            generated: utc_timestamp(unix_seconds),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            command_line,
            ruleset_sources: rules
                .sets
                .iter()
                .map(|set| (set.name.clone(), set.loaded_files.clone()))
                .collect(),
            ruleset_digests: OnceLock::new(),
            config: config.map(|(name, text)| Digest256 {
                name: name.to_owned(),
                sha256: sha256_hex(text.as_bytes()),
            }),
        }
    }

    /// Each loaded ruleset with its content hash.
    pub fn rulesets(&self) -> &[Digest256] {
        self.ruleset_digests.get_or_init(|| {
            self.ruleset_sources
                .iter()
                .map(|(name, loaded)| Digest256 {
                    name: name.clone(),
                    sha256: ruleset_digest(&ruleset_files(name, loaded)),
                })
                .collect()
        })
    }

    /// Fixed provenance for tests: the default rulesets, no config, the Unix epoch.
    pub fn for_tests(rules: &Ruleset) -> RunInfo {
        RunInfo::new(rules, None, "claimlint check".to_owned(), 0)
    }
}

/// `(path, SHA-256)` of each file of the ruleset `name`, in load order: an embedded ruleset's
/// files from the binary, a user ruleset's as they were `loaded` (the files on disk may have
/// changed since).
fn ruleset_files(name: &str, loaded: &[(String, String)]) -> Vec<(String, String)> {
    let files: Vec<(&str, &str)> = match crate::rules::builtin::get(name) {
        Some(files) if loaded.is_empty() => files.to_vec(),
        _ => loaded
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect(),
    };
    files
        .into_iter()
        .map(|(path, text)| (path.to_owned(), sha256_hex(text.as_bytes())))
        .collect()
}

/// A ruleset's hash: the SHA-256 of its manifest, one `<sha256>  <path>\n` line per file in load
/// order (the format of `sha256sum`), so `sha256sum FILES | sha256sum` reproduces it for a user
/// ruleset and the hash changes when any file's text does.
pub fn ruleset_digest(files: &[(String, String)]) -> String {
    let manifest: String = files
        .iter()
        .map(|(path, sha)| format!("{sha}  {path}\n"))
        .collect();
    sha256_hex(manifest.as_bytes())
}

/// SHA-256 in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The SHA-256 of the file's bytes as they were on disk, rebuilt from the decoded text: decoding
/// is strict (invalid bytes are an error, never replaced), so BOM plus re-encoded text is exactly
/// the original, and the file is not read a second time (it may have changed since).
pub fn source_sha256(file: &SourceFile) -> String {
    let mut hasher = Sha256::new();
    match file.encoding {
        Encoding::Utf8 => {
            if file.bom_len == 3 {
                hasher.update(b"\xEF\xBB\xBF");
            }
            hasher.update(file.text.as_bytes());
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let little = file.encoding == Encoding::Utf16Le;
            hasher.update(if little { b"\xFF\xFE" } else { b"\xFE\xFF" });
            let mut buf = Vec::with_capacity(8192);
            for unit in file.text.encode_utf16() {
                let bytes = if little {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                };
                buf.extend_from_slice(&bytes);
                if buf.len() >= 8192 {
                    hasher.update(&buf);
                    buf.clear();
                }
            }
            hasher.update(&buf);
        }
    }
    format!("{:x}", hasher.finalize())
}

/// The time to stamp a report with: `SOURCE_DATE_EPOCH` when set (reproducible reports, the
/// convention of reproducible-builds.org), else now.
pub fn report_time() -> i64 {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return epoch;
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The command line of this process, for the report header: arguments that a shell would split
/// or expand are single-quoted.
pub fn command_line() -> String {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    // The program as `claimlint`, not the path it was started by (which says nothing to a reader
    // of the report and may reveal a home directory).
    let mut words = vec!["claimlint".to_owned()];
    args.next();
    words.extend(args.map(|a| shell_quote(&a)));
    words.join(" ")
}

fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` for seconds since the Unix epoch (proleptic Gregorian calendar;
/// Howard Hinnant's days-to-civil algorithm, so no date crate is needed for one timestamp).
pub fn utc_timestamp(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_timestamp(1_798_761_599), "2026-12-31 23:59:59 UTC");
        assert_eq!(utc_timestamp(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn sha256_matches_the_published_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn source_hash_is_the_hash_of_the_original_bytes() {
        for bytes in [
            b"plain cures".to_vec(),
            b"\xEF\xBB\xBFwith bom".to_vec(),
            vec![0xFF, 0xFE, b'h', 0, 0xE9, 0],
            vec![0xFE, 0xFF, 0, b'h', 0, 0xE9],
        ] {
            let file = SourceFile::from_bytes("a.txt", &bytes).unwrap();
            assert_eq!(source_sha256(&file), sha256_hex(&bytes), "{bytes:?}");
        }
    }

    #[test]
    fn ruleset_digest_is_the_hash_of_a_sha256sum_manifest() {
        let files = vec![("r/a.toml".to_owned(), "ab".repeat(32))];
        let manifest = format!("{}  r/a.toml\n", "ab".repeat(32));
        assert_eq!(ruleset_digest(&files), sha256_hex(manifest.as_bytes()));
    }

    /// A user ruleset is hashed as it was loaded: a file changed on disk before the report is
    /// written does not change the hash the report gives for the run's rules.
    #[test]
    fn a_user_ruleset_is_hashed_as_loaded_not_as_it_is_later() {
        let rule = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/cli/rules/demo-claim.toml"
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo-claim.toml");
        std::fs::write(&path, &rule).unwrap();
        let options = crate::rules::RulesetOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        };
        let rules = Ruleset::load(&options).unwrap();
        std::fs::write(&path, format!("{rule}# edited after the run\n")).unwrap();
        let run = RunInfo::for_tests(&rules);
        let name = dir.path().display().to_string();
        let user = run.rulesets().iter().find(|d| d.name == name).unwrap();
        let expected = ruleset_digest(&[(path.display().to_string(), sha256_hex(rule.as_bytes()))]);
        assert_eq!(user.sha256, expected);
        // The embedded ruleset's hash comes from the binary.
        let core = run.rulesets().iter().find(|d| d.name == "core").unwrap();
        let files = crate::rules::builtin::get("core").unwrap();
        let core_files: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), sha256_hex(t.as_bytes())))
            .collect();
        assert_eq!(core.sha256, ruleset_digest(&core_files));
    }

    #[test]
    fn arguments_a_shell_would_split_are_quoted() {
        assert_eq!(shell_quote("--format=html"), "--format=html");
        assert_eq!(shell_quote("my docs"), "'my docs'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
