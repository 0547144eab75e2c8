//! Reading files from disk into a [`Workspace`]. The parsing itself is in [`Loader`], which
//! takes text, so it can be tested and fuzzed without touching the file system.

use std::path::{Path, PathBuf};

use crate::decode::Ctx;
use crate::defs::{Text, Workspace};
use crate::diagnostic::Diagnostic;
use crate::from_yaml::{FileKind, decode_file};
use crate::source::{FileId, SourceMap, Span};

/// Workspace files larger than this are refused: they are hand-written definitions, not data.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// What loading produced: the definitions, the files they came from, and the problems found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub workspace: Workspace,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// The workspace folder, when one was loaded (named, or found above a named file).
    pub root: Option<PathBuf>,
    /// Files read only as context for the files that were named (the rest of their
    /// workspace): findings in them are not reported, but their definitions resolve references.
    pub context: Vec<FileId>,
    /// For each Markdown page, what its parts were read as (`check --explain-read`).
    pub markdown_notes: Vec<(FileId, Vec<crate::markdown::ReadNote>)>,
}

impl Loaded {
    /// Whether a diagnostic belongs to what the user asked to check (input errors always do:
    /// a broken context file breaks the check).
    pub fn in_focus(&self, d: &Diagnostic) -> bool {
        d.is_input_error() || d.span.is_none_or(|s| !self.context.contains(&s.file))
    }

    /// Whether any input could not be read or understood.
    pub fn has_input_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_input_error)
    }

    /// Where a definition was written (`file:line:column`) and its lines as written: the
    /// item's first line and every following line indented deeper than it.
    pub fn definition_lines(&self, span: crate::Span) -> Option<(String, Vec<String>)> {
        let f = self.sources.get(span.file)?;
        let indent = |l: &str| l.len() - l.trim_start().len();
        let mut lines = (span.line..).map_while(|n| f.line_text(n));
        let first = lines.next()?;
        let base = indent(first);
        let mut out = vec![first.to_string()];
        out.extend(
            lines
                .take_while(|l| !l.trim().is_empty() && indent(l) > base)
                .map(str::to_string),
        );
        Some((format!("{}:{}:{}", f.name, span.line, span.column), out))
    }

    /// See [`Workspace::definition_hash`].
    pub fn definition_hash(&self, metric: &str) -> Option<String> {
        self.workspace.definition_hash(metric)
    }
}

impl crate::Workspace {
    /// A short hash of everything that decides a metric's values: its `compute:` and `unit:`
    /// as read (not where or how they were written), the metrics it reads, the sources, the
    /// time zone and the week start. A stored value with another hash came from another definition.
    /// `None` for an unknown metric.
    pub fn definition_hash(&self, metric: &str) -> Option<String> {
        use sha2::{Digest, Sha256};
        let mut text = String::new();
        self.definition_text(metric, &mut Vec::new(), &mut text)?;
        let s = &self.settings;
        let tz = s.timezone.as_ref().map(|t| t.value.name().to_string());
        let week = s.week_starts.as_ref().map(|w| w.value.to_string());
        text.push_str(&format!("tz={tz:?};week={week:?};"));
        for source in s.sources.values() {
            text.push_str(&without_spans(&format!("{source:?}")));
            text.push(';');
        }
        let digest = Sha256::digest(text.as_bytes());
        Some(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
    }

    fn definition_text(&self, id: &str, seen: &mut Vec<String>, out: &mut String) -> Option<()> {
        let m = self.metric(id)?;
        if seen.iter().any(|s| s == id) {
            return Some(());
        }
        seen.push(id.to_string());
        out.push_str(id);
        out.push('=');
        if let Some(c) = &m.compute {
            out.push_str(&without_spans(&format!("{:?}", c.value)));
            out.push(';');
            for dep in c.value.metric_refs() {
                self.definition_text(&dep.value, seen, out);
            }
        }
        if let Some(u) = &m.unit {
            out.push_str(&format!("unit={};", u.value));
        }
        Some(())
    }
}

/// Debug text with every `Span { .. }` removed: the definition, not where it was written.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once('}').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

/// Builds a workspace from file texts.
#[derive(Default)]
pub struct Loader {
    loaded: Loaded,
}

impl Loader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a YAML file. `throughline.yaml` may hold settings; other files only definitions.
    pub fn add_yaml(&mut self, name: &str, path: &Path, text: String) {
        let is_root = path
            .file_name()
            .is_some_and(|f| f == "throughline.yaml" || f == "throughline.yml");
        let file = self.loaded.sources.add(name, path, text);
        let src = &self.loaded.sources.get(file).expect("just added").text;
        match crate::yaml::parse(src, file) {
            Ok(root) => {
                let mut cx = Ctx {
                    src,
                    diags: &mut self.loaded.diagnostics,
                };
                let kind = if is_root {
                    FileKind::Root
                } else {
                    FileKind::Definitions
                };
                decode_file(&mut cx, &root, kind, &mut self.loaded.workspace);
            }
            Err(d) => self.loaded.diagnostics.push(*d),
        }
    }

