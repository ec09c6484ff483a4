//! The row path's checks, one function per check, in the order [`Validator::judge`] applies
//! them: the date (and its range and coverage), the filters, the region, the numbers, and
//! duplicates.

use super::*;

impl Validator<'_> {
    /// The row's day, from whichever date layout the preset has.
    pub(super) fn row_date(&mut self, cols: &Cols<'_>, row: usize) -> Check<NaiveDate> {
        let Validator {
            rules,
            dates,
            unknown_days,
            multi_days,
            ..
        } = self;
        let Rules { spec, map, na, .. } = rules;
        let reject = |why: &str, column: &String| RowOutcome::reject(why, Some(column));
        match &map.date {
            DateSource::Column(c) => {
                let Some(v) = cols.get(c, row).filter(|v| !is_missing(Some(v), na)) else {
                    return Err(reject("missing date", c));
                };
                dates
                    .read(cols, row, na, v)
                    .map_err(|e| reject(&dates.reason(&e), c))
            }
            DateSource::YearMonthDay { year, month, day } => {
                let (Some(y), Some(m), Some(d)) = (
                    parse_int(cols.get(year, row), na),
                    parse_int(cols.get(month, row), na),
                    parse_int(cols.get(day, row), na),
                ) else {
                    return Err(reject("missing or non-numeric year/month/day", year));
                };
                if m == 0 {
                    return Err(reject("unknown month (month 0)", month));
                }
                let d = if d == 0 {
                    if spec.unknown_day == UnknownDay::Reject {
                        return Err(reject("unknown day (day 0)", day));
                    }
                    *unknown_days += 1;
                    1
                } else {
                    d
                };
                NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
                    .filter(|_| (1..=12).contains(&m))
                    .ok_or_else(|| reject("invalid date", day))
            }
            DateSource::IsoYearWeek { year, week } => {
                let (Some(y), Some(w)) = (
                    parse_int(cols.get(year, row), na),
                    parse_int(cols.get(week, row), na),
                ) else {
                    return Err(reject("missing or non-numeric ISO year/week", week));
                };
                NaiveDate::from_isoywd_opt(y as i32, w as u32, chrono::Weekday::Mon)
                    .ok_or_else(|| reject("invalid ISO week", week))
            }
            DateSource::Span { start, end } => {
                let Some(s) = cols.get(start, row).filter(|v| !is_missing(Some(v), na)) else {
                    return Err(reject("missing date", start));
                };
                let s = match dates.read(cols, row, na, s) {
                    Ok(d) => d,
                    Err(e) => return Err(reject(&dates.reason(&e), start)),
                };
                let e = cols
                    .get(end, row)
                    .and_then(|v| dates.read(cols, row, na, v).ok());
                match e {
                    Some(e) if e != s => {
                        *multi_days += 1;
                        match spec.multi_day {
                            MultiDay::Start => Ok(s),
                            MultiDay::End => Ok(e),
                            MultiDay::Drop => Err(RowOutcome::exclude(
                                "spans several days (--multi-day drop)",
                                Some(end),
                            )),
                        }
                    }
                    None if spec.multi_day == MultiDay::End => {
                        Err(reject("missing or unparsable end date", end))
                    }
                    _ => Ok(s),
                }
            }
        }
    }

    /// Plausible, not after `--as-of`, inside `--from`/`--to`, not in the incomplete week.
    pub(super) fn check_date_range(&self, date: NaiveDate) -> Check<()> {
        let Rules {
            spec,
            map,
            min_date,
            week_start,
            last_week,
            ..
        } = &self.rules;
        let date_col = match &map.date {
            DateSource::Column(c) => c,
            DateSource::YearMonthDay { year, .. } | DateSource::IsoYearWeek { year, .. } => year,
            DateSource::Span { start, .. } => start,
        };
        if date < *min_date {
            return Err(RowOutcome::reject(
                &format!("date before {MIN_YEAR}"),
                Some(date_col),
            ));
        }
        if date > spec.as_of {
            // Not bad data: a backfill run (--as-of in the past) leaves later rows out.
            return Err(RowOutcome::exclude(
                &format!("dated after --as-of {}", spec.as_of),
                Some(date_col),
            ));
        }
        if spec.from.is_some_and(|f| date < f) || spec.to.is_some_and(|t| date > t) {
            return Err(RowOutcome::exclude("outside --from/--to", Some(date_col)));
        }
        if week_start.week_of(date) > *last_week {
            return Err(RowOutcome::exclude(
                &format!(
                    "in the incomplete week of --as-of {} (week starting {})",
                    spec.as_of,
                    week_start.week_of(spec.as_of)
                ),
                Some(date_col),
            ));
        }
        Ok(())
    }

    /// Coverage: the source has a valid record for this top-level region on this day (before
    /// the filters, which select events, not coverage).
    pub(super) fn note_coverage(&mut self, cols: &Cols<'_>, row: usize, date: NaiveDate) {
        let Rules {
            map,
            na,
            strip_suffix,
            ..
        } = &self.rules;
        let Some((_, column)) = map.regions.first() else {
            return;
        };
        let v = cols.get(column, row).map(str::trim).unwrap_or("");
        if v.is_empty() || v.len() > MAX_NAME_BYTES || na.iter().any(|n| n == v) {
            return;
        }
        let v = if *strip_suffix {
            schema::strip_unit_suffix(v)
        } else {
            v
        };
        match self.top_level_first.get_mut(v) {
            Some(first) => *first = (*first).min(date),
            None => {
                self.top_level_first.insert(v.to_string(), date);
            }
        }
    }

    /// `--country`, `--where` and `--actor`.
    pub(super) fn check_filters(&self, cols: &Cols<'_>, row: usize) -> Check<()> {
        let Rules {
            spec,
            map,
            country_idx,
            header,
            ..
        } = &self.rules;
        if let (Some(want), Some(i)) = (&spec.country, country_idx) {
            let got = cols
                .get(&map.regions[*i].1, row)
                .map(str::trim)
                .unwrap_or("");
            if !got.eq_ignore_ascii_case(want) {
                return Err(RowOutcome::exclude(
                    &format!("--country {want}"),
                    Some(&map.regions[*i].1),
                ));
            }
        }
        for f in &spec.filters {
            let column =
                schema::find_column(header, &f.column).map_or(f.column.as_str(), |s| s.as_str());
            let got = cols.get(column, row).map(str::trim).unwrap_or("");
            if (got == f.value) == f.negate {
                let column = column.to_string();
                return Err(RowOutcome::exclude(&format!("--where {f}"), Some(&column)));
            }
        }
        if let Some(re) = &spec.actor {
            if !map
                .actors
                .iter()
                .any(|c| cols.get(c, row).is_some_and(|v| re.is_match(v)))
            {
                return Err(RowOutcome::exclude(
                    &format!("--actor {}", re.as_str()),
                    None,
                ));
            }
        }
        Ok(())
    }

    /// The region's names, coarse to fine, pushed onto `key`.
    pub(super) fn row_region<'a>(
        &self,
        cols: &Cols<'a>,
        row: usize,
        key: &mut Vec<&'a str>,
    ) -> Check<()> {
        let Rules {
            map,
            na,
            strip_suffix,
            ..
        } = &self.rules;
        for (name, column) in &map.regions {
            let v = cols.get(column, row).map(str::trim).unwrap_or("");
            if v.is_empty() || na.iter().any(|n| n == v) {
                return Err(RowOutcome::reject(
                    &format!("missing region ({name})"),
                    Some(column),
                ));
            }
            if v.len() > MAX_NAME_BYTES {
                return Err(RowOutcome::reject(
                    &format!("region name longer than {MAX_NAME_BYTES} bytes ({name})"),
                    Some(column),
                ));
            }
            key.push(if *strip_suffix {
                schema::strip_unit_suffix(v)
            } else {
                v
            });
        }
        Ok(())
    }

    /// Fatalities, the events column of aggregated data, and the weight.
    pub(super) fn row_numbers(&mut self, cols: &Cols<'_>, row: usize) -> Check<Kept> {
        let Rules {
            map,
            na,
            min_date,
            want_fatalities,
            ..
        } = &self.rules;
        let mut kept = Kept {
            date: *min_date,
            events: 1.0,
            fatalities: 0.0,
            weight: 0.0,
        };
        if let Some(c) = &map.fatalities {
            if *want_fatalities || map.fatalities_required {
                match parse_count(cols.get(c, row), na) {
                    Ok(Some(x)) => kept.fatalities = x,
                    Ok(None) if map.fatalities_required => {
                        return Err(RowOutcome::reject(
                            "missing fatalities (truncated or broken record)",
                            Some(c),
                        ))
                    }
                    Ok(None) => self.unknown_fatalities += 1,
                    Err(kind) => {
                        return Err(RowOutcome::reject(&format!("{kind} fatalities"), Some(c)))
                    }
                }
            }
        }
        for (column, slot, what) in [
            (&map.events_count, &mut kept.events, "event count"),
            (&map.weight, &mut kept.weight, "weight"),
        ] {
            if let Some(c) = column {
                match parse_count(cols.get(c, row), na) {
                    Ok(Some(x)) => *slot = x,
                    Ok(None) => {
                        return Err(RowOutcome::reject(&format!("missing {what}"), Some(c)))
                    }
                    Err(kind) => {
                        return Err(RowOutcome::reject(&format!("{kind} {what}"), Some(c)))
                    }
                }
            }
        }
        Ok(kept)
    }

    /// Repeated event ids count once (the first row of an id that reaches this check is
    /// kept); identical rows are duplicates where the preset says so. `id` is the row's id
    /// hash where a kernel computed it already (`Some(None)`: missing).
    ///
    /// The batch's rows come marked: whether each is the first of the file to hold its id
    /// ([`FirstIds`], marked in file order on the reader's thread). Such a row cannot repeat an
    /// earlier one. A later row repeats a kept one unless its id's first row was not kept (it
    /// is in `unkept_first_ids`, noted by the row loop) and no later row of that id was kept
    /// yet (`kept_later_ids`). So the validator remembers only ids whose first row it did not
    /// keep, and ids kept from later rows: few in real exports, where most ids are unique.
    pub(super) fn check_duplicates(
        &mut self,
        cols: &Cols<'_>,
        row: usize,
        id: Option<Option<u128>>,
    ) -> Check<()> {
        let Rules {
            map,
            na,
            header,
            fingerprint_all,
            ..
        } = &self.rules;
        if let Some(c) = &map.id {
            let hashed = id.unwrap_or_else(|| id_hash(cols.get(c, row), na));
            self.row_reached_ids = true;
            match hashed {
                Some(id) => {
                    let repeated = match self.row_first {
                        Some(true) => false,
                        Some(false) => {
                            !self.unkept_first_ids.contains(&id) || !self.kept_later_ids.insert(id)
                        }
                        // Not marked: every id that reached this check is remembered.
                        None => !self.kept_later_ids.insert(id),
                    };
                    if repeated {
                        return Err(RowOutcome::exclude(
                            "duplicate event id (counted once)",
                            Some(c),
                        ));
                    }
                }
                None => self.missing_ids += 1,
            }
        }
        if *fingerprint_all {
            let fp = row_fingerprint(header, cols, row);
            if !self.seen_rows.insert(fp) {
                if map.identical_rows_are_duplicates {
                    return Err(RowOutcome::exclude(
                        "identical to an earlier row (duplicate)",
                        None,
                    ));
                }
                self.identical_kept += 1;
            }
        }
        Ok(())
    }
}

/// A hash of the row's every value, for telling identical rows from distinct ones.
fn row_fingerprint(header: &[String], cols: &Cols<'_>, row: usize) -> u128 {
    let values: Vec<Option<&str>> = header.iter().map(|c| cols.get(c, row)).collect();
    hash128(&values)
}
