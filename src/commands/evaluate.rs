//! `uptick evaluate`: load → weekly series → evaluate each method × alpha → write the table
//! and the chart.

use anyhow::Context;
use serde_json::json;

use crate::cli::{CompareFormat, EvaluateArgs, GlobalArgs};
use crate::commands::ExitStatus;
use crate::evaluate::{self, Evaluation};
use crate::export;
use crate::render::{self, EvaluationPanel, EvaluationPoint, EvaluationSpec};

/// Runs `uptick evaluate`.
///
/// # Errors
/// Loading, evaluation or writing failures.
pub fn run(args: EvaluateArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let (settings, s) = crate::settings::Settings::for_evaluate(&args)?;
    let loaded = super::load(&settings.input, global.quiet)?;
    let set = &loaded.set;
    let result = evaluate::evaluate(&set.measured(), &set.weeks, &s);
    let bytes = match args.format {
        CompareFormat::Table => export::evaluation::evaluation_table(&result).into_bytes(),
        CompareFormat::Csv => export::evaluation::evaluation_csv(&result)?,
        CompareFormat::Md => export::evaluation::evaluation_markdown(&result).into_bytes(),
        CompareFormat::Json => export::evaluation::evaluation_json(
            &result,
            json!({
                "input": loaded.incidents.quality.source,
                "as_of": loaded.spec.as_of,
                "measure": set.measure_name(),
                "week_start_day": set.week_start,
                "seed": s.seed,
                "null_copies": s.null_copies,
                "budget": s.budget,
                "quality": loaded.incidents.quality,
            }),
        )?,
    };
    export::write_atomic(&settings.output, &bytes)
        .with_context(|| format!("writing the evaluation to {}", settings.output.display()))?;
    if !global.quiet && args.format != CompareFormat::Table {
        crate::say!("{}", result.recommendation.text);
    }
    if let Some(dir) = &settings.charts.dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the chart directory {}", dir.display()))?;
        let spec = chart_spec(&result, &set.measure_name());
        render::draw_evaluation(&spec, dir, "evaluation", settings.charts.format)?;
    }
    Ok(ExitStatus::Success)
}

/// One panel per rise size, one point per method × alpha.
fn chart_spec(e: &Evaluation, unit: &str) -> EvaluationSpec {
    let mut factors: Vec<(f64, usize)> = Vec::new();
    for r in &e.results {
        if !factors.contains(&(r.inject_factor, r.inject_weeks)) {
            factors.push((r.inject_factor, r.inject_weeks));
        }
    }
    let rec = &e.recommendation;
    EvaluationSpec {
        title: "Share of injected rises caught against false alarms, by method and alpha".into(),
        subtitle: format!(
            "{unit} per week; {} regions, last {} weeks; false alarms on simulated copies with no rise; vermillion = recommended",
            e.regions, e.weeks_judged
        ),
        panels: factors
            .into_iter()
            .map(|(factor, weeks)| EvaluationPanel {
                title: format!(
                    "{}× rises over {weeks} week{}",
                    crate::format::format_number(factor),
                    if weeks == 1 { "" } else { "s" }
                ),
                points: e
                    .results
                    .iter()
                    .filter(|r| r.inject_factor == factor && r.inject_weeks == weeks)
                    .map(|r| EvaluationPoint {
                        label: format!("{} {}", r.method.name(), r.alpha),
                        false_alarms: r.false_alarms_per_region_year_null,
                        sensitivity: r.sensitivity.unwrap_or(0.0),
                        recommended: rec.method == Some(r.method) && rec.alpha == Some(r.alpha),
                    })
                    .collect(),
            })
            .collect(),
    }
}
