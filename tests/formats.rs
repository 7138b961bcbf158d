//! End-to-end tests of the machine output formats (`--format sarif|github|junit|gitlab|compact|
//! jsonl`) and of `--output`: each format run on the realistic pages in `fixtures/docs/` with the
//! built-in rules, and checked field by field against the JSON document of the same run (the
//! contract every other format must agree with) and against the file bytes.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use assert_cmd::Command;
use claimlint::report::Format;
use clap::ValueEnum;
use quick_xml::Reader;
use quick_xml::events::Event;
use regex::Regex;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with the built-in rules only, run in `dir`, without colour.
fn claimlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("claimlint").unwrap();
    cmd.current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .arg("--isolated");
    cmd
}

/// Runs `check --format FORMAT ARGS...` in `dir`; returns the exit code and stdout.
fn check_in(dir: &Path, format: &str, args: &[&str]) -> (i32, String) {
    let out = claimlint(dir)
        .args(["check", "--format", format])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    (code, String::from_utf8(out.stdout).unwrap())
}

/// The format's output for `fixtures/docs`, run from the repository root. Each format runs
/// once per test binary (a debug build takes seconds over the pages): tests asking for the same
/// format wait on its `OnceLock`, while different formats run in parallel.
fn docs(format: &str) -> String {
    static OUTPUTS: Mutex<BTreeMap<String, Arc<OnceLock<String>>>> = Mutex::new(BTreeMap::new());
    let slot = OUTPUTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(format.to_owned())
        .or_default()
        .clone();
    slot.get_or_init(|| check_in(&root(), format, &["fixtures/docs"]).1)
        .clone()
}

/// The JSON document's findings for the same run: the reference the other formats must match.
fn docs_findings() -> Vec<Value> {
    let v: Value = serde_json::from_str(&docs("json")).unwrap();
    let findings = v["findings"].as_array().unwrap().clone();
    assert!(findings.len() > 20, "the fixture pages have findings");
    findings
}

/// A temporary directory with these files.
fn sandbox(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------- SARIF

#[test]
fn sarif_has_the_required_fields_and_agrees_with_json() {
    let log: Value = serde_json::from_str(&docs("sarif")).unwrap();
    let findings = docs_findings();
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "claimlint");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"safety-absolute") && ids.contains(&"cure-guarantee"));
    assert_eq!(ids.last(), Some(&"claimlint-directive"));
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        for field in [
            &rule["name"],
            &rule["shortDescription"]["text"],
            &rule["fullDescription"]["text"],
            &rule["help"]["markdown"],
            &rule["properties"]["category"],
        ] {
            assert!(!field.as_str().unwrap_or("").is_empty(), "{id}: {rule}");
        }
        // The engine's directive rule checks waiver comments, not copy: no balanced wording.
        assert!(
            id == "claimlint-directive"
                || rule["help"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("Write instead: "),
            "{id}: the help carries the balanced wording"
        );
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{id}");
        assert!(rule["defaultConfiguration"]["enabled"].is_boolean());
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    let mut prints = HashSet::new();
    for (r, f) in results.iter().zip(&findings) {
        assert_eq!(r["ruleId"], f["rule"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], f["rule"]);
        let level = match f["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(r["level"], level);
        assert_eq!(r["message"]["text"], f["message"]);
        assert_eq!(r["suppressions"], serde_json::json!([]));
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], f["path"]);
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert_eq!(region["startLine"], f["line"]);
        assert_eq!(region["startColumn"], f["column"]);
        assert_eq!(region["endLine"], f["end_line"]);
        assert_eq!(region["endColumn"], f["end_column"]);
        assert_eq!(region["snippet"]["text"], f["matched"]);
        let print = r["partialFingerprints"]["claimlintFingerprint/v1"]
            .as_str()
            .unwrap();
        assert!(
            prints.insert(print.to_owned()),
            "duplicate fingerprint {print}"
        );
    }
}

