use motcua_testkit::both_backends;
use reqwest::StatusCode;

both_backends! {
    async fn health_and_readiness(app) {
        let c = app.client();
        let (s, b) = c.get("/healthz").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["status"], "ok");
        let (s, b) = c.get("/readyz").await;
        assert_eq!(s, StatusCode::OK);
        let expected = match app.backend { motcua_testkit::Backend::Sqlite => "sqlite", motcua_testkit::Backend::Postgres => "postgres" };
        assert_eq!(b["backend"], expected);
    }

    async fn openapi_document_and_offline_docs(app) {
        let c = app.client();
        let (s, doc) = c.get("/api/openapi.json").await;
        assert_eq!(s, StatusCode::OK);
        for path in ["/api/v1/auth/login", "/api/v1/agencies", "/api/v1/agencies/{id}/merge", "/api/v1/users", "/api/v1/users/{id}", "/api/v1/audit", "/healthz"] {
            assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
        }
        assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
        // The docs page and its script come from this server (no CDN).
        let page = c.http.get(format!("{}/api/docs/", app.url)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("swagger-ui"), "docs page: {html}");
        assert!(!html.contains("https://"), "the docs page must not load anything from the internet");
        let js = c.http.get(format!("{}/api/docs/swagger-ui-bundle.js", app.url)).send().await.unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert!(js.bytes().await.unwrap().len() > 100_000);
    }

    async fn metrics_and_request_ids(app) {
        let c = app.client();
        let r = c.http.get(format!("{}/healthz", app.url)).send().await.unwrap();
        let id = r.headers().get("x-request-id").expect("request id").to_str().unwrap().to_string();
        assert_eq!(id.len(), 36, "uuid request id: {id}");
        let text = c.http.get(format!("{}/metrics", app.url)).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("http_requests_total"), "{text}");
        assert!(text.contains("route=\"/healthz\""), "{text}");
    }

    async fn unknown_routes_and_methods_use_the_error_shape(app) {
        let c = app.client();
        let (s, b) = c.get("/api/v1/nothing-here").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(b["code"], "not_found");
        assert!(b["message_vi"].as_str().unwrap().contains("Không tìm thấy"));
        let (s, b) = c.send(reqwest::Method::DELETE, "/healthz", None).await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(b["code"], "method_not_allowed");
    }
}
