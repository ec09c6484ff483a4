//! World: the vendored country outlines (Natural Earth 1:50m Admin 0, via the `world-atlas`
//! TopoJSON; see `geo/README.md`) decoded into named polygons in longitude/latitude degrees,
//! for the event map ([`super::map`]) to draw.
//!
//! The file is embedded gzip-compressed and decoded once per process, on first use.
//!
//! TopoJSON in brief (<https://github.com/topojson/topojson-specification>): shared borders
//! are stored once as *arcs*, each a list of quantised integer positions where every
//! position after the first is a delta from the one before; a position becomes degrees as
//! `x * scale + translate`. A ring lists arc indices; index `i < 0` means arc `!i` (that is,
//! `-i - 1`) walked backwards. Consecutive arcs share their end point, which appears once in
//! the ring. A `Polygon` is a list of rings (the exterior, then holes); a `MultiPolygon` a
//! list of polygons.
//!
//! A few rings in the data cross the antimeridian (Russia's Chukotka and Wrangel Island, Fiji's
//! Vanua Levu): their longitudes jump from 180 to -180 and back. Decoding makes every ring
//! continuous instead (Chukotka runs on to about 190), so no edge spans the globe; the map
//! shifts whole polygons by ±360 to bring them into view. Antarctica's coast goes once round
//! the pole: it is cut at its jump and closed along the pole's latitude, as a flat map shows
//! it.

use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;

/// The vendored topology, gzip-compressed.
const COUNTRIES_GZ: &[u8] = include_bytes!("geo/countries-50m.json.gz");

/// The object in the topology that holds the countries.
const COUNTRIES_OBJECT: &str = "countries";

/// Rings with less area than this (in square degrees, about 10 m × 10 m) are slivers or
/// lines, not land.
const MIN_RING_AREA: f64 = 1e-8;

/// A position: (longitude, latitude) in degrees.
pub(crate) type LonLat = (f64, f64);

/// A bounding box in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BBox {
    /// Westernmost longitude.
    pub lon_min: f64,
    /// Easternmost longitude.
    pub lon_max: f64,
    /// Southernmost latitude.
    pub lat_min: f64,
    /// Northernmost latitude.
    pub lat_max: f64,
}

impl BBox {
    /// The box around a ring; `None` when it is empty.
    fn around(ring: &[LonLat]) -> Option<BBox> {
        let (first, rest) = ring.split_first()?;
        let init = BBox {
            lon_min: first.0,
            lon_max: first.0,
            lat_min: first.1,
            lat_max: first.1,
        };
        Some(rest.iter().fold(init, |b, &(lon, lat)| BBox {
            lon_min: b.lon_min.min(lon),
            lon_max: b.lon_max.max(lon),
            lat_min: b.lat_min.min(lat),
            lat_max: b.lat_max.max(lat),
        }))
    }
}

/// One polygon: an exterior ring and its holes.
///
/// Invariant: `rings` is not empty, every ring has at least three positions and no edge
/// spans more than 180° of longitude except along a pole (longitudes may run past ±180, up
/// to ±360); `bbox` surrounds the exterior ring.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Polygon {
    /// The exterior ring first, then holes; each ring is closed implicitly (the last
    /// position need not repeat the first).
    pub rings: Vec<Vec<LonLat>>,
    /// Bounding box of the exterior ring.
    pub bbox: BBox,
}

impl Polygon {
    /// A polygon from its rings (exterior first); `None` without rings.
    fn new(rings: Vec<Vec<LonLat>>) -> Option<Polygon> {
        let bbox = BBox::around(rings.first()?)?;
        Some(Polygon { rings, bbox })
    }

    /// The exterior ring.
    pub fn exterior(&self) -> &[LonLat] {
        &self.rings[0]
    }

