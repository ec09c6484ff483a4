//! The row loop's integer path: a batch's distinct dates, regions and event types judged once
//! ([`Tables`]), and each row decided on those integers ([`Validator::fast`]) where every
//! check it would face is already settled; any row a check would refuse goes to the row path,
//! which records the reason, line and value.

use super::*;

/// Where a distinct value of a batch stands for the row loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// Not looked at yet.
    Unseen,
    /// Its rows take the row-by-row path (which says why they are not kept).
    RowPath,
    /// Valid, not kept yet (a global id is given at the first kept row, as the row path
    /// does).
    Valid,
    /// Kept, with this global id.
    Id(u32),
}

/// The batch's distinct values as judged once for the row loop.
pub(super) struct Tables {
    /// Per distinct date value: its day where every row holding it passes the date checks,
    /// or the value to be dated row by row (a two-digit year and a `year` column).
    pub(super) date: Vec<Option<ValueDate>>,
    pub(super) region: Vec<Slot>,
    /// Per distinct region tuple: the earliest day of its rows that passed the date checks.
    pub(super) region_first: Vec<Option<NaiveDate>>,
    pub(super) kind: Vec<Slot>,
}

/// What the row loop's integer path made of a row.
pub(super) enum Fast {
    /// Kept and added to its cell.
    Kept,
    /// Judged: a duplicate.
    Judged(RowOutcome),
    /// For the row-by-row path.
    RowPath,
}

impl Validator<'_> {
    /// The global id of a region, given at its first kept row.
    pub(super) fn region_id(&mut self, key: &[&str]) -> u32 {
        let owned: RegionKey = key.iter().map(|s| s.to_string()).collect();
        let next = self.out.regions.len() as u32;
        *self.region_ids.entry(owned.clone()).or_insert_with(|| {
            self.out.regions.push(owned);
            next
        })
    }

    /// The global id of an event type (trimmed), given at its first kept row.
    pub(super) fn type_id(&mut self, value: &str) -> u32 {
        let types = self.out.event_types.get_or_insert_with(Vec::new);
        let next = types.len() as u32;
        *self.type_ids.entry(value.to_string()).or_insert_with(|| {
            types.push(value.to_string());
            next
        })
    }

    /// The batch's distinct dates read and checked once (the checks that depend on the date
    /// alone), and empty tables for its regions and event types.
    pub(super) fn tables(&mut self, cols: &Cols<'_>, prepared: &Prepared) -> Tables {
        let mut date = Vec::new();
        if let (Some(dict), Some(c)) = (&prepared.date, self.plan.date.clone()) {
            date.reserve(dict.firsts.len());
            for &first in &dict.firsts {
                let value = cols
                    .get(&c, first as usize)
                    .filter(|v| !is_missing(Some(v), &self.rules.na));
                let read = value.and_then(|v| self.dates.read_value(cols, &self.rules.na, v).ok());
                date.push(match read {
                    Some(ValueDate::Fixed(d)) => {
                        // As the row path notes every row's date (idempotent).
                        self.note_end(d);
                        self.check_date_range(d)
                            .is_ok()
                            .then_some(ValueDate::Fixed(d))
                    }
                    other => other,
                });
            }
        }
        let regions = prepared.region.firsts.len();
        Tables {
            date,
            region: vec![Slot::Unseen; regions],
            region_first: vec![None; regions],
            kind: vec![Slot::Unseen; prepared.kind.as_ref().map_or(0, |k| k.firsts.len())],
        }
    }

    /// The row loop's integer path: a row whose date, region and event type were judged
    /// once for the batch is kept (or found a duplicate) with the row path's checks in the
    /// row path's order; anything else goes to the row path, which records why. Only
    /// idempotent notes (coverage, the latest date) are made before a row is handed over.
    pub(super) fn fast(
        &mut self,
        cols: &Cols<'_>,
        prepared: &Prepared,
        t: &mut Tables,
        row: usize,
        record: u64,
    ) -> Fast {
        if !self.fast_path || (self.rules.map.query.is_some() && !self.query_noted) {
            return Fast::RowPath;
        }
        let Some(dates) = &prepared.date else {
            return Fast::RowPath;
        };
        let date = match t.date[dates.keys[row] as usize] {
            Some(ValueDate::Fixed(d)) => d,
            Some(ValueDate::ByRow(dated)) => {
                let Ok(d) = self.dates.in_row_year(cols, row, &self.rules.na, dated) else {
                    return Fast::RowPath;
                };
                self.note_end(d);
                if self.check_date_range(d).is_err() {
                    return Fast::RowPath;
                }
                d
            }
            None => return Fast::RowPath,
        };
        let rk = prepared.region.keys[row] as usize;
        let first = &mut t.region_first[rk];
        *first = Some(first.map_or(date, |f| f.min(date)));
        if self.check_filters(cols, row).is_err() {
            return Fast::RowPath;
        }
        let region_row = prepared.region.firsts[rk] as usize;
        let mut key = Vec::new();
        if t.region[rk] == Slot::Unseen {
            t.region[rk] = match self.row_region(cols, region_row, &mut key) {
                Ok(()) => Slot::Valid,
                Err(_) => Slot::RowPath,
            };
        }
        if t.region[rk] == Slot::RowPath {
            return Fast::RowPath;
        }
        let Ok(mut kept) = self.row_numbers(cols, row) else {
            return Fast::RowPath;
        };
        let id = prepared.id.as_ref().map(|ids| ids[row]);
        if let Err(outcome) = self.check_duplicates(cols, row, id) {
            return Fast::Judged(outcome);
        }
        kept.date = date;
        let region = match t.region[rk] {
            Slot::Id(id) => id,
            _ => {
                key.clear();
                let _ = self.row_region(cols, region_row, &mut key);
                let id = self.region_id(&key);
                t.region[rk] = Slot::Id(id);
                id
            }
        };
        let kind = match (&self.event_type_col, &prepared.kind) {
            (Some(c), Some(dict)) => {
                let k = dict.keys[row] as usize;
                match t.kind[k] {
                    Slot::Id(id) => id,
                    _ => {
                        let v = cols
                            .get(c, dict.firsts[k] as usize)
                            .map(str::trim)
                            .unwrap_or("");
                        let id = self.type_id(v);
                        t.kind[k] = Slot::Id(id);
                        id
                    }
                }
            }
            _ => 0,
        };
        if self.details_from.is_some_and(|from| kept.date >= from) {
            self.capture(cols, row, record, region, kind, &kept);
        }
        self.add(region, kind, &kept);
        Fast::Kept
    }
}
