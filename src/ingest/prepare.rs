//! Column kernels run on a batch before its rows are judged, on several threads: the date,
//! region and event-type columns become dictionaries (each row's index into the batch's
//! distinct values, and the first row holding each value), and event ids become their
//! 128-bit hashes. Conflict data repeat a few thousand dates and regions across millions of
//! rows, so the validator then reads each distinct value once instead of once per row, and
//! its row loop works on integers.
//!
//! A batch arrives as one or more runs of rows (the parser's threads each parse a run);
//! each run is prepared on its own thread, and the runs' dictionaries are merged in row
//! order, so a value's index is the order of its first row in the batch.

use std::hash::Hash;

use polars::prelude::*;
use polars_arrow::array::Utf8ViewArray;
use rayon::prelude::*;

use super::validate::id_hash;
use super::{FastMap, FastSet};
use crate::error::{Error, Result};

/// Each row's index into the distinct values of a column (or tuple of columns).
#[derive(Debug, Default)]
pub(super) struct Dict {
    /// Per row: the index of its value.
    pub(super) keys: Vec<u32>,
    /// Per distinct value, in order of appearance: the first row holding it.
    pub(super) firsts: Vec<u32>,
}

/// A batch's columns as the validator's row loop reads them.
#[derive(Debug, Default)]
pub(super) struct Prepared {
    /// The date column (a single text date column only).
    pub(super) date: Option<Dict>,
    /// The region columns together, raw (untrimmed) values.
    pub(super) region: Dict,
    /// The event-type column.
    pub(super) kind: Option<Dict>,
    /// Per row, the hash of the trimmed event id, or `None` where the id is missing.
    pub(super) id: Option<Vec<Option<u128>>>,
    /// Per row (with `id`): whether this is the first row of the file holding its id
    /// ([`FirstIds::mark`]); `None` until marked.
    pub(super) first: Option<Vec<bool>>,
}

/// Which rows are the first of the file to hold their event id, whatever their fate: the
/// loader marks each batch in file order, on the reader's thread where there is one, so
/// that the validator need remember only the ids whose first row it did not keep (see
/// `Validator::check_duplicates`).
///
/// The ids seen are kept in [`ID_PARTS`] sets, by the top bits of their hash: a batch's ids
/// are sorted into their parts (in file order within each part), and each part is then
/// looked up in one go, in parallel. One set over every id missed the cache at almost every
/// insert (it holds a gigabyte at 50M ids); a part holds a thousandth of it, and grows by
/// copying only itself. An id lives in one part, so a row is first exactly when it was in
/// the single set.
#[derive(Debug)]
pub(super) struct FirstIds {
    parts: Vec<FastSet<u128>>,
    /// Per part, the batch rows holding its ids, in file order (kept to be reused).
    rows: Vec<Vec<u32>>,
}

/// How many parts the set of ids seen is split into.
const ID_PARTS: usize = 1024;

impl Default for FirstIds {
    fn default() -> Self {
        FirstIds {
            parts: (0..ID_PARTS).map(|_| FastSet::default()).collect(),
            rows: vec![Vec::new(); ID_PARTS],
        }
    }
}

/// The part of the set an id hash lives in.
fn id_part(hash: u128) -> usize {
    (hash >> (128 - ID_PARTS.trailing_zeros())) as usize
}

impl FirstIds {
    /// Room for about this many more ids.
    pub(super) fn reserve(&mut self, ids: usize) {
        let each = ids / ID_PARTS;
        for part in &mut self.parts {
            part.reserve(each + each / 16);
        }
    }

    /// Marks the batch's rows (after the batches before it, in file order).
    pub(super) fn mark(&mut self, prepared: &mut Prepared) {
        let Some(ids) = &prepared.id else {
            return;
        };
        for rows in &mut self.rows {
            rows.clear();
        }
        for (row, id) in ids.iter().enumerate() {
            if let Some(h) = id {
                self.rows[id_part(*h)].push(row as u32);
            }
        }
        let firsts: Vec<Vec<bool>> = self
            .parts
            .par_iter_mut()
            .zip(&self.rows)
            .map(|(seen, rows)| {
                rows.iter()
                    .map(|&row| ids[row as usize].is_some_and(|h| seen.insert(h)))
                    .collect()
            })
            .collect();
        let mut first = vec![false; ids.len()];
        for (rows, flags) in self.rows.iter().zip(firsts) {
            for (&row, flag) in rows.iter().zip(flags) {
                first[row as usize] = flag;
            }
        }
        prepared.first = Some(first);
    }
}

