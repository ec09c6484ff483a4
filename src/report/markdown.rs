//! Markdown building blocks: escaping of data (region names are data, not markup) and one
//! table helper (text left-aligned, numbers right-aligned, pipes escaped).

/// Escapes text for use inside markdown (tables included): markup characters get a backslash,
/// HTML is neutralised, newlines and other control characters become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    // A leading '-' or digit-dot could start a list item when the text stands alone.
    if out.starts_with('-') {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_text() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script\\>alert\\(1\\)&lt;/script\\>"
        );
        assert_eq!(escape("[x](http://evil)"), "\\[x\\]\\(http://evil\\)");
        assert_eq!(escape("line\nbreak"), "line break");
        assert_eq!(escape("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(escape("-1"), "\\-1");
        assert_eq!(escape("Deir ez-Zor"), "Deir ez-Zor");
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
