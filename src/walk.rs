//! Which files a run lints and how they are read: walking directories with the `ignore` crate
//! (.gitignore even outside a git repository, .ignore, .claimlintignore, hidden files skipped),
//! the config's include/exclude globs, the extension-to-format map, and reading a file into a
//! `SourceFile` (binary files are skipped, undecodable ones are per-file errors).
//!
//! The walk is sequential and streams files in sorted order without collecting them, so output
//! order never depends on thread timing and memory does not grow with the tree; the caller lints
//! the stream in parallel (measured in crates.md "Parallelism").

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::io;
use std::path::{Component, Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder};

use crate::extract::Format;
use crate::source::SourceFile;

/// Extensions linted by default, and their formats.
pub const DEFAULT_EXTENSIONS: [(&str, Format); 6] = [
    ("htm", Format::Html),
    ("html", Format::Html),
    ("markdown", Format::Markdown),
    ("md", Format::Markdown),
    ("mdx", Format::Markdown),
    ("txt", Format::Plain),
];

/// The ignore file of our own, next to .gitignore and .ignore.
pub const IGNORE_FILENAME: &str = ".claimlintignore";

/// How many leading bytes are checked for a NUL byte (the heuristic git and ripgrep use).
const BINARY_PROBE: usize = 8 * 1024;

/// The default extension map.
pub fn default_extensions() -> BTreeMap<String, Format> {
    DEFAULT_EXTENSIONS
        .iter()
        .map(|&(ext, f)| (ext.to_owned(), f))
        .collect()
}

/// Include and exclude globs, in .gitignore syntax, relative to `root` (the config file's
/// directory). Gitignore syntax is what content teams already write in .gitignore files: `drafts/`
/// matches a directory anywhere, `/drafts` only at the root, `*.md` any file name.
#[derive(Clone, Debug)]
pub struct PathFilter {
    root: PathBuf,
    include: Gitignore,
    exclude: Gitignore,
}

impl PathFilter {
    /// A filter that keeps everything.
    pub fn none(root: &Path) -> PathFilter {
        PathFilter {
            root: root.to_path_buf(),
            include: Gitignore::empty(),
            exclude: Gitignore::empty(),
        }
    }

    /// Builds a filter. A glob that does not parse is reported by its list and index, so that the
    /// caller can point at it in the config file.
    pub fn new(root: &Path, include: &[&str], exclude: &[&str]) -> Result<PathFilter, GlobError> {
        let build = |globs: &[&str], list: GlobList| -> Result<Gitignore, GlobError> {
            let mut b = GitignoreBuilder::new(root);
            for (index, glob) in globs.iter().enumerate() {
                b.add_line(None, glob).map_err(|e| GlobError {
                    list,
                    index,
                    message: glob_message(&e),
                })?;
            }
            b.build().map_err(|e| GlobError {
                list,
                index: 0,
                message: glob_message(&e),
            })
        };
        Ok(PathFilter {
            root: root.to_path_buf(),
            include: build(include, GlobList::Include)?,
            exclude: build(exclude, GlobList::Exclude)?,
        })
    }

    /// The path relative to the root when it lies under it (absolute otherwise).
    fn relative(&self, abs: &Path) -> PathBuf {
        abs.strip_prefix(&self.root)
            .map_or_else(|_| abs.to_path_buf(), Path::to_path_buf)
    }

    /// Whether an exclude glob matches this file or directory (its parents were checked on the
    /// way down, because excluded directories are pruned).
    fn excludes(&self, abs: &Path, is_dir: bool) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        matches!(
            self.exclude.matched(self.relative(abs), is_dir),
            Match::Ignore(_)
        )
    }

    /// Whether a file is selected by the include globs (all files when there are none). A glob
    /// naming a directory includes everything under it.
    fn includes(&self, abs: &Path) -> bool {
        if self.include.is_empty() {
            return true;
        }
        let rel = self.relative(abs);
        let mut path: &Path = &rel;
        let mut is_dir = false;
        loop {
            match self.include.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
            match path.parent() {
                Some(p) if !p.as_os_str().is_empty() && p != path => {
                    path = p;
                    is_dir = true;
                }
                _ => return false,
            }
        }
    }
}

