//! What drove each alarming region's rise: its count this week per category (the finest
//! event-type column the input has) against the region's expected count apportioned by each
//! category's share of the previous 26 weeks. observed − expected is the category's excess.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::ingest::{Incidents, Preset};
use crate::model::{Measure, RegionKey};
use crate::report::{DriverItem, Drivers};

/// Baseline weeks used to apportion the expected count among categories (drivers).
pub const DRIVER_BASELINE_WEEKS: i64 = 26;

fn category_label(preset: Preset, column: &str, value: &str) -> String {
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

/// For each alarming region: observed per category this week against the region's expected
/// value split by each category's share of the previous 26 weeks.
pub fn drivers(
    incidents: &Incidents,
    measure: Measure,
    alerts: &[(RegionKey, String, f64)],
    week: NaiveDate,
) -> Vec<Drivers> {
    let (Some(types), Some(column)) =
        (&incidents.event_types, incidents.columns.event_types.last())
    else {
        return Vec::new();
    };
    let values: &[f64] = match measure {
        Measure::Events => &incidents.events,
        Measure::Fatalities => incidents.fatalities.as_deref().unwrap_or(&incidents.events),
        Measure::Weight => incidents.weight.as_deref().unwrap_or(&incidents.events),
    };
    let ws = incidents.week_start;
    let base_from = week - chrono::Duration::days(7 * DRIVER_BASELINE_WEEKS);
    alerts
        .iter()
        .filter_map(|(region, name, expected)| {
            let id = incidents.regions.iter().position(|r| r == region)? as u32;
            let mut now: BTreeMap<String, f64> = BTreeMap::new();
            let mut base: BTreeMap<String, f64> = BTreeMap::new();
            for i in 0..incidents.date.len() {
                if incidents.region[i] != id {
                    continue;
                }
                let w = ws.week_of(incidents.date[i]);
                let cat = category_label(
                    incidents.columns.preset,
                    column,
                    &types[incidents.kind[i] as usize],
                );
                if w == week {
                    *now.entry(cat).or_default() += values[i];
                } else if w >= base_from && w < week {
                    *base.entry(cat).or_default() += values[i];
                }
            }
            let base_total: f64 = base.values().sum();
            let cats: std::collections::BTreeSet<String> =
                now.keys().chain(base.keys()).cloned().collect();
            let mut items: Vec<DriverItem> = cats
                .into_iter()
                .map(|cat| {
                    let share = if base_total > 0.0 {
                        base.get(&cat).copied().unwrap_or(0.0) / base_total
                    } else {
                        0.0
                    };
                    let observed = now.get(&cat).copied().unwrap_or(0.0);
                    let exp = expected * share;
                    DriverItem {
                        category: cat,
                        observed,
                        expected: exp,
                        excess: observed - exp,
                    }
                })
                .collect();
            items.sort_by(|a, b| {
                b.excess
                    .total_cmp(&a.excess)
                    .then(a.category.cmp(&b.category))
            });
            items.truncate(6);
            Some(Drivers {
                name: name.clone(),
                column: column.clone(),
                items,
            })
        })
        .collect()
}
