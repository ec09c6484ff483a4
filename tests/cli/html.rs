//! report.html in a real browser (headless Chromium): every image loads, no request leaves
//! the file, hostile names and notes stay text. Skips with a notice where Chromium is absent,
//! unless `UPTICK_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs it).

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::{notice, run_ok, uptick};

/// The Chromium binary, or `None` (with a notice, or a panic when the browser is required).
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Process::new("which").arg(name).output() {
            if out.status.success() {
                let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if !p.is_empty() {
                    return Some(PathBuf::from(p));
                }
            }
        }
    }
    assert!(
        std::env::var("UPTICK_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "UPTICK_REQUIRE_BROWSER=1 but no chromium on PATH"
    );
    notice("chromium not installed (apt-get install -y chromium)");
    None
}

fn headless(browser: &Path) -> Process {
    let mut c = Process::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
    ]);
    c
}

/// What the probe saw: images, images loaded, resources fetched, CSP violations, whether any
/// injected markup ran.
#[derive(Debug)]
struct Probe {
    images: usize,
    loaded: usize,
    resources: Vec<String>,
    violations: Vec<String>,
    pwned: bool,
}

/// Loads a copy of the page with a probe script (the copy's policy also allows that one
/// inline script; everything else stays forbidden) and reads what it reported.
fn probe(browser: &Path, html: &Path) -> Probe {
    let page = std::fs::read_to_string(html).unwrap();
    let policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
    assert!(page.contains(policy), "the page must forbid every request");
    let probe = r#"<script>
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.blockedURI + ' ' + e.violatedDirective));
window.addEventListener('load', () => setTimeout(() => {
  const imgs = [...document.images];
  const r = {
    images: imgs.length,
    loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    resources: performance.getEntriesByType('resource').map(e => e.name),
    violations: window.__violations,
    pwned: !!window.__pwned,
  };
  const pre = document.createElement('pre');
  pre.id = 'uptick-probe';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
}, 300));
</script>"#;
    let copy = html.with_file_name("probe.html");
    std::fs::write(
        &copy,
        page.replacen(policy, &format!("{policy}; script-src 'unsafe-inline'"), 1)
            .replacen("<head>", &format!("<head>\n{probe}"), 1),
    )
    .unwrap();
    let out = headless(browser)
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let json = dom
        .split("<pre id=\"uptick-probe\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| {
            panic!(
                "no probe result; chromium said:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let list = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap_or_default().to_string())
            .collect()
    };
    Probe {
        images: v["images"].as_u64().unwrap() as usize,
        loaded: v["loaded"].as_u64().unwrap() as usize,
        resources: list("resources"),
        violations: list("violations"),
        pwned: v["pwned"].as_bool().unwrap(),
    }
}

/// A screenshot of the page (kept in the target directory to look at).
fn screenshot(browser: &Path, html: &Path, name: &str, width: u32) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(name);
    let _ = std::fs::remove_file(&png);
    let out = headless(browser)
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={width},2400"))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{}",
        png.display()
    );
    png
}

/// The demo report's page: every chart loads from the file itself, nothing is requested,
/// and it renders at desktop and phone widths.
#[test]
fn demo_report_page_loads_everything_from_itself() {
    let Some(browser) = chromium() else { return };
    let root = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args(["report", "--demo", "--quiet", "--out"])
            .arg(root.path()),
    );
    let html = root.path().join("2019-W41/report.html");
    let page = std::fs::read_to_string(&html).unwrap();
    // Map, overview, heat map, three trend charts, the comparison chart.
    assert_eq!(page.matches("<img src=\"data:image/png;base64,").count(), 7);
    for external in [
        "http://", "https://", "src=\"/", "url(", "@import", "<link", "<script",
    ] {
        assert!(!page.contains(external), "{external} in the page");
    }
    let p = probe(&browser, &html);
    assert_eq!(p.images, 7, "{p:?}");
    assert_eq!(p.loaded, p.images, "{p:?}");
    assert!(p.resources.is_empty(), "{p:?}");
    assert!(p.violations.is_empty(), "{p:?}");
    let desktop = screenshot(&browser, &html, "demo-desktop.png", 1200);
    let phone = screenshot(&browser, &html, "demo-phone.png", 390);
    eprintln!("screenshots: {} {}", desktop.display(), phone.display());
}

