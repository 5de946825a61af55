//! The status, code and retryable of every error, and what vendor text a client may see.

use super::*;

#[test]
fn vendor_text_is_sanitized_and_bounded() {
    let cases = [
        (
            "NullPointerException at com.vendor.Api.handle(Api.java:42)\n\tat com.vendor.Main",
            "NullPointerException at [host](Api.java:42)",
        ),
        (
            "cannot reach db-01.internal.example.net:5432 (10.0.3.7:5432)",
            "cannot reach [host] ([address])",
        ),
        (
            "login failed password=hunter2 for admin",
            "login failed password=[redacted] for admin",
        ),
        ("see https://intranet/x?y=1 now", "see [url] now"),
        (
            "key AKIAIOSFODNN7EXAMPLEAKIAIOSFODNN7 leaked",
            "key [redacted] leaked",
        ),
        (
            "body.name: string does not match regex",
            "body.name: string does not match regex",
        ),
        (
            "query.limit.0: bad; body.rules.object_id: x",
            "query.limit.0: bad; body.rules.object_id: x",
        ),
        (
            "size must be 1.5 times 300 at 12:30:00",
            "size must be 1.5 times 300 at 12:30:00",
        ),
        (
            "volume 0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e is busy",
            "volume 0fdd87aa-b8cb-46f5-9b7c-1f81ed03fb3e is busy",
        ),
        ("\u{1b}[31mred\u{7}  text", "[31mred text"),
        ("", "no readable message"),
    ];
    for (raw, want) in cases {
        assert_eq!(sanitize_vendor_text(raw), want, "{raw:?}");
    }
    let long = sanitize_vendor_text(&"word ".repeat(500));
    assert_eq!(long.chars().count(), MAX_VENDOR_TEXT);
    let e = Error::VendorFailed {
        vendor_status: Some(500),
        vendor_code: None,
        message: "Traceback: password: s3cr3t at 192.168.1.10".into(),
    };
    let d = e.public_detail();
    assert!(!d.contains("s3cr3t") && !d.contains("192.168"), "{d}");
}

#[test]
fn status_code_and_retryable_of_every_variant() {
    let rejected = |vendor_status| Error::VendorRejected {
        vendor_status,
        vendor_code: None,
        message: "no".into(),
    };
    let cases: Vec<(Error, u16, &str, bool)> = vec![
        (
            Error::not_found(ResourceType::Volume, "x"),
            404,
            "volume_not_found",
            false,
        ),
        (
            Error::not_found(ResourceType::VolumeGroup, "x"),
            404,
            "volume_group_not_found",
            false,
        ),
        (
            Error::invalid("size_gib", "too long"),
            400,
            "invalid_argument",
            false,
        ),
        (Error::InvalidId(IdError::Empty), 400, "invalid_id", false),
        (
            Error::already_exists("a volume named `a` already exists"),
            409,
            "already_exists",
            false,
        ),
        (Error::conflict("busy"), 409, "conflict", true),
        (
            Error::failed_precondition("has replicas"),
            409,
            "failed_precondition",
            false,
        ),
        (
            Error::unsupported_value("tier", "not offered"),
            422,
            "unsupported_value",
            false,
        ),
        (
            Error::unsupported("replica.reverse"),
            422,
            "unsupported_by_provider",
            false,
        ),
        (Error::InvalidPageToken, 422, "invalid_page_token", false),
        // A vendor refusal no adapter mapped more precisely, whatever its status.
        (rejected(400), 422, "vendor_rejected", false),
        (rejected(404), 422, "vendor_rejected", false),
        (rejected(409), 422, "vendor_rejected", false),
        (rejected(429), 503, "vendor_rejected", true),
        (
            Error::VendorFailed {
                vendor_status: Some(500),
                vendor_code: None,
                message: "boom".into(),
            },
            502,
            "vendor_error",
            true,
        ),
        (
            Error::VendorUnavailable {
                retry_after_secs: None,
                message: "refused".into(),
            },
            503,
            "vendor_unavailable",
            true,
        ),
        (
            Error::CircuitOpen {
                retry_after_secs: 5,
            },
            503,
            "vendor_unavailable",
            true,
        ),
        (Error::VendorTimeout, 504, "vendor_timeout", true),
        (
            Error::VendorUnauthenticated,
            502,
            "vendor_unauthenticated",
            false,
        ),
        (Error::Timeout, 504, "operation_timeout", true),
        (
            Error::Internal("secret detail".into()),
            500,
            "internal",
            false,
        ),
    ];
    for (err, status, code, retryable) in cases {
        assert_eq!(err.http_status(), status, "{err:?}");
        assert_eq!(err.code(), code, "{err:?}");
        assert_eq!(err.retryable(), retryable, "{err:?}");
        assert!(!err.title().is_empty(), "{err:?}");
    }
}

#[test]
fn vendor_404s_become_not_found_of_the_asked_resource() {
    let nf = Error::vendor_404_as(ResourceType::Volume, "vol_x")(Error::VendorRejected {
        vendor_status: 404,
        vendor_code: None,
        message: "Volume not found".into(),
    });
    assert_eq!(
        (nf.http_status(), nf.code()),
        (404, "volume_not_found".into())
    );
    let other = Error::vendor_404_as(ResourceType::Volume, "vol_x")(Error::conflict("busy"));
    assert_eq!(other.code(), "conflict");
}

#[test]
fn validation_errors_name_their_field() {
    assert_eq!(Error::invalid("name", "x").field(), Some("name"));
    assert_eq!(Error::unsupported_value("tier", "x").field(), Some("tier"));
    assert_eq!(Error::InvalidPageToken.field(), Some("page_token"));
    assert_eq!(Error::already_exists("x").field(), None);
}

#[test]
fn internal_details_are_not_public() {
    let e = Error::Internal("db password=hunter2".into());
    assert!(!e.public_detail().contains("hunter2"));
    assert!(Error::VendorTimeout.retryable());
    assert!(!Error::invalid("x", "y").retryable());
}