    /// Whether a position lies inside the polygon (inside the exterior, outside every hole).
    pub fn contains(&self, p: LonLat) -> bool {
        if p.0 < self.bbox.lon_min
            || p.0 > self.bbox.lon_max
            || p.1 < self.bbox.lat_min
            || p.1 > self.bbox.lat_max
        {
            return false;
        }
        // Even-odd over all rings: a point in a hole crosses the exterior and the hole.
        self.rings
            .iter()
            .filter(|ring| ring_contains(ring, p))
            .count()
            % 2
            == 1
    }
}

/// A country (or territory) with its outline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Country {
    /// Short English name from Natural Earth ("Syria", "Dem. Rep. Congo").
    pub name: String,
    /// Its polygons (islands, exclaves).
    pub polygons: Vec<Polygon>,
}

impl Country {
    /// Whether a position lies inside any of the country's polygons (at its longitude or
    /// ±360, for the rings that run past the antimeridian).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn contains(&self, (lon, lat): LonLat) -> bool {
        [lon, lon - 360.0, lon + 360.0]
            .into_iter()
            .any(|lon| self.polygons.iter().any(|poly| poly.contains((lon, lat))))
    }
}

/// All countries of the vendored data, decoded on first use.
///
/// # Errors
/// The embedded file does not decode (a packaging mistake; the tests check it does).
pub(crate) fn countries() -> Result<&'static [Country], String> {
    static COUNTRIES: OnceLock<Result<Vec<Country>, String>> = OnceLock::new();
    COUNTRIES
        .get_or_init(|| decode(COUNTRIES_GZ))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// The parts of a TopoJSON topology that uptick reads.
#[derive(Deserialize)]
struct Topology {
    transform: Transform,
    arcs: Vec<Vec<[i64; 2]>>,
    objects: std::collections::BTreeMap<String, GeometryCollection>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct GeometryCollection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Geometry {
    Polygon {
        arcs: Vec<Vec<i64>>,
        #[serde(default)]
        properties: Properties,
    },
    MultiPolygon {
        arcs: Vec<Vec<Vec<i64>>>,
        #[serde(default)]
        properties: Properties,
    },
}

#[derive(Deserialize, Default)]
struct Properties {
    #[serde(default)]
    name: String,
}

/// Decodes a gzip-compressed TopoJSON topology into countries.
fn decode(gz: &[u8]) -> Result<Vec<Country>, String> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut json)
        .map_err(|e| format!("the country outlines do not decompress: {e}"))?;
    let topology: Topology = serde_json::from_slice(&json)
        .map_err(|e| format!("the country outlines are not the expected TopoJSON: {e}"))?;
    let arcs = absolute_arcs(&topology);
    let collection = topology
        .objects
        .get(COUNTRIES_OBJECT)
        .ok_or_else(|| format!("the country outlines have no {COUNTRIES_OBJECT:?} object"))?;
    let mut countries = Vec::with_capacity(collection.geometries.len());
    for geometry in &collection.geometries {
        let (name, polygons) = match geometry {
            Geometry::Polygon {
                arcs: rings,
                properties,
            } => (&properties.name, polygons(&arcs, rings)?),
            Geometry::MultiPolygon {
                arcs: polys,
                properties,
            } => (
                &properties.name,
                polys
                    .iter()
                    .map(|rings| polygons(&arcs, rings))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .collect(),
            ),
        };
        if polygons.is_empty() {
            continue;
        }
        countries.push(Country {
            name: name.clone(),
            polygons,
        });
    }
    Ok(countries)
}

/// Undoes the quantisation and delta encoding: every arc as positions in degrees.
fn absolute_arcs(topology: &Topology) -> Vec<Vec<LonLat>> {
    let [sx, sy] = topology.transform.scale;
    let [tx, ty] = topology.transform.translate;
    topology
        .arcs
        .iter()
        .map(|arc| {
            let (mut x, mut y) = (0i64, 0i64);
            arc.iter()
                .map(|[dx, dy]| {
                    x += dx;
                    y += dy;
                    (x as f64 * sx + tx, y as f64 * sy + ty)
                })
                .collect()
        })
        .collect()
}

