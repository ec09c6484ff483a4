//! Column names of the exports uptick understands, preset detection from a header, and the
//! resolution of presets plus command-line overrides into one [`ColumnMap`].
//!
//! Header matching is case-insensitive: ACLED's pre-2017 and curated files are upper-case.
//! [`resolve_columns`] checks the header against the run's options; `needed_columns` lists
//! what a load must read.

use std::path::Path;

use super::spec::{InputSpec, Metric, MultiDay};
use crate::error::{Error, Result};
use crate::model::WeekStart;

/// The column of `uptick sql`'s counts that names the query which made them (`--preset
/// counts` reads it).
pub const QUERY_COLUMN: &str = "uptick_query";

/// A source schema with known column names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// ACLED event exports (every schema generation) and ACLED weekly aggregates.
    Acled,
    /// Global Terrorism Database exports and extracts.
    Gtd,
    /// UCDP Georeferenced Event Dataset.
    UcdpGed,
    /// Weekly counts aggregated elsewhere (`uptick series` output, or a SQL engine's):
    /// `week_start`, the region columns, `events` (and `fatalities`).
    Counts,
    /// Any table: name the columns with --date-col, --region-col, ...
    Generic,
}

impl Preset {
    /// Name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Acled => "acled",
            Preset::Gtd => "gtd",
            Preset::UcdpGed => "ucdp-ged",
            Preset::Counts => "counts",
            Preset::Generic => "generic",
        }
    }

    /// The week convention the source uses (ACLED: Saturday; everything else: ISO Monday).
    pub fn default_week_start(self) -> WeekStart {
        match self {
            Preset::Acled => WeekStart::Sat,
            _ => WeekStart::Mon,
        }
    }
}

/// Where an incident's date comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateSource {
    /// One column holding a date.
    Column(String),
    /// GTD's year / month / day columns; day 0 means "unknown day".
    YearMonthDay {
        /// Year column.
        year: String,
        /// Month column.
        month: String,
        /// Day column.
        day: String,
    },
    /// An ISO year column and an ISO week-number column (already-weekly data).
    IsoYearWeek {
        /// ISO year column.
        year: String,
        /// ISO week column.
        week: String,
    },
    /// UCDP's start and end date columns.
    Span {
        /// First day of the event.
        start: String,
        /// Last day of the event.
        end: String,
    },
}

/// The columns one run reads, resolved from the preset and the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    /// The preset in force.
    pub preset: Preset,
    /// A human description of the detected layout (e.g. "ACLED export, 2023+ schema").
    pub layout: String,
    /// The date column(s).
    pub date: DateSource,
    /// Region columns from coarse to fine: (output name, column in the file).
    pub regions: Vec<(String, String)>,
    /// Actor columns searched by `--actor`.
    pub actors: Vec<String>,
    /// Fatalities column, where the source has one.
    pub fatalities: Option<String>,
    /// For pre-aggregated input: the column holding the number of events on each row.
    pub events_count: Option<String>,
    /// The user's weight column (`--weight-col`), summed into its own output column.
    pub weight: Option<String>,
    /// Event id column: rows repeating an id count once.
    pub id: Option<String>,
    /// Event type column(s), finest last (used to explain what drove a rise).
    pub event_types: Vec<String>,
    /// The region column one level finer than the regions judged (ACLED/UCDP admin2 under
    /// admin1), for the report's drill-down: (output name, column in the file).
    pub finer: Option<(String, String)>,
    /// Place-name columns, finest first (the first non-empty value names an event's place).
    pub places: Vec<String>,
    /// The source's one-line description of each event (ACLED `notes`, UCDP
    /// `source_headline`, GTD `summary`).
    pub description: Option<String>,
    /// Latitude and longitude columns (decimal degrees).
    pub coordinates: Option<(String, String)>,
    /// Whether an empty fatalities value means a broken record (ACLED always fills it) rather
    /// than "unknown" (GTD's NA).
    pub fatalities_required: bool,
    /// Whether identical rows are duplicates to drop (ACLED) or distinct incidents (GTD).
    pub identical_rows_are_duplicates: bool,
    /// Strings that mean "missing" besides the empty string.
    pub na_values: Vec<String>,
    /// Counts made by `uptick sql`: the column naming the query (its id in every row).
    pub query: Option<String>,
}

