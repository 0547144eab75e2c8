//! The work shared by every metric of a request, done once: the events are read and
//! filtered to the event names and columns the metrics use, and joined to the users'
//! dimension when segmenting (streamed from the files by each plan, never held in memory);
//! a per-user, per-day activity roll-up (user, day, a bit per event name the activity metrics
//! filter on) serves active users, churn and stickiness. The roll-up is written once to a
//! temporary Parquet file and read from there, so its size on disk, not in memory, grows with
//! the data.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use datafusion::logical_expr::JoinType;
use datafusion::prelude::*;

use throughline_model::Metric;

use crate::error::{EngineError, df};
use crate::join::JoinNamed;
use crate::sources::{EVENT, SIGNUP, TS, Tables, USER, column_type};
use crate::time::Calendar;
use throughline_model::Grain;

pub(crate) const SEGMENT: &str = "segment";
pub(crate) const DAY: &str = "day";
/// The activity roll-up's bits: which of the activity metrics' event names the user had that day.
pub(crate) const MASK: &str = "mask";
/// The segment of users without a row in the users table (or with no value).
pub(crate) const NO_SEGMENT: &str = "(none)";

/// What a set of metrics reads.
#[derive(Debug, Default)]
pub(crate) struct Needs {
    /// Event names read; `None` inside means every event.
    pub events: BTreeSet<String>,
    pub all_events: bool,
    /// Event columns read (properties and filter columns).
    pub columns: BTreeSet<String>,
    pub activity: bool,
    /// Event names the activity metrics filter on (a bit each in the roll-up).
    pub activity_events: BTreeSet<String>,
}

impl Needs {
    pub fn add(&mut self, m: &Metric) {
        let Some(c) = &m.compute else { return };
        for e in c.value.events() {
            match e {
                Some(e) => {
                    self.events.insert(e.value.clone());
                }
                None => self.all_events = true,
            }
        }
        self.columns.extend(c.value.columns());
        if let Some(e) = c.value.activity() {
            self.activity = true;
            self.activity_events.extend(e.map(|e| e.value.clone()));
        }
    }
}

/// The tables metric plans read.
#[derive(Clone)]
pub(crate) struct Inputs {
    /// `user_id`, `ts`, `event`, the needed columns, and `segment` when segmenting.
    pub events: DataFrame,
    /// `user_id`, `day` (local midnight), `mask`, and `segment`: one row per user and day
    /// with at least one event.
    pub activity: Option<DataFrame>,
    /// The bit of `mask` of each event name the activity metrics filter on.
    pub activity_bits: BTreeMap<String, i64>,
    /// The folder holding the materialized roll-up, removed when the inputs are dropped.
    _scratch: Option<Arc<tempfile::TempDir>>,
    /// `user_id`, `signup_ts`, and `segment` when segmenting.
    pub users: Option<DataFrame>,
    /// The dimension segmented by.
    pub by: Option<String>,
    /// Every column of the events source, for messages.
    pub event_columns: Vec<String>,
    /// The session the sources are registered in (for `sql` metrics).
    pub session: SessionContext,
}

impl Inputs {
    /// Whether values are split by a dimension (every plan then carries `segment`).
    pub fn segmented(&self) -> bool {
        self.by.is_some()
    }

    /// `first`, followed by `segment` when segmenting: the leading columns of a plan.
    pub fn keyed(&self, first: Expr) -> Vec<Expr> {
        let mut cols = vec![first];
        if self.segmented() {
            cols.push(col(SEGMENT));
        }
        cols
    }

