//! Geometry in pixels, shared by every layer of the map: the axis-aligned rectangle (the map
//! area, label boxes, dot bounds) and rounding positions to whole pixels.

/// A rectangle in pixels (`left < right`, `top < bottom`, y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub(super) left: f64,
    pub(super) top: f64,
    pub(super) right: f64,
    pub(super) bottom: f64,
}

impl Rect {
    pub(super) fn centred(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect {
            left: cx - w / 2.0,
            top: cy - h / 2.0,
            right: cx + w / 2.0,
            bottom: cy + h / 2.0,
        }
    }
    pub(super) fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }
    pub(super) fn inside(&self, outer: &Rect) -> bool {
        self.left >= outer.left
            && self.right <= outer.right
            && self.top >= outer.top
            && self.bottom <= outer.bottom
    }
    pub(super) fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.left && x <= self.right && y >= self.top && y <= self.bottom
    }
    pub(super) fn grow(&self, by: f64) -> Rect {
        Rect {
            left: self.left - by,
            top: self.top - by,
            right: self.right + by,
            bottom: self.bottom + by,
        }
    }
    pub(super) fn corners(&self) -> [(i32, i32); 2] {
        [
            (self.left.round() as i32, self.top.round() as i32),
            (self.right.round() as i32, self.bottom.round() as i32),
        ]
    }
}

/// Rounds to pixels, dropping repeats (a 1:50m coastline has many positions per pixel when
/// zoomed out).
pub(super) fn to_pixels(points: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(points.len());
    for &(x, y) in points {
        let p = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}