/// Finds a column by case-insensitive name; returns the file's own spelling.
pub fn find_column<'a>(header: &'a [String], name: &str) -> Option<&'a String> {
    header.iter().find(|h| h.eq_ignore_ascii_case(name))
}

fn first_of(header: &[String], names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| find_column(header, n).cloned())
}

fn all_of(header: &[String], names: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| find_column(header, n).cloned())
        .collect()
}

fn has(header: &[String], name: &str) -> bool {
    find_column(header, name).is_some()
}

/// Guesses the preset from a header.
pub fn detect_preset(header: &[String]) -> Preset {
    if has(header, "event_date") && (has(header, "event_type") || has(header, "event_id_cnty"))
        || has(header, "week") && has(header, "events") && has(header, "admin1")
    {
        Preset::Acled
    } else if has(header, "date_start") && has(header, "best") {
        Preset::UcdpGed
    } else if (has(header, "iyear") && has(header, "imonth") && has(header, "iday"))
        || (has(header, "year")
            && has(header, "month")
            && has(header, "day")
            && has(header, "provstate"))
    {
        Preset::Gtd
    } else if has(header, "week_start") && has(header, "events") {
        Preset::Counts
    } else {
        Preset::Generic
    }
}

/// The column map a preset gives for a header (before command-line overrides).
/// Columns the header lacks are left out; `date` may name a missing column, which the
/// loader reports with the columns found.
pub fn preset_columns(preset: Preset, header: &[String]) -> ColumnMap {
    let mut map = ColumnMap {
        preset,
        layout: String::new(),
        date: DateSource::Column(String::new()),
        regions: Vec::new(),
        actors: Vec::new(),
        fatalities: None,
        events_count: None,
        weight: None,
        id: None,
        event_types: Vec::new(),
        finer: None,
        places: Vec::new(),
        description: None,
        coordinates: None,
        fatalities_required: false,
        identical_rows_are_duplicates: false,
        na_values: Vec::new(),
        query: None,
    };
    let region = |out: &str, names: &[&str]| first_of(header, names).map(|c| (out.to_string(), c));
    let coordinates = || first_of(header, &["latitude"]).zip(first_of(header, &["longitude"]));
    match preset {
        Preset::Acled => {
            let aggregated = has(header, "week") && has(header, "events");
            map.date = DateSource::Column(
                first_of(header, &["event_date", "week"]).unwrap_or_else(|| "event_date".into()),
            );
            map.regions = [
                region("country", &["country"]),
                region("admin1", &["admin1"]),
                region("admin2", &["admin2"]),
            ]
            .into_iter()
            .flatten()
            .collect();
            map.actors = all_of(
                header,
                &[
                    "actor1",
                    "assoc_actor_1",
                    "ally_actor_1",
                    "actor2",
                    "assoc_actor_2",
                    "ally_actor_2",
                ],
            );
            map.fatalities = first_of(header, &["fatalities"]);
            map.id = first_of(header, &["event_id_cnty"]);
            map.event_types = all_of(header, &["event_type", "sub_event_type"]);
            map.places = all_of(header, &["location", "admin3", "admin2"]);
            map.description = first_of(header, &["notes"]);
            map.coordinates = coordinates();
            map.fatalities_required = !aggregated;
            map.identical_rows_are_duplicates = map.id.is_none() && !aggregated;
            if aggregated {
                map.events_count = first_of(header, &["events"]);
                map.layout = "ACLED weekly aggregates".into();
            } else {
                map.layout = acled_layout(header);
            }
        }
        Preset::Gtd => {
            map.date = if has(header, "iyear") {
                DateSource::YearMonthDay {
                    year: "iyear".into(),
                    month: "imonth".into(),
                    day: "iday".into(),
                }
            } else {
                DateSource::YearMonthDay {
                    year: "year".into(),
                    month: "month".into(),
                    day: "day".into(),
                }
            };
            if let DateSource::YearMonthDay { year, month, day } = &mut map.date {
                for c in [year, month, day] {
                    if let Some(real) = find_column(header, c) {
                        *c = real.clone();
                    }
                }
            }
            map.regions = [
                region("country", &["country_txt", "country"]),
                region("admin1", &["provstate"]),
            ]
            .into_iter()
            .flatten()
            .collect();
            map.actors = all_of(
                header,
                &[
                    "gname",
                    "gname2",
                    "gname3",
                    "primary_group",
                    "secondary_group",
                    "tertiary_group",
                ],
            );
            map.fatalities = first_of(header, &["nkill"]);
            map.id = first_of(header, &["eventid"]);
            map.event_types = all_of(header, &["attacktype1_txt", "primary_attacktype"]);
            map.places = all_of(header, &["city", "location"]);
            map.description = first_of(header, &["summary"]);
            map.coordinates = coordinates();
            map.na_values = vec!["NA".into()];
            map.layout = if map.id.is_some() {
                format!("GTD export ({} columns)", header.len())
            } else {
                format!("GTD extract without eventid ({} columns): identical rows are distinct incidents", header.len())
            };
        }
        Preset::UcdpGed => {
            map.date = DateSource::Span {
                start: first_of(header, &["date_start"]).unwrap_or_else(|| "date_start".into()),
                end: first_of(header, &["date_end"]).unwrap_or_else(|| "date_end".into()),
            };
            map.regions = [
                region("country", &["country"]),
                region("admin1", &["adm_1"]),
                region("admin2", &["adm_2"]),
            ]
            .into_iter()
            .flatten()
            .collect();
            map.actors = all_of(header, &["side_a", "side_b"]);
            map.fatalities = first_of(header, &["best"]);
            map.id = first_of(header, &["id"]);
            map.event_types = all_of(header, &["type_of_violence"]);
            map.places = all_of(header, &["where_coordinates", "adm_2"]);
            map.description = first_of(header, &["source_headline"]);
            map.coordinates = coordinates();
            map.layout = "UCDP GED".into();
        }
        Preset::Counts => {
            // week_start, [iso_week], the region columns, events, [fatalities, weight]: the
            // regions are the columns before `events`.
            map.date = DateSource::Column(
                first_of(header, &["week_start"]).unwrap_or_else(|| "week_start".into()),
            );
            let events_at = header
                .iter()
                .position(|h| h.eq_ignore_ascii_case("events"))
                .unwrap_or(header.len());
            map.regions = header[..events_at]
                .iter()
                .filter(|h| {
                    !h.eq_ignore_ascii_case("week_start") && !h.eq_ignore_ascii_case("iso_week")
                })
                .map(|h| (h.clone(), h.clone()))
                .collect();
            map.events_count = first_of(header, &["events"]);
            map.fatalities = first_of(header, &["fatalities"]);
            map.query = first_of(header, &[QUERY_COLUMN]);
            map.layout = "weekly counts aggregated before uptick read them".into();
        }
        Preset::Generic => {
            map.layout = "generic table".into();
            // Columns named latitude and longitude (any case) place events on the map and in
            // the cluster scan.
            map.coordinates = coordinates();
        }
    }
    map
}

