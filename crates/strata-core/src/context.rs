//! The request context adapters can see: the gateway's request id, so vendor calls made
//! while serving a request carry it (and vendor logs can be joined with the gateway's).

tokio::task_local! {
    /// The id of the client request being served.
    pub static REQUEST_ID: String;
}

/// The request id of the request being served, when there is one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn visible_inside_the_scope_only() {
        assert_eq!(request_id(), None);
        let seen = REQUEST_ID.scope("r-1".into(), async { request_id() }).await;
        assert_eq!(seen.as_deref(), Some("r-1"));
    }
}
