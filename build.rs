//! Embeds the rulesets: every directory under `rulesets/` (except `data/`) is a ruleset of that
//! name, and `rulesets/lexicon.toml` belongs to `core`. Generating the list from the directory
//! means a new rule file is embedded without touching code, and no hand-kept list goes stale.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("rulesets");
    println!("cargo:rerun-if-changed=rulesets");
    let mut sets: Vec<(String, Vec<String>)> = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("rulesets/ exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n != "data")
        .collect();
    names.sort();
    for name in names {
        println!("cargo:rerun-if-changed=rulesets/{name}");
        let mut files: Vec<String> = std::fs::read_dir(dir.join(&name))
            .expect("ruleset directory is readable")
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|f| f.ends_with(".toml"))
            .map(|f| format!("rulesets/{name}/{f}"))
            .collect();
        files.sort();
        if name == "core" && dir.join("lexicon.toml").exists() {
            files.insert(0, "rulesets/lexicon.toml".to_owned());
        }
        sets.push((name, files));
    }
    let mut out = String::new();
    out.push_str("/// Names of the embedded rulesets.\npub const NAMES: &[&str] = &[");
    for (name, _) in &sets {
        write!(out, "{name:?}, ").unwrap();
    }
    out.push_str("];\n\n/// The files of each embedded ruleset: (name, [(path, contents)]).\npub const SETS: &[(&str, &[(&str, &str)])] = &[\n");
    for (name, files) in &sets {
        writeln!(out, "    ({name:?}, &[").unwrap();
        for f in files {
            let abs = root.join(f);
            writeln!(
                out,
                "        ({f:?}, include_str!({:?})),",
                abs.display().to_string()
            )
            .unwrap();
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    embed_data(root, &mut out);
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set")).join("builtin_rulesets.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// Embeds the fact tables of `rulesets/data/*.toml` (approved uses, conditions, crisis lines) as
/// `DATA: &[(path, contents)]`. They are not rules, so they are kept out of `SETS`.
fn embed_data(root: &Path, out: &mut String) {
    println!("cargo:rerun-if-changed=rulesets/data");
    let mut files: Vec<String> = std::fs::read_dir(root.join("rulesets/data"))
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter(|f| f.ends_with(".toml"))
                .map(|f| format!("rulesets/data/{f}"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    out.push_str("\n/// The data files of `rulesets/data/`: (path, contents).\npub const DATA: &[(&str, &str)] = &[\n");
    for f in &files {
        let abs = root.join(f);
        writeln!(
            out,
            "    ({f:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
}
