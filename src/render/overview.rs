//! The overview: small multiples of the regions with alarms (then the most active), one shared
//! time axis, each panel titled with the region and its latest ratio. At most
//! [`MAX_PANELS`] panels; the caller says how many were left out.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::style::{self, FONT};
use super::{count_label, de, week_label};
use crate::format::ellipsize;

/// Most panels drawn; the rest are listed as "+N more" in the title.
pub const MAX_PANELS: usize = 24;
const COLUMNS: usize = 4;
const PANEL_HEIGHT: u32 = 170;
const HEADER: u32 = 64;

/// One panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverviewPanel {
    /// Panel title: region and latest ratio.
    pub title: String,
    /// Observed counts, one per week of the spec.
    pub observed: Vec<f64>,
    /// Alarm per week.
    pub alarm: Vec<bool>,
    /// Threshold per week, where judged.
    pub upper: Vec<Option<f64>>,
}

/// The overview chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverviewSpec {
    /// Title.
    pub title: String,
    /// Subtitle (unit, weeks, what the colours mean).
    pub subtitle: String,
    /// Shared weeks.
    pub weeks: Vec<NaiveDate>,
    /// Panels, in display order (at most `MAX_PANELS` are drawn).
    pub panels: Vec<OverviewPanel>,
    /// Regions not shown (beyond the cap), for the note.
    pub not_shown: usize,
}

/// A panel title of about `max` characters: a long region name is shortened (keeping the
/// finest part of a nested name), not the "(latest …× expected)" after it.
fn panel_title(title: &str, max: usize) -> String {
    match title.rfind(" (latest ") {
        Some(at) if title.chars().count() > max => {
            let (head, tail) = title.split_at(at);
            let room = max.saturating_sub(tail.chars().count()).max(8);
            // Nested names keep their finest part: "…/ Province000".
            let head = match head.rsplit_once(" / ") {
                Some((_, last)) if last.chars().count() + 3 <= room => format!("…/ {last}"),
                _ => ellipsize(head, room),
            };
            format!("{head}{tail}")
        }
        _ => ellipsize(title, max),
    }
}

pub(super) fn size(spec: &OverviewSpec) -> (u32, u32) {
    let n = spec.panels.len().clamp(1, MAX_PANELS);
    let rows = n.div_ceil(COLUMNS) as u32;
    (style::WIDE, HEADER + rows * PANEL_HEIGHT)
}

pub(super) fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &OverviewSpec,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(de)?;
    let (header, body) = root.split_vertically(HEADER);
    super::draw_header(&header, &spec.title, &spec.subtitle, spec.not_shown)?;
    let panels: Vec<&OverviewPanel> = spec.panels.iter().take(MAX_PANELS).collect();
    if panels.is_empty() {
        body.draw(&Text::new(
            "No regions to show.",
            (16, 20),
            (FONT, style::LABEL).into_font(),
        ))
        .map_err(de)?;
        return root.present().map_err(de);
    }
    let rows = panels.len().div_ceil(COLUMNS);
    let areas = body.split_evenly((rows, COLUMNS));
    let n = spec.weeks.len().max(1) as i32;
    for (area, panel) in areas.iter().zip(&panels) {
        let top = panel
            .observed
            .iter()
            .copied()
            .chain(panel.upper.iter().flatten().copied())
            .fold(0.0f64, f64::max);
        let y_max = if top <= 0.0 { 1.0 } else { top * 1.15 };
        // The right margin holds half of the last x label ("Nov 2019").
        let mut chart = ChartBuilder::on(area)
            .margin(6)
            .margin_right(26)
            .caption(panel_title(&panel.title, 38), (FONT, style::TICK + 1))
            .x_label_area_size(20)
            .y_label_area_size(36)
            .build_cartesian_2d(-1i32..n, 0f64..y_max)
            .map_err(de)?;
        let weeks = spec.weeks.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(style::GRID)
            .x_labels(3)
            .y_labels(3)
            .x_label_formatter(&|i| week_label(&weeks, *i))
            .y_label_formatter(&count_label)
            .label_style((FONT, style::TICK - 2))
            .draw()
            .map_err(de)?;
        chart
            .draw_series(panel.observed.iter().enumerate().map(|(i, v)| {
                let colour = if panel.alarm[i] {
                    style::FLAGGED
                } else {
                    style::OBSERVED
                };
                Rectangle::new(
                    [(i as i32, 0.0), (i as i32 + 1, *v)],
                    colour.mix(0.85).filled(),
                )
            }))
            .map_err(de)?;
        let threshold: Vec<(i32, f64)> = panel
            .upper
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.map(|u| (i as i32, u)))
            .collect();
        chart
            .draw_series(DashedLineSeries::new(
                threshold,
                4,
                3,
                style::THRESHOLD.stroke_width(1),
            ))
            .map_err(de)?;
    }
    root.present().map_err(de)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::panel_title;

    #[test]
    fn long_names_are_shortened_before_the_ratio() {
        assert_eq!(
            panel_title("Country13 / Province000 (latest 0.8× expected)", 38),
            "…/ Province000 (latest 0.8× expected)"
        );
        assert_eq!(
            panel_title("Idlib (latest 1.0× expected)", 34),
            "Idlib (latest 1.0× expected)"
        );
        assert_eq!(panel_title("Tartus", 34), "Tartus");
        assert_eq!(
            panel_title(
                "A very long region name without parts (latest 2.0× expected)",
                34
            ),
            "A very lon… (latest 2.0× expected)"
        );
    }
}
