//! Global ids: round trips, canonical forms, typed errors, grammars.

use super::*;
use proptest::prelude::*;

fn any_kind() -> impl Strategy<Value = Option<VolumeKind>> {
    prop_oneof![
        Just(None),
        Just(Some(VolumeKind::Block)),
        Just(Some(VolumeKind::File)),
        Just(Some(VolumeKind::ParallelFile)),
    ]
}

fn any_type() -> impl Strategy<Value = ResourceType> {
    (0..ResourceType::ALL.len()).prop_map(|i| ResourceType::ALL[i])
}

proptest! {
    #[test]
    fn round_trips(rtype in any_type(), provider in "[a-z0-9-]{1,40}", kind in any_kind(),
                   vendor in "[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}",
                   parent in proptest::option::of("[A-Za-z0-9_-]{1,128}")) {
        let id = GlobalId { rtype, provider, kind, vendor_id: vendor, parent };
        let s = id.encode();
        prop_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
            "not URL-safe: {s}");
        prop_assert_eq!(s.parse::<GlobalId>(), Ok(id.clone()));
        prop_assert_eq!(GlobalId::parse_as(&s, rtype), Ok(id));
    }

    #[test]
    fn garbage_never_panics(s in any::<String>()) {
        let _ = s.parse::<GlobalId>();
    }

    #[test]
    fn any_parsed_id_re_encodes_identically(payload in proptest::collection::vec(any::<u8>(), 0..64)) {
        let s = format!("vol_{}", URL_SAFE_NO_PAD.encode(&payload));
        if let Ok(id) = s.parse::<GlobalId>() {
            prop_assert_eq!(id.encode(), s);
        }
    }
}

#[test]
fn long_vendor_ids_use_multibyte_lengths() {
    let id = GlobalId::new(
        ResourceType::Snapshot,
        "scp-kr-west1",
        Some(VolumeKind::File),
        "x".repeat(128),
    )
    .with_parent("v".repeat(128));
    let payload = "y".repeat(20_000);
    assert_eq!(id.encode().parse::<GlobalId>().unwrap(), id);
    let long = GlobalId::new(ResourceType::Volume, payload.clone(), None, "v")
        .encode()
        .parse::<GlobalId>()
        .unwrap();
    assert_eq!(long.provider, payload);
}

#[test]
fn vendor_parts_that_could_steer_a_url_are_refused_on_decode() {
    for bad in [
        "x/../../../v1/replications/victim",
        "../../../admin/keys?dump=1#",
        "..",
        ".",
        "a?b",
        "a#b",
        "a%2Fb",
        "a\\b",
        "a b",
        "a\tb",
        "a\nb",
        "a\u{0}b",
        "",
        &"x".repeat(129),
        "caf\u{e9}",
    ] {
        let forged = GlobalId::new(ResourceType::Volume, "p", Some(VolumeKind::File), bad);
        assert_eq!(
            forged.encode().parse::<GlobalId>(),
            Err(IdError::VendorId("volume")),
            "{bad:?}"
        );
        let child = GlobalId::new(ResourceType::Snapshot, "p", None, "s").with_parent(bad);
        assert_eq!(
            child.encode().parse::<GlobalId>(),
            Err(IdError::VendorId("parent")),
            "{bad:?}"
        );
    }
}

#[test]
fn grammars() {
    let uuid = "fc8b111a-32b7-45d3-b123-ff3ecaaf768a";
    assert!(IdGrammar::Uuid.accepts(uuid));
    assert!(IdGrammar::Uuid.accepts(&uuid.to_uppercase()));
    assert!(!IdGrammar::Uuid.accepts("fc8b111a32b745d3b123ff3ecaaf768a"));
    assert!(!IdGrammar::Uuid.accepts("mem-vol-000001"));
    assert!(!IdGrammar::Uuid.accepts("fc8b111a-32b7-45d3-b123-ff3ecaaf768g"));
    for ok in [
        uuid,
        "0fdd87aab8cb46f59b7c1f81ed03fb3e",
        "EXE-1",
        "mem-vol-000001",
        "a.b",
    ] {
        assert!(IdGrammar::Token.accepts(ok), "{ok}");
    }
    let id = GlobalId::new(ResourceType::Snapshot, "p", None, uuid).with_parent("x");
    assert_eq!(
        id.check_grammar(IdGrammar::Uuid),
        Err(IdError::VendorId("parent"))
    );
    assert_eq!(id.check_grammar(IdGrammar::Token), Ok(()));
}

