use super::*;
use crate::cli::Cli;
use clap::Parser;

fn report(args: &[&str], toml: &str) -> Result<ReportSettings> {
    let cli = Cli::try_parse_from(args).unwrap();
    let crate::cli::Command::Report(a) = cli.command else {
        panic!("not report")
    };
    ReportSettings::resolve(&a, &Config::parse(toml, std::path::Path::new("t.toml"))?)
}

#[test]
fn flags_override_the_config_which_overrides_defaults() {
    let s = report(
        &[
            "uptick", "report", "--demo", "--alpha", "0.01", "--by", "country",
        ],
        "[input]\nby = \"admin1\"\ncountry = \"Syria\"\n[detect]\nalpha = 0.2\nmin_count = 3\n",
    )
    .unwrap();
    assert_eq!(s.run.detection.alpha, Some(0.01));
    assert_eq!(s.run.detection.min_count, 3.0);
    assert_eq!(s.run.input.by.as_deref(), Some("country"));
    assert_eq!(s.run.input.country.as_deref(), Some("Syria"));
    assert_eq!(s.run.detection.guard_weeks, defaults::GUARD_WEEKS);
    assert_eq!(s.run.comparison.period, defaults::PERIOD);
    assert_eq!(s.run.charts.weeks, defaults::CHART_WEEKS);
    assert_eq!(s.root, PathBuf::from("reports"));
    assert!(s.command.contains("--alpha 0.01") && s.command.contains("--by country"));
}

#[test]
fn report_takes_every_input_flag() {
    let s = report(
        &[
            "uptick",
            "report",
            "--demo",
            "--country",
            "Syria",
            "--actor",
            "state",
            "--where",
            "type_of_violence=1",
            "--from",
            "2018-01-01",
            "--to",
            "2019-06-30",
            "--series-start",
            "data",
        ],
        "",
    )
    .unwrap();
    let i = &s.run.input;
    assert_eq!(i.country.as_deref(), Some("Syria"));
    assert!(i.actor.is_some() && i.filters.len() == 1);
    assert_eq!(i.series_start, crate::model::SeriesStart::Data);
    assert!(i.from.is_some() && i.to.is_some());
}

#[test]
fn bad_values_are_usage_errors_wherever_they_come_from() {
    let err = report(&["uptick", "report", "--demo"], "[detect]\nalpha = 2.0\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("--alpha 2 must be between 0 and 1"), "{err}");
    let err = report(&["uptick", "report"], "").unwrap_err().to_string();
    assert!(err.contains("no input"), "{err}");
    let err = report(
        &[
            "uptick",
            "report",
            "--demo",
            "--from",
            "2019-01-02",
            "--to",
            "2019-01-01",
        ],
        "",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("is after"), "{err}");
}
