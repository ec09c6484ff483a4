//! The comparison chart: each region's rate ratio with its exact 95% confidence interval on a
//! log axis, with a reference line at 1 (no change). Infinite or zero ends are drawn to the
//! edge with an arrow-like cap.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::de;
use super::style::{self, FONT};
use crate::format::ellipsize;

/// Most rows drawn.
pub const MAX_ROWS: usize = 40;
const ROW_HEIGHT: u32 = 26;
const HEADER: u32 = 70;

/// One region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// Region name.
    pub name: String,
    /// Rate ratio (`None` when both periods are empty).
    pub ratio: Option<f64>,
    /// CI lower end.
    pub low: f64,
    /// CI upper end (may be ∞).
    pub high: f64,
    /// Significant after BH.
    pub significant: bool,
}

/// The comparison chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonSpec {
    /// Title.
    pub title: String,
    /// Subtitle (periods, unit).
    pub subtitle: String,
    /// Rows in display order.
    pub rows: Vec<ComparisonRow>,
    /// Regions not shown.
    pub not_shown: usize,
}

pub(super) fn size(spec: &ComparisonSpec) -> (u32, u32) {
    let rows = spec.rows.len().clamp(1, MAX_ROWS) as u32;
    (style::WIDE, HEADER + rows * ROW_HEIGHT + 60)
}

pub(super) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &ComparisonSpec,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(de)?;
    let (header, body) = root.split_vertically(HEADER);
    super::draw_header(&header, &spec.title, &spec.subtitle, spec.not_shown)?;
    let rows: Vec<&ComparisonRow> = spec.rows.iter().take(MAX_ROWS).collect();
    let n = rows.len().max(1) as i32;
    // Axis range: cover the finite ends, at least 1/4..4, at most 1/1000..1000.
    let finite = rows
        .iter()
        .flat_map(|r| [r.low, r.high, r.ratio.unwrap_or(1.0)])
        .filter(|v| v.is_finite() && *v > 0.0);
    let (lo, hi) = finite.fold((0.25f64, 4.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = ((lo / 1.3).max(1e-3), (hi * 1.3).min(1e3));
    let names: Vec<String> = rows.iter().map(|r| ellipsize(&r.name, 30)).collect();
    let mut chart = ChartBuilder::on(&body)
        .margin_right(30)
        .margin_bottom(8)
        .x_label_area_size(44)
        .y_label_area_size(230)
        .build_cartesian_2d(
            (lo..hi).log_scale().with_key_points(log_ticks(lo, hi)),
            0f64..f64::from(n),
        )
        .map_err(de)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::GRID)
        .x_desc("rate ratio (period ÷ comparison period), log scale")
        .x_label_formatter(&|v| format!("{v}"))
        .y_labels(1)
        .y_label_formatter(&|_| String::new())
        .label_style((FONT, style::TICK))
        .axis_desc_style((FONT, style::LABEL))
        .draw()
        .map_err(de)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(1.0, 0.0), (1.0, f64::from(n))],
            style::MARKER.stroke_width(1),
        )))
        .map_err(de)?;
    let pos = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Right,
        plotters::style::text_anchor::VPos::Center,
    );
    for (k, name) in names.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(lo, f64::from(n - 1 - k as i32) + 0.5));
        root.draw(&Text::new(
            name.clone(),
            (px - 8, py),
            (FONT, style::TICK).into_font().color(&style::TEXT).pos(pos),
        ))
        .map_err(de)?;
    }
    for (k, row) in rows.iter().enumerate() {
        let y = f64::from(n - 1 - k as i32) + 0.5;
        let colour = if row.significant {
            style::FLAGGED
        } else {
            style::OBSERVED
        };
        let low = if row.low > lo { row.low } else { lo };
        let high = if row.high.is_finite() && row.high < hi {
            row.high
        } else {
            hi
        };
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(low, y), (high, y)],
                colour.stroke_width(2),
            )))
            .map_err(de)?;
        if let Some(r) = row.ratio.filter(|r| r.is_finite() && *r > 0.0) {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (r.clamp(lo, hi), y),
                    5,
                    colour.filled(),
                )))
                .map_err(de)?;
        }
    }
    root.present().map_err(de)?;
    Ok(())
}

/// Ticks at 1, 2 and 5 times the powers of ten within `lo..=hi`, so both sides of 1 (no
/// change) are labelled whatever the range.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    const TICKS: [f64; 19] = [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0,
        100.0, 200.0, 500.0, 1000.0,
    ];
    TICKS
        .into_iter()
        .filter(|t| (lo..=hi).contains(t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_label_both_sides_of_one() {
        assert_eq!(log_ticks(0.19, 5.2), vec![0.2, 0.5, 1.0, 2.0, 5.0]);
        assert_eq!(log_ticks(1e-3, 1e3).len(), 19);
        assert_eq!(log_ticks(0.9, 1.1), vec![1.0]);
    }
}
