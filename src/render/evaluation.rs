//! The evaluation chart: sensitivity to injected rises against false alarms per region-year on
//! null copies, one point per method × alpha, one panel per rise size (the ROC-style picture:
//! up and to the left is better). The false-alarm axis is square-root scaled so that 0 to 1
//! per region-year, where good choices lie, is not crushed by a noisy method's dozens.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::de;
use super::style::{self, FONT};

const PANEL_HEIGHT: u32 = 380;
const HEADER: u32 = 64;

/// One method × alpha.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationPoint {
    /// "nb 0.05".
    pub label: String,
    /// False alarms per region-year on null copies.
    pub false_alarms: f64,
    /// Share of injected rises detected.
    pub sensitivity: f64,
    /// The recommended choice.
    pub recommended: bool,
}

/// One rise size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationPanel {
    /// "2× rises over 3 weeks".
    pub title: String,
    /// The points.
    pub points: Vec<EvaluationPoint>,
}

/// The chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationSpec {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// One panel per rise size.
    pub panels: Vec<EvaluationPanel>,
}

pub(super) fn size(spec: &EvaluationSpec) -> (u32, u32) {
    (
        style::WIDE,
        HEADER + spec.panels.len().max(1) as u32 * PANEL_HEIGHT,
    )
}

pub(super) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &EvaluationSpec,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(de)?;
    let (header, body) = root.split_vertically(HEADER);
    super::draw_header(&header, &spec.title, &spec.subtitle, 0)?;
    let areas = body.split_evenly((spec.panels.len().max(1), 1));
    let x_top = spec
        .panels
        .iter()
        .flat_map(|p| &p.points)
        .map(|p| p.false_alarms)
        .fold(1.0f64, f64::max)
        * 1.15;
    for (area, panel) in areas.iter().zip(&spec.panels) {
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .margin_right(40)
            .caption(&panel.title, (FONT, style::LABEL + 1))
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..x_top.sqrt(), 0f64..1.05)
            .map_err(de)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(style::GRID)
            .x_desc("false alarms per region-year on data with no rise (square-root scale)")
            .y_desc("share of rises caught")
            .x_label_formatter(&|v| crate::format::format_stat(Some(v * v)))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .label_style((FONT, style::TICK))
            .axis_desc_style((FONT, style::TICK))
            .draw()
            .map_err(de)?;
        for (i, p) in panel.points.iter().enumerate() {
            // Alternate labels above and below their point: close points (nb and trend at
            // the same alpha) would otherwise print over each other.
            let below = i % 2 == 1;
            let colour = if p.recommended {
                style::FLAGGED
            } else {
                style::OBSERVED
            };
            let at = (p.false_alarms.max(0.0).sqrt(), p.sensitivity);
            chart
                .draw_series(std::iter::once(Circle::new(at, 5, colour.filled())))
                .map_err(de)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    p.label.clone(),
                    at,
                    (FONT, style::TICK - 1).into_font().color(&style::TEXT).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Left,
                            if below {
                                plotters::style::text_anchor::VPos::Top
                            } else {
                                plotters::style::text_anchor::VPos::Bottom
                            },
                        ),
                    ),
                )))
                .map_err(de)?;
        }
    }
    root.present().map_err(de)?;
    Ok(())
}
