//! `Engine::measure`: the requested metrics planned as a whole and run: the shared inputs are
//! built once, each metric computed once (ratios and derived metrics from the values of the
//! metrics they read), and every value given its period, segment and completeness.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use throughline_model::{Combines, Grain, Metric, Unit};

use crate::inputs::{Inputs, Needs};
use crate::output::{Key, Row, read_curve, read_rows};
use crate::plan::{self, Planned, Scope};
use crate::{Engine, EngineError, MetricValue, Progress, Request, error};

/// `v` as a value that is not known: none, with no parts, curve or steps.
fn no_data(v: &mut MetricValue) {
    v.value = None;
    v.numerator = None;
    v.denominator = None;
    v.curve.clear();
    v.steps.clear();
}

/// What one measurement has computed so far: each metric's values by grain, and the plans
/// of the event aggregates that share a scan (taken out as each is run).
struct Memo<'p> {
    /// Told when a metric is computed again in parts.
    progress: &'p (dyn Fn(Progress<'_>) + Sync),
    values: BTreeMap<(String, Grain), Vec<MetricValue>>,
    shared: BTreeMap<(String, Grain), Planned>,
    /// Segmented: every value of the dimension in the users source, so that a segment with
    /// nothing to count in a period is 0 there, not missing.
    segments: Vec<String>,
    /// The first day of each metric at a grain, where it differs from the request's (a
    /// refresh recomputes each metric from its own first changed period).
    froms: Froms,
}

/// Where a refresh computes each metric at a grain from (see `refresh`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Froms {
    /// The first local day of its values.
    pub first: BTreeMap<(String, Grain), NaiveDate>,
    /// Where its plan reads the events and activity from; before the cut they hold only each
    /// user's first events, which it reads too.
    pub reads: BTreeMap<(String, Grain), Reads>,
    pub cut: Option<Cut>,
    /// The activity roll-up's rows a refresh reuses and keeps.
    pub roll_up: crate::inputs::RollUpCache,
}

/// Where a refresh's window begins: before these instants (UTC µs) its events and its activity
/// roll-up hold only each user's first events (the roll-up's days from its cut are read from
/// the cache, so its cut may come before the events').
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cut {
    pub events_us: i64,
    pub activity_us: i64,
}

/// Where one metric's plan reads the window of a refresh from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reads {
    /// The instant (UTC µs) it reads every event and active day from.
    pub from_us: i64,
    /// Whether it reads users' first events (a cohort's start, a first activity): between the
    /// cut and `from_us` it then reads each user's first of each name (see
    /// [`Inputs::narrowed`]).
    pub firsts: bool,
}

/// Runs `frame`; with `RUST_LOG=throughline_engine::plans=trace` it logs the physical plan of
/// metric `id` with each operator's rows and time once it has run (where a slow metric's time
/// goes).
async fn collect_traced(
    frame: datafusion::prelude::DataFrame,
    id: &str,
) -> datafusion::error::Result<Vec<datafusion::arrow::record_batch::RecordBatch>> {
    if !tracing::enabled!(target: "throughline_engine::plans", tracing::Level::TRACE) {
        return frame.collect().await;
    }
    let ctx = frame.task_ctx();
    let plan = frame.create_physical_plan().await?;
    let batches =
        datafusion::physical_plan::collect(plan.clone(), std::sync::Arc::new(ctx)).await?;
    let shown =
        datafusion::physical_plan::display::DisplayableExecutionPlan::with_metrics(plan.as_ref())
            .indent(true)
            .to_string();
    tracing::trace!(target: "throughline_engine::plans", metric = id, "plan run:\n{shown}");
    Ok(batches)
}

/// `req` with the first day `froms` gives metric `id` at `grain`.
fn request_for(req: &Request, froms: &Froms, id: &str, grain: Grain) -> Request {
    let mut r = req.clone();
    if let Some(f) = froms.first.get(&(id.to_string(), grain)) {
        r.from = Some(*f);
    }
    r
}

impl Engine {
    /// Computes the requested metrics.
    pub async fn measure(&self, req: &Request) -> Result<Vec<MetricValue>, EngineError> {
        self.measure_with(req, &|_| {}).await
    }

