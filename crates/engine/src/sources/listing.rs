//! A file source as a table over the files its `path:` names, each named by its own URL.
//!
//! DataFusion keeps a glob (`data/events/2026-*.parquet`) beside a table's URL, but its plan
//! encoding keeps the URL only: a plan sent to a cluster arrived as "every file in
//! `data/events/`", so the executors read files the pattern leaves out, and the numbers
//! changed without a word. And `s3://…/*.parquet` was not a pattern at all: DataFusion reads
//! globs only in local paths. So the pattern is resolved here, once, through the same object
//! store the plans read from, and the table lists the files it found: the same files in
//! this process, on every executor, and in S3 as on disk.

use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};

/// `pattern` (an absolute local path or an object URL, with or without a glob) as
/// DataFusion's table URL with its glob.
fn table_url(pattern: &str) -> Result<ListingTableUrl> {
    if !crate::stores::is_object_url(pattern) {
        return ListingTableUrl::parse(pattern);
    }
    let Some(star) = pattern.find(['*', '?', '[']) else {
        return ListingTableUrl::parse(pattern);
    };
    // the folder before the first glob character, and the rest as a pattern below it
    let cut = pattern[..star].rfind('/').map_or(0, |i| i + 1);
    let (folder, glob) = pattern.split_at(cut);
    let url = url::Url::parse(folder).map_err(|e| DataFusionError::External(Box::new(e)))?;
    let glob = glob::Pattern::new(glob).map_err(|e| DataFusionError::External(Box::new(e)))?;
    ListingTableUrl::try_new(url, Some(glob))
}

/// The files a source's pattern names, listed once, and the store they are read from.
pub(crate) struct Files {
    store: Arc<dyn ObjectStore>,
    /// Sorted by location, each with its URL.
    found: Vec<(ListingTableUrl, ObjectMeta)>,
}

/// The files `pattern` names with extension `ext`. An error containing "No files found" when
/// there are none.
pub(crate) async fn list(ctx: &SessionContext, pattern: &str, ext: &str) -> Result<Files> {
    let url = table_url(pattern)?;
    let state = ctx.state();
    let store = ctx.runtime_env().object_store(&url)?;
    let mut found: Vec<ObjectMeta> = url
        .list_all_files(&state, store.as_ref(), ext)
        .await?
        .try_collect()
        .await?;
    if found.is_empty() {
        return Err(DataFusionError::Plan(format!(
            "No files found at {pattern}"
        )));
    }
    found.sort_by(|a, b| a.location.cmp(&b.location));
    let base = url.object_store();
    let base = base.as_str();
    let sep = if base.ends_with('/') { "" } else { "/" };
    let found = found
        .into_iter()
        .map(|m| {
            Ok((
                ListingTableUrl::parse(format!("{base}{sep}{}", m.location))?,
                m,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(Files { store, found })
}

impl Files {
    /// Keeps the files whose URL `keep` accepts.
    pub(crate) fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.found.retain(|(url, _)| keep(url.as_str()));
    }

    /// Each file's URL, in order.
    pub(crate) fn urls(&self) -> impl Iterator<Item = &ListingTableUrl> {
        self.found.iter().map(|(u, _)| u)
    }

    /// Each file's URL and what the listing says of it (its size), in order.
    pub(crate) fn objects(&self) -> impl Iterator<Item = (&ListingTableUrl, &ObjectMeta)> {
        self.found.iter().map(|(u, m)| (u, m))
    }

    /// The first line of a file (with its line break), read by ranges from the start: a
    /// header, without reading the rows below it.
    pub(crate) async fn first_line(&self, meta: &ObjectMeta) -> Result<Vec<u8>> {
        let mut len = 64 * 1024u64;
        loop {
            let end = len.min(meta.size);
            let head = self.store.get_range(&meta.location, 0..end).await?;
            if let Some(i) = head.iter().position(|&b| b == b'\n') {
                return Ok(head[..=i].to_vec());
            }
            if end == meta.size {
                return Ok(head.to_vec());
            }
            len *= 4;
        }
    }

    /// The schema of the files, read from every one of them, as DataFusion does for a
    /// pattern. (An empty file is refused before: see `files`.)
    pub(crate) async fn schema(
        &self,
        ctx: &SessionContext,
        options: &ListingOptions,
    ) -> Result<Schema> {
        let metas: Vec<ObjectMeta> = self.found.iter().map(|(_, m)| m.clone()).collect();
        let schema = options
            .format
            .infer_schema(&ctx.state(), &self.store, &metas)
            .await?;
        Ok(schema.as_ref().clone())
    }

    /// Registers `name` as the table of these files, with `schema`, or the one read from
    /// every file.
    pub(crate) async fn register(
        &self,
        ctx: &SessionContext,
        name: &str,
        options: ListingOptions,
        schema: Option<&Schema>,
    ) -> Result<()> {
        let schema = match schema {
            Some(s) => s.clone(),
            None => self.schema(ctx, &options).await?,
        };
        let config = ListingTableConfig::new_with_multi_paths(self.urls().cloned().collect())
            .with_listing_options(options)
            .with_schema(Arc::new(schema));
        ctx.register_table(name, Arc::new(ListingTable::try_new(config)?))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_globs_keep_their_folder_and_pattern() {
        let u = table_url("s3://lake/events/2026-*/part-*.parquet").unwrap();
        assert_eq!(u.as_str(), "s3://lake/events/");
        assert!(u.contains(&"events/2026-01/part-0.parquet".into(), false));
        assert!(!u.contains(&"events/2025-12/part-0.parquet".into(), false));
        assert!(!u.contains(&"events/2026-01/stale-0.parquet".into(), false));
        // no glob: the URL as it is
        let u = table_url("s3://lake/users.parquet").unwrap();
        assert_eq!(u.as_str(), "s3://lake/users.parquet");
    }
}