/// The text of `region` in `bytes`, by code points (after any BOM) and by bytes; both must be
/// the matched words.
fn assert_region_slices(bytes: &[u8], region: &Value) {
    let matched = region["snippet"]["text"].as_str().unwrap();
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = region["charOffset"].as_u64().unwrap() as usize;
    let length = region["charLength"].as_u64().unwrap() as usize;
    let by_chars: String = text.chars().skip(offset).take(length).collect();
    assert_eq!(by_chars, matched, "charOffset/charLength");
    let start = region["byteOffset"].as_u64().unwrap() as usize;
    let end = start + region["byteLength"].as_u64().unwrap() as usize;
    assert_eq!(
        &bytes[start..end],
        matched.as_bytes(),
        "byteOffset/byteLength"
    );
}

#[test]
fn sarif_regions_slice_every_fixture_file_to_the_match() {
    let log: Value = serde_json::from_str(&docs("sarif")).unwrap();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let location = &r["locations"][0]["physicalLocation"];
        let path = location["artifactLocation"]["uri"].as_str().unwrap();
        let bytes = std::fs::read(root().join(path)).unwrap();
        assert_region_slices(&bytes, &location["region"]);
    }
}

#[test]
fn sarif_columns_count_code_points_after_a_bom_and_across_line_ends() {
    // A BOM, two-byte and three-byte characters, a CRLF and a lone CR before the claim.
    let page = "\u{feff}Café — spa\r\nñ\rOur infusions are 100% safe.\n".as_bytes();
    let dir = sandbox(&[("page.txt", page)]);
    let (_, out) = check_in(dir.path(), "sarif", &["page.txt"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "safety-absolute")
        .expect("safety-absolute fires")
        .clone();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3, "the lone CR ends line 2");
    assert_eq!(region["startColumn"], 19);
    assert_eq!(region["endColumn"], 28);
    assert_eq!(region["charOffset"], 32);
    assert_eq!(
        region["byteOffset"], 39,
        "the BOM and multi-byte characters count"
    );
    assert_region_slices(page, region);
}

#[test]
fn sarif_marks_a_waived_finding_as_an_in_source_suppression() {
    let page =
        b"<!-- claimlint-disable-next-line safety-absolute -- approved wording, ref 12 -->\n\
                 Our infusions are 100% safe.\n";
    let dir = sandbox(&[("page.md", page)]);
    let (_, out) = check_in(dir.path(), "sarif", &["page.md"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let waived = results
        .iter()
        .find(|r| r["ruleId"] == "safety-absolute")
        .expect("the waived finding is still reported");
    assert_eq!(
        waived["suppressions"],
        serde_json::json!([{ "kind": "inSource", "justification": "approved wording, ref 12" }])
    );
}

#[test]
fn sarif_reports_a_file_that_could_not_be_linted() {
    let dir = sandbox(&[("ok.md", b"Fine.\n")]);
    let out = claimlint(dir.path())
        .args(["check", "--format", "sarif", "ok.md", "missing.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("missing.md: "),
        "{note}"
    );
}

// ---------------------------------------------------------------- GitHub

#[test]
fn github_commands_have_the_shape_and_positions_of_the_findings() {
    let out = docs("github");
    let findings = docs_findings();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), findings.len());
    let shape = Regex::new(
        r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=claimlint ([a-z0-9-]+)::(.+)$",
    )
    .unwrap();
    for (line, f) in lines.iter().zip(&findings) {
        let c = shape
            .captures(line)
            .unwrap_or_else(|| panic!("bad line {line}"));
        let command = match f["severity"].as_str().unwrap() {
            "info" => "notice",
            other => other,
        };
        assert_eq!(&c[1], command);
        assert_eq!(&c[2], f["path"].as_str().unwrap());
        assert_eq!(c[3].parse::<u64>().unwrap(), f["line"].as_u64().unwrap());
        assert_eq!(c[4].parse::<u64>().unwrap(), f["column"].as_u64().unwrap());
        assert_eq!(
            c[5].parse::<u64>().unwrap(),
            f["end_line"].as_u64().unwrap()
        );
        assert_eq!(
            c[6].parse::<u64>().unwrap(),
            f["end_column"].as_u64().unwrap()
        );
        assert_eq!(&c[7], f["rule"].as_str().unwrap());
        assert!(c[8].contains("%0A%0AWrite instead: "), "{line}");
    }
}

#[test]
fn github_escapes_every_special_character() {
    // `%`, `:`, `,`, CR and LF in the path (a property value), `%` in the message.
    let dir = sandbox(&[("a,b:c%d\r\ne.txt", b"Our infusions are 100% safe.\n")]);
    let (_, out) = check_in(dir.path(), "github", &["."]);
    let line = out
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect("an error annotation");
    assert!(
        line.starts_with("::error file=a%2Cb%3Ac%25d%0D%0Ae.txt,line=1,col=19,"),
        "{line}"
    );
    let message = line.split_once("::").unwrap().1.split_once("::").unwrap().1;
    assert!(message.starts_with("`100%25 safe` "), "{message}");
    // The message keeps `:` and `,` as they are; only %, CR and LF are encoded.
    assert!(message.contains("%0A%0AWrite instead: "), "{message}");
    assert!(
        message.contains(','),
        "the balanced wording has a comma: {message}"
    );
    assert!(
        !message.contains("%3A") && !message.contains("%2C"),
        "{message}"
    );
    assert!(!out.contains('\r'), "no raw CR");
    assert_eq!(out.lines().count(), out.matches("::").count() / 2);
}

// ---------------------------------------------------------------- JUnit

/// Attributes of an XML start tag, unescaped.
fn attrs(e: &quick_xml::events::BytesStart) -> std::collections::HashMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().unwrap().into_owned(),
            )
        })
        .collect()
}

