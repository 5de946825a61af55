//! Seeds and test hooks for Archive Storage, as [`ScpSim`] methods: Object Storage buckets
//! and their objects, archive buckets and archived objects, the daily archiving tick, and
//! the DeleteBucket rule.

use chrono::Utc;

use super::common::etag;
use super::model::{Bucket, Item, SrcObject};
use crate::scp::{lock, new_id, ScpSim};

impl ScpSim {
    /// Creates an (empty) Object Storage bucket in `region`, the kind archiving policies
    /// take their source from and recoveries write into. Seeding an existing one is a no-op.
    pub fn seed_object_bucket(&self, region: &str, name: &str) {
        let mut w = lock(&self.world);
        w.archive
            .region(region)
            .sources
            .entry(name.to_string())
            .or_default();
    }

    /// Puts an object into an Object Storage bucket (created if missing), as if created
    /// `age_days` days ago. Putting a key again is new content: the next archiving run
    /// archives it again (a new version in a versioned archive bucket).
    pub fn put_source_object(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
        size: u64,
        age_days: u32,
    ) {
        let mut w = lock(&self.world);
        let obj = SrcObject {
            size,
            created_at: Utc::now() - chrono::Duration::days(i64::from(age_days)),
            etag: etag(),
        };
        w.archive
            .region(region)
            .sources
            .entry(bucket.to_string())
            .or_default()
            .objects
            .insert(key.to_string(), obj);
    }

    /// The keys now in an Object Storage bucket, sorted (empty for an unknown bucket).
    pub fn object_bucket_keys(&self, region: &str, bucket: &str) -> Vec<String> {
        let mut w = lock(&self.world);
        let delay = w.cfg.delay;
        w.archive.tick(delay);
        w.archive
            .region(region)
            .sources
            .get(bucket)
            .map(|b| b.objects.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Creates an `ACTIVE` archive bucket directly (no name checks); returns its id.
    pub fn seed_archive_bucket(&self, region: &str, name: &str) -> String {
        let mut w = lock(&self.world);
        let seq = w.archive.next_seq();
        let id = new_id();
        w.archive
            .region(region)
            .buckets
            .insert(id.clone(), Bucket::new(id.clone(), name, vec![], seq));
        id
    }

    /// Archives an object directly into an archive bucket, modified now: a new version if
    /// the bucket is versioned, else the latest version is replaced. Returns the new version
    /// id. Panics on an unknown bucket.
    pub fn seed_archived_object(
        &self,
        region: &str,
        bucket_id: &str,
        key: &str,
        size: u64,
    ) -> String {
        let mut w = lock(&self.world);
        let b = w
            .archive
            .region(region)
            .buckets
            .get_mut(bucket_id)
            .unwrap_or_else(|| panic!("no archive bucket {bucket_id} in {region}"));
        b.store(&Item {
            key: key.to_string(),
            size,
            etag: etag(),
        })
    }

    /// Starts an archiving run of the bucket's policy now, as the daily schedule does.
    /// Returns the archiving history id (`EXE-…`), or `None` when the bucket is unknown or
    /// has no `ACTIVE` policy.
    pub fn run_archiving(&self, region: &str, bucket_id: &str) -> Option<String> {
        let mut w = lock(&self.world);
        let delay = w.cfg.delay;
        w.archive.run_archiving(region, bucket_id, delay)
    }

    /// Whether DeleteBucket refuses (409) an archive bucket that still holds objects (the
    /// default, `true`); `false` deletes it with its objects.
    pub fn set_archive_delete_requires_empty(&self, required: bool) {
        lock(&self.world).archive.delete_nonempty = !required;
    }
}
