//! Keeps README.md honest: the generated rules table must be what `claimlint rules --format md`
//! prints today, and the quick-start commands must still be there.

use assert_cmd::Command;

const START: &str = "<!-- rules-table:start -->";
const END: &str = "<!-- rules-table:end -->";

fn readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
        .replace("\r\n", "\n")
}

/// The text between the rules-table markers.
fn rules_table(readme: &str) -> &str {
    let start = readme
        .find(START)
        .unwrap_or_else(|| panic!("README.md has no `{START}` marker"));
    let after = start + START.len();
    let end = readme[after..]
        .find(END)
        .map(|i| after + i)
        .unwrap_or_else(|| panic!("README.md has no `{END}` marker after `{START}`"));
    &readme[after..end]
}

#[test]
fn readme_rules_table_is_current() {
    let out = Command::cargo_bin("claimlint")
        .unwrap()
        .args(["--isolated", "rules", "--format", "md"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "`claimlint rules --format md` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n");
    let readme = readme();
    let documented = rules_table(&readme);
    assert!(
        documented.trim() == generated.trim(),
        "the rules table in README.md is out of date; regenerate it with \
         `cargo run -- rules --format md` (add `--isolated` when a claimlint.toml is in reach) and \
         paste the output between `{START}` and `{END}`\n\n\
         --- README.md\n{}\n\n--- claimlint rules --format md\n{}",
        documented.trim(),
        generated.trim()
    );
}

#[test]
fn readme_commands_exist() {
    let readme = readme();
    for command in ["cargo run --release -- check fixtures/docs/", "cargo test"] {
        assert!(
            readme.contains(command),
            "README.md no longer mentions `{command}`"
        );
    }
}
