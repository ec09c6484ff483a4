//! Per-event details for the report's recent weeks: place, actors, the finer region, the
//! source's description and coordinates of each kept row, read only when the spec asks
//! ([`super::InputSpec::details`]) and only for rows in the last [`DETAIL_WEEKS`] weeks, so
//! memory follows those weeks, not the file. Long text is cut at [`MAX_TEXT_CHARS`].

use chrono::NaiveDate;
use serde::Serialize;

use super::schema::ColumnMap;
use super::validate::{is_missing, Cols};

/// Weeks before the last week whose rows keep their details (the drivers' 26-week baseline,
/// the report week, and one spare for an incomplete last week cut after reading).
pub const DETAIL_WEEKS: u64 = 28;

/// Of those, the most recent weeks whose rows also keep their text (place, description):
/// the report week and the three before it, which the map and notable events show.
pub const TEXT_WEEKS: u64 = 5;

/// Text values are cut to this many characters when read (the report shortens further).
pub const MAX_TEXT_CHARS: usize = 400;

/// One kept event's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    /// Its region (index into [`super::Incidents::regions`]).
    pub region: u32,
    /// Its day.
    pub date: NaiveDate,
    /// Its record number in the file (0-based), to order ties and find it again.
    pub record: u64,
    /// Its event type (index into [`super::Incidents::event_types`]).
    pub kind: u32,
    /// Events it stands for (1, or the events column of aggregated input).
    pub events: f64,
    /// Its weight column's value (0 without `--weight-col`).
    pub weight: f64,
    /// Fatalities as the source gives them (`None`: unknown or no such column).
    pub fatalities: Option<f64>,
    /// Actors named, in column order, without repeats (lists split on `;`).
    pub actors: Vec<String>,
    /// The region one level finer, when the input has one.
    pub finer: Option<String>,
    /// The finest place name (recent weeks only).
    pub place: Option<String>,
    /// The source's description (recent weeks only).
    pub description: Option<String>,
    /// Latitude and longitude in degrees, when valid.
    pub coordinates: Option<(f64, f64)>,
    /// Why `coordinates` is `None` when the row had values (not in outputs).
    #[serde(skip)]
    pub coordinate_issue: Option<CoordinateIssue>,
}

/// Why a row's coordinates are not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordinateIssue {
    /// Both are 0, which exports use for "unknown".
    Zero,
    /// A latitude beyond ±90° or a longitude beyond ±180° (or not finite).
    OutOfRange,
}

/// What a detail capture needs besides the row.
pub(super) struct DetailRules<'m> {
    pub(super) map: &'m ColumnMap,
    pub(super) na: &'m [String],
    /// First day whose rows keep their text too.
    pub(super) text_from: NaiveDate,
}

fn text(value: Option<&str>, na: &[String]) -> Option<String> {
    if is_missing(value, na) {
        return None;
    }
    let v = value?.trim();
    let cut: String = v.chars().take(MAX_TEXT_CHARS).collect();
    Some(if cut.len() < v.len() {
        format!("{}…", cut.trim_end())
    } else {
        cut
    })
}

/// A coordinate pair, when both parse and lie on the globe; (0, 0), a common "unknown", and
/// values off the globe are issues; values that are missing or do not parse are neither.
fn coordinates(
    lat: Option<&str>,
    lon: Option<&str>,
) -> Result<(f64, f64), Option<CoordinateIssue>> {
    let read = |v: Option<&str>| v.and_then(|v| v.trim().parse::<f64>().ok());
    let (Some(lat), Some(lon)) = (read(lat), read(lon)) else {
        return Err(None);
    };
    if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
        return Err(Some(CoordinateIssue::OutOfRange));
    }
    if lat == 0.0 && lon == 0.0 {
        return Err(Some(CoordinateIssue::Zero));
    }
    Ok((lat, lon))
}

impl DetailRules<'_> {
    /// The details of a kept row of the detail window (the caller checks its day): `base`
    /// carries the region, day, record, type and weights already validated; the row's text
    /// columns add the rest.
    pub(super) fn capture(&self, cols: &Cols<'_>, row: usize, base: Detail) -> Detail {
        let map = self.map;
        let mut actors: Vec<String> = Vec::new();
        for c in &map.actors {
            let Some(v) = cols.get(c, row) else { continue };
            for a in v.split(';').map(str::trim) {
                if !a.is_empty()
                    && !self.na.iter().any(|n| n == a)
                    && !actors.iter().any(|x| x == a)
                {
                    actors.push(text(Some(a), self.na).unwrap_or_default());
                }
            }
        }
        let recent = base.date >= self.text_from;
        let read = match &map.coordinates {
            Some((lat, lon)) => coordinates(cols.get(lat, row), cols.get(lon, row)),
            None => Err(None),
        };
        Detail {
            actors,
            fatalities: map
                .fatalities
                .as_ref()
                .and_then(|c| text(cols.get(c, row), self.na))
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|f| f.is_finite() && *f >= 0.0),
            finer: map
                .finer
                .as_ref()
                .and_then(|(_, c)| text(cols.get(c, row), self.na)),
            place: if recent {
                map.places
                    .iter()
                    .find_map(|c| text(cols.get(c, row), self.na))
            } else {
                None
            },
            description: if recent {
                map.description
                    .as_ref()
                    .and_then(|c| text(cols.get(c, row), self.na))
            } else {
                None
            },
            coordinates: read.ok(),
            coordinate_issue: read.err().flatten(),
            ..base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_cut_and_missing_values_are_none() {
        let na = vec!["NA".to_string()];
        assert_eq!(text(Some("  a  "), &na).as_deref(), Some("a"));
        assert_eq!(text(Some("NA"), &na), None);
        assert_eq!(text(Some(""), &na), None);
        assert_eq!(text(None, &na), None);
        let long = "é".repeat(1000);
        let cut = text(Some(&long), &na).unwrap();
        assert_eq!(cut.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn coordinates_must_be_on_the_globe() {
        use CoordinateIssue::*;
        assert_eq!(coordinates(Some("36.5"), Some("40.7")), Ok((36.5, 40.7)));
        assert_eq!(coordinates(Some("0"), Some("0")), Err(Some(Zero)));
        assert_eq!(coordinates(Some("91"), Some("0")), Err(Some(OutOfRange)));
        assert_eq!(coordinates(Some("10"), Some("-181")), Err(Some(OutOfRange)));
        assert_eq!(coordinates(Some("x"), Some("1")), Err(None));
        assert_eq!(coordinates(Some("NaN"), Some("1")), Err(Some(OutOfRange)));
        assert_eq!(coordinates(None, Some("1")), Err(None));
    }
}
