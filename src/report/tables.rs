//! The report's tables for people, decided once for every layout (markdown and HTML): the
//! alerts, the notable events of each alert, each breakdown of what drove a rise, and the
//! capped period comparison. Cells are raw text; layouts escape them.

use super::{Drivers, NotableEvent, NotableSection, RegionCounts, ReportModel};
use crate::export::{comparison_display, DisplayTable};
use crate::format::{format_number, format_stat};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

/// Said instead of the alerts table when nothing alarmed.
pub const NO_ALERTS: &str = "No region is significantly above its expected range this week.";

/// The paragraphs that open "What drove the rises" (our own text, no data): why there is
/// nothing to break down, or how the breakdowns read and which the input cannot give.
pub fn drivers_notes(m: &ReportModel) -> Vec<&'static str> {
    if m.alerts.is_empty() {
        return vec!["No alerts this week, so no rise to break down."];
    }
    let mut notes = vec!["Each part's expected count is its share of the region's last 26 weeks applied to this week's expected count; the excess is observed minus expected."];
    if m.drivers.is_empty() && m.drivers_column.is_none() {
        notes.push(
            "The input has no event-type column, so the alerts cannot be broken down by type.",
        );
    }
    if m.actor_drivers.is_empty() {
        notes.push("The input has no actor columns, so the alerts cannot be broken down by actor.");
    }
    notes
}

/// The sentence under the notable events naming what the data lack (the column names are
/// ours, in backticks), if anything.
pub fn notable_missing(m: &ReportModel) -> Option<String> {
    (!m.notable_missing.is_empty()).then(|| {
        format!(
            "The data have {}, so those details are missing above.",
            m.notable_missing.join(", ")
        )
    })
}

