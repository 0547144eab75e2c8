//! The dashboard's API through the real router: who may read and write (roles scoped by
//! team), validation with clear 4xx errors, and the OpenAPI document.

mod common;

use common::*;

#[tokio::test]
async fn reading_needs_a_token_unless_public() {
    let w = world(false).await;
    let r = send(&w, get("/api/overview", None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let e = r.json();
    assert_eq!(e["error"], "this dashboard needs a token to read");
    assert!(
        e["help"]
            .as_str()
            .unwrap()
            .contains("throughline token create")
    );
    let r = send(&w, get("/api/overview", Some(&w.viewer))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["north_star"]["metric"], "wau");
    // Pages send a reader without a token to the sign-in page.
    let r = send(&w, get("/alignment", None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login?next=/alignment");
    // A wrong token is refused, not taken for no token.
    let r = send(&w, get("/api/overview", Some("tl_nope"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json()["error"],
        "the token is not valid (unknown or revoked)"
    );

    let open = world(true).await;
    for path in [
        "/",
        "/alignment",
        "/metrics",
        "/metrics/wau",
        "/review",
        "/experiments",
        "/objectives/growth/partners",
        "/key-results/company/grow/reach",
        "/api/overview",
        "/api/alignment?team=growth",
        "/api/metrics/wau",
        "/api/review",
        "/api/key-results/growth/partners/signed",
    ] {
        let r = send(&open, get(path, None)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            r.headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
    }
}

#[tokio::test]
async fn writes_are_scoped_by_role_and_team() {
    let w = world(false).await;
    let checkin = |kr: &str| json!({"key_result": kr, "confidence": 7, "note": "two signed"});
    // A viewer reads only.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.viewer),
            checkin("growth/partners/signed"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json()["error"],
        "token `vera` is a viewer's: it may read, not write"
    );
    // An editor of growth checks in on growth's key result...
    let r = send(&w, post_json("/api/checkins", Some(&w.growth), json!({"key_result": "growth/partners/signed", "value": 2, "confidence": 7, "note": "two signed"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let c = r.json();
    assert_eq!(
        (
            c["author"].as_str(),
            c["value"].as_f64(),
            c["period"].as_str()
        ),
        (Some("dana"), Some(2.0), Some("2026-Q3"))
    );
    // ...and not on the company's.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.growth),
            checkin("company/grow/reach"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json()["error"],
        "token `dana` may write for growth only, not for team `company`"
    );
    // An admin writes anywhere.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.admin),
            checkin("company/grow/reach"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Without a token: 401.
    let r = send(
        &w,
        post_json("/api/checkins", None, checkin("growth/partners/signed")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The stored check-ins: exactly the two allowed ones.
    let stored = w.state.store().checkins(None).await.unwrap();
    let who: Vec<(&str, &str)> = stored
        .iter()
        .map(|c| (c.checkin.key_result.as_str(), c.checkin.author.as_str()))
        .collect();
    assert_eq!(who, vec![("signed", "dana"), ("reach", "root")]);
    // The key result's page and data show it at once.
    let r = send(
        &w,
        get("/api/key-results/growth/partners/signed", Some(&w.viewer)),
    )
    .await;
    let page = r.json();
    assert_eq!(page["checkins"][0]["note"], "two signed");
    assert_eq!(page["row"]["status"]["current"]["value"], 2.0);

    // Decisions: about a growth objective by its editor, not about the company's.
    let r = send(
        &w,
        post_json(
            "/api/decisions",
            Some(&w.growth),
            json!({"text": "Focus on two partners", "about": "growth/partners"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = send(
        &w,
        post_json(
            "/api/decisions",
            Some(&w.growth),
            json!({"text": "Change the company goal", "about": "company/grow/reach"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        post_json(
            "/api/decisions",
            Some(&w.growth),
            json!({"text": "x", "about": "no-such-thing"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "about");

    // Refreshing is an admin's.
    let r = send(
        &w,
        Request::post("/api/refresh")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.growth))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        Request::post("/api/refresh")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.admin))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json()["computed_at"].is_string());
}

#[tokio::test]
async fn bad_requests_are_clear_4xx_errors() {
    let w = world(false).await;
    let t = Some(w.growth.as_str());
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed", "confidence": 11}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "confidence",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/nope", "confidence": 5}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "key_result",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/reach2", "value": 12}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "value",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed", "value": "35%"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "value",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed", "note": "x".repeat(2001)}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "note",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "note",
        ),
    ];
    for (req, status, field) in cases {
        let r = send(&w, req).await;
        assert_eq!(r.status, status, "{}", r.text);
        let e = r.json();
        assert_eq!(e["field"], field, "{e}");
        assert!(!e["help"].as_str().unwrap().is_empty());
    }
    // Unknown fields, broken JSON, the wrong content type, a body too large.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            t,
            json!({"key_result": "growth/partners/signed", "confidense": 5}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `confidense`"),
        "{}",
        r.text
    );
    let raw = |ct: &str, body: String| {
        Request::post("/api/checkins")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.growth))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let r = send(&w, raw("application/json", "{\"key_result\": ".into())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&w, raw("text/plain", "{}".into())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["help"], "send `Content-Type: application/json`");
    let r = send(
        &w,
        raw(
            "application/json",
            format!("{{\"key_result\": \"{}\"}}", "x".repeat(20_000)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A closed period takes no more check-ins: 409.
    let row = ScoreRow {
        period: "2026-Q3".into(),
        team: "growth".into(),
        objective: "partners".into(),
        key_result: String::new(),
        commitment: "aspirational".into(),
        owner: None,
        value: None,
        score: 0.5,
        confidence: None,
    };
    w.state
        .store()
        .close_period("2026-Q3", "root", &[row])
        .await
        .unwrap();
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            t,
            json!({"key_result": "growth/partners/signed", "confidence": 5}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.json()["error"],
        "period 2026-Q3 is closed: it has been scored"
    );
    // Unknown pages and API paths.
    assert_eq!(
        send(&w, get("/api/metrics/wauu", Some(&w.viewer)))
            .await
            .json()["help"],
        "did you mean `wau`? the metrics catalog lists them"
    );
    assert_eq!(
        send(&w, get("/api/nothing", Some(&w.viewer))).await.status,
        StatusCode::NOT_FOUND
    );
    let r = send(&w, get("/api/alignment?team=sales", Some(&w.viewer))).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("team"))
    );
}

/// Signs in through the form and returns the cookie.
#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let w = world(true).await;
    let doc = send(&w, get("/api/openapi.json", None)).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/overview",
        "/api/alignment",
        "/api/objectives/{path}",
        "/api/key-results/{path}",
        "/api/metrics",
        "/api/metrics/{id}",
        "/api/review",
        "/api/experiments",
        "/api/checkins",
        "/api/decisions",
        "/api/refresh",
        "/api/health",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    assert_eq!(
        doc["components"]["schemas"]["CheckIn"]["properties"]["confidence"]["maximum"],
        10
    );
}
