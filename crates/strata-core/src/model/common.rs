use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which vendor API a provider speaks.
///
/// - `scp`: Samsung Cloud Platform (File Storage, Parallel File Storage).
/// - `nhn`: NHN Cloud (NAS).
/// - `memory`: the in-memory demo provider, with no cloud behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Vendor {
    /// Samsung Cloud Platform (`scp`).
    Scp,
    /// NHN Cloud (`nhn`).
    Nhn,
    /// The in-memory demo provider, with no cloud behind it (`memory`).
    Memory,
}

/// A configured provider: one vendor account in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProviderInfo {
    /// Provider id, from the gateway's configuration (e.g. `nhn-kr1`); requests name the
    /// provider by this id (`provider` of a create request) and global ids carry it.
    #[schema(example = "nhn-kr1")]
    pub id: String,
    /// Which vendor API the provider speaks.
    pub vendor: Vendor,
    /// The vendor's own region code, as the vendor spells it (`KR1` on NHN Cloud,
    /// `kr-west1` on SCP).
    #[schema(example = "KR1")]
    pub region: String,
    /// A human-friendly name for display, from the configuration where it sets one.
    #[schema(example = "NHN Cloud NAS KR1")]
    pub display_name: String,
}

/// Day of the week, for schedules: `sunday`, `monday`, `tuesday`, `wednesday`, `thursday`,
/// `friday` or `saturday`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Sunday (`sunday`).
    Sunday,
    /// Monday (`monday`).
    Monday,
    /// Tuesday (`tuesday`).
    Tuesday,
    /// Wednesday (`wednesday`).
    Wednesday,
    /// Thursday (`thursday`).
    Thursday,
    /// Friday (`friday`).
    Friday,
    /// Saturday (`saturday`).
    Saturday,
}

impl Weekday {
    /// Days in order, Sunday first (both vendors number weekdays from Sunday).
    pub const ALL: [Weekday; 7] = [
        Weekday::Sunday,
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
    ];

    /// 0 for Sunday … 6 for Saturday.
    pub fn number_from_sunday(self) -> u8 {
        Self::ALL.iter().position(|d| *d == self).unwrap_or(0) as u8
    }

    /// The inverse of [`Weekday::number_from_sunday`].
    pub fn from_number_from_sunday(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n)).copied()
    }
}

/// Free-form labels (key → value) attached to a resource; mapped to vendor tags where they exist.
pub type Labels = std::collections::BTreeMap<String, String>;

/// The vendor's untranslated fields of a resource.
pub type VendorFields = serde_json::Map<String, serde_json::Value>;

/// Serde helper for the unsigned integer fields of request bodies: JSON Schema calls any
/// number with a zero fractional part an integer (`300`, `300.0`, `3e2`), so the gateway
/// accepts each of them, as long as the value fits the field's type. `300.5`, negative
/// numbers, values too large for the type and strings are refused with a serde error.
///
/// Use it as `#[serde(deserialize_with = "whole::deserialize")]`, or
/// `"whole::option::deserialize"` on an `Option` field (with `#[serde(default)]`).
pub(crate) mod whole {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{self, Deserializer, Unexpected, Visitor};
    use serde::Deserialize;

    /// The unsigned integer types a whole number can be read into.
    pub(crate) trait Unsigned: TryFrom<u64> {
        /// The largest value of the type.
        const MAX: u64;
    }

    impl Unsigned for u8 {
        const MAX: u64 = u8::MAX as u64;
    }
    impl Unsigned for u16 {
        const MAX: u64 = u16::MAX as u64;
    }
    impl Unsigned for u32 {
        const MAX: u64 = u32::MAX as u64;
    }
    impl Unsigned for u64 {
        const MAX: u64 = u64::MAX;
    }

    struct WholeVisitor<T>(PhantomData<T>);

    impl<T: Unsigned> WholeVisitor<T> {
        fn fit<E: de::Error>(&self, v: u64, unexpected: Unexpected<'_>) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::invalid_value(unexpected, self))
        }
    }

