//! Charts: files exist, decode as PNG of the documented size, SVGs carry their titles; text
//! renders without system fonts; degenerate inputs (all zeros, one region, 300 regions).

use std::path::Path;

use crate::{run_ok, uptick};

fn png_size_and_dark_pixels(path: &Path, rows: std::ops::Range<u32>) -> ((u32, u32), usize) {
    let mut decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    // Charts are indexed PNGs: expand the palette to RGB.
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width, info.height);
    let channels = info.line_size / w as usize;
    let dark = (rows.start..rows.end.min(h))
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let i = y as usize * info.line_size + x as usize * channels;
            buf[i] < 100 && buf[i + 1] < 100 && buf[i + 2] < 100
        })
        .count();
    ((w, h), dark)
}

/// Trend charts, overview and heat map from `detect --charts`, in both formats; the title
/// text is drawn (dark pixels in the title band) with font lookup made impossible.
#[test]
fn detect_charts_png_and_svg_without_system_fonts() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args([
                "detect",
                "--demo",
                "--as-of",
                "2019-10-27",
                "--chart-format",
                "both",
                "-q",
                "--charts",
            ])
            .arg(dir.path())
            // No font configuration, no home, no fonts: only the embedded font can draw text.
            .env("FONTCONFIG_FILE", "/nonexistent/fonts.conf")
            .env("FONTCONFIG_PATH", empty.path())
            .env("XDG_DATA_HOME", empty.path())
            .env("HOME", empty.path()),
    );
    let trend = dir.path().join("trend-al-hasakah.png");
    let (size, dark) = png_size_and_dark_pixels(&trend, 0..40);
    assert_eq!(size, (960, 440));
    assert!(dark > 100, "the title was not drawn: {dark} dark pixels");
    let svg = std::fs::read_to_string(dir.path().join("trend-al-hasakah.svg")).unwrap();
    assert!(
        svg.contains("Al Hasakah")
            && svg.contains("events per week")
            && svg.contains("alarm threshold")
    );
    assert!(svg.contains("width=\"960\""));
    let overview = std::fs::read_to_string(dir.path().join("overview.svg")).unwrap();
    assert!(overview.contains("Regions with alarms"));
    let (size, _) = png_size_and_dark_pixels(&dir.path().join("overview.png"), 0..1);
    assert_eq!(size, (1100, 64 + 4 * 170), "14 panels in 4 columns");
    let heat = std::fs::read_to_string(dir.path().join("heatmap.svg")).unwrap();
    assert!(heat.contains("Deir ez Zor") && heat.contains("alarm (outlined)"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2 * (14 + 2),
        "14 trend charts + overview + heat map, twice"
    );
}

/// The comparison chart.
#[test]
fn compare_chart() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args([
                "compare",
                "--demo",
                "--period",
                "2019-Q3",
                "--against",
                "2018-Q3",
                "--chart-format",
                "svg",
                "-q",
                "--charts",
            ])
            .arg(dir.path()),
    );
    let svg = std::fs::read_to_string(dir.path().join("comparison.svg")).unwrap();
    assert!(
        svg.contains("Rate ratio by region") && svg.contains("Idlib") && svg.contains("log scale")
    );
}

/// The comparison chart draws only regions with enough events to say something, and says how
/// many it left out: in the demo's last 4 weeks against the 12 before, Tartus (0 and 0),
/// Quneitra (0 and 1), As Suwayda (0 and 3), Damascus (2 and 0) and Rif Dimashq (3 and 1) have
/// fewer than 5 events in both periods together.
#[test]
fn comparison_chart_leaves_out_regions_with_too_few_events() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args([
                "compare",
                "--demo",
                "--chart-format",
                "svg",
                "-q",
                "--charts",
            ])
            .arg(dir.path()),
    );
    let svg = std::fs::read_to_string(dir.path().join("comparison.svg")).unwrap();
    assert!(
        svg.contains("5 regions with too few events left out"),
        "{svg}"
    );
    for quiet in [
        "Tartus",
        "Quneitra",
        "As Suwayda",
        "Damascus",
        "Rif Dimashq",
        "(none",
    ] {
        assert!(!svg.contains(quiet), "{quiet} drawn");
    }
    assert!(svg.contains("Idlib") && svg.contains("Latakia"));
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// All-zero data (every week 0 via a weight column) and a single region still chart.
#[test]
fn all_zero_and_single_region() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("week,region,count\n");
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    for w in 0..60 {
        csv.push_str(&format!(
            "{},Only,0\n",
            start + chrono::Duration::days(7 * w)
        ));
    }
    let input = write(dir.path(), "zeros.csv", &csv);
    let charts = dir.path().join("charts");
    let out = run_ok(
        uptick()
            .args([
                "detect",
                "--as-of",
                "2021-06-01",
                "--date-col",
                "week",
                "--region-col",
                "region",
                "--weight-col",
                "count",
            ])
            .args(["--format", "csv", "-q", "--charts"])
            .arg(&charts)
            .arg("-i")
            .arg(&input),
    );
    let rows = crate::csv_rows(&out.stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["alarm"], "0");
    for f in ["trend-only.png", "overview.png", "heatmap.png"] {
        let (size, _) = png_size_and_dark_pixels(&charts.join(f), 0..1);
        assert!(size.0 > 0, "{f}");
    }
}

