//! Delivery: each channel of `notify: channels:` made ready to send (its address, secret and
//! credentials read from the environment), one module per kind.

mod email;
mod slack;
mod webhook;

use std::collections::BTreeMap;

use throughline_model::notify::{Channel, ChannelKind, Notify};

use crate::Message;

/// Why one try to deliver failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Worth another try: the network, a timeout, HTTP 429 or 5xx, an SMTP 4xx reply.
    Transient(String),
    /// Trying again will not help: HTTP 4xx, an SMTP 5xx reply, a bad address.
    Permanent(String),
}

/// Why a channel cannot be made ready (a missing environment variable, an address that is
/// not a URL), in words for its owner.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Broken(pub String);

impl From<String> for Broken {
    fn from(why: String) -> Self {
        Broken(why)
    }
}

impl From<&str> for Broken {
    fn from(why: &str) -> Self {
        Broken(why.into())
    }
}

/// A channel ready to send on.
pub(crate) enum Ready {
    Slack(slack::Slack),
    Webhook(webhook::Webhook),
    Email(email::Email),
}

/// The channels of a workspace, ready to send, and those that could not be made ready (a
/// missing environment variable, say), with why.
pub struct Outbox {
    ready: BTreeMap<String, Ready>,
    broken: BTreeMap<String, String>,
}

impl Outbox {
    /// Makes every channel ready, reading the environment with `env` (`std::env::var` in
    /// the binary; a map in tests).
    pub fn new(notify: &Notify, env: &dyn Fn(&str) -> Option<String>) -> Outbox {
        // reqwest and lettre both use rustls; ring is the one provider built in.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .user_agent(concat!("throughline/", env!("CARGO_PKG_VERSION")))
            .build();
        let mut out = Outbox {
            ready: BTreeMap::new(),
            broken: BTreeMap::new(),
        };
        for (name, ch) in &notify.channels {
            let ready = match (&http, ch.kind.value) {
                (Err(e), ChannelKind::Slack | ChannelKind::Webhook) => {
                    Err(Broken(format!("cannot start an HTTP client: {e}")))
                }
                (Ok(http), ChannelKind::Slack) => {
                    url(ch, env).map(|u| Ready::Slack(slack::Slack::new(http.clone(), u)))
                }
                (Ok(http), ChannelKind::Webhook) => url(ch, env).and_then(|u| {
                    let secret = match &ch.secret_env {
                        Some(var) => Some(read(env, &var.value, name, "the signing secret")?),
                        None => None,
                    };
                    Ok(Ready::Webhook(webhook::Webhook::new(
                        http.clone(),
                        u,
                        secret,
                    )))
                }),
                (_, ChannelKind::Email) => email::Email::new(ch, env).map(Ready::Email),
            };
            match ready {
                Ok(r) => {
                    out.ready.insert(name.clone(), r);
                }
                Err(e) => {
                    out.broken.insert(name.clone(), e.0);
                }
            }
        }
        out
    }

    /// Why a channel cannot send, if it cannot.
    pub fn broken(&self, channel: &str) -> Option<&str> {
        match self.broken.get(channel) {
            Some(e) => Some(e),
            None if !self.ready.contains_key(channel) => {
                Some("no such channel in `notify: channels:`")
            }
            None => None,
        }
    }

    /// One try to deliver `m`.
    pub async fn deliver(&self, m: &Message) -> Result<(), Failure> {
        match self.ready.get(&m.channel) {
            Some(Ready::Slack(s)) => s.send(m).await,
            Some(Ready::Webhook(w)) => w.send(m).await,
            Some(Ready::Email(e)) => e.send(m).await,
            None => Err(Failure::Permanent(
                self.broken(&m.channel).unwrap_or_default().to_string(),
            )),
        }
    }
}

/// The channel's address: `url_env`'s value, else `url`.
fn url(ch: &Channel, env: &dyn Fn(&str) -> Option<String>) -> Result<String, Broken> {
    let u = match (&ch.url_env, &ch.url) {
        (Some(var), _) => read(env, &var.value, &ch.id.value, "the address")?,
        (None, Some(u)) => u.value.clone(),
        (None, None) => return Err(Broken::from("no `url_env` or `url`")),
    };
    if !(u.starts_with("https://") || u.starts_with("http://")) {
        return Err(Broken(format!(
            "the address is not an http(s) URL (it starts `{}`)",
            u.chars().take(8).collect::<String>()
        )));
    }
    Ok(u)
}

/// An environment variable's value, or why it cannot be used.
fn read(
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    channel: &str,
    what: &str,
) -> Result<String, Broken> {
    match env(var) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
        _ => Err(Broken(format!(
            "the environment variable {var} ({what} of channel `{channel}`) is not set; set it where throughline runs (a CI secret, the server's environment)"
        ))),
    }
}

/// An HTTP reply's status as a failure, if it is one.
fn http_status(status: reqwest::StatusCode, body: &str) -> Result<(), Failure> {
    if status.is_success() {
        return Ok(());
    }
    let text = format!(
        "HTTP {status}{}",
        if body.trim().is_empty() {
            String::new()
        } else {
            format!(": {}", body.trim().chars().take(200).collect::<String>())
        }
    );
    if status.is_server_error()
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || status == reqwest::StatusCode::REQUEST_TIMEOUT
    {
        Err(Failure::Transient(text))
    } else {
        Err(Failure::Permanent(text))
    }
}

/// Posts `body` as JSON with extra headers, and reads the reply.
async fn post_json(
    http: &reqwest::Client,
    url: &str,
    body: String,
    headers: &[(&str, String)],
) -> Result<(), Failure> {
    let mut req = http.post(url).header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let reply = req.body(body).send().await.map_err(|e| {
        // The address itself is a secret for Slack: never print it.
        Failure::Transient(format!("cannot reach the server: {}", e.without_url()))
    })?;
    let status = reply.status();
    let text = reply.text().await.unwrap_or_default();
    http_status(status, &text)
}

pub(crate) use slack::payload as slack_payload;
pub(crate) use webhook::signature as webhook_signature;
