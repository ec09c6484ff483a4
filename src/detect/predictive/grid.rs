//! The dispersion grid of [`Predictive::from_baseline`](super::Predictive::from_baseline),
//! remembered per thread.
//!
//! Everything on the grid except the likelihood of the baseline's own values depends only on
//! the number of baseline weeks B and their total S: the grid points k (k_max follows the
//! mean S/B), the prior, ln B(Bk − ½, S + ½) and each point's beta–negative-binomial
//! component. A report judges some sixty weeks of each of a thousand regions, and their
//! baselines share far fewer (B, S) pairs than that, so each pair's grid is computed once.
//! The likelihood's ln Γ(y + k) is remembered too, for the whole counts below
//! [`REMEMBERED_COUNTS`].
//!
//! Every remembered value is the result of the same expression on the same arguments as
//! computing it afresh, so the predictive is the same to the last bit (tested in
//! `predictive`'s tests against a grid built without memory).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::{Component, DISPERSION_PRIOR_SCALE, GRID, JEFFREYS};
use crate::stats::ln_gamma;

/// Whole counts below this have their ln Γ(y + k) remembered (larger ones are computed).
const REMEMBERED_COUNTS: usize = 256;
/// Past this many remembered values per thread (8 bytes each), the memory starts afresh.
const MEMORY_VALUES: usize = 1 << 21;

/// One point of the grid, for a given (B, S).
#[derive(Debug, Clone, Copy)]
pub(super) struct Point {
    pub k: f64,
    pub ln_gamma_k: f64,
    /// ln prior(k) + ½ ln k, added in that order (the first two terms of ln w).
    pub prior: f64,
    /// ln B(Bk − ½, S + ½).
    pub ln_beta_ab: f64,
    /// The point's component, with weight 0.
    pub component: Component,
}

/// The grid for one (B, S).
#[derive(Debug)]
pub(super) struct Frame {
    pub points: Vec<Point>,
    /// ln Γ(y + k_g) at `[g * width + y]` for whole y < width; NaN until first asked.
    ln_gamma_yk: RefCell<Vec<f64>>,
    width: usize,
}

impl Frame {
    fn new(n: usize, sum: f64, width: usize) -> Frame {
        let n = n as f64;
        let mean = sum / n;
        let k_min = 1.0 / n;
        let k_max = 1e4 * mean.max(1.0);
        let step = (k_max / k_min).ln() / (GRID - 1) as f64;
        let b = sum + JEFFREYS;
        let ln_gamma_b = ln_gamma(b);
        let points = (0..GRID)
            .map(|g| {
                let k = k_min * (step * g as f64).exp();
                let u = 1.0 / (k.sqrt() * DISPERSION_PRIOR_SCALE);
                // Half-Cauchy on 1/√k, as a density over ln k (the grid's measure).
                let ln_prior = u.ln() - (u * u).ln_1p();
                let a = n * k - JEFFREYS;
                // ln B(a, b) in `stats::ln_beta`'s order, with ln Γ(b) shared by the grid.
                let ln_beta_ab = ln_gamma(a) + ln_gamma_b - ln_gamma(a + b);
                Point {
                    k,
                    ln_gamma_k: ln_gamma(k),
                    prior: ln_prior + JEFFREYS * k.ln(),
                    ln_beta_ab,
                    component: Component::new(0.0, k, a, b, ln_beta_ab, ln_gamma_b),
                }
            })
            .collect();
        Frame {
            points,
            ln_gamma_yk: RefCell::new(vec![f64::NAN; GRID * width]),
            width,
        }
    }

    /// ln Γ(y + k) at grid point `g`.
    pub fn ln_gamma_plus_k(&self, g: usize, y: f64) -> f64 {
        let k = self.points[g].k;
        if !(y >= 0.0 && y.fract() == 0.0 && y < self.width as f64) {
            return ln_gamma(y + k);
        }
        let i = g * self.width + y as usize;
        let mut table = self.ln_gamma_yk.borrow_mut();
        if table[i].is_nan() {
            table[i] = ln_gamma(y + k);
        }
        table[i]
    }
}

#[derive(Default)]
struct Memory {
    frames: HashMap<(usize, u64), Rc<Frame>>,
    values: Cell<usize>,
}

thread_local! {
    static MEMORY: RefCell<Memory> = RefCell::new(Memory::default());
}

/// The grid for a baseline of `n` weeks totalling `sum` whose largest value is `largest`.
pub(super) fn frame(n: usize, sum: f64, largest: f64) -> Rc<Frame> {
    let key = (n, sum.to_bits());
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(f) = m.frames.get(&key) {
            return Rc::clone(f);
        }
        // Room for the counts of this baseline (later baselines with the same (B, S) and
        // larger counts compute those directly).
        let width = if largest >= 0.0 {
            (largest.min(REMEMBERED_COUNTS as f64) as usize + 1).min(REMEMBERED_COUNTS)
        } else {
            0
        };
        let size = GRID * (width + 8);
        if m.values.get() + size > MEMORY_VALUES {
            m.frames.clear();
            m.values.set(0);
        }
        m.values.set(m.values.get() + size);
        let f = Rc::new(Frame::new(n, sum, width));
        m.frames.insert(key, Rc::clone(&f));
        f
    })
}

/// A grid built afresh, remembering nothing (for tests).
#[cfg(test)]
pub(super) fn fresh(n: usize, sum: f64) -> Frame {
    Frame::new(n, sum, 0)
}
