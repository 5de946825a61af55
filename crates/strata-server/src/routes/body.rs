//! The JSON body extractor every route uses.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use strata_core::model::bounds::Bounded;

use crate::problem::Problem;
use crate::state::AppState;

/// A JSON request body, refused as problem+json unless it is `Content-Type: application/json`
/// (or `+json`), a JSON *object* (serde would otherwise read a struct from an array by
/// position), of the right shape, within the body type's [`Bounded`] limits and within
/// `max_body_bytes`.
pub struct ApiJson<T>(pub T);

impl<T> FromRequest<AppState> for ApiJson<T>
where
    T: DeserializeOwned + Bounded,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        if !is_json(req.headers()) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "the request body must be JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = read_body(req.into_body(), state.config.max_body_bytes).await?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "Invalid request body",
                "the request body must be a JSON object",
            ));
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes).map_err(Problem::from)?;
        value.check_bounds().map_err(Problem::from)?;
        Ok(ApiJson(value))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

/// The whole body, refused past `limit` bytes. Read here rather than through a
/// `DefaultBodyLimit` layer, which would add a request extension to every request, bodiless
/// reads included.
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, Problem> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if c.is::<http_body_util::LengthLimitError>() {
                return Problem::payload_too_large();
            }
            cause = c.source();
        }
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "Invalid request body",
            "the request body could not be read",
        )
    })
}
