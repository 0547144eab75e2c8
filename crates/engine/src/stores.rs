//! Sources in object storage: `path: s3://bucket/prefix/*.parquet` (or `gs://`, `az://`).
//!
//! DataFusion reads every file through an object store looked up by the URL's scheme and
//! bucket. [`FromEnv`] is the registry every session of the engine, the cluster's scheduler
//! and its executors use: a bucket met for the first time gets a store made from the
//! standard environment variables of its cloud (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_REGION`, `AWS_ENDPOINT` for an S3-compatible server, `AWS_ALLOW_HTTP=true` for one
//! without TLS; `GOOGLE_SERVICE_ACCOUNT`; `AZURE_STORAGE_ACCOUNT_NAME`,
//! `AZURE_STORAGE_ACCOUNT_KEY`). So each process reads the objects itself with its own
//! credentials, and nothing depends on one machine's files.

use std::sync::Arc;

use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use url::Url;

/// The clouds whose object stores a source's `path:` may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cloud {
    S3,
    Gcs,
    Azure,
}

impl Cloud {
    /// The cloud of a URL scheme (any case), `None` for a scheme that is not an object store.
    fn of(scheme: &str) -> Option<Cloud> {
        match scheme.to_ascii_lowercase().as_str() {
            "s3" | "s3a" => Some(Cloud::S3),
            "gs" => Some(Cloud::Gcs),
            "az" | "azure" | "abfs" | "abfss" | "adl" => Some(Cloud::Azure),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Cloud::S3 => "Amazon S3",
            Cloud::Gcs => "Google Cloud Storage",
            Cloud::Azure => "Azure Storage",
        }
    }

    /// A store for the bucket (or container) of `url`, with the environment's credentials.
    fn store(self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        let at = url.as_str();
        let built: object_store::Result<Arc<dyn ObjectStore>> = match self {
            Cloud::S3 => AmazonS3Builder::from_env()
                .with_url(at)
                .build()
                .map(|s| Arc::new(s) as _),
            Cloud::Gcs => GoogleCloudStorageBuilder::from_env()
                .with_url(at)
                .build()
                .map(|s| Arc::new(s) as _),
            Cloud::Azure => MicrosoftAzureBuilder::from_env()
                .with_url(at)
                .build()
                .map(|s| Arc::new(s) as _),
        };
        built.map_err(|e| {
            DataFusionError::Configuration(format!(
                "cannot open {} for {}://{}: {e}; set the credentials in the environment of every process that reads it",
                self.name(),
                url.scheme(),
                url.host_str().unwrap_or_default()
            ))
        })
    }
}

/// Whether a source's `path:` names objects in a store rather than local files.
pub fn is_object_url(path: &str) -> bool {
    path.split_once("://")
        .is_some_and(|(scheme, _)| Cloud::of(scheme).is_some())
}

/// DataFusion's registry, which makes a store from the environment for a bucket it does
/// not know yet.
#[derive(Debug, Default)]
pub struct FromEnv {
    known: DefaultObjectStoreRegistry,
}

impl FromEnv {
    /// A registry for a session's runtime.
    pub fn shared() -> Arc<dyn ObjectStoreRegistry> {
        Arc::new(FromEnv::default())
    }
}

impl ObjectStoreRegistry for FromEnv {
    fn register_store(
        &self,
        url: &Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        self.known.register_store(url, store)
    }

    fn deregister_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        self.known.deregister_store(url)
    }

    fn get_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        let known = self.known.get_store(url);
        match (known, Cloud::of(url.scheme())) {
            (Err(_), Some(cloud)) => {
                let store = cloud.store(url)?;
                // kept under the URL's scheme and bucket, as every registry keys its stores
                self.known.register_store(url, store.clone());
                Ok(store)
            }
            (known, _) => known,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_urls() {
        assert!(is_object_url("s3://lake/events/*.parquet"));
        assert!(is_object_url("GS://lake/events.parquet"));
        assert!(is_object_url("az://container/x.csv"));
        assert!(!is_object_url("data/events/*.parquet"));
        assert!(!is_object_url("/abs/events.parquet"));
        assert!(!is_object_url("file:///abs/events.parquet"));
        assert!(!is_object_url("http://host/x.parquet"));
    }

    #[test]
    fn a_bucket_gets_a_store_once_and_local_files_still_read() {
        let r = FromEnv::default();
        let a = r
            .get_store(&Url::parse("s3://lake/events/part-0.parquet").unwrap())
            .unwrap();
        let b = r
            .get_store(&Url::parse("s3://lake/users.parquet").unwrap())
            .unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(r.get_store(&Url::parse("file:///tmp").unwrap()).is_ok());
        assert!(r.get_store(&Url::parse("http://host/x").unwrap()).is_err());
    }
}
