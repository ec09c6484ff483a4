//! Places on the globe for the scan: coordinates rounded to 4 decimals, great-circle
//! distances, and the points of a circle drawn on a map.
//!
//! Distances are haversine distances on a sphere of the mean Earth radius (6371.0088 km, the
//! IUGG mean radius that georust's `geo` uses for its Haversine measure), written out so that
//! another implementation can reproduce them to the last bit:
//! `a = s(Δφ/2)² + cos φ₁ · cos φ₂ · s(Δλ/2)²` with `s = sin` and each square a product
//! `x * x`, then `d = 2 · R · asin(√a)`.

/// The mean Earth radius in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// `x` rounded to 4 decimals as printing it does (`format!("{x:.4}")` read back): the exact
/// value of the double is rounded, so two implementations agree on which events share a
/// location (`(x * 1e4).round() / 1e4` moves some exact halves to the other side).
pub fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// The great-circle distance in km between two points given in degrees (see the module docs).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians() / 2.0;
    let dl = (lon2 - lon1).to_radians() / 2.0;
    let (sp, sl) = (dp.sin(), dl.sin());
    let a = sp * sp + p1.cos() * p2.cos() * (sl * sl);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// The locations that may lie within `km` of location `i`, as indices into `locations`
/// (sorted by latitude): a latitude band found by bisection and a longitude bound, both
/// widened so that no location within `km` is missed. The distance itself decides; this
/// only spares computing it for locations that cannot be that close.
pub fn within_reach(
    locations: &[(f64, f64)],
    i: usize,
    km: f64,
) -> impl Iterator<Item = usize> + '_ {
    let band = km / EARTH_RADIUS_KM;
    let band_deg = band.to_degrees() * (1.0 + 1e-9) + 1e-9;
    let (lat, lon) = locations[i];
    let lo = locations.partition_point(|l| l.0 < lat - band_deg);
    let hi = locations.partition_point(|l| l.0 <= lat + band_deg);
    let cos_max = (lat.abs() + band_deg).min(90.0).to_radians().cos();
    let lon_deg = if cos_max > 1e-6 && band < 1.0 {
        ((band.sin() / cos_max).min(1.0).asin().to_degrees()) * (1.0 + 1e-9) + 1e-9
    } else {
        360.0
    };
    (lo..hi).filter(move |&j| {
        let dl = (locations[j].1 - lon).abs();
        dl.min(360.0 - dl) <= lon_deg
    })
}

/// The point `km` away from (`lat`, `lon`) along the initial bearing `bearing_deg` (clockwise
/// from north), in degrees: the spherical destination formula, for drawing a circle of that
/// radius as the points along bearings 0–360°.
pub fn destination(lat: f64, lon: f64, bearing_deg: f64, km: f64) -> (f64, f64) {
    let d = km / EARTH_RADIUS_KM;
    let (p1, l1, b) = (lat.to_radians(), lon.to_radians(), bearing_deg.to_radians());
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * b.cos()).asin();
    let l2 = l1 + (b.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    let lon2 = (l2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0;
    (p2.to_degrees(), lon2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_that_of_printing() {
        // 36.69565 is stored just above the half, 38.98215 just below; multiplying by 1e4
        // makes the second an exact half, which rounds up.
        assert_eq!(round4(36.69565), 36.6957);
        assert_eq!(round4(38.98215), 38.9821);
        assert_ne!((38.98215f64 * 1e4).round() / 1e4, 38.9821);
        assert_eq!(round4(-0.00004), -0.0);
        assert_eq!(round4(40.0), 40.0);
    }

    #[test]
    fn distances_match_known_values() {
        // One degree of latitude on the mean sphere: 2πR/360.
        let deg = std::f64::consts::PI * EARTH_RADIUS_KM / 180.0;
        assert!((haversine_km(0.0, 0.0, 1.0, 0.0) - deg).abs() < 1e-9);
        assert_eq!(haversine_km(36.5, 40.1, 36.5, 40.1), 0.0);
        // Tall Abyad to Ras al Ayn, about 100 km apart along the Turkish border.
        let d = haversine_km(36.6975, 38.9566, 36.8503, 40.0706);
        assert!((d - 100.9).abs() < 1.0, "{d}");
        // Symmetric to the last bit.
        assert_eq!(
            haversine_km(36.6975, 38.9566, 36.8503, 40.0706),
            haversine_km(36.8503, 40.0706, 36.6975, 38.9566)
        );
        // Antipodes: half the circumference, not NaN.
        let half = haversine_km(0.0, 0.0, 0.0, 180.0);
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }

    #[test]
    fn a_destination_lies_at_its_distance() {
        for bearing in [0.0, 45.0, 90.0, 180.0, 270.0, 359.0] {
            let (lat, lon) = destination(36.6975, 38.9566, bearing, 38.0);
            let d = haversine_km(36.6975, 38.9566, lat, lon);
            assert!((d - 38.0).abs() < 1e-6, "{bearing}: {d}");
        }
        let (_, lon) = destination(0.0, 179.9, 90.0, 50.0);
        assert!(lon < -179.0, "wraps the antimeridian: {lon}");
    }
}