/// Assembles a polygon from its rings of arc indices (exterior first, then holes); rings of
/// fewer than three positions are dropped.
///
/// One polygon in the data has an exterior without area: Antarctica's is a line along
/// 89.999° S with the coast as its "hole", a spherical way of saying "everything south of the
/// coast". Drawn flat, that would fill nothing; such a polygon becomes one polygon per
/// remaining ring, each closed along the pole by [`continuous`].
fn polygons(arcs: &[Vec<LonLat>], rings: &[Vec<i64>]) -> Result<Vec<Polygon>, String> {
    let mut out: Vec<Vec<LonLat>> = Vec::with_capacity(rings.len());
    let mut exterior_degenerate = false;
    for (k, indices) in rings.iter().enumerate() {
        let raw = ring(arcs, indices)?;
        let degenerate = raw.len() < 3 || ring_area_centroid(&raw).0 < MIN_RING_AREA;
        if k == 0 {
            exterior_degenerate = degenerate;
        }
        if !degenerate {
            out.push(continuous(raw));
        }
    }
    Ok(if exterior_degenerate {
        out.into_iter()
            .filter_map(|ring| Polygon::new(vec![ring]))
            .collect()
    } else {
        Polygon::new(out).into_iter().collect()
    })
}

/// Concatenates a ring's arcs (reversing those with negative indices), dropping the
/// position each arc shares with the one before, and the closing repeat of the first.
fn ring(arcs: &[Vec<LonLat>], indices: &[i64]) -> Result<Vec<LonLat>, String> {
    let mut ring: Vec<LonLat> = Vec::new();
    for &index in indices {
        let (arc, reversed) = if index >= 0 {
            (usize::try_from(index).ok().and_then(|i| arcs.get(i)), false)
        } else {
            (usize::try_from(!index).ok().and_then(|i| arcs.get(i)), true)
        };
        let arc = arc.ok_or_else(|| format!("the country outlines refer to no arc {index}"))?;
        let skip = usize::from(!ring.is_empty());
        if reversed {
            ring.extend(arc.iter().rev().skip(skip));
        } else {
            ring.extend(arc.iter().skip(skip));
        }
    }
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    Ok(ring)
}

/// A ring without jumps across the antimeridian: longitudes are unwrapped so that no edge
/// spans more than 180°. A ring that goes once round a pole (its unwrapped end is 360° from
/// its start) is instead cut at its first jump and closed along the pole's latitude.
fn continuous(ring: Vec<LonLat>) -> Vec<LonLat> {
    let jump = |a: f64, b: f64| {
        if b - a > 180.0 {
            -360.0
        } else if b - a < -180.0 {
            360.0
        } else {
            0.0
        }
    };
    let n = ring.len();
    // Net shift over the whole closed ring (including the closing edge back to the start).
    let net: f64 = (0..n).map(|i| jump(ring[i].0, ring[(i + 1) % n].0)).sum();
    let start = if net == 0.0 {
        0
    } else {
        // Start right after the first jump, so the cut falls between the ends.
        (0..n)
            .find(|&i| jump(ring[i].0, ring[(i + 1) % n].0) != 0.0)
            .map_or(0, |i| (i + 1) % n)
    };
    let mut out: Vec<LonLat> = Vec::with_capacity(n + 2);
    let mut offset = 0.0;
    for k in 0..n {
        let (lon, lat) = ring[(start + k) % n];
        if k > 0 {
            offset += jump(ring[(start + k - 1) % n].0, lon);
        }
        out.push((lon + offset, lat));
    }
    if net != 0.0 {
        if let (Some(&(first_lon, _)), Some(&(last_lon, _))) = (out.first(), out.last()) {
            let mean_lat = out.iter().map(|p| p.1).sum::<f64>() / n as f64;
            let pole = if mean_lat < 0.0 { -90.0 } else { 90.0 };
            out.push((last_lon, pole));
            out.push((first_lon, pole));
        }
    }
    out
}

