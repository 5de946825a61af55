//! The one place vendor URL paths are built: from segments, each percent-encoded.
//!
//! Adapters never format ids into a path string. A segment is encoded so that `/`, `?`, `#`,
//! `%`, `\`, spaces and control characters stay inside it, and dot segments (`.`, `..`),
//! which URL parsers resolve even when percent-encoded, are refused outright, so no id can
//! climb out of the resource it names.

use crate::error::{Error, Result};
use crate::ids::IdError;

/// `"/" + segments joined by "/"`, every segment percent-encoded (RFC 3986 unreserved
/// characters stay as they are). An empty or dot-only segment is refused as an invalid id.
pub fn vendor_path(segments: &[&str]) -> Result<String> {
    let mut out = String::with_capacity(segments.iter().map(|s| s.len() + 1).sum());
    for seg in segments {
        if seg.is_empty() || seg.bytes().all(|b| b == b'.') {
            return Err(Error::InvalidId(IdError::VendorId("path segment")));
        }
        out.push('/');
        for b in seg.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    Ok(out)
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_and_never_climb() {
        assert_eq!(
            vendor_path(&["v1", "volumes", "abc-1_2.3~"]).unwrap(),
            "/v1/volumes/abc-1_2.3~"
        );
        assert_eq!(
            vendor_path(&["v1", "volumes", "x/../../v1/replications/victim"]).unwrap(),
            "/v1/volumes/x%2F..%2F..%2Fv1%2Freplications%2Fvictim"
        );
        assert_eq!(
            vendor_path(&["v", "../admin/keys?dump=1#"]).unwrap(),
            "/v/..%2Fadmin%2Fkeys%3Fdump%3D1%23"
        );
        assert_eq!(
            vendor_path(&["v", "a%2Fb \\\t\u{e9}"]).unwrap(),
            "/v/a%252Fb%20%5C%09%C3%A9"
        );
        for bad in ["", ".", "..", "..."] {
            assert_eq!(
                vendor_path(&["v1", bad]).unwrap_err().code(),
                "invalid_id",
                "{bad:?}"
            );
        }
    }
}
