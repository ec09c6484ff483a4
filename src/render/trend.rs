//! The region trend chart: weekly counts as bars (alarm weeks in their own colour), the
//! expected value as a line, the alarm threshold as a dashed line, the as-of week marked.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::style::{self, FONT};
use super::{count_label, de, week_label};
use crate::format::ellipsize;

/// Everything a trend chart shows, computed beforehand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendSpec {
    /// Region name as shown (shortened with an ellipsis when long).
    pub title: String,
    /// Subtitle: method, as-of week, unit.
    pub subtitle: String,
    /// Y axis description, with units ("incidents per week").
    pub y_label: String,
    /// First day of each week shown.
    pub weeks: Vec<NaiveDate>,
    /// Observed counts.
    pub observed: Vec<f64>,
    /// Expected value per week, where judged.
    pub expected: Vec<Option<f64>>,
    /// Alarm threshold per week, where judged.
    pub upper: Vec<Option<f64>>,
    /// Alarm per week.
    pub alarm: Vec<bool>,
    /// Index of the as-of (latest judged) week, if shown.
    pub as_of: Option<usize>,
}

pub(super) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &TrendSpec,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(de)?;
    let n = spec.weeks.len().max(1) as i32;
    let top = spec
        .observed
        .iter()
        .copied()
        .chain(spec.upper.iter().flatten().copied())
        .chain(spec.expected.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let y_max = if top <= 0.0 { 1.0 } else { top * 1.12 };
    let (title_area, body) = root.split_vertically(58);
    title_area
        .draw(&Text::new(
            ellipsize(&spec.title, 70),
            (16, 8),
            (FONT, style::TITLE).into_font().color(&style::TEXT),
        ))
        .map_err(de)?;
    title_area
        .draw(&Text::new(
            spec.subtitle.clone(),
            (16, 36),
            (FONT, style::LABEL).into_font().color(&style::MARKER),
        ))
        .map_err(de)?;
    let mut chart = ChartBuilder::on(&body)
        .margin_left(12)
        .margin_right(24)
        .margin_top(18)
        .margin_bottom(8)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(-1i32..n, 0f64..y_max)
        .map_err(de)?;
    let weeks = spec.weeks.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::GRID)
        .x_labels(8)
        .x_label_formatter(&|i| week_label(&weeks, *i))
        .y_label_formatter(&count_label)
        .y_desc(spec.y_label.clone())
        .y_labels(6)
        .label_style((FONT, style::TICK))
        .axis_desc_style((FONT, style::LABEL))
        .draw()
        .map_err(de)?;
    let bar = |i: usize, v: f64, colour: RGBColor| {
        Rectangle::new(
            [(i as i32, 0.0), (i as i32 + 1, v)],
            colour.mix(0.85).filled(),
        )
    };
    let normal: Vec<_> = spec
        .observed
        .iter()
        .enumerate()
        .filter(|(i, _)| !spec.alarm[*i])
        .map(|(i, v)| bar(i, *v, style::OBSERVED))
        .collect();
    chart
        .draw_series(normal)
        .map_err(de)?
        .label("observed")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], style::OBSERVED.filled()));
    let flagged: Vec<_> = spec
        .observed
        .iter()
        .enumerate()
        .filter(|(i, _)| spec.alarm[*i])
        .map(|(i, v)| bar(i, *v, style::FLAGGED))
        .collect();
    chart
        .draw_series(flagged)
        .map_err(de)?
        .label("alarm week")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], style::FLAGGED.filled()));
    // Lines are drawn through week centres, split where a week was not judged.
    let segments = |values: &[Option<f64>]| -> Vec<Vec<(i32, f64)>> {
        let mut out: Vec<Vec<(i32, f64)>> = vec![Vec::new()];
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) if v.is_finite() => out
                    .last_mut()
                    .expect("non-empty")
                    .extend([(i as i32, *v), (i as i32 + 1, *v)]),
                _ => out.push(Vec::new()),
            }
        }
        out.into_iter().filter(|s| !s.is_empty()).collect()
    };
    let mut labelled = false;
    for seg in segments(&spec.upper) {
        let s = chart
            .draw_series(DashedLineSeries::new(
                seg,
                6,
                4,
                style::THRESHOLD.stroke_width(2),
            ))
            .map_err(de)?;
        if !labelled {
            s.label("alarm threshold").legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], style::THRESHOLD.stroke_width(2))
            });
            labelled = true;
        }
    }
    labelled = false;
    for seg in segments(&spec.expected) {
        let s = chart
            .draw_series(LineSeries::new(seg, style::EXPECTED.stroke_width(2)))
            .map_err(de)?;
        if !labelled {
            s.label("expected").legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], style::EXPECTED.stroke_width(2))
            });
            labelled = true;
        }
    }
    if let Some(i) = spec.as_of {
        let x = i as i32;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, y_max)],
                style::MARKER.stroke_width(1),
            )))
            .map_err(de)?;
        // Above the plotting area (in the top margin), so no bar or edge cuts it.
        let (px, py) = chart.backend_coord(&(x, y_max));
        root.draw(&Text::new(
            "as of",
            (px, py - 3),
            (FONT, style::TICK).into_font().color(&style::MARKER).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Bottom,
                ),
            ),
        ))
        .map_err(de)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(style::GRID)
        .label_font((FONT, style::TICK))
        .draw()
        .map_err(de)?;
    root.present().map_err(de)?;
    Ok(())
}
