//! Look and feel of every chart: sizes, the colour-blind-safe palette (Okabe & Ito 2008),
//! fonts, and text sizes. Change here, not in the chart files.

use plotters::style::{FontStyle, RGBColor};

/// The embedded font (DejaVu Sans, Bitstream Vera licence; see fonts/LICENSE-DejaVu.txt).
pub const FONT_BYTES: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
/// The family name charts ask for.
pub const FONT: &str = "sans-serif";

/// Trend chart size in pixels (reads at 100% in a markdown viewer).
pub const TREND_SIZE: (u32, u32) = (960, 440);
/// Width of the wide charts (overview, heat map, comparison).
pub const WIDE: u32 = 1100;

/// Title text size.
pub const TITLE: u32 = 22;
/// Subtitle / axis description size.
pub const LABEL: u32 = 15;
/// Tick label size.
pub const TICK: u32 = 13;

/// Observed counts (Okabe-Ito blue).
pub const OBSERVED: RGBColor = RGBColor(0, 114, 178);
/// Alarm weeks (Okabe-Ito vermillion).
pub const FLAGGED: RGBColor = RGBColor(213, 94, 0);
/// The expected value (near-black).
pub const EXPECTED: RGBColor = RGBColor(40, 40, 40);
/// The alarm threshold (Okabe-Ito orange).
pub const THRESHOLD: RGBColor = RGBColor(230, 159, 0);
/// The as-of marker and reference lines (grey).
pub const MARKER: RGBColor = RGBColor(120, 120, 120);
/// Light grid lines.
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// Heat-map cells of weeks that were not judged.
pub const NOT_JUDGED: RGBColor = RGBColor(232, 232, 232);
/// Text.
pub const TEXT: RGBColor = RGBColor(30, 30, 30);

/// Event map: sea and anything beyond the land (very light blue).
pub const SEA: RGBColor = RGBColor(236, 243, 249);
/// Event map: land (light grey).
pub const LAND: RGBColor = RGBColor(229, 229, 227);
/// Event map: country borders and coastlines (darker grey).
pub const BORDER: RGBColor = RGBColor(168, 168, 168);
/// Event map: events outside alerting regions (muted grey-blue); events in alerting regions
/// are [`FLAGGED`].
pub const OTHER_EVENTS: RGBColor = RGBColor(84, 112, 145);
/// Event map: country names (muted grey).
pub const COUNTRY_NAME: RGBColor = RGBColor(125, 125, 125);
/// Event map: the frame around the map (light grey).
pub const MAP_FRAME: RGBColor = RGBColor(190, 190, 190);

/// Registers the embedded font once per process.
pub fn ensure_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The bytes are a valid TrueType font, checked by the tests.
            let _ = plotters::style::register_font(FONT, style, FONT_BYTES);
        }
    });
}

/// Colour for the heat map's signal (observed + ½)/(expected + ½) on a diverging scale: blue
/// below 1, white at 1, vermillion above (log scale, saturating at 1/8 and 8).
pub fn signal_colour(signal: f64) -> RGBColor {
    let x = (signal.max(1e-9).log2() / 3.0).clamp(-1.0, 1.0);
    let mix = |a: (u8, u8, u8), t: f64| -> RGBColor {
        let l = |c: u8| (255.0 + (f64::from(c) - 255.0) * t).round() as u8;
        RGBColor(l(a.0), l(a.1), l(a.2))
    };
    if x >= 0.0 {
        mix((213, 94, 0), x)
    } else {
        mix((0, 114, 178), -x)
    }
}
