//! The SQL dialects `uptick sql` writes, and the few expressions in which they differ: quoting,
//! safe casts and date parsing, weekdays and date arithmetic, case-insensitive regular
//! expressions. References: DuckDB's function reference (`try_strptime`, `isodow`), the
//! PostgreSQL 15 manual (§9.8 `to_date`, §9.9 `EXTRACT(ISODOW ...)`), Spark SQL's built-in
//! functions (`try_to_timestamp`, `weekday`, `date_sub`, datetime patterns), BigQuery's
//! GoogleSQL (`SAFE.PARSE_DATE`, `DATE_TRUNC(d, WEEK(SATURDAY))`), and Trino's date and
//! time functions (`date_parse`, `day_of_week`, `try`).

use crate::model::WeekStart;

/// A SQL engine's dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB 1.x or later.
    Duckdb,
    /// PostgreSQL 12 or later.
    Postgres,
    /// Spark SQL 3.5 or later (Databricks).
    Spark,
    /// Google BigQuery (GoogleSQL).
    Bigquery,
    /// Trino (and Presto-derived engines such as Athena).
    Trino,
}

impl Dialect {
    /// Name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
            Dialect::Bigquery => "bigquery",
            Dialect::Trino => "trino",
        }
    }

    /// A quoted identifier.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A table name: dotted parts (`schema.table`, `project.dataset.table`) quoted one by one.
    pub fn table(self, name: &str) -> String {
        name.split('.')
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A string literal.
    pub fn string(self, s: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// A date literal.
    pub fn date(self, d: chrono::NaiveDate) -> String {
        format!("DATE '{d}'")
    }

    fn string_type(self) -> &'static str {
        match self {
            Dialect::Spark | Dialect::Bigquery => "STRING",
            Dialect::Postgres => "TEXT",
            _ => "VARCHAR",
        }
    }

    /// A column's value as trimmed text.
    pub fn text(self, column: &str) -> String {
        format!(
            "TRIM(CAST({} AS {}))",
            self.ident(column),
            self.string_type()
        )
    }

    /// `expr` as a number, NULL when it is not one.
    pub fn number(self, expr: &str) -> String {
        match self {
            Dialect::Duckdb | Dialect::Trino => format!("TRY_CAST({expr} AS DOUBLE)"),
            Dialect::Spark => format!("TRY_CAST({expr} AS DOUBLE)"),
            Dialect::Bigquery => format!("SAFE_CAST({expr} AS FLOAT64)"),
            Dialect::Postgres => format!(
                "CASE WHEN {expr} ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$' THEN CAST({expr} AS DOUBLE PRECISION) END"
            ),
        }
    }

    /// `expr` (text) parsed with a chrono/strftime format, NULL when it does not parse. The
    /// formats used are built from `%d %m %Y %y %b %B` and literal separators.
    pub fn parse_date(self, expr: &str, format: &str) -> String {
        match self {
            Dialect::Duckdb => format!(
                "CAST(TRY_STRPTIME({expr}, {}) AS DATE)",
                self.string(format)
            ),
            Dialect::Bigquery => format!("SAFE.PARSE_DATE({}, {expr})", self.string(format)),
            Dialect::Trino => format!(
                "CAST(TRY(DATE_PARSE({expr}, {})) AS DATE)",
                self.string(&translate(format, TRINO))
            ),
            Dialect::Spark => format!(
                "TO_DATE(TRY_TO_TIMESTAMP({expr}, {}))",
                self.string(&translate(format, SPARK))
            ),
            Dialect::Postgres => format!(
                "CASE WHEN {expr} ~ {} THEN TO_DATE({expr}, {}) END",
                self.string(&format!("^{}$", translate(format, PG_REGEX))),
                self.string(&translate(format, POSTGRES))
            ),
        }
    }

    /// The start of the week (starting on `start`) holding the date `day`.
    pub fn week_of(self, day: &str, start: WeekStart) -> String {
        let s = match start {
            WeekStart::Mon => 1,
            WeekStart::Sat => 6,
            WeekStart::Sun => 7,
        };
        match self {
            Dialect::Duckdb => {
                format!("({day} - CAST((ISODOW({day}) - {s} + 7) % 7 AS INTEGER))")
            }
            Dialect::Postgres => {
                format!("({day} - CAST((EXTRACT(ISODOW FROM {day}) - {s} + 7) AS INTEGER) % 7)")
            }
            Dialect::Spark => format!("DATE_SUB({day}, (WEEKDAY({day}) + 1 - {s} + 7) % 7)"),
            Dialect::Bigquery => {
                let name = match start {
                    WeekStart::Mon => "MONDAY",
                    WeekStart::Sat => "SATURDAY",
                    WeekStart::Sun => "SUNDAY",
                };
                format!("DATE_TRUNC({day}, WEEK({name}))")
            }
            Dialect::Trino => {
                format!("DATE_ADD('day', -((DAY_OF_WEEK({day}) - {s} + 7) % 7), {day})")
            }
        }
    }

    /// The date `days` days after `day`.
    pub fn add_days(self, day: &str, days: i64) -> String {
        match self {
            Dialect::Duckdb | Dialect::Postgres => format!("({day} + {days})"),
            Dialect::Spark => format!("DATE_ADD({day}, {days})"),
            Dialect::Bigquery => format!("DATE_ADD({day}, INTERVAL {days} DAY)"),
            Dialect::Trino => format!("DATE_ADD('day', {days}, {day})"),
        }
    }

    /// Whether text `expr` matches `pattern`, ignoring case.
    pub fn matches_ci(self, expr: &str, pattern: &str) -> String {
        match self {
            Dialect::Duckdb => format!("REGEXP_MATCHES({expr}, {}, 'i')", self.string(pattern)),
            Dialect::Postgres => format!("({expr} ~* {})", self.string(pattern)),
            Dialect::Spark => format!("({expr} RLIKE {})", self.string(&format!("(?i){pattern}"))),
            Dialect::Bigquery => format!(
                "REGEXP_CONTAINS({expr}, {})",
                self.string(&format!("(?i){pattern}"))
            ),
            Dialect::Trino => {
                format!(
                    "REGEXP_LIKE({expr}, {})",
                    self.string(&format!("(?i){pattern}"))
                )
            }
        }
    }

    /// Left-pads an integer to `width` digits, as text.
    pub fn padded(self, int_expr: &str, width: usize) -> String {
        format!(
            "LPAD(CAST({int_expr} AS {}), {width}, '0')",
            self.string_type()
        )
    }

    /// An integer from a double.
    pub fn integer(self, expr: &str) -> String {
        match self {
            Dialect::Bigquery => format!("CAST({expr} AS INT64)"),
            _ => format!("CAST({expr} AS BIGINT)"),
        }
    }

    /// The 1-based position of `needle` in text `expr` (0 when absent).
    pub fn position(self, expr: &str, needle: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => format!("INSTR({expr}, {})", self.string(needle)),
            _ => format!("STRPOS({expr}, {})", self.string(needle)),
        }
    }

    /// Text concatenation.
    pub fn concat(self, parts: &[String]) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => format!("CONCAT({})", parts.join(", ")),
            _ => format!("({})", parts.join(" || ")),
        }
    }
}

