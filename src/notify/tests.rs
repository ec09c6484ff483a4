use super::*;
use crate::report::Alert;

fn alert(name: &str, status: &str) -> Alert {
    Alert {
        region: vec![name.to_string()],
        name: name.to_string(),
        observed: 12.0,
        expected: Some(3.0),
        upperbound: Some(7.0),
        ratio: Some(4.0),
        pvalue: Some(0.001),
        qvalue: Some(0.01),
        weeks_in_row: 1,
        method: "nb".into(),
        status: status.into(),
        chart: None,
    }
}

fn sent(names: &[&str]) -> Sent {
    Sent {
        channel: Channel::Email,
        alerts: names.iter().map(|n| n.to_string()).collect(),
    }
}

#[test]
fn a_quiet_week_is_quiet_under_new_alerts() {
    let continuing = [alert("Homs", "continuing")];
    assert_eq!(
        decide(&[], When::NewAlerts, None, false),
        Decision::Skip("no alert this week".into())
    );
    assert_eq!(
        decide(&continuing, When::NewAlerts, None, false),
        Decision::Skip("no new alert this week".into())
    );
    assert_eq!(
        decide(&continuing, When::Alerts, None, false),
        Decision::Send
    );
    assert_eq!(decide(&[], When::Always, None, false), Decision::Send);
    assert!(matches!(
        decide(&[], When::Alerts, None, false),
        Decision::Skip(_)
    ));
}

#[test]
fn a_rerun_sends_again_only_for_what_it_did_not_name() {
    let one = [alert("Homs", "new")];
    let two = [alert("Homs", "new"), alert("Idlib", "new")];
    let earlier = sent(&["Homs"]);
    for when in [When::NewAlerts, When::Alerts, When::Always] {
        assert!(matches!(
            decide(&one, when, Some(&earlier), false),
            Decision::Skip(_)
        ));
        assert_eq!(decide(&one, when, Some(&earlier), true), Decision::Send);
    }
    assert_eq!(
        decide(&two, When::NewAlerts, Some(&earlier), false),
        Decision::Send
    );
    assert_eq!(
        decide(&two, When::Alerts, Some(&earlier), false),
        Decision::Send
    );
    // --resend does not override `when`: a quiet week stays quiet.
    assert!(matches!(
        decide(&[], When::NewAlerts, Some(&earlier), true),
        Decision::Skip(_)
    ));
}

#[test]
fn the_log_keeps_one_entry_per_channel_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(DeliveryLog::read(dir.path()), DeliveryLog::default());
    let mut log = DeliveryLog::default();
    log.record(Channel::Email, vec!["Homs".into()]);
    log.record(Channel::Webhook, vec![]);
    log.record(Channel::Email, vec!["Homs".into(), "Idlib".into()]);
    assert_eq!(log.sent.len(), 2);
    assert_eq!(log.sent(Channel::Email).unwrap().alerts.len(), 2);
    std::fs::write(dir.path().join(LOG_FILE), serde_json::to_vec(&log).unwrap()).unwrap();
    assert_eq!(DeliveryLog::read(dir.path()), log);
}

#[test]
fn phrases_count_alerts() {
    assert_eq!(alerts_phrase(0), "no alerts");
    assert_eq!(alerts_phrase(1), "1 alert");
    assert_eq!(alerts_phrase(3), "3 alerts");
}
