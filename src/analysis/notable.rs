//! The notable events behind an alert: the alert week's events of the region, most deadly
//! first (unknown tolls last), then by date and file order, with the place, type, actors,
//! fatalities and the source's own one-line description, shortened on a word boundary.
//! Text stays raw here; the markdown and HTML layouts escape it.

use chrono::NaiveDate;

use super::AlertRegion;
use crate::ingest::{Detail, Incidents, Preset};
use crate::report::{NotableEvent, NotableSection};

/// Descriptions are shortened to about this many characters.
pub const DESCRIPTION_CHARS: usize = 200;

/// Actors listed per event.
const MAX_ACTORS: usize = 3;

/// `text` cut to at most `max` characters, at a word boundary where one is near, with "…".
pub fn shorten(text: &str, max: usize) -> String {
    // Sources join several headlines with a bare ';' (UCDP): give it a space.
    let clean: String = crate::format::without_controls(text)
        .replace(';', "; ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if clean.chars().count() <= max {
        return clean;
    }
    let cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    let at = match cut.rfind(' ') {
        Some(i) if i >= cut.len() * 2 / 3 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", at.trim_end_matches([' ', ',', ';', ':', '.']))
}

fn event(incidents: &Incidents, d: &Detail, region: &str) -> NotableEvent {
    let event_type = incidents
        .event_types
        .as_ref()
        .and_then(|t| t.get(d.kind as usize))
        .map(|t| {
            super::drivers::category_name(
                incidents.columns.preset,
                incidents
                    .columns
                    .event_types
                    .last()
                    .map_or("", |s| s.as_str()),
                t,
            )
        });
    let mut actors: Vec<String> = d.actors.iter().take(MAX_ACTORS).cloned().collect();
    if d.actors.len() > MAX_ACTORS {
        actors.push(format!("{} more", d.actors.len() - MAX_ACTORS));
    }
    NotableEvent {
        date: d.date,
        region: region.to_string(),
        place: d.place.as_deref().map(|p| shorten(p, 80)),
        event_type,
        actors,
        fatalities: d.fatalities,
        description: d
            .description
            .as_deref()
            .map(|t| shorten(t, DESCRIPTION_CHARS)),
    }
}

/// The `n` notable events of the weeks starting `from` to `week` among the events `pick`
/// selects, named with `name_of` (the region's display name).
fn rank<'a>(
    incidents: &'a Incidents,
    (from, week): (NaiveDate, NaiveDate),
    n: usize,
    pick: impl Fn(&Detail) -> bool,
    name_of: impl Fn(u32) -> &'a str,
) -> (Vec<NotableEvent>, usize) {
    let ws = incidents.week_start;
    let mut chosen: Vec<&Detail> = incidents
        .details
        .iter()
        .filter(|d| (from..=week).contains(&ws.week_of(d.date)) && pick(d))
        .collect();
    let total = chosen.len();
    chosen.sort_by(|a, b| {
        b.fatalities
            .unwrap_or(-1.0)
            .total_cmp(&a.fatalities.unwrap_or(-1.0))
            .then(a.date.cmp(&b.date))
            .then(a.record.cmp(&b.record))
    });
    let events = chosen
        .into_iter()
        .take(n)
        .map(|d| event(incidents, d, name_of(d.region)))
        .collect();
    (events, total)
}

/// Notable events: one section per alerting region, or, when nothing alarmed, one section
/// over every region. `names` gives each region index's display name.
pub fn notable(
    incidents: &Incidents,
    week: NaiveDate,
    n: usize,
    alerts: &[AlertRegion],
    names: &[String],
) -> Vec<NotableSection> {
    if n == 0 {
        return Vec::new();
    }
    let name_of = |r: u32| names.get(r as usize).map_or("", |s| s.as_str());
    if alerts.is_empty() {
        let (events, total) = rank(incidents, (week, week), n, |_| true, name_of);
        return vec![NotableSection {
            name: None,
            week,
            total,
            events,
        }];
    }
    alerts
        .iter()
        .map(|a| {
            let (events, total) = rank(incidents, (week, week), n, |d| d.region == a.id, name_of);
            NotableSection {
                name: Some(a.name.clone()),
                week,
                total,
                events,
            }
        })
        .collect()
}

/// The `n` notable events of a space-time cluster: its events (at its locations, in its
/// weeks), deadliest first; `names` gives each region index's display name.
pub fn cluster_notable(
    incidents: &Incidents,
    cluster: &crate::clusters::DescribedCluster,
    n: usize,
    names: &[String],
) -> (Vec<NotableEvent>, usize) {
    let name_of = |r: u32| names.get(r as usize).map_or("", |s| s.as_str());
    let inside = |d: &Detail| {
        d.coordinates
            .is_some_and(|(lat, lon)| cluster.holds(lat, lon))
    };
    let ws = incidents.week_start;
    let weeks = (ws.week_of(cluster.from), ws.week_of(cluster.to));
    rank(incidents, weeks, n, inside, name_of)
}

/// What the input lacks for the notable events (said once in the report), e.g. "the data have
/// no description column".
pub fn missing(incidents: &Incidents) -> Vec<String> {
    let c = &incidents.columns;
    let mut lack = Vec::new();
    if c.description.is_none() {
        lack.push(match c.preset {
            Preset::Acled => "no `notes` column",
            Preset::UcdpGed => "no `source_headline` column",
            Preset::Gtd => "no `summary` column",
            Preset::Generic | Preset::Counts => "no description column",
        });
    }
    if c.places.is_empty() {
        lack.push("no place-name column");
    }
    if c.actors.is_empty() {
        lack.push("no actor columns");
    }
    if c.fatalities.is_none() {
        lack.push("no fatality column");
    }
    lack.into_iter().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_cuts_on_words_and_removes_controls() {
        assert_eq!(shorten("a  b\nc", 10), "a b c");
        let s = shorten("Turkish forces shelled the town of Ras al-Ain again", 30);
        assert!(s.chars().count() <= 30, "{s}");
        assert_eq!(s, "Turkish forces shelled the…");
        let long = "x".repeat(300);
        assert_eq!(shorten(&long, 50).chars().count(), 50);
        assert_eq!(shorten("a\0b", 10), "a b");
        assert_eq!(shorten("one;two; three", 40), "one; two; three");
    }
}
