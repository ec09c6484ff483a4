//! `uptick sql`: the weekly aggregation as one SQL query for the engine the events live in
//! (DuckDB, PostgreSQL, Spark, BigQuery, Trino), with uptick's own rules, and a second query
//! giving the ledger of what the rules left out. The first query's result, `week_start,
//! <region columns>, events[, fatalities]`, is what `--preset counts` reads back.
//!
//! The rules, in uptick's order (`ingest::validate`): the date (missing, unparsable, before
//! 1900, GTD's day 0, UCDP's multi-day events), then `--as-of`, `--from`/`--to` and the
//! incomplete week of `--as-of`, then the filters (`--country`, `--where`, `--actor`), then
//! the regions (missing), the numbers (ACLED's required fatalities), then duplicates (one row
//! per event id, after the filters, so an event listed once per actor counts when any of its
//! rows matches), and last the data's own incomplete last week. What SQL cannot do the same
//! way is written as a comment at the top of the query ([`Queries::caveats`]).

pub mod dialect;

use chrono::NaiveDate;
use sha2::Digest;

pub use dialect::Dialect;

use crate::ingest::schema::{ColumnMap, DateSource, Preset, UNIT_SUFFIXES};
use crate::ingest::{InputSpec, Metric, MultiDay, UnknownDay, MIN_YEAR};
use crate::model::SeriesStart;
use crate::model::WeekStart;

/// The date formats tried, in order, when no `--date-format` is given: ISO dates and ACLED's
/// export formats (a subset of what uptick recognises; see the caveats).
const FORMATS: [&str; 5] = ["%Y-%m-%d", "%d-%b-%y", "%d %B %Y", "%d-%B-%Y", "%d-%b-%Y"];

/// The column of the counts that names the query which made them (`--preset counts` reads it).
pub use crate::ingest::schema::QUERY_COLUMN;

/// Where the query's id goes before it is known.
const QUERY_ID: &str = "__UPTICK_QUERY_ID__";

/// The ledger's reason for rows of the data's incomplete last week.
const CUT_WHY: &str = "exclude: in the incomplete last week of the data";

/// The two queries and what they cannot reproduce exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Queries {
    /// Weekly counts: `week_start, <regions>, events[, fatalities]`.
    pub counts: String,
    /// The ledger: `fate, reason, rows` (kept, rejected, excluded).
    pub ledger: String,
    /// Where the engine's result may differ from `uptick series` on the same rows.
    pub caveats: Vec<String>,
}

/// Everything a query needs besides the column map.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The dialect.
    pub dialect: Dialect,
    /// The table (or view) holding the events, as the engine names it.
    pub table: &'a str,
    /// The input options (filters, dates, metric, policies).
    pub spec: &'a InputSpec,
    /// The columns, resolved from the preset and the options.
    pub map: &'a ColumnMap,
    /// The week's first day.
    pub week_start: WeekStart,
    /// The numeric day/month format inferred from the input's dates as a load infers it
    /// (`%d-%m-%y`), tried before the standard formats.
    pub inferred_date_format: Option<String>,
}

