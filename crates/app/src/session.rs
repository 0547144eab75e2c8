//! What every use case runs against: the workspace, the folder its paths are relative to,
//! and how the engine may use the machine (memory limit, spill folder, cluster), given once
//! by the command line's flags or the server's settings. The engine and the store are opened
//! here and nowhere else outside their own crates, so every command that computes honours the
//! same options.

use std::path::{Path, PathBuf};

use throughline_engine::{Engine, EngineError, EngineOptions};
use throughline_model::Workspace;
use throughline_store::{Store, StoreError};

pub struct Session<'w> {
    workspace: &'w Workspace,
    root: PathBuf,
    options: EngineOptions,
}

impl<'w> Session<'w> {
    pub fn new(workspace: &'w Workspace, root: &Path, options: EngineOptions) -> Self {
        Session {
            workspace,
            root: root.to_path_buf(),
            options,
        }
    }

    pub fn workspace(&self) -> &'w Workspace {
        self.workspace
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The engine over the workspace's sources, with the session's options (`--cluster`
    /// before `cluster:` in throughline.yaml). What opening learns of each event file is kept
    /// in [`Session::cache_dir`], so that the next opening scans only the files changed since.
    pub async fn engine(&self) -> Result<Engine, EngineError> {
        self.opened(true).await
    }

    /// [`Session::engine`] scanning every event file again (`measure --full`), and keeping
    /// what it learns.
    pub async fn engine_scanning_all(&self) -> Result<Engine, EngineError> {
        self.opened(false).await
    }

    async fn opened(&self, read: bool) -> Result<Engine, EngineError> {
        let mut options = self.options.clone();
        if options.opening_cache.is_none() {
            options.opening_cache = Some(throughline_engine::OpeningCache {
                dir: self.cache_dir(),
                read,
            });
        }
        Engine::open_with(self.workspace, &self.root, &options).await
    }

    /// Where measurements keep what lets the next one recompute only what changed (see
    /// [`throughline_engine::Refresh`]): `.throughline/cache` in the workspace folder.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(".throughline").join("cache")
    }

    /// The workspace's store (see [`open_store`]).
    pub async fn store(&self) -> Result<Store, StoreError> {
        open_store(self.workspace, &self.root).await
    }
}

/// The workspace's store: `store:` in throughline.yaml, or the default SQLite file, relative
/// to `root`. For the commands that read and write the store without computing.
pub async fn open_store(workspace: &Workspace, root: &Path) -> Result<Store, StoreError> {
    Store::open(crate::store_url(workspace), root).await
}
