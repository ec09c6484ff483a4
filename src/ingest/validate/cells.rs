//! The (region, day, event type) cells that kept rows are summed into, filled on a thread of
//! their own: the validator hands over each batch's kept rows, in file order, and goes on
//! judging the next batch while they are summed. The sums are made in the same order as on
//! the validator's own thread, so they are the same numbers (a float sum depends on its
//! order), and the cells come in the order of their first kept row, as before.
//!
//! On data that spread over many regions and days, most kept rows open a cell of their own,
//! so finding a row's cell misses the cache: it was a fifth of a 1M-row load's time, all of
//! it on the validator's thread.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use chrono::NaiveDate;

use super::super::FastMap;

/// A kept row, as its cell needs it.
#[derive(Debug, Clone, Copy)]
pub(in crate::ingest) struct KeptRow {
    pub(super) region: u32,
    pub(super) kind: u32,
    pub(super) date: NaiveDate,
    pub(super) events: f64,
    pub(super) fatalities: f64,
    pub(super) weight: f64,
}

/// The cells, as columns in the order of their first kept row.
#[derive(Debug, Default)]
pub(in crate::ingest) struct CellTable {
    index: FastMap<(u32, NaiveDate, u32), u32>,
    pub(super) region: Vec<u32>,
    pub(super) date: Vec<NaiveDate>,
    pub(super) kind: Vec<u32>,
    pub(super) rows: Vec<u64>,
    pub(super) events: Vec<f64>,
    pub(super) fatalities: Option<Vec<f64>>,
    pub(super) weight: Option<Vec<f64>>,
}

impl CellTable {
    fn new(fatalities: bool, weight: bool) -> Self {
        CellTable {
            fatalities: fatalities.then(Vec::new),
            weight: weight.then(Vec::new),
            ..Default::default()
        }
    }

    /// Adds kept rows to their cells, in order.
    fn add(&mut self, rows: &[KeptRow]) {
        for row in rows {
            let next = self.region.len() as u32;
            let i = *self
                .index
                .entry((row.region, row.date, row.kind))
                .or_insert(next) as usize;
            if i == self.region.len() {
                self.region.push(row.region);
                self.date.push(row.date);
                self.kind.push(row.kind);
                self.rows.push(0);
                self.events.push(0.0);
                if let Some(f) = self.fatalities.as_mut() {
                    f.push(0.0);
                }
                if let Some(w) = self.weight.as_mut() {
                    w.push(0.0);
                }
            }
            self.rows[i] += 1;
            self.events[i] += row.events;
            if let Some(f) = self.fatalities.as_mut() {
                f[i] += row.fatalities;
            }
            if let Some(w) = self.weight.as_mut() {
                w[i] += row.weight;
            }
        }
    }
}

/// Where the summing happens.
enum Adder {
    /// On its own thread, fed batch by batch; emptied buffers come back to be filled again.
    Thread {
        tx: SyncSender<Vec<KeptRow>>,
        spare: Receiver<Vec<KeptRow>>,
        worker: JoinHandle<CellTable>,
    },
    /// Here, where no thread could be started.
    Inline(CellTable),
}

/// Takes kept rows and sums them into cells, a batch at a time.
pub(in crate::ingest) struct CellSink {
    pending: Vec<KeptRow>,
    adder: Option<Adder>,
    fatalities: bool,
    weight: bool,
}

impl CellSink {
    /// A sink for cells with (or without) fatality and weight sums.
    pub(super) fn new(fatalities: bool, weight: bool) -> Self {
        CellSink {
            pending: Vec::new(),
            adder: None,
            fatalities,
            weight,
        }
    }

    /// A kept row, summed at the next [`Self::flush`].
    pub(super) fn push(&mut self, row: KeptRow) {
        self.pending.push(row);
    }

    /// Hands the rows pushed since the last flush over to be summed.
    pub(super) fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let (fatalities, weight) = (self.fatalities, self.weight);
        let adder = self.adder.get_or_insert_with(|| start(fatalities, weight));
        match adder {
            Adder::Thread { tx, spare, .. } => {
                let next = spare.try_recv().unwrap_or_default();
                let rows = std::mem::replace(&mut self.pending, next);
                // A closed channel means the thread is gone (it panicked): its join in
                // `finish` reports that.
                let _ = tx.send(rows);
            }
            Adder::Inline(table) => {
                table.add(&self.pending);
                self.pending.clear();
            }
        }
    }

    /// Every cell, once the rows handed over are summed.
    ///
    /// # Errors
    /// The summing thread failed (a panic, reported rather than passed on).
    pub(super) fn finish(mut self) -> std::result::Result<CellTable, String> {
        self.flush();
        match self.adder.take() {
            None => Ok(CellTable::new(self.fatalities, self.weight)),
            Some(Adder::Inline(mut table)) => {
                table.index = FastMap::default();
                Ok(table)
            }
            Some(Adder::Thread { tx, worker, .. }) => {
                drop(tx);
                worker
                    .join()
                    .map_err(|_| "the thread summing kept rows into cells failed".to_string())
            }
        }
    }
}

/// The summing thread, or the inline adder where no thread can be started.
fn start(fatalities: bool, weight: bool) -> Adder {
    let (tx, rx) = sync_channel::<Vec<KeptRow>>(2);
    let (spare_tx, spare) = sync_channel::<Vec<KeptRow>>(2);
    let worker = std::thread::Builder::new()
        .name("uptick-cells".into())
        .spawn(move || {
            let mut table = CellTable::new(fatalities, weight);
            for mut rows in rx {
                table.add(&rows);
                rows.clear();
                let _ = spare_tx.try_send(rows);
            }
            table.index = FastMap::default();
            table
        });
    match worker {
        Ok(worker) => Adder::Thread { tx, spare, worker },
        Err(_) => Adder::Inline(CellTable::new(fatalities, weight)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(region: u32, day: u32, kind: u32, events: f64) -> KeptRow {
        KeptRow {
            region,
            kind,
            date: NaiveDate::from_ymd_opt(2024, 1, day).unwrap(),
            events,
            fatalities: events * 2.0,
            weight: 0.5,
        }
    }

    #[test]
    fn rows_sum_into_cells_in_order_of_their_first_row_across_flushes() {
        let rows = [
            row(1, 3, 0, 1.0),
            row(0, 3, 0, 2.0),
            row(1, 3, 0, 0.1),
            row(1, 3, 1, 1.0),
            row(0, 3, 0, 0.2),
            row(1, 3, 0, 0.2),
        ];
        for split in 0..=rows.len() {
            let mut sink = CellSink::new(true, true);
            for r in &rows[..split] {
                sink.push(*r);
            }
            sink.flush();
            for r in &rows[split..] {
                sink.push(*r);
            }
            let t = sink.finish().unwrap();
            assert_eq!(t.region, vec![1, 0, 1]);
            assert_eq!(t.kind, vec![0, 0, 1]);
            assert_eq!(t.rows, vec![3, 2, 1]);
            // The same float sums as adding in file order.
            assert_eq!(t.events, vec![1.0 + 0.1 + 0.2, 2.0 + 0.2, 1.0]);
            assert_eq!(t.fatalities.unwrap(), vec![2.0 + 0.2 + 0.4, 4.0 + 0.4, 2.0]);
            assert_eq!(t.weight.unwrap(), vec![1.5, 1.0, 0.5]);
            assert!(t.index.is_empty(), "the index is freed");
        }
    }

    #[test]
    fn no_rows_no_cells() {
        let t = CellSink::new(false, false).finish().unwrap();
        assert!(t.region.is_empty() && t.fatalities.is_none() && t.weight.is_none());
    }
}
