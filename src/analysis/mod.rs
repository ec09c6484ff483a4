//! Analyses beyond the detectors, on the validated incidents.

pub mod drivers;