/// Hostile region names, actors, places and notes (markup, a script, NUL, 300 characters)
/// stay text in report.html as in report.md, and nothing in them runs.
#[test]
fn hostile_names_and_notes_stay_text_in_the_page() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let long = "Very long note ".repeat(20);
    let hostile = [
        "<script>window.__pwned=1</script>",
        "<img src=x onerror=\"window.__pwned=1\">",
        "[click](http://evil.example) | a|b",
        "nul\0byte",
        long.as_str(),
    ];
    // UCDP-shaped NDJSON (a NUL byte can be part of a value): a steady trickle, then a surge
    // in the last week of every region, whose events carry the hostile text.
    let start = chrono::NaiveDate::from_ymd_opt(2019, 1, 7).unwrap();
    let mut ndjson = String::new();
    let mut id = 0;
    for (k, name) in hostile.iter().enumerate() {
        for w in 0..40 {
            let n = if w == 39 { 25 } else { 1 + (w + k) % 2 };
            for _ in 0..n {
                id += 1;
                let date = (start + chrono::Duration::days(7 * w as i64)).to_string();
                ndjson.push_str(&format!(
                    "{}\n",
                    serde_json::json!({
                        "id": id, "date_start": date, "date_end": date, "country": "Testland",
                        "adm_1": name, "adm_2": name, "side_a": name, "side_b": "B",
                        "type_of_violence": "1", "best": "2", "where_coordinates": name,
                        "latitude": "35.1", "longitude": "38.2", "source_headline": name,
                    })
                ));
            }
        }
    }
    std::fs::write(dir.path().join("hostile.ndjson"), ndjson).unwrap();
    run_ok(
        uptick()
            .args(["report", "--quiet", "--as-of", "2019-10-14", "--input"])
            .arg(dir.path().join("hostile.ndjson"))
            .arg("--out")
            .arg(dir.path().join("out")),
    );
    let week = dir.path().join("out/2019-W41");
    let md = std::fs::read_to_string(week.join("report.md")).unwrap();
    let html_path = week.join("report.html");
    let page = std::fs::read_to_string(&html_path).unwrap();
    for text in [&md, &page] {
        assert!(!text.contains("<script"), "raw script");
        assert!(!text.contains("<img src=x"), "raw img");
        assert!(!text.contains('\0'), "NUL");
    }
    assert!(
        md.contains("&lt;script>window.\\_\\_pwned=1&lt;/script>"),
        "{md}"
    );
    assert!(
        md.contains("\\[click\\](http://evil.example) \\| a\\|b"),
        "{md}"
    );
    assert!(page.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"));
    assert!(page.contains("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;"));
    // The 300-character note is in the notable events, shortened (region names are not).
    assert!(page.contains("Very long note Very long note"));
    assert!(page.contains("…</td>"), "a shortened note");
    // The markdown tables keep their shape: every notable-events row has the header's cells.
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    let mut in_table = false;
    let mut width = 0;
    for l in md.lines() {
        if l.starts_with("| Date | Place") {
            in_table = true;
            width = cells(l);
        } else if in_table && l.starts_with('|') {
            assert_eq!(cells(l), width, "{l}");
        } else {
            in_table = false;
        }
    }
    assert!(width > 0, "a notable-events table");
    let p = probe(&browser, &html_path);
    assert!(!p.pwned, "injected markup ran: {p:?}");
    assert_eq!(p.loaded, p.images, "{p:?}");
    assert!(p.resources.is_empty() && p.violations.is_empty(), "{p:?}");
    screenshot(&browser, &html_path, "hostile-desktop.png", 1200);
}

/// The archive page: three weeks reported, one folder deleted, a rerun: index.html and
/// index.md list exactly the weeks that exist, newest first; in the browser the chart loads
/// from the page itself, nothing is requested, and every link resolves to a file.
#[test]
fn archive_index_lists_what_exists_and_its_links_resolve() {
    let root = tempfile::tempdir().unwrap();
    let report = |as_of: &str| {
        run_ok(
            uptick()
                .args(["report", "--demo", "--quiet", "--as-of", as_of, "--out"])
                .arg(root.path()),
        );
    };
    for as_of in ["2019-09-30", "2019-10-07", "2019-10-14"] {
        report(as_of);
    }
    let index = root.path().join("index.html");
    let md = root.path().join("index.md");
    let listed = |path: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap();
        let mut weeks: Vec<String> = text
            .match_indices("2019-W")
            .map(|(i, _)| text[i..i + 8].to_string())
            .collect();
        weeks.dedup();
        weeks
    };
    assert_eq!(listed(&index), ["2019-W41", "2019-W40", "2019-W39"]);
    std::fs::remove_dir_all(root.path().join("2019-W40")).unwrap();
    report("2019-10-14");
    assert_eq!(listed(&index), ["2019-W41", "2019-W39"]);
    assert_eq!(listed(&md), ["2019-W41", "2019-W39"]);
    let page = std::fs::read_to_string(&index).unwrap();
    assert!(page.contains("Ar Raqqah (new), Al Hasakah (new), Aleppo (new)"));
    let links: Vec<&str> = page
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(links.len(), 4, "{links:?}");
    for link in &links {
        assert!(root.path().join(link).is_file(), "{link} does not resolve");
    }
    let Some(browser) = chromium() else { return };
    let p = probe(&browser, &index);
    assert_eq!(p.images, 1, "{p:?}");
    assert_eq!(p.loaded, 1, "{p:?}");
    assert!(p.resources.is_empty(), "{p:?}");
    assert!(p.violations.is_empty(), "{p:?}");
    let shot = screenshot(&browser, &index, "archive-index.png", 1200);
    eprintln!("screenshot: {}", shot.display());
}
