//! Render: charts as PNG and SVG from the same drawing code (plotters). Charts only draw what
//! they are given: every statistic arrives precomputed in a spec.
//!
//! Text is drawn with an embedded font (DejaVu Sans, see `fonts/LICENSE-DejaVu.txt`) through
//! plotters' `ab_glyph` feature, so rendering needs no system fonts or font libraries.
//!
//! One entry point per chart kind: [`draw_trend`], [`draw_overview`], [`draw_heatmap`],
//! [`draw_comparison`], [`draw_evaluation`], [`draw_map`]; each writes `<stem>.png` and/or
//! `<stem>.svg` atomically.

pub mod style;

mod archive;
mod comparison;
mod evaluation;
mod heatmap;
mod map;
mod overview;
mod palette;
mod trend;
mod world;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

pub use archive::{ArchiveSpec, ArchiveWeek};
pub use comparison::{ComparisonRow, ComparisonSpec};
pub use evaluation::{EvaluationPanel, EvaluationPoint, EvaluationSpec};
pub use heatmap::{HeatmapRow, HeatmapSpec};
pub use map::{MapCircle, MapLabel, MapPoint, MapSpec};
pub use overview::{OverviewPanel, OverviewSpec};
pub use trend::TrendSpec;

/// Which image formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartFormat {
    /// PNG only.
    Png,
    /// SVG only.
    Svg,
    /// Both.
    Both,
}

impl ChartFormat {
    fn extensions(self) -> &'static [&'static str] {
        match self {
            ChartFormat::Png => &["png"],
            ChartFormat::Svg => &["svg"],
            ChartFormat::Both => &["png", "svg"],
        }
    }
}

/// A safe, unique file stem for a name: ASCII letters, digits and `-` only, at most 60
/// characters, never empty, never `.` or `..`; a name that sanitises like an earlier one gets
/// `-2`, `-3`, ... (pass the same `taken` set for every chart of a run).
pub fn file_stem(name: &str, taken: &mut HashSet<String>) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if c == '-' && (stem.is_empty() || stem.ends_with('-')) {
            continue;
        }
        stem.push(c);
    }
    let mut stem: String = stem.trim_end_matches('-').chars().take(60).collect();
    stem = stem.trim_end_matches('-').to_string();
    if stem.is_empty() {
        stem = "region".into();
    }
    let mut candidate = stem.clone();
    let mut n = 1;
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate = format!("{stem}-{n}");
    }
    candidate
}

