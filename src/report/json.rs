//! `report.json`: the report model in uptick's one JSON schema (`docs/uptick.schema.json`):
//! its findings and comparison rows are the same records `detect` and `compare` write. It is
//! written compact (one line): at a thousand regions pretty-printing doubles its size.

use serde_json::json;

use super::ReportModel;
use crate::error::{Error, Result};
use crate::export::json::{comparison_record, document, finding_record};
use crate::export::json_compact;

/// The model as a `report` document.
///
/// # Errors
/// Only if serde fails, which would be a bug.
pub fn report_json(model: &ReportModel) -> Result<Vec<u8>> {
    let mut value = serde_json::to_value(model).map_err(|e| Error::Write {
        path: "report.json".into(),
        source: e.into(),
    })?;
    let columns = &model.region_columns;
    value["findings"] = model
        .findings
        .iter()
        .map(|f| finding_record(f, columns, &model.unit))
        .collect();
    let c = &model.comparison;
    value["comparison"]["regions"] = c
        .regions
        .iter()
        .map(|r| comparison_record(r, columns))
        .collect();
    value["comparison"]["total"] = comparison_record(&c.total, columns);
    value["comparison"]["unit"] = json!(model.unit);
    if let Some(y) = &model.year_to_date {
        value["year_to_date"]["total"] = comparison_record(&y.total, columns);
    }
    json_compact(&document("report", value))
}
