//! The archive chart of `OUT/index.html`: alerts per week (bars, new alerts darker) above
//! the total weekly count across all regions (line), on one time axis of the weeks on
//! record.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::style::{self, FONT};
use super::{count_label, de, draw_header};

/// Size in pixels.
pub const SIZE: (u32, u32) = (style::WIDE, 520);

/// One week on record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchiveWeek {
    /// First day of the week.
    pub week: NaiveDate,
    /// Alerts that week.
    pub alerts: usize,
    /// Of which new.
    pub new: usize,
    /// All regions' count that week.
    pub total: f64,
}

/// The archive chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchiveSpec {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// The unit of the total ("events").
    pub unit: String,
    /// Weeks on record, oldest first.
    pub weeks: Vec<ArchiveWeek>,
}

/// A layer of bars: its legend, colour and height per week.
type Layer = (&'static str, RGBColor, fn(&ArchiveWeek) -> usize);

pub(super) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &ArchiveSpec,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(de)?;
    draw_header(&root, &spec.title, &spec.subtitle, 0)?;
    let (_, body) = root.split_vertically(64);
    let (top, bottom) = body.split_vertically((SIZE.1 - 64) / 2);
    let first = spec.weeks.first().map_or(NaiveDate::MIN, |w| w.week);
    let last = spec.weeks.last().map_or(NaiveDate::MIN, |w| w.week);
    // Days from the first week; a single week gets a week either side.
    let day = |d: NaiveDate| (d - first).num_days() as f64;
    let span = day(last).max(7.0);
    let x_range = -7.0..span + 7.0;
    let label = |x: &f64| {
        (first + chrono::Duration::days(x.round() as i64))
            .format("%d %b %Y")
            .to_string()
    };

    let max_alerts = spec
        .weeks
        .iter()
        .map(|w| w.alerts)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut chart = ChartBuilder::on(&top)
        .margin_left(16)
        .margin_right(24)
        .margin_top(8)
        .x_label_area_size(0)
        .y_label_area_size(56)
        .caption("Alerts per week", (FONT, style::LABEL))
        .build_cartesian_2d(x_range.clone(), 0.0..max_alerts * 1.15)
        .map_err(de)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::GRID)
        .y_labels(5)
        .y_label_formatter(&count_label)
        .y_desc("alerts")
        .label_style((FONT, style::TICK))
        .draw()
        .map_err(de)?;
    // Bars five days wide: weeks side by side stay apart; long records get thin bars.
    let half = 2.5;
    // All alerts, then the new ones over them (the continuing ones show above).
    let layers: [Layer; 2] = [
        ("continuing", style::THRESHOLD, |w| w.alerts),
        ("new", style::FLAGGED, |w| w.new),
    ];
    for (label, colour, height) in layers {
        chart
            .draw_series(spec.weeks.iter().filter(|w| height(w) > 0).map(|w| {
                let x = day(w.week);
                Rectangle::new(
                    [(x - half, 0.0), (x + half, height(w) as f64)],
                    colour.filled(),
                )
            }))
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(style::GRID)
        .label_font((FONT, style::TICK))
        .draw()
        .map_err(de)?;

    let max_total = spec
        .weeks
        .iter()
        .map(|w| w.total)
        .fold(0.0f64, f64::max)
        .max(1.0);
    let mut chart = ChartBuilder::on(&bottom)
        .margin_left(16)
        .margin_right(24)
        .margin_bottom(8)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .caption(
            format!("All regions: {} per week", spec.unit),
            (FONT, style::LABEL),
        )
        .build_cartesian_2d(x_range, 0.0..max_total * 1.15)
        .map_err(de)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(style::GRID)
        .x_labels(6)
        .x_label_formatter(&label)
        .y_labels(5)
        .y_label_formatter(&count_label)
        .y_desc(spec.unit.as_str())
        .label_style((FONT, style::TICK))
        .draw()
        .map_err(de)?;
    chart
        .draw_series(LineSeries::new(
            spec.weeks.iter().map(|w| (day(w.week), w.total)),
            style::OBSERVED.stroke_width(2),
        ))
        .map_err(de)?;
    chart
        .draw_series(
            spec.weeks
                .iter()
                .map(|w| Circle::new((day(w.week), w.total), 3, style::OBSERVED.filled())),
        )
        .map_err(de)?;
    root.present().map_err(de)?;
    Ok(())
}
