//! Domain types shared by every stage after ingest: week conventions, region keys and the
//! zero-filled weekly series that detection, comparison, charts and reports consume.
//! No Polars here: everything downstream works on plain Rust values.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

/// The day a week starts on. ACLED weeks run Saturday to Friday; ISO weeks Monday to Sunday;
/// CDC/MMWR weeks Sunday to Saturday (ISO 8601; CDC's MMWR week definition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WeekStart {
    /// Monday (ISO 8601).
    Mon,
    /// Saturday (ACLED).
    Sat,
    /// Sunday (CDC/MMWR).
    Sun,
}

impl WeekStart {
    /// The chrono weekday this week starts on.
    pub fn weekday(self) -> Weekday {
        match self {
            WeekStart::Mon => Weekday::Mon,
            WeekStart::Sat => Weekday::Sat,
            WeekStart::Sun => Weekday::Sun,
        }
    }

    /// The first day of the week that contains `date`.
    pub fn week_of(self, date: NaiveDate) -> NaiveDate {
        let back =
            (date.weekday().num_days_from_monday() + 7 - self.weekday().num_days_from_monday()) % 7;
        date - Days::new(u64::from(back))
    }

    /// The week start of the last week that is complete on `as_of` (its last day is `as_of`
    /// or earlier).
    pub fn last_complete_week(self, as_of: NaiveDate) -> NaiveDate {
        let current = self.week_of(as_of);
        if current + Days::new(6) <= as_of {
            current
        } else {
            current - Days::new(7)
        }
    }

    /// Lower-case name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            WeekStart::Mon => "mon",
            WeekStart::Sat => "sat",
            WeekStart::Sun => "sun",
        }
    }
}

/// ISO 8601 year-week label of a date, e.g. `2020-W53`.
pub fn iso_week_label(date: NaiveDate) -> String {
    let w = date.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// One region: its names from coarse to fine (e.g. `["Syria", "Deir ez Zor"]`).
/// Names are data: escape them before putting them in markup or paths.
pub type RegionKey = Vec<String>;

/// A complete weekly series for one region: one value per week, consecutive, zeros filled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklySeries {
    /// The region's names, coarse to fine, matching `SeriesSet::region_columns`.
    pub region: RegionKey,
    /// Index of the first week the series covers (the source's coverage of the region; see
    /// `aggregate`). The values before it are zeros that mean "not covered", not "no events".
    pub start: usize,
    /// Incident records per week (after de-duplication), or the sum of the events column for
    /// pre-aggregated input.
    pub events: Vec<f64>,
    /// Sum of fatalities per week, where asked for.
    pub fatalities: Option<Vec<f64>>,
    /// Sum of the user's weight column per week, where asked for.
    pub weight: Option<Vec<f64>>,
}

impl WeeklySeries {
    /// The weekly values of one measure (events when the measure was not aggregated).
    pub fn values(&self, measure: Measure) -> &[f64] {
        match measure {
            Measure::Events => &self.events,
            Measure::Fatalities => self.fatalities.as_deref().unwrap_or(&self.events),
            Measure::Weight => self.weight.as_deref().unwrap_or(&self.events),
        }
    }
}

/// Which weekly value detection and comparison look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Incidents per week.
    Events,
    /// Fatalities per week.
    Fatalities,
    /// The user's weight column per week.
    Weight,
}

/// Every region's series over one shared run of weeks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSet {
    /// Names of the region columns, coarse to fine (e.g. `country`, `admin1`).
    pub region_columns: Vec<String>,
    /// The first day of each week, consecutive (7 days apart).
    pub weeks: Vec<NaiveDate>,
    /// The week convention.
    pub week_start: WeekStart,
    /// Name of the weight column, where one was summed.
    pub weight_name: Option<String>,
    /// One series per region, sorted by region key.
    pub series: Vec<WeeklySeries>,
}

impl SeriesSet {
    /// The measure the run analyses: the weight column if one was summed, else fatalities if
    /// they were, else events.
    pub fn measure(&self) -> Measure {
        match self.series.first() {
            Some(s) if s.weight.is_some() => Measure::Weight,
            Some(s) if s.fatalities.is_some() => Measure::Fatalities,
            _ if self.weight_name.is_some() => Measure::Weight,
            _ => Measure::Events,
        }
    }

