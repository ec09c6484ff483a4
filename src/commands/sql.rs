//! `uptick sql`: resolve the columns as a load would, then print the queries.

use std::path::Path;

use anyhow::bail;

use crate::cli::{InputArgs, SqlArgs, SqlQuery};
use crate::commands::ExitStatus;
use crate::config::InputConfig;
use crate::ingest::schema::{self, DateSource, Preset};
use crate::sql::{queries, Request};

/// The columns of each preset's standard export, for when no file is given.
fn standard_header(preset: Preset) -> Option<&'static str> {
    match preset {
        Preset::Acled => Some(
            "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp",
        ),
        Preset::Gtd => Some(
            "eventid,iyear,imonth,iday,country_txt,provstate,city,latitude,longitude,attacktype1_txt,gname,gname2,gname3,nkill,summary",
        ),
        Preset::UcdpGed => Some(
            "id,date_start,date_end,country,adm_1,adm_2,where_coordinates,latitude,longitude,side_a,side_b,type_of_violence,best,source_headline",
        ),
        Preset::Counts | Preset::Generic => None,
    }
}

/// Runs `uptick sql`.
///
/// # Errors
/// Unknown columns, unsupported options, an unreadable header file.
pub fn run(args: SqlArgs) -> anyhow::Result<ExitStatus> {
    let input = InputArgs {
        input: Some(
            args.input
                .clone()
                .unwrap_or_else(|| args.table.clone().into()),
        ),
        demo: false,
        read: args.read,
    };
    let spec = crate::settings::input_spec(&input, &InputConfig::default())?;
    let header: Vec<String> = match (&args.input, spec.preset.and_then(standard_header)) {
        (Some(_), _) => crate::ingest::header(&spec)?,
        (None, Some(standard)) => standard.split(',').map(str::to_string).collect(),
        (None, None) => {
            // A generic table: the columns the options name.
            let mut cols: Vec<String> = spec
                .date_col
                .iter()
                .chain(&spec.region_cols)
                .chain(&spec.actor_cols)
                .chain(&spec.id_col)
                .cloned()
                .collect();
            cols.extend(spec.filters.iter().map(|f| f.column.clone()));
            if cols.is_empty() {
                bail!("uptick sql needs --preset (acled, gtd, ucdp-ged), --input FILE with the table's header, or --date-col and --region-col");
            }
            cols
        }
    };
    let mut spec = spec;
    if spec.preset.is_none() && args.input.is_none() {
        spec.preset = Some(Preset::Generic);
    }
    let map = schema::resolve_columns(&spec, &header, Path::new(&args.table))?;
    if map.preset == Preset::Counts {
        bail!(
            "{}: these are weekly counts already; uptick sql aggregates event rows",
            args.table
        );
    }
    let week_start = spec
        .week_start
        .unwrap_or_else(|| map.preset.default_week_start());
    // Numeric day/month dates are read in the order a load would infer from the file (a
    // partitioned lake, written by an engine, holds typed dates: it is not read through).
    let inferred_date_format = match &args.input {
        Some(path)
            if !path.is_dir()
                && matches!(map.date, DateSource::Column(_) | DateSource::Span { .. }) =>
        {
            crate::ingest::inferred_date_format(&spec)?
        }
        _ => None,
    };
    let q = queries(&Request {
        dialect: args.dialect,
        table: &args.table,
        spec: &spec,
        map: &map,
        week_start,
        inferred_date_format,
    })
    .map_err(|e| anyhow::anyhow!(e))?;
    let text = match args.only {
        Some(SqlQuery::Counts) => q.counts,
        Some(SqlQuery::Ledger) => q.ledger,
        None => format!("{}\n{}", q.counts, q.ledger),
    };
    crate::export::write_atomic(Path::new("-"), text.as_bytes())?;
    Ok(ExitStatus::Success)
}
