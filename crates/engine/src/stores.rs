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

/// The schemes of the object stores a source's `path:` may name.
pub const SCHEMES: [&str; 8] = ["s3", "s3a", "gs", "az", "azure", "abfs", "abfss", "adl"];

/// Whether a source's `path:` names objects in a store rather than local files.
pub fn is_object_url(path: &str) -> bool {
    path.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()))
}

/// Which cloud a scheme belongs to, for messages.
fn cloud(scheme: &str) -> &'static str {
    match scheme {
        "s3" | "s3a" => "Amazon S3",
        "gs" => "Google Cloud Storage",
        _ => "Azure Storage",
    }
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

/// A store for the bucket (or container) of `url`, with the environment's credentials.
fn from_env(url: &Url) -> Result<Arc<dyn ObjectStore>> {
    let scheme = url.scheme().to_ascii_lowercase();
    let at = url.as_str();
    let built: object_store::Result<Arc<dyn ObjectStore>> = match scheme.as_str() {
        "s3" | "s3a" => AmazonS3Builder::from_env()
            .with_url(at)
            .build()
            .map(|s| Arc::new(s) as _),
        "gs" => GoogleCloudStorageBuilder::from_env()
            .with_url(at)
            .build()
            .map(|s| Arc::new(s) as _),
        _ => MicrosoftAzureBuilder::from_env()
            .with_url(at)
            .build()
            .map(|s| Arc::new(s) as _),
    };
    built.map_err(|e| {
        DataFusionError::Configuration(format!(
            "cannot open {} for {}://{}: {e}; set the credentials in the environment of every process that reads it",
            cloud(&scheme),
            scheme,
            url.host_str().unwrap_or_default()
        ))
    })
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
        match self.known.get_store(url) {
            Ok(store) => Ok(store),
            Err(e) if !SCHEMES.contains(&url.scheme().to_ascii_lowercase().as_str()) => Err(e),
            Err(_) => {
                let store = from_env(url)?;
                // the bucket's root: later paths in it find this store
                let root = Url::parse(&format!(
                    "{}://{}",
                    url.scheme(),
                    &url[url::Position::BeforeHost..url::Position::AfterPort]
                ))
                .map_err(|e| DataFusionError::Configuration(e.to_string()))?;
                self.known.register_store(&root, store.clone());
                Ok(store)
            }
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
