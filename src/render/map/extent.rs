//! What the map shows and where it lands on the page: the events' extent in degrees, the
//! antimeridian wrap, the projection, and the page layout around the map rectangle.
//!
//! Projection: equirectangular (plate carrée) with longitude scaled by the cosine of the
//! middle latitude of the events, so shapes near that latitude keep their proportions; the
//! scale is the same on both axes (no stretching). Fine for the country-sized windows the
//! map is made for; at continental spans the far north and south look too wide.
//!
//! Extent: the events' bounding box, padded by [`PAD_FRACTION`] on every side, at least
//! [`MIN_SPAN_DEG`] on each axis, latitude within ±[`MAX_LAT`]; then widened on one axis to
//! the shape of the map area. Events that straddle the antimeridian (179.5 and -179.5) are
//! mapped on the longitude wrap that gives the narrower window (negative longitudes shifted
//! by +360), and country outlines are drawn shifted by ±360 where that brings them into it.

use super::pixels::Rect;
use super::MapSpec;
use crate::render::style;
use crate::render::world::{self, LonLat};

/// Height of the title block.
pub(super) const HEADER: u32 = 70;
/// Height of the legend block under the map.
pub(super) const FOOTER: u32 = 74;
/// Space left and right of the map.
pub(super) const MARGIN: u32 = 16;
/// Map area height limits: the height follows the extent's shape between these.
const MAP_MIN_HEIGHT: u32 = 440;
pub(super) const MAP_MAX_HEIGHT: u32 = 616;
/// Padding around the events' bounding box, as a fraction of its span on each side.
const PAD_FRACTION: f64 = 0.08;
/// Smallest window on each axis in degrees (about 165 km of latitude): a single event, or
/// all events at one place, get this much around them.
const MIN_SPAN_DEG: f64 = 1.5;
/// The map never shows latitudes beyond this (the projection's scale runs away at the poles).
const MAX_LAT: f64 = 85.0;

/// A window in degrees. Longitudes may run past ±180 when the window straddles the
/// antimeridian (then `lon_max` > 180).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Extent {
    lon_min: f64,
    lon_max: f64,
    lat_min: f64,
    lat_max: f64,
}

impl Extent {
    fn lon_centre(&self) -> f64 {
        (self.lon_min + self.lon_max) / 2.0
    }
    fn lat_centre(&self) -> f64 {
        (self.lat_min + self.lat_max) / 2.0
    }
    fn lon_span(&self) -> f64 {
        self.lon_max - self.lon_min
    }
    fn lat_span(&self) -> f64 {
        self.lat_max - self.lat_min
    }
}

/// Equirectangular projection onto the map rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Projection {
    /// Longitude and latitude at the rectangle's centre.
    lon_centre: f64,
    lat_centre: f64,
    /// Pixels per degree of latitude; a degree of longitude is `cos(lat_centre)` of that.
    pub(super) px_per_deg: f64,
    /// Cosine of the middle latitude.
    cos_lat: f64,
    /// The rectangle's centre in pixels.
    x_centre: f64,
    y_centre: f64,
}

impl Projection {
    pub(super) fn project(&self, (lon, lat): LonLat) -> (f64, f64) {
        (
            self.x_centre + (lon - self.lon_centre) * self.cos_lat * self.px_per_deg,
            self.y_centre - (lat - self.lat_centre) * self.px_per_deg,
        )
    }
    fn unproject(&self, (x, y): (f64, f64)) -> LonLat {
        (
            self.lon_centre + (x - self.x_centre) / (self.cos_lat * self.px_per_deg),
            self.lat_centre - (y - self.y_centre) / self.px_per_deg,
        )
    }
    /// The longitude equivalent to `lon` (±360) nearest the map's centre.
    pub(super) fn wrap(&self, lon: f64) -> f64 {
        lon + 360.0 * ((self.lon_centre - lon) / 360.0).round()
    }
}

/// Image size, map rectangle and projection for a spec.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Layout {
    pub(super) size: (u32, u32),
    pub(super) map: Rect,
    pub(super) projection: Projection,
    /// What the map rectangle shows, in degrees.
    pub(super) view: Extent,
}

/// Whether a position is on the globe.
pub(super) fn valid(lon: f64, lat: f64) -> bool {
    lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0
}

