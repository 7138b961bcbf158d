//! Criterion benchmarks of the pipeline's stages on about 1 MB of copy per format, built from
//! the checked-in fixture pages (so the numbers are reproducible from the repository alone):
//! extraction per format, sentence splitting, matching, the whole `lint` of a mixed set of
//! pages. `bench/run` measures the binary end to end, start-up included.

use std::hint::black_box;
use std::path::Path;

use claimlint::rules::matcher::{find_hits, normalize};
use claimlint::{Format, Ruleset, SourceFile, extract, lint, text};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Bytes of copy per benchmark input.
const TARGET_BYTES: usize = 1 << 20;

/// Every fixture page of `format`, in path order.
fn fixture_pages(format: Format) -> Vec<String> {
    let ext = match format {
        Format::Markdown => "md",
        Format::Html => "html",
        _ => "txt",
    };
    let mut paths = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures are readable") {
            let path = entry.expect("fixture entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| !t.trim().is_empty())
        .collect()
}

/// Pages of one format repeated until they add up to about `TARGET_BYTES`.
fn pages_of(format: Format) -> Vec<String> {
    let pages = fixture_pages(format);
    assert!(!pages.is_empty(), "no {format:?} fixtures");
    let mut out = Vec::new();
    let mut total = 0;
    for page in pages.iter().cycle() {
        if total >= TARGET_BYTES {
            break;
        }
        total += page.len();
        out.push(page.clone());
    }
    out
}

/// One document of about `TARGET_BYTES` (pages joined; Markdown and text by a blank line).
fn document_of(format: Format) -> String {
    pages_of(format).join("\n\n")
}

fn extraction(c: &mut Criterion) {
    let mut group = c.benchmark_group("extract");
    for format in [Format::Markdown, Format::Html, Format::Plain] {
        let doc = document_of(format);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_function(format.name(), |b| {
            b.iter(|| extract::extract(black_box(&doc), format))
        });
    }
    group.finish();
}

fn sentences(c: &mut Criterion) {
    let rules = Ruleset::default_rules().expect("default rulesets load");
    let prose = extract::extract(&document_of(Format::Markdown), Format::Markdown);
    let mut group = c.benchmark_group("sentences");
    group.throughput(Throughput::Bytes(prose.text.len() as u64));
    group.bench_function("split", |b| {
        b.iter(|| text::split_sentences_with(black_box(&prose), &rules.abbreviations))
    });
    group.finish();
}

fn matching(c: &mut Criterion) {
    let rules = Ruleset::default_rules().expect("default rulesets load");
    let prose = extract::extract(&document_of(Format::Markdown), Format::Markdown);
    let norm = normalize(&prose.text);
    let mut group = c.benchmark_group("matching");
    group.throughput(Throughput::Bytes(prose.text.len() as u64));
    group.bench_function("normalize", |b| {
        b.iter(|| normalize(black_box(&prose.text)))
    });
    group.bench_function("find", |b| {
        b.iter(|| find_hits(&rules, black_box(&norm.text)))
    });
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let rules = Ruleset::default_rules().expect("default rulesets load");
    // About 1 MB of mixed copy: a third of each format, as separate files.
    let mut files = Vec::new();
    for (format, name) in [
        (Format::Markdown, "page.md"),
        (Format::Html, "page.html"),
        (Format::Plain, "page.txt"),
    ] {
        let mut total = 0;
        for page in pages_of(format) {
            if total >= TARGET_BYTES / 3 {
                break;
            }
            total += page.len();
            files.push((
                SourceFile::from_text(name, page, claimlint::source::Encoding::Utf8, 0),
                format,
            ));
        }
    }
    let bytes: usize = files.iter().map(|(f, _)| f.text.len()).sum();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("lint-mixed", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|(file, format)| lint(&rules, black_box(file), *format).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, extraction, sentences, matching, pipeline);
criterion_main!(benches);