    impl<'de, T: Unsigned> Visitor<'de> for WholeVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a whole number from 0 to {}", T::MAX)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            self.fit(v, Unexpected::Unsigned(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            match u64::try_from(v) {
                Ok(u) => self.fit(u, Unexpected::Signed(v)),
                Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &self)),
            }
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            // 2^64, exactly representable: every whole f64 below it converts to u64 exactly.
            const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
            if !v.is_finite() || v.fract() != 0.0 || !(0.0..TWO_POW_64).contains(&v) {
                return Err(E::invalid_value(Unexpected::Float(v), &self));
            }
            self.fit(v as u64, Unexpected::Float(v))
        }
    }

    /// Reads a whole number into `T` (see the [module docs](self)).
    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Unsigned,
    {
        d.deserialize_any(WholeVisitor(PhantomData))
    }

    /// The same for an optional field: `null` reads as `None`.
    pub(crate) mod option {
        use super::*;

        struct Whole<T>(T);

        impl<'de, T: Unsigned> Deserialize<'de> for Whole<T> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                super::deserialize(d).map(Whole)
            }
        }

        /// Reads `null` or a whole number into `Option<T>`.
        pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
        where
            D: Deserializer<'de>,
            T: Unsigned,
        {
            Ok(Option::<Whole<T>>::deserialize(d)?.map(|w| w.0))
        }
    }

    #[cfg(test)]
    mod tests {
        use serde::Deserialize;
        use serde_json::json;

        #[derive(Debug, Deserialize)]
        struct Body {
            #[serde(deserialize_with = "super::deserialize")]
            size: u64,
            #[serde(default, deserialize_with = "super::option::deserialize")]
            small: Option<u8>,
        }

        fn size(v: serde_json::Value) -> Result<u64, String> {
            serde_json::from_value::<Body>(json!({ "size": v }))
                .map(|b| b.size)
                .map_err(|e| e.to_string())
        }

        fn read(text: &str) -> Result<Body, String> {
            serde_json::from_str::<Body>(text).map_err(|e| e.to_string())
        }

        #[test]
        fn whole_numbers_in_any_spelling_are_accepted() {
            for text in [
                r#"{"size": 300}"#,
                r#"{"size": 300.0}"#,
                r#"{"size": 3e2}"#,
                r#"{"size": 3.0E+2}"#,
                r#"{"size": 30000e-2}"#,
            ] {
                assert_eq!(read(text).unwrap().size, 300, "{text}");
            }
            assert_eq!(read(r#"{"size": 0}"#).unwrap().size, 0);
            assert_eq!(read(r#"{"size": -0.0}"#).unwrap().size, 0);
            assert_eq!(size(json!(u64::MAX)).unwrap(), u64::MAX);
            assert_eq!(size(json!(9.0e18)).unwrap(), 9_000_000_000_000_000_000);
        }

        #[test]
        fn fractions_negatives_overflow_and_strings_are_refused() {
            for (text, says) in [
                (r#"{"size": 300.5}"#, "floating point `300.5`"),
                (r#"{"size": -1}"#, "integer `-1`"),
                (r#"{"size": -1.0}"#, "floating point `-1"),
                (r#"{"size": 1e30}"#, "floating point `1e+30`"),
                (r#"{"size": 18446744073709551616}"#, "floating point"),
                (r#"{"size": "300"}"#, "string \"300\""),
                (r#"{"size": null}"#, "null"),
                (r#"{"size": true}"#, "boolean"),
            ] {
                let err = read(text).unwrap_err();
                assert!(err.contains(says), "{text}: {err}");
                assert!(
                    err.contains("expected a whole number from 0 to 18446744073709551615"),
                    "{text}: {err}"
                );
            }
        }

        #[test]
        fn the_value_must_fit_the_type() {
            let ok = read(r#"{"size": 1, "small": 255.0}"#).unwrap();
            assert_eq!(ok.small, Some(255));
            let err = read(r#"{"size": 1, "small": 256}"#).unwrap_err();
            assert!(
                err.contains("integer `256`, expected a whole number from 0 to 255"),
                "{err}"
            );
            assert!(read(r#"{"size": 1, "small": 2.5}"#).is_err());
        }

        #[test]
        fn optional_fields_take_null_or_absence() {
            assert_eq!(read(r#"{"size": 1}"#).unwrap().small, None);
            assert_eq!(read(r#"{"size": 1, "small": null}"#).unwrap().small, None);
            assert_eq!(read(r#"{"size": 1, "small": 7e0}"#).unwrap().small, Some(7));
            assert!(read(r#"{"size": 1, "small": "7"}"#).is_err());
        }
    }
}

/// Reads an optional field that may be absent but not `null` (its schema is not nullable):
/// use as `#[serde(default, deserialize_with = "present::deserialize")]`.
pub(crate) mod present {
    use serde::{Deserialize, Deserializer};

    /// The value, never `None`: `null` fails as the inner type would.
    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        T::deserialize(d).map(Some)
    }
}
