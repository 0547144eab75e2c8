//! E-mail over SMTP (lettre): STARTTLS by default, TLS from the first byte with `tls: tls`,
//! plain only with `tls: none`; a user name and password from the environment when set.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use throughline_model::notify::{Channel, SmtpTls};

use super::{Broken, Failure, read};
use crate::Message;

pub(crate) struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Email {
    pub fn new(ch: &Channel, env: &dyn Fn(&str) -> Option<String>) -> Result<Email, Broken> {
        let name = &ch.id.value;
        let server = ch
            .smtp
            .as_ref()
            .map(|s| s.value.trim().to_string())
            .unwrap_or_default();
        let (host, port) = match server.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse::<u16>()
                    .map_err(|_| format!("`smtp: {server}`: `{p}` is not a port number"))?,
            ),
            None => (server.clone(), 0),
        };
        let tls = ch.tls.as_ref().map_or(SmtpTls::Starttls, |t| t.value);
        let builder = match tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &host,
            )),
        }
        .map_err(|e| format!("cannot set up SMTP to {host}: {e}"))?;
        let port = match (port, tls) {
            (0, SmtpTls::Tls) => 465,
            (0, SmtpTls::Starttls) => 587,
            (0, SmtpTls::None) => 25,
            (p, _) => p,
        };
        let mut builder = builder
            .port(port)
            .timeout(Some(std::time::Duration::from_secs(30)));
        if let Some(user) = &ch.username_env {
            let user = read(env, &user.value, name, "the SMTP user name")?;
            let password = match &ch.password_env {
                Some(p) => read(env, &p.value, name, "the SMTP password")?,
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(user, password));
        }
        let from = ch
            .from
            .as_ref()
            .map(|f| f.value.clone())
            .unwrap_or_default();
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("`from: {from}` is not a sender address: {e}"))?;
        Ok(Email {
            transport: builder.build(),
            from,
        })
    }

    pub async fn send(&self, m: &Message) -> Result<(), Failure> {
        let to = m.address.as_deref().unwrap_or_default();
        let to: Mailbox = match (&m.person, to.parse::<lettre::Address>()) {
            (Some(p), Ok(a)) => Mailbox::new(Some(p.clone()), a),
            (None, Ok(a)) => Mailbox::new(None, a),
            (_, Err(e)) => {
                return Err(Failure::Permanent(format!(
                    "`{to}` is not an e-mail address: {e}"
                )));
            }
        };
        let mail = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(m.body())
            .map_err(|e| Failure::Permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(mail).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Permanent(format!(
                "the SMTP server refused it: {e}"
            ))),
            Err(e) => Err(Failure::Transient(format!("SMTP: {e}"))),
        }
    }
}
