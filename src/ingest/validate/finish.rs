//! The end of a load: the ledger completed (counted notes, the incomplete last week cut) and
//! the incidents handed over.

use super::*;

impl Validator<'_> {
    /// The incidents, with the ledger completed.
    pub(in crate::ingest) fn finish(mut self, notes: Vec<String>) -> Incidents {
        let spec = self.rules.spec;
        let cells = std::mem::take(&mut self.cells).finish();
        let out = &mut self.out;
        out.region = cells.region;
        out.date = cells.date;
        out.kind = cells.kind;
        out.rows = cells.rows;
        out.events = cells.events;
        out.fatalities = cells.fatalities;
        out.weight = cells.weight;
        let cut_note = self.cut_incomplete_last_week();
        let mut quality = std::mem::take(&mut self.out.quality);
        quality.rows_read = self.records;
        quality.kept = self.out.rows.iter().sum();
        let line_of = &self.line_of;
        quality.fill_lines(|r| line_of.get(&r).copied().unwrap_or(r + 1));
        let counted_notes = [
            (self.unknown_days, "rows with an unknown day (day 0) were counted in the week of the 1st of their month"),
            (self.multi_days, match spec.multi_day {
                MultiDay::Start => "events span several days and were counted once, at their start",
                MultiDay::End => "events span several days and were counted once, at their end",
                MultiDay::Drop => "events span several days",
            }),
            (self.unknown_fatalities, "rows have no fatality figure (NA); counted as 0 fatalities"),
            (self.missing_ids, "rows have no event id and could not be checked for duplicates"),
            (self.identical_kept, "rows are identical to an earlier row and were kept: GTD extracts without eventid list distinct incidents"),
        ];
        quality.notes = notes;
        for (n, text) in counted_notes {
            if n > 0 {
                quality.notes.push(format!("{n} {text}"));
            }
        }
        if let Some(note) = self.dates.note() {
            quality.notes.push(note);
        }
        // The as-of week is cut only when it is incomplete and the data reach into it.
        let as_of_week = self.rules.week_start.week_of(spec.as_of);
        let as_of_week_cut =
            self.last_complete < as_of_week && self.coverage_end.is_some_and(|e| e >= as_of_week);
        if !spec.include_incomplete && as_of_week_cut {
            quality.notes.push(format!(
                "series end with the last complete week (starting {}); the week of --as-of {} is incomplete and left out",
                self.last_complete, spec.as_of
            ));
        }
        quality.notes.extend(cut_note);
        self.out.quality = quality;
        let mut firsts: Vec<(String, NaiveDate)> = self.top_level_first.into_iter().collect();
        firsts.sort();
        self.out.top_level_first = firsts;
        self.out
    }
}

impl Validator<'_> {
    /// When the data end before the last day of their last week (and before the week of
    /// --as-of, which has its own rule), that week is incomplete: its cells are dropped and
    /// counted as excluded, unless --include-incomplete. Weekly counts dated by week start
    /// are complete weeks. Returns the note saying so.
    pub(super) fn cut_incomplete_last_week(&mut self) -> Option<String> {
        let spec = self.rules.spec;
        let end = self.coverage_end?;
        let ws = self.rules.week_start;
        let week = ws.week_of(end);
        let last_day = week + chrono::Days::new(6);
        if spec.include_incomplete || end >= last_day || week > self.out.last_week {
            return None;
        }
        let out = &mut self.out;
        // Weekly counts dated by their week's first day (every date a week start, over more
        // than one week): the last date stands for a whole week.
        let weekly =
            out.date.iter().all(|&d| ws.week_of(d) == d) && out.date.iter().any(|&d| d != end);
        if weekly {
            return None;
        }
        let keep: Vec<bool> = out.date.iter().map(|&d| ws.week_of(d) < week).collect();
        let dropped: u64 = out
            .rows
            .iter()
            .zip(&keep)
            .filter(|(_, k)| !**k)
            .map(|(r, _)| r)
            .sum();
        fn retain<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        retain(&mut out.region, &keep);
        retain(&mut out.date, &keep);
        retain(&mut out.kind, &keep);
        retain(&mut out.rows, &keep);
        retain(&mut out.events, &keep);
        if let Some(f) = out.fatalities.as_mut() {
            retain(f, &keep);
        }
        if let Some(w) = out.weight.as_mut() {
            retain(w, &keep);
        }
        out.details.retain(|d| ws.week_of(d.date) < week);
        out.last_week = week - chrono::Days::new(7);
        let reason = format!("in the incomplete last week of the data (week starting {week})");
        out.quality.exclude_many(reason, dropped);
        Some(format!(
            "the data end on {} {end}, before the end of their last week ({week} to {last_day}): that week is incomplete and left out ({dropped} rows); the series end with the week starting {}; --include-incomplete keeps it",
            end.format("%a"),
            out.last_week
        ))
    }
}
