//! Swagger UI at `/docs/`: what the page really serves. Its configuration is written into
//! `swagger-initializer.js`, which the page loads after the bundle.

use strata_tests::*;

async fn text(gw: &TestGateway, path: &str) -> (u16, String, String) {
    let resp = gw.http.get(gw.url(path)).send().await.expect("answered");
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ctype, resp.text().await.expect("body reads"))
}

#[tokio::test]
async fn swagger_ui_is_configured_and_served_from_vendored_assets() {
    let gw = TestGateway::start().await;

    // `/docs` redirects to the page (the client follows).
    let (s, ctype, html) = text(&gw, "/docs").await;
    assert_eq!((s, ctype.as_str()), (200, "text/html"));
    for script in [
        "./swagger-ui-bundle.js",
        "./swagger-ui-standalone-preset.js",
        "./swagger-initializer.js",
    ] {
        assert!(html.contains(script), "the page loads {script}: {html}");
    }

    let (s, ctype, init) = text(&gw, "/docs/swagger-initializer.js").await;
    assert_eq!(s, 200);
    assert!(ctype.contains("javascript"), "{ctype}");
    assert!(init.contains("SwaggerUIBundle({"), "{init}");
    for setting in [
        r#""url": "/openapi.json""#,
        // No spec validation by swagger.io (and no badge), whatever host serves the page.
        r#""validatorUrl": "none""#,
        // "Authorize" survives a reload.
        r#""persistAuthorization": true"#,
        r#""tryItOutEnabled": false"#,
    ] {
        assert!(init.contains(setting), "initializer sets {setting}: {init}");
    }
    assert!(
        !init.contains("petstore"),
        "the sample document is replaced"
    );
    assert!(!init.contains("validator.swagger.io"), "{init}");

    // The bundle is the vendored Swagger UI release that no longer shows an operation-level
    // "Servers" box for OpenAPI 3.1 documents (5.17.x did); no asset comes from elsewhere.
    let (s, _, bundle) = text(&gw, "/docs/swagger-ui-bundle.js").await;
    assert_eq!(s, 200);
    let version = bundle
        .split("PACKAGE_VERSION:\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the bundle names its version");
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(parts >= vec![5, 32, 6], "Swagger UI {version}");

    // The document the page loads.
    let (s, ctype, doc) = text(&gw, "/openapi.json").await;
    assert_eq!((s, ctype.as_str()), (200, "application/json"));
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc,
        serde_json::to_value(strata_server::openapi::spec()).unwrap()
    );
    gw.stop().await;
}
