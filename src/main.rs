//! The `claimlint` binary: parses the command line, resolves settings, runs a command, prints,
//! and maps the outcome to an exit code. The library never prints or exits; this file does both.
//!
//! Exit codes: 0 when no shown finding is at or above `--fail-on`, 1 when one is, 2 for a usage,
//! config, ruleset or I/O error (decided after every readable file was linted). A closed output
//! pipe (`claimlint check . | head`) ends the run quietly with 0, as ripgrep does: the reader has
//! all it asked for.

mod allocator;
mod cli;
mod schedule;

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, ValueEnum as _};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use claimlint::atomic::{AtomicFile, OutputError};
use claimlint::baseline::{Baseline, BaselineError};
use claimlint::config::{self, ConfigFile, Overrides, Settings, SettingsError};
use claimlint::report::human::Statistics;
use claimlint::report::{self, FileError, ReportOptions, Summary};
use claimlint::rules::Rule;
use claimlint::walk::{self, Loaded};
use claimlint::{Finding, Format, LintOptions, Ruleset, RulesetError, SourceFile};

use cli::{
    BaselineCommand, CheckArgs, Cli, ColorWhen, Command, ExplainArgs, PruneArgs, RulesArgs,
    RulesFormat,
};

/// Exit code for errors (usage, config, rulesets, I/O).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    allocator::fix_mmap_threshold();
    // clap prints usage errors and exits with 2 (help and version with 0).
    let cli = Cli::parse();
    let err_color = use_color(cli.color, &io::stderr());
    match run(&cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            print_error(&err, err_color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Check(args) => check(cli, args),
        Command::Rules(args) => rules(cli, args),
        Command::Explain(args) => explain(cli, args),
        Command::Init => init(),
        Command::Config(args) => show_config(cli, &args.rules.overrides(Some(&args.policy))),
        Command::Baseline(BaselineCommand::Prune(args)) => prune_baseline(cli, args),
    }
}

/// Whether to colour a stream: the flag, else anstream's decision (TTY, NO_COLOR, CLICOLOR...).
fn use_color<S: anstream::stream::RawStream>(when: ColorWhen, stream: &S) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never,
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Messages on stderr: errors and, with `--verbose`, notes. Write failures are ignored: there is
/// nowhere left to report them.
struct Messages {
    color: bool,
    verbose: bool,
}

impl Messages {
    fn error(&self, text: &str) {
        let label = if self.color {
            "\x1b[1;31merror\x1b[0m"
        } else {
            "error"
        };
        let _ = writeln!(io::stderr().lock(), "{label}: {text}");
    }

    fn info(&self, text: &str) {
        if self.verbose {
            let label = if self.color {
                "\x1b[1;36minfo\x1b[0m"
            } else {
                "info"
            };
            let _ = writeln!(io::stderr().lock(), "{label}: {text}");
        }
    }
}

/// Prints an error, rendering located errors (config, ruleset) with their source line.
fn print_error(err: &anyhow::Error, color: bool) {
    let located = err.chain().find_map(|c| {
        if let Some(e) = c.downcast_ref::<SettingsError>() {
            return match e {
                SettingsError::Source(s) | SettingsError::Ruleset(RulesetError::Source(s)) => {
                    Some(s)
                }
                _ => None,
            };
        }
        if let Some(BaselineError::Corrupt(s)) = c.downcast_ref::<BaselineError>() {
            return Some(s);
        }
        match c.downcast_ref::<RulesetError>() {
            Some(RulesetError::Source(s)) => Some(s),
            _ => None,
        }
    });
    let mut stderr = io::stderr().lock();
    let _ = match located {
        Some(s) => write!(stderr, "{}", s.render(color)),
        None => {
            let label = if color {
                "\x1b[1;31merror\x1b[0m"
            } else {
                "error"
            };
            writeln!(stderr, "{label}: {err:#}")
        }
    };
}

/// Finds and reads the config file (unless `--isolated`) and merges the overrides, with the
/// global `--ruleset` flags.
fn load_settings(cli: &Cli, cwd: &Path, overrides: &Overrides) -> anyhow::Result<Settings> {
    let overrides = &Overrides {
        rulesets: cli.rulesets.clone(),
        ..overrides.clone()
    };
    let path = if cli.isolated {
        None
    } else {
        cli.config.clone().or_else(|| config::discover(cwd))
    };
    let config = match path {
        Some(p) => Some(ConfigFile::load(&p, cwd)?),
        None => None,
    };
    Ok(Settings::resolve(config, cwd, overrides)?)
}

fn current_dir() -> anyhow::Result<PathBuf> {
    std::env::current_dir().context("cannot read the current directory")
}

/// A file (or standard input) to lint.
struct Job {
    display: String,
    format: Format,
    input: Input,
}