/// The alerts of the week.
pub fn alerts(m: &ReportModel) -> DisplayTable {
    DisplayTable {
        header: strings(&[
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
        ]),
        right: vec![
            false, true, true, true, true, true, true, true, false, false,
        ],
        rows: m
            .alerts
            .iter()
            .map(|a| {
                vec![
                    a.name.clone(),
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
            .collect(),
        total_row: false,
    }
}

/// One section's notable events; the place names the region too when the section covers
/// every region.
pub fn notable(sec: &NotableSection) -> DisplayTable {
    events_table(&sec.events, sec.name.is_none())
}

/// A cluster's notable events (places named with their region: a cluster crosses borders).
pub fn notable_events(events: &[NotableEvent]) -> DisplayTable {
    events_table(events, true)
}

/// Notable events as a table; `with_region` names each place's region.
fn events_table(events: &[NotableEvent], with_region: bool) -> DisplayTable {
    DisplayTable {
        header: strings(&["Date", "Place", "Type", "Actors", "Killed", "What happened"]),
        right: vec![false, false, false, false, true, false],
        rows: events
            .iter()
            .map(|e| {
                let place = match (&e.place, with_region) {
                    (Some(p), true) => format!("{p}, {}", e.region),
                    (Some(p), false) => p.clone(),
                    (None, _) => e.region.clone(),
                };
                vec![
                    e.date.to_string(),
                    place,
                    e.event_type.clone().unwrap_or_default(),
                    e.actors.join("; "),
                    super::fatalities_cell(e.fatalities),
                    e.description.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        total_row: false,
    }
}

/// The heading of a notable-events section: "Al Hasakah: 24 events in the week of
/// 2019-10-07, 5 shown (deadliest first)".
pub fn notable_heading(sec: &NotableSection) -> String {
    format!(
        "{}: {} events in the week of {}{}",
        sec.name.as_deref().unwrap_or("All regions"),
        format_number(sec.total as f64),
        sec.week,
        if sec.total > sec.events.len() {
            format!(", {} shown (deadliest first)", sec.events.len())
        } else {
            String::new()
        }
    )
}

/// One breakdown of an alert (by sub-region, type or actor).
pub fn drivers(d: &Drivers) -> DisplayTable {
    DisplayTable {
        header: vec![
            format!("By {}", d.column.replace('_', " ")),
            "Observed".into(),
            "Expected".into(),
            "Excess".into(),
        ],
        right: vec![false, true, true, true],
        rows: d
            .items
            .iter()
            .map(|i| {
                vec![
                    i.category.clone(),
                    format_number(i.observed),
                    format_stat(Some(i.expected)),
                    format!("{:+.1}", i.excess),
                ]
            })
            .collect(),
        total_row: false,
    }
}

/// The breakdowns of each alert, in the order a reader asks: where, what type, who.
pub fn alert_breakdowns(m: &ReportModel) -> Vec<(String, Vec<DisplayTable>)> {
    m.alerts
        .iter()
        .map(|a| {
            let tables = [&m.drilldown, &m.drivers, &m.actor_drivers]
                .into_iter()
                .filter_map(|list| list.iter().find(|d| d.name == a.name))
                .map(drivers)
                .collect();
            (a.name.clone(), tables)
        })
        .filter(|(_, t): &(String, Vec<DisplayTable>)| !t.is_empty())
        .collect()
}

/// The period comparison as shown: at most `max_rows` regions (significant first, then the
/// largest), then the totals; and how many regions are left out.
pub fn comparison(m: &ReportModel) -> (DisplayTable, usize) {
    let c = &m.comparison;
    let (shown, more) = super::shown_comparisons(&c.regions, m.max_rows);
    let shown: Vec<_> = shown
        .into_iter()
        .map(|k| crate::compare::Comparison {
            region: vec![c.names.get(k).cloned().unwrap_or_default()],
            ..c.regions[k].clone()
        })
        .collect();
    (comparison_display(&shown, &c.total, c.ci_level), more)
}

/// The sentence under a capped table.
pub fn more_rows(more: usize, file: &str) -> String {
    format!("Shown: the regions that changed significantly, then the largest by count. {more} more regions in {file}.")
}

/// The data notes after the inputs, as (indent level, raw text): the ledger, the reader's
/// and the run's notes, what became of every region, revisions since the previous report.
pub fn data_notes(m: &ReportModel) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let q = &m.quality;
    out.push((
        0,
        format!(
            "Rows: {} read, {} kept, {} rejected, {} excluded ({}).",
            q.rows_read,
            q.kept,
            q.rejected_total(),
            q.excluded_total(),
            q.layout
        ),
    ));
    for (kind, map) in [("rejected", &q.rejected), ("excluded", &q.excluded)] {
        for (reason, r) in map {
            let lines: Vec<String> = r.lines.iter().map(u64::to_string).collect();
            let at = if lines.is_empty() {
                String::new()
            } else {
                format!(" (first at line {})", lines.join(", "))
            };
            out.push((1, format!("{kind}: {reason}: {}{at}", r.count)));
        }
    }
    for n in q.notes.iter().chain(&m.notes) {
        out.push((0, n.clone()));
    }
    out.push((0, region_accounting(m)));
    if !m.short_history.is_empty() {
        out.push((
            0,
            format!(
                "Too little history to judge this week: {}.",
                m.short_history.join(", ")
            ),
        ));
    }
    if m.previous_report.is_some() {
        if m.revisions.is_empty() {
            out.push((0, "No data revisions since the previous report.".into()));
        } else {
            out.push((
                0,
                format!(
                    "Data revisions since the previous report ({} weeks changed):",
                    m.revisions.len()
                ),
            ));
            for r in m.revisions.iter().take(20) {
                out.push((
                    1,
                    format!(
                        "{}, week of {}: {} → {}",
                        r.name,
                        r.week,
                        format_number(r.before),
                        format_number(r.now)
                    ),
                ));
            }
        }
    }
    out
}

/// What became of every region this week, with counts: "14 regions: 14 judged (6 of them
/// with fewer than 5 events in the last 4 weeks, too few to alert), 0 with too short a
/// history, 0 not judged for other reasons."
pub fn region_accounting(m: &ReportModel) -> String {
    let RegionCounts {
        total,
        judged,
        short,
        other,
        few,
    } = RegionCounts::of(&m.findings, m.min_count);
    format!(
        "Regions: {total} in the data; {judged} judged ({few} of them with fewer than {} {} in the last 4 weeks, too few to raise an alert); {short} with too short a history for the method; {other} not judged for other reasons.",
        format_number(m.min_count),
        m.unit,
    )
}

/// The clusters section's heading.
pub const CLUSTERS_HEADING: &str = "Clusters: where events rose together, whatever the borders";

/// Said when no cluster has p ≤ 0.05.
pub const NO_UNUSUAL_CLUSTER: &str =
    "No space-time cluster is unusual this week (none with p ≤ 0.05); the most likely ones are listed.";

/// The comparison's opening sentence: all regions together, with the rate ratio, interval and
/// verdict.
pub fn comparison_sentence(m: &ReportModel) -> String {
    let c = &m.comparison;
    let t = &c.total;
    format!(
        "All regions together: {} {} in {:.1} weeks against {} in {:.1} weeks, a rate ratio of {} ({}% CI {}–{}, p = {}): {}.",
        format_number(t.count),
        m.unit,
        t.weeks,
        format_number(t.count_against),
        t.weeks_against,
        t.test.rate_ratio.map_or("n/a".into(), |r| format_stat(Some(r)).replace("inf", "∞")),
        format_stat(Some(100.0 * c.ci_level)),
        format_stat(Some(t.test.ci_low)),
        format_stat(Some(t.test.ci_high)).replace("inf", "∞"),
        format_stat(Some(t.test.p_two_sided)),
        t.verdict.words()
    )
}