    /// Computes the requested metrics, reporting progress.
    pub async fn measure_with(
        &self,
        req: &Request,
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<Vec<MetricValue>, EngineError> {
        self.measure_here_or_there(req, progress)
            .await
            .map_err(|e| self.placement.explain_error(e))
    }

    async fn measure_here_or_there(
        &self,
        req: &Request,
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<Vec<MetricValue>, EngineError> {
        self.measure_over(&self.tables, req, &Froms::default(), progress)
            .await
    }

    /// The requested metrics computed over `tables` (the sources, or a window of their
    /// events: see `refresh`).
    pub(crate) async fn measure_over(
        &self,
        tables: &crate::sources::Tables,
        req: &Request,
        froms: &Froms,
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<Vec<MetricValue>, EngineError> {
        let ids = self.requested(req)?;
        progress(Progress::Reading);
        let inputs = self.inputs_over(tables, &ids, req, froms, true).await?;
        let started = std::time::Instant::now();
        let mut memo = Memo {
            progress,
            values: BTreeMap::new(),
            shared: self.shared_plans(&inputs, &ids, req, froms).await?,
            segments: match &req.by {
                Some(dim) => self.segment_values(dim).await?,
                None => Vec::new(),
            },
            froms: froms.clone(),
        };
        tracing::debug!(seconds = started.elapsed().as_secs_f64(), "shared scan");
        let mut out = Vec::new();
        for (done, id) in ids.iter().enumerate() {
            progress(Progress::Metric {
                id,
                done,
                total: ids.len(),
            });
            let m = self.metric(id)?;
            let grain = self.grain(m, req);
            let started = std::time::Instant::now();
            let computed = self.compute(&inputs, m, grain, req, &mut memo, 0).await;
            tracing::debug!(
                metric = id.as_str(),
                seconds = started.elapsed().as_secs_f64(),
                "computed"
            );
            match computed {
                Ok(values) => out.extend(values.iter().cloned()),
                Err(e) if req.metrics.is_empty() && e.unsegmentable => {
                    progress(Progress::Skipped {
                        id,
                        reason: e.message,
                    })
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The plans of the event aggregates that share one scan ([`plan::shared`]): the
    /// requested metrics and the metrics they read, each at the grain it is computed at.
    async fn shared_plans(
        &self,
        inputs: &Inputs,
        ids: &[String],
        req: &Request,
        froms: &Froms,
    ) -> Result<BTreeMap<(String, Grain), Planned>, EngineError> {
        let wanted: Vec<_> = self
            .computed_at(ids, req)?
            .into_iter()
            .map(|(metric, grain)| plan::shared::Wanted {
                metric,
                scope: self.scope(grain, &request_for(req, froms, &metric.id.value, grain)),
            })
            .collect();
        plan::shared::plans(inputs, &self.calendar, &wanted).await
    }

    /// The metrics `ids` and the metrics they read, each with the grain it is computed at
    /// (a requested metric's), each pair once: a metric read by two others is computed once.
    pub(crate) fn computed_at(
        &self,
        ids: &[String],
        req: &Request,
    ) -> Result<Vec<(&Metric, Grain)>, EngineError> {
        let mut out: Vec<(&Metric, Grain)> = Vec::new();
        for id in ids {
            let grain = self.grain(self.metric(id)?, req);
            for m in self.reads(std::slice::from_ref(id))? {
                if !out
                    .iter()
                    .any(|(o, g)| o.id.value == m.id.value && *g == grain)
                {
                    out.push((m, grain));
                }
            }
        }
        Ok(out)
    }

    /// The shared inputs of the metrics `ids` (and the metrics they read).
    pub(crate) async fn inputs(
        &self,
        ids: &[String],
        req: &Request,
        materialize: bool,
    ) -> Result<Inputs, EngineError> {
        self.inputs_over(&self.tables, ids, req, &Froms::default(), materialize)
            .await
    }

    async fn inputs_over(
        &self,
        tables: &crate::sources::Tables,
        ids: &[String],
        req: &Request,
        froms: &Froms,
        materialize: bool,
    ) -> Result<Inputs, EngineError> {
        let mut needs = self.needs(ids)?;
        for (m, grain) in self.computed_at(ids, req)? {
            // the rolled-up periods serve whole periods only (see `Builder::whole_periods`); a
            // refresh's first day for a metric is a period start of its grain, and its window
            // holds whole periods from each metric's first period less its reach
            let own = request_for(req, froms, &m.id.value, grain);
            let refreshed = froms.first.contains_key(&(m.id.value.clone(), grain));
            if (own.from.is_none() || refreshed) && own.to.is_none() {
                needs.add_periods(m, grain);
            }
        }
        let mut inputs = Inputs::build(
            &self.ctx,
            tables,
            &needs,
            req.by.as_deref(),
            &self.calendar,
            self.scratch_dir(materialize),
            &froms.roll_up,
        )
        .await?;
        inputs.parts = crate::plan::parts::Parts::new(
            self.join_parts,
            self.scratch_dir(true).map(std::path::Path::to_path_buf),
        );
        inputs.days = self.data_days().filter(|_| inputs.materialized);
        Ok(inputs)
    }

    pub(crate) fn requested(&self, req: &Request) -> Result<Vec<String>, EngineError> {
        if req.metrics.is_empty() {
            return Ok(self
                .workspace
                .metrics
                .iter()
                .filter(|m| m.compute.is_some())
                .map(|m| m.id.value.clone())
                .collect());
        }
        for id in &req.metrics {
            self.metric(id)?;
        }
        Ok(req.metrics.clone())
    }

    /// What the metrics (and the metrics they read) read from the events.
    pub(crate) fn needs(&self, ids: &[String]) -> Result<Needs, EngineError> {
        let mut needs = Needs::default();
        for m in self.reads(ids)? {
            needs.add(m);
        }
        Ok(needs)
    }

    /// The metrics `ids` and every metric they read (through ratios and derived metrics),
    /// each once.
    pub(crate) fn reads(&self, ids: &[String]) -> Result<Vec<&Metric>, EngineError> {
        let mut out = Vec::new();
        let mut stack: Vec<String> = ids.to_vec();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let m = self.metric(&id)?;
            if let Some(c) = &m.compute {
                stack.extend(c.value.metric_refs().into_iter().map(|r| r.value));
            }
            out.push(m);
        }
        Ok(out)
    }

    pub(crate) fn grain(&self, m: &Metric, req: &Request) -> Grain {
        req.grain
            .or_else(|| {
                m.cadence
                    .as_ref()
                    .and_then(|c| c.report.as_ref())
                    .map(|g| g.value)
            })
            .unwrap_or(Grain::Week)
    }

    pub(crate) fn metric(&self, id: &str) -> Result<&Metric, EngineError> {
        self.workspace.metric(id).ok_or_else(|| {
            let ids = self.workspace.metrics.iter().map(|m| m.id.value.as_str());
            let help = match throughline_model::did_you_mean(id, ids) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`throughline measure` with no `--metric` computes every metric".into(),
            };
            EngineError::new(format!("no metric `{id}` in this workspace"), help)
        })
    }

    pub(crate) fn scope(&self, grain: Grain, req: &Request) -> Scope {
        let to_us = |d: NaiveDate| {
            self.calendar
                .midnight(d)
                .with_timezone(&Utc)
                .timestamp_micros()
        };
        Scope {
            grain,
            from_us: req.from.map(to_us),
            to_us: req.to.and_then(|d| d.succ_opt()).map(to_us),
        }
    }

    /// The values of one metric, computed once per request.
    async fn compute<'m>(
        &self,
        inputs: &Inputs,
        m: &Metric,
        grain: Grain,
        req: &Request,
        memo: &'m mut Memo<'_>,
        depth: usize,
    ) -> Result<&'m [MetricValue], EngineError> {
        let id = m.id.value.clone();
        let slot = (id.clone(), grain);
        let own = request_for(req, &memo.froms, &id, grain);
        let req = &own;
        if !memo.values.contains_key(&slot) {
            if depth > 32 {
                return Err(EngineError::new(
                    format!("metric `{id}` depends on itself"),
                    "run `throughline check` to see the cycle",
                )
                .at(m.span));
            }
            let values = match m.compute.as_ref().and_then(|c| c.value.combines()) {
                Some(Combines::Ratio {
                    numerator,
                    denominator,
                }) => {
                    let scale = if m.unit.as_ref().is_some_and(|u| u.value == Unit::Percent) {
                        100.0
                    } else {
                        1.0
                    };
                    let parts = [numerator, denominator];
                    let got = self.parts(inputs, &parts, grain, req, memo, depth).await?;
                    combine(&id, &got, |v| match (v[0], v[1]) {
                        (Some(a), Some(b)) if b != 0.0 => (Some(a / b * scale), Some(a), Some(b)),
                        (a, b) => (None, a, b),
                    })
                }
                Some(Combines::Formula { expr, .. }) => {
                    let names: Vec<String> = expr
                        .value
                        .metrics()
                        .iter()
                        .map(|(n, _)| n.to_string())
                        .collect();
                    let refs = m
                        .compute
                        .as_ref()
                        .map(|c| c.value.metric_refs())
                        .unwrap_or_default();
                    let parts: Vec<&throughline_model::Text> = refs.iter().collect();
                    let got = self.parts(inputs, &parts, grain, req, memo, depth).await?;
                    combine(&id, &got, |v| {
                        let lookup = |n: &str| names.iter().position(|x| x == n).and_then(|i| v[i]);
                        (expr.value.eval(&lookup), None, None)
                    })
                }
                None => {
                    // an event or a `where:` value the data never has (see `AbsentName`)
                    let absent = self.absent.iter().any(|a| a.metric == id);
                    let scope = self.scope(grain, req);
                    let own = || -> Result<Inputs, EngineError> {
                        let mut own = if absent {
                            inputs.with_absent_columns(m)?
                        } else {
                            inputs.clone()
                        };
                        if let (Some(cut), Some(r)) = (memo.froms.cut, memo.froms.reads.get(&slot))
                        {
                            own = own.narrowed(cut, r.from_us, r.firsts, &self.calendar)?;
                        }
                        // parts written for this metric alone, removed once it is computed
                        own.parts = own.parts.with_count(own.parts.count);
                        Ok(own)
                    };
                    let first = match memo.shared.remove(&slot) {
                        Some(p) => self.run(m, p, req, &memo.segments).await,
                        None => {
                            let own = own()?;
                            match plan::plan(&own, m, &self.calendar, &scope).await {
                                Ok(p) => self.run(m, p, req, &memo.segments).await,
                                Err(e) => Err(e),
                            }
                        }
                    };
                    let mut values = match first {
                        Err(e) if e.out_of_memory && plan::joins_users(m) => {
                            self.retry_in_parts(&own()?, m, &scope, req, memo, e)
                                .await?
                        }
                        other => other?,
                    };
                    if absent {
                        // an event that never occurs: a typo or data the sources lack, which
                        // counting would show as a confident zero
                        for v in &mut values {
                            no_data(v);
                        }
                    }
                    values
                }
            };
            memo.values.insert(slot.clone(), values);
        }
        Ok(memo
            .values
            .get(&slot)
            .map(Vec::as_slice)
            .unwrap_or_default())
    }

    /// The values of `m`, whose cohort join ran out of the memory limit (`failed`), with the
    /// join in 8 parts by user, then 64 (see `plan::parts`); the last error when none fits.
    async fn retry_in_parts(
        &self,
        own: &Inputs,
        m: &Metric,
        scope: &plan::Scope,
        req: &Request,
        memo: &Memo<'_>,
        failed: EngineError,
    ) -> Result<Vec<MetricValue>, EngineError> {
        let mut last = failed;
        if !own.parts.possible() {
            return Err(last);
        }
        for count in [8, 64] {
            if own.parts.count >= count {
                continue;
            }
            (memo.progress)(Progress::InParts {
                id: &m.id.value,
                parts: count,
            });
            tracing::warn!(
                metric = m.id.value.as_str(),
                parts = count,
                "a cohort join ran out of the memory limit: computing it in parts"
            );
            let mut parted = own.clone();
            parted.parts = own.parts.with_count(count);
            let run = async {
                let p = plan::plan(&parted, m, &self.calendar, scope).await?;
                self.run(m, p, req, &memo.segments).await
            };
            match run.await {
                Err(e) if e.out_of_memory => last = e,
                done => return done,
            }
        }
        Err(last)
    }

    /// The values of the metrics `parts` names, in order.
    async fn parts(
        &self,
        inputs: &Inputs,
        parts: &[&throughline_model::Text],
        grain: Grain,
        req: &Request,
        memo: &mut Memo<'_>,
        depth: usize,
    ) -> Result<Vec<Vec<MetricValue>>, EngineError> {
        let mut got = Vec::new();
        for p in parts {
            let pm = self.metric(&p.value).map_err(|e| e.at(p.span))?;
            let v = Box::pin(self.compute(inputs, pm, grain, req, memo, depth + 1)).await?;
            got.push(v.to_vec());
        }
        Ok(got)
    }

    /// The values of dimension `dim` among the users, `(none)` for users without one.
    async fn segment_values(&self, dim: &str) -> Result<Vec<String>, EngineError> {
        use datafusion::prelude::*;
        let Some(users) = &self.tables.users else {
            return Ok(Vec::new());
        };
        if !self.tables.dimensions.iter().any(|d| d == dim) {
            // said by the inputs, with the dimensions there are
            return Ok(Vec::new());
        }
        let fail = |e| error::df("reading the segments", e);
        let batches = users
            .clone()
            .select(vec![
                coalesce(vec![
                    cast(ident(dim), datafusion::arrow::datatypes::DataType::Utf8),
                    lit(crate::columns::NO_SEGMENT),
                ])
                .alias("segment"),
            ])
            .and_then(|d| d.distinct())
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)?;
        let mut out = crate::output::texts(&batches);
        out.sort();
        Ok(out)
    }

    async fn run(
        &self,
        m: &Metric,
        p: Planned,
        req: &Request,
        known: &[String],
    ) -> Result<Vec<MetricValue>, EngineError> {
        let what = format!("computing `{}`", m.id.value);
        let batches = collect_traced(p.frame.clone(), &m.id.value)
            .await
            .map_err(|e| error::df(&what, e))?;
        let segmented = req.by.is_some();
        let mut found: BTreeMap<Key, Row> = BTreeMap::new();
        for b in &batches {
            read_rows(b, self.calendar.tz, segmented, &mut found)?;
        }
        if let Some((curve, _)) = p.curve.clone() {
            let batches = curve.collect().await.map_err(|e| error::df(&what, e))?;
            for b in &batches {
                read_curve(b, self.calendar.tz, segmented, &mut found)?;
            }
        }
        Ok(self.fill(m, &p, req, found, known))
    }

    /// Every period of the range and every segment seen (for a count or a sum, every segment
    /// `known` among the users too); an empty period of a count or a sum is 0.
    // Long because it turns result rows into values for every period and segment in one pass:
    // completeness, partial periods and immature cohorts are decided together.
    fn fill(
        &self,
        m: &Metric,
        p: &Planned,
        req: &Request,
        found: BTreeMap<Key, Row>,
        known: &[String],
    ) -> Vec<MetricValue> {
        let tz = self.calendar.tz;
        let local = |us: i64| self.calendar.day_of(us);
        let Some((lo, hi)) = self.span_us else {
            return Vec::new();
        };
        let (first_day, last_day) = (local(lo).unwrap_or_default(), local(hi).unwrap_or_default());
        // nothing is said about periods before the data begins: no zeros there
        let first = req.from.map_or(first_day, |f| f.max(first_day));
        let last = req.to.unwrap_or(last_day);
        // the data covers whole days through the last event's day, and never past now: a
        // period still running by the wall clock (its last event is today) is not final
        let now = Utc::now().with_timezone(&tz);
        let data_end = self
            .calendar
            .midnight(last_day + chrono::Days::new(1))
            .min(now);
        let mut limit = data_end;
        if let Some(to) = req.to {
            limit = limit.min(self.calendar.midnight(to + chrono::Days::new(1)));
        }
        let mut segments: Vec<Option<String>> = found.keys().map(|(_, s)| s.clone()).collect();
        if p.zero_when_empty {
            segments.extend(known.iter().cloned().map(Some));
        }
        segments.sort();
        segments.dedup();
        if segments.is_empty() && req.by.is_none() {
            segments.push(None);
        }
        let compute = m.compute.as_ref().map(|c| &c.value);
        let horizon = compute.and_then(|c| c.horizon());
        let (step_names, step_rates) = compute
            .and_then(|c| c.steps())
            .map_or((Vec::new(), false), |s| (s.names, s.shares));
        let running = p
            .running
            .map(|r| running_totals(&found, r.window_days, &self.calendar));
        let mut out = Vec::new();
        for seg in &segments {
            for start in self.calendar.spine(p.grain, first, last) {
                let end = self.calendar.period_end(p.grain, start);
                let found = match &running {
                    // the sum of every change before the period's end
                    Some(totals) => totals.get(seg).map(|days| {
                        let before = days.partition_point(|(day, _)| *day < end);
                        Row {
                            value: Some(before.checked_sub(1).map_or(0.0, |i| days[i].1)),
                            ..Row::default()
                        }
                    }),
                    None => found.get(&(start, seg.clone())).cloned(),
                };
                let row = match found {
                    Some(r) => r,
                    None if p.zero_when_empty => Row {
                        value: Some(0.0),
                        ..Row::default()
                    },
                    None => continue,
                };
                let mut value = row.value;
                if p.per_day {
                    // stickiness: mean daily actives over the days of the period with data
                    let lo_day = start.date_naive().max(first).max(first_day);
                    let hi_day = end
                        .date_naive()
                        .min(last.succ_opt().unwrap_or(last))
                        .min(last_day + chrono::Days::new(1));
                    let days = (hi_day - lo_day).num_days();
                    value = match (row.numerator, row.denominator) {
                        (Some(n), Some(d)) if d > 0.0 && days > 0 => {
                            Some(n / days as f64 / d * p.scale)
                        }
                        _ => None,
                    };
                }
                let curve = match (horizon, row.denominator) {
                    (Some(n), Some(size)) if size > 0.0 => (0..=i64::from(n))
                        .map(|k| row.curve.get(&k).copied().unwrap_or(0.0) / size * p.scale)
                        .collect(),
                    _ => Vec::new(),
                };
                let steps = step_names
                    .iter()
                    .enumerate()
                    .map(|(k, name)| {
                        let users = row.steps.get(&k).copied().unwrap_or(0.0);
                        crate::Step {
                            name: name.to_string(),
                            users,
                            rate: match row.denominator {
                                Some(d) if step_rates && d > 0.0 => Some(users / d * p.scale),
                                _ => None,
                            },
                        }
                    })
                    .collect();
                let segment = match (&req.by, seg) {
                    (Some(dim), s) => BTreeMap::from([(
                        dim.clone(),
                        s.clone()
                            .unwrap_or_else(|| crate::columns::NO_SEGMENT.into()),
                    )]),
                    (None, _) => BTreeMap::new(),
                };
                let settled = end + chrono::Duration::microseconds(p.maturity_us);
                let complete = end <= limit && settled <= data_end;
                out.push(MetricValue {
                    metric: m.id.value.clone(),
                    grain: p.grain,
                    start,
                    end,
                    segment,
                    value,
                    numerator: row.numerator,
                    denominator: row.denominator,
                    complete,
                    curve,
                    steps,
                });
            }
        }
        out.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then_with(|| a.segment.cmp(&b.segment))
        });
        out
    }
}