enum Input {
    /// A file: its path when that is not the job's display name (see `walk::Entry::read_as`),
    /// and what the walk found when it examined it.
    Path {
        read_as: Option<PathBuf>,
        examined: Result<walk::Examined, String>,
    },
    /// Standard input, already read (or the error reading it).
    Bytes(Result<Vec<u8>, String>),
    /// A path the walk could not enter or read, and why: reported in its place in the order.
    Unwalkable(String),
}

impl Job {
    /// A job for a step of the walk. A file is examined here, on the walking thread, so that its
    /// size weighs on the window before it is linted.
    fn from_walk(step: walk::Walked, max_filesize: u64) -> Job {
        match step {
            Ok(entry) => {
                let path = entry
                    .read_as
                    .as_deref()
                    .unwrap_or(Path::new(&entry.display));
                let examined = walk::examine(path, max_filesize);
                Job {
                    display: entry.display,
                    format: entry.format,
                    input: Input::Path {
                        read_as: entry.read_as,
                        examined,
                    },
                }
            }
            Err(error) => Job {
                display: error.path,
                format: Format::Plain,
                input: Input::Unwalkable(error.message),
            },
        }
    }
}

/// `jobs` (in display order) with `extra` inserted in its place, after any job of the same name.
fn insert_in_order(
    jobs: impl Iterator<Item = Job>,
    mut extra: Option<Job>,
) -> impl Iterator<Item = Job> {
    let mut jobs = jobs.peekable();
    std::iter::from_fn(move || {
        let extra_first = extra
            .as_ref()
            .is_some_and(|x| jobs.peek().is_none_or(|next| x.display < next.display));
        if extra_first {
            extra.take()
        } else {
            jobs.next()
        }
    })
}

/// What linting one job produced.
enum Outcome {
    /// The file, its findings, and what the workers rendered of them (see `Prerender`; empty
    /// when nothing was).
    Linted(SourceFile, Vec<Finding>, Rendered),
    Binary,
    /// Not read, for this reason (not a regular file, or over --max-filesize).
    Skipped(String),
    Failed(String),
}

/// The weight of a job in the window: its size in bytes, known before it is linted (a job needs
/// some ten times that while it is linted, and about its size in text and findings after).
fn job_weight(job: &Job) -> usize {
    let bytes = match &job.input {
        Input::Path {
            examined: Ok(walk::Examined::File(len)),
            ..
        } => *len,
        Input::Bytes(Ok(bytes)) => bytes.len() as u64,
        _ => 0,
    };
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// One entry per finding: its rendering in the report's format, or `None` for one the reporter
/// renders itself.
type Rendered = Vec<Option<Box<[u8]>>>;

/// The report's rendering on the lint workers (the human format's), and which findings it is
/// done for: those the report can show.
struct Prerender<'a> {
    renderer: &'a dyn report::RenderOne,
    /// Whether waived findings are shown.
    waived: bool,
}

/// The most bytes of renderings a file holds: the reporter renders the rest itself, so a file
/// dense with findings does not hold its whole report until its turn to be written (its findings
/// are held anyway, and take about as much).
const PRERENDERED_BYTES_PER_FILE: usize = 2 << 20;

impl Prerender<'_> {
    fn render(&self, file: &SourceFile, findings: &[Finding]) -> Rendered {
        let mut held = 0;
        findings
            .iter()
            .map(|f| {
                let shown = self.waived || f.waiver.is_none();
                let rendering = (shown && held < PRERENDERED_BYTES_PER_FILE)
                    .then(|| self.renderer.render_one(file, f))
                    .flatten();
                held += rendering.as_ref().map_or(0, |r| r.len());
                rendering
            })
            .collect()
    }
}

/// Keeps the findings (and their renderings, when there are any) that `keep` accepts.
fn retain_findings(
    findings: &mut Vec<Finding>,
    rendered: &mut Rendered,
    mut keep: impl FnMut(&Finding) -> bool,
) {
    if rendered.is_empty() {
        findings.retain(keep);
        return;
    }
    debug_assert_eq!(findings.len(), rendered.len(), "a rendering per finding");
    let kept: Vec<bool> = findings.iter().map(&mut keep).collect();
    // (`rendered` has an entry per finding: the two stay in step.)
    let mut verdicts = kept.iter();
    findings.retain(|_| verdicts.next().copied().unwrap_or(true));
    let mut verdicts = kept.iter();
    rendered.retain(|_| verdicts.next().copied().unwrap_or(true));
}

fn lint_job(
    job: &Job,
    rules: &Ruleset,
    settings: &Settings,
    options: &LintOptions,
    prerender: Option<&Prerender>,
) -> Outcome {
    let loaded = match &job.input {
        Input::Path { read_as, examined } => {
            let path = read_as
                .as_deref()
                .unwrap_or_else(|| Path::new(&job.display));
            walk::load_examined(path, &job.display, settings.max_filesize, examined.clone())
        }
        Input::Bytes(Ok(bytes)) => walk::decode(&job.display, bytes.clone()),
        Input::Bytes(Err(e)) | Input::Unwalkable(e) => Err(e.clone()),
    };
    match loaded {
        Ok(Loaded::Text(file)) => {
            let mut findings = claimlint::lint_with(rules, &file, job.format, options);
            findings.retain(|f| f.severity >= settings.min_severity);
            let rendered = prerender.map_or_else(Vec::new, |p| p.render(&file, &findings));
            Outcome::Linted(file, findings, rendered)
        }
        Ok(Loaded::Binary) => Outcome::Binary,
        Ok(Loaded::Skipped(reason)) => Outcome::Skipped(reason),
        Err(message) => Outcome::Failed(message),
    }
}

