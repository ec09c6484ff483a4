//! Apportioning a region's expected count among categories (event types, actors, sub-regions):
//! each category is expected to hold its share of the region's previous
//! [`BASELINE_WEEKS`] weeks, so its excess this week is observed − expected × share. This is
//! the proportional (share-of-baseline) decomposition; it says which categories made a rise,
//! not whether each one is significant on its own.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use crate::report::DriverItem;

/// Baseline weeks used to apportion the expected count among categories.
pub const BASELINE_WEEKS: i64 = 26;

/// Categories listed per breakdown, largest excess first.
pub const MAX_ITEMS: usize = 6;

/// Sums a region's values per category this week and over the baseline weeks before it.
#[derive(Debug, Default)]
pub struct Tally {
    now: BTreeMap<String, f64>,
    base: BTreeMap<String, f64>,
    base_total: f64,
}

impl Tally {
    /// Adds `value` of a record in `record_week` to `category`, if it falls in the week or its
    /// baseline. `base_total` counts each record once even when it names several categories
    /// (an event with two actors), so shares are those of records.
    pub fn add(&mut self, week: NaiveDate, record_week: NaiveDate, category: &str, value: f64) {
        if record_week == week {
            *self.now.entry(category.to_string()).or_default() += value;
        } else if in_baseline(week, record_week) {
            *self.base.entry(category.to_string()).or_default() += value;
        }
    }

    /// Counts a baseline record's value once toward the total the shares divide by.
    pub fn add_total(&mut self, week: NaiveDate, record_week: NaiveDate, value: f64) {
        if in_baseline(week, record_week) {
            self.base_total += value;
        }
    }

    /// The categories, observed against `expected` × share, largest excess first (ties by
    /// name), at most [`MAX_ITEMS`].
    pub fn items(&self, expected: f64) -> Vec<DriverItem> {
        let cats: BTreeSet<&String> = self.now.keys().chain(self.base.keys()).collect();
        let mut items: Vec<DriverItem> = cats
            .into_iter()
            .map(|cat| {
                let share = if self.base_total > 0.0 {
                    self.base.get(cat).copied().unwrap_or(0.0) / self.base_total
                } else {
                    0.0
                };
                let observed = self.now.get(cat).copied().unwrap_or(0.0);
                let exp = expected * share;
                DriverItem {
                    category: cat.clone(),
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
        items.truncate(MAX_ITEMS);
        items
    }

    /// Whether anything was observed this week.
    pub fn any_now(&self) -> bool {
        !self.now.is_empty()
    }
}

fn in_baseline(week: NaiveDate, record_week: NaiveDate) -> bool {
    record_week < week && record_week >= week - Duration::days(7 * BASELINE_WEEKS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn excess_is_observed_minus_the_baseline_share_of_expected() {
        let week = d("2019-10-07");
        let mut t = Tally::default();
        // Baseline: 30 records of A, 10 of B; one of them outside the 26 weeks.
        for _ in 0..30 {
            t.add(week, d("2019-09-02"), "A", 1.0);
            t.add_total(week, d("2019-09-02"), 1.0);
        }
        for _ in 0..10 {
            t.add(week, d("2019-08-05"), "B", 1.0);
            t.add_total(week, d("2019-08-05"), 1.0);
        }
        t.add(week, d("2018-01-01"), "C", 1.0);
        t.add_total(week, d("2018-01-01"), 1.0);
        for _ in 0..12 {
            t.add(week, week, "B", 1.0);
        }
        t.add(week, week, "A", 1.0);
        let items = t.items(4.0);
        assert_eq!(items[0].category, "B");
        assert!((items[0].expected - 1.0).abs() < 1e-12);
        assert!((items[0].excess - 11.0).abs() < 1e-12);
        assert_eq!(items[1].category, "A");
        assert!((items[1].expected - 3.0).abs() < 1e-12);
        assert!((items[1].excess + 2.0).abs() < 1e-12);
        assert_eq!(items.len(), 2, "C is outside the baseline");
    }

    #[test]
    fn an_empty_baseline_expects_nothing_of_any_category() {
        let week = d("2019-10-07");
        let mut t = Tally::default();
        t.add(week, week, "A", 3.0);
        let items = t.items(0.5);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].expected, 0.0);
        assert_eq!(items[0].excess, 3.0);
        assert!(t.any_now());
        assert!(Tally::default().items(2.0).is_empty());
    }
}
