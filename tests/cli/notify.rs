//! Delivery through real servers started here on 127.0.0.1 and stopped when each test ends:
//! an SMTP server (aiosmtpd, with and without STARTTLS or implicit TLS, with a login, behind
//! a certificate authority made for the test) and an incoming-webhook server (Python's
//! http.server). The SMTP tests skip with a notice where Python cannot import aiosmtpd, unless
//! `UPTICK_REQUIRE_DELIVERY=1` (set by `.ci/run`, which installs it).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use crate::{notice, uptick};

/// A test server: the child process, stopped (stdin closed, then killed) when dropped.
struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    fn start(script: &str, args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Process::new("python3")
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/support")
                    .join(script),
            )
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{script} did not start: {line:?}"));
        Server { child, port, dir }
    }

    /// The `.json` files the server wrote, in arrival order.
    fn received(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for n in 1.. {
            match std::fs::read(self.dir.path().join(format!("{n}.json"))) {
                Ok(b) => out.push(serde_json::from_slice(&b).unwrap()),
                Err(_) => break,
            }
        }
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether Python runs here (the webhook server is its standard library's http.server); a
/// notice where it does not, unless delivery is required.
fn has_python() -> bool {
    let ok = Process::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("UPTICK_REQUIRE_DELIVERY").as_deref() != Ok("1"),
            "UPTICK_REQUIRE_DELIVERY=1 but python3 does not run"
        );
        notice("python3 not found (the webhook tests start Python's http.server)");
    }
    ok
}

/// Whether the SMTP tests can run (or must: `UPTICK_REQUIRE_DELIVERY=1`).
fn has_aiosmtpd() -> bool {
    if !has_python() {
        return false;
    }
    let ok = Process::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("UPTICK_REQUIRE_DELIVERY").as_deref() != Ok("1"),
            "UPTICK_REQUIRE_DELIVERY=1 but python3 cannot import aiosmtpd"
        );
        notice("python3 -c 'import aiosmtpd' failed (pip install aiosmtpd)");
    }
    ok
}

/// A certificate authority and a server certificate for 127.0.0.1 signed by it (openssl).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Process::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec![
        "req", "-x509", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
    ];
    ca.extend(ec);
    ca.extend(["-subj", "/CN=uptick test CA"]);
    run(&ca);
    let mut csr = vec!["req", "-keyout", "server.key", "-out", "server.csr"];
    csr.extend(ec);
    csr.extend(["-subj", "/CN=127.0.0.1"]);
    run(&csr);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

const PASSWORD: &str = "s3cret-Pa55word-never-shown";

/// Runs `uptick report --demo` with `config` (written into `root`) and `extra` arguments.
fn report(
    root: &Path,
    config: &str,
    as_of: &str,
    env: &[(&str, &str)],
    extra: &[&str],
) -> std::process::Output {
    let cfg = root.join("uptick.toml");
    std::fs::write(&cfg, config).unwrap();
    let mut cmd = uptick();
    cmd.args(["report", "--demo", "--as-of", as_of, "--config"])
        .arg(&cfg)
        .arg("--out")
        .arg(root.join("reports"))
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("uptick runs")
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if std::fs::read(&p)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            hits.push(p);
        }
    }
    hits
}

