//! What explains the map: the scale bar (bottom left on the map), the legend under the map
//! (the two event colours and the dot sizes) and the credit line for the borders.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::dots::{crowd_scale, dot_radius, ALARM_OPACITY, OTHER_OPACITY, OTHER_OUTLINE_OPACITY};
use super::extent::{Layout, FOOTER, MARGIN};
use super::labels::LABEL_BOX_OPACITY;
use super::pixels::{to_pixels, Rect};
use super::text::text_size;
use super::MapSpec;
use crate::format::ellipsize;
use crate::render::de;
use crate::render::style::{self, FONT, OTHER_EVENTS};

/// Fatalities shown in the dot-size legend.
const LEGEND_FATALITIES: [f64; 3] = [0.0, 10.0, 50.0];
/// Text size of the scale bar's distance and the credit line.
const CREDIT_TEXT: u32 = 11;
/// Kilometres in a degree of latitude (mean Earth radius 6371 km), for the scale bar.
const KM_PER_DEG: f64 = 111.195;
/// The scale bar's target length in pixels (it snaps to a round distance at or below it).
const SCALE_BAR_PX: f64 = 110.0;
/// The credit line for the borders.
pub(super) const CREDIT: &str = "Borders: Natural Earth (public domain)";

/// A round distance for the scale bar (1, 2 or 5 times a power of ten) at most `km`.
fn round_km(km: f64) -> f64 {
    let magnitude = 10f64.powf(km.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|d| *d <= km)
        .unwrap_or(magnitude)
}

/// The scale bar (bottom left of the map).
pub(super) struct ScaleBar {
    /// Its white box.
    pub(super) rect: Rect,
    /// The bar's length in pixels.
    bar_px: f64,
    /// The distance it stands for ("100 km").
    label: String,
}

/// A scale bar for the map's middle latitude (the scale is true along every meridian and
/// along that parallel; the bar says so only approximately elsewhere).
pub(super) fn scale_bar(layout: &Layout) -> ScaleBar {
    let km_per_px = KM_PER_DEG / layout.projection.px_per_deg;
    let km = round_km(SCALE_BAR_PX * km_per_px);
    let bar_px = km / km_per_px;
    let label = if km >= 1.0 {
        format!("{km:.0} km")
    } else {
        format!("{:.0} m", km * 1000.0)
    };
    let rect = Rect {
        left: layout.map.left + 8.0,
        top: layout.map.bottom - 36.0,
        right: layout.map.left + 8.0 + bar_px + 20.0,
        bottom: layout.map.bottom - 8.0,
    };
    ScaleBar {
        rect,
        bar_px,
        label,
    }
}

/// The scale bar in its box: a bar with end ticks, its length above.
pub(super) fn draw_scale_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: &ScaleBar,
) -> Result<(), String> {
    root.draw(&Rectangle::new(
        scale.rect.corners(),
        WHITE.mix(LABEL_BOX_OPACITY).filled(),
    ))
    .map_err(de)?;
    let left = scale.rect.left + 10.0;
    let right = left + scale.bar_px;
    let y = scale.rect.bottom - 9.0;
    let bar = to_pixels(&[(left, y - 4.0), (left, y), (right, y), (right, y - 4.0)]);
    root.draw(&PathElement::new(bar, style::TEXT.stroke_width(1)))
        .map_err(de)?;
    root.draw(&Text::new(
        scale.label.clone(),
        (left.round() as i32, (scale.rect.top + 3.0).round() as i32),
        (FONT, CREDIT_TEXT).into_font().color(&style::TEXT),
    ))
    .map_err(de)?;
    Ok(())
}

/// The legend under the map: the two colours (left), the dot sizes and the credit (right).
pub(super) fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &MapSpec,
    layout: &Layout,
) -> Result<(), String> {
    let top = layout.map.bottom as i32;
    let left = MARGIN as i32;
    let right = (style::WIDE - MARGIN) as i32;
    let left_text = Pos::new(HPos::Left, VPos::Center);
    let scale = crowd_scale(spec.points.len());
    let entries = [
        (&spec.alarm_legend, style::FLAGGED, ALARM_OPACITY),
        (&spec.other_legend, OTHER_EVENTS, OTHER_OPACITY),
    ];
    for (k, (text, colour, opacity)) in entries.into_iter().enumerate() {
        let y = top + 22 + 24 * k as i32;
        let r = (scale * dot_radius(4.0)).round() as i32;
        root.draw(&Circle::new((left + 8, y), r, colour.mix(opacity).filled()))
            .map_err(de)?;
        root.draw(&Circle::new((left + 8, y), r, colour.stroke_width(1)))
            .map_err(de)?;
        root.draw(&Text::new(
            ellipsize(text, 70),
            (left + 22, y),
            (FONT, style::TICK)
                .into_font()
                .color(&style::TEXT)
                .pos(left_text),
        ))
        .map_err(de)?;
    }
    // Dot sizes, right-aligned: "Killed per event  ○ 0  ○ 10  ◯ 50".
    let base = top + 40;
    let mut x = right;
    for &f in LEGEND_FATALITIES.iter().rev() {
        let label = crate::render::count_label(&f);
        let (w, _) = text_size(root, &label, style::TICK)?;
        x -= w.round() as i32;
        root.draw(&Text::new(
            label,
            (x, base - 6),
            (FONT, style::TICK)
                .into_font()
                .color(&style::TEXT)
                .pos(left_text),
        ))
        .map_err(de)?;
        let r = (scale * dot_radius(f)).round() as i32;
        x -= 4 + r;
        root.draw(&Circle::new(
            (x, base - r),
            r,
            OTHER_EVENTS.mix(OTHER_OPACITY).filled(),
        ))
        .map_err(de)?;
        root.draw(&Circle::new(
            (x, base - r),
            r,
            OTHER_EVENTS.mix(OTHER_OUTLINE_OPACITY).stroke_width(1),
        ))
        .map_err(de)?;
        x -= r + 14;
    }
    let caption = "Killed per event";
    let (w, _) = text_size(root, caption, style::TICK)?;
    root.draw(&Text::new(
        caption,
        (x - w.round() as i32 + 6, base - 6),
        (FONT, style::TICK)
            .into_font()
            .color(&style::MARKER)
            .pos(left_text),
    ))
    .map_err(de)?;
    root.draw(&Text::new(
        CREDIT,
        (right, top + FOOTER as i32 - 12),
        (FONT, CREDIT_TEXT)
            .into_font()
            .color(&style::MARKER)
            .pos(Pos::new(HPos::Right, VPos::Center)),
    ))
    .map_err(de)?;
    Ok(())
}
