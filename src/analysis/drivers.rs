//! What drove each alarming region's rise: its count this week per category against the
//! region's expected count apportioned by each category's share of the previous 26 weeks
//! ([`super::breakdown`]): by event type (the finest type column the input has, from the
//! cells), by actor and by sub-region (from the recent events' details).

use chrono::NaiveDate;

use super::breakdown::Tally;
use super::AlertRegion;
use crate::ingest::{Detail, Incidents, Preset};
use crate::model::Measure;
use crate::report::Drivers;

/// The display name of an event type (UCDP's type codes in words; empty as "(none)").
pub fn category_name(preset: Preset, column: &str, value: &str) -> String {
    if preset == Preset::UcdpGed && column == "type_of_violence" {
        match value {
            "1" => return "state-based conflict".into(),
            "2" => return "non-state conflict".into(),
            "3" => return "one-sided violence".into(),
            _ => {}
        }
    }
    if value.is_empty() {
        "(none)".into()
    } else {
        value.to_string()
    }
}

/// The column drivers break alerts down by: the finest event-type column, when the input has
/// one.
pub fn column(incidents: &Incidents) -> Option<String> {
    incidents
        .event_types
        .as_ref()
        .and(incidents.columns.event_types.last())
        .cloned()
}

/// For each alarming region: observed per event type this week against the region's
/// expected value split by each type's share of the previous 26 weeks.
pub fn drivers(
    incidents: &Incidents,
    measure: Measure,
    alerts: &[AlertRegion],
    week: NaiveDate,
) -> Vec<Drivers> {
    let (Some(types), Some(column)) =
        (&incidents.event_types, incidents.columns.event_types.last())
    else {
        return Vec::new();
    };
    let values = incidents.values(measure);
    let ws = incidents.week_start;
    alerts
        .iter()
        .map(|a| {
            let mut tally = Tally::default();
            for i in 0..incidents.date.len() {
                if incidents.region[i] != a.id {
                    continue;
                }
                let w = ws.week_of(incidents.date[i]);
                let cat = category_name(
                    incidents.columns.preset,
                    column,
                    &types[incidents.kind[i] as usize],
                );
                tally.add(week, w, &cat, values[i]);
                tally.add_total(week, w, values[i]);
            }
            Drivers {
                name: a.name.clone(),
                column: column.clone(),
                items: tally.items(a.expected),
            }
        })
        .collect()
}

/// A detail's value in the measure of the series.
fn measured(d: &Detail, measure: Measure) -> f64 {
    match measure {
        Measure::Events => d.events,
        Measure::Fatalities => d.fatalities.unwrap_or(0.0),
        Measure::Weight => d.weight,
    }
}

/// Breaks each alert down by the categories `of` gives each recent event (from the events'
/// details); `None` when the input lacks what `of` needs.
fn from_details(
    incidents: &Incidents,
    measure: Measure,
    alerts: &[AlertRegion],
    week: NaiveDate,
    column: &str,
    of: impl Fn(&Detail) -> Vec<String>,
) -> Vec<Drivers> {
    let ws = incidents.week_start;
    alerts
        .iter()
        .filter_map(|a| {
            let mut tally = Tally::default();
            for d in incidents.details.iter().filter(|d| d.region == a.id) {
                let w = ws.week_of(d.date);
                let v = measured(d, measure);
                for cat in of(d) {
                    tally.add(week, w, &cat, v);
                }
                tally.add_total(week, w, v);
            }
            tally.any_now().then(|| Drivers {
                name: a.name.clone(),
                column: column.to_string(),
                items: tally.items(a.expected),
            })
        })
        .collect()
}

/// Which actors' events rose: each event counts for every actor it names (an event with two
/// sides counts for both), against the actor's share of the region's baseline events. Empty
/// when the input has no actor columns.
pub fn by_actor(
    incidents: &Incidents,
    measure: Measure,
    alerts: &[AlertRegion],
    week: NaiveDate,
) -> Vec<Drivers> {
    if incidents.columns.actors.is_empty() {
        return Vec::new();
    }
    from_details(incidents, measure, alerts, week, "actor", |d| {
        d.actors.clone()
    })
}

/// The sub-regions (one level finer than the regions judged) that made each alert's excess,
/// so a report can say "Al Hasakah, mostly Ras al Ain". Empty when there is no finer level.
pub fn drilldown(
    incidents: &Incidents,
    measure: Measure,
    alerts: &[AlertRegion],
    week: NaiveDate,
) -> Vec<Drivers> {
    let Some((column, _)) = &incidents.columns.finer else {
        return Vec::new();
    };
    let strip = incidents.columns.preset == Preset::UcdpGed;
    from_details(incidents, measure, alerts, week, column, |d| {
        vec![match &d.finer {
            Some(f) if strip => crate::ingest::schema::strip_unit_suffix(f).to_string(),
            Some(f) => f.clone(),
            None => format!("({column} not given)"),
        }]
    })
}
