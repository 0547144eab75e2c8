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
use object_store::ObjectMeta;

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

/// The files `pattern` names with extension `ext`, sorted, each with its URL. An error
/// containing "No files found" when there are none.
pub(crate) async fn files(
    ctx: &SessionContext,
    pattern: &str,
    ext: &str,
) -> Result<Vec<(ListingTableUrl, ObjectMeta)>> {
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
    found
        .into_iter()
        .map(|m| {
            Ok((
                ListingTableUrl::parse(format!("{base}{sep}{}", m.location))?,
                m,
            ))
        })
        .collect()
}

/// The schema of the files, read from every one of them (empty files read as nothing), as
/// DataFusion does for a pattern.
pub(crate) async fn schema(
    ctx: &SessionContext,
    pattern: &str,
    options: &ListingOptions,
) -> Result<Schema> {
    let found = files(ctx, pattern, &options.file_extension).await?;
    schema_of(ctx, pattern, options, &found).await
}

async fn schema_of(
    ctx: &SessionContext,
    pattern: &str,
    options: &ListingOptions,
    found: &[(ListingTableUrl, ObjectMeta)],
) -> Result<Schema> {
    let metas: Vec<ObjectMeta> = found
        .iter()
        .map(|(_, m)| m.clone())
        .filter(|m| m.size > 0)
        .collect();
    let store = ctx.runtime_env().object_store(table_url(pattern)?)?;
    let schema = options
        .format
        .infer_schema(&ctx.state(), &store, &metas)
        .await?;
    Ok(schema.as_ref().clone())
}

/// Registers `name` as the table of the files `pattern` names, with `schema`, or the one
/// read from every file; the pattern is listed once.
pub(crate) async fn register(
    ctx: &SessionContext,
    name: &str,
    pattern: &str,
    options: ListingOptions,
    schema: Option<&Schema>,
) -> Result<()> {
    let found = files(ctx, pattern, &options.file_extension).await?;
    let schema = match schema {
        Some(s) => s.clone(),
        None => schema_of(ctx, pattern, &options, &found).await?,
    };
    let paths: Vec<ListingTableUrl> = found.into_iter().map(|(u, _)| u).collect();
    let config = ListingTableConfig::new_with_multi_paths(paths)
        .with_listing_options(options)
        .with_schema(Arc::new(schema));
    ctx.register_table(name, Arc::new(ListingTable::try_new(config)?))?;
    Ok(())
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
