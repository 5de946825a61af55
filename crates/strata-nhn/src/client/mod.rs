//! How the adapter reaches NHN Cloud: the IaaS [token] client (issued tokens cached until
//! shortly before expiry) and the [nas] client (token header, `header` envelope, error
//! mapping, one re-issue on 401), with the bits both share in [transport]; `errors` reads
//! a failed NAS answer into a core error.

mod errors;
pub mod nas;
pub mod token;
pub mod transport;

pub use nas::NasClient;
pub use token::{Token, TokenClient};
pub use transport::DEFAULT_TIMEOUT;
