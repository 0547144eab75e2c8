//! A YAML workspace decoded into typed definitions: settings, every compute type, periods,
//! targets, key results with units.

use std::path::Path;

use throughline_model::{
    Compute, Grain, Loader, MetricRole, Period, QuantityUnit, SourceFormat, Stat, Unit,
};

const ROOT: &str = "workspace: Acme
timezone: Europe/Berlin
week_starts: sunday
store: postgres://me@db/okrs
sources:
  events: { format: parquet, path: data/*.parquet, columns: { user: uid, time: ts, name: event } }
  users: { format: csv, path: users.csv, columns: { user: uid, time: created }, dimensions: [plan, size] }
checks:
  missing-baseline: off
  key-result-count: { severity: error, min: 2, max: 4 }
";

const METRICS: &str = "metrics:
  - { id: c, compute: { type: count, event: e, where: \"plan = 'pro'\" } }
  - { id: u, compute: { type: unique } }
  - { id: s, compute: { type: sum, event: purchase, property: amount } }
  - { id: a, compute: { type: average, event: purchase, property: amount } }
  - { id: r, unit: percent, compute: { type: ratio, numerator: s, denominator: u } }
  - { id: conv, compute: { type: conversion, from: signup, to: e, within: 36h } }
  - { id: ret, compute: { type: retention, from: signup, return: e, horizon: 4 } }
  - { id: ttv, unit: duration, compute: { type: duration, from: signup, to: e, stat: p90 } }
  - { id: churn, compute: { type: churn } }
  - { id: stick, compute: { type: stickiness, event: e } }
  - { id: nps, unit: score, compute: { type: nps, event: survey, property: score } }
  - { id: ltv, unit: currency:eur, role: kpi, compute: { type: derived, expr: 'a / (churn + 0.01)' } }
  - { id: q, compute: { type: sql, query: select 1 } }
  - { id: f, compute: { type: funnel, steps: [signup, e, purchase], within: [1d, 14d], exclude: refund, order: strict } }
  - { id: f1, compute: { type: funnel, steps: [e, purchase], within: 2w } }
  - { id: life, compute: { type: lifecycle } }
    # targets with a date range period
  - id: t
    compute: { type: unique }
    targets:
      - { period: { start: 2025-01-06, end: 2025-03-30 }, target: 10, stretch: 12 }
";

#[test]
fn settings_and_every_compute_type_decode() {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        Path::new("throughline.yaml"),
        ROOT.into(),
    );
    loader.add_yaml("metrics.yaml", Path::new("metrics.yaml"), METRICS.into());
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let ws = &loaded.workspace;

    let s = &ws.settings;
    assert_eq!(
        s.timezone.as_ref().unwrap().value,
        chrono_tz::Europe::Berlin
    );
    assert_eq!(s.week_starts.as_ref().unwrap().value, chrono::Weekday::Sun);
    let users = &s.sources["users"];
    assert_eq!(users.format.value, SourceFormat::Csv);
    assert_eq!(users.columns.time.as_ref().unwrap().value, "created");
    assert_eq!(
        users
            .dimensions
            .iter()
            .map(|d| d.value.as_str())
            .collect::<Vec<_>>(),
        ["plan", "size"]
    );
    assert_eq!(s.checks.len(), 2);
    assert_eq!(s.checks[0].level, None);
    assert_eq!(s.checks[1].max.as_ref().unwrap().value, 4);

    let m = |id: &str| {
        ws.metric(id)
            .unwrap()
            .compute
            .as_ref()
            .unwrap()
            .value
            .clone()
    };
    assert!(
        matches!(m("c"), Compute::Count { filter: Some(f), .. } if f.text.value == "plan = 'pro'")
    );
    assert!(matches!(m("u"), Compute::Unique { event: None, .. }));
    assert!(matches!(m("conv"), Compute::Conversion { within, .. } if within.value == 36 * 3600));
    assert!(
        matches!(m("ret"), Compute::Retention { every, horizon, .. } if every.value == Grain::Week && horizon.value == 4)
    );
    assert!(matches!(m("ttv"), Compute::Duration { stat, .. } if stat.value == Stat::P90));
    assert!(matches!(m("churn"), Compute::Churn { every, .. } if every.value == Grain::Month));
    match m("f") {
        Compute::Funnel {
            steps,
            within,
            exclude,
            order,
        } => {
            let steps: Vec<&str> = steps.iter().map(|s| s.value.as_str()).collect();
            assert_eq!(steps, ["signup", "e", "purchase"]);
            let within: Vec<i64> = within.iter().map(|w| w.value).collect();
            assert_eq!(within, [86_400, 14 * 86_400]);
            assert_eq!(exclude.unwrap().value, "refund");
            assert_eq!(order.value, throughline_model::FunnelOrder::Strict);
        }
        other => panic!("{other:?}"),
    }
    // one window for every step; ordered unless it says otherwise
    assert!(matches!(m("f1"), Compute::Funnel { within, order, .. }
        if within.iter().map(|w| w.value).collect::<Vec<_>>() == [14 * 86_400]
            && order.value == throughline_model::FunnelOrder::Ordered));
    assert!(
        matches!(m("life"), Compute::Lifecycle { event: None, every } if every.value == Grain::Week)
    );
    let refs: Vec<String> = m("ltv")
        .metric_refs()
        .into_iter()
        .map(|r| r.value)
        .collect();
    assert_eq!(refs, ["a", "churn"]);
    assert_eq!(
        ws.metric("ltv").unwrap().unit.as_ref().unwrap().value,
        Unit::Currency("EUR".into())
    );
    assert_eq!(
        ws.metric("ltv").unwrap().role.as_ref().unwrap().value,
        MetricRole::Kpi
    );
    assert_eq!(m("r").metric_refs().len(), 2);
    let t = &ws.metric("t").unwrap().targets[0];
    assert_eq!(
        t.period.value.length(),
        throughline_model::PeriodLength::Days(84)
    );
    assert!(matches!(t.period.value, Period::Range { .. }));

    // the span of a derived metric's reference points into the quoted expression
    let ltv_src = METRICS.lines().position(|l| l.contains("id: ltv")).unwrap() as u32 + 1;
    let churn_ref = &m("ltv").metric_refs()[1];
    assert_eq!(churn_ref.span.line, ltv_src);
    let line = METRICS.lines().nth(ltv_src as usize - 1).unwrap();
    let col = line.find("churn +").unwrap() as u32 + 1;
    assert_eq!(churn_ref.span.column, col);
}

#[test]
fn key_result_values_keep_units() {
    let okrs = "objectives:
  - id: o
    title: Faster value
    period: 2025-H2
    key_results:
      - { id: k, title: t, manual: { unit: duration }, baseline: 3 days, target: 36h, stretch: 1 day }
      - { id: p, title: t, manual: { unit: percent }, baseline: 23%, target: 35 }
";
    let mut loader = Loader::new();
    loader.add_yaml("o.yaml", Path::new("o.yaml"), okrs.into());
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let o = &loaded.workspace.objectives[0];
    assert_eq!(o.period.as_ref().unwrap().value, Period::Half(2025, 2));
    let k = &o.key_results[0];
    assert_eq!(k.baseline.as_ref().unwrap().value.value, 259_200.0);
    assert_eq!(k.target.as_ref().unwrap().value.value, 129_600.0);
    assert_eq!(
        k.stretch.as_ref().unwrap().value.unit,
        QuantityUnit::Seconds
    );
    assert_eq!(
        o.key_results[1].baseline.as_ref().unwrap().value.unit,
        QuantityUnit::Percent
    );
}

fn hash_of(metrics: &str, id: &str) -> String {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        Path::new("throughline.yaml"),
        "workspace: A\ntimezone: UTC\nsources:\n  events: { format: parquet, path: e/*.parquet, columns: { user: u, time: t, name: e } }\n".into(),
    );
    loader.add_yaml("metrics.yaml", Path::new("metrics.yaml"), metrics.into());
    let loaded = loader.finish();
    assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
    loaded.definition_hash(id).expect("a known metric")
}

#[test]
fn definition_hash_follows_what_decides_the_values() {
    let base = "metrics:\n  - id: act\n    description: one\n    unit: percent\n    compute:\n      type: conversion\n      from: signup\n      to: done\n      within: 7d\n  - id: r\n    compute: { type: ratio, numerator: act, denominator: act }\n";
    let h = hash_of(base, "act");
    assert_eq!(h.len(), 16);
    // Words, comments and layout do not change it.
    let reworded = base
        .replace("description: one", "description: two")
        .replace("      within: 7d\n", "      within:   7d   # a week\n");
    assert_eq!(hash_of(&reworded, "act"), h);
    // The window, the unit, and for a ratio the metrics it reads, do.
    assert_ne!(
        hash_of(&base.replace("within: 7d", "within: 14d"), "act"),
        h
    );
    assert_ne!(
        hash_of(&base.replace("unit: percent", "unit: ratio"), "act"),
        h
    );
    let r = hash_of(base, "r");
    assert_ne!(hash_of(&base.replace("within: 7d", "within: 14d"), "r"), r);
    assert_eq!(hash_of(&reworded, "r"), r);
}

fn workspace_with(sources: &str) -> throughline_model::Loaded {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        Path::new("throughline.yaml"),
        format!("workspace: A\ntimezone: UTC\nsources:\n{sources}"),
    );
    loader.finish()
}

#[test]
fn postgres_sources_name_a_table_or_query_and_a_database() {
    let ok = workspace_with(
        "  events: { format: postgres, table: analytics.events, url_env: EVENTS_DB }\n  users: { format: postgres, query: SELECT id AS user_id FROM accounts, url: 'postgres://u@h/db' }\n",
    );
    assert!(!ok.has_input_errors(), "{:?}", ok.diagnostics);
    let s = &ok.workspace.settings.sources;
    assert_eq!(
        s["events"].table.as_ref().unwrap().value,
        "analytics.events"
    );
    assert_eq!(s["events"].url_env.as_ref().unwrap().value, "EVENTS_DB");
    assert_eq!(
        s["users"].query.as_ref().unwrap().value,
        "SELECT id AS user_id FROM accounts"
    );
    assert_eq!(s["users"].url.as_ref().unwrap().value, "postgres://u@h/db");

    let bad = workspace_with("  events: { format: postgres }\n");
    let messages: Vec<(&str, &str)> = bad
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "missing-key",
                "source `events` reads PostgreSQL but names no table"
            ),
            (
                "missing-key",
                "source `events` reads PostgreSQL but names no database"
            ),
        ]
    );
    let both = workspace_with(
        "  events: { format: postgres, table: e, query: SELECT 1, url_env: A, url: B }\n",
    );
    let messages: Vec<&str> = both
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "source `events` has both `table:` and `query:`",
            "source `events` has both `url_env:` and `url:`"
        ]
    );
}

fn metric_errors(metrics: &str) -> Vec<(String, u32, u32)> {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        Path::new("throughline.yaml"),
        "workspace: A\ntimezone: UTC\n".into(),
    );
    loader.add_yaml("metrics.yaml", Path::new("metrics.yaml"), metrics.into());
    loader
        .finish()
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.span.unwrap();
            (d.message.clone(), span.line, span.column)
        })
        .collect()
}

#[test]
fn funnel_definitions_that_cannot_be_measured_are_refused_where_they_are_wrong() {
    let got = metric_errors(
        "metrics:
  - { id: a, compute: { type: funnel, steps: [view], within: 1d } }
  - { id: b, compute: { type: funnel, steps: [view, cart, buy], within: [1d] } }
  - { id: c, compute: { type: funnel, steps: [view, cart, buy], within: [3d, 1d] } }
  - { id: d, compute: { type: funnel, steps: [view, signup], within: 1d } }
  - { id: e, compute: { type: funnel, steps: [view, buy], within: 1d, exclude: buy } }
  - { id: f, compute: { type: funnel, steps: [view, buy], within: 1d, order: strcit } }
  - { id: g, compute: { type: funnel, steps: [view, buy] } }
",
    );
    // each at the token to fix: the list, the list of windows, the shorter window, `signup`,
    // the excluded step, the unknown order, the compute mapping missing `within`
    let want = [
        (
            "a funnel needs at least two steps, and this one has 1",
            2,
            46,
        ),
        ("`within` lists 1 window for a funnel of 3 steps", 3, 73),
        (
            "a step's window is shorter than the step's before it",
            4,
            78,
        ),
        ("`signup` can only be a funnel's first step", 5, 53),
        ("`buy` is both a step and excluded", 6, 80),
        ("`strcit` is not a valid `order`", 7, 78),
        ("`compute` needs `within`", 8, 23),
    ];
    let got: Vec<(&str, u32, u32)> = got.iter().map(|(m, l, c)| (m.as_str(), *l, *c)).collect();
    assert_eq!(got, want);
}

fn load_metrics(yaml: &str) -> throughline_model::Loaded {
    let mut loader = Loader::new();
    loader.add_yaml("metrics.yaml", Path::new("metrics.yaml"), yaml.into());
    loader.finish()
}

#[test]
fn drives_edges_are_tree_edges_with_a_formula() {
    let loaded = load_metrics(
        "metrics:
  - { id: revenue, compute: { type: sum, event: purchase, property: amount } }
  - { id: payers, drives: { metric: revenue, as: factor }, compute: { type: unique, event: purchase } }
  - { id: per_payer, supports: revenue, drives: { metric: revenue, as: Factor } }
",
    );
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let ws = &loaded.workspace;
    for id in ["payers", "per_payer"] {
        let m = ws.metric(id).unwrap();
        assert_eq!(m.supports.as_ref().unwrap().value, "revenue");
        let d = m.drives.as_ref().unwrap();
        assert_eq!(d.metric.value, "revenue");
        assert_eq!(d.as_.value, throughline_model::DriveAs::Factor);
    }
}

#[test]
fn wrong_drives_edges_are_errors_at_the_edge() {
    let loaded = load_metrics(
        "metrics:
  - { id: p }
  - { id: a, drives: { metric: p, as: factor } }
  - { id: b, drives: { metric: p, as: term } }
  - { id: c, supports: a, drives: { metric: p, as: factor } }
  - { id: d, drives: { metric: d, as: term } }
  - { id: e, drives: { metric: p, as: multiplier } }
  - { id: f, drives: { as: term } }
",
    );
    let found: Vec<(u32, u32, String)> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            let s = d.span.unwrap();
            (s.line, s.column, d.message.clone())
        })
        .collect();
    let at = |line: u32, words: &str| {
        assert!(
            found
                .iter()
                .any(|(l, _, m)| *l == line && m.contains(words)),
            "no error on line {line} saying {words:?}: {found:#?}"
        )
    };
    at(
        4,
        "`b` is a term of `p`, but `a` (line 3) is a factor of it",
    );
    at(5, "`drives` names `p` but `supports` names `a`");
    at(6, "metric `d` drives itself");
    at(7, "`multiplier` is not a valid `as`");
    at(8, "`metric`");
    assert_eq!(found.len(), 5, "{found:#?}");
}

#[test]
fn a_cluster_is_a_df_address() {
    let load = |cluster: &str| {
        let mut loader = Loader::new();
        loader.add_yaml(
            "throughline.yaml",
            Path::new("throughline.yaml"),
            format!("workspace: A\ncluster: {cluster}\n"),
        );
        loader.finish()
    };
    let ok = load("df://sched.internal:50050");
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    let c = ok.workspace.settings.cluster.as_ref().unwrap();
    assert_eq!(c.value, "df://sched.internal:50050");
    assert_eq!((c.span.line, c.span.column), (2, 10));

    let bad = load("http://sched.internal:50050");
    assert_eq!(bad.diagnostics.len(), 1, "{:?}", bad.diagnostics);
    let d = &bad.diagnostics[0];
    assert!(
        d.message.contains("is not a cluster address"),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap_or("").contains("df://HOST:PORT"));
    assert_eq!(d.span.map(|s| (s.line, s.column)), Some((2, 10)));
    assert!(bad.workspace.settings.cluster.is_none());
}

/// Every `sources:` block `throughline explain sources` shows loads without a finding, with
/// the format and columns it says.
#[test]
fn the_sources_explained_are_sources_that_load() {
    let text = throughline_model::sources_explanation();
    let blocks: Vec<&str> = text
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 4, "one block per format");
    let mut formats = Vec::new();
    for b in blocks {
        let mut loader = Loader::new();
        loader.add_yaml(
            "throughline.yaml",
            Path::new("throughline.yaml"),
            format!("workspace: T\ntimezone: UTC\n{b}"),
        );
        let loaded = loader.finish();
        assert!(
            loaded.diagnostics.is_empty(),
            "{b}\n{:?}",
            loaded.diagnostics
        );
        let events = &loaded.workspace.settings.sources["events"];
        assert!(events.columns.user.is_some() && events.columns.time.is_some());
        formats.push(events.format.value);
    }
    assert_eq!(
        formats,
        [
            SourceFormat::Parquet,
            SourceFormat::Csv,
            SourceFormat::Jsonl,
            SourceFormat::Postgres
        ]
    );
}

/// `from: signup` is the users' signup; `{ event: signup }` an event of that name; names are
/// read as the data writes them; a funnel cannot enter at an event called `signup`.
#[test]
fn signup_the_users_time_and_signup_the_event_are_told_apart() {
    let metrics = "metrics:
  - { id: a, compute: { type: conversion, from: signup, to: Workflow Run, within: 7d } }
  - { id: b, compute: { type: retention, from: { event: signup }, return: '$pageview', horizon: 1 } }
  - { id: c, compute: { type: funnel, steps: [signup, { event: signup }, done], within: 7d } }
  - { id: d, compute: { type: funnel, steps: [{ event: signup }, done], within: 7d } }
  - { id: e, compute: { type: count, event: { evnt: signup } } }
";
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        Path::new("throughline.yaml"),
        ROOT.into(),
    );
    loader.add_yaml("metrics.yaml", Path::new("metrics.yaml"), metrics.into());
    let loaded = loader.finish();
    let ws = &loaded.workspace;
    let compute = |id: &str| {
        ws.metric(id)
            .and_then(|m| m.compute.as_ref())
            .map(|c| &c.value)
    };
    match compute("a") {
        Some(Compute::Conversion { from, to, .. }) => {
            assert!(matches!(from, throughline_model::Start::Signup(_)));
            assert_eq!(to.value, "Workflow Run");
        }
        other => panic!("{other:?}"),
    }
    match compute("b") {
        Some(Compute::Retention {
            from, return_event, ..
        }) => {
            assert_eq!(from.event().map(|e| e.value.as_str()), Some("signup"));
            assert_eq!(return_event.value, "$pageview");
        }
        other => panic!("{other:?}"),
    }
    // the funnel enters at the users' signup and then needs the event called signup
    let c = ws.metric("c").and_then(|m| m.compute.as_ref()).unwrap();
    let events: Vec<&str> = c
        .value
        .events()
        .into_iter()
        .flatten()
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(events, ["signup", "done"]);
    let messages: Vec<&str> = loaded
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("cannot start at an event called `signup`"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("takes an event's name"),
        "{messages:?}"
    );
}

/// A UTC workspace whose events source is `{ events }` and users source a CSV file with
/// `users` appended, with `metrics` as metrics.yaml.
fn with_sources(events: &str, users: &str, metrics: Option<&str>) -> throughline_model::Loaded {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        Path::new("throughline.yaml"),
        format!(
            "workspace: T\ntimezone: UTC\nsources:\n  events: {{ {events} }}\n  users: {{ format: csv, path: u.csv{users} }}\n"
        ),
    );
    if let Some(m) = metrics {
        loader.add_yaml("metrics.yaml", Path::new("metrics.yaml"), m.into());
    }
    loader.finish()
}

/// `faulty_rows:` is `count` or `refuse` (a typo gets the closest), read on the events source
/// and said to have no effect on another.
#[test]
fn faulty_rows_is_count_or_refuse_on_the_events_source() {
    let load = |events: &str, users: &str| {
        with_sources(&format!("format: csv, path: e.csv{events}"), users, None)
    };
    let ok = load(", faulty_rows: refuse", "");
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    let events = &ok.workspace.settings.sources["events"];
    assert_eq!(
        events.faulty_rows.as_ref().map(|f| f.value),
        Some(throughline_model::FaultyRows::Refuse)
    );
    assert!(
        load("", "").workspace.settings.sources["events"]
            .faulty_rows
            .is_none()
    );

    let typo = load(", faulty_rows: refuze", "");
    let d = &typo.diagnostics[0];
    assert_eq!(d.code, "invalid-value");
    assert!(d.help.as_deref().unwrap_or("").contains("refuse"), "{d:?}");

    let elsewhere = load("", ", faulty_rows: count");
    let d = &elsewhere.diagnostics[0];
    assert_eq!(d.code, "unused-key");
    assert_eq!(d.severity, throughline_model::Severity::Warning);
    assert!(!elsewhere.has_input_errors());
}

/// `watermark:` is read on a PostgreSQL events table, and said to have no effect on a file
/// source (told apart by size and time) or on the users. It decides no value, so it is not in
/// any definition's hash: declaring one changes no stored value's definition.
#[test]
fn watermark_is_read_on_a_postgres_events_table_only() {
    let load = |events: &str, users: &str| {
        with_sources(
            events,
            users,
            Some("metrics:\n  - { id: n, compute: { type: count, event: e } }\n"),
        )
    };
    let table = "format: postgres, table: events, url_env: DB";
    let ok = load(&format!("{table}, watermark: loaded_at"), "");
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    let events = &ok.workspace.settings.sources["events"];
    assert_eq!(
        events.watermark.as_ref().map(|w| w.value.as_str()),
        Some("loaded_at")
    );

    for (events, users) in [
        ("format: csv, path: e.csv, watermark: loaded_at", ""),
        (table, ", watermark: loaded_at"),
    ] {
        let unused = load(events, users);
        let d = &unused.diagnostics[0];
        assert_eq!(d.code, "unused-key", "{d:?}");
        assert_eq!(d.severity, throughline_model::Severity::Warning);
        assert!(d.message.contains("watermark"), "{d:?}");
    }

    let without = load(table, "");
    let hash = |l: &throughline_model::Loaded| l.workspace.definition_hash("n");
    assert!(hash(&without).is_some());
    assert_eq!(
        hash(&ok),
        hash(&without),
        "the watermark is not in the hash"
    );
    assert!(
        !format!("{:?}", ok.workspace.settings.sources["events"]).contains("watermark"),
        "a source prints as before the field was added, so no hash changed with it"
    );
}
