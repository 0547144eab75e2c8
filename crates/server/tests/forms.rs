//! The dashboard's forms: sign-in, CSRF and origin checks, escaping, and team scope.

mod common;

use common::*;

#[tokio::test]
async fn the_check_in_form_is_csrf_safe_and_escapes_what_it_shows() {
    let w = world(false).await;
    let cookie = sign_in(&w, &w.growth).await;
    let page = send(
        &w,
        Request::get("/key-results/growth/partners/signed")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("id=\"checkin-form\""),
        "an editor of growth sees the form"
    );
    let csrf = csrf_of(&page.text);
    let note = "<script>alert(1)</script> & \"quotes\"";
    let body = format!("csrf={csrf}&confidence=8&value=3&note={}", urlencode(note));
    let path = "/key-results/growth/partners/signed";
    // Without the CSRF token, with a wrong one, or from another site: refused.
    let r = send(
        &w,
        form_post(path, &cookie, "confidence=8&value=3&note=x", None),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(
        r.text
            .contains("the form&#39;s CSRF token is missing or stale"),
        "{}",
        r.text
    );
    let r = send(
        &w,
        form_post(path, &cookie, &body.replace(&csrf, "0000"), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        form_post(path, &cookie, &body, Some("https://evil.example")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        w.state.store().checkins(None).await.unwrap().is_empty(),
        "nothing was recorded"
    );
    // The real form: recorded, then back to the page, which shows it escaped.
    let r = send(
        &w,
        form_post(path, &cookie, &body, Some("http://dash.example")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.headers[header::LOCATION],
        "/key-results/growth/partners/signed?recorded=1#check-in"
    );
    let page = send(
        &w,
        Request::get("/key-results/growth/partners/signed?recorded=1")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(page.text.contains("Check-in recorded."));
    assert!(!page.text.contains("<script>alert(1)</script>"));
    assert!(
        page.text
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;")
    );
    // A bad value comes back on the form with the reason, what was typed kept.
    let body = format!("csrf={csrf}&confidence=6&value=lots&note=kept");
    let r = send(&w, form_post(path, &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("`lots` is not a value"), "{}", r.text);
    assert!(
        r.text.contains(">kept</textarea>") && r.text.contains("<option value=\"6\" selected>")
    );
    // The growth editor sees no form on the company's key result.
    let page = send(
        &w,
        Request::get("/key-results/company/grow/reach")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(!page.text.contains("id=\"checkin-form\""));
    assert!(page.text.contains("may write for growth only"));
    // Signing out needs the CSRF token too, and clears the cookie.
    let r = send(&w, form_post("/logout", &cookie, "", None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        form_post("/logout", &cookie, &format!("csrf={csrf}"), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    // A bad token on the sign-in form.
    let r = send(
        &w,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("token=tl_bad&next=%2F%2Fevil.example"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("that token is not valid"));
    assert!(
        !r.text.contains("//evil.example"),
        "an outside `next` is dropped"
    );
}

#[tokio::test]
async fn the_decision_form_records_and_escapes_and_keeps_to_the_team() {
    let w = world(false).await;
    let cookie = sign_in(&w, &w.growth).await;
    let page = page_as(&w, "/review", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("id=\"decision-form\""),
        "an editor sees the form"
    );
    assert!(
        page.text
            .contains("<option value=\"growth/partners/signed\">")
    );
    assert!(page.text.contains("No decisions recorded yet."));
    let csrf = csrf_of(&page.text);
    let text = "Pause <b>paid</b> & \"referral\" tests";
    let body = format!(
        "csrf={csrf}&text={}&about=growth%2Fpartners",
        urlencode(text)
    );
    // Without the CSRF token: refused, nothing stored.
    let r = send(&w, form_post("/review", &cookie, "text=x", None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(w.state.store().decisions().await.unwrap().is_empty());
    // Recorded, then the log shows it, newest first and escaped.
    let r = send(&w, form_post("/review", &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.headers[header::LOCATION],
        "/review?recorded=1#decision-log"
    );
    let page = page_as(&w, "/review?recorded=1", &cookie).await;
    assert!(page.text.contains("Decision recorded."));
    assert!(!page.text.contains("<b>paid</b>"));
    let log = page.text.split("id=\"decisions-all\"").nth(1).unwrap();
    assert!(
        log.contains("Pause &lt;b&gt;paid&lt;/b&gt; &amp; &quot;referral&quot; tests</td><td>growth/partners</td><td>dana</td>"),
        "{log}"
    );
    let stored = w.state.store().decisions().await.unwrap();
    assert_eq!(
        (
            stored.len(),
            stored[0].about.as_deref(),
            stored[0].author.as_str()
        ),
        (1, Some("growth/partners"), "dana")
    );
    // About the company's key result: not growth's to decide; the form comes back with the
    // reason and what was typed.
    let body = format!("csrf={csrf}&text=Raise+the+target&about=company%2Fgrow%2Freach");
    let r = send(&w, form_post("/review", &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("may write for growth only"), "{}", r.text);
    assert!(r.text.contains(">Raise the target</textarea>"));
    assert!(r.text.contains("value=\"company/grow/reach\""));
    // An empty decision and an unknown subject are 422s that say which field.
    let r = send(
        &w,
        form_post("/review", &cookie, &format!("csrf={csrf}&text=+"), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("a decision is one sentence"));
    let body = format!("csrf={csrf}&text=x&about=nope");
    let r = send(&w, form_post("/review", &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.state.store().decisions().await.unwrap().len(), 1);
    // A viewer reads the log but gets no form, and a post of theirs is refused.
    let viewer = sign_in(&w, &w.viewer).await;
    let page = page_as(&w, "/review", &viewer).await;
    assert!(!page.text.contains("id=\"decision-form\""));
    assert!(
        page.text
            .contains("recording decisions needs an editor or admin token")
    );
    let r = send(
        &w,
        form_post(
            "/review",
            &viewer,
            &format!("csrf={}&text=x", csrf_of(&page.text)),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(w.state.store().decisions().await.unwrap().len(), 1);
}

/// Sign-in goes back only to a path on this site: a `next` that a browser would read as
/// another site (`/\t/evil.example`: browsers drop the tab; `/\\evil`, `//evil`) or that
/// would break the header (a line break) goes home instead, and never a 500.
#[tokio::test]
async fn sign_in_returns_only_to_a_path_on_this_site() {
    let w = world(false).await;
    for (next, to) in [
        (
            "%2Fkey-results%2Fgrowth%2Fpartners%2Fsigned",
            "/key-results/growth/partners/signed",
        ),
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("%2Fok%0D%0ASet-Cookie%3A%20x%3Dy", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
    ] {
        let r = send(
            &w,
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("token={}&next={next}", w.viewer)))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}: {}", r.text);
        assert_eq!(r.headers[header::LOCATION], to, "{next}");
    }
}

/// The scheme of `Authorization` in any case; every answer is `Cache-Control: no-store`;
/// health says whether the store answers.
#[tokio::test]
async fn bearer_in_any_case_no_store_and_a_health_that_checks_the_store() {
    let w = world(false).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = send(
            &w,
            Request::get("/api/overview")
                .header(header::AUTHORIZATION, format!("{scheme} {}", w.viewer))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{scheme}: {}", r.text);
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    }
    let r = send(&w, get("/api/health", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["store"], "ok");
    // the store goes away: health is 503 and says so
    w.state.store().close().await;
    let r = send(&w, get("/api/health", None)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.json()["status"], "unavailable");
}

/// A NUL or another control character in a note or a decision is refused with a 422 that
/// names the field (a PostgreSQL store can never take a NUL: a 503 "retry" would be a lie).
#[tokio::test]
async fn control_characters_in_a_note_or_a_decision_are_a_422_naming_the_field() {
    let w = world(false).await;
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.growth),
            serde_json::json!({"key_result": "growth/partners/signed", "confidence": 7, "note": "ok\u{0}then"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["field"], "note");
    let r = send(
        &w,
        post_json(
            "/api/decisions",
            Some(&w.admin),
            serde_json::json!({"text": "ship \u{1b}[31mnow"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["field"], "text");
    // line breaks and tabs are text
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.growth),
            serde_json::json!({"key_result": "growth/partners/signed", "confidence": 7, "note": "two\nlines\tand a tab"}),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text);
}

/// The sign-in cookie is `Secure` when a proxy says the request came over HTTPS, and only
/// then (a plain-HTTP server's cookie would otherwise never come back).
#[tokio::test]
async fn the_cookie_is_secure_behind_https() {
    let w = world(false).await;
    for (header_name, value, secure) in [
        ("x-forwarded-proto", "https", true),
        ("forwarded", "for=10.0.0.1;proto=https", true),
        ("x-forwarded-proto", "http", false),
    ] {
        let r = send(
            &w,
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header_name, value)
                .body(Body::from(format!("token={}&next=%2F", w.viewer)))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
        assert_eq!(
            cookie.contains("; Secure"),
            secure,
            "{header_name}: {value}: {cookie}"
        );
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    }
}
