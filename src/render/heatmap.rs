//! The heat map: regions (rows, sorted by their latest signal) × weeks (columns), colour =
//! observed/expected on a diverging log scale (grey where the week was not judged),
//! alarm cells outlined. At most [`MAX_ROWS`] rows; the caller says how many were left out.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::style::{self, FONT};
use super::{de, week_label};
use crate::format::ellipsize;

/// Most rows drawn.
pub const MAX_ROWS: usize = 40;
const ROW_HEIGHT: u32 = 20;
const HEADER: u32 = 70;
const FOOTER: u32 = 72;
const NAME_WIDTH: u32 = 230;

/// One row (region).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatmapRow {
    /// Region name.
    pub name: String,
    /// The signal (observed + ½)/(expected + ½) per week (`None` where not judged); the
    /// ½ keeps single events in quiet regions from painting the map.
    pub signal: Vec<Option<f64>>,
    /// Observed per week (used where no signal exists).
    pub observed: Vec<f64>,
    /// Alarm per week.
    pub alarm: Vec<bool>,
}

/// The heat map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatmapSpec {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Weeks (columns).
    pub weeks: Vec<NaiveDate>,
    /// Rows in display order.
    pub rows: Vec<HeatmapRow>,
    /// Regions not shown (beyond the cap).
    pub not_shown: usize,
}

pub(super) fn size(spec: &HeatmapSpec) -> (u32, u32) {
    let rows = spec.rows.len().clamp(1, MAX_ROWS) as u32;
    (style::WIDE, HEADER + rows * ROW_HEIGHT + FOOTER)
}

pub(super) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &HeatmapSpec,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(de)?;
    let (header, rest) = root.split_vertically(HEADER);
    super::draw_header(&header, &spec.title, &spec.subtitle, spec.not_shown)?;
    let rows: Vec<&HeatmapRow> = spec.rows.iter().take(MAX_ROWS).collect();
    let n_rows = rows.len().max(1) as i32;
    let n_weeks = spec.weeks.len().max(1) as i32;
    let (grid, footer) = rest.split_vertically(rows.len().max(1) as u32 * ROW_HEIGHT + 36);
    let names: Vec<String> = rows.iter().map(|r| ellipsize(&r.name, 30)).collect();
    let mut chart = ChartBuilder::on(&grid)
        .margin_right(20)
        .margin_top(4)
        .x_label_area_size(32)
        .y_label_area_size(NAME_WIDTH)
        .build_cartesian_2d(0i32..n_weeks, 0i32..n_rows)
        .map_err(de)?;
    let weeks = spec.weeks.clone();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(8)
        .x_label_formatter(&|i| week_label(&weeks, *i))
        .y_labels(1)
        .y_label_formatter(&|_| String::new())
        .label_style((FONT, style::TICK - 1))
        .draw()
        .map_err(de)?;
    // Row names, drawn at the pixel centre of each row (tick labels would sit on the edges).
    for (r, name) in names.iter().enumerate() {
        let y = n_rows - 1 - r as i32;
        let (px, top) = chart.backend_coord(&(0, y + 1));
        let (_, bottom) = chart.backend_coord(&(0, y));
        let pos = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Center,
        );
        root.draw(&Text::new(
            name.clone(),
            (px - 8, (top + bottom) / 2),
            (FONT, style::TICK - 1)
                .into_font()
                .color(&style::TEXT)
                .pos(pos),
        ))
        .map_err(de)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let y = n_rows - 1 - r as i32;
        chart
            .draw_series(row.observed.iter().enumerate().map(|(w, _)| {
                let colour = row
                    .signal
                    .get(w)
                    .copied()
                    .flatten()
                    .map_or(style::NOT_JUDGED, style::signal_colour);
                Rectangle::new([(w as i32, y), (w as i32 + 1, y + 1)], colour.filled())
            }))
            .map_err(de)?;
        chart
            .draw_series(
                row.alarm
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| **a)
                    .map(|(w, _)| {
                        Rectangle::new(
                            [(w as i32, y), (w as i32 + 1, y + 1)],
                            BLACK.stroke_width(2),
                        )
                    }),
            )
            .map_err(de)?;
    }
    // Legend: the signal scale.
    let stops = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0];
    for (k, ratio) in stops.iter().enumerate() {
        let x = 16 + k as i32 * 70;
        footer
            .draw(&Rectangle::new(
                [(x, 12), (x + 24, 28)],
                style::signal_colour(*ratio).filled(),
            ))
            .map_err(de)?;
        footer
            .draw(&Rectangle::new(
                [(x, 12), (x + 24, 28)],
                style::GRID.stroke_width(1),
            ))
            .map_err(de)?;
        let label = if *ratio < 1.0 {
            format!("1/{}", (1.0 / ratio).round())
        } else {
            format!("{ratio}")
        };
        footer
            .draw(&Text::new(
                format!("{label}×"),
                (x + 28, 13),
                (FONT, style::TICK - 1),
            ))
            .map_err(de)?;
    }
    let x = 16 + stops.len() as i32 * 70;
    footer
        .draw(&Rectangle::new(
            [(x, 12), (x + 24, 28)],
            BLACK.stroke_width(2),
        ))
        .map_err(de)?;
    footer
        .draw(&Text::new(
            // Separators, not runs of spaces: SVG collapses whitespace.
            "alarm (outlined) · grey: not judged (short history) · colour: (observed + ½) ÷ (expected + ½)",
            (x + 32, 13),
            (FONT, style::TICK - 1),
        ))
        .map_err(de)?;
    root.present().map_err(de)?;
    Ok(())
}