/// Which columns the kernels read.
#[derive(Debug, Clone, Default)]
pub(super) struct PrepPlan {
    pub(super) date: Option<String>,
    pub(super) regions: Vec<String>,
    pub(super) kind: Option<String>,
    pub(super) id: Option<String>,
    pub(super) na: Vec<String>,
}

/// One run's columns as single arrays.
struct Run<'a> {
    rows: usize,
    date: Option<&'a Utf8ViewArray>,
    regions: Vec<&'a Utf8ViewArray>,
    kind: Option<&'a Utf8ViewArray>,
    id: Option<&'a Utf8ViewArray>,
}

/// One run's dictionaries, with the values they index (borrowed from the run).
struct RunDicts<'a> {
    date: Option<(Dict, Vec<Option<&'a str>>)>,
    region: (Dict, Vec<Vec<Option<&'a str>>>),
    kind: Option<(Dict, Vec<Option<&'a str>>)>,
    id: Option<Vec<Option<u128>>>,
}

impl PrepPlan {
    /// Prepares the runs of a batch (each run's columns in one chunk each; see
    /// [`single_chunk`]), in parallel, merged in order.
    ///
    /// # Errors
    /// A column is missing or not text.
    pub(super) fn prepare(&self, runs: &[DataFrame]) -> Result<Prepared> {
        let runs: Vec<Run<'_>> = runs.iter().map(|f| self.run(f)).collect::<Result<_>>()?;
        let dicts: Vec<RunDicts<'_>> = runs.par_iter().map(|r| self.dicts(r)).collect();
        let mut out = Prepared::default();
        let mut offset = 0u32;
        let mut date = self.date.as_ref().map(|_| Merge::default());
        let mut kind = self.kind.as_ref().map(|_| Merge::default());
        let mut region = Merge::default();
        let mut ids: Option<Vec<Option<u128>>> = self.id.as_ref().map(|_| Vec::new());
        for (run, d) in runs.iter().zip(dicts) {
            if let (Some(m), Some((dict, values))) = (date.as_mut(), d.date) {
                m.add(dict, values, offset);
            }
            if let (Some(m), Some((dict, values))) = (kind.as_mut(), d.kind) {
                m.add(dict, values, offset);
            }
            region.add(d.region.0, d.region.1, offset);
            if let (Some(all), Some(mut part)) = (ids.as_mut(), d.id) {
                all.append(&mut part);
            }
            offset += run.rows as u32;
        }
        out.date = date.map(|m| m.dict);
        out.kind = kind.map(|m| m.dict);
        out.region = region.dict;
        out.id = ids;
        Ok(out)
    }

    fn run<'a>(&self, frame: &'a DataFrame) -> Result<Run<'a>> {
        let array = |name: &str| -> Result<&'a Utf8ViewArray> {
            let ca = frame
                .column(name)
                .and_then(|c| c.str())
                .map_err(Error::polars(format!("column '{name}' is not text")))?;
            single_chunk(ca).ok_or_else(|| {
                Error::Usage(format!("internal: column '{name}' is not in one chunk"))
            })
        };
        Ok(Run {
            rows: frame.height(),
            date: self.date.as_deref().map(array).transpose()?,
            regions: self
                .regions
                .iter()
                .map(|c| array(c))
                .collect::<Result<_>>()?,
            kind: self.kind.as_deref().map(array).transpose()?,
            id: self.id.as_deref().map(array).transpose()?,
        })
    }

    fn dicts<'a>(&self, run: &Run<'a>) -> RunDicts<'a> {
        let values = |a: &'a Utf8ViewArray| dict_of(run.rows, |row| a.get(row));
        // The tuple of region values: each column's own dictionary first, then the tuple of
        // their indices (packed into one integer for up to four columns).
        let per_column: Vec<(Dict, Vec<Option<&'a str>>)> =
            run.regions.iter().map(|a| values(a)).collect();
        let tuple = if per_column.len() <= 4 {
            dict_of(run.rows, |row| {
                per_column
                    .iter()
                    .fold(0u128, |k, (d, _)| (k << 32) | u128::from(d.keys[row]))
            })
            .0
        } else {
            dict_of(run.rows, |row| {
                per_column
                    .iter()
                    .map(|(d, _)| d.keys[row])
                    .collect::<Vec<u32>>()
            })
            .0
        };
        let tuple_values: Vec<Vec<Option<&'a str>>> = tuple
            .firsts
            .iter()
            .map(|&row| run.regions.iter().map(|a| a.get(row as usize)).collect())
            .collect();
        let na = &self.na;
        RunDicts {
            date: run.date.map(values),
            region: (tuple, tuple_values),
            kind: run.kind.map(values),
            id: run
                .id
                .map(|a| (0..run.rows).map(|row| id_hash(a.get(row), na)).collect()),
        }
    }
}

