//! Embeds the rulesets: every directory under `rulesets/` (except `data/`) is a ruleset of that
//! name, and `rulesets/lexicon.toml` belongs to `core`. Generating the list from the directory
//! means a new rule file is embedded without touching code, and no hand-kept list goes stale.

use std::fmt::Write as _;
use std::path::Path;

// The gate code is the library's own (`src/rules/gate.rs`, which needs only regex-syntax): the
// gates of the embedded rulesets' regexes are computed here once, not at every start-up.
#[allow(dead_code)]
#[path = "src/rules/gate.rs"]
mod gate;
// Likewise the matcher's reading of a regex, stored encoded so a run need not parse it.
#[allow(dead_code)]
#[path = "src/rules/regex_reading.rs"]
mod regex_reading;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("rulesets");
    println!("cargo:rerun-if-changed=rulesets");
    println!("cargo:rerun-if-changed=src/rules/gate.rs");
    println!("cargo:rerun-if-changed=src/rules/regex_reading.rs");
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
            writeln!(out, "        ({f:?}, {}),", include_from_manifest_dir(f)).unwrap();
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    embed_data(root, &mut out);
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR is set");
    embed_gates(root, &sets, Path::new(&out_dir), &mut out);
    let dest = Path::new(&out_dir).join("builtin_rulesets.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// `include_str!` of a file relative to the package root, resolved when the library compiles
/// rather than written out as an absolute path: a target directory shared by two checkouts (CI
/// on a clone) keeps this script's output, and an absolute path would point into the other one.
fn include_from_manifest_dir(relative: &str) -> String {
    format!(
        "include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))",
        format!("/{relative}")
    )
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
        writeln!(out, "    ({f:?}, {}),", include_from_manifest_dir(f)).unwrap();
    }
    out.push_str("];\n");
}

/// The gate (see `src/rules/gate.rs`) of every `regex` in the embedded rulesets, as
/// `GATES: &[(source, starts_at_boundary, lead, prefixes, needs)]`, each set an
/// `Option<&[(literal, boundary_after)]>`,, sorted by
/// source. The matcher looks a regex up here before reading it itself; a test checks that every
/// entry equals what `gate` gives at run time.
///
/// Alongside, `READINGS[i]` is the matcher's reading of `GATES[i]`'s regex (see
/// `src/rules/regex_reading.rs`): whether it runs on lowercased text, and the range of its
/// encoded HIR in `READING_BYTES` (a file in `OUT_DIR`); `None` if it does not read (the
/// ruleset loader reports that).
fn embed_gates(root: &Path, sets: &[(String, Vec<String>)], out_dir: &Path, out: &mut String) {
    let mut sources: Vec<String> = Vec::new();
    for (_, files) in sets {
        for f in files {
            let text = std::fs::read_to_string(root.join(f)).expect("ruleset file is readable");
            // A file that does not parse is reported by the ruleset loader, with its position.
            if let Ok(value) = text.parse::<toml::Table>() {
                collect_regexes(&toml::Value::Table(value), &mut sources);
            }
        }
    }
    sources.sort();
    sources.dedup();
    out.push_str(
        "\n/// Precomputed gates of the embedded regexes: (source, starts at \\b, lead, prefixes, need\n/// words).\n",
    );
    out.push_str("#[allow(clippy::type_complexity)]\npub const GATES: &[(&str, bool, super::gate::Lead, Option<&[(&[u8], bool)]>, Option<&[(&[u8], bool)]>)] = &[\n");
    let literals = |out: &mut String, set: &Option<Vec<gate::Prefix>>| match set {
        None => out.push_str("None"),
        Some(set) => {
            out.push_str("Some(&[");
            for p in set {
                write!(out, "(&{:?}, {}), ", p.bytes, p.boundary_after).unwrap();
            }
            out.push_str("])");
        }
    };
    for source in &sources {
        let g = gate::gate(source);
        write!(
            out,
            "    ({source:?}, {}, super::gate::Lead::{:?}, ",
            g.starts_at_boundary, g.lead
        )
        .unwrap();
        literals(out, &g.prefixes);
        out.push_str(", ");
        literals(out, &g.needs);
        out.push_str("),\n");
    }
    out.push_str("];\n");
    let mut bytes: Vec<u8> = Vec::new();
    out.push_str(
        "\n/// The matcher's reading of each `GATES` regex: (on lowercased text, start, end) of its\n/// encoded HIR in `READING_BYTES`.\npub const READINGS: &[Option<(bool, usize, usize)>] = &[\n",
    );
    for source in &sources {
        match regex_reading::matcher_hir(source) {
            Ok((hir, on_lowercased)) => {
                let start = bytes.len();
                bytes.extend_from_slice(&regex_reading::encode(&hir));
                writeln!(
                    out,
                    "    Some(({on_lowercased}, {start}, {})),",
                    bytes.len()
                )
                .unwrap();
            }
            Err(_) => out.push_str("    None,\n"),
        }
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("regex_readings.bin"), &bytes).expect("OUT_DIR is writable");
    out.push_str(
        "\n/// The encoded readings (see `READINGS`).\npub static READING_BYTES: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/regex_readings.bin\"));\n",
    );
}

/// Every string under a `regex` key, anywhere in a TOML value.
fn collect_regexes(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, v) in table {
                match v {
                    toml::Value::String(s) if key == "regex" => out.push(s.clone()),
                    _ => collect_regexes(v, out),
                }
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|v| collect_regexes(v, out)),
        _ => {}
    }
}
