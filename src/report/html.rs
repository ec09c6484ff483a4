//! The report as one self-contained web page (`report.html`), from the same [`ReportModel`]
//! and tables as the markdown: charts embedded as `data:` URIs, CSS inline, a
//! Content-Security-Policy that forbids any request (no scripts, fonts, styles or images from
//! anywhere but the page itself), readable on a phone and printable to A4. Every piece of data
//! goes through [`escape`].

use std::path::Path;

use base64::Engine;

use super::{tables, ReportModel};
use crate::error::{Error, Result};
use crate::export::DisplayTable;

/// The page's style: system fonts, a readable measure, tables that scroll sideways on a
/// phone, A4 print with no broken rows or charts.
const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1e1e1e; background: #fff; margin: 0; line-height: 1.5; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.25rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
.meta { color: #555; font-size: 0.9rem; }
.summary { font-size: 1.05rem; }
.highlights li { margin: 0.3rem 0; }
.alert { color: #b34700; font-weight: 600; }
.table { overflow-x: auto; margin: 0.75rem 0 1.25rem; }
table { border-collapse: collapse; font-size: 0.85rem; min-width: 50%; }
th, td { padding: 0.3rem 0.55rem; border-bottom: 1px solid #e4e4e4; vertical-align: top; text-align: left; }
th { background: #f4f4f4; font-weight: 600; }
td.d { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid #bbb; }
figure { margin: 1rem 0 1.5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.85rem; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85rem; }
pre { background: #f6f6f6; padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.notes li { margin: 0.2rem 0; }
.notes li.sub { margin-left: 1.5rem; list-style: circle; }
footer { color: #777; font-size: 0.8rem; margin-top: 2rem; }
@media (max-width: 40rem) { main { padding: 0.75rem; } h1 { font-size: 1.3rem; } table { font-size: 0.8rem; } }
@media print {
  @page { size: A4; margin: 14mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .table { overflow: visible; }
  table { font-size: 8pt; }
  tr, figure, img { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"#;

/// Escapes text for HTML element content and attribute values; control characters (NUL,
/// newlines, ...) become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A display table as HTML (cells escaped), in a sideways-scrolling box.
fn table(t: &DisplayTable) -> String {
    let class = |right: bool| if right { " class=\"num\"" } else { "" };
    let mut out = String::from("<div class=\"table\"><table>\n<thead><tr>");
    for (h, r) in t.header.iter().zip(&t.right) {
        out.push_str(&format!("<th{}>{}</th>", class(*r), escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let last = t.rows.len().saturating_sub(1);
    for (i, row) in t.rows.iter().enumerate() {
        let total = t.total_row && i == last;
        out.push_str(if total {
            "<tr class=\"total\">"
        } else {
            "<tr>"
        });
        for (cell, r) in row.iter().zip(&t.right) {
            // Dates never wrap.
            let is_date =
                cell.len() == 10 && cell.as_bytes()[4] == b'-' && cell.as_bytes()[7] == b'-';
            let class = if is_date { " class=\"d\"" } else { class(*r) };
            out.push_str(&format!("<td{class}>{}</td>", escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// The start of a page (report.html, the e-mail, the archive index): the head with its
/// Content-Security-Policy (images only from the page itself, or from the message's parts),
/// the style, and `<body><main>`; `title` is escaped here.
pub(crate) fn page_start(title: &str, images: Images) -> String {
    let img_src = match images {
        Images::DataUri => "data:",
        Images::ContentId => "cid:",
    };
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src {img_src}; style-src 'unsafe-inline'\">\n"));
    o.push_str(&format!(
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    ));
    o
}

/// The end of a page begun with [`page_start`].
pub(crate) const PAGE_END: &str = "</main>\n</body>\n</html>\n";

/// How a page carries its charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Images {
    /// Inside the page as `data:` URIs (report.html: one self-contained file).
    DataUri,
    /// As `cid:` references to inline attachments (e-mail: mail clients block `data:`
    /// images).
    ContentId,
}

/// A chart to attach inline under its content id.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineImage {
    /// Content id, without the angle brackets.
    pub cid: String,
    /// The image file's bytes.
    pub bytes: Vec<u8>,
    /// Its media type.
    pub mime: &'static str,
}

/// A laid-out page and the charts it references by content id (none for [`Images::DataUri`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The HTML.
    pub html: String,
    /// The inline attachments the HTML references.
    pub inline: Vec<InlineImage>,
}

/// The charts of one page: where they are and how the page carries them.
struct Figures<'a> {
    folder: &'a Path,
    images: Images,
    inline: Vec<InlineImage>,
}

impl Figures<'_> {
    /// A chart of the report folder as an image of the page.
    fn figure(&mut self, rel: &str, alt: &str) -> Result<String> {
        let path = self.folder.join(rel);
        let bytes = std::fs::read(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let mime = if rel.ends_with(".svg") {
            "image/svg+xml"
        } else {
            "image/png"
        };
        let src = match self.images {
            Images::DataUri => format!(
                "data:{mime};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ),
            Images::ContentId => {
                let cid = format!("chart{}@uptick", self.inline.len() + 1);
                self.inline.push(InlineImage {
                    cid: cid.clone(),
                    bytes,
                    mime,
                });
                format!("cid:{cid}")
            }
        };
        Ok(format!(
            "<figure><img src=\"{src}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n",
            escape(alt),
            escape(alt)
        ))
    }
}

fn paragraph(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

/// Lays out a report model as one self-contained HTML page (charts as `data:` URIs);
/// `folder` holds the charts the model names.
///
/// # Errors
/// A chart file the model names cannot be read.
pub fn render(m: &ReportModel, folder: &Path) -> Result<String> {
    Ok(render_page(m, folder, Images::DataUri)?.html)
}

/// Lays out a report model as one HTML page whose charts are carried as `images` says.
///
/// # Errors
/// A chart file the model names cannot be read.
pub fn render_page(m: &ReportModel, folder: &Path, images: Images) -> Result<Page> {
    use crate::format::format_stat;
    let mut figs = Figures {
        folder,
        images,
        inline: Vec::new(),
    };
    let mut o = page_start(&format!("{} — week of {}", m.title, m.week), images);
    o.push_str(&format!("<h1>{}</h1>\n", escape(&m.title)));
    o.push_str(&format!(
        "<p class=\"meta\"><strong>Week of {} ({})</strong> · as of {} · data: {} · unit: {} per week</p>\n",
        m.week,
        escape(&m.week_label),
        m.as_of,
        escape(&m.source),
        escape(&m.unit)
    ));

    o.push_str("<h2>Summary</h2>\n");
    o.push_str(&format!(
        "<p class=\"summary\">{}</p>\n",
        escape(&m.summary)
    ));
    if !m.highlights.is_empty() {
        o.push_str("<ul class=\"highlights\">\n");
        for h in &m.highlights {
            o.push_str(&format!("<li>{}</li>\n", escape(h)));
        }
        o.push_str("</ul>\n");
    }

    o.push_str("<h2>Alerts</h2>\n");
    if m.alerts.is_empty() {
        o.push_str(&paragraph(tables::NO_ALERTS));
    } else {
        o.push_str(&table(&tables::alerts(m)));
    }
    o.push_str(&paragraph(&match &m.previous_report {
        Some(prev) => format!(
            "Compared with the previous report ({prev}): alerts that ended: {}.",
            if m.ended.is_empty() {
                "none".to_string()
            } else {
                m.ended.join(", ")
            }
        ),
        None => "No previous report in this output folder: every alert is marked new.".into(),
    }));

    if let Some(c) = &m.clusters {
        o.push_str(&format!("<h2>{}</h2>\n", escape(tables::CLUSTERS_HEADING)));
        o.push_str(&paragraph(&c.summary));
        if c.sentences.is_empty() {
            o.push_str(&paragraph(tables::NO_UNUSUAL_CLUSTER));
        } else {
            o.push_str("<ol>\n");
            for (i, line) in c.sentences.iter().enumerate() {
                o.push_str(&format!("<li>{}", escape(line)));
                if let Some(events) = c.notable.get(i).filter(|e| !e.is_empty()) {
                    o.push_str(&table(&tables::notable_events(events)));
                }
                o.push_str("</li>\n");
            }
            o.push_str("</ol>\n");
        }
        if !c.table.rows.is_empty() {
            o.push_str(&table(&c.table));
        }
    }
    if let Some(p) = &m.map_chart {
        o.push_str("<h2>Where</h2>\n");
        o.push_str(&figs.figure(
            p,
            "Map of the events of the last four weeks, alerting regions marked",
        )?);
    }
    if !m.notable.is_empty() {
        o.push_str("<h2>Notable events</h2>\n");
        for sec in &m.notable {
            o.push_str(&format!(
                "<p><strong>{}</strong>.</p>\n",
                escape(&tables::notable_heading(sec))
            ));
            if !sec.events.is_empty() {
                o.push_str(&table(&tables::notable(sec)));
            }
        }
        if let Some(line) = tables::notable_missing(m) {
            o.push_str(&paragraph(&line));
        }
    }

    o.push_str("<h2>What drove the rises</h2>\n");
    for note in tables::drivers_notes(m) {
        o.push_str(&paragraph(note));
    }
    for (name, tabs) in tables::alert_breakdowns(m) {
        o.push_str(&format!("<h3>{}</h3>\n", escape(&name)));
        for t in &tabs {
            o.push_str(&table(t));
        }
    }

    o.push_str("<h2>Charts</h2>\n");
    if let Some(p) = &m.overview_chart {
        o.push_str(&figs.figure(p, "Overview: regions with alarms, then the most active")?);
    }
    if let Some(p) = &m.heatmap_chart {
        o.push_str(&figs.figure(p, "Heat map: observed against expected by region and week")?);
    }
    for a in &m.alerts {
        if let Some(p) = &a.chart {
            o.push_str(&figs.figure(p, &format!("Weekly {} in {}", m.unit, a.name))?);
        }
    }

    let c = &m.comparison;
    o.push_str(&format!(
        "<h2>Period comparison: {} against {}</h2>\n",
        c.period, c.against
    ));
    o.push_str(&paragraph(&tables::comparison_sentence(m)));
    let (ct, more) = tables::comparison(m);
    o.push_str(&table(&ct));
    if more > 0 {
        o.push_str(&paragraph(&tables::more_rows(more, "comparison.csv")));
    }
    o.push_str(&paragraph(&format!(
        "Test: {} ({}).",
        c.test_description, c.test
    )));
    if let Some(p) = &c.chart {
        o.push_str(&figs.figure(
            p,
            &format!(
                "Rate ratios with {}% confidence intervals",
                format_stat(Some(100.0 * c.ci_level))
            ),
        )?);
    }

    o.push_str("<h2>Data notes</h2>\n<ul class=\"notes\">\n");
    for f in &m.inputs {
        o.push_str(&format!(
            "<li>Input: {} (SHA-256 <code>{}</code>)</li>\n",
            escape(&f.name),
            escape(&f.sha256)
        ));
    }
    for (level, line) in tables::data_notes(m) {
        let class = if level > 0 { " class=\"sub\"" } else { "" };
        o.push_str(&format!("<li{class}>{}</li>\n", escape(&line)));
    }
    o.push_str("</ul>\n");

    o.push_str("<h2>Methods</h2>\n<ul class=\"notes\">\n");
    for (k, v) in &m.parameters {
        o.push_str(&format!("<li>{}: {}</li>\n", escape(k), escape(v)));
    }
    o.push_str(&format!(
        "<li>uptick version: {}</li>\n</ul>\n",
        escape(&m.version)
    ));
    o.push_str("<p>Reproduce this report with:</p>\n");
    o.push_str(&format!("<pre><code>{}</code></pre>\n", escape(&m.command)));
    o.push_str(
        "<footer>Made by uptick. Country borders: Natural Earth (public domain).</footer>\n",
    );
    o.push_str(PAGE_END);
    Ok(Page {
        html: o,
        inline: figs.inline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_quotes_and_controls() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\"\0\n"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;  "
        );
    }

    #[test]
    fn tables_escape_every_cell_and_mark_numbers_and_totals() {
        let t = DisplayTable {
            header: vec!["Region <b>".into(), "Count".into()],
            right: vec![false, true],
            rows: vec![
                vec!["<img src=x onerror=alert(1)>".into(), "3".into()],
                vec!["All regions".into(), "4".into()],
            ],
            total_row: true,
        };
        let h = table(&t);
        assert!(h.contains("<th>Region &lt;b&gt;</th><th class=\"num\">Count</th>"));
        assert!(h.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"));
        assert!(!h.contains("<img"));
        assert!(h.contains("<tr class=\"total\"><td>All regions</td>"));
    }
}
