//! Names on the map, placed so they do not overlap: the alerting regions' labels (in a box
//! beside the centre of their events, with a leader line) and the country names (inside each
//! country's largest visible piece of land). Both are placed greedily in order: a spot must
//! stay on the map and overlap no box placed before it and no reserved box (the scale bar,
//! and for country names the region labels); among such spots the one covering the fewest
//! event dots wins.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::clip::clip_polygon;
use super::extent::{project_ring, shifts_into, valid, Layout};
use super::pixels::{to_pixels, Rect};
use super::text::{centre, centred_text, draw_bold, text_size};
use super::MapSpec;
use crate::format::ellipsize;
use crate::render::de;
use crate::render::style::{self, COUNTRY_NAME};
use crate::render::world::{self, Country};

/// Opacity of the white boxes behind region labels and the scale bar.
pub(super) const LABEL_BOX_OPACITY: f64 = 0.88;
/// Country names: most drawn, and the smallest visible piece of land (in square pixels)
/// worth trying to name.
const MAX_COUNTRY_NAMES: usize = 40;
const MIN_NAMED_AREA_PX: f64 = 1500.0;
/// Where to try a country's name, as offsets from its anchor in widths and heights of the
/// name's box: the anchor, then ever farther out.
const NAME_OFFSETS: [(f64, f64); 17] = [
    (0.0, 0.0),
    (0.0, -1.5),
    (0.0, 1.5),
    (-0.6, 0.0),
    (0.6, 0.0),
    (-0.6, -1.5),
    (0.6, -1.5),
    (-0.6, 1.5),
    (0.6, 1.5),
    (0.0, -3.0),
    (0.0, 3.0),
    (-1.2, 0.0),
    (1.2, 0.0),
    (-1.2, -3.0),
    (1.2, -3.0),
    (-1.2, 3.0),
    (1.2, 3.0),
];
/// Gap between a region label's box and its anchor, and padding inside the box.
const LABEL_GAP: f64 = 12.0;
const LABEL_PAD: f64 = 4.0;
/// Rings of spots around its anchor where a region label may go: the nearest ones are
/// chosen by how few dots they cover, the farther ones only when all near ones are taken.
const LABEL_STEPS: u8 = 3;
const LABEL_MAX_STEPS: u8 = 10;
/// Region names longer than this are shortened with an ellipsis.
const MAX_LABEL_CHARS: usize = 40;
/// Text size of region labels.
const REGION_TEXT: u32 = 15;
/// Text size of country names.
const COUNTRY_TEXT: u32 = 13;

/// A piece of text and where it goes (centred on the box).
pub(super) struct Placed {
    text: String,
    pub(super) rect: Rect,
    /// The point it names (a region label's leader line runs to it).
    anchor: (f64, f64),
}

/// A region label to place: the point it names, its text and the text's size in pixels.
pub(super) struct LabelRequest {
    anchor: (f64, f64),
    text: String,
    size: (f64, f64),
}

/// The region labels that can be drawn (valid anchor on the map, some text), measured.
pub(super) fn label_requests<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &MapSpec,
    layout: &Layout,
) -> Result<Vec<LabelRequest>, String> {
    let mut wanted = Vec::new();
    for label in &spec.labels {
        if !valid(label.lon, label.lat) || label.text.trim().is_empty() {
            continue;
        }
        let projection = &layout.projection;
        let anchor = projection.project((projection.wrap(label.lon), label.lat));
        if !layout.map.contains(anchor) {
            continue;
        }
        let text = ellipsize(label.text.trim(), MAX_LABEL_CHARS);
        let (w, h) = text_size(root, &text, REGION_TEXT)?;
        // One pixel wider for the faux bold.
        wanted.push(LabelRequest {
            anchor,
            text,
            size: (w + 1.0, h),
        });
    }
    Ok(wanted)
}

