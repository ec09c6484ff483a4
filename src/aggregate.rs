//! Aggregate: validated incidents → one complete weekly series per region.
//!
//! Polars groups the kept rows by (region, week) and sums them; this module then lays the
//! sums onto one shared run of consecutive weeks, from the first week of the data (or of
//! `--from`) to the last included week (or `--to`), with zeros where nothing happened, so
//! detection never has to guess about gaps. Regions are sorted by name; output is
//! deterministic.
//!
//! # Where a series starts ([`SeriesStart`])
//! A zero before a source began covering a place is not "no events": ACLED covers Iraq from
//! 2016 and Syria from 2017, so in a Middle East export Syrian provinces would otherwise get a
//! year of zeros in their baselines. Each series therefore starts (its `start` week) where its
//! top-level region's records start (the country, for ACLED, GTD and UCDP; counted before
//! `--where`, `--actor` and `--country` filters, which select events, not coverage), or, with
//! `--series-start region`, where its own first record is, or with `--series-start data` at the
//! first week of the data for every region (uptick's rule before November 2026). Weeks before
//! a series' start are neither written by `series` nor judged or used as baseline.

use chrono::{Days, NaiveDate};
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::ingest::Incidents;
use crate::model::{SeriesSet, SeriesStart, WeeklySeries};

/// Days from 0001-01-01 (chrono's CE day count) to 1970-01-01, to store weeks as Polars dates.
const UNIX_EPOCH_CE_DAYS: i32 = 719_163;

fn to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - UNIX_EPOCH_CE_DAYS
}

/// Where the series start, in words for the data notes; `differs` is whether they start at
/// different weeks (only then is it worth a line on stderr).
pub fn series_start_note(set: &SeriesSet, rule: SeriesStart) -> (String, bool) {
    const LISTED: usize = 8;
    let Some(&first_week) = set.weeks.first() else {
        return ("there are no weeks of data".into(), false);
    };
    let differs = set.series.iter().any(|s| s.start != 0);
    if !differs {
        return (
            format!(
                "every series starts with the first week of the data ({first_week}; --series-start {})",
                rule.name()
            ),
            false,
        );
    }
    let text = match rule {
        SeriesStart::Top => {
            // One start per top-level region (the country).
            let mut starts: Vec<(String, NaiveDate)> = Vec::new();
            for s in &set.series {
                let top = s.region.first().cloned().unwrap_or_default();
                if starts.last().is_none_or(|(t, _)| *t != top) {
                    starts.push((top, set.weeks[s.start]));
                }
            }
            starts.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            let shown: Vec<String> = starts
                .iter()
                .take(LISTED)
                .map(|(t, w)| format!("{t} {w}"))
                .collect();
            let more = starts.len().saturating_sub(LISTED);
            format!(
                "series start where each {}'s records start, not at the data's first week ({first_week}), because zeros before a source covers a place are not \"no events\" (--series-start top): {}{}",
                set.region_columns.first().map_or("region", String::as_str),
                shown.join(", "),
                if more > 0 { format!(", and {more} more") } else { String::new() }
            )
        }
        SeriesStart::Region | SeriesStart::Data => {
            let latest = set
                .series
                .iter()
                .max_by_key(|s| s.start)
                .expect("some series start late");
            let late = set.series.iter().filter(|s| s.start != 0).count();
            format!(
                "series start at each region's first record (--series-start region): {late} of {} start after the data's first week ({first_week}), the latest {} on {}",
                set.series.len(),
                latest.region.join(" / "),
                set.weeks[latest.start]
            )
        }
    };
    (text, true)
}

/// Whether `values` are whole, non-negative numbers whose total (and so every partial sum,
/// in any order) is exact in f64.
fn sums_exactly(values: &[f64]) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let mut total = 0.0;
    for &v in values {
        if !(v.fract() == 0.0 && v.is_sign_positive() && v <= EXACT) {
            return false;
        }
        total += v;
        if total > EXACT {
            return false;
        }
    }
    true
}