fn check(cli: &Cli, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    if (args.statistics || args.quiet) && args.format != report::Format::Human {
        let flag = if args.statistics {
            "--statistics"
        } else {
            "--quiet"
        };
        anyhow::bail!(
            "{flag} shapes the human report; it cannot be combined with --format {}",
            args.format
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_owned())
        );
    }
    let cwd = current_dir()?;
    let settings = load_settings(cli, &cwd, &args.rules.overrides(Some(&args.policy)))?;
    let msg = Messages {
        color: use_color(cli.color, &io::stderr()),
        verbose: cli.verbose,
    };
    match &settings.config {
        Some(c) => msg.info(&format!("using config file {}", c.display)),
        None if cli.isolated => msg.info("--isolated: no config file"),
        None => msg.info("no config file found; using defaults"),
    }
    // The compiled rules live until the process ends: leaked, exit does not free their tens of
    // thousands of allocations one by one (a few percent of a one-paragraph check).
    let rules: &'static Ruleset = Box::leak(Box::new(settings.load_rules()?));

    // `-` is standard input; `--stdin-filename` alone also means it.
    let read_stdin = args.paths.iter().any(|p| p.as_os_str() == "-")
        || (args.paths.is_empty() && args.stdin_filename.is_some());
    let mut paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if paths.is_empty() && !read_stdin {
        paths.push(PathBuf::from("."));
    }
    let changed = args
        .changed_since
        .as_ref()
        .map(|rev| claimlint::git::changed_since(&cwd, rev))
        .transpose()?;
    // Read the baseline before linting, so a corrupt one fails at once.
    let mut baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let mut recording = args.write_baseline.as_ref().map(|_| Baseline::default());
    // The walk streams: files are linted as they are found, never all listed first.
    let walked = walk::walk(&paths, &settings.walk_options())
        .filter(|step| match (step, &changed) {
            (Ok(entry), Some(changed)) => {
                let path = cwd.join(entry.path());
                changed.contains(&path.canonicalize().unwrap_or(path))
            }
            _ => true,
        })
        .map(|step| Job::from_walk(step, settings.max_filesize));
    let mut stdin_job = None;
    let mut roots: Vec<String> = paths.iter().map(|p| walk::display_path(p)).collect();
    if read_stdin {
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>".to_owned());
        // At most one byte past --max-filesize is read: an endless pipe cannot exhaust memory.
        // Too much input is an error rather than a skip, so a pipeline never mistakes unread
        // text for clean text.
        let limit = settings.max_filesize;
        let mut bytes = Vec::new();
        let read = io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {}", walk::io_message(&e)))
            .and_then(|_| {
                if bytes.len() as u64 > limit {
                    Err(format!(
                        "standard input is larger than --max-filesize ({limit} bytes); \
                         raise --max-filesize to lint it"
                    ))
                } else {
                    Ok(bytes)
                }
            });
        stdin_job = Some(Job {
            format: walk::format_for_name(&name, &settings.extensions),
            display: name.clone(),
            input: Input::Bytes(read),
        });
        roots.push(name);
    }
    let jobs = insert_in_order(walked, stdin_job);
    msg.info(&format!(
        "linting with {} enabled rules",
        rules.enabled().count()
    ));

    // The report file is opened before linting, so an unwritable --output fails at once.
    let mut report_file = args.output.as_deref().map(AtomicFile::create).transpose()?;
    let options = settings.lint_options(!args.no_inline_config);

    // A report of a big tree runs to tens of megabytes: 8 KB writes (the default) were a system
    // call every few findings.
    let mut stdout = BufWriter::with_capacity(REPORT_BUFFER_BYTES, io::stdout().lock());
    let (mut out, color): (&mut dyn Write, bool) = match report_file.as_mut() {
        // A report file never gets colour codes.
        Some(file) => (file, false),
        None => (&mut stdout, use_color(cli.color, &io::stdout())),
    };
    // Write errors name the report file; on stdout they stay plain I/O errors (a closed pipe).
    let write_error = |source: io::Error| -> anyhow::Error {
        match &args.output {
            Some(path) => OutputError {
                path: path.clone(),
                source,
            }
            .into(),
            None => source.into(),
        }
    };
    let run = report::provenance::RunInfo::new(
        rules,
        settings
            .config
            .as_ref()
            .map(|c| (c.display.as_str(), c.text.as_str())),
        report::provenance::command_line(),
        report::provenance::report_time(),
    );
    let report_options = ReportOptions {
        color,
        rules,
        run: &run,
        directive: report::DirectiveRule {
            severity: settings.directive_severity(),
            enabled: settings.directive_findings(),
        },
    };
    let mut reporter = report::reporter(args.format, report_options);
    let mut summary = Summary {
        roots,
        ..Summary::default()
    };
    let mut statistics = Statistics::default();
    // People see waived findings with --verbose; machine formats always carry them, marked.
    let show_waived = args.format != report::Format::Human || cli.verbose;
    // Not with a baseline: most findings may be baselined, and their rendering wasted.
    let renderer = (!(args.quiet || args.statistics || baseline.is_some() || recording.is_some()))
        .then(|| report::renderer(args.format, report_options))
        .flatten();
    let prerender = renderer.as_deref().map(|renderer| Prerender {
        renderer,
        waived: show_waived,
    });
    let mut failed = false;
    // Files walked (after --changed-since), whatever became of them.
    let mut files = 0usize;
    // Each file is reported as soon as it and the files before it are linted, and then dropped:
    // only reporters that must (HTML) keep file texts until the end.
    lint_each(
        &lint_pool()?,
        jobs,
        |job| lint_job(job, rules, &settings, &options, prerender.as_ref()),
        !args.no_progress,
        |job, outcome| {
            if matches!(job.input, Input::Path { .. }) {
                files += 1;
            }
            match outcome {
                Outcome::Linted(file, mut findings, mut rendered) => {
                    if let Some(recording) = recording.as_mut() {
                        // Everything recorded is baselined from now on, this run included.
                        recording.record(&file, &findings);
                        let before = findings.len();
                        retain_findings(&mut findings, &mut rendered, |f| f.waiver.is_some());
                        summary.baselined += before - findings.len();
                    }
                    if let Some(baseline) = baseline.as_mut() {
                        debug_assert!(
                            rendered.is_empty(),
                            "nothing is prerendered with a baseline"
                        );
                        summary.baselined += baseline.filter(&file, &mut findings);
                    }
                    if args.statistics {
                        statistics.add(&findings);
                    }
                    summary.add_file(&findings);
                    if !(args.quiet || args.statistics) {
                        // Counted above; what is not shown can go (no copy of the rest).
                        if !show_waived {
                            retain_findings(&mut findings, &mut rendered, |f| f.waiver.is_none());
                        }
                        reporter
                            .report_rendered(&mut out, &file, &findings, &rendered)
                            .map_err(write_error)?;
                    }
                }
                Outcome::Binary => msg.info(&format!("skipping binary file {}", job.display)),
                Outcome::Skipped(reason) => {
                    msg.info(&format!("skipping {}: {reason}", job.display))
                }
                Outcome::Failed(message) => {
                    // Keep stderr in step with stdout when both go to one terminal.
                    out.flush().map_err(write_error)?;
                    msg.error(&format!("{}: {message}", job.display));
                    reporter.error(&FileError {
                        path: job.display.clone(),
                        message,
                    });
                    summary.failed += 1;
                    failed = true;
                }
            }
            Ok(())
        },
    )?;
    match &args.changed_since {
        Some(rev) => msg.info(&format!(
            "--changed-since {rev}: {} changed",
            report_plural(files, "file", "files")
        )),
        None => msg.info(&format!("walked {}", report_plural(files, "file", "files"))),
    }
    if let (Some(path), Some(recording)) = (&args.write_baseline, &recording) {
        recording.write(path)?;
        msg.info(&format!(
            "wrote {} to {}",
            report_plural(recording.len(), "finding", "findings"),
            path.display()
        ));
    }
    if let Some(baseline) = &baseline {
        for entry in baseline.stale(&cwd) {
            let fp = &entry.fingerprint;
            msg.info(&format!(
                "stale baseline entry: {}: {} `{}`{} (`claimlint baseline prune` removes it)",
                fp.path,
                fp.rule,
                fp.matched,
                if entry.count > 1 {
                    format!(" x{}", entry.count)
                } else {
                    String::new()
                }
            ));
        }
    }
    if args.statistics {
        out.write_all(statistics.render().as_bytes())
            .map_err(write_error)?;
    }
    reporter.finish(&mut out, &summary).map_err(write_error)?;
    out.flush().map_err(write_error)?;
    if let Some(file) = report_file {
        file.commit()?;
    }

    let code = if failed {
        EXIT_ERROR
    } else if settings
        .fail_on
        .threshold()
        .is_some_and(|t| summary.at_least(t) > 0)
    {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}

