//! What every SCP service module shares to reach the vendor: the request [signer] and the
//! signed HTTP [transport] (URL building from path segments, `Scp-Api-Version`, request-id
//! forwarding), whose failed answers `errors` reads into core errors. SCP's list calls page
//! by `offset`/`limit`, which callers pass as query values; there is no other paging helper
//! to share.

mod errors;
pub mod signer;
pub mod transport;

pub use signer::{Signer, CLIENT_TYPE};
pub use transport::{default_base_url, ScpClient, DEFAULT_TIMEOUT};
