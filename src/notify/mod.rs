//! Delivery: after a report is published, tell people: an e-mail with the bulletin in it
//! ([`email`]) and a chat message through an incoming webhook ([`webhook`]).
//!
//! Delivery never costs the report: it runs after the report is in place, a failure prints one
//! line naming the channel and the reason, and the run exits with
//! [`crate::commands::ExitStatus::Delivery`] (3). What each channel sent for a week is kept in
//! that week's folder ([`DeliveryLog`], `delivery.json`), so a rerun for the same week does not
//! send again unless it has something new to say (or `--resend`).
//!
//! Secrets (the SMTP user and password, the webhook URL, which carries its token) come from
//! environment variables named in the config, never from the file, and are never printed.

pub mod email;
pub mod webhook;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::config::{Channel, Tls, When};
use crate::report::ReportModel;

pub use crate::settings::defaults::SUBJECT as DEFAULT_SUBJECT;
pub use crate::settings::{EmailSettings, NotifySettings, WebhookSettings};

/// "3 alerts", "1 alert", "no alerts".
pub fn alerts_phrase(n: usize) -> String {
    match n {
        0 => "no alerts".into(),
        1 => "1 alert".into(),
        n => format!("{n} alerts"),
    }
}

/// The subject from its template: `{alerts}` ("3 alerts"), `{new}` (new alerts, a number),
/// `{week}` (first day), `{week_label}` (2019-W41) and `{title}`. Line breaks are removed
/// (a header is one line).
pub fn subject(template: &str, m: &ReportModel) -> String {
    let new = m.alerts.iter().filter(|a| a.status == "new").count();
    template
        .replace("{alerts}", &alerts_phrase(m.alerts.len()))
        .replace("{new}", &new.to_string())
        .replace("{week_label}", &m.week_label)
        .replace("{week}", &m.week.to_string())
        .replace("{title}", &m.title)
        .replace(['\r', '\n'], " ")
}

/// The message in plain words, for the webhook's `text` and the e-mail's first line: the
/// alerts with their counts against the expected, the new ones marked.
pub fn plain_text(m: &ReportModel, report: &Path) -> String {
    let mut out = format!(
        "{}: {} in the week of {} ({}).",
        m.title,
        alerts_phrase(m.alerts.len()),
        m.week,
        m.week_label
    );
    for a in &m.alerts {
        let expected = crate::format::format_stat(a.expected);
        out.push_str(&format!(
            "\n- {} ({}): {} {} against {} expected",
            a.name,
            a.status,
            crate::format::format_number(a.observed),
            m.unit,
            expected
        ));
    }
    out.push_str(&format!("\nReport: {}", report.display()));
    out
}

/// What a channel delivered for one week: kept in the week's folder as `delivery.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryLog {
    /// Per channel, the last delivery for this week.
    #[serde(default)]
    pub sent: Vec<Sent>,
}

/// One channel's delivery for the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    /// The channel.
    pub channel: Channel,
    /// The alerting regions the message named (display names).
    pub alerts: Vec<String>,
}

/// The name of the log in a week's folder.
pub const LOG_FILE: &str = "delivery.json";

