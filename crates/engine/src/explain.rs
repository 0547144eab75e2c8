//! `Engine::explain`: how a metric's number is computed, for `measure --explain` and the
//! dashboard's definition page: the sources, the optimized plan of the metric and of each
//! metric it reads, and the same plan rendered as PostgreSQL SQL.

use crate::plan;
use crate::{Engine, EngineError, Explanation, Request, error};

impl Engine {
    /// The plans behind a metric's number, for `measure --explain`.
    pub async fn explain(&self, id: &str, req: &Request) -> Result<Explanation, EngineError> {
        // not cached: the plan shows the scans of the sources themselves
        let inputs = self.inputs(&[id.to_string()], req, false).await?;
        let mut sources = Vec::new();
        for (name, s) in &self.workspace.settings.sources {
            let path = s.path.as_ref().map_or("(table)", |p| p.value.as_str());
            sources.push(format!(
                "{name}: {path} ({})",
                format!("{:?}", s.format.value).to_lowercase()
            ));
        }
        let mut plans = Vec::new();
        let mut sql = Vec::new();
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
            let optimized = p
                .frame
                .into_optimized_plan()
                .map_err(|e| error::df("optimizing the plan", e))?;
            plans.push((id.clone(), optimized.display_indent().to_string()));
            let unparser = datafusion::sql::unparser::Unparser::new(
                &datafusion::sql::unparser::dialect::PostgreSqlDialect {},
            );
            match unparser.plan_to_sql(&logical) {
                Ok(s) => sql.push((id.clone(), s.to_string())),
                Err(e) => sql.push((id.clone(), format!("-- cannot be rendered as SQL yet: {e}"))),
            }
        }
        Ok(Explanation {
            metric: id.to_string(),
            sources,
            plans,
            sql,
        })
    }
}