fn acled_layout(header: &[String]) -> String {
    let upper = header
        .iter()
        .filter(|h| !h.is_empty())
        .all(|h| h.chars().all(|c| !c.is_ascii_lowercase()));
    let generation = if has(header, "disorder_type") {
        "2023+ schema"
    } else if has(header, "gwno") && upper {
        "pre-2017 upper-case schema"
    } else if !has(header, "admin1") {
        "curated subset without admin columns"
    } else if !has(header, "actor1") {
        "column subset without actors"
    } else if has(header, "ally_actor_1") {
        "2016-era schema"
    } else {
        "2019-21 schema"
    };
    format!("ACLED export, {generation}, {} columns", header.len())
}

/// The unit types UCDP GED appends to region names, as [`strip_unit_suffix`] removes them.
pub const UNIT_SUFFIXES: [&str; 13] = [
    " governorate",
    " province",
    " district",
    " state",
    " oblast",
    " region",
    " department",
    " prefecture",
    " county",
    " municipality",
    " division",
    " subdistrict",
    " nahiya",
];

/// Display form of a UCDP region name: GED appends the unit type ("Aleppo governorate",
/// "Lunda Sul province", "Al Bab district"); analysts write the bare name.
pub fn strip_unit_suffix(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for s in UNIT_SUFFIXES {
        if lower.ends_with(s) && name.len() > s.len() {
            return name[..name.len() - s.len()].trim_end();
        }
    }
    name
}

