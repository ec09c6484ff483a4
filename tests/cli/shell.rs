//! `uptick completions` and `uptick man`: the scripts load in their shells and complete, the
//! pages render with `man -l`.

use std::process::Command as Process;

use crate::{notice, run_ok, uptick};

fn stdout_of(args: &[&str]) -> String {
    String::from_utf8(run_ok(uptick().args(args)).stdout).unwrap()
}

/// What bash offers for the words typed so far (the last one being completed), with the
/// script `uptick completions bash` printed loaded.
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let cur = words.last().unwrap();
    let prev = words[words.len() - 2];
    let line = format!(
        "source {}; COMP_WORDS=({}); COMP_CWORD={}; _uptick uptick '{cur}' '{prev}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words.join(" "),
        words.len() - 1
    );
    let out = Process::new("bash")
        .args(["-c", &line])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("uptick.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    assert_eq!(bash_complete(&script, &["uptick", "rep"]), ["report"]);
    assert_eq!(
        bash_complete(&script, &["uptick", "co"]),
        ["compare", "completions"]
    );
    let options = bash_complete(&script, &["uptick", "report", "--noti"]);
    assert_eq!(options, ["--notify", "--notify-when", "--notify-test"]);
}

#[test]
fn other_shells_get_their_own_scripts() {
    for (shell, marker) in [
        ("zsh", "#compdef uptick"),
        ("fish", "complete -c uptick"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains(marker), "{shell}");
        assert!(
            script.contains("report") && script.contains("notify-test"),
            "{shell}"
        );
    }
    let out = uptick().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The pages render with `man -l` (skipped with a notice where man is not installed).
#[test]
fn man_pages_render() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("uptick.1");
    std::fs::write(&top, stdout_of(&["man"])).unwrap();
    let report = dir.path().join("uptick-report.1");
    std::fs::write(&report, stdout_of(&["man", "report"])).unwrap();
    assert!(std::fs::read_to_string(&report).unwrap().starts_with(".ie"));
    let bad = uptick().args(["man", "nosuch"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("no command 'nosuch' (one of: series, detect"));
    if Process::new("man").arg("--version").output().is_err() {
        notice("man not installed (apt-get install -y man-db)");
        return;
    }
    let render = |page: &std::path::Path| {
        let out = Process::new("man")
            .arg("-l")
            .arg(page)
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = render(&top);
    for want in [
        "NAME",
        "SYNOPSIS",
        "Weekly",
        "uptick-report(1)",
        "uptick-completions(1)",
    ] {
        assert!(text.contains(want), "{want} in:\n{text}");
    }
    let text = render(&report);
    assert!(text.contains("uptick-report"), "{text}");
    assert!(text.contains("--notify-test"), "{text}");
}