/// One `<testsuite>` as read back.
#[derive(Debug)]
struct JunitSuite {
    name: String,
    tests: usize,
    failures: usize,
    cases: Vec<JunitCase>,
}

/// One `<testcase>`: its name, classname, and outcome element (`failure`, `skipped`, `error`)
/// or `passed`.
#[derive(Debug, PartialEq)]
struct JunitCase {
    name: String,
    classname: String,
    outcome: String,
}

fn junit_case(e: &quick_xml::events::BytesStart, outcome: &str) -> JunitCase {
    let a = attrs(e);
    JunitCase {
        name: a["name"].clone(),
        classname: a["classname"].clone(),
        outcome: outcome.to_owned(),
    }
}

/// Parses JUnit XML strictly (end tags must match; any syntax error fails the test).
fn parse_junit(xml: &str) -> Vec<JunitSuite> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut suites: Vec<JunitSuite> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("bad XML: {e}\n{xml}"));
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                let a = attrs(&e);
                suites.push(JunitSuite {
                    name: a["name"].clone(),
                    tests: a["tests"].parse().unwrap(),
                    failures: a["failures"].parse().unwrap(),
                    cases: Vec::new(),
                });
            }
            Event::Start(e) if e.name().as_ref() == b"testcase" => {
                let case = junit_case(&e, "");
                suites.last_mut().unwrap().cases.push(case);
            }
            // A self-closing testcase has no outcome element: it passed.
            Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                let case = junit_case(&e, "passed");
                suites.last_mut().unwrap().cases.push(case);
            }
            Event::Start(e) | Event::Empty(e)
                if matches!(e.name().as_ref(), b"failure" | b"skipped" | b"error") =>
            {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                assert!(case.outcome.is_empty(), "one outcome per testcase");
                case.outcome = name;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    suites
}

#[test]
fn junit_is_well_formed_with_a_suite_per_file_and_a_failure_per_finding() {
    let xml = docs("junit");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    let suites = parse_junit(&xml);
    let findings = docs_findings();
    let files: Vec<String> = std::fs::read_dir(root().join("fixtures/docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") || n.ends_with(".html") || n.ends_with(".txt"))
        .collect();
    assert_eq!(suites.len(), files.len());
    let failures: usize = suites.iter().map(|s| s.failures).sum();
    assert_eq!(failures, findings.len());
    let mut cases = suites
        .iter()
        .flat_map(|s| s.cases.iter().map(move |c| (s, c)));
    for f in &findings {
        let (suite, case) = cases
            .by_ref()
            .find(|(_, c)| c.outcome != "passed")
            .expect("a testcase per finding");
        assert_eq!(suite.name, f["path"].as_str().unwrap());
        assert_eq!(case.classname, suite.name);
        assert_eq!(
            case.name,
            format!(
                "{} at line {}, column {}",
                f["rule"].as_str().unwrap(),
                f["line"],
                f["column"]
            )
        );
        assert_eq!(case.outcome, "failure");
    }
    for suite in &suites {
        assert_eq!(
            suite.tests,
            suite.cases.len(),
            "tests= counts the testcases"
        );
    }
}