/// The one array of a column in one chunk.
pub(super) fn single_chunk(ca: &StringChunked) -> Option<&Utf8ViewArray> {
    let mut arrays = ca.downcast_iter();
    match (arrays.next(), arrays.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// A dictionary of `rows` values, in order of appearance, and the values.
fn dict_of<K: Hash + Eq + Clone>(rows: usize, key_of: impl Fn(usize) -> K) -> (Dict, Vec<K>) {
    let mut index: FastMap<K, u32> = FastMap::default();
    let mut dict = Dict {
        keys: Vec::with_capacity(rows),
        firsts: Vec::new(),
    };
    let mut values = Vec::new();
    for row in 0..rows {
        let key = key_of(row);
        let next = dict.firsts.len() as u32;
        let k = *index.entry(key.clone()).or_insert_with(|| {
            dict.firsts.push(row as u32);
            values.push(key);
            next
        });
        dict.keys.push(k);
    }
    (dict, values)
}

/// Runs' dictionaries merged into one over the batch.
struct Merge<K> {
    index: FastMap<K, u32>,
    dict: Dict,
}

impl<K> Default for Merge<K> {
    fn default() -> Self {
        Merge {
            index: FastMap::default(),
            dict: Dict::default(),
        }
    }
}

impl<K: Hash + Eq> Merge<K> {
    /// Adds the next run (its first row is batch row `offset`).
    fn add(&mut self, run: Dict, values: Vec<K>, offset: u32) {
        let remap: Vec<u32> = values
            .into_iter()
            .zip(&run.firsts)
            .map(|(value, &first)| {
                let next = self.dict.firsts.len() as u32;
                *self.index.entry(value).or_insert_with(|| {
                    self.dict.firsts.push(first + offset);
                    next
                })
            })
            .collect();
        if self.dict.keys.is_empty() && remap.iter().enumerate().all(|(i, &k)| k == i as u32) {
            self.dict.keys = run.keys;
        } else {
            self.dict
                .keys
                .extend(run.keys.iter().map(|&k| remap[k as usize]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::validate::hash128;

    #[test]
    fn first_ids_marks_as_one_set_in_file_order_across_batches() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut marks = FirstIds::default();
        let mut seen = std::collections::HashSet::new();
        for batch in 0..20 {
            // Few distinct ids, so that most repeat within and across batches; some missing.
            let ids: Vec<Option<u128>> = (0..rng.gen_range(0..3000))
                .map(|_| (rng.gen_range(0..10) > 0).then(|| hash128(&rng.gen_range(0..5000u32))))
                .collect();
            let expected: Vec<bool> = ids
                .iter()
                .map(|id| id.is_some_and(|h| seen.insert(h)))
                .collect();
            let mut prepared = Prepared {
                id: Some(ids),
                ..Default::default()
            };
            if batch == 3 {
                marks.reserve(100_000);
            }
            marks.mark(&mut prepared);
            assert_eq!(prepared.first, Some(expected), "batch {batch}");
        }
    }
}