/// `claimlint baseline prune`: lints PATHS as `check` would, then rewrites the baseline without
/// its stale entries.
fn prune_baseline(cli: &Cli, args: &PruneArgs) -> anyhow::Result<ExitCode> {
    let cwd = current_dir()?;
    let settings = load_settings(cli, &cwd, &args.rules.overrides(Some(&args.policy)))?;
    let rules = settings.load_rules()?;
    let mut baseline = Baseline::load(&args.baseline)?;
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let jobs = walk::walk(&paths, &settings.walk_options())
        .map(|step| Job::from_walk(step, settings.max_filesize));
    let options = settings.lint_options(!args.no_inline_config);
    let lint = |job: &Job| lint_job(job, &rules, &settings, &options, None);
    lint_each(&lint_pool()?, jobs, lint, false, |job, outcome| {
        match outcome {
            Outcome::Linted(file, mut findings, _) => {
                baseline.filter(&file, &mut findings);
            }
            Outcome::Binary | Outcome::Skipped(_) => {}
            // Judging entries of a file that could not be read (or a directory that could not be
            // walked) would drop them wrongly.
            Outcome::Failed(message) => {
                anyhow::bail!("{}: {message}; the baseline was not changed", job.display)
            }
        }
        Ok(())
    })?;
    let removed = baseline.prune(&cwd);
    if removed > 0 {
        baseline.write(&args.baseline)?;
    }
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "removed {} from {}; {} kept",
        report_plural(removed, "stale finding", "stale findings"),
        args.baseline.display(),
        report_plural(baseline.len(), "finding", "findings"),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn report_plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// Lints every job in parallel (`lint` is `lint_job` with the run's rules) and hands each outcome
/// to `each` in job order (see `schedule::in_order`), then drops it. A file whose lint panics
/// is that file's error: the run goes on. On a terminal, a progress bar appears on stderr once
/// the run has lasted a second (short runs never flash one); indicatif hides it when stderr is
/// not a terminal.
fn lint_each(
    pool: &rayon::ThreadPool,
    jobs: impl Iterator<Item = Job> + Send,
    lint: impl Fn(&Job) -> Outcome + Sync,
    progress: bool,
    each: impl FnMut(&Job, Outcome) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // The total is not known: the walk streams.
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{spinner} linted {pos} files") {
        bar.set_style(style);
    }
    let (done, wait) = mpsc::channel::<()>();
    let shower = (progress && io::stderr().is_terminal()).then(|| {
        let bar = bar.clone();
        std::thread::spawn(move || {
            if wait.recv_timeout(Duration::from_secs(1)) == Err(mpsc::RecvTimeoutError::Timeout) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(100));
            }
        })
    });
    let result = schedule::in_order(
        pool,
        jobs,
        lint_window(pool.current_num_threads()),
        |job| {
            let outcome = lint(job);
            bar.inc(1);
            outcome
        },
        job_weight,
        |panic| {
            bar.inc(1);
            Outcome::Failed(crash_message(panic))
        },
        each,
    );
    drop(done);
    if let Some(handle) = shower {
        let _ = handle.join();
    }
    bar.finish_and_clear();
    result
}