/// Combines the preset's columns with the command line's overrides, and checks they exist.
pub fn resolve_columns(spec: &InputSpec, header: &[String], path: &Path) -> Result<ColumnMap> {
    let preset = spec.preset.unwrap_or_else(|| detect_preset(header));
    let mut map = preset_columns(preset, header);
    let found = || header.join(", ");
    let need = |name: &str, role: &str| -> Result<String> {
        find_column(header, name)
            .cloned()
            .ok_or_else(|| Error::MissingColumn {
                path: path.to_path_buf(),
                column: name.to_string(),
                role: role.to_string(),
                found: found(),
            })
    };
    if let Some(date) = &spec.date_col {
        map.date = match &spec.week_col {
            Some(week) => DateSource::IsoYearWeek {
                year: need(date, "ISO year")?,
                week: need(week, "ISO week")?,
            },
            None => DateSource::Column(need(date, "date")?),
        };
    } else if spec.week_col.is_some() {
        return Err(Error::Usage(
            "--week-col needs --date-col naming the ISO year column".into(),
        ));
    }
    if !spec.region_cols.is_empty() {
        map.regions = spec
            .region_cols
            .iter()
            .map(|c| need(c, "region").map(|real| (real.clone(), real)))
            .collect::<Result<_>>()?;
    }
    if !spec.actor_cols.is_empty() {
        map.actors = spec
            .actor_cols
            .iter()
            .map(|c| need(c, "actor"))
            .collect::<Result<_>>()?;
    }
    if let Some(w) = &spec.weight_col {
        map.weight = Some(need(w, "weight")?);
    }
    if let Some(id) = &spec.id_col {
        map.id = Some(need(id, "event id")?);
        map.identical_rows_are_duplicates = false;
    }
    // Every column the map names must exist.
    match &map.date {
        DateSource::Column(c) if c.is_empty() => {
            return Err(Error::Usage(format!(
                "{}: the header matches no preset (acled, gtd, ucdp-ged); name the date column with --date-col (found: {})",
                path.display(),
                found()
            )))
        }
        DateSource::Column(c) => {
            need(c, "date")?;
        }
        DateSource::YearMonthDay { year, month, day } => {
            need(year, "year")?;
            need(month, "month")?;
            need(day, "day")?;
        }
        DateSource::IsoYearWeek { .. } => {}
        DateSource::Span { start, .. } => {
            need(start, "event start date")?;
        }
    }
    if let DateSource::Span { end, .. } = &map.date {
        if spec.multi_day != MultiDay::Start {
            need(end, "event end date")?;
        }
    }
    if spec.metric == Metric::Fatalities && map.fatalities.is_none() {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "fatalities".into(),
            role: format!(
                "--metric fatalities; the {} preset has no fatality column here",
                preset.name()
            ),
            found: found(),
        });
    }
    let all_levels = map.regions.clone();
    if let Some(level) = &spec.by {
        map.regions = pick_level(&map.regions, level, header, path)?;
    } else if let Some(pos) = map
        .regions
        .iter()
        .position(|(n, _)| n == "admin1")
        .filter(|_| preset != Preset::Counts)
    {
        // Provinces are what analysts compare by default; admin2 is often empty. Counts come
        // at the level they were aggregated to: every region column is kept.
        map.regions.truncate(pos + 1);
    }
    // The next level down, when the regions judged are a prefix of the preset's levels.
    map.finer = all_levels
        .starts_with(&map.regions)
        .then(|| all_levels.get(map.regions.len()).cloned())
        .flatten();
    if spec.country.is_some() && !map.regions.iter().any(|(n, _)| n == "country") {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "country".into(),
            role: "--country".into(),
            found: found(),
        });
    }
    if spec.actor.is_some() && map.actors.is_empty() {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "actor".into(),
            role: "--actor needs actor columns; name them with --actor-col".into(),
            found: found(),
        });
    }
    for f in &spec.filters {
        need(&f.column, "--where")?;
    }
    Ok(map)
}