#[test]
fn junit_escapes_names_and_passes_clean_files() {
    let dir = sandbox(&[
        ("a&b<\"c\">.md", b"Our infusions are 100% safe.\n"),
        ("clean.md", b"Talk to your doctor about the risks.\n"),
    ]);
    let (_, xml) = check_in(dir.path(), "junit", &["."]);
    let suites = parse_junit(&xml);
    assert_eq!(suites.len(), 2);
    assert_eq!(suites[0].name, "a&b<\"c\">.md");
    assert!(suites[0].failures >= 1);
    assert_eq!(suites[1].name, "clean.md");
    assert_eq!(
        suites[1].cases,
        [JunitCase {
            name: "no findings".into(),
            classname: "clean.md".into(),
            outcome: "passed".into(),
        }]
    );
}

// ---------------------------------------------------------------- GitLab

#[test]
fn gitlab_issues_have_the_code_quality_fields_and_unique_fingerprints() {
    let issues: Value = serde_json::from_str(&docs("gitlab")).unwrap();
    let issues = issues.as_array().unwrap();
    let findings = docs_findings();
    assert_eq!(issues.len(), findings.len());
    let mut prints = HashSet::new();
    for (issue, f) in issues.iter().zip(&findings) {
        assert_eq!(issue["check_name"], f["rule"]);
        assert!(
            issue["description"]
                .as_str()
                .unwrap()
                .ends_with(f["message"].as_str().unwrap())
        );
        let severity = match f["severity"].as_str().unwrap() {
            "info" => "info",
            "warning" => "minor",
            _ => "major",
        };
        assert_eq!(issue["severity"], severity);
        assert_eq!(issue["location"]["path"], f["path"]);
        assert_eq!(issue["location"]["lines"]["begin"], f["line"]);
        let print = issue["fingerprint"].as_str().unwrap();
        assert!(!print.is_empty());
        assert!(
            prints.insert(print.to_owned()),
            "duplicate fingerprint {print}"
        );
    }
}