    /// Adds a Markdown OKR document.
    pub fn add_markdown(&mut self, name: &str, path: &Path, text: String) {
        let file = self.loaded.sources.add(name, path, text);
        let src = &self.loaded.sources.get(file).expect("just added").text;
        let read = crate::markdown::parse_markdown(src, file, name);
        self.loaded.workspace.objectives.extend(read.objectives);
        self.loaded.diagnostics.extend(read.diagnostics);
        self.loaded.markdown_notes.push((file, read.notes));
    }

    /// Adds raw bytes read from `path`, choosing the reader by extension.
    pub fn add_bytes(&mut self, name: &str, path: &Path, bytes: Vec<u8>) {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
                let file = self.loaded.sources.add(name, path, prefix);
                let src = &self.loaded.sources.get(file).expect("just added").text;
                let mut span = Span::at(file, src, valid, 0);
                span.len = 0;
                self.loaded.diagnostics.push(
                    Diagnostic::error("unreadable-file", format!("{name} is not UTF-8 text (invalid byte at offset {valid})"))
                        .at(span)
                        .help("save the file as UTF-8; if it is not a workspace file, move it out of the workspace folder"),
                );
                return;
            }
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        match ext.as_deref() {
            Some("yaml" | "yml") => self.add_yaml(name, path, text),
            Some("md" | "markdown" | "mdx") => self.add_markdown(name, path, text),
            _ => self.loaded.diagnostics.push(
                Diagnostic::error(
                    "unreadable-file",
                    format!("{name}: throughline reads `.yaml`, `.yml`, `.md` and `.mdx` files"),
                )
                .in_file(name)
                .help(
                    "pass a workspace folder, a YAML definitions file or a Markdown OKR document",
                ),
            ),
        }
    }

    /// Validates across files and returns the result.
    pub fn finish(mut self) -> Loaded {
        let l = &mut self.loaded;
        crate::validate::validate(&l.workspace, &mut l.diagnostics);
        self.loaded
    }

    fn error(&mut self, d: Diagnostic) {
        self.loaded.diagnostics.push(d);
    }
}

/// Loads the given paths: workspace folders (their `throughline.yaml` and every `*.yaml` under
/// them) and single YAML or Markdown files. A single file inside a workspace is read together
/// with the rest of that workspace, so that its references resolve; only the named file's
/// findings are reported.
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut loader = Loader::new();
    let mut root = None;
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut context_files: Vec<(String, PathBuf)> = Vec::new();
    for path in paths {
        if path.is_dir() {
            let ws_file = ["throughline.yaml", "throughline.yml"]
                .iter()
                .map(|f| path.join(f))
                .find(|p| p.is_file());
            if ws_file.is_none() {
                loader.error(
                    Diagnostic::error("unreadable-file", format!("{} is not a workspace: it has no throughline.yaml", path.display()))
                        .in_file(path.display().to_string())
                        .help(format!("run `throughline init {}` to create one, or pass the YAML or Markdown files to check", path.display())),
                );
                continue;
            }
            root.get_or_insert_with(|| path.clone());
            let (yaml, pages) = workspace_files(path, &mut loader);
            for f in yaml {
                if remember(&mut seen, &f) {
                    read_into(&mut loader, &display_name(path, &f), &f);
                }
            }
            workspace_pages(path, pages, &mut loader, &mut seen);
        } else {
            if remember(&mut seen, path) {
                read_into(&mut loader, &path.display().to_string(), path);
            }
            if let Some(ws) = enclosing_workspace(path) {
                root.get_or_insert_with(|| ws.clone());
                for f in workspace_files(&ws, &mut loader).0 {
                    context_files.push((display_name(&ws, &f), f));
                }
            }
        }
    }
    let first_context = loader.loaded.sources.files().count();
    for (name, f) in context_files {
        if remember(&mut seen, &f) {
            read_into(&mut loader, &name, &f);
        }
    }
    let context: Vec<FileId> = loader
        .loaded
        .sources
        .files()
        .map(|(id, _)| id)
        .skip(first_context)
        .collect();
    let mut loaded = loader.finish();
    loaded.root = root;
    loaded.context = context;
    loaded
}

