//! How a failed NAS answer becomes a core error.
//!
//! NHN documents no machine-readable error sub-code (reference §1.3): `header.resultCode`
//! repeats the HTTP status and only `resultMessage` says what went wrong. Invalid input, a
//! name already taken, a volume still `BUILDING` and a volume that must lose its replication
//! first all come back as `400`. So the status classifies first (404 becomes the asked
//! resource's `*_not_found` at the call site, through `Error::vendor_404_as`; 405 is an
//! unsupported method; 5xx a vendor failure), and a 400/409 is then read by its message:
//!
//! | the message says | core error |
//! |---|---|
//! | `… already exists`, `already has an interface …`, `is already replicated`, `duplicate`, a name `in use` or `taken` | `AlreadyExists` |
//! | `is BUILDING/INITIALIZING/CREATING/UPDATING/DELETING/PENDING`, `cannot be changed now`, `in progress`, `busy` | `Conflict` (retryable) |
//! | `… before deleting it`, `only after …`, `cannot be deleted`, `preserved`, `in use`, `is already stopped/active`, `mounted`, `attached` | `FailedPrecondition` |
//! | anything else | `VendorRejected` (422 `vendor_rejected`) |
//!
//! NHN documents none of these texts (the reference only says invalid input is a 400 and
//! that a preserved snapshot's delete "probably" is one, §3.12). The patterns are generic
//! phrasings of each condition, matched case-insensitively; they cover the messages the
//! simulator answers with and should be checked against the live service's. A message that
//! matches none stays `vendor_rejected`. The client sees the message sanitized, never raw.

use strata_core::error::Error;
use strata_core::refusal::{classify, Condition, Refusal};

/// Transitional volume, interface and mirror statuses (reference §4.1–§4.4).
const BUSY_STATES: &[&str] = &[
    "building",
    "initializing",
    "creating",
    "updating",
    "deleting",
    "pending",
];

/// Classifies a failed NAS answer: `status` is the HTTP status (or the envelope's
/// `resultCode`), `message` the envelope's `resultMessage`.
pub(crate) fn vendor_error(status: u16, message: String, retry_after: Option<u64>) -> Error {
    match status {
        405 => Error::unsupported(format!("vendor method ({message})")),
        _ => classify(status, message, retry_after, condition),
    }
}

/// The condition a refusal's message names, when it names one the core models.
fn condition(r: &Refusal) -> Option<Condition> {
    if r.name_taken()
        || r.says(&["already exists", "already has an interface", "duplicate"])
        || r.follows("already", &["replicated"])
    {
        return Some(Condition::AlreadyExists);
    }
    if r.follows("already", &["stopped", "active", "halted"]) {
        return Some(Condition::NeedsOtherState);
    }
    if r.follows("is", BUSY_STATES) || r.says(&["cannot be changed now", "in progress", "busy"]) {
        return Some(Condition::Busy);
    }
    r.says(&[
        "before deleting",
        "only after",
        "cannot be deleted",
        "preserved",
        "in use",
        "mounted",
        "attached",
    ])
    .then_some(Condition::NeedsOtherState)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::ids::ResourceType;

    fn code(status: u16, message: &str) -> (u16, String, bool) {
        let e = vendor_error(status, message.into(), None);
        (e.http_status(), e.code(), e.retryable())
    }

    #[test]
    fn status_classes() {
        assert_eq!(
            code(400, "sizeGb must be 300-10000"),
            (422, "vendor_rejected".into(), false)
        );
        assert_eq!(
            code(405, "x"),
            (422, "unsupported_by_provider".into(), false)
        );
        assert_eq!(code(500, "x"), (502, "vendor_error".into(), true));
        assert_eq!(code(503, "x").1, "vendor_error");
        assert_eq!(
            code(429, "slow down"),
            (503, "vendor_unavailable".into(), true)
        );
        let nf = Error::vendor_404_as(ResourceType::Volume, "vol_x")(vendor_error(
            404,
            "Volume not found".into(),
            None,
        ));
        assert_eq!(
            (nf.http_status(), nf.code()),
            (404, "volume_not_found".into())
        );
    }

    #[test]
    fn duplicate_names_already_exist() {
        for m in [
            "A volume named orders already exists",
            "A snapshot named nightly already exists",
            "The volume already has an interface on this subnet",
            "The volume is already replicated",
            "The name is already in use",
        ] {
            assert_eq!(code(400, m), (409, "already_exists".into(), false), "{m}");
        }
    }

    #[test]
    fn transitional_states_are_busy() {
        for m in [
            "The volume is BUILDING and cannot be changed now",
            "The volume is UPDATING and cannot be changed now",
            "The volume is DELETING and cannot be changed now",
            "The interface is BUILDING",
            "The volume mirror is PENDING",
            "Another operation is in progress",
        ] {
            assert_eq!(code(400, m), (409, "conflict".into(), true), "{m}");
        }
    }

    #[test]
    fn states_the_client_must_change_are_failed_preconditions() {
        for m in [
            "Delete the volume's replication before deleting it",
            "A preserved snapshot cannot be deleted",
            "A replication destination can be resized only after replication is stopped",
            "Replication is already stopped",
            "Replication is already active",
            "The volume is in use",
        ] {
            assert_eq!(
                code(400, m),
                (409, "failed_precondition".into(), false),
                "{m}"
            );
        }
    }

    #[test]
    fn other_refusals_stay_vendor_rejected_and_are_sanitized() {
        for m in [
            "A volume can have at most 3 interfaces",
            "dstVolume.sizeGb must equal the source volume's size",
            "mountProtocol.protocol cannot be changed",
            "acl entry `x` is not an IP or CIDR",
        ] {
            assert_eq!(code(400, m), (422, "vendor_rejected".into(), false), "{m}");
        }
        let e = vendor_error(
            400,
            "A volume named x already exists on 10.0.0.7".into(),
            None,
        );
        assert_eq!(
            e.public_detail(),
            "A volume named x already exists on [address]"
        );
    }
}
