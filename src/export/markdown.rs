//! Markdown: escaping of data (region names are data, not markup), one table helper (text
//! left-aligned, numbers right-aligned, pipes escaped), and the comparison as markdown.

use crate::compare::{Comparison, ComparisonSetup};

use super::table::comparison_title;
use super::{comparison_display, DisplayTable};

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

/// A display table in markdown: every cell escaped, the totals row's first cell in bold.
pub fn display_table(t: &DisplayTable) -> String {
    let header: Vec<String> = t.header.iter().map(|h| escape(h)).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let align: Vec<Align> = t
        .right
        .iter()
        .map(|r| if *r { Align::Right } else { Align::Left })
        .collect();
    let last = t.rows.len().saturating_sub(1);
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.iter()
                .enumerate()
                .map(|(j, c)| {
                    if t.total_row && i == last && j == 0 {
                        format!("**{}**", escape(c))
                    } else {
                        escape(c)
                    }
                })
                .collect()
        })
        .collect();
    table(&header, &align, &rows)
}

/// The comparison's table in markdown (region names escaped).
pub fn comparison_markdown_table(rows: &[Comparison], total: &Comparison, level: f64) -> String {
    display_table(&comparison_display(rows, total, level))
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