/// Places the region labels: each box beside its anchor, trying spots around it (above,
/// below, right, left, the diagonals, then farther out). A spot must stay on the map and
/// overlap no earlier label and no reserved box; of those, the first covering the fewest
/// event dots wins.
pub(super) fn place_region_labels(
    wanted: &[LabelRequest],
    map: &Rect,
    reserved: &[Rect],
    dots: &[Rect],
) -> Vec<Placed> {
    let mut placed: Vec<Placed> = Vec::new();
    let inner = map.grow(-4.0);
    for request in wanted {
        let (x, y) = request.anchor;
        let (w, h) = (
            request.size.0 + 2.0 * LABEL_PAD,
            request.size.1 + 2.0 * LABEL_PAD,
        );
        let mut candidates: Vec<(u8, Rect)> = Vec::new();
        for step in 1..=LABEL_MAX_STEPS {
            let s = f64::from(step);
            let dy = h / 2.0 + LABEL_GAP * s;
            let dx = w / 2.0 + LABEL_GAP * s;
            for (cx, cy) in [
                (x, y - dy),
                (x, y + dy),
                (x + dx, y),
                (x - dx, y),
                (x + dx, y - dy),
                (x - dx, y - dy),
                (x + dx, y + dy),
                (x - dx, y + dy),
            ] {
                candidates.push((step, Rect::centred(cx, cy, w, h)));
            }
        }
        let free = |r: &Rect| {
            r.inside(&inner)
                && !placed.iter().any(|p| p.rect.grow(2.0).overlaps(r))
                && !reserved.iter().any(|q| q.overlaps(r))
        };
        let covered = |r: &Rect| dots.iter().filter(|d| d.overlaps(r)).count();
        // Near spots: the one covering the fewest dots (min_by_key keeps the first of
        // equals, the nearest). Then any free spot farther out. Then overlap if we must.
        let rect = candidates
            .iter()
            .filter(|(step, r)| *step <= LABEL_STEPS && free(r))
            .min_by_key(|(_, r)| covered(r))
            .or_else(|| candidates.iter().find(|(_, r)| free(r)))
            .map(|(_, r)| *r)
            .or_else(|| {
                candidates
                    .iter()
                    .map(|(_, r)| *r)
                    .find(|r| r.inside(&inner))
            })
            .unwrap_or_else(|| {
                // Wider than the map: centre it over the anchor, within the map if it can.
                let cx = x.clamp(
                    inner.left + w / 2.0,
                    (inner.right - w / 2.0).max(inner.left + w / 2.0),
                );
                let cy = y.clamp(
                    inner.top + h / 2.0,
                    (inner.bottom - h / 2.0).max(inner.top + h / 2.0),
                );
                Rect::centred(cx, cy, w, h)
            });
        placed.push(Placed {
            text: request.text.clone(),
            rect,
            anchor: request.anchor,
        });
    }
    placed
}

/// Region labels: a thin leader line from the events' centre, a white box, bold dark text.
pub(super) fn draw_region_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: &[Placed],
) -> Result<(), String> {
    for label in labels {
        let (ax, ay) = label.anchor;
        let near = (
            ax.clamp(label.rect.left, label.rect.right),
            ay.clamp(label.rect.top, label.rect.bottom),
        );
        if (near.0 - ax).hypot(near.1 - ay) > 3.0 {
            root.draw(&PathElement::new(
                to_pixels(&[(ax, ay), near]),
                style::TEXT.mix(0.7).stroke_width(1),
            ))
            .map_err(de)?;
        }
        root.draw(&Rectangle::new(
            label.rect.corners(),
            WHITE.mix(LABEL_BOX_OPACITY).filled(),
        ))
        .map_err(de)?;
        root.draw(&Rectangle::new(
            label.rect.corners(),
            style::MARKER.mix(0.6).stroke_width(1),
        ))
        .map_err(de)?;
        draw_bold(
            root,
            &label.text,
            centre(&label.rect),
            REGION_TEXT,
            &style::TEXT,
        )?;
    }
    Ok(())
}

/// A country's largest piece of land in view, in pixels.
struct Piece<'a> {
    area: f64,
    country: &'a Country,
    ring: Vec<(f64, f64)>,
}