/// STARTTLS with a login: the message arrives once, to both recipients, with the subject,
/// the HTML part whose every chart is an inline attachment it references, and report.md as
/// the text part; the password appears nowhere. A rerun for the same week sends nothing;
/// `--resend` sends again.
#[test]
fn email_with_starttls_and_login_arrives_once_with_its_charts_inline() {
    if !has_aiosmtpd() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(certs.path());
    let server = Server::start(
        "smtp_server.py",
        &[
            "starttls",
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--user",
            "desk",
            "--password",
            PASSWORD,
        ],
    );
    let root = tempfile::tempdir().unwrap();
    let config = format!(
        r#"[notify.email]
host = "127.0.0.1"
port = {}
tls = "starttls"
ca_file = "{}"
from = "uptick <uptick@example.org>"
to = ["desk@example.org", "Analysts <analysts@example.org>"]
user_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"
"#,
        server.port,
        ca.display()
    );
    let env = [("SMTP_USER", "desk"), ("SMTP_PASSWORD", PASSWORD)];
    let out = report(root.path(), &config, "2019-10-14", &env, &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("email: sent to 2 recipients via 127.0.0.1:"),
        "{said}"
    );
    let got = server.received();
    assert_eq!(got.len(), 1, "{said}");
    let m = &got[0];
    assert_eq!(m["tls"], true);
    assert_eq!(m["authenticated"], true);
    assert_eq!(
        m["rcpt"],
        serde_json::json!(["desk@example.org", "analysts@example.org"])
    );
    assert_eq!(
        m["subject"],
        "uptick: 3 alerts in the week of 2019-10-07 (Syria: weekly conflict events by governorate (UCDP GED demo data))"
    );
    let types: Vec<&str> = m["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        &types[..4],
        [
            "multipart/alternative",
            "text/plain",
            "multipart/related",
            "text/html"
        ]
    );
    let html = m["html"].as_str().unwrap();
    let week = root.path().join("reports/2019-W41");
    let page = std::fs::read_to_string(week.join("report.html")).unwrap();
    let charts = page.matches("<img src=\"data:image/png;base64,").count();
    assert_eq!(charts, 7);
    assert!(!html.contains("data:image"), "no data: images in mail");
    let cids: Vec<&str> = html
        .split("src=\"cid:")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(cids.len(), charts);
    for cid in &cids {
        let part = m["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["cid"] == *cid)
            .unwrap_or_else(|| panic!("no part for cid:{cid}"));
        assert_eq!(part["type"], "image/png");
        assert_eq!(part["disposition"], "inline");
        assert!(part["bytes"].as_u64().unwrap() > 1000);
    }
    let md = std::fs::read_to_string(week.join("report.md")).unwrap();
    // Mail lines end in CRLF.
    assert_eq!(
        m["text"].as_str().unwrap().replace("\r\n", "\n").trim_end(),
        md.trim_end()
    );
    for place in [
        &said,
        &std::fs::read_to_string(root.path().join("uptick.toml")).unwrap(),
    ] {
        assert!(!place.contains(PASSWORD));
    }
    assert!(files_containing(&root.path().join("reports"), PASSWORD).is_empty());

    // The same week again: nothing new to say.
    let again = report(root.path(), &config, "2019-10-14", &env, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("email: not sent: already sent for this week"));
    assert_eq!(server.received().len(), 1);
    let resent = report(root.path(), &config, "2019-10-14", &env, &["--resend"]);
    assert_eq!(resent.status.code(), Some(0), "{}", text(&resent));
    assert_eq!(server.received().len(), 2);
}

/// Implicit TLS without a login, and a plain local relay: both deliver; a wrong password is
/// a failed delivery (exit 3) that names the channel, keeps the report, and shows no secret.
#[test]
fn email_over_implicit_tls_and_plain_and_a_refused_login() {
    if !has_aiosmtpd() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(certs.path());
    let tls = Server::start(
        "smtp_server.py",
        &[
            "tls",
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    );
    let plain = Server::start(
        "smtp_server.py",
        &["plain", "--user", "desk", "--password", PASSWORD],
    );
    for (server, mode, login) in [(&tls, "tls", false), (&plain, "none", true)] {
        let root = tempfile::tempdir().unwrap();
        let mut config = format!(
            "[notify]\nwhen = \"always\"\n[notify.email]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"{mode}\"\nca_file = \"{}\"\nfrom = \"uptick@example.org\"\nto = [\"desk@example.org\"]\nsubject = \"{{alerts}}, {{new}} new: {{week_label}}\"\n",
            server.port,
            ca.display()
        );
        if login {
            config.push_str("user_env = \"U\"\npassword_env = \"P\"\n");
        }
        let out = report(
            root.path(),
            &config,
            "2019-10-14",
            &[("U", "desk"), ("P", PASSWORD)],
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let got = server.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["subject"], "3 alerts, 3 new: 2019-W41");
        assert_eq!(got[0]["tls"], mode == "tls");
        if login {
            let wrong = report(
                root.path(),
                &config,
                "2019-10-14",
                &[("U", "desk"), ("P", "wrong-password")],
                &["--resend"],
            );
            let said = text(&wrong);
            assert_eq!(wrong.status.code(), Some(3), "{said}");
            assert!(
                said.contains("uptick: delivery failed: email: could not send via 127.0.0.1:"),
                "{said}"
            );
            // The server's refusal is named, at once (not after a timeout).
            assert!(said.contains("(535)"), "{said}");
            assert!(!said.contains("wrong-password"), "{said}");
            assert!(root.path().join("reports/2019-W41/report.html").is_file());
            assert_eq!(server.received().len(), 1);
        }
    }
}

/// The webhook's JSON (a `text` field and the alerts); a 500 is retried and then delivered
/// once; a 400 is not retried (exit 3, report intact); a server that never answers times out
/// (exit 3). The URL, which holds the token, is never printed.
#[test]
fn webhook_posts_json_retries_5xx_only_and_times_out() {
    if !has_python() {
        return;
    }
    let config =
        "[notify.webhook]\nurl_env = \"HOOK\"\ntimeout = 1.5\nretries = 2\nbackoff = 0.2\n";
    let cases: [(&str, Option<i32>, usize, &str); 4] = [
        ("200", Some(0), 1, "webhook: HTTP 200 from 127.0.0.1:"),
        ("500,200", Some(0), 2, "webhook: HTTP 200 from 127.0.0.1:"),
        (
            "400",
            Some(3),
            1,
            "uptick: delivery failed: webhook: HTTP 400 Bad Request from 127.0.0.1:",
        ),
        (
            "hang",
            Some(3),
            3,
            "uptick: delivery failed: webhook: no answer from 127.0.0.1:",
        ),
    ];
    for (answers, code, posts, line) in cases {
        let server = Server::start("webhook_server.py", &[answers]);
        let root = tempfile::tempdir().unwrap();
        let url = format!("http://127.0.0.1:{}/hooks/T000/B000/token-xyz", server.port);
        let out = report(
            root.path(),
            config,
            "2019-10-14",
            &[("HOOK", url.as_str())],
            &[],
        );
        let said = text(&out);
        assert_eq!(out.status.code(), code, "{answers}: {said}");
        assert!(said.contains(line), "{answers}: {said}");
        assert!(!said.contains("token-xyz"), "{said}");
        let got = server.received();
        assert_eq!(got.len(), posts, "{answers}: {said}");
        // Every attempt carried the same message.
        for m in &got {
            assert_eq!(m, &got[0]);
        }
        let m = &got[0];
        assert!(m["text"]
            .as_str()
            .unwrap()
            .contains("3 alerts in the week of 2019-10-07"));
        assert_eq!(m["alerts"].as_array().unwrap().len(), 3);
        assert_eq!(m["new_alerts"], 3);
        assert_eq!(m["week_label"], "2019-W41");
        assert!(m["alerts"][0]["observed"].as_f64().unwrap() > 0.0);
        // The report is published whatever the webhook did.
        assert!(root.path().join("reports/2019-W41/report.md").is_file());
        let logged = root.path().join("reports/2019-W41/delivery.json").is_file();
        assert_eq!(logged, code == Some(0), "{answers}");
    }
}

/// `new-alerts` (the default): a quiet week sends nothing, a week with new alerts sends, and
/// the same week again sends nothing.
#[test]
fn new_alerts_send_once_and_quiet_weeks_are_quiet() {
    if !has_python() {
        return;
    }
    let server = Server::start("webhook_server.py", &["200"]);
    let root = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/hook", server.port);
    let env = [("UPTICK_WEBHOOK_URL", url.as_str())];
    let config = "[notify.webhook]\n";
    let quiet = report(root.path(), config, "2019-10-07", &env, &[]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(
        text(&quiet).contains("webhook: not sent: no alert this week"),
        "{}",
        text(&quiet)
    );
    assert_eq!(server.received().len(), 0);
    for _ in 0..2 {
        let out = report(root.path(), config, "2019-10-14", &env, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    assert_eq!(server.received().len(), 1);
    // --notify none turns delivery off for one run.
    let off = report(
        root.path(),
        config,
        "2019-10-14",
        &env,
        &["--notify", "none", "--resend"],
    );
    assert_eq!(off.status.code(), Some(0));
    assert_eq!(server.received().len(), 1);
}

/// `--notify-test` sends a short message through each channel and says what happened; a
/// missing secret is a failed delivery naming the variable; no channel is a usage error.
#[test]
fn notify_test_says_what_happened() {
    if !has_python() {
        return;
    }
    let server = Server::start("webhook_server.py", &["200"]);
    let root = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/hook", server.port);
    let cfg = root.path().join("u.toml");
    std::fs::write(&cfg, "[notify.webhook]\nurl_env = \"HOOK\"\n").unwrap();
    let ok = uptick()
        .args(["report", "--notify-test", "--config"])
        .arg(&cfg)
        .env("HOOK", &url)
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains("webhook: HTTP 200 from 127.0.0.1:"));
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0]["text"].as_str().unwrap().contains("test message"));
    let missing = uptick()
        .args(["report", "--notify-test", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(3));
    assert!(text(&missing).contains("the environment variable HOOK (the webhook URL) is not set"));
    let none = uptick().args(["report", "--notify-test"]).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(text(&none).contains("no delivery channel is configured"));
    let no_table = uptick()
        .args(["report", "--demo", "--notify", "email"])
        .output()
        .unwrap();
    assert_eq!(no_table.status.code(), Some(2));
    assert!(text(&no_table).contains("--notify email needs an [notify.email] table"));
}
