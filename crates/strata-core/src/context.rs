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

/// Longest vendor answer written to the log, in bytes.
const MAX_LOGGED_ANSWER: usize = 16 * 1024;

/// Logs a vendor's failed answer in full (bounded) with the request id: clients only see a
/// sanitized summary ([`Error::public_detail`](crate::Error::public_detail)), so this line is
/// where an operator finds what the vendor really said.
pub fn log_vendor_answer(vendor: &str, service: &str, method: &str, status: u16, body: &str) {
    let end = body
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take_while(|&end| end <= MAX_LOGGED_ANSWER)
        .last()
        .unwrap_or(0);
    tracing::warn!(
        vendor,
        service,
        method,
        status,
        request_id = request_id().as_deref().unwrap_or("-"),
        body = &body[..end],
        truncated = end < body.len(),
        "vendor answered with an error"
    );
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
