//! Plain JSON webhooks: the message and its numbers, with `X-Throughline-Key` (the
//! idempotency key, for receivers that deduplicate) and, with a secret,
//! `X-Throughline-Signature-256: sha256=HEX`, the HMAC-SHA256 of the raw body (GitHub's
//! scheme: a receiver recomputes it with the shared secret and compares in constant time).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Failure, post_json};
use crate::Message;

pub(crate) struct Webhook {
    http: reqwest::Client,
    url: String,
    secret: Option<String>,
}

impl Webhook {
    pub fn new(http: reqwest::Client, url: String, secret: Option<String>) -> Webhook {
        Webhook { http, url, secret }
    }

    pub async fn send(&self, m: &Message) -> Result<(), Failure> {
        let body = serde_json::json!({
            "key": m.key,
            "kind": m.kind,
            "subject": m.subject,
            "text": m.body(),
            "person": m.person,
            "address": m.address,
            "link": m.link,
            "facts": m.facts,
        })
        .to_string();
        let mut headers = vec![("x-throughline-key", m.key.clone())];
        if let Some(secret) = &self.secret {
            headers.push((
                "x-throughline-signature-256",
                signature(secret, body.as_bytes()),
            ));
        }
        post_json(&self.http, &self.url, body, &headers).await
    }
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            super::signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