/// Which glob list a bad glob is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobList {
    Include,
    Exclude,
}

/// A glob that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobError {
    pub list: GlobList,
    pub index: usize,
    pub message: String,
}

fn glob_message(e: &ignore::Error) -> String {
    e.to_string()
}

/// What to walk and how to pick files.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// The current directory, to resolve relative paths for the globs.
    pub cwd: PathBuf,
    pub extensions: BTreeMap<String, Format>,
    pub filter: PathFilter,
}

/// A file to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// How output names it: relative as given, `/` separators, no leading `./`.
    pub display: String,
    /// Where to read it, when that is not `display` itself (an absolute or non-UTF-8 path, say).
    /// Most walked files read as displayed, so most entries hold one string, not two.
    pub read_as: Option<PathBuf>,
    pub format: Format,
}

impl Entry {
    fn new(path: &Path, format: Format) -> Entry {
        let mut display = display_path(path);
        display.shrink_to_fit();
        let read_as = (path.strip_prefix(".").unwrap_or(path) != Path::new(&display))
            .then(|| path.to_path_buf());
        Entry {
            display,
            read_as,
            format,
        }
    }

    /// Whether two entries are the same file: the same display name, and the same path to read
    /// (two non-UTF-8 names can share a lossy display name).
    fn same_file(&self, other: &Entry) -> bool {
        fn read(e: &Entry) -> Option<&Path> {
            e.read_as
                .as_deref()
                .map(|p| p.strip_prefix(".").unwrap_or(p))
        }
        self.display == other.display && read(self) == read(other)
    }

    /// Where to read it (as given or as walked).
    pub fn path(&self) -> &Path {
        self.read_as
            .as_deref()
            .unwrap_or_else(|| Path::new(&self.display))
    }
}

/// A path that could not be walked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkError {
    pub path: String,
    pub message: String,
}

/// One step of a walk: a file to lint, or a path that could not be walked.
pub type Walked = Result<Entry, WalkError>;

/// The files to lint under some paths, streamed in display-path order (deduplicated), with the
/// paths that could not be walked in their place. A file named explicitly is always linted
/// (format by extension, else plain text); directories are walked with the ignore rules,
/// filters and the extension map.
///
/// Nothing is collected: each directory is read sorted so that a depth-first walk yields its
/// files in the order their full paths sort (see [`walk_order`]), and the walks of several
/// roots are merged by their next path. A directory's walk starts only when its paths come up,
/// so naming a thousand directories does not open a thousand. Memory follows the widest
/// directory, not the tree, and output order never depends on thread timing.
pub struct Walk {
    opts: WalkOptions,
    roots: Vec<Root>,
    /// Each root's next path (or, for a directory not yet walked, a bound below all of them),
    /// smallest first; ties go to the root named first.
    next: BinaryHeap<Reverse<(String, usize)>>,
    /// The key of the last step yielded, and the steps yielded under it: the same file
    /// reached from two roots comes up under one key, and is yielded once.
    last_key: String,
    yielded_at_key: Vec<Walked>,
}

struct Root {
    path: PathBuf,
    /// The walker, once started; `None` before and after.
    walker: Option<ignore::Walk>,
    started: bool,
    /// The step waiting in `next` for this root.
    head: Option<Walked>,
    /// The key this root's last step was queued under: a root's keys never go down, even if
    /// the walk reports something out of order (an error naming an ignore file, say), so the
    /// merged walk is in order too.
    last_key: String,
}