impl DeliveryLog {
    /// The log of a week's folder; empty when there is none (or it cannot be read).
    pub fn read(folder: &Path) -> DeliveryLog {
        std::fs::read(folder.join(LOG_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// What `channel` sent for this week, if anything.
    pub fn sent(&self, channel: Channel) -> Option<&Sent> {
        self.sent.iter().find(|s| s.channel == channel)
    }

    /// Records what `channel` sent, replacing its earlier entry.
    pub fn record(&mut self, channel: Channel, alerts: Vec<String>) {
        self.sent.retain(|s| s.channel != channel);
        self.sent.push(Sent { channel, alerts });
    }
}

/// Whether a channel should deliver this week's report, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send.
    Send,
    /// Nothing to send, in words ("no new alert this week").
    Skip(String),
}

/// Decides for one channel: `when` first, then what the channel already sent for the week
/// (a rerun sends again only for an alert the earlier message did not name, or with
/// `resend`).
pub fn decide(
    alerts: &[crate::report::Alert],
    when: When,
    earlier: Option<&Sent>,
    resend: bool,
) -> Decision {
    let new: Vec<&crate::report::Alert> = alerts.iter().filter(|a| a.status == "new").collect();
    match when {
        When::Alerts if alerts.is_empty() => return Decision::Skip("no alert this week".into()),
        When::NewAlerts if new.is_empty() => {
            return Decision::Skip(if alerts.is_empty() {
                "no alert this week".into()
            } else {
                "no new alert this week".into()
            })
        }
        _ => {}
    }
    let Some(earlier) = earlier.filter(|_| !resend) else {
        return Decision::Send;
    };
    let unsent = match when {
        When::Always => {
            return Decision::Skip("already sent for this week (--resend sends again)".into())
        }
        When::Alerts => alerts.iter().any(|a| !earlier.alerts.contains(&a.name)),
        When::NewAlerts => new.iter().any(|a| !earlier.alerts.contains(&a.name)),
    };
    if unsent {
        Decision::Send
    } else {
        Decision::Skip("already sent for this week (--resend sends again)".into())
    }
}

/// What one channel did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Delivered, in words ("sent to 2 recipients via smtp.example.org:587 (STARTTLS)").
    Sent(String),
    /// Not sent, and why.
    Skipped(String),
    /// Failed, and why (one line, no secrets).
    Failed(String),
}

/// A report to deliver: the model and its published folder.
pub struct Delivery<'a> {
    /// The report.
    pub model: &'a ReportModel,
    /// The published week folder (`ROOT/YYYY-Www`).
    pub folder: &'a Path,
}

/// Delivers the report through every channel that is on, updating the week's log for each
/// channel that sent. Returns each channel's outcome, in [`NotifySettings::channels`] order.
pub fn deliver(s: &NotifySettings, d: &Delivery<'_>) -> Vec<(Channel, Outcome)> {
    let mut log = DeliveryLog::read(d.folder);
    let mut out = Vec::new();
    for channel in s.channels() {
        let decision = decide(&d.model.alerts, s.when, log.sent(channel), s.resend);
        let outcome = match decision {
            Decision::Skip(why) => Outcome::Skipped(why),
            Decision::Send => {
                let result = match channel {
                    Channel::Email => email::send_report(
                        s.email.as_ref().expect("channels() lists configured ones"),
                        d,
                    ),
                    Channel::Webhook => webhook::send_report(
                        s.webhook
                            .as_ref()
                            .expect("channels() lists configured ones"),
                        d,
                    ),
                    Channel::None => continue,
                };
                match result {
                    Ok(said) => {
                        log.record(
                            channel,
                            d.model.alerts.iter().map(|a| a.name.clone()).collect(),
                        );
                        Outcome::Sent(said)
                    }
                    Err(why) => Outcome::Failed(why),
                }
            }
        };
        out.push((channel, outcome));
    }
    if out.iter().any(|(_, o)| matches!(o, Outcome::Sent(_))) {
        let path = d.folder.join(LOG_FILE);
        let bytes = serde_json::to_vec_pretty(&log).expect("the log serialises");
        if let Err(e) = crate::export::write_atomic(&path, &bytes) {
            out.push((
                Channel::None,
                Outcome::Failed(format!("could not record the delivery: {e}")),
            ));
        }
    }
    out
}

/// Sends a short test message through every channel that is on.
pub fn test(s: &NotifySettings) -> Vec<(Channel, Outcome)> {
    s.channels()
        .into_iter()
        .filter_map(|channel| {
            let result = match channel {
                Channel::Email => email::send_test(s.email.as_ref()?),
                Channel::Webhook => webhook::send_test(s.webhook.as_ref()?),
                Channel::None => return None,
            };
            Some((
                channel,
                match result {
                    Ok(said) => Outcome::Sent(said),
                    Err(why) => Outcome::Failed(why),
                },
            ))
        })
        .collect()
}

/// The value of the environment variable `name`, or a one-line reason naming it.
fn secret(name: &str, what: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(format!(
            "the environment variable {name} (the {what}) is not set"
        )),
    }
}

#[cfg(test)]
mod tests;