/// Builds the weekly series of every region.
///
/// `from`/`to` widen (or cut) the run of weeks to the weeks containing them; without them the
/// run spans the data. The run never goes past `incidents.last_week`. `start` sets where each
/// region's series begins within the run (see the module docs).
///
/// # Errors
/// Only if Polars fails, which would be a bug.
pub fn weekly_series(
    incidents: &Incidents,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    start: SeriesStart,
) -> Result<SeriesSet> {
    let ws = incidents.week_start;
    let data_first = incidents.date.iter().min().map(|&d| ws.week_of(d));
    let data_last = incidents.date.iter().max().map(|&d| ws.week_of(d));
    let first = from.map(|d| ws.week_of(d)).or(data_first);
    let last = to
        .map(|d| ws.week_of(d))
        .or(data_last)
        .map(|l| l.min(incidents.last_week));
    let weeks: Vec<NaiveDate> = match (first, last) {
        (Some(first), Some(last)) if first <= last => {
            std::iter::successors(Some(first), |w| Some(*w + Days::new(7)))
                .take_while(|w| *w <= last)
                .collect()
        }
        _ => Vec::new(),
    };
    let n = weeks.len();
    let first_days = weeks.first().map_or(0, |&w| to_days(w));

    let mut order: Vec<usize> = (0..incidents.regions.len()).collect();
    order.sort_by(|&a, &b| incidents.regions[a].cmp(&incidents.regions[b]));
    let mut slot_of = vec![0usize; incidents.regions.len()];
    for (slot, &r) in order.iter().enumerate() {
        slot_of[r] = slot;
    }
    let mut series: Vec<WeeklySeries> = order
        .iter()
        .map(|&r| WeeklySeries {
            region: incidents.regions[r].clone(),
            start: 0,
            events: vec![0.0; n],
            fatalities: incidents.fatalities.as_ref().map(|_| vec![0.0; n]),
            weight: incidents.weight.as_ref().map(|_| vec![0.0; n]),
        })
        .collect();

    let columns = [
        Some(&incidents.events),
        incidents.fatalities.as_ref(),
        incidents.weight.as_ref(),
    ];
    if columns.into_iter().flatten().all(|v| sums_exactly(v)) {
        // Whole numbers whose total is exact in f64: every order of summation gives the
        // same sums, so the cells are added straight into their weeks.
        for (i, &day) in incidents.date.iter().enumerate() {
            let offset = to_days(ws.week_of(day)) - first_days;
            if offset < 0 || (offset / 7) as usize >= n {
                continue; // outside the chosen run of weeks (only possible with --from/--to)
            }
            let w = (offset / 7) as usize;
            let s = &mut series[slot_of[incidents.region[i] as usize]];
            s.events[w] += incidents.events[i];
            if let (Some(dst), Some(src)) = (s.fatalities.as_mut(), &incidents.fatalities) {
                dst[w] += src[i];
            }
            if let (Some(dst), Some(src)) = (s.weight.as_mut(), &incidents.weight) {
                dst[w] += src[i];
            }
        }
    } else {
        // Fractional values: Polars' sums, whose order of addition the outputs were made with.
        let weeks_of: Vec<i32> = incidents
            .date
            .iter()
            .map(|&d| to_days(ws.week_of(d)))
            .collect();
        let mut columns = vec![
            Column::new("region".into(), incidents.region.clone()),
            Column::new("week".into(), weeks_of),
            Column::new("events".into(), incidents.events.clone()),
        ];
        let mut aggs = vec![col("events").sum()];
        if let Some(f) = &incidents.fatalities {
            columns.push(Column::new("fatalities".into(), f.clone()));
            aggs.push(col("fatalities").sum());
        }
        if let Some(w) = &incidents.weight {
            columns.push(Column::new("weight".into(), w.clone()));
            aggs.push(col("weight").sum());
        }
        let frame = DataFrame::new_infer_height(columns)
            .map_err(Error::polars("building the incident table"))?;
        let grouped = frame
            .lazy()
            .group_by([col("region"), col("week")])
            .agg(aggs)
            .sort(["region", "week"], Default::default())
            .collect()
            .map_err(Error::polars("grouping incidents by region and week"))?;

        let get_f64 = |name: &str| -> Result<Vec<f64>> {
            Ok(grouped
                .column(name)
                .and_then(|c| c.f64().cloned())
                .map_err(Error::polars("reading grouped sums"))?
                .iter()
                .map(|v| v.unwrap_or(0.0))
                .collect())
        };
        let regions: Vec<u32> = grouped
            .column("region")
            .and_then(|c| c.u32().cloned())
            .map_err(Error::polars("reading grouped regions"))?
            .into_no_null_iter()
            .collect();
        let week_days: Vec<i32> = grouped
            .column("week")
            .and_then(|c| c.i32().cloned())
            .map_err(Error::polars("reading grouped weeks"))?
            .into_no_null_iter()
            .collect();
        let events = get_f64("events")?;
        let fatalities = incidents
            .fatalities
            .as_ref()
            .map(|_| get_f64("fatalities"))
            .transpose()?;
        let weight = incidents
            .weight
            .as_ref()
            .map(|_| get_f64("weight"))
            .transpose()?;
        for i in 0..regions.len() {
            let offset = week_days[i] - first_days;
            if offset < 0 || offset % 7 != 0 || (offset / 7) as usize >= n {
                continue; // outside the chosen run of weeks (only possible with --from/--to)
            }
            let w = (offset / 7) as usize;
            let s = &mut series[slot_of[regions[i] as usize]];
            s.events[w] = events[i];
            if let (Some(dst), Some(src)) = (s.fatalities.as_mut(), &fatalities) {
                dst[w] = src[i];
            }
            if let (Some(dst), Some(src)) = (s.weight.as_mut(), &weight) {
                dst[w] = src[i];
            }
        }
    }
    // Where each series starts: the week of its first covered day.
    let week_index = |day: NaiveDate| -> usize {
        let offset = (ws.week_of(day) - weeks.first().copied().unwrap_or(day)).num_days() / 7;
        usize::try_from(offset)
            .unwrap_or(0)
            .min(n.saturating_sub(1))
    };
    match start {
        SeriesStart::Data => {}
        SeriesStart::Top => {
            for s in &mut series {
                let top = s.region.first().map(String::as_str).unwrap_or("");
                if let Ok(i) = incidents
                    .top_level_first
                    .binary_search_by(|(name, _)| name.as_str().cmp(top))
                {
                    s.start = week_index(incidents.top_level_first[i].1);
                }
            }
        }
        SeriesStart::Region => {
            let mut first: Vec<Option<NaiveDate>> = vec![None; incidents.regions.len()];
            for (&r, &d) in incidents.region.iter().zip(&incidents.date) {
                let f = &mut first[r as usize];
                *f = Some(f.map_or(d, |x| x.min(d)));
            }
            for (r, f) in first.iter().enumerate() {
                if let Some(day) = f {
                    series[slot_of[r]].start = week_index(*day);
                }
            }
        }
    }
    Ok(SeriesSet {
        region_columns: incidents.region_columns.clone(),
        weeks,
        week_start: ws,
        weight_name: incidents.columns.weight.clone(),
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{schema, Preset, Quality};
    use crate::model::WeekStart;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn incidents(rows: &[(&str, &str)], ws: WeekStart, last_week: &str) -> Incidents {
        let mut regions: Vec<Vec<String>> = Vec::new();
        let mut region = Vec::new();
        for (r, _) in rows {
            let key = vec![r.to_string()];
            let id = regions.iter().position(|k| *k == key).unwrap_or_else(|| {
                regions.push(key);
                regions.len() - 1
            });
            region.push(id as u32);
        }
        Incidents {
            columns: schema::preset_columns(Preset::Generic, &[]),
            region_columns: vec!["region".into()],
            regions,
            region,
            date: rows.iter().map(|(_, dt)| d(dt)).collect(),
            kind: vec![0; rows.len()],
            rows: vec![1; rows.len()],
            events: vec![1.0; rows.len()],
            fatalities: Some((0..rows.len()).map(|i| i as f64).collect()),
            weight: None,
            event_types: None,
            week_start: ws,
            last_week: d(last_week),
            quality: Quality::default(),
            sha256: None,
            top_level_first: Vec::new(),
            details: Vec::new(),
        }
    }

    #[test]
    fn whole_numbers_are_summed_as_polars_sums_them() {
        // The same cells with whole fatalities (added straight into weeks) and with a
        // fraction added to one cell (summed by Polars): every other week agrees exactly.
        let days = [
            "2024-01-01",
            "2024-01-03",
            "2024-01-09",
            "2024-01-10",
            "2024-01-24",
            "2024-01-02",
        ];
        let rows: Vec<(&str, &str)> = (0..60)
            .map(|i| (["A", "B", "C"][i % 3], days[(i * 7) % days.len()]))
            .collect();
        let whole = incidents(&rows, WeekStart::Mon, "2024-01-22");
        let mut fractional = incidents(&rows, WeekStart::Mon, "2024-01-22");
        let f = fractional.fatalities.as_mut().unwrap();
        f[0] += 0.5;
        assert!(sums_exactly(whole.fatalities.as_ref().unwrap()));
        assert!(!sums_exactly(fractional.fatalities.as_ref().unwrap()));
        let a = weekly_series(&whole, None, None, SeriesStart::Data).unwrap();
        let b = weekly_series(&fractional, None, None, SeriesStart::Data).unwrap();
        assert_eq!(a.weeks, b.weeks);
        let first_week = a.weeks.iter().position(|w| *w == d("2024-01-01")).unwrap();
        for (x, y) in a.series.iter().zip(&b.series) {
            assert_eq!(x.events, y.events);
            let (fx, fy) = (
                x.fatalities.as_ref().unwrap(),
                y.fatalities.as_ref().unwrap(),
            );
            for w in 0..a.weeks.len() {
                let shift = if x.region == ["A"] && w == first_week {
                    0.5
                } else {
                    0.0
                };
                assert_eq!(fx[w] + shift, fy[w], "{:?} week {w}", x.region);
            }
        }
        assert!(a.series.iter().any(|s| s.events.iter().sum::<f64>() > 0.0));
    }

    #[test]
    fn zero_fills_gaps_and_sorts_regions() {
        // Iso weeks: 2020-12-28 (W53), 2021-01-04 (W01, empty), 2021-01-11 (W02).
        let inc = incidents(
            &[
                ("Zeta", "2021-01-01"),
                ("Alpha", "2020-12-28"),
                ("Zeta", "2021-01-03"),
                ("Alpha", "2021-01-15"),
            ],
            WeekStart::Mon,
            "2030-01-01",
        );
        let set = weekly_series(&inc, None, None, SeriesStart::Data).unwrap();
        assert_eq!(
            set.weeks,
            vec![d("2020-12-28"), d("2021-01-04"), d("2021-01-11")]
        );
        assert_eq!(set.series[0].region, vec!["Alpha".to_string()]);
        assert_eq!(set.series[0].events, vec![1.0, 0.0, 1.0]);
        assert_eq!(set.series[1].events, vec![2.0, 0.0, 0.0]);
        // fatalities were 0,1,2,3 by row: Zeta rows 0 and 2, Alpha rows 1 and 3.
        assert_eq!(
            set.series[1].fatalities.as_ref().unwrap(),
            &vec![2.0, 0.0, 0.0]
        );
        assert_eq!(
            set.series[0].fatalities.as_ref().unwrap(),
            &vec![1.0, 0.0, 3.0]
        );
    }

    #[test]
    fn saturday_weeks_and_from_to_widening() {
        let inc = incidents(
            &[("A", "2020-05-08"), ("A", "2020-05-09")],
            WeekStart::Sat,
            "2030-01-01",
        );
        let set = weekly_series(
            &inc,
            Some(d("2020-04-20")),
            Some(d("2020-05-20")),
            SeriesStart::Data,
        )
        .unwrap();
        assert_eq!(set.weeks.first(), Some(&d("2020-04-18")));
        assert_eq!(set.weeks.last(), Some(&d("2020-05-16")));
        let total: f64 = set.series[0].events.iter().sum();
        assert_eq!(total, 2.0);
        let i = set
            .weeks
            .iter()
            .position(|w| *w == d("2020-05-02"))
            .unwrap();
        assert_eq!(set.series[0].events[i], 1.0);
        assert_eq!(set.series[0].events[i + 1], 1.0);
    }

    #[test]
    fn run_of_weeks_stops_at_the_last_included_week() {
        let inc = incidents(&[("A", "2020-01-06")], WeekStart::Mon, "2020-01-13");
        let set = weekly_series(&inc, None, Some(d("2020-03-01")), SeriesStart::Data).unwrap();
        assert_eq!(set.weeks, vec![d("2020-01-06"), d("2020-01-13")]);
    }

    #[test]
    fn series_start_where_their_top_level_region_starts() {
        // Two countries: Iraq covered from 2016-01, Syria from 2017-01. A Syrian province's
        // series starts in 2017 even though the file starts in 2016; with `region` each starts
        // at its own first record, with `data` all at the file's first week.
        let rows = [
            ("2016-01-04", "Iraq", "Diyala"),
            ("2016-03-07", "Iraq", "Anbar"),
            ("2017-01-02", "Syria", "Aleppo"),
            ("2017-02-06", "Syria", "Idlib"),
        ];
        let mut inc = incidents(
            &rows.iter().map(|(d, _, r)| (*r, *d)).collect::<Vec<_>>(),
            WeekStart::Mon,
            "2018-01-01",
        );
        inc.regions = rows
            .iter()
            .map(|(_, c, r)| vec![c.to_string(), r.to_string()])
            .collect();
        inc.region_columns = vec!["country".into(), "admin1".into()];
        // Syria's coverage starts before its first kept row (say a filtered-out event).
        inc.top_level_first = vec![
            ("Iraq".into(), d("2016-01-04")),
            ("Syria".into(), d("2016-12-28")),
        ];
        let week = |set: &SeriesSet, i: usize| set.weeks[set.series[i].start];
        let top = weekly_series(&inc, None, None, SeriesStart::Top).unwrap();
        // Sorted: Iraq/Anbar, Iraq/Diyala, Syria/Aleppo, Syria/Idlib.
        assert_eq!(week(&top, 0), d("2016-01-04"));
        assert_eq!(week(&top, 1), d("2016-01-04"));
        assert_eq!(week(&top, 2), d("2016-12-26"));
        assert_eq!(week(&top, 3), d("2016-12-26"));
        let own = weekly_series(&inc, None, None, SeriesStart::Region).unwrap();
        assert_eq!(week(&own, 0), d("2016-03-07"));
        assert_eq!(week(&own, 3), d("2017-02-06"));
        let data = weekly_series(&inc, None, None, SeriesStart::Data).unwrap();
        assert!(data.series.iter().all(|s| s.start == 0));
        let (note, differs) = series_start_note(&top, SeriesStart::Top);
        assert!(differs);
        assert!(note.contains("Iraq 2016-01-04, Syria 2016-12-26"), "{note}");
        let (note, differs) = series_start_note(&data, SeriesStart::Data);
        assert!(
            !differs && note.contains("every series starts with the first week"),
            "{note}"
        );
    }

    #[test]
    fn no_rows_gives_no_weeks() {
        let inc = incidents(&[], WeekStart::Mon, "2030-01-01");
        let set = weekly_series(&inc, None, None, SeriesStart::Data).unwrap();
        assert!(set.weeks.is_empty() && set.series.is_empty());
    }
}
