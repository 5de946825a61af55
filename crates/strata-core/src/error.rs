//! Typed errors shared by every provider, with their HTTP status and stable `code`.
//!
//! Adapters turn vendor failures into these; the gateway turns them into RFC 9457 problems.
//! The mapping lives here, once, so every provider answers the same failure the same way.

use crate::ids::{IdError, ResourceType};

/// The error type of every provider call and of the core helpers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The resource does not exist (or the caller may not see it).
    #[error("{resource} `{id}` was not found")]
    NotFound {
        /// The type of the resource asked for.
        resource: ResourceType,
        /// The id the caller asked for.
        id: String,
    },
    /// The request breaks the documented schema (a length, range, pattern or format, a
    /// missing or unknown field): the same on every provider. `field` names the offending
    /// input in the request's own terms (`size_gib`, `protocol`, …) when there is one.
    #[error("{message}")]
    InvalidArgument {
        /// The offending input, when there is one.
        field: Option<String>,
        /// What is wrong, for the client.
        message: String,
    },
    /// A string that should be a global id is not one.
    #[error("invalid id: {0}")]
    InvalidId(#[from] IdError),
    /// The request is valid by the schema but asks for a value the target provider does not
    /// offer (a tier, protocol, region, size, name form or option outside its capability
    /// document, or outside a limit of the vendor's own).
    #[error("{message}")]
    UnsupportedValue {
        /// The offending input, when there is one.
        field: Option<String>,
        /// What is not offered, and what is, for the client.
        message: String,
    },
    /// A page token this list did not issue (garbled, from another list or another query).
    #[error("the page token is not valid for this list")]
    InvalidPageToken,
    /// The provider cannot perform this operation at all.
    #[error("the provider does not support {operation}")]
    Unsupported {
        /// The catalogue name of the operation, with its option after a `:` where there is one.
        operation: String,
    },
    /// A resource with that name (or id) already exists. Retrying the same request cannot
    /// succeed; a different name can.
    #[error("{message}")]
    AlreadyExists {
        /// What already exists, for the client.
        message: String,
    },
    /// The resource is busy: in a transitional state (creating, deleting, resizing) or with
    /// another operation in progress. The same request may succeed once it settles.
    #[error("{message}")]
    Conflict {
        /// What the resource is busy with, for the client.
        message: String,
    },
    /// The operation needs the resource in another state that the client must bring about
    /// (the volume has replicas or snapshots, is attached, mounted or in use; the snapshot is
    /// preserved). Retrying unchanged cannot succeed.
    #[error("{message}")]
    FailedPrecondition {
        /// Which state is needed, for the client.
        message: String,
    },
    /// The vendor rejected the request for a reason we do not model more precisely.
    #[error("the vendor rejected the request: {message}")]
    VendorRejected {
        /// The vendor's HTTP status (4xx).
        vendor_status: u16,
        /// The vendor's own error code, when it sent one.
        vendor_code: Option<String>,
        /// The vendor's message, untrusted: sanitized before it is shown to a client.
        message: String,
    },
    /// The vendor failed (5xx) or answered something we cannot read.
    #[error("the vendor failed: {message}")]
    VendorFailed {
        /// The vendor's HTTP status, when it answered at all.
        vendor_status: Option<u16>,
        /// The vendor's own error code, when it sent one.
        vendor_code: Option<String>,
        /// What failed, untrusted: sanitized before it is shown to a client.
        message: String,
    },
    /// The vendor could not be reached (connection refused, DNS, TLS), is throttling (429) or
    /// said when to come back (503 with `Retry-After`).
    #[error("the vendor is unavailable: {message}")]
    VendorUnavailable {
        /// The kind of failure, without URLs or headers.
        message: String,
        /// The vendor's `Retry-After`, in seconds, when it sent one: retries wait at least
        /// this long, and the client is told it.
        retry_after_secs: Option<u64>,
    },
    /// The vendor did not answer in time.
    #[error("the vendor did not answer in time")]
    VendorTimeout,
    /// The provider failed repeatedly and its calls fail fast for a while (circuit breaker).
    #[error("the provider failed repeatedly; its calls fail fast for {retry_after_secs} s")]
    CircuitOpen {
        /// When a call may be tried again, in seconds.
        retry_after_secs: u64,
    },
    /// The gateway's own credentials were refused by the vendor: a configuration problem.
    #[error("the vendor refused the gateway's credentials")]
    VendorUnauthenticated,
    /// A long-running operation did not settle before its deadline.
    #[error("the operation did not finish in time")]
    Timeout,
    /// A dry run (`?validate_only=true`) recorded the vendor request instead of sending it
    /// ([`crate::dry_run`]). The gateway answers with the dry-run document, never with this.
    #[error("a dry run stopped the call before the vendor")]
    DryRun,
    /// The call was answered by its cache entry's rendition, which the caller asked for and
    /// sends instead of the value ([`crate::context::answer_as_is`]); never seen elsewhere.
    #[error("answered by a cached rendition")]
    Rendered,
    /// The shared state (Redis: operation records, idempotency records) cannot be reached.
    /// The message is logged, never returned (it may name the store's address).
    #[error("the shared state store is unavailable: {0}")]
    StoreUnavailable(String),
    /// A bug or invariant failure inside the gateway. The message is logged, never returned.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Longest vendor text shown to a client, in characters.
pub const MAX_VENDOR_TEXT: usize = 200;

/// Vendor-supplied text made fit to show a client: its first line only (stack traces and
/// dumps follow it), no control characters, URLs, host names, IP addresses or values of
/// secret-looking keys (`password=…`, `token: …`) and no long opaque strings, whitespace
/// collapsed, at most [`MAX_VENDOR_TEXT`] characters.
pub fn sanitize_vendor_text(text: &str) -> String {
    use regex::Regex;
    use std::sync::LazyLock;
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://\S*").expect("valid regex"));
    static SECRET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(pass(word|wd)?|pwd|secret\w*|token|api[_-]?key|access[_-]?key|credentials?|authorization|signature)(\s*[:=]\s*|\s+)\S+")
            .expect("valid regex")
    });
    static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b|\[?[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}\]?",
        )
        .expect("valid regex")
    });
    static HOST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b[A-Za-z0-9-]+(\.[A-Za-z0-9-]+){2,}(:\d+)?\b").expect("valid regex")
    });
    static OPAQUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/=_]{24,}").expect("valid regex"));

    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let clean: String = first.chars().filter(|c| !c.is_control()).collect();
    let clean = URL.replace_all(&clean, "[url]");
    let clean = SECRET.replace_all(&clean, "$1=[redacted]");
    let clean = ADDRESS.replace_all(&clean, |c: &regex::Captures| {
        // Times such as 12:30:00 look like IPv6 fragments; only redact what has hex letters
        // or an IPv4 shape.
        let m = &c[0];
        if m.contains('.') || m.chars().any(|ch| ch.is_ascii_alphabetic()) {
            "[address]".to_string()
        } else {
            m.to_string()
        }
    });
    let clean = HOST.replace_all(&clean, |c: &regex::Captures| {
        // Host names end in an alphabetic label; versions and field paths such as
        // `query.limit.0` do not (two-label names like `body.name` never match).
        let m = &c[0];
        let last = m
            .split(':')
            .next()
            .unwrap_or(m)
            .rsplit('.')
            .next()
            .unwrap_or("");
        if last.len() >= 2 && last.chars().all(|ch| ch.is_ascii_alphabetic()) {
            "[host]".to_string()
        } else {
            m.to_string()
        }
    });
    let clean = OPAQUE.replace_all(&clean, "[redacted]");
    let words: Vec<&str> = clean.split_whitespace().collect();
    let mut out = words.join(" ");
    if out.chars().count() > MAX_VENDOR_TEXT {
        out = out.chars().take(MAX_VENDOR_TEXT - 1).collect();
        out.push('…');
    }
    if out.is_empty() {
        out = "no readable message".into();
    }
    out
}

