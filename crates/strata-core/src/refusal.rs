//! How an adapter reads a vendor's failed answer into the core conditions: the status classes
//! every vendor shares ([`classify`]), and the phrase matcher ([`Refusal`]) for vendors whose
//! refusals carry only a message. Which phrases mean what is each vendor's own quirk and stays
//! in its adapter; this is the part that is the same for all.

use crate::error::{sanitize_vendor_text, Error};

/// A condition a vendor's refusal may name, beyond "rejected".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// A resource with that name already exists: `409 already_exists`.
    AlreadyExists,
    /// The resource is busy (a transitional state): `409 conflict`, retryable.
    Busy,
    /// The resource must first be brought into another state: `409 failed_precondition`.
    NeedsOtherState,
}

/// A refusal's message, lower-cased and split into words, to match phrases in.
pub struct Refusal {
    text: String,
    words: Vec<String>,
}

impl Refusal {
    /// Reads `message`.
    pub fn new(message: &str) -> Self {
        let text = message.to_ascii_lowercase();
        let words = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        Refusal { text, words }
    }

    /// Whether the message contains one of `any` (lower-case phrases).
    pub fn says(&self, any: &[&str]) -> bool {
        any.iter().any(|p| self.text.contains(p))
    }

    /// Whether the word `first` is directly followed by one of `then` (`is BUILDING`,
    /// `already stopped`, `has snapshots`).
    pub fn follows(&self, first: &str, then: &[&str]) -> bool {
        self.words
            .windows(2)
            .any(|w| w[0] == first && then.contains(&w[1].as_str()))
    }

    /// Whether the message says a name is taken (`name … in use`, `name … taken`).
    pub fn name_taken(&self) -> bool {
        self.text.contains("name") && self.says(&["in use", "taken"])
    }
}

/// The seconds of a `Retry-After` header value (the delta-seconds form; an HTTP date is not
/// read), at most an hour.
pub fn retry_after_secs(value: Option<&str>) -> Option<u64> {
    value?.trim().parse::<u64>().ok().map(|s| s.min(3600))
}

/// The `Retry-After` of a vendor's answer, by [`retry_after_secs`].
pub fn retry_after(headers: &http::HeaderMap) -> Option<u64> {
    retry_after_secs(
        headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok()),
    )
}

/// Classifies a failed vendor answer by its `status`: a 429, or a 503 that says when to come
/// back (`retry_after`), is the vendor being unavailable for a while (`503
/// vendor_unavailable`, with `Retry-After`); other 5xx are vendor failures; a 400 or 409 is
/// read by `condition` (the adapter's phrase table) and stays `vendor_rejected` when it names
/// none; any other 4xx is `vendor_rejected` (a 404 becomes the asked resource's
/// `*_not_found` at the call site, through [`Error::vendor_404_as`]). Statuses a vendor gives a
/// meaning of its own (NHN's 405, SCP's 401) are the adapter's to handle before calling this.
/// The message reaches clients sanitized.
pub fn classify(
    status: u16,
    message: String,
    retry_after: Option<u64>,
    condition: impl FnOnce(&Refusal) -> Option<Condition>,
) -> Error {
    let named = match status {
        429 | 503 if status == 429 || retry_after.is_some() => {
            return Error::VendorUnavailable {
                message: format!(
                    "the vendor asks to come back later ({status}): {}",
                    sanitize_vendor_text(&message)
                ),
                retry_after_secs: retry_after,
            }
        }
        500..=599 => {
            return Error::VendorFailed {
                vendor_status: Some(status),
                vendor_code: None,
                message,
            }
        }
        400 | 409 => condition(&Refusal::new(&message)),
        _ => None,
    };
    let shown = || sanitize_vendor_text(&message);
    match named {
        Some(Condition::AlreadyExists) => Error::already_exists(shown()),
        Some(Condition::Busy) => Error::conflict(shown()),
        Some(Condition::NeedsOtherState) => Error::failed_precondition(shown()),
        None => Error::VendorRejected {
            vendor_status: status,
            vendor_code: None,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vendor_that_says_when_to_come_back() {
        assert_eq!(retry_after_secs(Some(" 7 ")), Some(7));
        assert_eq!(retry_after_secs(Some("99999")), Some(3600));
        assert_eq!(
            retry_after_secs(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            None
        );
        assert_eq!(retry_after_secs(None), None);
        let throttled = classify(429, "slow down".into(), Some(3), |_| None);
        assert_eq!(
            (
                throttled.http_status(),
                throttled.retry_after_secs(),
                throttled.transient()
            ),
            (503, Some(3), true)
        );
        let back_later = classify(503, "maintenance".into(), Some(30), |_| None);
        assert_eq!(
            (back_later.code(), back_later.retry_after_secs()),
            ("vendor_unavailable".into(), Some(30))
        );
        // A 503 that does not say when is a vendor failure, retried on the usual backoff.
        assert_eq!(
            classify(503, "x".into(), None, |_| None).code(),
            "vendor_error"
        );
    }

    fn code(status: u16, message: &str) -> (u16, String, bool) {
        let e = classify(status, message.into(), None, |r| {
            if r.says(&["already exists"]) || r.name_taken() {
                Some(Condition::AlreadyExists)
            } else if r.follows("is", &["creating"]) {
                Some(Condition::Busy)
            } else if r.follows("has", &["snapshots"]) {
                Some(Condition::NeedsOtherState)
            } else {
                None
            }
        });
        (e.http_status(), e.code(), e.retryable())
    }

    #[test]
    fn statuses_then_phrases() {
        let ex = |c: &str, r: bool| (409, c.to_string(), r);
        assert_eq!(
            code(409, "Volume `a` already exists"),
            ex("already_exists", false)
        );
        assert_eq!(code(400, "the name is TAKEN"), ex("already_exists", false));
        assert_eq!(code(409, "volume v1 is CREATING"), ex("conflict", true));
        assert_eq!(
            code(409, "the volume has snapshots"),
            ex("failed_precondition", false)
        );
        assert_eq!(
            code(400, "size must be 300"),
            (422, "vendor_rejected".into(), false)
        );
        // Only 400 and 409 are read by their message.
        assert_eq!(
            code(403, "already exists"),
            (422, "vendor_rejected".into(), false)
        );
        assert_eq!(
            code(429, "slow down"),
            (503, "vendor_unavailable".into(), true)
        );
        assert_eq!(
            code(500, "already exists"),
            (502, "vendor_error".into(), true)
        );
        // Words, not substrings: `this` is not `is`.
        assert_eq!(code(409, "this creating thing").1, "vendor_rejected");
    }

    #[test]
    fn shown_messages_are_sanitized() {
        let e = classify(
            409,
            "name taken on db-01.internal.example.net".into(),
            None,
            |r| r.name_taken().then_some(Condition::AlreadyExists),
        );
        assert!(
            !e.public_detail().contains("example.net"),
            "{}",
            e.public_detail()
        );
    }
}