/// Starts a walk of `paths` (nothing is read until the first step is taken).
pub fn walk(paths: &[PathBuf], opts: &WalkOptions) -> Walk {
    let mut walk = Walk {
        opts: opts.clone(),
        roots: Vec::with_capacity(paths.len()),
        next: BinaryHeap::with_capacity(paths.len()),
        last_key: String::new(),
        yielded_at_key: Vec::new(),
    };
    for (index, path) in paths.iter().enumerate() {
        let mut root = Root {
            path: path.clone(),
            walker: None,
            started: false,
            head: None,
            last_key: String::new(),
        };
        let key = match std::fs::metadata(path) {
            Err(e) => {
                let error = WalkError {
                    path: display_path(path),
                    message: io_message(&e),
                };
                root.started = true;
                let step = Err(error);
                let key = key_of(&step);
                root.head = Some(step);
                key
            }
            Ok(meta) if !meta.is_dir() => {
                let format = format_for(path, &opts.extensions).unwrap_or(Format::Plain);
                root.started = true;
                let step = Ok(Entry::new(path, format));
                let key = key_of(&step);
                root.head = Some(step);
                key
            }
            Ok(_) => lower_bound(path),
        };
        walk.roots.push(root);
        walk.next.push(Reverse((key, index)));
    }
    walk
}

/// The display path of a step, its place in the walk's order.
fn key_of(step: &Walked) -> String {
    match step {
        Ok(entry) => entry.display.clone(),
        Err(error) => error.path.clone(),
    }
}

/// A string sorting at or before the display path of every file under the directory `root`:
/// those paths all start with the root's display path and a `/` (none for `.`).
fn lower_bound(root: &Path) -> String {
    let display = display_path(root);
    let trimmed = display.trim_end_matches('/');
    if trimmed == "." {
        String::new()
    } else {
        trimmed.to_owned()
    }
}

impl Walk {
    /// Takes the next step of root `index`'s walk into its `head` and queues it.
    fn advance(&mut self, index: usize) {
        let root = &mut self.roots[index];
        if !root.started {
            root.started = true;
            root.walker = Some(walker(&root.path, &self.opts));
        }
        let Some(walker) = root.walker.as_mut() else {
            return;
        };
        for result in walker.by_ref() {
            let step = match result {
                Err(e) => Err(walk_error(&root.path, &e)),
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    let path = entry.path();
                    let Some(format) = format_for(path, &self.opts.extensions) else {
                        continue;
                    };
                    if !self.opts.filter.includes(&absolute(&self.opts.cwd, path)) {
                        continue;
                    }
                    Ok(Entry::new(path, format))
                }
            };
            let mut key = key_of(&step);
            // A directory that could not be read sorts where its files would have.
            if let Err(error) = &step
                && is_real_dir(Path::new(&error.path))
            {
                key.push('/');
            }
            if key < root.last_key {
                key.clone_from(&root.last_key);
            }
            root.last_key.clone_from(&key);
            root.head = Some(step);
            self.next.push(Reverse((key, index)));
            return;
        }
        // Done: close its directories now rather than when the whole walk ends.
        root.walker = None;
    }
}

impl Iterator for Walk {
    type Item = Walked;

    fn next(&mut self) -> Option<Walked> {
        while let Some(Reverse((key, index))) = self.next.pop() {
            let Some(step) = self.roots[index].head.take() else {
                // A directory whose paths have come up: start walking it.
                self.advance(index);
                continue;
            };
            self.advance(index);
            if key != self.last_key {
                self.last_key = key;
                self.yielded_at_key.clear();
            }
            let repeated = self
                .yielded_at_key
                .iter()
                .any(|earlier| match (&step, earlier) {
                    (Ok(entry), Ok(earlier)) => entry.same_file(earlier),
                    (Err(error), Err(earlier)) => error == earlier,
                    _ => false,
                });
            if repeated {
                continue;
            }
            self.yielded_at_key.push(step.clone());
            return Some(step);
        }
        None
    }
}