/// Records a file as read; false if it was read already.
fn remember(seen: &mut Vec<PathBuf>, path: &Path) -> bool {
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if seen.contains(&key) {
        return false;
    }
    seen.push(key);
    true
}

/// The workspace folder above a file: the nearest ancestor with a throughline.yaml, not
/// looking past the top of a git repository.
fn enclosing_workspace(file: &Path) -> Option<PathBuf> {
    let mut dir = file.parent()?.to_path_buf();
    if dir.as_os_str().is_empty() {
        dir = PathBuf::from(".");
    }
    for _ in 0..32 {
        if dir.join("throughline.yaml").is_file() || dir.join("throughline.yml").is_file() {
            return Some(dir);
        }
        if dir.join(".git").exists() {
            return None;
        }
        let up = if dir == Path::new(".") {
            PathBuf::from("..")
        } else {
            dir.join("..")
        };
        if std::fs::canonicalize(&up).ok()? == std::fs::canonicalize(&dir).ok()? {
            return None;
        }
        dir = up;
    }
    None
}

/// The Markdown pages of a workspace: those `pages:` lists are read with it; any other
/// page under it that reads as an OKR page is named in an `unlisted-okr-page` warning, so
/// that no OKR page is passed over while `check` says nothing.
fn workspace_pages(root: &Path, pages: Vec<PathBuf>, loader: &mut Loader, seen: &mut Vec<PathBuf>) {
    let patterns: Vec<Text> = loader.loaded.workspace.settings.pages.clone();
    let mut matched = vec![false; patterns.len()];
    for f in pages {
        let rel = f
            .strip_prefix(root)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        let listed: Vec<usize> = (0..patterns.len())
            .filter(|&k| glob_match(patterns[k].value.trim_start_matches("./"), &rel))
            .collect();
        for &k in &listed {
            matched[k] = true;
        }
        let name = display_name(root, &f);
        if !listed.is_empty() {
            if remember(seen, &f) {
                read_into(loader, &name, &f);
            }
            continue;
        }
        // not listed: a page that reads as OKRs is named, anything else (a README) is not
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if text.len() > MAX_FILE_BYTES as usize {
            continue;
        }
        let mut scratch = SourceMap::default();
        let id = scratch.add(name.as_str(), &f, text.clone());
        let read = crate::markdown::parse_markdown(&text, id, &name);
        let krs: usize = read.objectives.iter().map(|o| o.key_results.len()).sum();
        let doubtful = read
            .diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error);
        if read.objectives.is_empty() || krs == 0 || doubtful {
            continue;
        }
        let file = loader.loaded.sources.add(name.as_str(), &f, text);
        let src = &loader.loaded.sources.get(file).expect("just added").text;
        let span = Span::at(file, src, 0, 0);
        loader.loaded.diagnostics.push(
            Diagnostic::warning(
                "unlisted-okr-page",
                format!(
                    "{name} reads as an OKR page ({} objective{}, {krs} key result{}) but is not under `pages:` in throughline.yaml: nothing on it was checked or measured",
                    read.objectives.len(),
                    if read.objectives.len() == 1 { "" } else { "s" },
                    if krs == 1 { "" } else { "s" },
                ),
            )
            .at(span)
            .help(format!(
                "list it in throughline.yaml (`pages: [{}]`, or a glob such as `okrs/*.md`), or check it alone with `throughline check {name}`",
                f.strip_prefix(root).unwrap_or(&f).display()
            )),
        );
    }
    for (k, p) in patterns.iter().enumerate() {
        if !matched[k] {
            loader.loaded.diagnostics.push(
                Diagnostic::error(
                    "unreadable-file",
                    format!("`pages:` entry `{}` matches no Markdown file in the workspace", p.value),
                )
                .at(p.span)
                .help("give the page's path relative to the workspace folder, e.g. `okrs/2026-q3.md`, or a glob such as `okrs/*.md`"),
            );
        }
    }
}

