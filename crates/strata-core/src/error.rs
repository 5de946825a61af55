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
    NotFound { resource: ResourceType, id: String },
    /// The request is malformed or outside the provider's limits. `field` names the offending
    /// input in the request's own terms (`size_gib`, `protocol`, …) when there is one.
    #[error("{message}")]
    InvalidArgument {
        field: Option<String>,
        message: String,
    },
    /// A string that should be a global id is not one.
    #[error("invalid id: {0}")]
    InvalidId(#[from] IdError),
    /// The provider cannot perform this operation at all.
    #[error("the provider does not support {operation}")]
    Unsupported { operation: String },
    /// The request conflicts with the resource's current state or another request.
    #[error("{message}")]
    Conflict { message: String },
    /// The operation needs the resource in another state (e.g. delete a volume in use).
    #[error("{message}")]
    FailedPrecondition { message: String },
    /// The vendor rejected the request for a reason we do not model more precisely.
    #[error("the vendor rejected the request: {message}")]
    VendorRejected {
        vendor_status: u16,
        vendor_code: Option<String>,
        message: String,
    },
    /// The vendor failed (5xx) or answered something we cannot read.
    #[error("the vendor failed: {message}")]
    VendorFailed {
        vendor_status: Option<u16>,
        vendor_code: Option<String>,
        message: String,
    },
    /// The vendor could not be reached (connection refused, DNS, TLS) or is throttling.
    #[error("the vendor is unavailable: {message}")]
    VendorUnavailable { message: String },
    /// The vendor did not answer in time.
    #[error("the vendor did not answer in time")]
    VendorTimeout,
    /// The gateway's own credentials were refused by the vendor: a configuration problem.
    #[error("the vendor refused the gateway's credentials")]
    VendorUnauthenticated,
    /// A long-running operation did not settle before its deadline.
    #[error("the operation did not finish in time")]
    Timeout,
    /// A bug or invariant failure inside the gateway. The message is logged, never returned.
    #[error("internal error: {0}")]
    Internal(String),
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
    pub fn http_status(&self) -> u16 {
        match self {
            Error::NotFound { .. } => 404,
            // Well-formed but outside what the provider accepts: 422. Malformed ids are 400.
            Error::InvalidArgument { .. } => 422,
            Error::InvalidId(_) => 400,
            // Asking a provider for what its capability document says it lacks is a client
            // mistake, not a gateway failure: 4xx, so it never pages anyone.
            Error::Unsupported { .. } => 422,
            Error::Conflict { .. } => 409,
            Error::FailedPrecondition { .. } => 412,
            Error::VendorRejected { vendor_status, .. } => match vendor_status {
                404 => 404,
                409 => 409,
                429 => 503,
                _ => 400,
            },
            Error::VendorFailed { .. } | Error::VendorUnauthenticated => 502,
            Error::VendorUnavailable { .. } => 503,
            Error::VendorTimeout | Error::Timeout => 504,
            Error::Internal(_) => 500,
        }
    }

    /// The stable, machine-readable code. Clients switch on this, never on `detail`.
    pub fn code(&self) -> String {
        match self {
            Error::NotFound { resource, .. } => format!("{}_not_found", resource.name()),
            Error::InvalidArgument { .. } => "invalid_argument".into(),
            Error::InvalidId(_) => "invalid_id".into(),
            Error::Unsupported { .. } => "unsupported_by_provider".into(),
            Error::Conflict { .. } => "conflict".into(),
            Error::FailedPrecondition { .. } => "failed_precondition".into(),
            Error::VendorRejected { .. } => "vendor_rejected".into(),
            Error::VendorFailed { .. } => "vendor_error".into(),
            Error::VendorUnavailable { .. } => "vendor_unavailable".into(),
            Error::VendorTimeout => "vendor_timeout".into(),
            Error::VendorUnauthenticated => "vendor_unauthenticated".into(),
            Error::Timeout => "operation_timeout".into(),
            Error::Internal(_) => "internal".into(),
        }
    }

    /// Whether retrying the same request later may succeed.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Error::VendorFailed { .. }
                | Error::VendorUnavailable { .. }
                | Error::VendorTimeout
                | Error::Timeout
                | Error::Conflict { .. }
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
            Error::InvalidArgument { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Text safe to show a client. Internal errors are not described: their message may hold
    /// details of the gateway that clients have no business seeing.
    pub fn public_detail(&self) -> String {
        match self {
            Error::Internal(_) => {
                "the gateway failed unexpectedly; the request id identifies it in the logs".into()
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
            Error::Unsupported { .. } => "Unsupported by provider",
            Error::Conflict { .. } => "Conflict",
            Error::FailedPrecondition { .. } => "Failed precondition",
            Error::VendorRejected { .. } => "Rejected by the vendor",
            Error::VendorFailed { .. } => "Vendor error",
            Error::VendorUnavailable { .. } => "Vendor unavailable",
            Error::VendorTimeout => "Vendor timeout",
            Error::VendorUnauthenticated => "Vendor refused credentials",
            Error::Timeout => "Operation timeout",
            Error::Internal(_) => "Internal error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_code_mapping() {
        let cases: Vec<(Error, u16, &str)> = vec![
            (
                Error::not_found(ResourceType::Volume, "x"),
                404,
                "volume_not_found",
            ),
            (
                Error::not_found(ResourceType::VolumeGroup, "x"),
                404,
                "volume_group_not_found",
            ),
            (
                Error::invalid("size_gib", "too small"),
                422,
                "invalid_argument",
            ),
            (Error::InvalidId(IdError::Empty), 400, "invalid_id"),
            (
                Error::unsupported("replica.reverse"),
                422,
                "unsupported_by_provider",
            ),
            (
                Error::Conflict {
                    message: "busy".into(),
                },
                409,
                "conflict",
            ),
            (
                Error::FailedPrecondition {
                    message: "in use".into(),
                },
                412,
                "failed_precondition",
            ),
            (
                Error::VendorRejected {
                    vendor_status: 400,
                    vendor_code: None,
                    message: "no".into(),
                },
                400,
                "vendor_rejected",
            ),
            (
                Error::VendorRejected {
                    vendor_status: 404,
                    vendor_code: None,
                    message: "no".into(),
                },
                404,
                "vendor_rejected",
            ),
            (
                Error::VendorRejected {
                    vendor_status: 429,
                    vendor_code: None,
                    message: "slow".into(),
                },
                503,
                "vendor_rejected",
            ),
            (
                Error::VendorFailed {
                    vendor_status: Some(500),
                    vendor_code: None,
                    message: "boom".into(),
                },
                502,
                "vendor_error",
            ),
            (
                Error::VendorUnavailable {
                    message: "refused".into(),
                },
                503,
                "vendor_unavailable",
            ),
            (Error::VendorTimeout, 504, "vendor_timeout"),
            (Error::VendorUnauthenticated, 502, "vendor_unauthenticated"),
            (Error::Timeout, 504, "operation_timeout"),
            (Error::Internal("secret detail".into()), 500, "internal"),
        ];
        for (err, status, code) in cases {
            assert_eq!(err.http_status(), status, "{err:?}");
            assert_eq!(err.code(), code, "{err:?}");
        }
    }

    #[test]
    fn internal_details_are_not_public() {
        let e = Error::Internal("db password=hunter2".into());
        assert!(!e.public_detail().contains("hunter2"));
        assert!(Error::VendorTimeout.retryable());
        assert!(!Error::invalid("x", "y").retryable());
    }
}