/// (strftime conversion, dialect text) pairs, and what a literal character becomes.
type Table = (&'static [(&'static str, &'static str)], fn(char) -> String);

const TRINO: Table = (
    &[
        ("%d", "%d"),
        ("%m", "%m"),
        ("%Y", "%Y"),
        ("%y", "%y"),
        ("%b", "%b"),
        ("%B", "%M"),
    ],
    |c| c.to_string(),
);

const SPARK: Table = (
    &[
        ("%d", "d"),
        ("%m", "M"),
        ("%Y", "yyyy"),
        ("%y", "yy"),
        ("%b", "MMM"),
        ("%B", "MMMM"),
    ],
    |c| {
        if c.is_ascii_alphabetic() {
            format!("'{c}'")
        } else {
            c.to_string()
        }
    },
);

const POSTGRES: Table = (
    &[
        ("%d", "DD"),
        ("%m", "MM"),
        ("%Y", "YYYY"),
        ("%y", "YY"),
        ("%b", "Mon"),
        ("%B", "Month"),
    ],
    |c| c.to_string(),
);

const PG_REGEX: Table = (
    &[
        ("%d", "[0-9]{1,2}"),
        ("%m", "[0-9]{1,2}"),
        ("%Y", "[0-9]{4}"),
        ("%y", "[0-9]{2}"),
        ("%b", "[A-Za-z]{3}"),
        ("%B", "[A-Za-z]{3,9}"),
    ],
    |c| {
        if c.is_ascii_alphanumeric() || c == ' ' {
            c.to_string()
        } else {
            format!("[{c}]")
        }
    },
);

/// A strftime format in another dialect's notation.
fn translate(format: &str, (table, literal): Table) -> String {
    let mut out = String::new();
    let mut rest = format;
    'outer: while !rest.is_empty() {
        for (from, to) in table {
            if let Some(r) = rest.strip_prefix(from) {
                out.push_str(to);
                rest = r;
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("non-empty");
        out.push_str(&literal(c));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether `format` uses only what [`Dialect::parse_date`] can translate.
pub fn translatable(format: &str) -> bool {
    let mut rest = format;
    while let Some(i) = rest.find('%') {
        let conv = rest.get(i..i + 2).unwrap_or("%");
        if !["%d", "%m", "%Y", "%y", "%b", "%B"].contains(&conv) {
            return false;
        }
        rest = &rest[i + 2..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_translate() {
        assert_eq!(translate("%d-%b-%y", SPARK), "d-MMM-yy");
        assert_eq!(translate("%d %B %Y", POSTGRES), "DD Month YYYY");
        assert_eq!(
            translate("%Y-%m-%d", PG_REGEX),
            "[0-9]{4}[-][0-9]{1,2}[-][0-9]{1,2}"
        );
        assert!(translatable("%d/%m/%Y") && !translatable("%d.%j") && !translatable("%"));
    }

    #[test]
    fn quoting_escapes() {
        assert_eq!(Dialect::Duckdb.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
        assert_eq!(Dialect::Postgres.string("it's"), "'it''s'");
        assert_eq!(Dialect::Bigquery.string("it's \\"), "'it\\'s \\\\'");
        assert_eq!(Dialect::Trino.table("cat.events"), "\"cat\".\"events\"");
    }
}
