//! A cohort's joins in parts, by user. Conversion, duration, retention and the funnel join each
//! cohort user to their events with a hash join, which holds one side whole in memory (it
//! cannot spill): at 1B events a cohort of 80M users did not fit in the default limit. Every
//! row such a join and the per-user grouping after it see is of one user, so the users can be
//! split into parts by a hash of their id and each part joined alone: the inputs are written
//! once to the scratch folder, one folder per part, then each part is joined and grouped and
//! its per-user rows written, and the plan reads them all back. A part holds about
//! `1 / parts` of the users, the same rows come out, and the time grows by the writing and
//! reading. A measurement uses parts when a join ran out of the memory limit
//! (`Engine::compute`), or from the start with `EngineOptions::join_parts`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::*;

use super::Builder;
use crate::error::{EngineError, df};

/// The column a side's rows are split by when written.
const PART: &str = "__part";

/// How a measurement splits its cohort joins.
#[derive(Clone, Debug)]
pub(crate) struct Parts {
    /// How many parts (1: none, the join is planned as it is).
    pub count: u32,
    /// The scratch folder parts are written under; none (the plans run in a database or on
    /// a cluster, where the rows are not here to write): no parts.
    pub dir: Option<PathBuf>,
    /// The folders written, removed when the last copy of these parts is dropped (after the
    /// plans that read them ran).
    kept: Arc<Mutex<Vec<tempfile::TempDir>>>,
}

impl Parts {
    pub fn new(count: u32, dir: Option<PathBuf>) -> Parts {
        Parts {
            count: count.max(1),
            dir,
            kept: Arc::default(),
        }
    }

    /// `count` parts in the same folder, whose files are their own: removed when the last
    /// copy of these is dropped, not kept for the whole measurement (at 1B events one
    /// metric's parts took 4 to 13 GB).
    pub fn with_count(&self, count: u32) -> Parts {
        Parts::new(count, self.dir.clone())
    }

    /// Whether a measurement can split its joins at all.
    pub fn possible(&self) -> bool {
        self.dir.is_some()
    }
}

impl Builder<'_> {
    /// `build` run on `sides` (each a frame and its user column), whose result's rows each
    /// belong to one user (a join on the user, grouped by user): as it is with one part, else
    /// part by part as the module's documentation says.
    pub(crate) async fn in_parts(
        &self,
        sides: Vec<(DataFrame, &str)>,
        build: impl Fn(Vec<DataFrame>) -> Result<DataFrame, EngineError>,
    ) -> Result<DataFrame, EngineError> {
        let parts = &self.inputs.parts;
        let count = parts.count;
        let Some(root) = parts.dir.as_deref().filter(|_| count > 1) else {
            return build(sides.into_iter().map(|(d, _)| d).collect());
        };
        let tmp = crate::inputs::scratch(root)?;
        let what = format!(
            "metric `{}`: splitting the users into parts",
            self.m.id.value
        );
        let started = std::time::Instant::now();
        let mut written = Vec::new();
        for (i, (side, user)) in sides.iter().enumerate() {
            let dir = tmp.path().join(format!("side{i}"));
            let schema = Arc::new(side.schema().as_arrow().clone());
            // the function reads text: an id of another type (a number) as text
            let key = match side.schema().field_with_unqualified_name(user) {
                Ok(f)
                    if matches!(
                        f.data_type(),
                        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
                    ) =>
                {
                    col(*user)
                }
                _ => cast(col(*user), DataType::Utf8),
            };
            side.clone()
                .with_column(PART, user_part(count).call(vec![key]))
                .map_err(|e| df(&what, e))?
                .write_parquet(
                    &format!("{}/", dir.to_string_lossy()),
                    DataFrameWriteOptions::new().with_partition_by(vec![PART.into()]),
                    Some(small_row_groups()),
                )
                .await
                .map_err(|e| df(&what, e))?;
            written.push((dir, schema));
        }
        tracing::debug!(
            metric = %self.m.id.value,
            parts = count,
            seconds = started.elapsed().as_secs_f64(),
            "cohort join's sides written in parts"
        );
        let out = tmp.path().join("out");
        std::fs::create_dir_all(&out).map_err(|e| crate::inputs::scratch_error(&out, &e))?;
        let out_path = format!("{}/", out.to_string_lossy());
        let mut schema = None;
        for k in 0..count {
            let mut frames = Vec::new();
            // a part no user of the side hashed to has no folder: an empty table
            for (dir, side_schema) in &written {
                let folder = dir.join(format!("{PART}={k}"));
                frames.push(
                    crate::inputs::read_folder(
                        &self.inputs.session,
                        &folder,
                        side_schema.clone(),
                        &what,
                    )
                    .await?,
                );
            }
            let frame = build(frames)?;
            schema.get_or_insert_with(|| Arc::new(frame.schema().as_arrow().clone()));
            frame
                .write_parquet(&out_path, DataFrameWriteOptions::new(), None)
                .await
                .map_err(|e| df(&format!("{what} (part {} of {count})", k + 1), e))?;
        }
        tracing::debug!(
            metric = %self.m.id.value,
            parts = count,
            seconds = started.elapsed().as_secs_f64(),
            "cohort join computed in parts"
        );
        let schema = schema.unwrap_or_else(|| Arc::new(Schema::empty()));
        let read = crate::inputs::read_folder(&self.inputs.session, &out, schema, &what).await?;
        parts
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(tmp);
        Ok(read)
    }

    /// Each user of `cohort` joined (`kind`, on the user and `on`) to their `hits`, grouped by
    /// `groups` (the user's, and what else they add) with `aggs`, in parts when the inputs
    /// say so.
    pub(crate) async fn per_cohort_user(
        &self,
        cohort: DataFrame,
        hits: DataFrame,
        kind: datafusion::logical_expr::JoinType,
        on: Expr,
        groups: Vec<Expr>,
        aggs: Vec<Expr>,
    ) -> Result<DataFrame, EngineError> {
        use crate::join::JoinNamed;
        use crate::plan::{CU, HIT};
        self.in_parts(vec![(cohort, CU), (hits, HIT)], |s| {
            let [cohort, hits] = sides(s)?;
            cohort
                .join_named(hits, kind, &[CU], &[HIT], Some(on.clone()))
                .and_then(|d| d.aggregate(groups.clone(), aggs.clone()))
                .map_err(self.fail("joining the cohort to its events"))
        })
        .await
    }

    /// Each user of the `from` cohort with their `to` events (with `filter`) from their start
    /// through `within` seconds after it, grouped by the user's cohort columns with `aggs`
    /// (a user without any keeps a row): what conversion and duration read.
    pub(crate) async fn per_user_within(
        &self,
        from: &throughline_model::Start,
        to: &throughline_model::Text,
        filter: Option<&throughline_model::Where>,
        within: i64,
        aggs: Vec<Expr>,
    ) -> Result<DataFrame, EngineError> {
        use crate::plan::{HIT_US, START_US};
        let cohort = self.cohort(from)?;
        let hits = self.hits(to, filter)?;
        let on = col(HIT_US)
            .gt_eq(col(START_US))
            .and(col(HIT_US).lt_eq(col(START_US) + lit(within.saturating_mul(1_000_000))));
        let kind = datafusion::logical_expr::JoinType::Left;
        self.per_cohort_user(cohort, hits, kind, on, self.cohort_groups(), aggs)
            .await
    }
}

