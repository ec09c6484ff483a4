//! The cluster layer: each space-time cluster's circle, drawn as the points at its radius
//! along bearings 0–360° (computed on the sphere by the caller, not a circle in pixels),
//! projected and clipped to the map rectangle.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::clip::clip_ring_outline;
use super::extent::Layout;
use super::MapSpec;
use crate::render::de;
use crate::render::style;

/// The circles' outlines in pixels, clipped to the map.
pub(super) fn outlines(spec: &MapSpec, layout: &Layout) -> Vec<Vec<(f64, f64)>> {
    spec.circles
        .iter()
        .flat_map(|c| {
            let ring: Vec<(f64, f64)> = c
                .ring
                .iter()
                .map(|&(lon, lat)| {
                    layout
                        .projection
                        .project((layout.projection.wrap(lon), lat))
                })
                .collect();
            clip_ring_outline(&ring, &layout.map)
        })
        .collect()
}

/// Draws the outlines in the alarm colour, two pixels wide.
pub(super) fn draw_circles<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    outlines: &[Vec<(f64, f64)>],
) -> Result<(), String> {
    for line in outlines {
        let pixels: Vec<(i32, i32)> = line
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        root.draw(&PathElement::new(pixels, style::FLAGGED.stroke_width(2)))
            .map_err(de)?;
    }
    Ok(())
}
