//! The event map: one dot per event on country outlines (Natural Earth, see [`super::world`]),
//! dot area proportional to fatalities, events in alerting regions in the alarm colour and
//! on top, the alerting regions' names at the centre of their events.
//!
//! This file holds the spec and the drawing order, one layer over the next. Each step has
//! its own file: [`extent`] (what the map shows, the projection and the page layout),
//! [`land`] (sea, land and borders), [`clip`] (cutting shapes to the map rectangle),
//! [`dots`] (the events), [`labels`] (region labels and country names, placed without
//! overlaps), [`legend`] (legend, scale bar and credit), [`text`] (measuring and drawing
//! text) and [`pixels`] (rectangles and rounding in pixels).
//!
//! Everything on the map is clipped to the map rectangle by [`clip`], not by the backend, so
//! nothing spills over the header or the legend in either PNG or SVG. Same spec, same bytes:
//! no randomness, no clock, no system fonts, and ties in every ordering broken by input order.

mod circles;
mod clip;
mod dots;
mod extent;
mod labels;
mod land;
mod legend;
mod pixels;
mod text;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::de;
use super::style;
use super::world;
use dots::Dot;
use extent::{data_extent, layout, positions, FOOTER, HEADER, MAP_MAX_HEIGHT};
use pixels::Rect;

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPoint {
    /// Longitude in degrees (-180..=180); events with another value are not drawn.
    pub lon: f64,
    /// Latitude in degrees (-90..=90); events with another value are not drawn.
    pub lat: f64,
    /// Fatalities (sets the dot's area; negative or non-finite counts as 0).
    pub fatalities: f64,
    /// The event is in an alerting region (drawn in the alarm colour, on top).
    pub alarm: bool,
}

/// A label (an alerting region's name at the centre of its events).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapLabel {
    /// Longitude of the label's anchor in degrees.
    pub lon: f64,
    /// Latitude of the label's anchor in degrees.
    pub lat: f64,
    /// The region's name.
    pub text: String,
}

/// A space-time cluster's circle: the points at its radius along bearings 0–360°, in
/// degrees (longitude, latitude); its label goes with the spec's labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapCircle {
    /// The ring, closed implicitly.
    pub ring: Vec<(f64, f64)>,
}

/// The map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapSpec {
    /// Title.
    pub title: String,
    /// Subtitle (period, data source).
    pub subtitle: String,
    /// Events to draw; at least one must have valid coordinates.
    pub points: Vec<MapPoint>,
    /// Alerting regions' names, placed near their anchors without overlapping each other.
    pub labels: Vec<MapLabel>,
    /// Legend text for alarm events ("Events in alerting regions").
    pub alarm_legend: String,
    /// Legend text for the other events ("Other events").
    pub other_legend: String,
    /// Space-time clusters, drawn as circles over the dots.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub circles: Vec<MapCircle>,
}

/// The error when no event has usable coordinates.
pub const NO_POINTS: &str = "no events with coordinates to map";

/// The image size for a spec (a default size when nothing can be drawn; drawing then fails).
pub(super) fn size(spec: &MapSpec) -> (u32, u32) {
    data_extent(&positions(spec))
        .map(|e| layout(&e).size)
        .unwrap_or((style::WIDE, HEADER + MAP_MAX_HEIGHT + FOOTER))
}

