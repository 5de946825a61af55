//! The bare axum baseline: the same routes as the gateway's hot paths with nothing behind
//! them, so the gateway's numbers can be read as a ratio of what axum alone does on this
//! machine in this run.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use strata_core::model::Volume;
use tokio::net::TcpListener;

/// Serves the baseline on a free loopback port and returns its base URL. `GET /healthz`
/// answers a small JSON; `GET /v1/volumes/x` serializes `volume` on every request, as the
/// gateway serializes a cached answer.
pub async fn start(volume: Volume) -> anyhow::Result<String> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/volumes/{id}", get(show_volume))
        .with_state(Arc::new(volume));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn show_volume(State(volume): State<Arc<Volume>>) -> Json<Volume> {
    Json(Volume::clone(&volume))
}
