//! Why the engine plans hash joins only (`engine/src/session.rs`, `hash_joins`): DataFusion
//! 55.2's sort-merge join, for a LEFT join with a filter, does not emit its rows in the order
//! of its left input, though it declares that order. The filtered rows are staged in a batch
//! coalescer, and at the end of the input the last rows are emitted directly, ahead of rows
//! still staged. An operator above the join that relies on the declared order (an aggregation
//! grouping by the key, a second merge join) then splits a group or misses matches: a funnel
//! (a chain of filtered left joins, each followed by an aggregation) came out at about a
//! quarter of its value on 4 or more partitions, in this process and on a Ballista cluster.
//!
//! This test is the smallest reproduction found. It asserts the defect, so that it fails once
//! the pinned DataFusion has the upstream fix (apache/datafusion#24573): then `hash_joins`
//! can go, and the cluster can use the spilling sort-merge join again.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};

/// A table of `(k, v)` rows, in one batch.
fn table(name: &str, rows: &[(i64, i64)]) -> (String, Arc<MemTable>) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("v", DataType::Int64, false),
    ]));
    let k = Int64Array::from_iter_values(rows.iter().map(|r| r.0));
    let v = Int64Array::from_iter_values(rows.iter().map(|r| r.1));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(k), Arc::new(v)]).unwrap();
    (
        name.to_string(),
        Arc::new(MemTable::try_new(schema, vec![vec![batch]]).unwrap()),
    )
}

/// The left keys of `l LEFT JOIN r ON l.k = r.k AND r.v >= l.v`, in the order the join emits
/// them in each of two partitions, planned as a sort-merge join (or a hash join).
async fn left_keys(prefer_hash_join: bool) -> Vec<Vec<i64>> {
    let config = SessionConfig::new()
        .with_target_partitions(2)
        .with_batch_size(4)
        .set_bool("datafusion.optimizer.prefer_hash_join", prefer_hash_join);
    let ctx = SessionContext::new_with_config(config);
    // key 0 has 5 right rows, 2 of them passing the filter: its pairs trip the join's flush
    // of a full batch (4 rows), which stages the 2 passing rows; keys 1-3 have one passing
    // row each, too few to trip it, and are emitted at the end of the input, ahead of key 0
    let left: Vec<(i64, i64)> = (0..4).map(|k| (k, 3)).collect();
    let mut right: Vec<(i64, i64)> = (0..5).map(|v| (0, v)).collect();
    right.extend((1..4).map(|k| (k, 5)));
    for (name, t) in [table("l", &left), table("r", &right)] {
        ctx.register_table(name.as_str(), t).unwrap();
    }
    let df = ctx
        .sql("SELECT l.k, r.v FROM l LEFT JOIN r ON l.k = r.k AND r.v >= l.v")
        .await
        .unwrap();
    let plan = format!("{:?}", df.clone().create_physical_plan().await.unwrap());
    let merge = plan.contains("SortMergeJoinExec");
    assert_eq!(merge, !prefer_hash_join, "{plan}");
    let mut partitions = Vec::new();
    for part in df.collect_partitioned().await.unwrap() {
        let mut keys = Vec::new();
        for b in part {
            let k = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
            keys.extend((0..k.len()).map(|i| k.value(i)));
        }
        partitions.push(keys);
    }
    partitions
}

fn sorted(mut keys: Vec<i64>) -> Vec<i64> {
    keys.sort();
    keys
}

#[tokio::test]
async fn datafusion_55_sort_merge_left_join_with_a_filter_breaks_its_declared_order() {
    let partitions = left_keys(false).await;
    // every row is there: key 0 twice, keys 1-3 once
    let all = sorted(partitions.concat());
    assert_eq!(all, [0, 0, 1, 2, 3]);
    let out_of_order = partitions
        .iter()
        .filter(|p| **p != sorted(p.to_vec()))
        .count();
    assert!(
        out_of_order > 0,
        "the sort-merge join now keeps its order: DataFusion has the fix, so remove \
         `hash_joins` in engine/src/session.rs and this test"
    );
    // a hash join gives the same rows (it declares no order for them)
    assert_eq!(sorted(left_keys(true).await.concat()), all);
}
