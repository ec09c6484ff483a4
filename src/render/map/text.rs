//! Text on the map: measuring it, centring it on a box, and a faux bold (the embedded font
//! has no bold face).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::pixels::Rect;
use crate::render::de;
use crate::render::style::FONT;

/// The centre of a rectangle, rounded to pixels.
pub(super) fn centre(rect: &Rect) -> (i32, i32) {
    (
        ((rect.left + rect.right) / 2.0).round() as i32,
        ((rect.top + rect.bottom) / 2.0).round() as i32,
    )
}

/// A text style of `size` and `colour`, centred on its position both ways.
pub(super) fn centred_text(size: u32, colour: &RGBColor) -> TextStyle<'static> {
    (FONT, size)
        .into_font()
        .color(colour)
        .pos(Pos::new(HPos::Center, VPos::Center))
}

/// The size of `text` at `size` in pixels, as the backend measures it.
pub(super) fn text_size<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    size: u32,
) -> Result<(f64, f64), String> {
    let (w, h) = root
        .estimate_text_size(text, &(FONT, size).into_text_style(root))
        .map_err(de)?;
    Ok((f64::from(w), f64::from(h)))
}

/// Draws text in a faux bold (twice, one pixel apart): the embedded font has no bold face.
pub(super) fn draw_bold<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    (x, y): (i32, i32),
    size: u32,
    colour: &RGBColor,
) -> Result<(), String> {
    for dx in [0, 1] {
        root.draw(&Text::new(
            text.to_string(),
            (x + dx, y),
            centred_text(size, colour),
        ))
        .map_err(de)?;
    }
    Ok(())
}
