//! Analyses beyond the detectors, on the validated incidents: what drove each alert
//! ([`drivers`], by event type, actor and sub-region, through [`breakdown`]), the notable
//! events behind it ([`notable`]) and the points of the event map ([`map`]).

/// An alarming region as the analyses need it: its index in the incidents' regions, display
/// name and expected count this week.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRegion {
    /// Index into [`crate::ingest::Incidents::regions`].
    pub id: u32,
    /// Display name.
    pub name: String,
    /// Expected count this week (0 where the method gives none).
    pub expected: f64,
}

pub mod breakdown;
pub mod drivers;
pub mod map;
pub mod notable;
