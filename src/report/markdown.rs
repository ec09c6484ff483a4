//! The report as GitHub-flavoured markdown: findings first in plain words, then tables and
//! charts, data notes, and the methods needed to reproduce the run. Data (region names,
//! categories, notes) go through [`escape`].

use crate::export::markdown::{escape, table, Align};

/// Lays out a report model as GitHub-flavoured markdown: findings first in plain words, then
/// tables and charts, data notes, and the methods needed to reproduce the run.
pub fn render(m: &super::ReportModel) -> String {
    use crate::format::{format_number, format_stat};
    use Align::{Left, Right};
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
        push(
            &mut out,
            "No region is significantly above its expected range this week.",
        );
    } else {
        let rows: Vec<Vec<String>> = m
            .alerts
            .iter()
            .map(|a| {
                vec![
                    escape(&a.name),
                    format_number(a.observed),
                    format_stat(a.expected),
                    format_stat(a.upperbound),
                    format_stat(a.ratio).replace("inf", "∞"),
                    format_stat(a.pvalue),
                    format_stat(a.qvalue),
                    a.weeks_in_row.to_string(),
                    a.method.clone(),
                    a.status.clone(),
                ]
            })
            .collect();
        let header = [
            "Region",
            "Observed",
            "Expected",
            "Threshold",
            "Ratio",
            "p",
            "q",
            "Weeks in a row",
            "Method",
            "Status",
        ];
        let align = [
            Left, Right, Right, Right, Right, Right, Right, Right, Left, Left,
        ];
        out.push_str(&table(&header, &align, &rows));
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
    let t = &c.total;
    push(
        &mut out,
        &format!(
            "All regions together: {} {} in {:.1} weeks against {} in {:.1} weeks, a rate ratio of {} ({}% CI {}–{}, p = {}): {}.",
            format_number(t.count),
            escape(&m.unit),
            t.weeks,
            format_number(t.count_against),
            t.weeks_against,
            t.test.rate_ratio.map_or("n/a".into(), |r| format_stat(Some(r)).replace("inf", "∞")),
            format_stat(Some(100.0 * c.ci_level)),
            format_stat(Some(t.test.ci_low)),
            format_stat(Some(t.test.ci_high)).replace("inf", "∞"),
            format_stat(Some(t.test.p_two_sided)),
            t.verdict.words()
        ),
    );
    push(&mut out, "");
    out.push_str(&crate::export::markdown::comparison_markdown_table(
        &c.regions, &c.total, c.ci_level,
    ));
    push(&mut out, "");
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

    push(&mut out, "## What drove the rises");
    push(&mut out, "");
    if m.drivers.is_empty() {
        let why = match (&m.drivers_column, m.alerts.is_empty()) {
            (_, true) => "No alerts this week, so no rise to break down.",
            (None, false) => {
                "The input has no event-type column, so the alerts cannot be broken down by type."
            }
            (Some(_), false) => "The alerting regions had no events of any type this week.",
        };
        push(&mut out, why);
        push(&mut out, "");
    }
    for d in &m.drivers {
        push(
            &mut out,
            &format!("**{}** (by {}):", escape(&d.name), escape(&d.column)),
        );
        push(&mut out, "");
        let rows: Vec<Vec<String>> = d
            .items
            .iter()
            .map(|i| {
                vec![
                    escape(&i.category),
                    format_number(i.observed),
                    format_stat(Some(i.expected)),
                    format!("{:+.1}", i.excess),
                ]
            })
            .collect();
        out.push_str(&table(
            &["Category", "Observed", "Expected", "Excess"],
            &[Left, Right, Right, Right],
            &rows,
        ));
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
    let q = &m.quality;
    push(
        &mut out,
        &format!(
            "- Rows: {} read, {} kept, {} rejected, {} excluded ({}).",
            q.rows_read,
            q.kept,
            q.rejected_total(),
            q.excluded_total(),
            escape(&q.layout)
        ),
    );
    for (kind, map) in [("rejected", &q.rejected), ("excluded", &q.excluded)] {
        for (reason, r) in map {
            let lines: Vec<String> = r.lines.iter().map(u64::to_string).collect();
            let at = if lines.is_empty() {
                String::new()
            } else {
                format!(" (first at line {})", lines.join(", "))
            };
            push(
                &mut out,
                &format!("  - {kind}: {}: {}{at}", escape(reason), r.count),
            );
        }
    }
    for n in q.notes.iter().chain(&m.notes) {
        push(&mut out, &format!("- {}", escape(n)));
    }
    if m.short_history.is_empty() {
        push(
            &mut out,
            "- Every region had enough history for its method.",
        );
    } else {
        push(
            &mut out,
            &format!(
                "- Too little history to judge this week: {}.",
                m.short_history
                    .iter()
                    .map(|s| escape(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if m.previous_report.is_some() {
        if m.revisions.is_empty() {
            push(&mut out, "- No data revisions since the previous report.");
        } else {
            push(
                &mut out,
                &format!(
                    "- Data revisions since the previous report ({} weeks changed):",
                    m.revisions.len()
                ),
            );
            for r in m.revisions.iter().take(20) {
                push(
                    &mut out,
                    &format!(
                        "  - {}, week of {}: {} → {}",
                        escape(&r.name),
                        r.week,
                        format_number(r.before),
                        format_number(r.now)
                    ),
                );
            }
        }
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

/// Escapes a sentence (which contains region names, i.e. data).
fn escape_prose(s: &str) -> String {
    escape(s)
}
