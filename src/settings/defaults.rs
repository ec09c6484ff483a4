//! Every default of a run in one place: what a flag or config key falls back to.

/// The default subject of the report's e-mail: "uptick: 3 alerts in the week of
/// 2019-10-07 (Syria)".
pub const SUBJECT: &str = "uptick: {alerts} in the week of {week} ({title})";
/// The most neighbour visits a report's cluster scan may take unless asked for: about
/// ten seconds on two cores (a scan of the demo takes 3e7).
pub const REPORT_SCAN_WORK: f64 = 2e9;

use crate::compare::TestKind;
use crate::ingest::{Metric, MultiDay, UnknownDay};
use crate::model::SeriesStart;
use crate::render::ChartFormat;

/// A load rejecting more than this share of its rows fails.
pub const MAX_REJECTED: f64 = crate::ingest::DEFAULT_MAX_REJECTED;
/// Significance and false-discovery level.
pub const ALPHA: f64 = crate::detect::DEFAULT_ALPHA;
/// An alarm needs at least this many events in the last 4 weeks.
pub const MIN_COUNT: f64 = crate::detect::DEFAULT_MIN_COUNT;
/// EARS SD floor.
pub const MIN_SIGMA: f64 = crate::detect::DEFAULT_MIN_SIGMA;
/// Weeks between the baseline and the judged week (nb, cusum).
pub const GUARD_WEEKS: usize = crate::detect::DEFAULT_GUARD_WEEKS;
/// The Mann-Kendall window.
pub const TREND_WEEKS: usize = crate::detect::DEFAULT_TREND_WEEKS;
/// CUSUM in-control run length in weeks.
pub const CUSUM_ARL: f64 = crate::detect::cusum::DEFAULT_ARL_WEEKS;
/// The period of interest of a comparison.
pub const PERIOD: &str = "last-4-weeks";
/// The period it is compared with.
pub const AGAINST: &str = "previous-12-weeks";
/// The comparison's test.
pub const TEST: TestKind = TestKind::QuasiPoisson;
/// Weeks shown in charts.
pub const CHART_WEEKS: usize = 52;
/// The report never shows fewer chart weeks than this.
pub const MIN_REPORT_CHART_WEEKS: usize = 4;
/// Chart image format.
pub const CHART_FORMAT: ChartFormat = ChartFormat::Png;
/// What to count.
pub const METRIC: Metric = Metric::Events;
/// GTD day 0.
pub const UNKNOWN_DAY: UnknownDay = UnknownDay::MonthStart;
/// UCDP multi-day events.
pub const MULTI_DAY: MultiDay = MultiDay::Start;
/// Where series start.
pub const SERIES_START: SeriesStart = SeriesStart::Top;
use crate::detect::Method;

/// The report's output root.
pub const REPORT_ROOT: &str = "reports";
/// Notable events listed per alert.
pub const NOTABLE: usize = 5;
/// Rows of each per-region table in report.md / report.html.
pub const MAX_ROWS: usize = 25;
/// `evaluate`: the methods compared (the one `auto` chooses, then the alternatives).
pub const EVALUATE_METHODS: [Method; 4] =
    [Method::Nb, Method::EarsC2, Method::Cusum, Method::Trend];
/// `evaluate`: the levels compared.
pub const EVALUATE_ALPHAS: [f64; 2] = [0.05, 0.01];
/// `evaluate`: the rise factor injected.
pub const INJECT: f64 = 2.0;
/// `evaluate`: weeks of each rise.
pub const INJECT_WEEKS: usize = 3;
/// `evaluate`: rises per region.
pub const INJECTIONS: usize = 20;
/// `evaluate`: the judged window.
pub const EVALUATE_WEEKS: usize = 104;
/// `evaluate`: null copies per region.
pub const NULL_COPIES: usize = 5;
/// `evaluate`: the seed.
pub const SEED: u64 = 1;
/// `evaluate`: false alerts a week across all regions (95th percentile).
pub const BUDGET: f64 = 1.0;
