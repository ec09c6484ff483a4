//! The land layer: sea, then every country's land, then all borders and coastlines over all
//! land. Outlines are projected, shifted by ±360° where that brings them into view (see
//! [`super::extent`]), clipped to the map rectangle and rounded to pixels.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::clip::{clip_polygon, clip_ring_outline};
use super::extent::{project_ring, shifts_into, Layout};
use super::pixels::to_pixels;
use crate::render::de;
use crate::render::style::{BORDER, LAND, SEA};
use crate::render::world::{Country, LonLat};

/// Projected, clipped land and border shapes of the countries in view.
struct Shapes {
    land: Vec<Vec<(i32, i32)>>,
    borders: Vec<Vec<(i32, i32)>>,
}

/// The land and border shapes of the countries in view, in pixels, clipped to the map.
fn shapes(countries: &[Country], layout: &Layout) -> Shapes {
    let mut land = Vec::new();
    let mut borders = Vec::new();
    let project = |ring: &[LonLat], shift: f64| project_ring(ring, shift, &layout.projection);
    for country in countries {
        for polygon in &country.polygons {
            for shift in shifts_into(&polygon.bbox, &layout.view) {
                let exterior = to_pixels(&clip_polygon(
                    &project(polygon.exterior(), shift),
                    &layout.map,
                ));
                if exterior.len() >= 3 {
                    land.push(exterior);
                }
                for ring in &polygon.rings {
                    for line in clip_ring_outline(&project(ring, shift), &layout.map) {
                        let line = to_pixels(&line);
                        if line.len() > 1 {
                            borders.push(line);
                        }
                    }
                }
            }
        }
    }
    Shapes { land, borders }
}

/// Sea, land, then borders over all land (a neighbour's fill never hides a border).
pub(super) fn draw_land<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    countries: &[Country],
    layout: &Layout,
) -> Result<(), String> {
    root.draw(&Rectangle::new(layout.map.corners(), SEA.filled()))
        .map_err(de)?;
    let shapes = shapes(countries, layout);
    for ring in shapes.land {
        root.draw(&Polygon::new(ring, LAND.filled())).map_err(de)?;
    }
    for line in shapes.borders {
        root.draw(&PathElement::new(line, BORDER.stroke_width(1)))
            .map_err(de)?;
    }
    Ok(())
}