/// The region columns for `--by`: a level keeps the coarser levels before it (admin1 names
/// repeat across countries); any other name selects that column alone.
pub(super) fn pick_level(
    regions: &[(String, String)],
    level: &str,
    header: &[String],
    path: &Path,
) -> Result<Vec<(String, String)>> {
    if let Some(pos) = regions.iter().position(|(name, real)| {
        name.eq_ignore_ascii_case(level) || real.eq_ignore_ascii_case(level)
    }) {
        return Ok(regions[..=pos].to_vec());
    }
    if let Some(real) = find_column(header, level) {
        return Ok(vec![(real.clone(), real.clone())]);
    }
    Err(Error::MissingColumn {
        path: path.to_path_buf(),
        column: level.to_string(),
        role: "--by".into(),
        found: header.join(", "),
    })
}

/// The columns to read, in a fixed order, without repeats.
pub(super) fn needed_columns(spec: &InputSpec, map: &ColumnMap, header: &[String]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    let mut add = |c: &str| {
        if !cols.iter().any(|x| x == c) {
            cols.push(c.to_string());
        }
    };
    if map.identical_rows_are_duplicates || (map.preset == Preset::Gtd && map.id.is_none()) {
        header.iter().for_each(|c| add(c));
    }
    match &map.date {
        DateSource::Column(c) => add(c),
        DateSource::YearMonthDay { year, month, day } => {
            add(year);
            add(month);
            add(day);
        }
        DateSource::IsoYearWeek { year, week } => {
            add(year);
            add(week);
        }
        DateSource::Span { start, end } => {
            add(start);
            if find_column(header, end).is_some() {
                add(end);
            }
        }
    }
    map.regions.iter().for_each(|(_, c)| add(c));
    if let Some(c) = &map.query {
        add(c);
    }
    if spec.actor.is_some() || spec.details {
        map.actors.iter().for_each(|c| add(c));
    }
    if spec.details {
        map.places.iter().for_each(|c| add(c));
        for c in [&map.description, &map.fatalities].into_iter().flatten() {
            add(c);
        }
        if let Some((_, c)) = &map.finer {
            add(c);
        }
        if let Some((lat, lon)) = &map.coordinates {
            add(lat);
            add(lon);
        }
    }
    for c in [&map.fatalities, &map.events_count, &map.weight, &map.id]
        .into_iter()
        .flatten()
    {
        add(c);
    }
    if let Some(c) = map.event_types.last() {
        add(c);
    }
    spec.filters
        .iter()
        .for_each(|f| add(find_column(header, &f.column).map_or(&f.column, |s| s)));
    cols
}

#[cfg(test)]
mod tests;