/// 300 regions: every trend chart is written, the overview and heat map are capped with a
/// note, and hostile names become safe, unique file names inside the directory.
#[test]
fn three_hundred_regions_and_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("date,region\n");
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    for r in 0..298 {
        for w in 0..40 {
            if (r + w) % 3 == 0 {
                csv.push_str(&format!(
                    "{},Region {r:03}\n",
                    start + chrono::Duration::days(7 * w)
                ));
            }
        }
    }
    csv.push_str(&format!("{},\"../../etc/passwd\"\n", start));
    csv.push_str(&format!("{},\"..\\\\..\\\\evil\"\n", start));
    let input = write(dir.path(), "many.csv", &csv);
    let charts = dir.path().join("charts");
    run_ok(
        uptick()
            .args([
                "detect",
                "--as-of",
                "2021-01-01",
                "--date-col",
                "date",
                "--region-col",
                "region",
                "-q",
                "--chart-format",
                "svg",
                "--charts",
            ])
            .arg(&charts)
            .arg("-i")
            .arg(&input),
    );
    let files: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 300 + 2);
    assert!(
        files.contains(&"trend-etc-passwd.svg".to_string()),
        "{:?}",
        files
            .iter()
            .filter(|f| f.contains("etc"))
            .collect::<Vec<_>>()
    );
    assert!(files.contains(&"trend-evil.svg".to_string()));
    assert!(!dir.path().join("etc").exists());
    let overview = std::fs::read_to_string(charts.join("overview.svg")).unwrap();
    assert!(
        overview.contains("+276 more regions not shown"),
        "24 panels of 300"
    );
    let heat = std::fs::read_to_string(charts.join("heatmap.svg")).unwrap();
    assert!(
        heat.contains("+260 more regions not shown"),
        "40 rows of 300"
    );
}

/// `(x, y, font size, text)` of every `<text>` element of an SVG written by plotters.
fn svg_texts(svg: &str) -> Vec<(f64, f64, f64, String)> {
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!(" {name}=\"");
        let start = tag.find(&key).map(|i| i + key.len()).unwrap();
        tag[start..start + tag[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    svg.split("<text ")
        .skip(1)
        .map(|rest| {
            let (tag, body) = rest.split_once('>').unwrap();
            let tag = format!(" {tag}");
            let text = body.split("</text>").next().unwrap().trim().to_string();
            (
                attr(&tag, "x"),
                attr(&tag, "y"),
                attr(&tag, "font-size"),
                text,
            )
        })
        .collect()
}

/// Labels are not clipped: the last month label of each overview panel ends inside its panel
/// (it was cut to "Nov 201"), and the trend chart's "as of" label sits above the plotting area,
/// not on the bars under its top edge.
#[test]
fn labels_fit_their_panels() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        uptick()
            .args([
                "detect",
                "--demo",
                "--as-of",
                "2019-10-13",
                "--chart-format",
                "svg",
            ])
            .args(["-q", "--charts"])
            .arg(dir.path()),
    );
    let overview = std::fs::read_to_string(dir.path().join("overview.svg")).unwrap();
    let panel_width = 1100.0 / 4.0;
    let mut months = 0;
    for (x, _, size, text) in svg_texts(&overview) {
        let is_month = text.len() == 8 && text[4..].chars().all(|c| c.is_ascii_digit());
        if !is_month {
            continue;
        }
        months += 1;
        // Middle-anchored; 0.6 em is a generous average glyph width for this font.
        let right = x + 0.3 * text.len() as f64 * size;
        let panel_right = ((x / panel_width).floor() + 1.0) * panel_width;
        assert!(
            right <= panel_right,
            "'{text}' at x = {x} ends at {right:.0}, past its panel's edge {panel_right}"
        );
    }
    assert!(months >= 28, "two month labels per panel: {months}");
    let trend = std::fs::read_to_string(dir.path().join("trend-al-hasakah.svg")).unwrap();
    let (_, label_y, _, _) = svg_texts(&trend)
        .into_iter()
        .find(|t| t.3 == "as of")
        .expect("an as-of label");
    // The as-of marker is a vertical line from the x axis to the top of the plotting area.
    let marker = trend
        .split("<polyline ")
        .skip(1)
        .find_map(|p| {
            let points = p.split("points=\"").nth(1)?.split('"').next()?;
            let pts: Vec<(f64, f64)> = points
                .split_whitespace()
                .filter_map(|xy| {
                    let (x, y) = xy.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            (pts.len() == 2 && pts[0].0 == pts[1].0).then(|| pts[0].1.min(pts[1].1))
        })
        .expect("the as-of marker");
    assert!(
        label_y <= marker && label_y > 10.0,
        "'as of' at y = {label_y}: not above the plotting area (top {marker}) or cut at the edge"
    );
}
