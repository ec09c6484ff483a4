//! The webhook channel: one JSON POST to an incoming webhook, whose `text` field Slack,
//! Mattermost and Microsoft Teams incoming webhooks all show, with the alerts as structured
//! fields beside it for anything that reads them.
//!
//! Each attempt has a timeout. A 5xx answer or a connection error (refused, reset, timed
//! out) is retried up to `retries` times, waiting `backoff`, then twice that, and so on
//! (exponential backoff); a 4xx answer is the request's fault and is not retried. The URL
//! carries the webhook's token, so messages name only its host.

use serde::Serialize;

use super::{alerts_phrase, plain_text, secret, Delivery, WebhookSettings};

/// One alert as the message lists it.
#[derive(Debug, Serialize)]
struct AlertField<'a> {
    region: &'a [String],
    name: &'a str,
    status: &'a str,
    observed: f64,
    expected: Option<f64>,
    upperbound: Option<f64>,
    ratio: Option<f64>,
    pvalue: Option<f64>,
    qvalue: Option<f64>,
    weeks_in_row: usize,
}

/// The message.
#[derive(Debug, Serialize)]
struct Body<'a> {
    text: String,
    title: &'a str,
    week: String,
    week_label: &'a str,
    unit: &'a str,
    summary: &'a str,
    alerts: Vec<AlertField<'a>>,
    new_alerts: usize,
    report: String,
}

/// Posts the report's alerts; returns what was done, in words, or a one-line reason.
pub fn send_report(s: &WebhookSettings, d: &Delivery<'_>) -> Result<String, String> {
    let m = d.model;
    let report = d.folder.join("report.html");
    let body = Body {
        text: plain_text(m, &report),
        title: &m.title,
        week: m.week.to_string(),
        week_label: &m.week_label,
        unit: &m.unit,
        summary: &m.summary,
        alerts: m
            .alerts
            .iter()
            .map(|a| AlertField {
                region: &a.region,
                name: &a.name,
                status: &a.status,
                observed: a.observed,
                expected: a.expected,
                upperbound: a.upperbound,
                ratio: a.ratio,
                pvalue: a.pvalue,
                qvalue: a.qvalue,
                weeks_in_row: a.weeks_in_row,
            })
            .collect(),
        new_alerts: m.alerts.iter().filter(|a| a.status == "new").count(),
        report: report.display().to_string(),
    };
    let json = serde_json::to_string(&body).map_err(|e| e.to_string())?;
    post(s, &json).map(|said| format!("{said} ({})", alerts_phrase(m.alerts.len())))
}

/// Posts a short test message.
pub fn send_test(s: &WebhookSettings) -> Result<String, String> {
    let json = serde_json::json!({
        "text": "uptick: test message from `uptick report --notify-test`: the webhook channel works."
    });
    post(s, &json.to_string())
}

/// POSTs `json` with retries; "HTTP 200 from hooks.example.org".
fn post(s: &WebhookSettings, json: &str) -> Result<String, String> {
    let url = secret(&s.url_env, "webhook URL")?;
    let host =
        host_of(&url).ok_or_else(|| format!("the value of {} is not an http(s) URL", s.url_env))?;
    let agent = ureq::AgentBuilder::new().timeout(s.timeout).build();
    let mut wait = s.backoff;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let why = match agent
            .post(&url)
            .set("Content-Type", "application/json")
            .send_string(json)
        {
            Ok(response) => return Ok(format!("HTTP {} from {host}", response.status())),
            Err(ureq::Error::Status(code, response)) if code < 500 => {
                return Err(format!(
                    "HTTP {code} {} from {host} (not retried: the request was refused)",
                    response.status_text()
                ))
            }
            Err(ureq::Error::Status(code, response)) => {
                format!("HTTP {code} {} from {host}", response.status_text())
            }
            Err(ureq::Error::Transport(t)) => transport_reason(&t, &host, s.timeout),
        };
        if attempt > s.retries {
            let tries = match attempt {
                1 => "1 attempt".to_string(),
                n => format!("{n} attempts"),
            };
            return Err(format!("{why} (gave up after {tries})"));
        }
        std::thread::sleep(wait);
        wait = wait.saturating_mul(2);
    }
}

/// A transport error in words, without the URL (which holds the token).
fn transport_reason(t: &ureq::Transport, host: &str, timeout: std::time::Duration) -> String {
    let text = t.to_string();
    if text.contains("timed out")
        || text.contains("WouldBlock")
        || text.contains("Resource temporarily")
    {
        format!("no answer from {host} within {} s", timeout.as_secs_f64())
    } else {
        let kind = match t.kind() {
            ureq::ErrorKind::ConnectionFailed => "could not connect",
            ureq::ErrorKind::Dns => "could not resolve the host",
            ureq::ErrorKind::Io => "the connection failed",
            _ => "the request failed",
        };
        let detail = t
            .message()
            .map(str::to_string)
            .or_else(|| std::error::Error::source(t).map(|e| e.to_string()))
            .unwrap_or_default();
        if detail.is_empty() {
            format!("{kind} to {host}")
        } else {
            format!("{kind} to {host}: {detail}")
        }
    }
}

/// The host of an http(s) URL ("hooks.example.org", "127.0.0.1:8080"), for messages.
fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    (!host.is_empty()).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn messages_name_the_host_not_the_token() {
        assert_eq!(
            host_of("https://hooks.slack.com/services/T0/B0/secret").as_deref(),
            Some("hooks.slack.com")
        );
        assert_eq!(
            host_of("http://user:pw@127.0.0.1:8080/hook?x=1").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(host_of("ftp://example.org/"), None);
        assert_eq!(host_of("https://"), None);
    }
}