/// `okrs/*.md`, `**/okrs.md`, `handbook/okrs/fy24-q*.md`: `*` matches within a folder's name,
/// `**` any number of folders.
fn glob_match(pattern: &str, path: &str) -> bool {
    fn seg(p: &str, s: &str) -> bool {
        match p.find('*') {
            None => p == s,
            Some(i) => {
                let (head, tail) = (&p[..i], &p[i + 1..]);
                s.starts_with(head)
                    && (head.len()..=s.len())
                        .filter(|&k| s.is_char_boundary(k))
                        .any(|k| seg(tail, &s[k..]))
            }
        }
    }
    fn parts(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => parts(&p[1..], s) || (!s.is_empty() && parts(p, &s[1..])),
            (Some(a), Some(b)) => seg(a, b) && parts(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<&str> = pattern.split('/').filter(|x| !x.is_empty()).collect();
    let s: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    parts(&p, &s)
}

/// The workspace's YAML files and its Markdown pages, sorted.
fn workspace_files(root: &Path, loader: &mut Loader) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut yaml, mut pages) = (Vec::new(), Vec::new());
    collect(root, 0, &mut yaml, &mut pages, loader);
    yaml.sort();
    pages.sort();
    (yaml, pages)
}

fn display_name(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let joined = if root == Path::new(".") {
        rel.to_path_buf()
    } else {
        root.join(rel)
    };
    joined.display().to_string()
}

fn read_into(loader: &mut Loader, name: &str, path: &Path) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            let help = if e.kind() == std::io::ErrorKind::NotFound {
                "check the path; `throughline check` takes a workspace folder or YAML/Markdown files"
            } else {
                "check the file's permissions"
            };
            loader.error(
                Diagnostic::error("unreadable-file", format!("cannot read {name}: {e}"))
                    .in_file(name)
                    .help(help),
            );
            return;
        }
    };
    if meta.len() > MAX_FILE_BYTES {
        loader.error(
            Diagnostic::error("unreadable-file", format!("{name} is {:.1} MB; workspace files are limited to {} MB", meta.len() as f64 / 1e6, MAX_FILE_BYTES / 1024 / 1024))
                .in_file(name)
                .help("workspace files hold definitions, not data: split it into several files, and point `sources:` at data files instead"),
        );
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => loader.add_bytes(name, path, bytes),
        Err(e) => loader.error(
            Diagnostic::error("unreadable-file", format!("cannot read {name}: {e}"))
                .in_file(name)
                .help("check the file's permissions"),
        ),
    }
}

/// Folders never searched for workspace files.
const SKIP_DIRS: &[&str] = &["target", "node_modules", "data"];

/// The workspace's files under `dir`, in one walk: YAML into `yaml`, Markdown pages into
/// `pages` (hidden and build folders skipped; a folder that cannot be listed is an error).
fn collect(
    dir: &Path,
    depth: usize,
    yaml: &mut Vec<PathBuf>,
    pages: &mut Vec<PathBuf>,
    loader: &mut Loader,
) {
    if depth > 16 {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            loader.error(
                Diagnostic::error(
                    "unreadable-file",
                    format!("cannot list {}: {e}", dir.display()),
                )
                .in_file(dir.display().to_string())
                .help("check the folder's permissions"),
            );
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if !SKIP_DIRS.contains(&name.as_ref()) {
                collect(&path, depth + 1, yaml, pages, loader);
            }
        } else if ft.is_file() || ft.is_symlink() {
            if name.ends_with(".yaml") || name.ends_with(".yml") {
                yaml.push(path);
            } else if [".md", ".mdx", ".markdown"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                pages.push(path);
            }
        }
    }
}
