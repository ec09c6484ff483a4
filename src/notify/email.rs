//! The e-mail channel: the report as an HTML message with its charts as inline `cid:`
//! attachments (mail clients block `data:` images) and report.md as the plain-text part,
//! sent over SMTP with `lettre` (STARTTLS, implicit TLS, or none for a local relay).
//!
//! The MIME layout is the one mail clients expect for a page with pictures:
//! `multipart/alternative` of `text/plain` and `multipart/related` (`text/html` plus one
//! inline image per chart, each named by its `Content-ID`; RFC 2046 §5.1.4, RFC 2387,
//! RFC 2392).

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls as SmtpTls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::{secret, subject, Delivery, EmailSettings, Tls};
use crate::report::html::{render_page, Images};

/// Sends the report; returns what was done, in words, or a one-line reason.
pub fn send_report(s: &EmailSettings, d: &Delivery<'_>) -> Result<String, String> {
    let text = std::fs::read_to_string(d.folder.join("report.md"))
        .map_err(|e| format!("could not read report.md: {e}"))?;
    let page = render_page(d.model, d.folder, Images::ContentId)
        .map_err(|e| format!("could not lay out the message: {e}"))?;
    let mut related = MultiPart::related().singlepart(SinglePart::html(page.html));
    for image in page.inline {
        let kind = ContentType::parse(image.mime).map_err(|e| e.to_string())?;
        related = related.singlepart(Attachment::new_inline(image.cid).body(image.bytes, kind));
    }
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(text))
        .multipart(related);
    let message = envelope(s, &subject(&s.subject, d.model))?
        .multipart(body)
        .map_err(|e| format!("could not build the message: {e}"))?;
    send(s, &message)
}

/// Sends a short test message.
pub fn send_test(s: &EmailSettings) -> Result<String, String> {
    let message = envelope(s, "uptick: test message")?
        .singlepart(SinglePart::plain(
            "This is a test message from `uptick report --notify-test`: the e-mail channel works."
                .to_string(),
        ))
        .map_err(|e| format!("could not build the message: {e}"))?;
    send(s, &message)
}

/// From, To and Subject.
fn envelope(s: &EmailSettings, subject: &str) -> Result<lettre::message::MessageBuilder, String> {
    let from: Mailbox = s
        .from
        .parse()
        .map_err(|e| format!("the sender '{}' is not a mailbox: {e}", s.from))?;
    let mut builder = Message::builder().from(from).subject(subject);
    for to in &s.to {
        let mailbox: Mailbox = to
            .parse()
            .map_err(|e| format!("the recipient '{to}' is not a mailbox: {e}"))?;
        builder = builder.to(mailbox);
    }
    Ok(builder)
}

/// Connects as the settings say and sends.
fn send(s: &EmailSettings, message: &Message) -> Result<String, String> {
    let server = format!("{}:{} ({})", s.host, s.port, s.tls);
    let tls = match s.tls {
        Tls::None => SmtpTls::None,
        Tls::Starttls => SmtpTls::Required(tls_parameters(s)?),
        Tls::Tls => SmtpTls::Wrapper(tls_parameters(s)?),
    };
    let mut transport = SmtpTransport::builder_dangerous(&s.host)
        .port(s.port)
        .tls(tls)
        .timeout(Some(s.timeout));
    match (&s.user_env, &s.password_env) {
        (Some(user), Some(password)) => {
            transport = transport.credentials(Credentials::new(
                secret(user, "SMTP user name")?,
                secret(password, "SMTP password")?,
            ));
        }
        (None, None) => {}
        _ => {
            return Err(
                "user_env and password_env go together (both, or neither for no login)".into(),
            )
        }
    }
    transport
        .build()
        .send(message)
        .map_err(|e| format!("could not send via {server}: {e}"))?;
    Ok(format!(
        "sent to {} via {server}",
        match s.to.len() {
            1 => "1 recipient".to_string(),
            n => format!("{n} recipients"),
        }
    ))
}

/// The TLS parameters: the system's roots plus `ca_file`'s certificate.
fn tls_parameters(s: &EmailSettings) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(s.host.clone());
    if let Some(path) = &s.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("could not read the ca_file {}: {e}", path.display()))?;
        let cert = Certificate::from_pem(&pem).map_err(|e| {
            format!(
                "the ca_file {} is not a PEM certificate: {e}",
                path.display()
            )
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| format!("could not set up TLS: {e}"))
}
