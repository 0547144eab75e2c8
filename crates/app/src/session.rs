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
    /// before `cluster:` in throughline.yaml).
    pub async fn engine(&self) -> Result<Engine, EngineError> {
        Engine::open_with(self.workspace, &self.root, &self.options).await
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
