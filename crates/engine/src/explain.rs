//! `Engine::explain`: how a metric's number is computed, for `measure --explain` and the
//! dashboard's definition page: the sources, the optimized plan of the metric and of each
//! metric it reads, and the same plan rendered as PostgreSQL SQL.

use crate::plan;
use crate::{Engine, EngineError, Explanation, Request, error};

impl Engine {
    /// The plans behind a metric's number, for `measure --explain`.
    // Long because it assembles one explanation in the order `--explain` prints it: sources,
    // the plan of the metric and of each metric it reads, their SQL, where each part runs.
    pub async fn explain(&self, id: &str, req: &Request) -> Result<Explanation, EngineError> {
        // not cached: the plan shows the scans of the sources themselves
        let inputs = self.inputs(&[id.to_string()], req, false).await?;
        let mut sources = Vec::new();
        for (name, s) in &self.workspace.settings.sources {
            let format = format!("{:?}", s.format.value).to_lowercase();
            let what = match (&s.path, &s.table, &s.query) {
                (Some(p), _, _) => p.value.clone(),
                (None, Some(t), _) => format!("table {}", t.value),
                (None, None, Some(q)) => format!("query `{}`", q.value),
                (None, None, None) => "(nothing)".into(),
            };
            // the variable's name, never the address: it may hold a password
            let via = s
                .url_env
                .as_ref()
                .map(|v| format!(", at ${}", v.value))
                .unwrap_or_default();
            sources.push(format!("{name}: {what} ({format}{via})"));
        }
        let mut plans = Vec::new();
        let mut sql = Vec::new();
        let mut database = Vec::new();
        let mut stack = vec![id.to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let m = self.metric(&id)?;
            let refs = m
                .compute
                .as_ref()
                .map(|c| c.value.metric_refs())
                .unwrap_or_default();
            if !refs.is_empty() {
                let names: Vec<String> = refs.iter().map(|r| format!("`{}`", r.value)).collect();
                plans.push((
                    id.clone(),
                    format!(
                        "combines {} period by period, segment by segment",
                        names.join(" and ")
                    ),
                ));
                stack.extend(refs.into_iter().rev().map(|r| r.value));
                continue;
            }
            let scope = self.scope(self.grain(m, req), req);
            let p = plan::plan(&inputs, m, &self.calendar, &scope).await?;
            let logical = p.frame.logical_plan().clone();
            if self.events_in_database {
                // the statements that run are the ones the physical plan sends
                let physical = p
                    .frame
                    .clone()
                    .create_physical_plan()
                    .await
                    .map_err(|e| error::df("planning the query", e))?;
                let statements = throughline_postgres::pushed_statements(&physical);
                let local = throughline_postgres::local_operators(&physical);
                database.push((id.clone(), where_it_runs(statements.len(), &local)));
                let n = statements.len();
                for (i, s) in statements.into_iter().enumerate() {
                    let label = if n == 1 {
                        id.clone()
                    } else {
                        format!("{id}, {} of {n}", i + 1)
                    };
                    sql.push((label, s));
                }
            }
            let optimized = p
                .frame
                .into_optimized_plan()
                .map_err(|e| error::df("optimizing the plan", e))?;
            plans.push((id.clone(), optimized.display_indent().to_string()));
            if self.events_in_database {
                continue;
            }
            match throughline_postgres::to_sql(&logical) {
                Ok(s) => sql.push((id.clone(), s)),
                Err(e) => sql.push((id.clone(), format!("-- cannot be rendered as SQL yet: {e}"))),
            }
        }
        Ok(Explanation {
            metric: id.to_string(),
            sources,
            plans,
            sql,
            database,
            placement: (self.placement != crate::cluster::Placement::Local)
                .then(|| self.placement.describe()),
        })
    }
}

/// Where a plan with `statements` pushed-down statements and the local operators `local`
/// runs, in a sentence.
fn where_it_runs(statements: usize, local: &[String]) -> String {
    let words: Vec<&str> = local.iter().map(|o| operator_words(o)).collect();
    match (statements, local.is_empty()) {
        (0, _) => "runs in throughline: no part of its plan reads only PostgreSQL tables".into(),
        (1, true) => "runs in PostgreSQL as one statement; only its result rows are read".into(),
        (n, true) => {
            format!("runs in PostgreSQL as {n} statements; only their result rows are read")
        }
        (n, false) => format!(
            "{n} statement(s) run in PostgreSQL; throughline then does what the dialect cannot express ({}) on their result rows",
            words.join(", ")
        ),
    }
}

fn operator_words(name: &str) -> &str {
    match name {
        "HashJoinExec" | "NestedLoopJoinExec" | "SortMergeJoinExec" | "CrossJoinExec" => "a join",
        "AggregateExec" => "a grouping",
        "FilterExec" => "a filter",
        "SortExec" | "SortPreservingMergeExec" => "a sort",
        "UnionExec" | "InterleaveExec" => "a union",
        "DataSourceExec" | "MemoryExec" => "an in-memory table",
        "WindowAggExec" | "BoundedWindowAggExec" => "a window",
        "GlobalLimitExec" | "LocalLimitExec" => "a limit",
        "UnnestExec" => "an unnest",
        other => other,
    }
}