/// Writes the counts and ledger queries.
pub fn queries(r: &Request<'_>) -> Result<Queries, String> {
    let d = r.dialect;
    let mut caveats = Vec::new();
    let formats: Vec<String> = match (&r.spec.date_format, &r.inferred_date_format) {
        (Some(f), _) if dialect::translatable(f) => vec![f.clone()],
        (Some(f), _) => {
            return Err(format!(
                "--date-format {f}: uptick sql translates only %d %m %Y %y %b %B"
            ))
        }
        (None, Some(f)) if !dialect::translatable(f) => {
            return Err(format!(
                "the dates read as --date-format {f}, which uptick sql cannot translate (only %d %m %Y %y %b %B): convert them to ISO dates in the engine first"
            ))
        }
        (None, inferred) => inferred
            .iter()
            .cloned()
            .chain(FORMATS.iter().map(|s| s.to_string()))
            .collect(),
    };
    if r.spec.date_format.is_none() {
        caveats.push(format!(
            "dates are read in the formats {} only{}: pass --date-format for others",
            formats.join(", "),
            if r.inferred_date_format.is_some() {
                ""
            } else {
                " (uptick also infers day/month order in numeric dates such as 31-12-19; give --input FILE to have it written here)"
            }
        ));
    }
    if formats.iter().any(|f| f.contains("%y")) {
        caveats.push(format!(
            "two-digit years take {}'s century rule; uptick takes the century from the file's year column, or else the latest year with those digits not after today (or --as-of when later)",
            d.name(),
        ));
    }
    if matches!(d, Dialect::Postgres) {
        caveats.push(
            "PostgreSQL's TO_DATE fails the query on an impossible date such as 31-Feb (uptick rejects the row)".into(),
        );
    }
    if r.map.na_values.iter().any(|v| v == "NA") {
        caveats.push("the text NA counts as missing, as in uptick's GTD preset".into());
    }
    if r.map.identical_rows_are_duplicates {
        caveats.push(
            "rows without an event id are not compared with each other (uptick drops identical rows of ACLED exports without ids)".into(),
        );
    }
    if r.map.id.is_some() {
        caveats.push(
            "of rows sharing an event id the query keeps the earliest by date and region, uptick the first in the file: they differ only where such rows disagree".into(),
        );
    }
    if r.spec.actor.is_some() {
        caveats.push(format!(
            "--actor is run by {}'s regular expressions, which may read some patterns otherwise than Rust's regex crate",
            d.name()
        ));
    }
    if r.map.weight.is_some() || r.map.events_count.is_some() {
        return Err("uptick sql aggregates event rows; pre-aggregated input (--weight-col, counts, ACLED weekly aggregates) is not supported".into());
    }
    if matches!(r.map.date, DateSource::IsoYearWeek { .. }) {
        return Err("uptick sql does not support --week-col (data that are already weekly)".into());
    }
    let na = &r.map.na_values;
    // A column as trimmed text, NULL when empty or an NA value.
    let text = |column: &str| -> String {
        let mut missing = vec![d.string("")];
        missing.extend(na.iter().map(|v| d.string(v)));
        format!(
            "CASE WHEN {t} IN ({}) THEN NULL ELSE {t} END",
            missing.join(", "),
            t = d.text(column)
        )
    };
    let parse = |expr: &str| -> String {
        let tries: Vec<String> = formats.iter().map(|f| d.parse_date(expr, f)).collect();
        if tries.len() == 1 {
            tries[0].clone()
        } else {
            format!("COALESCE({})", tries.join(", "))
        }
    };
    // Stage 1: the row's text fields.
    let mut src = Vec::new();
    let mut date_checks: Vec<(String, String)> = Vec::new(); // (condition, reason), in order
    let day_expr: String;
    match &r.map.date {
        DateSource::Column(c) => {
            src.push(format!("{} AS date_text", text(c)));
            date_checks.push(("date_text IS NULL".into(), "reject: missing date".into()));
            date_checks.push(("day IS NULL".into(), "reject: unparsable date".into()));
            day_expr = parse("date_text");
        }
        DateSource::Span { start, end } => {
            src.push(format!("{} AS date_text", text(start)));
            src.push(format!("{} AS end_text", text(end)));
            date_checks.push(("date_text IS NULL".into(), "reject: missing date".into()));
            date_checks.push((
                format!("{} IS NULL", parse("date_text")),
                "reject: unparsable date".into(),
            ));
            let (s, e) = (parse("date_text"), parse("end_text"));
            match r.spec.multi_day {
                MultiDay::Start => day_expr = s,
                MultiDay::End => {
                    date_checks.push((
                        format!("{e} IS NULL"),
                        "reject: missing or unparsable end date".into(),
                    ));
                    day_expr = format!("COALESCE({e}, {s})");
                }
                MultiDay::Drop => {
                    date_checks.push((
                        format!("{e} IS NOT NULL AND {e} <> {s}"),
                        "exclude: spans several days (--multi-day drop)".into(),
                    ));
                    day_expr = s;
                }
            }
        }
        DateSource::YearMonthDay { year, month, day } => {
            for (name, c) in [("y", year), ("m", month), ("d", day)] {
                src.push(format!("{} AS {name}_num", d.number(&text(c))));
            }
            let integral = |v: &str| format!("{v} IS NOT NULL AND {v} = FLOOR({v})");
            date_checks.push((
                format!(
                    "NOT ({} AND {} AND {})",
                    integral("y_num"),
                    integral("m_num"),
                    integral("d_num")
                ),
                "reject: missing or non-numeric year/month/day".into(),
            ));
            date_checks.push(("m_num = 0".into(), "reject: unknown month (month 0)".into()));
            if r.spec.unknown_day == UnknownDay::Reject {
                date_checks.push(("d_num = 0".into(), "reject: unknown day (day 0)".into()));
            }
            let iso = d.concat(&[
                d.padded(&d.integer("y_num"), 4),
                "'-'".into(),
                d.padded(&d.integer("m_num"), 2),
                "'-'".into(),
                d.padded(&d.integer("CASE WHEN d_num = 0 THEN 1 ELSE d_num END"), 2),
            ]);
            let ymd = if d == Dialect::Postgres {
                // TO_DATE and MAKE_DATE fail the query on month 13 or day 32: check first.
                let (y, m, dd) = (
                    "CAST(y_num AS INTEGER)",
                    "CAST(m_num AS INTEGER)",
                    "CAST(CASE WHEN d_num = 0 THEN 1 ELSE d_num END AS INTEGER)",
                );
                format!(
                    "CASE WHEN y_num BETWEEN 1 AND 9999 AND m_num BETWEEN 1 AND 12 AND y_num = FLOOR(y_num) AND m_num = FLOOR(m_num) AND d_num = FLOOR(d_num) AND {dd} BETWEEN 1 AND EXTRACT(DAY FROM MAKE_DATE({y}, {m}, 1) + INTERVAL '1 month' - INTERVAL '1 day') THEN MAKE_DATE({y}, {m}, {dd}) END"
                )
            } else {
                d.parse_date(&iso, "%Y-%m-%d")
            };
            date_checks.push((format!("{ymd} IS NULL"), "reject: invalid date".into()));
            day_expr = ymd;
        }
        DateSource::IsoYearWeek { .. } => unreachable!("refused above"),
    }
    let regions: Vec<(String, String)> = r.map.regions.clone();
    let strip = r.map.preset == Preset::UcdpGed;
    for (i, (_, column)) in regions.iter().enumerate() {
        src.push(format!("{} AS r{i}", text(column)));
    }
    let want_fatalities = r.spec.metric == Metric::Fatalities;
    if let Some(c) = &r.map.fatalities {
        if want_fatalities || r.map.fatalities_required {
            src.push(format!("{} AS fatalities_text", text(c)));
        }
    }
    if let Some(c) = &r.map.id {
        src.push(format!("{} AS event_id", text(c)));
    }
    if r.spec.actor.is_some() {
        for (i, c) in r.map.actors.iter().enumerate() {
            src.push(format!("{} AS actor{i}", d.text(c)));
        }
    }
    for (i, f) in r.spec.filters.iter().enumerate() {
        src.push(format!("{} AS where{i}", d.text(&f.column)));
    }
    // Stage 2: the fate of each row (NULL: kept so far).
    let mut fate: Vec<(String, String)> = date_checks;
    fate.push((
        format!("day < {}", d.date(min_date())),
        format!("reject: date before {MIN_YEAR}"),
    ));
    // The checks before this point decide whether the row's date was read (where the data
    // end); those before `in_range` whether it is covered (where series start).
    let date_read = fate.len();
    let as_of = r.spec.as_of;
    let last_week = if r.spec.include_incomplete {
        r.week_start.week_of(as_of)
    } else {
        r.week_start.last_complete_week(as_of)
    };
    fate.push((
        format!("day > {}", d.date(as_of)),
        format!("exclude: dated after --as-of {as_of}"),
    ));
    let mut range = Vec::new();
    if let Some(f) = r.spec.from {
        range.push(format!("day < {}", d.date(f)));
    }
    if let Some(t) = r.spec.to {
        range.push(format!("day > {}", d.date(t)));
    }
    if !range.is_empty() {
        fate.push((range.join(" OR "), "exclude: outside --from/--to".into()));
    }
    fate.push((
        format!("week_start > {}", d.date(last_week)),
        format!("exclude: in the incomplete week of --as-of {as_of}"),
    ));
    let in_range = fate.len();
    if let Some(want) = &r.spec.country {
        let i = regions
            .iter()
            .position(|(n, _)| n == "country")
            .ok_or("--country needs a country region column")?;
        fate.push((
            format!(
                "COALESCE(LOWER(r{i}), '') <> {}",
                d.string(&want.to_lowercase())
            ),
            format!("exclude: --country {want}"),
        ));
        caveats.push(
            "--country compares lower-cased names with SQL's LOWER (uptick ignores ASCII case only)".into(),
        );
    }
    for (i, f) in r.spec.filters.iter().enumerate() {
        let op = if f.negate { "=" } else { "<>" };
        fate.push((
            format!("COALESCE(where{i}, '') {op} {}", d.string(&f.value)),
            format!("exclude: --where {f}"),
        ));
    }
    if let Some(re) = &r.spec.actor {
        let any: Vec<String> = (0..r.map.actors.len())
            .map(|i| {
                format!(
                    "COALESCE({}, FALSE)",
                    d.matches_ci(&format!("actor{i}"), re.as_str())
                )
            })
            .collect();
        let pattern = re.as_str().trim_start_matches("(?i)");
        fate.push((
            format!("NOT ({})", any.join(" OR ")),
            format!("exclude: --actor {pattern}"),
        ));
    }
    for (i, (name, _)) in regions.iter().enumerate() {
        fate.push((
            format!("r{i} IS NULL"),
            format!("reject: missing region ({name})"),
        ));
    }
    if r.map.fatalities.is_some() && (want_fatalities || r.map.fatalities_required) {
        let n = d.number("fatalities_text");
        if r.map.fatalities_required {
            fate.push((
                "fatalities_text IS NULL".into(),
                "reject: missing fatalities (truncated or broken record)".into(),
            ));
        }
        fate.push((
            format!("fatalities_text IS NOT NULL AND {n} IS NULL"),
            "reject: non-numeric fatalities".into(),
        ));
        fate.push((format!("{n} < 0"), "reject: negative fatalities".into()));
    }
    let region_out: Vec<String> = (0..regions.len())
        .map(|i| {
            if strip {
                strip_suffix(d, &format!("r{i}"))
            } else {
                format!("r{i}")
            }
        })
        .collect();
    let cases: Vec<String> = fate
        .iter()
        .map(|(c, why)| format!("      WHEN {c} THEN {}", d.string(why)))
        .collect();
    let none_of = |checks: &[(String, String)]| -> String {
        let any: Vec<String> = checks.iter().map(|(c, _)| format!("({c})")).collect();
        format!("NOT ({})", any.join(" OR "))
    };
    // Where the data end: rows whose date was read.
    let date_ok = none_of(&fate[..date_read]);
    // Where series start: the row's date was read and is in range, and its top-level region
    // is named (before the filters, which select events, not coverage).
    let covered = format!("{} AND r0 IS NOT NULL", none_of(&fate[..in_range]));
    let id_rank = if r.map.id.is_some() {
        let order: Vec<String> = std::iter::once("day".to_string())
            .chain((0..regions.len()).map(|i| format!("r{i}")))
            .collect();
        format!(
            "CASE WHEN fate IS NULL AND event_id IS NOT NULL THEN ROW_NUMBER() OVER (PARTITION BY CASE WHEN fate IS NULL THEN event_id END ORDER BY {}) ELSE 1 END",
            order.join(", ")
        )
    } else {
        "1".into()
    };
    let cut_last_week = if r.spec.include_incomplete {
        "FALSE".to_string()
    } else {
        format!(
            "coverage.end_day IS NOT NULL AND week_start = coverage.end_week AND coverage.end_week <= {} AND coverage.end_day < {}",
            d.date(last_week),
            d.add_days("coverage.end_week", 6)
        )
    };
    let region_cols: Vec<String> = regions
        .iter()
        .zip(&region_out)
        .map(|((name, _), e)| format!("{e} AS {}", d.ident(name)))
        .collect();
    let base = format!(
        "WITH src AS (\n  SELECT\n    {src}\n  FROM {table}\n),\nparsed AS (\n  SELECT src.*, {day} AS day FROM src\n),\nweeks AS (\n  SELECT parsed.*, {week} AS week_start FROM parsed\n),\njudged AS (\n  SELECT weeks.*,\n    CASE\n{cases}\n      ELSE NULL\n    END AS fate,\n    {date_ok} AS date_ok,\n    {covered} AS covered\n  FROM weeks\n),\nends AS (\n  SELECT MAX(day) AS end_day FROM judged WHERE date_ok\n),\ncoverage AS (\n  SELECT end_day, {end_week} AS end_week FROM ends\n),\nranked AS (\n  SELECT judged.*, {id_rank} AS id_rank FROM judged\n),\nfated AS (\n  SELECT ranked.*,\n    CASE\n      WHEN fate IS NOT NULL THEN fate\n      WHEN id_rank > 1 THEN {dup}\n      WHEN {cut} THEN {cutwhy}\n      ELSE NULL\n    END AS outcome\n  FROM ranked CROSS JOIN coverage\n)",
        src = if src.is_empty() { "1 AS one".to_string() } else { src.join(",\n    ") },
        table = d.table(r.table),
        day = day_expr,
        covered = if regions.is_empty() { "FALSE".to_string() } else { covered },
        week = d.week_of("day", r.week_start),
        end_week = d.week_of("end_day", r.week_start),
        cases = cases.join("\n"),
        dup = d.string("exclude: duplicate event id (counted once)"),
        cut = cut_last_week,
        cutwhy = d.string(CUT_WHY),
    );
    let mut measures = vec!["COUNT(*) AS events".to_string()];
    if want_fatalities {
        measures.push(format!(
            "SUM(COALESCE({}, 0)) AS fatalities",
            d.number("fatalities_text")
        ));
    }
    let group: Vec<String> = (1..=regions.len() + 1).map(|i| i.to_string()).collect();
    let header = header_comment(r, &caveats);
    let names: Vec<String> = regions.iter().map(|(n, _)| d.ident(n)).collect();
    let counted = format!(
        "counted AS (\n  SELECT week_start, {regions}, {measures}, '{QUERY_ID}' AS {QUERY_COLUMN}\n  FROM fated\n  WHERE outcome IS NULL\n  GROUP BY {group}\n)",
        regions = region_cols.join(", "),
        measures = measures.join(", "),
        group = group.join(", "),
    );
    // Where each series starts (`--series-start`): a zero row at the first week its
    // top-level region is covered, when that is before its first counted week, so that
    // `--preset counts` starts the series where uptick would.
    let first_week = match r.spec.series_start {
        SeriesStart::Region => None,
        SeriesStart::Top => Some(format!(
            "cover AS (\n  SELECT {top} AS top, MIN(week_start) AS first_week FROM judged WHERE covered GROUP BY 1\n)",
            top = region_out.first().cloned().unwrap_or_default()
        )),
        SeriesStart::Data => Some(
            "cover AS (\n  SELECT NULL AS top, MIN(week_start) AS first_week FROM judged WHERE covered\n)".to_string(),
        ),
    };
    let counts = match (&first_week, names.first()) {
        (Some(cover), Some(top)) => {
            let join = if r.spec.series_start == SeriesStart::Top {
                format!("ON cover.top = firsts.{top}")
            } else {
                "ON TRUE".to_string()
            };
            let zeros: Vec<&str> = measures.iter().map(|_| "0").collect();
            let zero_cols: Vec<String> = measures
                .iter()
                .zip(&zeros)
                .map(|(m, z)| format!("{z} AS {}", m.rsplit(' ').next().unwrap_or("events")))
                .collect();
            format!(
                "{header}{base},\n{counted},\n{cover},\nfirsts AS (\n  SELECT {firsts}, MIN(CASE WHEN outcome IS NULL THEN week_start END) AS first_counted\n  FROM fated WHERE outcome IS NULL OR outcome = {cutwhy}\n  GROUP BY {ngroup}\n)\nSELECT * FROM counted\nUNION ALL\nSELECT cover.first_week AS week_start, {fnames}, {zero_cols}, '{QUERY_ID}' AS {QUERY_COLUMN}\nFROM firsts JOIN cover {join}\nWHERE firsts.first_counted IS NULL OR cover.first_week < firsts.first_counted\nORDER BY {group};\n",
                firsts = region_cols.join(", "),
                cutwhy = d.string(CUT_WHY),
                ngroup = (1..=names.len()).map(|i| i.to_string()).collect::<Vec<_>>().join(", "),
                fnames = names.iter().map(|n| format!("firsts.{n}")).collect::<Vec<_>>().join(", "),
                zero_cols = zero_cols.join(", "),
                group = group.join(", "),
            )
        }
        _ => format!(
            "{header}{base},\n{counted}\nSELECT * FROM counted\nORDER BY {group};\n",
            group = group.join(", "),
        ),
    };
    // The query's id: the start of the SHA-256 of its text (with the id left out), carried
    // in every row so that a report on these counts can name the query that made them.
    let digest = sha2::Sha256::digest(counts.as_bytes());
    let id: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let counts = counts.replace(QUERY_ID, &id).replacen(
        "\n-- Read the result back",
        &format!(
            "\n-- query id {id} (column {QUERY_COLUMN} of every row)\n-- Read the result back"
        ),
        1,
    );
    let ledger = format!(
        "{header}{base}\nSELECT CASE WHEN outcome IS NULL THEN 'kept' WHEN outcome LIKE 'reject:%' THEN 'rejected' ELSE 'excluded' END AS fate,\n  COALESCE(SUBSTR(outcome, {colon} + 2), '') AS reason,\n  COUNT(*) AS {rows}\nFROM fated\nGROUP BY 1, 2\nORDER BY 1, 2;\n",
        colon = d.position("outcome", ": "),
        rows = d.ident("rows"),
    );
    Ok(Queries {
        counts,
        ledger,
        caveats,
    })
}

fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).expect("valid constant date")
}

/// `expr` without a UCDP unit suffix (" governorate", ...), matched ignoring case.
fn strip_suffix(d: Dialect, expr: &str) -> String {
    let arms: Vec<String> = UNIT_SUFFIXES
        .iter()
        .map(|s| {
            let n = s.len();
            format!(
                "WHEN LOWER({expr}) LIKE {} AND LENGTH({expr}) > {n} THEN RTRIM(SUBSTR({expr}, 1, LENGTH({expr}) - {n}))",
                d.string(&format!("%{s}"))
            )
        })
        .collect();
    format!("CASE {} ELSE {expr} END", arms.join(" "))
}

/// The comment heading both queries: what they compute, and what they cannot do as uptick.
fn header_comment(r: &Request<'_>, caveats: &[String]) -> String {
    let mut lines = vec![
        format!(
            "-- uptick {} sql --dialect {}: weekly counts per region, with uptick's rules",
            env!("CARGO_PKG_VERSION"),
            r.dialect.name()
        ),
        format!(
            "-- preset {} ({}); regions {}; weeks start on {}; as of {}{}",
            r.map.preset.name(),
            r.map.layout,
            r.map
                .regions
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            r.week_start.name(),
            r.spec.as_of,
            if r.spec.include_incomplete {
                " (incomplete week kept)"
            } else {
                ""
            }
        ),
        format!(
            "-- Read the result back with `uptick detect|report --input counts.csv{}` (--preset counts).",
            if r.week_start == WeekStart::Mon {
                String::new()
            } else {
                format!(" --week-start {}", r.week_start.name())
            }
        ),
    ];
    if let Some(f) = &r.inferred_date_format {
        lines.push(format!(
            "-- numeric dates read as --date-format {f}: the day/month order inferred from the input's dates, as uptick series infers it"
        ));
    }
    for c in caveats {
        lines.push(format!("-- differs from uptick: {c}"));
    }
    format!("{}\n", lines.join("\n"))
}
