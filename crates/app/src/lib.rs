//! throughline's use cases, shared by the command line and the server: validating check-ins
//! against the workspace, turning computed values into snapshots and stored records into what
//! the arithmetic reads, analyzing experiments, and gathering the weekly review's inputs from
//! the engine once so the review can be rebuilt from them and the store without touching the
//! event data again.

pub mod checkin;
pub mod compare;
pub mod dashboard;
pub mod decision;
pub mod error;
pub mod experiment;
pub mod key_results;
pub mod measure;
pub mod notify;
pub mod review;
pub mod score;
pub mod series;
pub mod session;
pub mod status;
pub mod views;

pub use checkin::{CheckInRequest, find_key_result, plain_text, validate_checkin};
pub use error::Error;
pub use review::ReviewData;
pub use session::Session;
pub use views::{DEFAULT_STORE, checkin_views, decision_views, snapshots, store_url, tz};
