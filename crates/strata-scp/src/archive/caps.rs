//! Archive Storage's capability document, by the API version the adapter is pinned to, and
//! the bucket-name rules the document cannot express (checked by the create before any
//! call).

use strata_core::capability::{ArchiveCapabilities, NameRules};
use strata_core::error::{Error, Result};

/// Fewest days an archiving policy waits (`object_lifecycle`, §4.3.2, user guide).
pub(crate) const MIN_AFTER_DAYS: u32 = 1;
/// Most days an archiving policy waits.
pub(crate) const MAX_AFTER_DAYS: u32 = 3650;

/// Whether the pinned version is 1.1 (or later): versioning, version listing, deletion and
/// recovery, and policy pause exist only there (§1.3).
pub(crate) fn is_v11(version: &str) -> bool {
    version != "1.0"
}

/// Bucket names (§4.1.2, user guide): 3–63 characters; labels of `[a-z0-9]` with `-` inside
/// them, separated by single dots. So a name starts and ends with a letter or digit, and has
/// no `..`, `.-` or `-.`. The IP-address form and the word `admin` are refused by
/// [`check_name_extra`].
pub(crate) fn name_rules() -> NameRules {
    NameRules {
        min_len: 3,
        max_len: 63,
        pattern: r"[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)*".into(),
        description: "lowercase letters, digits, `-` and `.`; starts and ends with a letter or \
                      digit; no `..`, `.-` or `-.`; not an IP address; not containing `admin`"
            .into(),
    }
}

/// What [`name_rules`] cannot say: a name in IP-address form (`192.168.0.1`), and a name
/// that contains `admin`. `unsupported_value` on
/// `name`.
pub(crate) fn check_name_extra(name: &str) -> Result<()> {
    let parts: Vec<&str> = name.split('.').collect();
    let ip = parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    if ip {
        return Err(Error::unsupported_value(
            "name",
            "SCP archive names may not be in IP-address form",
        ));
    }
    // The user guide's "the word admin" is read strictly (anywhere in the name), as the
    // simulator does: a looser reading would let the vendor refuse what passed here.
    if name.contains("admin") {
        return Err(Error::unsupported_value(
            "name",
            "SCP archive names may not use the word `admin`",
        ));
    }
    Ok(())
}

/// The archive capabilities at API `version`.
pub fn capabilities(version: &str) -> ArchiveCapabilities {
    let v11 = is_v11(version);
    ArchiveCapabilities {
        name: name_rules(),
        // Tags, set at create only; keys ≤ 128 characters, inside the gateway's label bounds.
        labels: true,
        versioning: v11,
        policy_pause: v11,
        // `object_path` must be `/`: a policy covers the whole source bucket.
        policy_prefix: false,
        min_after_days: MIN_AFTER_DAYS,
        max_after_days: MAX_AFTER_DAYS,
        archiving_schedule: "daily".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioning_and_pause_come_with_1_1() {
        let (new, old) = (capabilities("1.1"), capabilities("1.0"));
        assert!(new.versioning && new.policy_pause && !new.policy_prefix);
        assert!(!old.versioning && !old.policy_pause);
        assert_eq!((new.min_after_days, new.max_after_days), (1, 3650));
        assert_eq!(new.archiving_schedule, "daily");
    }

    #[test]
    fn bucket_names_follow_the_user_guide() {
        let rules = name_rules();
        for ok in [
            "abc",
            "a-b.c-d",
            "logs.2024",
            "a--b",
            "0ab",
            &"a".repeat(63),
        ] {
            assert!(rules.check("name", ok).is_ok(), "{ok}");
            assert!(check_name_extra(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "Abc",
            "a..b",
            "a.-b",
            "a-.b",
            "-ab",
            "ab-",
            "ab.",
            ".ab",
            "a_b",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(rules.check("name", bad).is_err(), "{bad}");
        }
        for bad in ["192.168.0.1", "10.0.0.1", "admin", "my-admin", "admin.logs"] {
            let e = check_name_extra(bad).unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("unsupported_value".into(), Some("name"))
            );
        }
        assert!(check_name_extra("badminton").is_err(), "read strictly");
        assert!(check_name_extra("audit-logs").is_ok());
        assert!(check_name_extra("1.2.3").is_ok());
    }
}