/// The positions of the events that can be drawn, and of the clusters' circles.
pub(super) fn positions(spec: &MapSpec) -> Vec<LonLat> {
    spec.points
        .iter()
        .map(|p| (p.lon, p.lat))
        .chain(spec.circles.iter().flat_map(|c| c.ring.iter().copied()))
        .filter(|&(lon, lat)| valid(lon, lat))
        .collect()
}

/// The window to show: see the module documentation. `None` when there are no positions.
pub(super) fn data_extent(positions: &[LonLat]) -> Option<Extent> {
    let (&(_, lat0), _) = positions.split_first()?;
    let fold = |shift: bool| {
        positions
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &(lon, _)| {
                let lon = if shift && lon < 0.0 { lon + 360.0 } else { lon };
                (lo.min(lon), hi.max(lon))
            })
    };
    let plain = fold(false);
    let shifted = fold(true);
    let (lon_lo, lon_hi) = if shifted.1 - shifted.0 < plain.1 - plain.0 {
        shifted
    } else {
        plain
    };
    let (lat_lo, lat_hi) = positions.iter().fold((lat0, lat0), |(lo, hi), &(_, lat)| {
        (lo.min(lat), hi.max(lat))
    });
    let pad = |lo: f64, hi: f64| {
        let span = ((hi - lo) * (1.0 + 2.0 * PAD_FRACTION)).max(MIN_SPAN_DEG);
        let centre = (lo + hi) / 2.0;
        (centre - span / 2.0, centre + span / 2.0)
    };
    let (mut lon_min, mut lon_max) = pad(lon_lo, lon_hi);
    if lon_max - lon_min > 360.0 {
        let centre = (lon_min + lon_max) / 2.0;
        (lon_min, lon_max) = (centre - 180.0, centre + 180.0);
    }
    let (lat_lo, lat_hi) = (
        lat_lo.clamp(-MAX_LAT, MAX_LAT),
        lat_hi.clamp(-MAX_LAT, MAX_LAT),
    );
    let (mut lat_min, mut lat_max) = pad(lat_lo, lat_hi);
    // Slide a window that pokes past the limit back inside; cut it if it is still too tall.
    if lat_max > MAX_LAT {
        lat_min -= lat_max - MAX_LAT;
        lat_max = MAX_LAT;
    }
    if lat_min < -MAX_LAT {
        lat_max = (lat_max + (-MAX_LAT - lat_min)).min(MAX_LAT);
        lat_min = -MAX_LAT;
    }
    Some(Extent {
        lon_min,
        lon_max,
        lat_min,
        lat_max,
    })
}

/// Lays the map out: the height follows the extent's shape within limits, and the extent
/// grows on one axis to fill the rectangle at one scale.
pub(super) fn layout(extent: &Extent) -> Layout {
    let cos_lat = extent.lat_centre().to_radians().cos().max(0.05);
    let width_deg = (extent.lon_span() * cos_lat).max(1e-9);
    let height_deg = extent.lat_span().max(1e-9);
    let map_w = f64::from(style::WIDE - 2 * MARGIN);
    let map_h = (map_w * height_deg / width_deg)
        .round()
        .clamp(f64::from(MAP_MIN_HEIGHT), f64::from(MAP_MAX_HEIGHT));
    let px_per_deg = (map_w / width_deg).min(map_h / height_deg);
    let map = Rect {
        left: f64::from(MARGIN),
        top: f64::from(HEADER),
        right: f64::from(MARGIN) + map_w,
        bottom: f64::from(HEADER) + map_h,
    };
    let projection = Projection {
        lon_centre: extent.lon_centre(),
        lat_centre: extent.lat_centre(),
        px_per_deg,
        cos_lat,
        x_centre: (map.left + map.right) / 2.0,
        y_centre: (map.top + map.bottom) / 2.0,
    };
    let (lon_min, lat_max) = projection.unproject((map.left, map.top));
    let (lon_max, lat_min) = projection.unproject((map.right, map.bottom));
    Layout {
        size: (style::WIDE, HEADER + map_h as u32 + FOOTER),
        map,
        projection,
        view: Extent {
            lon_min,
            lon_max,
            lat_min,
            lat_max,
        },
    }
}