#[test]
fn gitlab_fingerprints_survive_lines_added_above() {
    let claim = b"Our infusions are 100% safe.\n";
    let moved = b"# Welcome\n\nSome intro.\n\nOur infusions are 100% safe.\n";
    let a = sandbox(&[("page.md", claim)]);
    let b = sandbox(&[("page.md", moved)]);
    let prints = |dir: &Path| -> Vec<(String, String)> {
        let (_, out) = check_in(dir, "gitlab", &["page.md"]);
        let v: Value = serde_json::from_str(&out).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["check_name"].as_str().unwrap().to_owned(),
                    i["fingerprint"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let before = prints(a.path());
    assert!(before.iter().any(|(rule, _)| rule == "safety-absolute"));
    let after = prints(b.path());
    let safety = |v: &[(String, String)]| {
        v.iter()
            .find(|(rule, _)| rule == "safety-absolute")
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(safety(&before), safety(&after));
}

// ---------------------------------------------------------------- compact and jsonl

#[test]
fn compact_is_one_line_per_finding() {
    let out = docs("compact");
    let findings = docs_findings();
    let shape =
        Regex::new(r"^(.+):(\d+):(\d+): (error|warning|info) \[([a-z0-9-]+)\] (.+)$").unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), findings.len());
    for (line, f) in lines.iter().zip(&findings) {
        let c = shape
            .captures(line)
            .unwrap_or_else(|| panic!("bad line {line}"));
        assert_eq!(&c[1], f["path"].as_str().unwrap());
        assert_eq!(c[2].parse::<u64>().unwrap(), f["line"].as_u64().unwrap());
        assert_eq!(c[3].parse::<u64>().unwrap(), f["column"].as_u64().unwrap());
        assert_eq!(&c[4], f["severity"].as_str().unwrap());
        assert_eq!(&c[5], f["rule"].as_str().unwrap());
        assert_eq!(&c[6], f["message"].as_str().unwrap());
    }
}

#[test]
fn jsonl_lines_are_the_json_documents_findings() {
    let out = docs("jsonl");
    let findings = docs_findings();
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(lines.iter().all(Value::is_object));
    assert_eq!(lines, findings, "same objects, same order, no summary line");
}

// ---------------------------------------------------------------- bad input and --output

#[test]
fn unknown_format_exits_two_and_lists_every_valid_one() {
    let out = claimlint(&root())
        .args(["check", "--format", "xml", "fixtures/docs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let names: Vec<String> = Format::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| v.get_name().to_owned())
        .collect();
    for machine in [
        "json", "jsonl", "compact", "sarif", "github", "gitlab", "junit",
    ] {
        assert!(names.iter().any(|n| n == machine), "{machine} is a format");
    }
    assert!(
        stderr.contains(&format!("[possible values: {}]", names.join(", "))),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn output_writes_the_report_to_the_file_only() {
    let dir = sandbox(&[("page.md", b"Our infusions are 100% safe.\n")]);
    let (_, on_stdout) = check_in(dir.path(), "compact", &["page.md"]);
    let (code, stdout) = check_in(
        dir.path(),
        "compact",
        &["page.md", "--output", "report.txt"],
    );
    assert_eq!(code, 1, "findings still set the exit code");
    assert_eq!(stdout, "");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("report.txt")).unwrap(),
        on_stdout
    );
    assert_eq!(
        names_in(dir.path()),
        ["page.md", "report.txt"],
        "no temp file left"
    );
}

#[test]
fn human_output_to_a_file_has_no_colour() {
    let dir = sandbox(&[("page.md", b"Our infusions are 100% safe.\n")]);
    claimlint(dir.path())
        .args(["--color", "always", "check", "page.md", "-o", "out.txt"])
        .assert()
        .code(1);
    let text = std::fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert!(text.contains("error[safety-absolute]"), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
}

#[test]
fn output_into_a_missing_directory_exits_two_and_writes_nothing() {
    let dir = sandbox(&[("page.md", b"Our infusions are 100% safe.\n")]);
    let out = claimlint(dir.path())
        .args([
            "check",
            "--format",
            "sarif",
            "page.md",
            "--output",
            "nope/out.sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write the report to nope/out.sarif"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(names_in(dir.path()), ["page.md"]);
}

#[test]
fn output_onto_a_directory_exits_two_and_leaves_no_temp_file() {
    // The temporary file is created and written, then the rename fails: it must be removed.
    let dir = sandbox(&[("page.md", b"Our infusions are 100% safe.\n")]);
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    let out = claimlint(dir.path())
        .args(["check", "--format", "json", "page.md", "--output", "taken"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write the report to taken"),
        "{stderr}"
    );
    assert_eq!(names_in(dir.path()), ["page.md", "taken"]);
    assert!(names_in(&dir.path().join("taken")).is_empty());
}

#[test]
fn a_failed_output_keeps_the_previous_report_intact() {
    let dir = sandbox(&[("page.md", b"Our infusions are 100% safe.\n")]);
    std::fs::write(dir.path().join("report.json"), b"previous").unwrap();
    // A config error stops the run before anything is written.
    std::fs::write(dir.path().join("bad.toml"), b"no-such-key = 1\n").unwrap();
    let out = Command::cargo_bin("claimlint")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "--config",
            "bad.toml",
            "check",
            "page.md",
            "--output",
            "report.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(dir.path().join("report.json")).unwrap(),
        b"previous"
    );
    assert_eq!(names_in(dir.path()), ["bad.toml", "page.md", "report.json"]);
}