/// A running plan's days as running totals by segment, each day with the total through it
/// in order of day: what a day adds (`value`) on that day, and what leaves (`numerator`)
/// `window_days` local days later.
fn running_totals(
    found: &BTreeMap<Key, Row>,
    window_days: Option<u64>,
    calendar: &crate::time::Calendar,
) -> BTreeMap<Option<String>, Vec<(chrono::DateTime<chrono_tz::Tz>, f64)>> {
    let mut out: BTreeMap<Option<String>, Vec<_>> = BTreeMap::new();
    for ((day, seg), row) in found {
        let changes = out.entry(seg.clone()).or_default();
        changes.push((*day, row.value.unwrap_or(0.0)));
        if let (Some(w), Some(leaving)) = (window_days, row.numerator) {
            let later = day.date_naive() + chrono::Days::new(w);
            changes.push((calendar.midnight(later), -leaving));
        }
    }
    for days in out.values_mut() {
        days.sort_by_key(|(day, _)| *day);
        let mut total = 0.0;
        for (_, v) in days.iter_mut() {
            total += *v;
            *v = total;
        }
    }
    out
}

/// Combines other metrics' values period by period and segment by segment: `f` gets each
/// part's value (in order) and returns the value, numerator and denominator.
fn combine(
    id: &str,
    parts: &[Vec<MetricValue>],
    f: impl Fn(&[Option<f64>]) -> (Option<f64>, Option<f64>, Option<f64>),
) -> Vec<MetricValue> {
    let Some(first) = parts.first() else {
        return Vec::new();
    };
    let key = |v: &MetricValue| (v.start, v.segment.clone());
    let maps: Vec<BTreeMap<_, &MetricValue>> = parts
        .iter()
        .map(|p| p.iter().map(|v| (key(v), v)).collect())
        .collect();
    first
        .iter()
        .filter_map(|v0| {
            let k = key(v0);
            let vs: Vec<&MetricValue> = maps
                .iter()
                .map(|m| m.get(&k).copied())
                .collect::<Option<_>>()?;
            let values: Vec<Option<f64>> = vs.iter().map(|v| v.value).collect();
            let (value, numerator, denominator) = f(&values);
            Some(MetricValue {
                metric: id.to_string(),
                value,
                numerator,
                denominator,
                complete: vs.iter().all(|v| v.complete),
                curve: Vec::new(),
                steps: Vec::new(),
                ..v0.clone()
            })
        })
        .collect()
}
