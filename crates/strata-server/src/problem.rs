//! RFC 9457 problem details: the one shape of every error response.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use strata_core::Error;
use utoipa::ToSchema;

/// The request id of the request being served (for problem bodies); it lives in core so
/// adapters can forward it to vendors.
pub use strata_core::context::REQUEST_ID;

/// The media type of problem responses.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem. Boxed so that `Result<T, Problem>` stays small on the happy path.
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemDetails>);

impl std::ops::Deref for Problem {
    type Target = ProblemDetails;
    fn deref(&self) -> &ProblemDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemDetails {
        &mut self.0
    }
}

/// The members of a problem: RFC 9457's, plus Strata's stable `code` and vendor context.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDetails {
    /// A URI naming the problem type; stable per `code`.
    #[serde(rename = "type")]
    #[schema(example = "urn:strata:problem:unsupported_value")]
    pub type_uri: String,
    /// A short summary of the problem type.
    #[schema(example = "Value not offered by the provider")]
    pub title: String,
    /// The HTTP status.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong, for a person (never internal details).
    #[schema(example = "`size_gib` must be between 300 and 10000 GiB in steps of 100, got 250")]
    pub detail: String,
    /// Stable, machine-readable code: switch on this, never on `detail`.
    #[schema(example = "unsupported_value")]
    pub code: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The offending request field, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The provider involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The vendor's HTTP status, when a vendor answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_status: Option<u16>,
    /// The vendor's own error code, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
    /// The request id (also in the `X-Request-Id` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Whether the same request may succeed later.
    pub retryable: bool,
    #[serde(skip)]
    www_authenticate: Option<String>,
    /// Sent as `Retry-After` (seconds).
    #[serde(skip)]
    retry_after: Option<u64>,
}

impl Problem {
    /// A problem with the given status, code and detail.
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem(Box::new(ProblemDetails {
            type_uri: format!("urn:strata:problem:{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.into(),
            instance: None,
            field: None,
            provider: None,
            vendor_status: None,
            vendor_code: None,
            request_id: None,
            retryable: false,
            www_authenticate: None,
            retry_after: None,
        }))
    }

    /// Names the provider the failure came from.
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Sets the request path.
    pub fn with_instance(mut self, path: impl Into<String>) -> Self {
        self.instance = Some(path.into());
        self
    }

    /// 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750).
    pub fn unauthenticated(detail: impl Into<String>, token_present: bool) -> Self {
        let detail = detail.into();
        let mut p = Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Unauthenticated",
            detail.clone(),
        );
        p.www_authenticate = Some(if token_present {
            format!(
                "Bearer realm=\"strata\", error=\"invalid_token\", error_description=\"{}\"",
                detail.replace('"', "'")
            )
        } else {
            "Bearer realm=\"strata\"".into()
        });
        p
    }

    /// 403 for a missing scope (RFC 6750 `insufficient_scope`).
    pub fn insufficient_scope(scope: &str) -> Self {
        let mut p = Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "Insufficient scope",
            format!("this call needs the `{scope}` scope"),
        );
        p.www_authenticate = Some(format!(
            "Bearer realm=\"strata\", error=\"insufficient_scope\", scope=\"{scope}\""
        ));
        p
    }

    /// 403 for a provider the token may not use.
    pub fn provider_forbidden(provider: &str) -> Self {
        Problem::new(
            StatusCode::FORBIDDEN,
            "provider_forbidden",
            "Provider not allowed",
            format!("this token may not use provider `{provider}`"),
        )
        .with_provider(provider)
    }

    /// 404 for a provider id that is not configured.
    pub fn unknown_provider(provider: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "provider_not_found",
            "Not found",
            format!("no provider `{provider}` is configured"),
        )
        .with_provider(provider)
    }

    /// 413: a request body past `max_body_bytes`.
    pub fn payload_too_large() -> Self {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            "the request body is larger than the gateway accepts",
        )
    }

    /// 500 without any internal detail.
    pub fn internal() -> Self {
        Problem::from(Error::Internal(String::new()))
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        if let Error::Internal(msg) = &e {
            // The message stays in the logs; the client gets the request id to quote.
            tracing::error!(error = %msg, "internal error");
        }
        let status =
            StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut p = Problem::new(status, &e.code(), e.title(), e.public_detail());
        p.field = e.field().map(str::to_string);
        p.vendor_status = e.vendor_status();
        p.vendor_code = e.vendor_code().map(str::to_string);
        p.retryable = e.retryable();
        p.retry_after = e.retry_after_secs();
        p
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Self {
        match &r {
            JsonRejection::MissingJsonContentType(_) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "the request body must be JSON with `Content-Type: application/json`",
            ),
            JsonRejection::JsonSyntaxError(_) => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "Invalid JSON",
                r.body_text(),
            ),
            JsonRejection::JsonDataError(_) => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "Invalid request body",
                r.body_text(),
            ),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Problem::payload_too_large(),
            _ => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "Invalid request body",
                r.body_text(),
            ),
        }
    }
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            "Invalid argument",
            r.body_text(),
        )
    }
}

impl From<PathRejection> for Problem {
    fn from(r: PathRejection) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            "Invalid argument",
            r.body_text(),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(mut self) -> Response {
        if self.request_id.is_none() {
            self.request_id = REQUEST_ID.try_with(|id| id.to_string()).ok();
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&*self.0).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = (status, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(challenge) = self
            .www_authenticate
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