/// Longitude shifts (of -360, 0, +360) that bring a bounding box into the view.
pub(super) fn shifts_into(bbox: &world::BBox, view: &Extent) -> impl Iterator<Item = f64> {
    let bbox = *bbox;
    let view = *view;
    [-360.0, 0.0, 360.0].into_iter().filter(move |shift| {
        bbox.lon_max + shift >= view.lon_min
            && bbox.lon_min + shift <= view.lon_max
            && bbox.lat_max >= view.lat_min
            && bbox.lat_min <= view.lat_max
    })
}

/// A ring in pixels, its longitudes shifted by `shift` degrees first.
pub(super) fn project_ring(
    ring: &[LonLat],
    shift: f64,
    projection: &Projection,
) -> Vec<(f64, f64)> {
    ring.iter()
        .map(|&(lon, lat)| projection.project((lon + shift, lat)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_across_the_antimeridian_takes_the_short_way_round() {
        let e = data_extent(&[(179.5, 10.0), (-179.5, 11.0)]).expect("two points");
        assert!(e.lon_span() < 5.0, "{e:?}");
        assert!(e.lon_min < 180.0 && e.lon_max > 180.0, "{e:?}");
        assert!(e.lat_min < 10.0 && e.lat_max > 11.0, "{e:?}");
        // Events on either side of Greenwich stay unwrapped; events far apart on either
        // side of the antimeridian are mapped across it.
        let plain = data_extent(&[(-60.0, 10.0), (60.0, 11.0)]).expect("two points");
        assert!(plain.lon_min < -60.0 && plain.lon_max > 60.0, "{plain:?}");
        assert!(plain.lon_span() < 150.0, "{plain:?}");
        let across = data_extent(&[(-100.0, 10.0), (100.0, 11.0)]).expect("two points");
        assert!((across.lon_centre() - 180.0).abs() < 1e-9, "{across:?}");
        assert!(across.lon_span() < 200.0, "{across:?}");
        // Fiji's outlines (cut at ±180) come into view from both sides of the antimeridian.
        let near_fiji = data_extent(&[(178.0, -17.5), (-179.8, -16.5)]).expect("two points");
        let layout = layout(&near_fiji);
        let fiji = world::countries()
            .expect("outlines decode")
            .iter()
            .find(|c| c.name == "Fiji")
            .expect("Fiji is in the data");
        let shifts: Vec<f64> = fiji
            .polygons
            .iter()
            .flat_map(|p| shifts_into(&p.bbox, &layout.view))
            .collect();
        assert!(
            shifts.contains(&0.0) && shifts.contains(&360.0),
            "{shifts:?}"
        );
    }

    #[test]
    fn a_single_point_gets_a_window_of_at_least_the_minimum_span_around_it() {
        let e = data_extent(&[(36.3, 33.5)]).expect("one point");
        assert!(e.lon_span() >= MIN_SPAN_DEG - 1e-9, "{e:?}");
        assert!(e.lat_span() >= MIN_SPAN_DEG - 1e-9, "{e:?}");
        assert!(e.lon_min < 36.3 && 36.3 < e.lon_max, "{e:?}");
        assert!(e.lat_min < 33.5 && 33.5 < e.lat_max, "{e:?}");
        // Near the pole the window slides south rather than past the limit.
        let e = data_extent(&[(10.0, 89.0)]).expect("one point");
        assert!(
            e.lat_max <= MAX_LAT && e.lat_span() >= MIN_SPAN_DEG - 1e-9,
            "{e:?}"
        );
        // The layout keeps the scale equal on both axes and covers the extent.
        let e = data_extent(&[(35.7, 32.3), (42.4, 37.3)]).expect("two points");
        let l = layout(&e);
        assert!(l.view.lon_min <= e.lon_min + 1e-9 && l.view.lon_max >= e.lon_max - 1e-9);
        assert!(l.view.lat_min <= e.lat_min + 1e-9 && l.view.lat_max >= e.lat_max - 1e-9);
        let (x0, y0) = l.projection.project((36.0, 33.0));
        let (x1, y1) = l.projection.project((37.0, 34.0));
        let ratio = (x1 - x0) / (y0 - y1);
        assert!((ratio - l.projection.cos_lat).abs() < 1e-9, "{ratio}");
    }
}
