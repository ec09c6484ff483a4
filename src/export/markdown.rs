//! Markdown: escaping of data (region names are data, not markup), one table helper (text
//! left-aligned, numbers right-aligned, pipes escaped), and the comparison as markdown.

use crate::compare::{Comparison, ComparisonSetup};
use crate::format::format_stat;

use super::table::comparison_title;
use super::{comparison_cells, region_label};

/// Escapes text for use inside markdown (tables included): markup characters get a backslash,
/// HTML is neutralised, newlines and other control characters become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    // A leading '-', '+' or '>' could start a list item or a quote when the text stands alone.
    if out.starts_with(['-', '+', '>']) {
        out.insert(0, '\\');
    }
    out
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A GitHub-flavoured markdown table. Cells are used as given (escape data first).
pub fn table(header: &[&str], align: &[Align], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let marks: Vec<&str> = align
        .iter()
        .map(|a| if *a == Align::Right { "---:" } else { ":---" })
        .collect();
    out.push_str(&format!("| {} |\n", marks.join(" | ")));
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

/// The comparison's table in markdown (region names escaped).
pub fn comparison_markdown_table(rows: &[Comparison], total: &Comparison, level: f64) -> String {
    use Align::{Left, Right};
    let body: Vec<Vec<String>> = rows
        .iter()
        .chain(std::iter::once(total))
        .map(|c| {
            let cells = comparison_cells(c, format_stat, false);
            let name = if c.region.is_empty() {
                "**All regions**".to_string()
            } else {
                escape(&region_label(c))
            };
            vec![
                name,
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
                if cells[4].is_empty() {
                    "n/a".into()
                } else {
                    cells[4].replace("inf", "∞")
                },
                format!("{}–{}", cells[5], cells[6].replace("inf", "∞")),
                cells[7].clone(),
                cells[9].clone(),
                cells[11].clone(),
                cells[12].clone(),
            ]
        })
        .collect();
    let ci = format!("{}% CI", format_stat(Some(100.0 * level)));
    let header = [
        "Region",
        "Count",
        "Count before",
        "Per week",
        "Per week before",
        "Rate ratio",
        ci.as_str(),
        "p (two-sided)",
        "q",
        "Change",
        "Verdict",
    ];
    let align = [
        Left, Right, Right, Right, Right, Right, Right, Right, Right, Right, Left,
    ];
    table(&header, &align, &body)
}

/// The comparison as a markdown section (region names escaped).
pub fn comparison_markdown(
    rows: &[Comparison],
    total: &Comparison,
    setup: &ComparisonSetup,
    unit: &str,
) -> String {
    format!(
        "Comparison of {}.\n\nTest: {}.\n\n{}",
        comparison_title(setup, unit),
        setup.test.description(),
        comparison_markdown_table(rows, total, setup.level())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_text() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script>alert(1)&lt;/script>"
        );
        assert_eq!(escape("[x](http://evil)"), "\\[x\\](http://evil)");
        assert_eq!(escape("![img](x.png)"), "!\\[img\\](x.png)");
        assert_eq!(escape("line\nbreak"), "line break");
        assert_eq!(escape("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(escape("-1"), "\\-1");
        assert_eq!(escape("> quote"), "\\> quote");
        assert_eq!(escape("Deir ez-Zor (East)"), "Deir ez-Zor (East)");
    }

    #[test]
    fn tables_align() {
        let t = table(
            &["region", "events"],
            &[Align::Left, Align::Right],
            &[vec!["A".into(), "3".into()]],
        );
        assert_eq!(t, "| region | events |\n| :--- | ---: |\n| A | 3 |\n");
    }
}