/// How far the walk may run ahead of the reporting. A slow early file holds back at most a
/// window of finished files (and their texts) in memory, not the rest of the tree. The window is
/// wide (64 files per thread), so that the other threads keep busy behind a large file and
/// between the reporter's batches (with 8 a thread, 1.73-1.89 of the two cores were busy over
/// the 200 MB benchmark; with 64, 1.96-1.98). The weight (the sizes of the files started and not
/// yet reported: at most 4 MiB per thread, unless none is held) keeps the files held few when
/// they are large: it is what bounds memory. It grows with the threads, so that each has a
/// large file to lint.
fn lint_window(threads: usize) -> schedule::Window {
    let threads = threads.max(1);
    schedule::Window {
        jobs: 64 * threads,
        weight: threads.saturating_mul(4 << 20),
    }
}

/// The workers that lint files: as many as cores, or RAYON_NUM_THREADS.
fn lint_pool() -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("lint-{i}"))
        // A job needs under 64 KiB in a release build, several times that in a debug one, and a
        // deeply nested user regex compiles on the worker too: rayon's 2 MiB default leaves
        // little margin. The stack is only reserved, and untouched pages cost no memory.
        .stack_size(LINT_STACK_BYTES)
        .build()
        .context("cannot start the threads that lint")
}

/// The output buffer of a report written to standard output.
const REPORT_BUFFER_BYTES: usize = 128 * 1024;

/// Each lint worker's stack (see `lint_pool`).
const LINT_STACK_BYTES: usize = 16 << 20;

/// The error for a file whose lint panicked (the panic hook has already printed where).
fn crash_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    format!(
        "claimlint crashed on this file ({what}); this is a bug in claimlint, please report it \
         with the file"
    )
}

fn load_rules_for(cli: &Cli, overrides: &Overrides) -> anyhow::Result<(Settings, Ruleset)> {
    let cwd = current_dir()?;
    let settings = load_settings(cli, &cwd, overrides)?;
    let rules = settings.load_rules()?;
    Ok((settings, rules))
}