/// Even-odd (crossing number) test of a position against one ring. Works on any planar
/// coordinates (degrees here, pixels in the map).
pub(crate) fn ring_contains(ring: &[LonLat], (x, y): LonLat) -> bool {
    let mut inside = false;
    let mut j = ring.len().wrapping_sub(1);
    for (i, &(xi, yi)) in ring.iter().enumerate() {
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Area (shoelace, unsigned) and area-weighted centroid of a ring, in its own planar units;
/// a degenerate ring (a sliver) has area 0 and the mean of its positions as centroid.
pub(crate) fn ring_area_centroid(ring: &[LonLat]) -> (f64, LonLat) {
    let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    let mut j = ring.len().wrapping_sub(1);
    for (i, &(xi, yi)) in ring.iter().enumerate() {
        let (xj, yj) = ring[j];
        let cross = xj * yi - xi * yj;
        a2 += cross;
        cx += (xj + xi) * cross;
        cy += (yj + yi) * cross;
        j = i;
    }
    if a2.abs() < 1e-12 {
        let n = ring.len().max(1) as f64;
        let (sx, sy) = ring
            .iter()
            .fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x, sy + y));
        return (0.0, (sx / n, sy / n));
    }
    ((a2 / 2.0).abs(), (cx / (3.0 * a2), cy / (3.0 * a2)))
}