#[test]
fn typed_parse_errors() {
    let vol = GlobalId::new(
        ResourceType::Volume,
        "nhn-kr1",
        Some(VolumeKind::File),
        "abc",
    )
    .encode();
    assert!(vol.starts_with("vol_"));
    assert_eq!(
        GlobalId::parse_as(&vol, ResourceType::Snapshot),
        Err(IdError::WrongType {
            expected: ResourceType::Snapshot,
            found: ResourceType::Volume
        })
    );
    assert_eq!("".parse::<GlobalId>(), Err(IdError::Empty));
    assert_eq!("vol".parse::<GlobalId>(), Err(IdError::MissingPrefix));
    assert_eq!(
        "disk_AQA".parse::<GlobalId>(),
        Err(IdError::UnknownPrefix("disk".into()))
    );
    assert_eq!("vol_!!".parse::<GlobalId>(), Err(IdError::Encoding));
    assert_eq!("vol_".parse::<GlobalId>(), Err(IdError::Truncated));
    let v2 = format!("vol_{}", URL_SAFE_NO_PAD.encode([2u8, 0, 0, 0, 0]));
    assert_eq!(v2.parse::<GlobalId>(), Err(IdError::Version(2)));
    let bad_kind = format!("vol_{}", URL_SAFE_NO_PAD.encode([1u8, 9, 0, 0, 0]));
    assert_eq!(bad_kind.parse::<GlobalId>(), Err(IdError::Kind(9)));
    let trailing = format!("vol_{}", URL_SAFE_NO_PAD.encode([1u8, 0, 0, 0, 0, 7]));
    assert_eq!(trailing.parse::<GlobalId>(), Err(IdError::Trailing));
    let short = format!("vol_{}", URL_SAFE_NO_PAD.encode([1u8, 0, 5, b'a']));
    assert_eq!(short.parse::<GlobalId>(), Err(IdError::Truncated));
    let bad_utf8 = format!(
        "vol_{}",
        URL_SAFE_NO_PAD.encode([1u8, 0, 1, 0xff, 1, b'v', 0])
    );
    assert_eq!(bad_utf8.parse::<GlobalId>(), Err(IdError::Utf8));
}

#[test]
fn provider_ids_route_other_regions_to_peers() {
    let ids = ProviderIds {
        provider: "scp-w".into(),
        region: "kr-west1".into(),
        kind: VolumeKind::File,
        peers: [("kr-east1".to_string(), "scp-e".to_string())].into(),
    };
    let east: GlobalId = ids.volume_in("KR-EAST1", "v1").parse().unwrap();
    assert_eq!(
        (east.provider.as_str(), east.vendor_id.as_str(), east.kind),
        ("scp-e", "v1", Some(VolumeKind::File))
    );
    assert_eq!(ids.volume_in("kr-south1", "v2"), "v2");
    let snap: GlobalId = ids
        .child(ResourceType::Snapshot, "v1", "s1")
        .parse()
        .unwrap();
    assert_eq!(snap.parent.as_deref(), Some("v1"));
}

#[test]
fn documented_id_form_separates_malformed_from_naming_nothing() {
    let t = ResourceType::Volume;
    let good = GlobalId::new(t, "nhn-kr1", None, "v1").encode();
    assert!(t.has_id_form(&good));
    let pattern = regex::Regex::new(&t.id_pattern()).unwrap();
    for raw in [good.as_str(), "vol_AAAA", "vol_-_", "vol_x"] {
        assert!(t.has_id_form(raw), "{raw}");
        assert!(pattern.is_match(raw), "{raw}");
    }
    for raw in [
        "",
        "vol",
        "vol_",
        "snap_AAAA",
        "demo",
        "vol_a/b",
        "vol_a%2F",
        "vol_a=",
        "vol_ä",
    ] {
        assert!(!t.has_id_form(raw), "{raw}");
        assert!(!pattern.is_match(raw), "{raw}");
    }
    assert!(!t.has_id_form(&format!("vol_{}", "A".repeat(MAX_ID_LEN))));
    // The longest legal id still fits the documented length.
    let long = "x".repeat(IdGrammar::MAX_LEN);
    let longest = GlobalId::new(t, "p".repeat(63), Some(VolumeKind::File), long.clone())
        .with_parent(long)
        .encode();
    assert!(t.has_id_form(&longest), "{} chars", longest.len());

    // Of the documented form but decoding to nothing: names nothing (404), not malformed.
    for raw in ["vol_AAAA", "vol_x", "vol_AQ"] {
        let e = GlobalId::parse_as(raw, t).unwrap_err();
        assert!(e.names_nothing(), "{raw}: {e:?}");
    }
    // A crafted payload whose vendor part could steer a URL stays malformed.
    let crafted = format!(
        "vol_{}",
        URL_SAFE_NO_PAD.encode([1u8, 0, 1, b'p', 2, b'.', b'.', 0])
    );
    let e = GlobalId::parse_as(&crafted, t).unwrap_err();
    assert!(!e.names_nothing(), "{e:?}");
}

#[test]
fn token_pattern_is_the_token_grammar() {
    let pattern = regex::Regex::new(IdGrammar::TOKEN_PATTERN).unwrap();
    for s in [
        "a",
        "v-1",
        "EXE-1",
        ".a",
        "a.",
        "..a",
        "_",
        "mem-vol-000001",
        "..",
        ".",
        "",
        "a/b",
        "a b",
        "%2F",
        "ä",
    ] {
        assert_eq!(
            pattern.is_match(s) && s.len() <= IdGrammar::MAX_LEN,
            IdGrammar::Token.accepts(s),
            "{s:?}"
        );
    }
}