fn rules(cli: &Cli, args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let (_, rules) = load_rules_for(cli, &args.rules.overrides(None))?;
    let text = match args.format {
        _ if args.export_phrases => rules
            .export_phrases()
            .into_iter()
            .map(|p| p + "\n")
            .collect(),
        RulesFormat::Table => rules_table(&rules.rules),
        RulesFormat::Md => rules_markdown(&rules.rules),
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Rules as aligned columns; the summary, last, is not padded.
fn rules_table(rules: &[Rule]) -> String {
    if rules.is_empty() {
        return "no rules loaded\n".to_owned();
    }
    let header = [
        "RULE", "CATEGORY", "SEVERITY", "ENABLED", "RULESET", "SUMMARY",
    ];
    let rows: Vec<[String; 6]> = rules
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.category.clone(),
                r.severity.name().to_owned(),
                yes_no(r.enabled).to_owned(),
                ruleset_label(r),
                one_line(&r.docs.summary),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 6]| {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == cells.len() - 1 {
                l.push_str(cell);
            } else {
                l.push_str(cell);
                l.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
    }
    out
}

/// Rules as a Markdown table (for the README).
fn rules_markdown(rules: &[Rule]) -> String {
    let cell = |s: &str| one_line(s).replace('|', "\\|");
    let mut out = String::from(
        "| Rule | Category | Severity | Enabled | Ruleset | Summary |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for r in rules {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.category,
            r.severity,
            yes_no(r.enabled),
            cell(&ruleset_label(r)),
            cell(&r.docs.summary)
        ));
    }
    out
}

/// The ruleset that defines a rule, then `+overlay` for each overlay that changed it
/// (`core+uk-cap`: a core rule that uk-cap adjusts).
fn ruleset_label(rule: &Rule) -> String {
    let mut label = rule.ruleset.clone();
    for o in rule.overlays.iter().filter(|o| !o.changes.is_empty()) {
        label.push('+');
        label.push_str(&o.ruleset);
    }
    label
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn explain(cli: &Cli, args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let (_, rules) = load_rules_for(cli, &args.rules.overrides(None))?;
    let Some(rule) = rules.rule(&args.rule) else {
        let ids = rules.rules.iter().map(|r| r.id.as_str());
        let hint = match config::did_you_mean(&args.rule, ids) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => "; `claimlint rules` lists the rules".to_owned(),
        };
        anyhow::bail!("unknown rule `{}`{hint}", args.rule);
    };
    let mut out = io::stdout().lock();
    out.write_all(explain_text(rule).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Width that `explain` wraps prose to (indent included).
const WRAP: usize = 88;

/// The full documentation of a rule, as `claimlint explain` prints it.
fn explain_text(rule: &Rule) -> String {
    let mut s = format!(
        "{}\n  category: {}, severity: {}, enabled: {}, ruleset: {}, defined in {}\n",
        rule.id,
        rule.category,
        rule.severity,
        yes_no(rule.enabled),
        rule.ruleset,
        rule.origin,
    );
    for o in rule.overlays.iter().filter(|o| !o.changes.is_empty()) {
        s.push_str(&format!(
            "  changed by ruleset {}: {}\n",
            o.ruleset,
            o.changes.join(", ")
        ));
    }
    s.push('\n');
    s.push_str(&wrap(&rule.docs.summary, WRAP, ""));
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            s.push_str(&format!("\n{title}\n"));
            for line in lines {
                s.push_str(&line);
            }
        }
    };
    let prose = |text: &str| {
        if text.trim().is_empty() {
            Vec::new()
        } else {
            vec![wrap(text, WRAP, "  ")]
        }
    };
    section("Why it matters", prose(&rule.docs.why));
    section("Write instead", prose(&rule.docs.instead));
    section(
        "Evidence that would support it",
        prose(rule.docs.citation_hint.as_deref().unwrap_or("")),
    );
    // References stay one per line, unwrapped, so URLs can be copied whole.
    section(
        "References",
        rule.docs
            .references
            .iter()
            .map(|r| format!("  - {}\n", one_line(r)))
            .collect(),
    );
    section(
        "Examples",
        rule.examples
            .iter()
            .map(|e| {
                let mark = if e.expect.contains(&rule.id) {
                    "flagged:"
                } else {
                    "fine:   "
                };
                let known = e
                    .known
                    .as_deref()
                    .map(|k| format!(" ({k})"))
                    .unwrap_or_default();
                // Examples an overlay added show the behaviour with that overlay loaded.
                let from = if e.ruleset == rule.ruleset {
                    String::new()
                } else {
                    format!(" [with {}]", e.ruleset)
                };
                format!("  {mark} {}{known}{from}\n", one_line(&e.text))
            })
            .collect(),
    );
    s
}

/// Greedy word wrap; paragraphs (blank-line separated) are kept; each line gets `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    for (i, para) in text.trim().split("\n\n").enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty()
                && indent.len() + line.chars().count() + 1 + word.chars().count() > width
            {
                out.push_str(&format!("{indent}{line}\n"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            out.push_str(&format!("{indent}{line}\n"));
        }
    }
    out
}

