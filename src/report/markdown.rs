//! The report as GitHub-flavoured markdown: findings first in plain words, then tables and
//! charts, data notes, and the methods needed to reproduce the run. Data (region names,
//! categories, notes) go through [`escape`].

use super::tables;
use crate::export::markdown::{display_table, escape};

/// Lays out a report model as GitHub-flavoured markdown: findings first in plain words, then
/// tables and charts, data notes, and the methods needed to reproduce the run.
pub fn render(m: &super::ReportModel) -> String {
    use crate::format::format_stat;
    let mut out = String::new();
    let push = |out: &mut String, s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    push(&mut out, &format!("# {}", escape(&m.title)));
    push(&mut out, "");
    push(
        &mut out,
        &format!(
            "**Week of {} ({})** · as of {} · data: {} · unit: {} per week",
            m.week,
            m.week_label,
            m.as_of,
            escape(&m.source),
            escape(&m.unit)
        ),
    );
    push(&mut out, "");
    push(&mut out, "## Summary");
    push(&mut out, "");
    push(&mut out, &escape_prose(&m.summary));
    push(&mut out, "");
    for h in &m.highlights {
        push(&mut out, &format!("- {}", escape_prose(h)));
    }
    if !m.highlights.is_empty() {
        push(&mut out, "");
    }

    push(&mut out, "## Alerts");
    push(&mut out, "");
    if m.alerts.is_empty() {
        push(&mut out, tables::NO_ALERTS);
    } else {
        out.push_str(&display_table(&tables::alerts(m)));
    }
    push(&mut out, "");
    match &m.previous_report {
        Some(prev) => {
            let ended = if m.ended.is_empty() {
                "none".to_string()
            } else {
                m.ended
                    .iter()
                    .map(|e| escape(e))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            push(
                &mut out,
                &format!("Compared with the previous report ({prev}): alerts that ended: {ended}."),
            );
        }
        None => push(
            &mut out,
            "No previous report in this output folder: every alert is marked new.",
        ),
    }
    push(&mut out, "");

    out.push_str(&clusters(m));
    out.push_str(&map_and_notable(m));
    out.push_str(&drivers(m));

    push(&mut out, "## Charts");
    push(&mut out, "");
    if let Some(p) = &m.overview_chart {
        push(
            &mut out,
            &format!("![Overview: regions with alarms, then the most active]({p})"),
        );
        push(&mut out, "");
    }
    if let Some(p) = &m.heatmap_chart {
        push(
            &mut out,
            &format!("![Heat map: observed against expected by region and week]({p})"),
        );
        push(&mut out, "");
    }
    for a in &m.alerts {
        if let Some(p) = &a.chart {
            push(&mut out, &format!("### {}", escape(&a.name)));
            push(&mut out, "");
            push(
                &mut out,
                &format!("![Weekly {} in {}]({p})", escape(&m.unit), escape(&a.name)),
            );
            push(&mut out, "");
        }
    }

    let c = &m.comparison;
    push(
        &mut out,
        &format!("## Period comparison: {} against {}", c.period, c.against),
    );
    push(&mut out, "");
    push(&mut out, &escape(&tables::comparison_sentence(m)));
    push(&mut out, "");
    let (t, more) = tables::comparison(m);
    out.push_str(&display_table(&t));
    push(&mut out, "");
    if more > 0 {
        push(
            &mut out,
            &tables::more_rows(more, "[comparison.csv](comparison.csv)"),
        );
        push(&mut out, "");
    }
    push(
        &mut out,
        &format!("Test: {} (`{}`).", c.test_description, c.test),
    );
    push(&mut out, "");
    if let Some(p) = &c.chart {
        push(
            &mut out,
            &format!(
                "![Rate ratios with {}% confidence intervals]({p})",
                format_stat(Some(100.0 * c.ci_level))
            ),
        );
        push(&mut out, "");
    }

    push(&mut out, "## Data notes");
    push(&mut out, "");
    for f in &m.inputs {
        push(
            &mut out,
            &format!("- Input: {} (SHA-256 `{}`)", escape(&f.name), f.sha256),
        );
    }
    for (level, line) in tables::data_notes(m) {
        push(
            &mut out,
            &format!("{}- {}", "  ".repeat(level), escape(&line)),
        );
    }
    push(&mut out, "");

    push(&mut out, "## Methods");
    push(&mut out, "");
    for (k, v) in &m.parameters {
        push(&mut out, &format!("- {k}: {v}"));
    }
    push(&mut out, &format!("- uptick version: {}", m.version));
    push(&mut out, "");
    push(&mut out, "Reproduce this report with:");
    push(&mut out, "");
    push(&mut out, "```sh");
    push(&mut out, &m.command.replace('`', "'"));
    push(&mut out, "```");
    out
}

/// The space-time clusters: the unusual ones in words, then every cluster in a table.
fn clusters(m: &super::ReportModel) -> String {
    let Some(c) = &m.clusters else {
        return String::new();
    };
    let mut out = format!("## {}\n\n", tables::CLUSTERS_HEADING);
    out.push_str(&format!("{}\n\n", escape(&c.summary)));
    if c.sentences.is_empty() {
        out.push_str(&format!("{}\n\n", tables::NO_UNUSUAL_CLUSTER));
    }
    for (i, line) in c.sentences.iter().enumerate() {
        out.push_str(&format!("{}. {}\n\n", i + 1, escape(line)));
        if let Some(events) = c.notable.get(i).filter(|e| !e.is_empty()) {
            out.push_str(&display_table(&tables::notable_events(events)));
            out.push('\n');
        }
    }
    if !c.table.rows.is_empty() {
        out.push_str(&display_table(&c.table));
        out.push('\n');
    }
    out
}

/// The map, then the notable events of each alert (or of the week).
fn map_and_notable(m: &super::ReportModel) -> String {
    let mut out = String::new();
    if let Some(p) = &m.map_chart {
        out.push_str(&format!(
            "## Where\n\n![Map of the events of the last four weeks, alerting regions marked]({p})\n\n"
        ));
    }
    if m.notable.is_empty() {
        return out;
    }
    out.push_str("## Notable events\n\n");
    for sec in &m.notable {
        out.push_str(&format!(
            "**{}**.\n\n",
            escape(&tables::notable_heading(sec))
        ));
        if !sec.events.is_empty() {
            out.push_str(&display_table(&tables::notable(sec)));
            out.push('\n');
        }
    }
    if let Some(line) = tables::notable_missing(m) {
        out.push_str(&format!("{line}\n\n"));
    }
    out
}

/// What drove the rises: by sub-region, by event type, by actor.
fn drivers(m: &super::ReportModel) -> String {
    let mut out = String::from("## What drove the rises\n\n");
    for note in tables::drivers_notes(m) {
        out.push_str(&format!("{note}\n\n"));
    }
    for (name, tabs) in tables::alert_breakdowns(m) {
        out.push_str(&format!("### {}\n\n", escape(&name)));
        for t in tabs {
            out.push_str(&display_table(&t));
            out.push('\n');
        }
    }
    out
}

/// Escapes a sentence (which contains region names, i.e. data).
fn escape_prose(s: &str) -> String {
    escape(s)
}