/// The walker of one directory: ignore files, the exclude globs, and each directory's entries
/// in [`walk_order`].
fn walker(root: &Path, opts: &WalkOptions) -> ignore::Walk {
    let filter = opts.filter.clone();
    let cwd = opts.cwd.clone();
    let mut builder = WalkBuilder::new(root);
    builder
        // Content repositories are often not git repositories (a CMS export, a zip from an
        // agency); their .gitignore still says what is not content.
        .require_git(false)
        .add_custom_ignore_filename(IGNORE_FILENAME)
        .sort_by_file_path(walk_order)
        .filter_entry(move |e| {
            // The root was named explicitly: never filter it out.
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !filter.excludes(&absolute(&cwd, e.path()), is_dir)
        });
    builder.build()
}

/// The order of two entries of one directory that makes a depth-first walk yield files in the
/// order of their full paths: by name, where a directory's name counts as if it ended in `/`.
/// So `docs.md` comes before the directory `docs` (`.` sorts before `/`), as `docs.md` does
/// before `docs/a.md`. Only a name that is a prefix of the other, followed by a byte below `/`,
/// needs to know whether it is a directory, so the file system is asked only then.
pub fn walk_order(a: &Path, b: &Path) -> Ordering {
    // Names compare as their display names do: a name that is not UTF-8 is read lossily, as
    // `display_path` reads it.
    fn name(path: &Path) -> std::borrow::Cow<'_, str> {
        path.file_name()
            .map_or(std::borrow::Cow::Borrowed(""), |n| n.to_string_lossy())
    }
    let (a_name, b_name) = (name(a), name(b));
    let (a_name, b_name) = (a_name.as_bytes(), b_name.as_bytes());
    // Whether `shorter` is a directory whose name is a prefix of `longer` followed by a byte
    // that sorts before `/`.
    let dir_sorts_after = |shorter: &Path, s: &[u8], l: &[u8]| {
        l.len() > s.len() && l.starts_with(s) && l[s.len()] < b'/' && is_dir_while_sorting(shorter)
    };
    if dir_sorts_after(a, a_name, b_name) {
        Ordering::Greater
    } else if dir_sorts_after(b, b_name, a_name) {
        Ordering::Less
    } else {
        a_name.cmp(b_name)
    }
}

/// Whether `path` is a directory the walk descends into (symbolic links are not followed).
fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

thread_local! {
    /// `is_dir_while_sorting`'s answers for the directory being sorted: its path, and its
    /// entries' answers so far.
    static SORTING: std::cell::RefCell<(PathBuf, Vec<(PathBuf, bool)>)> =
        std::cell::RefCell::new((PathBuf::new(), Vec::new()));
}

/// `is_real_dir`, asked once per entry of the directory being sorted: a sort whose comparisons
/// disagreed (a directory replaced by a file mid-sort) could panic. One directory is sorted at a
/// time, on the thread taking the walk's step; the answers are dropped when the next one starts.
fn is_dir_while_sorting(path: &Path) -> bool {
    let parent = path.parent().unwrap_or(Path::new(""));
    SORTING.with_borrow_mut(|(sorting, known)| {
        if sorting != parent {
            parent.clone_into(sorting);
            known.clear();
        }
        if let Some(&(_, is_dir)) = known.iter().find(|(p, _)| p == path) {
            return is_dir;
        }
        let is_dir = is_real_dir(path);
        known.push((path.to_path_buf(), is_dir));
        is_dir
    })
}

fn walk_error(root: &Path, e: &ignore::Error) -> WalkError {
    // Errors from the walker are nested (WithPath, WithDepth, ...); find the path they name.
    fn path_of(e: &ignore::Error) -> Option<&Path> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            _ => None,
        }
    }
    fn inner(e: &ignore::Error) -> &ignore::Error {
        match e {
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => inner(err),
            other => other,
        }
    }
    let path = path_of(e).unwrap_or(root);
    let message = match inner(e) {
        // The walker's I/O errors wrap the operating system's in their own ("IO error for
        // operation on PATH: ..."); the path is given apart, so say just what went wrong.
        ignore::Error::Io(io) => match io
            .get_ref()
            .and_then(std::error::Error::source)
            .and_then(|source| source.downcast_ref::<io::Error>())
        {
            Some(os) => io_message(os),
            None => io_message(io),
        },
        other => other.to_string(),
    };
    WalkError {
        path: display_path(path),
        message,
    }
}

