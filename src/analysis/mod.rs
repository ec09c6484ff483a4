//! Analyses beyond the detectors, on the validated incidents: what drove each alert
//! ([`drivers`], by event type, actor and sub-region, through [`breakdown`]), the notable
//! events behind it ([`notable`]) and the points of the event map ([`map`]).

pub mod breakdown;
pub mod drivers;
pub mod map;
pub mod notable;