/// Draws the map: header, land, country names, dots, region labels, scale bar, frame and
/// legend, each layer over the one before.
///
/// # Errors
/// [`NO_POINTS`] when no event has usable coordinates; otherwise the drawing error as text.
pub(super) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &MapSpec,
) -> Result<(), String> {
    let extent = data_extent(&positions(spec)).ok_or_else(|| NO_POINTS.to_string())?;
    let layout = layout(&extent);
    let countries = world::countries()?;

    root.fill(&WHITE).map_err(de)?;
    let (header, _) = root.split_vertically(HEADER);
    super::draw_header(&header, &spec.title, &spec.subtitle, 0)?;
    land::draw_land(&root, countries, &layout)?;

    // Place the boxes first, so country names keep clear of region labels, the scale bar
    // and (where they can) the dots.
    let dots = dots::dots(spec, &layout);
    let dot_boxes: Vec<Rect> = dots.iter().map(Dot::bounds).collect();
    let scale = legend::scale_bar(&layout);
    let wanted = labels::label_requests(&root, spec, &layout)?;
    let region_labels =
        labels::place_region_labels(&wanted, &layout.map, &[scale.rect], &dot_boxes);
    let mut reserved: Vec<Rect> = region_labels.iter().map(|p| p.rect.grow(3.0)).collect();
    reserved.push(scale.rect);
    let names = labels::place_country_names(&root, countries, &layout, &reserved, &dot_boxes)?;
    labels::draw_country_names(&root, &names)?;
    dots::draw_dots(&root, &dots)?;
    circles::draw_circles(&root, &circles::outlines(spec, &layout))?;
    labels::draw_region_labels(&root, &region_labels)?;
    legend::draw_scale_bar(&root, &scale)?;
    root.draw(&Rectangle::new(
        layout.map.corners(),
        style::MAP_FRAME.stroke_width(1),
    ))
    .map_err(de)?;
    legend::draw_legend(&root, spec, &layout)?;
    root.present().map_err(de)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::legend::CREDIT;
    use super::*;
    use crate::render::style::{LAND, SEA};
    use crate::render::{draw_map, ChartFormat};

    fn point(lon: f64, lat: f64, fatalities: f64, alarm: bool) -> MapPoint {
        MapPoint {
            lon,
            lat,
            fatalities,
            alarm,
        }
    }

    fn spec_with(points: Vec<MapPoint>, labels: Vec<MapLabel>) -> MapSpec {
        MapSpec {
            title: "Events, week of 18 Nov 2019".into(),
            subtitle: "UCDP GED; dot area: fatalities".into(),
            points,
            labels,
            alarm_legend: "Events in alerting regions".into(),
            other_legend: "Other events".into(),
            circles: Vec::new(),
        }
    }

    /// A small deterministic pseudo-random sequence in [0, 1) (no RNG crate needed).
    fn unit(i: u64, salt: u64) -> f64 {
        let mut z = i
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(salt.wrapping_mul(0xBF58_476D_1CE4_E5B9));
        z ^= z >> 31;
        z = z.wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 29;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn syria_spec(n: u64) -> MapSpec {
        let mut points = Vec::new();
        for i in 0..n {
            let (u, v, w) = (unit(i, 1), unit(i, 2), unit(i, 3));
            let fatalities = (w * w * w * 40.0).floor();
            if i % 10 == 0 {
                // Alarm clusters near Al Hasakah and Ar Raqqah.
                let (lon, lat) = if i % 20 == 0 {
                    (40.7, 36.5)
                } else {
                    (39.0, 35.95)
                };
                points.push(point(
                    lon + (u - 0.5) * 0.6,
                    lat + (v - 0.5) * 0.4,
                    fatalities,
                    true,
                ));
            } else {
                points.push(point(35.7 + u * 6.7, 32.3 + v * 5.0, fatalities, false));
            }
        }
        let labels = vec![
            MapLabel {
                lon: 40.7,
                lat: 36.5,
                text: "Al Hasakah".into(),
            },
            MapLabel {
                lon: 39.0,
                lat: 35.95,
                text: "Ar Raqqah".into(),
            },
        ];
        spec_with(points, labels)
    }

    #[test]
    fn draws_png_and_svg_and_the_same_spec_gives_the_same_bytes() {
        let spec = syria_spec(120);
        let dir = tempfile::tempdir().expect("temp dir");
        let first = draw_map(&spec, dir.path(), "map", ChartFormat::Both).expect("drawn");
        assert_eq!(first.len(), 2);
        let png = std::fs::read(dir.path().join("map.png")).expect("png written");
        let svg = std::fs::read_to_string(dir.path().join("map.svg")).expect("svg written");
        assert!(png.len() > 20_000, "{} bytes", png.len());
        assert!(png.starts_with(b"\x89PNG"));
        assert!(svg.len() > 20_000, "{} bytes", svg.len());
        assert!(svg.contains("Events, week of 18 Nov 2019"));
        assert!(svg.contains("Al Hasakah") && svg.contains("Ar Raqqah"));
        assert!(svg.contains("SYRIA"), "the host country is named");
        assert!(svg.contains(CREDIT));
        let again = tempfile::tempdir().expect("temp dir");
        draw_map(&spec, again.path(), "map", ChartFormat::Both).expect("drawn");
        assert!(png == std::fs::read(again.path().join("map.png")).expect("png written"));
        assert_eq!(
            svg,
            std::fs::read_to_string(again.path().join("map.svg")).expect("svg written")
        );
    }

    #[test]
    fn nothing_is_drawn_outside_the_map_between_header_and_legend() {
        // Syria's neighbours reach far beyond the window: unclipped, their land would paint
        // the margins beside the map and the strip between the subtitle and the map.
        let spec = syria_spec(60);
        let dir = tempfile::tempdir().expect("temp dir");
        draw_map(&spec, dir.path(), "map", ChartFormat::Png).expect("drawn");
        let file = std::fs::File::open(dir.path().join("map.png")).expect("png written");
        let mut decoder = png::Decoder::new(file);
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().expect("png header");
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).expect("png data");
        let (w, h) = (info.width as usize, info.height as usize);
        let layout = layout(&data_extent(&positions(&spec)).expect("points"));
        assert_eq!((w as u32, h as u32), layout.size);
        let white = |x: usize, y: usize| rgb[(y * w + x) * 3..(y * w + x) * 3 + 3] == [255; 3];
        let (top, bottom) = (layout.map.top as usize, layout.map.bottom as usize);
        let (left, right) = (layout.map.left as usize, layout.map.right as usize);
        for y in 56..top - 1 {
            assert!((0..w).all(|x| white(x, y)), "row {y} above the map");
        }
        for y in top..bottom {
            assert!((0..left - 1).all(|x| white(x, y)), "left margin, row {y}");
            assert!((right + 2..w).all(|x| white(x, y)), "right margin, row {y}");
        }
        // The map itself is not blank: land and sea both show.
        let inside: std::collections::BTreeSet<[u8; 3]> = (top + 2..bottom - 2)
            .step_by(7)
            .flat_map(|y| (left + 2..right - 2).step_by(7).map(move |x| (x, y)))
            .map(|(x, y)| {
                let i = (y * w + x) * 3;
                [rgb[i], rgb[i + 1], rgb[i + 2]]
            })
            .collect();
        assert!(inside.contains(&[SEA.0, SEA.1, SEA.2]));
        assert!(inside.contains(&[LAND.0, LAND.1, LAND.2]));
    }

    #[test]
    fn a_spec_without_usable_coordinates_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let empty = spec_with(vec![], vec![]);
        let err = draw_map(&empty, dir.path(), "map", ChartFormat::Both).expect_err("no points");
        assert!(err.to_string().contains(NO_POINTS), "{err}");
        let bad = spec_with(
            vec![
                point(f64::NAN, 33.0, 1.0, false),
                point(200.0, 33.0, 1.0, true),
                point(36.0, f64::INFINITY, 1.0, false),
            ],
            vec![],
        );
        let err = draw_map(&bad, dir.path(), "map", ChartFormat::Png).expect_err("no points");
        assert!(err.to_string().contains(NO_POINTS), "{err}");
        assert!(!dir.path().join("map.png").exists());
        // One usable point among bad ones (and odd fatalities) is enough.
        let mixed = spec_with(
            vec![
                point(f64::NAN, 33.0, 1.0, false),
                point(36.3, 33.5, f64::NAN, true),
                point(36.4, 33.6, -3.0, false),
            ],
            vec![MapLabel {
                lon: f64::NAN,
                lat: 0.0,
                text: "nowhere".into(),
            }],
        );
        draw_map(&mixed, dir.path(), "map", ChartFormat::Png).expect("drawn");
    }

    /// Writes sample maps (Syria, Fiji across the antimeridian, a single event) to
    /// `$TMPDIR/uptick-map-samples` for a look:
    /// `cargo test --lib render::map -- --ignored`.
    #[test]
    #[ignore = "writes sample images to the temp dir for a visual check"]
    fn write_sample_maps() {
        let dir = std::env::temp_dir().join("uptick-map-samples");
        let dir = dir.as_path();
        std::fs::create_dir_all(dir).expect("sample dir");
        let mut syria = syria_spec(300);
        syria.title = "Syria: where events were recorded, 18–24 Nov 2019".into();
        draw_map(&syria, dir, "syria", ChartFormat::Both).expect("drawn");
        let fiji = spec_with(
            (0..40)
                .map(|i| {
                    let lon = 177.0 + unit(i, 4) * 5.0;
                    let lon = if lon > 180.0 { lon - 360.0 } else { lon };
                    point(
                        lon,
                        -18.5 + unit(i, 5) * 3.0,
                        (unit(i, 6) * 8.0).floor(),
                        i % 4 == 0,
                    )
                })
                .collect(),
            vec![MapLabel {
                lon: 179.0,
                lat: -17.0,
                text: "Northern".into(),
            }],
        );
        draw_map(&fiji, dir, "fiji", ChartFormat::Both).expect("drawn");
        let one = spec_with(vec![point(36.3, 33.5, 3.0, true)], vec![]);
        draw_map(&one, dir, "single", ChartFormat::Png).expect("drawn");
    }
}