fn chart_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Chart {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes one chart in every requested format. `draw_png`/`draw_svg` draw the same chart on
/// the two backends (the drawing functions are generic over the backend).
fn write_chart(
    dir: &Path,
    stem: &str,
    format: ChartFormat,
    size: (u32, u32),
    draw_png: impl Fn(DrawingArea<BitMapBackend<'_>, Shift>) -> std::result::Result<(), String>,
    draw_svg: impl Fn(DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String>,
) -> Result<Vec<PathBuf>> {
    style::ensure_fonts();
    let mut written = Vec::new();
    for ext in format.extensions() {
        let path = dir.join(format!("{stem}.{ext}"));
        let bytes = if *ext == "png" {
            let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
            let drawn = {
                let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
                guarded(|| draw_png(root))
            };
            drawn.and_then(|()| image_png(&buf, size))
        } else {
            let mut text = String::new();
            let drawn = {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                guarded(|| draw_svg(root))
            };
            drawn.map(|()| text.into_bytes())
        }
        .map_err(|e| chart_error(&path, e))?;
        crate::export::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Runs a drawing function, turning a panic inside the chart library into an error, so a bad
/// chart never takes the run (or a report) down with it.
fn guarded(
    draw: impl FnOnce() -> std::result::Result<(), String>,
) -> std::result::Result<(), String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(draw))
        .unwrap_or_else(|_| Err("the chart library panicked".into()))
}

/// Encodes an RGB buffer as PNG: indexed (one byte per pixel, see [`palette`]) when a
/// palette can be chosen, else RGB.
fn image_png(rgb: &[u8], size: (u32, u32)) -> std::result::Result<Vec<u8>, String> {
    let indexed = palette::indexed(rgb).filter(|ix| !ix.palette.is_empty());
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size.0, size.1);
        enc.set_depth(png::BitDepth::Eight);
        match &indexed {
            Some(ix) => {
                enc.set_color(png::ColorType::Indexed);
                enc.set_palette(ix.palette.clone());
            }
            None => enc.set_color(png::ColorType::Rgb),
        }
        // The strongest deflate would save little more and cost 10% of a 1,000-region
        // report's run time. Indexed rows compress best unfiltered (as the PNG
        // specification advises: 17% smaller than filtered on the 1,000-region charts); RGB
        // rows of flat colour with the filter chosen per row.
        enc.set_compression(png::Compression::Default);
        if indexed.is_some() {
            enc.set_filter(png::FilterType::NoFilter);
        } else {
            enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        }
        let mut w = enc.write_header().map_err(|e| e.to_string())?;
        let data = indexed.as_ref().map_or(rgb, |ix| &ix.indices[..]);
        w.write_image_data(data).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Converts plotters' drawing errors to text.
pub(crate) fn de<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

/// Draws a wide chart's title (with a note of regions left out) and subtitle.
pub(crate) fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    not_shown: usize,
) -> std::result::Result<(), String> {
    let more = if not_shown > 0 {
        format!(" (+{not_shown} more regions not shown)")
    } else {
        String::new()
    };
    area.draw(&Text::new(
        format!("{title}{more}"),
        (16, 8),
        (style::FONT, style::TITLE).into_font().color(&style::TEXT),
    ))
    .map_err(de)?;
    area.draw(&Text::new(
        subtitle.to_string(),
        (16, 38),
        (style::FONT, style::LABEL)
            .into_font()
            .color(&style::MARKER),
    ))
    .map_err(de)?;
    Ok(())
}

/// A count axis label: integers without decimals, others with one.
pub(crate) fn count_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Week labels for a time axis: at most `max_labels` evenly spaced, as "Mar 2019".
pub(crate) fn week_label(weeks: &[NaiveDate], i: i32) -> String {
    usize::try_from(i)
        .ok()
        .and_then(|i| weeks.get(i))
        .map(|d| d.format("%b %Y").to_string())
        .unwrap_or_default()
}

/// Most panels the overview draws.
pub fn overview_max_panels() -> usize {
    overview::MAX_PANELS
}

/// Most rows the heat map draws.
pub fn heatmap_max_rows() -> usize {
    heatmap::MAX_ROWS
}

/// Most rows the comparison chart draws.
pub fn comparison_max_rows() -> usize {
    comparison::MAX_ROWS
}

/// Draws the archive chart of the index page. See [`ArchiveSpec`].
///
/// # Errors
/// The directory is not writable or drawing failed.
pub fn draw_archive(
    spec: &ArchiveSpec,
    dir: &Path,
    stem: &str,
    format: ChartFormat,
) -> Result<Vec<PathBuf>> {
    write_chart(
        dir,
        stem,
        format,
        archive::SIZE,
        |r| archive::draw(r, spec),
        |r| archive::draw(r, spec),
    )
}

/// Draws a region's trend chart. See [`TrendSpec`].
///
/// # Errors
/// The directory is not writable or drawing failed.
pub fn draw_trend(
    spec: &TrendSpec,
    dir: &Path,
    stem: &str,
    format: ChartFormat,
) -> Result<Vec<PathBuf>> {
    write_chart(
        dir,
        stem,
        format,
        style::TREND_SIZE,
        |r| trend::draw(r, spec),
        |r| trend::draw(r, spec),
    )
}

/// Draws the small-multiples overview. See [`OverviewSpec`].
///
/// # Errors
/// The directory is not writable or drawing failed.
pub fn draw_overview(
    spec: &OverviewSpec,
    dir: &Path,
    stem: &str,
    format: ChartFormat,
) -> Result<Vec<PathBuf>> {
    let size = overview::size(spec);
    write_chart(
        dir,
        stem,
        format,
        size,
        |r| overview::draw(r, spec),
        |r| overview::draw(r, spec),
    )
}

/// Draws the regions × weeks heat map. See [`HeatmapSpec`].
///
/// # Errors
/// The directory is not writable or drawing failed.
pub fn draw_heatmap(
    spec: &HeatmapSpec,
    dir: &Path,
    stem: &str,
    format: ChartFormat,
) -> Result<Vec<PathBuf>> {
    let size = heatmap::size(spec);
    write_chart(
        dir,
        stem,
        format,
        size,
        |r| heatmap::draw(r, spec),
        |r| heatmap::draw(r, spec),
    )
}

/// Draws the evaluation chart (sensitivity against false alarms). See [`EvaluationSpec`].
///
/// # Errors
/// The directory is not writable or drawing failed.
pub fn draw_evaluation(
    spec: &EvaluationSpec,
    dir: &Path,
    stem: &str,
    format: ChartFormat,
) -> Result<Vec<PathBuf>> {
    let size = evaluation::size(spec);
    write_chart(
        dir,
        stem,
        format,
        size,
        |r| evaluation::draw(r, spec),
        |r| evaluation::draw(r, spec),
    )
}

/// Draws the rate-ratio comparison chart. See [`ComparisonSpec`].
///
/// # Errors
/// The directory is not writable or drawing failed.
pub fn draw_comparison(
    spec: &ComparisonSpec,
    dir: &Path,
    stem: &str,
    format: ChartFormat,
) -> Result<Vec<PathBuf>> {
    let size = comparison::size(spec);
    write_chart(
        dir,
        stem,
        format,
        size,
        |r| comparison::draw(r, spec),
        |r| comparison::draw(r, spec),
    )
}

/// Draws the event map: one dot per event on country outlines. See [`MapSpec`].
///
/// # Errors
/// No event has usable coordinates ("no events with coordinates to map"), the directory is
/// not writable, or drawing failed.
pub fn draw_map(
    spec: &MapSpec,
    dir: &Path,
    stem: &str,
    format: ChartFormat,
) -> Result<Vec<PathBuf>> {
    let size = map::size(spec);
    write_chart(
        dir,
        stem,
        format,
        size,
        |r| map::draw(r, spec),
        |r| map::draw(r, spec),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(file_stem("Deir ez-Zor", &mut taken), "deir-ez-zor");
        assert_eq!(file_stem("Deir ez Zor", &mut taken), "deir-ez-zor-2");
        assert_eq!(file_stem("../../etc/passwd", &mut taken), "etc-passwd");
        assert_eq!(file_stem("..", &mut taken), "region");
        assert_eq!(file_stem("", &mut taken), "region-2");
        assert_eq!(file_stem("a\\b/c\0d\ne", &mut taken), "a-b-c-d-e");
        assert_eq!(file_stem("Ḥalab حلب", &mut taken), "alab");
        let long = "x".repeat(500);
        assert_eq!(file_stem(&long, &mut taken).len(), 60);
    }
}