fn init() -> anyhow::Result<ExitCode> {
    let cwd = current_dir()?;
    if let Some(existing) = config::CONFIG_NAMES.iter().find(|n| cwd.join(n).exists()) {
        anyhow::bail!("{existing} already exists in this directory; not overwriting it");
    }
    let path = cwd.join(config::CONFIG_NAMES[0]);
    // create_new: never overwrite, even one created since the check above.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", config::CONFIG_NAMES[0]))?;
    file.write_all(config::STARTER.as_bytes())
        .with_context(|| format!("cannot write {}", config::CONFIG_NAMES[0]))?;
    let mut out = io::stdout().lock();
    writeln!(out, "created {}", config::CONFIG_NAMES[0])?;
    Ok(ExitCode::SUCCESS)
}

fn show_config(cli: &Cli, overrides: &Overrides) -> anyhow::Result<ExitCode> {
    // Loading the rules checks the rule ids and ruleset paths the config names.
    let (settings, _) = load_rules_for(cli, overrides)?;
    let mut out = io::stdout().lock();
    out.write_all(settings.to_toml().as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use std::panic::AssertUnwindSafe;

    use super::*;

    /// A renderer whose every rendering is a quarter of the per-file budget.
    struct Quarters;

    impl report::RenderOne for Quarters {
        fn render_one(&self, _file: &SourceFile, _finding: &Finding) -> Option<Box<[u8]>> {
            Some(vec![b'x'; PRERENDERED_BYTES_PER_FILE / 4].into_boxed_slice())
        }
    }

    fn finding(waived: bool) -> Finding {
        Finding {
            rule: "r".into(),
            category: "c".into(),
            severity: claimlint::Severity::Error,
            span: 0..1,
            matched: "a".into(),
            message: String::new(),
            suggestion: String::new(),
            citation_hint: None,
            references: Vec::new().into(),
            adjustments: Vec::new(),
            document: false,
            waiver: waived.then(|| claimlint::finding::Waiver {
                kind: claimlint::finding::WaiverKind::DisableNextLine,
                reason: "ok".into(),
                span: 0..1,
            }),
        }
    }

    /// The workers render findings the report shows, until a file's renderings reach their
    /// budget; the reporter renders the rest.
    #[test]
    fn prerendering_skips_hidden_findings_and_stops_at_the_budget() {
        let file = SourceFile::from_bytes("a.md", b"a").unwrap();
        let findings: Vec<Finding> = [false, true, false, false, false, false]
            .into_iter()
            .map(finding)
            .collect();
        let rendered = |waived: bool| -> Vec<bool> {
            let prerender = Prerender {
                renderer: &Quarters,
                waived,
            };
            prerender
                .render(&file, &findings)
                .iter()
                .map(Option::is_some)
                .collect()
        };
        assert_eq!(rendered(false), [true, false, true, true, true, false]);
        assert_eq!(rendered(true), [true, true, true, true, false, false]);
    }

    #[test]
    fn retained_findings_keep_their_renderings() {
        let mut findings: Vec<Finding> = [false, true, false].into_iter().map(finding).collect();
        findings[2].matched = "c".into();
        let mut rendered: Rendered = vec![None, None, Some(b"c".to_vec().into_boxed_slice())];
        retain_findings(&mut findings, &mut rendered, |f| f.waiver.is_none());
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[1].matched, "c");
        assert_eq!(rendered[1].as_deref(), Some(&b"c"[..]));
    }

    /// `count` jobs named by their number, zero-padded to `width`, so they sort as numbered.
    fn numbered_jobs(count: usize, width: usize) -> impl Iterator<Item = Job> {
        (0..count).map(move |i| Job {
            display: format!("{i:0width$}"),
            format: Format::Plain,
            input: Input::Unwalkable(String::new()),
        })
    }

    /// A walked file weighs its size (read when the walk examines it), standard input its
    /// bytes, and a path that cannot be read or is skipped nothing.
    #[test]
    fn a_job_weighs_the_bytes_it_will_lint() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.md");
        std::fs::write(&page, "x".repeat(1000)).unwrap();
        let walked = |path: &Path, max_filesize| {
            Job::from_walk(
                Ok(walk::Entry {
                    display: "page.md".into(),
                    read_as: Some(path.to_owned()),
                    format: Format::Markdown,
                }),
                max_filesize,
            )
        };
        assert_eq!(job_weight(&walked(&page, 1 << 20)), 1000);
        // Over --max-filesize: skipped, never read.
        assert_eq!(job_weight(&walked(&page, 999)), 0);
        assert_eq!(job_weight(&walked(&dir.path().join("gone.md"), 1 << 20)), 0);
        let stdin = Job {
            display: "-".into(),
            format: Format::Plain,
            input: Input::Bytes(Ok(vec![b'a'; 42])),
        };
        assert_eq!(job_weight(&stdin), 42);
        // And what the walk examined is what the worker then reads.
        let Input::Path { read_as, examined } = walked(&page, 1 << 20).input else {
            panic!("a walked file is a path");
        };
        let loaded = walk::load_examined(&read_as.unwrap(), "page.md", 1 << 20, examined);
        assert!(
            matches!(&loaded, Ok(Loaded::Text(file)) if file.text.len() == 1000),
            "{loaded:?}"
        );
    }

    /// A lint that runs rayon itself (claimlint's first pages once compiled regexes in the pool).
    /// When workers waited for the window, a worker waiting inside that took up a queued job and
    /// could wait for the very job suspended beneath it: about one CI run in fifty hung for good.
    #[test]
    fn lint_each_finishes_in_order_when_linting_runs_rayon_itself() {
        use rayon::prelude::*;
        let (finished, deadline) = mpsc::channel();
        std::thread::spawn(move || {
            // More threads than cores, as in CI, where the hang was seen.
            // Jobs pile up on a waiting worker's stack, up to the window (256 jobs here): the
            // lint workers' stack size.
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(4)
                .stack_size(LINT_STACK_BYTES)
                .build()
                .unwrap();
            let mut orders = Vec::new();
            for _ in 0..40 {
                let mut order = Vec::new();
                let result = lint_each(
                    &pool,
                    numbered_jobs(300, 3),
                    |job| {
                        // Every tenth job works in rayon for a while, as the first pages do
                        // (compiling regexes), while the others race ahead to fill the window.
                        if job.display.ends_with('0') {
                            let spin = (0..16u64)
                                .into_par_iter()
                                .map(|n| (0..20_000u64).fold(n, |a, b| a.wrapping_mul(31) ^ b))
                                .reduce(|| 0, u64::wrapping_add);
                            std::hint::black_box(spin);
                        }
                        Outcome::Binary
                    },
                    false,
                    |job, _| {
                        order.push(job.display.clone());
                        Ok(())
                    },
                );
                orders.push((result.is_ok(), order));
            }
            let _ = finished.send(orders);
        });
        let orders = deadline
            .recv_timeout(Duration::from_secs(60))
            .expect("lint_each did not finish within a minute: a deadlock");
        let expected: Vec<String> = (0..300).map(|i| format!("{i:03}")).collect();
        for (ok, order) in orders {
            assert!(ok);
            assert_eq!(order, expected);
        }
    }

    /// `each` failing (an error, or a panic) on the first outcome of a walk far longer than the
    /// window: the run ends, with the error or the panic, and does not wait for the window.
    #[test]
    fn an_error_or_a_panic_in_reporting_stops_the_run() {
        let (finished, deadline) = mpsc::channel();
        std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            let mut reported = 0;
            let error = lint_each(
                &pool,
                numbered_jobs(10_000, 5),
                |_| Outcome::Binary,
                false,
                |_, _| {
                    reported += 1;
                    anyhow::bail!("disk full")
                },
            );
            let panicked = std::panic::catch_unwind(AssertUnwindSafe(|| {
                lint_each(
                    &pool,
                    numbered_jobs(10_000, 5),
                    |_| Outcome::Binary,
                    false,
                    |_, _| panic!("a reporter bug"),
                )
            }));
            let _ = finished.send((
                error.map_err(|e| e.to_string()),
                reported,
                panicked.is_err(),
            ));
        });
        let (error, reported, panicked) = deadline
            .recv_timeout(Duration::from_secs(60))
            .expect("lint_each did not stop within a minute");
        assert_eq!(error, Err("disk full".to_owned()));
        assert_eq!(reported, 1);
        assert!(panicked);
    }

    #[test]
    fn a_panic_on_one_file_is_its_error_and_the_rest_are_linted() {
        let mut seen = Vec::new();
        let pool = rayon::ThreadPoolBuilder::new().build().unwrap();
        let result = lint_each(
            &pool,
            numbered_jobs(50, 2),
            |job| {
                assert_ne!(job.display, "07", "a bug");
                Outcome::Binary
            },
            false,
            |job, outcome| {
                let failed = match outcome {
                    Outcome::Failed(message) => Some(message),
                    _ => None,
                };
                seen.push((job.display.clone(), failed));
                Ok(())
            },
        );
        assert!(result.is_ok());
        assert_eq!(seen.len(), 50);
        for (i, (display, failed)) in seen.iter().enumerate() {
            assert_eq!(display, &format!("{i:02}"));
            match failed {
                Some(message) if i == 7 => {
                    assert!(message.starts_with("claimlint crashed on this file ("));
                    assert!(message.contains("a bug"), "{message}");
                }
                other => assert_eq!(other, &None, "{display}"),
            }
        }
    }

    #[test]
    fn wrap_keeps_words_whole_and_paragraphs_apart() {
        let text = "aaa bbb ccc https://example.org/a/very/long/url\n\nddd";
        assert_eq!(
            wrap(text, 12, "  "),
            "  aaa bbb\n  ccc\n  https://example.org/a/very/long/url\n\n  ddd\n"
        );
    }
}