    /// Unit name of the measure, for column headers and sentences ("events", "fatalities").
    pub fn measure_name(&self) -> String {
        match self.measure() {
            Measure::Events => "events".into(),
            Measure::Fatalities => "fatalities".into(),
            Measure::Weight => self.weight_name.clone().unwrap_or_else(|| "weight".into()),
        }
    }

    /// The last `n` weeks of every series (all of them when there are fewer); a series whose
    /// coverage starts later keeps its start.
    pub fn last_weeks(&self, n: usize) -> SeriesSet {
        let cut = self.weeks.len().saturating_sub(n);
        SeriesSet {
            region_columns: self.region_columns.clone(),
            weeks: self.weeks[cut..].to_vec(),
            week_start: self.week_start,
            weight_name: self.weight_name.clone(),
            series: self
                .series
                .iter()
                .map(|s| WeeklySeries {
                    region: s.region.clone(),
                    start: s.start.saturating_sub(cut),
                    events: s.events[cut..].to_vec(),
                    fatalities: s.fatalities.as_ref().map(|f| f[cut..].to_vec()),
                    weight: s.weight.as_ref().map(|w| w[cut..].to_vec()),
                })
                .collect(),
        }
    }

    /// (region, values of the measure from the series' start) pairs, for the detectors: a
    /// series that starts late is shorter and ends with the last week like the others.
    pub fn measured(&self) -> Vec<(RegionKey, Vec<f64>)> {
        let m = self.measure();
        self.series
            .iter()
            .map(|s| (s.region.clone(), s.values(m)[s.start..].to_vec()))
            .collect()
    }

    /// The first week of the series of `region`'s index, where its coverage starts.
    pub fn start_week(&self, series: usize) -> Option<NaiveDate> {
        self.weeks.get(self.series.get(series)?.start).copied()
    }
}

/// Where each region's weekly series starts.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum SeriesStart {
    /// At the first record of the region's top-level area (its country, where the input has
    /// one): where the source began covering it.
    #[default]
    Top,
    /// At the region's own first record.
    Region,
    /// At the first week of the data, for every region.
    Data,
}

impl SeriesStart {
    /// Name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SeriesStart::Top => "top",
            SeriesStart::Region => "region",
            SeriesStart::Data => "data",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        assert_eq!(iso_week_label(d("2024-12-30")), "2025-W01");
        assert_eq!(iso_week_label(d("2021-01-01")), "2020-W53");
        assert_eq!(iso_week_label(d("2020-12-31")), "2020-W53");
        assert_eq!(WeekStart::Mon.week_of(d("2021-01-03")), d("2020-12-28"));
    }

    #[test]
    fn saturday_and_sunday_weeks() {
        // 2020-05-09 is a Saturday: an ACLED week starts that day.
        assert_eq!(WeekStart::Sat.week_of(d("2020-05-09")), d("2020-05-09"));
        assert_eq!(WeekStart::Sat.week_of(d("2020-05-08")), d("2020-05-02"));
        assert_eq!(WeekStart::Sun.week_of(d("2020-05-09")), d("2020-05-03"));
        assert_eq!(WeekStart::Mon.week_of(d("2020-05-10")), d("2020-05-04"));
        // A Saturday week crossing the year end.
        assert_eq!(WeekStart::Sat.week_of(d("2021-01-01")), d("2020-12-26"));
    }

    #[test]
    fn last_complete_week_includes_a_week_ending_on_as_of() {
        // ISO week 2019-06-24..2019-06-30 is complete on Sunday 2019-06-30.
        assert_eq!(
            WeekStart::Mon.last_complete_week(d("2019-06-30")),
            d("2019-06-24")
        );
        assert_eq!(
            WeekStart::Mon.last_complete_week(d("2019-06-29")),
            d("2019-06-17")
        );
        // ACLED week 2020-05-02..2020-05-08 is complete on Friday 2020-05-08.
        assert_eq!(
            WeekStart::Sat.last_complete_week(d("2020-05-08")),
            d("2020-05-02")
        );
        assert_eq!(
            WeekStart::Sat.last_complete_week(d("2020-05-09")),
            d("2020-05-02")
        );
    }
}
