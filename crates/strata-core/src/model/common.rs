use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which vendor API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Vendor {
    /// Samsung Cloud Platform.
    Scp,
    /// NHN Cloud.
    Nhn,
    /// The in-memory demo provider (no cloud behind it).
    Memory,
}

/// A configured provider: one vendor account in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProviderInfo {
    /// Provider id from the configuration, e.g. `nhn-kr1`.
    #[schema(example = "nhn-kr1")]
    pub id: String,
    /// Which vendor API the provider speaks.
    pub vendor: Vendor,
    /// The vendor's region code, e.g. `KR1` or `kr-west1`.
    #[schema(example = "KR1")]
    pub region: String,
    /// A human-friendly name.
    pub display_name: String,
}

/// Day of the week, for schedules.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Sunday.
    Sunday,
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
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
