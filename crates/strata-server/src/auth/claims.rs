//! Checks of a token's JOSE header and claims, done by Strata itself once jsonwebtoken has
//! verified the signature (RFC 7519, RFC 7515, RFC 8725):
//!
//! - the header must be a JSON object without `crit`: Strata understands no extensions, so a
//!   token that marks any as critical is refused (RFC 7515 §4.1.11);
//! - `exp` (required) and `nbf` are NumericDates, fractions allowed, checked with the leeway;
//! - `iss` must equal `auth.issuer`; `aud` is the audience or an array containing it;
//! - scopes come from `scope` and `scp`, each a space-separated string or an array of strings;
//! - the providers claim is an array of provider ids or a space-separated string; absent means
//!   every provider, and any other value (`null` included) makes the token invalid.
//!
//! Error messages are fixed texts: nothing from the token is ever echoed back.

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine;
use serde_json::{Map, Value};

use super::{AuthError, Principal};
use crate::config::AuthConfig;

fn err(msg: &str) -> AuthError {
    AuthError(msg.into())
}

/// Refuses a header that is not a JSON object or that carries `crit`.
pub(super) fn check_header(token: &str) -> Result<(), AuthError> {
    let malformed = || err("the token is malformed");
    let first = token.split('.').next().ok_or_else(malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(first.trim_end_matches('='))
        .map_err(|_| malformed())?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    if header.contains_key("crit") {
        return Err(err(
            "the token marks header extensions as critical (crit), which are not supported",
        ));
    }
    Ok(())
}

/// A NumericDate: a JSON number of seconds since the epoch, fractions allowed.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>, AuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| err("the token has a time claim (exp, nbf) that is not a number")),
    }
}

/// A space-separated string or an array of strings, as a set of words.
fn words(v: &Value) -> Option<HashSet<String>> {
    match v {
        Value::String(s) => Some(s.split_whitespace().map(str::to_string).collect()),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect::<Option<HashSet<_>>>(),
        _ => None,
    }
}

/// Checks the claims of a token whose signature is valid, at `now` (seconds since the epoch).
pub(super) fn check_claims(
    claims: &Value,
    cfg: &AuthConfig,
    now: f64,
) -> Result<Principal, AuthError> {
    let c = claims
        .as_object()
        .ok_or_else(|| err("the token's claims are not a JSON object"))?;
    let leeway = cfg.leeway_seconds as f64;
    let exp = numeric_date(c, "exp")?
        .ok_or_else(|| err("the token lacks a required claim (exp, iss, aud)"))?;
    if now >= exp + leeway {
        return Err(err("the token has expired"));
    }
    if let Some(nbf) = numeric_date(c, "nbf")? {
        if now < nbf - leeway {
            return Err(err("the token is not valid yet (nbf)"));
        }
    }
    match c.get("iss") {
        None => return Err(err("the token lacks a required claim (exp, iss, aud)")),
        Some(Value::String(iss)) if *iss == cfg.issuer => {}
        Some(_) => return Err(err("the token's issuer is not accepted")),
    }
    let aud_ok = match c.get("aud") {
        None => return Err(err("the token lacks a required claim (exp, iss, aud)")),
        Some(Value::String(a)) => *a == cfg.audience,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(&cfg.audience)),
        Some(_) => false,
    };
    if !aud_ok {
        return Err(err("the token's audience is not accepted"));
    }
    let subject = match c.get("sub") {
        None => Arc::from(""),
        Some(Value::String(s)) => Arc::from(s.as_str()),
        Some(_) => return Err(err("the token's `sub` claim is not a string")),
    };
    let mut scopes = HashSet::new();
    for name in ["scope", "scp"] {
        if let Some(v) = c.get(name) {
            scopes.extend(words(v).ok_or_else(|| {
                err("the token's scope claim (scope, scp) must be a string or a list of strings")
            })?);
        }
    }
    let providers = match c.get(&cfg.providers_claim) {
        None => None,
        Some(v) => Some(words(v).ok_or_else(|| {
            AuthError(format!(
                "the `{}` claim must be a list of provider ids",
                cfg.providers_claim
            ))
        })?),
    };
    Ok(Principal {
        subject,
        scopes,
        providers,
        expires_at: exp.floor() as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: f64 = 1_800_000_000.0;

    fn check(claims: Value) -> Result<Principal, AuthError> {
        check_claims(&claims, &AuthConfig::default(), NOW)
    }

    fn base() -> Value {
        json!({"iss": "strata", "aud": "strata", "exp": NOW + 60.0, "sub": "a"})
    }

    fn with(k: &str, v: Value) -> Value {
        let mut c = base();
        c[k] = v;
        c
    }

    #[test]
    fn audiences_dates_and_scopes() {
        assert!(check(with("aud", json!(["other", "strata"]))).is_ok());
        assert!(check(with("aud", json!(["other"]))).is_err());
        assert!(check(with("aud", json!(7))).is_err());
        // Fractional NumericDates, with the 30 s default leeway.
        let p = check(with("exp", json!(NOW + 0.5))).unwrap();
        assert_eq!(p.expires_at, NOW as i64);
        assert!(check(with("exp", json!(NOW - 29.5))).is_ok());
        assert_eq!(
            check(with("exp", json!(NOW - 30.25))).unwrap_err().0,
            "the token has expired"
        );
        assert!(check(with("nbf", json!(NOW + 29.9))).is_ok());
        assert!(check(with("nbf", json!(NOW + 30.1))).is_err());
        assert!(check(with("exp", json!("soon"))).is_err());
        let mut c = base();
        c.as_object_mut().unwrap().remove("exp");
        assert!(check(c).is_err());
        let p = check(with("scope", json!(["storage.read", "storage.write"]))).unwrap();
        assert!(p.scopes.contains("storage.write") && p.scopes.len() == 2);
        let p = check(with("scp", json!("storage.read"))).unwrap();
        assert_eq!(p.scopes, HashSet::from(["storage.read".to_string()]));
        let mut c = with("scp", json!(["storage.admin"]));
        c["scope"] = json!("storage.read");
        assert_eq!(check(c).unwrap().scopes.len(), 2);
        assert!(check(with("scope", json!({"x": 1}))).is_err());
    }

    #[test]
    fn provider_claims() {
        assert_eq!(check(base()).unwrap().providers, None);
        let p = check(with("strata_providers", json!(["mem-a"]))).unwrap();
        assert_eq!(p.providers, Some(HashSet::from(["mem-a".to_string()])));
        for bad in [json!(null), json!(1), json!({"a": 1}), json!([1])] {
            assert!(check(with("strata_providers", bad)).is_err());
        }
    }

    #[test]
    fn headers_with_crit_are_refused() {
        let enc = |h: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h);
        let ok = format!("{}.e30.sig", enc(r#"{"alg":"HS256"}"#));
        assert!(check_header(&ok).is_ok());
        let crit = format!(
            "{}.e30.sig",
            enc(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#)
        );
        assert!(check_header(&crit).is_err());
        assert!(check_header("%%%.e30.sig").is_err());
        assert!(check_header(&format!("{}.e30.sig", enc("[1]"))).is_err());
    }
}