/// Chooses country names to write: each country with enough land in view is named at a
/// point inside its largest visible piece (so a neighbour cut by the frame is named on the
/// part that shows), largest piece first, skipping names that do not fit inside their piece
/// or would overlap a name already chosen or a reserved box. Among spots near that point,
/// the one covering the fewest event dots is taken.
pub(super) fn place_country_names<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    countries: &[Country],
    layout: &Layout,
    reserved: &[Rect],
    dots: &[Rect],
) -> Result<Vec<Placed>, String> {
    let inner = layout.map.grow(-6.0);
    let mut pieces: Vec<Piece> = Vec::new();
    for country in countries {
        let mut best: Option<(f64, Vec<(f64, f64)>)> = None;
        for polygon in &country.polygons {
            for shift in shifts_into(&polygon.bbox, &layout.view) {
                let piece = clip_polygon(
                    &project_ring(polygon.exterior(), shift, &layout.projection),
                    &inner,
                );
                let (area, _) = world::ring_area_centroid(&piece);
                if best.as_ref().is_none_or(|(a, _)| area > *a) {
                    best = Some((area, piece));
                }
            }
        }
        if let Some((area, piece)) = best.filter(|(a, _)| *a >= MIN_NAMED_AREA_PX) {
            pieces.push(Piece {
                area,
                country,
                ring: piece,
            });
        }
    }
    // Largest first; the sort is stable, so equal areas keep the data's order.
    pieces.sort_by(|a, b| b.area.total_cmp(&a.area));
    let mut placed: Vec<Placed> = Vec::new();
    for Piece {
        country,
        ring: piece,
        ..
    } in pieces
    {
        if placed.len() >= MAX_COUNTRY_NAMES {
            break;
        }
        let Some((x, y)) = world::inside_point(&piece) else {
            continue;
        };
        let text = country.name.to_uppercase();
        let (w, h) = text_size(root, &text, COUNTRY_TEXT)?;
        let (w, h) = (w + 6.0, h + 4.0);
        // Around the anchor, nearest first; the first spot that fits and covers the fewest
        // dots wins (names sit under the dots, so a covered name cannot be read).
        let mut best: Option<(usize, Rect)> = None;
        // The name's middle line must lie on the country's land (the box may overhang a
        // coast); failing that anywhere, a narrow country (Lebanon, Israel at country scale)
        // is named across its anchor.
        let spots = NAME_OFFSETS
            .iter()
            .map(|&(dx, dy)| (dx, dy, false))
            .chain(std::iter::once((0.0, 0.0, true)));
        for (dx, dy, fallback) in spots {
            if fallback && best.is_some() {
                break;
            }
            let rect = Rect::centred(x + dx * w, y + dy * h, w, h);
            let middle = (rect.top + rect.bottom) / 2.0;
            let fits = fallback
                || [
                    (rect.left, middle),
                    (rect.right, middle),
                    ((rect.left + rect.right) / 2.0, middle),
                ]
                .into_iter()
                .all(|p| world::ring_contains(&piece, p));
            if !fits
                || !rect.inside(&inner)
                || placed.iter().any(|p| p.rect.overlaps(&rect))
                || reserved.iter().any(|r| r.overlaps(&rect))
            {
                continue;
            }
            let covered = dots.iter().filter(|d| d.overlaps(&rect)).count();
            if best.is_none_or(|(c, _)| covered < c) {
                best = Some((covered, rect));
            }
            if covered == 0 {
                break;
            }
        }
        if let Some((_, rect)) = best {
            placed.push(Placed {
                text,
                rect,
                anchor: (x, y),
            });
        }
    }
    Ok(placed)
}

/// Country names, each centred on its box.
pub(super) fn draw_country_names<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    names: &[Placed],
) -> Result<(), String> {
    for name in names {
        root.draw(&Text::new(
            name.text.clone(),
            centre(&name.rect),
            centred_text(COUNTRY_TEXT, &COUNTRY_NAME),
        ))
        .map_err(de)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_labels_do_not_overlap_and_avoid_dots_when_they_can() {
        let map = Rect {
            left: 16.0,
            top: 70.0,
            right: 1084.0,
            bottom: 686.0,
        };
        let wanted: Vec<LabelRequest> = (0..4)
            .map(|k| LabelRequest {
                anchor: (500.0 + f64::from(k), 300.0),
                text: format!("Region {k}"),
                size: (80.0, 16.0),
            })
            .collect();
        // A dot just above the anchors: the first label goes elsewhere (below).
        let dots = [Rect::centred(500.0, 280.0, 20.0, 20.0)];
        let placed = place_region_labels(&wanted, &map, &[], &dots);
        assert_eq!(placed.len(), 4);
        assert!(placed[0].rect.top > 300.0, "{:?}", placed[0].rect);
        for (i, a) in placed.iter().enumerate() {
            assert!(a.rect.inside(&map));
            for b in &placed[i + 1..] {
                assert!(!a.rect.overlaps(&b.rect), "{} and {}", a.text, b.text);
            }
        }
        // Without dots in the way, the first spot (above the anchor) is taken.
        let placed = place_region_labels(&wanted[..1], &map, &[], &[]);
        assert!(placed[0].rect.bottom < 300.0, "{:?}", placed[0].rect);
    }
}
