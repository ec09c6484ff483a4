//! The event layer: one dot per event, its area growing with fatalities up to a cap; other
//! events first, alarm events on top, semi-transparent so overlaps show density.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::extent::{valid, Layout};
use super::pixels::Rect;
use super::MapSpec;
use crate::render::de;
use crate::render::style::{self, OTHER_EVENTS};

/// Dot radius in pixels: `BASE + PER_ROOT * sqrt(fatalities)` (area grows with fatalities),
/// at most `MAX`, so a massacre does not hide the map.
const DOT_BASE_RADIUS: f64 = 2.5;
const DOT_RADIUS_PER_ROOT: f64 = 1.6;
const DOT_MAX_RADIUS: f64 = 14.0;
/// Fill opacity of the dots (overlaps show density).
pub(super) const OTHER_OPACITY: f64 = 0.40;
pub(super) const ALARM_OPACITY: f64 = 0.50;
/// Outline opacity of the other events' dots (alarm dots have a solid outline).
pub(super) const OTHER_OUTLINE_OPACITY: f64 = 0.7;

/// Above this many events, dots shrink (area inversely with the count) so that a crowded map
/// still shows where events cluster rather than one blot.
const CROWD: f64 = 1500.0;
/// Dots shrink to no less than this share of their radius.
const MIN_CROWD_SCALE: f64 = 0.45;

/// The radius factor for a map of `n` events: 1 up to [`CROWD`] events, then
/// sqrt(CROWD / n), at least [`MIN_CROWD_SCALE`]. The legend's dots use the same factor.
pub(super) fn crowd_scale(n: usize) -> f64 {
    (CROWD / (n.max(1) as f64))
        .sqrt()
        .clamp(MIN_CROWD_SCALE, 1.0)
}

/// Dot radius in pixels for an event's fatalities, before the crowd factor.
pub(super) fn dot_radius(fatalities: f64) -> f64 {
    let f = if fatalities.is_finite() {
        fatalities.max(0.0)
    } else {
        0.0
    };
    (DOT_BASE_RADIUS + DOT_RADIUS_PER_ROOT * f.sqrt()).min(DOT_MAX_RADIUS)
}

/// One event's dot in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Dot {
    alarm: bool,
    radius: f64,
    centre: (f64, f64),
}

impl Dot {
    pub(super) fn bounds(&self) -> Rect {
        Rect::centred(
            self.centre.0,
            self.centre.1,
            2.0 * self.radius,
            2.0 * self.radius,
        )
    }
}

/// The events' dots in drawing order: other events, then alarm events on top; larger dots
/// first within each, so small ones stay visible (the sort is stable: input order among
/// equals). Events off the map rectangle are left out.
pub(super) fn dots(spec: &MapSpec, layout: &Layout) -> Vec<Dot> {
    let scale = crowd_scale(spec.points.len());
    let mut dots: Vec<Dot> = spec
        .points
        .iter()
        .filter(|p| valid(p.lon, p.lat))
        .map(|p| Dot {
            alarm: p.alarm,
            radius: scale * dot_radius(p.fatalities),
            centre: layout
                .projection
                .project((layout.projection.wrap(p.lon), p.lat)),
        })
        .filter(|d| layout.map.contains(d.centre))
        .collect();
    dots.sort_by(|a, b| a.alarm.cmp(&b.alarm).then(b.radius.total_cmp(&a.radius)));
    dots
}

/// The dots, in the order given: semi-transparent fill and a thin outline (solid for alarm
/// events), so overlaps show density.
pub(super) fn draw_dots<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    dots: &[Dot],
) -> Result<(), String> {
    for dot in dots {
        let centre = (dot.centre.0.round() as i32, dot.centre.1.round() as i32);
        let r = dot.radius.round() as i32;
        let (fill, outline) = if dot.alarm {
            (style::FLAGGED.mix(ALARM_OPACITY), style::FLAGGED.to_rgba())
        } else {
            (
                OTHER_EVENTS.mix(OTHER_OPACITY),
                OTHER_EVENTS.mix(OTHER_OUTLINE_OPACITY),
            )
        };
        root.draw(&Circle::new(centre, r, fill.filled()))
            .map_err(de)?;
        root.draw(&Circle::new(centre, r, outline.stroke_width(1)))
            .map_err(de)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_area_grows_with_fatalities_up_to_a_cap() {
        assert!((dot_radius(0.0) - DOT_BASE_RADIUS).abs() < 1e-12);
        assert!(dot_radius(10.0) > dot_radius(1.0));
        assert!((dot_radius(1e6) - DOT_MAX_RADIUS).abs() < 1e-12);
        assert!((dot_radius(f64::NAN) - DOT_BASE_RADIUS).abs() < 1e-12);
        assert!((dot_radius(-5.0) - DOT_BASE_RADIUS).abs() < 1e-12);
        assert_eq!(crowd_scale(10), 1.0);
        assert_eq!(crowd_scale(1500), 1.0);
        assert!((crowd_scale(6000) - 0.5).abs() < 1e-12);
        assert_eq!(crowd_scale(1_000_000), MIN_CROWD_SCALE);
    }
}