/// Rows per row group of a part's file: every part's file is open at once while a side is
/// written, each holding its row group in memory until it is full, so the memory of writing
/// grows with the parts times this (8K rows of a few columns: a few hundred KB a part).
const PART_ROW_GROUP: usize = 8 * 1024;

fn small_row_groups() -> datafusion::common::config::TableParquetOptions {
    let mut o = datafusion::common::config::TableParquetOptions::default();
    o.global.max_row_group_size = PART_ROW_GROUP;
    o.global.data_pagesize_limit = 64 * 1024;
    o
}

/// The sides `build` of [`Builder::in_parts`] is given, as the `N` it was asked for.
fn sides<const N: usize>(s: Vec<DataFrame>) -> Result<[DataFrame; N], EngineError> {
    let got = s.len();
    s.try_into().map_err(|_| {
        EngineError::new(
            format!("a join in parts got {got} side(s) instead of {N}"),
            "this is a bug in throughline; please report it with the metric definition",
        )
    })
}

/// The part of each user id: a hash of its bytes (FNV-1a, the same on every machine and
/// run) modulo the count; a null id is in part 0 (it joins nothing, and is kept).
fn user_part(count: u32) -> ScalarUDF {
    ScalarUDF::new_from_impl(UserPart {
        count,
        signature: Signature::string(1, Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct UserPart {
    count: u32,
    signature: Signature,
}

impl ScalarUDFImpl for UserPart {
    fn name(&self) -> &str {
        "throughline_user_part"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("throughline_user_part takes one argument");
        };
        let array = arg.to_array(args.number_rows)?;
        let part = |s: Option<&str>| s.map_or(0, |s| part_of(s.as_bytes(), self.count));
        let out: Int64Array = match array.data_type() {
            DataType::Utf8 => array
                .as_string::<i32>()
                .iter()
                .map(|s| Some(part(s)))
                .collect(),
            DataType::LargeUtf8 => array
                .as_string::<i64>()
                .iter()
                .map(|s| Some(part(s)))
                .collect(),
            DataType::Utf8View => array
                .as_string_view()
                .iter()
                .map(|s| Some(part(s)))
                .collect(),
            other => return exec_err!("throughline_user_part reads text, not {other}"),
        };
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// FNV-1a of `bytes`, modulo `count`.
fn part_of(bytes: &[u8], count: u32) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % u64::from(count.max(1))) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_spread_user_ids_and_stay_put() {
        let mut seen = [0u32; 8];
        for i in 0..8000 {
            let p = part_of(format!("u{i:07}").as_bytes(), 8);
            assert_eq!(p, part_of(format!("u{i:07}").as_bytes(), 8));
            seen[p as usize] += 1;
        }
        // each of 8 parts holds about 1000 of 8000 sequential ids
        assert!(seen.iter().all(|n| (800..1200).contains(n)), "{seen:?}");
    }
}