    /// Builds the shared inputs; `materialize` computes the activity roll-up now, into a
    /// temporary file under `scratch` (else the plans show it computed from the sources, for
    /// `--explain`).
    // Long because it builds the shared inputs in order (events, users and their segment, the
    // activity roll-up); each step depends on the previous one's frames.
    pub async fn build(
        session: &SessionContext,
        t: &Tables,
        needs: &Needs,
        by: Option<&str>,
        cal: &Calendar,
        materialize: Option<&std::path::Path>,
    ) -> Result<Inputs, EngineError> {
        let mut events = t.events.clone();
        if !needs.all_events {
            let names: Vec<Expr> = needs.events.iter().map(|e| lit(e.clone())).collect();
            events = events
                .filter(col(EVENT).in_list(names, false))
                .map_err(|e| df("selecting events", e))?;
        }
        let mut cols = vec![col(USER), col(TS), col(EVENT)];
        for c in &needs.columns {
            if column_type(&events, c).is_some() {
                cols.push(ident(c.clone()));
            }
        }
        events = events
            .select(cols)
            .map_err(|e| df("selecting columns", e))?;
        let unsegmented = events.clone();
        let mut users = t.users.clone();
        if let Some(dim) = by {
            let u = users.clone().ok_or_else(|| {
                EngineError::new(
                    format!("cannot segment by `{dim}`: the workspace has no `users` source"),
                    "add a `users` source with `dimensions:` to throughline.yaml",
                )
            })?;
            if !t.dimensions.iter().any(|d| d == dim) {
                let help = match throughline_model::did_you_mean(
                    dim,
                    t.dimensions.iter().map(String::as_str),
                ) {
                    Some(s) => format!(
                        "did you mean `{s}`? the dimensions are: {}",
                        t.dimensions.join(", ")
                    ),
                    None if t.dimensions.is_empty() => {
                        "declare `dimensions:` on the users source in throughline.yaml".into()
                    }
                    None => format!("the dimensions are: {}", t.dimensions.join(", ")),
                };
                return Err(EngineError::new(
                    format!("`{dim}` is not a dimension of the users source"),
                    help,
                ));
            }
            let u = u
                .select(vec![
                    col(USER),
                    col(SIGNUP),
                    coalesce(vec![ident(dim), lit(NO_SEGMENT)]).alias(SEGMENT),
                ])
                .map_err(|e| df("segmenting", e))?;
            let right = u
                .clone()
                .select(vec![
                    col(USER).alias("__user"),
                    col(SEGMENT).alias("__segment"),
                ])
                .map_err(|e| df("segmenting", e))?;
            // users without a row in the users table keep their events, in `(none)`
            let mut keep: Vec<Expr> = events
                .schema()
                .fields()
                .iter()
                .map(|f| ident(f.name()))
                .collect();
            keep.push(coalesce(vec![col("__segment"), lit(NO_SEGMENT)]).alias(SEGMENT));
            events = events
                .join_named(right, JoinType::Left, &[USER], &["__user"], None)
                .and_then(|d| d.select(keep))
                .map_err(|e| df("joining users", e))?;
            users = Some(u);
        } else if let Some(u) = users {
            users = Some(
                u.select(vec![col(USER), col(SIGNUP)])
                    .map_err(|e| df("reading users", e))?,
            );
        }
        let bits: BTreeMap<String, i64> = needs
            .activity_events
            .iter()
            .take(62)
            .enumerate()
            .map(|(i, e)| (e.clone(), 1i64 << i))
            .collect();
        let (activity, scratch) = if needs.activity {
            let a = rollup(unsegmented, &bits, cal)?;
            let a = match (by, &users) {
                (Some(_), Some(u)) => {
                    let right = u
                        .clone()
                        .select(vec![
                            col(USER).alias("__user"),
                            col(SEGMENT).alias("__segment"),
                        ])
                        .map_err(|e| df("segmenting", e))?;
                    a.join_named(right, JoinType::Left, &[USER], &["__user"], None)
                        .and_then(|d| {
                            d.select(vec![
                                col(USER),
                                col(DAY),
                                col(MASK),
                                coalesce(vec![col("__segment"), lit(NO_SEGMENT)]).alias(SEGMENT),
                            ])
                        })
                        .map_err(|e| df("segmenting activity", e))?
                }
                _ => a,
            };
            match materialize {
                Some(dir) => {
                    let (frame, tmp) = materialized(session, a, dir).await?;
                    (Some(frame), Some(Arc::new(tmp)))
                }
                None => (Some(a), None),
            }
        } else {
            (None, None)
        };
        Ok(Inputs {
            events,
            activity,
            activity_bits: bits,
            _scratch: scratch,
            users,
            by: by.map(String::from),
            event_columns: t
                .events
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .filter(|n| n != crate::sources::RAW_TIME)
                .collect(),
            session: session.clone(),
        })
    }
}

/// One row per user and day with an event: `user_id`, `day`, and `mask` (the bits of the
/// activity metrics' event names seen that day).
fn rollup(
    events: DataFrame,
    bits: &BTreeMap<String, i64>,
    cal: &Calendar,
) -> Result<DataFrame, EngineError> {
    use datafusion::functions_aggregate::expr_fn::bit_or;
    let mask = if bits.is_empty() {
        lit(0i64)
    } else {
        let mut case = datafusion::logical_expr::case(col(EVENT));
        for (name, bit) in bits {
            case = case.when(lit(name.clone()), lit(*bit));
        }
        case.otherwise(lit(0i64))
            .map_err(|e| df("rolling up activity", e))?
    };
    events
        .aggregate(
            vec![col(USER), cal.bucket(Grain::Day, col(TS)).alias(DAY)],
            vec![bit_or(mask).alias(MASK)],
        )
        .map_err(|e| df("rolling up activity", e))
}

/// Runs `frame` into Parquet files in a new folder under `dir` and reads them back.
async fn materialized(
    session: &SessionContext,
    frame: DataFrame,
    dir: &std::path::Path,
) -> Result<(DataFrame, tempfile::TempDir), EngineError> {
    let tmp = tempfile::Builder::new()
        .prefix("throughline-")
        .tempdir_in(dir)
        .map_err(|e| {
            EngineError::new(
                format!("cannot make a scratch folder in {}: {e}", dir.display()),
                "set THROUGHLINE_SPILL_DIR to a folder with free space",
            )
        })?;
    let path = tmp.path().join("activity");
    let path = path.to_string_lossy().to_string();
    frame
        .write_parquet(
            &path,
            datafusion::dataframe::DataFrameWriteOptions::new(),
            None,
        )
        .await
        .map_err(|e| df("writing the activity roll-up", e))?;
    let read = session
        .read_parquet(&path, ParquetReadOptions::default())
        .await
        .map_err(|e| df("reading the activity roll-up", e))?;
    Ok((read, tmp))
}
