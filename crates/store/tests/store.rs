//! The store against real databases: SQLite in a temp dir, and PostgreSQL when
//! THROUGHLINE_TEST_POSTGRES names a server (always in CI; see scripts/test-postgres).

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use throughline_store::{
    NewCheckIn, NewSnapshot, SaveSummary, ScoreRow, Store, StoreError, testing,
};

/// Runs `f` on a fresh SQLite store and, when a server is configured, a fresh PostgreSQL one.
async fn on_every_backend<F, Fut>(f: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open("sqlite://state.db", dir.path()).await.unwrap();
    f(sqlite).await;
    if let Some(server) = testing::postgres_server() {
        let url = testing::fresh_postgres_database(&server).await;
        let pg = Store::open(&url, dir.path()).await.unwrap();
        f(pg).await;
    }
}

fn snap(metric: &str, week: u32, segment: &[(&str, &str)], value: f64, hash: &str) -> NewSnapshot {
    let start =
        Utc.with_ymd_and_hms(2026, 7, 6, 0, 0, 0).unwrap() + chrono::Duration::weeks(week as i64);
    NewSnapshot {
        metric: metric.into(),
        grain: "week".into(),
        start,
        end: start + chrono::Duration::weeks(1),
        segment: segment
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        value: Some(value),
        numerator: Some(value * 10.0),
        denominator: Some(10.0),
        complete: true,
        definition_hash: hash.into(),
    }
}

fn checkin(kr: &str, confidence: i64) -> NewCheckIn {
    NewCheckIn {
        objective: "improve-activation".into(),
        key_result: kr.into(),
        period: "2026-Q3".into(),
        value: None,
        confidence: Some(confidence),
        note: "checklist shipped to 50%; <b>early</b> lift".into(),
        author: "Dana".into(),
    }
}

