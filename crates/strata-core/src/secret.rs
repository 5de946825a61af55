//! A secret value whose `Debug` never prints it, and where configuration says to read it
//! from ([`SecretSource`]), shared by the server and the adapters (which resolve their own
//! credentials from their provider settings).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A secret value (a password, a key). `Debug` is redacted so it cannot leak through logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself. Call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a secret comes from in configuration.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SecretSource {
    /// `{ env = "NAME" }`
    Env {
        /// The environment variable holding the secret.
        env: String,
    },
    /// `{ file = "/run/secrets/x" }` (trailing newline trimmed)
    File {
        /// The file holding the secret.
        file: PathBuf,
    },
    /// A literal value; for development only.
    Literal(String),
}

impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::Env { env } => write!(f, "env:{env}"),
            SecretSource::File { file } => write!(f, "file:{}", file.display()),
            SecretSource::Literal(_) => f.write_str("literal(***)"),
        }
    }
}

/// Why a secret could not be read; the message names the source, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SecretError(String);

impl SecretSource {
    /// Reads the secret.
    pub fn resolve(&self) -> Result<Secret, SecretError> {
        let value = match self {
            SecretSource::Env { env } => std::env::var(env).map_err(|_| {
                SecretError(format!(
                    "environment variable `{env}` (a secret) is not set"
                ))
            })?,
            SecretSource::File { file } => std::fs::read_to_string(file)
                .map_err(|e| {
                    SecretError(format!("cannot read secret file `{}`: {e}", file.display()))
                })?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
            SecretSource::Literal(s) => s.clone(),
        };
        if value.is_empty() {
            return Err(SecretError(format!("a secret ({self:?}) is empty")));
        }
        Ok(Secret::new(value))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_is_redacted() {
        let s = super::Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2");
    }
}
