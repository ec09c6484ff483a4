//! `[notify]` resolved: the delivery channels with their settings (the `notify` module sends
//! them).

use std::path::PathBuf;

use crate::cli::ReportArgs;
use crate::config::{Channel, Tls, When};
use crate::error::{Error, Result};

use super::defaults;

/// The e-mail channel of `[notify]`, resolved (the `notify` module sends it).
#[derive(Debug, Clone, PartialEq)]
pub struct EmailSettings {
    /// SMTP server.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// Connection security.
    pub tls: Tls,
    /// Sender mailbox.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject template (placeholders as `notify::subject` expands them).
    pub subject: String,
    /// Environment variable holding the SMTP user name (none: no authentication).
    pub user_env: Option<String>,
    /// Environment variable holding the SMTP password.
    pub password_env: Option<String>,
    /// A PEM file of certificates to trust besides the system's (a private CA).
    pub ca_file: Option<PathBuf>,
    /// Connection and command timeout.
    pub timeout: std::time::Duration,
}

/// The webhook channel, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSettings {
    /// Environment variable holding the URL.
    pub url_env: String,
    /// Timeout of each attempt.
    pub timeout: std::time::Duration,
    /// Attempts after the first, on 5xx answers and connection errors.
    pub retries: u32,
    /// Wait before the first retry; doubled before each next one.
    pub backoff: std::time::Duration,
}

/// Delivery, resolved from `[notify]` and the command line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NotifySettings {
    /// E-mail, when on.
    pub email: Option<EmailSettings>,
    /// Webhook, when on.
    pub webhook: Option<WebhookSettings>,
    /// When to deliver.
    pub when: When,
    /// Deliver even what was already delivered for the week.
    pub resend: bool,
}

impl NotifySettings {
    /// The channels that are on, in a fixed order.
    pub fn channels(&self) -> Vec<Channel> {
        let mut out = Vec::new();
        if self.email.is_some() {
            out.push(Channel::Email);
        }
        if self.webhook.is_some() {
            out.push(Channel::Webhook);
        }
        out
    }
}

/// `[notify]` and `--notify`/`--notify-when`/`--resend`, resolved: the channels on, each
/// with its table; a channel asked for without its table is a usage error.
///
/// # Errors
/// A channel without its table, or invalid values in it.
pub fn notify_settings(
    args: &ReportArgs,
    config: &crate::config::NotifyConfig,
) -> Result<NotifySettings> {
    let channels: Vec<Channel> = if !args.notify.is_empty() {
        args.notify.clone()
    } else if let Some(list) = &config.channels {
        list.clone()
    } else {
        let mut on = Vec::new();
        if config.email.is_some() {
            on.push(Channel::Email);
        }
        if config.webhook.is_some() {
            on.push(Channel::Webhook);
        }
        on
    };
    let on = |c: Channel| channels.contains(&c) && !channels.contains(&Channel::None);
    let seconds = |v: Option<f64>, default: f64, what: &str| -> Result<std::time::Duration> {
        let v = v.unwrap_or(default);
        if v.is_finite() && v > 0.0 {
            Ok(std::time::Duration::from_secs_f64(v))
        } else {
            Err(Error::Usage(format!(
                "[notify] {what} must be a positive number of seconds, not {v}"
            )))
        }
    };
    let email = if on(Channel::Email) {
        let e = config.email.as_ref().ok_or_else(|| {
            Error::Usage(
                "--notify email needs an [notify.email] table in the config (host, from, to)"
                    .into(),
            )
        })?;
        if e.to.is_empty() {
            return Err(Error::Usage("[notify.email] to lists no recipient".into()));
        }
        let tls = e.tls.unwrap_or_default();
        Some(EmailSettings {
            host: e.host.clone(),
            port: e.port.unwrap_or(tls.default_port()),
            tls,
            from: e.from.clone(),
            to: e.to.clone(),
            subject: e.subject.clone().unwrap_or(defaults::SUBJECT.into()),
            user_env: e.user_env.clone(),
            password_env: e.password_env.clone(),
            ca_file: e.ca_file.clone(),
            timeout: seconds(e.timeout, 30.0, "email timeout")?,
        })
    } else {
        None
    };
    let webhook = if on(Channel::Webhook) {
        let default = crate::config::WebhookConfig::default();
        // A webhook needs nothing in the file: its URL comes from the environment.
        let w = config.webhook.as_ref().unwrap_or(&default);
        Some(WebhookSettings {
            url_env: w.url_env.clone().unwrap_or("UPTICK_WEBHOOK_URL".into()),
            timeout: seconds(w.timeout, 10.0, "webhook timeout")?,
            retries: w.retries.unwrap_or(3),
            backoff: seconds(w.backoff, 1.0, "webhook backoff")?,
        })
    } else {
        None
    };
    Ok(NotifySettings {
        email,
        webhook,
        when: args.notify_when.or(config.when).unwrap_or_default(),
        resend: args.resend,
    })
}