/// The format for a file by its extension (case-insensitive), if the map has it.
pub fn format_for(path: &Path, extensions: &BTreeMap<String, Format>) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    extensions.get(&ext).copied()
}

/// The format for a name such as `--stdin-filename page.html`: by extension, else plain text.
pub fn format_for_name(name: &str, extensions: &BTreeMap<String, Format>) -> Format {
    format_for(Path::new(name), extensions).unwrap_or(Format::Plain)
}

/// How output names a path: as given, without leading `./`, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let mut s = path.to_string_lossy().into_owned();
    if std::path::MAIN_SEPARATOR == '\\' {
        s = s.replace('\\', "/");
    }
    while let Some(rest) = s.strip_prefix("./") {
        if rest.is_empty() {
            break;
        }
        s = rest.trim_start_matches('/').to_owned();
    }
    s
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically (no file system
/// access, so it works for paths that are about to be created and never follows symlinks).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// An I/O error's message without Rust's "(os error N)" suffix, lowercased like our own
/// messages ("permission denied", "no such file or directory").
pub fn io_message(e: &io::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.find(" (os error") {
        Some(i) => &msg[..i],
        None => &msg,
    };
    let mut chars = msg.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The default `--max-filesize`: larger files are skipped with a note, so one stray data dump
/// in a content repository cannot take the run's memory.
pub const DEFAULT_MAX_FILESIZE: u64 = 16 * 1024 * 1024;

/// A file after reading.
#[derive(Debug)]
pub enum Loaded {
    Text(SourceFile),
    /// Skipped: a NUL byte in the first 8 KiB and no UTF-16 byte order mark.
    Binary,
    /// Skipped without reading, for the reason given (not a regular file, or too large).
    Skipped(String),
}

/// What a path's metadata says before the file is opened.
#[derive(Clone, Debug)]
pub enum Examined {
    /// A regular file within the size limit, of this many bytes.
    File(u64),
    /// Not to be read, for this reason (not a regular file, or over the limit).
    Skipped(String),
}

/// Reads a path's metadata and says whether to read the file, without opening it (opening a
/// FIFO for reading blocks until a writer appears). The error is a message for the user.
pub fn examine(path: &Path, max_filesize: u64) -> Result<Examined, String> {
    let meta = std::fs::metadata(path).map_err(|e| cannot_read(&e))?;
    Ok(match skip_reason(&meta, max_filesize) {
        Some(skip) => Examined::Skipped(skip),
        None => Examined::File(meta.len()),
    })
}

/// Reads and decodes a file of at most `max_filesize` bytes. Only regular files are read: a FIFO
/// would block forever and a device could stream without end, so they are skipped (also when
/// named explicitly or reached through a symlink). The error is a message for the user (the
/// caller adds the path).
pub fn load(path: &Path, display: &str, max_filesize: u64) -> Result<Loaded, String> {
    load_examined(path, display, max_filesize, examine(path, max_filesize))
}

/// `load` once `examine` has looked at the path (the walk examines files as it finds them, to
/// know their sizes before they are linted).
pub fn load_examined(
    path: &Path,
    display: &str,
    max_filesize: u64,
    examined: Result<Examined, String>,
) -> Result<Loaded, String> {
    if let Examined::Skipped(skip) = examined? {
        return Ok(Loaded::Skipped(skip));
    }
    let file = open_without_blocking(path).map_err(|e| cannot_read(&e))?;
    // The file may have been replaced or have grown since it was examined: check the open handle
    // again and never read more than one byte past the limit.
    let meta = file.metadata().map_err(|e| cannot_read(&e))?;
    if let Some(skip) = skip_reason(&meta, max_filesize) {
        return Ok(Loaded::Skipped(skip));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    io::Read::read_to_end(
        &mut io::Read::take(file, max_filesize.saturating_add(1)),
        &mut bytes,
    )
    .map_err(|e| cannot_read(&e))?;
    if bytes.len() as u64 > max_filesize {
        return Ok(Loaded::Skipped(too_large(max_filesize)));
    }
    decode(display, bytes)
}

/// Opens a file for reading. On Unix without blocking: the walk examined the path a while
/// before (up to a window of files earlier), and a path that has become a FIFO since would
/// otherwise block the open until a writer appears, and the run with it. The open file is
/// checked again before it is read, and reading a regular file never blocks anyway.
fn open_without_blocking(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn cannot_read(e: &io::Error) -> String {
    format!("cannot read: {}", io_message(e))
}

/// Why a file is not read, if it is not: not a regular file, or larger than the limit.
fn skip_reason(meta: &std::fs::Metadata, max_filesize: u64) -> Option<String> {
    if !meta.is_file() {
        return Some(format!("not a regular file ({})", file_kind(meta)));
    }
    (meta.len() > max_filesize).then(|| too_large(max_filesize))
}

fn too_large(max_filesize: u64) -> String {
    format!("larger than --max-filesize ({max_filesize} bytes)")
}

/// A short name for the kind of a file that is not a regular file.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Parses a size such as `16M`, `512K`, `1G` or `1000` (bytes; suffixes are powers of 1024,
/// case-insensitive, an optional trailing `B` allowed).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t
        .strip_suffix(['b', 'B'])
        .filter(|rest| rest.ends_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or(t);
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], Some(c.to_ascii_uppercase())),
        _ => (t, None),
    };
    let multiplier: u64 = match unit {
        None => 1,
        Some('K') => 1 << 10,
        Some('M') => 1 << 20,
        Some('G') => 1 << 30,
        Some(_) => return Err(format!("`{text}` is not a size: use bytes or K, M, G")),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| format!("`{text}` is not a size: use bytes or K, M, G, e.g. `16M`"))
}

/// Decodes bytes read from a file or standard input.
pub fn decode(display: &str, bytes: Vec<u8>) -> Result<Loaded, String> {
    if is_binary(&bytes) {
        return Ok(Loaded::Binary);
    }
    SourceFile::from_vec(display, bytes)
        .map(Loaded::Text)
        .map_err(|e| e.to_string())
}

/// Whether bytes look binary: a NUL byte in the first 8 KiB. UTF-16 text is full of NUL bytes,
/// so a UTF-16 byte order mark rules binary out.
pub fn is_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return false;
    }
    bytes[..bytes.len().min(BINARY_PROBE)].contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file examined by the walk and replaced by a FIFO before it is read is skipped, never
    /// opened into a wait for a writer (the test runs the load on a thread and gives it a
    /// minute: a blocking open would be a hang).
    #[cfg(unix)]
    #[test]
    fn a_file_that_became_a_fifo_after_the_walk_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.md");
        std::fs::write(&path, "Our tonic cures anxiety.\n").unwrap();
        let examined = examine(&path, 1 << 20);
        assert!(matches!(examined, Ok(Examined::File(25))), "{examined:?}");
        std::fs::remove_file(&path).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let (done, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(load_examined(&path, "page.md", 1 << 20, examined));
        });
        let loaded = wait
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the load blocked on the FIFO");
        match loaded {
            Ok(Loaded::Skipped(reason)) => {
                assert_eq!(reason, "not a regular file (a FIFO)")
            }
            Ok(_) => panic!("the FIFO was read"),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn an_entry_keeps_a_second_path_only_when_its_display_name_would_not_read_the_file() {
        for (given, display) in [
            ("docs/a.md", "docs/a.md"),
            ("./docs/a.md", "docs/a.md"),
            ("././docs/a.md", "docs/a.md"),
            ("/srv/site/a.md", "/srv/site/a.md"),
        ] {
            let e = Entry::new(Path::new(given), Format::Markdown);
            assert_eq!(e.display, display);
            assert_eq!(e.read_as, None, "{given}");
            assert_eq!(e.path(), Path::new(display));
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = Path::new(std::ffi::OsStr::from_bytes(b"docs/bad\xffname.md"));
            let e = Entry::new(odd, Format::Markdown);
            assert_eq!(e.display, "docs/bad\u{fffd}name.md");
            assert_eq!(e.path(), odd, "a lossy display name keeps the real path");
        }
    }

    /// A tree whose names sort differently as bare names than as full paths: `docs.md` and
    /// `docs-2/` come before the directory `docs/` (`.` and `-` sort before `/`).
    fn tricky_tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in [
            "docs/a.md",
            "docs/sub/c.md",
            "docs/sub.md",
            "docs/sub-x.md",
            "docs.md",
            "docs-2/b.md",
            "docs 3.txt",
            "doc.md",
            "z/\u{e9}t\u{e9}.md",
            "z/e.md",
            "notes.weird",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "text").unwrap();
        }
        dir
    }

    fn options(root: &Path) -> WalkOptions {
        WalkOptions {
            cwd: root.to_path_buf(),
            extensions: default_extensions(),
            filter: PathFilter::none(root),
        }
    }

    /// The walk's steps, with the tree's root cut from each path.
    fn steps(root: &Path, paths: &[PathBuf]) -> Vec<String> {
        let prefix = format!("{}/", display_path(root));
        walk(paths, &options(root))
            .map(|step| match step {
                Ok(entry) => entry.display.replacen(&prefix, "", 1),
                Err(error) => format!("error {}", error.path.replacen(&prefix, "", 1)),
            })
            .collect()
    }

    #[test]
    fn the_walk_streams_files_in_the_order_of_their_full_paths() {
        let dir = tricky_tree();
        let got = steps(dir.path(), &[dir.path().to_path_buf()]);
        let expected = [
            "doc.md",
            "docs 3.txt",
            "docs-2/b.md",
            "docs.md",
            "docs/a.md",
            "docs/sub-x.md",
            "docs/sub.md",
            "docs/sub/c.md",
            "z/e.md",
            "z/\u{e9}t\u{e9}.md",
        ];
        assert_eq!(got, expected);
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(got, sorted, "the order of the display paths as strings");
    }

    #[test]
    fn the_walks_of_several_roots_merge_in_order_without_repeats() {
        let dir = tricky_tree();
        let root = dir.path();
        let got = steps(
            root,
            &[
                root.join("z"),
                root.join("docs"),
                root.join("missing"),
                root.join("docs/sub.md"),
                root.join("notes.weird"),
                root.join("docs.md"),
                root.join("docs/sub"),
            ],
        );
        let expected = [
            "docs.md",
            "docs/a.md",
            "docs/sub-x.md",
            "docs/sub.md",
            "docs/sub/c.md",
            "error missing",
            // Named explicitly, so linted although its extension is not mapped.
            "notes.weird",
            "z/e.md",
            "z/\u{e9}t\u{e9}.md",
        ];
        assert_eq!(got, expected);
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_sort_and_merge_by_their_display_names() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let odd = root.join(std::ffi::OsStr::from_bytes(b"\xc3.md"));
        for path in [root.join("a.md"), root.join("\u{e9}.md"), odd.clone()] {
            std::fs::write(path, "text").unwrap();
        }
        // The lone byte 0xC3 displays as U+FFFD, which sorts after "é" (U+00E9); byte order
        // would put it first. Named again, "é.md" is still linted once.
        let got = steps(root, &[root.to_path_buf(), root.join("\u{e9}.md")]);
        assert_eq!(got, ["a.md", "\u{e9}.md", "\u{fffd}.md"]);
        // Two names with the same lossy display are two files.
        std::fs::write(root.join(std::ffi::OsStr::from_bytes(b"\xc4.md")), "text").unwrap();
        let got = steps(root, &[root.to_path_buf()]);
        assert_eq!(got, ["a.md", "\u{e9}.md", "\u{fffd}.md", "\u{fffd}.md"]);
    }

    #[test]
    fn walk_order_treats_a_directory_name_as_ending_in_a_slash() {
        let dir = tricky_tree();
        let at = |name: &str| dir.path().join(name);
        assert_eq!(walk_order(&at("docs"), &at("docs.md")), Ordering::Greater);
        assert_eq!(walk_order(&at("docs.md"), &at("docs")), Ordering::Less);
        assert_eq!(walk_order(&at("docs"), &at("docs-2")), Ordering::Greater);
        // A file whose name is a prefix sorts first, as its path is a prefix of the other's.
        assert_eq!(
            walk_order(&at("docs.md"), &at("docs.md.bak")),
            Ordering::Less
        );
        // Bytes above `/` compare as names do.
        assert_eq!(walk_order(&at("docs"), &at("docsx")), Ordering::Less);
        assert_eq!(walk_order(&at("doc.md"), &at("docs")), Ordering::Less);
    }

    #[test]
    fn display_paths_drop_leading_dot_slash() {
        assert_eq!(display_path(Path::new("./docs/a.md")), "docs/a.md");
        assert_eq!(display_path(Path::new("docs/a.md")), "docs/a.md");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("./.hidden")), ".hidden");
    }

    #[test]
    fn absolute_resolves_dots_lexically() {
        let cwd = Path::new("/work/site");
        assert_eq!(
            absolute(cwd, Path::new("./a/../b.md")),
            Path::new("/work/site/b.md")
        );
        assert_eq!(absolute(cwd, Path::new("/x/./y")), Path::new("/x/y"));
    }

    #[test]
    fn nul_bytes_mean_binary_unless_utf16() {
        assert!(is_binary(b"PK\x03\x04\x00\x00"));
        assert!(!is_binary(b"plain text"));
        assert!(!is_binary(b"\xFF\xFEa\x00b\x00"));
    }

    #[test]
    fn extensions_are_case_insensitive() {
        let map = default_extensions();
        assert_eq!(format_for(Path::new("A.MD"), &map), Some(Format::Markdown));
        assert_eq!(format_for(Path::new("a.htm"), &map), Some(Format::Html));
        assert_eq!(format_for(Path::new("a.rs"), &map), None);
        assert_eq!(format_for_name("page", &map), Format::Plain);
    }

    #[test]
    fn include_and_exclude_use_gitignore_syntax() {
        let root = Path::new("/site");
        let f = PathFilter::new(root, &["docs/", "*.html"], &["drafts/", "/legal.md"]).unwrap();
        assert!(f.includes(Path::new("/site/docs/a/b.md")));
        assert!(f.includes(Path::new("/site/x/page.html")));
        assert!(!f.includes(Path::new("/site/x/page.md")));
        assert!(f.excludes(Path::new("/site/x/drafts"), true));
        assert!(!f.excludes(Path::new("/site/x/drafts"), false));
        assert!(f.excludes(Path::new("/site/legal.md"), false));
        assert!(!f.excludes(Path::new("/site/docs/legal.md"), false));
    }

    #[test]
    fn bad_globs_name_their_list_and_index() {
        let err = PathFilter::new(Path::new("/"), &["ok/**"], &["a/**", "b/[z-a]"]).unwrap_err();
        assert_eq!((err.list, err.index), (GlobList::Exclude, 1));
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("16M"), Ok(16 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("2GB"), Ok(2 << 30));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("16X").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn files_over_the_limit_are_skipped_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.md");
        std::fs::write(&path, "cures cancer").unwrap();
        assert!(matches!(load(&path, "big.md", 12), Ok(Loaded::Text(_))));
        match load(&path, "big.md", 11) {
            Ok(Loaded::Skipped(why)) => assert!(why.contains("--max-filesize"), "{why}"),
            other => panic!("expected a skip, got {other:?}"),
        }
    }

    #[test]
    fn a_vanished_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(&dir.path().join("gone.md"), "gone.md", u64::MAX).unwrap_err();
        assert_eq!(err, "cannot read: no such file or directory");
    }

    #[test]
    fn io_messages_are_lowercase_without_os_error() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&e), "no such file or directory");
    }
}