/// Shorthand for results of provider calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An `InvalidArgument` naming the offending field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// An `UnsupportedValue` naming the offending field: valid by the schema, not offered by
    /// the provider.
    pub fn unsupported_value(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::UnsupportedValue {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// An `AlreadyExists` error.
    pub fn already_exists(message: impl Into<String>) -> Self {
        Error::AlreadyExists {
            message: message.into(),
        }
    }

    /// A `Conflict` error: the resource is busy, try again once it settles.
    pub fn conflict(message: impl Into<String>) -> Self {
        Error::Conflict {
            message: message.into(),
        }
    }

    /// A `FailedPrecondition` error: the client must change the resource's state first.
    pub fn failed_precondition(message: impl Into<String>) -> Self {
        Error::FailedPrecondition {
            message: message.into(),
        }
    }

    /// An `Unsupported` error for the named operation.
    pub fn unsupported(operation: impl Into<String>) -> Self {
        Error::Unsupported {
            operation: operation.into(),
        }
    }

    /// A `NotFound` error.
    pub fn not_found(resource: ResourceType, id: impl Into<String>) -> Self {
        Error::NotFound {
            resource,
            id: id.into(),
        }
    }

    /// A vendor call that got no HTTP answer. Deliberately carries no URL, query or header:
    /// only the kind of failure.
    pub fn transport(timed_out: bool, connect_failed: bool) -> Self {
        if timed_out {
            Error::VendorTimeout
        } else {
            Error::VendorUnavailable {
                retry_after_secs: None,
                message: if connect_failed {
                    "cannot connect to the vendor endpoint".into()
                } else {
                    "the request to the vendor failed".into()
                },
            }
        }
    }

    /// Maps a vendor 404 to the `*_not_found` error of the resource the caller asked for
    /// (`.map_err(Error::vendor_404_as(ResourceType::Volume, id))`); other errors pass through.
    pub fn vendor_404_as(
        resource: ResourceType,
        id: impl Into<String>,
    ) -> impl FnOnce(Error) -> Error {
        let id = id.into();
        move |e| match e {
            Error::VendorRejected {
                vendor_status: 404, ..
            } => Error::not_found(resource, id),
            other => other,
        }
    }

    /// The HTTP status this error is answered with.
    ///
    /// 400: the request breaks the schema, the same on every provider. 409: the request is
    /// fine but the resource's state is not (a name taken, a resource busy, a state the client
    /// must change first). 422: the request is well-formed but not something this provider
    /// can do (a value or operation it does not offer, a token it did not issue, a refusal of
    /// the vendor no adapter models more precisely).
    pub fn http_status(&self) -> u16 {
        match self {
            Error::NotFound { .. } => 404,
            Error::InvalidArgument { .. } | Error::InvalidId(_) => 400,
            Error::AlreadyExists { .. }
            | Error::Conflict { .. }
            | Error::FailedPrecondition { .. } => 409,
            // Asking a provider for what its capability document says it lacks is a client
            // mistake, not a gateway failure: 4xx, so it never pages anyone.
            Error::UnsupportedValue { .. } | Error::Unsupported { .. } => 422,
            Error::InvalidPageToken => 422,
            // Throttling is the vendor's passing state, not the client's mistake.
            Error::VendorRejected {
                vendor_status: 429, ..
            } => 503,
            Error::VendorRejected { .. } => 422,
            Error::VendorFailed { .. } | Error::VendorUnauthenticated => 502,
            Error::VendorUnavailable { .. }
            | Error::CircuitOpen { .. }
            | Error::StoreUnavailable(_) => 503,
            Error::VendorTimeout | Error::Timeout => 504,
            // Never answered as such: the dry-run document replaces it.
            Error::Internal(_) | Error::DryRun | Error::Rendered => 500,
        }
    }

    /// The stable, machine-readable code. Clients switch on this, never on `detail`.
    pub fn code(&self) -> String {
        match self {
            Error::NotFound { resource, .. } => format!("{}_not_found", resource.name()),
            Error::InvalidArgument { .. } => "invalid_argument".into(),
            Error::InvalidId(_) => "invalid_id".into(),
            Error::UnsupportedValue { .. } => "unsupported_value".into(),
            Error::InvalidPageToken => "invalid_page_token".into(),
            Error::Unsupported { .. } => "unsupported_by_provider".into(),
            Error::AlreadyExists { .. } => "already_exists".into(),
            Error::Conflict { .. } => "conflict".into(),
            Error::FailedPrecondition { .. } => "failed_precondition".into(),
            Error::VendorRejected { .. } => "vendor_rejected".into(),
            Error::VendorFailed { .. } => "vendor_error".into(),
            Error::VendorUnavailable { .. } | Error::CircuitOpen { .. } => {
                "vendor_unavailable".into()
            }
            Error::VendorTimeout => "vendor_timeout".into(),
            Error::VendorUnauthenticated => "vendor_unauthenticated".into(),
            Error::Timeout => "operation_timeout".into(),
            Error::Internal(_) => "internal".into(),
            Error::DryRun => "dry_run".into(),
            Error::Rendered => "rendered".into(),
            Error::StoreUnavailable(_) => "shared_state_unavailable".into(),
        }
    }

    /// Whether the failure is passing and the same call may succeed at once: no answer from
    /// the vendor, a timeout, throttling (429) or a gateway-class 502/503/504. Retries and the
    /// circuit breaker act on these only.
    pub fn transient(&self) -> bool {
        match self {
            Error::VendorUnavailable { .. } | Error::VendorTimeout => true,
            Error::VendorFailed {
                vendor_status: Some(s),
                ..
            } => matches!(s, 502..=504),
            Error::VendorRejected { vendor_status, .. } => *vendor_status == 429,
            _ => false,
        }
    }

    /// How long a client should wait before trying again, when known.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Error::CircuitOpen { retry_after_secs } => Some(*retry_after_secs),
            Error::StoreUnavailable(_) => Some(1),
            Error::VendorUnavailable {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }

    /// Whether retrying the same request later may succeed: vendor and gateway failures,
    /// throttling, and a busy resource (`Conflict`). A name taken or a state the client must
    /// change (`AlreadyExists`, `FailedPrecondition`) are not.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Error::VendorFailed { .. }
                | Error::VendorUnavailable { .. }
                | Error::CircuitOpen { .. }
                | Error::VendorTimeout
                | Error::Timeout
                | Error::Conflict { .. }
                | Error::StoreUnavailable(_)
        ) || matches!(
            self,
            Error::VendorRejected {
                vendor_status: 429,
                ..
            }
        )
    }

    /// The vendor's HTTP status, when the error came from a vendor answer.
    pub fn vendor_status(&self) -> Option<u16> {
        match self {
            Error::VendorRejected { vendor_status, .. } => Some(*vendor_status),
            Error::VendorFailed { vendor_status, .. } => *vendor_status,
            _ => None,
        }
    }

    /// The vendor's own error code, when it sent one.
    pub fn vendor_code(&self) -> Option<&str> {
        match self {
            Error::VendorRejected { vendor_code, .. } | Error::VendorFailed { vendor_code, .. } => {
                vendor_code.as_deref()
            }
            _ => None,
        }
    }

    /// The offending request field, for validation errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidArgument { field, .. } | Error::UnsupportedValue { field, .. } => {
                field.as_deref()
            }
            Error::InvalidPageToken => Some("page_token"),
            _ => None,
        }
    }

    /// Text safe to show a client. Internal errors are not described: their message may hold
    /// details of the gateway that clients have no business seeing.
    ///
    /// Vendor text is not trusted: the vendor's message is passed through
    /// [`sanitize_vendor_text`] (first line, no hosts, addresses, URLs or secret-looking
    /// values, bounded); the adapters log the vendor's full answer with the request id.
    pub fn public_detail(&self) -> String {
        match self {
            Error::Internal(_) => {
                "the gateway failed unexpectedly; the request id identifies it in the logs".into()
            }
            Error::VendorRejected { message, .. } => format!(
                "the vendor rejected the request: {}",
                sanitize_vendor_text(message)
            ),
            Error::VendorFailed { message, .. } => {
                format!("the vendor failed: {}", sanitize_vendor_text(message))
            }
            Error::StoreUnavailable(_) => {
                "the gateway's shared state (Redis) is unavailable; retry \
                 shortly"
                    .into()
            }
            other => other.to_string(),
        }
    }

    /// A short human title for the problem's `title` member.
    pub fn title(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "Not found",
            Error::InvalidArgument { .. } => "Invalid argument",
            Error::InvalidId(_) => "Invalid id",
            Error::UnsupportedValue { .. } => "Value not offered by the provider",
            Error::InvalidPageToken => "Invalid page token",
            Error::Unsupported { .. } => "Unsupported by provider",
            Error::AlreadyExists { .. } => "Already exists",
            Error::Conflict { .. } => "Resource busy",
            Error::FailedPrecondition { .. } => "Failed precondition",
            Error::VendorRejected { .. } => "Rejected by the vendor",
            Error::VendorFailed { .. } => "Vendor error",
            Error::VendorUnavailable { .. } | Error::CircuitOpen { .. } => "Vendor unavailable",
            Error::VendorTimeout => "Vendor timeout",
            Error::VendorUnauthenticated => "Vendor refused credentials",
            Error::Timeout => "Operation timeout",
            Error::Internal(_) => "Internal error",
            Error::DryRun => "Dry run",
            Error::Rendered => "Rendered",
            Error::StoreUnavailable(_) => "Shared state unavailable",
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