/// A point well inside a ring, to write a name at: the centroid when it lies inside; for a
/// crescent or L-shaped ring, where it may not, the middle of the widest inside stretch
/// along the centroid's latitude (y). `None` for a degenerate ring.
pub(crate) fn inside_point(ring: &[LonLat]) -> Option<LonLat> {
    let (area, centroid) = ring_area_centroid(ring);
    if area <= 0.0 {
        return None;
    }
    if ring_contains(ring, centroid) {
        return Some(centroid);
    }
    let y = centroid.1;
    let mut crossings: Vec<f64> = Vec::new();
    let mut j = ring.len().wrapping_sub(1);
    for (i, &(xi, yi)) in ring.iter().enumerate() {
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) {
            crossings.push((xj - xi) * (y - yi) / (yj - yi) + xi);
        }
        j = i;
    }
    crossings.sort_by(f64::total_cmp);
    crossings
        .chunks_exact(2)
        .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
        .map(|pair| ((pair[0] + pair[1]) / 2.0, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(name: &str) -> &'static Country {
        countries()
            .expect("the vendored outlines decode")
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} is in the data"))
    }

    #[test]
    fn vendored_outlines_decode_to_named_countries() {
        let all = countries().expect("the vendored outlines decode");
        assert!(all.len() > 200, "{} countries", all.len());
        assert!(all.iter().all(|c| !c.name.is_empty()));
        for c in all {
            for poly in &c.polygons {
                assert!(poly.rings.iter().all(|r| r.len() >= 3), "{}", c.name);
                assert!(ring_area_centroid(poly.exterior()).0 > 0.0, "{}", c.name);
                for ring in &poly.rings {
                    for (k, &(lon, lat)) in ring.iter().enumerate() {
                        assert!((-360.0..=360.0).contains(&lon), "{}: {lon}", c.name);
                        assert!((-90.0..=90.0).contains(&lat), "{}: {lat}", c.name);
                        let (next, next_lat) = ring[(k + 1) % ring.len()];
                        let along_pole = lat.abs() == 90.0 && next_lat == lat;
                        assert!(
                            (next - lon).abs() <= 180.0 || along_pole,
                            "{}: {lon} to {next}",
                            c.name
                        );
                    }
                }
            }
        }
        for name in [
            "Syria",
            "Iraq",
            "Turkey",
            "Fiji",
            "Russia",
            "United States of America",
        ] {
            country(name);
        }
    }

    #[test]
    fn capitals_fall_in_their_countries_and_the_gulf_of_guinea_in_none() {
        let damascus = (36.3, 33.5);
        let baghdad = (44.4, 33.3);
        assert!(country("Syria").contains(damascus));
        assert!(!country("Iraq").contains(damascus));
        assert!(country("Iraq").contains(baghdad));
        assert!(!country("Syria").contains(baghdad));
        let all = countries().expect("the vendored outlines decode");
        let at = |p: LonLat| -> Vec<&str> {
            all.iter()
                .filter(|c| c.contains(p))
                .map(|c| c.name.as_str())
                .collect()
        };
        assert!(at((0.0, 0.0)).is_empty(), "{:?}", at((0.0, 0.0)));
        assert_eq!(at(damascus), ["Syria"]);
    }

    #[test]
    fn rings_across_the_antimeridian_are_continuous() {
        // Chukotka on both sides of 180° is in Russia; so is Moscow.
        assert!(country("Russia").contains((175.0, 66.0)));
        assert!(country("Russia").contains((-175.0, 66.0)));
        assert!(country("Russia").contains((37.6, 55.75)));
        // Vanua Levu (Labasa, 179.4 E), a sliver of it that straddles 180° (179.96 W) and
        // Taveuni (179.86 W).
        assert!(country("Fiji").contains((179.4, -16.43)));
        assert!(country("Fiji").contains((-179.96, -16.5)));
        assert!(country("Fiji").contains((-179.86, -16.77)));
        assert!(!country("Fiji").contains((175.0, -16.5)));
        // Antarctica reaches the pole, at every longitude; the Southern Ocean is not in it.
        for lon in [-179.0, -90.0, 0.0, 90.0, 179.0] {
            assert!(country("Antarctica").contains((lon, -89.5)), "{lon}");
        }
        assert!(!country("Antarctica").contains((0.0, -55.0)));
        // A box across 180° becomes one continuous box; a ring round the pole is cut at its
        // jump and closed along the pole.
        let across = continuous(vec![
            (170.0, -60.0),
            (-170.0, -60.0),
            (-170.0, -50.0),
            (170.0, -50.0),
        ]);
        assert_eq!(
            across,
            [
                (170.0, -60.0),
                (190.0, -60.0),
                (190.0, -50.0),
                (170.0, -50.0)
            ]
        );
        let polar = continuous(vec![(0.0, -70.0), (120.0, -70.0), (-120.0, -70.0)]);
        assert_eq!(
            polar,
            [
                (-120.0, -70.0),
                (0.0, -70.0),
                (120.0, -70.0),
                (120.0, -90.0),
                (-120.0, -90.0)
            ]
        );
    }

    #[test]
    fn names_go_inside_even_a_crescent() {
        let square = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)];
        assert_eq!(inside_point(&square), Some((2.0, 2.0)));
        // A C shape whose centroid falls in its mouth.
        let c_shape = [
            (0.0, 0.0),
            (6.0, 0.0),
            (6.0, 1.0),
            (1.0, 1.0),
            (1.0, 5.0),
            (6.0, 5.0),
            (6.0, 6.0),
            (0.0, 6.0),
        ];
        let p = inside_point(&c_shape).expect("not degenerate");
        assert!(ring_contains(&c_shape, p), "{p:?}");
        assert_eq!(inside_point(&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]), None);
    }

    #[test]
    fn rings_join_arcs_and_reverse_negative_indices() {
        // Two arcs: (0,0)→(2,0)→(2,2) and (0,0)→(0,2)→(2,2); the square is arc 0 then arc 1
        // reversed (index !1 = -2).
        let arcs = vec![
            vec![(0.0, 0.0), (2.0, 0.0), (2.0, 2.0)],
            vec![(0.0, 0.0), (0.0, 2.0), (2.0, 2.0)],
        ];
        let square = ring(&arcs, &[0, -2]).expect("valid indices");
        assert_eq!(square, [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]);
        assert!(ring_contains(&square, (1.0, 1.0)));
        assert!(!ring_contains(&square, (3.0, 1.0)));
        assert!(ring(&arcs, &[5]).is_err());
    }
}
