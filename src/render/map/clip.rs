//! Clipping to the map rectangle, here rather than by the backend, so no land or border
//! spills over the header, the margins or the legend in either PNG or SVG: polygons (land)
//! with Sutherland–Hodgman, outlines (borders, coasts) segment by segment with Liang–Barsky.
//!
//! - Sutherland, I. E. and Hodgman, G. W. (1974). Reentrant polygon clipping.
//!   *Communications of the ACM* 17(1), 32–42.
//! - Liang, Y.-D. and Barsky, B. A. (1984). A new concept and method for line clipping.
//!   *ACM Transactions on Graphics* 3(1), 1–22.

use super::pixels::Rect;

/// Clips a polygon to a rectangle (Sutherland–Hodgman: clip against each edge in turn).
/// The result may be empty; a concave polygon may come back with zero-width bridges along
/// the rectangle's edges, which fill nothing.
pub(super) fn clip_polygon(points: &[(f64, f64)], rect: &Rect) -> Vec<(f64, f64)> {
    type Inside = fn(&Rect, (f64, f64)) -> bool;
    type Cross = fn(&Rect, (f64, f64), (f64, f64)) -> (f64, f64);
    let edges: [(Inside, Cross); 4] = [
        (
            |r, p| p.0 >= r.left,
            |r, a, b| {
                let t = (r.left - a.0) / (b.0 - a.0);
                (r.left, a.1 + t * (b.1 - a.1))
            },
        ),
        (
            |r, p| p.0 <= r.right,
            |r, a, b| {
                let t = (r.right - a.0) / (b.0 - a.0);
                (r.right, a.1 + t * (b.1 - a.1))
            },
        ),
        (
            |r, p| p.1 >= r.top,
            |r, a, b| {
                let t = (r.top - a.1) / (b.1 - a.1);
                (a.0 + t * (b.0 - a.0), r.top)
            },
        ),
        (
            |r, p| p.1 <= r.bottom,
            |r, a, b| {
                let t = (r.bottom - a.1) / (b.1 - a.1);
                (a.0 + t * (b.0 - a.0), r.bottom)
            },
        ),
    ];
    let mut out: Vec<(f64, f64)> = points.to_vec();
    for (inside, cross) in edges {
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else {
            break;
        };
        let mut prev = last;
        for &p in &input {
            match (inside(rect, p), inside(rect, prev)) {
                (true, true) => out.push(p),
                (true, false) => {
                    out.push(cross(rect, prev, p));
                    out.push(p);
                }
                (false, true) => out.push(cross(rect, prev, p)),
                (false, false) => {}
            }
            prev = p;
        }
    }
    out
}

/// Clips a segment to a rectangle (Liang–Barsky); `None` when it lies outside.
fn clip_segment(a: (f64, f64), b: (f64, f64), rect: &Rect) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - rect.left),
        (dx, rect.right - a.0),
        (-dy, a.1 - rect.top),
        (dy, rect.bottom - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    Some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// A closed ring's outline clipped to a rectangle, as polylines.
pub(super) fn clip_ring_outline(points: &[(f64, f64)], rect: &Rect) -> Vec<Vec<(f64, f64)>> {
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let Some(&last) = points.last() else {
        return lines;
    };
    let mut prev = last;
    for &p in points {
        match clip_segment(prev, p, rect) {
            Some((a, b)) => {
                if current.last() != Some(&a) {
                    if current.len() > 1 {
                        lines.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(a);
                }
                current.push(b);
            }
            None => {
                if current.len() > 1 {
                    lines.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
        prev = p;
    }
    if current.len() > 1 {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_only_the_inside_of_the_rectangle() {
        let rect = Rect {
            left: 0.0,
            top: 0.0,
            right: 10.0,
            bottom: 10.0,
        };
        // A square from (5,5) to (15,15): the inside part is the square (5,5)–(10,10).
        let clipped = clip_polygon(&[(5.0, 5.0), (15.0, 5.0), (15.0, 15.0), (5.0, 15.0)], &rect);
        assert!(!clipped.is_empty());
        assert!(clipped.iter().all(|&p| rect.contains(p)), "{clipped:?}");
        let area = ring_area(&clipped);
        assert!((area - 25.0).abs() < 1e-9, "{area}");
        // Wholly outside: nothing.
        assert!(clip_polygon(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], &rect).is_empty());
        // Wholly inside: unchanged.
        let inside = [(1.0, 1.0), (2.0, 1.0), (2.0, 2.0)];
        assert_eq!(clip_polygon(&inside, &rect), inside);
        // Outlines: a segment crossing the rectangle is cut at its edges.
        let (a, b) = clip_segment((-5.0, 5.0), (15.0, 5.0), &rect).expect("crosses");
        assert_eq!((a, b), ((0.0, 5.0), (10.0, 5.0)));
        assert!(clip_segment((-5.0, -5.0), (-1.0, 20.0), &rect).is_none());
        let lines = clip_ring_outline(&[(5.0, 5.0), (15.0, 5.0), (15.0, 15.0), (5.0, 15.0)], &rect);
        assert_eq!(lines, [vec![(5.0, 10.0), (5.0, 5.0), (10.0, 5.0)]]);
    }

    fn ring_area(ring: &[(f64, f64)]) -> f64 {
        let mut a2 = 0.0;
        for (i, &(x, y)) in ring.iter().enumerate() {
            let (xn, yn) = ring[(i + 1) % ring.len()];
            a2 += x * yn - xn * y;
        }
        a2.abs() / 2.0
    }
}