#[tokio::test]
async fn snapshots_are_versioned_never_rewritten() {
    on_every_backend(|store| async move {
        let first = vec![
            snap("activation_rate", 0, &[], 27.5, "h1"),
            snap("activation_rate", 1, &[], 28.25, "h1"),
            snap("activation_rate", 1, &[("plan", "pro")], 31.0, "h1"),
        ];
        let s = store.save_snapshots(&first).await.unwrap();
        assert_eq!(
            s,
            SaveSummary {
                new: 3,
                unchanged: 0,
                revised: 0,
                redefined: 0
            }
        );
        // The same values again: nothing written.
        let s = store.save_snapshots(&first).await.unwrap();
        assert_eq!(
            s,
            SaveSummary {
                new: 0,
                unchanged: 3,
                revised: 0,
                redefined: 0
            }
        );
        // Late data changes one value; a new definition changes another; one is new.
        let second = vec![
            snap("activation_rate", 0, &[], 27.5, "h1"),
            snap("activation_rate", 1, &[], 28.75, "h1"),
            snap("activation_rate", 1, &[("plan", "pro")], 30.0, "h2"),
            snap("activation_rate", 2, &[], 29.0, "h2"),
        ];
        let s = store.save_snapshots(&second).await.unwrap();
        assert_eq!(
            s,
            SaveSummary {
                new: 1,
                unchanged: 1,
                revised: 1,
                redefined: 1
            }
        );

        let latest = store
            .latest_snapshots("activation_rate", "week")
            .await
            .unwrap();
        let got: Vec<(u32, usize, f64, &str)> = latest
            .iter()
            .map(|s| {
                let week = ((s.value.start - first[0].start).num_weeks()) as u32;
                (
                    week,
                    s.value.segment.len(),
                    s.value.value.unwrap(),
                    s.value.definition_hash.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 0, 27.5, "h1"),
                (1, 0, 28.75, "h1"),
                (1, 1, 30.0, "h2"),
                (2, 0, 29.0, "h2")
            ]
        );
        // History keeps both versions of the revised and redefined values.
        let all = store
            .snapshot_rows("activation_rate", "week")
            .await
            .unwrap();
        assert_eq!(all.len(), 6);
        let week1_total: Vec<f64> = all
            .iter()
            .filter(|s| s.value.start == first[1].start && s.value.segment.is_empty())
            .map(|s| s.value.value.unwrap())
            .collect();
        assert_eq!(week1_total, vec![28.25, 28.75]);
        assert_eq!(all[0].value, first[0], "a value round-trips exactly");
        assert!(
            store
                .latest_snapshots("activation_rate", "month")
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn checkins_decisions_and_closing_a_period() {
    on_every_backend(|store| async move {
        let a = store
            .record_checkin(&checkin("activation", 6))
            .await
            .unwrap();
        let mut manual = checkin("invites", 8);
        manual.value = Some(910.0);
        let b = store.record_checkin(&manual).await.unwrap();
        let all = store.checkins(None).await.unwrap();
        assert_eq!(
            all,
            vec![a.clone(), b.clone()]
                .into_iter()
                .map(|mut c| {
                    // Stored times have microsecond precision.
                    c.recorded_at =
                        chrono::DateTime::from_timestamp_micros(c.recorded_at.timestamp_micros())
                            .unwrap();
                    c
                })
                .collect::<Vec<_>>()
        );
        assert_eq!(
            all[0].checkin.note,
            "checklist shipped to 50%; <b>early</b> lift"
        );
        assert!(store.checkins(Some("other")).await.unwrap().is_empty());

        let d = store
            .record_decision(
                "Roll the checklist out to everyone",
                Some("activation"),
                "Dana",
            )
            .await
            .unwrap();
        let ds = store.decisions().await.unwrap();
        assert_eq!(ds.len(), 1);
        assert_eq!(
            (ds[0].id.as_str(), ds[0].about.as_deref()),
            (d.id.as_str(), Some("activation"))
        );

        let scores = vec![ScoreRow {
            period: "2026-Q3".into(),
            team: "growth".into(),
            objective: "improve-activation".into(),
            key_result: "activation".into(),
            commitment: "aspirational".into(),
            owner: Some("Dana".into()),
            value: Some(33.1),
            score: 0.76,
            confidence: Some(6),
        }];
        store
            .close_period("2026-Q3", "Dana", &scores)
            .await
            .unwrap();
        assert_eq!(store.scores().await.unwrap(), scores);
        assert_eq!(store.closed_periods().await.unwrap()[0].period, "2026-Q3");
        // Closed: no more check-ins, and it cannot be closed twice (scores stay as they were).
        let late = store
            .record_checkin(&checkin("activation", 9))
            .await
            .unwrap_err();
        assert!(matches!(late, StoreError::PeriodClosed { .. }), "{late}");
        assert_eq!(store.checkins(None).await.unwrap().len(), 2);
        let again = store.close_period("2026-Q3", "Sam", &[]).await.unwrap_err();
        assert!(matches!(again, StoreError::PeriodClosed { .. }));
        assert_eq!(store.scores().await.unwrap(), scores);
        // Other periods are still open.
        let mut next = checkin("activation", 5);
        next.period = "2026-Q4".into();
        store.record_checkin(&next).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn reopening_keeps_everything_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open("sqlite://s/state.db", dir.path())
        .await
        .unwrap();
    store
        .record_checkin(&checkin("activation", 6))
        .await
        .unwrap();
    store.close().await;
    let again = Store::open("sqlite://s/state.db", dir.path())
        .await
        .unwrap();
    assert_eq!(again.checkins(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn unreachable_and_unknown_stores_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open("postgres://nobody:pw@127.0.0.1:1/none", dir.path())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("cannot open the store at postgres://nobody:***@127.0.0.1:1/none"),
        "{text}"
    );
    assert!(!text.contains("pw"));
    assert!(e.help().contains("server runs"));
    let e = Store::open("redis://x", dir.path()).await.unwrap_err();
    assert!(e.to_string().contains("expected `sqlite://PATH`"), "{e}");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("state.db"),
        "my notes, not a database\n".repeat(200),
    )
    .unwrap();
    let e = Store::open("sqlite://state.db", dir.path())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("state.db"), "{e}");
    let kept = std::fs::read_to_string(dir.path().join("state.db")).unwrap();
    assert!(kept.starts_with("my notes"));
}

#[tokio::test]
async fn api_tokens_are_stored_hashed_found_by_secret_and_revoked() {
    on_every_backend(|store| async move {
        let new = throughline_store::NewToken {
            name: "dana".into(),
            role: "editor".into(),
            teams: vec!["growth".into()],
        };
        // The revision the dashboard watches: counts of check-ins and decisions.
        assert_eq!(store.revision().await.unwrap(), (0, 0));
        store
            .record_checkin(&checkin("activation", 6))
            .await
            .unwrap();
        store
            .record_decision("Ship it", None, "dana")
            .await
            .unwrap();
        assert_eq!(store.revision().await.unwrap(), (1, 1));
        let (token, secret) = store.create_token(&new).await.unwrap();
        assert!(secret.starts_with("tl_") && secret.len() == 67, "{secret}");
        assert_eq!(
            (token.role.as_str(), token.teams.clone()),
            ("editor", vec!["growth".to_string()])
        );
        let found = store.token_for_secret(&secret).await.unwrap().unwrap();
        assert_eq!(found, token);
        assert_eq!(store.token_for_secret("tl_wrong").await.unwrap(), None);
        // Two tokens never share a secret.
        let other = throughline_store::NewToken {
            name: "sam".into(),
            role: "admin".into(),
            teams: vec!["*".into()],
        };
        let (_, secret2) = store.create_token(&other).await.unwrap();
        assert_ne!(secret, secret2);
        // Names are unique among active tokens.
        let again = store.create_token(&new).await.unwrap_err();
        assert!(matches!(again, StoreError::TokenExists { .. }), "{again}");
        assert_eq!(store.tokens().await.unwrap().len(), 2);
        store.revoke_token("dana").await.unwrap();
        assert_eq!(store.token_for_secret(&secret).await.unwrap(), None);
        assert_eq!(store.tokens().await.unwrap().len(), 1);
        let gone = store.revoke_token("dana").await.unwrap_err();
        assert_eq!(gone.to_string(), "no active token is named `dana`");
        // The name is free again once revoked.
        store.create_token(&new).await.unwrap();
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_notification_is_claimed_once_and_a_failed_one_again() {
    on_every_backend(|store| async move {
        let t0 = Utc.with_ymd_and_hms(2026, 9, 25, 12, 0, 0).unwrap();
        let n = throughline_store::NewNotification {
            key: "checkin-reminder/2026-W39/mail/Sam (CEO)",
            kind: "checkin-reminder",
            channel: "mail",
            recipient: Some("sam@example.com"),
            subject: "Check-in due",
            body: "wau, retention, nps",
        };
        assert!(store.claim_notification(&n, t0).await.unwrap());
        // Claimed and not finished: a second run a minute later keeps off it...
        let t1 = t0 + chrono::Duration::minutes(1);
        assert!(!store.claim_notification(&n, t1).await.unwrap());
        store
            .finish_notification(n.key, 3, Some("HTTP 500"), t1)
            .await
            .unwrap();
        let log = store.notifications(10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, throughline_store::Delivery::Failed);
        assert_eq!(
            (log[0].attempts, log[0].error.as_deref()),
            (3, Some("HTTP 500"))
        );
        // ...a failed one is tried again, and once sent never again.
        let t2 = t1 + chrono::Duration::minutes(1);
        assert!(store.claim_notification(&n, t2).await.unwrap());
        store.finish_notification(n.key, 1, None, t2).await.unwrap();
        assert!(
            !store
                .claim_notification(&n, t2 + chrono::Duration::days(9))
                .await
                .unwrap()
        );
        let log = store.notifications(10).await.unwrap();
        assert_eq!(log[0].status, throughline_store::Delivery::Sent);
        assert_eq!((log[0].attempts, log[0].error.as_deref()), (4, None));
        assert_eq!(log[0].created_at, t0);
        assert_eq!(log[0].updated_at, t2);
        // A claim left by a run that crashed is taken over after ten minutes.
        let m = throughline_store::NewNotification {
            key: "review-digest/2026-W39/slack",
            ..n
        };
        assert!(store.claim_notification(&m, t0).await.unwrap());
        assert!(
            !store
                .claim_notification(&m, t0 + chrono::Duration::minutes(9))
                .await
                .unwrap()
        );
        assert!(
            store
                .claim_notification(&m, t0 + chrono::Duration::minutes(11))
                .await
                .unwrap()
        );
    })
    .await;
}

#[tokio::test]
async fn values_without_a_numerator_and_with_one_are_saved_in_one_go() {
    // A count has no numerator, a conversion has one: `measure --save` writes both in one
    // transaction, the one without first (PostgreSQL once refused the second).
    on_every_backend(|store| async move {
        let mut count = snap("invites_sent", 0, &[], 41.0, "h1");
        count.numerator = None;
        count.denominator = None;
        let values = vec![
            count.clone(),
            snap("activation_rate", 0, &[], 27.5, "h1"),
            snap("activation_rate", 1, &[], 28.25, "h1"),
        ];
        let s = store.save_snapshots(&values).await.unwrap();
        assert_eq!(s.new, 3);
        let stored = store
            .latest_snapshots("invites_sent", "week")
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].value.numerator, None);
        assert_eq!(stored[0].value.value, Some(41.0));
        let rates = store
            .latest_snapshots("activation_rate", "week")
            .await
            .unwrap();
        assert_eq!(rates[1].value.numerator, Some(282.5));
    })
    .await;
}

/// Two `measure --save` at once (two processes: two stores on one database) never store a
/// value twice: the second waits for the first and finds its rows unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn saves_at_once_store_each_value_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec!["sqlite://state.db".to_string()];
    if let Some(server) = testing::postgres_server() {
        urls.push(testing::fresh_postgres_database(&server).await);
    }
    let values: Vec<NewSnapshot> = (0..40)
        .map(|w| snap("wau", w, &[], 100.0 + f64::from(w), "h1"))
        .collect();
    for url in urls {
        let mut stores = Vec::new();
        for _ in 0..4 {
            stores.push(Store::open(&url, dir.path()).await.unwrap());
        }
        // each save on its own task, its own pool: at once, as two processes would
        let tasks: Vec<_> = stores
            .iter()
            .map(|s| {
                let (s, v) = (s.clone(), values.clone());
                tokio::spawn(async move { s.save_snapshots(&v).await })
            })
            .collect();
        let mut summaries = Vec::new();
        for t in tasks {
            summaries.push(
                t.await
                    .unwrap()
                    .expect("a save succeeds (a busy one waits)"),
            );
        }
        let new: usize = summaries.iter().map(|s| s.new).sum();
        let unchanged: usize = summaries.iter().map(|s| s.unchanged).sum();
        assert_eq!((new, unchanged), (40, 120), "{url}: {summaries:?}");
        let rows = stores[0].snapshot_rows("wau", "week").await.unwrap();
        assert_eq!(rows.len(), 40, "{url}: every value once");
    }
}
