//! `uptick clusters`: load (with each event's coordinates for the study period) → the
//! space-time permutation scan → write the clusters (and draw them on the map).

use anyhow::Context;
use serde_json::json;

use crate::cli::{ClustersArgs, ClustersFormat, GlobalArgs};
use crate::clusters::{self, ClusterScan};
use crate::commands::ExitStatus;
use crate::export;

/// Runs `uptick clusters`.
///
/// # Errors
/// Loading, an input without coordinates, or writing failures.
pub fn run(args: ClustersArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let (settings, params) = crate::settings::Settings::for_clusters(&args)?;
    let loaded = super::load(&settings.input, global.quiet)?;
    let scanned = scan(&loaded, &params, f64::INFINITY)?;
    if !global.quiet {
        if let Some(note) = scanned.coordinates.note() {
            crate::say!("note: {note}");
        }
    }
    if let Some(dir) = &settings.charts.dir {
        let files =
            super::charts::write_cluster_map(dir, &loaded, &scanned, settings.charts.format)?;
        if !global.quiet {
            crate::say!("wrote {}", files.display());
        }
    }
    let set = &loaded.set;
    let bytes = match args.format {
        ClustersFormat::Table => export::clusters::clusters_table(&scanned).into_bytes(),
        ClustersFormat::Csv => export::clusters::clusters_csv(&scanned)?,
        ClustersFormat::Json => export::clusters::clusters_json(
            &scanned,
            &set.region_columns,
            json!({
                "as_of": loaded.spec.as_of,
                "region_columns": set.region_columns,
                "quality": loaded.incidents.quality,
            }),
        )?,
        ClustersFormat::Md => {
            export::clusters::clusters_markdown(&scanned, &set.measure_name()).into_bytes()
        }
    };
    export::write_atomic(&settings.output, &bytes)
        .with_context(|| format!("writing clusters to {}", settings.output.display()))?;
    Ok(ExitStatus::Success)
}

/// The scan of a load's last week (shared with `report`, which sets a limit on its work).
///
/// # Errors
/// The input has no coordinate columns, no event of the study period has coordinates, or
/// the scan would exceed `max_work`.
pub fn scan(
    loaded: &super::Loaded,
    params: &clusters::ScanParams,
    max_work: f64,
) -> anyhow::Result<ClusterScan> {
    let source = loaded.spec.source.display();
    if loaded.incidents.columns.coordinates.is_none() {
        anyhow::bail!(
            "{source}: the data have no latitude/longitude columns, which the cluster scan needs"
        );
    }
    let week = *loaded
        .set
        .weeks
        .last()
        .with_context(|| format!("{source}: no complete week to scan"))?;
    let scanned = clusters::scan_incidents_within(&loaded.incidents, week, params, max_work)
        .map_err(|why| anyhow::anyhow!("{source}: {why}"))?;
    if scanned.coordinates.used == 0 {
        anyhow::bail!(
            "{source}: none of the {} events of the study period has usable coordinates{}",
            scanned.coordinates.without(),
            scanned
                .coordinates
                .note()
                .map_or(String::new(), |n| format!(" ({n})"))
        );
    }
    Ok(scanned)
}
